"""Chapter: modern Hopfield networks, from the polynomial to the exponential energy, and attention.

``compute`` runs the three experiments of the page (the polynomial one-step scan, the check of the
streamed softmax update against plain attention, the one-step retrieval scan in alpha = log P / N),
reads the crossovers off them with :mod:`hopcore.analysis`, compares them with the theory of
:mod:`hopcore.theory.dense_memory` and states the page's claims; one ``figure_*`` per figure.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .. import validation
from ..analysis import bootstrap, first_crossing, mean_sem, wilson_interval
from ..book import spec, style
from ..book.report import ChapterResult, claim
from ..book.spec import Chapter, Param
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
    minutes=(0.5, 1.6),
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
            "n_samples_poly": 3,
            "Ns_one_step": [12],
            "alphas_one_step": [0.2, 0.5],
            "n_samples_one_step": 3,
        }
    },
)

KEPT = 0.05  # one update keeps xi^1 when |x_1 - xi^1|^2 / N < KEPT
BAND = (0.1, 0.9)  # "in between": a_1 in this band, i.e. |log-odds| < log 9
LOG_FLOAT_MAX = math.log(np.finfo(np.float64).max)  # about 709.78: exp overflows beyond


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
    res = sweep(dense_experiments.polynomial_one_step_run, grid, p.n_samples_poly, p.seed, desc="polynomial one step")
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
    r.glue = {
        "max_diff": float(r.update_diff.max()),
        "lam_N_max": max(p.lams_attention) * p.N_attention,
        "lam_one_step": p.lam_one_step,
        "alpha1_one_step": r.alpha_1,
        "alpha_half_one_step": alpha_half,
    }
    r.claims = _claims(p, r, scale)
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


def _claims(p, r, scale):
    out = {}
    eps = float(np.finfo(np.float64).eps)
    # rounding of a sum of P terms of size <= max|xi|: at most P eps max|xi|
    tol = p.P_attention * eps * scale
    worst = float(max(r.update_diff.max(), r.lse_diff.max()))
    out["streamed_equals_attention"] = claim(
        worst <= tol,
        f"The streamed update agrees with the plain attention computation to rounding at every λ of the run "
        f"(largest difference {worst:.1e}, below the rounding bound P·ε·max|ξ| = {tol:.1e})",
        otherwise=f"The streamed update differs from the plain attention computation by {worst:.1e}, more than "
        f"the rounding bound P·ε·max|ξ| = {tol:.1e}: a defect of the kernel",
        largest_difference=worst,
        tolerance=tol,
        P=p.P_attention,
    )
    over = np.isinf(r.naive_lse)
    predicted = r.max_exponent > LOG_FLOAT_MAX
    finite = bool(np.all(np.isfinite(r.lse_diff)))
    if over.any():
        out["naive_overflows"] = claim(
            bool(np.array_equal(over, predicted)) and finite,
            f"while the naive sum of exponentials returns inf exactly at the λ where the largest exponent "
            f"λ x·ξ exceeds log(largest double) = {LOG_FLOAT_MAX:.1f} (here {int(over.sum())} of {len(over)} values "
            f"of λ), and the streamed log-sum-exp stays finite",
            otherwise=f"while the naive sum of exponentials overflows at {int(over.sum())} values of λ, but not "
            f"exactly where the largest exponent exceeds {LOG_FLOAT_MAX:.1f}, or the streamed sum overflows too",
            overflow=over,
            exponent_above_limit=predicted,
            max_exponent=r.max_exponent,
            limit=LOG_FLOAT_MAX,
        )
    else:
        out["naive_overflows"] = claim(
            False,
            "while the naive sum of exponentials overflows at the largest λ",
            otherwise=f"no λ of this run makes the largest exponent λ x·ξ exceed {LOG_FLOAT_MAX:.1f} "
            f"(largest: {r.max_exponent.max():.1f}), so the naive sum does not overflow here either",
            finding=False,
            max_exponent=r.max_exponent,
            limit=LOG_FLOAT_MAX,
        )
    # polynomial collapse: effective exponent of the half-retrieval load in N, against the log N drift
    if len(r.Ns_poly) >= 2 and np.all(np.isfinite(r.half_load[:, [0, -1]])):
        ln = math.log(r.Ns_poly[-1] / r.Ns_poly[0])
        drift = np.log(r.half_load[:, -1] / r.half_load[:, 0]) / ln
        drift_err = np.hypot(r.half_load_err[:, -1], r.half_load_err[:, 0]) / ln
        drift_th = np.log(r.half_load_theory[:, -1] / r.half_load_theory[:, 0]) / ln
        agree = np.abs(drift - drift_th) <= 2 * drift_err
        resolved = 2 * drift_err < 1.0  # the run tells N^(n-1) from N^(n-2) or N^n
        shown = "; ".join(
            f"n = {n}: {d:+.2f} ± {e:.2f} (predicted {t:+.2f})"
            for n, d, e, t in zip(r.degrees, drift, drift_err, drift_th)
        )
        out["poly_collapse"] = claim(
            bool(np.all(agree & resolved)),
            f"For each degree the curves of different N nearly collapse: the load P/N^(n-1) at which half of the "
            f"networks retrieve changes with N only through the slow drift predicted by the signal-to-noise "
            f"ratio with a zero-error criterion; as a power of N its change is {shown}, within two standard "
            f"errors, so the capacity scales as N^(n-1)",
            otherwise=f"The collapse is not established by this run: the change of the half-retrieval load with N, "
            f"as a power of N, is {shown}, either further than two standard errors from the predicted "
            f"log N drift or too uncertain (two standard errors above 1) to tell N^(n-1) from N^(n-2) or N^n",
            drift_exponent=drift,
            drift_exponent_err=drift_err,
            drift_exponent_theory=drift_th,
            half_load=r.half_load,
            half_load_theory=r.half_load_theory,
            tolerance="2 standard errors, and 2 s.e. < 1",
        )
    else:
        out["poly_collapse"] = claim(
            False,
            "For each degree the curves of different N nearly collapse",
            otherwise="This run cannot test the collapse: it needs two sizes N whose retrieved fraction crosses 1/2 "
            "inside the scanned loads (at paper scale: N = 40, 80, 120 over loads 0.01 to 0.4)",
            finding=False,
            Ns=r.Ns_poly,
            half_load=r.half_load,
        )
    # the absolute half-retrieval loads against the Gaussian prediction (errors are on log(load))
    ok = np.isfinite(r.half_load) & np.isfinite(r.half_load_err)
    if ok.any():
        ratio = r.half_load / r.half_load_theory
        z = np.abs(np.log(ratio)) / r.half_load_err
        lo, hi = float(np.nanmin(ratio[ok])), float(np.nanmax(ratio[ok]))
        out["poly_absolute"] = claim(
            bool(np.all(z[ok] <= 2)),
            f"The absolute half-retrieval loads also agree with the Gaussian prediction within two standard errors "
            f"(measured over predicted: {lo:.2f} to {hi:.2f})",
            otherwise=f"The absolute half-retrieval loads are {lo:.2f} to {hi:.2f} times the Gaussian prediction, "
            f"further than two standard errors at some points: at these sizes the noise is not exactly Gaussian and "
            f"the bits are not independent, and the collapse above compares only the change of the loads with N",
            finding=False, ratio=ratio, deviation_in_sigma=z, tolerance="2 standard errors of log(load)")
    else:
        out["poly_absolute"] = claim(
            False, "The absolute half-retrieval loads agree with the Gaussian prediction",
            otherwise="No half-retrieval load is inside the scanned loads of this run",
            finding=False, half_load=r.half_load)
    out.update(_one_step_claims(r))
    out.update(_beyond_claims(r.theory))
    return out


def _one_step_claims(r):
    out = {}
    Ns, ah, ae = r.Ns, r.alpha_half, r.alpha_half_err
    # exponential capacity: alpha_half is a function of alpha, not of P (if P_half were fixed,
    # alpha_half would fall as 1/N)
    if len(Ns) >= 2 and np.all(np.isfinite(ah[[0, -1]])):
        ratio = ah[-1] / ah[0]
        fixed_P = Ns[0] / Ns[-1]
        out["exponential_in_N"] = claim(
            abs(ratio - 1) < abs(ratio - fixed_P),
            f"The number of patterns that fit is exponential in N: the load at which half of the pattern sets keep "
            f"ξ¹ is α = {ah[0]:.3f} at N = {Ns[0]} and {ah[-1]:.3f} at N = {Ns[-1]} (ratio {ratio:.2f}, closer to 1 "
            f"than to the ratio {fixed_P:.2f} that a fixed number of patterns would give), although P itself grows "
            f"from about {math.exp(ah[0] * Ns[0]):.3g} to {math.exp(ah[-1] * Ns[-1]):.3g}",
            otherwise=f"The half-retrieval load α changes from {ah[0]:.3f} at N = {Ns[0]} to {ah[-1]:.3f} at "
            f"N = {Ns[-1]} (ratio {ratio:.2f}), no closer to 1 than to {fixed_P:.2f} (a fixed P): this run "
            f"does not show that P grows exponentially with N",
            alpha_half=ah,
            alpha_half_err=ae,
            N=Ns,
            ratio=ratio,
            ratio_if_P_fixed=fixed_P,
        )
        diff = ah[-1] - ah[0]
        diff_err = float(np.hypot(ae[-1], ae[0]))
        out["drift_towards_alpha_1"] = claim(
            diff > 0 and abs(r.alpha_1 - ah[-1]) < abs(r.alpha_1 - ah[0]),
            f"and the crossover moves towards α₁ as N grows (by {diff:+.3f} ± {diff_err:.3f} "
            f"from N = {Ns[0]} to {Ns[-1]})",
            otherwise=f"and the crossover does not move towards α₁ in this run (change {diff:+.3f} ± "
            f"{diff_err:.3f} from N = {Ns[0]} to {Ns[-1]}, within the noise of the grid and the samples)",
            finding=False,
            alpha_half=ah,
            alpha_half_err=ae,
            alpha_1=r.alpha_1,
            change=diff,
            change_err=diff_err,
        )
    else:
        out["exponential_in_N"] = claim(
            False,
            "The number of patterns that fit is exponential in N",
            otherwise="This run has fewer than two sizes with a crossover inside the scanned loads, so it cannot "
            "compare loads across N (the quick and paper profiles can)",
            finding=False,
            N=Ns,
            alpha_half=ah,
        )
        out["drift_towards_alpha_1"] = claim(
            False,
            "and the crossover moves towards α₁ as N grows",
            otherwise="and the drift of the crossover with N is not measured here",
            finding=False,
            N=Ns,
            alpha_half=ah,
        )
    th = r.alpha_half_theory
    ok = np.isfinite(ah) & np.isfinite(ae) & np.isfinite(th)
    if ok.any():
        dev = np.abs(ah - th)
        agree = bool(np.all(dev[ok] <= 2 * ae[ok])) and bool(np.all(th[ok] < r.alpha_1))
        shown = "; ".join(
            f"N = {N}: {a:.3f} ± {e:.3f}, predicted {t:.3f}" for N, a, e, t, o in zip(Ns, ah, ae, th, ok) if o
        )
        a_star = float(np.nanmean(r.a_star[ok][:, np.argmin(np.abs(r.alphas - r.alpha_1))]))
        out["below_alpha_1"] = claim(
            agree,
            f"At these sizes the crossover lies where the finite-N law puts it, below α₁ = {r.alpha_1:.4f} "
            f"({shown}; agreement within two standard errors): one update keeps ξ¹ only if a₁ exceeds "
            f"a* = 1 − (0.05/K)^(1/2) ≈ {a_star:.2f}, so the crossover is where N(α_mid − α) = log(a*/(1−a*)), "
            f"below the load α_mid ≈ α₁ of a₁ = 1/2 by about {math.log(a_star / (1 - a_star)):.2f}/N",
            otherwise=f"The measured crossover does not agree with the finite-N law within two standard errors "
            f"({shown}; α₁ = {r.alpha_1:.4f})",
            alpha_half=ah,
            alpha_half_err=ae,
            alpha_half_theory=th,
            alpha_1=r.alpha_1,
            a_star=a_star,
            tolerance="2 standard errors",
        )
    else:
        out["below_alpha_1"] = claim(
            False,
            "At these sizes the crossover sits at a smaller load than α₁",
            otherwise="The retrieval probability does not cross 1/2 inside the scanned loads of this run",
            finding=False,
            alpha_half=ah,
            alpha_half_theory=th,
            alpha_1=r.alpha_1,
        )
    # the weight a_1 against the annealed finite-N law
    g = _log_odds(r.weight1)
    R = g.shape[-1]
    usable = (r.log_odds_var < 0.1) & np.all(np.isfinite(g), axis=-1)
    gm, gs = mean_sem(np.where(np.isfinite(g), g, np.nan))
    sigma = np.sqrt(np.maximum(np.nan_to_num(gs, nan=0.0) ** 2, r.log_odds_var / R))
    dev = np.abs(gm - r.log_odds_theory)
    within = dev <= 3 * sigma + r.log_odds_var**2
    k = int(usable.sum())
    worst = float(np.max((dev / sigma)[usable])) if k else math.nan
    out["weight_law"] = claim(
        k > 0 and bool(np.all(within[usable])),
        f"The mean log-odds log(a₁/(1−a₁)) follows the finite-N annealed law λN − log(P−1) − log E e^(λξ¹·ξ) "
        f"within three standard errors at all {k} points where that law is trustworthy (relative variance of the "
        f"sum over the other patterns below 0.1; largest deviation {worst:.1f} standard errors)",
        otherwise=(
            f"The mean log-odds of a₁ departs from the finite-N annealed law by up to {worst:.1f} standard "
            f"errors at the {k} points where that law should hold"
            if k
            else "No point of this run has enough patterns for the annealed law of a₁ to be trusted"
        ),
        finding=k > 0,
        points=k,
        largest_deviation_in_sigma=worst,
        mean_log_odds=gm,
        theory=r.log_odds_theory,
        sigma=sigma,
        relative_variance=r.log_odds_var,
        tolerance="3 standard errors + v^2",
    )
    band = (r.weight1 > BAND[0]) & (r.weight1 < BAND[1])
    n_band, n_all = int(band.sum()), int(band.size)
    loads_with_band = band.any(-1).sum(-1)  # per N: how many loads have intermediate weights
    widths = 2 * math.log(9) / Ns
    shown = ", ".join(f"{w:.2f} at N = {N}" for w, N in zip(widths, Ns))
    out["weight_all_or_nothing"] = claim(
        bool(np.all(loads_with_band <= 1)),
        f"It is close to 1 or to 0, in between ({BAND[0]} < a₁ < {BAND[1]}) only at the load nearest the crossover "
        f"({n_band} of {n_all} runs): the all-or-nothing picture",
        otherwise=f"At these sizes it is not all-or-nothing: {n_band} of {n_all} runs ({100 * n_band / n_all:.0f}%) "
        f"end in between ({BAND[0]} < a₁ < {BAND[1]}), at up to {int(loads_with_band.max())} loads per N. "
        f"Its log-odds falls by N per unit of α (the law below), so intermediate weights fill a window of "
        f"width 2 log 9 / N in α ({shown}): the all-or-nothing picture is the N → ∞ limit",
        finding=False,
        runs_in_band=n_band,
        runs=n_all,
        loads_with_band=loads_with_band,
        band=list(BAND),
        window_width=widths,
    )
    return out


def _beyond_claims(th):
    out = {}
    sat = float(np.max(np.abs(th["alpha_1_gauss"] - 0.5)))
    lam_hi = th["lam_gauss"]
    out["gauss_typical_half"] = claim(
        sat < 1e-12 and th["alpha_1_gauss_below_1"] < 0.5,
        f"For Gaussian patterns and a typical pattern, α₁ = 1/2 at every λ ≥ 1 (largest departure {sat:.1e} "
        f"on λ = {lam_hi[0]:g} to {lam_hi[-1]:g}; below λ = 1 it is smaller, "
        f"α₁(0.5) = {th['alpha_1_gauss_below_1']:.3f}): "
        f"a typical pattern is retrieved up to P = e^(N/2)",
        otherwise=f"The Gaussian α₁ departs from 1/2 by {sat:.1e} at some λ ≥ 1",
        largest_departure=sat,
        tolerance=1e-12,
        lam=lam_hi,
    )
    lb = th["alpha_c_lb_gauss"]
    inf = th["alpha_c_lb_gauss_inf"]
    target = math.log(2) / 4
    mono = bool(np.all(np.diff(lb) >= -1e-9))
    out["gauss_all_patterns"] = claim(
        abs(inf - target) < 1e-9 and mono and bool(np.all(lb <= inf + 1e-9)),
        f"If every pattern must be retrieved, the union bound grows with λ and saturates at {inf:.4f} = log 2/4 "
        f"(difference {abs(inf - target):.1e}): P = e^(0.173 N), not e^(N/2)",
        otherwise=f"The Gaussian union bound at λ → ∞ is {inf:.6f}, not log 2/4 = {target:.6f}, or it is not "
        f"increasing towards it",
        alpha_c_lb_inf=inf,
        log2_over_4=target,
        tolerance=1e-9,
        increasing=mono,
    )
    big, a1 = th["lam_big"], th["alpha_1_sph_big"]
    dev = a1 - 0.5 - 0.5 * np.log(big)
    out["spherical_unbounded"] = claim(
        bool(np.all(np.abs(dev) < 1.0 / big)) and bool(np.all(np.diff(a1) > 0)),
        "For spherical patterns there is no upper limit: α₁ keeps growing as ½ + ½ log λ ("
        + ", ".join(f"α₁ = {v:.3f} at λ = {l:.0e}" for v, l in zip(a1, big))
        + ", each within 1/λ of ½ + ½ log λ)",
        otherwise="The spherical α₁ does not follow ½ + ½ log λ within 1/λ at large λ",
        lam=big,
        alpha_1=a1,
        departure=dev,
        tolerance="1/lam",
    )
    return out


# ----------------------------------------------------------------------------- figures
def attention_table(r) -> str:
    lines = [" lam     max|x_stream - x_attention|   |lse_stream - lse_scipy|   naive log(sum exp)"]
    for lam, d1, d2, nv in zip(r.lams, r.update_diff, r.lse_diff, r.naive_lse):
        lines.append(f"{lam:6.2f}   {d1:.2e}                       {d2:.2e}                 {nv:.6g}")
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
    ax.plot([], [], "k:", lw=0.8, label="half-retrieval load, SNR ($n=2$)")
    ax.plot([], [], "k--", lw=0.8, label="half-retrieval load, SNR ($n=3$)")
    style.legend_outside(ax)
    return fig


def figure_onestep(r, axs=None):
    if axs is None:
        fig, axs = style.figure(ncols=2, width=10.5, height=4.2)
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
