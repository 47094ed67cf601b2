"""Chapter: the classical Hopfield model and its signal-to-noise capacity.

The run (:func:`compute`): energy descent of the asynchronous dynamics on a small demo network, a
corrupted picture restored, the one-step per-bit error rate against the crosstalk law, the P at
which one pattern / all patterns stop being fixed points (against the finite-N Gaussian
predictions and the leading orders N/(2 ln N), N/(4 ln N)), and the overlap after convergence
against the one-step overlap. Figures ``figure_*`` draw only from the :class:`Result`; the
comparisons with the papers are the verdicts of :func:`_verdicts`, the checks of the code the claims
of :func:`_claims`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm, poisson

from .. import validation
from ..analysis import bootstrap, first_crossing, mean_sem, wilson_interval
from ..book import spec
from ..book.report import ChapterResult, claim
from ..book.spec import Chapter, Param
from ..book.verdicts import format_pm, verdict
from ..dynamics.asynchronous import async_energy_trajectory, async_fixed_point, energy, magnetization
from ..ensembles.binary import binary_patterns, flip_fraction
from ..experiments import sweep_grid
from ..experiments.runner import derive_seed
from ..experiments.snr import one_step_errors, retrieval_overlap
from ..theory import snr


def _memory(p):
    # the largest network: N x P int8 patterns plus the P x P int32 overlap matrix
    worst = 0.0
    for N in p["Ns_capacity"]:
        P = 2.0 * N / (2.0 * np.log(N))
        worst = max(worst, N * P + 4.0 * P * P)
    for name, N, alphas in (("N_snr", p["N_snr"], p["alphas_snr"]), ("N_overlap", p["N_overlap"], p["alphas_overlap"])):
        P = max(alphas) * N
        need = N * P + 4.0 * P * P + 8.0 * N * p["n_starts"]
        validation.memory_bytes(name, N, max(need, worst), validation.memory_limit_bytes())
        if N * P >= 2**31 - 1:
            validation.fail(name, N, f"at most {int((2**31 - 1) / max(alphas))} for alphas up to {max(alphas)} (N*P < 2^31)")


SPEC = Chapter(
    name="classical_snr",
    notebook="book/classical_snr.ipynb",
    title="The classical Hopfield model and its signal-to-noise capacity",
    seed=2024,
    minutes=(0.2, 2.2),
    cached="every (grid point, sample) result under _build/cache/hopcore.experiments.snr/",
    params={
        "picture_side": Param(32, validation.integer(4, 256), doc="the demo network has picture_side**2 spins"),
        "alpha_demo": Param(0.05, validation.real(0.0, 1.0, lo_open=True), doc="load of the demo network"),
        "flip_demo": Param(0.3, validation.real(0.0, 0.5), doc="fraction of bits flipped in the corrupted start"),
        "n_trajectories": Param(6, validation.integer(1, 100), doc="energy trajectories drawn"),
        "N_snr": Param(1000, validation.integer(16, 200_000), paper=4000, doc="N for one-step error rates"),
        "alphas_snr": Param(
            [0.05, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.0],
            validation.list_of(validation.real(0.0, 5.0, lo_open=True), increasing=True),
            paper=[round(a, 3) for a in np.geomspace(0.04, 1.5, 20)],
            doc="loads P/N of the one-step error scan",
        ),
        "n_samples_snr": Param(5, validation.integer(5, 10_000), paper=6, doc="networks per load of the one-step error scan"),
        "n_probe_snr": Param(256, validation.integer(1, 10**7), paper=512,
                             doc="patterns probed per network for the error rate (all P when P is smaller)"),
        "Ns_capacity": Param(
            [100, 200, 400, 800],
            validation.list_of(validation.integer(32, 100_000), increasing=True),
            paper=[125, 250, 500, 1000, 2000, 4000],
            doc="sizes N of the error-free capacity scan",
        ),
        "n_P": Param(9, validation.integer(3, 200), paper=12, doc="P values per N in the capacity scan"),
        "n_networks": Param(30, validation.integer(5, 100_000), paper=40, doc="networks per (N, P) in the capacity scan"),
        "N_overlap": Param(1000, validation.integer(16, 200_000), paper=16000, doc="N for the overlap after convergence"),
        "alphas_overlap": Param(
            [round(a, 3) for a in np.linspace(0.04, 0.26, 12)],
            validation.list_of(validation.real(0.0, 2.0, lo_open=True), increasing=True),
            paper=[round(a, 3) for a in np.linspace(0.02, 0.3, 15)],
            doc="loads of the overlap scan",
        ),
        "n_samples_overlap": Param(5, validation.integer(5, 10_000), paper=5, doc="networks per load of the overlap scan"),
        "n_starts": Param(4, validation.integer(1, 1000), doc="patterns used as starts in each network"),
        "max_sweeps": Param(200, validation.integer(1, 100_000), doc="sweep limit of the asynchronous dynamics"),
    },
    checks=(_memory,),
    headline=("N_snr", "n_samples_snr", "Ns_capacity", "n_networks", "N_overlap", "n_samples_overlap"),
    extra={
        "test": {
            "picture_side": 16,
            "N_snr": 200,
            "alphas_snr": [0.1, 0.3],
            "n_samples_snr": 5,
            "Ns_capacity": [64, 128],
            "n_P": 3,
            "n_networks": 10,
            "N_overlap": 200,
            "alphas_overlap": [0.05, 0.2],
            "n_samples_overlap": 5,
            "n_starts": 2,
        }
    },
)


def prepare(namespace):
    return spec.prepare(SPEC.name, namespace)


FAMILY_RISK = 0.01  # two-sided probability that an agreement claim fails by chance, over all its points
N_BOOT = 400  # bootstrap replicas (over networks) of the half-probability points


def z_tolerance(n_points: int, risk: float = FAMILY_RISK) -> float:
    """Standard errors allowed per point so that ``n_points`` independent Gaussian deviations all
    stay inside with probability 1 - ``risk`` (Bonferroni): 2.58 for one point, 3.3 for twelve."""
    return float(norm.isf(risk / (2 * max(1, int(n_points)))))


def wrong_bits_bound(N: int, alpha: float, q: float = 0.999) -> int:
    """The ``q`` quantile of the number of wrong bits near a stored pattern at low load: Poisson
    with mean N P_err(alpha), the expected number of bits the crosstalk flips in one step."""
    return int(poisson.ppf(q, N * float(snr.per_bit_error(alpha))))


# ---------------------------------------------------------------------------------------------
# the result: labelled arrays of each part of the run


@dataclass
class Demo:
    """Energy trajectories of the demo network (``N`` spins, ``P`` patterns): ``energies[k]`` is
    E/N after each flip of trajectory k, ``labels[k]`` its start, ``corrupted[k]`` whether it started
    from a corrupted pattern (else from a configuration at overlap 0), ``m_end[k]`` the overlap of
    the end state with that pattern, ``pattern_energy[k]`` E(xi)/N of the pattern itself."""

    N: int
    P: int
    energies: tuple
    labels: tuple
    corrupted: np.ndarray
    m_end: np.ndarray
    pattern_energy: np.ndarray

    @property
    def e_end(self) -> np.ndarray:
        return np.array([e[-1] for e in self.energies])

    @property
    def monotone(self) -> bool:
        return bool(all(np.all(np.diff(e) < 0) for e in self.energies))


@dataclass
class Picture:
    """A pattern drawn on a ``side`` x ``side`` square, the corrupted start and the fixed point."""

    side: int
    pattern: np.ndarray
    start: np.ndarray
    fixed_point: np.ndarray
    m_start: float
    m_fixed_point: float
    sweeps: int
    converged: bool


@dataclass
class PerBitError:
    """One-step error rates at ``N``: per load (``alpha`` = P/N, ``P``) and network (``rates``:
    loads x networks), ``bits`` probed per network, their ``mean``/``sem`` over networks, the law
    (snr-perr) ``theory`` and its finite-N version ``theory_finite``; smooth lines on ``alpha_line``."""

    N: int
    P: np.ndarray
    alpha: np.ndarray
    rates: np.ndarray
    bits: np.ndarray
    mean: np.ndarray
    sem: np.ndarray
    theory: np.ndarray
    theory_finite: np.ndarray
    alpha_line: np.ndarray
    theory_line: np.ndarray
    finite_line: np.ndarray

    @property
    def sigma(self) -> np.ndarray:
        """Error of each mean used in the agreement test: the standard error over networks, and at
        least the binomial error of the predicted rate over the probed bits (a rate measured as 0,
        or from few networks, has no reliable scatter of its own)."""
        return np.fmax(np.nan_to_num(self.sem, nan=0.0), self.binomial)

    @property
    def binomial(self) -> np.ndarray:
        """Binomial error of the predicted rate over all the probed bits of a load."""
        n_bits = self.bits * self.rates.shape[1]
        return np.sqrt(self.theory_finite * (1 - self.theory_finite) / n_bits)

    def z_tolerance(self, risk: float = FAMILY_RISK) -> np.ndarray:
        """Allowed |z| per load, all loads together exceeded by chance with probability ``risk``:
        the Student-t quantile with n - 1 degrees of freedom where the standard error over the n
        networks sets the error (it is itself estimated from n values), the Gaussian one where the
        binomial floor does."""
        from scipy.stats import t

        n, k = self.rates.shape[1], len(self.alpha)
        gauss = z_tolerance(k, risk)
        if n < 2:
            return np.full(k, gauss)
        student = float(t.isf(risk / (2 * k), n - 1))
        return np.where(np.nan_to_num(self.sem, nan=0.0) >= self.binomial, student, gauss)

    @property
    def z(self) -> np.ndarray:
        return (self.mean - self.theory_finite) / self.sigma


@dataclass
class CapacityScan:
    """One N of the capacity scan: per P (``P``) and network, the fraction of patterns that are
    fixed points (``frac_stable``: networks x P) and whether all are (``all_stable``)."""

    N: int
    P: np.ndarray
    frac_stable: np.ndarray
    all_stable: np.ndarray
    p_one: np.ndarray  # fraction of all (network, pattern) pairs that are stable
    p_all: np.ndarray

    @property
    def n_networks(self) -> int:
        return int(self.all_stable.shape[0])


@dataclass
class Capacity:
    """Half-probability points against N: simulated (``*_sim``, bootstrap errors ``*_se``), finite-N
    Gaussian (``*_theory``) and their ratios one/all; smooth theory lines on ``N_line``."""

    N: np.ndarray
    scans: dict
    P_half_one_sim: np.ndarray
    P_half_all_sim: np.ndarray
    P_half_one_se: np.ndarray
    P_half_all_se: np.ndarray
    P_half_one_theory: np.ndarray
    P_half_all_theory: np.ndarray
    ratio: np.ndarray
    ratio_se: np.ndarray
    ratio_theory: np.ndarray
    N_line: np.ndarray
    one_line: np.ndarray
    all_line: np.ndarray
    N_far: np.ndarray  # sizes far beyond the simulations, for the slow approach of the ratio to 2
    ratio_far: np.ndarray


@dataclass
class Overlap:
    """Overlap after convergence at ``N``: per load (``alpha``, ``P``) x network x start, ``m`` and
    ``converged``; ``m_mean``/``m_sem`` over all (network, start) runs of a load."""

    N: int
    P: np.ndarray
    alpha: np.ndarray
    m: np.ndarray
    converged: np.ndarray
    m_mean: np.ndarray
    m_sem: np.ndarray
    alpha_breakdown: float
    alpha_line: np.ndarray
    one_step_line: np.ndarray


@dataclass
class Result(ChapterResult):
    demo: Demo = None
    picture: Picture = None
    perr: PerBitError = None
    capacity: Capacity = None
    overlap: Overlap = None


# ---------------------------------------------------------------------------------------------
# the computation


def compute(p) -> Result:
    timings = {}
    t = time.perf_counter()
    demo, picture = _demo(p)
    timings["demo_s"] = time.perf_counter() - t
    t = time.perf_counter()
    perr = _per_bit_error(p)
    timings["per_bit_error_s"] = time.perf_counter() - t
    t = time.perf_counter()
    capacity = _capacity(p)
    timings["capacity_s"] = time.perf_counter() - t
    t = time.perf_counter()
    overlap = _overlap(p)
    timings["overlap_s"] = time.perf_counter() - t
    r = Result(demo=demo, picture=picture, perr=perr, capacity=capacity, overlap=overlap, timings=timings)
    r.summary = _summary(r)
    r.claims = _claims(r, p)
    r.verdicts = _verdicts(p, r)
    r.glue = _glue(r, p)
    r.figure_data = _figure_data(r)
    return r


def _demo(p):
    N = p.picture_side**2
    P = max(1, int(round(p.alpha_demo * N)))
    X = binary_patterns(N, P, derive_seed(p.seed, "demo"))
    energies, labels, corrupted, m_end, e_pattern = [], [], [], [], []
    for k in range(p.n_trajectories):
        # half of the runs start from a corrupted pattern, half from a configuration at overlap 0
        flip = p.flip_demo if k % 2 == 0 else 0.5
        xi = X[:, k % P]
        s0 = flip_fraction(xi, flip, derive_seed(p.seed, "demo-start", k))
        e, s, _, _ = async_energy_trajectory(X, s0, derive_seed(p.seed, "demo-order", k), p.max_sweeps, max_flips=4 * N)
        energies.append(e)
        corrupted.append(k % 2 == 0)
        labels.append(f"$\\xi^{{{k % P + 1}}}$, {flip:.0%} of bits flipped" if k % 2 == 0
                      else f"random start {k // 2 + 1}")
        m_end.append(magnetization(s, xi))
        e_pattern.append(energy(X, xi) / N)
    demo = Demo(N=N, P=P, energies=tuple(energies), labels=tuple(labels), corrupted=np.array(corrupted),
                m_end=np.array(m_end), pattern_energy=np.array(e_pattern))
    xi = X[:, 0]
    s0 = flip_fraction(xi, p.flip_demo, derive_seed(p.seed, "picture"))
    s_star, sweeps, conv = async_fixed_point(X, s0, derive_seed(p.seed, "picture-order"), p.max_sweeps)
    picture = Picture(side=p.picture_side, pattern=xi, start=s0, fixed_point=s_star, m_start=magnetization(s0, xi),
                      m_fixed_point=magnetization(s_star, xi), sweeps=sweeps, converged=conv)
    return demo, picture


def _per_bit_error(p) -> PerBitError:
    N = p.N_snr
    Ps = [max(2, int(round(a * N))) for a in p.alphas_snr]
    grid = sweep_grid(one_step_errors, {"P": Ps}, p.n_samples_snr, p.seed, fixed={"N": N, "n_probe": p.n_probe_snr},
                      desc="one-step errors")
    rates = grid["error_rate"]  # (loads, networks)
    alpha = np.array(Ps, dtype=float) / N
    mean, err = mean_sem(rates, axis=1)
    line = np.geomspace(alpha.min() * 0.8, alpha.max() * 1.2, 200)
    return PerBitError(N=N, P=np.array(Ps), alpha=alpha, rates=rates,
                       bits=np.array([N * min(P, p.n_probe_snr) for P in Ps], dtype=float), mean=mean, sem=err,
                       theory=snr.per_bit_error(alpha), theory_finite=snr.per_bit_error_finite(N, alpha * N),
                       alpha_line=line, theory_line=snr.per_bit_error(line),
                       finite_line=snr.per_bit_error_finite(N, line * N))


def _half_point(Ps, curve):
    return first_crossing(Ps, curve, 0.5, "down")  # the P where the probability falls below 1/2


def _capacity(p) -> Capacity:
    scans = {}
    for N in p.Ns_capacity:
        lo, hi = 0.5 * snr.p_half(N, "all"), 1.6 * snr.p_half(N, "one")
        Ps = np.unique(np.round(np.geomspace(max(lo, 2), hi, p.n_P)).astype(int))
        grid = sweep_grid(one_step_errors, {"P": [int(P) for P in Ps]}, p.n_networks, p.seed, fixed={"N": N},
                          desc=f"capacity N={N}")
        unstable = [np.stack([r["unstable"] for r in grid.point(P=int(P))]) for P in Ps]  # (networks, P) per P
        scans[N] = CapacityScan(
            N=N, P=Ps,
            frac_stable=np.stack([np.mean(u == 0, axis=1) for u in unstable], axis=1),
            all_stable=np.stack([np.all(u == 0, axis=1) for u in unstable], axis=1),
            p_one=np.array([np.mean(u == 0) for u in unstable]),
            p_all=np.array([np.mean(np.all(u == 0, axis=1)) for u in unstable]))
    Ns = np.array(p.Ns_capacity, dtype=float)
    one, all_, one_se, all_se, ratio_se = [], [], [], [], []
    for N, sc in scans.items():
        one.append(_half_point(sc.P, sc.p_one))
        all_.append(_half_point(sc.P, sc.p_all))
        data = np.stack([sc.frac_stable, sc.all_stable.astype(float)], axis=2)  # (networks, P, 2)
        seed = derive_seed(p.seed, "bootstrap-capacity", int(N)) % 2**32

        def stat(d, which, P=sc.P):
            c = [_half_point(P, d[:, :, j].mean(axis=0)) for j in (0, 1)]
            return {"one": c[0], "all": c[1], "ratio": c[0] / c[1]}[which]

        one_se.append(bootstrap(lambda d: stat(d, "one"), data, N_BOOT, seed)[1])
        all_se.append(bootstrap(lambda d: stat(d, "all"), data, N_BOOT, seed)[1])
        ratio_se.append(bootstrap(lambda d: stat(d, "ratio"), data, N_BOOT, seed)[1])
    th_one = np.array([snr.p_half(int(N), "one") for N in Ns])
    th_all = np.array([snr.p_half(int(N), "all") for N in Ns])
    N_line = np.geomspace(Ns.min() * 0.8, Ns.max() * 1.25, 100)
    N_far = np.array([1e3, 1e4, 1e6, 1e10])
    return Capacity(
        N=Ns, scans=scans, P_half_one_sim=np.array(one), P_half_all_sim=np.array(all_),
        P_half_one_se=np.array(one_se), P_half_all_se=np.array(all_se),
        P_half_one_theory=th_one, P_half_all_theory=th_all,
        ratio=np.array(one) / np.array(all_), ratio_se=np.array(ratio_se), ratio_theory=th_one / th_all,
        N_line=N_line, one_line=np.array([snr.p_half(n, "one") for n in N_line]),
        all_line=np.array([snr.p_half(n, "all") for n in N_line]),
        N_far=N_far, ratio_far=np.array([snr.p_half(n, "one") / snr.p_half(n, "all") for n in N_far]))


def _overlap(p) -> Overlap:
    N = p.N_overlap
    Ps = [max(1, int(round(a * N))) for a in p.alphas_overlap]
    grid = sweep_grid(retrieval_overlap, {"P": Ps}, p.n_samples_overlap, p.seed,
                      fixed={"N": N, "n_starts": p.n_starts, "max_sweeps": p.max_sweeps},
                      desc="overlap after convergence")
    m = grid["m"]  # (loads, networks, starts)
    conv = grid["converged"].astype(bool)
    alpha = np.array(Ps, dtype=float) / N
    m_mean, m_sem = mean_sem(m.reshape(len(Ps), -1), axis=1)  # over every (network, start) run of a load
    line = np.linspace(max(alpha.min() * 0.5, 1e-3), alpha.max() * 1.05, 200)
    return Overlap(N=N, P=np.array(Ps), alpha=alpha, m=m, converged=conv, m_mean=m_mean, m_sem=m_sem,
                   alpha_breakdown=first_crossing(alpha, m_mean, 0.5, "down"), alpha_line=line,
                   one_step_line=1 - 2 * snr.per_bit_error(line))


# ---------------------------------------------------------------------------------------------
# summary.json, claims, glue and figure data


def _summary(r: Result) -> dict:
    e, c, o = r.perr, r.capacity, r.overlap
    return {
        "energy_monotone": r.demo.monotone,
        "picture": {"m_start": r.picture.m_start, "m_fixed_point": r.picture.m_fixed_point,
                    "sweeps": r.picture.sweeps, "converged": r.picture.converged},
        "per_bit_error": {"alpha": e.alpha, "measured": e.mean, "stderr": e.sem, "theory": e.theory,
                          "max_abs_dev": float(np.max(np.abs(e.mean - e.theory)))},
        "capacity": {"N": c.N, "P_half_one_sim": c.P_half_one_sim, "P_half_all_sim": c.P_half_all_sim,
                     "P_half_one_theory": c.P_half_one_theory, "P_half_all_theory": c.P_half_all_theory},
        "capacity_stderr": {"P_half_one_sim": c.P_half_one_se, "P_half_all_sim": c.P_half_all_se},
        "capacity_ratio": {"N": c.N, "ratio": c.ratio, "stderr": c.ratio_se, "theory": c.ratio_theory,
                           "asymptotic": 2.0},
        "overlap": {"alpha": o.alpha, "m_mean": o.m_mean, "m_stderr": o.m_sem,
                    "n_not_converged": int((~o.converged).sum())},
        "alpha_breakdown": o.alpha_breakdown,
    }


def _claims(r: Result, p) -> dict:
    """Checks of the code (none is a finding: the comparisons with the papers are the verdicts)."""
    d, pic, c, o = r.demo, r.picture, r.capacity, r.overlap
    steps = [np.diff(x) for x in d.energies]
    largest = max((float(s.max()) for s in steps if s.size), default=float("nan"))
    bound = wrong_bits_bound(d.N, d.P / d.N)
    wrong = int(round((1 - pic.m_fixed_point) * pic.pattern.size / 2))
    zr = z_tolerance(len(c.N))
    return {
        # true by construction (each flip lowers E by 2|h| with h != 0): a check of the bookkeeping
        "energy_monotone": claim(d.monotone, "Every trajectory goes down at every flip.",
                                 otherwise="Some trajectory goes up at a flip.", finding=False,
                                 trajectories=len(d.energies), largest_energy_change=largest),
        "picture_restored": claim(pic.converged and wrong <= bound, "The dynamics restores the pictured pattern.",
                                  otherwise="The fixed point keeps more wrong bits than the crosstalk leaves.",
                                  finding=False, wrong_bits=wrong, wrong_bits_allowed=bound, m=pic.m_fixed_point),
        "ratio_below_two": claim(bool(np.all(c.ratio + zr * c.ratio_se < 2.0)),
                                 "The ratio of the two simulated capacities is below 2 at every N.",
                                 otherwise="The ratio of the two simulated capacities is not below 2 at every N.",
                                 finding=False, ratio=c.ratio, stderr=c.ratio_se, z_tolerance=zr),
        "overlap_breakdown": claim(bool(np.isfinite(o.alpha_breakdown)),
                                   "The mean overlap after convergence falls below 1/2 inside the loads.",
                                   otherwise="The mean overlap after convergence stays above 1/2 at every load.",
                                   finding=False, alpha_breakdown=o.alpha_breakdown),
    }


# ---------------------------------------------------------------------------------------------
# verdicts: the signal-to-noise law and the two capacity laws against the simulations

Z = 2.0             # errors allowed per verdict (three verdicts, each a single number)
AIM_NOISE = 0.02    # aimed resolution of the crosstalk variance at paper scale
# aimed resolutions of the coefficients 2 and 4 of ln N at paper scale (the all-pattern half points rest
# on one yes-or-no outcome per network, hence the larger errors)
AIM_LAW = {"one": 0.06, "all": 0.15}
# 1/alpha - k ln(alpha) = c ln N + const at the half points (snr-half-points): k and the law's c
LAW_FORMS = {"one": (1.0, 2.0), "all": (3.0, 4.0)}


def noise_scale_fit(e: PerBitError) -> dict:
    """The crosstalk variance measured in units of the predicted (P-1)(N-1)/N^2: the kappa for which
    the law (snr-perr) at finite N with the variance times kappa, snr.per_bit_error_finite(N,
    1 + kappa (P-1)), fits the measured rates best (weighted least squares over the loads, errors
    ``e.sigma``); its error from the curvature of chi^2, times sqrt(chi^2/dof) when that exceeds 1."""
    from scipy.optimize import minimize_scalar

    def chi2(kappa):
        return float(np.sum(((e.mean - snr.per_bit_error_finite(e.N, 1.0 + kappa * (e.P - 1.0))) / e.sigma) ** 2))

    best = minimize_scalar(chi2, bounds=(0.2, 5.0), method="bounded", options={"xatol": 1e-9})
    k, h = float(best.x), 1e-4 * float(best.x)
    curv = (chi2(k + h) - 2 * chi2(k) + chi2(k - h)) / h**2
    dof = max(len(e.alpha) - 1, 1)
    err = float(np.sqrt(2.0 / curv)) if curv > 0 else float("nan")
    return {"kappa": k, "kappa_err": err * max(1.0, float(np.sqrt(best.fun / dof))), "chi2": float(best.fun),
            "dof": dof}


def _law_y(N, P_half, requirement):
    k = LAW_FORMS[requirement][0]
    a = np.asarray(P_half, dtype=float) / np.asarray(N, dtype=float)
    return 1.0 / a - k * np.log(a), (1.0 / a**2 + k / a) / np.asarray(N, dtype=float)  # y and dy/dP


def law_slope_fit(N, P_half, P_err, requirement) -> dict:
    """Weighted straight line of y = 1/alpha - k ln(alpha) at the half points against ln N
    (k = 1 for one pattern, 3 for all, as in snr-half-points): the slope is the c of
    P_max = N/(c ln N), with the error propagated from the half points' bootstrap errors (times
    sqrt(chi^2/dof) when that exceeds 1)."""
    from ..analysis import weighted_linear_fit

    y, dy = _law_y(N, P_half, requirement)
    lnN = np.log(np.asarray(N, dtype=float))
    fit = weighted_linear_fit(np.stack([np.ones_like(lnN), lnN], axis=1), y, dy * np.asarray(P_err, dtype=float))
    slope, err = float(fit["coef"][1]), float(fit["coef_err"][1])
    if fit["dof"] > 0 and np.isfinite(fit["chi2"]):
        err *= max(1.0, float(np.sqrt(fit["chi2"] / fit["dof"])))
    return {"slope": slope, "slope_err": err, "chi2": fit["chi2"], "dof": fit["dof"], "y": y,
            "intercept": float(fit["coef"][0])}


def law_slope(N, requirement) -> float:
    """The same slope for the finite-N Gaussian half points snr.p_half at the same N: the law
    N/(c ln N) with its next orders (snr-half-points), the reference of the capacity verdicts."""
    N = np.asarray(N, dtype=float)
    th = np.array([snr.p_half(int(n), requirement) for n in N])
    y, _ = _law_y(N, th, requirement)
    return float(np.polyfit(np.log(N), y, 1)[0]) if N.size > 1 else float("nan")


def _verdicts(p, r: Result) -> list:
    c = r.capacity
    noise = noise_scale_fit(r.perr)
    out = [verdict("noise", paper="mceliece1987capacity",
                   item="signal-to-noise law: crosstalk variance (P-1)(N-1)/N^2 behind P_err(α)",
                   book=(noise["kappa"], noise["kappa_err"]), reference=1.0, aim=AIM_NOISE, z=Z,
                   figure="fig-snr-perr", chi2=noise["chi2"], dof=noise["dof"], N=r.perr.N)]
    for req, se, sim in (("one", c.P_half_one_se, c.P_half_one_sim), ("all", c.P_half_all_se, c.P_half_all_sim)):
        fit = law_slope_fit(c.N, sim, se, req)
        cc = LAW_FORMS[req][1]
        out.append(verdict(
            f"capacity_{req}", paper="mceliece1987capacity",
            item=f"P_max = N/({cc:g} ln N), {'one given pattern' if req == 'one' else 'all patterns'} error-free: "
                 "coefficient of ln N",
            book=(fit["slope"], fit["slope_err"]), reference=law_slope(c.N, req), aim=AIM_LAW[req], z=Z,
            figure="fig-snr-capacity", published={"value": cc, "where": "abstract (leading order)"},
            chi2=fit["chi2"], dof=fit["dof"], N=c.N))
    return out


def _md(x, fmt="{:.3f}", unit=""):
    """A glued number in math mode (Markdown), or words when there is none."""
    from IPython.display import Markdown

    x = float(x)
    return Markdown(f"${fmt.format(x)}{unit}$" if np.isfinite(x) else "not measured")


def _glue(r: Result, p) -> dict:
    from IPython.display import Markdown

    d, pic, e, c, o = r.demo, r.picture, r.perr, r.capacity, r.overlap
    i = int(np.argmax(c.N))
    fit = {req: law_slope_fit(c.N, sim, se, req) for req, sim, se in
           (("one", c.P_half_one_sim, c.P_half_one_se), ("all", c.P_half_all_sim, c.P_half_all_se))}
    dev = (c.P_half_one_sim - c.P_half_one_theory) / c.P_half_one_theory
    noise = noise_scale_fit(e)
    return {
        "N": _md(e.N, "{:.0f}"), "networks_snr": _md(e.rates.shape[1], "{:.0f}"),
        "probe_bits": _md(p.N_snr * p.n_probe_snr / 1e5, "{:.1f}", r"\times 10^{5}"),
        "kappa": Markdown(f"${format_pm(noise['kappa'], noise['kappa_err'])}$"),
        "flip_demo": _md(100 * p.flip_demo, "{:.0f}", r"\,\%"),
        "n_traj": _md(len(d.energies), "{:.0f}"), "N_demo": _md(d.N, "{:.0f}"), "P_demo": _md(d.P, "{:.0f}"),
        "picture_m0": _md(pic.m_start, "{:.2f}"), "picture_m": _md(pic.m_fixed_point, "{:.3f}"),
        "picture_sweeps": _md(pic.sweeps, "{:.0f}"),
        "cap_N_max": _md(c.N[i], "{:.0f}"), "cap_N_min": _md(c.N.min(), "{:.0f}"),
        "cap_one_sim_max": Markdown(f"${format_pm(c.P_half_one_sim[i], c.P_half_one_se[i])}$"),
        "cap_all_sim_max": Markdown(f"${format_pm(c.P_half_all_sim[i], c.P_half_all_se[i])}$"),
        "cap_one_th_max": _md(c.P_half_one_theory[i], "{:.1f}"), "cap_all_th_max": _md(c.P_half_all_theory[i], "{:.1f}"),
        "cap_one_asym_max": _md(snr.capacity_one_pattern(c.N[i]), "{:.1f}"),
        "cap_all_asym_max": _md(snr.capacity_all_patterns(c.N[i]), "{:.1f}"),
        "slope_one": Markdown(f"${format_pm(fit['one']['slope'], fit['one']['slope_err'])}$"),
        "slope_all": Markdown(f"${format_pm(fit['all']['slope'], fit['all']['slope_err'])}$"),
        "one_dev_min": _md(100 * dev.min(), "{:+.1f}", r"\,\%"), "one_dev_max": _md(100 * dev.max(), "{:+.1f}", r"\,\%"),
        "ratio_max": Markdown(f"${format_pm(c.ratio[i], c.ratio_se[i])}$"),
        "ratio_far": Markdown("$" + ",\\ ".join(f"{v:.2f}" for v in c.ratio_far) + "$"),
        "N_far": Markdown("$" + ",\\ ".join(f"10^{{{int(round(np.log10(n)))}}}" for n in c.N_far) + "$"),
        "alpha_breakdown": _md(o.alpha_breakdown, "{:.3f}"), "overlap_N": _md(o.N, "{:.0f}"),
        "overlap_not_converged": Markdown(f"{int((~o.converged).sum())}"),
    }




def _figure_data(r: Result) -> dict:
    d, pic, e, c, o = r.demo, r.picture, r.perr, r.capacity, r.overlap
    scans = {f"scan_N{N}_{k}": v for N, sc in c.scans.items()
             for k, v in (("P", sc.P), ("p_one", sc.p_one), ("p_all", sc.p_all))}
    return {
        "fig-snr-energy": {f"trajectory_{k}": x for k, x in enumerate(d.energies)},
        "fig-snr-picture": {"pattern": pic.pattern, "start": pic.start, "fixed_point": pic.fixed_point},
        "fig-snr-perr": {"alpha": e.alpha, "measured": e.mean, "stderr": e.sem, "theory": e.theory,
                         "theory_finite": e.theory_finite},
        "fig-snr-capacity": {"N": c.N, "P_half_one_sim": c.P_half_one_sim, "P_half_all_sim": c.P_half_all_sim,
                             "P_half_one_theory": c.P_half_one_theory, "P_half_all_theory": c.P_half_all_theory,
                             "P_half_one_stderr": c.P_half_one_se, "P_half_all_stderr": c.P_half_all_se,
                             "ratio": c.ratio, "ratio_stderr": c.ratio_se, "ratio_theory": c.ratio_theory, **scans},
        "fig-snr-overlap": {"alpha": o.alpha, "m": o.m.reshape(len(o.alpha), -1), "m_mean": o.m_mean,
                            "m_stderr": o.m_sem, "converged": o.converged.reshape(len(o.alpha), -1)},
    }


# ---------------------------------------------------------------------------------------------
# figures


def _axes(ax, **kw):
    from ..book import style

    if ax is None:
        fig, ax = style.figure(**kw)
        return fig, ax
    style.use()
    return (ax[0] if isinstance(ax, (list, tuple, np.ndarray)) else ax).figure, ax


def _log_axis(ax, axis="x"):
    """Log ticks of the book (1, 2, 5 per decade, no minor labels), written as plain numbers."""
    from matplotlib.ticker import FuncFormatter

    from ..book import style

    style.log_ticks(ax, axis)
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


def figure_energy(r: Result, ax=None):
    """Energy per neuron along each asynchronous trajectory, one labelled line per trajectory."""
    from ..book import style

    fig, ax = _axes(ax, width=7.0, height=4.6)
    d = r.demo
    n_cor = n_ran = 0
    for k, (e, label) in enumerate(zip(d.energies, d.labels)):
        if d.corrupted[k]:
            color, ls, n_cor = f"C{n_cor % 10}", "-", n_cor + 1
        else:
            color, ls, n_ran = f"C{(n_ran + 5) % 10}", "--", n_ran + 1
        style.line(ax, np.arange(len(e)) / d.N, e, label=label, color=color, ls=ls)
    ax.set_xlabel("flips / $N$")
    ax.set_ylabel("energy per neuron $E/N$")
    style.legend_outside(ax, "below", title="start")
    return fig


def figure_picture(r: Result, ax=None):
    """The stored pattern, the corrupted start and the fixed point, as pictures."""
    fig, axes = _axes(ax, ncols=3, width=7.0, height=2.7)
    pic = r.picture
    titles = ("stored pattern $\\xi^1$", f"start, $m={pic.m_start:.2f}$", f"fixed point, $m={pic.m_fixed_point:.2f}$")
    for a, img, title in zip(axes, (pic.pattern, pic.start, pic.fixed_point), titles):
        a.imshow(img.reshape(pic.side, pic.side), cmap="gray", vmin=-1, vmax=1, interpolation="nearest")
        a.set_title(title)
        a.set_axis_off()
    return fig


def figure_perr(r: Result, ax=None):
    """Top: per-bit error after one step against the law (snr-perr) and its finite-N version; loads
    where no wrong bit was seen are drawn at the Wilson upper end of the rate (down arrows). Bottom:
    the measured rate over the finite-N law, with the law for the fitted crosstalk variance."""
    from ..book import style

    fig, (ax, bx) = _axes(ax, nrows=2, width=7.0, height=7.8, height_ratios=(1.6, 1.0))
    e = r.perr
    style.line(ax, e.alpha_line, e.theory_line, label=r"$\frac{1}{2}\mathrm{erfc}(1/\sqrt{2\alpha})$", color="k")
    style.line(ax, e.alpha_line, e.finite_line, label=f"finite-$N$ Gaussian, $N={e.N}$", color="k", ls=":")
    seen = e.mean > 0
    style.points(ax, e.alpha[seen], e.mean[seen], e.sem[seen], label=f"simulation, $N={e.N}$ (mean ± s.e.)",
                 color="C3", line=False)
    if (~seen).any():
        _, hi = wilson_interval(0, e.bits[~seen] * e.rates.shape[1])
        ax.errorbar(e.alpha[~seen], hi, yerr=0.5 * hi, uplims=True, fmt="v", color="C3", mfc="none",
                    label="no wrong bit seen: 68% Wilson upper end")
    ax.set_yscale("log")
    ax.set_ylabel(r"per-bit error after one step $P_\mathrm{err}$")
    style.legend_outside(ax, "below")
    kappa = noise_scale_fit(e)["kappa"]
    fitted = snr.per_bit_error_finite(e.N, 1.0 + kappa * (e.alpha_line * e.N - 1.0))
    bx.axhline(1.0, color="k", ls=":", lw=1)
    style.line(bx, e.alpha_line, fitted / e.finite_line, color="C0", label=rf"fitted variance, $\kappa={kappa:.4f}$")
    style.points(bx, e.alpha[seen], e.mean[seen] / e.theory_finite[seen], e.sigma[seen] / e.theory_finite[seen],
                 color="C3", line=False, label="simulation / finite-$N$ law")
    bx.set_ylabel("measured / law")
    bx.set_xlabel(r"load $\alpha=P/N$")
    bx.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=2)
    for a in (ax, bx):
        a.set_xscale("log")
        _log_axis(a, "x")
    return fig


def _probability_bars(k, n, p, sem):
    """Error bars of a probability: the standard error where it is strictly between 0 and 1, the
    Wilson interval of the network counts where it is 0 or 1."""
    lo, hi = wilson_interval(k, n)
    edge = (p <= 0) | (p >= 1)
    return np.where(edge, lo, p - sem), np.where(edge, hi, p + sem)


def figure_capacity(r: Result, ax=None):
    """Top: probability that one given / every pattern is a fixed point against P; middle: the
    half-probability points against N; bottom: their ratio against N with the asymptotic 2."""
    from matplotlib.lines import Line2D

    from ..book import style

    fig, axes = _axes(ax, nrows=3, width=7.0, height=11.5)
    c = r.capacity
    a = axes[0]
    for k, (N, sc) in enumerate(c.scans.items()):
        col = f"C{k}"
        n = sc.n_networks
        Pl = np.geomspace(sc.P.min(), sc.P.max(), 100)
        style.line(a, Pl, snr.p_pattern_stable(N, Pl), color=col, lw=1)
        style.line(a, Pl, snr.p_all_stable(N, Pl), color=col, ls="--", lw=1)
        sem_one = mean_sem(sc.frac_stable, axis=0)[1]
        style.points(a, sc.P, sc.p_one, None, color=col, line=False,
                     yerr_asym=_probability_bars(np.round(sc.p_one * n), n, sc.p_one, sem_one))
        k_all = sc.all_stable.sum(axis=0)
        style.points(a, sc.P, sc.p_all, None, color=col, marker="s", mfc="none", line=False,
                     yerr_asym=wilson_interval(k_all, n))
    handles = [Line2D([], [], color=f"C{k}", lw=3, label=f"$N={int(N)}$") for k, N in enumerate(c.scans)]
    handles += [Line2D([], [], color="0.3", marker="o", ls="-", label="one given pattern: simulation, theory"),
                Line2D([], [], color="0.3", marker="s", mfc="none", ls="--", label="all patterns: simulation, theory")]
    a.set_xscale("log")
    _log_axis(a, "x")
    a.set_xlabel("$P$")
    a.set_ylabel("probability of being a fixed point")
    a.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0))

    a = axes[1]
    style.line(a, c.N_line, c.one_line, color="C0", label="one pattern, finite-$N$ theory")
    style.line(a, c.N_line, c.all_line, color="C1", label="all patterns, finite-$N$ theory")
    style.line(a, c.N_line, snr.capacity_one_pattern(c.N_line), color="C0", ls=":", label=r"$N/(2\ln N)$")
    style.line(a, c.N_line, snr.capacity_all_patterns(c.N_line), color="C1", ls=":", label=r"$N/(4\ln N)$")
    style.points(a, c.N, c.P_half_one_sim, c.P_half_one_se, color="C0", line=False, label="one pattern, simulation")
    style.points(a, c.N, c.P_half_all_sim, c.P_half_all_se, color="C1", marker="s", line=False,
                 label="all patterns, simulation")
    a.set_xscale("log")
    a.set_yscale("log")
    _log_axis(a, "x")
    _log_axis(a, "y")
    a.set_xlabel("$N$")
    a.set_ylabel(r"$P_{1/2}$ (probability $=1/2$)")
    style.legend_outside(a)

    a = axes[2]
    style.line(a, c.N_line, c.one_line / c.all_line, color="k", label="finite-$N$ theory")
    a.axhline(2.0, color="k", ls=":", lw=1, label=r"$N\to\infty$: $\frac{N/(2\ln N)}{N/(4\ln N)}=2$")
    style.points(a, c.N, c.ratio, c.ratio_se, color="C2", line=False, label="simulation (bootstrap s.e.)")
    a.set_xscale("log")
    _log_axis(a, "x")
    a.set_xlabel("$N$")
    a.set_ylabel(r"$P_{1/2}^{\rm one}/P_{1/2}^{\rm all}$")
    style.legend_outside(a)
    return fig


def figure_overlap(r: Result, ax=None):
    """Overlap after convergence against the one-step overlap erf(1/sqrt(2 alpha))."""
    from ..book import style

    fig, ax = _axes(ax, width=7.0, height=4.6)
    o = r.overlap
    style.line(ax, o.alpha_line, o.one_step_line, color="k", ls="--",
               label=r"one step: $\mathrm{erf}(1/\sqrt{2\alpha})$")
    style.points(ax, o.alpha, o.m_mean, o.m_sem, color="C3", label=f"after convergence, $N={o.N}$ (mean ± s.e.)")
    if np.isfinite(o.alpha_breakdown):
        ax.axvline(o.alpha_breakdown, color="C3", lw=0.8, ls=":", label=r"mean overlap $=1/2$")
    ax.set_xlabel(r"load $\alpha$")
    ax.set_ylabel(r"overlap $m$ with the start pattern")
    ax.set_ylim(-0.05, 1.05)
    style.legend_outside(ax, "below")
    return fig
