"""The dense_simulations chapter at its test sizes: theory values, simulations against theory, claims
and figures."""

import math

import numpy as np
import pytest
from verdict_power import assert_detects, assert_power, by_name

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
    assert np.all((b["prob_lo"] <= b["prob"] + 1e-12) & (b["prob"] <= b["prob_hi"] + 1e-12))  # Wilson ends round
    assert np.all(b["prob_hi"] - b["prob_lo"] > 0)  # Wilson intervals have a width even at 0 and 1
    # starts very close to the pattern are retrieved above lam_c, far ones are not
    above = b["lam"] > b["lam_c"]
    assert np.all(b["prob"][above, 0] == 1.0) and np.all(b["prob"][above, -1] < 0.5)


def test_summary_and_checks(result):
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
    # what is left of the claims are checks of the code, none presented as a finding
    assert r.claims and not any(c.finding for c in r.claims.values())
    assert all(c.holds for c in r.claims.values())


def test_figures_build(result):
    _, r = result
    for name in ("lambda_half", "runs", "alphas", "gaussian", "basins", "forms", "all_patterns"):
        fig = getattr(chapter, f"figure_{name}")(r)
        assert fig.axes, name
        assert fig.get_figwidth() <= 7.5, name  # stacked panels fit the column
    for table in (chapter.table_protocol_check(r), chapter.table_scan(r.main, r.theory["lam_at_N"]),
                  chapter.table_forms(r), chapter.table_verdicts(r), chapter.table_basins(r)):
        assert table.startswith("| ") and "nan" not in table


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


def test_fit_finite_size_forms():
    from hopcore.experiments import dense as dense_experiments

    N = np.array([20, 30, 40, 50, 60, 80], float)
    y = 0.2 + 1.3 * np.log(N) / N - 0.4 / N
    err = np.full(N.shape, 1e-3)
    # each form recovers a curve of its own shape exactly (chi^2 = 0), with the right intercept
    assert dense_experiments.fit_finite_size(N, y, err, "log")["intercept"] == pytest.approx(0.2, abs=1e-10)
    fixed = dense_experiments.fit_finite_size(N, y, err, "log_fixed", log_coefficient=1.3)
    assert fixed["intercept"] == pytest.approx(0.2, abs=1e-10) and fixed["chi2"] < 1e-12 and fixed["dof"] == 4
    # the quadratic in 1/N is the fit of extrapolate_inverse_N, and it misses a log(N)/N approach
    q = dense_experiments.fit_finite_size(N, y, err, "quadratic")
    assert q["intercept"] == pytest.approx(dense_experiments.extrapolate_inverse_N(N, y, err)[0], abs=1e-9)
    assert q["intercept"] - 0.2 > 0.005
    # the error is scaled by sqrt(chi^2/dof) only when the scatter exceeds the errors
    noisy = y + np.array([1, -1, 1, -1, 1, -1]) * 5e-3
    f = dense_experiments.fit_finite_size(N, noisy, err, "log")
    assert f["intercept_err"] == pytest.approx(f["intercept_err_fit"] * math.sqrt(f["chi2"] / f["dof"]))
    with pytest.raises(ValueError, match="log_coefficient"):
        dense_experiments.fit_finite_size(N, y, err, "log_fixed")


def test_finite_size_forms(result):
    p, r = result
    s = r.summary
    loads = sorted([p.alpha, *p.alphas_other])
    assert [e["alpha"] for e in s["finite_size_forms"]] == loads
    for e, a in zip(s["finite_size_forms"], loads):
        lam_c = float(dense_theory.lam_c(a))
        assert set(e["forms"]) == set(chapter.FORMS) and e["preferred"] in chapter.FORMS
        # the coefficient of log(N)/N: 1/(1 - eps), eps the tilted mean overlap at lam_c (between 0 and 1)
        assert e["log_coefficient"] > 1
        # the theory's limit is lam_c: far beyond the simulated sizes the log form fitted to it finds it,
        # closer than the quadratic does (the theory approaches as log(N)/N)
        far_log, far_q = (e["forms"][f]["prediction_far_intercept"] for f in ("log", "quadratic"))
        assert abs(far_log - lam_c) < 2e-3
        assert abs(far_log - lam_c) < abs(far_q - lam_c)
        # the bias of each form is its fit of the theory minus the theory's own limit (not lam_c, the reference
        # of the verdicts, although the two agree)
        assert e["theory_limit"] == pytest.approx(lam_c, abs=1e-5)
        for f in chapter.FORMS:
            assert e["forms"][f]["bias"] == pytest.approx(e["forms"][f]["prediction_intercept"] - e["theory_limit"],
                                                          abs=1e-12)
        assert e["extrapolated_err"] >= max(e["extrapolated_err_stat"], e["extrapolated_err_sys"])
    # the residual of the forms figure is data minus finite_size_prediction, in units of the error
    fm = r.forms[p.alpha]
    assert np.allclose(fm["residual"], r.main.lam_half - s["finite_size_prediction"][loads.index(p.alpha)]["lambda_half"])
    assert np.allclose(fm["residual_sigmas"] * r.main.err, fm["residual"])


def test_all_patterns_run_against_direct_computation():
    from hopcore.ensembles import continuous
    from hopcore.experiments import dense as dense_experiments

    N, alpha, lam, seed = 12, 0.35, 4.0, 77
    res = dense_experiments.all_patterns_run(N, alpha, lam, "gaussian", seed, block=16)
    P = continuous.n_patterns(alpha, N)
    X = continuous.continuous_patterns(N, P, seed, "gaussian")
    G = lam * X @ X.T
    A = np.exp(G - G.max(axis=1, keepdims=True))
    X1 = (A / A.sum(axis=1, keepdims=True)) @ X
    kept = np.sum((X1 - X) ** 2, axis=1) / N < 0.05
    assert res["P"] == P and res["starts"] == 16
    assert res["n_one_step"] == int(kept[:16].sum())
    # a failure in the first block settles the question: not all patterns are kept
    assert res["all_one_step"] == bool(kept.all())
    if not kept[:16].all():
        assert res["checked"] == 16


def test_all_patterns(result):
    p, r = result
    A = r.all_patterns
    # the two limits at lam >= 1: alpha_1 = 1/2, alpha_c^lb = log(2)/4
    assert A["alpha_1"] == pytest.approx(0.5) and A["alpha_c_lb"] == pytest.approx(math.log(2) / 4, abs=1e-6)
    done = A["done"]
    assert done.shape == (len(p.Ns_all), len(p.alphas_all)) and done.any()
    assert np.all(A["P"][done] <= p.max_P_all) and not np.any(done & (A["P"] > p.max_P_all))
    # a set whose patterns are all retrieved has fraction 1, so the mean fraction bounds the probability
    assert np.all(A["fraction"][done] >= A["all"][done] - 1e-12)
    ok = np.isfinite(A["alpha_fraction"]) & np.isfinite(A["alpha_all"])
    assert np.all(A["alpha_all"][ok] <= A["alpha_fraction"][ok])
    for key in ("fraction", "all"):
        assert np.all((A[key + "_lo"][done] <= A[key][done]) & (A[key][done] <= A[key + "_hi"][done]))
    # with P = 2 or 3 patterns every one is retrieved; at alpha = 0.6 > alpha_1 most are not
    assert np.all(A["fraction"][:, 0][done[:, 0]] > 0.9)
    j = len(p.alphas_all) - 1
    assert np.all(A["fraction"][done[:, j], j] < 0.5)
    s = r.summary["all_patterns_gaussian"]
    assert s["lam"] == p.lam_all and len(s["N"]) == len(p.Ns_all)
    fig = chapter.figure_all_patterns(r)
    assert len(fig.axes) >= 3
    assert chapter.figure_forms(r).axes and "theory" in chapter.table_forms(r)


# ----------------------------------------------------------------------------- verdicts and their power
def _frozen(fn):
    """fn with its values remembered before any patching (lam_c and alpha_c_lb call alpha_1 inside)."""
    seen = {}

    def frozen(*a, **k):
        key = repr((a, k))
        if key not in seen:
            seen[key] = fn(*a, **k)
        return seen[key]
    return frozen


def _scaled(monkeypatch, p, r, name):
    """evaluate(scale): the chapter's verdicts with the theory function ``name`` scaled, through the running code
    (the other references held at their values)."""
    orig = getattr(chapter.dense_theory, name)
    others = {f: _frozen(getattr(chapter.dense_theory, f)) for f in ("lam_c", "alpha_c_lb") if f != name}
    for f, fn in others.items():  # remember their values unpatched
        with monkeypatch.context() as m:
            m.setattr(chapter.dense_theory, f, fn)
            chapter._verdicts(p, r)

    def evaluate(scale):
        with monkeypatch.context() as m:
            for f, fn in others.items():
                m.setattr(chapter.dense_theory, f, fn)
            m.setattr(chapter.dense_theory, name, lambda *a, **k: scale * orig(*a, **k))
            return chapter._verdicts(p, r)
    return evaluate


def test_verdict_names(result):
    p, r = result
    names = [v.name for v in r.verdicts]
    loads = sorted([p.alpha, *p.alphas_other])
    assert names == [x for a in loads for x in (f"lam_c_{a:g}", f"alpha_1_{a:g}")] + [
        "forms_quadratic_bias", "gap_alpha_1", "gap_alpha_c_lb"] + [f"theta_c_{lam:g}" for lam in p.lams_basin]
    basin = by_name(r.verdicts, f"theta_c_{p.lams_basin[0]:g}").record()
    assert basin["paper"] == "lucibello2023exponential" and basin["figure"] == "fig-dense-sim-basins"
    assert basin["readout"] == "prob_one_step" and basin["item"].startswith("Fig. 2: θ_c(α = 0.2, λ = ")
    # Bonferroni over the couplings tested: two at test sizes
    assert basin["z"] == pytest.approx(2.2414, abs=1e-3)
    rec = r.verdicts[0].record()
    assert rec["paper"] == "lucibello2023exponential" and rec["aim"] == chapter.AIM_HEADLINE
    assert "lam_c_0.2" in names  # the scorecard's headline


@pytest.mark.parametrize("theory, names", [
    ("lam_c", ["lam_c_0.2", "lam_c_0.3"]),
    ("alpha_1", ["alpha_1_0.2", "alpha_1_0.3", "gap_alpha_1"]),
    ("finite_n_threshold", ["forms_quadratic_bias"]),
    ("alpha_c_lb", ["gap_alpha_c_lb"]),
    ("theta_c", ["theta_c_0.5", "theta_c_2"]),
])
def test_verdict_power(result, monkeypatch, theory, names):
    p, r = result
    evaluate = _scaled(monkeypatch, p, r, theory)
    for name in names:
        assert_power(evaluate, name)


def test_lam_c_tolerance_does_not_depend_on_the_reference(result, monkeypatch):
    """The systematic error of the extrapolation is measured on the finite-N theory against its own limit:
    moving lam_c (the reference) leaves the book's value and its tolerance unchanged."""
    p, r = result
    evaluate = _scaled(monkeypatch, p, r, "lam_c")
    base = by_name(evaluate(1.0), "lam_c_0.2")
    for s in (0.95, 1.05):
        v = by_name(evaluate(s), "lam_c_0.2")
        assert (v.book, v.book_err, v.tolerance) == (base.book, base.book_err, base.tolerance)


def test_first_moment_loads():
    """The lam = inf first-moment loads tend to alpha_1 = 1/2 and log(2)/4 from above as N grows."""
    t12, a12 = chapter.first_moment_loads(12)
    t400, a400 = chapter.first_moment_loads(400)
    assert 0.5 < t400 < t12 and math.log(2) / 4 < a400 < a12
    assert t400 - 0.5 < 0.02 and a400 - math.log(2) / 4 < 0.01


# ----------------------------------------------------------------------------- the basins (Fig. 2)
def test_basin_extrapolation_recovers_its_form():
    """The fit of cos theta_1/2(N) finds the intercept of a curve of its own form, below lam_* (b/N) and above
    (the fixed -log(N)/(2 lam_* N) plus b/N); the alternative form moves it, which is the systematic error."""
    Ns = np.array([20, 25, 30, 35, 40, 45, 50])
    lam_star = float(dense_theory.lam_star(0.2))
    for lam, a in ((0.6, 0.0), (3.0, -0.5 / lam_star)):
        assert chapter.basin_log_coefficient(0.2, lam) == pytest.approx(a)
        c = 0.6 + a * np.log(Ns) / Ns + 1.5 / Ns
        th = np.arccos(c)
        b = {"Ns": Ns, "alpha": 0.2, "lam": np.array([lam]), "prob_one_step_half_N": th[:, None],
             "prob_one_step_half_err_N": np.full((len(Ns), 1), 0.01)}
        e = chapter.basin_extrapolation(b, "prob_one_step")[0]
        assert e["cos"] == pytest.approx(0.6, abs=1e-9) and e["theta"] == pytest.approx(math.acos(0.6), abs=1e-9)
        assert list(e["fit_N"]) == [25, 30, 35, 40, 45, 50]  # the upper half of the sizes
        assert e["theta_err_sys"] > 0 and e["theta_err_sys"] == pytest.approx(abs(e["theta_alternative"] - e["theta"]))


def test_basin_errors(result):
    p, r = result
    b = r.basins
    # every crossing carries at least the angle grid (step / sqrt 12), and the bootstrap over the pattern sets
    step = b["theta"][1] - b["theta"][0]
    fin = np.isfinite(b["prob_one_step_half_N"])
    assert np.all(b["prob_one_step_half_err_N"][fin] >= step / math.sqrt(12) - 1e-12)
    assert np.any(b["prob_one_step_half_boot_N"][fin] > 0)
    assert b["prob_one_step_half_boot_N"].shape == (len(b["Ns"]), len(p.lams_basin))


def test_basin_verdict_independent_of_theta_c(result, monkeypatch):
    """The book's value and its tolerance do not read theta_c: moving it leaves them unchanged."""
    p, r = result
    evaluate = _scaled(monkeypatch, p, r, "theta_c")
    for name in ("theta_c_0.5", "theta_c_2"):
        base = by_name(evaluate(1.0), name)
        moved = by_name(evaluate(1.1), name)
        assert (moved.book, moved.book_err, moved.tolerance) == (base.book, base.book_err, base.tolerance)
        assert moved.reference == pytest.approx(1.1 * base.reference)


def test_basin_verdict_detects_a_broken_start(result, monkeypatch, tmp_path):
    """Planted bug: the start placed at twice the intended angle (a broken start kernel). The one-update basin
    then appears at half its size, and the verdicts fail."""
    from hopcore.ensembles import continuous

    p, r = result
    monkeypatch.setenv("HOPCORE_CACHE", str(tmp_path / "cache"))  # no cached runs of the correct start
    orig = continuous.sphere_point_at_angle
    monkeypatch.setattr(continuous, "sphere_point_at_angle", lambda xi, th, seed: orig(xi, 2 * th, seed))
    bugged = chapter.Result(**{**r.__dict__, "basins": chapter._basins(p)})
    found = chapter._verdicts(p, bugged)
    for lam in p.lams_basin:
        assert_detects(found, f"theta_c_{lam:g}")


def test_iterating_rescues_starts_below_lam_star(result):
    """The two readouts differ at finite N: below lam_* iterating rescues starts that one update does not bring
    into the pattern, so at every size the converged crossing lies at or above the one-update one (why the
    verdicts read the one-update crossing, the quantity theta_c speaks of)."""
    p, r = result
    b = r.basins
    i = 0  # lam = 0.5 < lam_*
    conv, one = b["prob_half_N"][:, i], b["prob_one_step_half_N"][:, i]
    ok = np.isfinite(conv) & np.isfinite(one)
    assert ok.sum() >= 3 and np.all(conv[ok] >= one[ok])
