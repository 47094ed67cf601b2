"""One synchronous step from every stored pattern at once: which bits would flip.

With the P x P overlap matrix C = X^T X (integers), the field numerator on spin i when the network
sits at pattern nu is N h_i = sum_mu xi_i^mu C_{mu nu} - P xi_i^nu. Bit i of pattern nu is wrong
after one step when xi_i^nu h_i < 0 (ties keep the spin, as in the dynamics). Cost O(N P K) for K
probed patterns (K = P: every pattern), memory O(N P + K P); no N x N matrix. Both products run as
float32 BLAS when every partial sum is an integer below 2^24 (then exact in any order), else in the
integer kernels.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

EXACT_F32 = 2**24  # integers up to here are exact in float32


@njit(cache=True, parallel=True)
def _overlap_matrix(X, K):
    N, P = X.shape
    C = np.zeros((K, P), dtype=np.int32)
    for nu in prange(K):
        for i in range(N):
            x = np.int32(X[i, nu])
            row = X[i]
            for mu in range(P):
                C[nu, mu] += x * row[mu]
    return C


@njit(cache=True, parallel=True)
def _unstable_bits(X, C):
    N, P = X.shape
    K = C.shape[0]
    counts = np.zeros(K, dtype=np.int64)
    for nu in prange(K):
        c = C[nu]
        k = 0
        for i in range(N):
            row = X[i]
            h = np.int32(0)
            for mu in range(P):
                h += np.int32(row[mu]) * c[mu]
            if row[nu] * (np.int64(h) - P * row[nu]) < 0:
                k += 1
        counts[nu] = k
    return counts


def unstable_bits(X: np.ndarray, n_probe: int | None = None) -> np.ndarray:
    """Number of bits of each probed pattern that one synchronous step from it would flip.

    Bit i of pattern nu is wrong after one step when xi_i^nu h_i < 0 (ties keep the spin), with
    N h_i = sum_mu xi_i^mu C_{mu nu} - P xi_i^nu and the integer overlap matrix C = X^T X. With
    ``n_probe`` only the first ``n_probe`` patterns are probed (all P patterns still make the
    couplings): cost O(N P n_probe) instead of O(N P^2), enough for a per-bit error rate.

    Book equation: snr-split

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns, with N P < 2^31 - 1 (exact int32 fields).
    n_probe : int, optional
        Number of probed patterns, clipped to [1, P] (default: all P).

    Returns
    -------
    numpy.ndarray of int64, shape (K,)
        Wrong bits of patterns 1..K after one step, K = n_probe (or P).
    """
    if X.dtype != np.int8 or X.ndim != 2 or not X.flags.c_contiguous:
        raise ValueError("X must be a C-contiguous int8 array of shape (N, P)")
    N, P = X.shape
    if N * P >= 2**31 - 1:
        raise ValueError(f"N*P={N * P} is not allowed: N*P must be below 2^31 for exact int32 fields")
    K = P if n_probe is None else max(1, min(int(n_probe), P))
    if N < EXACT_F32:
        # float32 products of +-1 entries: every partial sum of C is an integer of size <= N, and every
        # partial sum of a field is bounded by its row sum(|C|); below 2^24 both are exact whatever the
        # order of the sums, so BLAS gives the integers of the kernels below, bit for bit
        Xf = X.astype(np.float32)
        C = Xf[:, :K].T @ Xf  # (K, P)
        if float(np.abs(C).sum(axis=1).max()) < EXACT_F32:
            H = Xf @ C.T  # (N, K): sum_mu xi_i^mu C_{mu nu}
            Xk = X[:, :K].astype(np.int64)
            return np.count_nonzero(Xk * (H.astype(np.int64) - P * Xk) < 0, axis=0).astype(np.int64)
    return _unstable_bits(X, _overlap_matrix(X, K))
