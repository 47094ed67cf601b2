"""Sphinx extension of the book: a parallel build (``sphinx-build -j 2``) and docstrings that read
as written in the API reference.

Docstrings of the science library write formulas in plain text (``E_z |a z + b|``, ``c^mu``,
``v_``): reStructuredText would read ``|...|`` as a substitution and ``word_`` as a link. Before
autodoc parses a docstring, :func:`_plain_formulas` escapes those two characters outside inline
literals, so the formulas appear as typed; nothing else of the docstring changes.

Parallel build:

Two extensions the book loads declare nothing about parallel builds, so Sphinx assumes the worst
and falls back to a serial build (and warns, which the strict build treats as an error):

- ``sphinx_multitoc_numbering``, loaded unconditionally by ``sphinx_external_toc``: it only
  renumbers sections across several toctrees after every page has been read, in the main process,
  and the book's toctrees are not numbered;
- ``sphinx-mathjax-offline``: it sets ``mathjax_path`` and copies MathJax into ``_static`` once the
  build has finished, in the main process.

Neither touches per-page state, so we record that they are safe, and the chapters' notebooks execute
two at a time. Any other undeclared extension keeps Sphinx's default (serial, with its warning).
"""

import re

SAFE_UNDECLARED = ("sphinx_multitoc_numbering", "sphinx-mathjax-offline")


def _declare_safe(app, config):
    for name in SAFE_UNDECLARED:
        ext = app.extensions.get(name)
        if ext is None:
            continue
        if ext.parallel_read_safe is None:
            ext.parallel_read_safe = True
        if ext.parallel_write_safe is None:
            ext.parallel_write_safe = True


_LITERAL = re.compile(r"(``.*?``|`[^`]*`_?)")
_LINK_END = re.compile(r"(?<=\w)_(?=[\s,.;:)\]]|$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _plain_formulas(app, what, name, obj, options, lines):
    # an indented block after a blank line is a displayed formula: show it as typed (literal block)
    for k in range(1, len(lines) - 1):
        before, blank, block = lines[k - 1], lines[k], lines[k + 1]
        if (not blank.strip() and before.strip() and block.strip() and _indent(block) > _indent(before)
                and not before.rstrip().endswith("::") and not before.lstrip().startswith(("..", ":"))):
            lines[k - 1] = before.rstrip() + " ::"
    for k, line in enumerate(lines):
        parts = _LITERAL.split(line)
        for j in range(0, len(parts), 2):  # even parts are outside inline literals and roles
            parts[j] = _LINK_END.sub(r"\_", parts[j].replace("|", r"\|"))
        lines[k] = "".join(parts)


def setup(app):
    """Register the extension: declare the safe extensions, escape the formulas of docstrings.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The Sphinx application.

    Returns
    -------
    dict
        Extension metadata (version, parallel read and write safe).
    """
    app.connect("config-inited", _declare_safe)
    app.connect("autodoc-process-docstring", _plain_formulas)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
