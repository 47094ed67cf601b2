"""Chapter: modern Hopfield networks, from the polynomial to the exponential energy, and attention.

``compute`` runs the three experiments of the page (the polynomial one-step scan, the check of the
streamed softmax update against plain attention, the one-step retrieval scan in alpha = log P / N),
reads the crossovers off them with :mod:`hopcore.analysis`, and builds the page's verdicts against the
finite-N law of :mod:`hopcore.theory.dense_memory` (``_verdicts``) and its checks of the code
(``_checks``); one ``figure_*`` per figure.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .. import validation
from ..analysis import bootstrap, first_crossing, mean_sem, weighted_linear_fit, wilson_interval
from ..book import spec, style
from ..book.report import ChapterResult, claim
from ..book.spec import Chapter, Param
from ..book.verdicts import verdict
from ..experiments.dense import check_alpha_N


def _sizes(p):
    for N in p["Ns_one_step"]:
        check_alpha_N(max(p["alphas_one_step"]), N, passes=p["n_samples_one_step"] * len(p["alphas_one_step"]))
    validation.memory_bytes(
        "P_attention", p["P_attention"], 8.0 * 3 * p["N_attention"] * p["P_attention"], validation.memory_limit_bytes()
    )
    for N in p["Ns_poly"]:
        P = max(p["loads_poly"]) * N ** (max(p["degrees_poly"]) - 1)
        validation.memory_bytes("Ns_poly", p["Ns_poly"], 8.0 * 4 * N * P, validation.memory_limit_bytes())
        if P > 2e5:
            validation.fail(
                "loads_poly", p["loads_poly"], f"small enough that P = load x N^(n-1) <= 2e5 (asks {P:.3g} at N={N})"
            )


SPEC = Chapter(
    name="dense_attention",
    notebook="book/dense_attention.ipynb",
    title="Modern Hopfield networks: exponential energy and attention",
    seed=3101,
    minutes=(0.2, 1.0),
    cached="every (grid point, sample) under _build/cache/hopcore.experiments.dense.*",
    params={
        "N_attention": Param(32, validation.integer(2, 4096), doc="dimension of the attention check"),
        "P_attention": Param(
            2000, validation.integer(2, 10**6), doc="patterns, also the keys and values, of the attention check"
        ),
        "lams_attention": Param(
            [0.1, 1.0, 10.0, 50.0], validation.list_of(validation.positive(1e4)), doc="lam values of the attention check"
        ),
        "Ns_poly": Param(
            [40, 80],
            validation.list_of(validation.integer(8, 1000), increasing=True),
            paper=[40, 80, 120],
            doc="sizes N of the polynomial one-step scan",
        ),
        "degrees_poly": Param(
            [2, 3], validation.list_of(validation.integer(2, 6), increasing=True), doc="degrees n of the polynomial energy (F(z) is z^n)"
        ),
        "loads_poly": Param(
            [0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4],
            validation.list_of(validation.positive(10.0), increasing=True),
            paper=[0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4],
            doc="loads P over N^(n-1) of the polynomial scan",
        ),
        "n_samples_poly": Param(20, validation.integer(1, 10**4), paper=40, doc="networks per point of the polynomial scan"),
        "lam_one_step": Param(0.5, validation.positive(100.0), doc="lam of the one-step retrieval scan"),
        "Ns_one_step": Param(
            [16, 24],
            validation.list_of(validation.integer(4, 200), increasing=True),
            paper=[16, 24, 32],
            doc="sizes N of the one-step retrieval scan",
        ),
        "alphas_one_step": Param(
            [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
            validation.list_of(validation.positive(2.0), increasing=True),
            paper=[0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
            doc="loads alpha, log P over N, of the one-step scan",
        ),
        "n_samples_one_step": Param(
            24, validation.integer(1, 10**4), paper=24, doc="pattern sets per point of the one-step scan"
        ),
    },
    checks=(_sizes,),
    headline=("Ns_poly", "n_samples_poly", "Ns_one_step", "n_samples_one_step", "P_attention"),
    extra={
        "test": {
            "P_attention": 300,
            "Ns_poly": [20],
            "loads_poly": [0.05, 0.2],
            "n_samples_poly": 5,
            "Ns_one_step": [16],
            "alphas_one_step": [0.3, 0.35, 0.4, 0.45, 0.5],
            "n_samples_one_step": 5,
        }
    },
)

KEPT = 0.05  # one update keeps xi^1 when |x_1 - xi^1|^2 / N < KEPT
BAND = (0.1, 0.9)  # "in between": a_1 in this band, i.e. |log-odds| < log 9
LOG_FLOAT_MAX = math.log(np.finfo(np.float64).max)  # about 709.78: exp overflows beyond
V_TRUSTED = 0.1  # the annealed law of a_1 is used where Var Z/(E Z)^2 < 0.1 (its next term is of order v^2)
Z = 2.0  # the verdicts' multiplier of the combined error


def prepare(namespace):
    return spec.prepare(SPEC.name, namespace)


@dataclass
class Result(ChapterResult):
    # polynomial scan: retrieved has shape (degree, N, load, sample)
    degrees: np.ndarray = None
    Ns_poly: np.ndarray = None
    loads: np.ndarray = None
    P_poly: np.ndarray = None  # (degree, N, load)
    retrieved_poly: np.ndarray = None
    half_load: np.ndarray = None  # (degree, N): load where the fraction retrieved crosses 1/2
    half_load_err: np.ndarray = None  # standard error of its log
    half_load_theory: np.ndarray = None  # (degree, N): Gaussian signal-to-noise prediction
    # attention check, one row per lam
    lams: np.ndarray = None
    update_diff: np.ndarray = None
    lse_diff: np.ndarray = None
    naive_lse: np.ndarray = None
    max_exponent: np.ndarray = None  # largest lam x.xi at each lam
    # one-step scan: (N, alpha, sample)
    Ns: np.ndarray = None
    alphas: np.ndarray = None
    lam: float = 0.0
    retrieved: np.ndarray = None
    weight1: np.ndarray = None
    log_odds_theory: np.ndarray = None  # (N, alpha): annealed prediction of log(a_1 / (1 - a_1))
    log_odds_var: np.ndarray = None  # (N, alpha): v = Var Z / (E Z)^2 of the prediction
    alpha_fine: np.ndarray = None  # fine grid of loads for the theory lines
    log_odds_fine: np.ndarray = None  # (N, fine): the annealed law on it
    a_star: np.ndarray = None  # (N, alpha): weight a_1 above which one update keeps xi^1
    alpha_half_theory: np.ndarray = None  # (N,): crossover predicted by the annealed finite-N law
    alpha_1: float = 0.0
    alpha_half: np.ndarray = None  # (N,)
    alpha_half_err: np.ndarray = None
    theory: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- computation
def _crossing_with_error(x, outcomes, seed, log_x=False):
    """Where the fraction of successes (outcomes: (len(x), samples) of 0/1) first drops below 1/2,
    and a standard error: bootstrap over samples, plus the width of the bracketing interval / sqrt(12)
    when the drop is an unresolved step from 1 to 0 between two neighbouring points."""
    x = np.asarray(x, float)
    frac = outcomes.mean(-1)
    value = first_crossing(x, frac, 0.5, "down", log_x=log_x)
    if not np.isfinite(value):
        return value, math.nan
    t = np.log(x) if log_x else x

    def stat(o):
        c = first_crossing(x, np.asarray(o).mean(-1), 0.5, "down", log_x=log_x)
        return math.log(c) if log_x else c

    _, err = bootstrap(stat, outcomes, n_boot=200, seed=seed, axis=1)
    k = int(np.flatnonzero((frac[:-1] >= 0.5) & (frac[1:] < 0.5))[0])
    if frac[k] == 1.0 and frac[k + 1] == 0.0:
        err = math.sqrt((0.0 if not np.isfinite(err) else err) ** 2 + (t[k + 1] - t[k]) ** 2 / 12.0)
    return value, float(err)


def _polynomial(p):
    from ..experiments import dense as dense_experiments
    from ..experiments import sweep
    from ..experiments.runner import stack
    from ..theory import dense_memory as dense_theory
    grid = [
        {"N": N, "P": max(1, int(round(c * N ** (n - 1)))), "n": n}
        for n in p.degrees_poly
        for N in p.Ns_poly
        for c in p.loads_poly
    ]
    res = sweep(dense_experiments.polynomial_one_step_run, grid, p.n_samples_poly, p.seed, desc="polynomial one step",
                progress=False)
    shape = (len(p.degrees_poly), len(p.Ns_poly), len(p.loads_poly))
    ok = stack(res, "retrieved").astype(float).reshape(shape + (-1,))
    P = np.array([g["P"] for g in grid]).reshape(shape)
    half = np.full(shape[:2], np.nan)
    err = np.full(shape[:2], np.nan)
    theory = np.full(shape[:2], np.nan)
    for a, n in enumerate(p.degrees_poly):
        for b, N in enumerate(p.Ns_poly):
            actual = P[a, b] / N ** (n - 1)  # the loads after rounding P
            half[a, b], err[a, b] = _crossing_with_error(actual, ok[a, b], p.seed + 17 * a + b, log_x=True)
            theory[a, b] = dense_theory.polynomial_half_load(N, n)
    return dict(
        degrees=np.array(p.degrees_poly),
        Ns_poly=np.array(p.Ns_poly),
        loads=np.array(p.loads_poly, float),
        P_poly=P,
        retrieved_poly=ok,
        half_load=half,
        half_load_err=err,
        half_load_theory=theory,
    )


def _attention(p):
    from scipy.special import logsumexp

    from ..dynamics import softmax
    from ..ensembles.continuous import continuous_patterns

    Xi = continuous_patterns(p.N_attention, p.P_attention, p.seed, "spherical")
    x = Xi[0] + 0.8 * np.random.default_rng(p.seed).standard_normal(p.N_attention)
    rows = []
    for lam in p.lams_attention:
        x_new, lse = softmax.softmax_update(x, lam, p.P_attention, p.seed, "spherical", return_lse=True)
        ref = softmax.softmax_attention(x, Xi, Xi, lam)[0]  # softmax(beta Q K^T) V with Q = x, K = V = patterns
        with np.errstate(over="ignore"):
            naive = np.log(np.sum(np.exp(lam * Xi @ x)))
        rows.append(
            (
                lam,
                np.max(np.abs(x_new - ref)),
                abs(lse[0] - logsumexp(lam * Xi @ x)),
                naive,
                float(np.max(lam * Xi @ x)),
            )
        )
    rows = np.array(rows)
    scale = float(np.max(np.abs(Xi)))
    return dict(
        lams=rows[:, 0],
        update_diff=rows[:, 1],
        lse_diff=rows[:, 2],
        naive_lse=rows[:, 3],
        max_exponent=rows[:, 4],
        _scale=scale,
    )


def _one_step(p):
    from ..ensembles.continuous import n_patterns
    from ..experiments import dense as dense_experiments
    from ..experiments import sweep_grid
    from ..theory import dense_memory as dense_theory
    g = sweep_grid(
        dense_experiments.one_step_run,
        {"N": p.Ns_one_step, "alpha": p.alphas_one_step},
        p.n_samples_one_step,
        p.seed,
        fixed={"lam": p.lam_one_step, "kind": "spherical"},
        desc="one step",
        progress=False,
    )
    ok = g["retrieved"].astype(float)
    w1 = g["weight1"]
    alphas = np.array(p.alphas_one_step, float)
    laws = [
        dense_theory.one_step_law([n_patterns(a, N) for a in alphas], p.lam_one_step, N, KEPT, "spherical") for N in p.Ns_one_step
    ]
    # predicted crossover: where the annealed log-odds fall to the log-odds of the weight a_star
    # needed to keep xi^1, on a fine grid of loads
    fine = np.linspace(alphas[0], alphas[-1], 401)
    predicted, fine_odds = [], []
    for N in p.Ns_one_step:
        law = dense_theory.one_step_law([n_patterns(a, N) for a in fine], p.lam_one_step, N, KEPT, "spherical")
        fine_odds.append(law["log_odds"])
        margin = law["log_odds"] - np.log(law["a_star"] / (1.0 - law["a_star"]))
        predicted.append(first_crossing(fine, margin, 0.0, "down"))
    half, herr = zip(*[_crossing_with_error(alphas, ok[b], p.seed + 101 + b) for b in range(len(p.Ns_one_step))])
    return dict(
        Ns=np.array(p.Ns_one_step),
        alphas=alphas,
        lam=float(p.lam_one_step),
        retrieved=ok,
        weight1=w1,
        log_odds_theory=np.array([law["log_odds"] for law in laws]),
        log_odds_var=np.array([law["v"] for law in laws]),
        a_star=np.array([law["a_star"] for law in laws]),
        alpha_fine=fine,
        log_odds_fine=np.array(fine_odds),
        alpha_half_theory=np.array(predicted, float),
        alpha_1=float(dense_theory.alpha_1(p.lam_one_step, "spherical")),
        alpha_half=np.array(half, float),
        alpha_half_err=np.array(herr, float),
    )


def _theory_beyond():
    """The numbers behind 'P_max ~ exp(N/2)': for which ensemble and which notion of retrieval."""
    from ..theory import dense_memory as dense_theory
    lam_hi = np.geomspace(1.0, 1e3, 61)
    a1_g = dense_theory.alpha_1(lam_hi, "gaussian")
    lam_lb = np.geomspace(0.05, 1e3, 41)
    lb_g = dense_theory.alpha_c_lb(lam_lb, "gaussian")
    big = np.array([1e2, 1e3, 1e4])
    a1_s_big = dense_theory.alpha_1(big, "spherical")
    return {
        "lam_gauss": lam_hi,
        "alpha_1_gauss": a1_g,
        "alpha_1_gauss_below_1": float(dense_theory.alpha_1(0.5, "gaussian")),
        "lam_lb": lam_lb,
        "alpha_c_lb_gauss": lb_g,
        "alpha_c_lb_gauss_inf": float(dense_theory.alpha_c_lb(np.inf, "gaussian")),
        "lam_big": big,
        "alpha_1_sph_big": a1_s_big,
    }


def compute(p) -> Result:
    t0 = time.perf_counter()
    poly = _polynomial(p)
    t1 = time.perf_counter()
    att = _attention(p)
    t2 = time.perf_counter()
    one = _one_step(p)
    t3 = time.perf_counter()
    theory = _theory_beyond()
    scale = att.pop("_scale")
    r = Result(**poly, **att, **one, theory=theory)
    r.timings = {
        "polynomial_seconds": t1 - t0,
        "attention_check_seconds": t2 - t1,
        "one_step_seconds": t3 - t2,
        "theory_seconds": time.perf_counter() - t3,
    }
    prob = r.retrieved.mean(-1)
    alpha_half = float(first_crossing(r.alphas, prob[-1], 0.5, "down"))
    r.summary = {
        "attention_max_abs_diff": float(r.update_diff.max()),
        "attention_lams": list(p.lams_attention),
        "one_step": {
            "lam": p.lam_one_step,
            "alpha_1_theory": r.alpha_1,
            "alpha_half_largest_N": alpha_half,
            "N": list(p.Ns_one_step),
            "alpha": list(p.alphas_one_step),
            "probability": prob,
        },
    }
    r.verdicts = _verdicts(p, r)
    r.claims = _checks(p, r, scale)
    r.glue = _glue(p, r)
    r.figure_data = {
        "fig-dense-attention-poly": dict(
            n=r.degrees,
            N=r.Ns_poly,
            load=r.loads,
            P=r.P_poly,
            retrieved=r.retrieved_poly,
            half_load=r.half_load,
            half_load_err=r.half_load_err,
            half_load_theory=r.half_load_theory,
        ),
        "tab-dense-attention-check": dict(
            lam=r.lams,
            update_diff=r.update_diff,
            lse_diff=r.lse_diff,
            naive_lse=r.naive_lse,
            max_exponent=r.max_exponent,
        ),
        "fig-dense-attention-onestep": dict(
            N=r.Ns,
            alpha=r.alphas,
            retrieved=r.retrieved,
            weight1=r.weight1,
            log_odds_theory=r.log_odds_theory,
            log_odds_var=r.log_odds_var,
            alpha_1=r.alpha_1,
            alpha_half=r.alpha_half,
            alpha_half_err=r.alpha_half_err,
            alpha_half_theory=r.alpha_half_theory,
            a_star=r.a_star,
            alpha_fine=r.alpha_fine,
            log_odds_fine=r.log_odds_fine,
        ),
    }
    return r


# ----------------------------------------------------------------------------- claims
def _log_odds(w):
    with np.errstate(divide="ignore"):
        return np.log(w) - np.log1p(-w)


def law_crossing(N, p):
    """The load where the finite-N law of one update crosses the weight a_star needed to keep xi^1."""
    from ..ensembles.continuous import n_patterns
    from ..theory import dense_memory as dense_theory

    fine = np.linspace(p.alphas_one_step[0], p.alphas_one_step[-1], 401)
    law = dense_theory.one_step_law([n_patterns(a, N) for a in fine], p.lam_one_step, N, KEPT, "spherical")
    return float(first_crossing(fine, law["log_odds"] - np.log(law["a_star"] / (1.0 - law["a_star"])), 0.0, "down"))


def law_midpoint(N, p):
    """The load alpha_mid where the annealed log-odds of a_1 vanish (a_1 = 1/2) at size N."""
    from ..ensembles.continuous import n_patterns
    from ..theory import dense_memory as dense_theory

    fine = np.linspace(p.alphas_one_step[0], p.alphas_one_step[-1], 401)
    law = dense_theory.one_step_law([n_patterns(a, N) for a in fine], p.lam_one_step, N, KEPT, "spherical")
    return float(first_crossing(fine, law["log_odds"], 0.0, "down"))


def _midpoints(r):
    """Per N: the load where the mean log-odds of a_1 vanish, from a weighted straight line through the
    points where the annealed law is trusted (v < V_TRUSTED), and its standard error."""
    g = _log_odds(r.weight1)
    R = g.shape[-1]
    gm, gs = mean_sem(np.where(np.isfinite(g), g, np.nan))
    sigma = np.sqrt(np.maximum(np.nan_to_num(gs, nan=0.0) ** 2, r.log_odds_var / R))
    usable = (r.log_odds_var < V_TRUSTED) & np.all(np.isfinite(g), axis=-1)
    mid, err = np.full(len(r.Ns), np.nan), np.full(len(r.Ns), np.nan)
    for b in range(len(r.Ns)):
        ok = usable[b]
        if ok.sum() < 3:
            continue
        x0 = float(np.mean(r.alphas[ok]))
        fit = weighted_linear_fit(np.column_stack([np.ones(ok.sum()), r.alphas[ok] - x0]), gm[b, ok], sigma[b, ok])
        (c0, c1), cov = fit["coef"], fit["cov"]
        if not (fit["determined"] and c1 < 0):
            continue
        mid[b] = x0 - c0 / c1
        t = c0 / c1
        # errors scaled up when the points scatter more than their error bars say (chi2 per degree > 1)
        scale = math.sqrt(max(1.0, fit["chi2"] / fit["dof"])) if fit["dof"] > 0 else 1.0
        err[b] = scale * math.sqrt(max(cov[0, 0] - 2 * t * cov[0, 1] + t * t * cov[1, 1], 0.0)) / abs(c1)
    return mid, err, usable


def _pooled(values, errors, references):
    """Inverse-variance weighted means of the values and of their references (same weights), the error."""
    ok = np.isfinite(values) & np.isfinite(errors) & (np.asarray(errors) > 0) & np.isfinite(references)
    if not ok.any():
        return (math.nan, math.nan), math.nan, 0
    w = 1.0 / np.asarray(errors)[ok] ** 2
    book = float(np.sum(w * np.asarray(values)[ok]) / np.sum(w))
    return (book, float(1.0 / math.sqrt(np.sum(w)))), float(np.sum(w * np.asarray(references)[ok]) / np.sum(w)), int(ok.sum())


def _verdicts(p, r):
    """The chapter's verdicts: the one-step simulation against the finite-N law (references recomputed
    here from the theory, so that tests can shift them)."""
    Ns = [int(N) for N in r.Ns]
    book, ref, n = _pooled(r.alpha_half, r.alpha_half_err, np.array([law_crossing(N, p) for N in Ns]))
    mid, mid_err, _ = _midpoints(r)
    book_m, ref_m, n_m = _pooled(mid, mid_err, np.array([law_midpoint(N, p) for N in Ns]))
    return [
        verdict("one_step_half", paper="book", z=Z, aim=0.05, figure="fig-dense-attention-onestep",
                item=f"one update from ξ¹ at λ = {p.lam_one_step:g}: load kept by half of the pattern sets, "
                     "against the finite-N law", book=book, reference=ref, sizes=n),
        verdict("weight_mid", paper="book", z=Z, aim=0.01, figure="fig-dense-attention-onestep",
                item=f"one update from ξ¹ at λ = {p.lam_one_step:g}: load where the weight of ξ¹ is 1/2, "
                     "against the annealed finite-N law", book=book_m, reference=ref_m, sizes=n_m),
    ]


def _checks(p, r, scale):
    """Checks of the code and of the scaling (not findings)."""
    eps = float(np.finfo(np.float64).eps)
    tol = p.P_attention * eps * scale  # rounding of a sum of P terms of size <= max|xi|
    worst = float(max(r.update_diff.max(), r.lse_diff.max()))
    out = {"streamed_equals_attention": claim(worst <= tol, "the streamed update equals plain attention to rounding",
                                              finding=False, largest_difference=worst, tolerance=tol)}
    if len(r.Ns_poly) >= 2 and np.all(np.isfinite(r.half_load[:, [0, -1]])):
        ln = math.log(r.Ns_poly[-1] / r.Ns_poly[0])
        drift = np.log(r.half_load[:, -1] / r.half_load[:, 0]) / ln
        drift_err = np.hypot(r.half_load_err[:, -1], r.half_load_err[:, 0]) / ln
        drift_th = np.log(r.half_load_theory[:, -1] / r.half_load_theory[:, 0]) / ln
        collapse = bool(np.all((np.abs(drift - drift_th) <= 2 * drift_err) & (2 * drift_err < 1.0)))
    else:
        drift = drift_err = drift_th = np.full(len(r.degrees), np.nan)
        collapse = False
    out["poly_collapse"] = claim(collapse, "the half-retrieval load P/N^(n-1) drifts with N as the signal-to-noise "
                                 "count predicts, within two standard errors", finding=False, drift_exponent=drift,
                                 drift_exponent_err=drift_err, drift_exponent_theory=drift_th)
    ah = r.alpha_half
    out["exponential_in_N"] = claim(
        len(ah) >= 2 and bool(np.all(np.isfinite(ah[[0, -1]])))
        and abs(ah[-1] / ah[0] - 1) < abs(ah[-1] / ah[0] - r.Ns[0] / r.Ns[-1]),
        "the half-retrieval load alpha changes less with N than a fixed number of patterns would make it",
        finding=False, alpha_half=ah, N=r.Ns)
    th = r.theory
    big, a1 = th["lam_big"], th["alpha_1_sph_big"]
    out["gauss_all_patterns"] = claim(abs(th["alpha_c_lb_gauss_inf"] - math.log(2) / 4) < 1e-9,
                                      "the Gaussian union bound tends to log 2/4", finding=False,
                                      alpha_c_lb_inf=th["alpha_c_lb_gauss_inf"])
    out["spherical_unbounded"] = claim(bool(np.all(np.abs(a1 - 0.5 - 0.5 * np.log(big)) < 1.0 / big)),
                                       "the spherical alpha_1 follows 1/2 + log(lam)/2 within 1/lam", finding=False,
                                       lam=big, alpha_1=a1)
    return out


def _md(x, fmt=".3f"):
    from IPython.display import Markdown

    return Markdown(f"${x:{fmt}}$" if np.isfinite(x) else "no value in this run")


def _sci(x):
    from IPython.display import Markdown

    if not (np.isfinite(x) and x > 0):
        return _md(x, "g")
    e = int(math.floor(math.log10(x)))
    return Markdown(f"${x / 10**e:.1f}\\times10^{{{e}}}$")


def _glue(p, r):
    """The numbers the page quotes (Markdown, math mode)."""
    ratio = r.half_load / r.half_load_theory
    ok = np.isfinite(ratio)
    mid, mid_err, usable = _midpoints(r)
    return {
        "max_diff": _sci(float(r.update_diff.max())),
        "lam_N_max": _md(max(p.lams_attention) * p.N_attention, ".0f"),
        "lam_one_step": _md(p.lam_one_step, "g"),
        "alpha1_one_step": _md(r.alpha_1, ".4f"),
        "v_trusted": _md(V_TRUSTED, "g"),
        "poly_ratio_lo": _md(float(np.min(ratio[ok])) if ok.any() else math.nan, ".2f"),
        "poly_ratio_hi": _md(float(np.max(ratio[ok])) if ok.any() else math.nan, ".2f"),
        "alpha_c_lb_inf": _md(r.theory["alpha_c_lb_gauss_inf"], ".4f"),
        "samples_one_step": _md(p.n_samples_one_step, "d"),
    }


def one_step_table(r, p) -> str:
    """Per size: the measured half-retrieval load, the finite-N law's, the load where a_1 = 1/2 (fitted
    and from the law) and P at the measured crossover (Markdown table)."""
    mid, mid_err, _ = _midpoints(r)
    lines = [r"| $N$ | $\alpha_{1/2}$ measured | finite-$N$ law | $a_1=\tfrac12$ measured | law | $P$ at $\alpha_{1/2}$ |",
             "|---|---|---|---|---|---|"]
    for b, N in enumerate(r.Ns):
        a, e = r.alpha_half[b], r.alpha_half_err[b]
        meas = f"${a:.3f}\\pm{e:.3f}$" if np.isfinite(a) else "no crossing"
        fit = f"${mid[b]:.4f}\\pm{mid_err[b]:.4f}$" if np.isfinite(mid[b]) else "too few points"
        P = f"${math.exp(a * N):.0f}$" if np.isfinite(a) else "–"
        lines.append(f"| {N} | {meas} | ${law_crossing(int(N), p):.3f}$ | {fit} | ${law_midpoint(int(N), p):.4f}$ | {P} |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- figures
def _tex_sci(x):
    if x == 0:
        return "$0$"
    e = int(math.floor(math.log10(abs(x))))
    return f"${x / 10**e:.1f}\\times10^{{{e}}}$"


def attention_table(r) -> str:
    """The streamed update against plain attention, per lam (Markdown table)."""
    lines = [r"| $\lambda$ | largest $\lambda\,\mathbf x\cdot\boldsymbol\xi$ | update: largest difference | "
             r"log-sum-exp: difference | naive $\log\sum e^{\lambda\mathbf x\cdot\boldsymbol\xi}$ |", "|---|---|---|---|---|"]
    for lam, mx, d1, d2, nv in zip(r.lams, r.max_exponent, r.update_diff, r.lse_diff, r.naive_lse):
        naive = "overflow" if np.isinf(nv) else f"{nv:.6g}"
        lines.append(f"| {lam:g} | {mx:.1f} | {_tex_sci(d1)} | {_tex_sci(d2)} | {naive} |")
    return "\n".join(lines)


def figure_poly(r, ax=None):
    from matplotlib.ticker import FormatStrFormatter

    if ax is None:
        fig, ax = style.figure(width=7.0, height=4.2)
    else:
        fig = ax.figure
    markers = "osd^v"
    R = r.retrieved_poly.shape[-1]
    for a, n in enumerate(r.degrees):
        for b, N in enumerate(r.Ns_poly):
            x = r.P_poly[a, b] / N ** (n - 1)
            k = r.retrieved_poly[a, b].sum(-1)
            lo, hi = wilson_interval(k, R)
            style.points(
                ax, x, k / R, None, yerr_asym=(lo, hi), marker=markers[a % 5], color=f"C{b}", label=f"$n={n}$, $N={N}$"
            )
            ax.axvline(r.half_load_theory[a, b], color=f"C{b}", ls=":" if a == 0 else "--", lw=0.8)
    ax.set_xscale("log")
    style.log_ticks(ax, "x")
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.set_xlabel(r"$P/N^{n-1}$")
    ax.set_ylabel("fraction retrieved in one step")
    ax.plot([], [], "k:", lw=0.8, label="signal-to-noise half-retrieval load ($n=2$)")
    ax.plot([], [], "k--", lw=0.8, label="signal-to-noise half-retrieval load ($n=3$)")
    style.legend_outside(ax)
    return fig


def figure_onestep(r, axs=None):
    if axs is None:
        fig, axs = style.figure(nrows=2, width=7.0, height=8.0)
    else:
        fig = axs[0].figure
    R = r.retrieved.shape[-1]
    for b, N in enumerate(r.Ns):
        k = r.retrieved[b].sum(-1)
        lo, hi = wilson_interval(k, R)
        style.points(axs[0], r.alphas, k / R, None, yerr_asym=(lo, hi), color=f"C{b}", label=f"$N={N}$")
        if np.isfinite(r.alpha_half_theory[b]):
            axs[0].axvline(r.alpha_half_theory[b], color=f"C{b}", ls="--", lw=0.9)
        dx = 0.004 * (b - (len(r.Ns) - 1) / 2)
        axs[1].plot(np.repeat(r.alphas, R) + dx, r.weight1[b].ravel(), ".", color=f"C{b}", alpha=0.35, ms=3)
        m, s = mean_sem(r.weight1[b])
        style.points(axs[1], r.alphas + dx, m, s, color=f"C{b}", line=False, label=f"$N={N}$, mean of {R} runs")
        style.line(axs[1], r.alpha_fine, 1.0 / (1.0 + np.exp(-r.log_odds_fine[b])), color=f"C{b}", lw=0.9)
    axs[1].plot([], [], "k-", lw=0.9, label="annealed finite-$N$ law")
    axs[0].plot([], [], "k--", lw=0.9, label="crossover of the finite-$N$ law")
    for ax in axs:
        ax.axvline(r.alpha_1, color="k", lw=1.5, label=r"$\alpha_1(\lambda)$ (theory, $N\to\infty$)")
        ax.set_xlabel(r"$\alpha=\log P/N$")
    axs[1].axhspan(*BAND, color="0.5", alpha=0.08, lw=0)
    axs[0].set_ylabel(r"probability that one step keeps $\xi^1$")
    axs[1].set_ylabel(r"weight $a_1$ of $\xi^1$ after one step")
    style.legend_outside(axs[0], "below")
    style.legend_outside(axs[1], "below")
    return fig
