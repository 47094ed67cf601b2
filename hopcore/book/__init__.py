"""The book machinery: what turns the science library into chapters a reader runs.

- :mod:`hopcore.book.spec`      chapter registry, parameters per profile, validation, ``prepare``
- :mod:`hopcore.book.report`    ``summary.json`` envelope, computed claims, glue
- :mod:`hopcore.book.style`     the one plotting style of the book
- :mod:`hopcore.book.widgets`   build banner, re-run box, chapter/parameter/benchmark tables
- :mod:`hopcore.book.notebook`  the notebooks' ``parameters`` cells, generated from the specs
- :mod:`hopcore.book.run`, :mod:`hopcore.book.cli`   ``python -m hopcore list|run``
- :mod:`hopcore.book.sphinxext` the Sphinx extension of the book (parallel build)

Nothing here computes a result that is cached: editing this subpackage never invalidates the
result cache (:func:`hopcore.experiments.cache.code_version`).
"""

from .report import ChapterResult, Claim, claim, publish
from .spec import Chapter, Param, Params, get, prepare, registry, resolve
from .widgets import page_header, rerun_box

__all__ = ["Chapter", "ChapterResult", "Claim", "Param", "Params", "claim", "get", "page_header", "prepare", "publish", "registry",
           "rerun_box", "resolve"]
