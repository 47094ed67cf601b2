"""Links of the built book, checked without a browser.

Every page of _toc.yml is built; every relative link and every ``#fragment`` on every page resolves
to a file and an element of the build; no page loads a script, style sheet, font or image from
another host (links *to* papers and to the repository are fine, loading from a CDN is not); the
landing page links every chapter. Skipped with a message when the book has not been built.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from bookpages import HTML, NOT_BUILT, built, check_local_target, page_html, parse, toc_pages

pytestmark = pytest.mark.skipif(not built(), reason=NOT_BUILT)

PAGES = toc_pages()
CDN = re.compile(r"https?://[^\"'\s]*(cdn|unpkg|jsdelivr|cdnjs|googleapis|gstatic|mathjax\.org|bootstrapcdn)",
                 re.IGNORECASE)


def _html_pages() -> list[Path]:
    skip = {"_static", "_sources", "_images", "_sphinx_design_static"}
    return sorted(p for p in HTML.rglob("*.html") if not skip & set(p.relative_to(HTML).parts))


def test_every_toc_page_is_built():
    missing = [p for p in PAGES if not page_html(p).exists()]
    assert not missing, f"pages of _toc.yml without HTML: {missing}"


def test_index_leads_to_the_landing_page():
    index = (HTML / "index.html").read_text()
    root = PAGES[0]
    assert f"{root}.html" in index, "index.html does not point at the root page of _toc.yml"


@pytest.mark.parametrize("page", [str(p.relative_to(HTML)) for p in _html_pages()] if built() else [])
def test_local_links_and_fragments_resolve(page):
    path = HTML / page
    broken = []
    for tag, attr, url in parse(path).refs:
        if url.startswith(("mailto:", "javascript:", "data:")):
            continue
        problem = check_local_target(url, path)
        if problem:
            broken.append(f"<{tag} {attr}> {problem}")
    assert not broken, f"{page}: {len(broken)} broken: {broken[:10]}"


@pytest.mark.parametrize("page", [str(p.relative_to(HTML)) for p in _html_pages()] if built() else [])
def test_nothing_is_loaded_from_another_host(page):
    path = HTML / page
    loads = []
    for tag, attr, url in parse(path).refs:
        external = urlparse(url).scheme in ("http", "https") or url.startswith("//")
        if not external:
            continue
        if tag == "a" or tag.startswith("link:canonical"):
            continue  # a link a reader may follow, not something the page loads
        if tag == "link" and attr == "href":
            continue  # recorded again with its rel as "link:<rel>" below
        loads.append(f"<{tag} {attr}={url}>")
    text = path.read_text(errors="replace")
    cdn = sorted(set(m.group(0) for m in CDN.finditer(text)))
    assert not loads, f"{page} loads from the network: {loads[:10]}"
    assert not cdn, f"{page} names a CDN: {cdn[:10]}"


def test_mathjax_is_local():
    text = page_html(PAGES[0]).read_text()
    sources = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', text, re.IGNORECASE)
    assert sources, "no MathJax script on the landing page"
    for src in sources:
        assert urlparse(src).scheme == "" and check_local_target(src, page_html(PAGES[0])) is None, src


def test_landing_page_maps_every_chapter():
    root = page_html(PAGES[0])
    text = root.read_text()
    start, end = text.find("<article"), text.find("</article>")
    assert start >= 0 and end > start, "no <article> on the landing page"
    article = text[start:end]  # the page's own text, not the navigation sidebar
    linked = {(root.parent / href.split("#")[0]).resolve()
              for href in re.findall(r'<a[^>]*href="([^"#][^"]*)"', article) if urlparse(href).scheme == ""}
    missing = [p for p in PAGES[1:] if page_html(p).resolve() not in linked]
    assert not missing, f"the landing page does not link: {missing}"


def _registered_chapter_pages():
    from hopcore.book.spec import registry

    pages = set(PAGES)
    return [(name, spec.notebook.removesuffix(".ipynb")) for name, spec in registry().items()
            if spec.notebook.removesuffix(".ipynb") in pages]


@pytest.mark.parametrize("name, page", _registered_chapter_pages())
def test_chapter_page_shows_the_rerun_box(name, page):
    text = page_html(page).read_text()
    assert "hopcore-rerun" in text, (
        f"{page} has no re-run box: add a cell after the prepare cell, tagged remove-input, with "
        f"`from hopcore.book import rerun_box` and `rerun_box(\"{name}\")`")
    assert f"python -m hopcore run {name} --profile paper" in text


@pytest.mark.parametrize("page", [str(p.relative_to(HTML)) for p in _html_pages()] if built() else [])
def test_no_absolute_path_of_the_build_machine(page):
    """Pages show paths relative to the repository (output folders, cache, results), never where it
    was checked out on the machine that built it."""
    text = (HTML / page).read_text(errors="replace")
    root = str(Path(__file__).resolve().parents[1])
    assert root not in text, f"{page} shows the absolute path {root}"
