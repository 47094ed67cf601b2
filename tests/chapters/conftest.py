"""Shared by the chapter tests: a chapter computed once per test module at its test sizes."""

import pytest

from hopcore.book.spec import resolve


@pytest.fixture(scope="module")
def computed(request, tmp_path_factory):
    """``(p, result)`` of the chapter named by the test module's ``CHAPTER``, computed with the
    ``test`` profile, its own result cache and output folder."""
    name = request.module.CHAPTER
    module = __import__(f"hopcore.chapters.{name}", fromlist=["compute"])
    tmp = tmp_path_factory.mktemp(name)
    mp = pytest.MonkeyPatch()
    mp.setenv("HOPCORE_CACHE", str(tmp / "cache"))
    try:
        p = resolve(name, {"profile": "test", "output_dir": str(tmp / "out")})
        yield p, module.compute(p)
    finally:
        mp.undo()
