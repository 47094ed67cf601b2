"""Softmax update throughput: streamed patterns (generated on the fly) vs numpy on materialized patterns.

Throughput is pattern entries (patterns x dimensions) per second for one update of K states,
generation included in both: the baseline draws the (P, N) Gaussian matrix with numpy and applies
the update with matrix products; hopcore regenerates the patterns chunk by chunk inside the kernel.
The limit is the generator alone: the same chunks drawn over the same cores, nothing else done
(``entries_per_s_generator``, measured in the same run), and ``hopcore_over_generator`` is the
fraction of that limit the update reaches.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit, prange

from hopcore.dynamics import softmax
from hopcore.ensembles import continuous
from hopcore.ensembles.continuous import n_patterns


def _numpy_update(N, P, seed, X, lam):
    Xi = np.random.default_rng(seed).standard_normal((P, N))
    Z = lam[:, None] * (X @ Xi.T)
    Z -= Z.max(axis=1, keepdims=True)
    A = np.exp(Z)
    A /= A.sum(axis=1, keepdims=True)
    return A @ Xi


@njit(cache=True, parallel=True)
def _generate_only(N, P, seed, kind, f32, zx, zf, r, gen):
    """Draw the P streamed patterns chunk by chunk, chunks over the cores, as the update does; keep
    only a checksum per chunk."""
    n_chunks = -(-P // gen)
    out = np.zeros(n_chunks)
    for c in prange(n_chunks):
        buf = np.empty(N)
        state = continuous.chunk_key(seed, c)
        acc = 0.0
        for _ in range(min(gen, P - c * gen)):
            state = continuous.next_pattern(state, buf, kind, f32, zx, zf, r)
            acc += buf[0]
        out[c] = acc
    return out


def _generator(N, P, seed):
    return _generate_only(N, P, seed, continuous.check_kind("gaussian"), False, continuous._ZX, continuous._ZF, continuous._ZR, continuous.GEN_CHUNK)


def _best(fn, repeats):
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run(quick: bool) -> list[dict]:
    out = []
    N, alpha = (50, 0.2) if quick else (60, 0.2)
    P = n_patterns(alpha, N)
    for K in (1, 8):
        X = np.random.default_rng(0).standard_normal((K, N))
        lam = np.linspace(0.3, 1.0, K)
        softmax.softmax_update(X, lam, 5000, 1, "gaussian")  # compile
        _generator(N, 5000, 1)  # compile
        base = _best(lambda: _numpy_update(N, P, 1, X, lam), 2)
        hop = _best(lambda: softmax.softmax_update(X, lam, P, 1, "gaussian"), 3)
        gen = _best(lambda: _generator(N, P, 1), 3)
        out.append({
            "name": f"dense_softmax_update_K{K}",
            "params": {"N": N, "P": P, "K": K, "kind": "gaussian"},
            "baseline": "numpy: draw the (P, N) patterns, then softmax update with matrix products",
            "baseline_s": base,
            "hopcore_s": hop,
            "speedup": base / hop,
            "entries_per_s_hopcore": N * P / hop,
            "entries_per_s_baseline": N * P / base,
            "entries_per_s_generator": N * P / gen,
            "hopcore_over_generator": gen / hop,
            "baseline_memory_bytes": 8 * N * P,
        })
    out.extend(_paper_chapter_time())
    return out


def _paper_chapter_time() -> list[dict]:
    """Wall time of the last paper-profile run of the simulation chapter, as the chapter recorded it in
    ``timing.json`` next to its summary (``$HOPCORE_DENSE_SIM_TIMINGS``, default
    _build/results/dense_simulations/timing.json)."""
    import json
    import os
    from pathlib import Path

    default = Path(__file__).resolve().parents[1] / "_build/results/dense_simulations/timing.json"
    path = Path(os.environ.get("HOPCORE_DENSE_SIM_TIMINGS", default))
    if not path.exists():
        return []
    timings = json.loads(path.read_text())
    if timings.get("profile") != "paper" and "HOPCORE_DENSE_SIM_TIMINGS" not in os.environ:
        return []
    per_real = timings.get("spherical_seconds_per_realization", {})
    return [{
        "name": "dense_simulations_paper_wall",
        "params": {"profile": timings.get("profile"), "N_max": max(map(int, per_real)) if per_real else None},
        "baseline": "none (chapter wall time, simulations only, as recorded by the chapter)",
        "baseline_s": float("nan"),
        "hopcore_s": timings.get("wall_time_s"),
        "speedup": float("nan"),
        "parts_s": {k: v for k, v in timings.items() if k.endswith("_s") and k != "wall_time_s"},
        "seconds_per_realization_at_N_max": per_real.get(str(max(map(int, per_real)))) if per_real else None,
        "source": str(path),
    }]
