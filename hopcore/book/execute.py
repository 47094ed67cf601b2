"""Execute the book's notebooks before Sphinx renders them: longest first, ``JOBS`` at a time.

``python -m hopcore.book.execute`` (the first step of ``make book`` and ``make test``) executes every
notebook of ``book/`` (``.ipynb``, and the MyST Markdown notebooks among the ``.md`` pages) with
nbclient, each in its own process, ``--jobs`` (default ``$JOBS``, else 2) at a time, and stores
each executed notebook in myst-nb's jupyter-cache (``_build/.jupyter_cache``).
Sphinx, configured with ``execute_notebooks: cache`` in ``_config.yml``, then finds every notebook
in that cache and renders it without executing it again.

- **Order.** The chapters start longest first, by their measured cost: the wall times of the
  chapter's latest ``timing.json`` (``results_root()/<chapter>/timing.json``) if it was written in
  the same profile, but never less than the spec's expected minutes with empty caches
  (:attr:`hopcore.book.spec.Chapter.minutes`; a warm rebuild only measures a replay of the cache). A
  free slot takes the next chapter, so the book takes about max(longest chapter, sum / JOBS).
  Notebooks that are not chapters (``scorecard.ipynb``, which reads every chapter's
  ``summary.json``, and the Markdown notebooks ``how_to_use.md`` and ``performance.md``) run last,
  once every chapter has finished.
- **No parameters are injected.** The notebooks run as they are; the profile comes from
  ``$HOPCORE_PROFILE``, as in a plain Jupyter session.
- **Never stale.** Every notebook is executed on every run; the chapters' own result cache
  (:mod:`hopcore.experiments.cache`) makes a rebuild fast. jupyter-cache keys a notebook by its code
  cells (source and metadata) and kernelspec; the stored notebook keeps the source's (execution only
  adds outputs), and each one is checked to match its source, so Sphinx never executes it again.
- **Failures.** A notebook that raises shows its error (cell and traceback) on stderr; its cache
  record is removed, the other chapters still run (like Sphinx's ``--keep-going``), the notebooks
  that run last are skipped, and the command exits with status 1.

One line per notebook goes to stderr when it starts and when it ends, with its wall time.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .. import config

TIMEOUT = 3600  # seconds per cell, as execute.timeout in _config.yml
KERNEL_START_ATTEMPTS = 3  # a kernel that dies before running any cell is started again
TOTAL_KEYS = ("total_s", "wall_time_s", "compute_seconds", "total_seconds")


@dataclass
class Job:
    """One notebook to execute.

    Parameters
    ----------
    path : pathlib.Path
        The source notebook.
    cost : float
        Expected seconds (the order of the chapters, longest first).
    last : bool
        True for a notebook that runs after every chapter (not a chapter: the scorecard).
    """
    path: Path
    cost: float = 0.0
    last: bool = False


def measured_seconds(timing: Path, profile: str) -> float | None:
    """A chapter's wall time from its ``timing.json``, if that file was written in ``profile``.

    Parameters
    ----------
    timing : pathlib.Path
        The chapter's ``timing.json``.
    profile : str
        The profile of this build.

    Returns
    -------
    float or None
        Its total (``total_s``, ``wall_time_s`` or ``compute_seconds``) if it has one, else the sum of
        its numeric entries; None if the file is missing, unreadable or of another profile.
    """
    try:
        data = json.loads(timing.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("profile") != profile:
        return None
    for key in TOTAL_KEYS:
        if isinstance(data.get(key), (int, float)):
            return float(data[key])
    values = [v for v in data.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return float(sum(values)) if values else None


def book_jobs(book_dir: Path, profile: str, results: Path | None = None) -> list[Job]:
    """Every notebook of ``book_dir``, with its expected cost, in the order they start.

    Parameters
    ----------
    book_dir : pathlib.Path
        The folder of the notebooks (``book/``).
    profile : str
        ``quick``, ``paper`` or ``test``.
    results : pathlib.Path, optional
        Folder of the chapters' results (default :func:`hopcore.config.results_root`).

    Returns
    -------
    list of Job
        See :func:`order`.
    """
    from .spec import registry

    results = config.results_root() if results is None else Path(results)
    chapters = {Path(ch.notebook).name: ch for ch in registry().values()}
    jobs = []
    for path in sorted(Path(book_dir).glob("*.ipynb")) + [p for p in sorted(Path(book_dir).glob("*.md")) if _is_md_notebook(p)]:
        ch = chapters.get(path.name)
        if ch is None:
            jobs.append(Job(path, 0.0, last=True))
            continue
        expected = 60.0 * (ch.minutes[1] if profile == "paper" else ch.minutes[0])
        seconds = measured_seconds(results / ch.name / "timing.json", profile)
        # a warm rebuild measures a replay of the result cache: never order a build by less than the
        # chapter's expected time with empty caches
        jobs.append(Job(path, expected if seconds is None else max(seconds, expected)))
    return order(jobs)


def order(jobs: list[Job]) -> list[Job]:
    """Chapters longest first (ties by name), then the notebooks that run last, by name.

    Parameters
    ----------
    jobs : list of Job
        The notebooks.

    Returns
    -------
    list of Job
        The start order.
    """
    first = sorted((j for j in jobs if not j.last), key=lambda j: (-j.cost, j.path.name))
    return first + sorted((j for j in jobs if j.last), key=lambda j: j.path.name)


def _is_md_notebook(path: Path) -> bool:
    from myst_nb.core.read import is_myst_markdown_notebook

    return is_myst_markdown_notebook(path.read_text(encoding="utf8"))


def read_source(path: Path):
    """A notebook of the book as myst-nb reads it: ``.ipynb``, or a MyST Markdown notebook (``.md``).

    Parameters
    ----------
    path : pathlib.Path
        The notebook.

    Returns
    -------
    nbformat.NotebookNode
        The notebook (version 4).
    """
    import nbformat

    path = Path(path)
    if path.suffix == ".md":
        from myst_nb.core.read import read_myst_markdown_notebook

        return read_myst_markdown_notebook(path.read_text(encoding="utf8"), add_source_map=True, path=str(path))
    return nbformat.read(path, as_version=4)


def _log(msg: str) -> None:
    print(f"[execute {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def execute_one(src: Path, dst: Path, timeout: int = TIMEOUT) -> None:
    """Execute the notebook ``src`` in its own folder with nbclient and write it to ``dst``.

    Parameters
    ----------
    src : pathlib.Path
        Source notebook.
    dst : pathlib.Path
        Where the executed notebook goes.
    timeout : int, optional
        Seconds allowed per cell.

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        When a cell raises (the message shows the cell and its traceback).
    """
    import nbformat
    from nbclient import NotebookClient

    source = read_source(src)
    for attempt in range(KERNEL_START_ATTEMPTS):
        nb = copy.deepcopy(source)
        try:
            NotebookClient(nb, timeout=timeout, allow_errors=False, record_timing=False,
                           resources={"metadata": {"path": str(Path(src).parent)}}).execute()
            break
        except RuntimeError as err:
            # two kernels started at the same moment can pick the same free port: the second dies
            # before any cell runs. Start it again (nothing has been executed yet).
            if "before replying to kernel_info" not in str(err) or attempt + 1 == KERNEL_START_ATTEMPTS:
                raise
            _log(f"kernel of {Path(src).name} died at start ({err}); starting it again")
            time.sleep(1.0 + attempt)
    # jupyter-cache hashes the code cells with all their metadata, and the kernelspec: keep the
    # source's, so that the stored notebook matches the source myst-nb reads (only outputs change)
    for cell, orig in zip(nb.cells, source.cells):
        cell.metadata = orig.metadata
    if "kernelspec" in source.metadata:
        nb.metadata["kernelspec"] = source.metadata["kernelspec"]
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_suffix(".part")
    nbformat.write(nb, tmp)
    os.replace(tmp, dst)


def _store(cache, src: Path, executed: Path, seconds: float) -> bool:
    """Store the executed notebook as the cache record of ``src``; whether ``src`` still matches it
    (False if its code cells were edited during the execution: Sphinx then executes the new version)."""
    import nbformat
    from jupyter_cache.base import CacheBundleIn

    nb = nbformat.read(executed, as_version=4)
    record = cache.cache_notebook_bundle(
        CacheBundleIn(nb, str(src.resolve()), data={"execution_seconds": seconds}),
        check_validity=False, overwrite=True,
    )
    try:
        return cache.match_cache_notebook(read_source(src)).pk == record.pk
    except KeyError:
        return False


def _forget(cache, src: Path) -> None:
    try:
        record = cache.match_cache_notebook(read_source(src))
    except KeyError:
        return
    cache.remove_cache_record(record.pk)


def run(jobs: list[Job], cache_path: Path, work: Path, n_jobs: int = 2, timeout: int = TIMEOUT) -> int:
    """Execute ``jobs`` in their order, ``n_jobs`` at a time, storing each in the jupyter-cache.

    The jobs marked ``last`` start once every other job has finished, and only if none failed.

    Parameters
    ----------
    jobs : list of Job
        The notebooks, in start order (:func:`order`).
    cache_path : pathlib.Path
        The jupyter-cache folder (myst-nb's: ``_build/.jupyter_cache``).
    work : pathlib.Path
        Folder for the executed notebooks (one ``.ipynb`` each).
    n_jobs : int, optional
        Notebooks executing at a time.
    timeout : int, optional
        Seconds allowed per cell.

    Returns
    -------
    int
        0 if every notebook ran, else 1.
    """
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    work = Path(work)
    queue = [j for j in jobs if not j.last]
    later = [j for j in jobs if j.last]
    running: dict[subprocess.Popen, tuple[Job, float, Path]] = {}
    failed: list[Path] = []
    t_all = time.perf_counter()
    try:
        _loop(cache, queue, later, running, failed, work, n_jobs, timeout)
    finally:
        for proc in running:  # only on an error of the scheduler itself
            proc.kill()
    if failed:
        skipped = ", ".join(j.path.name for j in later)
        _log(f"{len(failed)} notebook(s) failed: {', '.join(p.name for p in failed)}"
             + (f"; not run: {skipped}" if skipped else ""))
        return 1
    _log(f"all {len(jobs)} notebooks executed in {time.perf_counter() - t_all:.1f} s ({n_jobs} at a time)")
    return 0


def _loop(cache, queue, later, running, failed, work, n_jobs, timeout):
    while queue or running or (later and not failed):
        if not queue and not running:
            queue.extend(later)
            later.clear()
        while queue and len(running) < max(1, n_jobs):
            job = queue.pop(0)
            dst = work / (job.path.name if job.path.suffix == ".ipynb" else job.path.name + ".ipynb")
            dst.unlink(missing_ok=True)
            cmd = [sys.executable, "-m", "hopcore.book.execute", "--one", str(job.path), str(dst),
                   "--timeout", str(timeout)]
            _log(f"start {job.path.name}" + (f" (expected {job.cost:.0f} s)" if not job.last else ""))
            running[subprocess.Popen(cmd)] = (job, time.perf_counter(), dst)
            if queue and len(running) < max(1, n_jobs):
                time.sleep(1.0)  # kernels started a moment apart do not race for the same free ports
        time.sleep(0.2)
        for proc in [q for q in running if q.poll() is not None]:
            job, t0, dst = running.pop(proc)
            seconds = time.perf_counter() - t0
            if proc.returncode == 0 and dst.exists():
                if _store(cache, job.path, dst, seconds):
                    _log(f"end   {job.path.name} {seconds:.1f} s")
                else:
                    _log(f"end   {job.path.name} {seconds:.1f} s, but its code was edited meanwhile: "
                         "Sphinx will execute the new version")
            else:
                _forget(cache, job.path)
                failed.append(job.path)
                _log(f"FAILED {job.path.name} after {seconds:.1f} s (exit status {proc.returncode})")


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m hopcore.book.execute [--jobs N] [--book DIR] [--cache DIR]``.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 if every notebook ran, else 1.
    """
    ap = argparse.ArgumentParser(prog="python -m hopcore.book.execute", description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS") or 2), help="notebooks at a time")
    ap.add_argument("--book", default=None, help="folder of the notebooks (default <book root>/book)")
    ap.add_argument("--cache", default=None,
                    help="jupyter-cache folder (default <book root>/_build/.jupyter_cache); executed notebooks go "
                         "to .executed beside it")
    ap.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds per cell")
    ap.add_argument("--one", nargs=2, metavar=("SRC", "DST"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        execute_one(Path(args.one[0]), Path(args.one[1]), args.timeout)
        return 0
    root = config.book_root()
    book = Path(args.book) if args.book else root / "book"
    cache = Path(args.cache) if args.cache else root / "_build" / ".jupyter_cache"
    profile = config.default_profile() or "quick"
    jobs = book_jobs(book, profile)
    _log(f"profile {profile}, {args.jobs} at a time: " + ", ".join(j.path.stem for j in jobs))
    return run(jobs, cache, cache.parent / ".executed", args.jobs, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
