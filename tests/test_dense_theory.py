"""REM theory of dense associative memories: closed forms against numerics, limits, orderings."""

import math

import numpy as np
import pytest

from hopcore.theory import dense_memory as dense_theory

KINDS = ("spherical", "gaussian")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("eps", [0.05, 0.3, 0.7, 0.95])
def test_zeta_hat_closed_form_equals_numerical_legendre_transform(kind, eps):
    assert dense_theory.zeta_hat_numeric(eps, 1.0, kind) == pytest.approx(float(dense_theory.zeta_hat(eps, 1.0, kind)), abs=1e-9)


@pytest.mark.parametrize("kind", KINDS)
def test_zeta_hat_at_other_norm(kind):
    assert dense_theory.zeta_hat_numeric(0.6, 1.3, kind) == pytest.approx(float(dense_theory.zeta_hat(0.6, 1.3, kind)), abs=1e-9)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("alpha", [0.05, 0.2, 0.6])
def test_eps_star_and_phi_closed_forms_equal_numerics(kind, alpha):
    assert dense_theory.eps_star_numeric(alpha, 1.0, kind) == pytest.approx(float(dense_theory.eps_star(alpha, 1.0, kind)), abs=1e-9)
    for lam in (0.2, 1.0, 5.0):
        assert dense_theory.phi_numeric(alpha, lam, 1.0, kind) == pytest.approx(float(dense_theory.phi(alpha, lam, 1.0, kind)), abs=1e-8)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lam", [0.1, 0.5, 1.0, 2.5, 8.0])
def test_alpha_1_closed_form_equals_numerical_threshold(kind, lam):
    assert dense_theory.alpha_1_numeric(lam, kind) == pytest.approx(float(dense_theory.alpha_1(lam, kind)), abs=1e-8)


def test_lam_star_is_derivative_of_zeta_hat_at_eps_star():
    for kind in KINDS:
        for alpha in (0.1, 0.4):
            e = float(dense_theory.eps_star(alpha, 1.0, kind))
            h = 1e-6
            d = (float(dense_theory.zeta_hat(e + h, 1.0, kind)) - float(dense_theory.zeta_hat(e - h, 1.0, kind))) / (2 * h)
            assert d == pytest.approx(float(dense_theory.lam_star(alpha, 1.0, kind)), rel=1e-6)
            assert float(dense_theory.alpha_star(float(dense_theory.lam_star(alpha, 1.0, kind)), kind)) == pytest.approx(alpha, rel=1e-10)


def test_gaussian_alpha_1_is_lam_minus_half_lam_squared_then_one_half():
    lam = np.linspace(0.01, 1.0, 50)
    assert np.allclose(dense_theory.alpha_1(lam, "gaussian"), lam - lam**2 / 2, atol=1e-14)
    assert np.allclose(dense_theory.alpha_1(np.array([1.0, 1.5, 10.0, 1e4]), "gaussian"), 0.5)


def test_alpha_c_lb_gaussian_large_lam_is_log2_over_4():
    assert dense_theory.alpha_c_lb(np.inf, "gaussian") == pytest.approx(math.log(2) / 4, abs=1e-8)
    assert dense_theory.alpha_c_lb(1e3, "gaussian") == pytest.approx(math.log(2) / 4, abs=1e-6)


def test_alpha_c_lb_gaussian_has_gap_to_alpha_1():
    lam = np.array([0.2, 0.5, 0.9, 2.0])
    lb = dense_theory.alpha_c_lb(lam, "gaussian")
    assert np.all(lb < dense_theory.alpha_1(lam, "gaussian") - 1e-3)
    assert np.all(np.diff(lb) >= -1e-12)


def test_alpha_star_below_alpha_1_spherical_everywhere():
    lam = np.geomspace(1e-3, 1e4, 2000)
    assert np.all(dense_theory.alpha_star(lam, "spherical") < dense_theory.alpha_1(lam, "spherical"))


def test_spherical_large_lam_law():
    lam = np.array([1e2, 1e4, 1e6])
    gap = dense_theory.alpha_1(lam, "spherical") - 0.5 * np.log(lam)
    assert np.all(np.abs(gap - 0.5) < 1.0 / lam)


def test_lam_c_inverts_alpha_1():
    for kind in KINDS:
        for a in (0.05, 0.2, 0.45):
            assert float(dense_theory.alpha_1(dense_theory.lam_c(a, kind), kind)) == pytest.approx(a, abs=1e-11)


def test_theta_c_regimes_and_frozen_basin():
    a = 0.2
    lc, ls = dense_theory.lam_c(a), float(dense_theory.lam_star(a))
    assert np.isnan(dense_theory.theta_c(a, 0.9 * lc))
    lam = np.linspace(1.01 * lc, 0.99 * ls, 20)
    assert np.all(np.diff(dense_theory.theta_c(a, lam)) > 0)
    frozen = dense_theory.theta_c(a, np.array([ls * 1.01, 10 * ls]))
    assert np.allclose(frozen, math.acos(math.sqrt(1 - math.exp(-2 * a))))
    assert dense_theory.c_max(a) == pytest.approx(math.sqrt(1 - math.exp(-2 * a)), abs=1e-10)
    assert np.all(np.diff([dense_theory.theta_c(x, 3.0) for x in (0.1, 0.2, 0.4)]) < 0)


def test_scaled_dot_product_threshold_tends_to_lam_tilde():
    lt = np.array([0.5, 1.0, 2.0])
    errs = [np.max(np.abs(dense_theory.scaled_alpha_1(lt, N=N) - lt)) for N in (1e2, 1e4, 1e8)]
    assert errs[0] > errs[1] > errs[2] and errs[2] < 1e-3


@pytest.mark.parametrize("bad", [dict(lam=0.0), dict(lam=-1.0), dict(lam=float("nan"))])
def test_bad_lam_rejected(bad):
    with pytest.raises(ValueError, match="lam"):
        dense_theory.alpha_1(bad["lam"])


def test_bad_alpha_rejected():
    with pytest.raises(ValueError, match="alpha"):
        dense_theory.eps_star(-0.1)
    with pytest.raises(ValueError, match="alpha"):
        dense_theory.lam_c(0.6, "gaussian")


def test_ramsauer_constant_reproduces_the_published_examples():
    # the two numerical examples stated with the theorem (beta = 1, p = 0.001)
    assert float(dense_theory.ramsauer_c(1.0, 20, 9.0, 0.001)) == pytest.approx(3.1546, abs=1e-4)
    assert float(dense_theory.ramsauer_c(1.0, 75, 1.0, 0.001)) == pytest.approx(1.3718, abs=1e-4)


def test_ramsauer_bound_large_n_limit_and_ordering():
    from scipy.special import lambertw

    lam = np.geomspace(1e-3, 1e4, 400)
    lim = dense_theory.ramsauer_alpha_lb(lam)
    assert np.allclose(lim, np.real(lambertw(0.4 * lam)) / 4)
    assert np.all(lim < dense_theory.alpha_1(lam, "spherical"))
    assert lim[0] == pytest.approx(lam[0] / 10, rel=1e-2)  # W_0(x) ~ x at small x
    finite = dense_theory.ramsauer_alpha_lb(np.array([0.5, 2.0, 10.0]), N=1e7)
    assert np.allclose(finite, dense_theory.ramsauer_alpha_lb(np.array([0.5, 2.0, 10.0])), atol=1e-5)
    # at small N the proviso c >= (2/sqrt p)^(4/(N-1)) fails for small lam
    assert np.isnan(dense_theory.ramsauer_alpha_lb(0.5, N=20)) and np.isfinite(dense_theory.ramsauer_alpha_lb(10.0, N=20))


def test_finite_n_overlap_law_equals_bessel_form():
    from scipy.special import gammaln, ive

    for N, lam in ((20, 0.3), (80, 0.28), (300, 0.25)):
        k, nu = lam * N, N / 2 - 1
        log_m, eps = dense_theory.log_mgf_finite_n(lam, N)
        assert log_m == pytest.approx(gammaln(N / 2) + (1 - N / 2) * np.log(k / 2) + np.log(ive(nu, k)) + k, rel=1e-10)
        assert eps == pytest.approx(ive(nu + 1, k) / ive(nu, k), rel=1e-9)
        assert eps == pytest.approx(float(dense_theory.zeta_prime(lam)), abs=3.0 / N)  # tends to the N -> inf level


def test_saddle_node_margin():
    """delta -> 1/(1 + exp(g - kappa delta)) has a fixed point below 1/2 iff g >= g_c(kappa)."""
    for kappa in (5.0, 20.0, 300.0):
        gc = dense_theory.saddle_node_margin(kappa)
        f = lambda d, g: d - 1 / (1 + np.exp(g - kappa * d))  # noqa: E731  (< 0: the map still pushes delta up)
        ds = np.linspace(1e-7, 0.5, 400001)
        assert np.max(f(ds, gc + 1e-3)) > 0
        assert np.all(f(ds, gc - 1e-3) < 0)
    assert dense_theory.saddle_node_margin(1e4) == pytest.approx(1 + np.log(1e4), abs=2e-3)


@pytest.mark.parametrize("kind", KINDS)
def test_finite_n_threshold_tends_to_lam_c_like_log_n_over_n(kind):
    lc = dense_theory.lam_c(0.2, kind)
    Ns = [50, 100, 1000, 10**5]
    th = np.array([dense_theory.finite_n_threshold(0.2, N, kind) for N in Ns])
    assert np.all(np.diff(th) < 0) and np.all(th > lc)
    assert th[-1] == pytest.approx(lc, abs=5e-4)
    # (lam - lam_c) N / log N stays of order one (a log N / N approach, not 1/N)
    ratio = (th - lc) * np.array(Ns) / np.log(Ns)
    assert np.all((ratio > 0.3) & (ratio < 3.0))
    # without the saddle-node margin (half of the weight after one update) the shift is tiny
    assert abs(dense_theory.finite_n_threshold(0.2, 80, kind, saddle_node=False) - lc) < 2e-3


def test_lam_c_norm_gaussian_closed_form():
    r2 = np.array([0.45, 0.8, 1.0, 1.5])
    assert np.allclose(dense_theory.lam_c_norm(0.2, np.sqrt(r2)), 1 - np.sqrt(1 - 0.4 / r2), atol=1e-10)
    assert dense_theory.lam_c_norm(0.2, 1.0, "spherical") == pytest.approx(dense_theory.lam_c(0.2), abs=1e-10)
    assert np.isnan(dense_theory.lam_c_norm(0.2, np.sqrt(0.35)))
