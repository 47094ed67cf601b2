"""Numerical derivatives to check that saddle-point equations are the stationarity conditions of
their free energy, and to build Hessians for stability analyses."""

from __future__ import annotations

import numpy as np

from .. import validation

__all__ = ["numerical_gradient", "numerical_hessian"]


def numerical_gradient(f, x, h: float = 1e-6) -> np.ndarray:
    """Central differences ``g_i = (f(x + h e_i) - f(x - h e_i)) / (2 h)``, error O(h^2).

    Parameters
    ----------
    f : callable
        Maps a 1-d float array to a scalar.
    x : array_like
        The point (any shape, flattened).
    h : float, optional
        Step (default 1e-6).

    Returns
    -------
    numpy.ndarray of float64, shape (x.size,)
        The gradient.
    """
    h = validation.positive()("h", h)
    x = np.asarray(x, dtype=float).ravel()
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (float(f(x + e)) - float(f(x - e))) / (2.0 * h)
    return g


def numerical_hessian(f, x, h: float = 1e-4) -> np.ndarray:
    """Symmetric central-difference Hessian ``H_ij = d^2 f / dx_i dx_j``, error O(h^2).

    Parameters
    ----------
    f : callable
        Maps a 1-d float array to a scalar.
    x : array_like
        The point (any shape, flattened).
    h : float, optional
        Step (default 1e-4).

    Returns
    -------
    numpy.ndarray of float64, shape (x.size, x.size)
        The symmetric Hessian.
    """
    h = validation.positive()("h", h)
    x = np.asarray(x, dtype=float).ravel()
    d = x.size
    H = np.empty((d, d))
    f0 = float(f(x))
    for i in range(d):
        ei = np.zeros(d)
        ei[i] = h
        H[i, i] = (float(f(x + ei)) - 2.0 * f0 + float(f(x - ei))) / h**2
        for j in range(i):
            ej = np.zeros(d)
            ej[j] = h
            H[i, j] = H[j, i] = (
                float(f(x + ei + ej)) - float(f(x + ei - ej)) - float(f(x - ei + ej)) + float(f(x - ei - ej))
            ) / (4.0 * h * h)
    return H
