"""Reading numbers off measured or computed curves: level crossings and power-law fits.

One implementation serves every chapter: the simulated capacity (where the overlap falls below a
level), the learning, storage and generalization transitions (where a magnetization rises above or
falls below a level), the P at which a stability probability drops below 1/2, and the exponents of
the random-features scaling laws.
"""

from __future__ import annotations

import numpy as np

__all__ = ["first_crossing", "level_crossings", "power_law_fit"]


def level_crossings(x, y, level: float, direction: str = "down", *, log_x: bool = False) -> np.ndarray:
    """Every ``x`` at which the piecewise-linear curve ``y(x)`` (``x`` increasing) crosses ``level``
    going ``"up"`` (from below to at-or-above) or ``"down"`` (from at-or-above to below).

    With ``log_x`` the interpolation is linear in ``log x`` (curves sampled on a geometric grid).
    Segments with a non-finite end are skipped, so missing points never create a crossing."""
    if direction not in ("up", "down"):
        raise ValueError(f"direction={direction!r} is not allowed: direction must be 'up' or 'down'")
    x = np.asarray(x, dtype=float)
    t = np.log(x) if log_x else x
    d = np.asarray(y, dtype=float) - level
    out = []
    for k in range(len(x) - 1):
        a, b = d[k], d[k + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        if (direction == "up" and a < 0 <= b) or (direction == "down" and a >= 0 > b):
            s = t[k] + (t[k + 1] - t[k]) * a / (a - b)
            out.append(np.exp(s) if log_x else s)
    return np.array(out, dtype=float)


def first_crossing(x, y, level: float, direction: str = "down", *, log_x: bool = False) -> float:
    """The first of :func:`level_crossings`, or nan if the curve never crosses."""
    c = level_crossings(x, y, level, direction, log_x=log_x)
    return float(c[0]) if c.size else float("nan")


def power_law_fit(x, y) -> dict:
    """Least-squares fit of ``log y = log prefactor + exponent * log x`` over the points where both
    are finite and positive. Returns ``exponent``, its standard error ``stderr`` (None with fewer than
    three points), ``prefactor`` and the number of ``points`` used (exponent None below two)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    lx, ly = np.log(x[ok]), np.log(y[ok])
    n = int(ok.sum())
    if n < 2:
        return {"exponent": None, "stderr": None, "prefactor": None, "points": n}
    if n == 2:
        e = (ly[1] - ly[0]) / (lx[1] - lx[0])
        return {"exponent": float(e), "stderr": None, "prefactor": float(np.exp(ly[0] - e * lx[0])), "points": 2}
    coef, cov = np.polyfit(lx, ly, 1, cov=True)
    return {"exponent": float(coef[0]), "stderr": float(np.sqrt(cov[0, 0])), "prefactor": float(np.exp(coef[1])),
            "points": n}
