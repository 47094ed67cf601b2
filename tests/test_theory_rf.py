"""Replica theory of the random-features model: stationarity, limits, monotonicity, speed."""

import math
import time

import numpy as np
import pytest
from scipy import integrate
from scipy.special import erf

from hopcore.solvers import damped_iteration, numerical_gradient
from hopcore.theory import random_features as rf


def scaled_gradient(f, x, h=1e-6):
    """Gradient of f with respect to relative changes y_i of x_i (x = x0 + s y, s_i = max(|x_i|, 1e-3)):
    one step size fits order parameters ranging from 1e-3 to 1e3."""
    s = np.maximum(np.abs(x), 1e-3)
    return numerical_gradient(lambda y: f(x + s * y), np.zeros_like(x), h=h)


@pytest.mark.parametrize("alpha,alpha_D,n", [(1.0, 0.05, 1), (0.3, 0.01, 1), (10.0, 0.1, 1), (1.0, 0.2, 1),
                                             (1.0, 0.01, 3), (30.0, 0.02, 3), (5.0, 0.004, 5), (100.0, 0.008, 9)])
def test_mixture_free_energy_stationary_at_solutions(alpha, alpha_D, n):
    sol = rf.saddle_point_mixture(alpha, alpha_D, n)
    assert sol.converged
    g = scaled_gradient(lambda x: rf.free_energy_mixture(x, alpha, alpha_D, n), sol.x)
    # terms of f are as large as alpha * qh * pd: compare the gradient with that size
    scale = max(1.0, alpha * sol.x[1] * sol.x[4])
    assert np.max(np.abs(g)) < 1e-7 * scale, g


def test_linear_dpdh_form_is_not_stationary():
    # the variant with D1 (not D1^2) in dpdh: it has solutions, but they are not stationary points of f
    for alpha, alpha_D, n in [(1.0, 0.05, 1), (1.0, 0.01, 3)]:
        sol = rf.saddle_point_mixture(alpha, alpha_D, n, squared=False)
        assert sol.converged
        g = numerical_gradient(lambda x: rf.free_energy_mixture(x, alpha, alpha_D, n), sol.x, h=1e-6)
        # the derivative with respect to dp is (alpha/2)(dpdh - kappa_1^2 (...)/D1^2) != 0 ...
        assert abs(g[2]) > 1e-3
        # ... while the other equations, shared with the squared form, still hold
        gs = scaled_gradient(lambda x: rf.free_energy_mixture(x, alpha, alpha_D, n), sol.x)
        assert np.max(np.abs(np.delete(gs, 2))) < 1e-7 * max(1.0, alpha * sol.x[1] * sol.x[4])


@pytest.mark.parametrize("variant,alpha,alpha_D,L", [
    ("published", 0.05, 0.05, None), ("published", 0.1, 1.0, None), ("published", 0.13, 30.0, None), ("published", 0.02, 0.5, None),
    ("coherent", 0.015, 0.05, None), ("coherent", 0.1, 1.0, None), ("coherent", 0.13, 30.0, None),
    ("coherent", 0.02, 0.5, None), ("coherent", 0.002, 0.005, 3), ("coherent", 0.01, 0.05, 9)])
def test_storage_free_energy_stationary(variant, alpha, alpha_D, L):
    sol = rf.saddle_point_storage(alpha, alpha_D, variant=variant, L=L)
    assert sol.converged and sol.x[6] > 0.9
    assert sol.x.size == (7 if variant == "published" else 8)
    g = scaled_gradient(lambda x: rf.free_energy_storage(x, alpha, alpha_D, variant, L), sol.x)
    assert np.max(np.abs(g)) < 1e-8 * max(1.0, alpha * sol.x[1] * sol.x[4]), g


def test_coherent_terms_are_needed_for_stationarity():
    # the published solution padded with w = E|u| is not stationary for the coherent free energy
    # (d f / d dph picks up -(alpha_T/2) w^2, the missing w^2/alpha_D in pd), and vice versa
    alpha, alpha_D = 0.02, 0.1
    pub = rf.saddle_point_storage(alpha, alpha_D, variant="published")
    x = np.append(pub.x, rf.KAPPA1)
    g = numerical_gradient(lambda y: rf.free_energy_storage(y, alpha, alpha_D), x)
    assert abs(g[3]) > 1e-3
    coh = rf.saddle_point_storage(alpha, alpha_D)
    g = numerical_gradient(lambda y: rf.free_energy_storage(y, alpha, alpha_D, "published"), coh.x[:7])
    assert np.max(np.abs(g)) > 1e-3


def test_stationarity_along_the_lines():
    # every point the line solver returns (last solution before the jump) is stationary
    line = rf.mixture_spinodal(3, np.logspace(-1, 1, 4))
    for a, aD, x in zip(line.fixed, line.control_exists, line.x_exists):
        g = scaled_gradient(lambda y: rf.free_energy_mixture(y, a, aD, 3), x)
        assert np.max(np.abs(g)) < 1e-7 * max(1.0, a * x[1] * x[4]), g
    for variant in rf.STORAGE_VARIANTS:
        st = rf.storage_transition([0.01, 0.1, 3.0], variant=variant)
        assert st.params["variant"] == variant
        for aD, a, x in zip(st.fixed, st.control_exists, st.x_exists):
            g = scaled_gradient(lambda y: rf.free_energy_storage(y, a, aD, variant), x)
            assert np.max(np.abs(g)) < 1e-7 * max(1.0, a * x[1] * x[4]), (variant, aD, g)


def test_maps_agree_with_toolkit_damped_iteration_and_quadrature():
    # compiled kernel vs the toolkit iteration on the same map
    alpha, alpha_D, n = 1.0, 0.03, 1
    fp = damped_iteration(lambda x: rf.mixture_map(x, alpha, alpha_D, n), rf.mixture_start(n, alpha, alpha_D),
                          damping=0.5, tol=1e-10, max_iter=20000)
    sol = rf.saddle_point_mixture(alpha, alpha_D, n)
    assert fp.converged and np.allclose(fp.x, sol.x, rtol=1e-8)
    # closed-form Gaussian averages vs adaptive quadrature
    x = sol.x.copy()
    x[7] = 2.0
    a = math.sqrt(alpha * x[1])
    zeta, prob = np.array([3.0, 1.0, -1.0, -3.0]), np.array([1, 3, 3, 1]) / 8
    Fx = rf.mixture_map(x, alpha, alpha_D, 3)
    dens = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    m_q = sum(p * integrate.quad(lambda z: dens(z) * zt * np.sign(a * z + x[7] * zt), -40, 40, points=[-x[7] * zt / a])[0]
              for zt, p in zip(zeta, prob)) / 3
    assert abs(Fx[6] - m_q) < 1e-8
    k = rf.gaussian_equivalence_constants()
    assert abs(k["kappa1"] - rf.KAPPA1) < 1e-6 and abs(k["kappa_s2"] - rf.KAPPA_S_SQ) < 1e-6 and abs(k["kappa0"]) < 1e-9


@pytest.mark.parametrize("variant", ["coherent", "published"])
def test_storage_line_tends_to_classical_capacity(variant):
    alpha_c, ok = rf.storage_line([10.0, 100.0, 1000.0], variant=variant)
    assert ok.all()
    assert np.all(np.diff(alpha_c) > 0)
    assert abs(alpha_c[-1] - 0.1379) < 0.002
    # and it is below it at small alpha_D (correlated examples are harder to store)
    low, ok = rf.storage_line([0.05], variant=variant)
    assert ok.all() and low[0] < 0.1


def test_coherent_storage_line_below_published_and_merging_at_large_alpha_D():
    aDs = [0.005, 0.02, 0.1, 0.5, 5.0, 100.0]
    coh, ok1 = rf.storage_line(aDs)
    pub, ok2 = rf.storage_line(aDs, variant="published")
    assert ok1.all() and ok2.all()
    ratio = pub / coh
    assert np.all(ratio > 1) and np.all(np.diff(ratio) < 0)
    assert ratio[0] > 5 and ratio[1] > 4 and ratio[-1] < 1.01
    # sparse condensed example (L = 3, 9) at small alpha_D: close to the dense site law
    for L in (3, 9):
        sp, ok = rf.storage_line([0.005, 0.02], L=L)
        assert ok.all() and np.all(np.abs(sp / coh[:2] - 1) < 0.1)


@pytest.mark.parametrize("alpha,alpha_D", [(0.05, 0.1), (0.02, 0.02), (0.1, 0.5)])
def test_field_law_matches_signal_to_noise_closed_form(alpha, alpha_D):
    k1sq, ks2 = rf.KAPPA1**2, rf.KAPPA_S_SQ
    aT = alpha / alpha_D
    law = rf.example_field_law(alpha, alpha_D)
    assert abs(law["mean"] - (1 + k1sq**2 * aT)) < 1e-9
    var = alpha + k1sq**2 * aT * (1 + alpha) + k1sq**3 * ks2 * aT**2
    assert abs(law["var"] - var) < 1e-9
    pub = rf.example_field_law(alpha, alpha_D, "published")
    assert pub["mean"] == 1.0 and abs(pub["var"] - alpha * (1 + k1sq**2 * aT)) < 1e-9


def test_classical_limit_of_storage_equations():
    # alpha_D -> infinity: alpha_T -> 0 and the storage equations become AGS at T = 0
    alpha = 0.1
    for variant in rf.STORAGE_VARIANTS:
        sol = rf.saddle_point_storage(alpha, 1e3, variant=variant)
        dq, qh, m = sol.x[0], sol.x[1], sol.x[6]
        assert abs(qh - 1 / (1 - dq) ** 2) < 1e-3
        assert abs(m - erf(m / math.sqrt(2 * alpha * qh))) < 1e-3


def test_learning_line_linear_at_small_alpha_D():
    alphas = np.array([0.002, 0.004, 0.008])
    aDc, ok = rf.learning_line(alphas)
    assert ok.all()
    ratio = alphas / aDc  # alpha_c / alpha_D
    assert np.ptp(ratio) / ratio.mean() < 0.05
    slope = np.polyfit(np.log(aDc), np.log(alphas), 1)[0]
    assert abs(slope - 1) < 0.03


def test_spinodal_increases_with_alpha_and_decreases_with_n():
    alphas = np.logspace(-2, 2, 9)
    lines = {n: rf.mixture_spinodal(n, alphas) for n in (1, 3, 5, 7, 9)}
    for n, line in lines.items():
        assert line.converged.all(), n
        assert np.all(np.diff(line.alpha_D_c) > 0), n
        assert np.all(line.m_exists > 0.05)
    for a, b in [(1, 3), (3, 5), (5, 7), (7, 9)]:
        assert np.all(lines[a].alpha_D_c > lines[b].alpha_D_c)


def _classical_mixture_load(n):
    try:
        from hopcore.theory.classical import alpha_c_T0, mixture_alpha_c_T0
    except ImportError:  # pragma: no cover
        pytest.skip("hopcore.theory.classical not available")
    out = mixture_alpha_c_T0(n) if n > 1 else alpha_c_T0(1)
    return float(out[0] if isinstance(out, tuple) else out)


@pytest.mark.parametrize("n", [1, 3])
def test_large_alpha_limit_is_classical_mixture_load(n):
    classical = _classical_mixture_load(n)
    line = rf.mixture_spinodal(n, [100.0, 1000.0])
    assert line.converged.all()
    # within 3% at alpha = 100 already, within 0.5% at alpha = 1000, approached from below
    assert abs(line.alpha_D_c[0] / classical - 1) < 0.03
    assert abs(line.alpha_D_c[1] / classical - 1) < 0.005
    assert np.all(line.alpha_D_c < classical)


def test_line_speed():
    rf.mixture_spinodal(3, [1.0])  # compile
    rf.storage_line([1.0])
    t = time.perf_counter()
    line = rf.mixture_spinodal(3, np.logspace(-2, 2, 60))
    t_spin = time.perf_counter() - t
    t = time.perf_counter()
    _, ok = rf.storage_line(np.logspace(np.log10(0.05), np.log10(30), 60))
    t_sto = time.perf_counter() - t
    assert line.converged.all() and ok.all()
    assert t_spin < 5.0 and t_sto < 10.0, (t_spin, t_sto)


def test_validation():
    with pytest.raises(ValueError, match="n=2"):
        rf.mixture_spinodal(2, [1.0])
    with pytest.raises(ValueError, match=r"alphas\[0\]"):
        rf.mixture_spinodal(3, [-1.0])
    with pytest.raises(ValueError, match="alpha_D"):
        rf.saddle_point_mixture(1.0, 1e5, 1)
    with pytest.raises(ValueError, match="variant"):
        rf.storage_transition([0.1], variant="replica")
    with pytest.raises(ValueError, match="L=0"):
        rf.storage_line([0.1], L=0)
