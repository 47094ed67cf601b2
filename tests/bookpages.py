"""Where the built book is and which pages it must have (shared by the browser and link tests)."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import yaml

REPO = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("HOPCORE_BOOK_HTML", REPO / "_build" / "html"))
SCREENSHOTS = HTML.parent / "screenshots"
NOT_BUILT = f"the book is not built ({HTML / 'index.html'} is missing): run `make book` or `make test` first"


def toc_pages() -> list[str]:
    """Every document of _toc.yml (root first), as paths without suffix: ``book/intro``."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or ():
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", ()):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", p) for p in pages]


def built() -> bool:
    return (HTML / "index.html").exists()


def page_html(page: str) -> Path:
    return HTML / f"{page}.html"


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) is not None:
                self.refs.append((tag, key, attrs[key]))
        if tag == "link" and attrs.get("href") is not None:
            self.refs.append(("link:" + (attrs.get("rel") or ""), "href", attrs["href"]))


_PARSED: dict[Path, _Collector] = {}


def parse(path: Path) -> _Collector:
    path = path.resolve()
    if path not in _PARSED:
        collector = _Collector()
        collector.feed(path.read_text(errors="replace"))
        _PARSED[path] = collector
    return _PARSED[path]


def check_local_target(url: str, base: Path) -> str | None:
    """None if a relative or file:// link resolves (file exists, fragment is an id there), else why not."""
    parsed = urlparse(url)
    if parsed.scheme not in ("", "file"):
        return None  # external: not ours to check here
    target, fragment = urldefrag(url)
    target_path = unquote(urlparse(target).path)  # without ?query (cache busters on static files)
    if parsed.scheme == "file":
        path = Path(target_path)
    elif target_path == "":
        path = base
    else:
        path = (base.parent / target_path).resolve()
    if path.is_dir():
        path = path / "index.html"
    if not path.exists():
        return f"{url}: {path} does not exist"
    if path.stat().st_size == 0:
        return f"{url}: {path} is empty"
    fragment = unquote(fragment)
    if fragment and path.suffix == ".html" and fragment not in parse(path).ids:
        return f"{url}: no element with id {fragment!r} in {path.name}"
    return None
