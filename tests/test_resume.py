"""A long sweep killed half-way resumes from its cached points and gives the uninterrupted result."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = r"""
import json, sys, time
import numpy as np
from hopcore.experiments import ResultCache, sweep
from hopcore.experiments.runner import stack
from hopcore.experiments.snr import retrieval_overlap

def slow_point(N, P, seed):
    time.sleep(0.3)  # long enough for the test to kill the run between points
    return retrieval_overlap(N, P, seed, n_starts=2)

grid = [{"N": 200, "P": P} for P in (10, 20, 30, 40, 50, 60)]
res = sweep(slow_point, grid, n_samples=2, seed=7, cache=ResultCache(sys.argv[1]), progress=False, fn_name="resume_test")
print(json.dumps(stack(res, "m").tolist()))
"""


def _run(cache: Path) -> list:
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(cache)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_killed_run_resumes_to_the_same_result(tmp_path):
    reference = _run(tmp_path / "uninterrupted")
    cache = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(cache)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list(cache.rglob("*.npz"))) < 4:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(list(cache.rglob("*.npz")))
    assert 4 <= done < 12, f"the run should have been killed part-way ({done} of 12 points cached)"
    before = {p: p.stat().st_mtime_ns for p in cache.rglob("*.npz")}
    assert _run(cache) == reference
    # the points cached before the kill were reused, not recomputed
    assert all(p.stat().st_mtime_ns == t for p, t in before.items())
    assert len(list(cache.rglob("*.npz"))) == 12
