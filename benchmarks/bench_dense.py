"""Softmax update throughput: streamed patterns (generated on the fly) vs numpy on materialized patterns.

Throughput is pattern entries (patterns x dimensions) per second for one update of K states,
generation included in both: the baseline draws the (P, N) Gaussian matrix with numpy and applies
the update with matrix products; hopcore regenerates the patterns chunk by chunk inside the kernel.
The limit is the generator alone: the same chunks drawn over the same cores, nothing else done
(``entries_per_s_generator``, measured in the same run), and ``hopcore_over_generator`` is the
fraction of that limit the update reaches.

The paper-scale entries (``dense_threshold_N80_spherical_passes``, ``dense_threshold_N70_gaussian``,
``dense_scaled_retrieval_N625``) run one realization of each paper-size simulation with the dense
kernels of an earlier commit (read from git) and with hopcore, in the same run, and say whether the
results are identical bit for bit.
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
    out.extend(_paper_scale(quick))
    out.extend(_paper_chapter_time())
    return out


# ----------------------------------------------------------------------------- paper-size simulations against the code before the blocked kernels
BASELINE_COMMIT = "823766a"  # the dense kernels before the blocked dot products / sums and the shared loads
_OLD_FILES = {"ensembles/continuous.py": "hopcore/ensembles/continuous.py",
              "dynamics/softmax.py": "hopcore/dynamics/softmax.py",
              "experiments/dense.py": "hopcore/experiments/dense.py"}


def _old_dense_code():
    """The dense modules as of ``BASELINE_COMMIT``, read from git into a private package (None without git).

    They import hopcore's validation, seeds and theory unchanged. The old generator is compiled on its
    own first, as the simulations compile it (before that commit a kernel compiled first would pass its
    fastmath flags on to the generator).
    """
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    root = Path(tempfile.gettempdir()) / f"hopcore-bench-dense-{BASELINE_COMMIT}"
    pkg = root / "hopcore_dense_old"
    try:
        for rel, src in _OLD_FILES.items():
            text = subprocess.run(["git", "-C", str(repo), "show", f"{BASELINE_COMMIT}:{src}"], capture_output=True,
                                  text=True, check=True).stdout
            text = text.replace("from .runner import derive_seed", "from hopcore.experiments.runner import derive_seed")
            path = pkg / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
    except (OSError, subprocess.CalledProcessError):
        return None
    (pkg / "__init__.py").write_text("from hopcore import validation  # noqa: F401\n")
    (pkg / "ensembles" / "__init__.py").write_text("")
    (pkg / "dynamics" / "__init__.py").write_text("")
    (pkg / "experiments" / "__init__.py").write_text("")
    (pkg / "theory").mkdir(exist_ok=True)
    (pkg / "theory" / "__init__.py").write_text("from hopcore.theory import dense_memory  # noqa: F401\n")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    import importlib

    dense_old = importlib.import_module("hopcore_dense_old.experiments.dense")
    softmax_old = importlib.import_module("hopcore_dense_old.dynamics.softmax")
    continuous_old = importlib.import_module("hopcore_dense_old.ensembles.continuous")
    continuous_old.continuous_patterns(3, 1, 1, "spherical")
    return dense_old, softmax_old


def _cpu_and_wall(fn):
    c0, t0 = time.process_time(), time.perf_counter()
    res = fn()
    return res, time.perf_counter() - t0, time.process_time() - c0


def _same(a: dict, b: dict) -> bool:
    def eq(x, y):
        x, y = np.asarray(x), np.asarray(y)
        return np.array_equal(x, y, equal_nan=x.dtype.kind == "f" and y.dtype.kind == "f")

    return all(eq(a[k], b[k]) for k in a if k != "seconds")


def _paper_scale(quick: bool) -> list[dict]:
    """One realization of each paper-size dense simulation, old code and hopcore in the same run.

    - the threshold search at N = 80 (spherical, alpha = 0.2, P = 8.9e6), its first ``passes`` passes
      (of about 10; every pass costs about the same: the P patterns for up to 8 runs);
    - one whole threshold search at N = 70 (Gaussian, P = 1.2e6);
    - one realization of the scaled dot-product simulation at N = 625 (lam_t = 0.5, its 13 loads).
    Windows and seeds are those of the paper build. ``identical`` says whether every returned array is
    bit for bit the old one. Times are wall and CPU (process) seconds; CPU time is the fairer measure
    on a shared machine.
    """
    old = _old_dense_code()
    if old is None:
        return []
    dense_old, softmax_old = old
    from hopcore.experiments import dense as dense_new

    fr = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]
    N80 = 60 if quick else 80
    P80 = n_patterns(0.2, N80)
    cases = [
        ("dense_threshold_N80_spherical_passes", {"N": N80, "P": P80, "kind": "spherical", "passes": 4},
         lambda m: m.retrieval_threshold(N80, P80, 7286530226878429490, "spherical", lam_lo=0.277204, lam_hi=0.284204,
                                         resolution=1e-3, max_passes=4)),
        ("dense_threshold_N70_gaussian", {"N": 50 if quick else 70, "kind": "gaussian", "realizations": 1},
         lambda m: m.threshold_run(50 if quick else 70, 0.2, "gaussian", 0.134044, 0.405765, 197406743885237429,
                                   resolution=5e-3)),
        ("dense_scaled_retrieval_N625", {"N": 400 if quick else 625, "lam_t": 0.5, "loads": len(fr)},
         lambda m: m.scaled_retrieval_run(400 if quick else 625, 0.5, [round(0.5 * f, 6) for f in fr], 12345, a=0.5,
                                          eps=0.5, tol=1e-6, max_iter=60, max_entries=1.5e7)),
    ]
    small = {"N": 20, "P": 5000}
    softmax_old.retrieval_threshold(small["N"], small["P"], 1, "gaussian", lam_lo=0.2, lam_hi=0.5)  # compile
    softmax.retrieval_threshold(small["N"], small["P"], 1, "gaussian", lam_lo=0.2, lam_hi=0.5)
    dense_old.scaled_retrieval_run(36, 1.0, [0.3, 0.6], 1)
    dense_new.scaled_retrieval_run(36, 1.0, [0.3, 0.6], 1)
    out = []
    for name, params, call in cases:
        mod_old = softmax_old if "N80" in name else dense_old
        mod_new = softmax if "N80" in name else dense_new
        a, base_wall, base_cpu = _cpu_and_wall(lambda: call(mod_old))
        b, hop_wall, hop_cpu = _cpu_and_wall(lambda: call(mod_new))
        out.append({
            "name": name,
            "params": params,
            "baseline": f"the dense kernels of {BASELINE_COMMIT} (one row per sweep, one pass per load), same run",
            "baseline_s": base_wall,
            "hopcore_s": hop_wall,
            "speedup": base_wall / hop_wall,
            "baseline_cpu_s": base_cpu,
            "hopcore_cpu_s": hop_cpu,
            "speedup_cpu": base_cpu / hop_cpu,
            "identical": _same(a, b),
        })
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
