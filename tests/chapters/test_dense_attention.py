"""dense_attention at the test sizes: the streamed softmax update against plain attention, the
finite-N one-step law and the signal-to-noise half-retrieval load against independent computations,
the simulated one-step weights against that law, the summary keys, the claims and the figures."""

import math

import matplotlib
import numpy as np
import pytest
from scipy import integrate, stats

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
    assert result.claims["naive_overflows"].holds


def test_one_step_points_against_the_law(result):
    g = np.log(result.weight1) - np.log1p(-result.weight1)
    R = g.shape[-1]
    assert R >= 2
    ok = result.log_odds_var < 0.1
    assert ok.any()
    sigma = np.sqrt(np.maximum(g.std(-1, ddof=1) ** 2 / R, result.log_odds_var / R))
    assert np.all(np.abs(g.mean(-1) - result.log_odds_theory)[ok] <= 3 * sigma[ok] + result.log_odds_var[ok] ** 2)
    assert result.claims["weight_law"].holds
    # the predicted crossover lies below alpha_1 and the measured one within its errors
    assert np.all(result.alpha_half_theory < result.alpha_1)
    assert abs(result.alpha_half[-1] - result.alpha_half_theory[-1]) <= 2 * result.alpha_half_err[-1]


def test_summary_keys_and_shapes(result):
    s = result.summary
    assert set(s) == {"attention_max_abs_diff", "attention_lams", "one_step"}
    one = s["one_step"]
    assert set(one) == {"lam", "alpha_1_theory", "alpha_half_largest_N", "N", "alpha", "probability"}
    assert np.shape(one["probability"]) == (len(one["N"]), len(one["alpha"]))
    assert one["alpha_1_theory"] == pytest.approx(0.387006422, abs=1e-8)


def test_claims(result):
    for name, c in result.claims.items():
        assert isinstance(c.holds, bool), name
        assert c.statement.strip() and c.evidence, name
        assert "`" not in c.text and "\\" not in c.text, name
    # one size only: the collapse cannot be tested and is not presented as a finding here
    assert not result.claims["poly_collapse"].holds and not result.claims["poly_collapse"].finding
    for name in ("gauss_typical_half", "gauss_all_patterns", "spherical_unbounded"):
        assert result.claims[name].holds and result.claims[name].finding


def test_figures_build(result):
    import matplotlib.pyplot as plt

    for fig in (chapter.figure_poly(result), chapter.figure_onestep(result)):
        assert fig.axes
        plt.close(fig)
    assert "naive" in chapter.attention_table(result)
