"""rf_spinodals at the test sizes: the lines against known numbers (classical T = 0 mixture loads,
the alpha -> infinity limit), the stationarity of the solutions, the claims and the figures."""

import numpy as np
import pytest

from hopcore.book import resolve
from hopcore.chapters import rf_spinodals as chapter

CHAPTER = "rf_spinodals"


@pytest.fixture(scope="module")
def result(computed):
    return computed[1]

def test_classical_loads_are_the_known_values(result):
    # AGS T = 0: alpha_c = 0.1379 (retrieval), 0.0299 (n = 3), 0.0163 (n = 5)
    assert result.classical_T0[result.row(1)] == pytest.approx(0.1379, abs=2e-4)
    assert result.classical_T0[result.row(3)] == pytest.approx(0.0299, abs=2e-4)
    assert result.classical_T0[result.row(5)] == pytest.approx(0.0163, abs=2e-4)


def test_large_alpha_limit_approaches_classical_from_below_as_one_over_alpha(result):
    alpha = result.alphas_limit[-1]
    rel = result.alpha_D_c_limit[:, -1] / result.classical_T0 - 1
    # below the classical load, by a correction of order 1/alpha (a few / alpha at most)
    assert np.all(rel < 0)
    assert np.all(np.abs(rel) < 3.0 / alpha)


def test_lines_rise_and_are_ordered(result):
    assert result.converged.all()
    assert np.all(np.diff(result.alpha_D_c, axis=1) > 0)
    assert np.all(np.diff(result.alpha_D_c, axis=0) < 0)
    # at small alpha the learning line is proportional to alpha (alpha_D_c ~ alpha / 9)
    assert 0.05 < result.alpha_D_c[result.row(1), 0] / result.alphas[0] < 0.2


def test_squared_form_is_stationary_and_the_variant_is_not(result):
    assert result.grad_squared.max() < result.fd_tolerance
    assert result.grad_linear.max() > 100 * result.fd_tolerance


def test_stationarity_check_detects_a_displaced_point(result):
    line = chapter.rf.mixture_spinodal(3, [1.0])
    x, a, aD = line.x_exists[0], 1.0, line.control_exists[0]
    assert np.abs(chapter.scaled_gradient(x, a, aD, 3)).max() < result.fd_tolerance
    moved = x.copy()
    moved[6] *= 1.01  # m off the saddle point
    assert np.abs(chapter.scaled_gradient(moved, a, aD, 3)).max() > 1e3 * result.fd_tolerance


def test_claims_and_summary(result):
    assert set(result.claims) >= {"converged", "rise", "ordered", "classical_limit", "stationary",
                                  "variant_not_stationary", "variant_shift_small"}
    for c in result.claims.values():
        assert isinstance(c.holds, bool) and c.statement and c.evidence
    for name in ("converged", "rise", "ordered", "stationary", "variant_not_stationary", "variant_shift_small"):
        assert result.claims[name].holds, result.claims[name].text
    # orderings, converged flags and identities are checks, not findings
    for name in ("converged", "rise", "ordered", "classical_limit", "stationary", "energy"):
        assert not result.claims[name].finding, name
    s = result.summary
    assert set(s) == {"spinodal", "learning_line", "spinodal_record", "classical_T0_loads", "alpha_infinity_limit",
                      "stationarity", "energy_identity", "gaussian_equivalence", "feature_space"}
    assert np.asarray(s["learning_line"]).shape == (result.alphas.size, 2)


def test_classical_limit_verdicts(computed):
    p, r = computed
    assert {v.name for v in r.verdicts} == {f"classical_limit_n{int(n)}" for n in r.orders}
    for v in r.verdicts:
        assert v.holds, v.record()
        assert v.resolution < chapter.AIM and v.z == chapter.Z


def test_classical_extrapolation_is_exact_for_a_quadratic_in_one_over_alpha():
    a = np.array([100.0, 300.0, 1000.0])
    limit, num, sys = chapter.classical_extrapolation(a, 0.03 - 0.4 / a + 2.0 / a**2, 1e-6)
    assert limit == pytest.approx(0.03, abs=1e-12) and sys > 0 and 0 < num < 1e-6
    assert np.isnan(chapter.classical_extrapolation(a[:1], [0.03], 1e-6)[0])


@pytest.mark.parametrize("n", [1, 3])
def test_classical_limit_verdict_has_power(computed, monkeypatch, n):
    from verdict_power import assert_detects, assert_power

    p, r = computed
    orig = chapter.ags.critical_load_T0

    def evaluate(scale):
        monkeypatch.setattr(chapter.ags, "critical_load_T0", lambda k: (scale * orig(k)[0], *orig(k)[1:]))
        return chapter._verdicts(p, r)

    assert_power(evaluate, f"classical_limit_n{n}")
    # a planted bug: spinodals off by 0.1 % at every large load (a term that survives alpha -> infinity)
    monkeypatch.setattr(chapter.ags, "critical_load_T0", orig)
    import copy

    bad = copy.copy(r)
    bad.alpha_D_c_limit = r.alpha_D_c_limit * 1.001
    assert_detects(chapter._verdicts(p, bad), f"classical_limit_n{n}")


def test_figures_build(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for fig in (chapter.figure_spinodals(result), chapter.figure_dpdh(result)):
        assert fig.axes
        plt.close(fig)


def test_free_energy_is_the_energy_at_solutions_only(result):
    # at a solution f = e (T = 0); moving one order parameter off the saddle breaks the identity
    sol = chapter.rf.saddle_point_mixture(1.0, 0.012, 3)
    f = chapter.rf.free_energy_mixture(sol.x, 1.0, 0.012, 3)
    assert f == pytest.approx(chapter.rs_energy(sol.x, 1.0), rel=1e-9)
    moved = sol.x.copy()
    moved[4] *= 1.01  # p_d
    assert abs(chapter.rf.free_energy_mixture(moved, 1.0, 0.012, 3) - chapter.rs_energy(moved, 1.0)) > 1e-3 * abs(f)
    assert result.claims["energy"].holds
    assert np.all(result.energy_rel_diff <= result.energy_bound)


def test_gaussian_equivalence_measurement(result):
    p = resolve("rf_spinodals", {"profile": "test"})
    lam, pm = result.gep_lambda2, result.gep_p
    assert lam.shape == (len(p.gep_alphas), len(p.gep_ns), p.gep_samples)
    # p of a mixture is n b_n^2 / alpha_D + (D - n)/D at the start, within the quenched scatter
    from hopcore.theory.rf_snr import mixture_overlap

    D = round(p.gep_alpha_D * p.gep_N)
    for j, n in enumerate(p.gep_ns):
        expect = n * mixture_overlap(n) ** 2 / p.gep_alpha_D + (D - n) / D
        assert pm[:, j].mean() == pytest.approx(expect, rel=0.15)
    # lambda^2 within 20% of kappa_1^2 p + kappa_s^2 (finite-D corrections are a few per cent)
    pred = chapter.rf.KAPPA1_SQ * pm + chapter.rf.KAPPA_S_SQ
    assert np.all(np.abs(lam.mean(axis=-1) / pred.mean(axis=-1) - 1) < 0.2)
    assert "gaussian_equivalence" in result.claims


def test_rs_determinant_from_its_eigenvalues():
    # the eigenvalues d - o (r - 1 times) and d - o + r o of a replica-symmetric matrix, eq. (rf_spinodals-logdet)
    for r in range(2, 8):
        for d, o in ((0.7, 0.2), (1.3, -0.1), (0.4, 0.35)):
            M = np.full((r, r), o) + np.eye(r) * (d - o)
            assert np.linalg.slogdet(M)[1] == pytest.approx(chapter.rs_logdet(r, d, o), abs=1e-12)


def test_binary_feature_average_tends_to_the_log_determinant_with_the_cumulant_correction():
    # a second matrix and overlap than the chapter's: N (exact - Gaussian) -> c, the rest falls as 1/N
    q, A = 0.25, np.array([[0.4, 0.1], [0.1, 0.2]])
    c = chapter.feature_average_correction(q, A)
    g = chapter.feature_average_gaussian(q, A)
    Ns = np.array([400, 800, 1600, 3200])
    d = np.array([chapter.feature_average_exact(N, q, A) for N in Ns]) - g
    rest = np.abs(Ns * d - c)
    assert np.all(np.diff(rest) < 0) and rest[-1] < 0.05 * abs(c)
    assert rest[0] / rest[-1] == pytest.approx(8, rel=0.3)  # O(1/N) after c/N
    # the Gaussian value is -1/2 ln det: the full power would be far off
    assert abs(d[-1]) < 1e-3 < abs(g)


def test_claims_of_the_feature_space_checks_hold(result):
    for name in ("feature_integral", "zero_temperature_limit"):
        assert result.claims[name].holds, result.claims[name].text
    assert np.all(np.abs(result.fb_residual) <= result.fb_bound)
    assert result.fb_residual.shape == (int(result.converged.sum()), result.fb_betas.size)


def test_zero_temperature_check_detects_a_wrong_term(result, monkeypatch):
    # a free energy with D2^2 instead of D2 in the log-determinant term is not the limit of f_beta
    lines = {n: chapter.rf.mixture_spinodal(n, [0.1, 1.0]) for n in (1, 3)}
    betas = np.array([30.0, 300.0])
    res, bound, _ = chapter._zero_temperature_limit(lines, [1, 3], betas)
    assert np.all(np.abs(res) <= bound)
    true_f = chapter.rf.free_energy_mixture

    def wrong(x, alpha, alpha_D, n):
        dq, dph, dpdh = x[0], x[3], x[5]
        D2 = 1 - alpha / alpha_D * dph * dq
        return true_f(x, alpha, alpha_D, n) + 0.5 * alpha * (dph + dq * dpdh) * (1 / D2 - 1 / D2**2)

    monkeypatch.setattr(chapter.rf, "free_energy_mixture", wrong)
    res, bound, _ = chapter._zero_temperature_limit(lines, [1, 3], betas)
    assert np.all(np.abs(res) > 1e3 * bound)
