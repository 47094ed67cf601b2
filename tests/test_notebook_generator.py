"""The generated cells of a chapter notebook (hopcore.book.notebook): the parameters cell is collapsed."""

import nbformat

from hopcore.book.notebook import PARAMETERS_TAGS, _bring_up_to_date, parameters_cell
from hopcore.book.spec import registry


def test_parameters_cell_gets_its_tags():
    name = next(iter(registry()))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title"),
                nbformat.v4.new_code_cell(parameters_cell(name), metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("p = chapter.prepare(globals())")]
    stale = _bring_up_to_date(nb, name)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert set(PARAMETERS_TAGS) <= set(params.metadata["tags"])
    assert "hide-input" in PARAMETERS_TAGS
    assert any("hide-input" in s for s in stale)
    assert not any("tagged" in s for s in _bring_up_to_date(nb, name)), "a second pass finds nothing to do"
