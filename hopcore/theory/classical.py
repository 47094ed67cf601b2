"""Replica-symmetric (AGS) theory of the classical Hopfield model: pure functions.

Notation (book, chapter ``classical_replica``): load ``alpha = P/N``, temperature ``T = 1/beta``,
overlap ``m`` with each of the ``n`` condensed patterns (``n = 1``: retrieval state; ``n`` odd > 1:
symmetric mixture), Edwards-Anderson parameter ``q``, crosstalk parameter ``r``. ``zeta`` is the sum of
``n`` iid +-1 (binomial), ``z ~ N(0, 1)``, ``<.>`` averages over both, and the local field is
``h = m zeta + sqrt(alpha r) z``.

Finite temperature, replica-symmetric free energy per neuron (eq. ``classical_replica-f``)::

    f = alpha/2 + n m^2/2 + (alpha T/2) [ln D - beta q / D] + (alpha beta/2) r (1 - q)
        - T < ln 2 cosh(beta h) >,          D = 1 - beta (1 - q)

and its stationarity conditions (``df/dm = df/dq = df/dr = 0``)::

    m = <zeta tanh(beta h)> / n,   q = <tanh^2(beta h)>,   r = q / D^2.

Zero temperature, with ``C = beta (1 - q)`` finite and ``s = sqrt(alpha r)`` (eq. ``classical_replica-e0``)::

    e = alpha/2 + n m^2/2 - alpha / (2 (1 - C)) + (alpha/2) r C - < |m zeta + s z| >
    m = <zeta erf(m zeta / (s sqrt 2))> / n,  C = sqrt(2/pi)/s <exp(-m^2 zeta^2 / (2 s^2))>,  r = 1/(1 - C)^2.

With ``y = m / (s sqrt 2)`` the T = 0 equations reduce to one closed form (eq. ``classical_replica-y``)::

    sqrt(2 alpha) = g(y)/y - (2/sqrt(pi)) <exp(-zeta^2 y^2)>,   g(y) = <zeta erf(zeta y)>/n,   m = g(y),

so the critical load of the branch is the maximum of ``alpha(y)``.

Stability (eq. ``classical_replica-hess``): the Hessian of ``f`` in the space of overlaps with all
patterns, ``d^2 f / dm_mu dm_nu = delta_mu_nu (1 - beta) + beta <xi^mu xi^nu tanh^2(beta h)>`` at fixed
``q, r``, has at a symmetric n-mixture the eigenvalues

* ``lambda_out = D`` (overlap with an uncondensed pattern),
* ``lambda_in = D - b`` with ``b = beta <(zeta^2 - n) tanh^2> / (n (n - 1))``, multiplicity n - 1
  (unequal overlaps inside the mixture; these directions do not couple to ``q, r``),
* ``lambda_sym``: the symmetric direction, which couples to ``q`` and ``r``; it is the Schur complement
  of the Hessian of ``f(m, q, r)`` after eliminating ``q, r`` at their saddle point, divided by ``n``.

Solutions are :class:`hopcore.solvers.FixedPoint` records with ``x = (m, q, r)`` (finite T) or
``x = (m, C, r)`` (T = 0); a non-converged record is never a solution.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erf

from .. import validation as V
from ..solvers import (
    Branch,
    FixedPoint,
    binomial_mixture,
    follow_branch,
    locate_jump,
    normal_grid,
    numerical_hessian,
    damped_iteration,
    newton_iteration,
    solve_fixed_point,
)

__all__ = [
    "T_g",
    "alpha_c_T0",
    "alpha_c_global_T0",
    "critical_load_T0",
    "free_energy",
    "free_energy_T0",
    "free_energy_overlaps",
    "load_of_y_T0",
    "mixture_alpha_c_T0",
    "mixture_eigenvalues",
    "mixture_stability_line",
    "mixture_stability_T",
    "mixture_T_c_alpha0",
    "phase_diagram",
    "retrieval_curve_T0",
    "retrieval_curve_T0_reduced",
    "saddle_map",
    "saddle_map_T0",
    "saddle_point",
    "saddle_point_T0",
    "spin_glass_point",
    "spin_glass_point_T0",
    "T_c",
    "T_M",
    "alpha_M",
    "alpha_c_of_T",
    "mixture_stability_alpha",
]

SQRT2 = math.sqrt(2.0)
SQRT_2_PI = math.sqrt(2.0 / math.pi)
TWO_SQRT_PI = 2.0 / math.sqrt(math.pi)

_check_alpha = V.real(0.0, 10.0)
_check_T = V.real(0.0, 10.0, lo_open=True)
_check_n = V.integer(1, 41)


def _ln2cosh(x):
    return np.logaddexp(x, -x)


def _zrule(T: float, n_nodes: int | None = None):
    """Uniform Gaussian rule fine enough to resolve ``tanh(beta h)`` (step width ~ T / s, s <~ 1)."""
    if n_nodes is None:
        n_nodes = int(min(40001, max(801, 150.0 / T))) | 1
    return normal_grid(n_nodes, 10.0)


def T_g(alpha):
    """Spin-glass temperature ``T_g = 1 + sqrt(alpha)`` (where ``q`` becomes nonzero at m = 0)."""
    return 1.0 + np.sqrt(np.asarray(alpha, dtype=float))


# ----------------------------------------------------------------------------------------------
# finite temperature
# ----------------------------------------------------------------------------------------------


def free_energy(m, q, r, alpha, T, n: int = 1, *, n_nodes: int | None = None) -> float:
    """RS free energy per neuron ``f(m, q, r)`` of a symmetric n-mixture (eq. classical_replica-f).

    ``alpha = P/N >= 0``, ``T > 0``; ``m`` is the overlap with each of the n condensed patterns.
    Returns nan outside the domain ``D = 1 - beta (1 - q) > 0``, ``r >= 0``.
    """
    beta = 1.0 / T
    D = 1.0 - beta * (1.0 - q)
    if alpha == 0:
        D, r = 1.0, 0.0  # the alpha terms vanish: q and r drop out
    if not (D > 0 and r >= 0):
        return float("nan")
    zeta, pz = binomial_mixture(n)
    z, w = _zrule(T, n_nodes)
    h = m * zeta[:, None] + math.sqrt(alpha * r) * z[None, :]
    avg = pz @ (_ln2cosh(beta * h) @ w)
    return float(
        alpha / 2 + n * m * m / 2 + alpha * T / 2 * (math.log(D) - beta * q / D)
        + alpha * beta / 2 * r * (1 - q) - T * avg
    )


def free_energy_overlaps(m_vec, q, r, alpha, T, *, n_nodes: int | None = None) -> float:
    """RS free energy with an arbitrary overlap vector ``m_vec`` (one entry per condensed pattern).

    Same as :func:`free_energy` with ``n m^2/2 -> sum_mu m_mu^2/2`` and the average over all ``2^k``
    sign patterns ``xi`` of the ``k = len(m_vec)`` condensed patterns: ``h = m.xi + sqrt(alpha r) z``.
    Used for the Hessian in directions that break the symmetry of a mixture.
    """
    m_vec = np.asarray(m_vec, dtype=float)
    k = m_vec.size
    beta = 1.0 / T
    D = 1.0 - beta * (1.0 - q)
    if alpha == 0:
        D, r = 1.0, 0.0
    if not (D > 0 and r >= 0):
        return float("nan")
    xi = 1.0 - 2.0 * ((np.arange(2**k)[:, None] >> np.arange(k)[None, :]) & 1)
    z, w = _zrule(T, n_nodes)
    h = (xi @ m_vec)[:, None] + math.sqrt(alpha * r) * z[None, :]
    avg = np.mean(_ln2cosh(beta * h) @ w)
    return float(
        alpha / 2 + m_vec @ m_vec / 2 + alpha * T / 2 * (math.log(D) - beta * q / D)
        + alpha * beta / 2 * r * (1 - q) - T * avg
    )


def saddle_map(alpha, T, n: int = 1, *, n_nodes: int | None = None):
    """The map ``(m, q, r) -> (<zeta tanh>/n, <tanh^2>, q'/D(q')^2)`` whose fixed points are the
    stationary points of :func:`free_energy`. Returns nan outside ``D > 0``, ``r >= 0``."""
    alpha = _check_alpha("alpha", alpha)
    T = _check_T("T", T)
    n = _check_n("n", n)
    beta = 1.0 / T
    zeta, pz = binomial_mixture(n)
    z, w = _zrule(T, n_nodes)
    pzeta = pz * zeta / n

    def F(x):
        m, q, r = x
        if not (r >= 0 and np.isfinite(m)):
            return np.full(3, np.nan)
        t = np.tanh(beta * (m * zeta[:, None] + math.sqrt(alpha * r) * z[None, :]))
        m_new = pzeta @ (t @ w)
        q_new = pz @ ((t * t) @ w)
        D = 1.0 - beta * (1.0 - q_new)
        if alpha == 0:
            r_new = 0.0  # no crosstalk: r does not enter f, and D may be negative (unstable states)
        else:
            r_new = q_new / D**2 if D > 0 else np.nan
        return np.array([m_new, q_new, r_new])

    return F


def saddle_point(alpha, T, n: int = 1, x0=None, *, tol: float = 1e-11, max_iter: int = 20_000,
                 n_nodes: int | None = None) -> FixedPoint:
    """Solve the finite-T saddle-point equations from ``x0 = (m, q, r)`` (default: near the pure
    state, ``m = <|zeta|>/n``, ``q = 1``). Damped iteration, finished by Newton."""
    F = saddle_map(alpha, T, n, n_nodes=n_nodes)
    if x0 is None:
        zeta, pz = binomial_mixture(n)
        x0 = [float(pz @ np.abs(zeta)) / n, 0.999, 1.0]
    return solve_fixed_point(F, x0, damping=0.3, tol=tol, max_iter=max_iter)


def spin_glass_point(alpha, T, x0=None, *, tol: float = 1e-11, n_nodes: int | None = None) -> FixedPoint:
    """The m = 0 spin-glass solution ``(0, q, r)`` (``q > 0`` for ``T < T_g``), started from ``x0 = (q, r)``
    (default: the T = 0 spin glass with ``q = 1 - C T``, which keeps ``D = 1 - beta (1 - q) > 0``)."""
    F3 = saddle_map(alpha, T, 1, n_nodes=n_nodes)

    def F(x):
        y = F3(np.array([0.0, x[0], x[1]]))
        return y[1:]

    if x0 is None:
        if alpha > 0:
            _, C0, r0 = spin_glass_point_T0(alpha).x
        else:
            C0, r0 = 0.0, 1.0
        x0 = [max(1.0 - C0 * T, 0.5 * (1.0 - T) + 0.5) if T < 1 else 0.5, r0]
    sol = solve_fixed_point(F, x0, damping=0.3, tol=tol, max_iter=20_000)
    return FixedPoint(np.r_[0.0, sol.x], sol.converged, sol.iterations, sol.residual, sol.residuals, sol.method)


def mixture_eigenvalues(x, alpha, T, n: int, *, n_nodes: int | None = None, h: float = 1e-4) -> dict:
    """Eigenvalues of the overlap Hessian of ``f`` at a symmetric n-mixture ``x = (m, q, r)``
    (eq. classical_replica-hess): ``inside`` (= D - b, n >= 2; nan for n = 1), ``outside`` (= D),
    ``symmetric`` (Schur complement after eliminating q, r, per unit-norm direction). All > 0: the
    state is a local minimum in the space of overlaps."""
    m, q, r = (float(v) for v in x)
    beta = 1.0 / T
    zeta, pz = binomial_mixture(n)
    z, w = _zrule(T, n_nodes)
    t2 = np.tanh(beta * (m * zeta[:, None] + math.sqrt(alpha * max(r, 0.0)) * z[None, :])) ** 2
    D = 1.0 - beta * (1.0 - pz @ (t2 @ w))
    b = beta * (pz * (zeta**2 - n)) @ (t2 @ w) / (n * (n - 1)) if n > 1 else float("nan")
    if alpha > 0:
        H = numerical_hessian(lambda v: free_energy(v[0], v[1], v[2], alpha, T, n, n_nodes=n_nodes), [m, q, r], h=h)
        schur = H[0, 0] - H[0, 1:] @ np.linalg.solve(H[1:, 1:], H[1:, 0])
    else:
        schur = 1.0 - beta + beta * (pz * zeta**2) @ (t2 @ w) / n
        return {"inside": D - b, "outside": D, "symmetric": schur}
    return {"inside": D - b, "outside": D, "symmetric": schur / n}


# ----------------------------------------------------------------------------------------------
# zero temperature
# ----------------------------------------------------------------------------------------------


def _abs_avg(a, s):
    """``E |a + s z|`` for z ~ N(0, 1), s >= 0."""
    a = np.asarray(a, dtype=float)
    if s <= 0:
        return np.abs(a)
    return a * erf(a / (s * SQRT2)) + s * SQRT_2_PI * np.exp(-a * a / (2 * s * s))


def free_energy_T0(m, C, r, alpha, n: int = 1) -> float:
    """Ground-state energy per neuron ``e(m, C, r)`` of the RS theory at T = 0 (eq. classical_replica-e0).

    ``C = lim beta (1 - q)`` in [0, 1); nan outside the domain."""
    if not (C < 1 and r >= 0):
        return float("nan")
    zeta, pz = binomial_mixture(n)
    s = math.sqrt(alpha * r)
    return float(alpha / 2 + n * m * m / 2 - alpha / (2 * (1 - C)) + alpha / 2 * r * C - pz @ _abs_avg(m * zeta, s))


def saddle_map_T0(alpha, n: int = 1):
    """The T = 0 map ``(m, C, r) -> (<zeta erf(m zeta/(s sqrt2))>/n, sqrt(2/pi)/s <e^{-m^2 zeta^2/2s^2}>, 1/(1-C')^2)``."""
    alpha = V.real(0.0, 10.0, lo_open=True)("alpha", alpha)
    n = _check_n("n", n)
    zeta, pz = binomial_mixture(n)
    pzeta = pz * zeta / n

    def F(x):
        m, C, r = x
        if not (r > 0 and np.isfinite(m)):
            return np.full(3, np.nan)
        s = math.sqrt(alpha * r)
        u = m * zeta / (s * SQRT2)
        m_new = pzeta @ erf(u)
        C_new = SQRT_2_PI / s * (pz @ np.exp(-u * u))
        r_new = 1.0 / (1.0 - C_new) ** 2 if C_new < 1 else np.nan
        return np.array([m_new, C_new, r_new])

    return F


def saddle_point_T0(alpha, n: int = 1, x0=None, *, tol: float = 1e-12, max_iter: int = 20_000) -> FixedPoint:
    """Solve the T = 0 equations from ``x0 = (m, C, r)`` (default: the pure state, C = 0, r = 1)."""
    F = saddle_map_T0(alpha, n)
    if x0 is None:
        zeta, pz = binomial_mixture(n)
        x0 = [float(pz @ np.abs(zeta)) / n, 0.0, 1.0]
    return solve_fixed_point(F, x0, damping=0.0, tol=tol, max_iter=max_iter)


def spin_glass_point_T0(alpha) -> FixedPoint:
    """The m = 0 ground state at T = 0: ``C = k/(1 + k)``, ``k = sqrt(2/(pi alpha))``, ``r = (1 + k)^2``
    (closed form of the T = 0 equations at m = 0), returned as an exact FixedPoint."""
    alpha = V.real(0.0, 10.0, lo_open=True)("alpha", alpha)
    k = math.sqrt(2.0 / (math.pi * alpha))
    x = np.array([0.0, k / (1 + k), (1 + k) ** 2])
    res = float(np.max(np.abs(saddle_map_T0(alpha)(x) - x)))
    return FixedPoint(x, res < 1e-12, 0, res, np.array([res]), "closed form")


def load_of_y_T0(y, n: int = 1):
    """Closed-form T = 0 parametrization (eq. classical_replica-y): for ``y = m/(sqrt(2 alpha r))`` > 0
    return ``(alpha(y), m(y))``; ``alpha`` is nan where ``sqrt(2 alpha)`` would be negative."""
    n = _check_n("n", n)
    y = np.asarray(y, dtype=float)
    zeta, pz = binomial_mixture(n)
    g = (pz * zeta / n) @ erf(np.multiply.outer(zeta, y))
    e = pz @ np.exp(-np.multiply.outer(zeta**2, y * y))
    root = g / y - TWO_SQRT_PI * e
    alpha = np.where(root > 0, 0.5 * root * root, np.nan)
    return alpha, g


def critical_load_T0(n: int = 1) -> tuple[float, float, float]:
    """Maximum of ``alpha(y)`` of :func:`load_of_y_T0`: ``(alpha_c, m at alpha_c, y*)``; the symmetric
    n-mixture (n = 1: retrieval) exists at T = 0 for ``alpha < alpha_c`` only."""
    ys = np.linspace(0.05, 6.0, 4000)
    a, _ = load_of_y_T0(ys, n)
    k = int(np.nanargmax(a))
    res = minimize_scalar(lambda y: -load_of_y_T0(y, n)[0], bracket=(ys[max(k - 1, 0)], ys[k], ys[k + 1]),
                          tol=1e-12)
    a_c, m_c = load_of_y_T0(res.x, n)
    return float(a_c), float(m_c), float(res.x)


def retrieval_curve_T0_reduced(alphas, n: int = 1) -> np.ndarray:
    """``m(alpha)`` on the retrieval (n = 1) or n-mixture branch at T = 0 from the closed form,
    vectorized bisection in y on the stable side ``y > y*``; nan above the critical load."""
    alphas = np.asarray(alphas, dtype=float)
    a_c, _, y_star = critical_load_T0(n)
    target = np.sqrt(2 * alphas)
    lo = np.full(alphas.shape, y_star)
    hi = np.full(alphas.shape, 40.0)
    # sqrt(2 alpha(y)) decreases for y > y*: bisection, 60 halvings reach double precision
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        am, _ = load_of_y_T0(mid, n)
        above = np.sqrt(2 * np.nan_to_num(am, nan=0.0)) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    _, m = load_of_y_T0(0.5 * (lo + hi), n)
    return np.where((alphas <= a_c) & (alphas > 0), m, np.nan)


def retrieval_curve_T0(alphas, n: int = 1, *, tol: float = 1e-12) -> Branch:
    """Follow the T = 0 branch (x = (m, C, r)) along increasing ``alphas`` with the generic
    continuation; each point starts from the previous solution. Points where the branch no longer
    exists come back non-converged or with m ~ 0 (check ``branch.converged``)."""
    alphas = np.asarray(alphas, dtype=float)
    zeta, pz = binomial_mixture(n)
    x0 = [float(pz @ np.abs(zeta)) / n, 0.0, 1.0]
    return follow_branch(lambda a: saddle_map_T0(a, n), alphas, x0, solver=solve_fixed_point, tol=tol,
                         damping=0.0, max_iter=400, warmup=30)


def alpha_c_T0(n: int = 1, *, tol: float = 1e-7, lo: float = 1e-3, hi: float = 0.3, threshold: float | None = None):
    """Critical load at T = 0 located with the generic bisection (:func:`locate_jump`) on the solved
    equations: the largest ``alpha`` where the branch started from the pure state keeps
    ``m > threshold`` (default: half the T = 0, alpha -> 0 overlap). Returns ``(alpha_c, info)``;
    ``info["x_exists"]`` is ``(m, C, r)`` just below the jump."""
    zeta, pz = binomial_mixture(n)
    m0 = float(pz @ np.abs(zeta)) / n
    threshold = 0.5 * m0 if threshold is None else threshold

    def solve(a, x):
        return solve_fixed_point(saddle_map_T0(a, n), [m0, 0.0, 1.0] if x is None else x, damping=0.0,
                                 tol=1e-12, max_iter=400, warmup=30)

    return locate_jump(solve, lambda x: x[0], lo, hi, threshold=threshold, tol=tol)


def mixture_alpha_c_T0(n: int, *, tol: float = 1e-7):
    """T = 0 critical load of the symmetric n-mixture (toolkit bisection); see :func:`alpha_c_T0`."""
    return alpha_c_T0(n, tol=tol, lo=1e-4, hi=0.2)


def mixture_alpha_c_T0_bisection(n: int, *, tol: float = 1e-7) -> dict:
    """:func:`mixture_alpha_c_T0` as a record of numbers, for the result cache."""
    a, info = mixture_alpha_c_T0(n, tol=tol)
    return {"alpha_c": a, "exists_at": info["exists_at"], "gone_at": info["gone_at"], "bisections": info["bisections"]}


def mixture_inside_eigenvalue_alpha0(n: int, Ts) -> dict:
    """The Hessian eigenvalue inside the symmetric n-mixture at alpha = 0 (:func:`mixture_eigenvalues`,
    ``"inside"``) at each temperature of ``Ts``; nan where the mixture solution does not exist
    (solver failed or m ~ 0). Its sign change is the instability temperature of the mixture."""
    n = _check_n("n", n)
    Ts = np.asarray(Ts, dtype=float)
    vals = np.full(Ts.shape, np.nan)
    for k, T in enumerate(Ts):
        sol = saddle_point(0.0, float(T), n)
        if sol.converged and sol.x[0] > 1e-4:
            vals[k] = mixture_eigenvalues(sol.x, 0.0, float(T), n)["inside"]
    return {"T": Ts, "lambda_in": vals}


def alpha_c_global_T0() -> float:
    """Load where the retrieval and spin-glass ground-state energies cross at T = 0 (the T = 0 end of
    ``T_c``): below it retrieval states are global minima."""

    def gap(a):
        ret = saddle_point_T0(a)
        sg = spin_glass_point_T0(a)
        if not (ret.converged and sg.converged and ret.x[0] > 0.5):
            raise RuntimeError(f"T=0 solution failed at alpha={a}")
        return free_energy_T0(*ret.x, a) - free_energy_T0(*sg.x, a)

    return float(brentq(gap, 0.01, 0.12, xtol=1e-10))


# ----------------------------------------------------------------------------------------------
# finite-temperature lines of the phase diagram
# ----------------------------------------------------------------------------------------------


def _continue(F, x0) -> FixedPoint:
    """Solver for bisections that follow a branch from a nearby solution: Newton first (fast, and
    still convergent at a fold), a short damped iteration if Newton fails."""
    sol = newton_iteration(F, x0, tol=1e-11, max_iter=40)
    if sol.converged:
        return sol
    back = damped_iteration(F, x0, damping=0.3, tol=1e-11, max_iter=300)
    back.iterations += sol.iterations
    return back


def _solve_branch(alpha, T, n, x) -> FixedPoint:
    """Cold start (x None): robust damped + Newton from the T = 0 solution; warm start: :func:`_continue`."""
    if x is None:
        return saddle_point(alpha, T, n, _start_from_T0(alpha, n, T), max_iter=20_000)
    return _continue(saddle_map(alpha, T, n), x)


def _start_from_T0(alpha, n, T):
    """Initial (m, q, r) at low T from the T = 0 solution, q = 1 - C T."""
    if alpha == 0:
        zeta, pz = binomial_mixture(n)
        return np.array([float(pz @ np.abs(zeta)) / n, 1.0 - 1e-9, 1.0])
    s0 = saddle_point_T0(alpha, n)
    m, C, r = s0.x
    return np.array([m, 1.0 - C * T, r])


def _line_point(solve, order, lo, hi, tol, x_start=None):
    """Bisection wrapper: nan (with the reason) when the branch is absent at ``lo`` or present at ``hi``."""
    first = solve(lo, x_start)
    if not (first.converged and order(first.x) > 0):
        return float("nan"), {"n_not_converged": int(not first.converged), "reason": "no branch at the low end"}
    last = solve(hi, first.x)
    if last.converged and order(last.x) > 0:
        return float("nan"), {"n_not_converged": 0, "reason": "branch still there at the high end"}
    return locate_jump(solve, order, lo, hi, threshold=0.0, tol=tol, x_start=first.x)


def T_M(alpha, *, tol: float = 1e-6, T_lo: float = 0.05):
    """Retrieval spinodal at fixed load: the temperature above which the retrieval solution
    disappears (``0 < alpha < alpha_c``), by bisection in T following the branch up from ``T_lo``.
    Returns ``(T_M, info)``; nan if the branch does not exist at ``T_lo``."""
    alpha = V.real(0.0, 0.2, lo_open=True)("alpha", alpha)

    def solve(T, x):
        return _solve_branch(alpha, T, 1, x)

    return _line_point(solve, lambda x: x[0] - 1e-3, T_lo, 1.0, tol)


def alpha_M(T, *, n: int = 1, tol: float = 1e-7):
    """Spinodal at fixed temperature ``0 < T < 1``: the largest load where the retrieval solution
    (``n = 1``) or the symmetric n-mixture solution exists, by bisection in alpha following the branch
    from alpha = 1e-7. Existence only: for mixtures see :func:`mixture_stability_alpha`. ``(alpha, info)``."""
    T = V.real(0.0, 1.0, lo_open=True, hi_open=True)("T", T)
    n = _check_n("n", n)

    def solve(a, x):
        return _solve_branch(a, T, n, x)

    return _line_point(solve, lambda x: x[0] - 1e-3, 1e-7, 0.15, tol)


def _retrieval_gap(alpha, T, x_start):
    """``f_retrieval - f_spin-glass`` at (alpha, T) and the retrieval solution (None on failure)."""
    ret = _solve_branch(alpha, T, 1, x_start)
    sg = spin_glass_point(alpha, T)
    if not (ret.converged and sg.converged and ret.x[0] > 1e-3):
        return float("nan"), None
    return free_energy(*ret.x, alpha, T) - free_energy(*sg.x, alpha, T), ret.x


def _first_gap_crossing(controls, gap_at, tol):
    """Scan ``gap_at(c, x_start) -> (f_ret - f_sg, x)`` along ``controls`` by continuation (each point
    starts from the last converged solution) and refine the first upward sign change with brentq.
    Returns ``(c*, info)``; nan if the gap never changes sign on the scan."""
    x = None
    gaps, xs = [], []
    for c in controls:
        g, xc = gap_at(c, x)
        gaps.append(g)
        xs.append(xc)
        if xc is not None:
            x = xc
    gaps = np.array(gaps)
    ok = np.isfinite(gaps)
    idx = np.where(ok[:-1] & ok[1:] & (gaps[:-1] < 0) & (gaps[1:] >= 0))[0]
    info = {"n_not_converged": int((~ok).sum())}
    if idx.size == 0:
        return float("nan"), {**info, "reason": "no sign change of f_ret - f_sg"}
    k = int(idx[0])
    x_k = xs[k]
    return float(brentq(lambda c: gap_at(c, x_k)[0], controls[k], controls[k + 1], xtol=tol)), info


def alpha_c_of_T(T, *, alpha_M_value: float | None = None, tol: float = 1e-8):
    """The thermodynamic line ``T_c`` read at fixed ``T``: the load where the retrieval and spin-glass
    free energies are equal (retrieval states are global minima at smaller loads). Found by following
    the retrieval branch on a grid of loads up to the spinodal and refining the sign change with Brent's
    method. Returns ``(alpha, info)``; nan if there is no crossing."""
    T = V.real(0.0, 1.0, lo_open=True, hi_open=True)("T", T)
    am = alpha_M(T)[0] if alpha_M_value is None else alpha_M_value
    if not np.isfinite(am):
        return float("nan"), {"reason": "no retrieval branch", "n_not_converged": 0}
    alphas = np.linspace(am * 1e-3, am * (1 - 1e-5), 14)
    return _first_gap_crossing(alphas, lambda a, x: _retrieval_gap(a, T, x), tol)


def T_c(alpha, *, tol: float = 1e-6, T_lo: float = 0.05):
    """The thermodynamic line at fixed load: the temperature below which retrieval states are global
    minima (``f_retrieval = f_spin-glass``). Returns ``(T_c, info)``; nan if there is no crossing
    between ``T_lo`` and ``T_M(alpha)``."""
    alpha = V.real(0.0, 0.2, lo_open=True)("alpha", alpha)
    tm = T_M(alpha)[0]
    if not np.isfinite(tm):
        return float("nan"), {"reason": "no retrieval branch", "n_not_converged": 0}
    Ts = np.linspace(T_lo, tm * (1 - 1e-5), 14)
    return _first_gap_crossing(Ts, lambda T, x: _retrieval_gap(alpha, T, x), tol)


def mixture_T_c_alpha0(n: int, *, tol: float = 1e-10) -> float:
    """At alpha = 0, the temperature below which the symmetric n-mixture is a local minimum: the root of
    the inside eigenvalue ``lambda_in(T) = 1 - beta (1 - q) - b`` (eq. classical_replica-hess) on the
    symmetric branch. For even n the inside eigenvalue is negative at every T and nan is returned."""
    n = _check_n("n", n)
    if n < 2:
        V.fail("n", n, "an integer >= 2 (a mixture)")

    def lam(T):
        sol = saddle_point(0.0, T, n, _start_from_T0(0.0, n, T))
        if not (sol.converged and sol.x[0] > 1e-4):
            return float("nan")
        return mixture_eigenvalues(sol.x, 0.0, T, n)["inside"]

    Ts = np.linspace(0.02, 0.98, 49)
    vals = np.array([lam(T) for T in Ts])
    idx = np.where((vals[:-1] > 0) & (vals[1:] <= 0))[0]
    if idx.size == 0:
        return float("nan")
    return float(brentq(lam, Ts[idx[0]], Ts[idx[0] + 1], xtol=tol))


def _mixture_order(alpha_of, T_of, n):
    """Order parameter for the stability bisections: ``min(m - 1e-3, lambda_sym, lambda_in)``."""

    def order(x, c):
        if not x[0] > 1e-3:
            return -1.0
        ev = mixture_eigenvalues(x, alpha_of(c), T_of(c), n)
        vals = [x[0] - 1e-3, ev["symmetric"], ev["outside"]]
        if n > 1:
            vals.append(ev["inside"])
        return float(min(vals))

    return order


def _stability_bisection(solve_at, order_at, lo, hi, tol):
    state = {}

    def solve(c, x):
        state["c"] = c
        return solve_at(c, x)

    return _line_point(solve, lambda x: order_at(x, state["c"]), lo, hi, tol)


def mixture_stability_T(alpha, n: int, *, tol: float = 1e-5, T_lo: float = 0.05):
    """At fixed load, the temperature above which the symmetric n-mixture stops being a local minimum
    of f (it disappears, or an eigenvalue of the overlap Hessian, eq. classical_replica-hess, turns
    negative), by bisection in T following the branch up from ``T_lo``. ``(T_n, info)``.

    The symmetric ansatz alone would keep the mixture up to much higher T at small alpha, where
    ``lambda_in < 0``: the bisection's order parameter is ``min(m - 1e-3, lambda_sym, lambda_out, lambda_in)``.
    """
    alpha = V.real(0.0, 0.2)("alpha", alpha)
    n = _check_n("n", n)
    return _stability_bisection(
        lambda T, x: _solve_branch(alpha, T, n, x),
        _mixture_order(lambda c: alpha, lambda c: c, n), T_lo, 1.0, tol)


def mixture_stability_alpha(T, n: int, *, tol: float = 1e-7):
    """At fixed ``T``, the load above which the symmetric n-mixture stops being a local minimum (see
    :func:`mixture_stability_T`), by bisection in alpha from alpha = 0. ``(alpha_n, info)``; nan if the
    mixture is not stable at alpha = 0 and this T."""
    T = V.real(0.0, 1.0, lo_open=True, hi_open=True)("T", T)
    n = _check_n("n", n)
    hi = 1.5 * critical_load_T0(n)[0]
    return _stability_bisection(
        lambda a, x: _solve_branch(a, T, n, x),
        _mixture_order(lambda c: c, lambda c: T, n), 0.0, hi, tol)


def mixture_stability_line(n: int, Ts=None, *, n_T: int = 8, tol: float = 1e-6) -> dict:
    """The stability line of the symmetric n-mixture in the (alpha, T) plane, read at the temperatures
    ``Ts`` (default: ``n_T`` values between 10% and 97% of the alpha = 0 instability temperature):
    ``alpha[k]`` is :func:`mixture_stability_alpha` (nan where the mixture is unstable already at
    alpha = 0). Also returns the end points ``alpha_T0`` (T = 0 critical load, closed form) and
    ``T_alpha0`` (alpha = 0 instability temperature, :func:`mixture_T_c_alpha0`) and the count of
    bisection trials that did not converge (treated as "no stable branch there")."""
    n = _check_n("n", n)
    T_alpha0 = mixture_T_c_alpha0(n) if n > 1 else 1.0
    if Ts is None:
        Ts = T_alpha0 * np.linspace(0.1, 0.97, n_T)
    Ts = np.asarray(Ts, dtype=float)
    al = np.full(Ts.shape, np.nan)
    failures = 0
    for k, T in enumerate(Ts):
        al[k], info = mixture_stability_alpha(float(T), n, tol=tol)
        failures += int(info.get("n_not_converged", 0))
    return {
        "T": Ts,
        "alpha": al,
        "found": np.isfinite(al),
        "n_trials_not_converged": failures,
        "alpha_T0": critical_load_T0(n)[0],
        "T_alpha0": T_alpha0,
    }


def phase_diagram(Ts, *, tol: float = 1e-7) -> dict:
    """The retrieval lines of the (alpha, T) plane read at the temperatures ``Ts`` (0 < T < 1):
    ``alpha_M`` (spinodal: retrieval states exist and are local minima below/left of it) and
    ``alpha_Tc`` (thermodynamic line: retrieval states are global minima left of it), nan where not
    defined; plus the T = 0 end points ``alpha_c`` and ``alpha_c_global`` and ``T_g`` on a load grid.
    ``n_trials_not_converged`` counts bisection/scan trials where the solver failed (treated as "no
    branch"); ``n_points_missing`` counts requested line points that could not be computed."""
    Ts = np.asarray(Ts, dtype=float)
    am = np.full(Ts.shape, np.nan)
    ac = np.full(Ts.shape, np.nan)
    failures = 0
    for k, T in enumerate(Ts):
        am[k], info = alpha_M(float(T), tol=tol)
        failures += int(info.get("n_not_converged", 0))
        if np.isfinite(am[k]):
            ac[k], info = alpha_c_of_T(float(T), alpha_M_value=am[k], tol=tol)
            failures += int(info.get("n_not_converged", 0))
    alpha_grid = np.linspace(0.0, 0.2, 101)
    return {
        "T": Ts,
        "alpha_M": am,
        "alpha_Tc": ac,
        "alpha_grid": alpha_grid,
        "T_g": T_g(alpha_grid),
        "alpha_c": critical_load_T0(1)[0],
        "alpha_c_global": alpha_c_global_T0(),
        "n_trials_not_converged": failures,
        "n_points_missing": int(np.isnan(am).sum() + np.isnan(ac).sum()),
    }
