"""dense_rem at the test sizes: thresholds against their known values and expansions, the claims,
the summary keys and the figures."""

import math

import matplotlib
import numpy as np
import pytest

from hopcore.chapters import dense_rem as chapter
from hopcore.theory import dense_memory as dense_theory

matplotlib.use("Agg")


CHAPTER = "dense_rem"


@pytest.fixture(scope="module")
def r(computed):
    return computed[1]

def test_known_values(r):
    assert r.alpha_c_lb_inf == pytest.approx(math.log(2) / 4, abs=1e-9)
    assert np.all(r.alpha_1_gauss[r.lam_gauss >= 1] == 0.5)
    lam = 1e3
    assert float(dense_theory.alpha_1(lam)) - 0.5 - 0.5 * math.log(lam) == pytest.approx(1 / (8 * lam), abs=1 / lam**2)
    # condensed basin: cos theta_c = eps_* = sqrt(1 - exp(-2 alpha))
    assert np.cos(r.theta_nearest) == pytest.approx(np.sqrt(-np.expm1(-2 * r.alphas_basin)), abs=1e-9)
    # Ramsauer et al.: alpha_R ~ lam/10 at small lam
    assert float(dense_theory.ramsauer_alpha_lb(1e-4)) == pytest.approx(1e-5, rel=1e-3)


def test_summary_keys_and_shapes(r):
    s = r.summary
    assert set(s) == {"alpha_1", "alpha_star", "alpha_c_lb", "alpha_c_lb_gaussian_inf", "checks"}
    assert np.shape(s["alpha_1"]["spherical"]) == (2, 2) and np.shape(s["alpha_c_lb"]["gaussian"]) == (2, 2)
    assert s["checks"]["numerical_vs_closed_forms_max_abs_diff"] < 1e-9


def test_claims_hold_and_are_complete(r):
    for name, c in r.claims.items():
        assert isinstance(c.holds, bool) and c.statement.strip() and c.evidence, name
        assert c.holds, f"{name}: {c.text}"


def test_figures_build(r):
    import matplotlib.pyplot as plt

    for f in (chapter.figure_spherical, chapter.figure_basins, chapter.figure_gaussian, chapter.figure_scaled):
        fig = f(r)
        assert fig.axes
        plt.close(fig)
    assert "closed form" in chapter.numeric_table(r)
