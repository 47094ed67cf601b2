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

from .. import validation
from ..solvers import (
    Branch,
    FixedPoint,
    binomial_mixture,
    damped_iteration,
    follow_branch,
    locate_jump,
    newton_iteration,
    normal_grid,
    numerical_hessian,
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

_check_alpha = validation.real(0.0, 10.0)
_check_T = validation.real(0.0, 10.0, lo_open=True)
_check_n = validation.integer(1, 41)


def _ln2cosh(x):
    return np.logaddexp(x, -x)


def _zrule(T: float, n_nodes: int | None = None):
    """Uniform Gaussian rule fine enough to resolve ``tanh(beta h)`` (step width ~ T / s, s <~ 1)."""
    if n_nodes is None:
        n_nodes = int(min(40001, max(801, 150.0 / T))) | 1
    return normal_grid(n_nodes, 10.0)


def T_g(alpha):
    """Spin-glass temperature ``T_g = 1 + sqrt(alpha)`` (where ``q`` becomes nonzero at m = 0).

    Parameters
    ----------
    alpha : float or array_like
        Load P/N >= 0.

    Returns
    -------
    numpy.ndarray or float
        T_g, same shape as ``alpha``.
    """
    return 1.0 + np.sqrt(np.asarray(alpha, dtype=float))


# ----------------------------------------------------------------------------------------------
# finite temperature
# ----------------------------------------------------------------------------------------------


def free_energy(m, q, r, alpha, T, n: int = 1, *, n_nodes: int | None = None) -> float:
    """RS free energy per neuron ``f(m, q, r)`` of a symmetric n-mixture.

    ``f = alpha/2 + n m^2/2 + (alpha T/2) [ln D - beta q / D] + (alpha beta/2) r (1 - q) - T < ln 2 cosh(beta h) >``
    with ``D = 1 - beta (1 - q)`` and ``h = m zeta + sqrt(alpha r) z``. At ``alpha = 0`` the alpha terms
    vanish and ``q, r`` drop out.

    Book equation: classical_replica-f

    Parameters
    ----------
    m : float
        Overlap with each of the n condensed patterns.
    q : float
        Edwards-Anderson parameter.
    r : float
        Crosstalk parameter, r >= 0.
    alpha : float
        Load P/N >= 0.
    T : float
        Temperature, T > 0.
    n : int, optional
        Number of condensed patterns (default 1: retrieval state).
    n_nodes : int, optional
        Points of the uniform Gaussian grid (default: enough to resolve ``tanh(beta h)``, between 801
        and 40001).

    Returns
    -------
    float
        f, or nan outside the domain ``D > 0``, ``r >= 0``.
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

    Book equation: classical_replica-f

    Parameters
    ----------
    m_vec : array_like, shape (k,)
        Overlaps with the k condensed patterns.
    q : float
        Edwards-Anderson parameter.
    r : float
        Crosstalk parameter, r >= 0.
    alpha : float
        Load P/N >= 0.
    T : float
        Temperature, T > 0.
    n_nodes : int, optional
        Points of the uniform Gaussian grid (default as in :func:`free_energy`).

    Returns
    -------
    float
        f, or nan outside the domain ``D > 0``, ``r >= 0``.
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
    """The map whose fixed points are the stationary points of :func:`free_energy`.

    ``(m, q, r) -> (<zeta tanh(beta h)>/n, <tanh^2(beta h)>, q'/D(q')^2)``, with ``q'`` the new q and
    ``D(q') = 1 - beta (1 - q')``; at ``alpha = 0`` the new r is 0 (no crosstalk).

    Book equation: classical_replica-sp

    Parameters
    ----------
    alpha : float
        Load P/N, in [0, 10].
    T : float
        Temperature, in (0, 10].
    n : int, optional
        Number of condensed patterns, in [1, 41] (default 1).
    n_nodes : int, optional
        Points of the uniform Gaussian grid (default as in :func:`free_energy`).

    Returns
    -------
    callable
        ``F(x) -> numpy.ndarray`` of shape (3,) for ``x = (m, q, r)``; nan outside ``D > 0``, ``r >= 0``.
    """
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
    """Solve the finite-T saddle-point equations from ``x0 = (m, q, r)``.

    Damped iteration (damping 0.3), finished by Newton (:func:`hopcore.solvers.solve_fixed_point`).

    Book equation: classical_replica-sp

    Parameters
    ----------
    alpha : float
        Load P/N, in [0, 10].
    T : float
        Temperature, in (0, 10].
    n : int, optional
        Number of condensed patterns (default 1).
    x0 : array_like, shape (3,), optional
        Start ``(m, q, r)``; default near the pure state, ``m = <|zeta|>/n``, ``q = 0.999``, ``r = 1``.
    tol : float, optional
        Convergence threshold on the residual (default 1e-11).
    max_iter : int, optional
        Maximum number of damped iterations (default 20000).
    n_nodes : int, optional
        Points of the uniform Gaussian grid (default as in :func:`free_energy`).

    Returns
    -------
    hopcore.solvers.FixedPoint
        ``x = (m, q, r)`` with its convergence record.
    """
    F = saddle_map(alpha, T, n, n_nodes=n_nodes)
    if x0 is None:
        zeta, pz = binomial_mixture(n)
        x0 = [float(pz @ np.abs(zeta)) / n, 0.999, 1.0]
    return solve_fixed_point(F, x0, damping=0.3, tol=tol, max_iter=max_iter)


def spin_glass_point(alpha, T, x0=None, *, tol: float = 1e-11, n_nodes: int | None = None) -> FixedPoint:
    """The m = 0 spin-glass solution ``(0, q, r)`` (``q > 0`` for ``T < T_g``).

    Solves the equations of :func:`saddle_map` restricted to m = 0, in the unknowns ``(q, r)``.

    Book equation: classical_replica-sp

    Parameters
    ----------
    alpha : float
        Load P/N.
    T : float
        Temperature, T > 0.
    x0 : array_like, shape (2,), optional
        Start ``(q, r)``; default: the T = 0 spin glass with ``q = 1 - C T``, which keeps
        ``D = 1 - beta (1 - q) > 0``.
    tol : float, optional
        Convergence threshold on the residual (default 1e-11).
    n_nodes : int, optional
        Points of the uniform Gaussian grid (default as in :func:`free_energy`).

    Returns
    -------
    hopcore.solvers.FixedPoint
        ``x = (0, q, r)`` with its convergence record.
    """
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
    """Eigenvalues of the overlap Hessian of ``f`` at a symmetric n-mixture ``x = (m, q, r)``.

    All > 0: the state is a local minimum in the space of overlaps. The symmetric eigenvalue is the
    Schur complement of the numerical Hessian of ``f(m, q, r)`` after eliminating ``q, r``, divided by
    n (per unit-norm direction); at alpha = 0 it is computed in closed form.

    Book equation: classical_replica-hess

    Parameters
    ----------
    x : array_like, shape (3,)
        The solution ``(m, q, r)``.
    alpha : float
        Load P/N >= 0.
    T : float
        Temperature, T > 0.
    n : int
        Number of condensed patterns.
    n_nodes : int, optional
        Points of the uniform Gaussian grid (default as in :func:`free_energy`).
    h : float, optional
        Step of the numerical Hessian (default 1e-4).

    Returns
    -------
    dict
        ``inside`` (= D - b, n >= 2; nan for n = 1), ``outside`` (= D), ``symmetric``.
    """
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
    """Ground-state energy per neuron ``e(m, C, r)`` of the RS theory at T = 0.

    ``e = alpha/2 + n m^2/2 - alpha / (2 (1 - C)) + (alpha/2) r C - < |m zeta + s z| >``,
    ``s = sqrt(alpha r)``.

    Book equation: classical_replica-e0

    Parameters
    ----------
    m : float
        Overlap with each of the n condensed patterns.
    C : float
        ``C = lim beta (1 - q)``, in [0, 1).
    r : float
        Crosstalk parameter, r >= 0.
    alpha : float
        Load P/N.
    n : int, optional
        Number of condensed patterns (default 1).

    Returns
    -------
    float
        e, or nan outside the domain ``C < 1``, ``r >= 0``.
    """
    if not (C < 1 and r >= 0):
        return float("nan")
    zeta, pz = binomial_mixture(n)
    s = math.sqrt(alpha * r)
    return float(alpha / 2 + n * m * m / 2 - alpha / (2 * (1 - C)) + alpha / 2 * r * C - pz @ _abs_avg(m * zeta, s))


def saddle_map_T0(alpha, n: int = 1):
    """The T = 0 map ``(m, C, r) -> (<zeta erf(m zeta/(s sqrt2))>/n, sqrt(2/pi)/s <e^{-m^2 zeta^2/2s^2}>, 1/(1-C')^2)``.

    Here ``s = sqrt(alpha r)`` and ``C'`` is the new C.

    Book equation: classical_replica-t0

    Parameters
    ----------
    alpha : float
        Load P/N, in (0, 10].
    n : int, optional
        Number of condensed patterns, in [1, 41] (default 1).

    Returns
    -------
    callable
        ``F(x) -> numpy.ndarray`` of shape (3,) for ``x = (m, C, r)``; nan for ``r <= 0`` or ``C' >= 1``.
    """
    alpha = validation.real(0.0, 10.0, lo_open=True)("alpha", alpha)
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
    """Solve the T = 0 equations from ``x0 = (m, C, r)`` (default: the pure state, C = 0, r = 1).

    Plain iteration, finished by Newton (:func:`hopcore.solvers.solve_fixed_point`).

    Book equation: classical_replica-t0

    Parameters
    ----------
    alpha : float
        Load P/N, in (0, 10].
    n : int, optional
        Number of condensed patterns (default 1).
    x0 : array_like, shape (3,), optional
        Start ``(m, C, r)``; default ``(<|zeta|>/n, 0, 1)``.
    tol : float, optional
        Convergence threshold on the residual (default 1e-12).
    max_iter : int, optional
        Maximum number of iterations (default 20000).

    Returns
    -------
    hopcore.solvers.FixedPoint
        ``x = (m, C, r)`` with its convergence record.
    """
    F = saddle_map_T0(alpha, n)
    if x0 is None:
        zeta, pz = binomial_mixture(n)
        x0 = [float(pz @ np.abs(zeta)) / n, 0.0, 1.0]
    return solve_fixed_point(F, x0, damping=0.0, tol=tol, max_iter=max_iter)


def spin_glass_point_T0(alpha) -> FixedPoint:
    """The m = 0 ground state at T = 0: ``C = k/(1 + k)``, ``k = sqrt(2/(pi alpha))``, ``r = (1 + k)^2``.

    Closed form of the T = 0 equations at m = 0, returned as an exact FixedPoint (converged when its
    residual under :func:`saddle_map_T0` is below 1e-12).

    Book equation: classical_replica-t0

    Parameters
    ----------
    alpha : float
        Load P/N, in (0, 10].

    Returns
    -------
    hopcore.solvers.FixedPoint
        ``x = (0, C, r)``, ``method = "closed form"``.
    """
    alpha = validation.real(0.0, 10.0, lo_open=True)("alpha", alpha)
    k = math.sqrt(2.0 / (math.pi * alpha))
    x = np.array([0.0, k / (1 + k), (1 + k) ** 2])
    res = float(np.max(np.abs(saddle_map_T0(alpha)(x) - x)))
    return FixedPoint(x, res < 1e-12, 0, res, np.array([res]), "closed form")


def load_of_y_T0(y, n: int = 1):
    """Closed-form T = 0 parametrization of a branch by ``y = m/(sqrt(2 alpha r))``.

    ``sqrt(2 alpha) = g(y)/y - (2/sqrt(pi)) <exp(-zeta^2 y^2)>``, ``g(y) = <zeta erf(zeta y)>/n``,
    ``m = g(y)``.

    Book equation: classical_replica-y

    Parameters
    ----------
    y : float or array_like
        Values y > 0.
    n : int, optional
        Number of condensed patterns, in [1, 41] (default 1).

    Returns
    -------
    alpha : numpy.ndarray or float
        alpha(y), nan where ``sqrt(2 alpha)`` would be negative.
    m : numpy.ndarray or float
        m(y).
    """
    n = _check_n("n", n)
    y = np.asarray(y, dtype=float)
    zeta, pz = binomial_mixture(n)
    g = (pz * zeta / n) @ erf(np.multiply.outer(zeta, y))
    e = pz @ np.exp(-np.multiply.outer(zeta**2, y * y))
    root = g / y - TWO_SQRT_PI * e
    alpha = np.where(root > 0, 0.5 * root * root, np.nan)
    return alpha, g


def critical_load_T0(n: int = 1) -> tuple[float, float, float]:
    """Maximum of ``alpha(y)`` of :func:`load_of_y_T0`: the T = 0 critical load of the branch.

    The symmetric n-mixture (n = 1: retrieval) exists at T = 0 for ``alpha < alpha_c`` only. Grid
    search on y in [0.05, 6], refined by Brent's method.

    Book equation: classical_replica-y

    Parameters
    ----------
    n : int, optional
        Number of condensed patterns (default 1).

    Returns
    -------
    alpha_c : float
        The critical load.
    m_c : float
        The overlap at alpha_c.
    y_star : float
        The maximizer y*.
    """
    ys = np.linspace(0.05, 6.0, 4000)
    a, _ = load_of_y_T0(ys, n)
    k = int(np.nanargmax(a))
    res = minimize_scalar(lambda y: -load_of_y_T0(y, n)[0], bracket=(ys[max(k - 1, 0)], ys[k], ys[k + 1]),
                          tol=1e-12)
    a_c, m_c = load_of_y_T0(res.x, n)
    return float(a_c), float(m_c), float(res.x)


def retrieval_curve_T0_reduced(alphas, n: int = 1) -> np.ndarray:
    """``m(alpha)`` on the retrieval (n = 1) or n-mixture branch at T = 0 from the closed form.

    Vectorized bisection in y on the stable side ``y > y*`` (60 halvings, double precision).

    Book equation: classical_replica-y

    Parameters
    ----------
    alphas : array_like
        Loads.
    n : int, optional
        Number of condensed patterns (default 1).

    Returns
    -------
    numpy.ndarray of float64
        m at each load, same shape as ``alphas``; nan above the critical load (and at alpha <= 0).
    """
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
    """Follow the T = 0 branch (x = (m, C, r)) along ``alphas`` with the generic continuation.

    Each point starts from the previous solution (:func:`hopcore.solvers.follow_branch`, solver
    :func:`hopcore.solvers.solve_fixed_point`); ``alphas`` are taken in the given order (increasing for
    the retrieval branch). Points where the branch no longer exists come back non-converged or with
    m ~ 0 (check ``branch.converged``).

    Book equation: classical_replica-t0

    Parameters
    ----------
    alphas : array_like
        Loads, in the order they are followed.
    n : int, optional
        Number of condensed patterns (default 1).
    tol : float, optional
        Convergence threshold on the residual (default 1e-12).

    Returns
    -------
    hopcore.solvers.Branch
        The solutions ``(m, C, r)`` with their convergence record.
    """
    alphas = np.asarray(alphas, dtype=float)
    zeta, pz = binomial_mixture(n)
    x0 = [float(pz @ np.abs(zeta)) / n, 0.0, 1.0]
    return follow_branch(lambda a: saddle_map_T0(a, n), alphas, x0, solver=solve_fixed_point, tol=tol,
                         damping=0.0, max_iter=400, warmup=30)


def alpha_c_T0(n: int = 1, *, tol: float = 1e-7, lo: float = 1e-3, hi: float = 0.3, threshold: float | None = None):
    """Critical load at T = 0 located with the generic bisection (:func:`locate_jump`) on the solved equations.

    The largest ``alpha`` where the branch started from the pure state keeps ``m > threshold``.

    Book equation: classical_replica-t0

    Parameters
    ----------
    n : int, optional
        Number of condensed patterns (default 1).
    tol : float, optional
        Width of the final bracket (default 1e-7).
    lo, hi : float, optional
        Initial bracket in alpha (defaults 1e-3 and 0.3).
    threshold : float, optional
        Level of m below which the branch is gone (default: half the T = 0, alpha -> 0 overlap
        ``<|zeta|>/n``).

    Returns
    -------
    alpha_c : float
        The critical load.
    info : dict
        The record of :func:`locate_jump`; ``info["x_exists"]`` is ``(m, C, r)`` just below the jump.
    """
    zeta, pz = binomial_mixture(n)
    m0 = float(pz @ np.abs(zeta)) / n
    threshold = 0.5 * m0 if threshold is None else threshold

    def solve(a, x):
        return solve_fixed_point(saddle_map_T0(a, n), [m0, 0.0, 1.0] if x is None else x, damping=0.0,
                                 tol=1e-12, max_iter=400, warmup=30)

    return locate_jump(solve, lambda x: x[0], lo, hi, threshold=threshold, tol=tol)


def mixture_alpha_c_T0(n: int, *, tol: float = 1e-7):
    """T = 0 critical load of the symmetric n-mixture (toolkit bisection); see :func:`alpha_c_T0`.

    Bisection bracket [1e-4, 0.2].

    Parameters
    ----------
    n : int
        Number of condensed patterns.
    tol : float, optional
        Width of the final bracket (default 1e-7).

    Returns
    -------
    alpha_c : float
        The critical load.
    info : dict
        The record of :func:`locate_jump`.
    """
    return alpha_c_T0(n, tol=tol, lo=1e-4, hi=0.2)


def mixture_alpha_c_T0_bisection(n: int, *, tol: float = 1e-7) -> dict:
    """:func:`mixture_alpha_c_T0` as a record of numbers, for the result cache.

    Parameters
    ----------
    n : int
        Number of condensed patterns.
    tol : float, optional
        Width of the final bracket (default 1e-7).

    Returns
    -------
    dict
        ``alpha_c``, ``exists_at``, ``gone_at`` (final bracket ends) and ``bisections``.
    """
    a, info = mixture_alpha_c_T0(n, tol=tol)
    return {"alpha_c": a, "exists_at": info["exists_at"], "gone_at": info["gone_at"], "bisections": info["bisections"]}


def mixture_inside_eigenvalue_alpha0(n: int, Ts) -> dict:
    """The Hessian eigenvalue inside the symmetric n-mixture at alpha = 0, at each temperature of ``Ts``.

    The ``"inside"`` eigenvalue of :func:`mixture_eigenvalues`; nan where the mixture solution does
    not exist (solver failed or m ~ 0). Its sign change is the instability temperature of the mixture.

    Book equation: classical_replica-hess

    Parameters
    ----------
    n : int
        Number of condensed patterns, in [1, 41].
    Ts : array_like
        Temperatures, T > 0.

    Returns
    -------
    dict
        ``T`` (the temperatures) and ``lambda_in`` (the eigenvalue at each, same shape).
    """
    n = _check_n("n", n)
    Ts = np.asarray(Ts, dtype=float)
    vals = np.full(Ts.shape, np.nan)
    for k, T in enumerate(Ts):
        sol = saddle_point(0.0, float(T), n)
        if sol.converged and sol.x[0] > 1e-4:
            vals[k] = mixture_eigenvalues(sol.x, 0.0, float(T), n)["inside"]
    return {"T": Ts, "lambda_in": vals}


def alpha_c_global_T0() -> float:
    """Load where the retrieval and spin-glass ground-state energies cross at T = 0 (the T = 0 end of ``T_c``).

    Below it retrieval states are global minima. Root of the energy difference (from
    :func:`free_energy_T0`) in [0.01, 0.12] by Brent's method.

    Book equation: classical_replica-e0

    Returns
    -------
    float
        The load alpha at the crossing.
    """

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
    """Retrieval spinodal at fixed load: the temperature above which the retrieval solution disappears.

    Valid for ``0 < alpha < alpha_c``; bisection in T on [T_lo, 1] following the branch up from ``T_lo``.

    Book equation: classical_replica-sp

    Parameters
    ----------
    alpha : float
        Load P/N, in (0, 0.2].
    tol : float, optional
        Width of the final bracket (default 1e-6).
    T_lo : float, optional
        Lowest temperature, where the branch must exist (default 0.05).

    Returns
    -------
    T_M : float
        The spinodal temperature; nan if the branch does not exist at ``T_lo`` (or still exists at T = 1).
    info : dict
        The record of :func:`locate_jump`, or the reason of the nan.
    """
    alpha = validation.real(0.0, 0.2, lo_open=True)("alpha", alpha)

    def solve(T, x):
        return _solve_branch(alpha, T, 1, x)

    return _line_point(solve, lambda x: x[0] - 1e-3, T_lo, 1.0, tol)


def alpha_M(T, *, n: int = 1, tol: float = 1e-7):
    """Spinodal at fixed temperature ``0 < T < 1``: the largest load where the branch exists.

    The retrieval solution (``n = 1``) or the symmetric n-mixture solution, by bisection in alpha on
    [1e-7, 0.15] following the branch from alpha = 1e-7. Existence only: for mixtures see
    :func:`mixture_stability_alpha`.

    Book equation: classical_replica-sp

    Parameters
    ----------
    T : float
        Temperature, in (0, 1).
    n : int, optional
        Number of condensed patterns (default 1).
    tol : float, optional
        Width of the final bracket (default 1e-7).

    Returns
    -------
    alpha : float
        The spinodal load; nan if the branch is absent at alpha = 1e-7 or still present at 0.15.
    info : dict
        The record of :func:`locate_jump`, or the reason of the nan.
    """
    T = validation.real(0.0, 1.0, lo_open=True, hi_open=True)("T", T)
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
    """The thermodynamic line ``T_c`` read at fixed ``T``.

    The load where the retrieval and spin-glass free energies are equal (retrieval states are global
    minima at smaller loads). Found by following the retrieval branch on a grid of 14 loads up to the
    spinodal and refining the sign change with Brent's method.

    Book equation: classical_replica-f

    Parameters
    ----------
    T : float
        Temperature, in (0, 1).
    alpha_M_value : float, optional
        The spinodal load :func:`alpha_M` at this T, if already known.
    tol : float, optional
        Tolerance of Brent's method (default 1e-8).

    Returns
    -------
    alpha : float
        The load on the line; nan if there is no crossing.
    info : dict
        ``n_not_converged`` (failed solves), and ``reason`` when alpha is nan.
    """
    T = validation.real(0.0, 1.0, lo_open=True, hi_open=True)("T", T)
    am = alpha_M(T)[0] if alpha_M_value is None else alpha_M_value
    if not np.isfinite(am):
        return float("nan"), {"reason": "no retrieval branch", "n_not_converged": 0}
    alphas = np.linspace(am * 1e-3, am * (1 - 1e-5), 14)
    return _first_gap_crossing(alphas, lambda a, x: _retrieval_gap(a, T, x), tol)


def T_c(alpha, *, tol: float = 1e-6, T_lo: float = 0.05):
    """The thermodynamic line at fixed load: the temperature below which retrieval states are global minima.

    Where ``f_retrieval = f_spin-glass``, found on a grid of 14 temperatures between ``T_lo`` and
    ``T_M(alpha)``, refined with Brent's method.

    Book equation: classical_replica-f

    Parameters
    ----------
    alpha : float
        Load P/N, in (0, 0.2].
    tol : float, optional
        Tolerance of Brent's method (default 1e-6).
    T_lo : float, optional
        Lowest temperature of the scan (default 0.05).

    Returns
    -------
    T_c : float
        The temperature on the line; nan if there is no crossing between ``T_lo`` and ``T_M(alpha)``.
    info : dict
        ``n_not_converged`` (failed solves), and ``reason`` when T_c is nan.
    """
    alpha = validation.real(0.0, 0.2, lo_open=True)("alpha", alpha)
    tm = T_M(alpha)[0]
    if not np.isfinite(tm):
        return float("nan"), {"reason": "no retrieval branch", "n_not_converged": 0}
    Ts = np.linspace(T_lo, tm * (1 - 1e-5), 14)
    return _first_gap_crossing(Ts, lambda T, x: _retrieval_gap(alpha, T, x), tol)


def mixture_T_c_alpha0(n: int, *, tol: float = 1e-10) -> float:
    """At alpha = 0, the temperature below which the symmetric n-mixture is a local minimum.

    The root of the inside eigenvalue ``lambda_in(T) = 1 - beta (1 - q) - b`` on the symmetric branch,
    bracketed on a grid of 49 temperatures in [0.02, 0.98] and refined by Brent's method. For even n
    the inside eigenvalue is negative at every T and nan is returned.

    Book equation: classical_replica-hess

    Parameters
    ----------
    n : int
        Number of condensed patterns, in [2, 41].
    tol : float, optional
        Tolerance of Brent's method (default 1e-10).

    Returns
    -------
    float
        The instability temperature, or nan without a sign change.
    """
    n = _check_n("n", n)
    if n < 2:
        validation.fail("n", n, "an integer >= 2 (a mixture)")

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
    """At fixed load, the temperature above which the symmetric n-mixture stops being a local minimum of f.

    It disappears, or an eigenvalue of the overlap Hessian turns negative; bisection in T on
    [T_lo, 1] following the branch up from ``T_lo``.

    The symmetric ansatz alone would keep the mixture up to much higher T at small alpha, where
    ``lambda_in < 0``: the bisection's order parameter is ``min(m - 1e-3, lambda_sym, lambda_out, lambda_in)``.

    Book equation: classical_replica-hess

    Parameters
    ----------
    alpha : float
        Load P/N, in [0, 0.2].
    n : int
        Number of condensed patterns.
    tol : float, optional
        Width of the final bracket (default 1e-5).
    T_lo : float, optional
        Lowest temperature, where the mixture must be stable (default 0.05).

    Returns
    -------
    T_n : float
        The stability temperature, or nan.
    info : dict
        The record of :func:`locate_jump`, or the reason of the nan.
    """
    alpha = validation.real(0.0, 0.2)("alpha", alpha)
    n = _check_n("n", n)
    return _stability_bisection(
        lambda T, x: _solve_branch(alpha, T, n, x),
        _mixture_order(lambda c: alpha, lambda c: c, n), T_lo, 1.0, tol)


def mixture_stability_alpha(T, n: int, *, tol: float = 1e-7):
    """At fixed ``T``, the load above which the symmetric n-mixture stops being a local minimum.

    See :func:`mixture_stability_T`; bisection in alpha on [0, 1.5 alpha_c(T = 0)] from alpha = 0.

    Book equation: classical_replica-hess

    Parameters
    ----------
    T : float
        Temperature, in (0, 1).
    n : int
        Number of condensed patterns.
    tol : float, optional
        Width of the final bracket (default 1e-7).

    Returns
    -------
    alpha_n : float
        The stability load; nan if the mixture is not stable at alpha = 0 and this T.
    info : dict
        The record of :func:`locate_jump`, or the reason of the nan.
    """
    T = validation.real(0.0, 1.0, lo_open=True, hi_open=True)("T", T)
    n = _check_n("n", n)
    hi = 1.5 * critical_load_T0(n)[0]
    return _stability_bisection(
        lambda a, x: _solve_branch(a, T, n, x),
        _mixture_order(lambda c: c, lambda c: T, n), 0.0, hi, tol)


def mixture_stability_line(n: int, Ts=None, *, n_T: int = 8, tol: float = 1e-6) -> dict:
    """The stability line of the symmetric n-mixture in the (alpha, T) plane, read at the temperatures ``Ts``.

    ``alpha[k]`` is :func:`mixture_stability_alpha` at ``Ts[k]`` (nan where the mixture is unstable
    already at alpha = 0). Bisection trials that did not converge are treated as "no stable branch
    there".

    Parameters
    ----------
    n : int
        Number of condensed patterns.
    Ts : array_like, optional
        Temperatures; default ``n_T`` values between 10% and 97% of the alpha = 0 instability
        temperature.
    n_T : int, optional
        Number of default temperatures (default 8).
    tol : float, optional
        Width of the final brackets (default 1e-6).

    Returns
    -------
    dict
        ``T``, ``alpha``, ``found`` (finite alpha), ``n_trials_not_converged``, and the end points
        ``alpha_T0`` (T = 0 critical load, closed form) and ``T_alpha0`` (alpha = 0 instability
        temperature, :func:`mixture_T_c_alpha0`; 1 for n = 1).
    """
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
    """The retrieval lines of the (alpha, T) plane read at the temperatures ``Ts`` (0 < T < 1).

    ``alpha_M`` (spinodal: retrieval states exist and are local minima below/left of it) and
    ``alpha_Tc`` (thermodynamic line: retrieval states are global minima left of it), nan where not
    defined; plus the T = 0 end points ``alpha_c`` and ``alpha_c_global`` and ``T_g`` on a load grid.

    Parameters
    ----------
    Ts : array_like
        Temperatures, in (0, 1).
    tol : float, optional
        Width of the final brackets (default 1e-7).

    Returns
    -------
    dict
        ``T``, ``alpha_M``, ``alpha_Tc``, ``alpha_grid`` (101 loads in [0, 0.2]), ``T_g`` (on that
        grid), ``alpha_c``, ``alpha_c_global``; ``n_trials_not_converged`` counts bisection/scan
        trials where the solver failed (treated as "no branch"); ``n_points_missing`` counts requested
        line points that could not be computed.
    """
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
