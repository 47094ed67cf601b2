"""Continuation of a solution branch along a control parameter, and the point where it disappears."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import validation as V
from .fixed_point import FixedPoint, damped_iteration

__all__ = ["Branch", "follow_branch", "locate_jump"]


@dataclass
class Branch:
    """Solutions along ``control``: ``x[k]`` solves the equations at ``control[k]`` if ``converged[k]``.

    Non-converged rows hold the last iterate and must not be drawn as solutions (see
    :meth:`solutions`).
    """

    control: np.ndarray
    x: np.ndarray  # (k, dim)
    converged: np.ndarray  # (k,) bool
    iterations: np.ndarray  # (k,) int
    residual: np.ndarray  # (k,) float

    @property
    def n_not_converged(self) -> int:
        return int(np.count_nonzero(~self.converged))

    def solutions(self) -> tuple[np.ndarray, np.ndarray]:
        """``(control, x)`` restricted to the converged points."""
        return self.control[self.converged], self.x[self.converged]


def follow_branch(make_F, controls, x0, *, solver=None, **iter_kw) -> Branch:
    """Solve ``x = F_c(x)`` for every ``c`` in ``controls`` (in the given order), starting each point
    from the previous converged solution (the first from ``x0``; after a failure, from the last
    converged one).

    ``make_F(c)`` returns the map ``F_c``; ``solver(F, x_start, **iter_kw) -> FixedPoint`` defaults to
    :func:`damped_iteration`.
    """
    solver = damped_iteration if solver is None else solver
    controls = np.asarray(controls, dtype=float)
    if controls.ndim != 1 or controls.size == 0:
        V.fail("controls", controls, "a non-empty 1-d sequence of control values")
    start = np.atleast_1d(np.asarray(x0, dtype=float))
    xs = np.empty((controls.size, start.size))
    conv = np.zeros(controls.size, bool)
    its = np.zeros(controls.size, int)
    res = np.zeros(controls.size)
    for k, c in enumerate(controls):
        sol = solver(make_F(float(c)), start, **iter_kw)
        xs[k], conv[k], its[k], res[k] = sol.x, sol.converged, sol.iterations, sol.residual
        if sol.converged:
            start = sol.x
    return Branch(controls, xs, conv, its, res)


def locate_jump(solve, order_parameter, lo: float, hi: float, *, threshold: float, tol: float = 1e-6,
                x_start=None, max_bisections: int = 200):
    """Bisection for the control value where a branch disappears.

    The branch "exists" at ``c`` when ``solve(c, x) -> FixedPoint`` converges and
    ``order_parameter(sol.x) > threshold``. It must exist at exactly one of ``lo``, ``hi``. Every trial
    starts from the solution at the nearest control where the branch exists (continuation), so the
    branch is followed, not re-found. Stops when the bracket is shorter than ``tol``.

    Returns ``(control_c, info)`` with ``control_c`` the midpoint of the final bracket and ``info``:
    ``exists_at`` / ``gone_at`` (final bracket ends), ``x_exists`` (solution at ``exists_at``),
    ``order_exists`` and ``order_gone`` (order parameter on both sides; nan if the solver failed there),
    ``jump`` (their difference), ``bisections``, ``n_not_converged`` (trials where the solver failed),
    ``bracket`` (final width).
    """
    lo = V.real()("lo", lo)
    hi = V.real()("hi", hi)
    tol = V.positive()("tol", tol)
    threshold = V.real()("threshold", threshold)
    if lo == hi:
        V.fail("hi", hi, f"different from lo={lo}")

    failures = 0

    def trial(c, x):
        nonlocal failures
        sol = solve(c, x)
        if not isinstance(sol, FixedPoint):
            raise TypeError("solve(control, x_start) must return a FixedPoint")
        if not sol.converged:
            failures += 1
            return False, sol, float("nan")
        op = float(order_parameter(sol.x))
        return op > threshold, sol, op

    e_lo, s_lo, op_lo = trial(lo, x_start)
    x_hi_start = s_lo.x if e_lo else x_start
    e_hi, s_hi, op_hi = trial(hi, x_hi_start)
    if e_lo == e_hi:
        V.fail("lo, hi", (lo, hi), f"a bracket where the branch exists at exactly one end "
                                   f"(exists at lo: {e_lo}, at hi: {e_hi})")
    if e_lo:
        a, b, x_a, op_a, op_b = lo, hi, s_lo.x, op_lo, op_hi
    else:
        a, b, x_a, op_a, op_b = hi, lo, s_hi.x, op_hi, op_lo
    n = 0
    while abs(b - a) > tol and n < max_bisections:
        n += 1
        c = 0.5 * (a + b)
        ok, sol, op = trial(c, x_a)
        if ok:
            a, x_a, op_a = c, sol.x, op
        else:
            b, op_b = c, op
    info = {
        "exists_at": a,
        "gone_at": b,
        "x_exists": x_a,
        "order_exists": op_a,
        "order_gone": op_b,
        "jump": op_a - op_b,
        "bisections": n,
        "n_not_converged": failures,
        "bracket": abs(b - a),
    }
    return 0.5 * (a + b), info
