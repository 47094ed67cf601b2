"""The chapter notebooks' ``parameters`` cell, generated from the chapter's spec.

Each parameter is written once, in its :class:`hopcore.book.spec.Param` (value per profile, doc).
The cell tagged ``parameters`` is the text :func:`parameters_cell` makes from it: one line per knob,
``name = None  # doc (quick ..., paper ...)``. ``python -m hopcore.book.notebook`` rewrites the
cell of every notebook; a test checks that every committed cell equals the generated text.
"""

from __future__ import annotations

import sys

from . import spec as specs
from .widgets import _show

__all__ = ["parameters_cell", "sync"]


def _values(param, quick_default, paper_default) -> str:
    quick, paper = _show(quick_default, 4), _show(paper_default, 4)
    return f"quick {quick}" if quick == paper else f"quick {quick}, paper {paper}"


def parameters_cell(name: str) -> str:
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


def sync(names=None) -> list[str]:
    """Rewrite the parameters cell of the chapters' notebooks; returns the names that changed."""
    import nbformat

    changed = []
    for name in names or specs.registry():
        ch = specs.get(name)
        nb = nbformat.read(ch.notebook_path, as_version=4)
        cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        if len(cells) != 1:
            raise ValueError(f"{ch.notebook}: {len(cells)} cells tagged 'parameters' (want exactly 1)")
        text = parameters_cell(name)
        if cells[0].source != text:
            cells[0].source = text
            nbformat.write(nb, ch.notebook_path)
            changed.append(name)
    return changed


if __name__ == "__main__":  # pragma: no cover
    print("rewrote:", ", ".join(sync(sys.argv[1:] or None)) or "nothing")
