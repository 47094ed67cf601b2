"""rf_generalization at the test sizes: the theory lines against direct solutions, the simulated
phases against the theory, the labelled arrays and readings behind the summary, the checks, the
verdicts and their power (mutation tests), and the figures."""

import copy

import matplotlib
import numpy as np
import pytest
from verdict_power import assert_detects, assert_power, by_name

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
        assert {"alpha_D", "L_max", "exponent", "exponent_err"} <= set(s["lmax"][c])
        # fewer than five points in the test profile: no exponent
        assert s["lmax"][c]["exponent"] is None
    # no exponent, so the verdict cannot hold, and says why in words
    v = by_name(r.verdicts, "lmax_exponent_sparse")
    assert not v.holds and v.phrase() == "no value in this run"


def test_checks_are_not_findings(run):
    _, r = run
    assert set(r.claims) == {"learning_first", "reentrance_with_test", "gen_order", "fs_below_falls",
                             "sign_symmetry", "converged", "fss_cap", "snr_above"}
    for c in r.claims.values():
        assert isinstance(c.holds, bool) and c.evidence and not c.finding


def test_verdict_records(run):
    p, r = run
    names = [v.name for v in r.verdicts]
    assert names == [f"gen_L{L}" for L in p.fss_Ls] + ["learning", "storage", "fig2a_generalization",
                                                         "fig2a_learning", "lmax_exponent_sparse",
                                                         "lmax_exponent_dense"]
    for v in r.verdicts:
        rec = v.record()
        assert rec["paper"] == "kalaj2024random" and rec["figure"].startswith("fig-rfgen-")
        assert 0 < rec["aim"] < 1
    assert by_name(r.verdicts, "gen_L3").aim == 0.03
    # the references are the theory's: the spinodal of the L-mixture, the learning line, the SNR exponent
    assert by_name(r.verdicts, "gen_L3").reference == pytest.approx(chapter.spinodal_alpha(3, p.fss_alpha_D))
    assert by_name(r.verdicts, "learning").reference == pytest.approx(rf.learning_alpha(p.alpha_D), rel=1e-4)
    assert by_name(r.verdicts, "lmax_exponent_dense").reference == pytest.approx(-1.0, abs=0.1)


def _synthetic(p, r):
    """The test run with its readings replaced by readings near the theory, with errors of the size a
    paper run has (a few per cent): at test sizes (N of a few hundred, D of 4 to 20 features) the
    transitions are not resolved, so the power of the verdicts is measured on these."""
    s = copy.deepcopy(r)
    aD, nN = s.fss["alpha_D"], len(s.fss["N"])
    for L, d in s.fss["per_L"].items():
        sp = chapter.spinodal_alpha(L, aD)
        d["reading"] = sp * np.linspace(0.94, 0.99, nN)
        d["reading_sem"] = np.full(nN, 0.01 * sp)
        d["reading_n"] = np.full(nN, 5)
    refs = {"learning": chapter.spinodal_alpha(1, p.alpha_D), "storage": chapter.storage_alpha(p.alpha_D, p.L_train)}
    for k, ref in refs.items():
        s.fig1["readings"][k] = {chapter.FSS_LEVEL: {"mean": 1.02 * ref, "sem": 0.03 * ref, "n": 5},
                                 chapter.SYS_LEVEL: {"mean": 1.0 * ref, "sem": 0.03 * ref, "n": 5}}
    a = s.fig2a
    spin = np.array([[chapter.spinodal_alpha(L, x) for x in a["alpha_D"]] for L in a["L"]])
    learn = np.array([[chapter.spinodal_alpha(1, x) for x in a["alpha_D"]] for _ in a["L"]])
    for key, ref in (("gen", spin), ("learn", learn)):
        a[f"{key}09"] = np.stack([1.01 * ref, 0.02 * ref], axis=-1)
        a[f"{key}_sys"] = np.stack([0.99 * ref, 0.02 * ref], axis=-1)
    b = s.fig2b
    e = chapter.snr_exponent(b["a_top"], b["alpha_D_fine"])
    for c in b["family"]:
        b["fits5"][c] = {"exponent": 1.05 * e, "stderr": 0.05, "prefactor": 0.04, "points": 5}
        b["fits"][c] = dict(b["fits5"][c])
        b["bootstrap"][c] = {**b["bootstrap"][c], "exponent_err": 0.1, "exponent_err_networks": 0.06,
                             "exponent_err_grid": 0.08}
    return s


def _shifted(p, r, target, scale=1.0, wrap=None):
    """The verdicts recomputed with the theory function ``target`` of the chapter scaled (or replaced
    by ``wrap(original)``), through the running code."""
    orig = getattr(chapter, target)
    fn = wrap(orig) if wrap else (lambda *a, **k: scale * orig(*a, **k))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(chapter, target, fn)
        return chapter._verdicts(p, r)


@pytest.mark.parametrize("name, target", [
    ("gen_L3", "spinodal_alpha"), ("gen_L5", "spinodal_alpha"), ("learning", "spinodal_alpha"),
    ("storage", "storage_alpha"), ("fig2a_generalization", "spinodal_alpha"), ("fig2a_learning", "spinodal_alpha"),
])
def test_power_against_shifted_theory(run, name, target):
    p, r = run
    s = _synthetic(p, r)
    assert_power(lambda scale: _shifted(p, s, target, scale), name)


@pytest.mark.parametrize("name", ["lmax_exponent_sparse", "lmax_exponent_dense"])
def test_power_of_the_exponent_verdicts(run, name):
    # the exponent of the reference scaled: L_max^scale has exponent scale * e
    p, r = run
    s = _synthetic(p, r)
    orig = chapter.snr_exponent
    assert_power(lambda scale: _shifted(p, s, "snr_exponent", wrap=lambda f: lambda *a: scale * orig(*a)), name)


def test_learning_verdict_power_on_the_test_run(run):
    # the learning transition is resolved even at test sizes: power measured on the simulated readings
    p, r = run
    assert_power(lambda scale: _shifted(p, r, "spinodal_alpha", scale), "learning")


def test_planted_bugs_are_detected(run):
    p, r = run
    s = _synthetic(p, r)
    # the spinodal of the wrong mixture (n + 2 features)
    wrong_n = _shifted(p, s, "spinodal_alpha", wrap=lambda f: lambda n, aD: f(n + 2, aD))
    for name in ("gen_L3", "gen_L5", "learning", "fig2a_generalization", "fig2a_learning"):
        assert_detects(wrong_n, name)
    # alpha_D off by a factor 2 (D counted twice) in the theory
    wrong_aD = _shifted(p, s, "spinodal_alpha", wrap=lambda f: lambda n, aD: f(n, 2 * aD))
    for name in ("gen_L3", "learning", "fig2a_generalization"):
        assert_detects(wrong_aD, name)
    # the published storage equations instead of the coherent line (about ten times larger here)
    pub = _shifted(p, s, "storage_alpha",
                   wrap=lambda f: lambda aD, L=None: float(rf.storage_line([aD], variant="published")[0][0]))
    assert_detects(pub, "storage")
    # a wrong sign of the signal-to-noise exponent
    flipped = _shifted(p, s, "snr_exponent", wrap=lambda f: lambda *a: -f(*a))
    assert_detects(flipped, "lmax_exponent_sparse")
    assert_detects(flipped, "lmax_exponent_dense")


def test_figures_build(run):
    import matplotlib.pyplot as plt

    _, r = run
    for fn in (chapter.figure_fig1, chapter.figure_fs, chapter.figure_fig2a, chapter.figure_fig2b, chapter.figure_fss,
               chapter.figure_fss_sweeps):
        fig = fn(r)
        assert fig.axes
        plt.close(fig)
    assert "| training |" in chapter.table_fs(r).data
    assert "| $L$ | $N$ |" in chapter.table_fss(r).data
    assert "nan" not in chapter.table_fs(r).data + chapter.table_fss(r).data


def test_test_runs_are_the_runs_of_rf_magnetizations():
    from hopcore.experiments.random_features import rf_magnetizations, rf_test_runs

    kw = dict(N=600, alpha=0.4, alpha_D=0.02, coefficients="sparse", L=3, seed=11, L_test=[3, 5], n_test=3)
    a, b = rf_test_runs(**kw, max_sweeps=500), rf_magnetizations(**kw, max_sweeps=500)
    for L in (3, 5):
        # same networks and test examples, other visiting orders: the fixed points may differ, the
        # bookkeeping must not
        assert a[f"m_test_{L}"].shape == (3,) and a[f"sweeps_test_{L}"].shape == (3,)
        assert np.all(np.abs(a[f"m_test_{L}"]) <= 1)
        assert a[f"test_{L}"] == pytest.approx(a[f"m_test_{L}"].mean())
        assert np.all(a[f"sweeps_test_{L}"] >= 1) and a[f"converged_test_{L}"].all()
    assert a["n_not_converged"] == 0
    assert set(b) >= {"test_3", "test_5"}
    # a cap of one sweep cannot reach a fixed point from a start far from one: some run is not converged
    c = rf_test_runs(**{**kw, "alpha": 0.05}, max_sweeps=1)
    assert c["n_not_converged"] > 0 and np.all(c["sweeps_test_3"] <= 1)


def test_lmax_bootstrap_and_brackets(run):
    p, r = run
    b = r.fig2b
    for f in range(len(b["family"])):
        nxt, lm = b["next_candidate"][f], b["L_max"][f]
        # the next candidate is the first odd L above L_max that fits in D, or nan if L_max is censored
        ok = np.isfinite(nxt)
        assert np.all(nxt[ok] > lm[ok]) and np.all(b["lower_bound"][f][~ok])
    # the grid part of the bootstrap on a synthetic ladder: six alpha_D with L_max = 1 / alpha_D (rounded
    # to odd) and brackets of width 2 give a finite spread around the fitted exponent
    aD = np.geomspace(0.005, 0.03, 6)
    lm = np.array([7, 5, 5, 3, 3, 1])
    m_net = np.zeros((6, 8, 1, 4))
    Ls = [1, 3, 5, 7, 9, 11, 13, 15]
    for j, L0 in enumerate(lm):
        m_net[j, : Ls.index(L0) + 1] = 1.0  # retrieved up to L0, not above
    q = dict(N_scan=8000, m_threshold=0.9)
    P = type("P", (), q)
    bs = chapter._lmax_bootstrap(P, m_net, aD, Ls, lm, np.zeros(6, bool), lm + 2.0, seed=1)
    # identical networks: resampling them changes nothing; the brackets do
    assert bs["exponent_err_networks"] == pytest.approx(0.0, abs=1e-12)
    assert 0.05 < bs["exponent_err_grid"] < 1.0
    assert bs["exponent_err"] == pytest.approx(bs["exponent_err_grid"])


def test_finite_size_scaling_readings(run):
    p, r = run
    z = r.fss
    assert z["N"] == list(p.fss_Ns) and list(z["per_L"]) == list(p.fss_Ls)
    for d in z["per_L"].values():
        n_pts = (len(p.fss_Ns), len(p.fss_ratios), p.fss_n_samples)
        assert d["m"].shape == n_pts and d["m_starts"].shape == n_pts + (p.fss_n_test,)
        np.testing.assert_allclose(d["m_starts"].mean(axis=-1), d["m"])
        # loads are multiples of the spinodal of the L-mixture, which the theory puts later for larger L
        np.testing.assert_allclose(d["alpha"] / d["spinodal"], p.fss_ratios, rtol=1e-3)
        # every reading is a load of the grid where the network's curve reaches m = 0.9 from below
        v = d["reading_values"]
        fin = np.isfinite(v)
        assert np.all((v[fin] >= d["alpha"][0]) & (v[fin] <= d["alpha"][-1]))
        assert np.all(d["sweeps"] >= 1) and np.all(d["sweeps"] <= p.fs_max_sweeps)
        assert np.all(d["sweeps_max"] >= d["sweeps_mean"])
    sp = [z["per_L"][L]["spinodal"] for L in p.fss_Ls]
    assert np.all(np.diff(sp) > 0)
    s = r.summary["finite_size_scaling"]
    assert set(s["per_L"]) == {str(L) for L in p.fss_Ls}
    assert {"reading_mean", "reading_sem", "reading_n", "spinodal", "sweeps_near_transition_mean"} <= set(s["per_L"]["3"])


def test_weighted_line_fit_recovers_a_line():
    x = np.array([0.5, 1.0, 1.5, 2.0])
    y = 0.8 + 0.3 * x
    a, ea, b, eb = chapter._wlinfit(x, y, np.full(4, 0.01))
    assert a == pytest.approx(0.8) and b == pytest.approx(0.3)
    assert 0 < ea < 0.05
    # scatter beyond the error bars inflates the errors
    a2, ea2, _, _ = chapter._wlinfit(x, y + np.array([0.1, -0.1, 0.1, -0.1]), np.full(4, 0.01))
    assert ea2 > 5 * ea
    assert np.isnan(chapter._wlinfit(x[:2], y[:2], [0.1, 0.1])[0])


def test_fss_validators_name_the_parameter(tmp_path):
    from hopcore.book.spec import resolve

    with pytest.raises(ValueError, match="fss_Ls"):
        resolve(CHAPTER, {"profile": "test", "output_dir": str(tmp_path), "fss_Ls": [3, 5, 7]})  # 7 > D = 5
    with pytest.raises(ValueError, match="fss_ratios"):
        resolve(CHAPTER, {"profile": "test", "output_dir": str(tmp_path), "fss_ratios": [1.2, 0.8]})


def test_figures_2a_2b_run_only_the_starts_they_read(tmp_path, monkeypatch):
    # a sweep without the feature and training starts: the same networks and test runs as the full
    # sweep (the sample seeds come from the same points), cached under a name of its own
    from hopcore.experiments import cache as cache_mod
    from hopcore.experiments import sweep_grid
    from hopcore.experiments.random_features import rf_magnetizations

    monkeypatch.setenv("HOPCORE_CACHE", str(tmp_path / "cache"))
    kw = dict(axes={"alpha": [0.3, 0.8]}, n_samples=2, seed=3, progress=False,
              fixed=dict(N=300, alpha_D=0.03, coefficients="sparse", L=3, L_test=[3], n_test=2, max_sweeps=200))
    full = sweep_grid(rf_magnetizations, **kw)
    c = cache_mod.ResultCache(tmp_path / "cache")
    part = sweep_grid(**chapter.without_starts("feature", "train"), **kw, cache=c)
    assert c.misses == 4 and c.hits == 0  # not the entries of the full sweep
    np.testing.assert_array_equal(part["m_test_3"], full["m_test_3"])
    again = sweep_grid(**chapter.without_starts("feature", "train"), **kw, cache=c)
    assert c.hits == 4
    np.testing.assert_array_equal(again["test_3"], part["test_3"])
    with pytest.raises(KeyError):
        part["feature"]
