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
from .binary import uniform_pm1

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
    return uniform_pm1(N, D, seed)


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


# BLAS route, for matrices the table route below does not take (D > _TABLE_MAX_D, non-finite
# entries, or sum_k |c_k| above _F32_SAFE); at small D the table route is several times faster
# (bench_rf_examples).
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


@njit(cache=True, fastmath={"reassoc", "contract", "nsz", "arcp"}, inline="always")
def _dot_any_order(c, f):
    """sum_k c_k f_k in whatever order vectorizes (within D 2^-53 sum_k |c_k f_k| of the exact sum)."""
    acc = 0.0
    for k in range(c.shape[0]):
        acc += c[k] * f[k]
    return acc


@njit(cache=True)
def _signs_chunk(S, tol, tol64, F, CT, exact, out, i0):
    R, P = S.shape
    D = F.shape[1]
    fi = np.empty(D, dtype=np.float64)
    for r in range(R):
        i = i0 + r
        row = out[i]
        srow = S[r]
        for mu in range(P):  # branch-free: the sign of the float32 product
            row[mu] = np.int8(1) - np.int8(2) * np.int8(srow[mu] < 0.0)
        if exact:
            continue
        have_row = False
        for mu in range(P):
            if abs(srow[mu]) <= tol[mu]:  # below float32 resolution (a few % of the entries at D ~ 4000)
                if not have_row:
                    for k in range(D):
                        fi[k] = F[i, k]
                    have_row = True
                # float64 in any order first: beyond tol64 its sign is the exact sum's, hence the
                # reference's; only inside that band the reference's own fixed-order sum decides
                acc = _dot_any_order(CT[mu], fi)
                if abs(acc) <= tol64[mu]:
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
    # "exact" (float32 sums exact for these integers: tables or BLAS), "float" (float32 sums, the
    # reference float64 sum near zero)
    if CT.size == 0:
        return "exact"
    if not np.all(CT[0] == np.rint(CT[0])) or not np.all(CT == np.rint(CT)):  # the first column decides most
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
    # float64 sums in two different orders both lie within (D + 2) 2^-53 sum_k |c_k| of the exact one
    tol64 = 2.0 * _TOL_ULPS * (D + 2) * 2.0**-53 * np.abs(CT).sum(axis=1)
    rows = max(1, min(N, _CHUNK_BYTES // (4 * max(P, 1))))
    buf = np.empty((rows, P), dtype=np.float32)
    for i0 in range(0, N, rows):
        i1 = min(N, i0 + rows)
        S = buf[: i1 - i0]
        np.matmul(F32[i0:i1], C32, out=S)
        _signs_chunk(S, tol, tol64, F, CT, exact, out, i0)
    return out


# Table route (the matrices the sparse kernel does not take, with D <= _TABLE_MAX_D, finite entries
# and column sums in float32's normal range, see _table_ok): F has entries +-1, so F c^mu is a
# sum over groups of _G consecutive features of the group's partial sum sum_{k in group} F_ik c_k^mu,
# which takes one of 2^_G values fixed by the group's sign pattern of row i (the "four Russians"
# method). For a block of W examples, each group's 2^_G x W partial sums are tabulated in float64
# (per column: the sum of -c_k in the order of k, then each pattern from the one without its lowest
# bit, adding 2 c_k) and stored as float32; then for each spin i the W pre-activations are the sums
# of ng = ceil(D / _G) table rows (one per group, picked by the pattern of row i), in float32, in
# the order of the groups: ng additions per entry instead of D multiply-adds, on rows of W
# contiguous floats (vectorised), from tables that stay in the core's L2 cache (chunks of groups,
# _TABLE_BYTES). Each block is
# the work of one thread, and every entry is computed the same way whatever thread computes it.
#
# Error bound: each table entry is within 2^-24 sum_{k in group} |c_k| (rounding to float32) plus
# (2 _G) 2^-53 of the same (float64 chain) of the exact partial sum; the ng - 1 float32 additions add
# at most (ng - 1) 2^-24 sum_k |c_k| (to first order); the reference float64 sum in fixed order is
# within D 2^-53 sum_k |c_k| of the exact one. Where |table sum| exceeds _TOL_ULPS times
# ((ng + 2) 2^-24 + (D + 2 _G + 2) 2^-53) sum_k |c_k|, its sign is the exact sign and the
# reference's; below, the entry is recomputed as the reference float64 sum in fixed order k =
# 0..D-1. Integer coefficients with sum_k |c_k| < 2^24: every table entry and partial sum is an
# integer, exact in float32, so the signs are exact (sign(0) = +1) with no recomputation. For
# Gaussian coefficients the recomputed fraction is about 2 tol / (sqrt(2 pi) sqrt(D)), tol =
# _TOL_ULPS (ng + 2) 2^-24 sqrt(2/pi) D: 8.1e-6 at D = 80 (ng = 10).

_G = 8  # features per group (table of 2^_G rows); 4 for N < _G_SMALL_N (fewer spins to share a table)
_G_SMALL_N = 1024
_W = 64  # examples per block (the table rows: 64 float32, four AVX-512 vectors)
_TABLE_BYTES = 1 << 20  # tables of a chunk of groups, GC 2^G W float32: at most 1 MiB (the core's L2);
# with more groups (D > 128 at G = 8) the partial sums of a block go through a (N, W) buffer between chunks
_F32_SAFE = 1e30  # sum_k |c_k| above this or below 1 / _F32_SAFE (or non-finite entries): the BLAS route
_TABLE_MAX_D = 512  # above, the BLAS route is faster (measured at N = 8000: table/BLAS time ~0.9 at
# D = 240 and 480, ~1.6 at D = 800, ~2 at D = 1600; BLAS gets more efficient as D grows)


def _table_shape(N: int, D: int) -> tuple[int, int, int, int]:
    # group size G, number of groups ng, block width W, groups per chunk GC (tables of a chunk in L2)
    G = min(D, _G if N >= _G_SMALL_N else 4)
    ng = (D + G - 1) // G
    W = _W
    GC = max(1, _TABLE_BYTES // (4 * (1 << G) * W))
    return G, ng, W, GC


@njit(cache=True)
def _patterns(F, G, ng):
    # pat[i, g]: bit b set where F[i, g G + b] = +1
    N, D = F.shape
    pat = np.zeros((N, ng), dtype=np.uint8)  # G <= 8: one byte per group, N ng bytes read per block
    for i in range(N):
        row = F[i]
        for g in range(ng):
            v = 0
            for b in range(min(G, D - g * G)):
                v |= int(row[g * G + b] > 0) << b
            pat[i, g] = v
    return pat


@njit(cache=True)
def _fill_table(T, tmp, C, mu0, w, G, g0, g1, W):
    # T[((g - g0) 2^G + p) W + j] = float32 of the partial sum of group g, pattern p, example mu0 + j
    D = C.shape[0]
    NT = 1 << G
    for g in range(g0, g1):
        k0 = g * G
        m = min(D, k0 + G) - k0
        t0 = tmp[0]
        for j in range(W):
            t0[j] = 0.0
        for k in range(k0, k0 + m):
            c = C[k][mu0:mu0 + w]
            for j in range(w):
                t0[j] -= c[j]
        for p in range(1, 1 << m):
            q = p & (p - 1)
            b = 0
            while not (p >> b) & 1:
                b += 1
            c = C[k0 + b][mu0:mu0 + w]
            tp, tq = tmp[p], tmp[q]
            for j in range(w):
                tp[j] = tq[j] + 2.0 * c[j]
            for j in range(w, W):
                tp[j] = 0.0
        base = (g - g0) * NT * W
        for p in range(1 << m):
            r = T[base + p * W:base + (p + 1) * W]
            tp = tmp[p]
            for j in range(W):
                r[j] = np.float32(tp[j])


@njit(cache=True, parallel=True)
def _examples_table(pat, C, tol, F, G, W, GC, workers, out, counts):
    N, ng = pat.shape
    D, P = C.shape
    NT = 1 << G
    nb = (P + W - 1) // W
    for t in prange(workers):  # block b is done by worker b % workers, always the same way
        T = np.empty(min(ng, GC) * NT * W, dtype=np.float32)
        tmp = np.empty((NT, W), dtype=np.float64)
        acc = np.empty(W, dtype=np.float32)
        acc2 = np.empty((N if ng > GC else 1, W), dtype=np.float32)  # partial sums between group chunks
        tl = np.empty(W, dtype=np.float32)
        for b in range(t, nb, workers):
            mu0 = b * W
            w = min(W, P - mu0)
            for j in range(w):
                tl[j] = tol[mu0 + j]
            for c0 in range(0, ng, GC):  # chunks of GC groups: their tables stay in L2
                c1 = min(ng, c0 + GC)
                _fill_table(T, tmp, C, mu0, w, G, c0, c1, W)
                for i in range(N):
                    if c0 == 0:
                        r = T[pat[i, 0] * W:(pat[i, 0] + 1) * W]
                        for j in range(W):
                            acc[j] = r[j]
                    else:
                        r = acc2[i]
                        for j in range(W):
                            acc[j] = r[j]
                    for g in range(max(c0, 1), c1):  # float32 sums in the order of the groups
                        off = ((g - c0) * NT + pat[i, g]) * W
                        r = T[off:off + W]
                        for j in range(W):
                            acc[j] += r[j]
                    if c1 < ng:
                        r = acc2[i]
                        for j in range(W):
                            r[j] = acc[j]
                        continue
                    o = out[i][mu0:mu0 + w]
                    nbad = 0
                    for j in range(w):
                        o[j] = np.int8(1) - np.int8(2) * np.int8(acc[j] < 0.0)
                    for j in range(w):
                        nbad += abs(acc[j]) <= tl[j]
                    if nbad:  # rare: below float32 resolution; the reference float64 sum in fixed order
                        counts[t] += nbad
                        for j in range(w):
                            if abs(acc[j]) <= tl[j]:
                                a = 0.0
                                for k in range(D):
                                    a += C[k, mu0 + j] * F[i, k]
                                o[j] = 1 if a >= 0.0 else -1
    return out


def _table_tolerance(CT: np.ndarray, D: int, G: int, ng: int, exact: bool) -> np.ndarray:
    if exact:
        return np.full(CT.shape[0], -1.0, dtype=np.float32)  # integers: never recomputed
    bound = ((ng + 2) * 2.0 ** -24 + (D + 2 * G + 2) * 2.0 ** -53) * np.abs(CT).sum(axis=1)
    return (_TOL_ULPS * (1.0 + 2.0 ** -20) * bound).astype(np.float32)


def _table_ok(CT: np.ndarray) -> bool:
    # D small enough, finite entries, and column sums sum_k |c_k| within float32's normal range with
    # room to spare (0 allowed), so that the relative error bound above holds
    if CT.shape[1] > _TABLE_MAX_D or not np.isfinite(CT).all():
        return False
    a = np.abs(CT).sum(axis=1)
    return bool(np.all(a <= _F32_SAFE) and np.all((a == 0.0) | (a >= 1.0 / _F32_SAFE)))


def _examples_via_table(F: np.ndarray, C: np.ndarray, exact: bool) -> tuple[np.ndarray, int]:
    # the examples and the number of entries recomputed in float64
    import numba

    N, D = F.shape
    G, ng, W, GC = _table_shape(N, D)
    pat = _patterns(F, G, ng)
    C = np.ascontiguousarray(C)
    tol = _table_tolerance(C.T, D, G, ng, exact)
    workers = max(1, numba.get_num_threads())
    out = np.empty((N, C.shape[1]), dtype=np.int8)  # numpy's allocation: huge pages where the system allows
    counts = np.zeros(workers, dtype=np.int64)
    _examples_table(pat, C, tol, F, G, W, GC, workers, out, counts)
    return out, int(counts.sum())


def rf_examples_fallback_fraction(F: np.ndarray, C: np.ndarray) -> float:
    """Fraction of the entries of ``F C`` that :func:`rf_examples` recomputes in float64.

    The entries whose float32 value (table route; BLAS product for D > 512 or non-finite or huge
    coefficients) lies within the float32 error bound of zero (see the comments above ``_CHUNK_BYTES``
    and ``_G`` in this module); 0 for integer coefficients, summed exactly. Computed by generating the
    examples once.

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
    if _route(C.T, D) != "float":
        return 0.0
    P = C.shape[1]
    if N * P == 0:
        return 0.0
    if _table_ok(C.T):
        return _examples_via_table(F, C, False)[1] / (N * P)
    tol = _tolerance(np.ascontiguousarray(C.T), D)
    F32, C32 = F.astype(np.float32), C.astype(np.float32)
    rows = max(1, min(N, _CHUNK_BYTES // (4 * max(P, 1))))
    n = sum(int(_count_below(F32[i0:i0 + rows] @ C32, tol)) for i0 in range(0, N, rows))
    return n / (N * P)


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
    matrix with D <= 512 goes through tables of the partial sums of groups of 8 features (F has
    entries +-1, so a group's partial sum takes one of 2^8 values; ceil(D / 8) float32 additions per
    entry, parallel over blocks of examples), with larger D through a float32 BLAS product in chunks
    of spins; both are exact for integer coefficients (``"dense_binary"``: every partial sum
    is an integer below 2^24); for real coefficients (``"dense"``) the entries within the float32
    error bound of zero are recomputed as float64 sums in the fixed order k = 0..D-1, so every sign
    is the one of that float64 sum (the generator of earlier versions), bit for bit (see
    :func:`rf_examples_fallback_fraction`). The result is the same for any number of threads.

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
    route = _route(C.T, D)  # C.T: a view, (P, D)
    if route == "ones":
        return np.ones((N, P), dtype=np.int8)
    if route == "support":
        # few non-zero integer coefficients: exact integer sums over the non-zero entries only
        CT = np.ascontiguousarray(C.T)
        L = int((CT != 0.0).sum(axis=1).max())
        idx, val = _support_from_dense(CT, L)
        return _examples_support(np.ascontiguousarray(F.T), idx, val)
    if _table_ok(C.T):
        return _examples_via_table(F, C, route == "exact")[0]
    return _examples_blas(F, np.ascontiguousarray(C.T), route == "exact")


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
