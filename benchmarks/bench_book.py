"""Whole-book wall time: ``make book`` cold (no result cache, no numba cache) and warm.

Not part of the default ``make bench`` selection cost-wise: run it with ``make bench-book``
(quick profile) or ``BENCH_BOOK_PAPER=1 make bench-book`` (both profiles);
``BENCH_BOOK_PROFILES=paper`` re-measures one profile only (the other entries of results.json stay). Each entry holds the
target wall time ``target_s`` and the measured ``hopcore_s``; the README table shows "within target"
or "over target" (there is no baseline, so no speedup).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {("quick", "cold"): 180.0, ("quick", "warm"): 60.0, ("paper", "cold"): 1200.0, ("paper", "warm"): 1200.0}


def _clear_caches() -> None:
    shutil.rmtree(ROOT / "_build" / "cache", ignore_errors=True)
    for pattern in ("*.nbi", "*.nbc"):
        for path in (ROOT / "hopcore").rglob(pattern):
            path.unlink()


def _build(profile: str) -> float:
    env = dict(os.environ, HOPCORE_PROFILE=profile)
    t = time.perf_counter()
    # the same command as `make book` (two Sphinx workers): the HTML is rebuilt from scratch each time
    shutil.rmtree(ROOT / "_build" / "html", ignore_errors=True)
    shutil.rmtree(ROOT / "_build" / ".doctrees", ignore_errors=True)
    subprocess.run(["make", "-C", str(ROOT), "book", f"PROFILE={profile}"], env=env, check=True, capture_output=True)
    return time.perf_counter() - t


def run(quick: bool = False) -> list[dict]:
    if os.environ.get("BENCH_BOOK") != "1":
        return []
    profiles = ["quick"] + (["paper"] if os.environ.get("BENCH_BOOK_PAPER") == "1" else [])
    if os.environ.get("BENCH_BOOK_PROFILES"):  # e.g. "paper": re-measure one profile, keep the other's entries
        profiles = os.environ["BENCH_BOOK_PROFILES"].split(",")
    entries = []
    for profile in profiles:
        _clear_caches()
        for state in ("cold", "warm"):
            seconds = _build(profile)
            target = TARGETS[(profile, state)]
            entries.append(
                {
                    "name": f"book_{profile}_{state}",
                    "params": {"profile": profile, "caches": state},
                    "baseline": "none (target wall time)",
                    "target_s": target,
                    "hopcore_s": seconds,
                    "within_target": seconds <= target,
                }
            )
    return entries
