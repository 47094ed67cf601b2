"""Chapter: the REM analysis of dense associative memories (thresholds, basins, phase diagrams).

Closed forms and one-dimensional root finding (:mod:`hopcore.theory.dense_memory`): ``compute``
evaluates the thresholds, basins and bounds of the page, checks the closed forms against the
numerical Legendre transforms and the large-lam expansions, compares the two routes to the nearest
other pattern (first moment, second moment through psi_alpha) and simulates it, computes the Gaussian
thresholds by routes independent of the curves drawn, simulates the scaled dot-product regime (sweeps of
:mod:`hopcore.experiments.dense`, cached), and builds the page's verdicts (``_verdicts``, one declarative
list) and checks of the code (``_checks``); one ``figure_*`` per figure.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .. import analysis, validation
from ..book import spec, style
from ..book.report import ChapterResult, claim
from ..book.spec import Chapter, Param
from ..book.verdicts import verdict

SPEC = Chapter(
    name="dense_rem",
    notebook="book/dense_rem.ipynb",
    title="Exponential capacity through the random energy model",
    seed=3102,
    minutes=(0.25, 1.0),
    cached="the nearest-pattern and scaled dot-product simulations under _build/cache/hopcore.experiments.dense.*",
    params={
        "lambdas": Param(
            [0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0],
            validation.list_of(validation.positive(1e6), increasing=True),
            paper=[
                0.05,
                0.1,
                0.15,
                0.2,
                0.3,
                0.4,
                0.5,
                0.6,
                0.75,
                0.9,
                1.0,
                1.25,
                1.5,
                2.0,
                3.0,
                5.0,
                7.5,
                10.0,
                20.0,
                50.0,
                100.0,
            ],
            doc="lam values written to summary.json (alpha_1, alpha_star, alpha_c_lb)",
        ),
        "n_curve": Param(200, validation.integer(20, 100_000), paper=600, doc="points of every theory curve"),
        "alphas_basin": Param(
            [0.1, 0.2, 0.3, 0.5],
            validation.list_of(validation.positive(5.0), increasing=True),
            doc="loads of the basin figure (paper Fig. 2)",
        ),
        "lam_max": Param(20.0, validation.real(1.0, 1e6), paper=100.0, doc="largest lam of the phase diagrams"),
        "N_scaled": Param(
            [1e2, 1e3, 1e4, 1e6],
            validation.list_of(validation.real(2.0, 1e12), increasing=True),
            doc="sizes of the scaled dot-product convergence",
        ),
        "alphas_cmax": Param(
            [0.1, 0.2, 0.3],
            validation.list_of(validation.positive(2.0), increasing=True),
            doc="loads of the nearest-pattern simulation (largest overlap among exp(alpha N) patterns)",
        ),
        "Ns_cmax": Param(
            [20, 30, 40, 50],
            validation.list_of(validation.integer(3, 100_000), increasing=True),
            paper=[20, 30, 40, 50, 60, 80, 100],
            doc="sizes of the nearest-pattern simulation",
        ),
        "n_networks_cmax": Param(
            40, validation.integer(2, 100_000), paper=100, doc="pattern sets per size of the nearest-pattern simulation"
        ),
        "max_entries_cmax": Param(
            3e6,
            validation.real(1e3, 1e11),
            paper=3e7,
            doc="largest N P streamed by the nearest-pattern simulation (larger loads are skipped at that N)",
        ),
        "lams_scaled": Param(
            [0.5, 1.0, 2.0],
            validation.list_of(validation.positive(20.0), increasing=True),
            doc="scaled inverse temperatures of the scaled dot-product simulation",
        ),
        "Ns_scaled_sim": Param(
            [36, 64, 100, 196],
            validation.list_of(validation.integer(4, 100_000), increasing=True),
            paper=[36, 64, 100, 196, 400, 625],
            doc="sizes of the scaled dot-product simulation",
        ),
        "alpha_fracs_scaled": Param(
            [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9],
            validation.list_of(validation.positive(2.0), increasing=True),
            paper=[0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9],
            doc="scaled loads of the simulation, as fractions of lam_t (alpha_t = fraction x lam_t)",
        ),
        "n_networks_scaled": Param(
            8, validation.integer(2, 100_000), paper=32, doc="pattern sets per (lam_t, N) of the scaled simulation"
        ),
        "max_entries_scaled": Param(
            3e6,
            validation.real(1e3, 1e11),
            paper=1.5e7,
            doc="largest N P of the scaled simulation (larger loads are not simulated at that N)",
        ),
        "eps_scaled": Param(
            0.5,
            validation.real(0.0, 1.0, lo_open=True, hi_open=True),
            doc="retrieved when the final overlap x.xi^1/N is at least 1 - eps_scaled",
        ),
    },
    headline=("lam_max", "n_curve", "n_networks_cmax", "n_networks_scaled"),
    extra={
        "test": {
            "lambdas": [0.5, 2.0],
            "n_curve": 40,
            "alphas_cmax": [0.2, 0.3],
            "Ns_cmax": [12, 20, 30],
            "n_networks_cmax": 6,
            "max_entries_cmax": 1e6,
            "lams_scaled": [1.0, 2.0],
            "Ns_scaled_sim": [16, 36],
            "alpha_fracs_scaled": [0.3, 0.5, 0.7, 0.9],
            "n_networks_scaled": 5,
            "max_entries_scaled": 2e5,
        }
    },
)

# published examples of the storage theorem of Ramsauer et al. (beta = 1, p = 0.001): (d, K^2, c)
RAMSAUER_EXAMPLES = ((20, 9.0, 3.1546), (75, 1.0, 1.3718))
SOLVER_TOL = 1e-9  # the solvers run at xtol 1e-12 to 1e-13; a thousandfold margin
SCALED_A = 0.5
ALPHAS_ROUTES = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0)  # loads where the two routes to c_max are compared
ALPHA_ROUTES_VERDICT = 0.2  # the load of the verdict on the two routes (a basin load of the paper's Fig. 2)
LAM_GAUSS_SAT = 2.0  # a lam of the saturated branch of the Gaussian alpha_1 (lam >= 1)
LAM_GAUSS_GAP = 0.5  # a lam of the uncondensed branch, where the union bound is not yet at its limit
N_R_GRID = 100_001  # norms of the brute-force route to the union bound (and twice as many for its error)
# Bonferroni: the c_max verdicts are a family of (usually) three loads; a 5 % false alarm for the family
Z_CMAX = 2.4
Z = 2.0  # the other verdicts
# The all-or-nothing picture of the scaled regime needs the retrieved fixed point to exist as a branch of
# its own and to sit well inside the retrieval margin. On the line x = (1 - delta) xi^1 + delta m the map
# delta' = 1/(1 + exp(g - kappa delta)) is bistable only for kappa > 4, and at the saddle node the retrieved
# fixed point sits at delta_sn(kappa) = (1 - sqrt(1 - 4/kappa))/2 (about 1/kappa = 1/(lam_t sqrt N)). The
# simulation counts xi^1 as retrieved when the overlap is at least 1 - eps; the crossing it measures is the
# saddle node only if that fixed point is closer to xi^1 than to the edge of the margin: delta_sn <= eps/2.
SHARP_SHARE = 0.5
AIM_NUMERIC = 1e-6  # verdicts between two numerical routes at solver precision (their error: SOLVER_TOL, z = 1)
AIM_GRID = 1e-4  # the brute-force route to the union bound (first order in the grid spacing)


def prepare(namespace):
    return spec.prepare(SPEC.name, namespace)


@dataclass
class Result(ChapterResult):
    numeric_rows: list = field(default_factory=list)  # (ensemble, quantity, argument, numerical, closed form)
    lam: np.ndarray = None  # spherical phase diagram
    alpha_1_sph: np.ndarray = None
    alpha_star_sph: np.ndarray = None
    alpha_ramsauer: np.ndarray = None
    lam_basin: np.ndarray = None
    alphas_basin: np.ndarray = None
    theta_c: np.ndarray = None  # (alpha, lam)
    theta_nearest: np.ndarray = None  # (alpha,)
    lam_c: np.ndarray = None
    lam_star: np.ndarray = None
    lam_gauss: np.ndarray = None
    alpha_1_gauss: np.ndarray = None
    alpha_star_gauss: np.ndarray = None
    alpha_c_lb_gauss: np.ndarray = None
    alpha_c_lb_inf: float = 0.0
    gauss_routes: dict = field(default_factory=dict)  # independent numerical routes of the Gaussian figure
    lam_tilde: np.ndarray = None
    N_scaled: np.ndarray = None
    alpha_tilde_1: np.ndarray = None  # (N, lam_tilde)
    nearest: dict = field(default_factory=dict)  # nearest other pattern: the two routes, simulation, finite-N law
    scaled_sim: dict = field(default_factory=dict)  # scaled dot product simulated
    checks: dict = field(default_factory=dict)


def compute(p) -> Result:
    from ..theory import dense_memory as dense_theory
    t0 = time.perf_counter()
    r = Result()
    rows = []
    for kind in ("spherical", "gaussian"):
        for eps in (0.1, 0.4, 0.8):
            rows.append((kind, "zeta_hat", eps, dense_theory.zeta_hat_numeric(eps, 1.0, kind), float(dense_theory.zeta_hat(eps, 1.0, kind))))
        for a in (0.1, 0.3):
            rows.append((kind, "eps_*", a, dense_theory.eps_star_numeric(a, 1.0, kind), float(dense_theory.eps_star(a, 1.0, kind))))
            rows.append((kind, "phi(lam=0.5)", a, dense_theory.phi_numeric(a, 0.5, 1.0, kind), float(dense_theory.phi(a, 0.5, 1.0, kind))))
        for lam in (0.3, 1.0, 3.0):
            rows.append((kind, "alpha_1", lam, dense_theory.alpha_1_numeric(lam, kind), float(dense_theory.alpha_1(lam, kind))))
    r.numeric_rows = rows
    checks = {"numerical_vs_closed_forms_max_abs_diff": max(abs(x[3] - x[4]) for x in rows)}

    r.lam = np.geomspace(0.02, p.lam_max, p.n_curve)
    r.alpha_1_sph, r.alpha_star_sph = dense_theory.alpha_1(r.lam, "spherical"), dense_theory.alpha_star(r.lam, "spherical")
    r.alpha_ramsauer = dense_theory.ramsauer_alpha_lb(r.lam)
    checks["alpha_star_below_alpha_1_spherical"] = bool(np.all(r.alpha_star_sph < r.alpha_1_sph))
    checks["ramsauer_bound_below_alpha_1_spherical"] = bool(np.all(r.alpha_ramsauer < r.alpha_1_sph))
    gap = float(dense_theory.alpha_1(p.lam_max, "spherical") - 0.5 * np.log(p.lam_max))
    checks["spherical_alpha_1_minus_half_log_lam_at_lam_max"] = gap

    r.lam_basin = np.geomspace(0.05, p.lam_max, p.n_curve)
    r.alphas_basin = np.array(p.alphas_basin, float)
    r.theta_c = np.array([dense_theory.theta_c(a, r.lam_basin) for a in p.alphas_basin])
    r.theta_nearest = np.arccos([dense_theory.c_max(a) for a in p.alphas_basin])
    r.lam_c = np.array([dense_theory.lam_c(a) for a in p.alphas_basin])
    r.lam_star = np.array([float(dense_theory.lam_star(a)) for a in p.alphas_basin])
    frozen_ok = all(
        np.allclose(r.theta_c[i][r.lam_basin >= r.lam_star[i]], r.theta_nearest[i], atol=1e-9)
        for i in range(len(p.alphas_basin))
    )
    with np.errstate(invalid="ignore"):
        decreasing = bool(np.all(np.nan_to_num(np.diff(r.theta_c, axis=0), nan=-1.0) <= 1e-12))
    checks["theta_c_decreases_with_alpha"] = decreasing
    checks["theta_c_frozen_at_nearest_pattern"] = bool(frozen_ok)

    r.lam_gauss = np.geomspace(0.05, p.lam_max, max(40, p.n_curve // 4))
    r.alpha_1_gauss, r.alpha_star_gauss = dense_theory.alpha_1(r.lam_gauss, "gaussian"), dense_theory.alpha_star(r.lam_gauss, "gaussian")
    r.alpha_c_lb_gauss = dense_theory.alpha_c_lb(r.lam_gauss, "gaussian")
    r.alpha_c_lb_inf = dense_theory.alpha_c_lb(np.inf, "gaussian")
    sat = float(dense_theory.alpha_1(np.array([1.0, 2.0, p.lam_max]), "gaussian").max())
    checks["gaussian_alpha_1_saturation"] = sat
    checks["gaussian_alpha_c_lb_inf"] = r.alpha_c_lb_inf
    checks["gaussian_gap_alpha_1_minus_alpha_c_lb_min"] = float(np.min(r.alpha_1_gauss - r.alpha_c_lb_gauss))
    r.gauss_routes = _gauss_routes()

    r.lam_tilde = np.linspace(0.1, 3, 30)
    r.N_scaled = np.array(p.N_scaled, float)
    r.alpha_tilde_1 = np.array([dense_theory.scaled_alpha_1(r.lam_tilde, N=N, a=SCALED_A) for N in p.N_scaled])
    t1 = time.perf_counter()
    r.nearest = _nearest(p)
    t2 = time.perf_counter()
    r.scaled_sim = _scaled_simulation(p)
    t3 = time.perf_counter()
    checks["c_max_routes_max_abs_diff"] = r.nearest["routes_max_diff"]
    r.checks = checks

    lams = np.array(p.lambdas, float)
    r.summary = {
        "alpha_1": {
            "spherical": np.column_stack([lams, dense_theory.alpha_1(lams, "spherical")]),
            "gaussian": np.column_stack([lams, dense_theory.alpha_1(lams, "gaussian")]),
        },
        "alpha_star": {
            "spherical": np.column_stack([lams, dense_theory.alpha_star(lams, "spherical")]),
            "gaussian": np.column_stack([lams, dense_theory.alpha_star(lams, "gaussian")]),
        },
        "alpha_c_lb": {"gaussian": np.column_stack([lams, dense_theory.alpha_c_lb(lams, "gaussian")])},
        "alpha_c_lb_gaussian_inf": r.alpha_c_lb_inf,
        "checks": checks,
        "gaussian_routes": dict(r.gauss_routes),
        "c_max": {k: r.nearest[k] for k in ("alphas_routes", "first_moment", "second_moment", "alphas", "N",
                                             "n_networks", "mean", "sem", "exact_mean", "exact_std", "z")},
        "scaled_simulation": {k: r.scaled_sim[k] for k in ("lam_tilde", "N", "alpha_tilde", "eps", "n_networks",
                                                         "fraction", "wilson_lo", "wilson_hi", "alpha_half",
                                                         "alpha_half_err", "theory_margin", "theory_annealed",
                                                         "kappa", "delta_sn", "in_verdict")},
    }
    r.verdicts = _verdicts(p, r)
    r.claims = _checks(p, r)
    r.figure_data = {
        "fig-dense-rem-spherical": dict(
            lam=r.lam, alpha_1=r.alpha_1_sph, alpha_star=r.alpha_star_sph, alpha_ramsauer=r.alpha_ramsauer
        ),
        "fig-dense-rem-basins": dict(
            lam=r.lam_basin,
            alpha=r.alphas_basin,
            theta_c=r.theta_c,
            theta_nearest=r.theta_nearest,
            lam_c=r.lam_c,
            lam_star=r.lam_star,
        ),
        "fig-dense-rem-gaussian": dict(
            lam=r.lam_gauss,
            alpha_1=r.alpha_1_gauss,
            alpha_star=r.alpha_star_gauss,
            alpha_c_lb=r.alpha_c_lb_gauss,
            alpha_c_lb_inf=r.alpha_c_lb_inf,
        ),
        "fig-dense-rem-scaled": dict(lam_tilde=r.lam_tilde, N=r.N_scaled, alpha_tilde_1=r.alpha_tilde_1),
        "fig-dense-rem-nearest": {k: v for k, v in r.nearest.items() if isinstance(v, np.ndarray)},
        "fig-dense-rem-scaled-sim": {k: v for k, v in r.scaled_sim.items() if isinstance(v, np.ndarray)},
    }
    r.glue = _glue(p, r)
    r.timings = {"compute_seconds": time.perf_counter() - t0, "nearest_seconds": t2 - t1, "scaled_simulation_seconds": t3 - t2}
    return r


def _alpha_c_lb_grid(lam, n_r):
    """alpha_c^lb of Gaussian patterns by brute force: the rate A(alpha, lam) of eq. dense-rem-A as a
    minimum over a uniform grid of n_r norms r in (0, 4] (no root for r_b, no split into branches, no
    bound from alpha_1), and bisection in alpha on A > alpha over (0, 1)."""
    from ..theory import dense_memory as dense_theory

    r = np.linspace(1e-3, 4.0, int(n_r))
    cost_norm = 0.5 * (r * r - 1.0 - np.log(r * r))

    def excess(alpha):
        typical = dense_theory.phi(alpha, lam, r, "gaussian")
        cost_rem = np.where(typical >= r * r, 0.0, 0.5 * r * r - alpha)  # zeta_hat_r(r^2) - alpha
        return float(np.min(cost_norm + cost_rem)) - alpha

    lo, hi = 1e-9, 1.0
    while hi - lo > 1e-13:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if excess(mid) > 0 else (lo, mid)
    return 0.5 * (lo + hi)


def _gauss_routes():
    """The numbers of the Gaussian figure by routes independent of the ones drawn: alpha_1 by bisection on
    the numerical REM free energy (no closed form, no saturation written in), alpha_c^lb by brute force on
    a grid of norms (its error: the change when the grid is halved, the method being first order in the
    spacing)."""
    from ..theory import dense_memory as dense_theory

    coarse = _alpha_c_lb_grid(LAM_GAUSS_GAP, N_R_GRID)
    fine = _alpha_c_lb_grid(LAM_GAUSS_GAP, 2 * N_R_GRID - 1)
    return {
        "lam_saturated": LAM_GAUSS_SAT,
        "alpha_1_numeric_saturated": float(dense_theory.alpha_1_numeric(LAM_GAUSS_SAT, "gaussian")),
        "lam_gap": LAM_GAUSS_GAP,
        "alpha_1_numeric_gap": float(dense_theory.alpha_1_numeric(LAM_GAUSS_GAP, "gaussian")),
        "alpha_c_lb_grid": fine,
        "alpha_c_lb_grid_err": abs(fine - coarse) + SOLVER_TOL,
    }


def log2_over_4():
    """alpha_c^lb(lam -> inf) = log 2 / 4, derived by hand in the text (the reference of gauss_lb_inf)."""
    return math.log(2.0) / 4.0


def _nearest(p):
    """c_max by the two routes; the largest overlap among exp(alpha N) simulated patterns; the exact
    finite-N law of that maximum."""
    from ..experiments import dense as dense_experiments
    from ..experiments import sweep_grid
    from ..theory import dense_memory as dense_theory

    out = {"alphas_routes": np.array(ALPHAS_ROUTES)}
    out["first_moment"] = np.array([dense_theory.c_max(a) for a in ALPHAS_ROUTES])
    out["second_moment"] = np.array([dense_theory.c_max_second_moment(a) for a in ALPHAS_ROUTES])
    out["routes_max_diff"] = float(np.max(np.abs(out["first_moment"] - out["second_moment"])))
    alphas = np.array(p.alphas_cmax, float)
    # psi_alpha(c) curves, for the figure
    out["psi_c"] = np.linspace(0.0, 0.999, max(60, p.n_curve // 2))
    out["psi"] = np.array([[dense_theory.overlap_count_rate(c, a)[0] if c > 0 else a for c in out["psi_c"]] for a in alphas])
    Ns = [int(n) for n in p.Ns_cmax]
    grid = sweep_grid(dense_experiments.max_overlap_run, {"N": Ns}, p.n_networks_cmax, p.seed, desc="nearest pattern",
                      progress=False, fixed={"alphas": alphas.tolist(), "kind": "spherical",
                                             "max_entries": float(p.max_entries_cmax)})
    cm = grid["c_max"]  # (N, networks, alpha)
    mean, sem = analysis.mean_sem(cm, axis=1)  # (N, alpha)
    exact = [[dense_theory.max_overlap_finite_n(a, N) for a in alphas] for N in Ns]
    em = np.array([[e["mean"] for e in row] for row in exact])
    es = np.array([[e["std"] for e in row] for row in exact])
    out.update(alphas=alphas, N=np.array(Ns), n_networks=int(p.n_networks_cmax), mean=mean, sem=sem, exact_mean=em,
               exact_std=es, z=(mean - em) / (es / math.sqrt(p.n_networks_cmax)), c_max=np.array([dense_theory.c_max(a) for a in alphas]))
    # the exact finite-N law on a line of sizes, up to where exp(alpha N) stays a float (nan beyond)
    N_line = np.unique(np.round(np.geomspace(max(3, Ns[0]), 3000, 40)).astype(int))
    out["line_N"] = N_line
    out["line_mean"] = np.array([[dense_theory.max_overlap_finite_n(a, int(N))["mean"] if a * N <= 600 else np.nan
                                  for N in N_line] for a in alphas])
    return out


def _scaled_simulation(p):
    """Retrieval of xi^1 from xi^1 at lam = lam_t / sqrt N, P = exp(alpha_t sqrt N): fractions with Wilson
    intervals, the crossing of 1/2 (bootstrap over the pattern sets), and the finite-N theory."""
    from ..experiments import dense as dense_experiments
    from ..experiments import sweep
    from ..experiments.runner import derive_seed
    from ..theory import dense_memory as dense_theory

    lams = [float(x) for x in p.lams_scaled]
    Ns = [int(n) for n in p.Ns_scaled_sim]
    fr = np.array(p.alpha_fracs_scaled, float)
    alphas = np.round(np.outer(lams, fr), 6)  # (lam, alpha)
    points = [{"N": N, "lam_t": lt, "alphas_t": alphas[i].tolist(), "a": SCALED_A, "kind": "spherical",
               "eps": float(p.eps_scaled), "tol": 1e-6, "max_iter": 60, "max_entries": float(p.max_entries_scaled)}
              for i, lt in enumerate(lams) for N in Ns]
    res = sweep(dense_experiments.scaled_retrieval_run, points, p.n_networks_scaled, p.seed, desc="scaled dot product",
                progress=False)
    shape = (len(lams), len(Ns), p.n_networks_scaled, len(fr))
    hit = np.array([[r["retrieved"] for r in row] for row in res], float).reshape(shape)
    ov = np.array([[r["overlap"] for r in row] for row in res], float).reshape(shape)
    n = np.sum(np.isfinite(hit), axis=2)
    k = np.nansum(hit, axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    lo, hi = analysis.wilson_interval(k, np.where(n > 0, n, np.nan))
    half = np.full((len(lams), len(Ns)), np.nan)
    half_err = np.full_like(half, np.nan)

    def crossing(xs, rows):
        y = np.mean(rows, axis=0)
        if not (y[0] >= 0.5 and np.any(y < 0.5)):
            return math.nan
        return analysis.first_crossing(xs, y, 0.5, "down")

    for i in range(len(lams)):
        for j in range(len(Ns)):
            ok = np.isfinite(hit[i, j, 0])  # the loads simulated at this N (the same for every pattern set)
            if ok.sum() < 2:
                continue
            rows, xs = hit[i, j][:, ok], alphas[i][ok]
            value, err = analysis.bootstrap(lambda d: crossing(xs, d), rows, n_boot=400,
                                            seed=derive_seed(p.seed, "scaled boot", i, j))
            if np.isfinite(value):
                # the fraction is known only on the grid: add the spacing around the crossing (uniform, /sqrt 12)
                step = float(np.diff(xs)[min(np.searchsorted(xs, value), len(xs) - 1) - 1])
                err = math.sqrt((err if np.isfinite(err) else 0.0) ** 2 + step**2 / 12.0)
            half[i, j], half_err[i, j] = value, err
    kept, lost = ov[hit == 1], ov[hit == 0]
    # runs ending between the two groups (0.1 < overlap < 0.9), per (lam_t, N)
    n_runs = np.sum(np.isfinite(ov), axis=(2, 3))
    with np.errstate(invalid="ignore"):
        mid = np.sum((ov > 0.1) & (ov < 0.9), axis=(2, 3)) / np.where(n_runs > 0, n_runs, np.nan)
    th_margin = np.array([[dense_theory.scaled_alpha_half_finite_n(lt, N, SCALED_A) for N in Ns] for lt in lams])
    th_ann = np.array([[float(dense_theory.scaled_alpha_1(lt, N=N, a=SCALED_A)) for N in Ns] for lt in lams])
    # the validity of the all-or-nothing picture, from the parameters alone (see SHARP_SHARE)
    kappa = np.array([[_scaled_kappa(lt, N) for N in Ns] for lt in lams])
    with np.errstate(invalid="ignore"):
        delta_sn = np.where(kappa > 4.0, 0.5 * (1.0 - np.sqrt(np.clip(1.0 - 4.0 / kappa, 0.0, None))), np.nan)
    in_verdict = np.nan_to_num(delta_sn, nan=np.inf) <= SHARP_SHARE * float(p.eps_scaled)
    N_line = np.unique(np.round(np.geomspace(Ns[0], 1e5, 50)).astype(int))
    line_margin = np.array([[dense_theory.scaled_alpha_half_finite_n(lt, int(N), SCALED_A) for N in N_line] for lt in lams])
    line_ann = np.array([dense_theory.scaled_alpha_1(lt, N=N_line.astype(float), a=SCALED_A) for lt in lams])
    return {"lam_tilde": np.array(lams), "N": np.array(Ns), "alpha_tilde": alphas, "eps": float(p.eps_scaled),
            "n_networks": int(p.n_networks_scaled), "fraction": frac, "wilson_lo": lo, "wilson_hi": hi, "trials": n,
            "alpha_half": half, "alpha_half_err": half_err, "theory_margin": th_margin, "theory_annealed": th_ann,
            "kappa": kappa, "delta_sn": delta_sn, "in_verdict": in_verdict,
            "line_N": N_line, "line_margin": line_margin, "line_annealed": line_ann,
            "largest_lost_overlap": float(np.max(lost)) if lost.size else math.nan,
            "smallest_kept_overlap": float(np.min(kept)) if kept.size else math.nan,
            "intermediate": mid, "lam_sqrt_N": np.outer(lams, np.sqrt(Ns)),
            "P": np.array([[r[0]["P"] for r in res[i * len(Ns):(i + 1) * len(Ns)]] for i in range(len(lams))])}


def _scaled_kappa(lam_t, N):
    """kappa = lam |xi^1 - m|^2 of the one-dimensional map at lam = lam_t / sqrt N (finite-N tilted overlap)."""
    from ..theory import dense_memory as dense_theory

    lam = lam_t * N ** (-SCALED_A)
    _, eps = dense_theory.log_mgf_finite_n(lam, N)
    return lam * N * (1.0 - 2.0 * float(eps) + float(eps) ** 2)


def _pooled(values, errors):
    """Inverse-variance weighted mean and its error."""
    w = 1.0 / np.asarray(errors, float) ** 2
    return float(np.sum(w * values) / np.sum(w)), float(1.0 / math.sqrt(np.sum(w)))


def _verdicts(p, r):
    """The chapter's verdicts; every reference is computed here from the theory (tests scale it)."""
    from ..theory import dense_memory as dense_theory

    lucibello = "lucibello2023exponential"
    nb, gr, ss = r.nearest, r.gauss_routes, r.scaled_sim
    out = []
    # the simulated largest overlap at the largest N of each load, against the exact finite-N law
    for j, a in enumerate(nb["alphas"]):
        fin = np.flatnonzero(np.isfinite(nb["mean"][:, j]))
        if not fin.size:
            continue
        N = int(nb["N"][fin[-1]])
        out.append(verdict(
            f"c_max_{a:g}", paper=lucibello, z=Z_CMAX, aim=0.03, figure="fig-dense-rem-nearest",
            item=f"Fig. 2: nearest-pattern overlap, α = {a:g}, N = {N} (exact finite-N law)",
            book=(nb["mean"][fin[-1], j], nb["sem"][fin[-1], j]),
            reference=dense_theory.max_overlap_finite_n(float(a), N)["mean"], N=N, n_networks=nb["n_networks"]))
    k = int(np.argmin(np.abs(nb["alphas_routes"] - ALPHA_ROUTES_VERDICT)))
    out.append(verdict(
        "c_max_routes", paper="book", z=1.0, sys_err=SOLVER_TOL, aim=AIM_NUMERIC, figure="fig-dense-rem-nearest",
        item=f"c_max({nb['alphas_routes'][k]:g}): second-moment route against the first-moment root",
        book=(nb["second_moment"][k], 0.0), reference=dense_theory.c_max(float(nb["alphas_routes"][k]))))
    out.append(verdict(
        "gauss_alpha_1", paper=lucibello, z=1.0, sys_err=SOLVER_TOL, aim=AIM_NUMERIC, figure="fig-dense-rem-gaussian",
        item=f"Fig. 3: α₁({LAM_GAUSS_SAT:g}) = 1/2 for Gaussian patterns, numerical REM free energy",
        book=(gr["alpha_1_numeric_saturated"], 0.0), reference=dense_theory.alpha_1(LAM_GAUSS_SAT, "gaussian")))
    lam = gr["lam_gap"]
    out.append(verdict(
        "gauss_gap", paper=lucibello, z=Z, aim=AIM_GRID, figure="fig-dense-rem-gaussian",
        item=f"Fig. 3: gap α₁ − α_c^lb at λ = {lam:g} (Gaussian), brute-force route",
        book=(gr["alpha_1_numeric_gap"] - gr["alpha_c_lb_grid"], 0.0),
        sys_err=math.hypot(gr["alpha_c_lb_grid_err"], SOLVER_TOL),
        reference=float(dense_theory.alpha_1(lam, "gaussian")) - float(dense_theory.alpha_c_lb(lam, "gaussian"))))
    out.append(verdict(
        "gauss_lb_inf", paper=lucibello, z=1.0, sys_err=SOLVER_TOL, aim=AIM_NUMERIC, figure="fig-dense-rem-gaussian",
        item="Fig. 3: α_c^lb(λ → ∞) = log 2/4 (Gaussian), numerical union bound",
        book=(r.alpha_c_lb_inf, 0.0), reference=log2_over_4()))
    # scaled regime: the crossings where the all-or-nothing picture applies (criterion fixed before the run)
    keep = ss["in_verdict"] & np.isfinite(ss["alpha_half"]) & (ss["alpha_half_err"] > 0)
    if keep.any():
        i, j = np.nonzero(keep)
        lt = ss["lam_tilde"][i]
        ref = np.array([dense_theory.scaled_alpha_half_finite_n(float(x), int(ss["N"][b]), SCALED_A)
                        for x, b in zip(lt, j)]) / lt
        err = ss["alpha_half_err"][keep] / lt
        book = _pooled(ss["alpha_half"][keep] / lt, err)
        reference = float(np.sum(ref / err**2) / np.sum(1.0 / err**2))
    else:
        book, reference = (math.nan, math.nan), math.nan
    out.append(verdict(
        "scaled", paper=lucibello, z=Z, aim=0.03, figure="fig-dense-rem-scaled-sim",
        item="Scaled dot product: α̃½(N)/λ̃ against the finite-N threshold with the saddle-node margin",
        book=book, reference=reference, points=int(keep.sum())))
    return out


def _checks(p, r):
    """Checks of the code (not findings): closed forms against numerics, orderings, expansions, trends."""
    from ..theory import dense_memory as dense_theory

    c, nb, ss = r.checks, r.nearest, r.scaled_sim
    got = [float(dense_theory.ramsauer_c(1.0, d, K2, 0.001)) for d, K2, _ in RAMSAUER_EXAMPLES]
    lam = float(p.lam_max)
    excess = c["spherical_alpha_1_minus_half_log_lam_at_lam_max"] - 0.5
    dev_n = r.lam_tilde[None, :] - r.alpha_tilde_1  # (N, lam_tilde), the finite-N correction
    lead = r.lam_tilde[None, :] ** 2 * r.N_scaled[:, None] ** (-SCALED_A) / 2
    bound = r.lam_tilde[None, :] ** 2 * r.N_scaled[:, None] ** (-2 * SCALED_A)
    line = nb["line_mean"]
    approach = all(bool(np.all(np.diff(v[np.isfinite(v)]) > 0) and np.all(v[np.isfinite(v)] < cm))
                   for v, cm in zip(line, nb["c_max"]))
    half, err = ss["alpha_half"], ss["alpha_half_err"]
    below = np.isfinite(half) & np.isfinite(err)
    ann = ss["theory_annealed"]
    return {
        "closed_forms": claim(c["numerical_vs_closed_forms_max_abs_diff"] < SOLVER_TOL,
                              "the numerical Legendre transforms reproduce the closed forms", finding=False,
                              largest_difference=c["numerical_vs_closed_forms_max_abs_diff"], tolerance=SOLVER_TOL),
        "spherical_order": claim(c["alpha_star_below_alpha_1_spherical"] and c["ramsauer_bound_below_alpha_1_spherical"],
                                 "alpha_1 lies above alpha_* and alpha_R at every lam of the curve", finding=False,
                                 smallest_margin_alpha_star=float(np.min(r.alpha_1_sph - r.alpha_star_sph)),
                                 smallest_margin_ramsauer=float(np.min(r.alpha_1_sph - r.alpha_ramsauer))),
        "large_lam": claim(abs(excess - 1 / (8 * lam)) < 1 / lam**2,
                           "alpha_1 - log(lam)/2 - 1/2 is 1/(8 lam) within 1/lam^2 at lam_max", finding=False,
                           excess=excess, expansion=1 / (8 * lam), tolerance=1 / lam**2),
        "basins": claim(c["theta_c_decreases_with_alpha"] and c["theta_c_frozen_at_nearest_pattern"],
                        "theta_c decreases with alpha and freezes at arccos c_max for lam >= lam_*", finding=False,
                        lam_c=r.lam_c, lam_star=r.lam_star),
        "ramsauer_examples": claim(max(abs(a - b[2]) for a, b in zip(got, RAMSAUER_EXAMPLES)) <= 1e-4,
                                   "the transcribed theorem reproduces its two published examples", finding=False,
                                   computed=got, published=[x[2] for x in RAMSAUER_EXAMPLES], tolerance=1e-4),
        "scaled_convergence": claim(bool(np.all(dev_n > 0)) and bool(np.all(np.abs(dev_n / lead - 1) <= bound)),
                                    "the annealed finite-N threshold is lam_t - lam_t^2/(2 sqrt N) to leading order",
                                    finding=False, largest_gap=dev_n.max(axis=1)),
        "c_max_approach": claim(approach, "the exact finite-N mean of the largest overlap rises towards c_max",
                                finding=False, c_max=nb["c_max"],
                                largest_finite_n_mean=[float(np.nanmax(v)) if np.isfinite(v).any() else None
                                                       for v in line]),
        "scaled_annealed_above": claim(bool(below.any()) and bool(np.all(half[below] < ann[below])),
                                       "every simulated crossing lies below the annealed threshold without margin",
                                       finding=False, crossings=int(below.sum()),
                                       largest_excess=float(np.max(half[below] - ann[below])) if below.any() else None),
    }


def _md(x, fmt=".4f"):
    from IPython.display import Markdown

    if not np.isfinite(x):
        return Markdown("no value in this run")
    return Markdown(f"${x:{fmt}}$")


def _sci(x):
    from IPython.display import Markdown

    if x == 0:
        return Markdown("$0$")
    e = int(math.floor(math.log10(abs(x))))
    return Markdown(f"${x / 10**e:.1f}\\times10^{{{e}}}$")


def _glue(p, r):
    """The numbers the page quotes (Markdown, math mode)."""
    ss, gr = r.scaled_sim, r.gauss_routes
    share = SHARP_SHARE * float(p.eps_scaled)
    kappa_min = 1.0 / (share * (1.0 - share)) if share < 0.5 else 4.0
    gap = float(r.alpha_1_gauss[-1] - r.alpha_c_lb_gauss[-1])  # at the largest lam of the curve
    return {
        "large_lam_gap": _md(r.checks["spherical_alpha_1_minus_half_log_lam_at_lam_max"]),
        "lam_max": _md(p.lam_max, "g"),
        "alpha_c_lb_inf": _md(r.alpha_c_lb_inf),
        "gauss_gap_large_lam": _md(gap),
        "gauss_lam_gap": _md(gr["lam_gap"], "g"),
        "gauss_lam_sat": _md(gr["lam_saturated"], "g"),
        "closed_forms_diff": _sci(r.checks["numerical_vs_closed_forms_max_abs_diff"]),
        "c_max_routes_diff": _sci(r.nearest["routes_max_diff"]),
        "cmax_N_max": _md(max(p.Ns_cmax), "d"),
        "cmax_networks": _md(p.n_networks_cmax, "d"),
        "scaled_eps": _md(p.eps_scaled, ".2f"),
        "scaled_delta_max": _md(share, ".2f"),
        "scaled_kappa_min": _md(kappa_min, ".2f"),
        "scaled_points": _md(int((ss["in_verdict"] & np.isfinite(ss["alpha_half"])).sum()), "d"),
        "scaled_points_all": _md(int(np.isfinite(ss["alpha_half"]).sum()), "d"),
        "scaled_networks": _md(p.n_networks_scaled, "d"),
        **_numeric_glue(r.verdicts),
        **_cmax_quote(p, r.verdicts),
    }


def _cmax_quote(p, verdicts):
    """The overlap verdict quoted in the text: the simulated load closest to 0.2 (stable glue names)."""
    from IPython.display import Markdown

    from ..book.verdicts import format_pm

    found = [v for v in verdicts if v.name.startswith("c_max_") and v.name != "c_max_routes"]
    if not found:
        none = Markdown("no value in this run")
        return {"cmax_alpha": none, "cmax_book": none, "cmax_reference": none, "cmax_phrase": none}
    v = min(found, key=lambda v: abs(float(v.name[6:]) - 0.2))
    return {"cmax_alpha": _md(float(v.name[6:]), "g"), "cmax_book": Markdown(f"${format_pm(v.book, v.book_err)}$"),
            "cmax_reference": _md(v.reference), "cmax_phrase": Markdown(v.phrase())}


_LABELS = {"c_max_routes": r"$c_{\max}(0.2)$, two routes", "gauss_alpha_1": r"Gaussian $\alpha_1$, saturated",
           "gauss_gap": r"Gaussian gap $\alpha_1-\alpha_c^{\rm lb}$", "gauss_lb_inf": r"Gaussian $\alpha_c^{\rm lb}(\infty)$",
           "scaled": r"scaled regime, $\tilde\alpha_{1/2}/\tilde\lambda$"}


def verdict_table(r) -> str:
    """The verdicts of the run as a Markdown table (result, this run, reference, outcome, resolution, aim)."""
    from ..book.verdicts import format_pm

    def pct(x):
        if not np.isfinite(x):
            return "not measurable"
        return f"${100 * x:.1f}\\,\\%$" if x >= 1e-3 else _sci(100 * x).data.rstrip("$") + r"\,\%$"

    lines = ["| result | this run | reference | outcome | resolution | aim |", "|---|---|---|---|---|---|"]
    for v in r.verdicts:
        label = _LABELS.get(v.name) or f"nearest-pattern overlap, $\\alpha={v.name[6:]}$"
        if v.name in NUMERIC_VERDICTS:
            book, ref = f"${v.book:.10f}$", f"${v.reference:.10f}$"
            outcome = _numeric_glue([v])[f"num_{v.name}"].data
        else:
            book, ref = f"${format_pm(v.book, v.book_err)}$", _md(v.reference).data
            outcome = v.phrase()
        lines.append(f"| {label} | {book} | {ref} | {outcome} | {pct(v.resolution)} | {pct(v.aim)} |")
    return "\n".join(lines)


NUMERIC_VERDICTS = ("c_max_routes", "gauss_alpha_1", "gauss_gap", "gauss_lb_inf")


def _numeric_glue(verdicts):
    """The verdicts between numerical routes in numbers of their own precision: value, difference, outcome."""
    from IPython.display import Markdown

    out = {}
    for v in (v for v in verdicts if v.name in NUMERIC_VERDICTS):
        out[f"num_{v.name}_book"] = _md(v.book, ".10f")
        out[f"num_{v.name}_diff"] = _sci(abs(v.deviation))
        out[f"num_{v.name}"] = Markdown("agree within the tolerance" if v.holds else "differ beyond the tolerance")
    return out


# ----------------------------------------------------------------------------- tables and figures
_QUANTITY = {"zeta_hat": r"$\hat\zeta_1(\varepsilon)$", "eps_*": r"$\varepsilon_*(\alpha)$",
             "phi(lam=0.5)": r"$\phi_{\alpha,1}(0.5)$", "alpha_1": r"$\alpha_1(\lambda)$"}


def numeric_table(r) -> str:
    """The numerical routes against the closed forms (Markdown table)."""
    lines = ["| patterns | quantity | at | numerical | closed form | difference |", "|---|---|---|---|---|---|"]
    lines += [f"| {kind} | {_QUANTITY[q]} | {arg:g} | {num:.10f} | {cf:.10f} | {abs(num - cf):.1e} |"
              for kind, q, arg, num, cf in r.numeric_rows]
    return "\n".join(lines)


def basin_onsets(r) -> str:
    """lam_c (onset) and lam_* (freezing) of each basin curve (Markdown table)."""
    lines = [r"| $\alpha$ | $\lambda_c(\alpha)$ | $\lambda_*(\alpha)$ | $\arccos c_{\max}$ [rad] |", "|---|---|---|---|"]
    lines += [f"| {a:g} | {lc:.4f} | {ls:.4f} | {t:.4f} |"
              for a, lc, ls, t in zip(r.alphas_basin, r.lam_c, r.lam_star, r.theta_nearest)]
    return "\n".join(lines)


def _plain_log_labels(ax):
    """Major ticks of a log N axis at 1, 2, 5 x powers of ten, labelled as plain numbers."""
    from matplotlib.ticker import FuncFormatter

    ax.set_xscale("log")
    style.log_ticks(ax, "x")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


def figure_spherical(r, axs=None):
    """Top: the phase diagram of spherical patterns; bottom: the large-lam law (stacked panels)."""
    if axs is None:
        fig, axs = style.figure(nrows=2, width=7.0, height=7.6)
    else:
        fig = axs[0].figure
    ax = axs[0]
    ax.fill_between(
        r.lam, 0, r.alpha_1_sph, color="C2", alpha=0.2, label=r"retrieval of all patterns ($\alpha<\alpha_c=\alpha_1$)"
    )
    style.line(ax, r.lam, r.alpha_1_sph, color="C2", label=r"$\alpha_1(\lambda)=\alpha_c(\lambda)$")
    style.line(ax, r.lam, r.alpha_star_sph, color="C3", ls="--", label=r"$\alpha_*(\lambda)$ (REM condensation)")
    style.line(
        ax,
        r.lam,
        r.alpha_ramsauer,
        color="C0",
        ls="-.",
        label=r"$\alpha_{\rm R}(\lambda)$ (Ramsauer et al., $N\to\infty$)",
    )
    ax.set_xscale("log")
    style.log_ticks(ax, "x")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel(r"$\alpha$")
    ax.set_title("spherical patterns")
    style.legend_outside(ax, "right")
    ax = axs[1]
    style.line(ax, r.lam, r.alpha_1_sph - 0.5 * np.log(r.lam), color="C2", label=r"$\alpha_1-\frac{1}{2}\log\lambda$")
    style.line(
        ax,
        r.lam,
        0.5 + 1.0 / (8.0 * r.lam),
        color="k",
        ls="--",
        lw=0.9,
        label=r"$\frac{1}{2}+\frac{1}{8\lambda}$ (large-$\lambda$ expansion)",
    )
    ax.axhline(0.5, color="k", lw=1, ls=":", label="limit 1/2")
    ax.set_xscale("log")
    style.log_ticks(ax, "x")
    ax.set_ylim(0.45, 1.0)
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel(r"$\alpha_1-\frac{1}{2}\log\lambda$")
    ax.set_title(r"large-$\lambda$ law")
    style.legend_outside(ax, "right")
    return fig


def figure_basins(r, ax=None):
    if ax is None:
        fig, ax = style.figure(width=7.5, height=4.2)
    else:
        fig = ax.figure
    for i, a in enumerate(r.alphas_basin):
        style.line(ax, r.lam_basin, r.theta_c[i], color=f"C{i}", label=rf"$\alpha={a:g}$")
        ax.axhline(r.theta_nearest[i], color=f"C{i}", ls=":", lw=1)
        ax.axvline(r.lam_star[i], color=f"C{i}", ls="--", lw=0.7)
    ax.plot([], [], "k:", lw=1, label=r"$\arccos c_{\max}$ (nearest pattern)")
    ax.plot([], [], "k--", lw=0.7, label=r"$\lambda_*(\alpha)$")
    ax.set_xscale("log")
    style.log_ticks(ax, "x")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel(r"$\theta_c(\alpha,\lambda)$ [rad]")
    style.legend_outside(ax)
    return fig


def figure_gaussian(r, ax=None):
    if ax is None:
        fig, ax = style.figure(width=7.5, height=4.2)
    else:
        fig = ax.figure
    style.line(ax, r.lam_gauss, r.alpha_1_gauss, color="C2", label=r"$\alpha_1$ (typical pattern)")
    style.line(
        ax, r.lam_gauss, r.alpha_c_lb_gauss, color="C0", label=r"$\alpha_c^{\rm lb}$ (all patterns, union bound)"
    )
    style.line(ax, r.lam_gauss, r.alpha_star_gauss, color="C3", ls="--", label=r"$\alpha_*$ (REM condensation)")
    ax.axhline(np.log(2) / 4, color="C0", ls=":", lw=1, label=r"$\log 2/4$")
    ax.set_xscale("log")
    style.log_ticks(ax, "x")
    ax.set_ylim(0, 0.8)
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel(r"$\alpha$")
    style.legend_outside(ax)
    return fig


def figure_scaled(r, ax=None):
    if ax is None:
        fig, ax = style.figure(width=7.0, height=4.2)
    else:
        fig = ax.figure
    for i, N in enumerate(r.N_scaled):
        style.line(
            ax,
            r.lam_tilde,
            r.alpha_tilde_1[i],
            color=f"C{i}",
            label=f"$N=10^{{{math.log10(N):.0f}}}$ (annealed, $a=1/2$)"
            if float(math.log10(N)).is_integer()
            else f"$N={N:.3g}$ (annealed, $a=1/2$)",
        )
    style.line(ax, r.lam_tilde, r.lam_tilde, color="k", ls="--", label=r"$N\to\infty$: $\tilde\alpha_1=\tilde\lambda$")
    ax.set_xlabel(r"$\tilde\lambda$")
    ax.set_ylabel(r"$\tilde\alpha_1$")
    style.legend_outside(ax)
    return fig


def figure_nearest(r, axs=None):
    """Top: psi_alpha(c) and its largest root; bottom: the largest overlap against N, simulated and exact."""
    nb = r.nearest
    if axs is None:
        fig, axs = style.figure(nrows=2, width=7.0, height=7.6)
    else:
        fig = axs[0].figure
    ax = axs[0]
    for j, a in enumerate(nb["alphas"]):
        psi = nb["psi"][j]
        ok = np.isfinite(psi)
        style.line(ax, nb["psi_c"][ok], psi[ok], color=f"C{j}", label=rf"$\psi_\alpha(c)$, $\alpha={a:g}$")
        ax.plot([nb["c_max"][j]], [0.0], "o", color=f"C{j}", mfc="none")
    ax.plot([], [], "ko", mfc="none", label=r"first-moment root $\hat\zeta_1(c)=\alpha$")
    ax.axhline(0, color="k", lw=0.7)
    ax.set_xlim(0, 1)
    ax.set_xlabel(r"overlap $c$")
    ax.set_ylabel(r"$\psi_\alpha(c)$ (growth rate of the count)")
    ax.set_title("second-moment route")
    style.legend_outside(ax, "right")
    ax = axs[1]
    for j, a in enumerate(nb["alphas"]):
        style.points(ax, nb["N"], nb["mean"][:, j], nb["sem"][:, j], color=f"C{j}", line=False,
                     label=rf"simulated, $\alpha={a:g}$")
        style.line(ax, nb["line_N"], nb["line_mean"][j], color=f"C{j}", lw=1)
        ax.axhline(nb["c_max"][j], color=f"C{j}", ls=":", lw=1)
    ax.plot([], [], "k-", lw=1, label=r"exact finite-$N$ mean of the maximum")
    ax.plot([], [], "k:", lw=1, label=r"$c_{\max}(\alpha)$ ($N\to\infty$)")
    _plain_log_labels(ax)
    ax.set_xlabel(r"$N$")
    ax.set_ylabel(r"largest overlap $\max_{\mu\geq2}\,\xi^1\!\cdot\xi^\mu/N$")
    ax.set_title(r"nearest pattern among $e^{\alpha N}$")
    style.legend_outside(ax, "right")
    return fig


def figure_scaled_simulation(r, axs=None):
    """A 2 x 2 grid: one panel per lam_t (up to three) of the retrieval fraction against alpha_t (Wilson
    intervals) at each N; the last panel: the crossings alpha_t_half(N)/lam_t against the finite-N
    thresholds (filled: the points of the verdict, open: outside the all-or-nothing regime)."""
    ss = r.scaled_sim
    n_l = len(ss["lam_tilde"])
    if axs is None:
        nrows = (min(n_l, 3) + 2) // 2
        fig, grid = style.figure(ncols=2, nrows=nrows, width=7.5, height=3.4 * nrows)
        axs = list(np.ravel(grid))
    else:
        fig = axs[0].figure
    for i, lt in enumerate(ss["lam_tilde"][:3]):
        ax = axs[i]
        for j, N in enumerate(ss["N"]):
            f = ss["fraction"][i, j]
            ok = np.isfinite(f)
            if ok.sum() < 2:
                continue
            style.points(ax, ss["alpha_tilde"][i][ok], f[ok], None, color=f"C{j}", label=f"$N={N}$",
                         yerr_asym=(ss["wilson_lo"][i, j][ok], ss["wilson_hi"][i, j][ok]))
        ax.axvline(lt, color="k", ls="--", lw=0.9)
        ax.axhline(0.5, color="k", ls=":", lw=0.7)
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(r"$\tilde\alpha$")
        ax.set_ylabel(r"fraction retrieving $\xi^1$")
        ax.set_title(rf"$\tilde\lambda={lt:g}$")
        ax.legend(loc="lower left", fontsize=8)
    for ax in axs[min(n_l, 3):-1]:
        ax.set_visible(False)
    ax = axs[-1]
    for i, lt in enumerate(ss["lam_tilde"]):
        h = ss["alpha_half"][i]
        for sel, mfc in ((np.isfinite(h) & ss["in_verdict"][i], None), (np.isfinite(h) & ~ss["in_verdict"][i], "white")):
            if sel.any():
                style.points(ax, ss["N"][sel], h[sel] / lt, ss["alpha_half_err"][i][sel] / lt, color=f"C{i}",
                             line=False, mfc=mfc, label=rf"$\tilde\lambda={lt:g}$" if mfc is None else None)
        style.line(ax, ss["line_N"], ss["line_margin"][i] / lt, color=f"C{i}", lw=1)
        style.line(ax, ss["line_N"], ss["line_annealed"][i] / lt, color=f"C{i}", ls="-.", lw=0.8)
    ax.plot([], [], "k-", lw=1, label="with margin")
    ax.plot([], [], "k-.", lw=0.8, label="annealed, no margin")
    ax.plot([], [], "ko", mfc="white", label="outside the regime")
    ax.axhline(1.0, color="k", ls="--", lw=0.9)
    ax.set_xscale("log")
    style.log_ticks(ax, "x")
    ax.set_xlim(ss["N"][0] * 0.8, ss["line_N"][-1])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(r"$N$")
    ax.set_ylabel(r"$\tilde\alpha_{1/2}(N)/\tilde\lambda$")
    ax.set_title("crossings against the finite-$N$ threshold")
    ax.legend(loc="lower right", fontsize=7)
    return fig
