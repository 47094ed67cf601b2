"""The capacity runs of the replica chapter: patterns packed straight from the generator and runs
spread over threads give exactly the numbers of the plain path (binary_patterns, Packed,
async_fixed_points through retrieval_overlap)."""

import numpy as np
import pytest

from hopcore.dynamics.asynchronous import Packed
from hopcore.ensembles.binary import binary_patterns
from hopcore.experiments import classical as C
from hopcore.experiments.cache import ResultCache
from hopcore.experiments.runner import sweep
from hopcore.experiments.snr import retrieval_overlap


@pytest.mark.parametrize("N,P,seed", [(1, 1, 3), (7, 3, 4), (9, 65, 5), (100, 64, 6), (333, 129, 7),
                                      (1000, 1001, 8), (257, 700, 9)])
def test_packed_patterns_are_the_packed_binary_patterns(N, P, seed):
    np.testing.assert_array_equal(C.packed_binary_patterns(N, P, seed), Packed(binary_patterns(N, P, seed)).B)


def test_packed_patterns_do_not_depend_on_the_chunk(monkeypatch):
    ref = Packed(binary_patterns(301, 171, 12)).B
    for chunk in (1, 999, 8 * 171, 1 << 23):
        monkeypatch.setattr(C, "_CHUNK_BYTES", chunk)
        np.testing.assert_array_equal(C.packed_binary_patterns(301, 171, 12), ref)


def test_a_broken_packing_is_caught():
    B = C.packed_binary_patterns(64, 130, 1)
    B[5, 1] ^= np.uint64(1 << 7)
    assert not np.array_equal(B, Packed(binary_patterns(64, 130, 1)).B)


@pytest.mark.parametrize("N,alpha,seed,starts", [(200, 0.1, 1, 2), (500, 0.14, 2, 4), (800, 0.2, 3, 3),
                                                 (50, 0.02, 5, 4)])
def test_retrieval_at_load_is_retrieval_overlap(N, alpha, seed, starts):
    P = max(1, int(round(alpha * N)))
    ref = retrieval_overlap(N, P, seed, n_starts=starts, flip=0.0, max_sweeps=40)
    new = C.retrieval_at_load(N, alpha, seed, starts, 40)
    assert new["P"] == P
    for k in ref:
        assert new[k].dtype == ref[k].dtype
        np.testing.assert_array_equal(new[k], ref[k])


def test_batch_does_not_depend_on_the_thread_count():
    seeds = [11, 12, 13]
    one = C._retrieval_batch(600, 90, seeds, 4, 60, threads=1)
    two = C._retrieval_batch(600, 90, seeds, 4, 60, threads=2)
    three = C._retrieval_batch(600, 90, seeds, 4, 60, threads=3)
    for a, b, c in zip(one, two, three):
        for k in ("m", "sweeps", "converged"):
            np.testing.assert_array_equal(a[k], b[k])
            np.testing.assert_array_equal(a[k], c[k])
    # the runs differ between networks (a batch that returned one network thrice would pass above)
    assert not np.array_equal(one[0]["m"], one[1]["m"]) or not np.array_equal(one[0]["sweeps"], one[1]["sweeps"])


def test_capacity_scan_entries_are_those_of_sweep(tmp_path):
    """The scan stores each network where ``sweep(retrieval_at_load, ...)`` looks for it, with the
    same numbers, and reads it back."""
    cache = ResultCache(tmp_path / "c")
    scan = C.capacity_scan([150, 300], [0.1, 0.2], 3, 5, n_starts=2, max_sweeps=30, cache=cache, progress=False)
    assert cache.misses == 12 and cache.hits == 0
    point = {"N": 300, "alpha": 0.2, "n_starts": 2, "max_sweeps": 30}
    fresh = sweep(C.retrieval_at_load, [point], 3, 5, cache=ResultCache(None), progress=False)[0]
    from_cache = sweep(C.retrieval_at_load, [point], 3, 5, cache=cache, progress=False)[0]
    assert cache.hits == 3
    for s in range(3):
        np.testing.assert_array_equal(fresh[s]["m"], scan["m"][1, 1, s])
        np.testing.assert_array_equal(from_cache[s]["m"], scan["m"][1, 1, s])
        np.testing.assert_array_equal(fresh[s]["converged"], scan["converged"][1, 1, s])
    again = C.capacity_scan([150, 300], [0.1, 0.2], 3, 5, n_starts=2, max_sweeps=30, cache=cache, progress=False)
    assert cache.misses == 12
    np.testing.assert_array_equal(again["m"], scan["m"])


def test_capacity_scan_on_a_configured_executor_gives_the_same_numbers(tmp_path, monkeypatch):
    here = C.capacity_scan([120], [0.1, 0.3], 2, 7, n_starts=2, max_sweeps=20, cache=ResultCache(None), progress=False)
    monkeypatch.setenv("HOPCORE_EXECUTOR", "processes:1")
    cache = ResultCache(tmp_path / "c")
    there = C.capacity_scan([120], [0.1, 0.3], 2, 7, n_starts=2, max_sweeps=20, cache=cache, progress=False)
    assert cache.misses == 4 and cache.hits == 0
    np.testing.assert_array_equal(there["m"], here["m"])
    C.capacity_scan([120], [0.1, 0.3], 2, 7, n_starts=2, max_sweeps=20, cache=cache, progress=False)
    assert cache.misses == 4 and cache.hits == 4


@pytest.mark.parametrize("N,alpha", [(400, 0.12), (1000, 0.15), (1500, 0.2), (900, 0.35)])
def test_kept_fields_give_the_trajectory_of_the_packed_engine(N, alpha):
    """Runs that retrieve, that fail and creep, and that switch between counted and kept fields end
    in the very state, after the very number of sweeps, of async_fixed_points; kept fields are used."""
    from hopcore.dynamics import asynchronous as A
    from hopcore.dynamics.asynchronous import async_fixed_points

    P = int(round(alpha * N))
    kept = 0
    for seed in (1, 2, 3):
        X = binary_patterns(N, P, seed)
        B = C.packed_binary_patterns(N, P, seed)
        S0 = np.ascontiguousarray(X[:, :4].T)
        orders = np.array([seed * 10 + j for j in range(4)], dtype=np.uint64)
        S, sweeps, conv = async_fixed_points(X, S0, orders, max_sweeps=80)
        r, valid = A._row_sums(B, P), A._valid_words(P, B.shape[1])
        for j in range(4):
            s = S0[j].copy()
            sw, cv, k = C._one_run(B, r, valid, s, P, A._n_planes(N), orders[j], 80)
            assert (sw, cv) == (sweeps[j], conv[j])
            np.testing.assert_array_equal(s, S[j])
            kept += k
    assert kept > 0
