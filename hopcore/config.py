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
    """``$HOPCORE_ROOT``, else the nearest folder at or above the working directory that holds the
    book's ``_config.yml`` and ``_toc.yml`` (a chapter notebook executes in ``book/``), else the
    working directory."""
    env = os.environ.get("HOPCORE_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_config.yml").is_file() and (folder / "_toc.yml").is_file():
            return folder
    return here


def results_root() -> Path:
    env = os.environ.get("HOPCORE_RESULTS")
    return Path(env).expanduser() if env else book_root() / "_build" / "results"


def cache_disabled() -> bool:
    env = os.environ.get("HOPCORE_CACHE")
    return env is not None and env.strip().lower() in _OFF


def cache_dir() -> Path | None:
    """The result cache folder, or None when ``HOPCORE_CACHE=off``."""
    if cache_disabled():
        return None
    env = os.environ.get("HOPCORE_CACHE")
    return Path(env).expanduser() if env else book_root() / "_build" / "cache"


def default_profile() -> str | None:
    return os.environ.get("HOPCORE_PROFILE") or None
