"""One plotting style for the whole book, and the few drawing helpers every chapter uses.

:func:`use` sets matplotlib's rcParams once (sizes, fonts, grid, a colour cycle readable in print,
no minor tick labels on log axes); :func:`points` draws simulated points with their error bars
(every simulated point has one), :func:`line` a theory line, :func:`legend_outside` puts the legend
beside the axes so that it never covers data, and :func:`log_ticks` keeps log axes readable.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

__all__ = ["figure", "legend_outside", "line", "log_ticks", "points", "use"]

RC = {
    "figure.figsize": (7.0, 4.5),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 11,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "errorbar.capsize": 2,
    "lines.markersize": 4,
    "lines.linewidth": 1.4,
    "axes.formatter.limits": (-3, 4),
}


def use() -> None:
    """Apply the book's style (idempotent): ``matplotlib.rcParams.update(RC)``."""
    mpl.rcParams.update(RC)


def figure(ncols: int = 1, nrows: int = 1, width: float | None = None, height: float | None = None, **kw):
    """``plt.subplots`` in the book's style (constrained layout).

    Parameters
    ----------
    ncols, nrows : int, optional
        Grid of axes (default 1 x 1).
    width, height : float, optional
        Size in inches (default: the style's size, scaled for several columns or rows).
    **kw
        Passed to ``plt.subplots``.

    Returns
    -------
    tuple
        ``(figure, axes)`` as ``plt.subplots`` returns them.
    """
    import matplotlib.pyplot as plt

    use()
    w = width if width is not None else RC["figure.figsize"][0] * (1 if ncols == 1 else min(ncols, 2) * 0.75)
    h = height if height is not None else RC["figure.figsize"][1] * (1 if nrows == 1 else nrows * 0.75)
    return plt.subplots(nrows, ncols, figsize=(w, h), layout="constrained", **kw)


def points(ax, x, y, yerr, *, label=None, color=None, marker="o", line=True, yerr_asym=None, **kw):
    """Simulated points with error bars; a thin line joins them when ``line``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    x, y : array_like
        The points.
    yerr : array_like or None
        Symmetric errors (nan drawn as 0).
    label : str, optional
        Legend label.
    color : str, optional
        Colour.
    marker : str, optional
        Marker (default "o").
    line : bool, optional
        Join the points (default True).
    yerr_asym : tuple of array_like, optional
        ``(lower, upper)`` as absolute interval ends, e.g. Wilson intervals (instead of ``yerr``).
    **kw
        Passed to ``ax.errorbar``.

    Returns
    -------
    matplotlib.container.ErrorbarContainer
        What ``ax.errorbar`` returns.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    if yerr_asym is not None:
        lo, hi = (np.asarray(v, float) for v in yerr_asym)
        err = np.vstack([np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)])
    else:
        err = None if yerr is None else np.nan_to_num(np.asarray(yerr, float), nan=0.0)
    fmt = marker + ("-" if line else "")
    return ax.errorbar(x, y, yerr=err, fmt=fmt, color=color, lw=0.8, label=label, **kw)


def line(ax, x, y, *, label=None, color=None, ls="-", **kw):
    """A theory line (drawn under the points: zorder 1.5 unless given).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    x, y : array_like
        The line.
    label : str, optional
        Legend label.
    color : str, optional
        Colour.
    ls : str, optional
        Line style (default "-").
    **kw
        Passed to ``ax.plot``.

    Returns
    -------
    list of matplotlib.lines.Line2D
        What ``ax.plot`` returns.
    """
    kw.setdefault("zorder", 1.5)
    return ax.plot(x, y, ls, color=color, label=label, **kw)


def log_ticks(ax, axis: str = "x") -> None:
    """Major ticks at powers of ten and 2, 5 in between, no labels on minor ticks (they overlap).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    axis : str, optional
        "x" (default) or "y".
    """
    from matplotlib.ticker import LogLocator, NullFormatter

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    target.set_minor_locator(LogLocator(base=10, subs=np.arange(2, 10)))
    target.set_minor_formatter(NullFormatter())


def legend_outside(ax, where: str = "right", **kw):
    """The legend beside (``"right"``) or below (``"below"``) the axes, never on the data.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes.
    where : str, optional
        "right" (default) or "below" (in ``ncols`` columns, default 2).
    **kw
        Passed to ``ax.legend``.

    Returns
    -------
    matplotlib.legend.Legend
        The legend.
    """
    if where == "below":
        return ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=kw.pop("ncols", 2), **kw)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), **kw)
