"""The reproduction scorecard: every chapter's verdicts gathered in one table.

:func:`collect` reads ``summary.json`` of every chapter of the build (``_build/results/<chapter>/``),
:func:`write` writes the aggregated records to ``_build/results/verdicts.json`` and
:func:`table_markdown` renders them as one Markdown table grouped by paper, each row linking the
book's figure. The page ``book/scorecard.ipynb`` runs after every chapter (the book's scheduler
executes it last).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .verdicts import cells, format_percent, format_pm, format_value

__all__ = ["PAPERS", "collect", "count", "headline", "headline_text", "table_markdown", "write"]

# display order and names of the papers whose results are tested (bibliography keys)
PAPERS = {
    "kalaj2024random": "Random features: generalization",
    "negri2023storage": "Random features: storage and learning",
    "lucibello2023exponential": "Dense memories: exponential capacity",
    "amit1985storing": "Classical model: replica theory",
    "mceliece1987capacity": "Classical model: logarithmic capacity",
    "book": "Results of this book beyond the papers",
}

# short names of the chapters for the table's figure column
SHORT = {
    "classical_snr": "Signal to noise",
    "classical_replica": "Replica theory",
    "dense_attention": "Energy and attention",
    "dense_rem": "Random energy model",
    "dense_simulations": "Finite-N simulations",
    "rf_storage_learning": "Storage and learning",
    "rf_generalization": "Generalization",
    "rf_mixture_snr": "Mixture signal to noise",
    "rf_spinodals": "Mixture spinodals",
}


def collect(results_dir: str | Path | None = None) -> dict[str, Any]:
    """Every verdict of the build.

    Parameters
    ----------
    results_dir : str or Path, optional
        Folder of the chapters' result folders (default :func:`hopcore.config.results_root`).

    Returns
    -------
    dict
        ``profiles`` (chapter -> profile), ``missing`` (chapters without a summary) and ``verdicts``
        (list of records, each with ``chapter`` and ``name`` added), ordered by paper then chapter.
    """
    from ..config import results_root
    from .spec import registry

    root = Path(results_dir) if results_dir is not None else results_root()
    records, profiles, missing = [], {}, []
    for name in registry():
        path = root / name / "summary.json"
        if not path.exists():
            missing.append(name)
            continue
        summary = json.loads(path.read_text())
        profiles[name] = summary.get("profile")
        for vname, rec in (summary.get("verdicts") or {}).items():
            records.append({"chapter": name, "name": vname, **rec})
    order = {k: i for i, k in enumerate(PAPERS)}
    records.sort(key=lambda r: (order.get(r.get("paper"), len(order)), r["chapter"]))
    return {"profiles": profiles, "missing": missing, "verdicts": records}


def count(data: dict[str, Any]) -> dict[str, int]:
    """Numbers of verdicts: ``total``, ``hold``, ``meet_aim``."""
    v = data["verdicts"]
    return {"total": len(v), "hold": sum(bool(r["holds"]) for r in v),
            "meet_aim": sum(bool(r.get("meets_aim")) for r in v)}


def write(data: dict[str, Any], results_dir: str | Path | None = None) -> Path:
    """Write the aggregated records to ``verdicts.json`` in the results folder."""
    from ..config import results_root
    from ..io import write_json

    root = Path(results_dir) if results_dir is not None else results_root()
    return write_json(root / "verdicts.json", {**data, "counts": count(data)})


def _num(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def _row(r: dict[str, Any]) -> str:
    # figure numbers restart in every chapter: name the chapter with the number
    chapter = f"{{doc}}`{SHORT.get(r['chapter'], r['chapter'])} <{r['chapter']}>`"
    fig = (f"{{numref}}`Fig. {{number}} <{r['figure']}>`, {chapter}" if r.get("figure", "").startswith("fig-")
           else chapter)
    book, ref, res_s = cells(r["book"], r["book_err"], r["reference"], _num(r.get("resolution")))
    aim = f"${format_percent(_num(r.get('aim')))}$"
    verdict = ("holds" if r["holds"] else "**fails**") + f", {r['phrase']}" if r.get("phrase") else ""
    item = r["item"].replace("|", "/")
    return f"| {item} | {fig} | {book} | {ref} | {verdict} | {res_s} (aim {aim}) |"


def table_markdown(data: dict[str, Any]) -> str:
    """The scorecard as Markdown: one table per paper (rows: item, figure, book, reference, verdict,
    resolution against its aim)."""
    out = []
    by_paper: dict[str, list] = {}
    for r in data["verdicts"]:
        by_paper.setdefault(r.get("paper", "book"), []).append(r)
    for key, rows in by_paper.items():
        title = PAPERS.get(key, key)
        cite = "" if key == "book" else f" {{cite:p}}`{key}`"
        out.append(f"### {title}{cite}\n")
        out.append("| Result | Book figure | Book | Reference | Verdict | Resolution |")
        out.append("| --- | --- | --- | --- | --- | --- |")
        out.extend(_row(r) for r in rows)
        out.append("")
    if data["missing"]:
        out.append("Chapters without results in this build: " + ", ".join(f"{{doc}}`{m}`" for m in data["missing"]) + ".")
    return "\n".join(out)


def headline(data: dict[str, Any], chapter: str, name: str) -> str:
    """Short Markdown of one verdict: value ± error against the reference, and its phrase."""
    for r in data["verdicts"]:
        if r["chapter"] == chapter and r["name"] == name:
            return (f"${format_pm(r['book'], r['book_err'])}$ against "
                    f"${format_value(r['reference'], r['book_err'] or None)}$ ({r['phrase']})")
    return "not computed in this build"


def headline_text(data: dict[str, Any], chapter: str, name: str) -> str:
    """The same as :func:`headline` in plain text without symbols (for pages that paste it from
    another document, where only plain text can be pasted)."""
    for r in data["verdicts"]:
        if r["chapter"] == chapter and r["name"] == name:
            book = format_pm(r["book"], r["book_err"]).replace(" \\pm ", " ± ")
            ref = format_value(r["reference"], r["book_err"] or None)
            s = abs(_num(r.get("sigmas")))
            if not math.isfinite(_num(r["book"])):
                return "no value in this build"
            how = (f"within {max(s, 0.1):.1f} standard errors" if r["holds"] else
                   f"{s:.1f} standard errors away, outside the tolerance")
            res = _num(r.get("resolution"))
            res_s = f"; resolution {100 * res:.2g} %" if math.isfinite(res) else ""
            return f"{book} against {ref} ({how}{res_s})"
    return "not computed in this build"
