"""Checks of the replica derivation of the corrected storage free energy (page ``rf_storage_replica``).

The saddle-point equations, the finite-temperature replica-symmetric free energy and the classical
(AGS) limit are written here again from the derivation, with their own quadratures (scipy ``quad``
for the dense law of u, exact binomial sums for sparse examples), and compared with what
``hopcore.theory.random_features`` solves.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import minimize_scalar
from scipy.special import erf

from hopcore.theory import random_features as rf

K1SQ = 2.0 / math.pi  # kappa_1^2 of the sign activation
KS2 = 1.0 - 2.0 / math.pi  # kappa_s^2
PUBLISHED = next(v for v in rf.STORAGE_VARIANTS if v != "coherent")  # the published ansatz, no w
POINTS = [(0.005, 0.02), (0.02, 0.1), (0.05, 0.5), (0.1, 2.0)]  # (alpha, alpha_D), all in the retrieval phase
# residual tolerance: the solver stops at a relative residual 1e-11; the library averages over |u| with a
# 32-point Gauss-Legendre rule and this file with adaptive quadrature (error < 1e-11): a fixed point of one
# is a fixed point of the other up to the difference of the two rules, far below 1e-8
TOL = 1e-8


def _gauss(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _avg_abs_u(g, L=None):
    """E g(|u|): u ~ N(0, 1) (dense) or u = zeta / sqrt(L), zeta a sum of L iid +-1 (sparse)."""
    if L is None:
        return quad(lambda t: 2.0 * _gauss(t) * g(t), 0.0, np.inf, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
    total = 0.0
    for k in range(L + 1):
        total += math.comb(L, k) * 0.5**L * g(abs(L - 2 * k) / math.sqrt(L))
    return total


def residuals(x, alpha, alpha_D, L=None, coherent=True):
    """x - F(x) for the saddle-point equations (rf-storage-replica-sp), written from the derivation.

    coherent=False: the published ansatz (w = w_hat = 0, the c^1 direction counted as uncondensed).
    """
    dq, qh, dp, dph, pd, dpdh, m = x[:7]
    w = x[7] if coherent else 0.0
    aT = alpha / alpha_D
    D1 = 1.0 - K1SQ * dp - KS2 * dq
    D2 = 1.0 - aT * dph * dq
    a = math.sqrt(alpha * qh)
    wh = aT * dph * w  # conjugate of w at the saddle point

    def B(t):
        return m + wh * t

    r = [
        dq - _avg_abs_u(lambda t: 2.0 * _gauss(B(t) / a), L) / a,
        qh - (KS2 * (K1SQ * pd + KS2) / D1**2 + (dpdh + aT * dph**2) / D2**2),
        dp - dq / D2,
        dph - K1SQ / D1,
        pd - (w * w / alpha_D + (1.0 + aT * dq**2 * dpdh) / D2**2),
        dpdh - K1SQ * (K1SQ * pd + KS2) / D1**2,
        m - _avg_abs_u(lambda t: erf(B(t) / (math.sqrt(2.0) * a)), L),
    ]
    if coherent:
        r.append(w_equation(x, alpha, alpha_D, L))
    return np.array(r)


def w_equation(x, alpha, alpha_D, L=None):
    """w - E_u |u| erf(B(u) / (sqrt 2 a)): the stationarity of f in w after eliminating w_hat."""
    dq, qh, dp, dph, pd, dpdh, m, w = x
    a = math.sqrt(alpha * qh)
    wh = (alpha / alpha_D) * dph * w
    return w - _avg_abs_u(lambda t: t * erf((m + wh * t) / (math.sqrt(2.0) * a)), L)


def free_energy_T0(x, alpha, alpha_D, L=None):
    """(rf-storage-replica-f), written from the derivation (conjugates eliminated)."""
    dq, qh, dp, dph, pd, dpdh, m, w = x
    aT = alpha / alpha_D
    D1 = 1.0 - K1SQ * dp - KS2 * dq
    D2 = 1.0 - aT * dph * dq
    a = math.sqrt(alpha * qh)

    def abs_avg(b):  # E_z |a z + b|
        return 2.0 * a * _gauss(b / a) + b * erf(b / (math.sqrt(2.0) * a))

    site = _avg_abs_u(lambda t: abs_avg(m + aT * dph * w * t), L)
    return (0.5 * alpha * (1.0 + dp * dpdh + dph * pd + dq * qh)
            - 0.5 * alpha * ((KS2 + K1SQ * pd) / D1 + (dph + dq * dpdh) / D2)
            + 0.5 * m * m + 0.5 * aT * dph * w * w - site)


def free_energy_beta(x, alpha, alpha_D, beta):
    """beta f_beta / beta of (rf-storage-replica-fbeta): RS, r -> 0 taken, before beta -> infinity.

    Evaluated at the unscaled order parameters obtained from the zero-temperature ones x through the
    scalings (rf-storage-replica-scaling): q = 1 - dq/beta, p = p_d - dp/beta, Q_hat = beta^2 alpha qh,
    p_hat = beta^2 dpdh, p_hat_d - p_hat = beta dph, m_hat = m, w_hat = alpha_T dph w.
    """
    dq, qh, dp, dph, pd, dpdh, m, w = x
    aT = alpha / alpha_D
    q, p = 1.0 - dq / beta, pd - dp / beta
    Q_hat = alpha * beta**2 * qh
    p_hat = beta**2 * dpdh
    dp_hat = beta * dph  # p_hat_d - p_hat
    m_hat, w_hat = m, aT * dph * w
    # the P - 1 uncondensed examples: (1/r) ln det(1 - beta C), C = kappa_1^2 p_ab + kappa_s^2 q_ab
    C = K1SQ * p + KS2 * q
    Delta = K1SQ * (pd - p) + KS2 * (1.0 - q)
    A1 = 1.0 - beta * Delta
    bf = alpha * beta / 2.0 + alpha / 2.0 * (math.log(A1) - beta * C / A1)
    # Legendre term of p and the condensed direction's share of it
    bf += alpha / 2.0 * (dp_hat * pd + p_hat * (pd - p)) - aT / 2.0 * dp_hat * w * w
    # the D - 1 uncondensed feature directions: (1/r) ln det(1 - alpha_T Q P_hat)
    A2 = 1.0 - aT * dp_hat * (1.0 - q)
    bf += alpha_D / 2.0 * (math.log(A2) - aT * (p_hat * (1.0 - q) + q * dp_hat) / A2)
    bf += beta * (m * m_hat - 0.5 * m * m + w * w_hat) + Q_hat / 2.0 * (1.0 - q)
    # site: E_{u,z} ln 2 cosh(sqrt(Q_hat) z + beta m_hat sign u + beta w_hat u), folded on |u|
    z = np.linspace(-12.0, 12.0, 48_001)
    wz = np.exp(-0.5 * z * z)
    wz /= wz.sum()
    t, wt = np.polynomial.legendre.leggauss(120)
    t = 5.0 * (t + 1.0)
    wt = 5.0 * wt * 2.0 * np.exp(-0.5 * t * t) / math.sqrt(2.0 * math.pi)
    bh = beta * (m_hat + w_hat * t[:, None]) + math.sqrt(Q_hat) * z[None, :]
    ln2cosh = np.abs(bh) + np.log1p(np.exp(-2.0 * np.abs(bh)))
    bf -= float(wt @ (ln2cosh @ wz))
    return bf / beta


def _solution(alpha, alpha_D, variant="coherent", L=None):
    sol = rf.saddle_point_storage(alpha, alpha_D, variant=variant, L=L)
    assert sol.converged and sol.x[6] > 0.9, (alpha, alpha_D, variant, sol)
    return sol.x


@pytest.mark.parametrize("alpha,alpha_D", POINTS)
def test_library_solutions_solve_the_derived_equations(alpha, alpha_D):
    x = _solution(alpha, alpha_D)
    r = residuals(x, alpha, alpha_D)
    assert np.all(np.abs(r) / np.maximum(1.0, np.abs(x)) < TOL), r
    # the w equation on its own, and w is not the zero-response value E|u| = kappa_1 (it feels the crosstalk)
    assert abs(w_equation(x, alpha, alpha_D)) < TOL
    assert 0.0 < x[7] < math.sqrt(K1SQ)
    # the derived free energy is the implemented one
    assert abs(free_energy_T0(x, alpha, alpha_D) - rf.free_energy_storage(x, alpha, alpha_D)) < 1e-9


def test_derived_free_energy_away_from_the_solution():
    rng = np.random.default_rng(7)
    for alpha, alpha_D in POINTS:
        x = _solution(alpha, alpha_D) * (1.0 + 0.2 * rng.standard_normal(8))
        x[0], x[2] = abs(x[0]), abs(x[2])  # responses stay positive
        assert abs(free_energy_T0(x, alpha, alpha_D) - rf.free_energy_storage(x, alpha, alpha_D)) < 1e-9


@pytest.mark.parametrize("L", [3, 9])
def test_sparse_example_solves_the_derived_equations(L):
    alpha, alpha_D = 0.004, 0.02
    x = _solution(alpha, alpha_D, L=L)
    r = residuals(x, alpha, alpha_D, L=L)
    assert np.all(np.abs(r) / np.maximum(1.0, np.abs(x)) < TOL), r
    assert abs(free_energy_T0(x, alpha, alpha_D, L) - rf.free_energy_storage(x, alpha, alpha_D, L=L)) < 1e-9


@pytest.mark.parametrize("alpha,alpha_D", POINTS)
def test_published_ansatz_is_the_unconditioned_average(alpha, alpha_D):
    """The published solution solves the equations with w = w_hat = 0, and violates the w equation."""
    x = _solution(alpha, alpha_D, PUBLISHED)
    assert np.all(np.abs(residuals(x, alpha, alpha_D, coherent=False)) / np.maximum(1.0, np.abs(x)) < TOL)
    # with w = 0 the w equation reads 0 = E|u| erf(m / sqrt(2 alpha qh)) = kappa_1 m, far from zero
    viol = w_equation(np.append(x, 0.0), alpha, alpha_D)
    assert abs(viol + math.sqrt(K1SQ) * x[6]) < 1e-9 and abs(viol) > 0.5


def _rs_logdet(A, B, r):
    """sign and log|det| of A 1 + B J (r x r, J all ones): eigenvalues A (r - 1 times) and A + r B."""
    return np.sign(A) ** (r - 1) * np.sign(A + r * B), (r - 1) * math.log(abs(A)) + math.log(abs(A + r * B))


def test_rs_determinant_identities():
    """ln det of the RS matrices of the derivation, at integer r, against the eigenvalue forms used for r -> 0."""
    q, pd, p, ph_d, ph, beta = 0.7, 1.3, 0.9, 0.8, 0.3, 1.7
    for r in (2, 3, 5):
        one, J = np.eye(r), np.ones((r, r))
        Q = (1 - q) * one + q * J
        Pm = (pd - p) * one + p * J
        Ph = (ph_d - ph) * one + ph * J
        # the examples: 1 - beta (kappa_1^2 p_ab + kappa_s^2 q_ab)
        A1 = 1 - beta * (K1SQ * (pd - p) + KS2 * (1 - q))
        B1 = -beta * (K1SQ * p + KS2 * q)
        sgn, ld = np.linalg.slogdet(one - beta * (K1SQ * Pm + KS2 * Q))
        assert sgn == _rs_logdet(A1, B1, r)[0] and abs(ld - _rs_logdet(A1, B1, r)[1]) < 1e-12
        # the features: 1 - q p_hat, a product of two RS matrices (the r q p_hat term vanishes as r -> 0)
        A2 = 1 - (1 - q) * (ph_d - ph)
        B2 = -((1 - q) * ph + q * (ph_d - ph) + r * q * ph)
        sgn, ld = np.linalg.slogdet(one - Q @ Ph)
        assert sgn == _rs_logdet(A2, B2, r)[0] and abs(ld - _rs_logdet(A2, B2, r)[1]) < 1e-12
        # and the trace term (1/r) sum_ab p_hat_ab p_ab = p_hat_d p_d + (r - 1) p_hat p
        assert abs(np.sum(Ph * Pm) / r - (ph_d * pd + (r - 1) * ph * p)) < 1e-12


@pytest.mark.parametrize("alpha,alpha_D", [(0.02, 0.1), (0.1, 2.0)])
@pytest.mark.parametrize("at_solution", [True, False])
def test_zero_temperature_limit_of_the_replica_free_energy(alpha, alpha_D, at_solution):
    """f_beta at the scaled order parameters tends to the T = 0 free energy with the predicted corrections.

    With the scalings of the page the example and feature terms are exact up to
    c1/beta = (alpha/2 beta)[ln D1 + (1 - D1)/D1] + (alpha_D/2 beta)[ln D2 + (1 - D2)/D2], and the site
    term -(1/beta) E ln 2cosh(beta h) = -E|h| - (pi^2/12) rho_h(0)/beta^2 + O(beta^-4) (Sommerfeld), with
    rho_h(0) = E_u G(B/a)/a the density of the site field at 0 (= dq/2 at a solution). None of this needs
    stationarity, so it is also checked at a point off the solution: there, a wrong power of beta in any
    scaling (p_hat included, whose terms cancel at a solution by the dp equation) leaves a gap of order one.
    """
    x = _solution(alpha, alpha_D)
    if not at_solution:
        x = x * (1.0 + 0.1 * np.random.default_rng(3).standard_normal(8))
        x[0], x[2] = abs(x[0]), abs(x[2])
    dq, qh, dp, dph, pd, dpdh, m, w = x
    aT = alpha / alpha_D
    D1 = 1.0 - K1SQ * dp - KS2 * dq
    D2 = 1.0 - aT * dph * dq
    a = math.sqrt(alpha * qh)
    c1 = 0.5 * alpha * (math.log(D1) + (1.0 - D1) / D1) + 0.5 * alpha_D * (math.log(D2) + (1.0 - D2) / D2)
    rho0 = _avg_abs_u(lambda t: _gauss((m + aT * dph * w * t) / a)) / a
    if at_solution:
        assert abs(rho0 - dq / 2.0) < 1e-9
    c2 = -math.pi**2 * rho0 / 12.0
    f0 = rf.free_energy_storage(x, alpha, alpha_D)
    for beta in (50.0, 100.0, 200.0, 400.0):
        gap = free_energy_beta(x, alpha, alpha_D, beta) - f0
        # remainder O(beta^-4) plus the quadrature error of the z grid (spacing 5e-4), both < 2% of c2/beta^2
        assert abs(gap - c1 / beta - c2 / beta**2) < 0.02 * abs(c2) / beta**2, (beta, gap, c1, c2)


def _ags_alpha_c():
    """Classical T = 0 capacity: alpha(y) = (1/2)[erf(y)/y - (2/sqrt(pi)) exp(-y^2)]^2, maximized over y."""
    def neg(y):
        return -0.5 * (erf(y) / y - 2.0 / math.sqrt(math.pi) * math.exp(-y * y)) ** 2

    res = minimize_scalar(neg, bounds=(0.5, 3.0), method="bounded", options={"xatol": 1e-10})
    return -res.fun


def _ags_solution(alpha):
    """AGS retrieval solution at T = 0 and load alpha: (C, r, m) and its free energy."""
    m, C = 1.0, 0.0
    for _ in range(5000):
        r = 1.0 / (1.0 - C) ** 2
        s = math.sqrt(alpha * r)
        m_new, C_new = erf(m / (math.sqrt(2.0) * s)), 2.0 * _gauss(m / s) / s
        m, C = 0.5 * (m + m_new), 0.5 * (C + C_new)
    r = 1.0 / (1.0 - C) ** 2
    s = math.sqrt(alpha * r)
    f = (alpha / 2.0 + m * m / 2.0 - alpha / (2.0 * (1.0 - C)) + alpha / 2.0 * r * C
         - (2.0 * s * _gauss(m / s) + m * erf(m / (math.sqrt(2.0) * s))))
    return C, r, m, f


@pytest.mark.parametrize("variant", ["coherent", PUBLISHED])
def test_large_alpha_D_limit_is_ags(variant):
    a_ags = _ags_alpha_c()
    assert abs(a_ags - 0.1379) < 1e-4
    line = rf.storage_transition([100.0, 1000.0], variant=variant, rel_tol=1e-6)
    assert line.converged.all()
    dev = a_ags - line.alpha_c
    # below AGS (correlated examples), within the O(alpha_T) = O(1/alpha_D) correction, which shrinks 10x
    # from alpha_D = 100 to 1000 up to O(alpha_T^2) and the bisection bracket (1e-6 relative)
    assert np.all(dev > 0) and dev[1] < 1e-3
    assert 7.0 < dev[0] / dev[1] < 13.0
    # free energy and order parameters at alpha = 0.1: AGS + c / alpha_D + O(alpha_D^-2), the same c at both alpha_D
    C, r, m, f = _ags_solution(0.1)
    scaled = []
    for aD in (100.0, 1000.0):
        x = _solution(0.1, aD, variant)
        fx = rf.free_energy_storage(x, 0.1, aD, variant=variant)
        scaled.append(aD * np.array([x[0] - C, x[1] - r, x[6] - m, fx - f]))
    s100, s1000 = scaled
    assert np.all(np.abs(s100 - s1000) < 0.05 * np.abs(s1000) + 1e-6), (s100, s1000)


def test_small_alpha_D_limit_depends_on_alpha_T_alone():
    """alpha -> 0 at fixed alpha_T: alpha p_d, alpha qh and the order parameters have limits, and
    alpha_c / alpha_D tends to a constant (the corrected storage line is linear at small alpha_D)."""
    aT = 0.3
    aDs = (1e-3, 1e-4, 1e-5)
    rows = []
    for aD in aDs:
        x = _solution(aT * aD, aD)
        rows.append([x[0], aT * aD * x[1], aT * aD * x[4], x[6], x[7]])
        # the limiting relation for alpha qh written on the page, up to the O(alpha) terms it leaves out
        D1 = 1.0 - K1SQ * x[2] - KS2 * x[0]
        D2 = 1.0 - aT * x[3] * x[0]
        lim = K1SQ * (KS2 + K1SQ / D2**2) * aT * aD * x[4] / D1**2
        assert abs(aT * aD * x[1] - lim) < 10 * aT * aD
    rows = np.array(rows)
    # the approach to the limit is linear in alpha_D (the O(alpha) terms): successive gaps shrink 10x
    gaps = np.abs(np.diff(rows, axis=0))
    assert np.all((gaps[0] > 7 * gaps[1]) & (gaps[0] < 13 * gaps[1]))
    line = rf.storage_transition([1e-4, 1e-5], rel_tol=1e-6)
    slope = line.alpha_c / np.array([1e-4, 1e-5])
    assert line.converged.all() and abs(slope[0] / slope[1] - 1.0) < 2e-3
