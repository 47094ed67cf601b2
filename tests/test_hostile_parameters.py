"""Hostile parameters: every knob of every chapter rejects bad values, naming itself, before any work."""

import subprocess
import sys

import pytest

from hopcore.book.spec import registry, resolve

CHAPTERS = registry()
FREE_FORM = {"output_dir"}


def _cases():
    for name, spec in CHAPTERS.items():
        for knob, param in spec.all_params().items():
            if knob in FREE_FORM:
                continue
            yield name, knob, param.quick


@pytest.mark.parametrize("name,knob,default", list(_cases()))
def test_non_numeric_string_and_negative_values_are_rejected(name, knob, default, tmp_path):
    out = tmp_path / "out"
    bad_values = ["not-a-number"]
    if not isinstance(default, str):
        bad_values += [-1, -0.5, [-1.0], "1e400"]
    for bad in bad_values:
        if isinstance(default, (list, tuple)) and bad == -1:
            bad = [-1]
        try:
            resolve(name, {knob: bad, "output_dir": str(out)})
        except ValueError as exc:
            assert knob in str(exc), f"{name}.{knob}={bad!r}: message does not name the parameter: {exc}"
            assert "must be" in str(exc) or "valid parameters" in str(exc)
        else:
            pytest.fail(f"{name}.{knob}={bad!r} was accepted")
    assert not out.exists(), "validation must not create the output folder"


@pytest.mark.parametrize("name", list(CHAPTERS))
def test_huge_sizes_are_rejected_before_work(name, tmp_path):
    """A size knob set absurdly large must be refused (range or memory check)."""
    spec = CHAPTERS[name]
    sizes = [k for k in spec.params if k == "N" or k.startswith("N_") or k in ("Ns", "Ns_capacity")]
    for knob in sizes:
        default = spec.params[knob].quick
        huge = [10**9] * len(default) if isinstance(default, list) else 10**9
        with pytest.raises(ValueError, match=knob):
            resolve(name, {knob: huge, "output_dir": str(tmp_path / "o")})


SCRIPT = r"""
import sys, papermill as pm
from hopcore.book.spec import get
spec = get(sys.argv[1])
pm.execute_notebook(str(spec.notebook_path), sys.argv[2], parameters={"output_dir": sys.argv[3], sys.argv[4]: "not-a-number"},
                    cwd=str(spec.notebook_path.parent), progress_bar=False, kernel_name="python3")
"""


@pytest.mark.chapters
def test_papermill_string_is_rejected_with_no_partial_files(tmp_path):
    """Through papermill, a non-numeric string stops the chapter in its validation cell; no output folder."""
    name = "classical_snr"
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, name, str(tmp_path / "nb.ipynb"), str(out), "N_snr"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert "N_snr='not-a-number' is not allowed" in proc.stderr + proc.stdout
    assert not out.exists()
