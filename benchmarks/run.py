"""Run every ``benchmarks/bench_*.py`` and write ``benchmarks/results.json``.

Each module defines ``run(quick: bool) -> list[dict]``; every entry has ``name``, ``params``,
``baseline`` (what the baseline is), ``baseline_s``, ``hopcore_s`` and ``speedup``, all measured in
the same run; an entry measured against a target instead of a baseline (the ``book_*`` wall times)
has ``target_s`` and ``hopcore_s``, and its table row says "within target" or "over target". ``python benchmarks/run.py [names...]`` runs a subset and merges into the file.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"


def main(argv: list[str]) -> int:
    selected = [a for a in argv if not a.startswith("-")]
    quick = "--quick" in argv
    old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"entries": {}}
    entries = dict(old.get("entries", {}))
    for path in sorted(HERE.glob("bench_*.py")):
        stem = path.stem.removeprefix("bench_")
        if selected and stem not in selected:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        t0 = time.perf_counter()
        for entry in mod.run(quick=quick):
            entries[entry["name"]] = entry
            print(
                f"{entry['name']:<28} baseline {entry.get('baseline_s', float('nan')):9.3g} s   "
                f"hopcore {entry.get('hopcore_s', float('nan')):9.3g} s   {_verdict(entry)}",
                flush=True,
            )
        print(f"  ({stem}: {time.perf_counter() - t0:.1f} s)", flush=True)
    out = {
        "machine": {"python": platform.python_version(), "processor": platform.machine(), "cores": _cores()},
        "entries": dict(sorted(entries.items())),
    }
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    update_readme(out)
    return 0


BEGIN, END = "<!-- benchmarks:begin -->", "<!-- benchmarks:end -->"


def table(out: dict) -> str:
    """The README table: one row per entry of results.json."""
    rows = [
        "| benchmark | parameters | baseline | baseline or target (s) | hopcore (s) | speedup |",
        "|---|---|---|---:|---:|---:|",
    ]
    for name, e in out["entries"].items():
        params = ", ".join(f"{k}={v}" for k, v in e.get("params", {}).items())
        ref = _num(e["target_s"]) + " (target)" if _is_target_entry(e) else _num(e.get("baseline_s"))
        rows.append(
            f"| {name} | {params} | {e.get('baseline', '')} | {ref} | "
            f"{_num(e.get('hopcore_s'))} | {_verdict(e)} |"
        )
    m = out.get("machine", {})
    rows.append("")
    rows.append(f"Measured on {m.get('cores')} cores ({m.get('processor')}, Python {m.get('python')}) by `make bench`.")
    return "\n".join(rows)


def _is_target_entry(e: dict) -> bool:
    """Measured against a target wall time only (no baseline run)."""
    return "target_s" in e and "baseline_s" not in e


def _verdict(e: dict) -> str:
    """The last column: the speedup over the baseline, or for a target "within/over target"."""
    if _is_target_entry(e):
        t, h = e.get("target_s"), e.get("hopcore_s")
        if not isinstance(h, (int, float)) or h != h:
            return "—"
        return "within target" if h <= t else "over target"
    return _num(e.get("speedup"), "x")


def _num(value, suffix: str = "") -> str:
    """A table cell: three significant digits, or a dash where nothing was measured."""
    if value is None or not isinstance(value, (int, float)) or value != value:
        return "—"
    return f"{value:.3g}{suffix}"


def update_readme(out: dict) -> None:
    readme = HERE.parent / "README.md"
    if not readme.exists():
        return
    text = readme.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        readme.write_text(head + BEGIN + "\n" + table(out) + "\n" + END + tail)


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
