"""Sphinx extension of the book: let Sphinx read and write the pages in parallel (``sphinx-build -j 2``).

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


def setup(app):
    app.connect("config-inited", _declare_safe)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
