"""The bit-packed field engine against the plain int8 kernels (the reference) and numpy."""

import numba
import numpy as np
import pytest

from hopcore.dynamics import asynchronous
from hopcore.ensembles.binary import binary_patterns, flip_fraction

# N, P cover: P below one word, P not a multiple of 64, P a multiple of 512 (no padding), a number of
# planes L = bit_length(N) that is a multiple of 4 (N = 255: L = 8) or not, N a power of two, and
# N above 2^15 (L = 16 planes; int16 overlaps would overflow there).
SIZES = [(13, 5), (255, 37), (256, 64), (300, 512), (1000, 140), (2048, 300), (700, 1100), (40000, 7)]


@pytest.mark.parametrize("N,P", SIZES)
@pytest.mark.parametrize("seed", [1, 2])
def test_fixed_points_sweeps_and_energy_traces_equal_the_int8_reference(N, P, seed):
    X = binary_patterns(N, P, seed=seed + N)
    s0 = flip_fraction(X[:, 0], 0.25, seed=seed)
    ref = asynchronous.reference_fixed_point(X, s0, seed=seed * 7)
    got = asynchronous.async_fixed_point(X, s0, seed=seed * 7)
    assert np.array_equal(got[0], ref[0]) and got[1:] == ref[1:]
    e_ref, s_ref, sw_ref, cv_ref = asynchronous.reference_energy_trajectory(X, s0, seed=seed * 7, max_sweeps=30)
    e, s, sw, cv = asynchronous.async_energy_trajectory(X, s0, seed=seed * 7, max_sweeps=30)
    assert np.array_equal(e, e_ref) and np.array_equal(s, s_ref) and (sw, cv) == (sw_ref, cv_ref)
    assert len(e) > 1  # the start is not already a fixed point: the traces compared are trajectories


@pytest.mark.parametrize("N,P", [(255, 37), (700, 1100), (2048, 300)])
def test_glauber_trajectories_equal_the_int8_reference(N, P):
    X = binary_patterns(N, P, seed=3)
    s0 = flip_fraction(X[:, 1], 0.2, seed=4)
    for T in (0.3, 1.0, 3.0):
        ref = asynchronous.reference_glauber_run(X, s0, T=T, seed=9, n_sweeps=4)
        got = asynchronous.glauber_run(X, s0, T=T, seed=9, n_sweeps=4)
        assert np.array_equal(got, ref)
        assert not np.array_equal(got, s0)


def test_fields_of_one_state_equal_numpy_integer_products():
    for N, P in [(300, 41), (1000, 700), (40000, 9)]:
        X = binary_patterns(N, P, seed=N)
        s = flip_fraction(X[:, 0], 0.3, seed=1)
        pk = asynchronous.Packed(X)
        Q, T = pk.planes(s)
        m = X.T.astype(np.int64) @ s.astype(np.int64)
        assert np.array_equal(2 * asynchronous._counts_from_planes(Q, P) - N, m)
        assert T == (m + N).sum() // 2
        expected = X.astype(np.int64) @ m - P * s.astype(np.int64)
        assert np.array_equal(asynchronous._packed_fields(pk.B, pk.r, s, Q, T, P), expected)
        assert np.array_equal(pk.r, X.sum(axis=1, dtype=np.int64))


def test_flip_update_of_the_planes_is_exact_in_both_directions():
    N, P = 777, 333
    X = binary_patterns(N, P, seed=5)
    s = flip_fraction(X[:, 0], 0.5, seed=5)
    pk = asynchronous.Packed(X)
    Q, T = pk.planes(s)
    rng = np.random.default_rng(0)
    for i in rng.choice(N, size=200):
        new = -s[i]
        s[i] = new
        T += new * pk.r[i]
        asynchronous._packed_flip(pk.B[i], Q, pk.valid, new)
    Q2, T2 = pk.planes(s)
    assert np.array_equal(Q, Q2) and T == T2


def test_batch_equals_the_int8_reference_batch_for_one_and_two_threads():
    X = binary_patterns(900, 160, seed=11)
    S0 = np.stack([flip_fraction(X[:, k], 0.3, seed=k) for k in range(5)])
    seeds = np.arange(5) * 31 + 2
    ref = asynchronous.reference_fixed_points(X, S0, seeds)
    threads = numba.get_num_threads()
    try:
        outs = []
        for n in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(n)
            outs.append(asynchronous.async_fixed_points(X, S0, seeds))
    finally:
        numba.set_num_threads(threads)
    for got in outs:
        for a, b in zip(got, ref):
            assert np.array_equal(a, b)


def test_packed_layout_is_an_eighth_of_the_int8_matrix():
    N, P = 4096, 4096
    assert asynchronous.packed_bytes(N, P, starts=0) < N * P / 8 * 1.02
    pk = asynchronous.Packed(binary_patterns(N, P, seed=1))
    assert pk.nbytes() == asynchronous.packed_bytes(N, P, starts=0)
    assert asynchronous._words(1) == 8 and asynchronous._words(512) == 8 and asynchronous._words(513) == 16


def test_block_parallel_single_run_equals_the_reference_for_one_and_two_threads():
    X = binary_patterns(1500, 600, seed=21)
    threads = numba.get_num_threads()
    try:
        for flip in (0.1, 0.35):
            s0 = flip_fraction(X[:, 0], flip, seed=3)
            ref = asynchronous.reference_fixed_point(X, s0, seed=5)
            for block in (7, 64, asynchronous._BLOCK):
                for n in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
                    numba.set_num_threads(n)
                    pk = asynchronous.Packed(X)
                    s = s0.copy()
                    Q, T = pk.planes(s)
                    sw, cv = asynchronous._packed_async_blocks(pk.B, pk.r, pk.valid, s, Q, T, pk.P, np.uint64(5), 200,
                                                    np.empty(pk.N, np.int64), block)
                    assert np.array_equal(s, ref[0]) and (sw, cv) == ref[1:]
            assert ref[1] > 2  # several sweeps with flips: the in-block corrections are exercised
    finally:
        numba.set_num_threads(threads)


def test_parallel_and_serial_plane_counting_agree():
    X = binary_patterns(1200, 1500, seed=2)
    s = flip_fraction(X[:, 3], 0.4, seed=1)
    pk = asynchronous.Packed(X)
    Q1 = np.empty((pk.L, pk.W), np.uint64)
    Q2 = np.empty((pk.L, pk.W), np.uint64)
    assert asynchronous._planes_into(pk.B, s, pk.valid, Q1) == asynchronous._planes_into_parallel(pk.B, s, pk.valid, Q2)
    assert np.array_equal(Q1, Q2)
