"""Result files of a chapter: ``summary.json`` (headline numbers) and the data behind each figure."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return v if math.isfinite(v) else None  # JSON has no NaN; None means "not defined here"
    return obj


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_summary(output_dir: str | os.PathLike, summary: dict[str, Any]) -> Path:
    """Write ``summary.json`` (sorted keys, NaN written as null) atomically and return its path."""
    path = Path(output_dir) / "summary.json"
    text = json.dumps(_jsonable(summary), indent=2, sort_keys=True) + "\n"
    _atomic_write(path, text.encode())
    return path


def load_summary(output_dir: str | os.PathLike) -> dict[str, Any]:
    return json.loads((Path(output_dir) / "summary.json").read_text())


def save_data(output_dir: str | os.PathLike, name: str, **arrays: Any) -> Path:
    """Save the arrays behind one figure as ``<name>.npz`` in the chapter's output folder."""
    import io

    path = Path(output_dir) / f"{name}.npz"
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    _atomic_write(path, buf.getvalue())
    return path


def write_timings(output_dir: str | os.PathLike, timings: dict[str, Any]) -> Path:
    """Write wall times to ``timing.json``, kept out of ``summary.json`` so that the summary is
    bit-identical for the same parameters and seed whatever the machine, load or thread count."""
    path = Path(output_dir) / "timing.json"
    text = json.dumps(_jsonable(timings), indent=2, sort_keys=True) + "\n"
    _atomic_write(path, text.encode())
    return path
