"""Continuation of a solution branch along a control parameter, and the point where it disappears."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import validation
from .fixed_point import FixedPoint, damped_iteration

__all__ = ["Branch", "follow_branch", "locate_jump"]


@dataclass
class Branch:
    """Solutions along ``control``: ``x[k]`` solves the equations at ``control[k]`` if ``converged[k]``.

    Non-converged rows hold the last iterate and must not be drawn as solutions (see
    :meth:`solutions`). Returned by :func:`follow_branch`.

    Parameters
    ----------
    control : numpy.ndarray of float, shape (k,)
        The control values, in the order they were solved.
    x : numpy.ndarray of float, shape (k, dim)
        Solution (or last iterate) at each control value.
    converged : numpy.ndarray of bool, shape (k,)
        Whether the solver converged at each control value.
    iterations : numpy.ndarray of int, shape (k,)
        Iterations the solver used at each control value.
    residual : numpy.ndarray of float, shape (k,)
        Final residual ``max |F(x) - x|`` at each control value.
    """

    control: np.ndarray
    x: np.ndarray  # (k, dim)
    converged: np.ndarray  # (k,) bool
    iterations: np.ndarray  # (k,) int
    residual: np.ndarray  # (k,) float

    @property
    def n_not_converged(self) -> int:
        """Number of control values at which the solver did not converge.

        Returns
        -------
        int
            The count of ``False`` entries of ``converged``.
        """
        return int(np.count_nonzero(~self.converged))

    def solutions(self) -> tuple[np.ndarray, np.ndarray]:
        """``(control, x)`` restricted to the converged points.

        Returns
        -------
        control : numpy.ndarray of float, shape (k_converged,)
            Control values where the solver converged.
        x : numpy.ndarray of float, shape (k_converged, dim)
            The solutions there.
        """
        return self.control[self.converged], self.x[self.converged]


def follow_branch(make_F, controls, x0, *, solver=None, **iter_kw) -> Branch:
    """Solve ``x = F_c(x)`` for every ``c`` in ``controls`` by continuation.

    The controls are solved in the given order, each point starting from the previous converged
    solution (the first from ``x0``; after a failure, from the last converged one).

    Parameters
    ----------
    make_F : callable
        ``make_F(c)`` returns the map ``F_c``.
    controls : sequence of float
        Non-empty 1-d sequence of control values.
    x0 : float or array_like
        Starting point of the first solve.
    solver : callable, optional
        ``solver(F, x_start, **iter_kw) -> FixedPoint``; defaults to :func:`damped_iteration`.
    **iter_kw
        Keyword arguments passed on to ``solver`` (tolerance, damping, ...).

    Returns
    -------
    Branch
        The solutions with their convergence record, one row per control value.
    """
    solver = damped_iteration if solver is None else solver
    controls = np.asarray(controls, dtype=float)
    if controls.ndim != 1 or controls.size == 0:
        validation.fail("controls", controls, "a non-empty 1-d sequence of control values")
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
    branch is followed, not re-found. Stops when the bracket is shorter than ``tol`` (or after
    ``max_bisections`` halvings).

    Parameters
    ----------
    solve : callable
        ``solve(control, x_start) -> FixedPoint``; ``x_start`` is None for a cold start.
    order_parameter : callable
        Maps a solution ``sol.x`` to a float compared with ``threshold``.
    lo, hi : float
        Ends of the initial bracket (different; either order).
    threshold : float
        The branch exists where the order parameter is above this value.
    tol : float, optional
        Width of the final bracket (default 1e-6).
    x_start : array_like, optional
        Starting point of the first trial at ``lo``.
    max_bisections : int, optional
        Maximum number of halvings (default 200).

    Returns
    -------
    control_c : float
        Midpoint of the final bracket.
    info : dict
        ``exists_at`` / ``gone_at`` (final bracket ends), ``x_exists`` (solution at ``exists_at``),
        ``order_exists`` and ``order_gone`` (order parameter on both sides; nan if the solver failed
        there), ``jump`` (their difference), ``bisections``, ``n_not_converged`` (trials where the
        solver failed), ``bracket`` (final width).
    """
    lo = validation.real()("lo", lo)
    hi = validation.real()("hi", hi)
    tol = validation.positive()("tol", tol)
    threshold = validation.real()("threshold", threshold)
    if lo == hi:
        validation.fail("hi", hi, f"different from lo={lo}")

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
        validation.fail("lo, hi", (lo, hi), f"a bracket where the branch exists at exactly one end "
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
