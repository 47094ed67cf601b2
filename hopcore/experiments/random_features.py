"""Simulations of the random-features Hopfield model: magnetizations reached from structured starts.

One call of :func:`rf_magnetizations` is one sample at one (alpha, alpha_D, coefficients, L) point:
it draws the features, the P = alpha N training examples and (optionally) test examples and
mixtures, runs the zero-temperature asynchronous dynamics to a fixed point s* from every start in
parallel (all on the same example matrix, never an N x N coupling matrix), and returns the
magnetizations m = s*.s0 / N. It is the function handed to :func:`hopcore.experiments.sweep`, which
caches it point by point.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import njit, prange

from .. import validation
from ..dynamics.asynchronous import async_fixed_points
from ..ensembles.random_features import (
    rf_coefficients,
    rf_examples,
    rf_examples_from_support,
    rf_features,
    rf_mixture,
    rf_sparse_support,
)
from .runner import derive_seed

ALPHA_D_MAX = 30.0  # the range over which the theory lines are drawn; larger D is not simulated
ALPHA_MAX = 100.0


def rf_sizes(N: int, alpha: float, alpha_D: float) -> tuple[int, int]:
    """``(D, P) = (round(alpha_D N), round(alpha N))``, each at least 1.

    Parameters
    ----------
    N : int
        Number of neurons.
    alpha : float
        Load P/N.
    alpha_D : float
        Load D/N.

    Returns
    -------
    D : int
        Number of features.
    P : int
        Number of training examples.
    """
    return max(1, int(round(alpha_D * N))), max(1, int(round(alpha * N)))


def check_rf_point(N, alpha, alpha_D, coefficients, L, L_test=(), mixtures=()) -> dict:
    """Validate one simulation point and return the normalized values.

    Raises ``ValueError`` naming the parameter (L > D, even L, alpha_D out of range, example matrix too
    large, ...) before any work.

    Parity rule: every number of features per example or start (``L``, ``L_test``, ``mixtures``)
    must be odd. The ensemble accepts even L with ties broken to +1, but the simulations compare with
    the theory of symmetric n-mixtures, which exists for odd n only (even mixtures are unstable
    in the zero-temperature Hopfield model), and a tie convention would be one more thing the
    dense theory does not have; the chapters use odd values only, so the rule is the same everywhere.

    Parameters
    ----------
    N : int
        Number of neurons, 16 <= N <= 10^6.
    alpha : float
        Load P/N, in (0, ALPHA_MAX].
    alpha_D : float
        Load D/N, in (0, ALPHA_D_MAX].
    coefficients : str
        "dense", "dense_binary" or "sparse".
    L : int or None
        Non-zero coefficients for "sparse" (odd, <= D).
    L_test : sequence of int, optional
        Non-zero coefficients of the test examples (odd, <= D).
    mixtures : sequence of int, optional
        Sizes of the mixtures (odd, <= D).

    Returns
    -------
    dict
        ``N``, ``alpha``, ``alpha_D``, ``coefficients``, ``L`` (None unless sparse), ``D``, ``P``,
        ``L_test`` and ``mixtures`` (lists).
    """
    N = validation.integer(16, 10**6)("N", N)
    alpha = validation.real(0.0, ALPHA_MAX, lo_open=True)("alpha", alpha)
    alpha_D = validation.real(0.0, ALPHA_D_MAX, lo_open=True)("alpha_D", alpha_D)
    coefficients = validation.choice("dense", "dense_binary", "sparse")("coefficients", coefficients)
    D, P = rf_sizes(N, alpha, alpha_D)
    limit = validation.memory_limit_bytes()
    # examples (N x P int8) + overlaps of the parallel runs; dense coefficients (D x P float64)
    validation.memory_bytes("alpha", alpha, 2.0 * N * P, limit)
    if coefficients != "sparse":
        validation.memory_bytes("alpha_D", alpha_D, 8.0 * D * P + 2.0 * N * P, limit)
    else:
        L = validation.odd_integer(1, D)("L", L)
    L_test = [validation.odd_integer(1, D)(f"L_test[{k}]", l) for k, l in enumerate(L_test)]
    mixtures = [validation.odd_integer(1, D)(f"mixtures[{k}]", n) for k, n in enumerate(mixtures)]
    return dict(N=N, alpha=alpha, alpha_D=alpha_D, coefficients=coefficients, L=L if coefficients == "sparse" else None,
                D=D, P=P, L_test=L_test, mixtures=mixtures)


def _examples(F, P, coefficients, L, seed):
    D = F.shape[1]
    if coefficients == "sparse":
        idx, val = _sparse_support(D, P, L, seed)
        return _support_examples(F, idx, val)
    return rf_examples(F, rf_coefficients(D, P, coefficients, None, seed))


# Sparse examples at the speed of the arithmetic. The two helpers below return exactly the arrays of
# rf_sparse_support and rf_examples_from_support (tested bit for bit); they only remove the per-example
# Python call of the first and the byte-by-byte transposition of the second, which dominated the
# generation of a network (0.2 s and 0.25 s of 0.5 s at N = 8000, P = 16000).
#
# Supports: rf_sparse_support draws each row with Generator.choice(D, L, replace=False), which for
# D <= 10000 is Floyd's algorithm followed by a Fisher-Yates shuffle of the L positions, every bounded
# integer by Lemire's method on the 32-bit halves of the PCG64 outputs (low half first). _floyd_rows
# replays that consumption on a block of raw outputs; the generator is then set to the state numpy
# would have left (advanced by the outputs used, with the buffered half) and draws the values as
# rf_sparse_support does. A guard compares the first row with Generator.choice itself and falls back to
# the ensemble function on any difference (another numpy), as for D > 10000 (another branch of choice).

_M32 = np.uint64(0xFFFFFFFF)


@njit(cache=True, boundscheck=False)
def _floyd_rows(raw, D, P, L, idx):
    """Fill idx (P, L) as P calls of Generator.choice(D, L, replace=False) on the raw PCG64 outputs
    ``raw``; return (outputs used, whether a 32-bit half is buffered, that half), or -1 if ``raw`` is short."""
    pos = 0
    has32 = False
    u32 = np.uint64(0)
    n = raw.shape[0]
    for mu in range(P):
        for t in range(2 * L - 1):
            # t < L: Floyd's draw in [0, j], j = D - L + t; t >= L: the shuffle's draw in [0, j], j = 2L - 1 - t
            j = D - L + t if t < L else 2 * L - 1 - t
            v = np.uint64(0)
            if j > 0:  # Lemire's bounded draw (random_bounded_uint64 with a 32-bit range)
                rng_excl = np.uint64(j + 1)
                threshold = np.uint64(0)
                first = True
                while True:
                    if has32:
                        has32 = False
                        x = u32
                    else:
                        if pos >= n:
                            return -1, False, np.uint64(0)
                        r = raw[pos]
                        pos += 1
                        has32 = True
                        u32 = r >> np.uint64(32)
                        x = r & _M32
                    m = x * rng_excl
                    left = m & _M32
                    if first:
                        first = False
                        if left >= rng_excl:
                            break
                        threshold = (_M32 - np.uint64(j)) % rng_excl
                    if left >= threshold:
                        break
                v = m >> np.uint64(32)
            if t < L:
                val = np.int64(v)
                for q in range(t):
                    if idx[mu, q] == val:
                        val = j
                        break
                idx[mu, t] = val
            else:
                k = np.int64(v)
                tmp = idx[mu, k]
                idx[mu, k] = idx[mu, j]
                idx[mu, j] = tmp
    return pos, has32, u32


def _sparse_support(D: int, P: int, L: int, seed: int):
    """``rf_sparse_support(D, P, L, seed)``, the same arrays, without a Python call per example."""
    if D > 10000 or L > 10**4:
        return rf_sparse_support(D, P, L, seed)
    rng = np.random.default_rng(seed)
    bg = rng.bit_generator
    state0 = bg.state
    raw = bg.random_raw(P * (2 * L - 1) // 2 + P // 16 + 64)  # rejections are rarer than 1 in 10^7
    idx = np.empty((P, L), dtype=np.int64)
    used, has32, u32 = _floyd_rows(raw, D, P, L, idx)
    if used < 0 or not np.array_equal(idx[0], np.random.default_rng(seed).choice(D, size=L, replace=False)):
        return rf_sparse_support(D, P, L, seed)
    bg.state = state0
    bg.advance(int(used))
    state = bg.state
    state["has_uint32"], state["uinteger"] = int(has32), int(u32)
    bg.state = state
    val = (2 * rng.integers(0, 2, size=(P, L), dtype=np.int8) - 1).astype(np.int8)
    return idx, val


# Examples: each block of 64 examples is summed in int8 over its L feature rows (exact for L <= 127),
# then written spin-major through 8 x 8 byte transposes on 64-bit words.

_EB = 64  # examples per block: eight 8 x 8 tiles


@njit(cache=True, inline="always")
def _t8(x0, x1, x2, x3, x4, x5, x6, x7):
    """Transpose the 8 x 8 byte matrix whose row r is the little-endian word x_r."""
    m, s = np.uint64(0x00000000FFFFFFFF), np.uint64(32)
    t = ((x0 >> s) ^ x4) & m; x0 ^= t << s; x4 ^= t  # noqa: E702
    t = ((x1 >> s) ^ x5) & m; x1 ^= t << s; x5 ^= t  # noqa: E702
    t = ((x2 >> s) ^ x6) & m; x2 ^= t << s; x6 ^= t  # noqa: E702
    t = ((x3 >> s) ^ x7) & m; x3 ^= t << s; x7 ^= t  # noqa: E702
    m, s = np.uint64(0x0000FFFF0000FFFF), np.uint64(16)
    t = ((x0 >> s) ^ x2) & m; x0 ^= t << s; x2 ^= t  # noqa: E702
    t = ((x1 >> s) ^ x3) & m; x1 ^= t << s; x3 ^= t  # noqa: E702
    t = ((x4 >> s) ^ x6) & m; x4 ^= t << s; x6 ^= t  # noqa: E702
    t = ((x5 >> s) ^ x7) & m; x5 ^= t << s; x7 ^= t  # noqa: E702
    m, s = np.uint64(0x00FF00FF00FF00FF), np.uint64(8)
    t = ((x0 >> s) ^ x1) & m; x0 ^= t << s; x1 ^= t  # noqa: E702
    t = ((x2 >> s) ^ x3) & m; x2 ^= t << s; x3 ^= t  # noqa: E702
    t = ((x4 >> s) ^ x5) & m; x4 ^= t << s; x5 ^= t  # noqa: E702
    t = ((x6 >> s) ^ x7) & m; x6 ^= t << s; x7 ^= t  # noqa: E702
    return x0, x1, x2, x3, x4, x5, x6, x7


@njit(cache=True, parallel=True, boundscheck=False)
def _support_signs(FT, idx, val, N, out64):
    """out[i, mu] = sign(sum_l val[mu, l] FT[idx[mu, l], i]) (sign(0) = +1) into the words ``out64`` of
    out (N, P rounded up to 8); FT (D, N rounded up to 8) zero-padded. Exact integers: the same bytes
    for any number of threads."""
    Npad = FT.shape[1]
    P, L = idx.shape
    for b in prange((P + _EB - 1) // _EB):
        mu0 = b * _EB
        n = min(_EB, P - mu0)
        buf = np.zeros((_EB, Npad), dtype=np.int8)
        for j in range(n):
            acc = buf[j]
            for q in range(L):
                row = FT[idx[mu0 + j, q]]
                if val[mu0 + j, q] > 0:
                    for i in range(Npad):
                        acc[i] += row[i]
                else:
                    for i in range(Npad):
                        acc[i] -= row[i]
            for i in range(Npad):
                acc[i] = np.int8(1) - np.int8(2) * np.int8(acc[i] < 0)
        b64 = buf.view(np.uint64)
        for w in range(Npad // 8):
            i0 = w * 8
            ni = min(8, N - i0)
            for j0 in range(0, n, 8):
                y = _t8(b64[j0, w], b64[j0 + 1, w], b64[j0 + 2, w], b64[j0 + 3, w],
                        b64[j0 + 4, w], b64[j0 + 5, w], b64[j0 + 6, w], b64[j0 + 7, w])
                c = (mu0 + j0) // 8
                for r in range(ni):
                    out64[i0 + r, c] = y[r]


def _support_examples(F, idx, val):
    """``rf_examples_from_support(F, idx, val)``, the same bytes, written through 8 x 8 transposes."""
    N, D = F.shape
    P, L = idx.shape
    if L > 127:  # the int8 sums would overflow
        return rf_examples_from_support(F, idx, val)
    Npad, Ppad = -(-N // 8) * 8, -(-P // 8) * 8
    FT = np.zeros((D, Npad), dtype=np.int8)
    FT[:, :N] = F.T
    out = np.empty((N, Ppad), dtype=np.int8)
    _support_signs(FT, np.ascontiguousarray(idx, dtype=np.int64), np.ascontiguousarray(val, dtype=np.int8), N,
                   out.view(np.uint64))
    return out if Ppad == P else np.ascontiguousarray(out[:, :P])


SKIPPABLE = ("feature", "train")  # kinds of start rf_magnetizations can leave out


def _skipped_kinds(skip) -> tuple[str, ...]:
    if isinstance(skip, str):
        skip = (skip,)
    skip = tuple(skip)
    for k, kind in enumerate(skip):
        if kind not in SKIPPABLE:
            validation.fail(f"skip[{k}]", kind, f"one of {', '.join(SKIPPABLE)}")
    return skip


def rf_magnetizations(N: int, alpha: float, alpha_D: float, coefficients: str, L: int | None, seed: int,
                      L_test=(), n_test: int = 1, max_sweeps: int = 200, mixtures=(), n_starts: int = 4,
                      dense_test: bool = False, skip=()) -> dict:
    """Magnetizations m = s*.s0/N of the fixed points reached from structured starts s0.

    Model: F (N x D) iid +-1 features, D = alpha_D N; P = alpha N training examples
    xi^mu = sign(F c^mu) (``coefficients`` "dense" Gaussian, "dense_binary" +-1, or "sparse" with
    exactly ``L`` non-zero +-1 entries, L odd); Hebb couplings J = X X^T/N, J_ii = 0,
    in the O(NP) overlap form; zero-temperature asynchronous dynamics (ties keep the spin).

    All starts run in parallel on the same example matrix. Seeds of the features, coefficients, test
    coefficients, mixtures and dynamics all derive from ``seed``.

    Parameters
    ----------
    N : int
        Number of neurons.
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    coefficients : str
        Training coefficients: "dense" (Gaussian), "dense_binary" (+-1) or "sparse".
    L : int or None
        Number of non-zero +-1 coefficients for "sparse" (odd); ignored otherwise.
    seed : int
        Seed of the sample.
    L_test : sequence of int, optional
        Non-zero coefficients of sparse test examples (odd).
    n_test : int, optional
        Test examples (and mixtures) per kind (default 1).
    max_sweeps : int, optional
        Maximum number of sweeps per run (default 200).
    mixtures : sequence of int, optional
        Sizes n of the mixture starts (odd).
    n_starts : int, optional
        Features and training examples started from (default 4).
    dense_test : bool, optional
        Also start from dense test examples (default False).
    skip : sequence of str, optional
        Kinds of start not run, among ``"feature"`` and ``"train"`` (default none): their keys are
        absent from the result. Every other run is exactly the run of the call without ``skip`` (same
        network, same start, same visiting order: the dynamics seed of a start is its position in the
        full list of starts, skipped kinds included), so a figure that reads only some kinds pays only
        for those.

    Returns
    -------
    dict
        The mean m over the starts of each kind, plus ``m_<key>`` (array) with every start:

        - ``"feature"``: the first ``min(n_starts, D)`` features f^k;
        - ``"train"``: the first ``min(n_starts, P)`` training examples;
        - ``"test_<L>"`` for each entry of ``L_test`` (odd): ``n_test`` fresh test examples from the
          same F with sparse coefficients, exactly L non-zero +-1 entries, *whatever the training
          coefficients* (for dense training too);
        - ``"test_dense"`` if ``dense_test``: ``n_test`` fresh examples with dense coefficients (of
          the training kind when it is dense, Gaussian when training is sparse);
        - ``"mixture_<n>"`` for each n in ``mixtures``: ``n_test`` symmetric mixtures
          sign(f^1+...+f^n) of distinct random features;

        and ``"sweeps"`` (largest number of sweeps over the starts run), ``"converged"`` (every start
        run reached a fixed point within ``max_sweeps``), ``"n_not_converged"``.
    """
    pt = check_rf_point(N, alpha, alpha_D, coefficients, L, L_test, mixtures)
    seed = validation.seed("seed", seed)
    n_test = validation.integer(1, 10**4)("n_test", n_test)
    n_starts = validation.integer(1, 10**4)("n_starts", n_starts)
    max_sweeps = validation.integer(1, 10**6)("max_sweeps", max_sweeps)
    skip = _skipped_kinds(skip)
    N, D, P = pt["N"], pt["D"], pt["P"]

    F = rf_features(N, D, derive_seed(seed, "features"))
    X = _examples(F, P, pt["coefficients"], pt["L"], derive_seed(seed, "train"))

    starts: dict[str, np.ndarray] = {}
    starts["feature"] = np.ascontiguousarray(F[:, : min(n_starts, D)].T)
    starts["train"] = np.ascontiguousarray(X[:, : min(n_starts, P)].T)
    for Lt in pt["L_test"]:
        T = _examples(F, n_test, "sparse", Lt, derive_seed(seed, "test", Lt))
        starts[f"test_{Lt}"] = np.ascontiguousarray(T.T)
    if dense_test:
        kind = pt["coefficients"] if pt["coefficients"] != "sparse" else "dense"
        T = _examples(F, n_test, kind, None, derive_seed(seed, "test", "dense"))
        starts["test_dense"] = np.ascontiguousarray(T.T)
    for n in pt["mixtures"]:
        rng = np.random.default_rng(derive_seed(seed, "mixture", n))
        starts[f"mixture_{n}"] = np.stack(
            [rf_mixture(F, n, features=rng.choice(D, size=n, replace=False)) for _ in range(n_test)]
        )

    # the dynamics seed of a start is its position r in the full list of starts, whatever is skipped
    first, r0 = {}, 0
    for k, v in starts.items():
        first[k], r0 = r0, r0 + v.shape[0]
    keys = [k for k in starts if k not in skip]
    if not keys:
        validation.fail("skip", list(skip), "a list that leaves some start to run (no test examples or mixtures are asked for)")
    S0 = np.ascontiguousarray(np.concatenate([starts[k] for k in keys], axis=0), dtype=np.int8)
    dyn_seeds = np.array([derive_seed(seed, "dynamics", first[k] + j) for k in keys for j in range(starts[k].shape[0])],
                         dtype=np.uint64)
    S, sweeps, converged = async_fixed_points(X, S0, dyn_seeds, max_sweeps=max_sweeps)
    m_all = (S.astype(np.int32) * S0).sum(axis=1) / N

    out: dict = {}
    k0 = 0
    for k in keys:
        r = starts[k].shape[0]
        out[f"m_{k}"] = m_all[k0 : k0 + r]
        out[k] = float(np.mean(m_all[k0 : k0 + r]))
        k0 += r
    out["sweeps"] = int(sweeps.max())
    out["converged"] = bool(converged.all())
    out["n_not_converged"] = int((~converged).sum())
    return out


def without_starts(*skip: str) -> dict:
    """``sweep_grid`` arguments (``fn``, ``fn_name``) that run :func:`rf_magnetizations` without the
    starts of the kinds ``skip`` ("feature", "train") that a figure does not read.

    The runs that remain are those of the full call: the same networks (the sample seeds come from the
    same points) and the same visiting orders. The points are cached under a name of their own.
    """
    return dict(fn=functools.partial(rf_magnetizations, skip=skip),
                fn_name=f"{rf_magnetizations.__module__}.rf_magnetizations.skip_{'_'.join(skip)}")


def example_fields(N: int, alpha: float, alpha_D: float, coefficients: str, L, seed: int, n_examples: int = 4) -> dict:
    """Aligned local fields xi_i^mu h_i(xi^mu) on the first training examples of one network.

    On the first ``n_examples`` (at most P) training examples, h_i = sum_{j != i} J_ij xi_j^mu with
    J = X X^T/N (O(NP) overlap form, no N x N matrix): the one-step field statistics that the storage
    equations predict (:func:`hopcore.theory.random_features.example_field_law`). Data as in
    :func:`rf_magnetizations` (same seeds for features and examples).

    Book equation: rf_storage_learning-field

    Parameters
    ----------
    N : int
        Number of neurons.
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    coefficients : str
        Training coefficients: "dense" (Gaussian), "dense_binary" (+-1) or "sparse".
    L : int or None
        Number of non-zero +-1 coefficients for "sparse" (odd); ignored otherwise.
    seed : int
        Seed of the sample.
    n_examples : int, optional
        Number of examples (default 4).

    Returns
    -------
    dict
        ``mean``, ``var`` (over all sites of all examples), ``error`` (fraction with xi h < 0) and
        ``mean_by_example`` (n_examples,).
    """
    from ..dynamics.asynchronous import local_fields

    pt = check_rf_point(N, alpha, alpha_D, coefficients, L)
    seed = validation.seed("seed", seed)
    n_examples = min(validation.integer(1, 10**4)("n_examples", n_examples), pt["P"])  # as many as there are
    F = rf_features(pt["N"], pt["D"], derive_seed(seed, "features"))
    X = _examples(F, pt["P"], pt["coefficients"], pt["L"], derive_seed(seed, "train"))
    v = np.empty((n_examples, pt["N"]))
    for mu in range(n_examples):
        s = np.ascontiguousarray(X[:, mu])
        v[mu] = local_fields(X, s) * s
    return {"mean": float(v.mean()), "var": float(v.var()), "error": float((v < 0).mean()),
            "mean_by_example": v.mean(axis=1)}


__all__ = ["ALPHA_D_MAX", "check_rf_point", "example_fields", "rf_magnetizations", "rf_sizes"]


def rf_test_runs(N: int, alpha: float, alpha_D: float, coefficients: str, L: int | None, seed: int, L_test=(),
                 n_test: int = 1, max_sweeps: int = 1000) -> dict:
    """Every run from a test example, one by one: its overlap, its number of sweeps and whether it converged.

    The same networks and test examples as :func:`rf_magnetizations` with the same arguments (same
    seeds of the features, the training examples and each ``test_<L>`` set), but only the test
    starts are run, and each run keeps its own sweep count: the time scale of the dynamics near a
    generalization transition is read per start, not as the largest over every kind of start.

    Parameters
    ----------
    N : int
        Number of neurons.
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    coefficients : str
        Training coefficients: "dense" (Gaussian), "dense_binary" (+-1) or "sparse".
    L : int or None
        Number of non-zero +-1 coefficients for "sparse" (odd); ignored otherwise.
    seed : int
        Seed of the sample.
    L_test : sequence of int
        Non-zero coefficients of the sparse test examples (odd, <= D).
    n_test : int, optional
        Test examples per entry of ``L_test`` (default 1).
    max_sweeps : int, optional
        Maximum number of sweeps per run (default 1000).

    Returns
    -------
    dict
        For each entry Lt of ``L_test``: ``test_<Lt>`` (mean m over its starts), ``m_test_<Lt>``,
        ``sweeps_test_<Lt>`` (int) and ``converged_test_<Lt>`` (bool), arrays of shape (n_test,);
        and ``n_not_converged`` over all runs.
    """
    pt = check_rf_point(N, alpha, alpha_D, coefficients, L, L_test)
    seed = validation.seed("seed", seed)
    n_test = validation.integer(1, 10**4)("n_test", n_test)
    max_sweeps = validation.integer(1, 10**6)("max_sweeps", max_sweeps)
    if not pt["L_test"]:
        raise ValueError("L_test=[] is not allowed: L_test must hold at least one odd number of features")
    N, P = pt["N"], pt["P"]
    F = rf_features(N, pt["D"], derive_seed(seed, "features"))
    X = _examples(F, P, pt["coefficients"], pt["L"], derive_seed(seed, "train"))
    S0 = np.ascontiguousarray(
        np.concatenate([_examples(F, n_test, "sparse", Lt, derive_seed(seed, "test", Lt)).T for Lt in pt["L_test"]]),
        dtype=np.int8,
    )
    dyn_seeds = np.array([derive_seed(seed, "test_dynamics", r) for r in range(S0.shape[0])], dtype=np.uint64)
    S, sweeps, converged = async_fixed_points(X, S0, dyn_seeds, max_sweeps=max_sweeps)
    m_all = (S.astype(np.int32) * S0).sum(axis=1) / N
    out: dict = {}
    for k, Lt in enumerate(pt["L_test"]):
        sl = slice(k * n_test, (k + 1) * n_test)
        out[f"m_test_{Lt}"] = m_all[sl]
        out[f"test_{Lt}"] = float(np.mean(m_all[sl]))
        out[f"sweeps_test_{Lt}"] = sweeps[sl].astype(np.int64)
        out[f"converged_test_{Lt}"] = converged[sl].astype(bool)
    out["n_not_converged"] = int((~converged).sum())
    return out


__all__ += ["rf_test_runs"]
