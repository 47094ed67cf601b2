"""Chapter parameters: the registry of chapters, their profiles and validation.

Each chapter module in :mod:`hopcore.chapters` defines ``SPEC = Chapter(...)``: its notebook, its
parameters (one :class:`Param` each: the ``quick`` and ``paper`` values, the validator and the one
line of documentation, the only place any of them is written) and cross-parameter checks (memory,
L <= D, ...). The notebook's ``parameters`` cell lists every knob with the value ``None`` ("take it
from the profile"), generated from the spec (:mod:`hopcore.book.notebook`); the next cell calls
:func:`prepare`, which resolves the profile, validates everything before any work starts and only
then creates the output folder.

Profiles: ``quick`` (the default: a smoke build in minutes), ``paper`` (publication scale) and
``test`` (the quick values with the chapter's tiny test sizes, ``Chapter.extra["test"]``, used by
the test suite).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import config, validation

PROFILES = ("quick", "paper", "test")
COMMON = ("profile", "seed", "output_dir")


@dataclass(frozen=True)
class Param:
    """One parameter of a chapter: its values in each profile, its validator and its documentation.

    Parameters
    ----------
    quick : object
        Value in the ``quick`` profile (and ``test``, unless overridden).
    check : hopcore.validation.Validator
        Validator, called as ``check(name, value)``; returns the normalized value.
    paper : object, optional
        Value in the ``paper`` profile (None, the default: same as quick).
    doc : str, optional
        One line of documentation.
    """
    quick: Any
    check: validation.Validator
    paper: Any = None  # None: same as quick
    doc: str = ""

    def default(self, profile: str) -> Any:
        """The value of the parameter in a profile.

        Parameters
        ----------
        profile : str
            ``"quick"``, ``"paper"`` or ``"test"``.

        Returns
        -------
        object
            ``paper`` in the paper profile when it is set, else ``quick``.
        """
        if profile == "paper" and self.paper is not None:
            return self.paper
        return self.quick


@dataclass(frozen=True)
class Chapter:
    """A chapter of the book: its notebook, parameters, checks and build facts.

    Parameters
    ----------
    name : str
        Name of the chapter (the notebook's stem).
    notebook : str
        Path of the notebook, relative to the repository root.
    title : str
        Title of the chapter.
    params : dict of str to Param
        The chapter's own parameters (``seed``, ``profile`` and ``output_dir`` are added by
        :meth:`all_params`).
    checks : tuple of callable, optional
        Cross-parameter checks (memory, L <= D, ...), each called with the resolved values and raising
        ValueError.
    seed : int, optional
        Default master seed (default 1).
    minutes : tuple of float, optional
        Wall time (quick, paper) on 2 cores, measured in a ``make book`` (two chapters at a time).
    cached : str, optional
        What the chapter caches, as shown to the reader.
    headline : tuple of str, optional
        Parameters shown in the build banner of the page (the sizes that matter).
    extra : dict, optional
        Further facts; ``extra["test"]`` holds the tiny sizes of the ``test`` profile.
    """
    name: str
    notebook: str  # relative to the repository root
    title: str
    params: dict[str, Param]
    checks: tuple[Callable[[dict[str, Any]], None], ...] = ()
    seed: int = 1
    minutes: tuple[float, float] = (1.0, 10.0)  # wall time (quick, paper) on 2 cores, measured in a `make book` (two chapters at a time)
    cached: str = "per-point results under the result cache (see hopcore.experiments.cache)"
    headline: tuple[str, ...] = ()  # parameters shown in the build banner of the page (the sizes that matter)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def notebook_path(self) -> Path:
        """The notebook under the book root (:func:`hopcore.config.book_root`).

        Else in the source checkout this package was imported from (an editable install run from another
        folder).

        Returns
        -------
        pathlib.Path
            Path of the notebook (under the book root if it exists in neither place).
        """
        here = config.book_root() / self.notebook
        if here.exists():
            return here
        checkout = Path(__file__).resolve().parents[2] / self.notebook
        return checkout if checkout.exists() else here

    @property
    def test_values(self) -> dict[str, Any]:
        """The tiny sizes of the ``test`` profile (on top of the quick values).

        Returns
        -------
        dict
            A copy of ``extra["test"]`` (empty if there is none).
        """
        return dict(self.extra.get("test", {}))

    def all_params(self) -> dict[str, Param]:
        """The chapter's parameters plus the common ones: ``seed``, ``profile`` and ``output_dir``.

        Returns
        -------
        dict of str to Param
            Every parameter of the chapter.
        """
        out = dict(self.params)
        out["seed"] = Param(self.seed, validation.seed, doc="master seed; every sample seed derives from it")
        out["profile"] = Param(None, _profile, doc='"quick" (default) or "paper"; None reads $HOPCORE_PROFILE')
        out["output_dir"] = Param(None, _output_dir, doc="where data and summary.json go; None: _build/results/<chapter>")
        return out

    def defaults(self, profile: str = "quick") -> dict[str, Any]:
        """The default value of every parameter in a profile.

        Parameters
        ----------
        profile : str, optional
            ``"quick"`` (default), ``"paper"`` or ``"test"`` (the quick values with :attr:`test_values`).

        Returns
        -------
        dict
            Name -> value (None for ``profile`` and ``output_dir``: resolved by :func:`resolve`).
        """
        values = {k: p.default(profile) for k, p in self.all_params().items()}
        if profile == "test":
            values.update(self.test_values)
        return values


def _profile(name: str, value: Any) -> str:
    return validation.choice(*PROFILES)(name, value)


def _output_dir(name: str, value: Any) -> str:
    return validation.text(name, value)


def results_root() -> Path:
    """The folder of the chapters' results (:func:`hopcore.config.results_root`).

    Returns
    -------
    pathlib.Path
        The folder; a chapter's default ``output_dir`` is ``results_root() / name``.
    """
    return config.results_root()


def display_path(path: str | os.PathLike) -> str:
    """A path as a reader of the book should see it: relative to the book root when inside it.

    So that no absolute path of the build machine appears in a page.

    Parameters
    ----------
    path : str or os.PathLike
        The path.

    Returns
    -------
    str
        The path relative to the book root, or as given when outside it.
    """
    path = Path(path)
    try:
        return str(path.resolve().relative_to(config.book_root()))
    except ValueError:
        return str(path)


class Params(dict):
    """Resolved, validated parameters; attribute access for the notebook (``p.N``).

    A dict of parameter name -> value. ``chapter`` is the name of the chapter they belong to (not a
    parameter). In a notebook it shows as an HTML table (``output_dir`` relative to the book root).
    """

    chapter: str = ""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as exc:  # pragma: no cover
            raise AttributeError(key) from exc

    @property
    def out(self) -> Path:
        """The output folder.

        Returns
        -------
        pathlib.Path
            ``Path(self["output_dir"])``.
        """
        return Path(self["output_dir"])

    def _repr_html_(self) -> str:
        import html

        shown = {k: (display_path(v) if k == "output_dir" else v) for k, v in self.items()}
        rows = "".join(
            f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(_short(v))}</td></tr>" for k, v in shown.items()
        )
        return f"<table class='hopcore-params'><tr><th>parameter</th><th>value</th></tr>{rows}</table>"


def _short(value: Any, limit: int = 90) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + " ...]"


def registry() -> dict[str, Chapter]:
    """Every chapter module of :mod:`hopcore.chapters` that defines ``SPEC``, in book order.

    Returns
    -------
    dict of str to Chapter
        Chapter name -> chapter, sorted by notebook path.
    """
    import hopcore.chapters as package

    chapters = {}
    for mod in pkgutil.iter_modules(package.__path__):
        spec = getattr(importlib.import_module(f"{package.__name__}.{mod.name}"), "SPEC", None)
        if spec is not None:
            chapters[spec.name] = spec
    return dict(sorted(chapters.items(), key=lambda kv: kv[1].notebook))


def get(name: str) -> Chapter:
    """The chapter of this name.

    Parameters
    ----------
    name : str
        Name of the chapter.

    Returns
    -------
    Chapter
        Its entry of :func:`registry`.

    Raises
    ------
    ValueError
        Naming the allowed chapters, for an unknown name.
    """
    chapters = registry()
    if name not in chapters:
        raise ValueError(f"chapter={name!r} is not allowed: chapter must be one of {', '.join(chapters)}")
    return chapters[name]


def resolve(name: str, given: dict[str, Any]) -> Params:
    """Profile resolution and validation, without touching the disk.

    Values given as None (or not given) take the profile's value; the profile itself defaults to
    ``$HOPCORE_PROFILE`` or "quick", and ``output_dir`` to ``results_root() / name``. Every value is
    validated, then the chapter's cross-parameter checks run.

    Parameters
    ----------
    name : str
        Name of the chapter.
    given : dict
        Parameter values (None: the profile's value).

    Returns
    -------
    Params
        The resolved parameters, with ``chapter`` set.

    Raises
    ------
    ValueError
        For an unknown chapter or parameter, or a value that fails its validation or a check.
    """
    chapter = get(name)
    spec = chapter.all_params()
    values = {k: given[k] for k in spec if k in given}
    unknown = sorted(set(given) - set(spec))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) {', '.join(unknown)} for chapter {name}; "
            f"valid parameters are: {', '.join(sorted(spec))}"
        )
    profile = values.get("profile") or config.default_profile() or "quick"
    profile = _profile("profile", profile)
    defaults = chapter.defaults(profile)
    resolved: dict[str, Any] = {}
    for key, param in spec.items():
        value = values.get(key)
        if key == "profile":
            value = profile
        elif value is None:
            value = defaults[key]
            if key == "output_dir" and value is None:
                value = str(results_root() / name)
        resolved[key] = param.check(key, value)
    for check in chapter.checks:
        check(resolved)
    params = Params(resolved)
    params.chapter = name
    return params


def prepare(name: str, namespace: dict[str, Any]) -> Params:
    """Call from the cell after ``parameters``: ``p = prepare("classical_snr", globals())``.

    (Chapter modules offer ``chapter.prepare(globals())``.) Reads every parameter of the chapter from
    ``namespace`` (``None`` means: the profile's value), validates all of them and only then creates
    ``output_dir``.

    Parameters
    ----------
    name : str
        Name of the chapter.
    namespace : dict
        The notebook's globals.

    Returns
    -------
    Params
        The resolved parameters.
    """
    chapter = get(name)
    given = {k: namespace[k] for k in chapter.all_params() if k in namespace}
    params = resolve(name, given)
    params.out.mkdir(parents=True, exist_ok=True)
    return params
