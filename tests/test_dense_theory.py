"""REM theory of dense associative memories: closed forms against numerics, limits, orderings."""

import math

import numpy as np
import pytest

from hopcore.theory import dense_memory as T

KINDS = ("spherical", "gaussian")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("eps", [0.05, 0.3, 0.7, 0.95])
def test_zeta_hat_closed_form_equals_numerical_legendre_transform(kind, eps):
    assert T.zeta_hat_numeric(eps, 1.0, kind) == pytest.approx(float(T.zeta_hat(eps, 1.0, kind)), abs=1e-9)


@pytest.mark.parametrize("kind", KINDS)
def test_zeta_hat_at_other_norm(kind):
    assert T.zeta_hat_numeric(0.6, 1.3, kind) == pytest.approx(float(T.zeta_hat(0.6, 1.3, kind)), abs=1e-9)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("alpha", [0.05, 0.2, 0.6])
def test_eps_star_and_phi_closed_forms_equal_numerics(kind, alpha):
    assert T.eps_star_numeric(alpha, 1.0, kind) == pytest.approx(float(T.eps_star(alpha, 1.0, kind)), abs=1e-9)
    for lam in (0.2, 1.0, 5.0):
        assert T.phi_numeric(alpha, lam, 1.0, kind) == pytest.approx(float(T.phi(alpha, lam, 1.0, kind)), abs=1e-8)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lam", [0.1, 0.5, 1.0, 2.5, 8.0])
def test_alpha_1_closed_form_equals_numerical_threshold(kind, lam):
    assert T.alpha_1_numeric(lam, kind) == pytest.approx(float(T.alpha_1(lam, kind)), abs=1e-8)


def test_lam_star_is_derivative_of_zeta_hat_at_eps_star():
    for kind in KINDS:
        for alpha in (0.1, 0.4):
            e = float(T.eps_star(alpha, 1.0, kind))
            h = 1e-6
            d = (float(T.zeta_hat(e + h, 1.0, kind)) - float(T.zeta_hat(e - h, 1.0, kind))) / (2 * h)
            assert d == pytest.approx(float(T.lam_star(alpha, 1.0, kind)), rel=1e-6)
            assert float(T.alpha_star(float(T.lam_star(alpha, 1.0, kind)), kind)) == pytest.approx(alpha, rel=1e-10)


def test_gaussian_alpha_1_is_lam_minus_half_lam_squared_then_one_half():
    lam = np.linspace(0.01, 1.0, 50)
    assert np.allclose(T.alpha_1(lam, "gaussian"), lam - lam**2 / 2, atol=1e-14)
    assert np.allclose(T.alpha_1(np.array([1.0, 1.5, 10.0, 1e4]), "gaussian"), 0.5)


def test_alpha_c_lb_gaussian_large_lam_is_log2_over_4():
    assert T.alpha_c_lb(np.inf, "gaussian") == pytest.approx(math.log(2) / 4, abs=1e-8)
    assert T.alpha_c_lb(1e3, "gaussian") == pytest.approx(math.log(2) / 4, abs=1e-6)


def test_alpha_c_lb_gaussian_has_gap_to_alpha_1():
    lam = np.array([0.2, 0.5, 0.9, 2.0])
    lb = T.alpha_c_lb(lam, "gaussian")
    assert np.all(lb < T.alpha_1(lam, "gaussian") - 1e-3)
    assert np.all(np.diff(lb) >= -1e-12)


def test_alpha_star_below_alpha_1_spherical_everywhere():
    lam = np.geomspace(1e-3, 1e4, 2000)
    assert np.all(T.alpha_star(lam, "spherical") < T.alpha_1(lam, "spherical"))


def test_spherical_large_lam_law():
    lam = np.array([1e2, 1e4, 1e6])
    gap = T.alpha_1(lam, "spherical") - 0.5 * np.log(lam)
    assert np.all(np.abs(gap - 0.5) < 1.0 / lam)


def test_lam_c_inverts_alpha_1():
    for kind in KINDS:
        for a in (0.05, 0.2, 0.45):
            assert float(T.alpha_1(T.lam_c(a, kind), kind)) == pytest.approx(a, abs=1e-11)


def test_theta_c_regimes_and_frozen_basin():
    a = 0.2
    lc, ls = T.lam_c(a), float(T.lam_star(a))
    assert np.isnan(T.theta_c(a, 0.9 * lc))
    lam = np.linspace(1.01 * lc, 0.99 * ls, 20)
    assert np.all(np.diff(T.theta_c(a, lam)) > 0)
    frozen = T.theta_c(a, np.array([ls * 1.01, 10 * ls]))
    assert np.allclose(frozen, math.acos(math.sqrt(1 - math.exp(-2 * a))))
    assert T.c_max(a) == pytest.approx(math.sqrt(1 - math.exp(-2 * a)), abs=1e-10)
    assert np.all(np.diff([T.theta_c(x, 3.0) for x in (0.1, 0.2, 0.4)]) < 0)


def test_scaled_dot_product_threshold_tends_to_lam_tilde():
    lt = np.array([0.5, 1.0, 2.0])
    errs = [np.max(np.abs(T.scaled_alpha_1(lt, N=N) - lt)) for N in (1e2, 1e4, 1e8)]
    assert errs[0] > errs[1] > errs[2] and errs[2] < 1e-3


@pytest.mark.parametrize("bad", [dict(lam=0.0), dict(lam=-1.0), dict(lam=float("nan"))])
def test_bad_lam_rejected(bad):
    with pytest.raises(ValueError, match="lam"):
        T.alpha_1(bad["lam"])


def test_bad_alpha_rejected():
    with pytest.raises(ValueError, match="alpha"):
        T.eps_star(-0.1)
    with pytest.raises(ValueError, match="alpha"):
        T.lam_c(0.6, "gaussian")
