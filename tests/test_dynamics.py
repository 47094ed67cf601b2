import os
import subprocess
import sys

import numpy as np
import pytest
from reference import hebb_couplings, reference_async, reference_energy

from hopcore.dynamics import asynchronous
from hopcore.ensembles.binary import binary_patterns, flip_fraction, mixture_state


@pytest.mark.parametrize("N,P,flip", [(200, 20, 0.2), (150, 40, 0.3), (101, 5, 0.45)])
def test_async_matches_J_matrix_reference(N, P, flip):
    X = binary_patterns(N, P, seed=N + P)
    s0 = flip_fraction(X[:, 0], flip, seed=7)
    J = hebb_couplings(X)
    s_ref, sweeps_ref, conv_ref, e_ref = reference_async(J, s0, seed=11)
    s, sweeps, conv = asynchronous.async_fixed_point(X, s0, seed=11)
    assert np.array_equal(s, s_ref)
    assert (sweeps, conv) == (sweeps_ref, conv_ref)
    assert asynchronous.energy(X, s) == pytest.approx(reference_energy(J, s_ref), abs=1e-9)
    e, s2, _, _ = asynchronous.async_energy_trajectory(X, s0, seed=11)
    assert np.array_equal(s2, s)
    np.testing.assert_allclose(e * N, e_ref, atol=1e-9)


def test_energy_never_increases_and_fixed_point_is_stable():
    X = binary_patterns(300, 60, seed=3)
    for k in range(5):
        s0 = flip_fraction(X[:, k], 0.4, seed=k)
        e, s, _, conv = asynchronous.async_energy_trajectory(X, s0, seed=k)
        assert conv
        assert np.all(np.diff(e) < 0)  # every flip strictly lowers E
        h = asynchronous.local_fields(X, s)
        assert np.all(s * h >= 0)  # fixed point: every spin aligned with (or tied to) its field


def test_local_fields_energy_and_sync_step_vs_reference():
    X = binary_patterns(120, 17, seed=5)
    J = hebb_couplings(X)
    s = flip_fraction(X[:, 2], 0.25, seed=1)
    np.testing.assert_allclose(asynchronous.local_fields(X, s), J @ s, atol=1e-12)
    assert asynchronous.energy(X, s) == pytest.approx(reference_energy(J, s))
    h = J @ s
    expected = np.where(h > 1e-12, 1, np.where(h < -1e-12, -1, s))
    assert np.array_equal(asynchronous.sync_step(X, s), expected)
    assert np.array_equal(asynchronous.overlaps(X, s), X.T.astype(np.int64) @ s)


def test_batch_equals_single_runs():
    X = binary_patterns(250, 30, seed=9)
    S0 = np.stack([flip_fraction(X[:, k], 0.3, seed=k) for k in range(6)])
    seeds = np.arange(6) * 1000 + 17
    S, sweeps, conv = asynchronous.async_fixed_points(X, S0, seeds)
    for r in range(6):
        s, sw, cv = asynchronous.async_fixed_point(X, S0[r], seeds[r])
        assert np.array_equal(S[r], s) and sw == sweeps[r] and cv == conv[r]


def test_sweep_limit_is_reported():
    X = binary_patterns(400, 200, seed=2)
    s0 = flip_fraction(X[:, 0], 0.5, seed=2)
    _, sweeps, conv = asynchronous.async_fixed_point(X, s0, seed=1, max_sweeps=1)
    assert sweeps == 1 and not conv


def test_sweep_order_is_a_seeded_permutation():
    a = asynchronous.sweep_order(5, 0, 1000)
    assert np.array_equal(np.sort(a), np.arange(1000))
    assert np.array_equal(a, asynchronous.sweep_order(5, 0, 1000))
    assert not np.array_equal(a, asynchronous.sweep_order(5, 1, 1000))
    assert not np.array_equal(a, asynchronous.sweep_order(6, 0, 1000))


def test_glauber_low_temperature_keeps_pattern_high_temperature_forgets():
    X = binary_patterns(400, 8, seed=4)
    cold = asynchronous.glauber_run(X, X[:, 0], T=0.1, seed=1, n_sweeps=20)
    hot = asynchronous.glauber_run(X, X[:, 0], T=5.0, seed=1, n_sweeps=20)
    assert asynchronous.magnetization(cold, X[:, 0]) > 0.95
    assert abs(asynchronous.magnetization(hot, X[:, 0])) < 0.2
    assert np.array_equal(cold, asynchronous.glauber_run(X, X[:, 0], T=0.1, seed=1, n_sweeps=20))


def test_mixture_state_and_patterns():
    X = binary_patterns(1000, 5, seed=1)
    assert X.dtype == np.int8 and X.flags.c_contiguous and set(np.unique(X)) == {-1, 1}
    assert abs(X.mean()) < 0.05
    mix = mixture_state(X, 3)
    # each of the three patterns agrees with the 3-mixture on 3/4 of the sites on average
    for k in range(3):
        assert abs(asynchronous.magnetization(mix, X[:, k]) - 0.5) < 0.08
    with pytest.raises(ValueError, match="n=2"):
        mixture_state(X, 2)


SCRIPT = """
import numpy as np
from hopcore.dynamics.asynchronous import async_fixed_points
from hopcore.ensembles.binary import binary_patterns, flip_fraction
X = binary_patterns(600, 90, seed=1)
S0 = np.stack([flip_fraction(X[:, k], 0.2, seed=k) for k in range(5)])
S, sw, cv = async_fixed_points(X, S0, np.arange(5) + 3)
print(S.sum(axis=1).tolist(), sw.tolist(), cv.tolist())
"""


def test_same_numbers_whatever_the_thread_count():
    outs = []
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        outs.append(subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True).stdout)
    assert outs[0] == outs[1]


def test_unstable_bits_match_a_coupling_matrix_reference_also_when_probing_a_few_patterns():
    from hopcore.dynamics.stability import unstable_bits
    from hopcore.ensembles.binary import binary_patterns

    X = binary_patterns(300, 90, 5)
    Xf = X.astype(np.int64)
    J = Xf @ Xf.T
    np.fill_diagonal(J, 0)                       # N h_i = sum_{j != i} (sum_mu xi_i^mu xi_j^mu) s_j
    H = J @ Xf                                   # fields at every pattern, column nu
    ref = (Xf * H < 0).sum(axis=0)
    assert ref.sum() > 0                         # the load is high enough for some bits to flip
    np.testing.assert_array_equal(unstable_bits(X), ref)
    np.testing.assert_array_equal(unstable_bits(X, n_probe=7), ref[:7])
    np.testing.assert_array_equal(unstable_bits(X, n_probe=10**6), ref)


@pytest.mark.parametrize("N, P, n_probe", [(300, 90, None), (257, 301, 13), (1000, 1500, 64)])
def test_unstable_bits_blas_route_equals_the_integer_kernels(monkeypatch, N, P, n_probe):
    """The float32 BLAS route (exact below 2^24) gives the integer kernels' counts; with the exactness
    bound forced below every row sum the kernels themselves run."""
    from hopcore.dynamics import stability
    from hopcore.ensembles.binary import binary_patterns

    X = binary_patterns(N, P, 11)
    K = P if n_probe is None else n_probe
    ref = stability._unstable_bits(X, stability._overlap_matrix(X, K))
    assert ref.sum() > 0
    np.testing.assert_array_equal(stability.unstable_bits(X, n_probe), ref)
    calls = []
    monkeypatch.setattr(stability, "EXACT_F32", N + 1)  # C fits, the fields' row sums do not: kernels
    monkeypatch.setattr(stability, "_unstable_bits", lambda X_, C_: calls.append(1) or ref)
    stability.unstable_bits(X, n_probe)
    assert calls
