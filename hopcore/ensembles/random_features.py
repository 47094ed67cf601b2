"""Random-features ensemble: hidden features, coefficients, examples and mixtures.

Data model (book chapter ``rf_storage_learning``, the random-features Hopfield model of Negri et al.
(2023); book equation: rf_storage_learning-model):

- ``D = alpha_D N`` features ``f^k in {+-1}^N``, iid uniform: the columns of ``F`` (N x D).
- ``P = alpha N`` coefficient vectors ``c^mu in R^D`` (the columns of ``C``, D x P):
  ``"dense"`` iid N(0, 1); ``"dense_binary"`` iid +-1; ``"sparse"`` exactly ``L`` non-zero entries
  at distinct uniformly random positions, each +-1.
- examples ``xi^mu = sign(F c^mu)``, i.e. ``xi_i^mu = sign(sum_k F_ik c_k^mu)``, stored spin-major
  (N x P, int8, row i = the P entries of spin i), the layout of the dynamics kernels.
- symmetric mixtures ``sign(f^1 + ... + f^n)``.

Tie rule: ``sign(0) := +1``. A zero pre-activation is impossible for Gaussian coefficients (measure
zero) and for sums of an odd number of +-1 terms; it happens with probability ~ L^{-1/2} per entry
for sparse coefficients with even ``L`` (and for ``"dense_binary"`` with even ``D``). Integer-valued
coefficients are summed exactly (integer kernel, or a float32 BLAS product whose partial sums are
small integers), so the tie rule is applied exactly, never to a rounding residue.

Every random draw comes from ``numpy.random.default_rng(seed)`` with the seed handed in.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .. import validation

COEFFICIENTS = ("dense", "dense_binary", "sparse")


def _memory(name: str, value, nbytes: float) -> None:
    validation.memory_bytes(name, value, nbytes, validation.memory_limit_bytes())


def rf_features(N: int, D: int, seed: int) -> np.ndarray:
    """Feature matrix ``F``, iid uniform +-1; column k is the feature ``f^k``.

    Parameters
    ----------
    N : int
        Number of spins (at least 1).
    D : int
        Number of features (at least 1).
    seed : int
        Seed of ``numpy.random.default_rng``, in [0, 2^63 - 1].

    Returns
    -------
    F : numpy.ndarray of int8, shape (N, D)
        C-contiguous feature matrix with entries +-1.
    """
    N = validation.integer(1)("N", N)
    D = validation.integer(1)("D", D)
    seed = validation.seed("seed", seed)
    _memory("D", D, float(N) * D)
    rng = np.random.default_rng(seed)
    F = rng.integers(0, 2, size=(N, D), dtype=np.int8)
    F *= 2
    F -= 1
    return np.ascontiguousarray(F)


def rf_sparse_support(D: int, P: int, L: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sparse coefficients in compressed form: the positions and values of the L non-zero entries of each ``c^mu``.

    ``rf_coefficients(D, P, "sparse", L, seed)`` is exactly this support made dense.

    Parameters
    ----------
    D : int
        Number of features (length of each ``c^mu``).
    P : int
        Number of coefficient vectors.
    L : int
        Non-zero entries per vector, in [1, D].
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    idx : numpy.ndarray of int64, shape (P, L)
        Feature positions of the non-zero entries, distinct within a row, uniformly random.
    val : numpy.ndarray of int8, shape (P, L)
        Their values, +-1.
    """
    D = validation.integer(1)("D", D)
    P = validation.integer(1)("P", P)
    L = validation.integer(1, D)("L", L)
    seed = validation.seed("seed", seed)
    _memory("P", P, 9.0 * P * L)
    rng = np.random.default_rng(seed)
    idx = np.empty((P, L), dtype=np.int64)
    for mu in range(P):
        idx[mu] = rng.choice(D, size=L, replace=False)
    val = (2 * rng.integers(0, 2, size=(P, L), dtype=np.int8) - 1).astype(np.int8)
    return idx, val


def rf_coefficients(D: int, P: int, coefficients: str, L: int | None, seed: int) -> np.ndarray:
    """Coefficient matrix ``C``; column mu is ``c^mu``.

    ``"dense"``: iid N(0, 1). ``"dense_binary"``: iid +-1. ``"sparse"``: exactly ``L`` non-zero
    entries per column, at distinct random positions, each +-1 (:func:`rf_sparse_support` made dense).

    Parameters
    ----------
    D : int
        Number of features (rows of ``C``).
    P : int
        Number of coefficient vectors (columns of ``C``).
    coefficients : str
        ``"dense"``, ``"dense_binary"`` or ``"sparse"`` (see ``COEFFICIENTS``).
    L : int or None
        Non-zero entries per column for ``"sparse"``, in [1, D]; ignored otherwise.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    C : numpy.ndarray of float64, shape (D, P)
        The coefficient matrix.
    """
    D = validation.integer(1)("D", D)
    P = validation.integer(1)("P", P)
    coefficients = validation.choice(*COEFFICIENTS)("coefficients", coefficients)
    seed = validation.seed("seed", seed)
    _memory("P", P, 8.0 * D * P)
    if coefficients == "sparse":
        idx, val = rf_sparse_support(D, P, L, seed)
        C = np.zeros((D, P), dtype=np.float64)
        C[idx, np.arange(P)[:, None]] = val
        return C
    rng = np.random.default_rng(seed)
    if coefficients == "dense":
        return rng.standard_normal((D, P))
    return (2 * rng.integers(0, 2, size=(D, P), dtype=np.int8) - 1).astype(np.float64)


# ---------------------------------------------------------------- kernels
# Sparse integer coefficients: examples are computed in blocks of _B consecutive examples (the
# parallel items): each example is accumulated over contiguous rows of the transposed features FT
# (D x N), then the block is written into the spin-major output, _B contiguous bytes per spin. The
# sums are exact integers, so the result is bit-identical for any number of threads.

_B = 32


@njit(cache=True, parallel=True)
def _examples_support(FT, idx, val):
    D, N = FT.shape
    P, L = idx.shape
    out = np.empty((N, P), dtype=np.int8)
    nb = (P + _B - 1) // _B
    for b in prange(nb):
        mu0 = b * _B
        mu1 = min(P, mu0 + _B)
        buf = np.empty((_B, N), dtype=np.int8)
        acc = np.empty(N, dtype=np.int32)
        for mu in range(mu0, mu1):
            acc[:] = 0
            for l in range(L):
                k = idx[mu, l]
                v = np.int32(val[mu, l])
                for i in range(N):
                    acc[i] += v * FT[k, i]
            for i in range(N):
                buf[mu - mu0, i] = 1 if acc[i] >= 0 else -1
        for i in range(N):
            for j in range(mu1 - mu0):
                out[i, mu0 + j] = buf[j, i]
    return out


# Coefficients that are not sparse go through the float32 BLAS product F C, in chunks of spins (a
# chunk holds at most _CHUNK_BYTES of float32 products, so memory stays bounded), and the sign of
# each product is read by _signs_chunk (serial: it is a small part of the time, and the BLAS threads
# keep the cores).
#
# Integer coefficients whose column sums sum_k |c_k| stay below 2^24 ("dense_binary", or sparse
# columns with many entries): every partial sum is an integer that float32 represents exactly, so
# the product is exact whatever the summation order (blocking, FMA, threads of the BLAS) and the
# signs are those of exact integer arithmetic, sign(0) = +1 included.
#
# Real coefficients ("dense", Gaussian): the float32 product differs from the exact sum by at most
# (D + 1) 2^-24 sum_k |c_k| (rounding of c to float32, then D additions in any order), and the
# float64 sum in fixed order k = 0..D-1 of the reference generator by far less. Where |F c| of the
# float32 product exceeds _TOL_ULPS times 2^-24 sum_k |c_k|, twice that bound, its sign is the
# sign of the exact sum and of the float64 sum; below it, the entry is recomputed as that float64
# sum in fixed order (the reference generator's arithmetic, the same for every thread count). So the
# signs are the reference generator's everywhere, bit for bit, and independent of BLAS and numba
# threads. For Gaussian coefficients the recomputed fraction is about 2 tol / (sqrt(2 pi) sqrt(D))
# with tol = _TOL_ULPS (D + 2) 2^-24 sqrt(2/pi) D: 5.6e-5 of the entries at D = 80 (5.5e-5 measured
# at N = 8000, P = 20000), growing as D^(3/2) (1.7e-3 at D = 800); rf_examples_fallback_fraction
# counts it for given F and C. Without the recomputation, plain float32 signs would differ from the
# reference only inside that band, on a much smaller fraction still (the float32 error is usually
# far below its bound).

_CHUNK_BYTES = 1 << 25  # float32 products per chunk: 32 MiB
_SUPPORT_RATIO = 4  # integer columns with L non-zero of D entries: the support kernel when 4 L <= D, else BLAS
_TOL_ULPS = 2.0  # margin over the (D + 2) 2^-24 bound of the float32 product
_EXACT_F32 = 2.0 ** 24


@njit(cache=True)
def _signs_chunk(S, tol, F, CT, exact, out, i0):
    R, P = S.shape
    D = F.shape[1]
    for r in range(R):
        i = i0 + r
        row = out[i]
        srow = S[r]
        for mu in range(P):  # branch-free: the sign of the float32 product
            row[mu] = np.int8(1) - np.int8(2) * np.int8(srow[mu] < 0.0)
        if exact:
            continue
        for mu in range(P):
            if abs(srow[mu]) <= tol[mu]:  # rare: below float32 resolution
                acc = 0.0  # the float64 sum in fixed order k = 0..D-1
                for k in range(D):
                    acc += CT[mu, k] * F[i, k]
                row[mu] = 1 if acc >= 0.0 else -1


@njit(cache=True, parallel=True)
def _count_below(S, tol):
    R, P = S.shape
    n = np.zeros(R, dtype=np.int64)
    for r in prange(R):
        for mu in range(P):
            if abs(S[r, mu]) <= tol[mu]:
                n[r] += 1
    return n.sum()


def _tolerance(CT: np.ndarray, D: int) -> np.ndarray:
    return (_TOL_ULPS * (D + 2) * 2.0 ** -24 * np.abs(CT).sum(axis=1)).astype(np.float32)


def _route(CT: np.ndarray, D: int) -> str:
    # how rf_examples computes the signs: "ones" (every c^mu = 0), "support" (exact integer kernel),
    # "exact" (float32 BLAS, exact for these integers), "float" (float32 BLAS, float64 near zero)
    if CT.size == 0:
        return "exact"
    if not np.all(CT == np.rint(CT)):
        return "float"
    L = int((CT != 0.0).sum(axis=1).max())
    if L == 0:
        return "ones"
    if L * _SUPPORT_RATIO <= D and np.all(np.abs(CT) <= 127):
        return "support"
    return "exact" if float(np.abs(CT).sum(axis=1).max()) < _EXACT_F32 else "float"


def _examples_blas(F: np.ndarray, CT: np.ndarray, exact: bool) -> np.ndarray:
    N, D = F.shape
    P = CT.shape[0]
    out = np.empty((N, P), dtype=np.int8)
    F32 = F.astype(np.float32)
    C32 = np.ascontiguousarray(CT.T, dtype=np.float32)
    tol = np.zeros(P, dtype=np.float32) if exact else _tolerance(CT, D)
    rows = max(1, min(N, _CHUNK_BYTES // (4 * max(P, 1))))
    buf = np.empty((rows, P), dtype=np.float32)
    for i0 in range(0, N, rows):
        i1 = min(N, i0 + rows)
        S = buf[: i1 - i0]
        np.matmul(F32[i0:i1], C32, out=S)
        _signs_chunk(S, tol, F, CT, exact, out, i0)
    return out


def rf_examples_fallback_fraction(F: np.ndarray, C: np.ndarray) -> float:
    """Fraction of the entries of ``F C`` that :func:`rf_examples` recomputes in float64.

    The entries whose float32 product lies within the float32 error bound of zero (see the comment
    above ``_CHUNK_BYTES`` in this module); 0 for integer coefficients, summed exactly.

    Parameters
    ----------
    F : numpy.ndarray of int8, shape (N, D)
        Feature matrix, entries +-1.
    C : numpy.ndarray, shape (D, P)
        Real coefficient matrix.

    Returns
    -------
    float
        The fraction, in [0, 1].
    """
    F = _check_F(F)
    C = np.asarray(C, dtype=np.float64)
    N, D = F.shape
    CT = np.ascontiguousarray(C.T)
    if _route(CT, D) != "float":
        return 0.0
    tol = _tolerance(CT, D)
    F32, C32 = F.astype(np.float32), C.astype(np.float32)
    P = C.shape[1]
    rows = max(1, min(N, _CHUNK_BYTES // (4 * max(P, 1))))
    n = sum(int(_count_below(F32[i0:i0 + rows] @ C32, tol)) for i0 in range(0, N, rows))
    return n / (N * P) if N * P else 0.0


@njit(cache=True)
def _support_from_dense(CT, L):
    P, D = CT.shape
    idx = np.zeros((P, L), dtype=np.int64)
    val = np.zeros((P, L), dtype=np.int8)
    for mu in range(P):
        l = 0
        for k in range(D):
            c = CT[mu, k]
            if c != 0.0:
                idx[mu, l] = k
                val[mu, l] = np.int8(c)
                l += 1
    return idx, val


def _check_F(F: np.ndarray) -> np.ndarray:
    F = np.asarray(F)
    if F.ndim != 2 or F.dtype != np.int8:
        validation.fail("F", f"array {F.dtype} {F.shape}", "an int8 matrix of shape (N, D) with entries +-1")
    return F


def rf_examples_from_support(F: np.ndarray, idx: np.ndarray, val: np.ndarray) -> np.ndarray:
    """Examples ``sign(F c^mu)`` from sparse integer coefficients given by their support.

    Exact integer sums, ``sign(0) := +1``. Cost O(N P L); parallel over examples, bit-identical for
    any number of threads.

    Parameters
    ----------
    F : numpy.ndarray of int8, shape (N, D)
        Feature matrix, entries +-1 (:func:`rf_features`).
    idx : numpy.ndarray of int64, shape (P, L)
        Feature positions of the non-zero coefficients, in [0, D - 1] (as returned by
        :func:`rf_sparse_support`).
    val : numpy.ndarray of int8, shape (P, L)
        The matching coefficient values.

    Returns
    -------
    numpy.ndarray of int8, shape (N, P)
        Spin-major examples: column mu is ``xi^mu``.
    """
    F = _check_F(F)
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    val = np.ascontiguousarray(val, dtype=np.int8)
    N, D = F.shape
    if idx.shape != val.shape or idx.ndim != 2:
        validation.fail("idx", idx.shape, "a (P, L) array matching val")
    if idx.size and (idx.min() < 0 or idx.max() >= D):
        validation.fail("idx", f"[{idx.min()}, {idx.max()}]", f"feature indices in [0, {D - 1}]")
    _memory("P", idx.shape[0], 2.0 * N * idx.shape[0])
    FT = np.ascontiguousarray(F.T)
    return _examples_support(FT, idx, val)


def rf_examples(F: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Examples ``xi^mu = sign(F c^mu)`` as an int8 spin-major, C-contiguous matrix.

    ``sign(0) := +1``. Integer coefficients with few non-zero entries (``"sparse"``, ``4 L <= D``) are
    summed exactly over the non-zero entries only (O(N P L) work, parallel over examples). Every other
    matrix goes through a float32 BLAS product ``F C`` in chunks of spins (O(N P D)): exact for
    integer coefficients (``"dense_binary"``: every partial sum is an integer below 2^24); for real
    coefficients (``"dense"``) the entries within the float32 error bound of zero are recomputed as
    float64 sums in the fixed order k = 0..D-1, so every sign is the one of that float64 sum (the
    generator of earlier versions), bit for bit (see :func:`rf_examples_fallback_fraction`). The
    result is the same for any number of BLAS or numba threads.

    Book equation: rf_storage_learning-model

    Parameters
    ----------
    F : numpy.ndarray of int8, shape (N, D)
        Feature matrix, entries +-1.
    C : numpy.ndarray, shape (D, P)
        Coefficient matrix (converted to float64).

    Returns
    -------
    numpy.ndarray of int8, shape (N, P)
        Spin-major examples: row i holds ``xi_i^1 .. xi_i^P``.
    """
    F = _check_F(F)
    C = np.asarray(C, dtype=np.float64)
    N, D = F.shape
    if C.ndim != 2 or C.shape[0] != D:
        validation.fail("C", f"array of shape {C.shape}", f"a float matrix of shape (D={D}, P)")
    P = C.shape[1]
    _memory("P", P, 2.0 * N * P)
    CT = np.ascontiguousarray(C.T)
    route = _route(CT, D)
    if route == "ones":
        return np.ones((N, P), dtype=np.int8)
    if route == "support":
        # few non-zero integer coefficients: exact integer sums over the non-zero entries only
        L = int((CT != 0.0).sum(axis=1).max())
        idx, val = _support_from_dense(CT, L)
        return _examples_support(np.ascontiguousarray(F.T), idx, val)
    return _examples_blas(F, CT, route == "exact")


def rf_mixture(F: np.ndarray, n: int, features=None) -> np.ndarray:
    """Symmetric mixture ``sign(f^{k_1} + ... + f^{k_n})`` of n features (n odd, so no ties).

    Parameters
    ----------
    F : numpy.ndarray of int8, shape (N, D)
        Feature matrix, entries +-1.
    n : int
        Number of mixed features: an odd integer in [1, D].
    features : sequence of int, optional
        The n distinct column indices ``k_1 .. k_n`` in [0, D - 1]; by default the first n columns of ``F``.

    Returns
    -------
    numpy.ndarray of int8, shape (N,)
        The mixture state, entries +-1.
    """
    F = _check_F(F)
    D = F.shape[1]
    n = validation.odd_integer(1, D)("n", n)
    cols = np.arange(n) if features is None else np.asarray(features, dtype=np.int64)
    if cols.shape != (n,) or len(set(cols.tolist())) != n or cols.min() < 0 or cols.max() >= D:
        validation.fail("features", features, f"{n} distinct column indices in [0, {D - 1}]")
    s = F[:, cols].astype(np.int32).sum(axis=1)
    return np.where(s >= 0, 1, -1).astype(np.int8)


__all__ = [
    "COEFFICIENTS",
    "rf_coefficients",
    "rf_examples",
    "rf_examples_fallback_fraction",
    "rf_examples_from_support",
    "rf_features",
    "rf_mixture",
    "rf_sparse_support",
]
