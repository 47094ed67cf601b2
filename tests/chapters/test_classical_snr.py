"""classical_snr at its test sizes: the signal-to-noise theory against known numbers, the simulated
points against it within tolerances that can fail, the claims and the figures."""

import numpy as np
import pytest
from verdict_power import assert_detects, assert_power

from hopcore.chapters import classical_snr as chapter
from hopcore.theory import snr

CHAPTER = "classical_snr"


@pytest.fixture(scope="module")
def result(computed):
    return computed

def test_theory_known_numbers():
    # P_err(alpha) = erfc(1/sqrt(2 alpha))/2: at alpha = 1/2 it is erfc(1)/2 = 0.0786496...
    assert snr.per_bit_error(0.5) == pytest.approx(0.07864960352514257, rel=1e-12)
    assert snr.per_bit_error(0.1) == pytest.approx(0.5 * 1.565402258002548e-03, rel=1e-9)  # erfc(sqrt(5))/2
    # leading orders and their ratio 2
    assert snr.capacity_one_pattern(np.e**2) == pytest.approx(np.e**2 / 4)
    assert snr.capacity_one_pattern(1e6) / snr.capacity_all_patterns(1e6) == pytest.approx(2.0)
    # the finite-N half points solve (1 - P_err)^N = 1/2 and (1 - P_err)^(NP) = 1/2
    for N in (100, 1000):
        assert snr.p_pattern_stable(N, snr.p_half(N, "one")) == pytest.approx(0.5, abs=1e-9)
        assert snr.p_all_stable(N, snr.p_half(N, "all")) == pytest.approx(0.5, abs=1e-9)


def test_finite_n_ratio_approaches_two_slowly():
    ratio = [snr.p_half(N, "one") / snr.p_half(N, "all") for N in (1e2, 1e4, 1e6, 1e10)]
    assert np.all(np.diff(ratio) > 0) and ratio[-1] < 2.0
    assert 1.55 < ratio[0] < 1.75 and ratio[-1] > 1.85


def test_z_tolerance_is_bonferroni():
    assert chapter.z_tolerance(1) == pytest.approx(2.5758, abs=1e-3)
    assert chapter.z_tolerance(12) > chapter.z_tolerance(2) > chapter.z_tolerance(1)


def test_per_bit_error_follows_the_law(result):
    p, r = result
    e = r.perr
    assert e.rates.shape == (len(p.alphas_snr), p.n_samples_snr) and p.n_samples_snr >= 2
    # each point within 4 of its errors of the finite-N law (fails if the kernel or the law is off)
    assert np.all(np.abs(e.z) < 4.0), e.z
    assert np.all(e.theory_finite < e.theory)  # finite N: smaller variance, larger signal -> fewer errors


def test_capacity_scan_brackets_the_half_points(result):
    p, r = result
    c = r.capacity
    for sc in c.scans.values():
        assert sc.frac_stable.shape == (p.n_networks, len(sc.P)) == sc.all_stable.shape
        assert sc.p_one[0] > 0.5 > sc.p_one[-1] and sc.p_all[0] >= 0.5 > sc.p_all[-1]
        assert np.all(sc.p_all <= sc.p_one + 1e-12)  # all stable implies each stable
    assert np.all(c.P_half_all_sim < c.P_half_one_sim)
    # simulated half points within a factor 1.5 of the finite-N Gaussian prediction at these tiny sizes
    assert np.all(np.abs(np.log(c.P_half_one_sim / c.P_half_one_theory)) < np.log(1.5))
    assert np.all(np.abs(np.log(c.P_half_all_sim / c.P_half_all_theory)) < np.log(1.5))
    assert np.all(np.isfinite(c.ratio_se) & (c.ratio_se > 0))


def test_overlap_and_demo(result):
    p, r = result
    o = r.overlap
    assert o.m.shape == (len(p.alphas_overlap), p.n_samples_overlap, p.n_starts)
    assert o.m_mean[0] > 0.99  # alpha = 0.05: the patterns are fixed points up to a few bits
    assert np.all(o.m_mean[:-1] >= o.m_mean[1:] - 3 * o.m_sem[1:])
    assert r.demo.monotone and r.summary["energy_monotone"] is True
    assert r.picture.m_fixed_point > r.picture.m_start


def test_claims_are_checks_and_summary(result):
    p, r = result
    for name, c in r.claims.items():
        assert isinstance(c.holds, bool) and not c.finding, name   # checks of the code, not findings
        assert c.statement.strip() and c.text.strip(), name
    assert r.claims["energy_monotone"].holds
    for key in ("energy_monotone", "picture", "per_bit_error", "capacity", "overlap", "alpha_breakdown"):
        assert key in r.summary
    assert "seconds" not in str(r.summary) and not any(k.endswith("_s") for k in r.summary)


def test_verdicts_hold_at_test_sizes(result):
    p, r = result
    names = [v.name for v in r.verdicts]
    assert names == ["noise", "capacity_one", "capacity_all"]
    for v in r.verdicts:
        assert v.holds, v.record()
        assert v.paper == "mceliece1987capacity" and v.figure.startswith("fig-snr-")


def test_noise_verdict_power(result, monkeypatch):
    # the reference (the predicted crosstalk variance) scaled inside the running law
    p, r = result
    orig = snr.per_bit_error_finite

    def evaluate(scale):
        monkeypatch.setattr(chapter.snr, "per_bit_error_finite", lambda N, P: orig(N, 1.0 + scale * (P - 1.0)))
        return chapter._verdicts(p, r)

    assert_power(evaluate, "noise")


def test_noise_verdict_detects_a_doubled_variance(result, monkeypatch):
    # a planted bug: a factor 2 in the noise variance of the law
    p, r = result
    orig = snr.per_bit_error_finite
    monkeypatch.setattr(chapter.snr, "per_bit_error_finite", lambda N, P: orig(N, 1.0 + 2.0 * (P - 1.0)))
    assert_detects(chapter._verdicts(p, r), "noise")


@pytest.mark.parametrize("name", ["capacity_one", "capacity_all"])
def test_capacity_verdicts_power(result, monkeypatch, name):
    p, r = result
    orig = chapter.law_slope

    def evaluate(scale):
        monkeypatch.setattr(chapter, "law_slope", lambda N, req: scale * orig(N, req))
        return chapter._verdicts(p, r)

    assert_power(evaluate, name)


def test_capacity_verdict_detects_the_wrong_law(result, monkeypatch):
    # a planted bug: the one-pattern half points compared with the all-pattern law
    p, r = result
    orig = chapter.law_slope
    monkeypatch.setattr(chapter, "law_slope", lambda N, req: orig(N, "all" if req == "one" else "one"))
    assert_detects(chapter._verdicts(p, r), "capacity_one")


def test_law_slope_recovers_the_coefficients():
    # the half points of the laws' next-order form have slopes 2 and 4 exactly
    from scipy.optimize import brentq

    Ns = np.array([125.0, 500.0, 2000.0, 8000.0])
    const = np.log(2 * np.pi * np.log(2) ** 2)
    for req, (k, c) in chapter.LAW_FORMS.items():
        P = np.array([N * brentq(lambda a: 1 / a - k * np.log(a) - c * np.log(N) + const, 1e-4, 1.0) for N in Ns])
        fit = chapter.law_slope_fit(Ns, P, 0.01 * P, req)
        assert fit["slope"] == pytest.approx(c, abs=1e-9)
        assert 0.9 * c < chapter.law_slope(Ns, req) < 1.1 * c   # the exact finite-N half points: close to c


def test_figures_build(result):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, r = result
    for name in ("energy", "picture", "perr", "capacity", "overlap"):
        fig = getattr(chapter, f"figure_{name}")(r)
        assert fig.axes
        plt.close(fig)
    fig = chapter.figure_energy(r)
    assert len(fig.axes[0].get_legend().get_texts()) == len(r.demo.energies)  # every line named
    plt.close(fig)
