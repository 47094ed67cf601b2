"""Where the (grid point, sample) tasks of a sweep run: in the calling process, in a local process
pool, or on a Dask cluster.

An executor is chosen by a spec string, from ``$HOPCORE_EXECUTOR`` (or ``--executor`` on
``python -m hopcore run``):

| spec | executor |
| --- | --- |
| ``serial`` (default) | the calling process, one task after the other |
| ``processes:N`` | a local pool of N processes (``concurrent.futures.ProcessPoolExecutor``) |
| ``dask:ADDRESS`` | a running ``dask.distributed`` scheduler, e.g. ``dask:tcp://10.0.0.5:8786`` |
| ``dask:local:N`` | a ``LocalCluster`` with N single-threaded worker processes, started for the sweep |

Every task is one call ``fn(**point, seed=s)``; results come back to the caller, which writes the
cache (workers need no shared disk). Each result depends only on its point and seed, so any
executor, any number of workers and any order of completion give the same numbers bit for bit.
Workers get ``cores // workers`` numba threads (at least one), so they do not oversubscribe the
machine. dask and distributed are optional (``pip install hopcore[dask]``).
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Iterator

__all__ = ["executor_from_spec", "parse_spec"]

ENV = "HOPCORE_EXECUTOR"


def parse_spec(spec: str | None) -> tuple[str, str | int | None]:
    """Parse an executor spec: ``"processes:2" -> ("processes", 2)``.

    Parameters
    ----------
    spec : str or None
        ``serial`` (also for None or empty), ``processes:N``, ``dask:ADDRESS`` or ``dask:local:N``.

    Returns
    -------
    kind : str
        ``"serial"``, ``"processes"``, ``"dask"`` or ``"dask-local"``.
    arg : int or str or None
        The number of workers, the scheduler address, or None for serial.

    Raises
    ------
    ValueError
        Naming the allowed forms, for any other spec.
    """
    spec = (spec or "serial").strip()
    allowed = "serial, processes:N, dask:ADDRESS or dask:local:N"
    if spec == "serial":
        return "serial", None
    kind, _, rest = spec.partition(":")
    if kind == "processes" and rest.isdigit() and int(rest) >= 1:
        return "processes", int(rest)
    if kind == "dask" and rest.startswith("local:") and rest[6:].isdigit() and int(rest[6:]) >= 1:
        return "dask-local", int(rest[6:])
    if kind == "dask" and rest and not rest.startswith("local"):
        return "dask", rest
    raise ValueError(f"{ENV}={spec!r} is not allowed: the executor must be one of {allowed}")


def _threads_per_worker(workers: int) -> int:
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def _set_numba_threads(n: int) -> None:  # runs in each worker
    os.environ["NUMBA_NUM_THREADS"] = str(n)
    try:
        import numba

        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    except Exception:  # pragma: no cover - numba not initialised yet: the variable is enough
        pass


def _require_dask():
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise ValueError(f"{ENV}=dask:... needs dask and distributed: pip install 'hopcore[dask]' "
                         "(or pip install 'dask[distributed]')") from None


@contextmanager
def executor_from_spec(spec: str | None = None) -> Iterator[Executor | None]:
    """The executor named by ``spec`` (default ``$HOPCORE_EXECUTOR``), or None for ``serial``.

    A context manager: pools and clusters it starts are shut down on exit.

    Parameters
    ----------
    spec : str, optional
        An executor spec (see :func:`parse_spec`); None reads ``$HOPCORE_EXECUTOR``.

    Returns
    -------
    contextlib.AbstractContextManager
        Yields a ``concurrent.futures.Executor`` (process pool or Dask client executor), or None
        for serial.
    """
    kind, arg = parse_spec(spec if spec is not None else os.environ.get(ENV))
    if kind == "serial":
        yield None
    elif kind == "processes":
        n = int(arg)
        import multiprocessing

        # spawn, not fork: a fork of a process whose numba kernels already started OpenMP threads aborts
        with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_set_numba_threads, initargs=(_threads_per_worker(n),)) as pool:
            yield pool
    else:
        _require_dask()
        from distributed import Client, LocalCluster

        if kind == "dask-local":
            n = int(arg)
            threads = _threads_per_worker(n)
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                              env={"NUMBA_NUM_THREADS": str(threads)}) as cluster, Client(cluster) as client:
                yield client.get_executor(pure=False)
        else:
            with Client(str(arg)) as client:
                yield client.get_executor(pure=False)
