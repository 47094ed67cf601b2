"""Replica theory of the classical model: the T = 0 retrieval curve with its alpha_c bisection, and
the whole phase diagram, against a naive solver (plain damped iteration, Gaussian averages by
scipy.integrate.quad inside every iteration)."""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.integrate import quad

from hopcore.theory import classical as ags

PHI = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _naive_T0_map(alpha):
    """T = 0 equations with every Gaussian average computed by adaptive quadrature."""

    def F(x):
        m, C, r = x
        s = math.sqrt(alpha * r)
        m_new = quad(lambda z: math.copysign(1.0, m + s * z) * PHI(z), -12, 12, points=[-m / s])[0]
        C_new = quad(lambda z: z * math.copysign(1.0, m + s * z) * PHI(z), -12, 12, points=[-m / s])[0] / s
        return np.array([m_new, C_new, 1.0 / (1.0 - C_new) ** 2])

    return F


def _naive_solve(F, x, tol=1e-10, max_iter=2000):
    for _ in range(max_iter):
        y = F(x)
        if np.max(np.abs(y - x)) < tol:
            return y, True
        x = 0.5 * y + 0.5 * x
    return x, False


def _naive_curve(alphas, bisect_steps):
    x = np.array([1.0, 0.0, 1.0])
    for a in alphas:
        y, ok = _naive_solve(_naive_T0_map(a), x)
        if ok and y[0] > 0.5:
            x = y
    lo, hi, x_lo = 0.1, 0.2, np.array([1.0, 0.0, 1.0])
    for _ in range(bisect_steps):
        mid = 0.5 * (lo + hi)
        y, ok = _naive_solve(_naive_T0_map(mid), x_lo)
        if ok and y[0] > 0.5:
            lo, x_lo = mid, y
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _naive_alpha_M(T, bisect_steps):
    """Naive finite-T spinodal: quad averages, plain damped iteration from the pure state."""
    beta = 1.0 / T

    def F(alpha):
        def G(x):
            m, q, r = x
            s = math.sqrt(alpha * r)
            g = lambda z: math.tanh(beta * (m + s * z))
            m_new = quad(lambda z: g(z) * PHI(z), -10, 10)[0]
            q_new = quad(lambda z: g(z) ** 2 * PHI(z), -10, 10)[0]
            D = 1 - beta * (1 - q_new)
            return np.array([m_new, q_new, q_new / D**2 if D > 0 else np.nan])

        return G

    lo, hi = 1e-4, 0.15
    for _ in range(bisect_steps):
        mid = 0.5 * (lo + hi)
        y, ok = _naive_solve(F(mid), np.array([1.0, 0.99, 1.0]), tol=1e-8, max_iter=500)
        if ok and y[0] > 1e-3:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def run(quick: bool) -> list[dict]:
    out = []
    # --- T = 0 curve (200 points) + alpha_c bisection -------------------------------------------
    alphas = np.linspace(1e-3, 0.16, 200)
    t0 = time.perf_counter()
    ags.retrieval_curve_T0(alphas)
    a_c, _ = ags.alpha_c_T0(1, tol=1e-8)
    hop = time.perf_counter() - t0
    n_base = 20 if quick else 200
    t0 = time.perf_counter()
    a_naive = _naive_curve(alphas[:: 200 // n_base], bisect_steps=24)
    base = (time.perf_counter() - t0)
    out.append({
        "name": "replica_T0_curve",
        "params": {"points": 200, "bisection_tol": 1e-8},
        "baseline": (f"damped iteration with scipy quad averages in every iteration; {n_base}-point curve "
                     f"+ 24 bisections" + ("" if n_base == 200 else " (fewer points than hopcore: speedup is a lower bound)")),
        "baseline_s": base,
        "hopcore_s": hop,
        "speedup": base / hop,
        "alpha_c": a_c,
        "alpha_c_baseline": a_naive,
        "target_s": 1.0,
    })
    # --- phase diagram -----------------------------------------------------------------------
    Ts = np.linspace(0.02, 0.98, 12 if quick else 40)
    t0 = time.perf_counter()
    pd = ags.phase_diagram(Ts)
    hop_pd = time.perf_counter() - t0
    n_T_base = 2 if quick else 4
    t0 = time.perf_counter()
    for T in np.linspace(0.3, 0.7, n_T_base):
        _naive_alpha_M(T, bisect_steps=20)
    per_T = (time.perf_counter() - t0) / n_T_base
    out.append({
        "name": "replica_phase_diagram",
        "params": {"temperatures": int(Ts.size), "lines": ["T_M", "T_c"], "tol": 1e-7},
        "baseline": (f"T_M line only, quad averages + plain damped iteration, measured at {n_T_base} temperatures "
                     f"and scaled to {Ts.size} (lower bound: the T_c line is not included)"),
        "baseline_s": per_T * Ts.size,
        "hopcore_s": hop_pd,
        "speedup": per_T * Ts.size / hop_pd,
        "n_points_missing": pd["n_points_missing"],
        "target_s": 60.0,
    })
    # --- mixture stability lines n = 3, 5, 7, 9 -------------------------------------------------
    t0 = time.perf_counter()
    for n in (3, 5, 7, 9):
        ags.mixture_stability_line(n, n_T=6 if quick else 24)
    hop_mix = time.perf_counter() - t0
    out.append({
        "name": "replica_mixture_lines",
        "params": {"n": [3, 5, 7, 9], "temperatures_per_line": 6 if quick else 24},
        "baseline": "none measured (the naive T_M line above shows the per-point cost of quad-based iteration)",
        "baseline_s": float("nan"),
        "hopcore_s": hop_mix,
        "speedup": float("nan"),
    })
    return out
