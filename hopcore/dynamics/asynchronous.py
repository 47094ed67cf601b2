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

Bit-packed engine. Since xi = +-1, a product xi_i^mu m_mu is only a sign choice, and the field is
computed on a packed layout instead of the int8 rows (see :func:`_field_sum`):

- patterns B (N, W) uint64, bit mu of row i set iff xi_i^mu = +1 (W = P/64 words rounded up to a
  multiple of 8, zero padding): N P / 8 bytes, an eighth of the int8 matrix;
- overlaps as L = bit_length(N) bit planes Q (L, W): plane k holds bit k of the agreement counts
  c_mu = (m_mu + N) / 2 in [0, N], together with T = sum_mu c_mu.

Then sum_mu xi_i^mu m_mu = 4 A_i - 2 T - N r_i with A_i = sum_k 2^k popcount(B_i & Q_k) and
r_i = sum_mu xi_i^mu, so a visit costs L W AND+POPCNT word operations (vectorized by LLVM over the
words, vpopcntq where the CPU has it) on P/8 bytes of pattern row, and a flip (every c_mu moves by
+-1) is a bit-sliced increment/decrement of the planes. Everything stays an exact integer, so the
fixed points, sweep counts, energy traces and Glauber trajectories are bit-identical to those of
the plain int8 kernels (``_async_core``, ``_glauber_core``), which the tests keep as the reference.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

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
    """The visiting order of sweep ``sweep`` for ``seed`` (a permutation of range(N)).

    A Fisher-Yates shuffle driven by a splitmix64 stream keyed by (seed, sweep): the order the
    dynamics kernels use, replayed for reference implementations.

    Parameters
    ----------
    seed : int
        Seed of the run.
    sweep : int
        Zero-based index of the sweep.
    N : int
        Number of spins.

    Returns
    -------
    numpy.ndarray of int64, shape (N,)
        The spins in visiting order.
    """
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

    Each visited spin is set to sign(h_i), ties (h_i = 0) keep the spin, in the random order of
    :func:`sweep_order`. Runs on the bit-packed layout, on one core up to N = 2^17 and above that with
    the fields of each block of visits over all cores (:func:`_packed_async_blocks`); the numbers are
    those of the int8 reference :func:`reference_fixed_point`, whatever the threads.

    Book equation: snr-overlap-form

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns (Hebb couplings J_ij = (1/N) sum_mu xi_i^mu xi_j^mu, J_ii = 0).
    s0 : numpy.ndarray, shape (N,)
        Initial state, entries +-1 (not modified).
    seed : int
        Seed of the visiting order.
    max_sweeps : int, optional
        Maximum number of sweeps (default 200).

    Returns
    -------
    s : numpy.ndarray of int8, shape (N,)
        The final state.
    sweeps : int
        Number of sweeps done (the last one without any flip when converged).
    converged : bool
        Whether a full sweep without flip was reached before ``max_sweeps``.
    """
    _check_inputs(X, s0)
    pk = Packed(X)
    s = np.array(s0, dtype=np.int8, copy=True)
    Q, T = pk.planes(s)
    order = np.empty(pk.N, dtype=np.int64)
    if pk.N >= _PARALLEL_MIN_N and numba.get_num_threads() > 1:
        sweeps, converged = _packed_async_blocks(pk.B, pk.r, pk.valid, s, Q, T, pk.P, np.uint64(seed), max_sweeps, order, _BLOCK)
    else:
        sweeps, converged, _ = _packed_async_core(pk.B, pk.r, pk.valid, s, Q, T, pk.P, np.uint64(seed), max_sweeps, order,
                                                  np.empty(0, np.int64), np.int64(0))
    return s, int(sweeps), bool(converged)


def async_energy_trajectory(X: np.ndarray, s0: np.ndarray, seed: int, max_sweeps: int = 200, max_flips: int | None = None):
    """Energy per neuron E/N after every flip along the asynchronous trajectory from ``s0``.

    energies[0] is the energy of ``s0``. Each flip lowers E by 2|h_i| (exact integer bookkeeping), so
    the trace is strictly decreasing. The trace is truncated after ``max_flips`` flips; the dynamics
    itself runs on to its fixed point (or ``max_sweeps``).

    Book equation: snr-overlap-form

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    s0 : numpy.ndarray, shape (N,)
        Initial state, entries +-1 (not modified).
    seed : int
        Seed of the visiting order.
    max_sweeps : int, optional
        Maximum number of sweeps (default 200).
    max_flips : int, optional
        Number of flips recorded (default 4 N).

    Returns
    -------
    energies : numpy.ndarray of float64, shape (n_flips + 1,)
        E/N of the initial state and after each recorded flip, E = -(1/2) s.J s.
    s : numpy.ndarray of int8, shape (N,)
        The final state.
    sweeps : int
        Number of sweeps done.
    converged : bool
        Whether a sweep without flip was reached before ``max_sweeps``.
    """
    _check_inputs(X, s0)
    N, P = X.shape
    pk = Packed(X)
    s = np.array(s0, dtype=np.int8, copy=True)
    Q, T = pk.planes(s)
    m = 2 * _counts_from_planes(Q, P) - N
    e_num = -(int(np.dot(m, m)) - N * P)  # 2 N E
    order = np.empty(N, dtype=np.int64)
    cap = (max_flips if max_flips is not None else 4 * N) + 1
    trace = np.empty(cap, dtype=np.int64)
    sweeps, converged, n = _packed_async_core(pk.B, pk.r, pk.valid, s, Q, T, P, np.uint64(seed), max_sweeps, order,
                                              trace, np.int64(e_num))
    return trace[:n] / (2.0 * N * N), s, int(sweeps), bool(converged)


def reference_fixed_point(X: np.ndarray, s0: np.ndarray, seed: int, max_sweeps: int = 200):
    """:func:`async_fixed_point` on the plain int8 rows (the reference the packed engine is tested against).

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    s0 : numpy.ndarray, shape (N,)
        Initial state, entries +-1 (not modified).
    seed : int
        Seed of the visiting order.
    max_sweeps : int, optional
        Maximum number of sweeps (default 200).

    Returns
    -------
    s : numpy.ndarray of int8, shape (N,)
        The final state.
    sweeps : int
        Number of sweeps done.
    converged : bool
        Whether a sweep without flip was reached before ``max_sweeps``.
    """
    _check_inputs(X, s0)
    s = np.array(s0, dtype=np.int8, copy=True)
    m = _overlaps(X, s)
    order = np.empty(X.shape[0], dtype=np.int64)
    sweeps, converged, _ = _async_core(X, s, m, np.uint64(seed), max_sweeps, order, np.empty(0, np.int64), 0)
    return s, int(sweeps), bool(converged)


def reference_energy_trajectory(X: np.ndarray, s0: np.ndarray, seed: int, max_sweeps: int = 200, max_flips: int | None = None):
    """:func:`async_energy_trajectory` on the plain int8 rows (reference).

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    s0 : numpy.ndarray, shape (N,)
        Initial state, entries +-1 (not modified).
    seed : int
        Seed of the visiting order.
    max_sweeps : int, optional
        Maximum number of sweeps (default 200).
    max_flips : int, optional
        Number of flips recorded (default 4 N).

    Returns
    -------
    energies : numpy.ndarray of float64, shape (n_flips + 1,)
        E/N of the initial state and after each recorded flip.
    s : numpy.ndarray of int8, shape (N,)
        The final state.
    sweeps : int
        Number of sweeps done.
    converged : bool
        Whether a sweep without flip was reached before ``max_sweeps``.
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


def _batch_state(X: np.ndarray, S0: np.ndarray, seeds):
    """Checked inputs and output arrays of a batch of runs (shared by the fast and reference batches):
    a C-contiguous int8 copy of the starts, one uint64 seed per start, sweep counts and flags."""
    S0 = np.atleast_2d(S0)
    _check_inputs(X, S0)
    S = np.array(S0, dtype=np.int8, copy=True, order="C")
    seeds = np.asarray(seeds, dtype=np.uint64).reshape(-1)
    if seeds.shape[0] != S.shape[0]:
        raise ValueError(f"got {seeds.shape[0]} seeds for {S.shape[0]} starts")
    return S, seeds, np.zeros(S.shape[0], dtype=np.int64), np.zeros(S.shape[0], dtype=np.bool_)


def async_fixed_points(X: np.ndarray, S0: np.ndarray, seeds, max_sweeps: int = 200):
    """R independent runs of :func:`async_fixed_point`, in parallel over cores.

    The pattern matrix is packed once and shared; each run has its own overlap planes (L W words, a few
    kB) and visiting order, and the R runs are one ``prange`` loop: with R >= 2 starts both cores are
    busy for the whole batch (a batch of one start runs on one core). Each run is exactly what the
    single-run kernel (and the int8 reference) gives for the same start and seed, whatever the number
    of threads.

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    S0 : numpy.ndarray, shape (R, N) or (N,)
        Initial states, one per row (not modified).
    seeds : sequence of int
        R seeds of the visiting orders, one per run.
    max_sweeps : int, optional
        Maximum number of sweeps per run (default 200).

    Returns
    -------
    S : numpy.ndarray of int8, shape (R, N)
        The final states.
    sweeps : numpy.ndarray of int64, shape (R,)
        Sweeps done by each run.
    converged : numpy.ndarray of bool, shape (R,)
        Whether each run reached a sweep without flip before ``max_sweeps``.
    """
    S, seeds, sweeps, converged = _batch_state(X, S0, seeds)
    pk = Packed(X)
    _packed_batch(pk.B, pk.r, pk.valid, S, pk.P, pk.L, seeds, max_sweeps, sweeps, converged)
    return S, sweeps, converged


def reference_fixed_points(X: np.ndarray, S0: np.ndarray, seeds, max_sweeps: int = 200):
    """:func:`async_fixed_points` on the plain int8 rows (reference).

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    S0 : numpy.ndarray, shape (R, N) or (N,)
        Initial states, one per row (not modified).
    seeds : sequence of int
        R seeds of the visiting orders, one per run.
    max_sweeps : int, optional
        Maximum number of sweeps per run (default 200).

    Returns
    -------
    S : numpy.ndarray of int8, shape (R, N)
        The final states.
    sweeps : numpy.ndarray of int64, shape (R,)
        Sweeps done by each run.
    converged : numpy.ndarray of bool, shape (R,)
        Whether each run reached a sweep without flip before ``max_sweeps``.
    """
    S, seeds, sweeps, converged = _batch_state(X, S0, seeds)
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
    """Integer overlaps m_mu = sum_i xi_i^mu s_i (not divided by N).

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    s : numpy.ndarray, shape (N,)
        State, entries +-1.

    Returns
    -------
    numpy.ndarray of int32 or int64, shape (P,)
        The overlaps; int32 while N P < 2^31 - 1 (exact), int64 beyond.
    """
    _check_inputs(X, s)
    return _overlaps(X, np.asarray(s, dtype=np.int8))


def local_fields(X: np.ndarray, s: np.ndarray) -> np.ndarray:
    """h_i = sum_{j != i} J_ij s_j for every i, from the overlaps (no N x N coupling matrix).

    Book equation: snr-overlap-form

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    s : numpy.ndarray, shape (N,)
        State, entries +-1.

    Returns
    -------
    numpy.ndarray of float64, shape (N,)
        The local fields h_i = (sum_mu xi_i^mu m_mu - P s_i) / N.
    """
    _check_inputs(X, s)
    s = np.asarray(s, dtype=np.int8)
    return _field_numerators(X, s, _overlaps(X, s)) / X.shape[0]


def energy(X: np.ndarray, s: np.ndarray) -> float:
    """E(s) = -(1/2) s.J s = -(sum_mu m_mu^2 - N P) / (2N).

    Book equation: snr-overlap-form

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    s : numpy.ndarray, shape (N,)
        State, entries +-1.

    Returns
    -------
    float
        The energy E (not divided by N).
    """
    m = overlaps(X, s).astype(np.int64)
    N, P = X.shape
    return -float(np.dot(m, m) - N * P) / (2.0 * N)


def sync_step(X: np.ndarray, s: np.ndarray) -> np.ndarray:
    """One synchronous (parallel) update s_i <- sign(h_i) of all spins; ties keep the spin.

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    s : numpy.ndarray, shape (N,)
        State, entries +-1 (not modified).

    Returns
    -------
    numpy.ndarray of int8, shape (N,)
        The updated state.
    """
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
    """Heat-bath (Glauber) dynamics at temperature T: P(s_i = +1) = (1 + tanh(h_i / T)) / 2.

    Random sequential updates in the visiting order of :func:`sweep_order`, on the bit-packed layout;
    the trajectory is bit-identical to that of :func:`reference_glauber_run`.

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    s0 : numpy.ndarray, shape (N,)
        Initial state, entries +-1 (not modified).
    T : float
        Temperature, T > 0.
    seed : int
        Seed of the visiting order and of the acceptance draws.
    n_sweeps : int
        Number of sweeps (N visits each).

    Returns
    -------
    numpy.ndarray of int8, shape (N,)
        The state after ``n_sweeps`` sweeps.
    """
    _check_inputs(X, s0)
    if not T > 0:
        raise ValueError(f"T={T!r} is not allowed: T must be a real number in (0, inf)")
    pk = Packed(X)
    s = np.array(s0, dtype=np.int8, copy=True)
    Q, tot = pk.planes(s)
    order = np.empty(pk.N, dtype=np.int64)
    _packed_glauber_core(pk.B, pk.r, pk.valid, s, Q, tot, pk.P, np.uint64(seed), 1.0 / T, n_sweeps, order)
    return s


def reference_glauber_run(X: np.ndarray, s0: np.ndarray, T: float, seed: int, n_sweeps: int) -> np.ndarray:
    """:func:`glauber_run` on the plain int8 rows (reference).

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    s0 : numpy.ndarray, shape (N,)
        Initial state, entries +-1 (not modified).
    T : float
        Temperature, T > 0 (not validated here).
    seed : int
        Seed of the visiting order and of the acceptance draws.
    n_sweeps : int
        Number of sweeps.

    Returns
    -------
    numpy.ndarray of int8, shape (N,)
        The state after ``n_sweeps`` sweeps.
    """
    _check_inputs(X, s0)
    s = np.array(s0, dtype=np.int8, copy=True)
    m = _overlaps(X, s)
    order = np.empty(X.shape[0], dtype=np.int64)
    _glauber_core(X, s, m, np.uint64(seed), 1.0 / T, n_sweeps, order)
    return s


def magnetization(s: np.ndarray, s0: np.ndarray) -> float:
    """m = s.s0 / N.

    Parameters
    ----------
    s : numpy.ndarray, shape (N,)
        State, entries +-1.
    s0 : numpy.ndarray, shape (N,)
        Reference state (e.g. a stored pattern).

    Returns
    -------
    float
        The overlap per spin, in [-1, 1].
    """
    return float(np.dot(s.astype(np.int64), s0.astype(np.int64))) / s.shape[0]


# ----------------------------------------------------------------------------- bit-packed engine
_ONES = np.uint64(0xFFFFFFFFFFFFFFFF)


@intrinsic
def _popcount(typingctx, x):
    """Number of set bits of a uint64 (llvm.ctpop: vpopcntq when vectorized on AVX-512 VPOPCNTDQ)."""
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):
        fn = builder.module.declare_intrinsic("llvm.ctpop", [ir.IntType(64)])
        return builder.call(fn, args)

    return sig, codegen


@intrinsic
def _prefetch(typingctx, row, w):
    """Hint the CPU to bring the cache line of ``row[w]`` (a uint64 array) into L1 (llvm.prefetch, read)."""
    sig = types.void(row, w)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        i8p = ir.IntType(8).as_pointer()
        ptr = builder.bitcast(builder.gep(ary.data, [args[1]]), i8p)
        i32 = ir.IntType(32)
        fn = builder.module.declare_intrinsic("llvm.prefetch", fnty=ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]))
        builder.call(fn, [ptr, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


# Rows are visited in a random order, so the hardware prefetcher cannot guess the next one and every
# field waited for its row from L3 or memory: 4.1-4.7e9 word operations per second at N = 8000-64000
# against 1.1e10 on rows already in L1. Asking for the row PREFETCH_AHEAD visits ahead (one hint per
# 64-byte line) while the current field is counted gave 8.7-9.6e9 (2.1-2.3x at N = 8000 and 64000).
PREFETCH_AHEAD = 2


@njit(cache=True, boundscheck=False, inline="always")
def _prefetch_row(B, order, t):
    """Prefetch row ``order[t + PREFETCH_AHEAD]`` of B, if that visit is in this sweep."""
    n = order.shape[0]
    if t + PREFETCH_AHEAD < n:
        row = B[order[t + PREFETCH_AHEAD]]
        for w in range(0, row.shape[0], 8):
            _prefetch(row, w)


def _words(P: int) -> int:
    """Words per packed row: ceil(P / 64) rounded up to a multiple of 8 (one 512-bit vector)."""
    return ((P + 63) // 64 + 7) // 8 * 8


def _n_planes(N: int) -> int:
    """Bit planes of the agreement counts c_mu in [0, N]."""
    return int(N).bit_length()


@njit(cache=True, parallel=True, boundscheck=False)
def _pack_into(X, B):
    """B[i] = the bits [xi_i^mu = +1] of row i, little-endian within each word; padding zero (rows in parallel)."""
    N, P = X.shape
    full = P // 64
    for i in prange(N):
        row = X[i]
        b = B[i]
        for w in range(full):
            v = np.uint64(0)
            base = 64 * w
            for j in range(64):
                v |= np.uint64(row[base + j] > 0) << np.uint64(j)
            b[w] = v
        for w in range(full, B.shape[1]):
            b[w] = 0
        for mu in range(64 * full, P):
            if row[mu] > 0:
                b[mu >> 6] |= np.uint64(1) << np.uint64(mu & 63)


@njit(cache=True, boundscheck=False)
def _row_sums(B, P):
    """r_i = sum_mu xi_i^mu = 2 popcount(B_i) - P."""
    N, W = B.shape
    r = np.empty(N, dtype=np.int64)
    for i in range(N):
        c = np.uint64(0)
        for w in range(W):
            c += _popcount(B[i, w])
        r[i] = 2 * np.int64(c) - P
    return r


@njit(cache=True, boundscheck=False)
def _valid_words(P, W):
    """Word masks of the real lanes mu < P (padding lanes stay zero in every plane)."""
    valid = np.zeros(W, dtype=np.uint64)
    for w in range(W):
        n = min(64, max(0, P - 64 * w))
        if n == 64:
            valid[w] = _ONES
        elif n > 0:
            valid[w] = (np.uint64(1) << np.uint64(n)) - np.uint64(1)
    return valid


@njit(cache=True, boundscheck=False)
def _planes_into(B, s, valid, Q):
    """Bit planes of c_mu = #{i : s_i = xi_i^mu} = (m_mu + N) / 2 into Q (L, W); returns T = sum c_mu.

    Bit-sliced counting: row i adds its agreement bits to the L-bit counters (ripple carry, which
    stops after about two planes on average). Used inside the parallel batch (one per run)."""
    N, W = B.shape
    L = Q.shape[0]
    Q[:, :] = 0
    T = np.int64(0)
    for i in range(N):
        b = B[i]
        pos = s[i] > 0
        for w in range(W):
            c = (b[w] if pos else ~b[w]) & valid[w]
            T += np.int64(_popcount(c))
            k = 0
            while c != 0 and k < L:
                t = Q[k, w] & c
                Q[k, w] ^= c
                c = t
                k += 1
    return T


@njit(cache=True, parallel=True, boundscheck=False)
def _planes_into_parallel(B, s, valid, Q):
    """:func:`_planes_into` with the words split over the cores (8 words, one cache line, per task)."""
    N, W = B.shape
    L = Q.shape[0]
    G = W // 8
    Tg = np.zeros(G, dtype=np.int64)
    for g in prange(G):
        for w in range(8 * g, 8 * g + 8):
            for k in range(L):
                Q[k, w] = 0
        tg = np.int64(0)
        for i in range(N):
            b = B[i]
            pos = s[i] > 0
            for w in range(8 * g, 8 * g + 8):
                c = (b[w] if pos else ~b[w]) & valid[w]
                tg += np.int64(_popcount(c))
                k = 0
                while c != 0 and k < L:
                    t = Q[k, w] & c
                    Q[k, w] ^= c
                    c = t
                    k += 1
        Tg[g] = tg
    return Tg.sum()


@njit(cache=True, boundscheck=False)
def _counts_from_planes(Q, P):
    """c_mu decoded from the planes, int64 (P,)."""
    L = Q.shape[0]
    c = np.zeros(P, dtype=np.int64)
    for k in range(L):
        for mu in range(P):
            c[mu] |= np.int64((Q[k, mu >> 6] >> np.uint64(mu & 63)) & np.uint64(1)) << k
    return c


@njit(cache=True, boundscheck=False, inline="always")
def _field_sum(b, Q):
    """A = sum_k 2^k popcount(b & Q_k) = sum over the lanes mu with xi^mu = +1 of c_mu.

    Eight planes per pass over the words, then four, then one (L = 13 at N = 8000: three passes, each
    word of b loaded three times instead of four, one horizontal reduction per pass; about a quarter
    faster than passes of four); the word loop is the vectorized one."""
    L, W = Q.shape
    A = np.int64(0)
    k = 0
    while k + 8 <= L:
        q0 = Q[k]
        q1 = Q[k + 1]
        q2 = Q[k + 2]
        q3 = Q[k + 3]
        q4 = Q[k + 4]
        q5 = Q[k + 5]
        q6 = Q[k + 6]
        q7 = Q[k + 7]
        acc = np.uint64(0)
        for w in range(W):
            x = b[w]
            acc += (_popcount(x & q0[w]) + (_popcount(x & q1[w]) << np.uint64(1))
                    + (_popcount(x & q2[w]) << np.uint64(2)) + (_popcount(x & q3[w]) << np.uint64(3))
                    + (_popcount(x & q4[w]) << np.uint64(4)) + (_popcount(x & q5[w]) << np.uint64(5))
                    + (_popcount(x & q6[w]) << np.uint64(6)) + (_popcount(x & q7[w]) << np.uint64(7)))
        A += np.int64(acc) << k
        k += 8
    while k + 4 <= L:
        q0 = Q[k]
        q1 = Q[k + 1]
        q2 = Q[k + 2]
        q3 = Q[k + 3]
        acc = np.uint64(0)
        for w in range(W):
            x = b[w]
            acc += (_popcount(x & q0[w]) + (_popcount(x & q1[w]) << np.uint64(1))
                    + (_popcount(x & q2[w]) << np.uint64(2)) + (_popcount(x & q3[w]) << np.uint64(3)))
        A += np.int64(acc) << k
        k += 4
    while k < L:
        q = Q[k]
        acc = np.uint64(0)
        for w in range(W):
            acc += _popcount(b[w] & q[w])
        A += np.int64(acc) << k
        k += 1
    return A


@njit(cache=True, boundscheck=False, inline="always")
def _packed_numerator(b, Q, T, N, P, r_i, si):
    """N h_i = sum_mu xi_i^mu m_mu - P s_i = 4 A_i - 2 T - N r_i - P s_i (exact, int64)."""
    return 4 * _field_sum(b, Q) - 2 * T - np.int64(N) * r_i - np.int64(P) * si


@njit(cache=True, boundscheck=False, inline="always")
def _packed_flip(b, Q, valid, new):
    """c_mu += new * xi_i^mu for every mu: +1 on the lanes where xi_i^mu = new, -1 elsewhere."""
    L, W = Q.shape
    for w in range(W):
        up = b[w] if new > 0 else ~b[w]
        c = valid[w]
        for k in range(L):
            p = Q[k, w]
            Q[k, w] = p ^ c
            c &= ~(p ^ up)


@njit(cache=True, boundscheck=False)
def _packed_async_core(B, r, valid, s, Q, T, P, seed, max_sweeps, order, energy_trace, e_num):
    """The bit-packed twin of :func:`_async_core` (same visiting order, same decisions)."""
    N = B.shape[0]
    trace_len = 0
    if energy_trace.shape[0] > 0:
        energy_trace[0] = e_num
        trace_len = 1
    for sweep in range(max_sweeps):
        _fill_order(seed, sweep, order)
        flips = 0
        for t in range(N):
            i = order[t]
            _prefetch_row(B, order, t)
            b = B[i]
            si = np.int64(s[i])
            h = _packed_numerator(b, Q, T, N, P, r[i], si)
            if h == 0:
                continue
            new = 1 if h > 0 else -1
            if new != si:
                s[i] = new
                T += new * r[i]
                _packed_flip(b, Q, valid, new)
                flips += 1
                if trace_len > 0 and trace_len < energy_trace.shape[0]:
                    e_num -= 4 * abs(h)
                    energy_trace[trace_len] = e_num
                    trace_len += 1
        if flips == 0:
            return sweep + 1, True, trace_len
    return max_sweeps, False, trace_len


@njit(cache=True, boundscheck=False)
def _packed_glauber_core(B, r, valid, s, Q, T, P, seed, beta, n_sweeps, order):
    """The bit-packed twin of :func:`_glauber_core` (same random numbers, same integer fields)."""
    N = B.shape[0]
    state = _stream(seed ^ _GLAUBER_SALT, 0)
    for sweep in range(n_sweeps):
        _fill_order(seed, sweep, order)
        for t in range(N):
            i = order[t]
            _prefetch_row(B, order, t)
            b = B[i]
            si = np.int64(s[i])
            h = _packed_numerator(b, Q, T, N, P, r[i], si) / N
            state, z = _splitmix64(state)
            u = (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)
            new = 1 if u < 0.5 * (1.0 + np.tanh(beta * h)) else -1
            if new != si:
                s[i] = new
                T += new * r[i]
                _packed_flip(b, Q, valid, new)


@njit(cache=True, parallel=True, boundscheck=False)
def _packed_batch(B, r, valid, S, P, L, seeds, max_sweeps, sweeps, converged):
    """R independent runs, one per prange iteration (each with its own planes and order)."""
    R = S.shape[0]
    N, W = B.shape
    for j in prange(R):
        s = S[j]
        Q = np.empty((L, W), dtype=np.uint64)
        T = _planes_into(B, s, valid, Q)
        order = np.empty(N, dtype=np.int64)
        sw, cv, _ = _packed_async_core(B, r, valid, s, Q, T, P, seeds[j], max_sweeps, order, np.empty(0, np.int64), np.int64(0))
        sweeps[j] = sw
        converged[j] = cv


@njit(cache=True, parallel=True, boundscheck=False)
def _packed_fields(B, r, s, Q, T, P):
    """N h_i for every i (all fields of one state), rows in parallel."""
    N = B.shape[0]
    H = np.empty(N, dtype=np.int64)
    for i in prange(N):
        H[i] = _packed_numerator(B[i], Q, T, N, P, r[i], np.int64(s[i]))
    return H


class Packed:
    """The packed layout of a pattern matrix X (N, P) int8: B (N, W) uint64, row sums r, lane masks.

    Bit mu of row i of ``B`` is set iff xi_i^mu = +1; W = P/64 words rounded up to a multiple of 8
    (zero padding); ``r_i = sum_mu xi_i^mu``; ``valid`` masks the real lanes mu < P; ``L`` is the
    number of bit planes of the agreement counts c_mu in [0, N].

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        C-contiguous spin-major +-1 patterns.
    """

    __slots__ = ("N", "P", "W", "L", "B", "r", "valid")

    def __init__(self, X: np.ndarray):
        if X.dtype != np.int8 or X.ndim != 2 or not X.flags.c_contiguous:
            raise ValueError("X must be a C-contiguous int8 array of shape (N, P) (spin-major patterns)")
        self.N, self.P = X.shape
        self.W = _words(self.P)
        self.L = _n_planes(self.N)
        self.B = np.empty((self.N, self.W), dtype=np.uint64)
        _pack_into(X, self.B)
        self.r = _row_sums(self.B, self.P)
        self.valid = _valid_words(self.P, self.W)

    def planes(self, s: np.ndarray):
        """(Q, T): the overlap planes of state s and T = sum_mu c_mu.

        Plane k of Q holds bit k of the agreement counts c_mu = (m_mu + N) / 2; counted with the words
        split over the cores.

        Parameters
        ----------
        s : numpy.ndarray, shape (N,)
            State, entries +-1.

        Returns
        -------
        Q : numpy.ndarray of uint64, shape (L, W)
            The bit planes.
        T : numpy.int64
            The total agreement count sum_mu c_mu.
        """
        Q = np.empty((self.L, self.W), dtype=np.uint64)
        T = _planes_into_parallel(self.B, np.asarray(s, dtype=np.int8), self.valid, Q)
        return Q, np.int64(T)

    def nbytes(self) -> int:
        """Bytes held by the packed patterns, the row sums and the lane masks.

        Returns
        -------
        int
            ``B.nbytes + r.nbytes + valid.nbytes``.
        """
        return self.B.nbytes + self.r.nbytes + self.valid.nbytes


def packed_bytes(N: int, P: int, starts: int = 1) -> int:
    """Bytes the packed dynamics holds: patterns N W 8, row sums 8 N, and per run L W 8 planes + 8 N order.

    Also counts the lane masks (8 W) and N bytes of state per run.

    Parameters
    ----------
    N : int
        Number of spins.
    P : int
        Number of patterns.
    starts : int, optional
        Number of runs held at once (default 1).

    Returns
    -------
    int
        The number of bytes.
    """
    W, L = _words(P), _n_planes(N)
    return 8 * N * W + 8 * N + 8 * W + starts * (8 * L * W + 8 * N + N)


# One run uses both cores (_packed_async_blocks) only from this size on. At N = 8000 the second core
# gained nothing on a quiet 2-core machine (1.2-1.5 ms per sweep against 1.3-1.4 ms on one core), and
# with more threads than free cores (two chapters executing at a time, other jobs) every block waits
# for a descheduled thread: measured 100 ms per sweep against 5 ms serial under a load of 19 on two
# cores. The serial kernel gives the same trajectory. The two-core kernel is kept for runs beyond the
# book's sizes (N >= 2^17), where the fields of a block are long enough to split (not measured here).
_PARALLEL_MIN_N = 1 << 17
_BLOCK = 256  # visits whose fields are computed together (in parallel) before they are decided in order (measured best of 128-8000 at N = 8000)


@njit(cache=True, boundscheck=False, inline="always")
def _pair_overlap(a, b, P):
    """sum_mu xi_i^mu xi_j^mu = P - 2 popcount(B_i ^ B_j) (padding bits are zero in both rows)."""
    d = np.uint64(0)
    for w in range(a.shape[0]):
        d += _popcount(a[w] ^ b[w])
    return np.int64(P) - 2 * np.int64(d)


@njit(cache=True, parallel=True, boundscheck=False)
def _packed_async_blocks(B, r, valid, s, Q, T, P, seed, max_sweeps, order, block):
    """One run of :func:`_packed_async_core` (same visits, same decisions) with both cores on the fields.

    Each sweep is cut into blocks of ``_BLOCK`` consecutive visits. The fields of a block are
    computed in parallel from the planes at the start of the block; the block is then decided in
    visiting order, each field corrected exactly for the spins flipped earlier in the block
    (a flip of j adds 2 s_j xi_i.xi_j, one XOR+POPCNT per word) or, once more than L spins have
    flipped in the block, recomputed from the current planes. A spin is visited once per sweep, so
    its own -P s_i term is still that of the block start. Integer arithmetic throughout: the
    trajectory is the sequential one, whatever the number of threads.
    """
    N = B.shape[0]
    L = Q.shape[0]
    H = np.empty(block, dtype=np.int64)
    flipped = np.empty(block, dtype=np.int64)
    for sweep in range(max_sweeps):
        _fill_order(seed, sweep, order)
        flips = 0
        for t0 in range(0, N, block):
            nb = min(block, N - t0)
            for j in prange(nb):
                i = order[t0 + j]
                H[j] = _packed_numerator(B[i], Q, T, N, P, r[i], np.int64(s[i]))
            nf = 0
            for j in range(nb):
                i = order[t0 + j]
                b = B[i]
                si = np.int64(s[i])
                if nf > L:
                    h = _packed_numerator(b, Q, T, N, P, r[i], si)
                else:
                    h = H[j]
                    for f in range(nf):
                        k = flipped[f]
                        h += 2 * np.int64(s[k]) * _pair_overlap(b, B[k], P)
                if h == 0:
                    continue
                new = 1 if h > 0 else -1
                if new != si:
                    s[i] = new
                    T += new * r[i]
                    _packed_flip(b, Q, valid, new)
                    flipped[nf] = i
                    nf += 1
            flips += nf
        if flips == 0:
            return sweep + 1, True
    return max_sweeps, False
