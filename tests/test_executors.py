"""Sweeps give the same numbers bit for bit on every executor: serial, a local process pool and a
Dask cluster, also when a worker dies mid-sweep and the scheduler retries its task."""

import os
from pathlib import Path

import numpy as np
import pytest

from hopcore.experiments.cache import ResultCache
from hopcore.experiments.executors import parse_spec
from hopcore.experiments.runner import sweep

HERE = Path(__file__).parent
GRID = [{"x": float(x)} for x in (0.0, 1.5, -2.0, 4.0)]


@pytest.fixture()
def importable(monkeypatch):
    # spawned workers import the task functions from tests/
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.syspath_prepend(str(HERE))
    import _executor_tasks

    return _executor_tasks


def _same(a, b):
    return all(np.array_equal(a[i][s][k], b[i][s][k]) for i in range(len(a)) for s in range(len(a[i])) for k in a[i][s])


def test_spec_parsing_names_the_allowed_forms():
    assert parse_spec(None) == ("serial", None)
    assert parse_spec("processes:3") == ("processes", 3)
    assert parse_spec("dask:local:2") == ("dask-local", 2)
    assert parse_spec("dask:tcp://127.0.0.1:8786") == ("dask", "tcp://127.0.0.1:8786")
    for bad in ("threads:2", "processes:0", "processes:x", "dask:", "dask:local:0"):
        with pytest.raises(ValueError, match="HOPCORE_EXECUTOR=.*serial, processes:N, dask:ADDRESS or dask:local:N"):
            parse_spec(bad)


def test_process_pool_matches_serial(importable):
    serial = sweep(importable.noisy_point, GRID, 3, 11, cache=ResultCache(None), progress=False)
    pooled = sweep(importable.noisy_point, GRID, 3, 11, cache=ResultCache(None), progress=False,
                   executor="processes:2")
    assert _same(serial, pooled)


def test_dask_local_cluster_matches_serial_and_fills_the_cache(importable, tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed is in requirements.txt")
    serial = sweep(importable.noisy_point, GRID, 3, 11, cache=ResultCache(None), progress=False)
    cache = ResultCache(tmp_path / "cache")
    on_dask = sweep(importable.noisy_point, GRID, 3, 11, cache=cache, progress=False, executor="dask:local:2")
    assert _same(serial, on_dask)
    assert cache.misses == 12 and len(list((tmp_path / "cache").rglob("*.npz"))) == 12  # written by the caller
    again = sweep(importable.noisy_point, GRID, 3, 11, cache=cache, progress=False, executor="dask:local:2")
    assert cache.hits == 12 and _same(serial, again)


def test_a_killed_dask_worker_is_retried_with_the_same_result(importable, tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed is in requirements.txt")
    marker = str(tmp_path / "killed-once")
    grid = [dict(p, marker=marker) for p in GRID]
    on_dask = sweep(importable.dies_once, grid, 2, 5, cache=ResultCache(None), progress=False, executor="dask:local:2")
    assert Path(marker).read_text() == "killed", "a worker died mid-sweep"
    serial = sweep(importable.dies_once, grid, 2, 5, cache=ResultCache(None), progress=False)
    assert _same(serial, on_dask)


def test_dask_executor_without_dask_says_what_to_install(monkeypatch):
    import builtins

    from hopcore.experiments import executors

    real = builtins.__import__

    def no_dask(name, *a, **k):
        if name.startswith(("distributed", "dask")):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(ValueError, match=r"pip install 'hopcore\[dask\]'"):
        with executors.executor_from_spec("dask:local:2"):
            pass
