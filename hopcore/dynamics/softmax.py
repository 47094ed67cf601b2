"""Dense associative memory dynamics: streaming log-sum-exp energy and softmax (attention) update.

Energy and update (book equations dense-attention-energy and dense-attention-update), for
P patterns xi^mu in R^N (|xi|^2 ~ N) and states x with |x|^2 ~ N:

    E(x)   = -(1/lam) log sum_mu exp(lam x.xi^mu) + |x|^2 / 2
    x_new  = sum_mu a_mu xi^mu,   a = softmax(lam x.xi)        (one gradient step of rate 1)

The patterns are never stored: they are regenerated, chunk by chunk, from the counter-based streams
of :mod:`hopcore.ensembles.continuous`. Each generation chunk c (4096 patterns) is reduced on its own
into a slot holding, for each state k,

    m_c = max_mu lam x_k.xi^mu,   S_c = sum_mu exp(lam x_k.xi^mu - m_c),   W_c = sum_mu exp(...) xi^mu

(a numerically stable log-sum-exp: every exponent is <= 0, whatever lam and N), chunks running in
parallel. The slots are then merged serially in chunk order, so the floating-point reduction tree is
fixed: the numbers are bit-identical for any processing chunk size and any NUMBA_NUM_THREADS.
Memory is O(batch x K x N), independent of P. Several states (e.g. one per lam) share one pass: the
patterns, the expensive part, are generated once for all of them. A state may have its own pattern
count P_k (it then sums over the prefix xi^1 .. xi^P_k of the stream), so runs at several loads share
passes too. Within a block of patterns the dot products and the weighted sums take four patterns per
sweep over the state (fewer loads and stores), each sum keeping its own order: the numbers are those
of one pattern at a time, bit for bit. The pattern generator is compiled with strict floating point
whatever kernel calls it first. Iterations (:func:`iterate`, :func:`retrieval_threshold`) keep
as many patterns as fit in ``STORE_BYTES`` (6 GiB, and at most a quarter of the physical memory: all
of them up to N P ~ 8e8, the paper's largest spherical size N = 80 on a 24 GB machine): generated once, in
parallel over the generation chunks, and read back in every pass (the same numbers; generation is most
of the cost of a pass); the rest are generated in every pass.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .. import validation
from ..ensembles import continuous

#: a single pass over more pattern entries (N x P) than this would take well over an hour here
MAX_PATTERN_ENTRIES = 1.0e12
DEFAULT_CHUNK = 64 * continuous.GEN_CHUNK
_BLOCK = 32  # patterns per inner block (divides GEN_CHUNK; fixed, so part of the reduction order)

_FM = {"reassoc", "contract", "nsz", "arcp"}  # no nnan/ninf: -inf is a legitimate running max


@njit(cache=True, fastmath=_FM)
def _block_exponents(xk, lam_k, buf, nb, e):
    """e[b] = lam_k xk.xi^b for the nb rows of the block; returns their maximum.

    Four rows at a time share each load of xk; every dot product is still its own loop-carried sum,
    vectorized exactly as a single one (the same partial sums, combined in the same order: identical
    numbers, checked in the tests against the one-row loop).
    """
    N = xk.shape[0]
    bm = -np.inf
    b = 0
    while b + 4 <= nb:
        r0 = buf[b]
        r1 = buf[b + 1]
        r2 = buf[b + 2]
        r3 = buf[b + 3]
        d0 = 0.0
        d1 = 0.0
        d2 = 0.0
        d3 = 0.0
        for i in range(N):
            x = xk[i]
            d0 += x * r0[i]
            d1 += x * r1[i]
            d2 += x * r2[i]
            d3 += x * r3[i]
        e[b] = lam_k * d0
        e[b + 1] = lam_k * d1
        e[b + 2] = lam_k * d2
        e[b + 3] = lam_k * d3
        b += 4
    while b < nb:
        row = buf[b]
        d = 0.0
        for i in range(N):
            d += xk[i] * row[i]
        e[b] = lam_k * d
        b += 1
    for b in range(nb):
        if e[b] > bm:
            bm = e[b]
    return bm


@njit(cache=True, fastmath=False)  # explicit: a callee inherits the caller's fastmath unless it sets its own
def _block_weights(e, nb, mk, sk, a):
    """a[b] = exp(e[b] - mk) and the running sum sk + a[0] + a[1] + ..., added in this order (strict
    floating point: the sum is never reassociated)."""
    for b in range(nb):
        ab = math.exp(e[b] - mk)
        a[b] = ab
        sk += ab
    return sk


@njit(cache=True, fastmath={"contract"})
def _block_accumulate(wk, a, buf, nb):
    """wk += a[b] xi^b for b = 0 .. nb-1, each entry updated row after row by a fused multiply-add.

    Four rows per sweep over wk (one load and one store of wk per four rows instead of per row); each
    entry still receives fma(a[b], xi^b_i, .) for b in increasing order (no reassociation is allowed
    here), so the numbers are those of one row at a time.
    """
    N = wk.shape[0]
    b = 0
    while b + 4 <= nb:
        a0 = a[b]
        a1 = a[b + 1]
        a2 = a[b + 2]
        a3 = a[b + 3]
        r0 = buf[b]
        r1 = buf[b + 1]
        r2 = buf[b + 2]
        r3 = buf[b + 3]
        for i in range(N):
            wk[i] = (((wk[i] + a0 * r0[i]) + a1 * r1[i]) + a2 * r2[i]) + a3 * r3[i]
        b += 4
    while b < nb:
        ab = a[b]
        row = buf[b]
        for i in range(N):
            wk[i] = wk[i] + ab * row[i]
        b += 1


@njit(cache=True, fastmath=_FM)
def _reduce_chunk(X, lam, active, c, P, seed, kind, f32, zx, zf, r, gen, m, s, w, store):
    """Partial log-sum-exp sums (m, s, w) of generation chunk c for every active state.

    ``P`` holds one pattern count per state: state k sums over patterns mu < P[k] only (the patterns
    of a smaller count are a prefix of the stream), so states with different loads share one pass.
    Patterns are generated in blocks of ``_BLOCK`` so that the dot products and the weighted sums run
    as branch-free loops over contiguous rows (vectorized), with one rescaling per block. When
    ``store`` holds every pattern of the chunk (its rows are the first patterns, see
    :func:`_materialize`), the blocks are read from it instead of generated: the same numbers.
    """
    K, N = X.shape
    B = _BLOCK
    buf = np.empty((B, N))
    e = np.empty(B)
    a = np.empty(B)
    for k in range(K):
        m[k] = -np.inf
        s[k] = 0.0
        for i in range(N):
            w[k, i] = 0.0
    state = continuous.chunk_key(seed, c)
    p_top = 0
    for k in range(K):
        if active[k] and P[k] > p_top:
            p_top = P[k]
    n_here = min(gen, p_top - c * gen)
    stored = store.shape[0] >= c * gen + n_here  # every pattern of this chunk is kept
    for b0 in range(0, n_here, B):
        nb_all = min(B, n_here - b0)
        if stored:
            mu0 = c * gen + b0
            for b in range(nb_all):
                src = store[mu0 + b]
                row = buf[b]
                for i in range(N):
                    row[i] = src[i]
        else:
            for b in range(nb_all):
                state = continuous.next_pattern(state, buf[b], kind, f32, zx, zf, r)
        for k in range(K):
            # the patterns of this block that state k sums over (all of them unless P[k] ends here)
            nb = min(nb_all, P[k] - c * gen - b0)
            if not active[k] or nb <= 0:
                continue
            bm = _block_exponents(X[k], lam[k], buf, nb, e)
            wk = w[k]
            if bm > m[k]:
                # new running maximum: rescale what was accumulated so far (exponents stay <= 0)
                f = math.exp(m[k] - bm)
                s[k] *= f
                for i in range(N):
                    wk[i] *= f
                m[k] = bm
            s[k] = _block_weights(e, nb, m[k], s[k], a)
            _block_accumulate(wk, a, buf, nb)


@njit(cache=True, parallel=True)
def _reduce_chunks(X, lam, active, c0, c1, P, seed, kind, f32, zx, zf, r, gen, slot_m, slot_s, slot_w, store):
    """Per-chunk partial sums for chunks c0 <= c < c1 (slot index c - c0), chunks in parallel."""
    for cc in prange(c1 - c0):
        _reduce_chunk(X, lam, active, c0 + cc, P, seed, kind, f32, zx, zf, r, gen, slot_m[cc], slot_s[cc], slot_w[cc], store)


@njit(cache=True)
def _reduce_chunks_serial(X, lam, active, c0, c1, P, seed, kind, f32, zx, zf, r, gen, slot_m, slot_s, slot_w, store):
    """The same, one chunk after the other: for a single chunk, waking the worker threads costs more
    than the chunk itself (the per-chunk numbers are identical either way)."""
    for cc in range(c1 - c0):
        _reduce_chunk(X, lam, active, c0 + cc, P, seed, kind, f32, zx, zf, r, gen, slot_m[cc], slot_s[cc], slot_w[cc], store)


@njit(cache=True, parallel=True)
def _fill_chunks(store, seed, kind, f32, zx, zf, r, gen):
    """The patterns xi^1 .. xi^P into the rows of ``store`` (P, N), generation chunks in parallel."""
    P, N = store.shape
    for c in prange(-(-P // gen)):
        state = continuous.chunk_key(seed, c)
        for mu in range(c * gen, min(P, (c + 1) * gen)):
            state = continuous.next_pattern(state, store[mu], kind, f32, zx, zf, r)


#: patterns are kept in memory across the passes of one iteration when they take at most this much
STORE_BYTES = 6 << 30
_NO_STORE = np.empty((0, 1))


def _materialize(N, P, seed, code, f32):
    """The first patterns as a (rows, N) array: all P if they fit in ``STORE_BYTES``, else as many whole
    generation chunks as fit (possibly none: an empty array). An iteration that makes many passes then
    generates these once and reads them back in every pass; the others are generated in every pass."""
    top = int(P.max())
    budget = min(STORE_BYTES, 0.5 * validation.memory_limit_bytes())
    rows = top if 8.0 * N * top <= budget else int(budget // (8.0 * N)) // continuous.GEN_CHUNK * continuous.GEN_CHUNK
    if rows <= 0:
        return _NO_STORE
    store = np.empty((rows, N))
    _fill_chunks(store, seed, code, f32, continuous._ZX, continuous._ZF, continuous._ZR, continuous.GEN_CHUNK)
    return store


@njit(cache=True)
def _merge_slots(active, n, slot_m, slot_s, slot_w, M, S, W):
    """Fold slots 0..n-1, in this order, into the running (M, S, W)."""
    K, N = W.shape
    for cc in range(n):
        for k in range(K):
            if not active[k]:
                continue
            mc = slot_m[cc, k]
            if mc == -np.inf:
                continue
            if mc > M[k]:
                f = math.exp(M[k] - mc)
                S[k] = S[k] * f + slot_s[cc, k]
                for i in range(N):
                    W[k, i] = W[k, i] * f + slot_w[cc, k, i]
                M[k] = mc
            else:
                f = math.exp(mc - M[k])
                S[k] += f * slot_s[cc, k]
                for i in range(N):
                    W[k, i] += f * slot_w[cc, k, i]


def check_pass(N: int, P: int) -> None:
    """Refuse a pattern count whose single pass would take beyond about an hour on this machine.

    Raises ``ValueError`` when N P exceeds ``MAX_PATTERN_ENTRIES``.

    Parameters
    ----------
    N : int
        Dimension of the patterns.
    P : int
        Number of patterns.

    Returns
    -------
    None
    """
    if float(N) * float(P) > MAX_PATTERN_ENTRIES:
        validation.fail(
            "P",
            P,
            f"at most {MAX_PATTERN_ENTRIES:.0e} / N = {MAX_PATTERN_ENTRIES / N:.3g} for N={N} "
            "(one pass over N x P generated pattern entries would take over an hour)",
        )


def _prepare(X, lam, P, seed, kind, dtype, chunk):
    X = np.ascontiguousarray(np.atleast_2d(np.asarray(X, dtype=np.float64)))
    K, N = X.shape
    lam = np.asarray(lam, dtype=np.float64)
    lam = np.full(K, float(lam)) if lam.ndim == 0 else np.ascontiguousarray(lam)
    if lam.shape != (K,):
        validation.fail("lam", lam, f"a scalar or one value per state ({K} states)")
    for k, v in enumerate(lam):
        validation.positive()(f"lam[{k}]", float(v))
    if not np.all(np.isfinite(X)):
        validation.fail("x", "non-finite", "finite")
    if np.ndim(P) == 0:
        P = np.full(K, validation.integer(1)("P", P), np.int64)
    else:
        if np.shape(P) != (K,):
            validation.fail("P", P, f"an integer or one per state ({K} states)")
        P = np.array([validation.integer(1)(f"P[{k}]", v) for k, v in enumerate(np.asarray(P).tolist())], np.int64)
    check_pass(N, int(P.max()))
    seed = validation.seed("seed", seed)
    code = continuous.check_kind(kind)
    f32 = continuous.check_dtype(dtype)
    chunk = validation.integer(continuous.GEN_CHUNK)("chunk", chunk)
    if chunk % continuous.GEN_CHUNK:
        validation.fail("chunk", chunk, f"a positive multiple of the generation chunk {continuous.GEN_CHUNK}")
    return X, lam, P, seed, code, f32, chunk


def _lse_pass(X, lam, active, P, seed, code, f32, chunk, store=_NO_STORE):
    """(lse (K,), mean (K, N)): log sum_mu exp(lam x_k.xi^mu) and the softmax average of xi."""
    K, N = X.shape
    gen = continuous.GEN_CHUNK
    act = np.ascontiguousarray(active, dtype=np.bool_)
    n_chunks = -(-int(P[act].max(initial=0)) // gen)  # the chunks some active state sums over
    per_batch = chunk // gen
    nb = min(per_batch, n_chunks)
    slot_m = np.empty((nb, K))
    slot_s = np.empty((nb, K))
    slot_w = np.empty((nb, K, N))
    M = np.full(K, -np.inf)
    S = np.zeros(K)
    W = np.zeros((K, N))
    for c0 in range(0, n_chunks, per_batch):
        c1 = min(c0 + per_batch, n_chunks)
        reduce = _reduce_chunks_serial if c1 - c0 == 1 else _reduce_chunks
        reduce(X, lam, act, c0, c1, P, seed, code, f32, continuous._ZX, continuous._ZF, continuous._ZR, gen, slot_m, slot_s, slot_w,
               store)
        _merge_slots(act, c1 - c0, slot_m, slot_s, slot_w, M, S, W)
    with np.errstate(divide="ignore", invalid="ignore"):
        lse = np.where(act, M + np.log(S), np.nan)
        mean = np.where(act[:, None], W / S[:, None], np.nan)
    return lse, mean


def log_sum_exp(X, lam, P, seed, kind="spherical", *, dtype="float64", chunk=DEFAULT_CHUNK):
    """log sum_mu exp(lam x.xi^mu) over the P streamed patterns, for each row x of X.

    One pass over the patterns xi^1 .. xi^P of :func:`hopcore.ensembles.continuous.continuous_patterns`
    (generated on the fly, never stored).

    Parameters
    ----------
    X : array_like, shape (K, N) or (N,)
        States, one per row (finite).
    lam : float or array_like of shape (K,)
        Inverse temperature(s) lam > 0, one for all states or one per state.
    P : int or array_like of int, shape (K,)
        Number of patterns, or one per state (state k sums over xi^1 .. xi^P[k], a prefix of the stream).
    seed : int
        Seed of the pattern ensemble.
    kind : str, optional
        ``"spherical"`` (default) or ``"gaussian"``.
    dtype : str, optional
        ``"float64"`` (default) or ``"float32"`` patterns.
    chunk : int, optional
        Patterns per processing batch, a multiple of ``GEN_CHUNK`` (default ``DEFAULT_CHUNK``); it does
        not change the numbers.

    Returns
    -------
    numpy.ndarray of float64, shape (K,)
        The log-sum-exp of each state.
    """
    X, lam, P, seed, code, f32, chunk = _prepare(X, lam, P, seed, kind, dtype, chunk)
    return _lse_pass(X, lam, np.ones(len(lam), bool), P, seed, code, f32, chunk)[0]


def energy(X, lam, P, seed, kind="spherical", *, dtype="float64", chunk=DEFAULT_CHUNK):
    """E(x) = -(1/lam) log sum_mu exp(lam x.xi^mu) + |x|^2/2 for each row x of X.

    Book equation: dense-attention-energy

    Parameters
    ----------
    X : array_like, shape (K, N) or (N,)
        States, one per row (finite).
    lam : float or array_like of shape (K,)
        Inverse temperature(s) lam > 0.
    P : int or array_like of int, shape (K,)
        Number of patterns, or one per state (state k sums over xi^1 .. xi^P[k], a prefix of the stream).
    seed : int
        Seed of the pattern ensemble.
    kind : str, optional
        ``"spherical"`` (default) or ``"gaussian"``.
    dtype : str, optional
        ``"float64"`` (default) or ``"float32"`` patterns.
    chunk : int, optional
        Patterns per processing batch, a multiple of ``GEN_CHUNK`` (default ``DEFAULT_CHUNK``).

    Returns
    -------
    numpy.ndarray of float64, shape (K,)
        The energy of each state.
    """
    X, lam, P, seed, code, f32, chunk = _prepare(X, lam, P, seed, kind, dtype, chunk)
    lse = _lse_pass(X, lam, np.ones(len(lam), bool), P, seed, code, f32, chunk)[0]
    return -lse / lam + 0.5 * np.einsum("ki,ki->k", X, X)


def softmax_update(X, lam, P, seed, kind="spherical", *, dtype="float64", chunk=DEFAULT_CHUNK, return_lse=False):
    """One step x <- sum_mu softmax(lam x.xi)_mu xi^mu for each row of X.

    Book equation: dense-attention-update

    Parameters
    ----------
    X : array_like, shape (K, N) or (N,)
        States, one per row (finite).
    lam : float or array_like of shape (K,)
        Inverse temperature(s) lam > 0.
    P : int or array_like of int, shape (K,)
        Number of patterns, or one per state (state k sums over xi^1 .. xi^P[k], a prefix of the stream).
    seed : int
        Seed of the pattern ensemble.
    kind : str, optional
        ``"spherical"`` (default) or ``"gaussian"``.
    dtype : str, optional
        ``"float64"`` (default) or ``"float32"`` patterns.
    chunk : int, optional
        Patterns per processing batch, a multiple of ``GEN_CHUNK`` (default ``DEFAULT_CHUNK``).
    return_lse : bool, optional
        Also return the log-sum-exp at X (same pass).

    Returns
    -------
    x_new : numpy.ndarray of float64, shape (K, N)
        The updated states.
    lse : numpy.ndarray of float64, shape (K,)
        Log-sum-exp at X; only with ``return_lse``, as ``(x_new, lse)``.
    """
    X, lam, P, seed, code, f32, chunk = _prepare(X, lam, P, seed, kind, dtype, chunk)
    lse, mean = _lse_pass(X, lam, np.ones(len(lam), bool), P, seed, code, f32, chunk)
    return (mean, lse) if return_lse else mean


def iterate(X0, lam, P, seed, kind="spherical", *, tol=1e-6, max_iter=100, dtype="float64", chunk=DEFAULT_CHUNK):
    """Iterate the softmax update from each row of X0 until |x_{t+1} - x_t|^2 / N < tol.

    All K states share every pass over the patterns; a state stops being updated once converged.

    Book equation: dense-attention-update

    Parameters
    ----------
    X0 : array_like, shape (K, N) or (N,)
        Initial states, one per row (finite).
    lam : float or array_like of shape (K,)
        Inverse temperature(s) lam > 0.
    P : int or array_like of int, shape (K,)
        Number of patterns, or one per state (state k sums over xi^1 .. xi^P[k], a prefix of the stream).
    seed : int
        Seed of the pattern ensemble.
    kind : str, optional
        ``"spherical"`` (default) or ``"gaussian"``.
    tol : float, optional
        Convergence threshold on |x_{t+1} - x_t|^2 / N (default 1e-6).
    max_iter : int, optional
        Maximum number of passes (default 100).
    dtype : str, optional
        ``"float64"`` (default) or ``"float32"`` patterns.
    chunk : int, optional
        Patterns per processing batch, a multiple of ``GEN_CHUNK`` (default ``DEFAULT_CHUNK``).

    Returns
    -------
    dict
        ``x`` (K, N) final states, ``iterations`` (K,), ``converged`` (K,) bool,
        ``lse`` (K,) log-sum-exp at the state before the last update (from the last pass),
        ``passes`` (total passes).
    """
    X, lam, P, seed, code, f32, chunk = _prepare(X0, lam, P, seed, kind, dtype, chunk)
    tol = validation.positive()("tol", tol)
    max_iter = validation.integer(1)("max_iter", max_iter)
    K, N = X.shape
    X = X.copy()
    active = np.ones(K, bool)
    iterations = np.zeros(K, np.int64)
    lse_last = np.full(K, np.nan)
    passes = 0
    store = _materialize(N, P, seed, code, f32) if max_iter > 1 else _NO_STORE
    while active.any() and passes < max_iter:
        lse, Xn = _lse_pass(X, lam, active, P, seed, code, f32, chunk, store)
        passes += 1
        idx = np.flatnonzero(active)
        delta = np.sum((Xn[idx] - X[idx]) ** 2, axis=1) / N
        X[idx] = Xn[idx]
        lse_last[idx] = lse[idx]
        iterations[idx] += 1
        active[idx[delta < tol]] = False
    return {"x": X, "iterations": iterations, "converged": ~active, "lse": lse_last, "passes": passes}


def retrieval(
    N,
    P,
    lam,
    seed,
    kind="spherical",
    *,
    x0=None,
    eps=0.05,
    tol=1e-6,
    max_iter=100,
    dtype="float64",
    chunk=DEFAULT_CHUNK,
):
    """Retrieval test of xi^1 (the first streamed pattern) for each lam (K values, one pass shared).

    Start at ``x0`` (default xi^1 itself), iterate to convergence (:func:`iterate`) and call xi^1
    retrieved when |x - xi^1|^2 / N < eps.

    Parameters
    ----------
    N : int
        Dimension of the patterns.
    P : int or array_like of int, shape (K,)
        Number of patterns, or one per state (state k sums over xi^1 .. xi^P[k], a prefix of the stream).
    lam : float or array_like of shape (K,)
        Inverse temperatures lam > 0.
    seed : int
        Seed of the pattern ensemble.
    kind : str, optional
        ``"spherical"`` (default) or ``"gaussian"``.
    x0 : array_like, shape (N,) or (K, N), optional
        Initial state(s); default xi^1.
    eps : float, optional
        Retrieval radius on |x - xi^1|^2 / N (default 0.05).
    tol : float, optional
        Convergence threshold of :func:`iterate` (default 1e-6).
    max_iter : int, optional
        Maximum number of passes (default 100).
    dtype : str, optional
        ``"float64"`` (default) or ``"float32"`` patterns.
    chunk : int, optional
        Patterns per processing batch, a multiple of ``GEN_CHUNK`` (default ``DEFAULT_CHUNK``).

    Returns
    -------
    dict
        Arrays over lam: ``retrieved``, ``distance`` (|x - xi^1|^2 / N), ``overlap`` (x.xi^1 / N),
        ``weight1`` (softmax weight a_1 of xi^1, from the log-sum-exp of the last pass),
        ``norm2`` (|x|^2/N), ``iterations``, ``converged``.
    """
    N = validation.integer(1)("N", N)
    eps = validation.positive()("eps", eps)
    lam = np.atleast_1d(np.asarray(lam, dtype=np.float64))
    xi1 = continuous.continuous_patterns(N, 1, seed, kind, dtype)[0].astype(np.float64)
    if x0 is None:
        X0 = np.tile(xi1, (len(lam), 1))
    else:
        x0 = np.asarray(x0, dtype=np.float64)
        X0 = np.tile(x0, (len(lam), 1)) if x0.ndim == 1 else x0
        if X0.shape != (len(lam), N):
            validation.fail("x0", x0.shape, f"an array of shape ({N},) or ({len(lam)}, {N})")
    res = iterate(X0, lam, P, seed, kind, tol=tol, max_iter=max_iter, dtype=dtype, chunk=chunk)
    X = res["x"]
    dist = np.sum((X - xi1) ** 2, axis=1) / N
    weight1 = np.exp(lam * (X @ xi1) - res["lse"])
    return {
        "retrieved": dist < eps,
        "distance": dist,
        "overlap": X @ xi1 / N,
        "weight1": weight1,
        "norm2": np.sum(X * X, axis=1) / N,
        "iterations": res["iterations"],
        "converged": res["converged"],
    }


#: outcome codes of one run in :func:`retrieval_threshold`
CONVERGED, LEFT, ACCELERATED, CAPPED = 0, 1, 2, 3


def run_outcome(d, step2, tol, eps, far, max_iter, dipped):
    """Decide a run from its distances d_1..d_t (d_s = |x_s - xi^1|^2/N, d_0 = 0) and the last step.

    In order:

    - CONVERGED: |x_t - x_{t-1}|^2/N < tol; retrieved iff d_t < eps;
    - LEFT: d_t > far (the run has left xi^1);
    - ACCELERATED: the increments of d first shrank (``dipped``), and now grow again with d_t > eps/10:
      the run has passed the bottleneck of a saddle-node ghost and is leaving (not retrieved);
    - CAPPED: t = max_iter without a decision (not retrieved).

    Parameters
    ----------
    d : sequence of float
        Distances d_0 = 0, d_1, ..., d_t (the sequence includes d_0, so t = len(d) - 1 steps; the
        cap compares len(d) with ``max_iter``).
    step2 : float
        |x_t - x_{t-1}|^2 / N of the last step.
    tol : float
        Convergence threshold on ``step2``.
    eps : float
        Retrieval radius on the distance.
    far : float
        Distance beyond which the run has left xi^1.
    max_iter : int
        Iteration cap.
    dipped : bool
        Whether the increments of d have already shrunk once (carried from the previous call).

    Returns
    -------
    outcome : int or None
        ``CONVERGED``, ``LEFT``, ``ACCELERATED``, ``CAPPED``, or None if undecided.
    retrieved : bool
        Whether the run retrieved xi^1 (False unless CONVERGED within eps).
    dipped : bool
        The updated ``dipped`` flag.
    """
    t = len(d)
    dt = d[-1]
    if step2 < tol:
        return CONVERGED, bool(dt < eps), dipped
    if dt > far:
        return LEFT, False, dipped
    if t >= 3:
        i1, i0 = d[-1] - d[-2], d[-2] - d[-3]
        if i1 < i0:
            dipped = True
        elif dipped and i1 > i0 > 0 and dt > 0.1 * eps:
            return ACCELERATED, False, dipped
    if t >= max_iter:
        return CAPPED, False, dipped
    return None, False, dipped


def _refill(lo, hi, running, n_free, resolution, width, lam_floor):
    """lam values for ``n_free`` idle slots, given the bracket (lo, hi) (None: not found yet).

    Both ends known: split the widest gaps of {lo, running lam, hi} at their midpoints, as long as a
    gap is wider than resolution/2. One end missing: step beyond the outermost value by ``width``.
    """
    new = []
    if lo is not None and hi is not None:
        pts = sorted([lo, hi] + [l for l in running if lo < l < hi])
        for _ in range(n_free):
            gaps = np.diff(pts)
            g = int(np.argmax(gaps))
            if gaps[g] <= 0.5 * resolution * (1 + 1e-9):
                break
            mid = 0.5 * (pts[g] + pts[g + 1])
            new.append(mid)
            pts.insert(g + 1, mid)
    elif hi is None:
        top = max([lo] + list(running))
        new = [top + width * (i + 1) / n_free for i in range(n_free)]
    else:
        bottom = min([hi] + list(running))
        step = min(width, 0.5 * bottom)
        new = [bottom - step * (i + 1) / n_free for i in range(n_free)]
        new = [l for l in new if l >= lam_floor]
    return new


def retrieval_threshold(
    N,
    P,
    seed,
    kind="spherical",
    *,
    lam_lo,
    lam_hi,
    slots=8,
    resolution=5e-4,
    eps=0.05,
    far=0.5,
    tol=1e-6,
    max_iter=60,
    max_passes=400,
    lam_max=50.0,
    dtype="float64",
    chunk=DEFAULT_CHUNK,
):
    """Retrieval threshold in lam of xi^1 for one pattern set, by a parallel bisection.

    A *run* at lam starts at x_0 = xi^1 and iterates the softmax update (book equation
    dense-attention-update); it is decided by :func:`run_outcome` (retrieved = converged within eps of
    xi^1). For a fixed pattern set the outcome is monotone in lam (checked: ``violations`` counts runs
    that contradict it), so the threshold lies in a bracket (lo, hi) = (largest lam not retrieved,
    smallest lam retrieved). ``slots`` runs share every pass over the patterns (generating the patterns,
    not the number of runs, sets the cost of a pass); whenever runs finish the bracket shrinks, runs
    outside it are dropped (their outcome is implied) and idle slots restart from xi^1 at the midpoints
    of the widest gaps. Stops when hi - lo <= resolution. The first runs are spread over
    [lam_lo, lam_hi]; if the threshold is outside, the search walks out by the window width (censored
    when lam would exceed ``lam_max`` or fall below 1e-3).

    Parameters
    ----------
    N : int
        Dimension of the patterns.
    P : int
        Number of patterns.
    seed : int
        Seed of the pattern ensemble.
    kind : str, optional
        ``"spherical"`` (default) or ``"gaussian"``.
    lam_lo, lam_hi : float
        Window of the first runs, 0 < lam_lo < lam_hi.
    slots : int, optional
        Runs sharing each pass, in [2, 256] (default 8).
    resolution : float, optional
        Final width of the bracket (default 5e-4).
    eps : float, optional
        Retrieval radius on |x - xi^1|^2 / N (default 0.05).
    far : float, optional
        Distance at which a run has left xi^1, at least ``eps`` (default 0.5).
    tol : float, optional
        Convergence threshold on |x_{t+1} - x_t|^2 / N (default 1e-6).
    max_iter : int, optional
        Iteration cap of a run, at least 3 (default 60).
    max_passes : int, optional
        Maximum number of passes over the patterns (default 400).
    lam_max : float, optional
        Largest lam tried before the search is censored above (default 50).
    dtype : str, optional
        ``"float64"`` (default) or ``"float32"`` patterns.
    chunk : int, optional
        Patterns per processing batch, a multiple of ``GEN_CHUNK`` (default ``DEFAULT_CHUNK``).

    Returns
    -------
    dict
        ``lo``, ``hi``, ``threshold`` (midpoint; +-inf if censored), ``censored`` (-1, 0, +1),
        ``passes``, ``violations``, and per finished run (in order of completion) ``lam``,
        ``retrieved``, ``iterations``, ``outcome`` (CONVERGED, LEFT, ACCELERATED, CAPPED),
        ``distance`` (final |x - xi^1|^2/N), ``trajectory`` (runs x max_iter: |x_t - xi^1|^2/N, NaN
        after the end).
    """
    N = validation.integer(1)("N", N)
    lam_lo = validation.positive()("lam_lo", lam_lo)
    lam_hi = validation.positive()("lam_hi", lam_hi)
    if lam_hi <= lam_lo:
        validation.fail("lam_hi", lam_hi, f"larger than lam_lo = {lam_lo}")
    slots = validation.integer(2, 256)("slots", slots)
    resolution = validation.positive()("resolution", resolution)
    eps = validation.positive()("eps", eps)
    far = validation.real(0.0, math.inf, lo_open=True)("far", far)
    if far < eps:
        validation.fail("far", far, f"at least eps = {eps} (a run is only stopped once it is outside the retrieval ball)")
    tol = validation.positive()("tol", tol)
    max_iter = validation.integer(3)("max_iter", max_iter)
    max_passes = validation.integer(1)("max_passes", max_passes)
    lam_max = validation.positive()("lam_max", lam_max)
    X, _, P, seed, code, f32, chunk = _prepare(np.zeros((slots, N)), np.ones(slots), P, seed, kind, dtype, chunk)
    xi1 = continuous.continuous_patterns(N, 1, seed, kind, dtype)[0].astype(np.float64)
    lam_floor = 1e-3

    lam = np.ones(slots)
    busy = np.zeros(slots, bool)
    dipped = np.zeros(slots, bool)
    age = np.zeros(slots, np.int64)
    traj = np.full((slots, max_iter), np.nan)
    lo = hi = None
    width = lam_hi - lam_lo
    done = {"lam": [], "retrieved": [], "iterations": [], "outcome": [], "distance": [], "trajectory": []}
    violations = 0
    censored = 0
    passes = 0
    store = _materialize(N, P, seed, code, f32)

    def start(k, value):
        X[k] = xi1
        lam[k] = value
        busy[k] = True
        dipped[k] = False
        age[k] = 0
        traj[k] = np.nan

    for k, value in enumerate(np.linspace(lam_lo, lam_hi, slots)):
        start(k, float(value))
    while busy.any() and passes < max_passes:
        _, Xn = _lse_pass(X, lam, busy, P, seed, code, f32, chunk, store)
        passes += 1
        idx = np.flatnonzero(busy)
        step = np.sum((Xn[idx] - X[idx]) ** 2, axis=1) / N
        X[idx] = Xn[idx]
        dist = np.sum((X[idx] - xi1) ** 2, axis=1) / N
        age[idx] += 1
        traj[idx, age[idx] - 1] = dist
        for j, k in enumerate(idx):
            d = np.concatenate(([0.0], traj[k, : age[k]]))
            outcome, ok, dipped[k] = run_outcome(d, step[j], tol, eps, far, max_iter, bool(dipped[k]))
            if outcome is None:
                continue
            busy[k] = False
            l = float(lam[k])
            if (ok and lo is not None and l <= lo) or (not ok and hi is not None and l >= hi):
                violations += 1
            if ok:
                hi = l if hi is None else min(hi, l)
            else:
                lo = l if lo is None else max(lo, l)
            for key, v in (("lam", l), ("retrieved", ok), ("iterations", int(age[k])), ("outcome", outcome),
                           ("distance", float(dist[j])), ("trajectory", traj[k].copy())):
                done[key].append(v)
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo  # non-monotone realization: keep the region where the outcome flips
        # runs whose outcome the bracket already implies are dropped
        for k in np.flatnonzero(busy):
            if (lo is not None and lam[k] <= lo) or (hi is not None and lam[k] >= hi):
                busy[k] = False
        if lo is not None and hi is not None and hi - lo <= resolution * (1 + 1e-9):
            break
        if hi is None and lo is not None and lo >= lam_max:
            censored = 1
            break
        if lo is None and hi is not None and hi <= lam_floor:
            censored = -1
            break
        free = np.flatnonzero(~busy)
        if len(free) and (lo is not None or hi is not None):
            if (hi is None or lo is None) and not busy.any():
                width *= 2.0
            new = _refill(lo, hi, [float(lam[k]) for k in np.flatnonzero(busy)], len(free), resolution, width, lam_floor)
            for k, value in zip(free, new):
                start(k, min(float(value), lam_max))
    if lo is not None and hi is not None:
        threshold = 0.5 * (lo + hi)
    else:
        threshold = math.inf if hi is None else -math.inf
        censored = censored or (1 if hi is None else -1)
    return {
        "lo": np.nan if lo is None else lo,
        "hi": np.nan if hi is None else hi,
        "threshold": threshold,
        "censored": censored,
        "passes": passes,
        "violations": violations,
        "lam": np.array(done["lam"]),
        "retrieved": np.array(done["retrieved"], bool),
        "iterations": np.array(done["iterations"], np.int64),
        "outcome": np.array(done["outcome"], np.int64),
        "distance": np.array(done["distance"]),
        "trajectory": np.array(done["trajectory"]).reshape(-1, max_iter),
    }


def softmax_attention(Q, K, V_, beta):
    """Plain softmax attention, rows as tokens: softmax(beta Q K^T) V (numpy, materialized).

    With one query Q = x^T, keys K = values V_ = the (P, N) pattern matrix and beta = lam this is
    the update x <- sum_mu softmax(lam x.xi)_mu xi^mu.

    Book equation: dense-attention-update

    Parameters
    ----------
    Q : array_like, shape (n_queries, d) or (d,)
        Queries, one per row.
    K : array_like, shape (n_keys, d)
        Keys, one per row.
    V_ : array_like, shape (n_keys, d_v)
        Values, one per row.
    beta : float
        Inverse temperature of the softmax.

    Returns
    -------
    numpy.ndarray of float64, shape (n_queries, d_v)
        The attention output, one row per query.
    """
    Q = np.atleast_2d(np.asarray(Q, dtype=np.float64))
    logits = beta * Q @ np.asarray(K, dtype=np.float64).T
    logits -= logits.max(axis=1, keepdims=True)
    a = np.exp(logits)
    a /= a.sum(axis=1, keepdims=True)
    return a @ np.asarray(V_, dtype=np.float64)


__all__ = [
    "DEFAULT_CHUNK",
    "MAX_PATTERN_ENTRIES",
    "check_pass",
    "energy",
    "iterate",
    "log_sum_exp",
    "retrieval",
    "softmax_attention",
    "softmax_update",
    "retrieval_threshold",
    "run_outcome",
]
