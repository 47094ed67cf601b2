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


def test_profile_has_five_networks_per_point(result):
    p, r = result
    assert r.n_samples >= 5
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


def test_relaxed_overlaps_and_crossover_check(result):
    _, r = result
    m, _ = r.grid_mean("m_final")
    assert np.all((m > -1) & (m <= 1))
    # features (n = 1) at the smallest alpha_D are fixed points
    assert np.all(m[:, 0, :, 0] > chapter.M_STABLE)
    c = r.claims["crossover"]
    assert not c.finding  # an ordering of outcomes, a check and not a finding
    if c.evidence["largest_stable"] is not None:
        assert c.evidence["largest_stable"] == pytest.approx(float(r.inv_asym[m > chapter.M_STABLE].max()))


def _scaled_theory(monkeypatch, scale, bug=None):
    """The predicted variances and signal fluctuations multiplied by ``scale`` (so the predicted 1/SNR^2
    is), or one noise term doubled (``bug``), through the running theory module."""
    orig_terms = getattr(rf_snr.field_term_moments, "__wrapped_orig__", rf_snr.field_term_moments)
    orig_sig = getattr(rf_snr.signal_variance, "__wrapped_orig__", rf_snr.signal_variance)

    def terms(*a, **k):
        out = orig_terms(*a, **k)
        out = {**out, "var": {t: v * (2.0 if t == bug else scale) for t, v in out["var"].items()}}
        return out

    def sig(*a, **k):
        return (1.0 if bug else scale) * orig_sig(*a, **k)

    terms.__wrapped_orig__, sig.__wrapped_orig__ = orig_terms, orig_sig
    monkeypatch.setattr(chapter.rf_snr, "field_term_moments", terms)
    monkeypatch.setattr(chapter.rf_snr, "signal_variance", sig)


def _synthetic(r, rel=0.03):
    """The run with its measured 1/SNR^2 replaced by the prediction, with a 3 % scatter over the networks."""
    import copy

    s = copy.copy(r)
    k = r.inv_snr2.shape[-1]
    spread = np.linspace(-1, 1, k) / np.std(np.linspace(-1, 1, k))  # mean 0, standard deviation 1
    s.inv_snr2 = r.inv_pred[..., None] * (1 + rel * spread)
    return s


@pytest.mark.parametrize("family", ["sparse", "dense"])
def test_snr_verdicts_have_power(result, monkeypatch, family):
    from verdict_power import assert_detects, assert_power

    p, r = result
    run = _synthetic(r)

    def evaluate(scale):
        _scaled_theory(monkeypatch, scale)
        return chapter._verdicts(p, run)

    base = assert_power(evaluate, f"snr_{family}")
    assert base.resolution < 0.1
    # a planted bug: the variance of the crosstalk of the features outside the mixture doubled
    _scaled_theory(monkeypatch, 1.0, bug="unc")
    assert_detects(chapter._verdicts(p, run), f"snr_{family}")


def test_snr_verdicts_on_the_run(result):
    p, r = result
    assert {v.name for v in r.verdicts} == {f"snr_{c}" for c in p.coefficients}
    for v in r.verdicts:
        assert v.paper == "book" and v.z == chapter.Z and np.isfinite(v.book) and v.book_err > 0
        assert v.extra["points"] == r.inv_snr2[0, ..., 0].size


def test_claims_summary_and_figures(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, r = result
    assert set(r.claims) == {"variances", "snr", "unstable", "crossover", "exponent"}
    for c in r.claims.values():
        assert isinstance(c.holds, bool) and c.statement and c.evidence
    assert r.claims["exponent"].holds and not r.claims["exponent"].finding
    assert not any(c.finding for c in r.claims.values())
    assert set(r.summary) == {"variance_check", "snr_check", "scaling"}
    assert r.summary["scaling"]["exponent_alpha_D_to_0"] == pytest.approx(-1.0, abs=1e-3)
    assert set(r.summary["snr_check"]) == {"median_ratio_measured_over_predicted", "ratio_range",
                                           "largest_inv_snr2_with_m_above_0.95", "smallest_inv_snr2_with_m_below_0.8"}
    for name in ("variances", "snr", "nmax"):
        fig = getattr(chapter, f"figure_{name}")(r)
        assert fig.axes
        plt.close(fig)
