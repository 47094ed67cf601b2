"""Verdicts: did a result of a paper reproduce, and how precisely could the run tell?

A :class:`Verdict` compares one number the book computed (``book``, with its total error
``book_err``: the run's statistical error and any systematic error that does not depend on the
reference, in quadrature) with the number it tests (``reference``: usually the theory as hopcore
computes it, or an independent route). It holds when

    |book - reference| <= tolerance,     tolerance = z * book_err (+ reference_err in quadrature),

with the multiplier ``z`` fixed in the chapter module before the run (a constant, never tuned on
the result). Its **resolution** is computed, not declared: the smallest relative shift ``s`` of the
reference such that *every* shift larger than ``s``, in either direction, makes the verdict fail,

    resolution = (tolerance + |book - reference|) / |reference|.

``aim`` is the resolution the verdict aims for at paper scale; ``make test-paper`` fails when a
verdict does not hold there or misses its aim.

A chapter writes its verdicts as one declarative list (``verdicts = [verdict(...), ...]``) and
:func:`hopcore.book.report.publish` stores them in ``summary.json`` under ``verdicts`` (name ->
record) and glues, for each, a short phrase and the numbers:

- ``<chapter>_verdict_<name>``             "within 0.5 σ" / "2.6 σ above" (Markdown, σ as math)
- ``<chapter>_verdict_<name>_book``        ``$0.2230 \\pm 0.0031$``
- ``<chapter>_verdict_<name>_reference``   ``$0.2246$``
- ``<chapter>_verdict_<name>_resolution``  ``2.1\\,\\%`` (as math)

The record (public contract of ``summary.json``)::

    {"paper": <bib key>, "item": "Fig. 2b: L_max ∝ α_D^e", "book": value, "book_err": total error,
     "reference": value, "tolerance": value, "holds": bool, "resolution": relative shift detected,
     "aim": aimed resolution at paper scale, "figure": label of the book's figure,
     "published": {"value": ..., "where": ...} (where the paper prints the number), ...}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

__all__ = ["Verdict", "verdict", "format_percent", "format_pm", "format_value", "glue_entries", "sci", "table_markdown", "cells"]


def _f(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


@dataclass(frozen=True)
class Verdict:
    """One reproduction verdict (see the module docstring for the criterion and the resolution).

    Parameters
    ----------
    name : str
        Short name, unique in the chapter (glue and summary key).
    paper : str
        Bibliography key of the paper whose result is tested (``references.bib``).
    item : str
        The paper's figure or number ("Fig. 1 bottom: λ_c(0.2)"), plain text for tables and JSON.
    book, book_err : float
        The book's value and its total error (statistical and reference-independent systematic).
    reference : float
        The number tested.
    tolerance : float
        Largest allowed |book - reference|.
    aim : float
        The relative resolution aimed for at paper scale.
    z : float
        The multiplier of the error that gave the tolerance (for the record).
    figure : str
        Label of the book's figure (or section) that shows it.
    published : dict, optional
        ``{"value": ..., "where": ...}`` when the paper prints the number.
    extra : dict, optional
        Further numbers of the record (plain JSON values).
    """

    name: str
    paper: str
    item: str
    book: float
    book_err: float
    reference: float
    tolerance: float
    aim: float
    z: float = float("nan")
    figure: str = ""
    published: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def deviation(self) -> float:
        """book - reference."""
        return _f(self.book) - _f(self.reference)

    @property
    def holds(self) -> bool:
        """|book - reference| <= tolerance, with finite numbers."""
        d, t = self.deviation, _f(self.tolerance)
        return bool(math.isfinite(d) and math.isfinite(t) and abs(d) <= t)

    @property
    def resolution(self) -> float:
        """Smallest relative shift of the reference beyond which the verdict fails in either direction."""
        r, d, t = _f(self.reference), self.deviation, _f(self.tolerance)
        if not (math.isfinite(r) and math.isfinite(d) and math.isfinite(t)) or r == 0:
            return float("nan")
        return (t + abs(d)) / abs(r)

    @property
    def sigmas(self) -> float:
        """Deviation in units of the total error (signed)."""
        e = _f(self.book_err)
        return self.deviation / e if e > 0 else float("nan")

    @property
    def meets_aim(self) -> bool:
        """The resolution is at most the aimed one."""
        res = self.resolution
        return bool(math.isfinite(res) and res <= self.aim)

    def phrase(self) -> str:
        """Short verdict phrase (Markdown): "within 0.5 $\\sigma$", "2.6 $\\sigma$ above", "no value"."""
        s = self.sigmas
        if not math.isfinite(_f(self.book)):
            return "no value in this run"
        if not math.isfinite(s):
            return "holds" if self.holds else "does not hold"
        a = abs(s)
        if self.holds:
            return f"within {_sig(max(a, 0.1))} $\\sigma$"
        return f"{_sig(a)} $\\sigma$ {'above' if s > 0 else 'below'}, outside the tolerance"

    def record(self) -> dict[str, Any]:
        """The verdict as written in ``summary.json`` under ``verdicts``."""
        from ..io import plain

        rec = {
            "paper": self.paper, "item": self.item, "book": _f(self.book), "book_err": _f(self.book_err),
            "reference": _f(self.reference), "tolerance": _f(self.tolerance), "holds": self.holds,
            "resolution": self.resolution, "aim": float(self.aim), "meets_aim": self.meets_aim,
            "z": _f(self.z), "sigmas": self.sigmas, "figure": self.figure, "phrase": self.phrase(),
        }
        if self.published is not None:
            rec["published"] = dict(self.published)
        rec.update(dict(self.extra))
        return plain(rec)


def _sig(a: float) -> str:
    return f"{a:.1f}" if a < 10 else f"{a:.0f}"


def verdict(name: str, *, paper: str, item: str, book: Sequence[float] | float, reference: float,
            aim: float, z: float = 2.0, sys_err: float = 0.0, reference_err: float = 0.0,
            tolerance: float | None = None, figure: str = "", published: Mapping[str, Any] | None = None,
            **extra: Any) -> Verdict:
    """Build a :class:`Verdict`.

    ``book`` is ``(value, statistical error)`` (or a bare value with ``tolerance`` given). The total
    error is ``hypot(stat, sys_err)``; the tolerance ``z * hypot(book_err, reference_err)`` unless
    given explicitly (then it must come from the physics and be fixed before the run).

    Parameters
    ----------
    name : str
        Verdict name (unique in the chapter).
    paper : str
        Bibliography key.
    item : str
        The paper's figure or number.
    book : (float, float) or float
        Value and statistical error.
    reference : float
        The number tested.
    aim : float
        Aimed relative resolution at paper scale.
    z : float, optional
        Multiplier of the combined error (default 2).
    sys_err : float, optional
        Systematic error of the book's value, independent of the reference.
    reference_err : float, optional
        Error of the reference itself (numerical or statistical), added in quadrature.
    tolerance : float, optional
        Explicit absolute tolerance (overrides ``z``).
    figure : str, optional
        Label of the book's figure.
    published : dict, optional
        ``{"value": ..., "where": ...}``.
    **extra
        Further numbers of the record.

    Returns
    -------
    Verdict
        The verdict.
    """
    if isinstance(book, (tuple, list)):
        value, stat = _f(book[0]), _f(book[1])
    else:
        value, stat = _f(book), 0.0
    err = math.hypot(stat, _f(sys_err)) if math.isfinite(stat) else float("nan")
    tol = _f(tolerance) if tolerance is not None else _f(z) * math.hypot(err, _f(reference_err))
    return Verdict(name=name, paper=paper, item=item, book=value, book_err=err, reference=_f(reference),
                   tolerance=tol, aim=float(aim), z=_f(z) if tolerance is None else float("nan"),
                   figure=figure, published=published, extra=extra)


def format_value(x: float, err: float | None = None, digits: int = 2) -> str:
    """A number with as many decimals as ``digits`` significant figures of ``err`` give (plain text)."""
    x = _f(x)
    if not math.isfinite(x):
        return "–"
    e = _f(err) if err is not None else float("nan")
    if math.isfinite(e) and e > 0:
        dec = max(0, digits - 1 - int(math.floor(math.log10(e))))
        dec = min(dec, 8)
        return f"{x:.{dec}f}"
    return f"{x:.4g}"


def format_pm(x: float, err: float) -> str:
    """``value \\pm error`` in TeX (no dollars), the error to two significant figures (in scientific
    notation when it is below 1e-6)."""
    e = _f(err)
    if not (math.isfinite(e) and e > 0):
        return format_value(x)
    dec = max(0, 1 - int(math.floor(math.log10(e))))
    if dec > 7:
        return f"{_f(x):.10g} \\pm {sci(e)}"
    return f"{_f(x):.{dec}f} \\pm {e:.{dec}f}"


def sci(x: float, digits: int = 2) -> str:
    """A number in TeX scientific notation, ``1.7\\times10^{-9}``, with ``digits`` significant figures."""
    x = _f(x)
    if not math.isfinite(x) or x == 0:
        return f"{x:g}"
    exp = int(math.floor(math.log10(abs(x))))
    mant = x / 10**exp
    return f"{mant:.{digits - 1}f}\\times10^{{{exp}}}"


def format_percent(res: float) -> str:
    """A relative resolution as TeX percent: ``2.1\\,\\%``, ``0.082\\,\\%``, ``1.7\\times10^{-7}\\,\\%``."""
    pct = 100 * _f(res)
    if not math.isfinite(pct):
        return "–"
    if pct >= 1:
        body = f"{pct:.1f}"
    elif pct >= 1e-3:
        body = f"{pct:.2g}"
    else:
        body = sci(pct)
    return f"{body}\\,\\%"


def glue_entries(chapter: str, verdicts: Sequence[Verdict]) -> dict[str, Any]:
    """The glue values of a chapter's verdicts (name -> IPython Markdown), see the module docstring."""
    from IPython.display import Markdown

    out: dict[str, Any] = {}
    for v in verdicts:
        key = f"{chapter}_verdict_{v.name}"
        out[key] = Markdown(v.phrase())
        out[key + "_book"] = Markdown(f"${format_pm(v.book, v.book_err)}$")
        dec_ref = format_value(v.reference, v.book_err if v.book_err > 0 else None)
        out[key + "_reference"] = Markdown(f"${dec_ref}$")
        res = v.resolution
        out[key + "_resolution"] = Markdown(f"${format_percent(res)}$" if math.isfinite(res) else "not measurable")
    return out


def cells(book: float, book_err: float, reference: float, resolution: float) -> tuple[str, str, str]:
    """The Markdown cells of a verdict's row: book ± error, reference (to the error's digits), resolution.

    Parameters
    ----------
    book, book_err, reference, resolution : float
        The verdict's numbers (as in its record).

    Returns
    -------
    tuple of str
        ``("$0.2230 \\pm 0.0031$", "$0.2246$", "$3.5\\,\\%$")``; "no value" and "–" where missing.
    """
    err = _f(book_err)
    book_s = f"${format_pm(book, err)}$" if math.isfinite(_f(book)) else "no value"
    ref_s = f"${format_value(reference, err if err > 0 else None)}$"
    res = _f(resolution)
    return book_s, ref_s, (f"${format_percent(res)}$" if math.isfinite(res) else "–")


def table_markdown(verdicts: Sequence[Verdict], labels: Mapping[str, str] | None = None,
                   reference: str = "reference") -> str:
    """A chapter's verdicts as a Markdown table: result, book, reference, verdict, resolution, aim.

    Only the verdicts of the run appear, so the table is right whatever the parameters.

    Parameters
    ----------
    verdicts : sequence of Verdict
        The run's verdicts.
    labels : mapping, optional
        Name -> the result's label in the page's words (Markdown); default: the verdict's ``item``.
    reference : str, optional
        Header of the reference column.

    Returns
    -------
    str
        The Markdown table.
    """
    labels = labels or {}
    rows = [f"| result | this book | {reference} | verdict | resolution | aim |", "|---|---|---|---|---|---|"]
    for v in verdicts:
        book, ref, res_s = cells(v.book, v.book_err, v.reference, v.resolution)
        label = labels.get(v.name, v.item.replace("|", "/"))
        rows.append(f"| {label} | {book} | {ref} | {v.phrase()} | {res_s} | ${format_percent(v.aim)}$ |")
    return "\n".join(rows)
