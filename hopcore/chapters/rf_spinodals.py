"""Chapter: spinodals of symmetric feature mixtures in the random-features model, from the replica
theory (Kalaj et al. 2024, Fig. 3), against the classical mixture loads: the lines, their
alpha -> infinity limit, the stationarity check of the two forms of the dpdh equation, the two checks
of the derivation of the feature-space part of the free energy (the exact average over one binary
feature against the log-determinant and its 1/N cumulant correction; the finite-beta RS free energy
against the implemented zero-temperature one), the verdicts (the alpha -> infinity limit of every
spinodal against the classical mixture loads), the checks of the code and the two figures."""

import time
from dataclasses import dataclass

import numpy as np

from .. import validation
from ..analysis import mean_sem, within_errors
from ..book import ChapterResult, claim, spec, style
from ..book.spec import Chapter, Param
from ..book.verdicts import verdict
from ..experiments import memo, sweep_grid
from ..experiments.rf_fields import mixture_example_overlaps
from ..solvers import numerical_gradient
from ..theory import classical as ags
from ..theory import random_features as rf


def _check(p):
    if len(set(p["mixture_orders"])) != len(p["mixture_orders"]):
        validation.fail("mixture_orders", p["mixture_orders"], "a list of distinct odd integers >= 3")
    D = max(1, int(round(p["gep_alpha_D"] * p["gep_N"])))
    if max(p["gep_ns"]) > D:
        validation.fail("gep_ns", p["gep_ns"], f"odd mixture orders <= D = round(gep_alpha_D gep_N) = {D}")
    P = max(p["gep_alphas"]) * p["gep_N"]
    validation.memory_bytes("gep_N", p["gep_N"], 10.0 * p["gep_N"] * P + 8.0 * p["gep_N"] * D, validation.memory_limit_bytes())


SPEC = Chapter(
    name="rf_spinodals",
    notebook="book/rf_spinodals.ipynb",
    title="Random features: mixture spinodals",
    seed=7007,
    minutes=(0.2, 0.35),
    cached="every spinodal line under the result cache (hopcore.theory.random_features.mixture_spinodal)",
    params={
        "mixture_orders": Param([3, 5, 7, 9], validation.list_of(validation.odd_integer(3, 51), increasing=True),
                                doc="odd mixture orders, at least 3 (the learning line, order 1, is always drawn)"),
        "alphas": Param([float(a) for a in np.geomspace(0.01, 100.0, 60)],
                        validation.list_of(validation.real(1e-3, 1e3), increasing=True),
                        paper=[float(a) for a in np.geomspace(0.01, 100.0, 120)],
                        doc="loads alpha, P/N, at which alpha_D_c is computed"),
        "alphas_limit": Param([100.0, 300.0, 1000.0], validation.list_of(validation.real(10.0, 1e3), increasing=True),
                              doc="large loads for the alpha -> infinity limit"),
        "n_T": Param(6, validation.integer(2, 60), paper=16, doc="temperatures per classical finite-T mixture line"),
        "rel_tol": Param(1e-4, validation.real(1e-9, 1e-2), paper=1e-6, doc="relative bracket of the bisection on alpha_D"),
        "gep_N": Param(2000, validation.integer(100, 20_000), doc="neurons of the networks of the Gaussian-equivalence check"),
        "gep_alpha_D": Param(0.02, validation.real(0.0, 1.0, lo_open=True), doc="D/N of the Gaussian-equivalence check"),
        "gep_alphas": Param([0.25, 1.0, 2.0], validation.list_of(validation.real(0.0, 20.0, lo_open=True), increasing=True),
                            doc="loads of the Gaussian-equivalence check"),
        "gep_ns": Param([1, 3, 5], validation.list_of(validation.odd_integer(1, 51), increasing=True),
                        doc="mixture orders of the Gaussian-equivalence check"),
        "gep_samples": Param(3, validation.integer(2, 1000), doc="networks per point of the Gaussian-equivalence check"),
        "fi_Ns": Param([256, 512, 1024, 2048, 4096], validation.list_of(validation.integer(16, 20_000), min_len=2,
                                                                        increasing=True),
                       doc="sites N of the exact average over one binary feature (check of the feature-space Gaussian integral)"),
        "fb_betas": Param([30.0, 100.0, 300.0, 1000.0], validation.list_of(validation.real(10.0, 1e4), increasing=True),
                          doc="inverse temperatures at which the finite-beta RS free energy is compared with the T = 0 one"),
    },
    checks=(_check,),
    headline=("mixture_orders", "rel_tol", "gep_N", "gep_samples"),
    extra={"test": {"mixture_orders": [3, 5], "alphas": [0.01, 0.1, 1.0, 10.0], "alphas_limit": [100.0, 300.0, 1000.0], "n_T": 2,
                    "gep_N": 400, "gep_alpha_D": 0.05, "gep_alphas": [0.25, 1.0], "gep_ns": [1, 3], "gep_samples": 2,
                    "fi_Ns": [256, 512, 1024], "fb_betas": [30.0, 300.0]}},
)


def prepare(namespace):
    return spec.prepare(SPEC.name, namespace)


# ---------------------------------------------------------------------------------------------
# computation

#: Step of the central differences of the stationarity check (relative to each coordinate).
FD_STEP = 1e-6
#: Loads at which the variant with D1 in dpdh is solved, at 0.95 x the spinodal.
VARIANT_ALPHAS = (0.1, 1.0, 10.0)


@dataclass
class Result(ChapterResult):
    """The spinodal lines as arrays over (order, alpha): ``orders`` (1 = the learning line, then
    ``mixture_orders``), ``alphas``; ``alpha_D_c``, ``converged``, ``iterations``, ``undecided``,
    ``bisections`` of shape (orders, alphas); the large-alpha continuation ``alpha_D_c_limit``
    (orders, alphas_limit); the classical T = 0 loads ``classical_T0`` (orders) and the classical
    finite-T lines ``classical_T`` (order -> dict); the stationarity check (``grad_squared``,
    ``grad_linear``: max scaled |grad f| per solution) and the D1-variant lines ``variant_orders``,
    ``alpha_D_c_variant`` (variant orders, alphas); the feature-space checks: ``fi_Ns``, ``fi_diff`` (ln of
    the exact binary-feature average minus the Gaussian value, per N), ``fi_c`` (predicted 1/N
    coefficient), ``fb_betas``, ``fb_residual`` and ``fb_bound`` (solutions, betas), ``fb_c1`` (per solution)."""

    orders: np.ndarray = None
    alphas: np.ndarray = None
    alpha_D_c: np.ndarray = None
    converged: np.ndarray = None
    iterations: np.ndarray = None
    undecided: np.ndarray = None
    bisections: np.ndarray = None
    alphas_limit: np.ndarray = None
    alpha_D_c_limit: np.ndarray = None
    classical_T0: np.ndarray = None
    classical_T: dict = None
    grad_squared: np.ndarray = None
    grad_linear: np.ndarray = None
    variant_orders: np.ndarray = None
    alpha_D_c_variant: np.ndarray = None
    fd_tolerance: float = float("nan")
    gep_axes: dict = None
    gep_lambda2: np.ndarray = None
    gep_p: np.ndarray = None
    gep_P: np.ndarray = None
    energy_rel_diff: np.ndarray = None
    energy_bound: np.ndarray = None
    fi_Ns: np.ndarray = None
    fi_diff: np.ndarray = None
    fi_c: float = float("nan")
    fb_betas: np.ndarray = None
    fb_residual: np.ndarray = None
    fb_bound: np.ndarray = None
    fb_c1: np.ndarray = None

    def row(self, n: int) -> int:
        return int(np.flatnonzero(self.orders == n)[0])


def scaled_gradient(x, alpha, alpha_D, n, h=FD_STEP):
    """Gradient of the mixture free energy at ``x`` by central differences with relative steps
    (coordinate i moved by h max(|x_i|, 10^-3)), divided by the size max(1, alpha qh pd) of the
    terms of f, so that it reads as a relative residual of the stationarity conditions."""
    s = np.maximum(np.abs(x), 1e-3)
    g = numerical_gradient(lambda y: rf.free_energy_mixture(x + s * y, alpha, alpha_D, n), np.zeros_like(x), h=h)
    return g / max(1.0, alpha * x[1] * x[4])


def _stationarity(lines, orders):
    squared, linear = [], []
    for n in orders:
        line = lines[n]
        ok = line.converged
        for a, aD, x in zip(line.fixed[ok], line.control_exists[ok], line.x_exists[ok]):
            squared.append(np.max(np.abs(scaled_gradient(x, a, aD, n))))
        for a in VARIANT_ALPHAS:
            # close to the spinodal, where D1 differs from 1 (deep in the retrieval phase dq = dp = 0,
            # D1 = 1 and the two forms coincide)
            aD = 0.95 * float(np.interp(np.log(a), np.log(line.fixed), line.alpha_D_c))
            sol = rf.saddle_point_mixture(a, aD, n, squared=False)
            if sol.converged:
                linear.append(np.max(np.abs(scaled_gradient(sol.x, a, aD, n))))
    return np.array(squared), np.array(linear)


def compute(p) -> Result:
    timings = {}
    t0 = time.perf_counter()
    orders = [1] + list(p.mixture_orders)
    lines = {}
    for n in orders:
        t = time.perf_counter()
        lines[n] = memo(rf.mixture_spinodal, n=n, alphas=p.alphas, rel_tol=p.rel_tol)  # a warm rebuild reads it back
        timings[f"spinodal_n{n}_s"] = time.perf_counter() - t
    timings["spinodals_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    classical_T0 = np.array([float(ags.critical_load_T0(n)[0]) for n in orders])
    limits = {n: memo(rf.mixture_spinodal, n=n, alphas=p.alphas_limit, rel_tol=min(p.rel_tol, 1e-6)) for n in orders}
    # shared with classical_replica (same cache entries)
    classical_T = {n: memo(ags.mixture_stability_line, n=n, n_T=p.n_T) for n in p.mixture_orders}
    timings["classical_s"] = time.perf_counter() - t0

    grad_sq, grad_lin = _stationarity(lines, orders)
    n3 = orders[1]
    t0 = time.perf_counter()
    variant = {n: memo(rf.mixture_spinodal, n=n, alphas=p.alphas, rel_tol=p.rel_tol, squared=False) for n in (n3, 1)}
    timings["linear_form_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    gep_axes = {"alpha": [float(a) for a in p.gep_alphas], "n": [int(n) for n in p.gep_ns]}
    gep = sweep_grid(mixture_example_overlaps, gep_axes,
                     p.gep_samples, p.seed, fixed={"N": int(p.gep_N), "alpha_D": float(p.gep_alpha_D)},
                     desc="Gaussian equivalence at mixtures")
    timings["gaussian_equivalence_s"] = time.perf_counter() - t0
    energy_diff, energy_bound = _energy_identity(lines, orders)

    t0 = time.perf_counter()
    fi_Ns = np.asarray(p.fi_Ns, dtype=int)
    fi_diff = np.array([feature_average_exact(N, FI_Q, FI_A) - feature_average_gaussian(FI_Q, FI_A) for N in fi_Ns])
    fb_betas = np.asarray(p.fb_betas, dtype=float)
    fb_res, fb_bound, fb_c1 = _zero_temperature_limit(lines, orders, fb_betas)
    timings["feature_space_checks_s"] = time.perf_counter() - t0

    stack = lambda key: np.array([getattr(lines[n], key) for n in orders])  # noqa: E731
    r = Result(
        orders=np.array(orders), alphas=np.asarray(p.alphas, dtype=float),
        alpha_D_c=stack("alpha_D_c"), converged=stack("converged"), iterations=stack("iterations"),
        undecided=stack("n_not_converged"), bisections=stack("bisections"),
        alphas_limit=np.asarray(p.alphas_limit, dtype=float),
        alpha_D_c_limit=np.array([limits[n].alpha_D_c for n in orders]),
        classical_T0=classical_T0, classical_T=classical_T, grad_squared=grad_sq, grad_linear=grad_lin,
        variant_orders=np.array([1, n3]), alpha_D_c_variant=np.array([variant[1].alpha_D_c, variant[n3].alpha_D_c]),
        fd_tolerance=_fd_tolerance(),
        gep_axes={"alpha": list(p.gep_alphas), "n": list(p.gep_ns)}, gep_lambda2=gep["lambda2"], gep_p=gep["p"],
        gep_P=gep["P"], energy_rel_diff=energy_diff, energy_bound=energy_bound,
        fi_Ns=fi_Ns, fi_diff=fi_diff, fi_c=feature_average_correction(FI_Q, FI_A),
        fb_betas=fb_betas, fb_residual=fb_res, fb_bound=fb_bound, fb_c1=fb_c1,
        timings=timings,
    )
    r.summary = _summary(r, lines, p)
    r.verdicts = _verdicts(p, r)
    r.claims = _claims(r, p)
    r.glue = _glue(r, p)
    r.figure_data = _figure_data(r)
    return r


def rs_energy(x, alpha):
    """Energy per neuron of the RS state x at T = 0: alpha/2 - (alpha/2) <lambda^2>, with the
    thermal average of the squared example overlap <lambda^2> = (kappa_1^2 p_d + kappa_s^2)/D1^2."""
    dq, dp, pd = x[0], x[2], x[4]
    D1 = 1.0 - rf.KAPPA1_SQ * dp - rf.KAPPA_S_SQ * dq
    return 0.5 * alpha - 0.5 * alpha * (rf.KAPPA1_SQ * pd + rf.KAPPA_S_SQ) / D1**2


def _energy_identity(lines, orders, tol=1e-11):
    """|f - e|/|f| at every located solution, and its first-order bound from the solver's relative
    residual ``tol`` (f is stationary, so only e moves: sum_i |de/dx_i| tol max(1, |x_i|)), plus rounding."""
    diff, bound = [], []
    K1, KS = rf.KAPPA1_SQ, rf.KAPPA_S_SQ
    for n in orders:
        line = lines[n]
        ok = line.converged
        for a, aD, x in zip(line.fixed[ok], line.control_exists[ok], line.x_exists[ok]):
            f = rf.free_energy_mixture(x, a, aD, n)
            dq, dp, pd = x[0], x[2], x[4]
            D1 = 1.0 - K1 * dp - KS * dq
            C = K1 * pd + KS
            grad = np.abs([a * C * KS / D1**3, a * C * K1 / D1**3, 0.5 * a * K1 / D1**2])  # d e / d(dq, dp, pd)
            scale = np.maximum(1.0, np.abs([dq, dp, pd]))
            diff.append(abs(f - rs_energy(x, a)) / abs(f))
            bound.append(float(tol * np.sum(grad * scale)) / abs(f) + 100 * np.finfo(float).eps)
    return np.array(diff), np.array(bound)


def _fd_tolerance(h=FD_STEP):
    """Accuracy of the scaled central-difference gradient: rounding of f over a step h
    (machine epsilon / h, for terms of f of the size used to scale the gradient) plus the truncation
    error h^2 of the central difference."""
    return float(np.finfo(float).eps / h + h * h)


# ---------------------------------------------------------------------------------------------
# the feature-space part of the free energy: two numerical checks of its derivation

#: Overlap q of the two replicas and the matrix A = alpha_T P_hat of the exact finite-N average
#: (replica-symmetric, positive definite, with the largest eigenvalue of Q A at 0.675 < 1).
FI_Q = 0.5
FI_A = np.array([[0.3, 0.15], [0.15, 0.3]])


def _log_binomial(n):
    """Values n - 2k of a sum of n iid +-1 and their log-probabilities."""
    from scipy.special import gammaln

    k = np.arange(n + 1)
    return (n - 2 * k).astype(float), gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1) - n * np.log(2.0)


def feature_average_exact(N, q, A):
    """ln E_f exp(v.A v / 2) over one feature f of N iid +-1 entries, exactly, for two replicas
    sigma^1, sigma^2 that agree on N_+ = round(N (1 + q)/2) sites, v_a = f.sigma^a / sqrt(N).

    With S_+ and S_- the sums of f over the sites where the replicas agree and differ (independent
    binomials), v = (S_+ + S_-, S_+ - S_-)/sqrt(N): a double sum over the two binomials."""
    Np = int(round(N * (1 + q) / 2))
    a, la = _log_binomial(Np)
    b, lb = _log_binomial(N - Np)
    v1 = (a[:, None] + b[None, :]) / np.sqrt(N)
    v2 = (a[:, None] - b[None, :]) / np.sqrt(N)
    e = 0.5 * (A[0, 0] * v1 * v1 + 2 * A[0, 1] * v1 * v2 + A[1, 1] * v2 * v2) + la[:, None] + lb[None, :]
    top = e.max()
    return float(top + np.log(np.exp(e - top).sum()))


def _replica_overlap(q):
    return np.array([[1.0, q], [q, 1.0]])


def feature_average_gaussian(q, A):
    """The Gaussian value -(1/2) ln det(1 - Q A) of the same average, eq. (rf_spinodals-gauss)."""
    sign, logdet = np.linalg.slogdet(np.eye(2) - _replica_overlap(q) @ A)
    return float(-0.5 * logdet) if sign > 0 else float("nan")


def feature_average_correction(q, A):
    """Coefficient c of the leading finite-N correction c/N to feature_average_gaussian, from the
    fourth cumulant of +-1 entries (ln cosh x = x^2/2 - x^4/12 + ...):
    c = -(1/4)[(1 + q)/2 s_+^2 + (1 - q)/2 s_-^2], s_pm = e_pm.(A^-1 - Q)^-1 e_pm, e_pm = (1, pm 1)."""
    S = np.linalg.inv(np.linalg.inv(A) - _replica_overlap(q))
    sp, sm = S.sum(), S[0, 0] + S[1, 1] - 2 * S[0, 1]
    return float(-0.25 * ((1 + q) / 2 * sp**2 + (1 - q) / 2 * sm**2))


def rs_logdet(r, diag, off):
    """ln |det| of the r x r replica-symmetric matrix (diagonal ``diag``, off-diagonal ``off``) from its
    eigenvalues diag - off (r - 1 times) and diag - off + r off."""
    return float((r - 1) * np.log(abs(diag - off)) + np.log(abs(diag - off + r * off)))


_GL_T, _GL_W = np.polynomial.legendre.leggauss(128)
_GL_T, _GL_W = 20.0 * (_GL_T + 1.0), 20.0 * _GL_W  # nodes and weights on [0, 40]


def free_energy_mixture_beta(x, alpha, alpha_D, n, beta):
    """The finite-beta RS free energy of an n-mixture, eq. (rf_spinodals-fbeta), written with the
    unscaled replica order parameters q = 1 - dq/beta, p = pd - dp/beta, p_hat_d - p_hat = beta dph,
    p_hat = beta^2 dpdh, Q_hat = beta^2 alpha qh (eq. rf_spinodals-scaling), at the point x of the
    zero-temperature variables (dq, qh, dp, dph, pd, dpdh, m, mh). The spin term
    -(1/beta) E ln 2cosh(beta h) is -E|h| minus (1/beta) E ln(1 + exp(-2 beta |h|)), the latter by
    Gauss-Legendre quadrature in beta |h| on [0, 40]. Returns (f, sum of |terms|)."""
    from ..solvers import binomial_mixture

    dq, qh, dp, dph, pd, dpdh, m, mh = (float(v) for v in x)
    K1, KS = rf.KAPPA1_SQ, rf.KAPPA_S_SQ
    aT = alpha / alpha_D
    q, p, dPh, Ph, Qh = 1 - dq / beta, pd - dp / beta, beta * dph, beta**2 * dpdh, beta**2 * alpha * qh
    bDelta, bC = beta * (K1 * (pd - p) + KS * (1 - q)), beta * (K1 * p + KS * q)
    A = 1 - aT * dPh * (1 - q)
    zeta, prob = binomial_mixture(n)
    a = np.sqrt(alpha * qh)
    b = mh * zeta
    dens = lambda h: np.sum(prob[:, None] * np.exp(-0.5 * ((h[None, :] - b[:, None]) / a) ** 2), axis=0) / (  # noqa: E731
        a * np.sqrt(2 * np.pi))
    tail = np.sum(_GL_W * (dens(_GL_T / beta) + dens(-_GL_T / beta)) * np.log1p(np.exp(-2 * _GL_T))) / beta
    terms = [
        0.5 * alpha,
        0.5 * alpha / beta * (np.log(1 - bDelta) - bC / (1 - bDelta)),  # examples
        0.5 * alpha / beta * (dPh * pd + Ph * (pd - p)),  # Legendre term of p
        0.5 * alpha_D / beta * (np.log(A) - aT * (Ph * (1 - q) + q * dPh) / A),  # uncondensed features
        -0.5 * aT * n / beta * dPh * m * m,  # condensed features
        Qh / (2 * beta) * (1 - q),  # Legendre term of q
        n * m * mh,  # Legendre term of m
        -float(np.sum(prob * rf._abs_average(a, b))),  # spin: -E|h| ...
        -tail / beta,  # ... and its finite-beta part
    ]
    return float(sum(terms)), float(sum(abs(t) for t in terms))


def zero_temperature_coefficients(x, alpha, alpha_D, n):
    """Coefficients of f_beta = f + c1/beta + c2/beta^2 + c4/beta^4 + ...: c1 from the logarithms and the
    O(1/beta) parts of the denominators, c2 and c4 the Sommerfeld terms of the spin,
    -(pi^2/12) g(0) and -(7 pi^4/2880) g''(0), g the density of the site field h at h = 0."""
    from ..solvers import binomial_mixture

    dq, qh, dp, dph, pd, dpdh, m, mh = (float(v) for v in x)
    aT = alpha / alpha_D
    D1 = 1 - rf.KAPPA1_SQ * dp - rf.KAPPA_S_SQ * dq
    D2 = 1 - aT * dph * dq
    c1 = 0.5 * alpha * (np.log(D1) + (1 - D1) / D1) + 0.5 * alpha_D * np.log(D2) + 0.5 * alpha * dq * dph / D2
    zeta, prob = binomial_mixture(n)
    a = np.sqrt(alpha * qh)
    u = mh * zeta / a
    phi = np.exp(-0.5 * u * u) / np.sqrt(2 * np.pi)
    g0, g2 = float(np.sum(prob * phi) / a), float(np.sum(prob * phi * (u * u - 1)) / a**3)
    return float(c1), -np.pi**2 / 12 * g0, -7 * np.pi**4 / 2880 * g2


def _zero_temperature_limit(lines, orders, betas):
    """At every located solution and every beta: the residual f_beta - f - c1/beta - c2/beta^2 and its
    bound 2|c4|/beta^4 (the next Sommerfeld term, with room for the one after) plus the rounding of the
    sum of the terms of f_beta (64 eps times the sum of their sizes). Returns (residual, bound, c1),
    the first two shaped (solutions, betas)."""
    res, bound, c1s = [], [], []
    eps = np.finfo(float).eps
    for n in orders:
        line = lines[n]
        ok = line.converged
        for a, aD, x in zip(line.fixed[ok], line.control_exists[ok], line.x_exists[ok]):
            f0 = rf.free_energy_mixture(x, a, aD, n)
            c1, c2, c4 = zero_temperature_coefficients(x, a, aD, n)
            row_r, row_b = [], []
            for beta in betas:
                fb, size = free_energy_mixture_beta(x, a, aD, n, beta)
                row_r.append(fb - f0 - c1 / beta - c2 / beta**2)
                row_b.append(2 * abs(c4) / beta**4 + 64 * eps * (size + abs(f0)))
            res.append(row_r)
            bound.append(row_b)
            c1s.append(c1)
    return np.array(res), np.array(bound), np.array(c1s)


def _relative_shift(r):
    """Largest relative change of the learning line and of the first mixture spinodal when dpdh is
    divided by D1 instead of D1^2, over the alphas grid."""
    return {int(n): float(np.nanmax(np.abs(r.alpha_D_c_variant[k] / r.alpha_D_c[r.row(n)] - 1)))
            for k, n in enumerate(r.variant_orders)}


def _summary(r, lines, p):
    orders = list(r.orders)
    n3 = orders[1]
    shift = _relative_shift(r)
    return {
        "spinodal": {str(n): lines[n].pairs()[:, ::-1] for n in p.mixture_orders},  # rows [alpha, alpha_D_c]
        "learning_line": lines[1].pairs()[:, ::-1],
        "spinodal_record": {str(n): {"converged": int(l.converged.sum()), "points": int(l.converged.size),
                                     "undecided_trials": int(l.n_not_converged.sum()),
                                     "iterations": int(l.iterations.sum())} for n, l in lines.items()},
        "classical_T0_loads": {str(n): float(r.classical_T0[k]) for k, n in enumerate(orders)},
        "alpha_infinity_limit": {str(n): {"alphas": p.alphas_limit, "alpha_D_c": r.alpha_D_c_limit[k],
                                          "rel_diff_at_largest":
                                              float(r.alpha_D_c_limit[k, -1] / r.classical_T0[k] - 1)}
                                 for k, n in enumerate(orders)},
        "energy_identity": {"solutions": int(r.energy_rel_diff.size), "max_rel_diff": float(r.energy_rel_diff.max())},
        "feature_space": {"gaussian_step": {"q": FI_Q, "A": FI_A, "Ns": r.fi_Ns, "ln_exact_minus_gaussian": r.fi_diff,
                                            "predicted_c": r.fi_c},
                          "zero_temperature": {"betas": r.fb_betas, "solutions": int(r.fb_residual.shape[0]),
                                               "max_abs_residual": np.abs(r.fb_residual).max(axis=0),
                                               "max_residual_over_bound": float(np.max(np.abs(r.fb_residual)
                                                                                       / r.fb_bound)),
                                               "c1_range": [float(r.fb_c1.min()), float(r.fb_c1.max())]}},
        "gaussian_equivalence": {"alphas": r.gep_axes["alpha"], "ns": r.gep_axes["n"],
                                 "lambda2_mean": r.gep_lambda2.mean(axis=-1),
                                 "predicted_mean": (rf.KAPPA1_SQ * r.gep_p + rf.KAPPA_S_SQ).mean(axis=-1)},
        "stationarity": {"squared_max_scaled_grad": float(r.grad_squared.max()),
                         "linear_scaled_grad_range": [float(r.grad_linear.min()), float(r.grad_linear.max())],
                         "linear_form_max_rel_shift": {"1": shift[1], str(n3): shift[n3]}},
    }



def _effective_exponent(alphas, rel):
    """k of |rel| ~ alpha^-k between the smallest and the largest of ``alphas`` (two points)."""
    a0, a1 = alphas[0], alphas[-1]
    return float(-np.log(abs(rel[-1]) / abs(rel[0])) / np.log(a1 / a0)) if a1 > a0 else float("nan")


#: Multiplier of the classical-limit verdicts' errors, fixed before the run: five orders (n = 1, 3, 5,
#: 7, 9), two-sided 5 % family-wise (Bonferroni).
Z = 2.58
#: Resolution aimed for: the extrapolation from alpha = 100 to 1000 is good to about 10^-5.
AIM = 1e-4


def classical_extrapolation(alphas, alpha_D_c, rel_tol):
    """alpha -> infinity limit of a spinodal from its values at the large loads ``alphas``: the polynomial
    in 1/alpha through all of them (degree len - 1, at most 2) at 1/alpha = 0; as a systematic error its
    distance to the line through the last two points; as a numerical error the bisection bracket
    rel_tol propagated through the extrapolation weights. Returns (limit, numerical error, systematic);
    nan with fewer than two loads."""
    x, y = 1.0 / np.asarray(alphas, float), np.asarray(alpha_D_c, float)
    if x.size < 2 or not np.all(np.isfinite(y)):
        return float("nan"), float("nan"), 0.0
    deg = min(2, x.size - 1)
    weights = [np.prod([(0 - x[j]) / (x[i] - x[j]) for j in range(deg + 1) if j != i]) for i in range(deg + 1)]
    sel = slice(x.size - deg - 1, x.size)
    limit = float(np.dot(weights, y[sel]))
    x2, y2 = x[-2:], y[-2:]
    line = float(y2[1] - x2[1] * (y2[1] - y2[0]) / (x2[1] - x2[0]))
    num = float(rel_tol * np.dot(np.abs(weights), np.abs(y[sel])))
    return limit, num, abs(limit - line) if deg == 2 else 0.0


def _verdicts(p, r):
    """The alpha -> infinity limit of every spinodal against the classical T = 0 critical load of
    symmetric n-mixtures (Amit, Gutfreund and Sompolinsky), computed independently in hopcore.theory.classical."""
    out = []
    for k, n in enumerate(int(v) for v in r.orders):
        limit, num, sys = classical_extrapolation(r.alphas_limit, r.alpha_D_c_limit[k], min(p.rel_tol, 1e-6))
        out.append(verdict(
            f"classical_limit_n{n}", paper="book",
            item=("learning line" if n == 1 else f"spinodal of {n}-mixtures") + " as α → ∞: classical T = 0 load",
            book=(limit, num), sys_err=sys, reference=ags.critical_load_T0(n)[0], z=Z, aim=AIM,
            figure="fig-rfsp-spinodals"))
    return out


def verdict_table(r):
    """Markdown table of the classical-limit verdicts (for the page)."""
    from ..book.verdicts import format_pm, format_value

    rows = ["| $n$ | $\\alpha\\to\\infty$ limit of the spinodal | classical $T=0$ load | verdict | resolution |",
            "|---|---|---|---|---|"]
    for v, n in zip(r.verdicts, r.orders):
        rows.append(f"| {int(n)} | ${format_pm(v.book, v.book_err)}$ | ${format_value(v.reference, v.book_err or None)}$ "
                    f"| {v.phrase()} | ${_sci(v.resolution)}$ |")
    return "\n".join(rows)


def _claims(r, p):
    """Checks of the solver and of the code (orderings, converged flags, identities); the comparison with
    an independent result is the verdicts'."""
    orders = [int(n) for n in r.orders]
    points, ok = r.converged.size, int(r.converged.sum())
    out = {"converged": claim(ok == points, "Every point of every line was located.", finding=False,
                              converged=ok, points=points, undecided_trials=int(r.undecided.sum()), rel_tol=p.rel_tol)}
    steps = np.diff(r.alpha_D_c, axis=1) / r.alpha_D_c[:, 1:]
    worst = float(np.nanmin(steps))
    out["rise"] = claim(worst > -2 * p.rel_tol, "Every line rises with alpha.", finding=False,
                        smallest_relative_step=worst, tolerance=2 * p.rel_tol)
    both = np.all(r.converged, axis=0)
    gaps = r.alpha_D_c[:-1, both] / r.alpha_D_c[1:, both] - 1
    smallest_gap = float(gaps.min()) if gaps.size else float("nan")
    out["ordered"] = claim(
        smallest_gap > 2 * p.rel_tol and bool(np.all(np.diff(r.classical_T0) < 0)),
        "At every load the spinodal alpha_D of order n is larger than that of order n + 2 (the learning line "
        "largest).", finding=False, smallest_relative_gap=smallest_gap, orders=orders, classical_T0=r.classical_T0)
    big = np.unique(np.r_[r.alphas[-1], r.alphas_limit])
    rel = {}
    for k, n in enumerate(orders):
        vals = dict(zip(r.alphas_limit, r.alpha_D_c_limit[k]))
        vals.setdefault(r.alphas[-1], r.alpha_D_c[k, -1])
        rel[n] = np.array([vals[a] / r.classical_T0[k] - 1 for a in big])
    ks = {n: _effective_exponent(big, v) for n, v in rel.items()}
    k_all = np.array(list(ks.values()))
    out["classical_limit"] = claim(
        len(big) > 1 and bool(np.all(np.abs(k_all - 1) < 0.5)),
        "The relative distance to the classical loads falls roughly as 1/alpha.", finding=False,
        alphas=big, rel_diff={str(n): v for n, v in rel.items()}, exponents={str(n): v for n, v in ks.items()})
    gs, gl = float(r.grad_squared.max()), float(r.grad_linear.max())
    out["stationary"] = claim(gs <= r.fd_tolerance, "Every solution of the squared form is a stationary point.",
                              finding=False, max_scaled_gradient=gs, fd_accuracy=r.fd_tolerance)
    out["variant_not_stationary"] = claim(
        gl > r.fd_tolerance, "Solutions of the variant with D1 in dpdh are not stationary points of f.",
        finding=False, max_scaled_gradient=gl, fd_accuracy=r.fd_tolerance, above_accuracy=int(np.sum(r.grad_linear > r.fd_tolerance)))
    out["energy"] = claim(bool(np.all(r.energy_rel_diff <= r.energy_bound)),
                          "At every solution the free energy equals the energy within the solver's accuracy.",
                          finding=False, max_rel_diff=float(r.energy_rel_diff.max()))
    pred = rf.KAPPA1_SQ * r.gep_p + rf.KAPPA_S_SQ
    diff, diff_sem = mean_sem(r.gep_lambda2 - pred)
    w = within_errors(diff, diff_sem, 0.0, r.gep_lambda2.shape[-1])
    out["gaussian_equivalence"] = claim(w["compatible"], "The mean of lambda^2 agrees with kappa_1^2 p + kappa_s^2.",
                                        finding=False, **w, relative_difference=np.abs(diff) / pred.mean(axis=-1))
    out.update(_feature_space_claims(r))
    shift = _relative_shift(r)
    out["variant_shift_small"] = claim(max(shift.values()) < smallest_gap, "The variant moves the lines by less "
                                       "than the gap between consecutive orders.", finding=False,
                                       rel_shift={str(n): v for n, v in shift.items()}, smallest_relative_gap=smallest_gap)
    return out


def _feature_space_claims(r):
    out = {}
    Ns, d, c = r.fi_Ns, r.fi_diff, r.fi_c
    rest = np.abs(Ns * d - c)  # N x (what is left after c/N): O(1/N) if c is the leading coefficient
    ok = bool(np.all(np.isfinite(d)) and np.all(np.diff(rest) < 0) and np.all(rest < abs(c)))
    out["feature_integral"] = claim(ok, "The exact average over one binary feature tends to the Gaussian value with "
                                    "the predicted correction c/N.", finding=False, Ns=Ns, diff=d, predicted_c=c,
                                    N_times_rest=rest, q=FI_Q, A=FI_A)
    ratio = np.abs(r.fb_residual) / r.fb_bound
    out["zero_temperature_limit"] = claim(
        bool(np.all(ratio <= 1)), "The finite-beta RS free energy tends to the implemented one as f + c1/beta + "
        "c2/beta^2.", finding=False, betas=r.fb_betas, solutions=int(r.fb_residual.shape[0]),
        max_abs_residual=np.abs(r.fb_residual).max(axis=0), max_ratio_to_bound=float(ratio.max()))
    return out


def _md(tex):
    from IPython.display import Markdown

    return Markdown(f"${tex}$")


def _sci(x):
    e = int(np.floor(np.log10(abs(x)))) if x else 0
    return f"{x / 10**e:.1f}\\times10^{{{e}}}"


def _glue(r, p):
    i1 = int(np.argmin(np.abs(r.alphas - 1.0)))
    shift = _relative_shift(r)
    return {
        "at1_3": _md(f"{r.alpha_D_c[1, i1]:.4f}"), "at1_last": _md(f"{r.alpha_D_c[-1, i1]:.4f}"),
        "at1_1": _md(f"{r.alpha_D_c[0, i1]:.4f}"),
        "at1_alpha": _md(f"{r.alphas[i1]:.2f}"), "n_first": _md(f"{int(r.orders[1])}"),
        "n_last": _md(f"{int(r.orders[-1])}"), "alpha_max": _md(f"{r.alphas_limit[-1]:g}"),
        "limit_3": _md(f"{r.alpha_D_c_limit[1, -1]:.5f}"), "classical_3": _md(f"{r.classical_T0[1]:.5f}"),
        "limit_3_rel": _md(_sci(abs(r.alpha_D_c_limit[1, -1] / r.classical_T0[1] - 1))),
        "grad_squared": _md(_sci(r.grad_squared.max())), "grad_linear": _md(_sci(r.grad_linear.max())),
        "fd_tolerance": _md(_sci(r.fd_tolerance)),
        "shift1": _md(f"{100 * shift[1]:.1f}\\,\\%"), "shift3": _md(f"{100 * shift[int(r.orders[1])]:.1f}\\,\\%"),
        "energy_max": _md(_sci(r.energy_rel_diff.max())), "solutions": _md(f"{r.energy_rel_diff.size}"),
        "fi_c": _md(f"{r.fi_c:.4f}"), "fi_q": _md(f"{FI_Q:g}"), "fb_solutions": _md(f"{int(r.fb_residual.shape[0])}"),
        "fb_ratio": _md(f"{np.max(np.abs(r.fb_residual) / r.fb_bound):.2f}"),
    }


def _figure_data(r):
    orders = [int(n) for n in r.orders]
    return {
        "fig-rfsp-lines": {"alphas": r.alphas, **{f"alpha_D_c_n{n}": r.alpha_D_c[k] for k, n in enumerate(orders)},
                           **{f"converged_n{n}": r.converged[k] for k, n in enumerate(orders)},
                           **{f"iterations_n{n}": r.iterations[k] for k, n in enumerate(orders)}},
        "fig-rfsp-spinodals": {**{f"classical_T_n{n}": c["T"] for n, c in r.classical_T.items()},
                               **{f"classical_alpha_n{n}": c["alpha"] for n, c in r.classical_T.items()},
                               "classical_T0": r.classical_T0, "orders": r.orders, "limit_alphas": r.alphas_limit,
                               "limit_alpha_D_c": r.alpha_D_c_limit},
        "fig-rfsp-dpdh": {"alphas": r.alphas, "variant_orders": r.variant_orders,
                          "squared": r.alpha_D_c[[r.row(n) for n in r.variant_orders]], "linear": r.alpha_D_c_variant,
                          "grad_squared": r.grad_squared, "grad_linear": r.grad_linear},
    }


# ---------------------------------------------------------------------------------------------
# tables and figures


def table_record(r):
    """The convergence record of every line (points located, undecided trials, iterations, bisections)."""
    from ..book.widgets import HTMLTable

    rows = [[int(n), f"{int(r.converged[k].sum())}/{r.converged[k].size}", int(r.undecided[k].sum()),
             int(r.iterations[k].sum()), int(r.bisections[k].max())] for k, n in enumerate(r.orders)]
    return HTMLTable(["n", "located", "undecided trials", "iterations", "max bisections"], rows,
                     numeric=[True] * 5)


def table_gaussian_equivalence(r):
    """Measured mean of lambda_mu^2 over the examples at the mixture, against kappa_1^2 p + kappa_s^2."""
    from ..book.widgets import HTMLTable

    pred = rf.KAPPA1_SQ * r.gep_p + rf.KAPPA_S_SQ
    lam, lam_sem = mean_sem(r.gep_lambda2)
    d, d_sem = mean_sem(r.gep_lambda2 - pred)
    rows = []
    for i, a in enumerate(r.gep_axes["alpha"]):
        for j, n in enumerate(r.gep_axes["n"]):
            rows.append([f"{a:g}", int(n), f"{lam[i, j]:.3f} ± {lam_sem[i, j]:.3f}", f"{pred[i, j].mean():.3f}",
                         f"{d[i, j]:+.3f} ± {d_sem[i, j]:.3f}"])
    return HTMLTable(["α", "n", "mean λ² (measured)", "κ1² p + κs²", "difference (per network, mean ± s.e.)"], rows,
                     numeric=[True] * 5)


def table_feature_integral(r):
    """The exact average over one binary feature against the Gaussian value and its 1/N correction."""
    from ..book.widgets import HTMLTable

    rows = [[int(N), f"{d:+.3e}", f"{N * d:.5f}", f"{r.fi_c:.5f}", f"{N * N * (d - r.fi_c / N):+.2f}"]
            for N, d in zip(r.fi_Ns, r.fi_diff)]
    return HTMLTable(["N", "exact − Gaussian", "N × (exact − Gaussian)", "predicted c", "N² × (what remains after c/N)"],
                     rows, numeric=[True] * 5)


def table_limit(r):
    """The spinodals at the largest loads against the classical T = 0 critical loads of n-mixtures."""
    from ..book.widgets import HTMLTable

    head = ["n", "classical T = 0"] + [f"α = {a:g}" for a in r.alphas_limit] + ["relative difference at the largest"]
    rows = [[int(n), f"{r.classical_T0[k]:.5f}"] + [f"{v:.5f}" for v in r.alpha_D_c_limit[k]]
            + [f"{r.alpha_D_c_limit[k, -1] / r.classical_T0[k] - 1:+.4f}"] for k, n in enumerate(r.orders)]
    return HTMLTable(head, rows, numeric=[True] * len(head))


def figure_spinodals(r, ax=None):
    """Left: the spinodals in the (alpha_D, alpha) plane with the classical T = 0 loads; right: the
    classical finite-T stability lines of the mixtures, with the random-features spinodals at the
    largest alpha placed at T = 0."""
    if ax is None:
        fig, (ax, axc) = style.figure(nrows=2, width=7.2, height=9.4, gridspec_kw={"height_ratios": [1.4, 1]})
    else:
        ax, axc = ax
        fig = ax.figure
    for k, n in enumerate(r.orders):
        col = f"C{k}"
        ok = r.converged[k]
        style.line(ax, r.alpha_D_c[k, ok], r.alphas[ok], color=col, lw=2 if n == 1 else 1.5,
                   label="learning line (n = 1)" if n == 1 else f"n = {n}")
        if (~ok).any():
            ax.plot(np.full((~ok).sum(), np.nanmin(r.alpha_D_c)), r.alphas[~ok], "x", color=col)
        style.line(ax, r.alpha_D_c_limit[k], r.alphas_limit, color=col, ls=":")
        ax.axvline(r.classical_T0[k], color=col, ls="--", lw=0.8)
    ax.set(xscale="log", yscale="log", xlabel=r"$\alpha_D=D/N$", ylabel=r"$\alpha=P/N$",
           title="RS spinodals of symmetric $n$-mixtures")
    style.log_ticks(ax, "x")
    style.log_ticks(ax, "y")
    style.legend_outside(ax, "right", title="dashed: classical\n$T=0$ loads", title_fontsize=8)
    for k, n in enumerate(r.orders):
        col = f"C{k}"
        if n > 1:
            c = r.classical_T[int(n)]
            ok = np.asarray(c["found"], bool)
            axc.plot(np.r_[c["alpha_T0"], np.asarray(c["alpha"])[ok], 0.0],
                     np.r_[0.0, np.asarray(c["T"])[ok], c["T_alpha0"]], "-o", color=col, ms=3, label=f"n = {n}")
        axc.plot([r.alpha_D_c_limit[k, -1]], [0.0], "*", color=col, ms=11, mec="k", mew=0.5, clip_on=False)
    axc.set(xlabel=r"$\alpha$ (classical load)", ylabel="$T$", xlim=(0, None), ylim=(0, None),
            title="classical mixtures (stable below the lines)")
    style.legend_outside(axc, "right")
    return fig


def figure_dpdh(r, ax=None):
    """Left: learning line and first mixture spinodal with D1^2 (stationary) and D1 in dpdh; right:
    histogram of the scaled free-energy gradient at the solutions of either form."""
    if ax is None:
        fig, ax = style.figure(nrows=2, width=7.2, height=8.4)
    fig = ax[0].figure
    for j, n in enumerate(r.variant_orders):
        col = f"C{j}"
        style.line(ax[0], r.alphas, r.alpha_D_c[r.row(n)], color=col, label=f"n = {n}, $D_1^2$ (stationary)")
        style.line(ax[0], r.alphas, r.alpha_D_c_variant[j], color=col, ls="--", label=f"n = {n}, $D_1$")
    ax[0].set(xscale="log", yscale="log", xlabel=r"$\alpha$", ylabel=r"$\alpha_D^{(n)}$",
              title="spinodal with either form")
    style.log_ticks(ax[0], "x")
    style.log_ticks(ax[0], "y")
    style.legend_outside(ax[0], "right")
    lo = np.floor(np.log10(min(r.grad_squared.min(), r.grad_linear.min()) + 1e-300))
    hi = np.ceil(np.log10(max(r.grad_squared.max(), r.grad_linear.max())))
    bins = np.linspace(lo, hi, int(4 * (hi - lo)) + 1)
    ax[1].hist(np.log10(r.grad_squared), bins=bins, color="C2", alpha=0.8, label=r"$D_1^2$ (solutions on the lines)")
    ax[1].hist(np.log10(r.grad_linear), bins=bins, color="C3", alpha=0.8, label=r"$D_1$")
    ax[1].axvline(np.log10(r.fd_tolerance), color="k", ls=":", lw=1, label="finite-difference accuracy")
    ax[1].set(xlabel=r"$\log_{10}$ max scaled $|\nabla f|$ at the solution", ylabel="solutions")
    style.legend_outside(ax[1], "right")
    return fig
