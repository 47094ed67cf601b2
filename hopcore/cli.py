"""Command line: list the chapters and re-run one with new parameters.

    python -m hopcore list [CHAPTER]
    python -m hopcore run CHAPTER [-p NAME VALUE]... [--profile quick|paper] [--output-dir DIR]

``run`` validates every parameter with :func:`hopcore.chapters.resolve` *before* the notebook
starts (papermill alone would inject an unknown name silently and the chapter would ignore it),
then executes the chapter notebook with papermill. The executed notebook, the data behind every
figure (``*.npz``) and ``summary.json`` all land in the output folder, which is printed.

The same registry renders the "re-run this chapter" box shown on each chapter page
(:func:`rerun_box`), the chapter table of the book (:func:`chapter_table`) and the benchmark
table (:func:`benchmark_table`), so the commands and timings printed in the book cannot drift
from what the code accepts.
"""

from __future__ import annotations

import argparse
import ast
import html
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from . import chapters as C

# ---------------------------------------------------------------------------------------------
# parameter values given on the command line


def parse_value(text: str) -> Any:
    """Turn ``-p NAME VALUE`` text into a Python value, like papermill's ``-p``.

    Python literals (``2000``, ``0.05``, ``1e-3``, ``[1, 3, 5]``, ``True``, ``None``) become
    numbers, lists, booleans or None; ``true``/``false``/``null``/``none`` in any case too;
    anything else stays a string (``paper``, ``sparse``). Tuples become lists because that is
    what a notebook parameter cell can hold after papermill injects it.
    """
    stripped = text.strip()
    low = stripped.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    try:
        value = ast.literal_eval(stripped)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text
    return _listify(value)


def _listify(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_listify(v) for v in value]
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, set):  # a set literal is almost surely a typo for a list
        return sorted(value)
    return value


def _injectable(value: Any) -> Any:
    """Validators may normalize to tuples or numpy scalars; papermill injects plain literals."""
    return _plain(value)


# ---------------------------------------------------------------------------------------------
# formatting helpers


def format_minutes(minutes: float) -> str:
    """``0.4 -> 'about 25 s'``, ``3 -> 'about 3 min'``, ``150 -> 'about 2.5 h'``."""
    seconds = float(minutes) * 60.0
    if seconds < 90:
        return f"about {max(5, int(round(seconds / 5.0)) * 5)} s"
    if minutes < 90:
        return f"about {minutes:.0f} min"
    return f"about {minutes / 60.0:.1f} h"


def _plain(value: Any) -> Any:
    """numpy scalars and tuples to plain Python (what a reader would type)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return _plain(value.tolist())
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (TypeError, ValueError):
            return value
    return value


def _show(value: Any, max_items: int | None = None) -> str:
    """A parameter value as a reader would type it; long lists shortened when ``max_items`` is set."""
    value = _plain(value)
    if value is None:
        return "None"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        items = [_show(v) for v in value]
        if max_items is not None and len(items) > max_items:
            head = max(1, max_items - 2)
            return f"[{', '.join(items[:head])}, ..., {items[-1]}] ({len(items)} values)"
        return "[" + ", ".join(items) + "]"
    return repr(value)


def _cli_value(value: Any) -> str:
    """A value written so that :func:`parse_value` reads it back (quoted for the shell)."""
    text = _show(_injectable(value))
    if any(ch in text for ch in " []{}(),'\"*?$;&|<>"):
        text = "'" + text.replace("'", "'\"'\"'") + "'"
    return text


def _display_path(path: Path) -> str:
    """Paths inside the repository are printed relative to it (what a reader types)."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(C.REPO_ROOT))
    except ValueError:
        return str(path)


def _cache_folder() -> str:
    env = os.environ.get("HOPCORE_CACHE")
    if env is not None and env.lower() in ("off", "none", "0", ""):
        return "(disabled: HOPCORE_CACHE=off)"
    return _display_path(Path(env)) if env else "_build/cache"


def _results_folder(name: str) -> str:
    return _display_path(C.results_root() / name)


# ---------------------------------------------------------------------------------------------
# the re-run box shown on every chapter page


class RerunBox:
    """What :func:`rerun_box` returns: shown as HTML in the book, Markdown or text elsewhere."""

    def __init__(self, chapter: C.Chapter):
        self.chapter = chapter
        name = chapter.name
        # the example changes a parameter to its paper value: a realistic first experiment
        example = next(((k, p.paper) for k, p in chapter.params.items()
                        if p.paper is not None and _show(p.paper) != _show(p.quick) and not isinstance(_plain(p.paper), list)),
                       None)
        self.commands = [
            ("quick profile", f"python -m hopcore run {name}", chapter.minutes[0]),
            ("paper profile", f"python -m hopcore run {name} --profile paper", chapter.minutes[1]),
        ]
        if example is not None:
            key, value = example
            self.commands.append(
                ("one parameter changed", f"python -m hopcore run {name} -p {key} {_cli_value(value)}", None)
            )
        self.list_command = f"python -m hopcore list {name}"
        self.results = _results_folder(name)
        self.cache = _cache_folder()

    def _lines(self) -> list[tuple[str, str]]:
        ch = self.chapter
        return [
            ("Expected time", f"{format_minutes(ch.minutes[0])} (quick profile), "
                              f"{format_minutes(ch.minutes[1])} (paper profile), on 2 cores after the first compilation"),
            ("Results", f"executed notebook, figure data (*.npz) and summary.json in {self.results}/ "
                        f"(change with --output-dir)"),
            ("Cached", f"{ch.cached} (cache folder {self.cache}, set by HOPCORE_CACHE; "
                       f"a re-run reuses every point already computed)"),
        ]

    INTRO = ("From the repository root, in the environment of <code>make book</code> "
             "(<code>source .venv/bin/activate</code>):")

    def _command_lines(self) -> list[str]:
        rows = [(cmd, label) for label, cmd, _ in self.commands]
        rows.append((self.list_command, "every parameter, quick and paper values"))
        width = max(len(cmd) for cmd, _ in rows)
        return [f"{cmd.ljust(width)}  # {label}" for cmd, label in rows]

    def _repr_markdown_(self) -> str:
        intro = self.INTRO.replace("<code>", "`").replace("</code>", "`")
        out = ["**Re-run this chapter**", "", intro, "", "```bash", *self._command_lines(), "```", ""]
        for key, text in self._lines():
            out.append(f"- *{key}*: {text}")
        return "\n".join(out) + "\n"

    def _repr_html_(self) -> str:
        e = html.escape
        cmds = "\n".join(self._command_lines())
        rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in self._lines())
        return (
            '<div class="admonition tip hopcore-rerun">'
            '<p class="admonition-title">Re-run this chapter</p>'
            f"<p>{self.INTRO}</p>"
            f'<div class="highlight-bash notranslate"><div class="highlight"><pre>{e(cmds)}</pre></div></div>'
            f"<table>{rows}</table>"
            "</div>"
        )

    def __repr__(self) -> str:
        return self._repr_markdown_()


def rerun_box(name: str) -> RerunBox:
    """The "re-run this chapter" box for a chapter page, generated from the registry.

    In a notebook, the last line of a cell: ``rerun_box("classical_snr")``.
    """
    return RerunBox(C.get(name))


# ---------------------------------------------------------------------------------------------
# tables rendered in the book


class HTMLTable:
    """A small table with an HTML view for the book and a plain-text view for terminals."""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[bool] = (),
                 caption: str = "", note: str = ""):
        self.header = list(header)
        self.rows = [[("" if v is None else str(v)) for v in row] for row in rows]
        self.numeric = list(numeric) + [False] * (len(self.header) - len(numeric))
        self.caption = caption
        self.note = note

    def _repr_html_(self) -> str:
        e = html.escape
        head = "".join(f"<th>{e(h)}</th>" for h in self.header)
        body = "".join(
            "<tr>" + "".join(
                f'<td class="num">{e(v)}</td>' if num else f"<td>{e(v)}</td>" for v, num in zip(row, self.numeric)
            ) + "</tr>"
            for row in self.rows
        )
        note = f"<p>{e(self.note)}</p>" if self.note else ""
        return f'{note}<table class="hopcore-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def __repr__(self) -> str:
        widths = [max([len(h)] + [len(r[i]) for r in self.rows]) for i, h in enumerate(self.header)]
        line = "  ".join(h.ljust(w) for h, w in zip(self.header, widths))
        out = ([self.note, ""] if self.note else []) + [line, "  ".join("-" * w for w in widths)]
        out += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in self.rows]
        return "\n".join(out)


def chapter_table() -> HTMLTable:
    """Every registered chapter with its expected time in both profiles."""
    rows = []
    for name, ch in C.registry().items():
        rows.append([name, ch.title, format_minutes(ch.minutes[0]), format_minutes(ch.minutes[1]), len(ch.params)])
    note = "" if rows else "No chapter is registered in hopcore.chapters yet."
    return HTMLTable(["chapter", "title", "quick", "paper", "parameters"], rows, note=note)


def parameter_table(name: str, max_items: int | None = 6) -> HTMLTable:
    """Every parameter of a chapter with its quick and paper value (long lists shortened)."""
    ch = C.get(name)
    rows = []
    for key, param in ch.all_params().items():
        paper = param.paper if param.paper is not None else param.quick
        rows.append([key, _show(param.quick, max_items), _show(paper, max_items), param.doc])
    return HTMLTable(["parameter", "quick", "paper", "meaning"], rows)


def _fmt_seconds(value: Any) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "n/a"
    if v != v:  # NaN
        return "n/a"
    if v >= 1:
        return f"{v:.2f} s"
    if v >= 1e-3:
        return f"{v * 1e3:.1f} ms"
    return f"{v * 1e6:.0f} us"


def _fmt_speedup(entry: dict) -> str:
    value = entry.get("speedup")
    if value is None:
        try:
            value = float(entry["baseline_s"]) / float(entry["hopcore_s"])
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            return "n/a"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "n/a"
    return "n/a" if v != v else f"{v:.1f}x"


def _fmt_params(params: Any) -> str:
    if isinstance(params, dict):
        return ", ".join(f"{k}={_show(v)}" for k, v in params.items())
    return "" if params is None else str(params)


def _fmt_same(entry: dict) -> str:
    flags = [v for k, v in entry.items() if k.startswith("same") and isinstance(v, bool)]
    if not flags:
        return "n/a"
    return "yes" if all(flags) else "NO"


def benchmark_table(path: str | os.PathLike | None = None) -> HTMLTable:
    """The benchmark table of ``benchmarks/results.json``; missing files or fields show as n/a."""
    path = Path(path) if path is not None else C.REPO_ROOT / "benchmarks" / "results.json"
    header = ["benchmark", "parameters", "baseline", "baseline time", "hopcore time", "speedup", "same result"]
    numeric = [False, False, False, True, True, True, False]
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return HTMLTable(header, [], numeric, note=f"No benchmark results yet: run `python benchmarks/run.py` "
                                                    f"to write {_display_path(path)}.")
    except (OSError, ValueError) as exc:
        return HTMLTable(header, [], numeric, note=f"{_display_path(path)} could not be read ({exc}).")
    entries = data.get("entries", {}) if isinstance(data, dict) else {}
    if isinstance(entries, list):
        entries = {str(e.get("name", i)): e for i, e in enumerate(entries) if isinstance(e, dict)}
    rows = []
    for key, entry in sorted(entries.items()):
        if not isinstance(entry, dict):
            continue
        rows.append([
            entry.get("name", key),
            _fmt_params(entry.get("params")),
            entry.get("baseline", "n/a"),
            _fmt_seconds(entry.get("baseline_s")),
            _fmt_seconds(entry.get("hopcore_s")),
            _fmt_speedup(entry),
            _fmt_same(entry),
        ])
    machine = data.get("machine", {}) if isinstance(data, dict) else {}
    note = ""
    if isinstance(machine, dict) and machine:
        note = "Measured on: " + ", ".join(f"{k} {v}" for k, v in machine.items()) + "."
    if not rows:
        note = (note + " " if note else "") + "The results file holds no benchmark entries."
    return HTMLTable(header, rows, numeric, note=note)


# ---------------------------------------------------------------------------------------------
# running a chapter


class UsageError(Exception):
    """A bad command line: printed without a traceback, exit status 2."""


def build_parameters(name: str, pairs: Sequence[Sequence[str]], profile: str | None = None,
                     output_dir: str | None = None) -> tuple[C.Params, dict[str, Any]]:
    """Validate the command line for ``name``; return the resolved parameters and what to inject.

    Raises :class:`UsageError` for an unknown chapter, an unknown parameter name (listing the
    valid ones), a value out of range or a parameter given twice; nothing has run by then.
    """
    try:
        chapter = C.get(name)
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
        params = C.resolve(name, given)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    # inject what was given (the executed notebook shows what changed), plus the resolved profile
    # and an absolute output folder so the kernel's working directory does not matter
    inject = {k: _injectable(v) for k, v in given.items() if k in chapter.all_params()}
    inject["profile"] = params["profile"]
    inject["output_dir"] = str(Path(params["output_dir"]).resolve())
    return params, inject


def run_chapter(name: str, pairs: Sequence[Sequence[str]] = (), profile: str | None = None,
                output_dir: str | None = None, kernel: str | None = None, log_output: bool = False,
                stream=None) -> dict[str, Any]:
    """Validate, execute the chapter notebook with papermill, and report where everything went."""
    stream = stream or sys.stdout
    params, inject = build_parameters(name, pairs, profile, output_dir)
    chapter = C.get(name)
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

    import papermill as pm  # imported late: `list` and validation stay fast

    t0 = time.perf_counter()
    notebook = chapter.notebook_path
    status = "ok"
    error: BaseException | None = None
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
        status = "failed"
        error = exc
    elapsed = time.perf_counter() - t0
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
        print(f"the executed notebook {executed} shows the failing cell", file=stream, flush=True)
    return report


def list_chapters(name: str | None = None, stream=None) -> None:
    stream = stream or sys.stdout
    names = [name] if name else list(C.registry())
    if not names:
        print("no chapter is registered (hopcore/chapters/<name>.py defines SPEC)", file=stream)
        return
    for n in names:
        ch = C.get(n)
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


# ---------------------------------------------------------------------------------------------
# entry point


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hopcore",
        description="List the chapters of the book, or re-run one with new parameters.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_list = sub.add_parser("list", help="chapters and their parameters with quick/paper defaults")
    p_list.add_argument("chapter", nargs="?", help="show only this chapter")
    p_run = sub.add_parser(
        "run",
        help="execute one chapter with papermill",
        description="Execute one chapter notebook. Every parameter is validated before anything runs.",
    )
    p_run.add_argument("chapter")
    p_run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                       help="set a parameter (Python literal: 2000, 0.05, [1, 3, 5], True; else a string)")
    p_run.add_argument("--profile", choices=C.PROFILES, default=None,
                       help="default values: quick (default, or $HOPCORE_PROFILE) or paper")
    p_run.add_argument("--output-dir", default=None,
                       help="where the executed notebook, data and summary.json go "
                            "(default: _build/results/<chapter>)")
    p_run.add_argument("--kernel", default=None, help="Jupyter kernel name (default: the notebook's)")
    p_run.add_argument("--log-output", action="store_true", help="echo the notebook's output while it runs")
    p_run.add_argument("--check", action="store_true", help="validate the parameters and stop")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            list_chapters(args.chapter)
            return 0
        if args.check:
            params, inject = build_parameters(args.chapter, args.parameter, args.profile, args.output_dir)
            print(f"{args.chapter}: parameters are valid (profile {params['profile']}, "
                  f"output {inject['output_dir']})")
            return 0
        report = run_chapter(args.chapter, args.parameter, args.profile, args.output_dir,
                             kernel=args.kernel, log_output=args.log_output)
        return 0 if report["status"] == "ok" else 1
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # e.g. `list` with an unknown chapter
        print(f"error: {exc}", file=sys.stderr)
        return 2
