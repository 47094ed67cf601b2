"""Experiments: sweeps over parameter grids x samples, an on-disk cache, and result files."""

from .cache import ResultCache, code_version, default_cache, memo
from .results import load_summary, save_data, write_summary, write_timings
from .runner import sweep, sample_seeds

__all__ = [
    "ResultCache",
    "code_version",
    "default_cache",
    "load_summary",
    "memo",
    "sample_seeds",
    "save_data",
    "sweep",
    "write_summary",
    "write_timings",
]
