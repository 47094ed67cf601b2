"""Experiments: sweeps over parameter grids x samples, an on-disk cache, and result files."""

from .cache import ResultCache, code_version, default_cache, memo
from .results import load_summary, save_data, write_summary, write_timings
from .runner import Grid, sample_seeds, sweep, sweep_grid

__all__ = [
    "ResultCache",
    "code_version",
    "default_cache",
    "load_summary",
    "memo",
    "sample_seeds",
    "save_data",
    "sweep",
    "sweep_grid",
    "Grid",
    "write_summary",
    "write_timings",
]
