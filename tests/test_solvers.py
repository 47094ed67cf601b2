"""Tests of the generic saddle-point toolkit (hopcore.solvers)."""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import comb

from hopcore.solvers import (
    Branch,
    binomial_mixture,
    damped_iteration,
    follow_branch,
    gauss_hermite,
    gaussian_average,
    locate_jump,
    newton_iteration,
    normal_grid,
    numerical_gradient,
    numerical_hessian,
    solve_fixed_point,
)


def test_gauss_hermite_moments():
    z, w = gauss_hermite(41)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)
    # E z^2k = (2k-1)!!
    for k, mom in [(1, 1.0), (2, 3.0), (3, 15.0), (4, 105.0)]:
        assert np.sum(w * z ** (2 * k)) == pytest.approx(mom, rel=1e-12)
    assert abs(np.sum(w * z**3)) < 1e-12


def test_gaussian_average_matches_quad_and_is_vectorized():
    betas = np.array([0.5, 1.0, 2.0])
    m, s = 0.3, 0.7
    got = gaussian_average(lambda z: np.tanh(betas[:, None] * (m + s * z)) ** 2, n=101)
    ref = [quad(lambda z: np.tanh(b * (m + s * z)) ** 2 * np.exp(-z * z / 2) / math.sqrt(2 * math.pi), -12, 12)[0]
           for b in betas]
    assert got.shape == (3,)
    np.testing.assert_allclose(got, ref, atol=1e-9)


def test_grid_rule_handles_sharp_step():
    # E sign-like tanh at very low temperature: E tanh(beta(m + s z)) -> erf(m / (s sqrt 2))
    m, s, beta = 0.2, 0.4, 2000.0
    got = gaussian_average(lambda z: np.tanh(beta * (m + s * z)), n=40001, rule="grid")
    assert got == pytest.approx(math.erf(m / (s * math.sqrt(2))), abs=1e-5)
    z, w = normal_grid(1001)
    assert w.sum() == pytest.approx(1.0)


def test_binomial_mixture():
    for n in (1, 3, 4, 9):
        zeta, p = binomial_mixture(n)
        assert p.sum() == pytest.approx(1.0)
        assert np.sum(p * zeta) == pytest.approx(0.0, abs=1e-12)
        assert np.sum(p * zeta**2) == pytest.approx(n)
    zeta, p = binomial_mixture(3)
    np.testing.assert_allclose(zeta, [3, 1, -1, -3])
    np.testing.assert_allclose(p, [1 / 8, 3 / 8, 3 / 8, 1 / 8])
    # brute-force check against enumeration of all sign patterns
    n = 5
    signs = np.array(np.meshgrid(*[[-1, 1]] * n)).reshape(n, -1).sum(0)
    zeta, p = binomial_mixture(n)
    for v, pv in zip(zeta, p):
        assert np.mean(signs == v) == pytest.approx(pv)
    assert comb(5, 2) / 32 == pytest.approx(p[2])


@pytest.mark.parametrize("bad", [dict(n=0), dict(n=1.5)])
def test_averages_reject_bad_parameters(bad):
    with pytest.raises(ValueError, match="n="):
        gauss_hermite(**bad)


def test_damped_iteration_converges_to_curie_weiss():
    beta = 2.0
    sol = damped_iteration(lambda m: np.tanh(beta * m), [0.5], damping=0.3, tol=1e-12)
    assert sol.converged
    assert sol.residual <= 1e-12
    assert sol.x[0] == pytest.approx(np.tanh(beta * sol.x[0]), abs=1e-11)
    assert sol.iterations == sol.residuals.size
    assert sol.x[0] == pytest.approx(0.9575040240772687, abs=1e-9)


def test_impossible_tolerance_reports_non_convergence():
    # x = sin(x) creeps to 0 like sqrt(3/n): tol = 1e-12 is out of reach in 500 steps
    sol = damped_iteration(np.sin, [1.0], damping=0.0, tol=1e-12, max_iter=500)
    assert not sol.converged
    assert sol.iterations == 500 and sol.residuals.size == 500
    assert sol.residual > 1e-6
    # the triple root makes Newton linear (factor 2/3 per step): 5 steps cannot reach 1e-12
    sol = newton_iteration(np.sin, [1.0], tol=1e-12, max_iter=5)
    assert not sol.converged and sol.residual > 1e-6
    sol = solve_fixed_point(np.sin, [1.0], tol=1e-12, max_iter=100, warmup=10, newton_iter=3)
    assert not sol.converged and sol.residual > 1e-6


def test_divergent_map_reports_failure_without_crashing():
    with np.errstate(over="ignore", invalid="ignore"):
        sol = damped_iteration(lambda x: x * x + 1.0, [0.0], damping=0.0, max_iter=5000)
    assert not sol.converged
    assert sol.residual == np.inf or sol.residual > 1


def test_damping_validated():
    with pytest.raises(ValueError, match="damping=1.0"):
        damped_iteration(lambda x: x, [0.0], damping=1.0)


def test_newton_solves_vector_system():
    # x = 0.5 cos(y), y = 0.5 sin(x) + 0.1
    F = lambda v: np.array([0.5 * np.cos(v[1]), 0.5 * np.sin(v[0]) + 0.1])
    sol = newton_iteration(F, [0.0, 0.0], tol=1e-13)
    assert sol.converged and sol.iterations < 10
    np.testing.assert_allclose(F(sol.x), sol.x, atol=1e-12)


def test_follow_branch_uses_previous_solution():
    betas = np.linspace(3.0, 1.2, 10)
    br = follow_branch(lambda b: (lambda m: np.tanh(b * m)), betas, [1.0], tol=1e-11, max_iter=100_000)
    assert isinstance(br, Branch)
    assert br.converged.all() and br.n_not_converged == 0
    assert np.all(br.x[:, 0] > 0)
    np.testing.assert_allclose(br.x[:, 0], np.tanh(betas * br.x[:, 0]), atol=1e-10)
    # a point that cannot converge is flagged, and later points still start from the last good one
    br = follow_branch(lambda b: (lambda m: np.tanh(b * m)), [2.0, 2.0, 2.0], [1.0], tol=1e-11, max_iter=3)
    assert not br.converged.any()
    c, x = br.solutions()
    assert c.size == 0 and x.shape == (0, 1)


def test_locate_jump_saddle_node_toy():
    # x = x^2 + c has the attracting root (1 - sqrt(1 - 4c))/2 for c < 1/4 and no fixed point above
    def solve(c, x):
        with np.errstate(over="ignore", invalid="ignore"):
            return damped_iteration(lambda y: y * y + c, [0.0] if x is None else x, damping=0.0,
                                    tol=1e-9, max_iter=200_000)

    cc, info = locate_jump(solve, lambda x: 1.0, 0.0, 0.5, threshold=0.0, tol=1e-5)
    # critical slowing down lets the iteration fail a little before the fold: the estimate is
    # conservative and the failures are counted
    assert cc == pytest.approx(0.25, abs=2e-4)
    assert info["bracket"] <= 1e-5


def test_locate_jump_hysteresis_with_known_answer():
    # m = tanh(beta (m + h)), beta = 2: the m > 0 branch disappears at
    # h_c = atanh(m*)/beta - m*, m*^2 = 1 - 1/beta, where m jumps to negative values
    beta = 2.0
    ms = math.sqrt(1 - 1 / beta)
    hc = math.atanh(ms) / beta - ms

    def solve(h, x):
        return newton_iteration(lambda m: np.tanh(beta * (m + h)), [1.0] if x is None else x, tol=1e-12)

    c, info = locate_jump(solve, lambda x: x[0], 0.5, -1.0, threshold=0.0, tol=1e-7)
    assert c == pytest.approx(hc, abs=1e-6)
    assert info["order_exists"] > 0.3  # a genuine jump, not a continuous transition
    assert info["jump"] > 0.3 or math.isnan(info["order_gone"])
    with pytest.raises(ValueError, match="lo, hi"):
        locate_jump(solve, lambda x: x[0], 0.5, 0.4, threshold=0.0)


def test_numerical_gradient_and_hessian():
    f = lambda x: x[0] ** 2 * x[1] + np.sin(x[1])
    x = np.array([0.7, -0.3])
    np.testing.assert_allclose(numerical_gradient(f, x), [2 * 0.7 * -0.3, 0.49 + np.cos(-0.3)], atol=1e-8)
    H = numerical_hessian(f, x)
    np.testing.assert_allclose(H, [[2 * -0.3, 1.4], [1.4, -np.sin(-0.3)]], atol=1e-6)
