"""Same parameters and seed give a bit-identical summary.json whatever the number of threads or
the executor of the sweeps."""

import json
import os
import subprocess
import sys

import pytest

from hopcore.book.spec import registry

SCRIPT = r"""
import json, sys, papermill as pm
from hopcore.book.spec import get
spec = get(sys.argv[1])
params = dict(output_dir=sys.argv[3], profile="test")
pm.execute_notebook(str(spec.notebook_path), sys.argv[2], parameters=params,
                    cwd=str(spec.notebook_path.parent), progress_bar=False, kernel_name="python3")
"""

# one chapter per kind of simulation: binary dynamics, softmax updates, random features
KINDS = ["classical_snr", "dense_simulations", "rf_storage_learning"]


@pytest.mark.chapters
@pytest.mark.parametrize("name", [k for k in KINDS if k in registry()])
def test_summary_bit_identical_for_1_and_2_threads(name, tmp_path):
    texts = []
    for threads in ("1", "2"):
        out = tmp_path / f"out{threads}"
        env = dict(os.environ, NUMBA_NUM_THREADS=threads, HOPCORE_CACHE=str(tmp_path / f"cache{threads}"))
        subprocess.run([sys.executable, "-c", SCRIPT, name, str(tmp_path / f"{threads}.ipynb"), str(out)], env=env, check=True, capture_output=True)
        summary = json.loads((out / "summary.json").read_text())
        summary.get("parameters", {}).pop("output_dir", None)
        texts.append(json.dumps(summary, sort_keys=True))
    assert texts[0] == texts[1]


def _summary(name, tmp_path, tag, **env):
    out = tmp_path / f"out-{tag}"
    env = dict(os.environ, HOPCORE_CACHE=str(tmp_path / f"cache-{tag}"), **env)
    subprocess.run([sys.executable, "-c", SCRIPT, name, str(tmp_path / f"{tag}.ipynb"), str(out)], env=env, check=True,
                   capture_output=True)
    return (out / "summary.json").read_text()


@pytest.mark.chapters
def test_rf_generalization_on_a_dask_cluster_matches_the_serial_run(tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed is in requirements.txt")
    serial = _summary("rf_generalization", tmp_path, "serial", HOPCORE_EXECUTOR="serial")
    on_dask = _summary("rf_generalization", tmp_path, "dask", HOPCORE_EXECUTOR="dask:local:2")
    assert serial == on_dask
