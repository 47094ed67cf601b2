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
                f"hopcore {entry.get('hopcore_s', float('nan')):9.3g} s   {verdict(entry)}",
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


from hopcore.book.widgets import _verdict as verdict  # noqa: E402  (one verdict for the table and the log)


def table(out: dict) -> str:
    """The README table: the rows of :func:`hopcore.book.widgets.benchmark_rows`, as Markdown."""
    from hopcore.book.widgets import benchmark_markdown

    return benchmark_markdown(out)


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
