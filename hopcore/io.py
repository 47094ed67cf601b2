"""Files and JSON: atomic writes and the one conversion of numpy values to plain Python.

Every file the package writes (cache entries, ``summary.json``, figure data, timing files) goes
through :func:`atomic_write`: a temporary file in the target folder, then ``os.replace``, so a
killed run never leaves a half-written file behind. :func:`plain` turns numpy arrays and scalars,
tuples and sets into lists, numbers and booleans, for JSON files and for values a reader types;
:func:`canonical` is the stricter form used to hash parameters (cache keys, sample seeds).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["atomic_write", "canonical", "plain", "read_json", "write_json"]


def plain(obj: Any, *, nan: Any = None) -> Any:
    """``obj`` with numpy arrays and scalars, tuples and sets turned into plain Python values.

    Dict keys become strings; non-finite floats become ``nan`` (default ``None``: JSON has no NaN,
    and ``null`` reads as "not defined here"); sets are sorted. Anything else is returned as is.

    Parameters
    ----------
    obj : object
        Value to convert (recursively through dicts, lists, tuples and sets).
    nan : object, optional
        Replacement of non-finite floats (default None).

    Returns
    -------
    object
        The converted value.
    """
    if isinstance(obj, dict):
        return {str(k): plain(v, nan=nan) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v, nan=nan) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return [plain(v, nan=nan) for v in sorted(obj)]
    if isinstance(obj, np.ndarray):
        return plain(obj.tolist(), nan=nan)
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else nan
    return obj


def canonical(obj: Any) -> Any:
    """The hashing form of parameters.

    Dicts with sorted string keys, lists, ints, and floats as their ``repr`` (so that 0.1 and
    np.float64(0.1) hash alike and no float is rounded by JSON). Sample seeds are derived from this
    form (:func:`hopcore.experiments.runner.derive_seed`): it must never change, or every simulated
    number of the book would change with it.

    Parameters
    ----------
    obj : object
        Parameters to convert (recursively).

    Returns
    -------
    object
        The canonical form.
    """
    if isinstance(obj, dict):
        return {str(k): canonical(v) for k, v in sorted(obj.items())}
    if isinstance(obj, (list, tuple)):
        return [canonical(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return canonical(obj.tolist())
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return repr(float(obj))
    return obj


def atomic_write(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then ``os.replace``).

    Missing parent folders are created; on failure the temporary file is removed.

    Parameters
    ----------
    path : str or os.PathLike
        Target file.
    data : bytes or str
        Content (str is UTF-8 encoded).

    Returns
    -------
    pathlib.Path
        The written path.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """``obj`` as indented JSON with sorted keys (NaN written as null), atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Target file.
    obj : object
        Value, converted by :func:`plain`.

    Returns
    -------
    pathlib.Path
        The written path.
    """
    return atomic_write(path, json.dumps(plain(obj), indent=2, sort_keys=True) + "\n")


def read_json(path: str | os.PathLike) -> Any:
    """The JSON content of a file.

    Parameters
    ----------
    path : str or os.PathLike
        File to read.

    Returns
    -------
    object
        The decoded value.
    """
    return json.loads(Path(path).read_text())
