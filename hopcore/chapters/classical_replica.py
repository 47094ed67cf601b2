"""Chapter: replica theory of the classical Hopfield model (AGS) against simulations.

``compute(p)`` solves the replica-symmetric theory (the T = 0 retrieval branch and alpha_c, the
(alpha, T) phase diagram, the stability of symmetric mixtures), simulates the T = 0 dynamics at
finite N (the overlap after convergence from a stored pattern and from a 3-mixture), reads the
finite-size capacities alpha_c(N) off the simulations and extrapolates them with five fit forms;
it returns a :class:`Result` of labelled arrays with the summary, the verdicts (:func:`_verdicts`:
the comparisons with the papers), the claims (checks of the code) and the glue of the page. One
``figure_*`` function per figure draws from the result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .. import validation
from ..book import spec, style
from ..book.report import ChapterResult, claim
from ..book.spec import Chapter, Param
from ..book.verdicts import format_pm, verdict


def _fit_exponents(p):
    if not p["fit_correction_exponent"] > p["fit_exponent"]:
        validation.fail("fit_correction_exponent", p["fit_correction_exponent"],
                        f"larger than fit_exponent = {p['fit_exponent']} (a correction decays faster than the leading term)")


def _memory(p):
    # largest network of each simulation: N x P int8 patterns, plus int32 overlaps of every start
    for name, Ns, alphas, starts in (
        ("Ns_sim", p["Ns_sim"], p["alphas_sim"], p["n_starts"]),
        ("N_mixture", [p["N_mixture"]], p["alphas_mixture"], p["n_mixture_starts"]),
    ):
        N = max(Ns)
        if name == "Ns_sim" and isinstance(p["n_samples_sim"], list) and len(p["n_samples_sim"]) != len(Ns):
            validation.fail("n_samples_sim", p["n_samples_sim"],
                   f"one integer, or a list of {len(Ns)} integers (one per entry of Ns_sim)")
        P = max(max(alphas) * N, 3 * starts)
        validation.memory_bytes(name, N, N * P + 4.0 * P * starts + 2.0 * N * starts, validation.memory_limit_bytes())
        if N * P >= 2**31 - 1:
            validation.fail(name, N, f"at most {int((2**31 - 1) / max(alphas))} for loads up to {max(alphas)} (N*P < 2^31)")


SPEC = Chapter(
    name="classical_replica",
    notebook="book/classical_replica.ipynb",
    title="Replica theory of the classical Hopfield model",
    seed=1987,
    minutes=(0.8, 7.0),
    cached="simulation points and the phase-diagram and mixture lines under _build/cache/ "
           "(hopcore.experiments.classical, hopcore.theory.classical)",
    params={
        "n_alpha_T0": Param(200, validation.integer(10, 100_000), doc="points of the zero-temperature m(alpha) curve"),
        "n_T_phase": Param(12, validation.integer(3, 400), paper=32, doc="temperatures at which the T_M and T_c lines are read"),
        "mixture_ns": Param([3, 5, 7, 9], validation.list_of(validation.odd_integer(3, 21), increasing=True), doc="odd mixture orders"),
        "n_T_mixture": Param(6, validation.integer(3, 400), paper=16, doc="temperatures per mixture stability line"),
        "Ns_sim": Param([500, 1000, 2000, 4000, 8000], validation.list_of(validation.integer(50, 200_000), min_len=2, increasing=True),
                        paper=[1000, 2000, 4000, 8000, 16000, 32000, 64000],
                        doc="network sizes of the capacity simulations"),
        "alphas_sim": Param([round(a, 3) for a in np.linspace(0.10, 0.20, 11)],
                            validation.list_of(validation.real(0.0, 1.0, lo_open=True), min_len=3, increasing=True),
                            paper=[round(a, 4) for a in np.linspace(0.125, 0.19, 27)],
                            doc="loads of the capacity simulations"),
        "n_samples_sim": Param(5, validation.one_or_list(validation.integer(5, 10_000)), paper=[16, 16, 12, 6, 5, 5, 5],
                               doc="networks per (N, alpha): one count, or one per entry of Ns_sim"),
        "stop_after_failed_loads": Param(0, validation.integer(0, 1000), paper=1,
                                         doc="skip a size's larger loads after this many loads where every run "
                                             "failed (0: never)"),
        "n_starts": Param(4, validation.integer(1, 1000), doc="patterns used as starts in each network"),
        "max_sweeps": Param(200, validation.integer(1, 100_000), paper=120,
                            doc="asynchronous sweeps before giving up "
                                "(a failed run has left the pattern after about 80)"),
        "m_threshold": Param(0.5, validation.real(0.0, 1.0, lo_open=True, hi_open=True),
                             doc="alpha_c(N) is where the mean overlap crosses this value"),
        "fit_exponent": Param(0.5, validation.real(0.05, 2.0),
                              doc="leading finite-size exponent: the preferred extrapolation is "
                                  "alpha_inf + a N^(-fit_exponent) + b N^(-fit_correction_exponent) "
                                  "(the leading term alone, N^(-2/3), 1/N and a free exponent are fitted too)"),
        "fit_correction_exponent": Param(1.0, validation.real(0.05, 3.0),
                                         doc="exponent of the correction term of the preferred extrapolation "
                                             "(larger than fit_exponent)"),
        "N_mixture": Param(2000, validation.integer(50, 200_000), paper=16000, doc="network size of the mixture simulations"),
        "alphas_mixture": Param([round(a, 4) for a in np.linspace(0.005, 0.06, 12)],
                                validation.list_of(validation.real(0.0, 1.0, lo_open=True), min_len=2, increasing=True),
                                paper=[0.005, 0.01, 0.015, 0.02, 0.025, 0.0275, 0.03, 0.0325, 0.035, 0.04, 0.05, 0.06],
                                doc="loads of the mixture simulations"),
        "n_samples_mixture": Param(5, validation.integer(5, 10_000), doc="networks per load of the mixture simulations"),
        "n_mixture_starts": Param(2, validation.integer(1, 1000), paper=4,
                                  doc="disjoint triplets used as mixture starts per network"),
    },
    checks=(_memory, _fit_exponents),
    headline=("Ns_sim", "n_samples_sim", "n_starts", "N_mixture", "n_samples_mixture"),
    extra={
        "test": {
            "n_alpha_T0": 60,
            "n_T_phase": 4,
            "mixture_ns": [3, 5],
            "n_T_mixture": 3,
            "Ns_sim": [200, 400],
            "alphas_sim": [0.08, 0.14, 0.2, 0.3],
            "n_samples_sim": 5,
            "n_starts": 2,
            "N_mixture": 300,
            "alphas_mixture": [0.01, 0.05],
            "n_samples_mixture": 5,
            "n_mixture_starts": 2,
        }
    },
)

# one-step replica-symmetry-breaking capacity of the Hopfield model at T = 0 (Steffan and Kuehn 1994)
ALPHA_C_1RSB = 0.138186
# the level half-way between the mixture overlap 1/2 and the overlap 1/4 left after a breakdown
MIXTURE_LEVEL = 0.375


def prepare(namespace):
    return spec.prepare(SPEC.name, namespace)


@dataclass
class Result(ChapterResult):
    """Everything the page shows. Simulation arrays carry their axes beside them: capacity scan
    ``m``/``converged`` are (Ns, alphas, networks, starts) and ``m_mean``/``m_err``/``simulated``
    (Ns, alphas); the mixture runs ``m_mix`` are (alphas_mixture, networks, starts, 3) and
    ``moved`` (alphas_mixture, networks, starts)."""

    # T = 0 theory
    alpha_T0: np.ndarray = None
    branch_alpha: np.ndarray = None
    branch_x: np.ndarray = None              # (points, 3): m, C, r
    branch_converged: np.ndarray = None
    branch_residual: np.ndarray = None
    m_closed: np.ndarray = None
    alpha_c: float = float("nan")
    alpha_c_bisection: float = float("nan")
    m_c: float = float("nan")
    # phase diagram and mixtures
    Ts_phase: np.ndarray = None
    phase: dict = field(default_factory=dict)
    Ts_eig: np.ndarray = None
    eig_orders: np.ndarray = None
    lambda_in: np.ndarray = None             # (eig_orders, Ts_eig)
    mixture_ns: tuple = ()
    mixture_lines: dict = field(default_factory=dict)   # n -> stability line record
    mixture_alpha_bisection: dict = field(default_factory=dict)  # n -> T = 0 load by the toolkit bisection
    # capacity simulations
    Ns: np.ndarray = None
    alphas: np.ndarray = None
    m: np.ndarray = None
    converged: np.ndarray = None
    simulated: np.ndarray = None
    n_samples: np.ndarray = None
    m_mean: np.ndarray = None
    m_err: np.ndarray = None
    m_threshold: float = 0.5
    alpha_c_N: np.ndarray = None
    alpha_c_N_err: np.ndarray = None
    alpha_c_N_interp_err: np.ndarray = None  # linear vs monotone-cubic crossing (not in the bootstrap error)
    fit_exponent: float = 0.5
    fit_correction_exponent: float = 1.0
    fits: dict = field(default_factory=dict)
    remanent: dict = field(default_factory=dict)
    spread: dict = field(default_factory=dict)   # single runs' capacities: quartiles, median, spread per N
    # mixture simulations
    N_mixture: int = 0
    alphas_mixture: np.ndarray = None
    m_mix: np.ndarray = None
    moved: np.ndarray = None
    alpha_mix_sim: float = float("nan")
    alpha_mix_sim_err: float = float("nan")


def _theory_T0(r: Result, p) -> None:
    from ..theory import classical as ags

    t0 = time.perf_counter()
    r.alpha_T0 = np.linspace(1e-3, 0.16, p.n_alpha_T0)
    branch = ags.retrieval_curve_T0(r.alpha_T0)                  # generic continuation, x = (m, C, r)
    r.alpha_c_bisection, _ = ags.alpha_c_T0(1, tol=1e-8)         # generic bisection on the jump
    r.timings["T0_curve_and_bisection_s"] = time.perf_counter() - t0
    r.alpha_c, r.m_c, _ = ags.critical_load_T0(1)               # closed form, eq. classical_replica-y
    r.m_closed = ags.retrieval_curve_T0_reduced(r.alpha_T0)
    r.branch_alpha, r.branch_x = branch.control, branch.x
    r.branch_converged, r.branch_residual = branch.converged, branch.residual


def _branch_masks(r: Result):
    retrieval = r.branch_converged & (r.branch_x[:, 0] > 0.5)
    return retrieval, r.branch_converged & ~retrieval, ~r.branch_converged


def _theory_phase(r: Result, p) -> None:
    from ..experiments import memo
    from ..theory import classical as ags

    t0 = time.perf_counter()
    r.Ts_phase = np.linspace(0.02, 0.98, p.n_T_phase)
    r.phase = memo(ags.phase_diagram, Ts=r.Ts_phase)           # cached: a warm rebuild reads it back
    r.timings["phase_diagram_s"] = time.perf_counter() - t0
    r.Ts_eig = np.linspace(0.02, 0.98, 25)
    r.eig_orders = np.arange(2, max(p.mixture_ns) + 1)
    r.lambda_in = np.array([memo(ags.mixture_inside_eigenvalue_alpha0, n=int(n), Ts=r.Ts_eig)["lambda_in"]
                            for n in r.eig_orders])
    t0 = time.perf_counter()
    r.mixture_ns = tuple(p.mixture_ns)
    r.mixture_lines = {n: memo(ags.mixture_stability_line, n=n, n_T=p.n_T_mixture) for n in p.mixture_ns}
    r.timings["mixture_lines_s"] = time.perf_counter() - t0
    r.mixture_alpha_bisection = {n: memo(ags.mixture_alpha_c_T0_bisection, n=n)["alpha_c"] for n in p.mixture_ns}


def _preferred_fit(Ns, alpha_c, err, nu: float, c: float) -> dict:
    """The preferred extrapolation alpha_inf + a N^-nu + b N^-c (weighted least squares); with fewer
    than four sizes (no degree of freedom left for three parameters) the leading term alone."""
    from ..analysis import weighted_linear_fit
    from ..experiments.classical import extrapolate_alpha_c

    N = np.asarray(Ns, dtype=float)
    fit = weighted_linear_fit(np.stack([np.ones_like(N), N ** -nu, N ** -c], axis=1), alpha_c, err)
    if fit["determined"] and fit["dof"] >= 1:
        (a0, a1, a2), (e0, e1, e2) = fit["coef"], fit["coef_err"]
        return {"alpha_inf": float(a0), "alpha_inf_err": float(e0), "slope": float(a1), "slope_err": float(e1),
                "exponent": nu, "correction": float(a2), "correction_err": float(e2), "correction_exponent": c,
                "chi2": fit["chi2"], "dof": fit["dof"], "two_terms": True,
                "form": f"alpha_inf + a N^-{nu:g} + b N^-{c:g}"}
    one = extrapolate_alpha_c(N, alpha_c, err, exponent=nu)
    n = int(np.sum(np.isfinite(alpha_c)))
    return {**{k: one.get(k, float("nan")) for k in ("alpha_inf", "alpha_inf_err", "slope", "slope_err", "chi2")},
            "exponent": nu, "correction": 0.0, "correction_err": float("nan"), "correction_exponent": c,
            "dof": n - 2, "two_terms": False,
            "form": f"alpha_inf + a N^-{nu:g} (fewer than four sizes: no correction term)"}


P_ACCEPT = 0.01   # a fit form enters the systematic error unless its chi^2 has a p-value below this


def _acceptable(fit: dict, k: int, n: int) -> bool:
    """A fit form is a candidate description of the points unless the points reject it: chi^2 p-value
    at least P_ACCEPT (a form with no degree of freedom left cannot be rejected)."""
    from scipy.stats import chi2 as chi2_dist

    dof, c2 = n - k, fit.get("chi2", float("nan"))
    return bool(dof <= 0 or not np.isfinite(c2) or chi2_dist.sf(c2, dof) >= P_ACCEPT)


def _finite_size_fits(Ns, alpha_c, err, nu: float, c: float) -> dict:
    """Every extrapolation of alpha_c(N): the preferred one (leading term plus correction), the
    leading term alone, N^-2/3, 1/N and a free exponent. ``systematic_err`` is the largest distance of
    another form's intercept from the preferred one, over the forms the points do not reject
    (:func:`_acceptable`; the free exponent only when it is determined and inside its bounds): the
    spread between acceptable descriptions of the same points, whatever the theory says."""
    from ..experiments.classical import alpha_c_fit_forms, extrapolate_alpha_c

    forms = alpha_c_fit_forms(Ns, alpha_c, err, exponent=nu)        # leading term alone, 1/N, free
    pref = _preferred_fit(Ns, alpha_c, err, nu, c)
    out = {"preferred": pref, "leading_only": forms["preferred"], "one_over_N": forms["one_over_N"],
           "two_thirds": extrapolate_alpha_c(Ns, alpha_c, err, exponent=2.0 / 3.0), "free": forms["free"]}
    n = int(np.sum(np.isfinite(alpha_c) & np.isfinite(err)))
    cand = [("two_thirds", 2), ("one_over_N", 2)] + ([("leading_only", 2)] if pref["two_terms"] else [])
    if out["free"]["determined"] and not out["free"]["at_bound"]:
        cand.append(("free", 3))
    used = [key for key, k in cand if _acceptable(out[key], k, n)]
    dev = [abs(out[key]["alpha_inf"] - pref["alpha_inf"]) for key in used
           if np.isfinite(out[key]["alpha_inf"]) and np.isfinite(pref["alpha_inf"])]
    out["systematic_err"] = float(max(dev)) if dev else 0.0
    out["forms_in_systematic"] = 1 + len(dev)
    out["forms_used"] = ["preferred", *used]
    return out


def _pref_shift(pref: dict, N) -> float:
    """alpha_c(N) - alpha_inf of the preferred fit."""
    return float(pref["slope"] * N ** -pref["exponent"] + pref["correction"] * N ** -pref["correction_exponent"])


def _capacity(r: Result, p) -> None:
    from ..analysis import mean_sem
    from ..experiments.classical import (
        bootstrap_alpha_c,
        capacity_scan,
        crossing_interpolation_err,
    )

    t0 = time.perf_counter()
    scan = capacity_scan(p.Ns_sim, p.alphas_sim, p.n_samples_sim, p.seed, n_starts=p.n_starts,
                         max_sweeps=p.max_sweeps, m_threshold=p.m_threshold,
                         stop_after_failed_loads=p.stop_after_failed_loads)
    r.timings["capacity_simulations_s"] = time.perf_counter() - t0
    r.Ns, r.alphas = np.asarray(p.Ns_sim), np.asarray(p.alphas_sim, dtype=float)
    r.m, r.converged, r.simulated, r.n_samples = scan["m"], scan["converged"], scan["simulated"], scan["n_samples"]
    r.m_threshold, r.fit_exponent = float(p.m_threshold), float(p.fit_exponent)
    per_net = r.m.mean(axis=3)                                  # (N, alpha, network); nan where not run
    r.m_mean = np.full(r.simulated.shape, np.nan)
    r.m_err = np.full(r.simulated.shape, np.nan)
    for i, c in enumerate(r.n_samples):
        for j in np.flatnonzero(r.simulated[i]):
            r.m_mean[i, j], r.m_err[i, j] = mean_sem(per_net[i, j, :c])
    boot = [bootstrap_alpha_c(p.alphas_sim, r.m[k], threshold=p.m_threshold, seed=p.seed + k) for k in range(len(r.Ns))]
    r.alpha_c_N = np.array([b[0] for b in boot])
    r.alpha_c_N_err = np.array([b[1] for b in boot])
    r.fit_correction_exponent = float(p.fit_correction_exponent)
    r.alpha_c_N_interp_err = np.array([crossing_interpolation_err(r.alphas, r.m_mean[k], p.m_threshold)
                                       for k in range(len(r.Ns))])
    # every fit weighs a size by its bootstrap error and the interpolation error of its crossing together
    combined = np.hypot(r.alpha_c_N_err, np.nan_to_num(r.alpha_c_N_interp_err))
    r.fits = _finite_size_fits(r.Ns, r.alpha_c_N, combined, p.fit_exponent, p.fit_correction_exponent)
    r.fits["preferred_with_interpolation_err"] = _preferred_fit(r.Ns, r.alpha_c_N, combined, p.fit_exponent,
                                                                p.fit_correction_exponent)
    r.remanent = _remanent(r)
    r.spread = _run_spread(r, p.seed)


SPREAD_QUANTILES = (0.75, 0.5, 0.25)


def _run_spread(r: Result, seed: int) -> dict:
    """Where the fraction of runs that retrieve (overlap above the level) falls below 3/4, 1/2 and
    1/4, for each N: the quartiles and the median of the single runs' capacities, and their spread
    (interquartile range), with bootstrap errors over networks (quartiles resampled jointly). The
    power law of the spread against N is fitted only through five sizes or more."""
    import warnings

    from ..analysis import bootstrap
    from ..experiments.classical import crossing_load, extrapolate_alpha_c_free

    nq = len(SPREAD_QUANTILES)
    q = np.full((len(r.Ns), nq), np.nan)
    q_err = np.full_like(q, np.nan)
    w, w_err = np.full(len(r.Ns), np.nan), np.full(len(r.Ns), np.nan)
    frac, n_runs = np.full(r.simulated.shape, np.nan), np.zeros(r.simulated.shape, dtype=int)
    for k in range(len(r.Ns)):
        ran = np.isfinite(r.m[k])                                      # (alphas, networks, starts)
        ok = ran.any(axis=(0, 2))                                      # networks that were run
        good = (r.m[k] > r.m_threshold) & ran
        n_runs[k] = ran.sum(axis=(1, 2))
        frac[k] = np.where(n_runs[k] > 0, good.sum(axis=(1, 2)) / np.maximum(n_runs[k], 1), np.nan)
        per_net = np.where(ran, good, np.nan)[:, ok].transpose(1, 0, 2)   # (networks, alphas, starts)

        def quartiles_and_spread(d):
            f = np.nanmean(d, axis=(0, 2)) if np.isfinite(d).any() else np.full(d.shape[1], np.nan)
            qs = np.array([crossing_load(r.alphas, f, level) for level in SPREAD_QUANTILES])
            return np.append(qs, qs[-1] - qs[0])

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)          # means over all-NaN slices of a replica
            value, err = bootstrap(quartiles_and_spread, per_net, n_boot=200, seed=seed + k)
        q[k], q_err[k], w[k], w_err[k] = value[:nq], err[:nq], value[nq], err[nq]
    law = _spread_law(r.Ns, w, w_err, float(np.max(np.diff(r.alphas))))
    if law["points"] < 4:
        law = {"exponent": None, "stderr": None, "prefactor": None, "points": law["points"]}
    median_free = extrapolate_alpha_c_free(r.Ns, q[:, 1], q_err[:, 1])
    nan = float("nan")
    return {"quartiles": q, "quartiles_err": q_err, "median": q[:, 1], "median_err": q_err[:, 1],
            "width": w, "width_err": w_err, "law": law, "fraction": frac, "n_runs": n_runs,
            "shrink_exponent": -law["exponent"] if law["exponent"] is not None else nan,   # spread ~ N^-x
            "shrink_exponent_err": law["stderr"] if law["stderr"] is not None else nan,
            "median_free": median_free, "load_spacing": float(np.max(np.diff(r.alphas)))}


def _spread_law(Ns, width, width_err, spacing: float) -> dict:
    """Weighted power law width = prefactor N^exponent, fitted in log-log. Each spread carries its
    bootstrap error and the error of reading two quartiles by linear interpolation between loads
    (each uniform within a load spacing: spacing / sqrt(6) for their difference), in quadrature; the
    exponent's error is the fit's, times sqrt(chi^2/dof) when that exceeds 1."""
    from ..analysis import weighted_linear_fit

    N, w = np.asarray(Ns, dtype=float), np.asarray(width, dtype=float)
    err = np.hypot(np.asarray(width_err, dtype=float), spacing / np.sqrt(6.0))
    ok = np.isfinite(w) & (w > 0) & np.isfinite(err)
    if ok.sum() < 2:
        return {"exponent": None, "stderr": None, "prefactor": None, "points": int(ok.sum())}
    fit = weighted_linear_fit(np.stack([np.ones(ok.sum()), np.log(N[ok])], axis=1), np.log(w[ok]), err[ok] / w[ok])
    se = float(fit["coef_err"][1])
    if fit["dof"] > 0 and np.isfinite(fit["chi2"]):
        se *= max(1.0, float(np.sqrt(fit["chi2"] / fit["dof"])))
    return {"exponent": float(fit["coef"][1]), "stderr": se, "prefactor": float(np.exp(fit["coef"][0])),
            "points": int(ok.sum()), "chi2": float(fit["chi2"]), "dof": int(fit["dof"])}


def _remanent(r: Result) -> dict:
    """Mean overlap after convergence at the simulated loads above alpha_c(N), for the largest N
    with a crossing and at least one such load (the remanent overlap of a failed retrieval), with
    its standard error over networks (combined over the loads)."""
    for k in range(len(r.Ns) - 1, -1, -1):
        above = r.simulated[k] & (r.alphas > r.alpha_c_N[k]) & np.isfinite(r.m_mean[k])
        if np.isfinite(r.alpha_c_N[k]) and above.any():
            err = r.m_err[k, above]
            ran = np.isfinite(r.m[k, above])
            return {"N": int(r.Ns[k]), "alphas": r.alphas[above], "m": float(r.m_mean[k, above].mean()),
                    "m_err": float(np.sqrt(np.sum(err ** 2)) / above.sum()), "n_loads": int(above.sum()),
                    "runs": int(ran.sum()), "runs_at_cap": int((ran & ~r.converged[k, above]).sum())}
    return {"N": 0, "alphas": np.array([]), "m": float("nan"), "m_err": float("nan"), "n_loads": 0,
            "runs": 0, "runs_at_cap": 0}


def _mixture_sim(r: Result, p) -> None:
    from ..experiments import sweep_grid
    from ..experiments.classical import bootstrap_alpha_c, crossing_load, mixture_fixed_points

    t0 = time.perf_counter()
    grid = sweep_grid(mixture_fixed_points, {"alpha": list(p.alphas_mixture)}, p.n_samples_mixture, p.seed + 1,
                      fixed={"N": p.N_mixture, "n": 3, "n_starts": p.n_mixture_starts, "max_sweeps": p.max_sweeps},
                      desc="3-mixture starts")
    r.timings["mixture_simulations_s"] = time.perf_counter() - t0
    r.N_mixture, r.alphas_mixture = int(p.N_mixture), np.asarray(p.alphas_mixture, dtype=float)
    r.m_mix, r.moved = grid["m"], grid["moved"]                  # (alpha, network, start, 3), (alpha, network, start)
    r.alpha_mix_sim = crossing_load(r.alphas_mixture, mixture_curves(r)["m_mean"], MIXTURE_LEVEL)
    r.alpha_mix_sim_err = bootstrap_alpha_c(r.alphas_mixture, r.m_mix.mean(axis=3), threshold=MIXTURE_LEVEL,
                                            seed=p.seed + 101)[1]


def mixture_curves(r: Result) -> dict:
    """Mean over networks (each averaged over its starts and the three patterns) of the overlap and
    of the fraction of spins that moved, with standard errors over networks (nan for one network)."""
    from ..analysis import mean_sem

    m_mean, m_err = mean_sem(r.m_mix.mean(axis=(2, 3)), axis=1)
    mv_mean, mv_err = mean_sem(r.moved.mean(axis=2), axis=1)
    return {"m_mean": m_mean, "m_err": m_err, "moved_mean": mv_mean, "moved_err": mv_err}


def compute(p) -> Result:
    r = Result()
    _theory_T0(r, p)
    _theory_phase(r, p)
    _capacity(r, p)
    _mixture_sim(r, p)
    r.summary = _summary(r, p)
    r.claims = _claims(r)
    r.verdicts = _verdicts(p, r)
    r.glue = _glue(r, p)
    r.figure_data = _figure_data(r)
    return r


def _solver_failures(r: Result) -> tuple[int, dict]:
    _, _, failed = _branch_masks(r)
    pd, mix = r.phase, r.mixture_lines
    n_lines = int(sum((~mix[n]["found"]).sum() for n in r.mixture_ns))
    n_not_converged = int(failed.sum()) + int(pd["n_points_missing"]) + n_lines
    failures = {
        "T0_curve_points": int(failed.sum()),
        "phase_diagram_points_missing": int(pd["n_points_missing"]),
        "mixture_line_points_missing": {str(n): int((~mix[n]["found"]).sum()) for n in r.mixture_ns},
        "bisection_trials_not_converged": int(pd["n_trials_not_converged"]
                                              + sum(mix[n]["n_trials_not_converged"] for n in r.mixture_ns)),
    }
    return n_not_converged, failures


def _dynamics_counts(r: Result) -> tuple[int, int, int]:
    ran = np.isfinite(r.m)
    n_not_conv = int((ran.any(axis=3)[..., None] & ~r.converged).sum())
    return n_not_conv, int(ran.sum()), int((~r.simulated).sum())


def _nu_inside(free: dict, nu: float) -> bool:
    """Whether the exponent nu lies in the range where the free fit's chi^2 is within 1 of its minimum."""
    return bool(free["determined"] and free["nu_lo"] <= nu <= free["nu_hi"])


def _summary(r: Result, p) -> dict:
    n_not_converged, failures = _solver_failures(r)
    n_not_conv, _, n_skipped = _dynamics_counts(r)
    pref, inv, free = r.fits["preferred"], r.fits["one_over_N"], r.fits["free"]
    lead = r.fits["leading_only"]
    return {
        "alpha_c": r.alpha_c, "alpha_c_bisection": r.alpha_c_bisection, "m_at_alpha_c": r.m_c,
        "alpha_c_global": r.phase["alpha_c_global"],
        "mixture_alpha_c": {str(n): r.mixture_lines[n]["alpha_T0"] for n in r.mixture_ns},
        "mixture_T_c": {str(n): r.mixture_lines[n]["T_alpha0"] for n in r.mixture_ns},
        "n_not_converged": n_not_converged,
        "solver_failures": failures,
        "alpha_c_finite_size": {"N": list(p.Ns_sim), "alpha_c": r.alpha_c_N, "alpha_c_err": r.alpha_c_N_err,
                                "extrapolated": pref["alpha_inf"], "extrapolated_err": pref["alpha_inf_err"],
                                "fit": f"alpha_c(N) = {pref['form']}, weighted least squares",
                                "extrapolated_1_over_N": inv["alpha_inf"]},
        "extrapolated_free_exponent": free["alpha_inf"],
        "systematic_err": r.fits["systematic_err"],
        "preferred_form": pref["form"],
        "alpha_c_fits": {
            "preferred": {k: pref[k] for k in ("alpha_inf", "alpha_inf_err", "slope", "slope_err", "exponent", "chi2",
                                               "correction", "correction_err", "correction_exponent", "dof",
                                               "form")},
            "leading_only": {k: lead[k] for k in ("alpha_inf", "alpha_inf_err", "slope", "slope_err", "exponent",
                                                  "chi2")},
            "two_thirds": {k: r.fits["two_thirds"][k] for k in ("alpha_inf", "alpha_inf_err", "slope", "slope_err",
                                                                "exponent", "chi2")},
            "one_over_N": {k: inv[k] for k in ("alpha_inf", "alpha_inf_err", "slope", "slope_err", "exponent", "chi2")},
            "free_exponent": {k: free[k] for k in ("alpha_inf", "alpha_inf_err", "exponent", "exponent_err", "nu_lo",
                                                   "nu_hi", "slope", "chi2", "dof", "determined", "at_bound")},
            "preferred_with_interpolation_err": {k: r.fits["preferred_with_interpolation_err"][k]
                                                 for k in ("alpha_inf", "alpha_inf_err", "slope", "chi2",
                                                           "correction", "dof")},
            "interpolation_err": r.alpha_c_N_interp_err,
            "systematic_err": r.fits["systematic_err"],
            "systematic": "largest distance from the preferred intercept of the intercepts of the forms the "
                          f"points do not reject (chi^2 p-value >= {P_ACCEPT}) among the leading term alone, "
                          "N^-2/3, 1/N and the free exponent (only when determined and inside its bounds); every "
                          "fit weighs a size by its bootstrap and interpolation errors in quadrature",
            "forms_in_systematic": r.fits["forms_used"],
            "free_exponent_contains_leading": _nu_inside(free, r.fit_exponent),
        },
        "remanent_overlap": {"N": r.remanent["N"], "m": r.remanent["m"], "m_err": r.remanent["m_err"],
                             "loads": r.remanent["alphas"], "runs": r.remanent["runs"],
                             "runs_at_sweep_cap": r.remanent["runs_at_cap"]},
        "run_capacities": {"N": list(p.Ns_sim), "quantiles_of_retrieving_runs": list(SPREAD_QUANTILES),
                           "quartiles": r.spread["quartiles"], "quartiles_err": r.spread["quartiles_err"],
                           "median": r.spread["median"], "median_err": r.spread["median_err"],
                           "spread": r.spread["width"], "spread_err": r.spread["width_err"],
                           "spread_exponent": r.spread["shrink_exponent"],
                           "spread_exponent_err": r.spread["shrink_exponent_err"],
                           "median_free_exponent": {k: r.spread["median_free"][k] for k in
                                                    ("alpha_inf", "alpha_inf_err", "exponent", "nu_lo", "nu_hi",
                                                     "determined", "at_bound")},
                           "load_spacing": r.spread["load_spacing"]},
        "dynamics_not_converged": n_not_conv,
        "capacity_points_skipped": n_skipped,
        "mixture_alpha_c_simulation": {"3": r.alpha_mix_sim, "N": p.N_mixture},
    }


def _claims(r: Result) -> dict:
    """Checks of the code and of the run (none is a finding: the comparisons with the papers are
    the verdicts of :func:`_verdicts`)."""
    tol_bis, tol_branch = 1e-7, 1e-6   # bisection bracket; solver tolerance amplified near the fold
    d_mix = {str(n): abs(r.mixture_alpha_bisection[n] - r.mixture_lines[n]["alpha_T0"]) for n in r.mixture_ns}
    d_ret = abs(r.alpha_c - r.alpha_c_bisection)
    worst = max([d_ret, *d_mix.values()])
    retrieval, _, _ = _branch_masks(r)
    diff = np.abs(r.branch_x[retrieval, 0] - r.m_closed[retrieval])
    agree = float(np.nanmax(diff)) if retrieval.any() else float("nan")
    ok = np.isfinite(r.alpha_c_N)
    lo, hi = (int(np.flatnonzero(ok)[0]), int(np.flatnonzero(ok)[-1])) if ok.any() else (0, len(r.Ns) - 1)
    drop = r.alpha_c_N[lo] - r.alpha_c_N[hi]
    drop_err = float(np.hypot(r.alpha_c_N_err[lo], r.alpha_c_N_err[hi]))
    rem = r.remanent
    return {
        "two_routes": claim(worst <= tol_bis, "The closed form and the generic bisection agree.",
                            otherwise="The closed form and the generic bisection differ.", finding=False,
                            difference_retrieval=d_ret, difference_mixtures=d_mix, tolerance=tol_bis),
        "continuation": claim(bool(agree <= tol_branch), "The continuation follows the closed form.",
                              otherwise="The continuation leaves the closed form.", finding=False,
                              max_difference=agree, tolerance=tol_branch, points_compared=int(retrieval.sum())),
        "above_theory": claim(bool(ok.any() and np.all(r.alpha_c_N[ok] > r.alpha_c)),
                              "Every simulated alpha_c(N) lies above the theory's alpha_c.",
                              otherwise="Not every simulated alpha_c(N) lies above the theory's alpha_c.",
                              finding=False, alpha_c_N=r.alpha_c_N, alpha_c_N_err=r.alpha_c_N_err,
                              alpha_c_theory=r.alpha_c),
        "decreases": claim(bool(hi > lo and drop > 2 * drop_err), "alpha_c(N) decreases with N.",
                           otherwise="alpha_c(N) does not decrease beyond two errors.", finding=False,
                           drop=drop, drop_err=drop_err),
        "remanent": claim(bool(rem["n_loads"] and rem["m"] > 3 * rem["m_err"] and rem["m"] < r.m_threshold),
                          "Above alpha_c(N) the runs keep a remanent overlap between 0 and the level.",
                          otherwise="The remanent overlap is not resolved from zero, or not below the level.",
                          finding=False, m=rem["m"], m_err=rem["m_err"], N=rem["N"], loads=rem["alphas"],
                          runs=rem["runs"], runs_at_sweep_cap=rem["runs_at_cap"]),
    }


# ------------------------------------------------------------------------------------------------
# verdicts
# ------------------------------------------------------------------------------------------------

Z = 2.0                 # errors allowed per verdict (four verdicts, each a single number)
AIM_ALPHA_C = 0.03      # headline: alpha_c(infinity) against the replica-symmetric alpha_c
AIM_M = 0.01            # overlap of the retrieval state next to alpha_c
AIM_MIXTURE = 0.35      # 3-mixture load: its finite-size shift is only borrowed from retrieval
AIM_SPREAD = 0.6        # exponent of the spread: a power law through a handful of sizes


def fss_leading_exponent() -> float:
    """The exponent of the spread of single runs' capacities, N^-1/2, derived on the page (a fold
    moved by quenched O(N^-1/2) fluctuations of each network's crosstalk)."""
    return 0.5


def _m_near_alpha_c(r: Result, alpha_c: float) -> dict:
    """Overlap of the runs that retrieve (overlap above the level) at the simulated load closest to
    alpha_c from below, at the largest size with at least five networks there: mean over networks
    (each averaged over its retrieving starts) with its standard error; the change from the next
    smaller size at the same load is the finite-size systematic error."""
    below = np.flatnonzero(r.alphas < alpha_c)
    nan = {"m": float("nan"), "m_err": float("nan"), "sys": float("nan"), "alpha": float("nan"), "N": 0}
    if not below.size:
        return nan
    j = int(below[-1])

    def per_net(k):
        x = r.m[k, j]                                             # (networks, starts)
        good = (x > r.m_threshold) & np.isfinite(x)
        return np.array([x[i][good[i]].mean() for i in range(x.shape[0]) if good[i].any()])

    vals = [per_net(k) for k in range(len(r.Ns))]
    ks = [k for k in range(len(r.Ns)) if vals[k].size >= 5]
    if not ks:
        return nan
    k = ks[-1]
    m, err = float(vals[k].mean()), float(vals[k].std(ddof=1) / np.sqrt(vals[k].size))
    prev = [q for q in ks if q < k]
    sys = abs(m - float(vals[prev[-1]].mean())) if prev else float("nan")
    return {"m": m, "m_err": err, "sys": sys, "alpha": float(r.alphas[j]), "N": int(r.Ns[k])}


def _mixture_corrected(r: Result) -> dict:
    """The simulated 3-mixture load with retrieval's finite-size shift at the same N taken out:
    alpha_mix(N) / (1 + s), s = alpha_c(N)/alpha_inf - 1 from the preferred fit of retrieval; half the
    correction and the interpolation error of the crossing are its systematic error."""
    from ..experiments.classical import crossing_interpolation_err

    pref = r.fits["preferred"]
    s = _pref_shift(pref, r.N_mixture) / pref["alpha_inf"] if np.isfinite(pref["alpha_inf"]) else float("nan")
    raw, raw_err = r.alpha_mix_sim, r.alpha_mix_sim_err
    val = raw / (1.0 + s)
    interp = crossing_interpolation_err(r.alphas_mixture, mixture_curves(r)["m_mean"], MIXTURE_LEVEL)
    sys = float(np.hypot(0.5 * abs(raw - val), np.nan_to_num(interp) / (1.0 + s)))
    return {"value": float(val), "stat": float(raw_err / (1.0 + s)), "sys": sys, "shift": float(s), "raw": raw}


def _verdicts(p, r: Result) -> list:
    from ..theory import classical as ags

    alpha_c, m_c, _ = ags.critical_load_T0(1)
    pref = r.fits["preferred"]
    # the finite-size error of m needs two sizes with five networks at the load; with one it is left out
    near = _m_near_alpha_c(r, alpha_c)
    m_ref = float(ags.retrieval_curve_T0_reduced([near["alpha"]])[0]) if np.isfinite(near["alpha"]) else m_c
    mix = _mixture_corrected(r)
    sp = r.spread
    return [
        verdict("alpha_c", paper="amit1985storing", item="α_c = 0.138 at T = 0 (replica symmetric)",
                book=(pref["alpha_inf"], pref["alpha_inf_err"]), sys_err=r.fits["systematic_err"],
                reference=alpha_c, aim=AIM_ALPHA_C, z=Z, figure="fig-replica-sim",
                published={"value": 0.138, "where": "Amit, Gutfreund & Sompolinsky 1987"},
                form=pref["form"], forms_in_systematic=r.fits["forms_in_systematic"]),
        verdict("m_alpha_c", paper="amit1985storing", item="m = 0.967 at α_c (T = 0, replica symmetric)",
                book=(near["m"], near["m_err"]), sys_err=np.nan_to_num(near["sys"]), reference=m_ref, aim=AIM_M, z=Z,
                figure="fig-replica-sim", published={"value": 0.967, "where": "Amit, Gutfreund & Sompolinsky 1987"},
                alpha=near["alpha"], N=near["N"]),
        verdict("alpha_c_mix3", paper="amit1985storing", item="symmetric 3-mixtures exist up to α = 0.03 at T = 0",
                book=(mix["value"], mix["stat"]), sys_err=mix["sys"], reference=ags.critical_load_T0(3)[0],
                aim=AIM_MIXTURE, z=Z, figure="fig-replica-mixture-sim", raw=mix["raw"], shift=mix["shift"],
                N=r.N_mixture),
        verdict("spread_exponent", paper="book", item="spread of single runs' capacities ∝ N^-1/2",
                book=(sp["shrink_exponent"], sp["shrink_exponent_err"]), reference=fss_leading_exponent(),
                aim=AIM_SPREAD, z=Z, figure="fig-replica-spread", points=sp["law"]["points"]),
    ]


def _md(x, fmt="{:.4f}", unit=""):
    """A glued number in math mode (Markdown), or words when there is none."""
    from IPython.display import Markdown

    x = float(x)
    return Markdown(f"${fmt.format(x)}{unit}$" if np.isfinite(x) else "not measured")


def _pm(x, err):
    from IPython.display import Markdown

    return Markdown(f"${format_pm(x, err)}$" if np.isfinite(float(x)) else "not measured")


def _glue(r: Result, p) -> dict:
    n_not_converged, _ = _solver_failures(r)
    n_not_conv, n_runs, n_skipped = _dynamics_counts(r)
    pref, free, sp = r.fits["preferred"], r.fits["free"], r.spread
    mix = r.mixture_lines
    cor = _mixture_corrected(r)
    ratio = sp["width"] / sp["load_spacing"]
    return {
        "alpha_c": _md(r.alpha_c), "alpha_c5": _md(r.alpha_c, "{:.5f}"),
        "alpha_c_bisection": _md(r.alpha_c_bisection, "{:.5f}"), "m_at_alpha_c": _md(r.m_c, "{:.3f}"),
        "wrong_bits_percent": _md(100 * (1 - r.m_c) / 2, "{:.1f}", r"\,\%"),
        "alpha_c_global": _md(r.phase["alpha_c_global"]),
        "mix3_alpha_c": _md(mix[3]["alpha_T0"] if 3 in mix else float("nan")),
        "mix3_T_c": _md(mix[3]["T_alpha0"] if 3 in mix else float("nan"), "{:.3f}"),
        "n_not_converged": _md(n_not_converged, "{:.0f}"),
        "m_threshold": _md(r.m_threshold, "{:.2f}"), "N_max": _md(max(p.Ns_sim), "{:.0f}"),
        "N_min": _md(min(p.Ns_sim), "{:.0f}"),
        "preferred_slope": _pm(pref["slope"], pref["slope_err"]),
        "preferred_correction": _pm(pref["correction"], pref["correction_err"]),
        "systematic_err": _md(r.fits["systematic_err"]),
        "alpha_c_1rsb": _md(ALPHA_C_1RSB),
        "dyn_not_converged": _md(n_not_conv, "{:.0f}"), "dyn_runs": _md(n_runs, "{:.0f}"),
        "points_skipped": _md(n_skipped, "{:.0f}"), "max_sweeps": _md(p.max_sweeps, "{:.0f}"),
        "remanent_m": _md(r.remanent["m"], "{:.2f}"),
        "spread_max_in_spacings": _md(np.nanmax(ratio) if np.isfinite(ratio).any() else np.nan, "{:.1f}"),
        "spread_min_in_spacings": _md(np.nanmin(ratio) if np.isfinite(ratio).any() else np.nan, "{:.1f}"),
        "median_free_alpha_inf": _pm(sp["median_free"]["alpha_inf"], sp["median_free"]["alpha_inf_err"]),
        "free_exponent": _md(free["exponent"], "{:.2f}"),
        "mix3_alpha_sim": _pm(r.alpha_mix_sim, r.alpha_mix_sim_err), "N_mixture": _md(p.N_mixture, "{:.0f}"),
        "mix_shift": _md(100 * cor["shift"], "{:.0f}", r"\,\%"),
    }


def fits_table(r: Result) -> str:
    """The extrapolations of alpha_c(N) as a Markdown table: form, intercept, chi^2 and whether the
    form enters the systematic error."""
    from ..book.verdicts import format_pm as pm

    n = int(np.isfinite(r.alpha_c_N).sum())
    nu, c = r.fit_exponent, r.fit_correction_exponent
    two = r.fits["preferred"]["two_terms"]
    rows = [("preferred", rf"$N^{{-{nu:g}}}+N^{{-{c:g}}}$ (preferred)" if two else rf"$N^{{-{nu:g}}}$ (preferred)",
             3 if two else 2)]
    if two:
        rows.append(("leading_only", rf"$N^{{-{nu:g}}}$ alone", 2))
    rows += [("two_thirds", r"$N^{-2/3}$", 2), ("one_over_N", r"$1/N$", 2), ("free", r"$N^{-\nu}$, $\nu$ free", 3)]
    out = ["| form | $\\alpha_c(\\infty)$ | $\\chi^2$ / degrees of freedom | in the systematic error |",
           "|---|---|---|---|"]
    for key, name, k in rows:
        f = r.fits[key]
        a, e = f.get("alpha_inf", np.nan), f.get("alpha_inf_err", np.nan)
        val = f"${pm(a, e)}$" if np.isfinite(a) else "not determined"
        chi2, dof = f.get("chi2", np.nan), n - k
        q = f"${chi2:.1f}/{dof}$" if dof > 0 and np.isfinite(chi2) else "none left"
        used = "the value quoted" if key == "preferred" else ("yes" if key in r.fits["forms_used"] else "no")
        out.append(f"| {name} | {val} | {q} | {used} |")
    return "\n".join(out)


def mixture_table(r: Result) -> str:
    """The T = 0 loads and alpha = 0 temperatures of the symmetric mixtures, as a Markdown table."""
    out = ["| mixture of | exists at $T=0$ up to $\\alpha$ | stable at $\\alpha=0$ below $T$ |", "|---|---|---|"]
    out += [f"| {n} patterns | ${r.mixture_lines[n]['alpha_T0']:.4f}$ | ${r.mixture_lines[n]['T_alpha0']:.3f}$ |"
            for n in r.mixture_ns]
    return "\n".join(out)


def _figure_data(r: Result) -> dict:
    pd, mix, ns = r.phase, r.mixture_lines, r.mixture_ns
    mc = mixture_curves(r)
    a_line = _sim_theory_alpha(r)
    a_mix = _mix_theory_alpha(r)
    from ..theory import classical as ags

    pref = r.fits["preferred"]
    return {
        "fig-replica-m-T0": dict(alpha=r.branch_alpha, m=r.branch_x[:, 0], C=r.branch_x[:, 1], r=r.branch_x[:, 2],
                                 converged=r.branch_converged, residual=r.branch_residual, m_closed_form=r.m_closed,
                                 alpha_c=r.alpha_c),
        "fig-replica-eigen": dict(T=r.Ts_eig, n=r.eig_orders, lambda_in=r.lambda_in),
        "fig-replica-phase": dict(T=r.Ts_phase, alpha_M=pd["alpha_M"], alpha_Tc=pd["alpha_Tc"],
                                  alpha_grid=pd["alpha_grid"],
                                  T_g=pd["T_g"], alpha_c=pd["alpha_c"], alpha_c_global=pd["alpha_c_global"],
                                  **{f"mixture{n}_T": mix[n]["T"] for n in ns},
                                  **{f"mixture{n}_alpha": mix[n]["alpha"] for n in ns},
                                  mixture_ns=np.array(ns), mixture_alpha_T0=[mix[n]["alpha_T0"] for n in ns],
                                  mixture_T_alpha0=[mix[n]["T_alpha0"] for n in ns]),
        "fig-replica-sim": dict(alpha=r.alphas, N=r.Ns, m=r.m, m_mean=r.m_mean, m_err=r.m_err, converged=r.converged,
                                simulated=r.simulated, n_samples=r.n_samples, alpha_c_N=r.alpha_c_N,
                                alpha_c_N_err=r.alpha_c_N_err, alpha_c_N_interp_err=r.alpha_c_N_interp_err,
                                fit_alpha_inf=pref["alpha_inf"], fit_slope=pref["slope"],
                                fit_exponent=r.fit_exponent, fit_correction=pref["correction"],
                                fit_correction_exponent=r.fit_correction_exponent,
                                fit_leading_alpha_inf=r.fits["leading_only"]["alpha_inf"],
                                fit_leading_slope=r.fits["leading_only"]["slope"],
                                fit_23_alpha_inf=r.fits["two_thirds"]["alpha_inf"],
                                fit_23_slope=r.fits["two_thirds"]["slope"], fit_1N_alpha_inf=r.fits["one_over_N"]["alpha_inf"],
                                fit_1N_slope=r.fits["one_over_N"]["slope"],
                                fit_free_alpha_inf=r.fits["free"]["alpha_inf"], fit_free_slope=r.fits["free"]["slope"],
                                fit_free_exponent=r.fits["free"]["exponent"], systematic_err=r.fits["systematic_err"],
                                theory_alpha=a_line, theory_m=ags.retrieval_curve_T0_reduced(a_line)),
        "fig-replica-spread": dict(alpha=r.alphas, N=r.Ns, fraction=r.spread["fraction"], n_runs=r.spread["n_runs"],
                                   quantile_levels=np.array(SPREAD_QUANTILES), quartiles=r.spread["quartiles"],
                                   quartiles_err=r.spread["quartiles_err"], spread=r.spread["width"],
                                   spread_err=r.spread["width_err"],
                                   spread_exponent=r.spread["shrink_exponent"],
                                   spread_prefactor=(r.spread["law"]["prefactor"] if r.spread["law"]["prefactor"]
                                                     is not None else np.nan),
                                   alpha_c_N=r.alpha_c_N, alpha_c_N_err=r.alpha_c_N_err, level=r.m_threshold),
        "fig-replica-mixture-sim": dict(alpha=r.alphas_mixture, m=r.m_mix, moved=r.moved, m_mean=mc["m_mean"],
                                        m_err=mc["m_err"], moved_mean=mc["moved_mean"], theory_alpha=a_mix,
                                        theory_m=ags.retrieval_curve_T0_reduced(a_mix, 3),
                                        alpha_c_theory=_a3(r), alpha_c_simulation=r.alpha_mix_sim),
    }


def _a3(r: Result) -> float:
    from ..theory import classical as ags

    return r.mixture_lines[3]["alpha_T0"] if 3 in r.mixture_lines else ags.critical_load_T0(3)[0]


def _sim_theory_alpha(r: Result):
    return np.linspace(r.alphas.min(), r.alphas.max(), 400)


def _mix_theory_alpha(r: Result):
    return np.linspace(1e-4, r.alphas_mixture.max(), 400)


# ------------------------------------------------------------------------------------------------
# figures
# ------------------------------------------------------------------------------------------------


def _axes(ax, **kw):
    if ax is None:
        fig, ax = style.figure(**kw)
        return fig, ax
    style.use()
    fig = ax[0].figure if isinstance(ax, (list, tuple, np.ndarray)) else ax.figure
    return fig, ax


def figure_m_T0(r: Result, ax=None):
    """The T = 0 retrieval branch: continuation, closed form, the m = 0 state after the jump."""
    fig, ax = _axes(ax, width=7.0, height=5.0)
    retrieval, collapsed, failed = _branch_masks(r)
    style.line(ax, r.branch_alpha[retrieval], r.branch_x[retrieval, 0], color="C0", lw=2.5,
               label="retrieval branch (continuation)")
    style.line(ax, r.alpha_T0, r.m_closed, color="k", ls=":", lw=1.2, label=r"closed form, $\sqrt{2\alpha}=\mathrm{erf}\,y/y-2e^{-y^2}/\sqrt{\pi}$")
    style.line(ax, r.branch_alpha[collapsed], r.branch_x[collapsed, 0], color="C1", label="after the jump: $m=0$")
    if failed.any():
        ax.plot(r.branch_alpha[failed], np.clip(r.branch_x[failed, 0], 0, 1), "rx",
                label="solver did not converge (not a solution)")
    ax.axvline(r.alpha_c, color="gray", ls="--", lw=1)
    ax.annotate(rf"$\alpha_c={r.alpha_c:.4f}$", (r.alpha_c, 0.45), xytext=(-80, 0), textcoords="offset points")
    ax.set(xlabel=r"$\alpha$", ylabel=r"$m$", ylim=(-0.03, 1.03), title="$T=0$, replica symmetric")
    style.legend_outside(ax, "below", ncols=1)
    return fig


def figure_eigen(r: Result, ax=None):
    """Inside eigenvalue of the symmetric n-mixtures at alpha = 0 against T."""
    fig, ax = _axes(ax, width=7.0, height=3.8)
    for n, vals in zip(r.eig_orders, r.lambda_in):
        style.line(ax, r.Ts_eig, vals, ls="-" if n % 2 else "--", label=f"$n={n}$")
    ax.axhline(0, color="k", lw=0.8)
    ax.set(xlabel="$T$", ylabel=r"$\lambda_{\rm in}$", title=r"inside eigenvalue at $\alpha=0$", ylim=(-1, 1.05))
    style.legend_outside(ax)
    return fig


def figure_phase(r: Result, ax=None):
    """The replica-symmetric (alpha, T) phase diagram with the mixture stability lines."""
    fig, ax = _axes(ax, width=7.0, height=6.2)
    pd, Ts = r.phase, r.Ts_phase
    style.line(ax, pd["alpha_grid"], pd["T_g"], color="k", label=r"$T_g=1+\sqrt{\alpha}$")
    okM, okC = np.isfinite(pd["alpha_M"]), np.isfinite(pd["alpha_Tc"])
    style.line(ax, np.r_[pd["alpha_c"], pd["alpha_M"][okM], 0.0], np.r_[0.0, Ts[okM], 1.0], color="C0", lw=2,
               label=r"$T_M$: retrieval states exist (local minima)")
    style.line(ax, np.r_[pd["alpha_c_global"], pd["alpha_Tc"][okC], 0.0], np.r_[0.0, Ts[okC], 1.0], color="C3", lw=2,
               label=r"$T_c$: retrieval states are global minima")
    if (~okM).any():
        ax.plot(Ts[~okM] * 0, Ts[~okM], "rx", label="line point not found")
    for k, n in enumerate(r.mixture_ns):
        line = r.mixture_lines[n]
        ok = line["found"]
        style.line(ax, np.r_[line["alpha_T0"], line["alpha"][ok], 0.0], np.r_[0.0, line["T"][ok], line["T_alpha0"]],
                   ls="--", color=f"C{k + 4}", label=f"{n}-mixtures stable below")
    ax.set(xlabel=r"$\alpha$", ylabel="$T$", xlim=(0, 0.16), ylim=(0, 1.45))
    ax.text(0.02, 0.2, "retrieval\n(global)", fontsize=9)
    ax.text(0.075, 0.1, "retrieval\n(metastable)", fontsize=9)
    ax.text(0.12, 0.6, "spin glass", fontsize=9)
    ax.text(0.02, 1.33, "paramagnet", fontsize=9)
    style.legend_outside(ax, "below", ncols=2)
    return fig


def _drawable(fit) -> bool:
    """A fit is drawn only when its intercept is finite and better determined than its size."""
    return bool(np.isfinite(fit["alpha_inf"]) and fit["alpha_inf_err"] < abs(fit["alpha_inf"]))


def figure_sim(r: Result, ax=None):
    """Left: overlap after convergence against the T = 0 theory (retrieval branch and the spin-glass
    m = 0 above alpha_c). Right: alpha_c(N) against N^-fit_exponent with the extrapolations (the
    preferred leading-plus-correction form, the leading term alone, N^-2/3, 1/N, a free exponent)."""
    from ..theory import classical as ags

    fig, (ax, bx) = _axes(ax, nrows=2, width=7.0, height=10.5)
    a_line = _sim_theory_alpha(r)
    style.line(ax, a_line, ags.retrieval_curve_T0_reduced(a_line), color="k", lw=2, label="replica-symmetric theory, retrieval, $T=0$")
    a_sg = a_line[a_line > r.alpha_c]
    style.line(ax, a_sg, [ags.spin_glass_point_T0(a).x[0] for a in a_sg], color="k", ls="-.", lw=1,
               label="replica-symmetric theory, spin glass ($m=0$)")
    ax.plot([r.alpha_c, r.alpha_c], [0, r.m_c], "k:", lw=1)
    for k, N in enumerate(r.Ns):
        s = r.simulated[k]
        style.points(ax, r.alphas[s], r.m_mean[k][s], r.m_err[k][s], color=f"C{k}", label=f"$N={N}$")
    ax.axhline(r.m_threshold, color="gray", lw=0.8, ls="--")
    ax.set(xlabel=r"$\alpha$", ylabel=r"$m$ after convergence", ylim=(-0.02, 1.02))
    style.legend_outside(ax)

    nu = r.fit_exponent
    x = r.Ns.astype(float) ** (-nu)
    err = np.hypot(r.alpha_c_N_err, np.nan_to_num(r.alpha_c_N_interp_err))
    style.points(bx, x, r.alpha_c_N, err, color="k", line=False, label=r"simulation, $\alpha_c(N)$",
                 zorder=3)
    N_line = np.geomspace(r.Ns.min() / 1.2, 1e12, 300)
    xx = N_line ** (-nu)
    pref = r.fits["preferred"]
    c = r.fit_correction_exponent
    forms = [("preferred", rf"$N^{{-{nu:g}}}+N^{{-{c:g}}}$ (preferred)" if pref["two_terms"]
              else rf"$N^{{-{nu:g}}}$ (preferred)", "C0", "o", None)]
    if pref["two_terms"]:
        forms.append(("leading_only", rf"$N^{{-{nu:g}}}$ alone", "C4", "v", None))
    forms += [("two_thirds", r"$N^{-2/3}$", "C3", "D", None),
              ("one_over_N", r"$1/N$", "C1", "s", 1.0),
              ("free", r"free $\nu$", "C2", "^", None)]
    offsets = np.arange(len(forms)) - (len(forms) - 1) / 2
    for dx, (key, name, color, marker, exponent) in zip(offsets, forms):
        fit = r.fits[key]
        if not _drawable(fit) or (key == "free" and fit["points"] < 5):
            continue
        e = fit["exponent"] if exponent is None else exponent
        curve = fit["alpha_inf"] + fit["slope"] * N_line ** (-e)
        if key == "preferred":
            curve = curve + fit["correction"] * N_line ** (-fit["correction_exponent"])
        style.line(bx, xx, curve, color=color, lw=2.2 if key == "preferred" else 1.2,
                   label=rf"{name}: $\alpha_c(\infty)={fit['alpha_inf']:.4f}\pm{fit['alpha_inf_err']:.4f}$"
                         + (rf", $\nu={e:.2f}$" if key == "free" else ""))
        style.points(bx, [dx * 0.004 * x.max()], [fit["alpha_inf"]], [fit["alpha_inf_err"]], color=color,
                     marker=marker, line=False)
    bx.axhline(r.alpha_c, color="k", ls="--", lw=1, label=rf"replica symmetric, {r.alpha_c:.4f}")
    bx.axhline(ALPHA_C_1RSB, color="gray", ls=":", lw=1, label=rf"one-step replica-symmetry breaking, {ALPHA_C_1RSB:.4f}")
    bx.set(xlabel=rf"$N^{{-{nu:g}}}$", ylabel=r"$\alpha_c(N)$", xlim=(-0.01 * x.max(), 1.05 * x.max()))
    style.legend_outside(bx, "below", ncols=1)
    return fig


def figure_spread(r: Result, ax=None):
    """Left: fraction of runs that retrieve (overlap above the level) against alpha, per N, with
    Wilson intervals. Right: the spread (interquartile range) of the single runs' capacities against
    N, with the power-law fit when five sizes or more have one."""
    from ..analysis import wilson_interval

    fig, (ax, bx) = _axes(ax, nrows=2, width=7.0, height=9.5)
    sp = r.spread
    for k, N in enumerate(r.Ns):
        s = r.simulated[k] & (sp["n_runs"][k] > 0)
        n = sp["n_runs"][k][s]
        lo, hi = wilson_interval(np.round(sp["fraction"][k][s] * n), n)
        style.points(ax, r.alphas[s], sp["fraction"][k][s], None, yerr_asym=(lo, hi), color=f"C{k}", label=f"$N={N}$")
    for level in SPREAD_QUANTILES:
        ax.axhline(level, color="gray", lw=0.8, ls=":" if level != 0.5 else "--")
    ax.axvline(r.alpha_c, color="k", ls="--", lw=1)
    ax.set(xlabel=r"$\alpha$", ylabel="fraction of runs that retrieve", ylim=(-0.02, 1.02))
    style.legend_outside(ax)

    ok = np.isfinite(sp["width"]) & (sp["width"] > 0)
    style.points(bx, r.Ns[ok], sp["width"][ok], sp["width_err"][ok], color="k", line=False,
                 label="interquartile range of the runs' capacities")
    law = sp["law"]
    NN = np.geomspace(r.Ns[ok].min(), r.Ns[ok].max(), 50) if ok.any() else r.Ns.astype(float)
    if law["exponent"] is not None and law["stderr"] is not None and law["stderr"] < abs(law["exponent"]):
        style.line(bx, NN, law["prefactor"] * NN ** law["exponent"], color="C0",
                   label=rf"fit $N^{{-x}}$, $x={-law['exponent']:.2f}\pm{law['stderr']:.2f}$")
    if ok.any():
        k0 = int(np.flatnonzero(ok)[0])
        style.line(bx, NN, sp["width"][k0] * (NN / r.Ns[k0]) ** -r.fit_exponent, color="gray", ls="--",
                   label=rf"$\propto N^{{-{r.fit_exponent:g}}}$ (through the first point)")
    bx.axhline(sp["load_spacing"], color="gray", ls=":", lw=1, label="load spacing of the scan")
    bx.set(xscale="log", xlim=(r.Ns.min() / 1.5, r.Ns.max() * 1.5), xlabel="$N$", ylabel="spread of the capacities")
    style.log_ticks(bx, "x")
    if ok.any():
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

        bx.set(yscale="log")
        lo, hi = bx.get_ylim()
        ticks = [t * 10.0**e for e in range(-5, 1) for t in (1, 2, 3, 5) if lo <= t * 10.0**e <= hi]
        bx.yaxis.set_major_locator(FixedLocator(ticks))     # 1, 2, 3, 5 per decade: a narrow range keeps its ticks
        bx.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        bx.yaxis.set_minor_formatter(NullFormatter())
    else:
        bx.text(0.5, 0.5, "no size with a measured spread", transform=bx.transAxes, ha="center")
    style.legend_outside(bx, "below", ncols=1)
    return fig


def figure_mixture_sim(r: Result, ax=None):
    """Dynamics from the symmetric 3-mixture: overlap and fraction of spins moved against the theory."""
    from ..theory import classical as ags

    fig, ax = _axes(ax, width=7.0, height=5.0)
    mc = mixture_curves(r)
    al = _mix_theory_alpha(r)
    style.line(ax, al, ags.retrieval_curve_T0_reduced(al, 3), color="k", lw=2,
               label="replica-symmetric theory: symmetric 3-mixture, $T=0$")
    ax.axvline(_a3(r), color="k", ls=":", lw=1)
    style.points(ax, r.alphas_mixture, mc["m_mean"], mc["m_err"], color="C0",
                 label=f"simulation, mean overlap with the 3 patterns ($N={r.N_mixture}$)")
    style.points(ax, r.alphas_mixture, mc["moved_mean"], mc["moved_err"], color="C1", marker="s",
                 label="fraction of spins that moved")
    ax.set(xlabel=r"$\alpha$", ylabel=r"$m_3$ / fraction moved", ylim=(-0.02, 0.62))
    style.legend_outside(ax, "below", ncols=1)
    return fig
