"""The dense_simulations chapter at its test sizes: theory values, simulations against theory, claims
and figures."""

import math

import numpy as np
import pytest

from hopcore.chapters import dense_simulations as chapter
from hopcore.theory import dense_memory as dense_theory

CHAPTER = "dense_simulations"


@pytest.fixture(scope="module")
def result(computed):
    return computed

def test_theory_values(result):
    p, r = result
    # spherical: lambda_c solves 1 = phi(alpha, lam) with lam_c(0.2) = 0.2246 (inverse of alpha_1)
    assert r.main.lam_c == pytest.approx(0.22463, abs=1e-4)
    assert float(dense_theory.alpha_1(r.main.lam_c)) == pytest.approx(p.alpha, rel=1e-6)
    # Gaussian: lam - lam^2/2 = alpha
    assert r.gauss.lam_c == pytest.approx(1 - math.sqrt(1 - 2 * p.alpha), rel=1e-6)
    # the one-step basin: cos theta_c = phi(alpha, lam); lam_* = sqrt(e^{4 alpha} - e^{2 alpha}) (spherical)
    b = r.basins
    lam_star = math.sqrt(math.exp(4 * p.alpha_basin) - math.exp(2 * p.alpha_basin))
    assert b["lam_star"] == pytest.approx(lam_star, rel=1e-6)
    for lam, th in zip(b["lam"], b["theta_c"]):
        assert math.cos(th) == pytest.approx(float(dense_theory.phi(p.alpha_basin, lam)), rel=1e-6)


def test_thresholds_against_theory(result):
    p, r = result
    m, th = r.main, r.theory
    # every finite size is above lam_c and the finite-N theory lies between lam_c and the simulations
    # within 3 standard errors plus 1/N (the order of the terms the theory neglects)
    assert np.all(m.lam_half > m.lam_c)
    assert np.all(th["lam_at_N"] > m.lam_c)
    assert np.all(np.abs(m.lam_half - th["lam_at_N"]) < 3 * m.err + 1.0 / m.N)
    # the one-update criterion without the saddle-node margin sits at lam_c (finite-N REM average)
    assert abs(th["onestep_max"] - m.lam_c) < p.resolution
    # the saddle-node margin decreases towards lam_c as N grows (log N / N)
    assert th["lam_line"][-1] < th["lam_line"][0] and th["lam_line"][-1] > m.lam_c
    # the realizations are bracketed: lo < threshold < hi, within the resolution
    for s in (m, r.gauss, *r.others.values()):
        for j in range(len(s.N)):
            lo, hi, thr = (s.realizations(j, k) for k in ("lo", "hi", "thresholds"))
            fin = np.isfinite(thr)
            assert np.all(lo[fin] <= thr[fin]) and np.all(thr[fin] <= hi[fin])
    # Gaussian thresholds of short patterns are larger: negative correlation with the norm
    assert r.theory["gaussian"]["correlation"] < 0
    # the quadratic fit is linear in the data: the fit of (data - theory) has intercept x0 - f0
    assert th["residual_extrapolated"] == pytest.approx(m.extrapolated - th["extrapolated"], abs=1e-9)


def test_basins(result):
    p, r = result
    b = r.basins
    assert b["prob"].shape == (len(p.lams_basin), p.n_thetas)
    assert np.all((b["prob_lo"] <= b["prob"]) & (b["prob"] <= b["prob_hi"]))
    assert np.all(b["prob_hi"] - b["prob_lo"] > 0)  # Wilson intervals have a width even at 0 and 1
    # starts very close to the pattern are retrieved above lam_c, far ones are not
    above = b["lam"] > b["lam_c"]
    assert np.all(b["prob"][above, 0] == 1.0) and np.all(b["prob"][above, -1] < 0.5)


def test_summary_and_claims(result):
    p, r = result
    s = r.summary
    assert set(s) >= {"lambda_half", "lambda_half_gaussian", "lambda_half_other_alphas", "protocol_check",
                      "monotonicity_violations", "basins"}
    for entry in s["lambda_half_other_alphas"]:
        assert set(entry) == {"alpha", "N", "lambda_half", "lambda_half_err", "extrapolated", "extrapolated_err",
                              "theory"}
    assert [e["alpha"] for e in s["lambda_half_other_alphas"]] == sorted([p.alpha, *p.alphas_other])
    assert s["monotonicity_violations"] == 0
    assert "wall_time_s" in r.timings and not any("time" in k or k.endswith("_s") for k in s)
    assert r.claims
    for name, c in r.claims.items():
        assert isinstance(c.holds, bool), name
        assert c.statement.strip() and c.evidence and c.text.strip(), name
        assert "$" not in c.text and "`" not in c.text, name
    # the claim on the theory's own fit holds only when the data intercept is resolved away from lam_c
    gap = r.claims["theory_fit_gap"]
    m = r.main
    if abs(m.extrapolated - m.lam_c) <= 2 * m.extrapolated_err:
        assert not gap.holds
    # a fit is drawn only when its error is below its value
    g = r.gauss
    assert r.claims["gaussian_fit"].holds == (g.extrapolated_err < abs(g.extrapolated))


def test_figures_build(result):
    _, r = result
    for name in ("lambda_half", "runs", "alphas", "gaussian", "basins"):
        fig = getattr(chapter, f"figure_{name}")(r)
        assert fig.axes, name
    assert "lambda_1/2" in chapter.tables(r)


def test_basins_per_size_and_finite_size_prediction(result):
    p, r = result
    b, s = r.basins, r.summary
    Ns = sorted({p.N_basin, *p.Ns_basin_scan})
    assert list(b["Ns"]) == Ns and len(s["basins"]["per_N"]) == len(Ns)
    for j, entry in enumerate(s["basins"]["per_N"]):
        assert entry["N"] == Ns[j]
        lo, mid, hi = (np.asarray(entry[k], float) for k in ("theta_half_low", "theta_half", "theta_half_high"))
        fin = np.isfinite(lo) & np.isfinite(mid) & np.isfinite(hi)
        assert np.all(lo[fin] <= mid[fin] + 1e-12) and np.all(mid[fin] <= hi[fin] + 1e-12)
    # the slice at N_basin is the old summary entry
    jb = Ns.index(p.N_basin)
    assert np.array_equal(b["prob"], b["prob_N"][jb])
    # the finite-N prediction: one entry per load, decreasing towards lam_c at large N (log N / N)
    pred = s["finite_size_prediction"]
    assert [e["alpha"] for e in pred] == sorted([p.alpha, *p.alphas_other])
    for e in pred:
        lam_c = float(dense_theory.lam_c(e["alpha"]))
        assert np.all(np.asarray(e["lambda_half"]) > lam_c)
        assert dense_theory.finite_n_threshold(e["alpha"], 2000) < float(np.min(e["lambda_half"]))
