"""Running a chapter from the command line: validate every parameter, then execute the notebook.

:func:`build_parameters` validates with :func:`hopcore.book.spec.resolve` *before* anything runs
(papermill alone would inject an unknown name silently and the chapter would ignore it);
:func:`run_chapter` executes the chapter notebook with papermill, and the executed notebook, the
data behind every figure (``*.npz``) and ``summary.json`` land in the output folder.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Sequence

from . import spec as specs
from .widgets import _cache_folder, _plain, _show, format_minutes, parameter_table, parse_value

# ---------------------------------------------------------------------------------------------
# running a chapter


class UsageError(Exception):
    """A bad command line: printed without a traceback, exit status 2."""


def build_parameters(name: str, pairs: Sequence[Sequence[str]], profile: str | None = None,
                     output_dir: str | None = None) -> tuple[specs.Params, dict[str, Any]]:
    """Validate the command line for ``name``; return the resolved parameters and what to inject.

    Nothing has run when an error is raised. Values are parsed with
    :func:`hopcore.book.widgets.parse_value`; a given ``output_dir`` is made absolute.

    Parameters
    ----------
    name : str
        Name of the chapter.
    pairs : sequence of (str, str)
        ``-p NAME VALUE`` pairs.
    profile : str, optional
        The ``--profile`` option.
    output_dir : str, optional
        The ``--output-dir`` option.

    Returns
    -------
    params : hopcore.book.spec.Params
        The resolved parameters.
    inject : dict
        What papermill injects: the given values (plain Python), the resolved profile and the absolute
        output folder (so the kernel's working directory does not matter).

    Raises
    ------
    UsageError
        For an unknown chapter, an unknown parameter name (listing the valid ones), a value out of
        range or a parameter given twice.
    """
    try:
        chapter = specs.get(name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    given: dict[str, Any] = {}
    for key, text in pairs:
        if key in given:
            raise UsageError(f"parameter {key} is given twice")
        given[key] = parse_value(text)
    for key, value in (("profile", profile), ("output_dir", output_dir)):
        if value is None:
            continue
        if key in given and given[key] != value:
            raise UsageError(f"{key} is given both as an option and as -p {key}")
        given[key] = value
    if given.get("output_dir") is not None:
        given["output_dir"] = str(Path(str(given["output_dir"])).expanduser().resolve())
    try:
        params = specs.resolve(name, given)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    # inject what was given (the executed notebook shows what changed), plus the resolved profile
    # and an absolute output folder so the kernel's working directory does not matter
    inject = {k: _plain(v) for k, v in given.items() if k in chapter.all_params()}
    inject["profile"] = params["profile"]
    inject["output_dir"] = str(Path(params["output_dir"]).resolve())
    return params, inject


def run_chapter(name: str, pairs: Sequence[Sequence[str]] = (), profile: str | None = None,
                output_dir: str | None = None, kernel: str | None = None, log_output: bool = False,
                stream=None) -> dict[str, Any]:
    """Validate, execute the chapter notebook with papermill, and report where everything went.

    Without the notebook (installed package, no book checkout) or without papermill, the chapter
    module runs directly (:func:`run_module`). The report is printed to ``stream``.

    Parameters
    ----------
    name : str
        Name of the chapter.
    pairs : sequence of (str, str), optional
        ``-p NAME VALUE`` pairs.
    profile : str, optional
        Profile ("quick", "paper" or "test").
    output_dir : str, optional
        Output folder (default ``_build/results/<chapter>``).
    kernel : str, optional
        Jupyter kernel name (default: the notebook's).
    log_output : bool, optional
        Echo the notebook's output while it runs (default False).
    stream : file-like, optional
        Where the report is printed (default ``sys.stdout``).

    Returns
    -------
    dict
        ``status`` ("ok" or "failed"), ``chapter``, ``profile``, ``parameters``, ``notebook`` (executed
        notebook or None), ``output_dir``, ``summary`` (path or None), ``data`` (the ``.npz`` paths),
        ``seconds`` and, on failure, ``error``.

    Raises
    ------
    UsageError
        For an invalid command line (nothing has run).
    """
    stream = stream or sys.stdout
    params, inject = build_parameters(name, pairs, profile, output_dir)
    chapter = specs.get(name)
    out = Path(inject["output_dir"])
    out.mkdir(parents=True, exist_ok=True)
    executed = out / f"{name}.ipynb"
    minutes = chapter.minutes[1] if params["profile"] == "paper" else chapter.minutes[0]
    print(f"chapter     {name}: {chapter.title}", file=stream)
    print(f"profile     {params['profile']} (expected {format_minutes(minutes)})", file=stream)
    changed = {k: v for k, v in inject.items() if k not in ("profile", "output_dir")}
    if changed:
        print("parameters  " + ", ".join(f"{k}={_show(v)}" for k, v in changed.items()), file=stream)
    print(f"output      {out}", file=stream, flush=True)

    t0 = time.perf_counter()
    notebook = chapter.notebook_path
    status = "ok"
    error: BaseException | None = None
    reason = _module_mode_reason(notebook)
    if reason:
        print(f"notebook    {reason}: running the chapter module hopcore.chapters.{name} directly "
              f"(summary.json, figure data and figures as PNG; the page with its text is "
              f"{chapter.notebook} in the book's repository)", file=stream, flush=True)
        executed = None
        try:
            run_module(name, params)
        except Exception as exc:
            status, error = "failed", exc
    else:
        error = _execute_notebook(notebook, executed, inject, kernel, log_output, stream)
        status = "ok" if error is None else "failed"
    return _report(name, params, inject, out, executed, status, error, time.perf_counter() - t0, stream)


def _module_mode_reason(notebook: Path) -> str:
    """Why the chapter runs without its notebook ("" when the notebook can be executed)."""
    if not notebook.exists():
        return f"{notebook.name} not found (installed package, no book checkout)"
    try:
        import papermill  # noqa: F401
    except ImportError:
        return "papermill is not installed (pip install 'hopcore[book]')"
    return ""


def run_module(name: str, params: specs.Params) -> Path:
    """Run a chapter without its notebook.

    ``compute``, every ``figure_*`` saved as PNG, and the results written by
    :func:`hopcore.book.report.publish`.

    Parameters
    ----------
    name : str
        Name of the chapter.
    params : hopcore.book.spec.Params
        The resolved parameters.

    Returns
    -------
    pathlib.Path
        The path of summary.json.
    """
    import importlib

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .report import publish

    module = importlib.import_module(f"hopcore.chapters.{name}")
    result = module.compute(params)
    out = Path(params["output_dir"])
    for attr in sorted(a for a in dir(module) if a.startswith("figure_")):
        fig = getattr(module, attr)(result)
        fig.savefig(out / f"{attr[len('figure_'):]}.png")
        plt.close(fig)
    return publish(params, result, prefix=name, in_notebook=False).path


def _execute_notebook(notebook, executed, inject, kernel, log_output, stream) -> BaseException | None:
    import papermill as pm  # imported late: `list` and validation stay fast

    try:
        pm.execute_notebook(
            str(notebook),
            str(executed),
            parameters=inject,
            cwd=str(notebook.parent),
            kernel_name=kernel,
            progress_bar=stream.isatty() if hasattr(stream, "isatty") else False,
            log_output=log_output,
            request_save_on_cell_execute=True,
        )
    except Exception as exc:  # papermill re-raises the cell's error; the notebook shows it
        return exc
    return None


def _report(name, params, inject, out, executed, status, error, elapsed, stream) -> dict[str, Any]:
    summary = out / "summary.json"
    data = sorted(p for p in out.glob("*.npz"))
    report = {
        "status": status,
        "chapter": name,
        "profile": params["profile"],
        "parameters": dict(inject),
        "notebook": executed,
        "output_dir": out,
        "summary": summary if summary.exists() else None,
        "data": data,
        "seconds": elapsed,
    }
    if executed is not None:
        print(f"executed    {executed}", file=stream)
    print(f"summary     {summary if summary.exists() else '(not written)'}", file=stream)
    if data:
        print(f"data        {len(data)} file(s) in {out}: " + ", ".join(p.name for p in data), file=stream)
    else:
        print("data        (no .npz written)", file=stream)
    print(f"cache       {_cache_folder()}", file=stream)
    print(f"time        {elapsed:.1f} s", file=stream, flush=True)
    if error is not None:
        report["error"] = error
        print(f"FAILED: {type(error).__name__}: {str(error).strip().splitlines()[-1] if str(error).strip() else ''}",
              file=stream)
        if executed is not None:
            print(f"the executed notebook {executed} shows the failing cell", file=stream, flush=True)
        else:
            import traceback

            traceback.print_exception(error, file=stream)
    return report


def list_chapters(name: str | None = None, stream=None) -> None:
    """Print the chapters (or one) with their notebook, expected times, cache and parameter defaults.

    Parameters
    ----------
    name : str, optional
        Only this chapter (default all).
    stream : file-like, optional
        Where to print (default ``sys.stdout``).
    """
    stream = stream or sys.stdout
    names = [name] if name else list(specs.registry())
    if not names:
        print("no chapter is registered (hopcore/chapters/<name>.py defines SPEC)", file=stream)
        return
    for n in names:
        ch = specs.get(n)
        print(f"{n}: {ch.title}", file=stream)
        print(f"  notebook {ch.notebook}; expected {format_minutes(ch.minutes[0])} (quick), "
              f"{format_minutes(ch.minutes[1])} (paper)", file=stream)
        print(f"  cached: {ch.cached}", file=stream)
        print(f"  run: python -m hopcore run {n} [-p NAME VALUE]... [--profile paper] [--output-dir DIR]", file=stream)
        print("  parameters (quick and paper defaults):", file=stream)
        table = parameter_table(n)
        width = max(len(r[0]) for r in table.rows)
        for key, quick, paper, doc in table.rows:
            values = f"{quick}" if quick == paper else f"quick {quick} | paper {paper}"
            print(f"    {key.ljust(width)}  {values}" + (f"    # {doc}" if doc else ""), file=stream)
        print(file=stream)




def list_json(name: str | None = None) -> dict[str, Any]:
    """Every chapter's parameters as ``{chapter: {"parameters": {name: {"quick", "paper", "doc"}}}}``.

    What ``python -m hopcore list --json`` prints, so scripts can read the scale of each profile.

    Parameters
    ----------
    name : str, optional
        Only this chapter (default all).

    Returns
    -------
    dict
        Chapter -> ``title``, ``notebook`` and ``parameters`` (name -> quick, paper, doc).
    """
    names = [name] if name else list(specs.registry())
    out: dict[str, Any] = {}
    for n in names:
        ch = specs.get(n)
        quick, paper = ch.defaults("quick"), ch.defaults("paper")
        out[n] = {
            "title": ch.title,
            "notebook": ch.notebook,
            "parameters": {k: {"quick": _plain(quick[k]), "paper": _plain(paper[k]), "doc": p.doc}
                           for k, p in ch.all_params().items()},
        }
    return out
