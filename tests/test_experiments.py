import json

import numpy as np
import pytest

from hopcore.experiments import ResultCache, load_summary, save_data, sweep, write_summary
from hopcore.experiments.runner import derive_seed, stack

CALLS = []


def noisy_mean(N, seed):
    CALLS.append((N, seed))
    rng = np.random.default_rng(seed)
    return {"mean": rng.normal(size=N).mean(), "N": N}


def test_cache_hit_miss_and_corrupt_entry_recomputed(tmp_path):
    cache = ResultCache(tmp_path)
    CALLS.clear()
    a = cache.cached_call(noisy_mean, {"N": 10, "seed": 1})
    b = cache.cached_call(noisy_mean, {"N": 10, "seed": 1})
    assert len(CALLS) == 1 and a["mean"] == b["mean"] and cache.hits == 1
    (entry,) = list(tmp_path.rglob("*.npz"))
    # truncate the entry: it must be detected, deleted and recomputed
    entry.write_bytes(entry.read_bytes()[:50])
    c = cache.cached_call(noisy_mean, {"N": 10, "seed": 1})
    assert len(CALLS) == 2 and c["mean"] == a["mean"] and cache.rejected == 1
    # flip bytes inside the array payload while keeping a valid zip: the checksum must catch it
    raw = bytearray(entry.read_bytes())
    with np.load(entry) as d:
        original = float(d["mean"])
    pos = raw.find(np.float64(original).tobytes())
    assert pos > 0
    raw[pos] ^= 0xFF
    entry.write_bytes(bytes(raw))
    d = cache.cached_call(noisy_mean, {"N": 10, "seed": 1})
    assert len(CALLS) == 3 and d["mean"] == a["mean"] and cache.rejected == 2


def test_stale_code_version_is_recomputed(tmp_path, monkeypatch):
    from hopcore.experiments import cache as cache_mod

    cache = ResultCache(tmp_path)
    CALLS.clear()
    cache.cached_call(noisy_mean, {"N": 5, "seed": 2})
    monkeypatch.setattr(cache_mod, "code_version", lambda: "0.0.0+other")
    cache.cached_call(noisy_mean, {"N": 5, "seed": 2})
    assert len(CALLS) == 2


def test_no_temporary_files_left(tmp_path):
    cache = ResultCache(tmp_path)
    cache.cached_call(noisy_mean, {"N": 3, "seed": 3})
    assert not list(tmp_path.rglob("*.tmp"))


def test_sweep_is_resumable_and_order_independent(tmp_path):
    cache = ResultCache(tmp_path)
    grid = [{"N": n} for n in (5, 50, 500)]
    CALLS.clear()
    full = sweep(noisy_mean, grid, n_samples=3, seed=42, cache=cache, progress=False)
    assert len(CALLS) == 9
    # a fresh cache on a shuffled grid gives the same numbers per point (seeds follow the point)
    other = sweep(noisy_mean, grid[::-1], n_samples=3, seed=42, cache=ResultCache(tmp_path / "b"), progress=False)
    np.testing.assert_array_equal(stack(full, "mean"), stack(other, "mean")[::-1])
    # "killed" run: only part of the cache exists, the rest is computed, the result is identical
    part = ResultCache(tmp_path / "c")
    sweep(noisy_mean, grid[:1], n_samples=3, seed=42, cache=part, progress=False)
    CALLS.clear()
    resumed = sweep(noisy_mean, grid, n_samples=3, seed=42, cache=part, progress=False)
    assert len(CALLS) == 6
    np.testing.assert_array_equal(stack(full, "mean"), stack(resumed, "mean"))


def test_derive_seed_is_stable():
    assert derive_seed(1, {"a": 1}, 0) == derive_seed(1, {"a": 1}, 0)
    assert derive_seed(1, {"a": 1}, 0) != derive_seed(1, {"a": 1}, 1)
    assert derive_seed(1, {"a": 1.0}, 0) == derive_seed(1, {"a": 1.0}, 0)
    assert 0 <= derive_seed(123, "x") < 2**63


def test_summary_and_data_files(tmp_path):
    write_summary(tmp_path, {"b": np.float64(0.5), "a": [np.int64(1), float("nan")], "c": {"3": 0.03}})
    assert load_summary(tmp_path) == {"a": [1, None], "b": 0.5, "c": {"3": 0.03}}
    assert json.loads((tmp_path / "summary.json").read_text())["c"]["3"] == 0.03
    save_data(tmp_path, "fig", x=np.arange(3))
    with np.load(tmp_path / "fig.npz") as d:
        assert d["x"].tolist() == [0, 1, 2]


def test_capacity_scan_stopping_rule_and_sample_counts_change_no_computed_number(tmp_path):
    from hopcore.experiments.classical import bootstrap_alpha_c, capacity_scan, retrieval_at_load

    cache = ResultCache(tmp_path / "c")
    Ns, alphas = [200, 400], [0.05, 0.1, 0.3, 0.4, 0.5]
    full = capacity_scan(Ns, alphas, 3, 11, n_starts=2, max_sweeps=50, cache=cache, progress=False)
    cut = capacity_scan(Ns, alphas, [3, 2], 11, n_starts=2, max_sweeps=50, stop_after_failed_loads=1,
                        cache=ResultCache(None), progress=False)
    assert full["simulated"].all()
    # at these sizes a load of 0.3 already fails in every run: the larger loads are skipped
    for i, count in enumerate([3, 2]):
        fails = np.where(np.all(full["m"][i, :, :count] < 0.5, axis=(1, 2)))[0]
        assert fails.size and cut["simulated"][i, : fails[0] + 1].all() and not cut["simulated"][i, fails[0] + 1:].any()
    assert not cut["simulated"].all()
    ran = np.isfinite(cut["m"])
    np.testing.assert_array_equal(cut["m"][ran], full["m"][ran])       # same seeds, same numbers
    assert not np.isfinite(cut["m"][1, :, 2]).any()                     # the 3rd network of N=400 was not run
    # the same run as a direct call, and the crossing is unchanged by the skipped loads
    seed0 = derive_seed(11, {"N": 200, "alpha": 0.1, "n_starts": 2, "max_sweeps": 50}, 0)
    np.testing.assert_array_equal(full["m"][0, 1, 0], retrieval_at_load(200, 0.1, seed0, 2, 50)["m"])
    assert bootstrap_alpha_c(alphas, cut["m"][0], n_boot=20)[0] == bootstrap_alpha_c(alphas, full["m"][0], n_boot=20)[0]
    with pytest.raises(ValueError, match="n_samples"):
        capacity_scan(Ns, alphas, [3], 11, cache=ResultCache(None), progress=False)


def test_memo_reads_back_what_it_computed(tmp_path):
    from hopcore.experiments import memo

    calls = []

    def line(a, grid):
        calls.append(a)
        return {"x": np.asarray(grid) * a, "n_failed": 0, "name_ok": True}

    cache = ResultCache(tmp_path / "m")
    first = memo(line, cache=cache, a=2.0, grid=[1.0, 2.0])
    again = memo(line, cache=cache, a=2.0, grid=[1.0, 2.0])
    other = memo(line, cache=cache, a=3.0, grid=[1.0, 2.0])
    assert calls == [2.0, 3.0]
    np.testing.assert_array_equal(again["x"], first["x"])
    assert again["n_failed"] == 0 and isinstance(again["n_failed"], int) and again["name_ok"] is True
    np.testing.assert_array_equal(other["x"], [3.0, 6.0])


def test_memo_rebuilds_dataclass_results_such_as_theory_lines(tmp_path):
    from hopcore.experiments import memo
    from hopcore.theory import random_features as rf

    cache = ResultCache(tmp_path / "m")
    first = memo(rf.mixture_spinodal, cache=cache, n=3, alphas=[0.5, 1.0])
    again = memo(rf.mixture_spinodal, cache=cache, n=3, alphas=[0.5, 1.0])
    direct = rf.mixture_spinodal(3, [0.5, 1.0])
    assert cache.hits == 1 and cache.misses == 1
    assert type(again) is type(direct)
    np.testing.assert_array_equal(again.alpha_D_c, direct.alpha_D_c)
    np.testing.assert_array_equal(again.pairs(), first.pairs())
    assert again.params == json.loads(json.dumps(direct.params)) and again.critical_name == direct.critical_name
    branch = memo(rf.feature_branch, cache=cache, alpha_D=0.02, alphas=[0.5, 1.0])
    ref = rf.feature_branch(0.02, [0.5, 1.0])
    np.testing.assert_array_equal(branch.x, ref.x)
    assert branch.n_not_converged == ref.n_not_converged


def test_sweep_grid_is_the_flat_sweep_with_labelled_axes():
    from hopcore.experiments import sweep, sweep_grid
    from hopcore.experiments.cache import ResultCache

    def f(a, b, seed):
        return {"x": a * b + seed % 7, "v": [a, b]}

    off = ResultCache(None)
    g = sweep_grid(f, {"a": [1, 2, 3], "b": [10, 20]}, 2, 5, where=lambda p: p["a"] * p["b"] < 50,
                   progress=False, cache=off)
    flat = sweep(f, [{"a": 2, "b": 20}], 2, 5, progress=False, cache=off)
    assert g.shape == (3, 2) and g["x"].shape == (3, 2, 2) and g["v"].shape == (3, 2, 2, 2)
    assert [r["x"] for r in flat[0]] == list(g["x"][1, 1])
    assert np.isnan(g["x"][2, 1]).all()  # left out by `where`
    assert g.point(a=2, b=20)[0]["x"] == flat[0][0]["x"]
