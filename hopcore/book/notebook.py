"""The chapter notebooks' ``parameters`` cell, generated from the chapter's spec.

Each parameter is written once, in its :class:`hopcore.book.spec.Param` (value per profile, doc).
The cell tagged ``parameters`` is the text :func:`parameters_cell` makes from it: one line per knob,
``name = None  # doc (quick ..., paper ...)``, tagged ``parameters`` (papermill) and ``hide-input`` (collapsed
on the page like the other orchestration cells: the re-run box says how to change a value).
``python -m hopcore.book.notebook [CHAPTER...]`` rewrites the cell and its tags; ``--check`` lists what is out of date (pre-commit); a test checks that every
committed cell equals the generated text.
"""

from __future__ import annotations

import sys

from . import spec as specs
from .widgets import _show

__all__ = ["colab_cell", "parameters_cell", "sync"]

COLAB_TAG = "colab-install"  # metadata tag of the install cell (the first code cell; removed from the page)
PARAMETERS_TAGS = ("parameters", "hide-input")  # papermill's tag; collapsed on the page


def colab_cell() -> str:
    """The first code cell of every chapter: installs hopcore from the book's repository when missing.

    For a notebook opened on Colab or from a download; it does nothing where hopcore is installed.

    Returns
    -------
    str
        The source of the cell (the URL from :func:`hopcore.book.repository.get`).
    """
    from .repository import get

    url = get()
    return (
        "# Opened outside the book's environment (Colab, a downloaded notebook)? Install hopcore first.\n"
        "import importlib.util, subprocess, sys\n"
        "if importlib.util.find_spec(\"hopcore\") is None:\n"
        f"    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"-q\", \"hopcore[book] @ git+{url}\"], check=True)"
    )


def _values(param, quick_default, paper_default) -> str:
    quick, paper = _show(quick_default, 4), _show(paper_default, 4)
    return f"quick {quick}" if quick == paper else f"quick {quick}, paper {paper}"


def parameters_cell(name: str) -> str:
    """The text of a chapter's ``parameters`` cell: one line ``name = None  # doc (quick ..., paper ...)`` per knob.

    Parameters
    ----------
    name : str
        Name of the chapter.

    Returns
    -------
    str
        The source of the cell.
    """
    ch = specs.get(name)
    params = ch.all_params()
    quick, paper = ch.defaults("quick"), ch.defaults("paper")
    width = max(len(k) for k in params) + len(" = None")
    lines = []
    for key, param in params.items():
        if key in specs.COMMON:
            doc = param.doc
        else:
            doc = f"{param.doc} ({_values(param, quick[key], paper[key])})" if param.doc else _values(
                param, quick[key], paper[key])
        lines.append(f"{(key + ' = None').ljust(width)}  # {doc}")
    return "\n".join(lines)


def _bring_up_to_date(nb, name: str) -> list[str]:
    """Put the generated cells of chapter ``name`` into ``nb`` (in memory); returns what was out of date."""
    import nbformat

    stale = []
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{specs.get(name).notebook}: {len(cells)} cells tagged 'parameters' (want exactly 1)")
    if cells[0].source != parameters_cell(name):
        cells[0].source = parameters_cell(name)
        stale.append("parameters cell differs from the spec")
    tags = list(cells[0].metadata.get("tags", []))
    missing = [t for t in PARAMETERS_TAGS if t not in tags]
    if missing:
        cells[0].metadata["tags"] = tags + missing
        stale.append(f"parameters cell is not tagged {', '.join(missing)} (collapsed on the page)")
    install = colab_cell()
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code and COLAB_TAG in code[0].metadata.get("tags", []):
        if code[0].source != install:
            code[0].source = install
            stale.append("install cell differs from the repository URL of _config.yml")
    else:
        first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        nb.cells.insert(first_code, nbformat.v4.new_code_cell(install, metadata={"tags": [COLAB_TAG, "remove-cell"]}))
        stale.append("the first code cell is not the install cell")
    return stale


def check(names=None) -> list[str]:
    """What is out of date (generated cells that differ, outputs committed), one line per problem.

    Parameters
    ----------
    names : iterable of str, optional
        Chapters (default all).

    Returns
    -------
    list of str
        The problems (empty when every notebook is in sync).
    """
    import nbformat

    problems = []
    for name in names or specs.registry():
        ch = specs.get(name)
        nb = nbformat.read(ch.notebook_path, as_version=4)
        problems += [f"{ch.notebook}: {what} (python -m hopcore.book.notebook)" for what in _bring_up_to_date(nb, name)]
        if any(c.get("outputs") for c in nb.cells if c.cell_type == "code"):
            problems.append(f"{ch.notebook}: committed with outputs")
    return problems


def sync(names=None) -> list[str]:
    """Rewrite the generated cells (install cell, parameters cell) of the chapters' notebooks.

    Parameters
    ----------
    names : iterable of str, optional
        Chapters (default all).

    Returns
    -------
    list of str
        The names of the notebooks that changed.
    """
    import nbformat

    changed = []
    for name in names or specs.registry():
        ch = specs.get(name)
        nb = nbformat.read(ch.notebook_path, as_version=4)
        if _bring_up_to_date(nb, name):
            nbformat.write(nb, ch.notebook_path)
            changed.append(name)
    return changed


if __name__ == "__main__":  # pragma: no cover
    args = sys.argv[1:]
    if args[:1] == ["--check"]:
        found = check(args[1:] or None)
        print("\n".join(found) or "every notebook is in sync with its spec")
        sys.exit(1 if found else 0)
    print("rewrote:", ", ".join(sync(args or None)) or "nothing")
