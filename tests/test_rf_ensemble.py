"""The random-features ensemble against its definition and against plain numpy."""

import numpy as np
import pytest

from hopcore.ensembles.random_features import (
    rf_coefficients,
    rf_examples,
    rf_examples_from_support,
    rf_features,
    rf_mixture,
    rf_sparse_support,
)


def np_examples(F, C):
    """Plain numpy twin: sign(F C) with sign(0) = +1 (exact for integer C: float64 sums of small ints)."""
    return np.where(F.astype(np.float64) @ C >= 0, 1, -1).astype(np.int8)


def test_features_are_iid_pm1():
    F = rf_features(400, 50, seed=3)
    assert F.dtype == np.int8 and F.shape == (400, 50) and F.flags["C_CONTIGUOUS"]
    assert set(np.unique(F)) == {-1, 1}
    # mean of 20000 +-1 entries: |mean| < 4 sigma
    assert abs(F.mean()) < 4 / np.sqrt(F.size)
    # same seed, same matrix; different seed, different matrix
    assert np.array_equal(F, rf_features(400, 50, seed=3))
    assert not np.array_equal(F, rf_features(400, 50, seed=4))


def test_dense_coefficient_statistics():
    C = rf_coefficients(60, 500, "dense", None, seed=1)
    assert C.shape == (60, 500) and C.dtype == np.float64
    assert abs(C.mean()) < 4 / np.sqrt(C.size)
    assert abs(C.var() - 1) < 0.05
    B = rf_coefficients(60, 500, "dense_binary", None, seed=1)
    assert set(np.unique(B)) == {-1.0, 1.0}
    assert abs(B.mean()) < 4 / np.sqrt(B.size)


def test_sparse_coefficients_have_exactly_L_entries():
    D, P, L = 30, 2000, 7
    C = rf_coefficients(D, P, "sparse", L, seed=5)
    nz = C != 0
    assert np.all(nz.sum(axis=0) == L)
    assert set(np.unique(C[nz])) == {-1.0, 1.0}
    # positions uniform: every feature is used L P / D times on average (binomial, 5 sigma)
    counts = nz.sum(axis=1)
    expected = L * P / D
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))
    # signs balanced
    assert abs(C[nz].mean()) < 4 / np.sqrt(nz.sum())
    # the compressed support is the same draw
    idx, val = rf_sparse_support(D, P, L, seed=5)
    assert np.all(C[idx, np.arange(P)[:, None]] == val)
    assert all(len(set(row)) == L for row in idx[:200].tolist())


@pytest.mark.parametrize("coefficients,L", [("dense", None), ("dense_binary", None), ("sparse", 1), ("sparse", 5), ("sparse", 4)])
def test_examples_match_numpy(coefficients, L):
    F = rf_features(301, 23, seed=2)
    C = rf_coefficients(23, 97, coefficients, L, seed=9)
    X = rf_examples(F, C)
    assert X.dtype == np.int8 and X.shape == (301, 97) and X.flags["C_CONTIGUOUS"]
    assert np.array_equal(X, np_examples(F, C))


def test_examples_from_support_equal_dense_path():
    F = rf_features(200, 40, seed=1)
    idx, val = rf_sparse_support(40, 150, 3, seed=2)
    C = rf_coefficients(40, 150, "sparse", 3, seed=2)
    assert np.array_equal(rf_examples_from_support(F, idx, val), rf_examples(F, C))


def test_tie_rule_even_L():
    # L = 2: f^a c_a + f^b c_b = 0 on half the spins; the tie goes to +1
    F = rf_features(2000, 10, seed=0)
    C = np.zeros((10, 3))
    C[0, 0], C[1, 0] = 1, 1
    C[2, 1], C[3, 1] = 1, -1
    C[4, 2], C[5, 2] = -1, -1
    X = rf_examples(F, C)
    for col, (a, b, ca, cb) in enumerate([(0, 1, 1, 1), (2, 3, 1, -1), (4, 5, -1, -1)]):
        s = ca * F[:, a].astype(int) + cb * F[:, b]
        ties = s == 0
        assert 0.4 < ties.mean() < 0.6
        assert np.all(X[ties, col] == 1)
        assert np.all(X[~ties, col] == np.sign(s[~ties]))
    # the tie rule is not a float accident: tiny negative float sums stay negative
    Cf = C.copy()
    Cf[1, 0] = 1 - 1e-12
    Xf = rf_examples(F, Cf)
    s0 = F[:, 0].astype(float) + (1 - 1e-12) * F[:, 1]
    assert np.array_equal(Xf[:, 0], np.where(s0 >= 0, 1, -1))


def test_odd_L_has_no_ties_and_balanced_examples():
    F = rf_features(1000, 50, seed=4)
    C = rf_coefficients(50, 200, "sparse", 3, seed=4)
    X = rf_examples(F, C)
    assert abs(X.mean()) < 4 / np.sqrt(X.size)
    # with L = 1 the example is +-(the chosen feature)
    C1 = rf_coefficients(50, 20, "sparse", 1, seed=6)
    X1 = rf_examples(F, C1)
    for mu in range(20):
        k = int(np.flatnonzero(C1[:, mu])[0])
        assert np.array_equal(X1[:, mu], (C1[k, mu] * F[:, k]).astype(np.int8))


def test_examples_independent_of_thread_count():
    import numba

    F = rf_features(500, 30, seed=1)
    C = rf_coefficients(30, 100, "dense", None, seed=1)
    n = numba.get_num_threads()
    X = rf_examples(F, C)
    numba.set_num_threads(1)
    try:
        X1 = rf_examples(F, C)
    finally:
        numba.set_num_threads(n)
    assert np.array_equal(X, X1)


def test_mixture():
    F = rf_features(500, 10, seed=2)
    m3 = rf_mixture(F, 3)
    assert np.array_equal(m3, np.sign(F[:, :3].astype(int).sum(axis=1)).astype(np.int8))
    assert np.array_equal(rf_mixture(F, 1), F[:, 0])
    m = rf_mixture(F, 3, features=[4, 7, 9])
    assert np.array_equal(m, np.sign(F[:, [4, 7, 9]].astype(int).sum(axis=1)))
    # overlap of a 3-mixture with each of its features -> 1/2
    assert abs((m3.astype(int) @ F[:, 0]) / 500 - 0.5) < 0.15


def test_validation():
    with pytest.raises(ValueError, match="L=11"):
        rf_coefficients(10, 5, "sparse", 11, seed=0)
    with pytest.raises(ValueError, match="coefficients"):
        rf_coefficients(10, 5, "gaussian", None, seed=0)
    with pytest.raises(ValueError, match="n=2"):
        rf_mixture(rf_features(10, 5, 0), 2)
    with pytest.raises(ValueError, match="C="):
        rf_examples(rf_features(10, 5, 0), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="seed"):
        rf_features(10, 5, -1)
    with pytest.raises(ValueError, match="P="):
        rf_coefficients(10**6, 10**6, "dense", None, seed=0)
