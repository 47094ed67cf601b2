"""What the book's pages show that is generated from the registry: the build banner, the
"re-run this chapter" box, the chapter and parameter tables and the benchmark table.

Everything here renders (HTML in the book, Markdown or text elsewhere); nothing computes a result,
so editing this module never invalidates the result cache.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
from pathlib import Path
from typing import Any, Sequence

from .. import __version__, config
from ..io import plain
from . import spec as specs

# ---------------------------------------------------------------------------------------------
# formatting helpers


def format_minutes(minutes: float) -> str:
    """A wall time as the pages show it: ``0.4 -> 'about 25 s'``, ``3 -> 'about 3 min'``, ``150 -> 'about 2.5 h'``.

    Parameters
    ----------
    minutes : float
        The time in minutes.

    Returns
    -------
    str
        Seconds (multiples of 5, at least 5) below 90 s, minutes below 90 min, else hours.
    """
    seconds = float(minutes) * 60.0
    if seconds < 90:
        return f"about {max(5, int(round(seconds / 5.0)) * 5)} s"
    if minutes < 90:
        return f"about {minutes:.0f} min"
    return f"about {minutes / 60.0:.1f} h"


def _plain(value: Any) -> Any:
    """numpy scalars and tuples to plain Python (what a reader would type)."""
    return plain(value, nan=float("nan"))


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
    text = _show(_plain(value))
    if any(ch in text for ch in " []{}(),'\"*?$;&|<>"):
        text = "'" + text.replace("'", "'\"'\"'") + "'"
    return text


_display_path = specs.display_path


def _cache_folder() -> str:
    folder = config.cache_dir()
    return "(disabled: HOPCORE_CACHE=off)" if folder is None else _display_path(folder)


def _results_folder(name: str) -> str:
    return _display_path(specs.results_root() / name)


# ---------------------------------------------------------------------------------------------
# the re-run box shown on every chapter page


class RerunBox:
    """What :func:`rerun_box` returns: shown as HTML in the book, Markdown or text elsewhere.

    The commands run the chapter in the quick and paper profiles and, when a parameter has a
    different (non-list) paper value, with that one parameter changed; the box also gives the expected
    times, the results folder and the cache folder.

    Parameters
    ----------
    chapter : hopcore.book.spec.Chapter
        The chapter.
    """

    def __init__(self, chapter: specs.Chapter):
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

    Parameters
    ----------
    name : str
        Name of the chapter.

    Returns
    -------
    RerunBox
        The box.
    """
    return RerunBox(specs.get(name))


# ---------------------------------------------------------------------------------------------
# tables rendered in the book


class HTMLTable:
    """A small table with an HTML view for the book and a plain-text view for terminals.

    Parameters
    ----------
    header : sequence of str
        Column titles.
    rows : sequence of sequence
        The cells (stored as strings; None as an empty cell).
    numeric : sequence of bool, optional
        Which columns are right-aligned numbers (default none).
    caption : str, optional
        Caption (stored).
    note : str, optional
        A line shown above the table.
    """

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
    """Every registered chapter with its expected time in both profiles.

    Returns
    -------
    HTMLTable
        Columns chapter, title, quick, paper, parameters (a note when no chapter is registered).
    """
    rows = []
    for name, ch in specs.registry().items():
        rows.append([name, ch.title, format_minutes(ch.minutes[0]), format_minutes(ch.minutes[1]), len(ch.params)])
    note = "" if rows else "No chapter is registered in hopcore.chapters yet."
    return HTMLTable(["chapter", "title", "quick", "paper", "parameters"], rows, note=note)


def parameter_table(name: str, max_items: int | None = 6) -> HTMLTable:
    """Every parameter of a chapter with its quick and paper value (long lists shortened).

    Parameters
    ----------
    name : str
        Name of the chapter.
    max_items : int or None, optional
        Lists longer than this are shortened (default 6; None: never).

    Returns
    -------
    HTMLTable
        Columns parameter, quick, paper, meaning.
    """
    ch = specs.get(name)
    rows = []
    for key, param in ch.all_params().items():
        paper = param.paper if param.paper is not None else param.quick
        rows.append([key, _show(param.quick, max_items), _show(paper, max_items), param.doc])
    return HTMLTable(["parameter", "quick", "paper", "meaning"], rows)


def _num(value, suffix: str = "") -> str:
    """A table cell: three significant digits, or a dash where nothing was measured."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return "—"
    return f"{value:.3g}{suffix}"


def _is_target_entry(e: dict) -> bool:
    """Measured against a target wall time only (no baseline run): the ``book_*`` entries."""
    return "target_s" in e and "baseline_s" not in e


def _verdict(e: dict) -> str:
    """The speedup over the baseline or, for a target entry, "within target" / "over target"."""
    if _is_target_entry(e):
        t, h = e.get("target_s"), e.get("hopcore_s")
        if not isinstance(h, (int, float)) or h != h:
            return "—"
        return "within target" if h <= t else "over target"
    value = e.get("speedup")
    if value is None:
        try:
            value = float(e["baseline_s"]) / float(e["hopcore_s"])
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            value = None
    return _num(value, "x")


def _fmt_params(params: Any) -> str:
    if isinstance(params, dict):
        return ", ".join(f"{k}={_show(v)}" for k, v in params.items())
    return "" if params is None else str(params)


def _fmt_same(entry: dict) -> str:
    """"yes" when every ``same_*`` check of the entry passed (hopcore gave the baseline's result)."""
    flags = [v for k, v in entry.items() if k.startswith("same") and isinstance(v, bool)]
    if not flags:
        return "—"
    return "yes" if all(flags) else "NO"


BENCHMARK_HEADER = ["benchmark", "parameters", "baseline", "baseline or target (s)", "hopcore (s)", "speedup",
                    "same result"]


def benchmark_rows(data: dict) -> list[list[str]]:
    """One row per entry of ``benchmarks/results.json``.

    The rows of both the README table (``benchmarks/run.py``) and the book's table
    (:func:`benchmark_table`).

    Parameters
    ----------
    data : dict
        The parsed results file (``entries`` as a dict or a list of dicts).

    Returns
    -------
    list of list of str
        One row per entry, sorted by key, in the columns of ``BENCHMARK_HEADER``.
    """
    entries = data.get("entries", {}) if isinstance(data, dict) else {}
    if isinstance(entries, list):
        entries = {str(e.get("name", i)): e for i, e in enumerate(entries) if isinstance(e, dict)}
    rows = []
    for key, e in sorted(entries.items()):
        if not isinstance(e, dict):
            continue
        ref = _num(e.get("target_s")) + " (target)" if _is_target_entry(e) else _num(e.get("baseline_s"))
        rows.append([str(e.get("name", key)), _fmt_params(e.get("params")), str(e.get("baseline", "")), ref,
                     _num(e.get("hopcore_s")), _verdict(e), _fmt_same(e)])
    return rows


def machine_note(data: dict) -> str:
    """The line naming the machine the benchmarks were measured on ("" if the file does not say).

    Parameters
    ----------
    data : dict
        The parsed results file.

    Returns
    -------
    str
        The note.
    """
    m = data.get("machine", {}) if isinstance(data, dict) else {}
    if not isinstance(m, dict) or not m:
        return ""
    return f"Measured on {m.get('cores')} cores ({m.get('processor')}, Python {m.get('python')}) by `make bench`."


def benchmark_markdown(data: dict) -> str:
    """The benchmark table as Markdown (the README's copy).

    Parameters
    ----------
    data : dict
        The parsed results file.

    Returns
    -------
    str
        The table, followed by the machine note if there is one.
    """
    out = ["| " + " | ".join(BENCHMARK_HEADER) + " |", "|---|---|---|---:|---:|---:|---|"]
    out += ["| " + " | ".join(row) + " |" for row in benchmark_rows(data)]
    note = machine_note(data)
    return "\n".join(out + ([("" ), note] if note else []))


def benchmark_table(path: str | os.PathLike | None = None) -> HTMLTable:
    """The benchmark table of ``benchmarks/results.json``; missing files or fields show as a dash.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The results file (default ``benchmarks/results.json`` under the book root).

    Returns
    -------
    HTMLTable
        The table (empty, with a note, when the file is missing, unreadable or has no entries).
    """
    path = Path(path) if path is not None else config.book_root() / "benchmarks" / "results.json"
    numeric = [False, False, False, True, True, True, False]
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return HTMLTable(BENCHMARK_HEADER, [], numeric, note=f"No benchmark results yet: run `python benchmarks/run.py` "
                                                             f"to write {_display_path(path)}.")
    except (OSError, ValueError) as exc:
        return HTMLTable(BENCHMARK_HEADER, [], numeric, note=f"{_display_path(path)} could not be read ({exc}).")
    rows = benchmark_rows(data)
    note = machine_note(data)
    if not rows:
        note = (note + " " if note else "") + "The results file holds no benchmark entries."
    return HTMLTable(BENCHMARK_HEADER, rows, numeric, note=note)


def parse_value(text: str) -> Any:
    """Turn ``-p NAME VALUE`` text into a Python value, like papermill's ``-p``.

    Python literals (``2000``, ``0.05``, ``1e-3``, ``[1, 3, 5]``, ``True``, ``None``) become
    numbers, lists, booleans or None; ``true``/``false``/``null``/``none`` in any case too;
    anything else stays a string (``paper``, ``sparse``). Tuples become lists and sets sorted lists,
    because that is what a notebook parameter cell can hold after papermill injects it.

    Parameters
    ----------
    text : str
        The value as typed.

    Returns
    -------
    object
        The value.
    """
    import ast

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
    return plain(value, nan=float("nan"))


# ---------------------------------------------------------------------------------------------
# the build banner and header of every chapter page


class Banner:
    """One line at the top of a chapter page: which build this is, at which sizes, and how to get the other one.

    Shows the profile, the chapter's ``headline`` parameters, the hopcore version and the build date,
    with a warning for a smoke (non-paper) build.

    Parameters
    ----------
    params : hopcore.book.spec.Params
        The resolved parameters.
    chapter : hopcore.book.spec.Chapter
        The chapter.
    date : str, optional
        Build date (default today, ISO format).
    """

    def __init__(self, params: specs.Params, chapter: specs.Chapter, date: str | None = None):
        self.profile = params["profile"]
        self.sizes = [(k, _show(params[k], 4)) for k in chapter.headline if k in params]
        self.date = date or _dt.date.today().isoformat()
        self.version = __version__
        other = "quick" if self.profile == "paper" else "paper"
        self.other = f"python -m hopcore run {chapter.name} --profile {other}"
        self.other_profile = other

    KINDS = {"paper": "Paper build", "quick": "Quick build", "test": "Test build"}
    SMOKE = "This is a smoke build at reduced sizes: its figures and numbers are not the paper's."

    def _render(self, bold, code, esc=lambda t: t) -> str:
        """The banner with ``bold(text)`` / ``code(text)`` markup and ``esc`` applied to values."""
        sizes = ", ".join(f"{esc(k)} = {esc(v)}" for k, v in self.sizes)
        warn = "" if self.profile == "paper" else " " + bold(self.SMOKE)
        return (f"{bold(self.KINDS[self.profile])} ({esc(self.profile)} profile{': ' + sizes if sizes else ''}) · "
                f"hopcore {esc(self.version)} · built {esc(self.date)}.{warn} "
                f"The {self.other_profile} build: {code(esc(self.other))}")

    def text(self) -> str:
        """The banner as plain text.

        Returns
        -------
        str
            The banner line.
        """
        return self._render(lambda t: t, lambda t: t)

    def _repr_markdown_(self) -> str:
        return self._render(lambda t: f"**{t}**", lambda t: f"`{t}`") + "\n"

    def _repr_html_(self) -> str:
        body = self._render(lambda t: f"<strong>{t}</strong>", lambda t: f"<code>{t}</code>", html.escape)
        return f'<div class="hopcore-banner hopcore-banner-{html.escape(self.profile)}">{body}</div>'

    def __repr__(self) -> str:
        return self.text()


def banner(params: specs.Params) -> Banner:
    """The build banner of the chapter the parameters belong to.

    Parameters
    ----------
    params : hopcore.book.spec.Params
        The resolved parameters (``params.chapter`` names the chapter).

    Returns
    -------
    Banner
        The banner.
    """
    return Banner(params, specs.get(params.chapter))


def page_header(params: specs.Params):
    """Glue the build banner of the chapter and display its re-run box (the cell after ``prepare``).

    The banner is glued as ``<chapter>_banner``, not displayed: the title cell shows it, once, at the
    top of the page with the ``glue:md`` role.

    Parameters
    ----------
    params : hopcore.book.spec.Params
        The resolved parameters.
    """
    from IPython.display import Markdown, display
    from myst_nb import glue

    chapter = specs.get(params.chapter)
    banner = Banner(params, chapter)
    # the page opens with it: the title cell shows {glue:md}`<chapter>_banner`
    glue(f"{chapter.name}_banner", Markdown(banner._repr_markdown_()), display=False)
    display(RerunBox(chapter))
