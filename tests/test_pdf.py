"""The PDF of the book (`make pdf`): one document with every page of _toc.yml and every figure.

Runs where LaTeX is installed and the PDF has been built; skipped, saying which, otherwise. Reads the
PDF with poppler's pdftotext and pdfimages (package poppler-utils).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata

import pytest
from bookpages import REPO, toc_pages

PDF = REPO / "_build" / "pdf" / "hopcore-book.pdf"

pytestmark = [
    pytest.mark.skipif(shutil.which("xelatex") is None or shutil.which("latexmk") is None,
                       reason="LaTeX is not installed (make pdf names the Debian packages it needs)"),
    pytest.mark.skipif(not PDF.exists(), reason=f"the PDF is not built ({PDF} is missing): run `make pdf`"),
    pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdfimages") is None,
                       reason="poppler-utils (pdftotext, pdfimages) is not installed"),
]

FIGURE = re.compile(r"^\s*(?:```+|:::+)\s*\{(?:glue:figure|figure)\}", re.MULTILINE)


def _normal(text: str) -> str:
    """Lower case, ligatures unfolded, every dash a hyphen, runs of white space one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return re.sub(r"\s+", " ", text)


def _source(page: str) -> tuple[str, str]:
    """(title, markdown) of a page of _toc.yml, from its .md or .ipynb."""
    md = REPO / f"{page}.md"
    if md.exists():
        text = md.read_text()
    else:
        cells = json.loads((REPO / f"{page}.ipynb").read_text())["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    title = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), "")
    return title, text


def _title_words(title: str) -> str:
    """The title as it reads in the PDF text: markup and math removed."""
    title = re.sub(r"\$[^$]*\$", " ", title)
    title = re.sub(r"[*_`{}]", "", title)
    return _normal(title).strip()


@pytest.fixture(scope="module")
def pdf_text() -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True, text=True, check=True)
    return _normal(out.stdout)


def test_every_page_title_is_in_the_pdf(pdf_text):
    missing = []
    for page in toc_pages():
        title = _title_words(_source(page)[0])
        # the longest run of plain words of the title (math is typeset differently)
        parts = [p.strip() for p in re.split(r"\s{2,}|[:;,()]", title) if len(p.strip()) > 3]
        if parts and max(parts, key=len) not in pdf_text:
            missing.append(f"{page}: {title!r}")
    assert not missing, f"pages whose title is not in {PDF.name}: {missing}"


def test_every_figure_is_in_the_pdf():
    figures = {page: len(FIGURE.findall(_source(page)[1])) for page in toc_pages()}
    expected = sum(figures.values())
    out = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True).stdout
    rows = [ln.split() for ln in out.splitlines()[2:] if ln.strip()]
    images = [r for r in rows if len(r) > 2 and r[2] == "image"]  # soft masks (smask) are not figures
    assert len(images) >= expected, (
        f"{PDF.name} holds {len(images)} images, the book's pages {expected} figures: "
        f"{ {k: v for k, v in figures.items() if v} }")
