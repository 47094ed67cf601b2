"""classical_replica at the test sizes: the replica-symmetric numbers against the known AGS values,
the simulated overlaps against the T = 0 theory, the three extrapolations of alpha_c(N), the claims
and the figures."""

import matplotlib
import numpy as np
import pytest

from hopcore.chapters import classical_replica as chapter
from hopcore.experiments.classical import alpha_c_fit_forms, extrapolate_alpha_c_free

matplotlib.use("Agg")


CHAPTER = "classical_replica"


@pytest.fixture(scope="module")
def result(computed):
    return computed[1]

def test_replica_symmetric_numbers_are_the_known_values(result):
    # AGS: alpha_c = 0.1379 with m = 0.967 at T = 0; global minima below 0.051-0.052; 3-mixtures up to 0.030
    # at T = 0 and stable below T = 0.46 at alpha = 0 (Amit, Gutfreund, Sompolinsky 1985)
    assert result.alpha_c == pytest.approx(0.13791, abs=5e-5)
    assert result.m_c == pytest.approx(0.967, abs=1e-3)
    assert result.alpha_c_bisection == pytest.approx(result.alpha_c, abs=1e-7)
    assert 0.050 < result.phase["alpha_c_global"] < 0.053
    assert result.mixture_lines[3]["alpha_T0"] == pytest.approx(0.0299, abs=2e-4)
    assert result.mixture_lines[3]["T_alpha0"] == pytest.approx(0.46, abs=0.005)
    # the mixture loads fall with the order
    loads = [result.mixture_lines[n]["alpha_T0"] for n in result.mixture_ns]
    assert np.all(np.diff(loads) < 0)


def test_even_mixtures_are_unstable_and_odd_ones_stable_at_low_T(result):
    lam = {int(n): v for n, v in zip(result.eig_orders, result.lambda_in)}
    low = 0  # T = 0.02
    assert lam[3][low] > 0
    assert np.all(lam[2][np.isfinite(lam[2])] < 0)


def test_simulated_overlaps_follow_the_theory_below_and_collapse_above(result):
    # at alpha = 0.08 (well below alpha_c) every network retrieves with the theory's overlap, up to
    # the finite-N scatter (5 standard errors, plus the O(1/N) bits that no single network gets right)
    from hopcore.theory.classical import retrieval_curve_T0_reduced

    j = list(result.alphas).index(0.08)
    m_th = float(retrieval_curve_T0_reduced([0.08])[0])
    for k, N in enumerate(result.Ns):
        assert abs(result.m_mean[k, j] - m_th) <= 5 * result.m_err[k, j] + 2.0 / N
    # at alpha = 0.3 (twice alpha_c) retrieval has failed: the mean overlap is below the level and
    # more than three standard errors below the retrieval overlap; small networks keep a large remanent overlap
    j = list(result.alphas).index(0.3)
    assert np.all(result.m_mean[:, j] < result.m_threshold)
    assert np.all(result.m_mean[:, j] + 3 * result.m_err[:, j] < result.m_c)


def test_finite_size_capacities_and_fits(result):
    assert result.alpha_c_N.shape == (len(result.Ns),) and np.all(np.isfinite(result.alpha_c_N))
    assert np.all(result.alpha_c_N_err > 0)
    # two sizes: the two linear fits go through both points, the free exponent is not determined
    pref, inv, free = result.fits["preferred"], result.fits["one_over_N"], result.fits["free"]
    x = result.Ns.astype(float) ** -0.5
    assert np.allclose(pref["alpha_inf"] + pref["slope"] * x, result.alpha_c_N, atol=1e-9)
    assert not free["determined"] and np.isnan(free["alpha_inf"])
    assert result.fits["systematic_err"] == pytest.approx(abs(inv["alpha_inf"] - pref["alpha_inf"]))


def test_free_exponent_fit_recovers_a_known_law():
    Ns = np.array([250, 500, 1000, 2000, 4000, 8000.0])
    err = np.full(Ns.size, 2e-4)
    for nu in (0.5, 1.0):
        fit = extrapolate_alpha_c_free(Ns, 0.138 + 0.9 * Ns ** -nu, err)
        assert fit["determined"] and not fit["at_bound"]
        assert fit["exponent"] == pytest.approx(nu, abs=0.01)
        assert fit["alpha_inf"] == pytest.approx(0.138, abs=1e-4)
        assert fit["nu_lo"] <= nu <= fit["nu_hi"]
    # with the N^-1/2 law, the 1/N fit overshoots and the systematic error sees it
    forms = alpha_c_fit_forms(Ns, 0.138 + 0.9 * Ns ** -0.5, err)
    assert forms["one_over_N"]["alpha_inf"] > 0.138 + 0.005
    assert forms["systematic_err"] >= forms["one_over_N"]["alpha_inf"] - forms["preferred"]["alpha_inf"] - 1e-12
    assert not extrapolate_alpha_c_free(Ns[:3], (0.138 + 0.9 * Ns ** -0.5)[:3], err[:3])["determined"]


def test_mixture_start_is_a_fixed_point_at_low_load(result):
    curves = chapter.mixture_curves(result)
    # alpha = 0.01, far below the 3-mixture load 0.030: the overlap stays near 1/2 and few spins move
    assert abs(curves["m_mean"][0] - 0.5) < 0.05
    assert curves["moved_mean"][0] < 0.05
    assert result.m_mix.shape[1] >= 2


def test_summary_keys_and_claims(result):
    s = result.summary
    fs = s["alpha_c_finite_size"]
    assert set(fs) == {"N", "alpha_c", "alpha_c_err", "extrapolated", "extrapolated_err", "fit",
                       "extrapolated_1_over_N"}
    for key in ("alpha_c", "mixture_alpha_c", "extrapolated_free_exponent", "systematic_err"):
        assert key in s
    assert s["systematic_err"] == result.fits["systematic_err"]
    assert result.claims
    for name, c in result.claims.items():
        assert isinstance(c.holds, bool) and c.statement.strip() and c.evidence, name
        assert "$" not in c.text and "`" not in c.text, name
    assert result.claims["two_routes"].holds and result.claims["continuation"].holds
    assert not result.claims["free_exponent"].holds       # two sizes cannot fix three parameters


def test_figures_build(result):
    import matplotlib.pyplot as plt

    for name in ("m_T0", "eigen", "phase", "sim", "mixture_sim"):
        fig = getattr(chapter, f"figure_{name}")(result)
        assert fig.axes
        plt.close(fig)


def test_interpolation_error_estimates_the_error_of_a_linear_crossing():
    from hopcore.experiments.classical import crossing_interpolation_err, crossing_load

    alphas = np.linspace(0.10, 0.20, 11)
    for width in (0.002, 0.008):
        m = 0.26 + 0.74 / (1 + np.exp((alphas - 0.147) / width))
        true = 0.147 + width * np.log(0.74 / 0.24 - 1)
        err = crossing_interpolation_err(alphas, m, 0.5)
        actual = abs(crossing_load(alphas, m, 0.5) - true)
        # same order as the real error of the linear crossing (within a factor of three), never zero
        assert actual / 3 < err < 3 * actual
    assert np.isnan(crossing_interpolation_err(alphas, np.ones_like(alphas), 0.5))


def test_interpolation_errors_in_the_result(result):
    e = result.alpha_c_N_interp_err
    assert e.shape == result.alpha_c_N.shape
    assert np.all(e[np.isfinite(e)] >= 0)
    assert np.all(e[np.isfinite(e)] < np.diff(result.alphas).max())   # never more than one grid cell
