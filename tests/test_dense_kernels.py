"""Streaming softmax kernels against dense numpy references; determinism; overflow; validation."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp

from hopcore.dynamics import softmax as S
from hopcore.ensembles import continuous as C
from hopcore.experiments import dense as D


def dense_update(Xi, x, lam):
    """Plain numpy twin of one update: softmax(lam Xi x) . Xi, from materialized patterns."""
    z = lam * Xi @ x
    a = np.exp(z - z.max())
    return (a / a.sum()) @ Xi, logsumexp(z)


@pytest.mark.parametrize("kind", C.KINDS)
def test_patterns_have_the_right_law(kind):
    X = C.continuous_patterns(40, 3000, 11, kind)
    assert X.shape == (3000, 40) and X.flags.c_contiguous
    if kind == "gaussian":
        assert stats.kstest(X.ravel(), "norm").pvalue > 1e-3
        assert abs(X.var() - 1) < 0.01
    else:
        assert np.allclose((X**2).sum(1), 40)
        assert abs(X[:, 0].var() - 1) < 0.1


def test_patterns_do_not_depend_on_how_they_are_requested():
    A = C.continuous_patterns(10, 9000, 3, "gaussian")
    B = C.continuous_patterns(10, 100, 3, "gaussian", first=4090)
    assert np.array_equal(A[4090:4190], B)
    f = C.continuous_patterns(10, 50, 3, "gaussian", dtype="float32")
    assert f.dtype == np.float32 and np.array_equal(f, A[:50].astype(np.float32))


@pytest.mark.parametrize("kind", C.KINDS)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_streaming_update_and_energy_equal_dense_reference(kind, dtype):
    N, P, seed = 12, 9000, 5
    Xi = C.continuous_patterns(N, P, seed, kind, dtype).astype(np.float64)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, N))
    lam = np.array([0.2, 1.0, 4.0])
    new, lse = S.softmax_update(X, lam, P, seed, kind, dtype=dtype, chunk=C.GEN_CHUNK, return_lse=True)
    E = S.energy(X, lam, P, seed, kind, dtype=dtype)
    for k in range(3):
        ref, ref_lse = dense_update(Xi, X[k], lam[k])
        assert np.allclose(new[k], ref, atol=1e-12, rtol=1e-10)
        assert lse[k] == pytest.approx(ref_lse, rel=1e-12)
        assert E[k] == pytest.approx(-ref_lse / lam[k] + X[k] @ X[k] / 2, rel=1e-12)


def test_attention_form_equals_update():
    N, P = 8, 500
    Xi = C.continuous_patterns(N, P, 2, "spherical")
    x = Xi[3] * 0.5
    assert np.allclose(S.softmax_attention(x, Xi, Xi, 2.0)[0], dense_update(Xi, x, 2.0)[0], atol=1e-13)


def test_overflow_free_at_large_lam_and_N():
    N, P, lam = 100, 5000, 50.0
    Xi = C.continuous_patterns(N, 1, 7, "spherical")[0]
    new, lse = S.softmax_update(Xi[None], [lam], P, 7, "spherical", return_lse=True)
    assert np.all(np.isfinite(new)) and np.isfinite(lse[0])
    assert lse[0] >= lam * N - 1e-9  # the pattern itself contributes exp(lam N)
    assert np.allclose(new[0], Xi, atol=1e-10)
    E = S.energy(Xi[None], [lam], P, 7)
    assert np.isfinite(E[0])


def test_iteration_retrieves_at_small_load_and_not_at_tiny_lam():
    res = S.retrieval(30, 400, [0.05, 3.0], 4, "spherical")
    assert not res["retrieved"][0] and res["retrieved"][1]
    assert res["converged"].all()


def test_identical_for_two_chunk_sizes():
    N, P, seed = 16, 3 * C.GEN_CHUNK + 77, 9
    X = np.random.default_rng(0).standard_normal((2, N))
    a = S.softmax_update(X, [0.5, 3.0], P, seed, chunk=C.GEN_CHUNK, return_lse=True)
    b = S.softmax_update(X, [0.5, 3.0], P, seed, chunk=2 * C.GEN_CHUNK, return_lse=True)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


_SCRIPT = """
import json, numpy as np
from hopcore.dynamics import softmax as S
from hopcore.ensembles import continuous as C
X = np.random.default_rng(0).standard_normal((2, 16))
x, l = S.softmax_update(X, [0.5, 3.0], 5 * C.GEN_CHUNK + 5, 9, "gaussian", chunk=int(__import__('sys').argv[1]), return_lse=True)
print(json.dumps([x.tobytes().hex(), l.tobytes().hex()]))
"""


def test_identical_for_two_thread_counts():
    outs = []
    for threads, chunk in (("1", C.GEN_CHUNK), ("2", 4 * C.GEN_CHUNK)):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        r = subprocess.run([sys.executable, "-c", _SCRIPT, str(chunk)], env=env, capture_output=True, text=True, check=True)
        outs.append(json.loads(r.stdout.strip().splitlines()[-1]))
    assert outs[0] == outs[1]


def test_validation_messages():
    with pytest.raises(ValueError, match="lam"):
        S.softmax_update(np.ones((1, 4)), [0.0], 10, 1)
    with pytest.raises(ValueError, match="chunk"):
        S.softmax_update(np.ones((1, 4)), [1.0], 10, 1, chunk=1000)
    with pytest.raises(ValueError, match="kind"):
        S.softmax_update(np.ones((1, 4)), [1.0], 10, 1, kind="binary")
    with pytest.raises(ValueError, match="alpha"):
        D.check_alpha_N(-0.1, 20)
    with pytest.raises(ValueError, match="N=200"):
        D.check_alpha_N(0.2, 200)
    with pytest.raises(ValueError, match="P"):
        S.check_pass(100, 10**11)


def test_lambda_half_estimator_on_synthetic_thresholds():
    lams = np.linspace(0.2, 0.4, 11)
    thr = np.array([0.26, 0.29, 0.31, 0.33, 0.35])
    R = lams[None, :] > thr[:, None]
    fit = D.lambda_half(lams, R, n_boot=100)
    assert abs(fit["lam_half"] - 0.31) <= 0.01
    x0, dx, coef = D.extrapolate_inverse_N([20, 30, 40, 60], [0.5 + 1 / 20 + 2 / 400, 0.5 + 1 / 30 + 2 / 900,
                                                              0.5 + 1 / 40 + 2 / 1600, 0.5 + 1 / 60 + 2 / 3600], [0.01] * 4)
    assert x0 == pytest.approx(0.5, abs=1e-9)
