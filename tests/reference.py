"""Plain numpy twins of the hopcore kernels, built on the N x N coupling matrix (tests only)."""

from __future__ import annotations

import numpy as np

from hopcore.dynamics.asynchronous import sweep_order


def hebb_couplings(X: np.ndarray) -> np.ndarray:
    """J = X X^T / N with zero diagonal, float64."""
    Xf = X.astype(np.float64)
    J = Xf @ Xf.T / X.shape[0]
    np.fill_diagonal(J, 0.0)
    return J


def reference_energy(J: np.ndarray, s: np.ndarray) -> float:
    sf = s.astype(np.float64)
    return -0.5 * float(sf @ J @ sf)


def reference_async(J: np.ndarray, s0: np.ndarray, seed: int, max_sweeps: int = 200):
    """Asynchronous zero-T dynamics with the same visiting order as hopcore; ties keep the spin."""
    N = J.shape[0]
    s = s0.astype(np.float64).copy()
    h = J @ s
    energies = [reference_energy(J, s)]
    for sweep in range(max_sweeps):
        flips = 0
        for i in sweep_order(seed, sweep, N):
            hi = h[i]
            if abs(hi) < 1e-12:
                continue
            new = 1.0 if hi > 0 else -1.0
            if new != s[i]:
                h += (new - s[i]) * J[:, i]
                s[i] = new
                flips += 1
                energies.append(reference_energy(J, s))
        if flips == 0:
            return s.astype(np.int8), sweep + 1, True, np.array(energies)
    return s.astype(np.int8), max_sweeps, False, np.array(energies)
