"""The curve-reading helpers against hand-computed cases."""

import numpy as np
import pytest

from hopcore.analysis import first_crossing, level_crossings, power_law_fit


def test_crossings_in_both_directions_and_linear_interpolation():
    x = [0.0, 1.0, 2.0, 3.0, 4.0]
    y = [1.0, 0.6, 0.2, 0.8, 0.1]
    np.testing.assert_allclose(level_crossings(x, y, 0.5, "down"), [1.25, 3 + 0.3 / 0.7])
    np.testing.assert_allclose(level_crossings(x, y, 0.5, "up"), [2.5])
    assert first_crossing(x, y, 0.5, "down") == pytest.approx(1.25)
    assert np.isnan(first_crossing(x, y, 2.0, "down"))
    # a point exactly at the level counts as above: 1 -> 0.5 -> 0 crosses once, between 0.5 and 0
    np.testing.assert_allclose(level_crossings([0, 1, 2], [1.0, 0.5, 0.0], 0.5, "down"), [1.0])


def test_log_interpolation_and_missing_points_never_cross():
    x = [1.0, 10.0, 100.0]
    assert first_crossing(x, [0.0, 1.0, 1.0], 0.5, "up", log_x=True) == pytest.approx(np.sqrt(10.0))
    assert np.isnan(first_crossing(x, [1.0, np.nan, 0.0], 0.5, "down"))
    with pytest.raises(ValueError, match="direction"):
        level_crossings(x, [0, 1, 2], 0.5, "sideways")


def test_power_law_fit_recovers_exponent_and_drops_bad_points():
    x = np.geomspace(1e-3, 1.0, 12)
    y = 3.0 * x ** -1.5 * np.exp(0.01 * np.sin(np.arange(12)))
    fit = power_law_fit(np.r_[x, -1.0, np.nan], np.r_[y, 5.0, 1.0])
    assert fit["points"] == 12
    assert fit["exponent"] == pytest.approx(-1.5, abs=0.01) and fit["prefactor"] == pytest.approx(3.0, rel=0.05)
    assert 0 < fit["stderr"] < 0.01
    two = power_law_fit([1.0, 4.0], [2.0, 8.0])
    assert two["exponent"] == pytest.approx(1.0) and two["stderr"] is None
    assert power_law_fit([1.0], [1.0])["exponent"] is None


def test_within_errors_accepts_sampling_scatter_and_rejects_a_bias():
    from hopcore.analysis import within_errors

    rng = np.random.default_rng(3)
    k, points = 3, 400
    samples = rng.normal(1.0, 0.2, size=(points, k))
    mean, sem = samples.mean(axis=1), samples.std(axis=1, ddof=1) / np.sqrt(k)
    fair = within_errors(mean, sem, 1.0, k)
    assert fair["compatible"] and fair["expected_fraction"] == pytest.approx(0.8165, abs=1e-3)
    biased = within_errors(mean, sem, 1.25, k)  # a 25% bias, 2 standard errors of one point
    assert not biased["compatible"] and biased["fraction"] < 0.5
    assert not within_errors(mean, np.full(points, np.nan), 1.0, 1)["compatible"]


def test_weighted_linear_fit_recovers_a_two_term_law_and_its_chi2():
    from hopcore.analysis import weighted_linear_fit

    rng = np.random.default_rng(5)
    N = np.array([500, 1000, 2000, 4000, 8000, 16000, 32000.0])
    A = np.stack([np.ones_like(N), N ** -0.5, 1 / N], axis=1)
    err = np.full(N.size, 1e-4)
    chi2 = []
    for _ in range(200):
        y = 0.14 + 0.5 * N ** -0.5 + 20 / N + rng.normal(0, 1e-4, N.size)
        fit = weighted_linear_fit(A, y, err)
        chi2.append(fit["chi2"])
    assert fit["determined"] and fit["dof"] == 4
    assert abs(fit["coef"][0] - 0.14) < 4 * fit["coef_err"][0]
    assert np.mean(chi2) == pytest.approx(4.0, rel=0.2)            # chi^2 per dof about one with honest errors
    # a law the basis cannot describe gives a large chi^2
    bad = weighted_linear_fit(A[:, :2], 0.14 + 20 / N ** 0.9, err)
    assert bad["chi2"] > 100
    assert not weighted_linear_fit(A, [0.1, 0.2, np.nan, np.nan, np.nan, np.nan, np.nan], err)["determined"]


def test_bootstrap_of_several_statistics_matches_one_call_per_statistic():
    from hopcore.analysis import bootstrap

    data = np.random.default_rng(3).normal(size=(30, 4))

    def stats(d):  # the second component is not finite in some replicas
        return np.array([d[:, 0].mean(), d[:, 1].mean() if d[0, 1] > 0 else np.nan, np.median(d[:, 2])])

    value, err = bootstrap(stats, data, n_boot=100, seed=7)
    assert err.shape == (3,)
    for i in range(3):
        v_i, e_i = bootstrap(lambda d, i=i: stats(d)[i], data, n_boot=100, seed=7)
        assert value[i] == v_i or (np.isnan(value[i]) and np.isnan(v_i))
        assert err[i] == e_i
