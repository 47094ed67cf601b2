"""Reading checks of the built chapter pages (after `make book` or the strict build of `make test`).

A chapter page fails when it shows a figure twice (an image outside a captioned figure), shows a figure
too wide for the text column (its 10-pt text below 9 px on screen in a 750 px column, from the PNG's
width and dpi), says "nan", glues a value longer than 40 words into the prose, or links no data file
(.npz, .csv or .json) to download; the book fails when myst-nb's bold pasted text is not overridden by
one of the book's style sheets. Skipped with a message when the book has not been built.
"""

from __future__ import annotations

import json
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bookpages import HTML, NOT_BUILT, REPO, built

pytestmark = pytest.mark.skipif(not built(), reason=NOT_BUILT)

COLUMN_PX = 750        # text column of the book theme at a desktop width
MIN_TEXT_PX = 9.0      # a 10-pt glyph of a figure must stay at least this tall on screen
MAX_INSERT_WORDS = 40  # the longest value glued into the prose
EXECUTED = HTML.parent / "jupyter_execute" / "book"
DATA_LINK = re.compile(r"\.(npz|csv|json)$", re.IGNORECASE)
GLUE_ROLE = re.compile(r"\{glue(?::text|:md)?\}`([^`:]+)")
CHAPTERS = sorted(p.stem for p in (REPO / "book").glob("*.ipynb"))


def png_text_px(path: Path) -> float | None:
    """On-screen height of a 10-pt glyph of the PNG shown at most COLUMN_PX wide (None: not a PNG)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width = struct.unpack(">I", data[16:20])[0]
    at = data.find(b"pHYs")
    dpi = 96.0
    if at > 0 and data[at + 12] == 1:  # unit: metre
        dpi = struct.unpack(">I", data[at + 4:at + 8])[0] * 0.0254
    return 10 / 72 * dpi * min(1.0, COLUMN_PX / width)


class _Article(HTMLParser):
    """The visible text of the page's article (no code inputs, scripts or preformatted text) and its links."""

    SKIP_TAGS = ("script", "style", "pre")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []
        self.skip = self.article = 0
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        skip = tag in self.SKIP_TAGS or "cell_input" in (a.get("class") or "")
        article = tag == "article"
        self.skip += skip
        self.article += article
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag not in ("img", "br", "hr", "meta", "link", "input", "source", "wbr"):
            self.stack.append((tag, skip, article))

    def handle_endtag(self, tag):
        while self.stack:
            t, skip, article = self.stack.pop()
            self.skip -= skip
            self.article -= article
            if t == tag:
                break

    def handle_data(self, data):
        if self.article and not self.skip:
            self.text.append(data)


def _page(name: str) -> Path:
    return HTML / "book" / f"{name}.html"


def _raw(name: str) -> str:
    path = _page(name)
    if not path.exists():
        pytest.fail(f"book/{name}.ipynb has no page in the build ({path})")
    return path.read_text(errors="replace")


def _article(name: str) -> _Article:
    parser = _Article()
    parser.feed(_raw(name))
    return parser


def _glued_text(entry) -> str:
    data = entry.get("data", {}) if isinstance(entry, dict) else {}
    text = (data.get("text/markdown") or data.get("text/plain") or "").strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_figure_shown_twice(name):
    outside = re.sub(r"<figure\b.*?</figure>", " ", _raw(name), flags=re.S)
    bare = re.findall(r'<img [^>]*src="([^"]*_images/[^"]*)"', outside)
    assert not bare, (f"{name}: {len(bare)} image(s) outside a captioned figure, i.e. shown as a bare cell output "
                      f"besides the glued figure (close the figure in the cell that glues it): {bare[:5]}")


@pytest.mark.parametrize("name", CHAPTERS)
def test_figures_fit_the_column(name):
    page = _page(name)
    small = []
    for figure in re.findall(r"<figure\b.*?</figure>", _raw(name), flags=re.S):
        for src in re.findall(r'<img [^>]*src="([^"]+)"', figure):
            px = png_text_px((page.parent / src).resolve())
            if px is not None and px < MIN_TEXT_PX:
                small.append(f"{Path(src).name} ({px:.1f} px)")
    assert not small, (f"{name}: figure text shows below {MIN_TEXT_PX:g} px in a {COLUMN_PX} px column "
                       f"(stack the panels or split the figure): {small}")


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_nan_in_the_text(name):
    text = " ".join(_article(name).text)
    found = [text[max(0, m.start() - 40):m.end() + 40].replace("\n", " ")
             for m in re.finditer(r"\bnan\b", text, re.IGNORECASE)]
    assert not found, f"{name}: 'nan' in the text (say in words what is missing): {found[:5]}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_long_inserted_text(name):
    glue_path = EXECUTED / f"{name}.glue.json"
    if not glue_path.exists():
        pytest.fail(f"{name}: no glued values recorded ({glue_path}); the page was not executed by this build")
    glued = json.loads(glue_path.read_text())
    cells = json.loads((REPO / "book" / f"{name}.ipynb").read_text())["cells"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    long = {}
    for key in set(GLUE_ROLE.findall(markdown)):
        if key.endswith("banner"):
            continue
        words = len(_glued_text(glued.get(key, {})).split())
        if words > MAX_INSERT_WORDS:
            long[key] = words
    assert not long, (f"{name}: glued values longer than {MAX_INSERT_WORDS} words (write the sentence in the "
                      f"notebook's markdown, glue only numbers and short verdicts): {long}")


@pytest.mark.parametrize("name", CHAPTERS)
def test_page_links_its_data(name):
    links = [h for h in _article(name).links if DATA_LINK.search(h.split("#")[0].split("?")[0])]
    assert links, f"{name}: no link to download the data behind the page (.npz, .csv or summary.json)"


def _pasted_text_weights() -> dict[str, str]:
    """font-weight of every ``pasted-text`` rule in the book's own style sheets (not myst-nb's)."""
    weights = {}
    for css in sorted((HTML / "_static").rglob("*.css")):
        if "mystnb" in css.name:
            continue
        for m in re.finditer(r"pasted-text[^{]*\{([^}]*)\}", css.read_text(errors="replace")):
            w = re.search(r"font-weight\s*:\s*([^;}]+)", m.group(1))
            if w:
                weights[css.name] = w.group(1).strip()
    return weights


def test_pasted_text_is_not_bold():
    weights = _pasted_text_weights()
    assert weights, "no style sheet of the book overrides myst-nb's bold span.pasted-text"
    bold = {k: v for k, v in weights.items() if v.split()[0] in ("bold", "bolder", "700", "800", "900")}
    assert not bold, f"pasted (glued) text is set bold by {bold}"
    pages = [name for name in CHAPTERS if _page(name).exists()]
    missing = [name for name in pages
               if not any(f"_static/{css}" in _raw(name) for css in weights)]
    assert not missing, f"chapter pages that do not load the override {sorted(weights)}: {missing}"
