"""Dense associative memory dynamics: streaming log-sum-exp energy and softmax (attention) update.

Energy and update ({eq}`dense-attention-energy`, {eq}`dense-attention-update` in the book), for
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
patterns, the expensive part, are generated once for all of them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .. import validation as V
from ..ensembles import continuous as C

#: a single pass over more pattern entries (N x P) than this would take well over an hour here
MAX_PATTERN_ENTRIES = 1.0e12
DEFAULT_CHUNK = 64 * C.GEN_CHUNK
_BLOCK = 32  # patterns per inner block (divides GEN_CHUNK; fixed, so part of the reduction order)

_FM = {"reassoc", "contract", "nsz", "arcp"}  # no nnan/ninf: -inf is a legitimate running max


@njit(cache=True, parallel=True, fastmath=_FM)
def _reduce_chunks(X, lam, active, c0, c1, P, seed, kind, f32, zx, zf, r, gen, slot_m, slot_s, slot_w):
    """Per-chunk partial log-sum-exp sums for chunks c0 <= c < c1 (slot index c - c0).

    Patterns are generated in blocks of ``_BLOCK`` so that the dot products and the weighted sums
    run as branch-free loops over contiguous rows (vectorized), with one rescaling per block.
    """
    K, N = X.shape
    B = _BLOCK
    for cc in prange(c1 - c0):
        c = c0 + cc
        buf = np.empty((B, N))
        e = np.empty(B)
        m = slot_m[cc]
        s = slot_s[cc]
        w = slot_w[cc]
        for k in range(K):
            m[k] = -np.inf
            s[k] = 0.0
            for i in range(N):
                w[k, i] = 0.0
        state = C.chunk_key(seed, c)
        n_here = min(gen, P - c * gen)
        for b0 in range(0, n_here, B):
            nb = min(B, n_here - b0)
            for b in range(nb):
                state = C.next_pattern(state, buf[b], kind, f32, zx, zf, r)
            for k in range(K):
                if not active[k]:
                    continue
                xk = X[k]
                bm = -np.inf
                for b in range(nb):
                    row = buf[b]
                    d = 0.0
                    for i in range(N):
                        d += xk[i] * row[i]
                    e[b] = lam[k] * d
                    if e[b] > bm:
                        bm = e[b]
                wk = w[k]
                if bm > m[k]:
                    # new running maximum: rescale what was accumulated so far (exponents stay <= 0)
                    f = math.exp(m[k] - bm)
                    s[k] *= f
                    for i in range(N):
                        wk[i] *= f
                    m[k] = bm
                mk = m[k]
                for b in range(nb):
                    a = math.exp(e[b] - mk)
                    s[k] += a
                    row = buf[b]
                    for i in range(N):
                        wk[i] += a * row[i]


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
    """Refuse a pattern count whose single pass would take beyond about an hour on this machine."""
    if float(N) * float(P) > MAX_PATTERN_ENTRIES:
        V.fail(
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
        V.fail("lam", lam, f"a scalar or one value per state ({K} states)")
    for k, v in enumerate(lam):
        V.positive()(f"lam[{k}]", float(v))
    if not np.all(np.isfinite(X)):
        V.fail("x", "non-finite", "finite")
    P = V.integer(1)("P", P)
    check_pass(N, P)
    seed = V.seed("seed", seed)
    code = C.check_kind(kind)
    f32 = C.check_dtype(dtype)
    chunk = V.integer(C.GEN_CHUNK)("chunk", chunk)
    if chunk % C.GEN_CHUNK:
        V.fail("chunk", chunk, f"a positive multiple of the generation chunk {C.GEN_CHUNK}")
    return X, lam, P, seed, code, f32, chunk


def _lse_pass(X, lam, active, P, seed, code, f32, chunk):
    """(lse (K,), mean (K, N)): log sum_mu exp(lam x_k.xi^mu) and the softmax average of xi."""
    K, N = X.shape
    gen = C.GEN_CHUNK
    n_chunks = -(-P // gen)
    per_batch = chunk // gen
    nb = min(per_batch, n_chunks)
    slot_m = np.empty((nb, K))
    slot_s = np.empty((nb, K))
    slot_w = np.empty((nb, K, N))
    M = np.full(K, -np.inf)
    S = np.zeros(K)
    W = np.zeros((K, N))
    act = np.ascontiguousarray(active, dtype=np.bool_)
    for c0 in range(0, n_chunks, per_batch):
        c1 = min(c0 + per_batch, n_chunks)
        _reduce_chunks(X, lam, act, c0, c1, P, seed, code, f32, C._ZX, C._ZF, C._ZR, gen, slot_m, slot_s, slot_w)
        _merge_slots(act, c1 - c0, slot_m, slot_s, slot_w, M, S, W)
    with np.errstate(divide="ignore", invalid="ignore"):
        lse = np.where(act, M + np.log(S), np.nan)
        mean = np.where(act[:, None], W / S[:, None], np.nan)
    return lse, mean


def log_sum_exp(X, lam, P, seed, kind="spherical", *, dtype="float64", chunk=DEFAULT_CHUNK):
    """log sum_mu exp(lam x.xi^mu) over the P streamed patterns, for each row x of X (K, N)."""
    X, lam, P, seed, code, f32, chunk = _prepare(X, lam, P, seed, kind, dtype, chunk)
    return _lse_pass(X, lam, np.ones(len(lam), bool), P, seed, code, f32, chunk)[0]


def energy(X, lam, P, seed, kind="spherical", *, dtype="float64", chunk=DEFAULT_CHUNK):
    """E(x) = -(1/lam) log sum_mu exp(lam x.xi^mu) + |x|^2/2 for each row x of X (K, N) -> (K,)."""
    X, lam, P, seed, code, f32, chunk = _prepare(X, lam, P, seed, kind, dtype, chunk)
    lse = _lse_pass(X, lam, np.ones(len(lam), bool), P, seed, code, f32, chunk)[0]
    return -lse / lam + 0.5 * np.einsum("ki,ki->k", X, X)


def softmax_update(X, lam, P, seed, kind="spherical", *, dtype="float64", chunk=DEFAULT_CHUNK, return_lse=False):
    """One step x <- sum_mu softmax(lam x.xi)_mu xi^mu for each row of X (K, N) -> (K, N).

    With ``return_lse`` also the log-sum-exp at X (same pass): returns (x_new, lse).
    """
    X, lam, P, seed, code, f32, chunk = _prepare(X, lam, P, seed, kind, dtype, chunk)
    lse, mean = _lse_pass(X, lam, np.ones(len(lam), bool), P, seed, code, f32, chunk)
    return (mean, lse) if return_lse else mean


def iterate(X0, lam, P, seed, kind="spherical", *, tol=1e-6, max_iter=100, dtype="float64", chunk=DEFAULT_CHUNK):
    """Iterate the softmax update from each row of X0 until |x_{t+1} - x_t|^2 / N < tol.

    All K states share every pass over the patterns; a state stops being updated once converged.
    Returns a dict: ``x`` (K, N) final states, ``iterations`` (K,), ``converged`` (K,) bool,
    ``lse`` (K,) log-sum-exp at the final state (from the last pass), ``passes`` (total passes).
    """
    X, lam, P, seed, code, f32, chunk = _prepare(X0, lam, P, seed, kind, dtype, chunk)
    tol = V.positive()("tol", tol)
    max_iter = V.integer(1)("max_iter", max_iter)
    K, N = X.shape
    X = X.copy()
    active = np.ones(K, bool)
    iterations = np.zeros(K, np.int64)
    lse_last = np.full(K, np.nan)
    passes = 0
    while active.any() and passes < max_iter:
        lse, Xn = _lse_pass(X, lam, active, P, seed, code, f32, chunk)
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

    Start at ``x0`` (default xi^1 itself; else an (N,) or (K, N) array), iterate to convergence and
    call xi^1 retrieved when |x - xi^1|^2 / N < eps. Returns a dict of arrays over lam: ``retrieved``,
    ``distance`` (|x - xi^1|^2 / N), ``overlap`` (x.xi^1 / N), ``weight1`` (softmax weight a_1 of
    xi^1 at the final state), ``norm2`` (|x|^2/N), ``iterations``, ``converged``.
    """
    N = V.integer(1)("N", N)
    eps = V.positive()("eps", eps)
    lam = np.atleast_1d(np.asarray(lam, dtype=np.float64))
    xi1 = C.continuous_patterns(N, 1, seed, kind, dtype)[0].astype(np.float64)
    if x0 is None:
        X0 = np.tile(xi1, (len(lam), 1))
    else:
        x0 = np.asarray(x0, dtype=np.float64)
        X0 = np.tile(x0, (len(lam), 1)) if x0.ndim == 1 else x0
        if X0.shape != (len(lam), N):
            V.fail("x0", x0.shape, f"an array of shape ({N},) or ({len(lam)}, {N})")
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


def softmax_attention(Q, K, V_, beta):
    """Plain softmax attention, rows as tokens: softmax(beta Q K^T) V (numpy, materialized).

    With one query Q = x^T, keys K = values V_ = the (P, N) pattern matrix and beta = lam this is
    the update x <- sum_mu softmax(lam x.xi)_mu xi^mu.
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
]
