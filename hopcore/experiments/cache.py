"""On-disk result cache keyed by function, parameters, seed and code version.

An entry is one ``.npz`` file holding the result arrays plus a ``__meta__`` record (key, function,
parameters, code version and a SHA-256 checksum of the arrays). Entries are written atomically
(temporary file in the same folder, then ``os.replace``) and validated on read: an unreadable,
truncated, mismatched or stale entry is deleted and recomputed, never used.

The code version is the package version plus a hash of every hopcore source file that computes a
cached result: the science packages and the chapter modules (whose ``compute`` functions run cached
sweeps). Only the book machinery in ``hopcore/book/`` (parameter registry, page widgets, command line,
Sphinx extension) is left out: it renders and orchestrates, it computes no cached number. Any change
to computing code invalidates old entries without anyone having to remember to bump a number.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import __version__, config
from ..io import atomic_write, canonical, plain

_PKG = Path(__file__).resolve().parents[1]
RENDERING_ONLY = ("book",)  # subpackages of hopcore that compute no cached result


def computing_sources(package: Path | None = None) -> list[Path]:
    """Every source file whose code can change a cached result (all but ``hopcore/book/``).

    Parameters
    ----------
    package : pathlib.Path, optional
        Root folder of the package (default None: the imported hopcore).

    Returns
    -------
    list of pathlib.Path
        The ``.py`` files, sorted.
    """
    package = _PKG if package is None else Path(package)
    return [path for path in sorted(package.rglob("*.py"))
            if path.relative_to(package).parts[0] not in RENDERING_ONLY]


def source_hash(package: Path | None = None) -> str:
    """Hash of the package version and of every computing source file (names and contents).

    Parameters
    ----------
    package : pathlib.Path, optional
        Root folder of the package (default None: the imported hopcore).

    Returns
    -------
    str
        The first 12 hex digits of the SHA-256.
    """
    package = _PKG if package is None else Path(package)
    h = hashlib.sha256(__version__.encode())
    for path in computing_sources(package):
        h.update(str(path.relative_to(package)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


@lru_cache(maxsize=1)
def code_version() -> str:
    """The code version of cache entries: ``"<package version>+<source hash>"`` (computed once per process).

    Any change to computing code changes it, so that old entries are recomputed.

    Returns
    -------
    str
        The version string.
    """
    return f"{__version__}+{source_hash()}"


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(name.encode())
        h.update(str(a.dtype).encode())
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


class ResultCache:
    """A folder of validated ``.npz`` entries. ``root=None`` disables caching.

    The counters ``hits``, ``misses`` and ``rejected`` (entries deleted as unreadable, stale or
    corrupt) start at 0.

    Parameters
    ----------
    root : str or os.PathLike or None
        The cache folder, or None for no cache.
    """

    def __init__(self, root: str | os.PathLike | None):
        self.root = Path(root) if root is not None else None
        self.hits = 0
        self.misses = 0
        self.rejected = 0

    def key(self, fn_name: str, params: dict[str, Any]) -> str:
        """The entry key: SHA-256 of the function name, the canonical parameters and the code version.

        Parameters
        ----------
        fn_name : str
            Qualified name of the function.
        params : dict
            Its parameters (the seed included).

        Returns
        -------
        str
            64 hex digits.
        """
        record = {"fn": fn_name, "params": canonical(params), "version": code_version()}
        return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()

    def path(self, fn_name: str, key: str) -> Path:
        """File of an entry: ``<root>/<fn_name with dots as folders>/<key[:2]>/<key>.npz``.

        Parameters
        ----------
        fn_name : str
            Qualified name of the function.
        key : str
            The entry key of :meth:`key`.

        Returns
        -------
        pathlib.Path
            The path (the cache must be enabled).
        """
        assert self.root is not None
        return self.root / fn_name.replace(".", "/") / key[:2] / f"{key}.npz"

    def load(self, fn_name: str, params: dict[str, Any]) -> dict[str, np.ndarray] | None:
        """The cached arrays of ``fn_name(**params)``, or None.

        An unreadable, mismatched, stale or corrupt entry (checksum) is deleted, counted in ``rejected``
        and reported as missing.

        Parameters
        ----------
        fn_name : str
            Qualified name of the function.
        params : dict
            Its parameters.

        Returns
        -------
        dict of str to numpy.ndarray, or None
            The result arrays; None when caching is disabled or there is no valid entry.
        """
        if self.root is None:
            return None
        key = self.key(fn_name, params)
        path = self.path(fn_name, key)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["__meta__"]))
                arrays = {k: data[k] for k in data.files if k != "__meta__"}
            if meta.get("key") != key or meta.get("version") != code_version():
                raise ValueError("stale or mismatched entry")
            if meta.get("checksum") != _checksum(arrays):
                raise ValueError("checksum mismatch")
        except Exception:
            self.rejected += 1
            path.unlink(missing_ok=True)
            return None
        return arrays

    def store(self, fn_name: str, params: dict[str, Any], arrays: dict[str, Any]) -> None:
        """Write an entry atomically (arrays, key, function, parameters, code version and checksum).

        Does nothing when caching is disabled.

        Parameters
        ----------
        fn_name : str
            Qualified name of the function.
        params : dict
            Its parameters.
        arrays : dict
            The result: arrays or scalars (converted with ``numpy.asarray``).
        """
        if self.root is None:
            return
        arrays = {k: np.asarray(v) for k, v in arrays.items()}
        key = self.key(fn_name, params)
        meta = {
            "key": key,
            "fn": fn_name,
            "params": canonical(params),
            "version": code_version(),
            "checksum": _checksum(arrays),
        }
        path = self.path(fn_name, key)
        buf = io.BytesIO()
        np.savez(buf, __meta__=np.array(json.dumps(meta)), **arrays)
        atomic_write(path, buf.getvalue())

    def cached_call(self, fn: Callable[..., dict[str, Any]], params: dict[str, Any], fn_name: str | None = None):
        """``fn(**params)`` through the cache; ``fn`` returns a dict of arrays or scalars.

        Parameters
        ----------
        fn : callable
            The function, called with ``**params``.
        params : dict
            Its parameters.
        fn_name : str, optional
            Name of the entry (default ``module.qualname`` of ``fn``).

        Returns
        -------
        dict of str to numpy.ndarray
            The result, from the cache (a hit) or computed and stored (a miss).
        """
        name = fn_name or f"{fn.__module__}.{fn.__qualname__}"
        hit = self.load(name, params)
        if hit is not None:
            self.hits += 1
            return hit
        self.misses += 1
        result = {k: np.asarray(v) for k, v in fn(**params).items()}
        self.store(name, params, result)
        return result


_JSON = "__json__:"  # prefix of the keys that hold a dataclass's dict fields as JSON text


def memo(fn: Callable[..., Any], /, cache: ResultCache | None = None, **params: Any) -> Any:
    """``fn(**params)`` through the result cache, for deterministic theory computations.

    Lines of a phase diagram, spinodals, that take seconds: a warm rebuild reads them back instead of
    solving again. The entry is keyed like a simulation point (function, parameters, code version), so
    any change to the code recomputes it.

    Parameters
    ----------
    fn : callable
        Returns either a dict of arrays and numbers or a dataclass whose fields are arrays, numbers or
        JSON-able dicts.
    cache : hopcore.experiments.cache.ResultCache, optional
        The cache (default :func:`default_cache`).
    **params
        Parameters of ``fn``.

    Returns
    -------
    dict or dataclass
        The dict (scalars come back as Python numbers) or the same dataclass as ``fn`` returns.
    """
    import dataclasses
    import importlib

    cache = default_cache() if cache is None else cache

    def flat(**kw):
        out = fn(**kw)
        if not dataclasses.is_dataclass(out):
            return out
        arrays = {"__class__": f"{type(out).__module__}:{type(out).__qualname__}"}
        for f in dataclasses.fields(out):
            v = getattr(out, f.name)
            if isinstance(v, dict):  # stored as JSON text under a marked key
                arrays[_JSON + f.name] = json.dumps(plain(v, nan=float("nan")))
            else:
                arrays[f.name] = v
        return arrays

    name = f"{fn.__module__}.{fn.__qualname__}"
    out = cache.cached_call(flat, params, fn_name=name)
    values = {k: (v.item() if v.ndim == 0 else v) for k, v in out.items()}
    if "__class__" not in values:
        return values
    module, qualname = values.pop("__class__").split(":")
    cls = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    kwargs = {k[len(_JSON):] if k.startswith(_JSON) else k: json.loads(v) if k.startswith(_JSON) else v
              for k, v in values.items()}
    return cls(**kwargs)


def default_cache() -> ResultCache:
    """The cache folder of :func:`hopcore.config.cache_dir` (``$HOPCORE_CACHE``; ``off`` disables it).

    Returns
    -------
    hopcore.experiments.cache.ResultCache
        A new cache on that folder.
    """
    return ResultCache(config.cache_dir())
