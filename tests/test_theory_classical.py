"""Tests of the replica-symmetric (AGS) theory of the classical Hopfield model."""

import math
import time

import numpy as np
import pytest

from hopcore.solvers import numerical_gradient, numerical_hessian
from hopcore.theory import classical


def _grad_scale(f, x):
    """Gradient at x, and at a perturbed point (to show that the check can fail)."""
    g = numerical_gradient(f, x, h=1e-6)
    g_off = numerical_gradient(f, np.asarray(x) + np.array([0.02, -0.01, 0.05]), h=1e-6)
    return np.max(np.abs(g)), np.max(np.abs(g_off))


@pytest.mark.parametrize("alpha,T,n", [(0.05, 0.3, 1), (0.1, 0.15, 1), (0.02, 0.7, 1), (0.01, 0.2, 3),
                                       (0.005, 0.15, 5), (0.002, 0.1, 7)])
def test_finite_T_free_energy_is_stationary_at_solutions(alpha, T, n):
    sol = classical.saddle_point(alpha, T, n)
    assert sol.converged and sol.residual < 1e-10
    assert sol.x[0] > 0.1
    f = lambda v: classical.free_energy(v[0], v[1], v[2], alpha, T, n)
    g, g_off = _grad_scale(f, sol.x)
    assert g < 1e-7
    assert g_off > 1e-4


@pytest.mark.parametrize("alpha,T", [(0.05, 0.3), (0.2, 0.5), (0.1, 1.05)])
def test_spin_glass_solution_is_stationary(alpha, T):
    sol = classical.spin_glass_point(alpha, T)
    assert sol.converged and sol.x[1] > 0  # T < T_g = 1 + sqrt(alpha)
    f = lambda v: classical.free_energy(v[0], v[1], v[2], alpha, T, 1)
    g, g_off = _grad_scale(f, sol.x)
    assert g < 1e-7 and g_off > 1e-4


@pytest.mark.parametrize("alpha,n", [(0.05, 1), (0.13, 1), (0.02, 3), (0.01, 5), (0.008, 9)])
def test_T0_energy_is_stationary_at_solutions(alpha, n):
    sol = classical.saddle_point_T0(alpha, n)
    assert sol.converged
    f = lambda v: classical.free_energy_T0(v[0], v[1], v[2], alpha, n)
    g, g_off = _grad_scale(f, sol.x)
    assert g < 1e-7 and g_off > 1e-4


def test_T0_spin_glass_closed_form_is_stationary():
    sol = classical.spin_glass_point_T0(0.1)
    assert sol.converged
    g = numerical_gradient(lambda v: classical.free_energy_T0(v[0], v[1], v[2], 0.1), sol.x)
    assert np.max(np.abs(g)) < 1e-7


def test_T0_is_the_low_temperature_limit():
    alpha = 0.08
    x0 = classical.saddle_point_T0(alpha).x
    sol = classical.saddle_point(alpha, 0.02, 1)
    m, q, r = sol.x
    assert m == pytest.approx(x0[0], abs=2e-3)
    assert (1 - q) / 0.02 == pytest.approx(x0[1], abs=2e-2)
    assert classical.free_energy(m, q, r, alpha, 0.02) == pytest.approx(classical.free_energy_T0(*x0, alpha), abs=2e-3)


def test_vector_free_energy_matches_symmetric_one():
    m, q, r = classical.saddle_point(0.01, 0.2, 3).x
    assert classical.free_energy_overlaps([m, m, m], q, r, 0.01, 0.2) == pytest.approx(classical.free_energy(m, q, r, 0.01, 0.2, 3),
                                                                                abs=1e-12)


@pytest.mark.parametrize("alpha,T,n", [(0.0, 0.3, 3), (0.0, 0.55, 3), (0.005, 0.2, 3), (0.0, 0.2, 4)])
def test_hessian_eigenvalues_match_full_overlap_hessian(alpha, T, n):
    sol = classical.saddle_point(alpha, T, n)
    assert sol.converged
    m, q, r = sol.x
    ev = classical.mixture_eigenvalues(sol.x, alpha, T, n)
    # Hessian in the overlaps with n condensed + 1 uncondensed pattern, q and r held at the saddle
    H = numerical_hessian(lambda v: classical.free_energy_overlaps(v, q, r, alpha, T), np.r_[np.full(n, m), 0.0], h=1e-4)
    lam = np.sort(np.linalg.eigvalsh(H))
    expected = [ev["inside"]] * (n - 1) + [ev["outside"]]
    # the symmetric direction at fixed q, r equals the Schur value only at alpha = 0
    if alpha == 0:
        expected.append(ev["symmetric"])
        np.testing.assert_allclose(lam, np.sort(expected), atol=2e-5)
    else:
        for e in expected:
            assert np.min(np.abs(lam - e)) < 2e-5


def test_curie_weiss_limit():
    for T in (0.3, 0.6, 0.9):
        for alpha in (0.0, 1e-9):
            m = classical.saddle_point(alpha, T, 1).x[0]
            assert m == pytest.approx(math.tanh(m / T), abs=1e-8)
            assert m > 0.2
    assert classical.saddle_point(0.0, 1.2, 1, [0.5, 0.5, 1.0]).x[0] == pytest.approx(0.0, abs=1e-6)


def test_T0_small_load_gives_perfect_retrieval():
    for alpha in (1e-3, 1e-4):
        sol = classical.saddle_point_T0(alpha)
        assert sol.converged and sol.x[0] > 1 - 1e-12
    assert classical.retrieval_curve_T0_reduced([1e-4])[0] == pytest.approx(1.0, abs=1e-12)
    # mixtures at alpha -> 0: m_n = <|zeta|>/n (1/2 for n = 3)
    assert classical.saddle_point_T0(1e-5, 3).x[0] == pytest.approx(0.5, abs=1e-9)


def test_alpha_c_and_jump():
    a_c, m_c, _ = classical.critical_load_T0(1)
    assert a_c == pytest.approx(0.1379, abs=5e-4)
    assert m_c == pytest.approx(0.967, abs=2e-3)
    a_b, info = classical.alpha_c_T0(1, tol=1e-7)
    assert a_b == pytest.approx(a_c, abs=1e-5)
    assert info["x_exists"][0] == pytest.approx(0.967, abs=2e-3)
    # above alpha_c only m = 0 remains: the jump is from ~0.967 to 0
    assert not np.isfinite(classical.retrieval_curve_T0_reduced([a_c * 1.001])[0])


def test_T0_branch_via_toolkit_matches_closed_form():
    alphas = np.linspace(0.001, 0.15, 200)
    br = classical.retrieval_curve_T0(alphas)
    ref = classical.retrieval_curve_T0_reduced(alphas)
    inside = alphas < 0.1379
    assert br.converged[inside].all()
    np.testing.assert_allclose(br.x[inside, 0], ref[inside], atol=1e-9)
    # beyond alpha_c the continuation does not report a retrieval solution
    beyond = alphas > 0.1381
    assert np.all(~br.converged[beyond] | (br.x[beyond, 0] < 0.5))


def test_T0_curve_and_bisection_are_fast():
    t0 = time.perf_counter()
    classical.retrieval_curve_T0(np.linspace(0.001, 0.15, 200))
    classical.alpha_c_T0(1, tol=1e-7)
    elapsed = time.perf_counter() - t0
    assert elapsed < 3.0  # target < 1 s on an idle core; loose here because the machine is shared


def test_mixture_critical_loads():
    a3, m3, _ = classical.critical_load_T0(3)
    assert a3 == pytest.approx(0.03, abs=2e-3)
    assert classical.mixture_alpha_c_T0(3)[0] == pytest.approx(a3, abs=1e-5)
    loads = [classical.critical_load_T0(n)[0] for n in (3, 5, 7, 9)]
    assert np.all(np.diff(loads) < 0)  # larger mixtures are more fragile
    assert loads[-1] > 0


def test_mixture_stability_at_alpha_zero():
    T3 = classical.mixture_T_c_alpha0(3)
    assert T3 == pytest.approx(0.46, abs=0.01)
    # the symmetric solution still exists above T3 (up to T = 1): only the Hessian sees the instability
    sol = classical.saddle_point(0.0, 0.6, 3)
    assert sol.converged and sol.x[0] > 0.1
    assert classical.mixture_eigenvalues(sol.x, 0.0, 0.6, 3)["inside"] < 0
    assert classical.mixture_T_c_alpha0(5) < T3
    for n in (2, 4):
        assert np.isnan(classical.mixture_T_c_alpha0(n))
        for T in (0.1, 0.5):
            sol = classical.saddle_point(0.0, T, n)
            assert sol.converged
            assert classical.mixture_eigenvalues(sol.x, 0.0, T, n)["inside"] < 0


def test_spinodal_small_load_asymptotics_and_global_line():
    # T_M ~ 1 - 1.95 sqrt(alpha) for alpha -> 0 (AGS)
    alpha = 1e-3
    assert classical.T_M(alpha)[0] == pytest.approx(1 - 1.95 * math.sqrt(alpha), abs=0.01)
    assert classical.alpha_M(0.5)[0] == pytest.approx(classical.alpha_M(0.5)[0])
    tm = classical.T_M(0.05)[0]
    assert classical.alpha_M(tm)[0] == pytest.approx(0.05, abs=1e-4)
    ag = classical.alpha_c_global_T0()
    assert 0.05 < ag < 0.053
    tc = classical.T_c(0.02)[0]
    assert 0 < tc < classical.T_M(0.02)[0]
    assert classical.alpha_c_of_T(tc)[0] == pytest.approx(0.02, abs=1e-4)


def test_bad_parameters_rejected():
    with pytest.raises(ValueError, match="alpha="):
        classical.saddle_map(-0.1, 0.5)
    with pytest.raises(ValueError, match="T="):
        classical.saddle_map(0.1, 0.0)
    with pytest.raises(ValueError, match="n="):
        classical.mixture_T_c_alpha0(1)
