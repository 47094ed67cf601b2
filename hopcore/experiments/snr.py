"""Measurements of the signal-to-noise chapter (each returns a dict of arrays for ``sweep``)."""

from __future__ import annotations

import numpy as np

from ..dynamics.asynchronous import async_fixed_points
from ..dynamics.stability import unstable_bits
from ..ensembles.binary import binary_patterns, flip_fraction
from .runner import derive_seed


def one_step_errors(N: int, P: int, seed: int, n_probe: int | None = None) -> dict:
    """Unstable bits of every pattern of one network after one synchronous step.

    With ``n_probe``: of its first ``n_probe`` patterns only, enough for the per-bit error rate at
    large P; ``all_stable`` then speaks of the probed patterns only.

    Parameters
    ----------
    N : int
        Number of spins.
    P : int
        Number of patterns.
    seed : int
        Seed of the patterns.
    n_probe : int, optional
        Number of patterns probed (default all P).

    Returns
    -------
    dict
        ``unstable`` (numpy.ndarray of int64, wrong bits of each probed pattern), ``error_rate``
        (float, per-bit error rate) and ``all_stable`` (bool).
    """
    X = binary_patterns(N, P, seed)
    bad = unstable_bits(X, n_probe)
    return {"unstable": bad, "error_rate": bad.sum() / (N * bad.size), "all_stable": bool(np.all(bad == 0))}


def retrieval_overlap(N: int, P: int, seed: int, n_starts: int = 4, flip: float = 0.0, max_sweeps: int = 200) -> dict:
    """Overlap m = s*.xi / N of the fixed point reached from the first ``n_starts`` patterns.

    Starts are the patterns themselves (``flip`` = 0) or copies with a fraction ``flip`` of bits
    flipped; each start has its own visiting-order seed. Asynchronous zero-temperature dynamics.

    Parameters
    ----------
    N : int
        Number of spins.
    P : int
        Number of patterns.
    seed : int
        Seed of the patterns (starts and visiting orders are derived from it).
    n_starts : int, optional
        Number of patterns started from (default 4, at most P).
    flip : float, optional
        Fraction of flipped bits of each start (default 0).
    max_sweeps : int, optional
        Maximum number of sweeps per run (default 200).

    Returns
    -------
    dict
        ``m`` (numpy.ndarray of float, shape (k,)), ``sweeps`` (int64, shape (k,)) and ``converged``
        (bool, shape (k,)), k = min(n_starts, P).
    """
    X = binary_patterns(N, P, seed)
    k = min(n_starts, P)
    S0 = np.stack([flip_fraction(X[:, r], flip, derive_seed(seed, "flip", r)) for r in range(k)])
    seeds = np.array([derive_seed(seed, "order", r) for r in range(k)], dtype=np.uint64)
    S, sweeps, conv = async_fixed_points(X, S0, seeds, max_sweeps=max_sweeps)
    m = (S.astype(np.int64) * X[:, :k].T.astype(np.int64)).sum(axis=1) / N
    return {"m": m, "sweeps": sweeps, "converged": conv}
