"""The environment, read in one place: where results and the cache go, the default profile.

| variable | meaning | default |
| --- | --- | --- |
| ``HOPCORE_RESULTS`` | folder of the chapters' result folders | ``<book root>/_build/results`` |
| ``HOPCORE_CACHE`` | folder of the result cache; ``off`` (or ``none``, ``0``, empty) disables it | ``<book root>/_build/cache`` |
| ``HOPCORE_PROFILE`` | profile of a chapter whose ``profile`` parameter is ``None`` | ``quick`` |
| ``HOPCORE_ROOT`` | the book root | the nearest folder at or above the working directory holding ``_config.yml`` and ``_toc.yml``, else the working directory |

Paths never derive from where the package is installed: an installed ``hopcore`` run from any folder
writes below that folder (or where the variables say).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["book_root", "cache_dir", "cache_disabled", "default_profile", "results_root"]

_OFF = ("off", "none", "0", "")


def book_root() -> Path:
    """The book root folder.

    ``$HOPCORE_ROOT``, else the nearest folder at or above the working directory that holds the
    book's ``_config.yml`` and ``_toc.yml`` (a chapter notebook executes in ``book/``), else the
    working directory.

    Returns
    -------
    pathlib.Path
        The book root.
    """
    env = os.environ.get("HOPCORE_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "_toc.yml").is_file():
            return folder
    return here


def results_root() -> Path:
    """The folder of the chapters' result folders.

    ``$HOPCORE_RESULTS``, else ``<book root>/_build/results``.

    Returns
    -------
    pathlib.Path
        The results folder.
    """
    env = os.environ.get("HOPCORE_RESULTS")
    return Path(env).expanduser() if env else book_root() / "_build" / "results"


def cache_disabled() -> bool:
    """Whether the result cache is switched off.

    Returns
    -------
    bool
        True when ``HOPCORE_CACHE`` is set to ``off``, ``none``, ``0`` or empty (case-insensitive).
    """
    env = os.environ.get("HOPCORE_CACHE")
    return env is not None and env.strip().lower() in _OFF


def cache_dir() -> Path | None:
    """The result cache folder, or None when ``HOPCORE_CACHE=off``.

    ``$HOPCORE_CACHE``, else ``<book root>/_build/cache``.

    Returns
    -------
    pathlib.Path or None
        The cache folder, or None when the cache is disabled (:func:`cache_disabled`).
    """
    if cache_disabled():
        return None
    env = os.environ.get("HOPCORE_CACHE")
    return Path(env).expanduser() if env else book_root() / "_build" / "cache"


def default_profile() -> str | None:
    """The profile of a chapter whose ``profile`` parameter is ``None``.

    Returns
    -------
    str or None
        ``$HOPCORE_PROFILE``, or None when unset or empty (the caller then uses ``quick``).
    """
    return os.environ.get("HOPCORE_PROFILE") or None
