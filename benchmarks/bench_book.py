"""Whole-book wall time: ``make book`` cold (no result cache, no numba cache) and warm.

Not part of the default ``make bench`` selection cost-wise: run it with ``make bench-book``
(quick profile) or ``BENCH_BOOK_PAPER=1 make bench-book`` (both profiles);
``BENCH_BOOK_PROFILES=paper`` re-measures one profile only (the other entries of results.json stay). Each entry holds the
target wall time ``target_s`` and the measured ``hopcore_s``; the README table shows "within target"
or "over target" (there is no baseline, so no speedup), and ``notebooks``: each notebook's wall time and
start and end clock times, read from the build's log (kept as ``_build/bench-book-<profile>-<state>.log``).
"""

from __future__ import annotations

import os
import re
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


_END = re.compile(r"\[execute (\d\d:\d\d:\d\d)\] end +(\S+)\.(?:ipynb|md) ([0-9.]+) s")
_START = re.compile(r"\[execute (\d\d:\d\d:\d\d)\] start (\S+)\.(?:ipynb|md)")


def notebook_times(log: str) -> dict[str, dict]:
    """Per notebook, from the scheduler's lines of a build log: its wall time in seconds and the clock
    times at which it started and ended (which notebooks shared the two slots, and when)."""
    out: dict[str, dict] = {}
    for clock, name in _START.findall(log):
        out.setdefault(name, {})["start"] = clock
    for clock, name, seconds in _END.findall(log):
        out.setdefault(name, {}).update(end=clock, seconds=float(seconds))
    return out


def _build(profile: str, state: str) -> tuple[float, dict]:
    env = dict(os.environ, HOPCORE_PROFILE=profile)
    t = time.perf_counter()
    # the same command as `make book` (two Sphinx workers): the HTML is rebuilt from scratch each time
    shutil.rmtree(ROOT / "_build" / "html", ignore_errors=True)
    shutil.rmtree(ROOT / "_build" / ".doctrees", ignore_errors=True)
    proc = subprocess.run(["make", "-C", str(ROOT), "book", f"PROFILE={profile}"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    log = proc.stdout + proc.stderr
    (ROOT / "_build" / f"bench-book-{profile}-{state}.log").write_text(log, encoding="utf8")
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, proc.args, proc.stdout, proc.stderr)
    return seconds, notebook_times(log)


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
            seconds, notebooks = _build(profile, state)
            target = TARGETS[(profile, state)]
            entries.append(
                {
                    "name": f"book_{profile}_{state}",
                    "params": {"profile": profile, "caches": state},
                    "baseline": "none (target wall time)",
                    "target_s": target,
                    "hopcore_s": seconds,
                    "within_target": seconds <= target,
                    "notebooks": notebooks,
                }
            )
    return entries
