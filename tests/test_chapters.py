"""Every chapter executed end to end through papermill at its test sizes (profile ``test``), then
checked against the book's contract: the summary envelope, the verdicts and claims, and a page that
glues every finding and every figure."""

import json
import re

import nbformat
import pytest

from hopcore.book.notebook import check, parameters_cell
from hopcore.book.report import ENVELOPE, claim_key
from hopcore.book.spec import registry

CHAPTERS = registry()
pytestmark = pytest.mark.chapters
MAX_CODE_LINES = 110  # a notebook only orchestrates: prepare, compute, one call per figure, glue


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_notebook_follows_the_contract(name):
    nb = nbformat.read(CHAPTERS[name].notebook_path, as_version=4)
    code = _code(nb)
    tagged = [k for k, c in enumerate(code) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    params_cell, next_cell = code[tagged[0]], code[tagged[0] + 1]
    assert params_cell.source == parameters_cell(name), (
        "the parameters cell is generated from the spec: run `python -m hopcore.book.notebook`")
    assert "prepare(" in next_cell.source
    assert not check([name]), "generated cells out of date (install cell, parameters cell): python -m hopcore.book.notebook"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "commit notebooks without outputs"
    defs = [c.source for c in code if re.search(r"^\s*(def|class) ", c.source, re.M)]
    assert not defs, "no def or class in a notebook: analysis belongs in the chapter module"
    lines = sum(len([ln for ln in c.source.splitlines() if ln.strip() and not ln.strip().startswith("#")])
                for c in code if c is not params_cell)
    assert lines <= MAX_CODE_LINES, f"{lines} code lines: move analysis into hopcore/chapters/{name}.py"
    for k, c in enumerate(code):
        if k == tagged[0] or "page_header" in c.source:
            continue
        tags = c.metadata.get("tags", [])
        assert {"hide-input", "remove-input", "remove-cell", "hide-cell"} & set(tags), (
            f"code cell {k} is shown: orchestration cells are collapsed (hide-input)")
    title = next(c.source for c in nb.cells if c.cell_type == "markdown")
    assert f"{{glue:md}}`{name}_banner`" in title, "the page opens with the build banner (glued by page_header)"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert not re.search(r"\bthe spec\b|\bspec's\b", text, re.I), "readers have no spec: cite the paper or derive"


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_chapter_runs_end_to_end(name, tmp_path, monkeypatch):
    import papermill as pm

    spec = CHAPTERS[name]
    out = tmp_path / "out"
    monkeypatch.setenv("HOPCORE_CACHE", str(tmp_path / "cache"))
    executed = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(str(spec.notebook_path), str(executed), parameters=dict(output_dir=str(out), profile="test"),
                        cwd=str(spec.notebook_path.parent), progress_bar=False, kernel_name="python3")
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary)[: len(ENVELOPE)] == list(ENVELOPE) or set(ENVELOPE) <= set(summary)
    assert summary["profile"] == "test"
    assert list(out.glob("*.npz")), "no figure data written"
    claims, verdicts = summary["claims"], summary["verdicts"]
    assert claims or verdicts, "every chapter states at least one computed verdict or claim"
    for vname, v in verdicts.items():
        for key in ("paper", "item", "book", "book_err", "reference", "tolerance", "holds", "resolution"):
            assert key in v, f"verdict {vname} lacks {key}"
        assert isinstance(v["holds"], bool), vname
    nb = nbformat.read(executed, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    glued = set()
    for c in _code(nb):
        for o in c.get("outputs", []):
            key = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if key:
                glued.add(key)
    for cname, record in claims.items():
        assert isinstance(record["holds"], bool), cname
        assert record["statement"].strip() and isinstance(record["evidence"], dict) and record["evidence"], cname
        if not record.get("finding", True):
            continue  # a check of the code: in summary.json, the page need not quote it
        key = claim_key(name, cname)
        assert key in glued, f"claim {cname} is not glued"
        assert f"`{key}`" in markdown, f"the text does not show claim {cname} ({{glue:text}}`{key}`)"
    for key in re.findall(r"\{glue:(?:text|md|figure|any|math)\}`([^`:]+)", markdown):
        assert key in glued, f"the text glues {key}, which the run did not produce"
    for key in re.findall(r"```\{glue:figure\} (\S+)", markdown):
        assert key in glued, f"figure {key} is not glued"
