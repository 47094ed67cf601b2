"""Signal-to-noise theory of the Hebbian Hopfield network (book chapter ``classical_snr``).

Started at pattern xi^nu, the aligned local field is xi_i^nu h_i = (N-1)/N + C_i with the crosstalk
C_i = (1/N) sum_{mu != nu} sum_{j != i} xi_i^nu xi_i^mu xi_j^mu xi_j^nu: a sum of (P-1)(N-1) iid +-1/N
terms, Gaussian with mean 0 and variance (P-1)(N-1)/N^2 -> alpha. A bit is wrong after one
synchronous step when C_i < -1.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import erfc, log_ndtr


def per_bit_error(alpha):
    """P_err(alpha) = (1/2) erfc(1 / sqrt(2 alpha)) (eq. ``snr-perr``), N -> infinity."""
    alpha = np.asarray(alpha, dtype=float)
    return 0.5 * erfc(1.0 / np.sqrt(2.0 * alpha))


def per_bit_error_finite(N, P):
    """Gaussian approximation at finite N, P: signal (N-1)/N, variance (P-1)(N-1)/N^2."""
    N = np.asarray(N, dtype=float)
    P = np.asarray(P, dtype=float)
    var = np.maximum(P - 1, 1e-300) * (N - 1) / N**2
    return 0.5 * erfc(((N - 1) / N) / np.sqrt(2.0 * var))


def log_p_pattern_stable(N, P):
    """log of the probability that a given pattern has no wrong bit: N log(1 - P_err)."""
    N = np.asarray(N, dtype=float)
    P = np.asarray(P, dtype=float)
    var = np.maximum(P - 1, 1e-300) * (N - 1) / N**2
    log_ok = log_ndtr(((N - 1) / N) / np.sqrt(var))  # log(1 - P_err), accurate for tiny P_err
    return N * log_ok


def p_pattern_stable(N, P):
    """Probability that one given pattern is a fixed point (bits treated as independent)."""
    return np.exp(log_p_pattern_stable(N, P))


def p_all_stable(N, P):
    """Probability that all P patterns are fixed points: (1 - P_err)^(N P) (independence)."""
    return np.exp(np.asarray(P, dtype=float) * log_p_pattern_stable(N, P))


def capacity_one_pattern(N):
    """Leading order of the largest P with a given pattern error-free w.h.p.: N / (2 ln N)."""
    N = np.asarray(N, dtype=float)
    return N / (2.0 * np.log(N))


def capacity_all_patterns(N):
    """Leading order of the largest P with every pattern error-free w.h.p.: N / (4 ln N)."""
    N = np.asarray(N, dtype=float)
    return N / (4.0 * np.log(N))


def p_half(N: int, requirement: str) -> float:
    """The (real) P at which the finite-N Gaussian prediction of the probability equals 1/2.

    ``requirement`` is "one" (a given pattern is a fixed point) or "all" (every pattern is).
    """
    fn = {"one": p_pattern_stable, "all": p_all_stable}[requirement]
    return float(brentq(lambda P: fn(N, P) - 0.5, 2.0, float(N), xtol=1e-10))
