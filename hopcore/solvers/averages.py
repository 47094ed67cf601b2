"""Averages over the quenched noise of saddle-point equations.

Two kinds of average appear in every replica calculation of the book:

* a Gaussian average ``E f(z)`` with ``z ~ N(0, 1)`` (the crosstalk of the uncondensed patterns),
  computed with Gauss-Hermite quadrature (smooth integrands) or with a fine uniform grid
  (integrands with a sharp step, e.g. ``tanh(beta h)`` at low temperature);
* a discrete average over ``zeta = xi^1 + ... + xi^n`` for symmetric n-mixtures, where the
  ``xi^mu`` are iid +-1: ``zeta = n - 2k`` with probability ``binom(n, k) / 2^n``.

All rules return ``(nodes, weights)`` with ``sum(weights * f(nodes)) ~= E f``; the weights sum to one.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import comb

from .. import validation

__all__ = ["binomial_mixture", "gauss_hermite", "gaussian_average", "normal_grid"]


@lru_cache(maxsize=32)
def _hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    # probabilists' Hermite polynomials have weight exp(-z^2/2): their weights sum to sqrt(2 pi)
    z, w = np.polynomial.hermite_e.hermegauss(n)
    w = w / w.sum()
    z.setflags(write=False)
    w.setflags(write=False)
    return z, w


def gauss_hermite(n: int = 101) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes and weights for ``E f(z)``, ``z ~ N(0, 1)``.

    ``sum(w * f(z)) ~= E f(z)``, exact for polynomials of degree <= 2n-1 (probabilists' Hermite rule,
    weights normalized to sum to one). The arrays are cached and read-only.

    Parameters
    ----------
    n : int, optional
        Number of nodes, in [1, 400] (default 101).

    Returns
    -------
    z : numpy.ndarray of float64, shape (n,)
        Nodes.
    w : numpy.ndarray of float64, shape (n,)
        Weights, summing to one.
    """
    n = validation.integer(1, 400)("n", n)
    return _hermite(n)


@lru_cache(maxsize=32)
def _grid(n: int, zmax: float) -> tuple[np.ndarray, np.ndarray]:
    z = np.linspace(-zmax, zmax, n)
    w = np.exp(-0.5 * z * z)
    w[0] *= 0.5
    w[-1] *= 0.5
    w /= w.sum()
    z.setflags(write=False)
    w.setflags(write=False)
    return z, w


def normal_grid(n: int = 4001, zmax: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """Trapezoid rule on ``[-zmax, zmax]`` for ``E f(z)``, ``z ~ N(0, 1)`` (weights normalized to one).

    For integrands with a step of width ``delta`` in z (``tanh(beta (m + s z))`` has ``delta = T / s``)
    the spacing ``2 zmax / (n - 1)`` must be well below ``delta``; the rule is then accurate to
    near machine precision because the integrand and all its derivatives vanish at the ends.
    The arrays are cached and read-only.

    Parameters
    ----------
    n : int, optional
        Number of grid points, in [3, 10^7] (default 4001).
    zmax : float, optional
        Half-width of the grid, in [1, 40] (default 10).

    Returns
    -------
    z : numpy.ndarray of float64, shape (n,)
        Equally spaced nodes from -zmax to zmax.
    w : numpy.ndarray of float64, shape (n,)
        Trapezoid weights times the normal density, summing to one.
    """
    n = validation.integer(3, 10**7)("n", n)
    zmax = validation.real(1.0, 40.0)("zmax", zmax)
    return _grid(n, zmax)


def gaussian_average(f, n: int = 101, *, rule: str = "hermite", zmax: float = 10.0, axis: int = -1):
    """``E f(z)`` for ``z ~ N(0, 1)``, vectorized.

    ``f`` receives the node array (shape ``(n,)``) and may return an array of any shape whose node
    axis is ``axis`` (by default the LAST axis; broadcast other parameters as ``param[..., None]``); the
    average is taken over that axis.

    Parameters
    ----------
    f : callable
        ``f(z) -> array``, evaluated once on all nodes.
    n : int, optional
        Number of nodes (default 101).
    rule : str, optional
        ``"hermite"`` (Gauss-Hermite, n nodes, :func:`gauss_hermite`; the default) or ``"grid"``
        (uniform trapezoid on ``[-zmax, zmax]``, see :func:`normal_grid`).
    zmax : float, optional
        Half-width of the grid for ``rule="grid"`` (default 10).
    axis : int, optional
        Axis of ``f(z)`` that runs over the nodes (default -1).

    Returns
    -------
    numpy.ndarray or float
        The average, with the node axis removed.
    """
    rule = validation.choice("hermite", "grid")("rule", rule)
    z, w = gauss_hermite(n) if rule == "hermite" else normal_grid(n, zmax)
    values = np.asarray(f(z), dtype=float)
    return np.tensordot(np.moveaxis(values, axis, -1), w, axes=([-1], [0]))


@lru_cache(maxsize=64)
def _binomial(n: int) -> tuple[np.ndarray, np.ndarray]:
    k = np.arange(n + 1)
    zeta = (n - 2 * k).astype(float)
    prob = comb(n, k, exact=False) / 2.0**n
    zeta.setflags(write=False)
    prob.setflags(write=False)
    return zeta, prob


def binomial_mixture(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Values and probabilities of ``zeta = xi^1 + ... + xi^n`` for iid ``xi^mu = +-1`` (p = 1/2).

    ``zeta = n - 2k``, ``P(zeta) = binom(n, k) / 2^n``, ``k = 0..n``; read-only cached arrays.

    Parameters
    ----------
    n : int
        Number of summed patterns, in [1, 1000].

    Returns
    -------
    zeta : numpy.ndarray of float64, shape (n + 1,)
        The values n, n - 2, ..., -n.
    prob : numpy.ndarray of float64, shape (n + 1,)
        Their probabilities, summing to one.
    """
    n = validation.integer(1, 1000)("n", n)
    return _binomial(n)
