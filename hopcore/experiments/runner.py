"""Sweeps over a parameter grid x samples, cached point by point, with a progress bar.

Every (grid point, sample) gets its own seed derived from the master seed, the point's parameters
and the sample index, so results do not depend on the order, chunking or executor of the sweep,
and a killed run resumes from the points already in the cache. The tasks that are not in the cache
run on the executor of :mod:`hopcore.experiments.executors` (``$HOPCORE_EXECUTOR``: serial, a local
process pool or a Dask cluster); every result is written to the cache by the caller as it arrives.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Executor, as_completed
from typing import Any, Callable, Iterable

import numpy as np
from tqdm import tqdm

from ..io import canonical
from .cache import ResultCache, default_cache
from .executors import executor_from_spec


def derive_seed(master: int, *keys: Any) -> int:
    """A 63-bit seed derived from ``master`` and any JSON-able keys (stable across runs/machines).

    Parameters
    ----------
    master : int
        The master seed.
    *keys : object
        JSON-able keys (point parameters, sample index, labels), hashed in their canonical form.

    Returns
    -------
    int
        A seed in [0, 2^63).
    """
    blob = json.dumps([int(master), canonical(list(keys))], sort_keys=True).encode()
    words = np.frombuffer(hashlib.sha256(blob).digest()[:16], dtype=np.uint32)
    ss = np.random.SeedSequence([int(w) for w in words])
    return int(ss.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def sample_seeds(master: int, point: dict[str, Any], n_samples: int) -> list[int]:
    """The seeds of the samples of one grid point: ``derive_seed(master, point, s)`` for s < n_samples.

    Parameters
    ----------
    master : int
        The master seed.
    point : dict
        Parameters of the point.
    n_samples : int
        Number of samples.

    Returns
    -------
    list of int
        One seed per sample.
    """
    return [derive_seed(master, point, s) for s in range(n_samples)]


def sweep(
    fn: Callable[..., dict[str, Any]],
    grid: Iterable[dict[str, Any]],
    n_samples: int,
    seed: int,
    *,
    cache: ResultCache | None = None,
    desc: str | None = None,
    progress: bool = True,
    fn_name: str | None = None,
    executor: Executor | str | None = None,
) -> list[list[dict[str, np.ndarray]]]:
    """Run ``fn(**point, seed=s)`` for every grid point and sample; return ``results[point][sample]``.

    ``fn`` must return a dict of arrays/scalars. Each call is cached on disk (see ResultCache); tasks
    not in the cache run on the executor and are stored as they arrive. The progress bar counts
    finished tasks.

    Parameters
    ----------
    fn : callable
        The measurement, called as ``fn(**point, seed=s)``.
    grid : iterable of dict
        The points.
    n_samples : int
        Samples per point.
    seed : int
        Master seed (see :func:`derive_seed`).
    cache : hopcore.experiments.cache.ResultCache, optional
        The cache (default :func:`hopcore.experiments.cache.default_cache`).
    desc : str, optional
        Label of the progress bar (default the name of ``fn``).
    progress : bool, optional
        Show the progress bar (default True).
    fn_name : str, optional
        Name of the cache entries (default ``module.qualname`` of ``fn``).
    executor : concurrent.futures.Executor or str or None, optional
        An executor, a spec string of :func:`hopcore.experiments.executors.executor_from_spec`, or None
        for ``$HOPCORE_EXECUTOR`` (serial by default).

    Returns
    -------
    list of list of dict
        ``results[point][sample]``: dict of numpy arrays.
    """
    cache = default_cache() if cache is None else cache
    name = fn_name or f"{fn.__module__}.{fn.__qualname__}"
    points = [dict(p) for p in grid]
    jobs = [(i, s, {**points[i], "seed": sd}) for i, p in enumerate(points)
            for s, sd in enumerate(sample_seeds(seed, p, n_samples))]
    out: list[list[dict[str, np.ndarray]]] = [[{} for _ in range(n_samples)] for _ in points]
    bar = tqdm(total=len(jobs), desc=desc or getattr(fn, "__name__", "sweep"), disable=not progress, mininterval=1.0)
    todo = []
    for i, s, params in jobs:
        hit = cache.load(name, params)
        if hit is None:
            todo.append((i, s, params))
        else:
            cache.hits += 1
            out[i][s] = hit
            bar.update()

    def finish(i, s, params, result):
        cache.misses += 1
        result = {k: np.asarray(v) for k, v in result.items()}
        cache.store(name, params, result)
        out[i][s] = result
        bar.update()

    if isinstance(executor, Executor):
        _run_on(executor, fn, todo, finish)
    else:
        with executor_from_spec(executor) as ex:
            if ex is None:
                for i, s, params in todo:
                    finish(i, s, params, fn(**params))
            else:
                _run_on(ex, fn, todo, finish)
    bar.close()
    return out


def _run_on(ex: Executor, fn, todo, finish) -> None:
    futures = {ex.submit(fn, **params): (i, s, params) for i, s, params in todo}
    for fut in as_completed(futures):
        i, s, params = futures[fut]
        finish(i, s, params, fut.result())


def stack(results: list[list[dict[str, np.ndarray]]], key: str) -> np.ndarray:
    """``results[point][sample][key]`` as an array of shape (points, samples, ...).

    Parameters
    ----------
    results : list of list of dict
        The output of :func:`sweep`.
    key : str
        The result to stack.

    Returns
    -------
    numpy.ndarray
        Shape (points, samples, ...).
    """
    return np.array([[np.asarray(r[key]) for r in row] for row in results])


class Grid:
    """Sweep results as labelled arrays: ``grid["m"]`` has shape ``(*axis_lengths, samples, ...)``.

    Points left out of the sweep (``where`` returned False) are nan in every array, so a ragged scan
    (L <= D) still comes back as one array per key, with no flat-index arithmetic. ``key in grid``
    tells whether a result key exists.

    Parameters
    ----------
    axes : dict of str to list
        Each axis name and its values, in order.
    fixed : dict
        The parameters common to every point.
    n_samples : int
        Samples per point.
    results : dict of tuple to list of dict
        Per-sample results, keyed by the index tuple of the point on the axes.
    """

    def __init__(self, axes: dict[str, list], fixed: dict[str, Any], n_samples: int,
                 results: dict[tuple, list[dict[str, np.ndarray]]]):
        self.axes = {k: list(v) for k, v in axes.items()}
        self.fixed = dict(fixed)
        self.n_samples = n_samples
        self._results = results

    @property
    def shape(self) -> tuple[int, ...]:
        """Lengths of the axes.

        Returns
        -------
        tuple of int
            One length per axis, in order.
        """
        return tuple(len(v) for v in self.axes.values())

    def __contains__(self, key: str) -> bool:
        return any(key in row[0] for row in self._results.values())

    def __getitem__(self, key: str) -> np.ndarray:
        template = next(np.asarray(row[0][key]) for row in self._results.values())
        out = np.full(self.shape + (self.n_samples,) + template.shape, np.nan)
        for index, row in self._results.items():
            for s, r in enumerate(row):
                out[index + (s,)] = r[key]
        return out

    def point(self, **coords) -> list[dict[str, np.ndarray]]:
        """The per-sample results at the point with these axis values.

        Parameters
        ----------
        **coords
            One value for every axis.

        Returns
        -------
        list of dict
            One dict of numpy arrays per sample.
        """
        index = tuple(self.axes[k].index(coords[k]) for k in self.axes)
        return self._results[index]


def sweep_grid(fn: Callable[..., dict[str, Any]], axes: dict[str, Iterable], n_samples: int, seed: int, *,
               fixed: dict[str, Any] | None = None, where: Callable[[dict[str, Any]], bool] | None = None,
               **kw) -> Grid:
    """:func:`sweep` over the outer product of ``axes`` (plus the ``fixed`` parameters), as a :class:`Grid`.

    Seeds depend only on each point's parameters, so the result is the same as a flat :func:`sweep`
    over the same points.

    Parameters
    ----------
    fn : callable
        The measurement, called as ``fn(**point, seed=s)``.
    axes : dict of str to iterable
        Axis names and values.
    n_samples : int
        Samples per point.
    seed : int
        Master seed.
    fixed : dict, optional
        Parameters common to every point.
    where : callable, optional
        ``where(point)`` False leaves the point out (nan in the arrays).
    **kw
        Passed to :func:`sweep`.

    Returns
    -------
    Grid
        The labelled results.
    """
    import itertools

    axes = {k: list(v) for k, v in axes.items()}
    fixed = dict(fixed or {})
    indices, points = [], []
    for index in itertools.product(*(range(len(v)) for v in axes.values())):
        point = {**fixed, **{k: axes[k][i] for k, i in zip(axes, index)}}
        if where is None or where(point):
            indices.append(index)
            points.append(point)
    results = sweep(fn, points, n_samples, seed, **kw)
    return Grid(axes, fixed, n_samples, dict(zip(indices, results)))
