"""``make test-paper``: the paper profile of every chapter whose findings rest on simulations,
executed as the published book executes it. Every claim the book presents as a finding must hold
there, and every verdict must hold and reach the resolution it aims for. Long (tens of minutes on
two cores); excluded from the default run (marker ``paper``)."""

import json
import os

import pytest

from hopcore.book.spec import registry

pytestmark = pytest.mark.paper
SIMULATION_CHAPTERS = [name for name, ch in registry().items() if ch.extra.get("simulations", True)]


@pytest.mark.parametrize("name", SIMULATION_CHAPTERS)
def test_findings_hold_at_paper_scale(name, tmp_path):
    import papermill as pm

    spec = registry()[name]
    out = os.environ.get("HOPCORE_PAPER_RESULTS")
    out = os.path.join(out, name) if out else str(tmp_path / "out")
    pm.execute_notebook(str(spec.notebook_path), str(tmp_path / f"{name}.ipynb"),
                        parameters=dict(output_dir=out, profile="paper"), cwd=str(spec.notebook_path.parent),
                        progress_bar=False, kernel_name="python3")
    summary = json.load(open(os.path.join(out, "summary.json")))
    claims = summary["claims"]
    failed = {k: c["evidence"] for k, c in claims.items() if c.get("finding", True) and not c["holds"]}
    assert not failed, f"findings that do not hold at paper scale: {failed}"
    verdicts = summary.get("verdicts", {})
    failed = {k: v for k, v in verdicts.items() if not v["holds"]}
    assert not failed, f"verdicts that do not hold at paper scale: {failed}"
    coarse = {k: (v["resolution"], v["aim"]) for k, v in verdicts.items() if not v["meets_aim"]}
    assert not coarse, f"verdicts that miss the resolution they aim for (resolution, aim): {coarse}"
