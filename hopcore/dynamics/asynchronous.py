"""Zero-temperature asynchronous and Glauber dynamics of Hebbian networks, in the overlap form.

With spin-major patterns X (N, P) int8 and the Hebb couplings J_ij = (1/N) sum_mu xi_i^mu xi_j^mu,
J_ii = 0, the local field is never built from J. We keep the integer overlaps
m_mu = sum_j xi_j^mu s_j and use

    N h_i = sum_mu xi_i^mu m_mu - P s_i            (the -P s_i term removes J_ii)

so a visit of spin i costs O(P) (one contiguous row of X) and a flip updates every m_mu by
2 s_i xi_i^mu, also O(P). Memory is the N x P int8 pattern matrix, never N x N. All arithmetic is in
integers, so fixed points and energies are exact and independent of summation order.

Random visiting order: every sweep is a fresh uniform permutation drawn by a Fisher-Yates shuffle
from a counter-based generator (splitmix64) keyed by (seed, sweep). The numpy reference in the tests
calls :func:`sweep_order` to replay exactly the same order. Ties (h_i = 0) keep the current spin.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GLAUBER_SALT = np.uint64(0xD1B54A32D192ED03)


@njit(cache=True, inline="always")
def _splitmix64(state):
    state = state + _GOLDEN
    z = state
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return state, z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def _stream(seed, counter):
    """Initial state of an independent stream for (seed, counter)."""
    state = np.uint64(seed)
    state, z = _splitmix64(state)
    return z ^ (np.uint64(counter) * _M2 + _GOLDEN)


@njit(cache=True)
def _fill_order(seed, sweep, order):
    n = order.shape[0]
    for k in range(n):
        order[k] = k
    state = _stream(seed, sweep)
    for k in range(n - 1, 0, -1):
        state, z = _splitmix64(state)
        j = np.int64((z >> np.uint64(11)) % np.uint64(k + 1))
        tmp = order[k]
        order[k] = order[j]
        order[j] = tmp


def sweep_order(seed: int, sweep: int, N: int) -> np.ndarray:
    """The visiting order of sweep ``sweep`` for ``seed`` (a permutation of range(N))."""
    order = np.empty(N, dtype=np.int64)
    _fill_order(np.uint64(seed), sweep, order)
    return order


@njit(cache=True)
def _overlaps_into(X, s, m):
    N, P = X.shape
    m[:] = 0
    for i in range(N):
        si = s[i]
        row = X[i]
        for mu in range(P):
            m[mu] += si * row[mu]
    return m


def _overlap_dtype(X):
    # int32 overlaps and int32 field sums are exact while N * P < 2^31 (|N h_i| <= N P), and
    # halve the memory traffic of the inner loop; beyond that, int64.
    N, P = X.shape
    return np.int32 if N * P < 2**31 - 1 else np.int64


def _overlaps(X, s):
    return _overlaps_into(X, s, np.zeros(X.shape[1], dtype=_overlap_dtype(X)))


@njit(cache=True, inline="always")
def _field_numerator(row, m, P, si):
    # h takes the width of m (int32 or int64, see _overlap_dtype), so the loop vectorizes.
    h = np.int32(0)
    for mu in range(P):
        h += np.int32(row[mu]) * m[mu]
    return np.int64(h) - P * si


@njit(cache=True)
def _async_core(X, s, m, seed, max_sweeps, order, energy_trace, trace_len):
    """Run sweeps in place; return (sweeps done, converged, trace length).

    ``energy_trace`` (length 0 to disable) receives N*E after every flip, E = -(1/2) s.J s.
    """
    N, P = X.shape
    if energy_trace.shape[0] > 0:
        q = np.int64(0)
        for mu in range(P):
            q += np.int64(m[mu]) * m[mu]
        e_num = -(q - np.int64(N) * P)  # 2 N E
        energy_trace[0] = e_num
        trace_len = 1
    else:
        e_num = np.int64(0)
    for sweep in range(max_sweeps):
        _fill_order(seed, sweep, order)
        flips = 0
        for t in range(N):
            i = order[t]
            row = X[i]
            si = np.int64(s[i])
            h = _field_numerator(row, m, P, si)
            if h == 0:
                continue
            new = 1 if h > 0 else -1
            if new != si:
                s[i] = new
                if new > 0:
                    for mu in range(P):
                        m[mu] += row[mu] + row[mu]
                else:
                    for mu in range(P):
                        m[mu] -= row[mu] + row[mu]
                flips += 1
                if trace_len > 0 and trace_len < energy_trace.shape[0]:
                    e_num -= 4 * abs(h)  # 2N dE = -2 (s_new - s_old) N h_i = -4 |N h_i|
                    energy_trace[trace_len] = e_num
                    trace_len += 1
        if flips == 0:
            return sweep + 1, True, trace_len
    return max_sweeps, False, trace_len


def _check_inputs(X, s0):
    if X.dtype != np.int8 or X.ndim != 2 or not X.flags.c_contiguous:
        raise ValueError("X must be a C-contiguous int8 array of shape (N, P) (spin-major patterns)")
    if s0.shape[-1] != X.shape[0]:
        raise ValueError(f"state length {s0.shape[-1]} does not match N={X.shape[0]}")


def async_fixed_point(X: np.ndarray, s0: np.ndarray, seed: int, max_sweeps: int = 200):
    """Zero-temperature asynchronous dynamics from ``s0`` to a fixed point.

    Returns ``(s, sweeps, converged)``: the final state (int8), the number of sweeps done (the last
    one without any flip when converged) and whether a full sweep without flip was reached before
    ``max_sweeps``.
    """
    _check_inputs(X, s0)
    s = np.array(s0, dtype=np.int8, copy=True)
    m = _overlaps(X, s)
    order = np.empty(X.shape[0], dtype=np.int64)
    sweeps, converged, _ = _async_core(X, s, m, np.uint64(seed), max_sweeps, order, np.empty(0, np.int64), 0)
    return s, int(sweeps), bool(converged)


def async_energy_trajectory(X: np.ndarray, s0: np.ndarray, seed: int, max_sweeps: int = 200, max_flips: int | None = None):
    """Energy per neuron E/N after every flip along the asynchronous trajectory from ``s0``.

    Returns ``(energies, s, sweeps, converged)``; energies[0] is the energy of ``s0``. Each flip
    lowers E by 2|h_i| (exact integer bookkeeping), so the trace is strictly decreasing.
    """
    _check_inputs(X, s0)
    N = X.shape[0]
    s = np.array(s0, dtype=np.int8, copy=True)
    m = _overlaps(X, s)
    order = np.empty(N, dtype=np.int64)
    cap = (max_flips if max_flips is not None else 4 * N) + 1
    trace = np.empty(cap, dtype=np.int64)
    sweeps, converged, n = _async_core(X, s, m, np.uint64(seed), max_sweeps, order, trace, 0)
    return trace[:n] / (2.0 * N * N), s, int(sweeps), bool(converged)


@njit(cache=True, parallel=True)
def _async_batch(X, S, M, seeds, max_sweeps, sweeps, converged):
    R = S.shape[0]
    N = X.shape[0]
    for r in prange(R):
        s = S[r]
        m = _overlaps_into(X, s, M[r])
        order = np.empty(N, dtype=np.int64)
        sw, cv, _ = _async_core(X, s, m, seeds[r], max_sweeps, order, np.empty(0, np.int64), 0)
        sweeps[r] = sw
        converged[r] = cv


def async_fixed_points(X: np.ndarray, S0: np.ndarray, seeds, max_sweeps: int = 200):
    """R independent runs of :func:`async_fixed_point`, in parallel over cores.

    ``S0`` has shape (R, N); ``seeds`` has R entries. Each run is exactly what the single-run kernel
    gives for the same start and seed, whatever the number of threads.
    """
    S0 = np.atleast_2d(S0)
    _check_inputs(X, S0)
    S = np.array(S0, dtype=np.int8, copy=True, order="C")
    seeds = np.asarray(seeds, dtype=np.uint64).reshape(-1)
    if seeds.shape[0] != S.shape[0]:
        raise ValueError(f"got {seeds.shape[0]} seeds for {S.shape[0]} starts")
    sweeps = np.zeros(S.shape[0], dtype=np.int64)
    converged = np.zeros(S.shape[0], dtype=np.bool_)
    M = np.zeros((S.shape[0], X.shape[1]), dtype=_overlap_dtype(X))
    _async_batch(X, S, M, seeds, max_sweeps, sweeps, converged)
    return S, sweeps, converged


@njit(cache=True, parallel=True)
def _field_numerators(X, s, m):
    N, P = X.shape
    H = np.empty(N, dtype=np.int64)
    for i in prange(N):
        H[i] = _field_numerator(X[i], m, P, np.int64(s[i]))
    return H


def overlaps(X: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Integer overlaps m_mu = sum_i xi_i^mu s_i (not divided by N), int64 (P,)."""
    _check_inputs(X, s)
    return _overlaps(X, np.asarray(s, dtype=np.int8))


def local_fields(X: np.ndarray, s: np.ndarray) -> np.ndarray:
    """h_i = sum_{j != i} J_ij s_j for every i, float64 (N,)."""
    _check_inputs(X, s)
    s = np.asarray(s, dtype=np.int8)
    return _field_numerators(X, s, _overlaps(X, s)) / X.shape[0]


def energy(X: np.ndarray, s: np.ndarray) -> float:
    """E(s) = -(1/2) s.J s = -(sum_mu m_mu^2 - N P) / (2N)."""
    m = overlaps(X, s).astype(np.int64)
    N, P = X.shape
    return -float(np.dot(m, m) - N * P) / (2.0 * N)


def sync_step(X: np.ndarray, s: np.ndarray) -> np.ndarray:
    """One synchronous (parallel) update s_i <- sign(h_i) of all spins; ties keep the spin."""
    _check_inputs(X, s)
    s = np.asarray(s, dtype=np.int8)
    H = _field_numerators(X, s, _overlaps(X, s))
    return np.where(H > 0, 1, np.where(H < 0, -1, s)).astype(np.int8)


@njit(cache=True)
def _glauber_core(X, s, m, seed, beta, n_sweeps, order):
    N, P = X.shape
    state = _stream(seed ^ _GLAUBER_SALT, 0)
    for sweep in range(n_sweeps):
        _fill_order(seed, sweep, order)
        for t in range(N):
            i = order[t]
            row = X[i]
            si = np.int64(s[i])
            h = _field_numerator(row, m, P, si) / N
            state, z = _splitmix64(state)
            u = (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)
            new = 1 if u < 0.5 * (1.0 + np.tanh(beta * h)) else -1
            if new != si:
                s[i] = new
                two = 2 * new
                for mu in range(P):
                    m[mu] += two * row[mu]


def glauber_run(X: np.ndarray, s0: np.ndarray, T: float, seed: int, n_sweeps: int) -> np.ndarray:
    """Heat-bath (Glauber) dynamics at temperature T: P(s_i = +1) = (1 + tanh(h_i / T)) / 2."""
    _check_inputs(X, s0)
    if not T > 0:
        raise ValueError(f"T={T!r} is not allowed: T must be a real number in (0, inf)")
    s = np.array(s0, dtype=np.int8, copy=True)
    m = _overlaps(X, s)
    order = np.empty(X.shape[0], dtype=np.int64)
    _glauber_core(X, s, m, np.uint64(seed), 1.0 / T, n_sweeps, order)
    return s


def magnetization(s: np.ndarray, s0: np.ndarray) -> float:
    """m = s.s0 / N."""
    return float(np.dot(s.astype(np.int64), s0.astype(np.int64))) / s.shape[0]
