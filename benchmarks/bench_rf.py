"""Random-features model: one simulated point and the replica lines, against plain baselines.

- ``rf_point``: build F, the coefficients and the P = alpha N examples, then run the asynchronous
  dynamics from one feature to its fixed point. Baseline: the same with numpy, through the N x N
  coupling matrix J = X X^T / N (float32 BLAS) and a Python loop of J-row dot products in the same
  visiting order.
- ``rf_theory_line`` (storage line, 60 alpha_D) and ``spinodal_line`` (3-mixture spinodal, 60
  alpha): hopcore's compiled damped iteration with closed-form Gaussian averages vs the naive
  approach: the same continuation + bisection, but every fixed-point update computes its Gaussian
  averages by adaptive quadrature (scipy.integrate.quad, nested inside the sum over zeta) and runs
  through the toolkit's Python damped_iteration. Both run the same algorithm, so the naive line costs
  (seconds per naive map evaluation) x (map evaluations of the line); see :func:`_line_entry`.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import integrate

from hopcore.dynamics.asynchronous import async_fixed_point, sweep_order
from hopcore.ensembles.random_features import rf_coefficients, rf_examples, rf_features
from hopcore.solvers import binomial_mixture, damped_iteration, locate_jump
from hopcore.theory import random_features as rf


def _numpy_point(N, D, P, seed):
    rng = np.random.default_rng(seed)
    F = rng.choice(np.array([-1, 1], dtype=np.int8), size=(N, D))
    C = rng.standard_normal((D, P))
    X = np.where(F @ C >= 0, 1, -1).astype(np.float32)
    J = X @ X.T / N
    np.fill_diagonal(J, 0.0)
    s = F[:, 0].astype(np.float32).copy()
    for sweep in range(200):
        flips = 0
        for i in sweep_order(seed, sweep, N):
            h = J[i] @ s
            if h != 0 and (h > 0) != (s[i] > 0):
                s[i] = -s[i]
                flips += 1
        if flips == 0:
            break
    return float(s @ F[:, 0]) / N, sweep + 1


def _hopcore_point(N, D, P, seed):
    F = rf_features(N, D, seed)
    X = rf_examples(F, rf_coefficients(D, P, "dense", None, seed + 1))
    s, sweeps, _ = async_fixed_point(X, F[:, 0], seed)
    return float(s.astype(np.int64) @ F[:, 0]) / N, sweeps


def bench_point(quick):
    N = 2000 if quick else 8000
    alpha, alpha_D = 1.0, 0.005
    D, P = max(1, round(alpha_D * N)), round(alpha * N)
    _hopcore_point(200, 2, 200, 0)  # compile
    t = time.perf_counter()
    m_h, sw_h = _hopcore_point(N, D, P, 3)
    t_h = time.perf_counter() - t
    t = time.perf_counter()
    m_b, sw_b = _numpy_point(N, D, P, 3)
    t_b = time.perf_counter() - t
    return {
        "name": "rf_point",
        "params": {"N": N, "alpha": alpha, "alpha_D": alpha_D, "coefficients": "dense", "starts": 1},
        "baseline": "numpy: sign(F C), J = X X^T/N (float32 BLAS), Python loop of J-row dot products",
        "baseline_s": t_b,
        "hopcore_s": t_h,
        "speedup": t_b / t_h,
        "m_hopcore": m_h,
        "m_baseline": m_b,
        "sweeps_hopcore": sw_h,
        "sweeps_baseline": sw_b,
    }


# ------------------------------------------------------------------ naive theory


def _quad_gauss(f, step):
    dens = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return integrate.quad(lambda z: dens(z) * f(z), -12, 12, points=[step] if -12 < step < 12 else None, limit=200)[0]


def _naive_map(x, alpha, alpha_D, n):
    """The mixture (n >= 1) or storage (n = 0) map with every Gaussian average by adaptive quadrature:
    dq = E[z sign(a z + b)]/a and m = E[zeta sign(a z + b)], b = mh zeta (nested inside the zeta sum)."""
    k1, ks = rf.KAPPA1**2, rf.KAPPA_S_SQ
    aT = alpha / alpha_D
    dq, qh, dp, dph, pd, dpdh = x[:6]
    a = math.sqrt(alpha * max(qh, 1e-300))
    D1 = 1 - k1 * dp - ks * dq
    D2 = 1 - aT * dph * dq
    out = np.empty_like(x)
    out[1] = ks * (k1 * pd + ks) / D1**2 + (dpdh + aT * dph**2) / D2**2
    out[2] = dq / D2
    out[3] = k1 / D1
    out[5] = k1 * (k1 * pd + ks) / D1**2
    if n == 0:
        b = x[6]
        out[0] = _quad_gauss(lambda z: z * np.sign(a * z + b), -b / a) / a
        out[4] = (1 + aT * dq**2 * dpdh) / D2**2
        out[6] = _quad_gauss(lambda z: np.sign(a * z + b), -b / a)
        return out
    m, mh = x[6], x[7]
    zeta, prob = binomial_mixture(n)
    sdq = sm = 0.0
    for zt, p in zip(zeta, prob):
        b = mh * zt
        sdq += p * _quad_gauss(lambda z: z * np.sign(a * z + b), -b / a)
        sm += p * zt * _quad_gauss(lambda z: np.sign(a * z + b), -b / a)
    out[0] = sdq / a
    out[4] = n * m * m / alpha_D + (1 + aT * dq**2 * dpdh) / D2**2
    out[6] = sm / n
    out[7] = aT * dph * m
    return out


def _naive_point(kind, n, fixed, start, threshold, rel_tol=1e-4):
    """Same scan as hopcore (x1.25 steps, then locate_jump), with the quadrature map."""

    def solve(c, x_start):
        alpha, alpha_D = (fixed, c) if kind == 0 else (c, fixed)
        if x_start is None:
            x_start = rf.mixture_start(n, alpha, alpha_D) if kind == 0 else rf.storage_start()
        return damped_iteration(lambda x: _naive_map(x, alpha, alpha_D, n if kind == 0 else 0), x_start,
                                damping=0.5, tol=1e-8, max_iter=20_000)

    c = start
    sol = solve(c, None)
    while True:
        s = solve(c * 1.25, sol.x)
        if not (s.converged and s.x[6] > threshold):
            break
        c, sol = c * 1.25, s
    cc, _ = locate_jump(solve, lambda x: x[6], c, c * 1.25, threshold=threshold, tol=rel_tol * c, x_start=sol.x)
    return cc


def _line_entry(name, params, kind, n, fixed, start_of, threshold, hop_line, quick):
    """The naive scan runs the same algorithm (same brackets, same number of map evaluations when the
    trials classify alike), so its cost is (naive seconds per map evaluation) x (evaluations the
    compiled solver needed on the line). Quick: the per-evaluation cost is timed on 300 evaluations
    near the first point; full: the naive scan of the whole first point is timed as well and used to
    scale (total iterations / iterations on that point)."""
    k = 0
    alpha, alpha_D = (fixed[k], start_of(fixed[k])) if kind == 0 else (1e-3, fixed[k])
    if kind == 0:
        x0, nn = rf.mixture_start(n, alpha, alpha_D), n
    else:
        x0, nn = rf.storage_start(), 0
    n_eval = 300
    t = time.perf_counter()
    x = x0.copy()
    for _ in range(n_eval):
        x = 0.5 * _naive_map(x, alpha, alpha_D, nn) + 0.5 * x
    per_eval = (time.perf_counter() - t) / n_eval
    entry = {
        "name": name,
        "params": params,
        "baseline": "same scan with the toolkit's Python damped_iteration and every Gaussian average by scipy "
                    "quad (nested in the zeta sum) in every update",
        "baseline_per_evaluation_s": per_eval,
        "hopcore_s": hop_line["seconds"],
        "all_converged": bool(hop_line["converged"].all()),
        "iterations_total": int(hop_line["iterations"].sum()),
    }
    if quick:
        entry["baseline_method"] = "per-evaluation cost x iterations of the compiled line"
        entry["baseline_s"] = per_eval * hop_line["iterations"].sum()
    else:
        t = time.perf_counter()
        naive_c = _naive_point(kind, n, fixed[k], start_of(fixed[k]), threshold)
        t_point = time.perf_counter() - t
        single = rf._line(kind, n, np.array([fixed[k]]), 1e-4, threshold, 0.5, 20_000, True, False)
        entry["baseline_method"] = "naive scan of the first point, scaled by iterations (line / point)"
        entry["baseline_point_s"] = t_point
        entry["baseline_s"] = t_point * hop_line["iterations"].sum() / single.iterations[0]
        entry["rel_diff_vs_naive"] = float(abs(naive_c / hop_line["critical"][k] - 1))
    entry["speedup"] = entry["baseline_s"] / entry["hopcore_s"]
    return entry


def bench_lines(quick):
    entries = []
    aDs = np.logspace(np.log10(0.05), np.log10(30), 60)
    # the naive quadrature map implements the spec's storage equations: time the same variant
    rf.storage_line(aDs[:2], variant="published")  # compile
    t = time.perf_counter()
    st = rf.storage_transition(aDs, variant="published")
    hop = {"seconds": time.perf_counter() - t, "iterations": st.iterations, "converged": st.converged, "critical": st.critical}
    entries.append(_line_entry("rf_theory_line", {"line": "storage", "points": 60, "alpha_D": [0.05, 30]},
                               1, 1, aDs, lambda v: 1e-3, 0.5, hop, quick))
    alphas = np.logspace(-2, 2, 60)
    t = time.perf_counter()
    sp = rf.mixture_spinodal(3, alphas)
    hop = {"seconds": time.perf_counter() - t, "iterations": sp.iterations, "converged": sp.converged, "critical": sp.critical}
    entries.append(_line_entry("spinodal_line", {"n": 3, "points": 60, "alpha": [0.01, 100]},
                               0, 3, alphas, lambda v: min(v / 1000, 1e-4), 0.05, hop, quick))
    return entries


def run(quick: bool = False) -> list[dict]:
    return [bench_point(quick)] + bench_lines(quick)


if __name__ == "__main__":  # pragma: no cover
    for e in run(quick=True):
        print(e)
