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
from typing import Any, Mapping

from .. import __version__
from ..io import plain, write_json

__all__ = ["ChapterResult", "Claim", "claim", "claim_key", "envelope", "glue_values", "publish"]

ENVELOPE = ("parameters", "profile", "hopcore_version", "code_version", "claims")


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


def envelope(params: Mapping[str, Any], claims: Mapping[str, Claim], summary: Mapping[str, Any]) -> dict[str, Any]:
    """The summary with the common envelope first; chapter keys may not shadow an envelope key.

    Parameters
    ----------
    params : Mapping
        The resolved parameters (``output_dir`` is left out of the file).
    claims : Mapping of str to Claim
        The claims of the run.
    summary : Mapping
        The chapter keys.

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
    }
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
    glue : dict, optional
        The values the text glues (under the chapter's glue prefix).
    figure_data : dict of str to dict, optional
        The data behind each figure (name -> arrays, one ``.npz`` each).
    timings : dict of str to float, optional
        The wall times (to ``timing.json``, never to the summary).
    """

    summary: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
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
    path = write_json(out / "summary.json", envelope(params, result.claims, result.summary))
    write_json(out / "timing.json", {"profile": params.get("profile"), **result.timings})
    if in_notebook:
        chapter = getattr(params, "chapter", "") or prefix
        glue_values(chapter, {f"claim_{name}": c.text for name, c in result.claims.items()})
        glue_values(prefix, result.glue)
    return Written(path, len(result.figure_data))
