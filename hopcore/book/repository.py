"""The repository URL of the book, written in one place: ``repository.url`` in ``_config.yml``.

The repository, Binder and Colab buttons of every page and the Colab install cell of every chapter
notebook (:func:`hopcore.book.notebook.colab_cell`) derive from it. To publish a fork, edit that
one line, or run ``python -m hopcore.book.repository set https://github.com/OWNER/REPO``, which
rewrites the line and the notebooks' install cells (the Pages workflow does this with the repository
it runs in).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .. import config

__all__ = ["get", "set_url"]

_LINE = re.compile(r"^(repository:\s*\n(?:[ \t]+.*\n)*?[ \t]+url:[ \t]*)(\S+)", re.M)


def _config_file() -> Path:
    return config.book_root() / "_config.yml"


def get(path: Path | None = None) -> str:
    """``repository.url`` of ``_config.yml``.

    Parameters
    ----------
    path : pathlib.Path, optional
        The configuration file (default ``_config.yml`` of the book root).

    Returns
    -------
    str
        The URL.

    Raises
    ------
    ValueError
        If the file has no repository.url line.
    """
    text = (path or _config_file()).read_text()
    match = _LINE.search(text)
    if not match:
        raise ValueError(f"{path or _config_file()} has no repository.url line")
    return match.group(2)


def set_url(url: str, path: Path | None = None) -> bool:
    """Write ``url`` into ``_config.yml`` and the notebooks' install cells.

    Parameters
    ----------
    url : str
        The repository, ``https://HOST/OWNER/REPO``.
    path : pathlib.Path, optional
        The configuration file (default ``_config.yml`` of the book root).

    Returns
    -------
    bool
        True if anything changed.

    Raises
    ------
    ValueError
        If ``url`` does not look like https://github.com/OWNER/REPO.
    """
    if not re.fullmatch(r"https://[\w.-]+/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"url={url!r} is not allowed: url must look like https://github.com/OWNER/REPO")
    path = path or _config_file()
    text = path.read_text()
    new = _LINE.sub(lambda m: m.group(1) + url, text, count=1)
    changed = new != text
    if changed:
        path.write_text(new)
    from .notebook import sync

    return bool(sync()) or changed


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:2] == ["set"] and len(sys.argv) == 3:
        print("changed" if set_url(sys.argv[2]) else "already set", get())
    else:
        print(get())
