"""rf_mixture_snr at the test sizes: the linear part of an example against its closed forms, the
measured field split against the variances of hopcore.theory.rf_snr within the quenched scatter of
the networks, the claims (the crossover claim locates stable and broken mixtures) and the figures."""

import numpy as np
import pytest

from hopcore.chapters import rf_mixture_snr as chapter
from hopcore.theory import rf_snr

CHAPTER = "rf_mixture_snr"


@pytest.fixture(scope="module")
def result(computed):
    return computed

def test_linear_part_closed_forms():
    assert rf_snr.linear_coefficient(1) == 1.0
    assert rf_snr.linear_coefficient(3) == 0.5 and rf_snr.linear_coefficient(5) == 0.375
    assert 3 * rf_snr.linear_coefficient(3) ** 2 == pytest.approx(0.75)
    assert 101 * rf_snr.linear_coefficient(101) ** 2 == pytest.approx(2 / np.pi, rel=0.01)
    table = chapter.table_linear_part()
    assert len(table.rows) == 9 and table.rows[1][1] == "0.7500"


def test_profile_has_two_networks_per_point(result):
    p, r = result
    assert r.n_samples >= 2
    assert r.scan_alpha.var["mix"].shape == (len(p.coefficients), len(p.alphas), p.n_samples)
    assert r.inv_snr2.shape == (len(p.coefficients), len(p.alpha_Ds), len(p.alphas_scaling), len(p.ns_scaling),
                                p.n_samples)


def test_field_split_is_exact(result):
    _, r = result
    assert r.scan_alpha.residual < 1e-9 and r.scan_n.residual < 1e-9


def test_variances_agree_with_theory_within_the_quenched_scatter(result):
    p, r = result
    # one network's variance of a term is a sum over ~D feature pairs: relative spread sqrt(2/D);
    # the mean over n_samples networks then deviates by sqrt(2/(D n_samples)) typically
    D = round(p.alpha_D * p.N)
    scatter = np.sqrt(2.0 / (D * p.n_samples))
    dev, _ = chapter._variance_deviations(r)
    assert np.median(dev) < 2 * scatter
    # a theory off by a factor 2 would fail: the deviations are relative to the right scale
    assert np.median(np.abs(r.scan_alpha.var["r_t"].mean(axis=-1) / (2 * r.scan_alpha.theory["r_t"]) - 1)) > 2 * scatter


def test_signal_to_noise_prediction(result):
    p, r = result
    inv, _ = r.grid_mean("inv_snr2")
    ratio = inv / r.inv_pred
    D = round(min(p.alpha_Ds) * p.N)
    assert abs(np.log(np.nanmedian(ratio))) < 2 * np.sqrt(2.0 / (D * p.n_samples))
    # the asymptotic 1/SNR^2 grows with n and alpha_D and falls with alpha
    assert np.all(np.diff(r.inv_asym, axis=3) > 0) and np.all(np.diff(r.inv_asym, axis=1) > 0)


def test_relaxed_overlaps_and_crossover_claim(result):
    _, r = result
    m, _ = r.grid_mean("m_final")
    assert np.all((m > -1) & (m <= 1))
    # features (n = 1) at the smallest alpha_D are fixed points
    assert np.all(m[:, 0, :, 0] > chapter.M_STABLE)
    c = r.claims["crossover"]
    assert c.holds
    top, bottom = c.evidence["largest_stable"], c.evidence["smallest_broken"]
    assert top == pytest.approx(float(r.inv_asym[m > chapter.M_STABLE].max()))
    assert bottom == pytest.approx(float(r.inv_asym[m < chapter.M_BROKEN].min()))
    assert f"{top:.3f}" in c.text and f"{bottom:.3f}" in c.text


def test_claims_summary_and_figures(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, r = result
    assert set(r.claims) == {"variances", "snr", "unstable", "crossover", "exponent"}
    for c in r.claims.values():
        assert isinstance(c.holds, bool) and c.statement and c.evidence
    assert r.claims["exponent"].holds
    assert set(r.summary) == {"variance_check", "snr_check", "scaling"}
    assert r.summary["scaling"]["exponent_alpha_D_to_0"] == pytest.approx(-1.0, abs=1e-3)
    assert set(r.summary["snr_check"]) == {"median_ratio_measured_over_predicted", "ratio_range",
                                           "largest_inv_snr2_with_m_above_0.95", "smallest_inv_snr2_with_m_below_0.8"}
    for name in ("variances", "snr", "nmax"):
        fig = getattr(chapter, f"figure_{name}")(r)
        assert fig.axes
        plt.close(fig)
