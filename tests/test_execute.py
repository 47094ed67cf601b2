"""The notebook scheduler of `make book` (hopcore.book.execute) on tiny notebooks, no real chapter."""

import json

import nbformat
import pytest
from jupyter_cache import get_cache

from hopcore.book.execute import Job, book_jobs, measured_seconds, order, read_source, run


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


def test_measured_seconds_reads_the_profile_of_the_file(tmp_path):
    t = tmp_path / "timing.json"
    t.write_text(json.dumps({"profile": "paper", "a_s": 10.0, "b_s": 5.5}))
    assert measured_seconds(t, "paper") == 15.5
    assert measured_seconds(t, "quick") is None
    t.write_text(json.dumps({"profile": "paper", "a_s": 10.0, "total_s": 12.0}))
    assert measured_seconds(t, "paper") == 12.0
    assert measured_seconds(tmp_path / "missing.json", "paper") is None


def test_chapters_longest_first_from_timing_then_the_scorecard(tmp_path):
    book, results = tmp_path / "book", tmp_path / "results"
    book.mkdir()
    for name in ("classical_snr", "dense_rem", "rf_spinodals", "scorecard"):
        _notebook(book / f"{name}.ipynb", "1")
    for name, seconds, profile in (("classical_snr", 30.0, "paper"), ("dense_rem", 300.0, "paper"),
                                   ("rf_spinodals", 9999.0, "quick")):
        (results / name).mkdir(parents=True)
        (results / name / "timing.json").write_text(json.dumps({"profile": profile, "x_s": seconds}))
    jobs = book_jobs(book, "paper", results)
    names = [j.path.stem for j in jobs]
    assert names.index("dense_rem") < names.index("classical_snr")
    assert names[-1] == "scorecard" and jobs[-1].last
    # rf_spinodals' timing is of another profile: its spec's paper minutes count instead
    from hopcore.book.spec import get

    spin = next(j for j in jobs if j.path.stem == "rf_spinodals")
    assert spin.cost == 60.0 * get("rf_spinodals").minutes[1]
    assert [j.cost for j in jobs[:-1]] == sorted((j.cost for j in jobs[:-1]), reverse=True)
    # classical_snr's 30 s are a replay of the cache (below its expected cold time): the estimate counts
    snr = next(j for j in jobs if j.path.stem == "classical_snr")
    assert snr.cost == 60.0 * get("classical_snr").minutes[1] > 30.0


def test_order_puts_last_jobs_after_every_chapter(tmp_path):
    jobs = [Job(tmp_path / "z.ipynb", 1.0), Job(tmp_path / "a.ipynb", 0.0, last=True), Job(tmp_path / "b.ipynb", 5.0)]
    assert [j.path.name for j in order(jobs)] == ["b.ipynb", "z.ipynb", "a.ipynb"]


def test_run_executes_in_order_stores_in_the_cache_and_the_last_notebook_sees_every_chapter(tmp_path):
    log = tmp_path / "log.txt"
    book = tmp_path / "book"
    book.mkdir()
    jobs = []
    for name, cost in (("short", 1.0), ("long", 50.0), ("middle", 10.0)):
        src = _notebook(book / f"{name}.ipynb", f"open({str(log)!r}, 'a').write({name!r} + '\\n')", "print(6 * 7)")
        jobs.append(Job(src, cost))
    last = _notebook(book / "scorecard.ipynb",
                     f"seen = open({str(log)!r}).read().split()\nassert sorted(seen) == ['long', 'middle', 'short'], seen")
    jobs.append(Job(last, 0.0, last=True))
    md = book / "page.md"  # a MyST Markdown notebook, read as myst-nb reads it
    md.write_text("---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
                  "kernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n# Page\n\n"
                  "```{code-cell} ipython3\nprint('page')\n```\n")
    jobs.append(Job(md, 0.0, last=True))
    cache_dir = tmp_path / "jupyter_cache"
    assert run(order(jobs), cache_dir, tmp_path / "executed", n_jobs=1) == 0
    assert log.read_text().split() == ["long", "middle", "short"]
    cache = get_cache(str(cache_dir))
    for job in jobs:  # the source notebook (no outputs) matches its executed record, as myst-nb looks it up
        record = cache.match_cache_notebook(read_source(job.path))
        assert record.uri == str(job.path.resolve())
    _, merged = cache.merge_match_into_notebook(nbformat.read(book / "middle.ipynb", as_version=4))
    assert merged.cells[1].outputs[0]["text"].strip() == "42"


def test_a_failing_notebook_fails_the_run_with_its_error_and_the_last_notebook_is_skipped(tmp_path, capfd):
    book = tmp_path / "book"
    book.mkdir()
    marker = tmp_path / "scorecard_ran"
    good = _notebook(book / "good.ipynb", "x = 1")
    bad = _notebook(book / "bad.ipynb", "raise ValueError('no retrieval at this load')")
    last = _notebook(book / "scorecard.ipynb", f"open({str(marker)!r}, 'w').write('ran')")
    cache_dir = tmp_path / "jupyter_cache"
    rc = run(order([Job(good, 1.0), Job(bad, 2.0), Job(last, 0.0, last=True)]), cache_dir, tmp_path / "executed", n_jobs=2)
    err = capfd.readouterr().err
    assert rc == 1
    assert "no retrieval at this load" in err and "FAILED bad.ipynb" in err
    assert not marker.exists()
    cache = get_cache(str(cache_dir))
    assert cache.match_cache_notebook(nbformat.read(good, as_version=4)) is not None
    try:
        cache.match_cache_notebook(nbformat.read(bad, as_version=4))
        raise AssertionError("a failed notebook must have no cache record")
    except KeyError:
        pass


def test_a_kernel_that_dies_at_start_is_started_again(tmp_path, monkeypatch):
    """Two kernels started together can race for a port and one dies before running a cell: the
    notebook is executed again from its source; any other error is raised at once."""
    import nbclient

    from hopcore.book import execute

    src = _notebook(tmp_path / "a.ipynb", "x = 1")
    calls = []

    class Flaky:
        def __init__(self, nb, **kw):
            self.nb = nb

        def execute(self):
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("Kernel died before replying to kernel_info")
            for cell in self.nb.cells:
                cell.outputs = [nbformat.v4.new_output("stream", text="ran")]

    monkeypatch.setattr(nbclient, "NotebookClient", Flaky)
    monkeypatch.setattr(execute.time, "sleep", lambda s: None)
    execute.execute_one(src, tmp_path / "out.ipynb")
    assert len(calls) == 2
    assert nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs[0]["text"] == "ran"

    class Broken(Flaky):
        def execute(self):
            raise RuntimeError("something else")

    monkeypatch.setattr(nbclient, "NotebookClient", Broken)
    with pytest.raises(RuntimeError, match="something else"):
        execute.execute_one(src, tmp_path / "out2.ipynb")
