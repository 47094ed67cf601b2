"""Fixed points ``x = F(x)`` of saddle-point equations, returned with their convergence record.

A solver never hides a failure: every call returns a :class:`FixedPoint` whose ``converged`` flag,
final ``residual = max |F(x) - x|`` and number of ``iterations`` travel with the solution, so that
a chapter can count failures and draw them differently (or not at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import validation

__all__ = ["FixedPoint", "damped_iteration", "newton_iteration", "solve_fixed_point"]


@dataclass
class FixedPoint:
    """A candidate solution of ``x = F(x)``, with its convergence record.

    Parameters
    ----------
    x : numpy.ndarray of float
        Last iterate (the point whose residual is reported); stored as a 1-d float array.
    converged : bool
        Residual <= tol reached with finite values.
    iterations : int
        Number of evaluations of the update.
    residual : float
        ``max |F(x) - x|`` at ``x`` (inf after a non-finite value).
    residuals : numpy.ndarray of float, optional
        The residual after every iteration.
    method : str, optional
        The solver that produced the record (``"damped"``, ``"newton"``, ``"damped+newton"``,
        ``"closed form"``, ...).
    """

    x: np.ndarray
    converged: bool
    iterations: int
    residual: float
    residuals: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))
    method: str = "damped"

    def __post_init__(self):
        self.x = np.atleast_1d(np.asarray(self.x, dtype=float))
        self.residuals = np.asarray(self.residuals, dtype=float)


def _residual(Fx: np.ndarray, x: np.ndarray) -> float:
    r = np.max(np.abs(Fx - x)) if x.size else 0.0
    return float(r) if np.isfinite(r) else float("inf")


def damped_iteration(F, x0, *, damping: float = 0.5, tol: float = 1e-10, max_iter: int = 10_000) -> FixedPoint:
    """Iterate ``x <- (1 - damping) F(x) + damping x`` until ``max |F(x) - x| <= tol``.

    ``damping`` in [0, 1) slows the update to tame oscillating maps (0: plain iteration). A non-finite
    value of ``F`` stops the iteration and is reported as non-converged (residual = inf).

    Parameters
    ----------
    F : callable
        The map, 1-d float array -> array of the same size.
    x0 : float or array_like
        Starting point.
    damping : float, optional
        Weight of the old iterate, in [0, 1) (default 0.5).
    tol : float, optional
        Convergence threshold on ``max |F(x) - x|`` (default 1e-10).
    max_iter : int, optional
        Maximum number of evaluations of ``F`` (default 10000).

    Returns
    -------
    FixedPoint
        The last iterate and its record (``method = "damped"``).
    """
    damping = validation.real(0.0, 1.0, hi_open=True)("damping", damping)
    tol = validation.positive()("tol", tol)
    max_iter = validation.integer(1, None)("max_iter", max_iter)
    x = np.atleast_1d(np.asarray(x0, dtype=float)).copy()
    history = np.empty(max_iter)
    for it in range(1, max_iter + 1):
        Fx = np.atleast_1d(np.asarray(F(x), dtype=float))
        res = _residual(Fx, x)
        history[it - 1] = res
        if not np.isfinite(res):
            return FixedPoint(x, False, it, float("inf"), history[:it])
        if res <= tol:
            return FixedPoint(x, True, it, res, history[:it])
        x = (1.0 - damping) * Fx + damping * x
    return FixedPoint(x, False, max_iter, float(history[-1]), history)


def newton_iteration(F, x0, *, tol: float = 1e-10, max_iter: int = 60, h: float = 1e-7) -> FixedPoint:
    """Newton's method on ``G(x) = F(x) - x = 0`` with a finite-difference Jacobian and backtracking.

    Each step solves ``J dx = -G`` (``J_ij = dG_i/dx_j`` by forward differences of step
    ``h max(1, |x_j|)``; least squares if J is singular) and halves ``dx`` until ``max |G|`` decreases
    with finite values; converges quadratically near a regular root and still (linearly) at a fold,
    where damped iteration slows down critically. It follows whichever root is near ``x0``, stable or
    not: start it from a continuation.

    Parameters
    ----------
    F : callable
        The map, 1-d float array -> array of the same size.
    x0 : float or array_like
        Starting point.
    tol : float, optional
        Convergence threshold on ``max |F(x) - x|`` (default 1e-10).
    max_iter : int, optional
        Maximum number of Newton steps (default 60).
    h : float, optional
        Relative step of the finite differences (default 1e-7).

    Returns
    -------
    FixedPoint
        The last accepted point and its record (``method = "newton"``; ``iterations`` counts Newton
        steps).
    """
    tol = validation.positive()("tol", tol)
    max_iter = validation.integer(1, None)("max_iter", max_iter)
    h = validation.positive()("h", h)
    x = np.atleast_1d(np.asarray(x0, dtype=float)).copy()
    d = x.size
    history = []

    def G(y):
        return np.atleast_1d(np.asarray(F(y), dtype=float)) - y

    g = G(x)
    res = _residual(g + x, x)
    history.append(res)
    it = 0
    while np.isfinite(res) and res > tol and it < max_iter:
        it += 1
        J = np.empty((d, d))
        for j in range(d):
            step = h * max(1.0, abs(x[j]))
            e = np.zeros(d)
            e[j] = step
            J[:, j] = (G(x + e) - g) / step
        try:
            dx = np.linalg.solve(J, -g)
        except np.linalg.LinAlgError:
            dx = np.linalg.lstsq(J, -g, rcond=None)[0]
        t = 1.0
        accepted = False
        while t > 1e-6:
            xn = x + t * dx
            gn = G(xn)
            rn = _residual(gn + xn, xn)
            if np.isfinite(rn) and rn < res:
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        x, g, res = xn, gn, rn
        history.append(res)
    converged = bool(np.isfinite(res) and res <= tol)
    return FixedPoint(x, converged, it, res if np.isfinite(res) else float("inf"), np.array(history), "newton")


def solve_fixed_point(F, x0, *, damping: float = 0.5, tol: float = 1e-10, max_iter: int = 10_000,
                      warmup: int = 50, newton_iter: int = 60) -> FixedPoint:
    """Damped iteration, then Newton to finish; if Newton fails, the damped iteration continues.

    Damped iteration for ``warmup`` steps (to fall into the basin of an attracting solution), then
    Newton to finish; if Newton fails, the damped iteration continues up to ``max_iter`` in total.
    The record counts all iterations of both stages; ``method`` says which one finished.

    Parameters
    ----------
    F : callable
        The map, 1-d float array -> array of the same size.
    x0 : float or array_like
        Starting point.
    damping : float, optional
        Damping of the damped stages (default 0.5), see :func:`damped_iteration`.
    tol : float, optional
        Convergence threshold on ``max |F(x) - x|`` (default 1e-10).
    max_iter : int, optional
        Maximum number of damped iterations (default 10000).
    warmup : int, optional
        Damped iterations before Newton is tried (default 50).
    newton_iter : int, optional
        Maximum number of Newton steps (default 60).

    Returns
    -------
    FixedPoint
        The solution and its record; ``method`` is ``"damped"`` or ``"damped+newton"``.
    """
    first = damped_iteration(F, x0, damping=damping, tol=tol, max_iter=max(1, min(warmup, max_iter)))
    if first.converged:
        return first
    start = first.x if np.isfinite(first.residual) else np.atleast_1d(np.asarray(x0, dtype=float))
    second = newton_iteration(F, start, tol=tol, max_iter=newton_iter)
    total = first.iterations + second.iterations
    if second.converged:
        return FixedPoint(second.x, True, total, second.residual,
                          np.concatenate([first.residuals, second.residuals]), "damped+newton")
    rest = max_iter - first.iterations
    if rest <= 0:
        return FixedPoint(first.x, False, first.iterations, first.residual, first.residuals, "damped")
    third = damped_iteration(F, start, damping=damping, tol=tol, max_iter=rest)
    return FixedPoint(third.x, third.converged, total + third.iterations, third.residual,
                      np.concatenate([first.residuals, second.residuals, third.residuals]), "damped")
