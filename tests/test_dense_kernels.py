"""Streaming softmax kernels against dense numpy references; determinism; overflow; validation."""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from numba import njit
from scipy import stats
from scipy.special import logsumexp

from hopcore.dynamics import softmax
from hopcore.ensembles import continuous
from hopcore.experiments import dense as dense_experiments


def dense_update(Xi, x, lam):
    """Plain numpy twin of one update: softmax(lam Xi x) . Xi, from materialized patterns."""
    z = lam * Xi @ x
    a = np.exp(z - z.max())
    return (a / a.sum()) @ Xi, logsumexp(z)


@pytest.mark.parametrize("kind", continuous.KINDS)
def test_patterns_have_the_right_law(kind):
    X = continuous.continuous_patterns(40, 3000, 11, kind)
    assert X.shape == (3000, 40) and X.flags.c_contiguous
    if kind == "gaussian":
        assert stats.kstest(X.ravel(), "norm").pvalue > 1e-3
        assert abs(X.var() - 1) < 0.01
    else:
        assert np.allclose((X**2).sum(1), 40)
        assert abs(X[:, 0].var() - 1) < 0.1


def test_patterns_do_not_depend_on_how_they_are_requested():
    A = continuous.continuous_patterns(10, 9000, 3, "gaussian")
    B = continuous.continuous_patterns(10, 100, 3, "gaussian", first=4090)
    assert np.array_equal(A[4090:4190], B)
    f = continuous.continuous_patterns(10, 50, 3, "gaussian", dtype="float32")
    assert f.dtype == np.float32 and np.array_equal(f, A[:50].astype(np.float32))


@pytest.mark.parametrize("kind", continuous.KINDS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_streaming_update_and_energy_equal_dense_reference(kind, dtype):
    N, P, seed = 12, 9000, 5
    Xi = continuous.continuous_patterns(N, P, seed, kind, dtype).astype(np.float64)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, N))
    lam = np.array([0.2, 1.0, 4.0])
    new, lse = softmax.softmax_update(X, lam, P, seed, kind, dtype=dtype, chunk=continuous.GEN_CHUNK, return_lse=True)
    E = softmax.energy(X, lam, P, seed, kind, dtype=dtype)
    for k in range(3):
        ref, ref_lse = dense_update(Xi, X[k], lam[k])
        assert np.allclose(new[k], ref, atol=1e-12, rtol=1e-10)
        assert lse[k] == pytest.approx(ref_lse, rel=1e-12)
        assert E[k] == pytest.approx(-ref_lse / lam[k] + X[k] @ X[k] / 2, rel=1e-12)


def test_attention_form_equals_update():
    N, P = 8, 500
    Xi = continuous.continuous_patterns(N, P, 2, "spherical")
    x = Xi[3] * 0.5
    assert np.allclose(softmax.softmax_attention(x, Xi, Xi, 2.0)[0], dense_update(Xi, x, 2.0)[0], atol=1e-13)


def test_overflow_free_at_large_lam_and_N():
    N, P, lam = 100, 5000, 50.0
    Xi = continuous.continuous_patterns(N, 1, 7, "spherical")[0]
    new, lse = softmax.softmax_update(Xi[None], [lam], P, 7, "spherical", return_lse=True)
    assert np.all(np.isfinite(new)) and np.isfinite(lse[0])
    assert lse[0] >= lam * N - 1e-9  # the pattern itself contributes exp(lam N)
    assert np.allclose(new[0], Xi, atol=1e-10)
    E = softmax.energy(Xi[None], [lam], P, 7)
    assert np.isfinite(E[0])


def test_iteration_retrieves_at_small_load_and_not_at_tiny_lam():
    res = softmax.retrieval(30, 400, [0.05, 3.0], 4, "spherical")
    assert not res["retrieved"][0] and res["retrieved"][1]
    assert res["converged"].all()


def test_identical_for_two_chunk_sizes():
    N, P, seed = 16, 3 * continuous.GEN_CHUNK + 77, 9
    X = np.random.default_rng(0).standard_normal((2, N))
    a = softmax.softmax_update(X, [0.5, 3.0], P, seed, chunk=continuous.GEN_CHUNK, return_lse=True)
    b = softmax.softmax_update(X, [0.5, 3.0], P, seed, chunk=2 * continuous.GEN_CHUNK, return_lse=True)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


_SCRIPT = """
import json, numpy as np
from hopcore.dynamics import softmax
from hopcore.ensembles import continuous
X = np.random.default_rng(0).standard_normal((2, 16))
x, l = softmax.softmax_update(X, [0.5, 3.0], 5 * continuous.GEN_CHUNK + 5, 9, "gaussian", chunk=int(__import__('sys').argv[1]), return_lse=True)
y = softmax.softmax_update(X, [0.5, 3.0], [70, 3 * continuous.GEN_CHUNK + 1], 9, "spherical", chunk=int(__import__('sys').argv[1]))
print(json.dumps([x.tobytes().hex(), l.tobytes().hex(), y.tobytes().hex()]))
"""


def test_identical_for_two_thread_counts():
    outs = []
    for threads, chunk in (("1", continuous.GEN_CHUNK), ("2", 4 * continuous.GEN_CHUNK)):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        r = subprocess.run([sys.executable, "-c", _SCRIPT, str(chunk)], env=env, capture_output=True, text=True, check=True)
        outs.append(json.loads(r.stdout.strip().splitlines()[-1]))
    assert outs[0] == outs[1]


def test_validation_messages():
    with pytest.raises(ValueError, match="lam"):
        softmax.softmax_update(np.ones((1, 4)), [0.0], 10, 1)
    with pytest.raises(ValueError, match="chunk"):
        softmax.softmax_update(np.ones((1, 4)), [1.0], 10, 1, chunk=1000)
    with pytest.raises(ValueError, match="kind"):
        softmax.softmax_update(np.ones((1, 4)), [1.0], 10, 1, kind="binary")
    with pytest.raises(ValueError, match="alpha"):
        dense_experiments.check_alpha_N(-0.1, 20)
    with pytest.raises(ValueError, match="N=200"):
        dense_experiments.check_alpha_N(0.2, 200)
    with pytest.raises(ValueError, match="P"):
        softmax.check_pass(100, 10**11)


def test_lambda_half_estimator_on_synthetic_thresholds():
    thr = np.array([0.26, 0.29, 0.31, 0.33, 0.35])
    fit = dense_experiments.lambda_half(thr, thr - 5e-4, thr + 5e-4, n_boot=100)
    assert fit["lam_half"] == pytest.approx(0.31)
    assert fit["err"] > 1e-3 and fit["spread"] == pytest.approx(np.std(thr))
    # censored realizations (never retrieved) push the median up but stay counted
    cens = dense_experiments.lambda_half(np.array([0.3, 0.31, np.inf]), np.array([0.299, 0.309, np.nan]), np.array([0.301, 0.311, np.nan]))
    assert cens["lam_half"] == pytest.approx(0.31) and cens["censored"] == pytest.approx(1 / 3)
    assert np.allclose(dense_experiments.retrieval_probability(thr, [0.2, 0.3, 0.4]), [0.0, 0.4, 1.0])
    x0, dx, coef = dense_experiments.extrapolate_inverse_N([20, 30, 40, 60], [0.5 + 1 / 20 + 2 / 400, 0.5 + 1 / 30 + 2 / 900,
                                                              0.5 + 1 / 40 + 2 / 1600, 0.5 + 1 / 60 + 2 / 3600], [0.01] * 4)
    assert x0 == pytest.approx(0.5, abs=1e-9)


def _long_trajectories(N, kind, seed, lams, T):
    """Distances d_t and squared steps of runs from xi^1, iterated T times with no decision at all."""
    P = continuous.n_patterns(0.2, N)
    lams = np.asarray(lams, float)
    xi1 = continuous.continuous_patterns(N, 1, seed, kind)[0]
    X = np.tile(xi1, (len(lams), 1))
    D_, ST = [], []
    for _ in range(T):
        Xn = softmax.softmax_update(X, lams, P, seed, kind)
        ST.append(np.sum((Xn - X) ** 2, axis=1) / N)
        X = Xn
        D_.append(np.sum((X - xi1) ** 2, axis=1) / N)
    return np.array(D_).T, np.array(ST).T


def test_run_outcome_rules_on_synthetic_sequences():
    kw = dict(tol=1e-6, eps=0.05, far=0.5, max_iter=60)
    # geometric approach to a fixed point at 0.01: never called lost, converged in the end
    d = 0.01 * (1 - 0.7 ** np.arange(1, 60))
    dipped, out = False, None
    for t in range(1, len(d) + 1):
        step2 = (d[t - 1] - (d[t - 2] if t > 1 else 0.0)) ** 2
        out, ok, dipped = softmax.run_outcome(np.concatenate(([0.0], d[:t])), step2, dipped=dipped, **kw)
        if out is not None:
            break
    assert out == softmax.CONVERGED and ok
    # increments that shrink, then grow again: past the bottleneck, lost
    d = np.cumsum([2e-3, 1.5e-3, 1.2e-3, 1.1e-3, 1.15e-3, 1.3e-3])
    out, ok, dipped = None, None, False
    for t in range(1, len(d) + 1):
        out, ok, dipped = softmax.run_outcome(np.concatenate(([0.0], d[:t])), 1e-3, dipped=dipped, **kw)
        if out is not None:
            break
    assert out == softmax.ACCELERATED and not ok and t == 5
    # accelerating from the start (far below threshold) is not enough without a dip: left only beyond far
    d = np.array([0.01, 0.05, 0.2, 0.6])
    res = [softmax.run_outcome(np.concatenate(([0.0], d[:t])), 1e-2, dipped=False, **kw)[0] for t in range(1, 5)]
    assert res == [None, None, None, softmax.LEFT]


@pytest.mark.parametrize("kind", continuous.KINDS)
@pytest.mark.parametrize("N", [20, 30, 40])
def test_early_decisions_never_stop_a_run_that_would_be_retrieved(kind, N):
    """Several hundred runs in all: the rules LEFT/ACCELERATED against the same runs iterated 250 times."""
    lams = np.linspace(0.26, 0.5, 24) if kind == "spherical" else np.linspace(0.2, 1.0, 32)
    counts = {softmax.LEFT: 0, softmax.ACCELERATED: 0, "retrieved": 0}
    for seed in (1, 2, 3):
        d, st = _long_trajectories(N, kind, seed, lams, 250)
        truth = (d[:, -1] < 0.05) & (st[:, -1] < 1e-10)
        assert np.all(np.diff(truth.astype(int)) >= 0), "retrieval not monotone in lam"
        for k in range(len(lams)):
            dipped = False
            for t in range(1, 251):
                out, ok, dipped = softmax.run_outcome(np.concatenate(([0.0], d[k, :t])), st[k, t - 1], 1e-6, 0.05, 0.5, 250, dipped)
                if out is not None:
                    break
            if out in (softmax.LEFT, softmax.ACCELERATED):
                assert not truth[k], f"lam={lams[k]:.4f} stopped as lost at t={t} but retrieved by the long run"
                counts[out] += 1
            counts["retrieved"] += int(truth[k])
    assert all(v > 0 for v in counts.values()), counts  # the rules were exercised on both sides of the threshold


@pytest.mark.parametrize("kind", continuous.KINDS)
def test_threshold_search_brackets_the_long_run_threshold(kind):
    N, seed = 24, 5
    P = continuous.n_patterns(0.2, N)
    r = softmax.retrieval_threshold(N, P, seed, kind, lam_lo=0.15, lam_hi=0.9, resolution=1e-3)
    assert r["violations"] == 0 and r["censored"] == 0 and r["hi"] - r["lo"] <= 1e-3 * (1 + 1e-9)
    lams = np.linspace(r["lo"] - 0.02, r["hi"] + 0.02, 41)
    d, st = _long_trajectories(N, kind, seed, lams, 300)
    truth = d[:, -1] < 0.05
    assert np.all(np.diff(truth.astype(int)) >= 0)
    assert not truth[lams <= r["lo"]].any()
    # above hi the search says retrieved; the finite tol may place hi slightly below the true threshold
    assert truth[lams >= r["hi"] + 3e-3].all()
    # every finished run is consistent with the bracket
    assert np.all(r["retrieved"] == (r["lam"] >= r["hi"]))


_SCRIPT_THR = """
import json, numpy as np
from hopcore.dynamics import softmax
from hopcore.ensembles import continuous
r = softmax.retrieval_threshold(16, 3 * continuous.GEN_CHUNK + 5, 4, "spherical", lam_lo=0.2, lam_hi=0.6, resolution=2e-3)
print(json.dumps([float(r["lo"]), float(r["hi"]), int(r["passes"]), r["trajectory"].tobytes().hex()]))
"""


def test_threshold_search_identical_for_two_thread_counts():
    outs = []
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        r = subprocess.run([sys.executable, "-c", _SCRIPT_THR], env=env, capture_output=True, text=True, check=True)
        outs.append(json.loads(r.stdout.strip().splitlines()[-1]))
    assert outs[0] == outs[1]


def test_threshold_search_validation():
    with pytest.raises(ValueError, match="lam_hi"):
        softmax.retrieval_threshold(10, 100, 1, lam_lo=0.5, lam_hi=0.4)
    with pytest.raises(ValueError, match="far"):
        softmax.retrieval_threshold(10, 100, 1, lam_lo=0.1, lam_hi=0.4, eps=0.1, far=0.05)
    with pytest.raises(ValueError, match="slots"):
        softmax.retrieval_threshold(10, 100, 1, lam_lo=0.1, lam_hi=0.4, slots=1)


def test_simulated_threshold_close_to_finite_n_theory():
    """The parallel bisection at N = 40 against the finite-N saddle-node theory (no fit)."""
    from hopcore.theory import dense_memory as dense_theory
    N = 40
    th = dense_theory.finite_n_threshold(0.2, N)
    thr = [dense_experiments.threshold_run(N, 0.2, "spherical", th - 0.01, th + 0.01, seed)["threshold"] for seed in (11, 12, 13)]
    assert abs(np.median(thr) - th) < 0.01
    assert np.median(thr) > dense_theory.lam_c(0.2) + 0.05  # far from the N -> inf value at this size


# ----------------------------------------------------------------------------- the blocked kernels give the numbers of the one-row loops
@njit(fastmath=softmax._FM)
def _exponents_one_row(xk, lam_k, buf, nb, e):
    bm = -np.inf
    for b in range(nb):
        row = buf[b]
        d = 0.0
        for i in range(xk.shape[0]):
            d += xk[i] * row[i]
        e[b] = lam_k * d
        if e[b] > bm:
            bm = e[b]
    return bm


@njit(fastmath=softmax._FM)
def _accumulate_one_row(wk, a, buf, nb):
    for b in range(nb):
        for i in range(wk.shape[0]):
            wk[i] += a[b] * buf[b, i]


@pytest.mark.parametrize("N", [1, 3, 4, 7, 20, 31, 32, 33, 36, 64, 70, 80, 100, 625])
def test_blocked_dot_products_and_sums_identical_to_one_row_at_a_time(N):
    rng = np.random.default_rng(N)
    buf = continuous.continuous_patterns(N, softmax._BLOCK, N, "spherical")
    x = rng.standard_normal(N)
    for nb in (softmax._BLOCK, 17, 3, 1):
        e1, e2 = np.empty(softmax._BLOCK), np.empty(softmax._BLOCK)
        assert _exponents_one_row(x, 0.37, buf, nb, e1) == softmax._block_exponents(x, 0.37, buf, nb, e2)
        assert np.array_equal(e1[:nb], e2[:nb])
        a = np.exp(rng.standard_normal(softmax._BLOCK))
        w1 = rng.standard_normal(N)
        w2 = w1.copy()
        _accumulate_one_row(w1, a, buf, nb)
        softmax._block_accumulate(w2, a, buf, nb)
        assert np.array_equal(w1, w2)


@pytest.mark.parametrize("kind", continuous.KINDS)
def test_states_with_their_own_pattern_counts_equal_separate_passes(kind):
    """One pass with a pattern count per state gives each state the numbers of its own pass."""
    N, seed = 13, 4
    Ps = [1, 31, 33, continuous.GEN_CHUNK, 2 * continuous.GEN_CHUNK + 7, 5]
    X = np.random.default_rng(2).standard_normal((len(Ps), N))
    lam = np.linspace(0.3, 2.0, len(Ps))
    x, lse = softmax.softmax_update(X, lam, Ps, seed, kind, return_lse=True)
    for k, P in enumerate(Ps):
        xk, lk = softmax.softmax_update(X[k], lam[k], P, seed, kind, return_lse=True)
        assert np.array_equal(x[k], xk[0]) and lse[k] == lk[0]
    with pytest.raises(ValueError, match="P"):
        softmax.softmax_update(X, lam, Ps[:2], seed, kind)
    with pytest.raises(ValueError, match=r"P\[1\]"):
        softmax.softmax_update(X[:2], lam[:2], [3, 0], seed, kind)


def test_scaled_retrieval_loads_sharing_passes_equal_one_load_at_a_time():
    N, lam_t, seed = 49, 1.5, 8
    alphas = [0.3, 0.6, 0.9, 1.2]
    res = dense_experiments.scaled_retrieval_run(N, lam_t, alphas, seed, max_entries=2e5)
    assert np.isnan(res["retrieved"][-1])  # beyond the budget: skipped
    lam = lam_t / math.sqrt(N)
    for j, P in enumerate(res["P"][:-1]):
        one = softmax.retrieval(N, int(P), [lam], seed, "spherical", tol=1e-6, max_iter=60)
        assert res["overlap"][j] == one["overlap"][0]
        assert res["iterations"][j] == one["iterations"][0] and res["converged"][j] == float(one["converged"][0])


_SCRIPT_FIRST = """
import hashlib, sys, numpy as np
from hopcore.dynamics import softmax
from hopcore.ensembles import continuous
if sys.argv[1] == "kernel":  # the streaming kernel (fastmath) compiled before anything else
    softmax.softmax_update(np.ones((1, 6)), [1.0], 10, 1, "spherical")
else:  # the generator compiled on its own first
    continuous.continuous_patterns(6, 1, 1, "spherical")
x = softmax.softmax_update(np.ones((2, 20)), [0.5, 2.0], 9000, 3, "spherical")
p = continuous.continuous_patterns(20, 9000, 3, "spherical")
print(hashlib.sha256(x.tobytes() + p.tobytes()).hexdigest())
"""


def test_patterns_do_not_depend_on_which_kernel_is_compiled_first(tmp_path):
    """A numba callee takes its caller's fastmath flags unless it sets its own: the generator sets
    fastmath=False, so the patterns (and every result) are the same whatever compiles first."""
    outs = []
    for i, first in enumerate(("kernel", "patterns")):
        env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / f"cache{i}"))
        r = subprocess.run([sys.executable, "-c", _SCRIPT_FIRST, first], env=env, capture_output=True, text=True, check=True)
        outs.append(r.stdout.strip().splitlines()[-1])
    assert outs[0] == outs[1]


@pytest.mark.parametrize("kind", continuous.KINDS)
def test_patterns_kept_in_memory_give_the_streamed_numbers(kind, monkeypatch):
    """Iterations read the patterns back from memory when they fit (STORE_BYTES): the same numbers as
    generating them in every pass."""
    N, P, seed = 14, 2 * continuous.GEN_CHUNK + 9, 6
    kept = softmax.retrieval_threshold(N, P, seed, kind, lam_lo=0.2, lam_hi=0.8, resolution=5e-3)
    it_kept = softmax.iterate(np.random.default_rng(1).standard_normal((3, N)), [0.3, 1.0, 3.0], P, seed, kind)
    monkeypatch.setattr(softmax, "STORE_BYTES", 0)
    assert softmax._materialize(N, np.array([P]), seed, 0, False).shape[0] == 0
    streamed = softmax.retrieval_threshold(N, P, seed, kind, lam_lo=0.2, lam_hi=0.8, resolution=5e-3)
    it_streamed = softmax.iterate(np.random.default_rng(1).standard_normal((3, N)), [0.3, 1.0, 3.0], P, seed, kind)
    for key in kept:
        assert np.array_equal(np.asarray(kept[key]), np.asarray(streamed[key]), equal_nan=True), key
    for key in it_kept:
        assert np.array_equal(np.asarray(it_kept[key]), np.asarray(it_streamed[key]), equal_nan=True), key
    # part of the patterns kept (the first generation chunk), the rest generated in every pass
    monkeypatch.setattr(softmax, "STORE_BYTES", 8 * N * continuous.GEN_CHUNK + 100)
    assert softmax._materialize(N, np.array([P]), seed, 0, False).shape[0] == continuous.GEN_CHUNK
    part = softmax.retrieval_threshold(N, P, seed, kind, lam_lo=0.2, lam_hi=0.8, resolution=5e-3)
    for key in kept:
        assert np.array_equal(np.asarray(kept[key]), np.asarray(part[key]), equal_nan=True), key
