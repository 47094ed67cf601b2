"""What a chapter run leaves behind: ``summary.json`` in one envelope, claims, timings, glue.

Every chapter writes ``summary.json`` with the same envelope,

    {"parameters": {...}, "profile": "quick", "hopcore_version": "...", "code_version": "...",
     "claims": {name: {"holds": bool, "statement": str, "evidence": {...}}}, <chapter keys>}

where ``parameters`` are the resolved parameters (without ``output_dir``, so the file is the same
wherever it is written) and ``code_version`` the version of the computing code
(:func:`hopcore.experiments.cache.code_version`). Wall times go to ``timing.json`` beside it, so
the summary is identical from run to run.

A :class:`Claim` is a sentence the book states about the run it sits in ("the features are learned
before the training examples lose stability", "the intercept agrees with the theory within two
standard errors"): whether it holds, the sentence, and the numbers it rests on (tolerances included).
:func:`publish` glues each claim's text into the page as ``<chapter>_claim_<name>`` (the chapter's
name, e.g. ``rf_generalization_claim_learning_first``): the statement when it holds, otherwise the
sentence saying that it does not hold in this run. The page shows it with
``{glue:text}`rf_generalization_claim_learning_first```.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from .. import __version__
from ..io import plain, write_json
from .verdicts import Verdict, glue_entries

__all__ = ["ChapterResult", "Claim", "claim", "claim_key", "data_link", "envelope", "glue_figure", "glue_values",
           "publish"]

ENVELOPE = ("parameters", "profile", "hopcore_version", "code_version", "claims", "verdicts")


@dataclass(frozen=True)
class Claim:
    """A computed statement about the run.

    Parameters
    ----------
    holds : bool
        Whether the statement holds in this run (stored as a bool).
    statement : str
        The sentence as the book states it when it holds (plain text, numbers formatted in, no TeX).
    evidence : Mapping, optional
        The numbers it rests on, tolerances included.
    otherwise : str, optional
        The sentence shown when it does not hold (default: the statement prefixed by
        "Not in this run:" and followed by the evidence).
    finding : bool, optional
        True (default) when the book presents it as a finding at paper scale (``make test-paper``
        fails if it does not hold there).
    """

    holds: bool
    statement: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    otherwise: str = ""
    finding: bool = True

    def __post_init__(self):
        object.__setattr__(self, "holds", bool(self.holds))

    @property
    def text(self) -> str:
        """The sentence shown in the page: the statement when it holds, else ``otherwise`` or the default.

        Returns
        -------
        str
            The text glued into the page.
        """
        if self.holds:
            return self.statement
        if self.otherwise:
            return self.otherwise
        shown = ", ".join(f"{k} = {_fmt(v)}" for k, v in self.evidence.items())
        return f"Not in this run: {self.statement.rstrip('.')} does not hold ({shown})."

    def record(self) -> dict[str, Any]:
        """The claim as written in ``summary.json``.

        Returns
        -------
        dict
            ``holds``, ``statement``, ``evidence`` (plain JSON values), ``finding`` and ``text``.
        """
        return {"holds": self.holds, "statement": self.statement, "evidence": plain(dict(self.evidence)),
                "finding": self.finding, "text": self.text}


def claim(holds: bool, statement: str, otherwise: str = "", finding: bool = True, **evidence: Any) -> Claim:
    """Build a :class:`Claim`: ``claim(a < b, "the features are learned first", otherwise="...", alpha_learning=a, ...)``.

    Parameters
    ----------
    holds : bool
        Whether the statement holds.
    statement : str
        The sentence when it holds.
    otherwise : str, optional
        The sentence when it does not hold.
    finding : bool, optional
        A finding at paper scale (default True).
    **evidence
        The numbers it rests on.

    Returns
    -------
    Claim
        The claim.
    """
    return Claim(holds=holds, statement=statement, evidence=evidence, otherwise=otherwise, finding=finding)


def _fmt(value: Any) -> str:
    value = plain(value, nan=float("nan"))
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list) and len(value) > 6:
        return "[" + ", ".join(_fmt(v) for v in value[:5]) + ", ...]"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def envelope(params: Mapping[str, Any], claims: Mapping[str, Claim], summary: Mapping[str, Any],
             verdicts: Sequence[Verdict] = ()) -> dict[str, Any]:
    """The summary with the common envelope first; chapter keys may not shadow an envelope key.

    Parameters
    ----------
    params : Mapping
        The resolved parameters (``output_dir`` is left out of the file).
    claims : Mapping of str to Claim
        The claims of the run.
    summary : Mapping
        The chapter keys.
    verdicts : sequence of Verdict, optional
        The verdicts of the run (``verdicts``: name -> record).

    Returns
    -------
    dict
        ``parameters``, ``profile``, ``hopcore_version``, ``code_version``, ``claims``, then the
        chapter keys.

    Raises
    ------
    ValueError
        If a chapter key is an envelope key.
    """
    from ..experiments.cache import code_version

    clash = sorted(set(summary) & set(ENVELOPE))
    if clash:
        raise ValueError(f"summary keys {clash} are reserved for the envelope of summary.json")
    head = {
        "parameters": {k: v for k, v in params.items() if k != "output_dir"},
        "profile": params.get("profile"),
        "hopcore_version": __version__,
        "code_version": code_version(),
        "claims": {name: c.record() for name, c in claims.items()},
        "verdicts": {v.name: v.record() for v in verdicts},
    }
    names = [v.name for v in verdicts]
    if len(set(names)) != len(names):
        raise ValueError(f"verdict names are not unique: {names}")
    return {**head, **summary}


def glue_values(prefix: str, values: Mapping[str, Any]) -> None:
    """``myst_nb.glue(f"{prefix}_{key}", value, display=False)`` for every entry (in a notebook).

    Parameters
    ----------
    prefix : str
        Prefix of the glue names.
    values : Mapping
        Key -> value.
    """
    from myst_nb import glue

    for key, value in values.items():
        glue(f"{prefix}_{key}", value, display=False)


def claim_key(chapter: str, name: str) -> str:
    """The glue name of a claim's text: ``<chapter>_claim_<name>``.

    Parameters
    ----------
    chapter : str
        Name of the chapter.
    name : str
        Name of the claim.

    Returns
    -------
    str
        The glue name.
    """
    return f"{chapter}_claim_{name}"


@dataclass
class ChapterResult:
    """What a chapter's ``compute`` returns, besides its own labelled arrays (subclass it and add fields).

    Parameters
    ----------
    summary : dict, optional
        The chapter keys of ``summary.json``.
    claims : dict of str to Claim, optional
        The claims.
    verdicts : list of Verdict, optional
        The reproduction verdicts (:func:`hopcore.book.verdicts.verdict`), one declarative list.
    glue : dict, optional
        The values the text glues (under the chapter's glue prefix).
    figure_data : dict of str to dict, optional
        The data behind each figure (name -> arrays, one ``.npz`` each).
    timings : dict of str to float, optional
        The wall times (to ``timing.json``, never to the summary).
    """

    summary: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)
    glue: dict[str, Any] = field(default_factory=dict)
    figure_data: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


class Written(os.PathLike):
    """The ``summary.json`` that :func:`publish` wrote (a path-like).

    Shown in a page as the folder relative to the book root, never as an absolute path of the build
    machine.

    Parameters
    ----------
    path : pathlib.Path
        Path of ``summary.json``.
    n_figures : int
        Number of figure data files written beside it.
    """

    def __init__(self, path: Path, n_figures: int):
        self.path = Path(path)
        self.n_figures = n_figures

    def __fspath__(self) -> str:
        return str(self.path)

    def _ipython_display_(self):
        # nothing on the page: the data links under the figures and the page's summary link say where
        # the results are
        return None

    def __repr__(self) -> str:
        from .spec import display_path

        return (f"summary.json, timing.json and {self.n_figures} figure data file(s) written to "
                f"{display_path(self.path.parent)}/")


def publish(params: Mapping[str, Any], result: ChapterResult, *, prefix: str, in_notebook: bool = True) -> Written:
    """Write ``summary.json``, ``timing.json`` and the figure data of a chapter run into ``output_dir``.

    ``summary.json`` is the envelope + ``result.summary``; one ``.npz`` per entry of
    ``result.figure_data``. In a notebook also glue every claim's text as ``<chapter>_claim_<name>``
    (:func:`claim_key`) and every ``result.glue`` value as ``<prefix>_<key>``.

    Parameters
    ----------
    params : Mapping
        The resolved parameters (a :class:`hopcore.book.spec.Params`).
    result : ChapterResult
        What the chapter computed.
    prefix : str
        Glue prefix of ``result.glue`` (and of the claims when ``params`` names no chapter).
    in_notebook : bool, optional
        Glue the values (default True).

    Returns
    -------
    Written
        The path of ``summary.json``.
    """
    from ..experiments.results import save_data

    out = Path(params["output_dir"])
    for name, arrays in result.figure_data.items():
        save_data(out, name, **arrays)
        save_csv(out, name, **arrays)
    path = write_json(out / "summary.json", envelope(params, result.claims, result.summary, result.verdicts))
    write_json(out / "timing.json", {"profile": params.get("profile"), **result.timings})
    if in_notebook:
        chapter = getattr(params, "chapter", "") or prefix
        glue_values(chapter, {f"claim_{name}": c.text for name, c in result.claims.items()})
        glue_values(prefix, result.glue)
        from myst_nb import glue

        for key, value in glue_entries(chapter, result.verdicts).items():
            glue(key, value, display=False)
        glue(f"{chapter}_summary_link", _markdown(data_link(chapter, "summary", kinds=("json",))), display=False)
    return Written(path, len(result.figure_data))


def _markdown(text: str):
    from IPython.display import Markdown

    return Markdown(text)


def data_link(chapter: str, name: str, kinds: Sequence[str] = ("npz", "csv")) -> str:
    """Markdown download links to the data behind a figure (or to ``summary.json``).

    The files are the ones :func:`publish` writes into ``_build/results/<chapter>/``; the links are
    Sphinx ``download`` roles, so the built site carries the files and the PDF names them.

    Parameters
    ----------
    chapter : str
        Name of the chapter.
    name : str
        File stem (the figure's label, or ``summary``).
    kinds : sequence of str, optional
        Extensions to link (default npz and csv).

    Returns
    -------
    str
        ``Data: {download}`npz <...>`, {download}`csv <...>```.
    """
    from ..config import book_root, results_root

    folder = results_root() / chapter
    try:
        rel = folder.resolve().relative_to(book_root().resolve())
    except ValueError:
        rel = None
    links = []
    for kind in kinds:
        label = f"{name}.{kind}"
        if rel is None:  # results outside the book: name the file, no link
            links.append(f"`{label}`")
        else:
            links.append(f"{{download}}`{label} <../{rel.as_posix()}/{name}.{kind}>`")
    return "Data: " + ", ".join(links) if name != "summary" else "Results of this run: " + ", ".join(links)


def glue_figure(chapter: str, name: str, fig) -> None:
    """Glue a figure (not displayed, then closed: it appears once, in its captioned ``glue:figure``)
    and its data link as ``<name>-data`` (Markdown, for the caption: ``{glue:md}`<name>-data```).

    Parameters
    ----------
    chapter : str
        Name of the chapter (its results folder).
    name : str
        The figure's label (also the stem of its data file).
    fig : matplotlib.figure.Figure
        The figure.
    """
    import matplotlib.pyplot as plt
    from myst_nb import glue

    glue(name, fig, display=False)
    plt.close(fig)
    glue(f"{name}-data", _markdown(data_link(chapter, name)), display=False)


def save_csv(output_dir, name: str, **arrays: Any) -> Path:
    """Write the arrays behind a figure as ``<name>.csv`` beside its ``.npz``.

    When every array is 1-D of one length (scalars aside), one column per array; otherwise the long
    form ``array,index,value`` (index ``i;j`` for 2-D and higher). Scalars go first as ``# name = value``
    lines in both forms.

    Parameters
    ----------
    output_dir : str or os.PathLike
        The chapter's output folder.
    name : str
        File stem.
    **arrays
        The arrays.

    Returns
    -------
    pathlib.Path
        Path of the written file.
    """
    import io as _io

    import numpy as np

    from ..io import atomic_write

    arr = {k: np.asarray(v) for k, v in arrays.items()}
    scalars = {k: v for k, v in arr.items() if v.ndim == 0}
    rest = {k: v for k, v in arr.items() if v.ndim > 0 and v.dtype.kind in "biufcUSb"}
    buf = _io.StringIO()
    for k, v in scalars.items():
        buf.write(f"# {k} = {v.item()}\n")
    lengths = {v.shape[0] for v in rest.values() if v.ndim == 1}
    if rest and all(v.ndim == 1 for v in rest.values()) and len(lengths) == 1:
        keys = list(rest)
        buf.write(",".join(keys) + "\n")
        for i in range(lengths.pop()):
            buf.write(",".join(_cell(rest[k][i]) for k in keys) + "\n")
    else:
        buf.write("array,index,value\n")
        for k, v in rest.items():
            for idx in np.ndindex(v.shape):
                buf.write(f"{k},{';'.join(map(str, idx))},{_cell(v[idx])}\n")
    return atomic_write(Path(output_dir) / f"{name}.csv", buf.getvalue().encode())


def _cell(x) -> str:
    s = str(x.item() if hasattr(x, "item") else x)
    return f'"{s}"' if "," in s else s
