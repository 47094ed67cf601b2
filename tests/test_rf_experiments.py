"""Random-features simulations: kernels vs a J-matrix numpy reference on RF data, the measurement
function, and its parameter checks."""

import numpy as np
import pytest

from hopcore.dynamics.asynchronous import async_fixed_point, async_fixed_points, sweep_order
from hopcore.ensembles.random_features import rf_coefficients, rf_examples, rf_features, rf_mixture
from hopcore.experiments.random_features import check_rf_point, rf_magnetizations, rf_sizes
from hopcore.experiments.runner import derive_seed


def np_async(X, s0, seed, max_sweeps=200):
    """Plain numpy twin: integer couplings N J = X X^T with zero diagonal, same visiting order."""
    NJ = X.astype(np.int64) @ X.T.astype(np.int64)
    np.fill_diagonal(NJ, 0)
    s = s0.astype(np.int64).copy()
    for sweep in range(max_sweeps):
        flips = 0
        for i in sweep_order(seed, sweep, len(s)):
            h = NJ[i] @ s
            if h != 0 and np.sign(h) != s[i]:
                s[i] = np.sign(h)
                flips += 1
        if flips == 0:
            return s.astype(np.int8), sweep + 1, True
    return s.astype(np.int8), max_sweeps, False


@pytest.mark.parametrize("coefficients,L", [("sparse", 3), ("sparse", 2), ("dense", None)])
def test_kernel_matches_numpy_reference_on_rf_data(coefficients, L):
    N, D, P = 300, 6, 60
    F = rf_features(N, D, seed=1)
    X = rf_examples(F, rf_coefficients(D, P, coefficients, L, seed=2))
    starts = np.stack([F[:, 0], X[:, 0], rf_mixture(F, 3)])
    S, sweeps, conv = async_fixed_points(X, starts, np.array([5, 6, 7]))
    for r, (s0, sd) in enumerate(zip(starts, [5, 6, 7])):
        s_ref, sw_ref, cv_ref = np_async(X, s0, sd)
        assert np.array_equal(S[r], s_ref)
        assert sweeps[r] == sw_ref and conv[r] == cv_ref
        s1, sw1, cv1 = async_fixed_point(X, s0, sd)
        assert np.array_equal(s1, s_ref)


def test_rf_magnetizations_against_reference():
    N, alpha, alpha_D, seed = 200, 0.2, 0.03, 11
    out = rf_magnetizations(N, alpha, alpha_D, "sparse", 3, seed, L_test=(3,), n_test=2, mixtures=(3,), n_starts=2)
    for key in ("feature", "train", "test_3", "mixture_3", "sweeps", "converged", "n_not_converged"):
        assert key in out
    assert out["m_feature"].shape == (2,) and out["m_test_3"].shape == (2,)
    assert out["feature"] == pytest.approx(out["m_feature"].mean())
    # rebuild the same sample by hand and rerun with the numpy reference
    D, P = rf_sizes(N, alpha, alpha_D)
    F = rf_features(N, D, derive_seed(seed, "features"))
    from hopcore.ensembles.random_features import rf_examples_from_support, rf_sparse_support

    X = rf_examples_from_support(F, *rf_sparse_support(D, P, 3, derive_seed(seed, "train")))
    s, _, _ = np_async(X, F[:, 0], derive_seed(seed, "dynamics", 0))
    assert out["m_feature"][0] == pytest.approx(s.astype(int) @ F[:, 0] / N)
    s, _, _ = np_async(X, X[:, 1], derive_seed(seed, "dynamics", 3))
    assert out["m_train"][1] == pytest.approx(s.astype(int) @ X[:, 1] / N)
    # deterministic in the seed
    again = rf_magnetizations(N, alpha, alpha_D, "sparse", 3, seed, L_test=(3,), n_test=2, mixtures=(3,), n_starts=2)
    for k in out:
        assert np.array_equal(np.asarray(out[k]), np.asarray(again[k]))


def test_phases_at_moderate_size():
    # storage phase: few examples, all stored; learning phase: many examples, features are attractors
    few = rf_magnetizations(1000, 0.02, 0.5, "dense", None, 1, n_starts=3)
    assert few["train"] > 0.95 and few["converged"]
    many = rf_magnetizations(1000, 1.0, 0.02, "dense", None, 1, n_starts=3)
    assert many["feature"] > 0.95
    assert many["feature"] > few["feature"]


def test_test_examples_are_sparse_whatever_the_training():
    # dense training: test_<L> are sparse +-1 combinations of exactly L features; rebuilt by hand
    from hopcore.ensembles.random_features import rf_examples_from_support, rf_sparse_support

    N, alpha, alpha_D, seed = 300, 0.1, 0.05, 3
    out = rf_magnetizations(N, alpha, alpha_D, "dense", None, seed, L_test=(5,), n_test=2, dense_test=True, n_starts=1)
    assert out["m_test_5"].shape == (2,) and out["m_test_dense"].shape == (2,)
    D, P = rf_sizes(N, alpha, alpha_D)
    F = rf_features(N, D, derive_seed(seed, "features"))
    X = rf_examples(F, rf_coefficients(D, P, "dense", None, derive_seed(seed, "train")))
    idx, val = rf_sparse_support(D, 2, 5, derive_seed(seed, "test", 5))
    T = rf_examples_from_support(F, idx, val)
    n_before = 2  # one feature and one training example start before the test examples
    for r in range(2):
        s, _, _ = np_async(X, T[:, r], derive_seed(seed, "dynamics", n_before + r))
        assert out["m_test_5"][r] == pytest.approx(s.astype(int) @ T[:, r] / N)
    # the dense option draws dense coefficients of the training kind
    Td = rf_examples(F, rf_coefficients(D, 2, "dense", None, derive_seed(seed, "test", "dense")))
    s, _, _ = np_async(X, Td[:, 1], derive_seed(seed, "dynamics", n_before + 2 + 1))
    assert out["m_test_dense"][1] == pytest.approx(s.astype(int) @ Td[:, 1] / N)


def test_test_start_keys_for_both_training_families():
    # sparse test keys for both families; the dense-test key only on request
    a = rf_magnetizations(200, 0.05, 0.05, "sparse", 3, 9, L_test=(3,), n_test=1, n_starts=1)
    b = rf_magnetizations(200, 0.05, 0.05, "dense", None, 9, L_test=(3,), n_test=1, n_starts=1)
    assert "test_3" in a and "test_3" in b and "test_dense" not in a


def test_validation_names_the_parameter():
    with pytest.raises(ValueError, match="alpha_D=50"):
        check_rf_point(1000, 0.1, 50.0, "dense", None)
    with pytest.raises(ValueError, match="L=30"):
        check_rf_point(1000, 0.1, 0.02, "sparse", 30)  # D = 20
    with pytest.raises(ValueError, match=r"L_test\[0\]=21"):
        check_rf_point(1000, 0.1, 0.02, "sparse", 3, L_test=(21,))
    with pytest.raises(ValueError, match=r"mixtures\[0\]=4"):
        check_rf_point(1000, 0.1, 0.02, "sparse", 3, mixtures=(4,))
    with pytest.raises(ValueError, match="alpha=90"):
        check_rf_point(10**6, 90.0, 0.01, "sparse", 3)  # N x P int8 examples = 90 TB
    with pytest.raises(ValueError, match="alpha_D=20"):
        check_rf_point(50_000, 0.5, 20.0, "dense", None)  # D x P float64 coefficients: 80 GB
    # parity rule: odd L everywhere (training, test examples, mixtures), as in the chapters
    with pytest.raises(ValueError, match="L=4"):
        check_rf_point(1000, 0.1, 0.02, "sparse", 4)
    with pytest.raises(ValueError, match=r"L_test\[1\]=6"):
        check_rf_point(1000, 0.1, 0.02, "dense", None, L_test=(3, 6))
    assert check_rf_point(1000, 0.1, 0.02, "sparse", 5)["L"] == 5


@pytest.mark.parametrize("coefficients,L", [("sparse", 3), ("dense", None)])
def test_skipped_kinds_leave_every_other_run_unchanged(coefficients, L):
    # the dynamics seed of a start is its position in the full list: runs that are not skipped are
    # the runs of the full call, start for start
    kw = dict(N=300, alpha=0.5, alpha_D=0.03, coefficients=coefficients, L=L, seed=5, L_test=(3, 5), n_test=2,
              mixtures=(3,), n_starts=3)
    full = rf_magnetizations(**kw)
    for skip in (("train",), ("feature",), ("feature", "train")):
        part = rf_magnetizations(**kw, skip=skip)
        assert not {k for k in part if k.removeprefix("m_") in skip}
        for k in ("feature", "train", "test_3", "test_5", "mixture_3"):
            if k not in skip:
                assert np.array_equal(part[f"m_{k}"], full[f"m_{k}"]) and part[k] == full[k]
    with pytest.raises(ValueError, match=r"skip\[0\]='test'"):
        rf_magnetizations(**kw, skip=("test",))
    with pytest.raises(ValueError, match="skip="):
        rf_magnetizations(**{**kw, "L_test": (), "mixtures": ()}, skip=("feature", "train"))


@pytest.mark.parametrize("N,D,P,L,seed", [(16, 1, 5, 1, 1), (37, 3, 7, 3, 2), (100, 9, 64, 3, 4), (101, 40, 77, 7, 5),
                                          (800, 80, 3, 13, 6), (999, 224, 2000, 15, 7), (300, 200, 100, 125, 8),
                                          (64, 64, 1, 63, 11), (50, 200, 9, 129, 3), (30, 12000, 5, 3, 9)])
def test_fast_sparse_examples_are_the_ensemble_arrays(N, D, P, L, seed):
    # the compiled replay of the supports and the transposing example kernel give the ensemble's arrays
    # bit for bit (odd and even sizes, L = D, L > 127 and D > 10000 through the fallbacks)
    from hopcore.ensembles.random_features import rf_examples_from_support, rf_sparse_support
    from hopcore.experiments.random_features import _sparse_support, _support_examples

    a, b = rf_sparse_support(D, P, L, seed), _sparse_support(D, P, L, seed)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    F = rf_features(N, D, seed + 1)
    X = _support_examples(F, *b)
    assert X.flags.c_contiguous and X.dtype == np.int8
    assert np.array_equal(X, rf_examples_from_support(F, *a))
