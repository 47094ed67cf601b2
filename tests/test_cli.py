"""The command line ``python -m hopcore``: parsing, validation before execution, outputs, listing.

A toy chapter (a two-cell notebook written into tmp_path and registered by monkeypatching the
registry) keeps most tests fast and independent of the book's chapters; one test re-runs a real
chapter through the CLI with its small test parameters.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from hopcore import validation
from hopcore.book import cli, run, widgets
from hopcore.book import spec as specs

REPO = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------------------------
# a toy chapter


def _toy_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("N = None\nalphas = None\nseed = None\nprofile = None\noutput_dir = None")
    params.metadata["tags"] = ["parameters"]
    body = nbformat.v4.new_code_cell(
        "import json, os, pathlib\n"
        "out = pathlib.Path(output_dir)\n"
        "out.mkdir(parents=True, exist_ok=True)\n"
        "import numpy as np\n"
        "np.savez(out / 'fig-toy.npz', x=np.arange(3))\n"
        "(out / 'summary.json').write_text(json.dumps({'N': N, 'alphas': alphas, 'seed': seed,\n"
        "    'profile': profile, 'output_dir': output_dir, 'cwd': os.getcwd()}))\n"
    )
    nb.cells = [nbformat.v4.new_markdown_cell("# Toy"), params, body]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def toy(tmp_path, monkeypatch):
    nb = _toy_notebook(tmp_path / "toy.ipynb")
    spec = specs.Chapter(
        name="toy",
        notebook=str(nb),  # absolute: book_root() / absolute path is that path
        title="A toy chapter",
        params={
            "N": specs.Param(100, validation.integer(16, 10_000), paper=1000, doc="neurons"),
            "alphas": specs.Param([0.1, 0.2], validation.list_of(validation.real(0.0, 1.0, lo_open=True)), paper=[0.05, 0.1, 0.15]),
        },
        seed=5,
        minutes=(0.1, 3.0),
        cached="nothing",
    )
    monkeypatch.setattr(specs, "registry", lambda: {"toy": spec})
    monkeypatch.setenv("HOPCORE_RESULTS", str(tmp_path / "results"))
    monkeypatch.delenv("HOPCORE_PROFILE", raising=False)
    return spec


# ---------------------------------------------------------------------------------------------
# parsing


@pytest.mark.parametrize(
    "text, value",
    [
        ("2000", 2000),
        ("0.05", 0.05),
        ("1e-3", 1e-3),
        ("[1, 3, 5]", [1, 3, 5]),
        ("(0.1, 0.2)", [0.1, 0.2]),
        ("True", True),
        ("false", False),
        ("None", None),
        ("null", None),
        ("paper", "paper"),
        ("dense", "dense"),
        ("-7", -7),
    ],
)
def test_values_are_parsed_like_papermill(text, value):
    assert widgets.parse_value(text) == value
    assert type(widgets.parse_value(text)) is type(value)


# ---------------------------------------------------------------------------------------------
# validation before execution


def test_unknown_parameter_is_rejected_before_papermill_starts(toy, monkeypatch, capsys):
    import papermill

    def boom(*args, **kwargs):  # pragma: no cover - reaching it is the failure
        raise AssertionError("papermill must not start when a parameter is unknown")

    monkeypatch.setattr(papermill, "execute_notebook", boom)
    code = cli.main(["run", "toy", "-p", "n_neurons", "200"])
    err = capsys.readouterr().err
    assert code == 2
    assert "n_neurons" in err
    # the message lists every valid name, including the common ones
    for name in ("N", "alphas", "seed", "profile", "output_dir"):
        assert name in err.split("valid parameters are:")[1]


def test_out_of_range_value_is_rejected_with_the_allowed_range(toy, monkeypatch, capsys):
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("papermill started"))
    assert cli.main(["run", "toy", "-p", "N", "3"]) == 2
    err = capsys.readouterr().err
    assert "N=3 is not allowed" in err and "[16, 10000]" in err


def test_unknown_chapter_lists_the_chapters(toy, capsys):
    assert cli.main(["run", "nope"]) == 2
    assert "toy" in capsys.readouterr().err


def test_a_parameter_given_twice_is_an_error(toy):
    with pytest.raises(run.UsageError, match="twice"):
        run.build_parameters("toy", [("N", "100"), ("N", "200")])
    with pytest.raises(run.UsageError, match="both"):
        run.build_parameters("toy", [("profile", "quick")], profile="paper")


def test_check_validates_without_running(toy, monkeypatch, capsys):
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("papermill started"))
    assert cli.main(["run", "toy", "-p", "N", "200", "--check"]) == 0
    assert "valid" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# profiles


def test_profile_option_applies_the_paper_values(toy):
    params, inject = run.build_parameters("toy", [], profile="paper")
    assert params["profile"] == "paper" and params["N"] == 1000 and list(params["alphas"]) == [0.05, 0.1, 0.15]
    assert inject["profile"] == "paper"
    # a value given on the command line wins over the profile
    params, inject = run.build_parameters("toy", [("N", "300")], profile="paper")
    assert params["N"] == 300 and inject["N"] == 300


def test_profile_from_the_environment(toy, monkeypatch):
    monkeypatch.setenv("HOPCORE_PROFILE", "paper")
    params, inject = run.build_parameters("toy", [])
    assert params["profile"] == "paper" and params["N"] == 1000
    assert inject["profile"] == "paper"  # injected explicitly: the kernel does not depend on the env


def test_bad_profile_is_rejected_by_argparse(toy, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["run", "toy", "--profile", "huge"])
    assert exc.value.code == 2


# ---------------------------------------------------------------------------------------------
# execution and outputs


def test_run_executes_and_reports_where_outputs_went(toy, tmp_path, capsys):
    out = tmp_path / "my run"
    code = cli.main(["run", "toy", "-p", "N", "200", "-p", "alphas", "[0.3, 0.4]", "--profile", "paper",
                     "--output-dir", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    executed = out / "toy.ipynb"
    summary = json.loads((out / "summary.json").read_text())
    # the notebook received the parsed values, the profile and the absolute output folder
    assert summary["N"] == 200 and summary["alphas"] == [0.3, 0.4]
    assert summary["profile"] == "paper"
    assert Path(summary["output_dir"]) == out.resolve()
    # executed in the notebook's folder, like the book build
    assert Path(summary["cwd"]).resolve() == Path(toy.notebook).parent.resolve()
    # the printed report names the executed notebook, the summary and the data files
    assert str(executed) in printed and str(out / "summary.json") in printed and "fig-toy.npz" in printed
    nb = nbformat.read(executed, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "N = 200" in injected[0].source and 'profile = "paper"' in injected[0].source


def test_default_output_dir_is_build_results_chapter(toy, tmp_path, capsys):
    assert cli.main(["run", "toy"]) == 0
    out = tmp_path / "results" / "toy"  # HOPCORE_RESULTS set by the fixture
    assert (out / "toy.ipynb").exists() and (out / "summary.json").exists()
    assert json.loads((out / "summary.json").read_text())["profile"] == "quick"
    assert str(out) in capsys.readouterr().out


def test_a_failing_notebook_exits_non_zero_and_points_at_the_notebook(toy, tmp_path, capsys):
    nb = nbformat.read(toy.notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure')"))
    nbformat.write(nb, toy.notebook)
    out = tmp_path / "failing"
    assert cli.main(["run", "toy", "--output-dir", str(out)]) == 1
    printed = capsys.readouterr().out
    assert "FAILED" in printed and str(out / "toy.ipynb") in printed
    assert (out / "toy.ipynb").exists()


# ---------------------------------------------------------------------------------------------
# listing, re-run box, tables


def test_list_shows_chapters_parameters_and_defaults(toy, capsys):
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "toy: A toy chapter" in out
    assert "quick 100 | paper 1000" in out
    assert "quick [0.1, 0.2] | paper [0.05, 0.1, 0.15]" in out
    for name in ("seed", "profile", "output_dir"):
        assert name in out


def test_rerun_box_comes_from_the_registry(toy):
    box = widgets.rerun_box("toy")
    md, html = box._repr_markdown_(), box._repr_html_()
    for text in (md, html):
        assert "python -m hopcore run toy" in text
        assert "python -m hopcore run toy --profile paper" in text
        assert "-p N 1000" in text  # the example changes a parameter to its paper value
        assert "about 5 s" in text and "about 3 min" in text  # minutes=(0.1, 3.0)
        assert "nothing" in text  # what is cached
    assert 'class="admonition tip hopcore-rerun"' in html
    # every command in the box is accepted by the parser
    for _, cmd, _ in box.commands:
        argv = cmd.split()[3:]
        parsed = cli._parser().parse_args(argv)
        run.build_parameters(parsed.chapter, parsed.parameter, parsed.profile, parsed.output_dir)


def test_format_minutes():
    assert widgets.format_minutes(0.01) == "about 5 s"
    assert widgets.format_minutes(0.5) == "about 30 s"
    assert widgets.format_minutes(12) == "about 12 min"
    assert widgets.format_minutes(150) == "about 2.5 h"


def test_benchmark_table_survives_missing_files_and_fields(tmp_path):
    missing = widgets.benchmark_table(tmp_path / "absent.json")
    assert missing.rows == [] and "No benchmark results" in missing.note
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert "could not be read" in widgets.benchmark_table(broken).note
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"entries": {
        "full": {"name": "full", "params": {"N": 10}, "baseline": "numpy", "baseline_s": 2.0,
                 "hopcore_s": 0.5, "speedup": 4.0, "same_fixed_point": True},
        "bare": {"name": "bare"},
        "nan": {"name": "nan", "baseline_s": None, "hopcore_s": float("nan")},
        "derived": {"name": "derived", "baseline_s": 1.0, "hopcore_s": 0.25, "same_x": False},
        "book": {"name": "book", "target_s": 300.0, "hopcore_s": 130.0},
        "slow_book": {"name": "slow_book", "target_s": 300.0, "hopcore_s": 301.0},
    }}))
    table = widgets.benchmark_table(partial)
    rows = {r[0]: r for r in table.rows}
    assert rows["full"][3:] == ["2", "0.5", "4x", "yes"]
    assert rows["bare"][3:] == ["—", "—", "—", "—"]
    assert rows["nan"][3:6] == ["—", "—", "—"]
    assert rows["derived"][5:] == ["4x", "NO"]
    assert rows["book"][3:6] == ["300 (target)", "130", "within target"]
    assert rows["slow_book"][5] == "over target"
    assert widgets.benchmark_markdown(json.loads(partial.read_text())).count("\n| ") == len(rows)
    assert "<table" in table._repr_html_() and "derived" in repr(table)


def test_chapter_table_lists_the_registered_chapters():
    table = widgets.chapter_table()
    assert [r[0] for r in table.rows] == list(specs.registry())


# ---------------------------------------------------------------------------------------------
# the real thing: python -m hopcore in a subprocess, on a real chapter


def test_module_entry_point_lists_the_book_chapters():
    res = subprocess.run([sys.executable, "-m", "hopcore", "list"], cwd=REPO, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    for name, spec in specs.registry().items():
        assert f"{name}: {spec.title}" in res.stdout


def test_module_entry_point_rejects_an_unknown_parameter_of_a_real_chapter():
    chapters = specs.registry()
    if not chapters:
        pytest.skip("no chapter registered yet")
    name = next(iter(chapters))
    res = subprocess.run([sys.executable, "-m", "hopcore", "run", name, "-p", "no_such_knob", "1"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert "no_such_knob" in res.stderr and "valid parameters are" in res.stderr
    assert "executed" not in res.stdout  # nothing ran


def _fastest_chapter():
    chapters = specs.registry()
    if not chapters:
        return None
    return min(chapters.values(), key=lambda spec: spec.minutes[0])


@pytest.mark.chapters
def test_real_chapter_runs_through_the_cli(tmp_path):
    spec = _fastest_chapter()
    if spec is None:
        pytest.skip("no chapter registered yet")
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "hopcore", "run", spec.name, "--output-dir", str(out)]
    for key, value in spec.extra.get("test", {}).items():
        argv += ["-p", key, widgets._show(value)]
    env = dict(os.environ, HOPCORE_CACHE=str(tmp_path / "cache"), NUMBA_NUM_THREADS="1")
    env.pop("HOPCORE_PROFILE", None)
    res = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=900, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert (out / f"{spec.name}.ipynb").exists()
    assert json.loads((out / "summary.json").read_text())
    assert list(out.glob("*.npz"))
    assert f"executed    {out / (spec.name + '.ipynb')}" in res.stdout
    assert f"summary     {out / 'summary.json'}" in res.stdout
