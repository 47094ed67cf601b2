"""dense_attention at the test sizes: the streamed softmax update against plain attention, the
finite-N one-step law and the signal-to-noise half-retrieval load against independent computations,
the verdicts (simulated one-step crossover and weights against that law) and their power, the summary
keys, the checks and the figures."""

import math

import matplotlib
import numpy as np
import pytest
from scipy import integrate, stats
from verdict_power import assert_detects, assert_power

from hopcore.chapters import dense_attention as chapter
from hopcore.ensembles.continuous import n_patterns
from hopcore.theory import dense_memory as dense_theory

matplotlib.use("Agg")


CHAPTER = "dense_attention"


@pytest.fixture(scope="module")
def result(computed):
    return computed[1]

def test_theory_numbers():
    # alpha_1 at lam = 1/2 for spherical patterns: lam - (u - 1)/2 + log((1 + u)/2)/2, u = sqrt(2)
    u = math.sqrt(2.0)
    assert float(dense_theory.alpha_1(0.5, "spherical")) == pytest.approx(
        0.5 - (u - 1) / 2 + 0.5 * math.log((1 + u) / 2), abs=1e-14
    )
    # the half-retrieval load of the zero-error criterion, from scipy's normal quantile
    for N, n in ((40, 2), (80, 3)):
        x = stats.norm.isf(1 - 0.5 ** (1 / N))
        assert dense_theory.polynomial_half_load(N, n) == pytest.approx(1 / ((1 if n == 2 else 3) * x * x), rel=1e-12)
    assert dense_theory.polynomial_half_load(80, 2) < dense_theory.polynomial_half_load(40, 2)  # the log N drift


def test_one_step_law_against_direct_integrals():
    N, lam = 12, 0.5
    P = n_patterns(0.4, N)
    law = dense_theory.one_step_law([P], lam, N)
    # M(lam) = E exp(lam N c) with c of density (1 - c^2)^((N-3)/2) / B(1/2, (N-1)/2)
    from scipy.special import beta

    dens = lambda c: (1 - c * c) ** ((N - 3) / 2) / beta(0.5, (N - 1) / 2)  # noqa: E731
    M = lambda l: integrate.quad(lambda c: math.exp(l * N * c) * dens(c), -1, 1, epsrel=1e-12)[0]  # noqa: E731
    v = (M(2 * lam) / M(lam) ** 2 - 1) / (P - 1)
    assert law["v"][0] == pytest.approx(v, rel=1e-8)
    assert law["log_odds"][0] == pytest.approx(lam * N - math.log(P - 1) - math.log(M(lam)) + v / 2, abs=1e-8)
    # the log-odds fall by about N per unit of alpha (P rounded to an integer)
    a, b = dense_theory.one_step_law([n_patterns(0.4, 24), n_patterns(0.5, 24)], lam, 24)["log_odds"]
    assert (a - b) / 0.1 == pytest.approx(24, rel=0.02)
    assert 0.5 < law["a_star"][0] < 1


def test_attention_check(result):
    assert result.summary["attention_max_abs_diff"] < 1e-12
    assert np.all(np.isfinite(result.lse_diff)) and np.all(result.lse_diff < 1e-10)
    assert np.array_equal(np.isinf(result.naive_lse), result.max_exponent > chapter.LOG_FLOAT_MAX)
    assert result.claims["streamed_equals_attention"].holds


def test_one_step_points_against_the_law(result):
    g = np.log(result.weight1) - np.log1p(-result.weight1)
    R = g.shape[-1]
    assert R >= 5
    ok = result.log_odds_var < chapter.V_TRUSTED
    assert ok.any()
    sigma = np.sqrt(np.maximum(g.std(-1, ddof=1) ** 2 / R, result.log_odds_var / R))
    assert np.all(np.abs(g.mean(-1) - result.log_odds_theory)[ok] <= 3 * sigma[ok] + result.log_odds_var[ok] ** 2)
    assert np.all(result.alpha_half_theory < result.alpha_1)


def test_verdicts_hold_at_test_sizes(result):
    assert [v.name for v in result.verdicts] == ["one_step_half", "weight_mid"]
    for v in result.verdicts:
        assert v.holds and v.book_err > 0 and v.extra["sizes"] >= 1, v.record()


def _shifted(monkeypatch, p, r, fn, scale):
    orig = getattr(chapter, fn)
    with monkeypatch.context() as m:
        m.setattr(chapter, fn, lambda *a: scale * orig(*a))
        return chapter._verdicts(p, r)


@pytest.mark.parametrize("name, fn", [("one_step_half", "law_crossing"), ("weight_mid", "law_midpoint")])
def test_power(computed, monkeypatch, name, fn):
    p, r = computed
    assert_power(lambda s: _shifted(monkeypatch, p, r, fn, s), name)


def test_planted_bugs_are_detected(computed, monkeypatch):
    p, r = computed
    # the law with the moment generating function of Gaussian patterns, for spherical ones
    mgf = dense_theory.log_mgf_finite_n
    with monkeypatch.context() as m:
        m.setattr(dense_theory, "log_mgf_finite_n", lambda lam, N, kind="spherical", s=1.0: mgf(lam, N, "gaussian", s))
        assert_detects(chapter._verdicts(p, r), "weight_mid")
    # the retrieval radius read as a distance instead of a squared distance (sqrt(0.05) for 0.05)
    with monkeypatch.context() as m:
        m.setattr(chapter, "KEPT", math.sqrt(chapter.KEPT))
        assert_detects(chapter._verdicts(p, r), "one_step_half")
    # a broken kernel: the weight of xi^1 read with the signal term halved (lam N / 2 in place of lam N)
    from dataclasses import replace

    g = np.log(r.weight1) - np.log1p(-r.weight1) - p.lam_one_step * r.Ns[:, None, None] / 2
    broken = replace(r, weight1=1 / (1 + np.exp(-g)))
    assert_detects(chapter._verdicts(p, broken), "weight_mid")


def test_summary_keys_and_shapes(result):
    s = result.summary
    assert set(s) == {"attention_max_abs_diff", "attention_lams", "one_step"}
    one = s["one_step"]
    assert set(one) == {"lam", "alpha_1_theory", "alpha_half_largest_N", "N", "alpha", "probability"}
    assert np.shape(one["probability"]) == (len(one["N"]), len(one["alpha"]))
    assert one["alpha_1_theory"] == pytest.approx(0.387006422, abs=1e-8)


def test_checks(result):
    for name, c in result.claims.items():
        assert isinstance(c.holds, bool) and not c.finding and c.statement.strip(), name
    for name in ("streamed_equals_attention", "gauss_all_patterns", "spherical_unbounded"):
        assert result.claims[name].holds, name
    # one size only: the collapse cannot be tested
    assert not result.claims["poly_collapse"].holds
    assert not {"naive_overflows", "gauss_typical_half", "below_alpha_1", "weight_law"} & set(result.claims)


def test_figures_build(result):
    import matplotlib.pyplot as plt

    for fig in (chapter.figure_poly(result), chapter.figure_onestep(result)):
        assert fig.axes
        plt.close(fig)
    assert "overflow" in chapter.attention_table(result) and chapter.attention_table(result).startswith("|")
