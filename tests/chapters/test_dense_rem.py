"""dense_rem at the test sizes: thresholds against their known values and expansions, the verdicts and
their power (references shifted through the running code, planted bugs), the checks, the summary keys
and the figures."""

import math

import matplotlib
import numpy as np
import pytest
from verdict_power import assert_detects, assert_power, by_name

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
    assert set(s) == {"alpha_1", "alpha_star", "alpha_c_lb", "alpha_c_lb_gaussian_inf", "checks", "c_max",
                      "scaled_simulation", "gaussian_routes"}
    ss = s["scaled_simulation"]
    n_l, n_N = len(ss["lam_tilde"]), len(ss["N"])
    assert np.shape(ss["fraction"]) == (n_l, n_N, np.shape(ss["alpha_tilde"])[1])
    assert np.shape(ss["alpha_half"]) == (n_l, n_N) == np.shape(ss["theory_margin"])
    assert np.shape(s["c_max"]["mean"]) == (len(s["c_max"]["N"]), len(s["c_max"]["alphas"]))
    assert np.shape(s["alpha_1"]["spherical"]) == (2, 2) and np.shape(s["alpha_c_lb"]["gaussian"]) == (2, 2)
    assert s["checks"]["numerical_vs_closed_forms_max_abs_diff"] < 1e-9


def test_checks_hold(r):
    for name, c in r.claims.items():
        assert isinstance(c.holds, bool) and c.statement.strip() and not c.finding, name
        assert c.holds, f"{name}: {c.record()}"
    # the tautological findings of the past are gone
    assert not {"gauss_gap", "gauss_saturation", "c_max_finite_n", "scaled_theory"} & set(r.claims)


def test_verdicts_hold_at_test_sizes(r):
    names = [v.name for v in r.verdicts]
    assert names == ["c_max_0.2", "c_max_0.3", "c_max_routes", "gauss_alpha_1", "gauss_gap", "gauss_lb_inf", "scaled"]
    for v in r.verdicts:
        assert v.holds, v.record()
        assert v.book_err > 0 and math.isfinite(v.resolution), v.name
    assert by_name(r.verdicts, "scaled").extra["points"] >= 1


def _scaled(monkeypatch, p, r, target, fn, scale):
    orig = getattr(target, fn)
    with monkeypatch.context() as m:
        m.setattr(target, fn, lambda *a, **k: scale * orig(*a, **k))
        return chapter._verdicts(p, r)


@pytest.mark.parametrize("name, fn", [("c_max_routes", "c_max"), ("gauss_alpha_1", "alpha_1"),
                                      ("scaled", "scaled_alpha_half_finite_n")])
def test_power_theory_references(computed, monkeypatch, name, fn):
    p, r = computed
    assert_power(lambda s: _scaled(monkeypatch, p, r, dense_theory, fn, s), name)


def test_power_c_max(computed, monkeypatch):
    p, r = computed
    orig = dense_theory.max_overlap_finite_n

    def evaluate(scale):
        with monkeypatch.context() as m:
            m.setattr(dense_theory, "max_overlap_finite_n",
                      lambda a, N: {**orig(a, N), "mean": scale * orig(a, N)["mean"]})
            return chapter._verdicts(p, r)

    for name in ("c_max_0.2", "c_max_0.3"):
        assert_power(evaluate, name)


def test_power_c_max_quick_loads(computed, monkeypatch):
    """The loads of the quick and paper builds (0.1 among them), on a synthetic simulation at N = 50 with 40
    pattern sets: the mean half a standard error from the exact law."""
    from dataclasses import replace

    p, r = computed
    orig = dense_theory.max_overlap_finite_n
    alphas = np.array([0.1, 0.2, 0.3])
    laws = [orig(a, 50) for a in alphas]
    sem = np.array([[law["std"] / math.sqrt(40) for law in laws]])
    mean = np.array([[law["mean"] for law in laws]]) + 0.5 * sem
    fake = replace(r, nearest={**r.nearest, "alphas": alphas, "N": np.array([50]), "mean": mean, "sem": sem,
                               "n_networks": 40})

    def evaluate(scale):
        with monkeypatch.context() as m:
            m.setattr(dense_theory, "max_overlap_finite_n",
                      lambda a, N: {**orig(a, N), "mean": scale * orig(a, N)["mean"]})
            return chapter._verdicts(p, fake)

    for name in ("c_max_0.1", "c_max_0.2", "c_max_0.3"):
        assert_power(evaluate, name)


def test_power_gauss_gap_and_limit(computed, monkeypatch):
    p, r = computed
    a1, lb = dense_theory.alpha_1, dense_theory.alpha_c_lb

    def evaluate(scale):  # both ends of the gap scaled: the gap scales with them
        with monkeypatch.context() as m:
            m.setattr(dense_theory, "alpha_1", lambda *a, **k: scale * a1(*a, **k))
            m.setattr(dense_theory, "alpha_c_lb", lambda *a, **k: scale * lb(*a, **k))
            return chapter._verdicts(p, r)

    assert_power(evaluate, "gauss_gap")
    assert_power(lambda s: _scaled(monkeypatch, p, r, chapter, "log2_over_4", s), "gauss_lb_inf")


def test_planted_bugs_are_detected(computed, monkeypatch):
    p, r = computed
    # a factor 2 in the large-deviation rate of the norm, in the solver of the union bound
    rate = dense_theory.norm_rate
    with monkeypatch.context() as m:
        m.setattr(dense_theory, "norm_rate", lambda *a, **k: 2 * rate(*a, **k))
        assert_detects(chapter._verdicts(p, r), "gauss_gap")
    # the finite-N threshold without its saddle-node margin
    half = dense_theory.scaled_alpha_half_finite_n
    with monkeypatch.context() as m:
        m.setattr(dense_theory, "scaled_alpha_half_finite_n", lambda *a, **k: half(*a, **{**k, "saddle_node": False}))
        assert_detects(chapter._verdicts(p, r), "scaled")


def test_scaled_regime_criterion_is_fixed_by_the_parameters(r):
    ss = r.scaled_sim
    # delta_sn <= eps/2 with delta_sn = (1 - sqrt(1 - 4/kappa))/2: kappa >= 1/(s (1 - s)), s = eps/2
    s = chapter.SHARP_SHARE * ss["eps"]
    assert np.array_equal(ss["in_verdict"], ss["kappa"] >= 1 / (s * (1 - s)) - 1e-12)


def test_figures_build(r):
    import matplotlib.pyplot as plt

    for f in (chapter.figure_spherical, chapter.figure_basins, chapter.figure_gaussian, chapter.figure_scaled,
              chapter.figure_nearest, chapter.figure_scaled_simulation):
        fig = f(r)
        assert fig.axes
        plt.close(fig)
    assert "closed form" in chapter.numeric_table(r)
    assert chapter.verdict_table(r).count("\n") == len(r.verdicts) + 1


def test_nearest_pattern_routes_and_finite_n_law(r):
    nb = r.nearest
    # the second-moment root is the first-moment root, sqrt(1 - exp(-2 alpha)), to solver precision
    assert nb["second_moment"] == pytest.approx(np.sqrt(-np.expm1(-2 * nb["alphas_routes"])), abs=1e-9)
    # psi_alpha(c) = alpha - zeta_hat_1(c) below the root, -inf above it
    a, c = 0.2, 0.3
    assert dense_theory.overlap_count_rate(c, a)[0] == pytest.approx(a - float(dense_theory.zeta_hat(c)), abs=1e-9)
    assert dense_theory.overlap_count_rate(float(dense_theory.c_max(a)) + 1e-6, a)[0] == -math.inf
    # the exact finite-N law: below c_max, rising with N; the simulated means within 4 standard errors of it
    assert np.all(nb["exact_mean"] < nb["c_max"][None, :])
    assert np.all(np.diff(nb["exact_mean"], axis=0) > 0)
    ok = np.isfinite(nb["z"])
    assert ok.any() and np.all(np.abs(nb["z"][ok]) < 4)


def test_max_overlap_law_against_a_direct_draw():
    """E max over P - 1 iid overlaps, by quadrature, against many direct draws of the Beta law."""
    N, alpha = 30, 0.2
    law = dense_theory.max_overlap_finite_n(alpha, N)
    rng = np.random.default_rng(1)
    n = 20000
    draws = 2 * rng.beta((N - 1) / 2, (N - 1) / 2, size=(n, law["P"] - 1)).max(axis=1) - 1
    assert draws.mean() == pytest.approx(law["mean"], abs=4 * law["std"] / math.sqrt(n))
    assert draws.std() == pytest.approx(law["std"], rel=0.05)


def test_max_overlap_run_matches_materialized_patterns():
    from hopcore.ensembles import continuous
    from hopcore.experiments import dense as dense_experiments

    N, seed = 12, 7
    res = dense_experiments.max_overlap_run(N, [0.3, 0.6, 0.9], seed, max_entries=1e6)
    X = continuous.continuous_patterns(N, int(res["P"].max()), seed)
    c = X[1:] @ X[0] / N
    assert res["c_max"] == pytest.approx([c[: int(P) - 1].max() for P in res["P"]], abs=1e-12)
    skipped = dense_experiments.max_overlap_run(N, [0.3, 2.0], seed, max_entries=1e4)
    assert np.isfinite(skipped["c_max"][0]) and np.isnan(skipped["c_max"][1])


def test_scaled_finite_n_threshold():
    # below lam_t, rising to it at large N; the margin lowers it below the annealed threshold
    for lt in (0.5, 1.0, 2.0):
        vals = [dense_theory.scaled_alpha_half_finite_n(lt, N) for N in (400, 1e4, 1e6)]
        assert all(v < lt for v in vals) and np.all(np.diff(vals) > 0)
        assert lt - vals[-1] < 3 * (lt**2 / 2 + 1 + math.log(lt * 1e3)) / 1e3
        assert vals[0] < float(dense_theory.scaled_alpha_1(lt, N=400))
        # without the margin: one update keeps half of the weight, the annealed threshold up to O(1/N^(1/2))
        no = dense_theory.scaled_alpha_half_finite_n(lt, 10_000, saddle_node=False)
        assert no == pytest.approx(float(dense_theory.scaled_alpha_1(lt, N=10_000)), abs=lt**2 / 100)


def test_scaled_simulation_retrieves_below_and_loses_above(r):
    ss = r.scaled_sim
    f = ss["fraction"]
    first = f[..., 0][np.isfinite(f[..., 0])]
    assert np.all(first == 1.0)  # alpha_t = 0.3 lam_t: every pattern set retrieves
    half = ss["alpha_half"][np.isfinite(ss["alpha_half"])]
    assert half.size and np.all(half < np.repeat(ss["lam_tilde"], len(ss["N"]))[np.isfinite(ss["alpha_half"]).ravel()])
