"""Task functions for tests/test_executors.py, importable by spawned worker processes."""

import os
from pathlib import Path

import numpy as np


def noisy_point(x: float, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {"value": x + rng.standard_normal(3), "seed_bits": np.int64(seed % 1000)}


def dies_once(x: float, seed: int, marker: str) -> dict:
    """Kills the worker process running it the first time any task of the sweep runs; the scheduler
    must retry the task on another (or a restarted) worker."""
    flag = Path(marker)
    if not flag.exists():
        flag.write_text("killed")
        os._exit(1)
    return noisy_point(x, seed)
