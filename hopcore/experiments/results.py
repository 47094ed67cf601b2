"""Result files of a chapter: ``summary.json`` (headline numbers) and the data behind each figure."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..io import atomic_write, write_json


def write_summary(output_dir: str | os.PathLike, summary: dict[str, Any]) -> Path:
    """Write ``summary.json`` (sorted keys, NaN written as null) atomically and return its path."""
    return write_json(Path(output_dir) / "summary.json", summary)


def load_summary(output_dir: str | os.PathLike) -> dict[str, Any]:
    return json.loads((Path(output_dir) / "summary.json").read_text())


def save_data(output_dir: str | os.PathLike, name: str, **arrays: Any) -> Path:
    """Save the arrays behind one figure as ``<name>.npz`` in the chapter's output folder."""
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    return atomic_write(Path(output_dir) / f"{name}.npz", buf.getvalue())


def write_timings(output_dir: str | os.PathLike, timings: dict[str, Any]) -> Path:
    """Write wall times to ``timing.json``, kept out of ``summary.json`` so that the summary is
    bit-identical for the same parameters and seed whatever the machine, load or thread count."""
    return write_json(Path(output_dir) / "timing.json", timings)
