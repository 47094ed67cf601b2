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
    """Write ``summary.json`` (sorted keys, NaN written as null) atomically and return its path.

    Parameters
    ----------
    output_dir : str or os.PathLike
        The chapter's output folder.
    summary : dict
        The headline numbers.

    Returns
    -------
    pathlib.Path
        Path of the written file.
    """
    return write_json(Path(output_dir) / "summary.json", summary)


def load_summary(output_dir: str | os.PathLike) -> dict[str, Any]:
    """Read ``summary.json`` of a chapter's output folder.

    Parameters
    ----------
    output_dir : str or os.PathLike
        The chapter's output folder.

    Returns
    -------
    dict
        The summary.
    """
    return json.loads((Path(output_dir) / "summary.json").read_text())


def save_data(output_dir: str | os.PathLike, name: str, **arrays: Any) -> Path:
    """Save the arrays behind one figure as ``<name>.npz`` in the chapter's output folder.

    Parameters
    ----------
    output_dir : str or os.PathLike
        The chapter's output folder.
    name : str
        File name without extension.
    **arrays
        The arrays (converted with ``numpy.asarray``).

    Returns
    -------
    pathlib.Path
        Path of the written file.
    """
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    return atomic_write(Path(output_dir) / f"{name}.npz", buf.getvalue())


def write_timings(output_dir: str | os.PathLike, timings: dict[str, Any]) -> Path:
    """Write wall times to ``timing.json``.

    Kept out of ``summary.json`` so that the summary is bit-identical for the same parameters and seed
    whatever the machine, load or thread count.

    Parameters
    ----------
    output_dir : str or os.PathLike
        The chapter's output folder.
    timings : dict
        Wall times.

    Returns
    -------
    pathlib.Path
        Path of the written file.
    """
    return write_json(Path(output_dir) / "timing.json", timings)
