"""Binary +-1 patterns, the ensemble of the classical Hopfield model.

Layout: spin-major int8 array ``X`` of shape (N, P); row i holds xi_i^1..xi_i^P contiguously, so the
local field of spin i, h_i = (1/N) sum_mu xi_i^mu m_mu, reads one contiguous row.
"""

from __future__ import annotations

import numpy as np

from .. import validation

_GUARD = 64  # entries compared with numpy's own draw before the fast route is trusted


def uniform_pm1(rows: int, cols: int, seed: int) -> np.ndarray:
    """``rng.integers(0, 2, size=(rows, cols), dtype=np.int8) * 2 - 1`` for ``rng = default_rng(seed)``,
    the same array, read straight from the generator's raw stream.

    numpy's bounded 8-bit draw on {0, 1} (Lemire's method, no rejection for a range of 2) is the top
    bit of the next byte of the raw 64-bit stream, little-endian: entry k is +1 iff byte k, read as
    int8, is negative. That is three vectorized passes over the bytes instead of one bounded draw per
    entry. The first entries are compared with numpy's own draw on every call; on any difference
    (another numpy) the array comes from numpy's call itself.

    Parameters
    ----------
    rows, cols : int
        Shape.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    numpy.ndarray of int8, shape (rows, cols)
        Entries +-1, C-contiguous.
    """
    n = rows * cols
    raw = np.random.default_rng(seed).bit_generator.random_raw((n + 7) // 8).view(np.int8)
    X = raw[:n] if n % 8 else raw
    np.right_shift(X, 7, out=X)  # -1 where the byte is >= 128, else 0
    X *= -2
    X -= 1
    k = min(_GUARD, n)
    check = np.random.default_rng(seed).integers(0, 2, size=k, dtype=np.int8) * np.int8(2) - np.int8(1)
    if not np.array_equal(X[:k], check):
        rng = np.random.default_rng(seed)
        X = rng.integers(0, 2, size=n, dtype=np.int8)
        X *= 2
        X -= 1
    return np.ascontiguousarray(X.reshape(rows, cols))


def binary_patterns(N: int, P: int, seed: int) -> np.ndarray:
    """P iid uniform +-1 patterns of N spins, from an explicit seed.

    Parameters
    ----------
    N : int
        Number of spins (at least 1).
    P : int
        Number of patterns (at least 1).
    seed : int
        Seed of ``numpy.random.default_rng``, in [0, 2^63 - 1].

    Returns
    -------
    X : numpy.ndarray of int8, shape (N, P)
        Spin-major pattern matrix: ``X[i, mu] = xi_i^mu`` in {-1, +1}, row i contiguous.
    """
    N = validation.integer(1)("N", N)
    P = validation.integer(1)("P", P)
    return uniform_pm1(N, P, validation.seed("seed", seed))


def flip_fraction(s: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """A copy of ``s`` with exactly round(fraction * N) spins flipped, chosen uniformly.

    The flipped spins are distinct positions drawn without replacement; ``s`` itself is not modified.

    Parameters
    ----------
    s : numpy.ndarray
        State of +-1 spins, shape (N,).
    fraction : float
        Fraction of the spins to flip, in [0, 1].
    seed : int
        Seed of ``numpy.random.default_rng`` that picks the flipped positions.

    Returns
    -------
    numpy.ndarray of int8
        The perturbed state, same shape as ``s``.
    """
    fraction = validation.real(0.0, 1.0)("fraction", fraction)
    rng = np.random.default_rng(validation.seed("seed", seed))
    out = np.array(s, dtype=np.int8, copy=True)
    k = int(round(fraction * out.size))
    idx = rng.choice(out.size, size=k, replace=False)
    out[idx] *= -1
    return out


def mixture_state(X: np.ndarray, n: int) -> np.ndarray:
    """The symmetric mixture sign(xi^1 + ... + xi^n) of the first n patterns (n odd: no ties).

    Parameters
    ----------
    X : numpy.ndarray of int8, shape (N, P)
        Spin-major +-1 pattern matrix (as returned by :func:`binary_patterns`).
    n : int
        Number of mixed patterns: an odd integer in [1, P].

    Returns
    -------
    numpy.ndarray of int8, shape (N,)
        The mixture state, entries +-1.
    """
    n = validation.odd_integer(1, X.shape[1])("n", n)
    return np.sign(X[:, :n].sum(axis=1, dtype=np.int64)).astype(np.int8)
