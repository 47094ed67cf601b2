"""The random-features ensemble against its definition and against plain numpy."""

import numpy as np
import pytest

from hopcore.ensembles.random_features import (
    rf_coefficients,
    rf_examples,
    rf_examples_fallback_fraction,
    rf_examples_from_support,
    rf_features,
    rf_mixture,
    rf_sparse_support,
)


def np_examples(F, C):
    """Plain numpy twin: sign(F C) with sign(0) = +1 (exact for integer C: float64 sums of small ints)."""
    return np.where(F.astype(np.float64) @ C >= 0, 1, -1).astype(np.int8)


def reference_examples(F, C):
    """The generator of earlier versions, written plainly: float64 sums in the order k = 0..D-1."""
    acc = np.zeros((F.shape[0], C.shape[1]))
    for k in range(F.shape[1]):
        acc += F[:, k, None].astype(np.float64) * C[k][None, :]
    return np.where(acc >= 0.0, 1, -1).astype(np.int8)


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


@pytest.mark.parametrize("coefficients,D,L", [("dense", 80, None), ("dense", 7, None), ("dense_binary", 80, None),
                                              ("dense_binary", 9, None), ("sparse", 80, 41), ("sparse", 80, 3)])
def test_examples_match_reference_generator(coefficients, D, L):
    # the BLAS route (and the exact integer kernel for few non-zero entries) against the float64
    # generator of earlier versions, sign for sign
    F = rf_features(700, D, seed=11)
    C = rf_coefficients(D, 900, coefficients, L, seed=12)
    assert np.array_equal(rf_examples(F, C), reference_examples(F, C))


def test_examples_below_float32_resolution():
    # products within the float32 error bound of zero: float32 alone gets some signs wrong, the
    # recomputation in float64 gives the reference generator's signs
    rng = np.random.default_rng(3)
    F = rf_features(400, 40, seed=3)
    C = rng.standard_normal((40, 300))
    # make F c tiny for column 0..99 on the first spin's pattern: c_39 cancels the rest up to 1e-7
    for mu in range(100):
        s = float(F[0, :39].astype(np.float64) @ C[:39, mu])
        C[39, mu] = -(s + rng.uniform(-1e-7, 1e-7)) / F[0, 39]
    S32 = F.astype(np.float32) @ C.astype(np.float32)
    ref = reference_examples(F, C)
    assert np.any(np.where(S32 >= 0, 1, -1)[0, :100] != ref[0, :100])
    assert np.array_equal(rf_examples(F, C), ref)
    assert rf_examples_fallback_fraction(F, C) >= 100 / (400 * 300)


def test_fallback_fraction_of_gaussian_coefficients():
    # table route (groups of 8 features, ng = 10 at D = 80): about 2 tol / (sqrt(2 pi) sqrt(D)),
    # tol = 2 (ng + 2) 2^-24 sqrt(2/pi) D: 8.1e-6 at D = 80, ~65 of these 8e6 entries
    F = rf_features(2000, 80, seed=5)
    C = rf_coefficients(80, 4000, "dense", None, seed=6)
    f = rf_examples_fallback_fraction(F, C)
    expected = 2 * (2 * 12 * 2.0**-24 * np.sqrt(2 / np.pi) * 80) / np.sqrt(2 * np.pi * 80)
    assert 0.6 * expected < f < 1.5 * expected
    assert rf_examples_fallback_fraction(F, rf_coefficients(80, 200, "dense_binary", None, seed=6)) == 0.0


def test_table_route_against_reference_whatever_the_blocking(monkeypatch):
    # the signs are the reference generator's for any group size and block width (the tables change,
    # the recomputed entries change, the signs do not), and the entries a plain float32 sum would get
    # wrong are among the recomputed ones
    import hopcore.ensembles.random_features as rfm

    F = rf_features(1500, 90, seed=21)  # 90 = 11 groups of 8 and one of 2
    C = rf_coefficients(90, 333, "dense", None, seed=22)
    ref = reference_examples(F, C)
    assert np.array_equal(rf_examples(F, C), ref)
    f0 = rf_examples_fallback_fraction(F, C)
    for g_small_n, table_bytes in [(10**9, 1 << 20), (1024, 1 << 16), (1024, 1 << 30)]:
        monkeypatch.setattr(rfm, "_G_SMALL_N", g_small_n)  # 10**9: groups of 4 features
        monkeypatch.setattr(rfm, "_TABLE_BYTES", table_bytes)  # block widths 16 .. 64
        assert np.array_equal(rf_examples(F, C), ref)
    assert 0 <= f0 < 1e-3
    # how often plain float32 arithmetic (float32 coefficients, any order) would flip a sign: only
    # within the float32 bound, i.e. at most on the recomputed fraction
    S32 = F.astype(np.float32) @ C.astype(np.float32)
    flips = np.mean(np.where(S32 >= 0, 1, -1) != ref)
    assert flips <= 1e-3


def test_dense_binary_exact_in_integers():
    # +-1 coefficients: table sums are small integers, exact; ties at even D go to +1
    F = rf_features(1200, 80, seed=2)
    C = rf_coefficients(80, 500, "dense_binary", None, seed=3)
    S = F.astype(np.int64) @ C.astype(np.int64)
    X = rf_examples(F, C)
    assert np.array_equal(X, np.where(S >= 0, 1, -1).astype(np.int8))
    assert np.any(S == 0) and np.all(X[S == 0] == 1)
    assert np.array_equal(X, reference_examples(F, C))


@pytest.mark.parametrize("D", [400, 600])
def test_large_D(D):
    # D = 400: 50 groups in chunks (partial sums kept between chunks); D = 600: the BLAS route
    F = rf_features(1100, D, seed=7)
    C = rf_coefficients(D, 150, "dense", None, seed=8)
    assert np.array_equal(rf_examples(F, C), reference_examples(F, C))


def test_non_finite_or_huge_coefficients_take_the_blas_route():
    F = rf_features(300, 20, seed=1)
    C = rf_coefficients(20, 50, "dense", None, seed=2)
    for scale in (1e35, 1e-20, 1e20):  # BLAS route; table route (twice)
        assert np.array_equal(rf_examples(F, C * scale), reference_examples(F, C * scale))
    C[3, 7] = np.nan  # NaN compares false: the float32 product's sign test gives +1
    assert rf_examples(F, C)[:, 7].tolist() == [1] * 300


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


@pytest.mark.parametrize("N,P,coefficients", [(500, 100, "dense"), (2100, 700, "dense"), (2100, 700, "dense_binary")])
def test_examples_independent_of_thread_count(N, P, coefficients):
    import numba

    F = rf_features(N, 30, seed=1)
    C = rf_coefficients(30, P, coefficients, None, seed=1)
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


@pytest.mark.parametrize("shape,seed", [((1, 1), 0), ((7, 3), 1), ((300, 41), 2), ((64, 64), 3), ((1000, 17), 12345)])
def test_uniform_pm1_is_numpys_draw(shape, seed):
    # features and classical patterns are read from the raw stream: the very array of numpy's bounded
    # 8-bit draw, whatever the shape (a length that is not a multiple of 8 included)
    from hopcore.ensembles.binary import binary_patterns, uniform_pm1

    want = np.random.default_rng(seed).integers(0, 2, size=shape, dtype=np.int8) * np.int8(2) - np.int8(1)
    got = uniform_pm1(*shape, seed)
    assert got.dtype == np.int8 and got.flags.c_contiguous
    assert np.array_equal(got, want)
    assert np.array_equal(rf_features(*shape, seed), want)
    assert np.array_equal(binary_patterns(*shape, seed), want)


def test_uniform_pm1_falls_back_when_the_stream_differs(monkeypatch):
    # a numpy whose draw is not the top bit of the raw bytes: the guard sees it and numpy's call is used
    import hopcore.ensembles.binary as binary

    make = np.random.default_rng

    class Flipped:
        def __init__(self, seed):
            self._rng = make(seed)
            self.bit_generator = self._rng.bit_generator

        def integers(self, *args, **kwargs):
            return np.int8(1) - self._rng.integers(*args, **kwargs)

    monkeypatch.setattr(binary.np.random, "default_rng", Flipped)
    got = binary.uniform_pm1(20, 9, 5)
    want = (np.int8(1) - np.random.Generator(np.random.PCG64(5)).integers(0, 2, size=(20, 9), dtype=np.int8)) * np.int8(2) - np.int8(1)
    assert np.array_equal(got, want)
