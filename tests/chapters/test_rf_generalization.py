"""rf_generalization at the test sizes: the theory lines against direct solutions, the simulated
phases against the theory, the labelled arrays and readings behind the summary, the claims and the
figures."""

import matplotlib
import numpy as np
import pytest

from hopcore.analysis import largest_retrieved
from hopcore.chapters import rf_generalization as chapter
from hopcore.theory import random_features as rf
from hopcore.theory import rf_snr

matplotlib.use("Agg")


CHAPTER = "rf_generalization"


@pytest.fixture(scope="module")
def run(computed):
    return computed

def test_theory_loads_against_direct_solutions(run):
    p, r = run
    th = r.fig1["theory_alpha"]
    # the learning load read off the interpolated spinodal line agrees with the direct root of the
    # n = 1 spinodal (log-log interpolation between 36 loads: well under 2 %)
    assert th["learning"] == pytest.approx(rf.learning_alpha(p.alpha_D), rel=0.02)
    # the storage transition lies far below the learning transition, and mixtures need more load
    assert th["storage"] < th["learning"] < th["spinodal_3"]
    # the RS overlap of the feature branch is close to 1 at the largest load and the branch exists
    # only above the learning transition
    a, m = r.fig1["theory_lines"][1]
    assert np.all(np.isnan(m[a < 0.9 * th["learning"]]))
    assert m[-1] > 0.95


def test_snr_largest_mixture_matches_the_bisection_for_dense_training():
    for aD in (0.005, 0.01, 0.04):
        assert rf_snr.snr_largest_odd_mixture(1.0, aD, "dense") == rf_snr.snr_max_mixture(1.0, aD, n_max=3999)
    # sparse training has the larger linear fraction at small L (kappa_{1,3}^2 = 3/4 > 2/pi)
    assert rf_snr.snr_largest_odd_mixture(1.0, 0.005, "sparse") >= rf_snr.snr_largest_odd_mixture(1.0, 0.005, "dense")


def test_simulated_phases_follow_the_theory(run):
    p, r = run
    f1 = r.fig1
    assert f1["m"]["feature"].shape == (len(p.alphas), p.n_samples)
    a = np.asarray(p.alphas)
    th = f1["theory_alpha"]
    above = a > 2 * th["learning"]
    # well above the learning transition the features are attractors: mean m within three standard
    # errors (plus the O(1/sqrt(N)) scatter of single starts) of the RS overlap, which is close to 1
    m_th = np.interp(a[above], *f1["theory_lines"][1])
    tol = 3 * np.nan_to_num(f1["sem"]["feature"][above]) + 1 / np.sqrt(p.N)
    assert np.all(np.abs(f1["mean"]["feature"][above] - m_th) <= tol + (1 - m_th))
    assert np.all(f1["mean"]["feature"][above] > 0.9)
    # every magnetization is an overlap
    for k in f1["keys"]:
        assert np.all(np.abs(f1["m"][k]) <= 1)


def test_labelled_arrays_and_readings(run):
    p, r = run
    fs, a, b = r.fs, r.fig2a, r.fig2b
    assert fs["m_test"].shape == (2, len(p.fs_Ns), len(p.fs_alphas), p.fs_n_samples)
    assert fs["m_test_starts"].shape == fs["m_test"].shape + (p.fs_n_test,)
    np.testing.assert_allclose(fs["m_test_starts"].mean(axis=-1), fs["m_test"])
    assert a["m_test"].shape == (len(p.scan_Ls), len(p.scan_alpha_Ds), len(p.scan_alphas), p.n_samples_scan)
    assert b["m"].shape == (len(p.lmax_coefficients), len(p.lmax_alpha_Ds), len(p.lmax_Ls), len(p.lmax_alphas))
    for f in range(len(b["family"])):
        for j, aD in enumerate(b["alpha_D"]):
            D = max(1, round(aD * p.N_scan))
            cand = [L for L in p.lmax_Ls if L <= D]
            # points with L > D are not simulated (nan), the others are
            assert np.all(np.isnan(b["m_best"][f, j, [L > D for L in p.lmax_Ls]]))
            assert np.all(np.isfinite(b["m_best"][f, j, [L <= D for L in p.lmax_Ls]]))
            best = [b["m_best"][f, j, p.lmax_Ls.index(L)] for L in cand]
            assert b["L_max"][f, j] == largest_retrieved(cand, best, p.m_threshold)
            assert b["lower_bound"][f, j] == (b["L_max"][f, j] == cand[-1])
    s = r.summary
    assert set(s["magnetizations"]) == {"alpha", "feature", "train", "test"}
    for c in p.lmax_coefficients:
        assert set(s["lmax"][c]) == {"alpha_D", "L_max", "exponent", "exponent_err"}
        # fewer than five points in the test profile: no exponent
        assert s["lmax"][c]["exponent"] is None
    assert not r.claims["lmax_exponent_sparse"].holds
    assert "no exponent" in r.claims["lmax_exponent_sparse"].text


def test_claims_are_computed(run):
    _, r = run
    for name in (
        "learning_first",
        "learning_theory",
        "reentrance_with_test",
        "gen_order",
        "gen_at_spinodals",
        "fs_hardly_moves",
        "dense_later",
        "sign_symmetry",
        "fig2a_trend",
        "lmax_exponent_dense",
        "snr_above",
    ):
        c = r.claims[name]
        assert isinstance(c.holds, bool)
        assert c.statement.strip() and c.text.strip()
        assert c.evidence
    # the tolerance of the learning claim is the resolution of the grid, never zero
    assert r.claims["learning_theory"].evidence["tolerance"] > 0 or not np.isfinite(
        r.claims["learning_theory"].evidence["tolerance"]
    )


def test_figures_build(run):
    import matplotlib.pyplot as plt

    _, r = run
    for fn in (chapter.figure_fig1, chapter.figure_fs, chapter.figure_fig2a, chapter.figure_fig2b):
        fig = fn(r)
        assert fig.axes
        plt.close(fig)
    assert "| training |" in chapter.table_fs(r).data
