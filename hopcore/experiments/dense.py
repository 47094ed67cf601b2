"""Measurements for the dense associative memory chapters (functions for ``sweep``, and their fits).

Each ``*_run`` function does one realization (one pattern set, drawn from ``seed``) and returns a
dict of arrays, as :func:`hopcore.experiments.sweep` and the result cache expect. The fits
(lambda_half as the median of per-realization thresholds with bootstrap errors, quadratic
extrapolation in 1/N, the finite-size forms of :func:`fit_finite_size`) are pure functions.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .. import validation
from ..dynamics import softmax
from ..ensembles import continuous
from ..theory import dense_memory as dense_theory
from .runner import derive_seed

#: measured single-core cost of one streamed pattern entry (generation + one state), for budgets
SECONDS_PER_ENTRY = 6e-9


def check_alpha_N(alpha: float, N: int, passes: float = 1.0) -> int:
    """P = exp(alpha N), refused (ValueError naming N) when ``passes`` passes would take over an hour.

    Also refused beyond the streaming limit ``MAX_PATTERN_ENTRIES`` of N P; the cost is
    ``SECONDS_PER_ENTRY`` per streamed entry.

    Parameters
    ----------
    alpha : float
        Exponential load (> 0).
    N : int
        Dimension (>= 2).
    passes : float, optional
        Number of passes over the patterns (default 1).

    Returns
    -------
    int
        The number of patterns P.
    """
    alpha = validation.positive()("alpha", alpha)
    N = validation.integer(2)("N", N)
    P = continuous.n_patterns(alpha, N)
    seconds = SECONDS_PER_ENTRY * N * P * passes
    if seconds > 3600 or N * P > softmax.MAX_PATTERN_ENTRIES:
        validation.fail("N", N, f"small enough that exp(alpha N) = {P:.3g} patterns (alpha={alpha}) can be streamed "
               f"{passes:g} times within an hour (needs ~{seconds / 3600:.1f} h)")
    return P


# ----------------------------------------------------------------------------- one realization
def threshold_run(N, alpha, kind, lam_lo, lam_hi, seed, slots=8, resolution=1e-3, eps=0.05, far=0.5, tol=1e-6,
                  max_iter=60):
    """Retrieval threshold in lam of xi^1 for one pattern set (P = exp(alpha N) patterns from ``seed``).

    A parallel bisection (:func:`hopcore.dynamics.softmax.retrieval_threshold`) started on the window
    [lam_lo, lam_hi].

    Parameters
    ----------
    N : int
        Dimension.
    alpha : float
        Exponential load.
    kind : str
        ``"spherical"`` or ``"gaussian"``.
    lam_lo, lam_hi : float
        Window of the first runs.
    seed : int
        Seed of the pattern set.
    slots : int, optional
        Runs sharing each pass (default 8).
    resolution : float, optional
        Final width of the bracket (default 1e-3).
    eps : float, optional
        Retrieval radius on |x - xi^1|^2 / N (default 0.05).
    far : float, optional
        Distance at which a run has left xi^1 (default 0.5).
    tol : float, optional
        Convergence threshold on |x_{t+1} - x_t|^2 / N (default 1e-6).
    max_iter : int, optional
        Iteration cap of a run (default 60).

    Returns
    -------
    dict
        The dict of ``retrieval_threshold`` (bracket ``lo``/``hi``, ``threshold``, ``censored``,
        ``passes``, ``violations``, the finished runs) plus ``seconds`` (wall time of this realization).
    """
    P = check_alpha_N(alpha, N)
    t0 = time.perf_counter()
    res = softmax.retrieval_threshold(N, P, seed, kind, lam_lo=lam_lo, lam_hi=lam_hi, slots=slots, resolution=resolution,
                                eps=eps, far=far, tol=tol, max_iter=max_iter)
    res["seconds"] = time.perf_counter() - t0
    return res


def long_run_check(N, alpha, kind, lams, seed, eps=0.05, tol=1e-12, max_iter=400):
    """Reference outcomes for the protocol check, without any early decision.

    Start at xi^1 and iterate at every lam of ``lams`` (stop only when |x_{t+1} - x_t|^2/N < tol or
    after max_iter updates).

    Parameters
    ----------
    N : int
        Dimension.
    alpha : float
        Exponential load.
    kind : str
        ``"spherical"`` or ``"gaussian"``.
    lams : array_like
        Inverse temperatures.
    seed : int
        Seed of the pattern set.
    eps : float, optional
        Retrieval radius on |x - xi^1|^2 / N (default 0.05).
    tol : float, optional
        Convergence threshold (default 1e-12).
    max_iter : int, optional
        Maximum number of updates (default 400).

    Returns
    -------
    dict
        ``retrieved`` (final |x - xi^1|^2/N < eps), ``distance``, ``iterations``, ``converged``:
        arrays over ``lams``.
    """
    P = check_alpha_N(alpha, N, passes=max_iter)
    res = softmax.retrieval(N, P, np.asarray(lams, float), seed, kind, eps=eps, tol=tol, max_iter=max_iter)
    return {k: res[k] for k in ("retrieved", "distance", "iterations", "converged")}


def basin_run(N, alpha, lam, kind, thetas, seed, eps=0.05, tol=1e-5, max_iter=60):
    """Start on the sphere at angle theta from xi^1 (random direction per theta), iterate at fixed lam.

    Parameters
    ----------
    N : int
        Dimension.
    alpha : float
        Exponential load.
    lam : float
        Inverse temperature.
    kind : str
        ``"spherical"`` or ``"gaussian"``.
    thetas : array_like
        Angles of the starts from xi^1 (radians).
    seed : int
        Seed of the pattern set (start directions are derived from it).
    eps : float, optional
        Retrieval radius on |x - xi^1|^2 / N (default 0.05).
    tol : float, optional
        Convergence threshold (default 1e-5).
    max_iter : int, optional
        Maximum number of updates (default 60).

    Returns
    -------
    dict
        ``retrieved`` (len(thetas),), ``distance``, ``iterations``, ``converged``, ``one_step``
        (retrieved after a single update: |x_1 - xi^1|^2/N < eps), ``overlap0`` (x_0.xi^1/N).
    """
    P = check_alpha_N(alpha, N)
    thetas = np.asarray(thetas, float)
    xi1 = continuous.continuous_patterns(N, 1, seed, kind)[0]
    X0 = np.array([continuous.sphere_point_at_angle(xi1, th, derive_seed(seed, "start", k)) for k, th in enumerate(thetas)])
    lam_k = np.full(len(thetas), float(lam))
    x1 = softmax.softmax_update(X0, lam_k, P, seed, kind)
    res = softmax.retrieval(N, P, lam_k, seed, kind, x0=X0, eps=eps, tol=tol, max_iter=max_iter)
    res["one_step"] = np.sum((x1 - xi1) ** 2, axis=1) / N < eps
    res["overlap0"] = X0 @ xi1 / N
    return res


def one_step_run(N, alpha, lam, kind, seed, eps=0.05):
    """One update from x = xi^1: distance |x_1 - xi^1|^2/N, weight a_1, and retrieval flag.

    Parameters
    ----------
    N : int
        Dimension.
    alpha : float
        Exponential load.
    lam : float
        Inverse temperature.
    kind : str
        ``"spherical"`` or ``"gaussian"``.
    seed : int
        Seed of the pattern set.
    eps : float, optional
        Retrieval radius on |x_1 - xi^1|^2 / N (default 0.05).

    Returns
    -------
    dict
        ``distance`` (float), ``weight1`` (float, the softmax weight a_1 of xi^1) and ``retrieved``
        (bool, distance < eps).
    """
    P = check_alpha_N(alpha, N)
    xi1 = continuous.continuous_patterns(N, 1, seed, kind)[0]
    x1, lse = softmax.softmax_update(xi1[None], [lam], P, seed, kind, return_lse=True)
    x1, lse = x1[0], lse[0]
    d = float(np.sum((x1 - xi1) ** 2) / N)
    return {"distance": d, "weight1": math.exp(lam * float(xi1 @ xi1) - lse), "retrieved": d < eps}


def polynomial_one_step_run(N, P, n, seed):
    """Binary dense memory with F(z) = z^n (Krotov-Hopfield): one synchronous step from xi^1.

    s_i <- sign sum_mu [F(xi_i^mu + sum_{j!=i} xi_j^mu s_j) - F(-xi_i^mu + sum_{j!=i} xi_j^mu s_j)]
    (the energy difference of flipping spin i). Materializes the (P, N) patterns: small sizes only.

    Parameters
    ----------
    N : int
        Number of spins (>= 2).
    P : int
        Number of patterns (>= 1).
    n : int
        Degree, 2 <= n <= 12.
    seed : int
        Seed of the patterns.

    Returns
    -------
    dict
        ``errors`` (int, number of wrong bits) and ``retrieved`` (bool, no error).
    """
    N = validation.integer(2)("N", N)
    P = validation.integer(1)("P", P)
    n = validation.integer(2, 12)("n", n)
    validation.memory_bytes("P", P, 8.0 * 3 * N * P, validation.memory_limit_bytes())
    rng = np.random.default_rng(validation.seed("seed", seed))
    X = rng.integers(0, 2, size=(P, N)).astype(np.float64) * 2 - 1
    s = X[0]
    m = X @ s
    rest = m[:, None] - X * s[None, :]  # sum over j != i
    field = np.sum((X + rest) ** n - (-X + rest) ** n, axis=0)
    new = np.where(field >= 0, 1.0, -1.0)
    errors = int(np.sum(new != s))
    return {"errors": errors, "retrieved": errors == 0}


# ----------------------------------------------------------------------------- fits
def lambda_half(thresholds, lo, hi, n_boot=400, seed=0):
    """lam at which half of the realizations retrieve xi^1, from per-realization thresholds.

    Retrieval is monotone in lam for a fixed pattern set, so realization r retrieves exactly for
    lam > lam_r, known within its bracket (lo_r, hi_r); the retrieval probability p(lam) is the
    fraction of lam_r below lam and crosses 1/2 at their median. Censored thresholds (+-inf) enter the
    median as such. The error combines a bootstrap of the median over realizations with the bracket
    widths (uniform within the bracket: width / sqrt(12)).

    Parameters
    ----------
    thresholds : array_like, shape (R,)
        Per-realization thresholds lam_r (+-inf when censored).
    lo, hi : array_like, shape (R,)
        Their brackets.
    n_boot : int, optional
        Bootstrap resamples (default 400).
    seed : int, optional
        Seed of the bootstrap (default 0).

    Returns
    -------
    dict
        ``lam_half``, ``err``, ``spread`` (std of the finite lam_r), ``censored`` (fraction),
        ``thresholds``.
    """
    lr = np.asarray(thresholds, float)
    widths = np.asarray(hi, float) - np.asarray(lo, float)
    finite = np.isfinite(lr)
    R = len(lr)
    rng = np.random.default_rng(seed)
    boots = np.median(lr[rng.integers(0, R, (n_boot, R))], axis=1)
    boots = boots[np.isfinite(boots)]
    w2 = float(np.mean(widths[finite] ** 2)) if finite.any() else 0.0
    med = float(np.median(lr))
    return {
        "lam_half": med,
        "err": float(math.sqrt((np.var(boots) if len(boots) > 1 else 0.0) + w2 / 12.0)) if np.isfinite(med) else math.nan,
        "spread": float(np.std(lr[finite])) if finite.sum() > 1 else 0.0,
        "censored": float(np.mean(~finite)),
        "thresholds": lr,
    }


def retrieval_probability(thresholds, lams):
    """p(lam) = fraction of realizations with lam_r < lam (the empirical distribution of thresholds).

    Parameters
    ----------
    thresholds : array_like, shape (R,)
        Per-realization thresholds.
    lams : array_like, shape (k,)
        Inverse temperatures.

    Returns
    -------
    numpy.ndarray of float, shape (k,)
        p at each lam.
    """
    lr = np.asarray(thresholds, float)
    return np.mean(lr[None, :] < np.asarray(lams, float)[:, None], axis=1)


def extrapolate_inverse_N(Ns, values, errs, degree=2):
    """Weighted polynomial fit of values(N) in 1/N.

    Coefficients are highest power first (numpy.polyfit); the intercept is the N -> inf value. The
    degree is lowered to the number of points minus one if needed; errors are floored at 1e-6.

    Parameters
    ----------
    Ns : array_like
        Sizes.
    values : array_like
        Values at each size.
    errs : array_like
        Their standard errors (weights 1/err).
    degree : int, optional
        Degree of the polynomial in 1/N (default 2).

    Returns
    -------
    intercept : float
        The N -> inf value.
    err : float
        Its standard error.
    coef : numpy.ndarray
        The coefficients, highest power first.
    """
    x = 1.0 / np.asarray(Ns, float)
    y = np.asarray(values, float)
    e = np.maximum(np.asarray(errs, float), 1e-6)
    degree = min(degree, len(x) - 1)
    coef, cov = np.polyfit(x, y, degree, w=1.0 / e, cov="unscaled")
    return float(coef[-1]), float(math.sqrt(cov[-1, -1])), coef


def fit_finite_size(Ns, values, errs, form="quadratic", log_coefficient=None):
    """Weighted least-squares fit of values(N) with one of three finite-size forms; the intercept is N -> inf.

    ``"quadratic"``: c0 + c1/N + c2/N^2 (the fit of :func:`extrapolate_inverse_N`); ``"log"``:
    c0 + a log(N)/N + b/N, a free; ``"log_fixed"``: c0 + a log(N)/N + b/N with a = ``log_coefficient``
    given (two free parameters). The intercept error is the one of the fit covariance, scaled by
    sqrt(chi^2/dof) when that exceeds 1 (the scatter of the points then sets the error).

    Parameters
    ----------
    Ns : array_like
        Sizes.
    values : array_like
        Values at each size.
    errs : array_like
        Their standard errors (weights 1/err, floored at 1e-6).
    form : {"quadratic", "log", "log_fixed"}, optional
        The form (default "quadratic").
    log_coefficient : float, optional
        The coefficient a of log(N)/N for ``"log_fixed"``.

    Returns
    -------
    dict
        ``intercept``, ``intercept_err`` (scaled), ``intercept_err_fit`` (unscaled), ``chi2``, ``dof``,
        ``coef`` (in the order of the form's terms), ``form``.
    """
    validation.choice("quadratic", "log", "log_fixed")("form", form)
    N = np.asarray(Ns, float)
    y = np.asarray(values, float)
    w = 1.0 / np.maximum(np.asarray(errs, float), 1e-6)
    x = 1.0 / N
    if form == "quadratic":
        A, offset = np.stack([np.ones_like(x), x, x * x], 1), 0.0 * x
    elif form == "log":
        A, offset = np.stack([np.ones_like(x), np.log(N) * x, x], 1), 0.0 * x
    else:
        if log_coefficient is None:
            validation.fail("log_coefficient", None, "a number for the form log_fixed")
        A, offset = np.stack([np.ones_like(x), x], 1), float(log_coefficient) * np.log(N) * x
    dof = len(N) - A.shape[1]
    if dof < 0:
        validation.fail("Ns", list(N), f"at least {A.shape[1]} sizes for the form {form}")
    Aw = A * w[:, None]
    coef = np.linalg.lstsq(Aw, (y - offset) * w, rcond=None)[0]
    cov = np.linalg.pinv(Aw.T @ Aw)
    chi2 = float(np.sum(((A @ coef + offset - y) * w) ** 2))
    err = float(math.sqrt(cov[0, 0]))
    scale = math.sqrt(chi2 / dof) if dof > 0 else math.nan
    return {"intercept": float(coef[0]), "intercept_err": err * max(1.0, scale) if dof > 0 else math.nan,
            "intercept_err_fit": err, "chi2": chi2, "dof": int(dof), "coef": coef, "form": form}


def _predict_centre(Ns_done, lam_done, N):
    """Where the threshold should be at size N, from the sizes already done: the last value moved by
    the extrapolation in 1/N (linear through the last two sizes, quadratic through the last three)."""
    x = 1.0 / np.asarray(Ns_done, float)
    y = np.asarray(lam_done, float)
    ok = np.isfinite(y)
    x, y = x[ok][-3:], y[ok][-3:]
    if len(x) == 0:
        return None, 0.0
    if len(x) == 1:
        return float(y[-1]), 0.0
    centre = float(np.polyval(np.polyfit(x, y, len(x) - 1), 1.0 / N))
    return centre, abs(centre - float(y[-1]))


def lambda_half_scan(alpha, Ns, kind, n_samples, seed, *, slots=8, resolution=1e-3, eps=0.05, far=0.5, tol=1e-6,
                     max_iter=60, n_boot=400, progress=True, cache=None):
    """lambda_half(N) for increasing N: per-realization thresholds by parallel bisection, each cached.

    Realization s at size N has its own seed (derived from ``seed``, kind, alpha, N, s) and starts its
    search on a window of ``slots`` values spaced by at least ``resolution`` around a predicted centre:
    for the smallest N the wide window [0.6 lam_c, lam_c + 0.6]; for the first realization of a larger
    N the extrapolation in 1/N of the sizes already done (half-width: 3 spreads of the previous size or
    half the predicted jump); for the following realizations the median of the thresholds already found
    at this N (half-width: 3 spreads). A threshold outside the window is found anyway (the search walks
    out), at the price of more passes.

    Parameters
    ----------
    alpha : float
        Exponential load.
    Ns : sequence of int
        Sizes, increasing.
    kind : str
        ``"spherical"`` or ``"gaussian"``.
    n_samples : int or sequence of int
        Realizations: an int or one value per N.
    seed : int
        Master seed.
    slots : int, optional
        Runs sharing each pass (default 8).
    resolution : float, optional
        Final width of the bracket (default 1e-3).
    eps : float, optional
        Retrieval radius on |x - xi^1|^2 / N (default 0.05).
    far : float, optional
        Distance at which a run has left xi^1 (default 0.5).
    tol : float, optional
        Convergence threshold on |x_{t+1} - x_t|^2 / N (default 1e-6).
    max_iter : int, optional
        Iteration cap of a run (default 60).
    n_boot : int, optional
        Bootstrap resamples of :func:`lambda_half` (default 400).
    progress : bool, optional
        Show progress bars (default True).
    cache : hopcore.experiments.cache.ResultCache, optional
        The cache (default the default cache).

    Returns
    -------
    dict
        N, lam_half, err, spread, censored, passes (mean per realization), seconds (mean wall time per
        realization), violations (total), thresholds/lo/hi (lists of (R,) arrays), windows (lists), runs
        (list over N of lists over realizations of the finished runs), seeds (pattern-set seeds), lam_c,
        alpha, kind.
    """
    from tqdm import tqdm

    from .cache import default_cache

    cache = default_cache() if cache is None else cache
    lc = float(dense_theory.lam_c(alpha, kind))
    Ns = [int(n) for n in Ns]
    n_samples = list(n_samples) if np.ndim(n_samples) else [int(n_samples)] * len(Ns)
    for j, N in enumerate(Ns):
        check_alpha_N(alpha, N, passes=30 * n_samples[j])
    out = {k: [] for k in ("N", "lam_half", "err", "spread", "censored", "passes", "seconds", "violations",
                           "thresholds", "lo", "hi", "windows", "runs", "seeds")}
    min_half = 0.5 * (slots - 1) * resolution
    for j, N in enumerate(Ns):
        res, windows, seeds = [], [], []
        bar = tqdm(range(n_samples[j]), desc=f"{kind} alpha={alpha} N={N}", disable=not progress, mininterval=1.0)
        for s in bar:
            found = np.array([float(r["threshold"]) for r in res])
            found = found[np.isfinite(found)]
            if len(found):
                centre = float(np.median(found))
                prev_spread = float(np.std(found)) if len(found) > 2 else (out["spread"][-1] if j else 0.0)
                half = max(3.0 * prev_spread, min_half)
            elif j == 0:
                # nothing known yet: a wide window (the smallest N is the cheapest)
                centre, half = 0.5 * (0.6 * lc + lc + 0.6), 0.5 * (lc + 0.6 - 0.6 * lc)
            else:
                centre, jump = _predict_centre(out["N"], out["lam_half"], N)
                half = max(3.0 * out["spread"][-1], 0.5 * jump, min_half)
            lo_w, hi_w = round(max(centre - half, 1e-3), 6), round(centre + half, 6)
            params = {"N": N, "alpha": float(alpha), "kind": kind, "lam_lo": lo_w, "lam_hi": hi_w, "slots": slots,
                      "resolution": resolution, "eps": eps, "far": far, "tol": tol, "max_iter": max_iter,
                      "seed": derive_seed(seed, "lambda_half", kind, alpha, N, s)}
            res.append(cache.cached_call(threshold_run, params))
            windows.append((lo_w, hi_w))
            seeds.append(params["seed"])
        thr = np.array([float(r["threshold"]) for r in res])
        lo = np.array([float(r["lo"]) for r in res])
        hi = np.array([float(r["hi"]) for r in res])
        fit = lambda_half(thr, lo, hi, n_boot=n_boot, seed=derive_seed(seed, "boot", kind, alpha, N))
        for key in ("lam_half", "err", "spread", "censored"):
            out[key].append(fit[key])
        out["N"].append(N)
        out["passes"].append(float(np.mean([int(r["passes"]) for r in res])))
        out["seconds"].append(float(np.mean([float(r["seconds"]) for r in res])))
        out["violations"].append(int(sum(int(r["violations"]) for r in res)))
        out["thresholds"].append(thr)
        out["lo"].append(lo)
        out["hi"].append(hi)
        out["windows"].append(windows)
        out["seeds"].append(seeds)
        out["runs"].append([{k: r[k] for k in ("lam", "retrieved", "iterations", "outcome", "distance", "trajectory")}
                            for r in res])
    for key in ("N", "lam_half", "err", "spread", "censored", "passes", "seconds", "violations"):
        out[key] = np.asarray(out[key])
    out["lam_c"] = lc
    out["alpha"] = float(alpha)
    out["kind"] = kind
    return out


def protocol_check(N, alpha, kind, n_real, n_lams, seed, *, slots=8, resolution=1e-3, eps=0.05, far=0.5, tol=1e-6,
                   max_iter=60, max_iter_check=400, cache=None):
    """The threshold search against reference runs without early decisions, on the same pattern sets.

    For each of ``n_real`` realizations: the bracket (lo, hi) of :func:`threshold_run` (window
    [0.6 lam_c, lam_c + 0.6]), then :func:`long_run_check` (tol 1e-12, ``max_iter_check`` updates) on
    ``n_lams`` values of lam, half spread over the window and half within 3 resolutions of the
    threshold.

    Parameters
    ----------
    N : int
        Dimension.
    alpha : float
        Exponential load.
    kind : str
        ``"spherical"`` or ``"gaussian"``.
    n_real : int
        Number of realizations.
    n_lams : int
        Number of lam values of the reference runs.
    seed : int
        Master seed.
    slots : int, optional
        Runs sharing each pass (default 8).
    resolution : float, optional
        Final width of the bracket (default 1e-3).
    eps : float, optional
        Retrieval radius on |x - xi^1|^2 / N (default 0.05).
    far : float, optional
        Distance at which a run has left xi^1 (default 0.5).
    tol : float, optional
        Convergence threshold on |x_{t+1} - x_t|^2 / N (default 1e-6).
    max_iter : int, optional
        Iteration cap of a run (default 60).
    max_iter_check : int, optional
        Updates of the reference runs (default 400).
    cache : hopcore.experiments.cache.ResultCache, optional
        The cache (default the default cache).

    Returns
    -------
    dict
        Arrays over realizations: ``lo``, ``hi``, ``ref_lo``/``ref_hi`` (largest lost / smallest
        retrieved lam of the reference runs), ``monotone`` (reference outcomes monotone in lam),
        ``disagree_lost`` (grid values at or below lo, i.e. lost for the search, that the reference
        retrieves: what a wrong early decision would produce), ``disagree_retrieved`` (at or above hi
        but lost for the reference: what the finite tolerance produces), ``shift`` (midpoint of (lo, hi)
        minus midpoint of (ref_lo, ref_hi)), ``ref_converged`` (fraction of reference runs converged),
        plus ``lams`` and ``ref_retrieved`` (lists over realizations).
    """
    from .cache import default_cache

    cache = default_cache() if cache is None else cache
    lc = float(dense_theory.lam_c(alpha, kind))
    lo_w, hi_w = round(0.6 * lc, 6), round(lc + 0.6, 6)
    keys = ("lo", "hi", "ref_lo", "ref_hi", "monotone", "disagree_lost", "disagree_retrieved", "shift", "ref_converged",
            "lams", "ref_retrieved")
    out = {k: [] for k in keys}
    for s in range(n_real):
        sd = derive_seed(seed, "protocol_check", kind, alpha, N, s)
        r = cache.cached_call(threshold_run, {"N": N, "alpha": float(alpha), "kind": kind, "lam_lo": lo_w, "lam_hi": hi_w,
                                              "slots": slots, "resolution": resolution, "eps": eps, "far": far, "tol": tol,
                                              "max_iter": max_iter, "seed": sd})
        lo, hi = float(r["lo"]), float(r["hi"])
        mid = 0.5 * (lo + hi)
        n_wide = n_lams // 2
        lams = np.unique(np.round(np.concatenate([np.linspace(lo_w, hi_w, n_wide),
                                                  np.linspace(mid - 3 * resolution, mid + 3 * resolution, n_lams - n_wide)]), 6))
        lams = lams[lams > 0]
        ref = cache.cached_call(long_run_check, {"N": N, "alpha": float(alpha), "kind": kind, "lams": lams.tolist(),
                                                 "seed": sd, "eps": eps, "tol": 1e-12, "max_iter": max_iter_check})
        ok = np.asarray(ref["retrieved"], bool)
        ref_lo = float(lams[~ok].max()) if (~ok).any() else math.nan
        ref_hi = float(lams[ok].min()) if ok.any() else math.nan
        out["lo"].append(lo)
        out["hi"].append(hi)
        out["ref_lo"].append(ref_lo)
        out["ref_hi"].append(ref_hi)
        out["monotone"].append(bool(np.all(np.diff(ok.astype(int)) >= 0)))
        out["disagree_lost"].append(int(np.sum((lams <= lo) & ok)))
        out["disagree_retrieved"].append(int(np.sum((lams >= hi) & ~ok)))
        out["shift"].append(mid - 0.5 * (ref_lo + ref_hi))
        out["ref_converged"].append(float(np.mean(ref["converged"])))
        out["lams"].append(lams)
        out["ref_retrieved"].append(ok)
    return {k: (v if k in ("lams", "ref_retrieved") else np.asarray(v)) for k, v in out.items()}


def all_patterns_run(N, alpha, lam, kind, seed, block=256, eps=0.05, tol=1e-6, max_iter=20):
    """Retrieval of every one of the P = exp(alpha N) patterns of one pattern set, each started at itself.

    The patterns are taken as starts in blocks of ``block`` (xi^1 .. xi^block first). For each start
    xi^mu, one softmax update decides whether it is kept after one step (|x_1 - xi^mu|^2/N < eps) and
    the iteration to convergence (:func:`hopcore.dynamics.softmax.iterate`, at most ``max_iter``
    further passes) whether it is retrieved (converged with |x - xi^mu|^2/N < eps). Blocks follow one
    another only while every start seen so far is retrieved (or kept): a single failure settles that
    not all patterns are, so the cost is about P^2 N where all patterns are retrieved and block P N
    where many fail. The fractions come from the first block alone (a fixed, unbiased sample of the
    patterns, all of them when P <= block).

    Parameters
    ----------
    N : int
        Dimension.
    alpha : float
        Exponential load.
    lam : float
        Inverse temperature.
    kind : str
        ``"spherical"`` or ``"gaussian"``.
    seed : int
        Seed of the pattern set.
    block : int, optional
        Starts per pass (default 256).
    eps : float, optional
        Retrieval radius on |x - xi^mu|^2 / N (default 0.05).
    tol : float, optional
        Convergence threshold on |x_{t+1} - x_t|^2 / N (default 1e-6).
    max_iter : int, optional
        Iteration cap after the first step (default 20).

    Returns
    -------
    dict
        ``P``; ``starts`` (size of the first block), ``n_one_step`` and ``n_retrieved`` (kept /
        retrieved among them); ``all_one_step``, ``all_retrieved`` (every one of the P patterns kept /
        retrieved, exact: a failure is found or all P are checked); ``checked`` (starts examined);
        ``worst_distance_one_step``, ``worst_distance`` (largest distance among the checked starts) and
        ``norm2_min`` (smallest |xi^mu|^2/N among them).
    """
    block = validation.integer(1)("block", block)
    # the guard is for one block (K states cost about K/12 single-state passes); further blocks run only
    # while no start has failed, which confines the full P^2 N check to small loads
    P = check_alpha_N(alpha, N, passes=(1 + max_iter) * (1 + block / 12.0))
    checked, all_one, all_ret = 0, True, True
    first = {}
    worst1 = worst = -np.inf
    norm2_min = np.inf
    while checked < P and (all_one or all_ret):
        K = min(block, P - checked)
        X = continuous.continuous_patterns(N, K, seed, kind, first=checked)
        lam_k = np.full(K, float(lam))
        x1 = softmax.softmax_update(X, lam_k, P, seed, kind)
        d1 = np.sum((x1 - X) ** 2, axis=1) / N
        res = softmax.iterate(x1, lam_k, P, seed, kind, tol=tol, max_iter=max_iter)
        d = np.sum((res["x"] - X) ** 2, axis=1) / N
        kept, ok = d1 < eps, (d < eps) & res["converged"]
        if not first:
            first = {"starts": K, "n_one_step": int(kept.sum()), "n_retrieved": int(ok.sum())}
        all_one, all_ret = all_one and bool(kept.all()), all_ret and bool(ok.all())
        worst1, worst = max(worst1, float(d1.max())), max(worst, float(d.max()))
        norm2_min = min(norm2_min, float(np.min(np.sum(X * X, axis=1)) / N))
        checked += K
    return {"P": P, **first, "all_one_step": all_one, "all_retrieved": all_ret, "checked": checked,
            "worst_distance_one_step": worst1, "worst_distance": worst, "norm2_min": norm2_min}

__all__ = [
    "SECONDS_PER_ENTRY",
    "all_patterns_run",
    "basin_run",
    "check_alpha_N",
    "extrapolate_inverse_N",
    "fit_finite_size",
    "lambda_half",
    "lambda_half_scan",
    "long_run_check",
    "one_step_run",
    "polynomial_one_step_run",
    "protocol_check",
    "retrieval_probability",
    "threshold_run",
]


# ----------------------------------------------------------------------------- nearest pattern; scaled dot product
def max_overlap_run(N, alphas, seed, kind="spherical", max_entries=1e8):
    """Largest overlap xi^1.xi^mu / N over the other patterns mu = 2..P(alpha), for every load of ``alphas``.

    One pattern set (the stream of ``seed``) serves all loads: the patterns of the smaller loads are a
    prefix of those of the larger ones, so one pass up to the largest P gives the running maximum at
    every P(alpha) = round(exp(alpha N)). Patterns are generated block by block (never all stored);
    loads whose N P exceeds ``max_entries`` are skipped (nan).

    Parameters
    ----------
    N : int
        Dimension.
    alphas : sequence of float
        Loads, P = exp(alpha N).
    seed : int
        Seed of the pattern set.
    kind : str, optional
        ``"spherical"`` (default) or ``"gaussian"``.
    max_entries : float, optional
        Largest N P streamed (default 1e8).

    Returns
    -------
    dict
        ``c_max`` (len(alphas),) the largest overlap (nan where skipped) and ``P`` (len(alphas),), as floats.
    """
    N = validation.integer(2)("N", N)
    alphas = np.asarray(alphas, float)
    Ps = np.array([round(math.exp(min(float(a) * N, 700.0))) for a in alphas], dtype=float)  # P(alpha), as floats
    ok = N * Ps <= float(max_entries)
    Ps = np.where(ok, np.maximum(Ps, 2.0), Ps)
    out = np.full(len(alphas), np.nan)
    if not ok.any():
        return {"c_max": out, "P": Ps}
    P_top = int(Ps[ok].max())
    Pi = np.where(ok, Ps, 0).astype(np.int64)
    xi1 = continuous.continuous_patterns(N, 1, seed, kind)[0]
    block = 16 * continuous.GEN_CHUNK  # aligned to the generation chunks: no draw is skipped or repeated
    best = -np.inf
    order = np.argsort(np.where(ok, Pi, np.iinfo(np.int64).max))
    k = 0
    for first in range(0, P_top, block):
        n = min(block, P_top - first)
        c = continuous.continuous_patterns(N, n, seed, kind, first=first) @ xi1 / N
        if first == 0:
            c[0] = -np.inf  # xi^1 itself
        running = np.maximum.accumulate(c)
        while k < len(order) and ok[order[k]] and Pi[order[k]] <= first + n:
            out[order[k]] = max(best, float(running[Pi[order[k]] - first - 1]))
            k += 1
        best = max(best, float(running[-1]))
    return {"c_max": out, "P": Ps}


def scaled_retrieval_run(N, lam_t, alphas_t, seed, a=0.5, kind="spherical", eps=0.05, tol=1e-6, max_iter=60,
                         max_entries=1e8):
    """Scaled dot product lam = lam_t / N^a, P = round(exp(alpha_t N^(1-a))): is xi^1 retrieved from xi^1?

    For every alpha_t of ``alphas_t`` (one pattern set, the stream of ``seed``: the smaller loads use a
    prefix of the patterns of the larger ones), start at x = xi^1, iterate the softmax update to
    convergence (|x_{t+1} - x_t|^2 / N < tol, at most ``max_iter`` updates) and call xi^1 retrieved when
    the final overlap x.xi^1/N is at least 1 - eps. Loads whose N P exceeds ``max_entries`` are skipped.

    Parameters
    ----------
    N : int
        Dimension.
    lam_t : float
        Scaled inverse temperature.
    alphas_t : sequence of float
        Scaled loads.
    seed : int
        Seed of the pattern set.
    a : float, optional
        Scaling exponent (default 0.5).
    kind : str, optional
        ``"spherical"`` (default) or ``"gaussian"``.
    eps : float, optional
        Retrieval margin on the overlap (default 0.05).
    tol : float, optional
        Convergence threshold (default 1e-6).
    max_iter : int, optional
        Maximum number of updates (default 60).
    max_entries : float, optional
        Largest N P simulated (default 1e8).

    Returns
    -------
    dict
        Arrays over ``alphas_t``: ``retrieved`` (1.0/0.0, nan where skipped), ``overlap``,
        ``iterations``, ``converged`` (1.0/0.0), ``P`` (float).
    """
    N = validation.integer(2)("N", N)
    eps = validation.positive()("eps", eps)
    lam = float(lam_t) * N ** (-float(a))
    alphas_t = np.asarray(alphas_t, float)
    # P as a float: the loads beyond the budget can exceed any integer type; they are skipped
    Ps = np.array([max(2.0, round(math.exp(min(x * N ** (1.0 - float(a)), 700.0)))) for x in alphas_t])
    keys = ("retrieved", "overlap", "iterations", "converged")
    out = {k: np.full(len(alphas_t), np.nan) for k in keys}
    run = np.flatnonzero(N * Ps <= float(max_entries))
    if len(run):
        # one run per load, all sharing every pass: run j sums over the first P_j patterns of the stream
        # only, so each gives the numbers it would give alone, while the patterns are generated once
        xi1 = continuous.continuous_patterns(N, 1, seed, kind)[0]
        res = softmax.iterate(np.tile(xi1, (len(run), 1)), np.full(len(run), lam), Ps[run].astype(np.int64), seed, kind,
                              tol=tol, max_iter=max_iter)
        for j, x in zip(run, res["x"]):
            overlap = float((x[None] @ xi1 / N)[0])  # row by row, as a single run computes it (bit for bit)
            out["overlap"][j] = overlap
            out["retrieved"][j] = float(overlap >= 1.0 - eps)
        out["iterations"][run] = res["iterations"].astype(float)
        out["converged"][run] = res["converged"].astype(float)
    out["P"] = Ps
    return out


__all__ += ["max_overlap_run", "scaled_retrieval_run"]
