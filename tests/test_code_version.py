"""The cache key covers every module whose code computes a cached result (chapter modules
included) and leaves out only the rendering machinery of hopcore/book/."""

import shutil
from pathlib import Path

import pytest

import hopcore
from hopcore.experiments.cache import RENDERING_ONLY, computing_sources, source_hash

PKG = Path(hopcore.__file__).parent


@pytest.fixture()
def copy(tmp_path):
    dst = tmp_path / "hopcore"
    shutil.copytree(PKG, dst, ignore=shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc"))
    return dst


def _touch(path: Path) -> None:
    path.write_text(path.read_text() + "\n# edited\n")


def test_every_computing_module_changes_the_key(copy):
    base = source_hash(copy)
    sources = computing_sources(copy)
    assert any("chapters" in p.parts for p in sources), "chapter modules compute cached sweeps"
    for path in sources:
        original = path.read_text()
        _touch(path)
        assert source_hash(copy) != base, f"editing {path.relative_to(copy)} must change the cache key"
        path.write_text(original)
    assert source_hash(copy) == base


def test_rendering_modules_do_not_change_the_key(copy):
    base = source_hash(copy)
    rendering = [p for p in copy.rglob("*.py") if p.relative_to(copy).parts[0] in RENDERING_ONLY]
    assert rendering, "the book machinery exists"
    for path in rendering:
        _touch(path)
    assert source_hash(copy) == base
