"""Asynchronous zero-T dynamics: hopcore's bit-packed kernel vs a numpy J-matrix baseline.

``dynamics``: same network, same start (a pattern with 10% of its bits flipped), same visiting order
(hopcore's seeded permutations), same fixed point. The baseline builds J = X X^T / N with BLAS
(float32, zero diagonal), then sweeps in Python with the local fields updated on every flip
(h += 2 s_i J[:, i]). The plain int8 overlap kernel (the tests' reference) is timed in the same run.

``field_pass``: all N fields of one state, hopcore's packed kernel (the layout prepared once, both
cores) against numpy ``X.astype(np.int32) @ m`` and the int8 kernel. GMAC/s counts N P
multiply-accumulates per field pass (what the products xi_i^mu m_mu would cost).
"""

from __future__ import annotations

import math
import time

import numpy as np
from numba import njit, prange

from hopcore.dynamics import asynchronous
from hopcore.dynamics.asynchronous import async_fixed_point, sweep_order
from hopcore.ensembles.binary import binary_patterns, flip_fraction
from hopcore.validation import memory_limit_bytes


def numpy_baseline(X, s0, seed, max_sweeps=500):
    N = X.shape[0]
    Xf = X.astype(np.float32)
    J = Xf @ Xf.T
    J /= N
    np.fill_diagonal(J, 0.0)
    del Xf
    s = s0.astype(np.float32)
    h = J @ s
    for sweep in range(max_sweeps):
        flips = 0
        for i in sweep_order(seed, sweep, N):
            hi = h[i]
            if hi == 0:
                continue
            new = 1.0 if hi > 0 else -1.0
            if new != s[i]:
                h += (new - s[i]) * J[:, i]  # J symmetric: column i is row i
                s[i] = new
                flips += 1
        if flips == 0:
            return s.astype(np.int8), sweep + 1
    return s.astype(np.int8), max_sweeps


@njit(cache=True, parallel=True)
def _read_pass(X64):
    """One read of a matrix (viewed as uint64 words): XOR of every word, rows in parallel."""
    n, w = X64.shape
    out = np.zeros(n, dtype=np.uint64)
    for i in prange(n):
        acc = np.uint64(0)
        for j in range(w):
            acc ^= X64[i, j]
        out[i] = acc
    return out


def _best(fn, repeats=5):
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def run(quick: bool = False) -> list[dict]:
    N = 2000 if quick else 8000
    alpha = 0.5
    P = int(alpha * N)
    X = binary_patterns(N, P, seed=1)
    s0 = flip_fraction(X[:, 0], 0.1, seed=2)
    small = X[:50, :5].copy()
    async_fixed_point(small, s0[:50], seed=3)  # compile outside the timing
    asynchronous.reference_fixed_point(small, s0[:50], seed=3)
    _read_pass(np.zeros((2, 2), np.uint64))

    t = time.perf_counter()
    s_h, sweeps, conv = async_fixed_point(X, s0, seed=3, max_sweeps=500)
    t_hop = time.perf_counter() - t

    # the sweeps alone, on the layout prepared outside the timing (packing and planes are O(N P) once)
    t = time.perf_counter()
    pk = asynchronous.Packed(X)
    s = s0.copy()
    Q, T = pk.planes(s)
    t_setup = time.perf_counter() - t
    order = np.empty(N, dtype=np.int64)
    t = time.perf_counter()
    sw2, _ = asynchronous._packed_async_blocks(pk.B, pk.r, pk.valid, s, Q, T, P, np.uint64(3), 500, order, asynchronous._BLOCK)
    t_sweeps = time.perf_counter() - t
    s = s0.copy()
    Q, T = pk.planes(s)
    t = time.perf_counter()
    sw3, _, _ = asynchronous._packed_async_core(pk.B, pk.r, pk.valid, s, Q, T, P, np.uint64(3), 500, order, np.empty(0, np.int64), np.int64(0))
    t_sweeps_1 = time.perf_counter() - t

    t = time.perf_counter()
    s_r, sweeps_r, _ = asynchronous.reference_fixed_point(X, s0, seed=3, max_sweeps=500)
    t_ref = time.perf_counter() - t

    t = time.perf_counter()
    s_b, sweeps_b = numpy_baseline(X, s0, seed=3)
    t_base = time.perf_counter() - t

    # one read of the N x P int8 matrix (the traffic floor of an int8 sweep), best of 5
    X64 = X.view(np.uint64) if P % 8 == 0 else None
    t_pass = _best(lambda: _read_pass(X64)) if X64 is not None else float("nan")
    t_pass_packed = _best(lambda: _read_pass(pk.B))

    limit = memory_limit_bytes()
    a_c = 0.14
    n_max_int8 = int(math.sqrt(limit / a_c))  # N x (a_c N) int8 patterns
    n_max_packed = _largest_n(lambda n: asynchronous.packed_bytes(n, int(a_c * n)), limit)
    n_max_J = int(math.sqrt(limit / 4.0))  # N x N float32 couplings
    macs = float(N) * P
    entries = [
        {
            "name": "dynamics",
            "params": {"N": N, "alpha": alpha, "P": P, "start": "pattern with 10% bits flipped"},
            "baseline": "numpy: J = X X^T/N by BLAS (float32, zero diagonal) + Python asynchronous sweeps, fields updated on each flip",
            "baseline_s": t_base,
            "hopcore_s": t_hop,
            "speedup": t_base / t_hop,
            "same_fixed_point": bool(np.array_equal(s_h, s_b) and np.array_equal(s_h, s_r)),
            "sweeps": sweeps,
            "sweeps_baseline": sweeps_b,
            "sweeps_int8_reference": sweeps_r,
            "converged": conv,
            "setup_s": t_setup,
            "sweep_s": t_sweeps / sw2,
            "one_pass_s": t_pass,
            "sweep_over_one_pass": (t_sweeps / sw2) / t_pass,
            "packed_pass_s": t_pass_packed,
            "field_GMACs": macs * sw2 / t_sweeps / 1e9,
            "sweep_one_core_s": t_sweeps_1 / sw3,
            "field_GMACs_one_core": macs * sw3 / t_sweeps_1 / 1e9,
            "int8_reference_s": t_ref,
            "int8_reference_sweep_s": t_ref / sweeps_r,
            "int8_reference_field_GMACs": macs * sweeps_r / t_ref / 1e9,
            "speedup_over_int8_reference": t_ref / t_hop,
            "memory_limit_GiB": limit / 2**30,
            "largest_N_packed_at_alpha_0.14": n_max_packed,
            "largest_N_int8_at_alpha_0.14": n_max_int8,
            "largest_N_J_matrix_float32": n_max_J,
        }
    ]
    entries[0].update(_measured_memory(24000 if quick else 40000, a_c))
    entries.append(_field_pass(X, s0, pk))
    entries.append(_visit_order_fields(quick))
    return entries


@njit(cache=True, boundscheck=False)
def _fields_in_order(B, r, s, Q, T, P, order, prefetch):
    """The N fields of one sweep in visiting order, one core (the field part of a sweep, no flips)."""
    N = B.shape[0]
    acc = np.int64(0)
    for t in range(N):
        i = order[t]
        if prefetch:
            asynchronous._prefetch_row(B, order, t)
        acc += asynchronous._packed_numerator(B[i], Q, T, N, P, r[i], np.int64(s[i]))
    return acc


def _visit_order_fields(quick):
    """Fields of one sweep in a random visiting order, with the rows prefetched ahead (as the kernels
    do) against the same loop without the hint; one core, and the rows on L1 as the ceiling."""
    N, P = (16000, 2240) if quick else (64000, 8960)  # alpha = 0.14, the capacity scans' largest size
    X = binary_patterns(N, P, seed=7)
    pk = asynchronous.Packed(X)
    s = flip_fraction(X[:, 0], 0.1, seed=8)
    Q, T = pk.planes(s)
    order = sweep_order(9, 0, N)
    same = _fields_in_order(pk.B, pk.r, s, Q, T, P, order, True) == _fields_in_order(pk.B, pk.r, s, Q, T, P, order, False)
    t_pf = _best(lambda: _fields_in_order(pk.B, pk.r, s, Q, T, P, order, True))
    t_no = _best(lambda: _fields_in_order(pk.B, pk.r, s, Q, T, P, order, False))
    hot = np.arange(N, dtype=np.int64) % 16  # every visit on the same 16 rows: they stay in L1
    t_l1 = _best(lambda: _fields_in_order(pk.B, pk.r, s, Q, T, P, hot, False))
    words = float(N) * pk.L * pk.W
    return {
        "name": "field_prefetch",
        "params": {"N": N, "P": P, "threads": 1},
        "baseline": "the same fields in the same random order without the prefetch hint",
        "baseline_s": t_no,
        "hopcore_s": t_pf,
        "speedup": t_no / t_pf,
        "same_fields": bool(same),
        "word_ops_per_s": words / t_pf,
        "word_ops_per_s_baseline": words / t_no,
        "word_ops_per_s_rows_in_L1": words / t_l1,
        "fraction_of_L1_rate": t_l1 / t_pf,
    }


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _measured_memory(N, a_c):
    """Resident memory added by the packed layout and one run's planes at a smaller N, against
    :func:`packed_bytes` (the formula the largest-N figure uses)."""
    P = int(a_c * N)
    X = binary_patterns(N, P, seed=5)
    s = X[:, 0].copy()
    before = _rss()
    pk = asynchronous.Packed(X)
    Q, T = pk.planes(s)
    grown = _rss() - before
    return {"memory_check_N": N, "memory_check_measured_bytes": grown,
            "memory_check_formula_bytes": asynchronous.packed_bytes(N, P) - 9 * N}  # the run's order array is not allocated here


def _largest_n(nbytes, limit):
    lo, hi = 1, 1 << 24
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if nbytes(mid) <= limit else (lo, mid)
    return lo


def _field_pass(X, s, pk):
    N, P = X.shape
    m = asynchronous._overlaps(X, s)
    Q, T = pk.planes(s)
    H = asynchronous._packed_fields(pk.B, pk.r, s, Q, T, P)
    Hn = X.astype(np.int32) @ m.astype(np.int32) - P * s.astype(np.int32)
    same = bool(np.array_equal(H, Hn) and np.array_equal(H, asynchronous._field_numerators(X, s, m)))
    t_hop = _best(lambda: asynchronous._packed_fields(pk.B, pk.r, s, Q, T, P))
    t_np = _best(lambda: X.astype(np.int32) @ m, 3)
    t_int8 = _best(lambda: asynchronous._field_numerators(X, s, m))
    t_pack = _best(lambda: asynchronous.Packed(X), 3)
    macs = float(N) * P
    return {
        "name": "field_pass",
        "params": {"N": N, "P": P},
        "baseline": "numpy: X.astype(np.int32) @ m",
        "baseline_s": t_np,
        "hopcore_s": t_hop,
        "speedup": t_np / t_hop,
        "same_fields": same,
        "hopcore_GMACs": macs / t_hop / 1e9,
        "baseline_GMACs": macs / t_np / 1e9,
        "int8_kernel_s": t_int8,
        "int8_kernel_GMACs": macs / t_int8 / 1e9,
        "pack_s": t_pack,
        "note": "hopcore on the packed layout (built once per pattern matrix, pack_s) over both cores",
    }
