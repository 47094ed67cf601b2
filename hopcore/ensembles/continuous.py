"""Continuous pattern ensembles: spherical and Gaussian patterns streamed from counter-based seeds.

Dense associative memories store P = exp(alpha N) patterns, far too many to keep in memory at the
sizes we simulate (N = 80, alpha = 0.2 gives P ~ 8.9e6). Patterns are therefore *regenerated* on
every pass of the dynamics, and the generator must give the same pattern xi^mu every time, whoever
asks for it and in whatever order.

Scheme
------
Patterns are grouped in generation chunks of ``GEN_CHUNK`` = 4096 consecutive indices (a fixed
constant: it is part of the definition of the ensemble, not a tuning knob). Chunk k draws from its
own random stream, keyed by ``chunk_key(seed, k)`` (a hash of the master seed and k); inside a chunk
the stream is a splitmix64 counter, turned into standard normals by a 256-layer ziggurat (exact
normal law up to double rounding). So pattern mu depends only on (seed, mu // GEN_CHUNK) and its
position in the chunk: any processing chunk size, any thread count, same patterns.

Ensembles (both with E|xi|^2 / N = 1, the r_xi = 1 of the theory):
- ``"gaussian"``: iid N(0, 1) entries;
- ``"spherical"``: a Gaussian vector rescaled to norm sqrt(N), i.e. uniform on the sphere of radius sqrt(N).

Layout: pattern-major, ``(P, N)`` C-contiguous (row mu is the pattern xi^mu), since the streaming
kernels consume whole patterns one after the other. ``float32`` patterns are the float64 draws
rounded to single precision (the streaming kernels round identically, so both see the same numbers).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .. import validation

GEN_CHUNK = 4096  # patterns per generation chunk (part of the ensemble definition)
KINDS = ("spherical", "gaussian")
KIND_CODE = {"spherical": 0, "gaussian": 1}

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_KEYSALT = np.uint64(0xD1B54A32D192ED03)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S8 = np.uint64(8)
_S11 = np.uint64(11)
_B255 = np.uint64(255)
_B1 = np.uint64(1)
_TWO_M53 = 1.0 / 9007199254740992.0


def _ziggurat_tables(n_layers: int = 256, r: float = 3.6541528853610088):
    """Right edges x_i and heights f(x_i) of the normal ziggurat, f(x) = exp(-x^2/2).

    Layer 0 is the base strip [0, r] x [0, f(r)] plus the tail beyond r, of total area
    V = r f(r) + int_r^inf f; it is drawn as a rectangle of virtual width x_0 = V / f(r).
    Layers i >= 1 are [0, x_i] x [f(x_i), f(x_{i+1})] with x_{i+1} = f^{-1}(f(x_i) + V / x_i),
    all of area V; r is chosen so that the top layer closes at x_256 = 0.
    """
    f = lambda t: math.exp(-0.5 * t * t)  # noqa: E731
    area = r * f(r) + math.sqrt(math.pi / 2) * math.erfc(r / math.sqrt(2))
    x = np.zeros(n_layers + 1)
    x[0] = area / f(r)
    x[1] = r
    for i in range(1, n_layers - 1):
        x[i + 1] = math.sqrt(-2.0 * math.log(f(x[i]) + area / x[i]))
    closure = f(x[n_layers - 1]) + area / x[n_layers - 1]
    if abs(closure - 1.0) > 1e-9:  # pragma: no cover - a wrong r would bias the law
        raise RuntimeError(f"ziggurat does not close: top height {closure}")
    x[n_layers] = 0.0
    fx = np.exp(-0.5 * x * x)
    return x, fx


_ZX, _ZF = _ziggurat_tables()
_ZR = float(_ZX[1])


@njit(cache=True, fastmath=False)
def _mix64(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, fastmath=False)
def chunk_key(seed, k):
    """Key of the random stream of generation chunk k: a hash of (seed, k).

    Numba kernel. Pattern mu belongs to chunk ``k = mu // GEN_CHUNK``; the stream of the chunk starts
    from this key, so the patterns of a chunk depend on (seed, k) only.

    Parameters
    ----------
    seed : int or numpy.uint64
        Master seed of the ensemble.
    k : int
        Index of the generation chunk (>= 0).

    Returns
    -------
    numpy.uint64
        Initial state of the splitmix64 counter of chunk k.
    """
    return _mix64(_mix64(np.uint64(seed) ^ _KEYSALT) + np.uint64(k + 1) * _GOLDEN)


@njit(cache=True, fastmath=False)
def _uniform53(state):
    state = state + _GOLDEN
    return np.int64(_mix64(state) >> _S11) * _TWO_M53, state


@njit(cache=True, fastmath=False)
def _normal_slow(state, u, zx, zf, r):
    """Ziggurat draw whose first 64 random bits ``u`` missed the fast path (about 1% of draws)."""
    while True:
        i = np.int64(u & _B255)
        neg = ((u >> _S8) & _B1) == _B1
        z = np.int64(u >> _S11) * _TWO_M53 * zx[i]
        if z < zx[i + 1]:
            return (-z if neg else z), state
        if i == 0:
            # tail beyond r (Marsaglia): exponential proposal a = -log(U1)/r, accepted w.p. exp(-a^2/2)
            while True:
                u1, state = _uniform53(state)
                u2, state = _uniform53(state)
                a = -math.log(1.0 - u1) / r
                b = -math.log(1.0 - u2)
                if 2.0 * b > a * a:
                    break
            z = r + a
            return (-z if neg else z), state
        u2, state = _uniform53(state)
        if zf[i] + u2 * (zf[i + 1] - zf[i]) < math.exp(-0.5 * z * z):
            return (-z if neg else z), state
        state = state + _GOLDEN
        u = _mix64(state)


@njit(cache=True, fastmath=False)
def _normal(state, zx, zf, r):
    """One N(0,1) draw by the 256-layer ziggurat; returns (z, new stream state).

    64 random bits: 8 pick the layer i, 1 the sign, 53 the abscissa U x_i; accepted at once when
    U x_i < x_{i+1} (the part of the layer under the curve), else wedge/tail test in ``_normal_slow``.
    """
    state = state + _GOLDEN
    u = _mix64(state)
    i = np.int64(u & _B255)
    z = np.int64(u >> _S11) * _TWO_M53 * zx[i]
    if z < zx[i + 1]:
        return (1.0 - 2.0 * np.float64(np.int64((u >> _S8) & _B1))) * z, state
    return _normal_slow(state, u, zx, zf, r)


@njit(cache=True, fastmath=False)
def next_pattern(state, out, kind, f32, zx, zf, r):
    """Fill ``out`` (length N) with the next pattern of the stream; return the new state.

    Numba kernel, the innermost loop of every dense simulation: N standard normals by the 256-layer
    ziggurat (fast path written out inline), then, for the spherical ensemble, a rescaling of the vector
    to |xi|^2 = N. With ``f32`` every entry is rounded to single precision (and stored back as float64),
    exactly as :func:`continuous_patterns` rounds float32 patterns.

    Parameters
    ----------
    state : numpy.uint64
        Current state of the splitmix64 counter (from :func:`chunk_key` or a previous call).
    out : numpy.ndarray of float64, shape (N,)
        Output buffer, overwritten with the pattern.
    kind : int
        Ensemble code: 0 spherical (Gaussian vector rescaled to |xi|^2 = N), 1 Gaussian N(0,1) entries
        (see ``KIND_CODE``).
    f32 : bool
        Round the entries to float32 precision.
    zx : numpy.ndarray of float64, shape (257,)
        Ziggurat table of the right edges x_i of the layers.
    zf : numpy.ndarray of float64, shape (257,)
        Ziggurat table of the heights f(x_i) = exp(-x_i^2/2).
    r : float
        Start of the ziggurat's tail (the right edge of the base strip).

    Returns
    -------
    numpy.uint64
        The new stream state, to pass to the next call.
    """
    n = out.shape[0]
    ss = 0.0
    for j in range(n):
        # fast path of the ziggurat written out here: it is the innermost loop of every simulation
        state = state + _GOLDEN
        u = _mix64(state)
        i = np.int64(u & _B255)
        z = np.int64(u >> _S11) * _TWO_M53 * zx[i]
        if z < zx[i + 1]:
            z = (1.0 - 2.0 * np.float64(np.int64((u >> _S8) & _B1))) * z
        else:
            z, state = _normal_slow(state, u, zx, zf, r)
        out[j] = z
        ss += z * z
    if kind == 0:
        scale = math.sqrt(n / ss)
        for i in range(n):
            out[i] *= scale
    if f32:
        for i in range(n):
            out[i] = np.float64(np.float32(out[i]))
    return state


@njit(cache=True, fastmath=False)
def _fill(out, first, seed, kind, f32, zx, zf, r, chunk):
    """Patterns first .. first + len(out) - 1 into the rows of out (float64)."""
    P = out.shape[0]
    mu = first
    end = first + P
    while mu < end:
        k = mu // chunk
        state = chunk_key(seed, k)
        j0 = k * chunk
        # skip the patterns of the chunk before ``mu`` (their draws must be consumed)
        buf = np.empty(out.shape[1])
        for _ in range(j0, mu):
            state = next_pattern(state, buf, kind, f32, zx, zf, r)
        stop = min(end, j0 + chunk)
        while mu < stop:
            state = next_pattern(state, out[mu - first], kind, f32, zx, zf, r)
            mu += 1


def check_kind(kind: str) -> int:
    """Validate an ensemble name and return its integer code.

    Parameters
    ----------
    kind : str
        ``"spherical"`` or ``"gaussian"`` (anything else raises ``ValueError``).

    Returns
    -------
    int
        The code of ``KIND_CODE``: 0 for spherical, 1 for Gaussian.
    """
    return KIND_CODE[validation.choice(*KINDS)("kind", kind)]


def check_dtype(dtype) -> bool:
    """True for float32 patterns, False for float64; anything else is refused.

    Parameters
    ----------
    dtype : numpy dtype, str or None
        Requested pattern precision; ``None`` means float64. Any dtype other than float32 or float64
        raises ``ValueError``.

    Returns
    -------
    bool
        Whether the patterns are rounded to float32.
    """
    name = np.dtype(dtype).name if dtype is not None else "float64"
    validation.choice("float32", "float64")("dtype", name)
    return name == "float32"


def continuous_patterns(
    N: int, P: int, seed: int, kind: str = "spherical", dtype=np.float64, first: int = 0
) -> np.ndarray:
    """Patterns xi^(first+1) .. xi^(first+P) of the streamed ensemble, C-contiguous.

    The same numbers the streaming kernels of :mod:`hopcore.dynamics.softmax` generate on the fly;
    meant for tests, small P and the dense reference computations. The float64 array of shape (P, N)
    must fit within the memory limit (:func:`hopcore.validation.memory_limit_bytes`).

    Parameters
    ----------
    N : int
        Dimension of the patterns (at least 1).
    P : int
        Number of patterns returned (at least 1).
    seed : int
        Master seed of the ensemble, in [0, 2^63 - 1].
    kind : str, optional
        ``"spherical"`` (default; uniform on the sphere of radius sqrt(N)) or ``"gaussian"`` (iid
        N(0, 1) entries).
    dtype : numpy dtype, optional
        ``numpy.float64`` (default) or ``numpy.float32`` (the float64 draws rounded to single precision).
    first : int, optional
        Zero-based index of the first pattern returned (default 0: start at xi^1).

    Returns
    -------
    numpy.ndarray of float64 or float32, shape (P, N)
        Pattern-major: row mu is the pattern xi^(first+mu+1).
    """
    N = validation.integer(1)("N", N)
    P = validation.integer(1)("P", P)
    first = validation.integer(0)("first", first)
    seed = validation.seed("seed", seed)
    code = check_kind(kind)
    f32 = check_dtype(dtype)
    validation.memory_bytes("P", P, 8.0 * N * P, validation.memory_limit_bytes())
    out = np.empty((P, N))
    _fill(out, first, seed, code, f32, _ZX, _ZF, _ZR, GEN_CHUNK)
    return out.astype(np.float32) if f32 else out


def sphere_point_at_angle(xi: np.ndarray, theta: float, seed: int) -> np.ndarray:
    """A point x on the sphere |x|^2 = N at angle theta from xi.

    |xi|^2 = N is not needed: only the direction of xi is used. The point is
    x = sqrt(N) (cos theta u + sin theta v), with u = xi/|xi| and v a uniformly random unit vector
    orthogonal to u (drawn from ``seed``).

    Parameters
    ----------
    xi : numpy.ndarray, shape (N,)
        Reference vector (nonzero).
    theta : float
        Angle between x and xi, in radians, in [0, pi].
    seed : int
        Seed of ``numpy.random.default_rng`` that draws the orthogonal direction v.

    Returns
    -------
    numpy.ndarray of float64, shape (N,)
        The point x, with |x|^2 = N and x.xi = sqrt(N) |xi| cos theta.
    """
    theta = validation.real(0.0, math.pi)("theta", theta)
    xi = np.asarray(xi, dtype=np.float64)
    n = xi.shape[0]
    u = xi / np.linalg.norm(xi)
    v = np.random.default_rng(validation.seed("seed", seed)).standard_normal(n)
    v -= (v @ u) * u
    v /= np.linalg.norm(v)
    return math.sqrt(n) * (math.cos(theta) * u + math.sin(theta) * v)


def n_patterns(alpha: float, N: int) -> int:
    """P = round(exp(alpha N)), at least 2 (the pattern of interest and one other).

    Parameters
    ----------
    alpha : float
        Load of the dense memory, P = exp(alpha N).
    N : int
        Dimension of the patterns.

    Returns
    -------
    int
        The number of patterns P.
    """
    return max(2, int(round(math.exp(alpha * N))))


__all__ = [
    "GEN_CHUNK",
    "KINDS",
    "chunk_key",
    "continuous_patterns",
    "n_patterns",
    "next_pattern",
    "sphere_point_at_angle",
]
