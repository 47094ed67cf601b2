"""Measurements for the dense associative memory chapters (functions for ``sweep``, and their fits).

Each ``*_run`` function does one realization (one pattern set, drawn from ``seed``) and returns a
dict of arrays, as :func:`hopcore.experiments.sweep` expects. The fits (lambda_half by logistic
maximum likelihood with bootstrap errors, quadratic extrapolation in 1/N) are pure functions.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import optimize

from .. import validation as V
from ..dynamics import softmax as S
from ..ensembles import continuous as C
from ..theory import dense_memory as T
from .runner import derive_seed, stack, sweep

#: measured single-core cost of one streamed pattern entry (generation + one state), for budgets
SECONDS_PER_ENTRY = 6e-9


def check_alpha_N(alpha: float, N: int, passes: float = 1.0) -> int:
    """P = exp(alpha N), refused (ValueError naming N) when ``passes`` passes would take over an hour."""
    alpha = V.positive()("alpha", alpha)
    N = V.integer(2)("N", N)
    P = C.n_patterns(alpha, N)
    seconds = SECONDS_PER_ENTRY * N * P * passes
    if seconds > 3600 or N * P > S.MAX_PATTERN_ENTRIES:
        V.fail("N", N, f"small enough that exp(alpha N) = {P:.3g} patterns (alpha={alpha}) can be streamed "
               f"{passes:g} times within an hour (needs ~{seconds / 3600:.1f} h)")
    return P


# ----------------------------------------------------------------------------- one realization
def retrieval_run(N, alpha, kind, lams, seed, eps=0.05, tol=1e-5, max_iter=60):
    """Start at xi^1, iterate the softmax update for every lam in ``lams`` (shared passes).

    Returns ``retrieved`` (K,), ``distance`` |x - xi^1|^2/N, ``iterations``, ``converged``,
    ``weight1`` (a_1 at the end), ``seconds`` (wall time of this realization).
    """
    P = check_alpha_N(alpha, N)
    t0 = time.perf_counter()
    res = S.retrieval(N, P, np.asarray(lams, float), seed, kind, eps=eps, tol=tol, max_iter=max_iter)
    res["seconds"] = time.perf_counter() - t0
    return res


def basin_run(N, alpha, lam, kind, thetas, seed, eps=0.05, tol=1e-5, max_iter=60):
    """Start on the sphere at angle theta from xi^1 (random direction per theta), iterate at fixed lam.

    Returns ``retrieved`` (len(thetas),), ``distance``, ``iterations``, ``converged``, ``one_step``
    (retrieved after a single update: |x_1 - xi^1|^2/N < eps), ``overlap0`` (x_0.xi^1/N).
    """
    P = check_alpha_N(alpha, N)
    thetas = np.asarray(thetas, float)
    xi1 = C.continuous_patterns(N, 1, seed, kind)[0]
    X0 = np.array([C.sphere_point_at_angle(xi1, th, derive_seed(seed, "start", k)) for k, th in enumerate(thetas)])
    lam_k = np.full(len(thetas), float(lam))
    x1 = S.softmax_update(X0, lam_k, P, seed, kind)
    res = S.retrieval(N, P, lam_k, seed, kind, x0=X0, eps=eps, tol=tol, max_iter=max_iter)
    res["one_step"] = np.sum((x1 - xi1) ** 2, axis=1) / N < eps
    res["overlap0"] = X0 @ xi1 / N
    return res


def one_step_run(N, alpha, lam, kind, seed, eps=0.05):
    """One update from x = xi^1: distance |x_1 - xi^1|^2/N, weight a_1, and retrieval flag."""
    P = check_alpha_N(alpha, N)
    xi1 = C.continuous_patterns(N, 1, seed, kind)[0]
    x1, lse = S.softmax_update(xi1[None], [lam], P, seed, kind, return_lse=True)
    x1, lse = x1[0], lse[0]
    d = float(np.sum((x1 - xi1) ** 2) / N)
    return {"distance": d, "weight1": math.exp(lam * float(xi1 @ xi1) - lse), "retrieved": d < eps}


def polynomial_one_step_run(N, P, n, seed):
    """Binary dense memory with F(z) = z^n (Krotov-Hopfield): one synchronous step from xi^1.

    s_i <- sign sum_mu [F(xi_i^mu + sum_{j!=i} xi_j^mu s_j) - F(-xi_i^mu + sum_{j!=i} xi_j^mu s_j)]
    (the energy difference of flipping spin i). Returns ``errors`` (number of wrong bits) and
    ``retrieved`` (no error). Materializes the (P, N) patterns: small sizes only.
    """
    N = V.integer(2)("N", N)
    P = V.integer(1)("P", P)
    n = V.integer(2, 12)("n", n)
    V.memory_bytes("P", P, 8.0 * 3 * N * P, V.memory_limit_bytes())
    rng = np.random.default_rng(V.seed("seed", seed))
    X = rng.integers(0, 2, size=(P, N)).astype(np.float64) * 2 - 1
    s = X[0]
    m = X @ s
    rest = m[:, None] - X * s[None, :]  # sum over j != i
    field = np.sum((X + rest) ** n - (-X + rest) ** n, axis=0)
    new = np.where(field >= 0, 1.0, -1.0)
    errors = int(np.sum(new != s))
    return {"errors": errors, "retrieved": errors == 0}


# ----------------------------------------------------------------------------- fits
def _logistic_nll(params, lams, k, n):
    lh, logw = params
    z = (lams - lh) / math.exp(logw)
    # log p and log(1 - p) of the logistic curve, computed stably
    logp = -np.logaddexp(0.0, -z)
    log1p = -np.logaddexp(0.0, z)
    return -float(np.sum(k * logp + (n - k) * log1p))


def logistic_crossing(lams, retrieved, w_min=None):
    """Maximum-likelihood logistic fit p(lam) = 1/(1 + exp(-(lam - lam_half)/w)) to 0/1 outcomes.

    ``retrieved``: (R, K) realizations x lam values. The width is bounded below by ``w_min``
    (default: a quarter of the grid spacing): a transition sharper than the grid cannot be resolved.
    Returns (lam_half, w, converged).
    """
    lams = np.asarray(lams, float)
    r = np.asarray(retrieved, float)
    k = r.sum(axis=0)
    n = np.full(len(lams), r.shape[0], float)
    if w_min is None:
        w_min = 0.25 * float(np.min(np.diff(np.sort(lams)))) if len(lams) > 1 else 1e-3
    p = k / n
    # start: linear interpolation of the empirical crossing
    above = np.flatnonzero(p >= 0.5)
    lh0 = lams[above[0]] if len(above) else lams[-1]
    w0 = max(w_min, 0.1 * (lams[-1] - lams[0]) / 4)
    res = optimize.minimize(
        _logistic_nll, [lh0, math.log(w0)], args=(lams, k, n), method="L-BFGS-B",
        bounds=[(lams[0] - (lams[-1] - lams[0]), lams[-1] + (lams[-1] - lams[0])), (math.log(w_min), math.log(10 * (lams[-1] - lams[0]) + w_min))],
    )
    return float(res.x[0]), float(math.exp(res.x[1])), bool(res.success)


def realization_thresholds(lams, retrieved):
    """Per-realization threshold on a uniform lam grid: lam_0 - d/2 + d x (number of failures).

    For a realization that fails below some grid point and retrieves above it, this is the midpoint
    of the bracketing cell (for a non-monotone sequence it counts the failures). Values below the
    grid (all retrieved) or above it (none retrieved) are censored at lam_0 - d/2 / lam_K-1 + d/2.
    """
    lams = np.asarray(lams, float)
    d = float(lams[1] - lams[0]) if len(lams) > 1 else 0.0
    fails = (~np.asarray(retrieved, bool)).sum(axis=1)
    return lams[0] - 0.5 * d + d * fails


def lambda_half(lams, retrieved, n_boot=400, seed=0):
    """lam at which half of the realizations retrieve xi^1, with error bars.

    Retrieval switches on sharply with lam in each realization, so each realization has a threshold
    lam_r (``realization_thresholds``); the retrieval probability p(lam) crosses 1/2 at their median.
    The error combines a bootstrap of the median over realizations with the grid resolution
    (d / sqrt(12)). Returns dict(lam_half, err, spread (std of lam_r), censored (fraction of lam_r
    outside the grid), p (K,), p_err (K,) binomial standard errors, thresholds (R,)).
    """
    lams = np.asarray(lams, float)
    retrieved = np.asarray(retrieved, bool)
    lr = realization_thresholds(lams, retrieved)
    R = len(lr)
    d = float(lams[1] - lams[0]) if len(lams) > 1 else 0.0
    rng = np.random.default_rng(seed)
    boots = np.median(lr[rng.integers(0, R, (n_boot, R))], axis=1)
    fails = (~retrieved).sum(axis=1)
    p = retrieved.mean(axis=0)
    return {
        "lam_half": float(np.median(lr)),
        "err": float(math.sqrt(np.var(boots) + d * d / 12.0)),
        "spread": float(np.std(lr)),
        "censored": float(np.mean((fails == 0) | (fails == len(lams)))),
        "p": p,
        "p_err": np.sqrt(np.maximum(p * (1 - p), 0.25 / R) / R),
        "thresholds": lr,
    }


def extrapolate_inverse_N(Ns, values, errs, degree=2):
    """Weighted polynomial fit of values(N) in 1/N; returns (intercept, its error, coefficients).

    Coefficients are highest power first (numpy.polyfit); the intercept is the N -> inf value.
    """
    x = 1.0 / np.asarray(Ns, float)
    y = np.asarray(values, float)
    e = np.maximum(np.asarray(errs, float), 1e-6)
    degree = min(degree, len(x) - 1)
    coef, cov = np.polyfit(x, y, degree, w=1.0 / e, cov="unscaled")
    return float(coef[-1]), float(math.sqrt(cov[-1, -1])), coef


# ----------------------------------------------------------------------------- scans
def lambda_half_scan(alpha, Ns, kind, n_samples, n_lams, seed, *, eps=0.05, tol=1e-5, max_iter=60,
                     n_boot=400, progress=True, cache=None):
    """lambda_half(N) for increasing N, each N on its own uniform lam window, through the cached sweep.

    ``n_samples`` and ``n_lams`` are ints or one value per N. The first N scans [0.8 lam_c, lam_c + 0.8];
    every following N scans around the previous estimate moved by the last observed drift (the
    transition drifts down towards lam_c as N grows), with a half-width covering the previous spread
    of thresholds. If the median threshold falls outside the window (more than half censored on one
    side) the window is moved and the point re-run. Returns dict: N, lam_half, err, spread, censored,
    seconds (mean wall time per realization), grids, retrieved (list of (R, K)), distance, lam_c.
    """
    lc = float(T.lam_c(alpha, kind))
    Ns = [int(n) for n in Ns]
    n_samples = list(n_samples) if np.ndim(n_samples) else [int(n_samples)] * len(Ns)
    n_lams = list(n_lams) if np.ndim(n_lams) else [int(n_lams)] * len(Ns)
    for j, N in enumerate(Ns):
        check_alpha_N(alpha, N, passes=10 * n_samples[j])
    keys = ("N", "lam_half", "err", "spread", "censored", "seconds", "grids", "retrieved", "distance", "iterations")
    out = {k: [] for k in keys}
    for j, N in enumerate(Ns):
        K = n_lams[j]
        if j == 0:
            # nothing known yet: a wide, denser window (the smallest N is the cheapest)
            lo, hi = 0.8 * lc, lc + 0.8
            K = 3 * K
        else:
            prev = out["lam_half"][-1]
            step = N - Ns[j - 1]
            drift = (out["lam_half"][-1] - out["lam_half"][-2]) / (Ns[j - 1] - Ns[j - 2]) * step if j >= 2 else 0.0
            centre = prev + min(drift, 0.0)
            half = 3.0 * out["spread"][-1] + 0.5 * abs(drift) + 0.01
            lo, hi = max(0.3 * lc, centre - half), centre + half
        for attempt in range(4):
            grid = np.round(np.linspace(lo, hi, K), 6)
            point = {"N": N, "alpha": float(alpha), "kind": kind, "lams": grid.tolist(), "eps": eps, "tol": tol,
                     "max_iter": max_iter}
            res = sweep(retrieval_run, [point], n_samples[j], derive_seed(seed, "lambda_half", kind, alpha, N),
                        desc=f"{kind} alpha={alpha} N={N}", progress=progress, cache=cache)
            R = stack(res, "retrieved")[0]
            p = R.mean(axis=0)
            width = hi - lo
            if p[0] > 0.5:  # median below the window
                lo, hi = lo - 0.8 * width, lo + 0.2 * width
            elif p[-1] < 0.5:  # median above the window
                lo, hi = hi - 0.2 * width, hi + 0.8 * width
            else:
                break
        fit = lambda_half(grid, R, n_boot=n_boot, seed=derive_seed(seed, "boot", kind, alpha, N))
        for key in ("lam_half", "err", "spread", "censored"):
            out[key].append(fit[key])
        out["N"].append(N)
        out["seconds"].append(float(stack(res, "seconds")[0].mean()))
        out["grids"].append(grid)
        out["retrieved"].append(R)
        out["distance"].append(stack(res, "distance")[0])
        out["iterations"].append(stack(res, "iterations")[0])
    for key in ("N", "lam_half", "err", "spread", "censored", "seconds"):
        out[key] = np.asarray(out[key])
    out["lam_c"] = lc
    out["alpha"] = float(alpha)
    out["kind"] = kind
    return out


__all__ = [
    "SECONDS_PER_ENTRY",
    "basin_run",
    "check_alpha_N",
    "extrapolate_inverse_N",
    "lambda_half",
    "lambda_half_scan",
    "realization_thresholds",
    "one_step_run",
    "polynomial_one_step_run",
    "retrieval_run",
]
