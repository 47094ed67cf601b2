"""The verdict record, its criterion and its computed resolution; the scorecard that gathers them."""

import json
import math

import pytest
from verdict_power import assert_power

from hopcore.book import scorecard
from hopcore.book.report import envelope
from hopcore.book.verdicts import format_pm, verdict


def make(ref=0.2246, value=0.2230, err=0.0031, **kw):
    return verdict("lam_c", paper="lucibello2023exponential", item="λ_c(0.2)", book=(value, err),
                   reference=ref, aim=0.03, **kw)


def test_criterion_and_resolution():
    v = make()
    assert v.holds and v.tolerance == pytest.approx(2 * 0.0031)
    # every relative shift beyond the resolution fails it, in both directions; just inside holds
    res = v.resolution
    assert res == pytest.approx((0.0062 + 0.0016) / 0.2246)
    for s in (1.0001, -1.0001):
        assert not make(ref=0.2246 * (1 + s * res)).holds
    assert make(ref=0.2246 * (1 + 0.999 * (0.0062 - 0.0016) / 0.2246)).holds
    assert not v.meets_aim and make(err=0.001).meets_aim


def test_errors_combine_in_quadrature():
    v = make(sys_err=0.004, reference_err=0.003, z=3.0)
    assert v.book_err == pytest.approx(math.hypot(0.0031, 0.004))
    assert v.tolerance == pytest.approx(3.0 * math.hypot(v.book_err, 0.003))


def test_missing_value_fails_and_reads_in_words():
    v = make(value=float("nan"))
    assert not v.holds and "nan" not in v.phrase() and "no value" in v.phrase()
    assert math.isnan(v.resolution)


def test_phrases():
    assert make().phrase() == "within 0.5 $\\sigma$"
    far = make(value=0.2246 + 5 * 0.0031)
    assert far.phrase().startswith("5.0 $\\sigma$ above") and not far.holds
    assert make(value=0.2246 - 3 * 0.0031).phrase().startswith("3.0 $\\sigma$ below")
    assert format_pm(0.22301, 0.00312) == "0.2230 \\pm 0.0031"


def test_power_helper_detects_a_blind_verdict():
    # a verdict whose reference does not reach it (the bug the mutation tests exist for)
    with pytest.raises(AssertionError):
        assert_power(lambda scale: [make()], "lam_c")
    assert_power(lambda scale: [make(ref=0.2246 * scale)], "lam_c")


def test_record_in_summary_and_unique_names():
    env = envelope({"profile": "test"}, {}, {"x": 1}, [make()])
    rec = env["verdicts"]["lam_c"]
    for key in ("paper", "item", "book", "book_err", "reference", "tolerance", "holds", "resolution"):
        assert key in rec
    with pytest.raises(ValueError):
        envelope({"profile": "test"}, {}, {}, [make(), make()])
    with pytest.raises(ValueError):
        envelope({"profile": "test"}, {}, {"verdicts": 1})


def test_scorecard_collects_and_writes(tmp_path):
    folder = tmp_path / "dense_simulations"
    folder.mkdir()
    env = envelope({"profile": "quick"}, {}, {}, [make()])
    (folder / "summary.json").write_text(json.dumps(env))
    data = scorecard.collect(tmp_path)
    assert [r["name"] for r in data["verdicts"]] == ["lam_c"] and "classical_snr" in data["missing"]
    assert scorecard.count(data) == {"total": 1, "hold": 1, "meet_aim": 0}
    out = json.loads(scorecard.write(data, tmp_path).read_text())
    assert out["counts"]["total"] == 1
    table = scorecard.table_markdown(data)
    assert "0.2230 \\pm 0.0031" in table and "holds" in table
    assert "within 0.5" in scorecard.headline(data, "dense_simulations", "lam_c")
    assert scorecard.headline(data, "dense_simulations", "other") == "not computed in this build"
