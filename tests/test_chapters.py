"""Every chapter executed end to end through papermill with small parameters (spec.extra["test"])."""

import json
import os

import nbformat
import pytest

from hopcore.book.spec import registry

CHAPTERS = registry()
pytestmark = pytest.mark.chapters


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_notebook_follows_the_contract(name):
    nb = nbformat.read(CHAPTERS[name].notebook_path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [k for k, c in enumerate(code) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    params_cell, next_cell = code[tagged[0]], code[tagged[0] + 1]
    assert f'prepare("{name}", globals())' in next_cell.source
    for knob in CHAPTERS[name].all_params():
        assert f"{knob} = None" in params_cell.source, f"{knob} missing from the parameters cell"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "commit notebooks without outputs"


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_chapter_runs_end_to_end(name, tmp_path, monkeypatch):
    import papermill as pm

    spec = CHAPTERS[name]
    out = tmp_path / "out"
    monkeypatch.setenv("HOPCORE_CACHE", str(tmp_path / "cache"))
    params = dict(spec.extra.get("test", {}), output_dir=str(out), profile="quick")
    pm.execute_notebook(
        str(spec.notebook_path),
        str(tmp_path / f"{name}.ipynb"),
        parameters=params,
        cwd=str(spec.notebook_path.parent),
        progress_bar=False,
        kernel_name="python3",
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary, "empty summary.json"
    assert list(out.glob("*.npz")), "no figure data written"
