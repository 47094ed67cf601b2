"""Signal-to-noise theory of the Hebbian Hopfield network (book chapter ``classical_snr``).

Started at pattern xi^nu, the aligned local field is a signal plus a crosstalk,

    xi_i^nu h_i = (N-1)/N + C_i,    C_i = (1/N) sum_{mu != nu} sum_{j != i} xi_i^nu xi_i^mu xi_j^mu xi_j^nu,

a sum of (P-1)(N-1) iid +-1/N terms, Gaussian with mean 0 and variance (P-1)(N-1)/N^2 -> alpha. A bit
is wrong after one synchronous step when C_i < -1.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.special import erfc, log_ndtr


def per_bit_error(alpha):
    """The per-bit error probability for N -> infinity,

        P_err(alpha) = (1/2) erfc(1 / sqrt(2 alpha)).

    The probability that the Gaussian crosstalk C_i of variance alpha falls below -1, i.e. that a bit
    of a stored pattern is wrong after one synchronous step.

    Book equation: snr-perr

    Parameters
    ----------
    alpha : float or array_like
        Load P/N > 0.

    Returns
    -------
    numpy.ndarray or float
        The per-bit error probability, same shape as ``alpha``.
    """
    alpha = np.asarray(alpha, dtype=float)
    return 0.5 * erfc(1.0 / np.sqrt(2.0 * alpha))


def per_bit_error_finite(N, P):
    """Gaussian approximation of the per-bit error at finite N, P: signal (N-1)/N, variance (P-1)(N-1)/N^2.

        P_err = (1/2) erfc(((N-1)/N) / sqrt(2 var)),    var = (P-1)(N-1)/N^2

    (the variance floored at a tiny positive value for P = 1).

    Book equation: snr-split

    Parameters
    ----------
    N : float or array_like
        Number of spins.
    P : float or array_like
        Number of patterns (broadcast against N).

    Returns
    -------
    numpy.ndarray or float
        The per-bit error probability.
    """
    N = np.asarray(N, dtype=float)
    P = np.asarray(P, dtype=float)
    var = np.maximum(P - 1, 1e-300) * (N - 1) / N**2
    return 0.5 * erfc(((N - 1) / N) / np.sqrt(2.0 * var))


def log_p_pattern_stable(N, P):
    """log of the probability that a given pattern has no wrong bit: N log(1 - P_err).

    Bits are treated as independent; log(1 - P_err) is computed with ``log_ndtr``, accurate for tiny
    P_err, with the finite-N, P Gaussian approximation of :func:`per_bit_error_finite`.

    Parameters
    ----------
    N : float or array_like
        Number of spins.
    P : float or array_like
        Number of patterns (broadcast against N).

    Returns
    -------
    numpy.ndarray or float
        The log-probability (<= 0).
    """
    N = np.asarray(N, dtype=float)
    P = np.asarray(P, dtype=float)
    var = np.maximum(P - 1, 1e-300) * (N - 1) / N**2
    log_ok = log_ndtr(((N - 1) / N) / np.sqrt(var))  # log(1 - P_err), accurate for tiny P_err
    return N * log_ok


def p_pattern_stable(N, P):
    """Probability that one given pattern is a fixed point (bits treated as independent).

    exp of :func:`log_p_pattern_stable`: (1 - P_err)^N with the finite-N, P Gaussian P_err.

    Parameters
    ----------
    N : float or array_like
        Number of spins.
    P : float or array_like
        Number of patterns (broadcast against N).

    Returns
    -------
    numpy.ndarray or float
        The probability.
    """
    return np.exp(log_p_pattern_stable(N, P))


def p_all_stable(N, P):
    """Probability that all P patterns are fixed points: (1 - P_err)^(N P) (independence).

    Parameters
    ----------
    N : float or array_like
        Number of spins.
    P : float or array_like
        Number of patterns (broadcast against N).

    Returns
    -------
    numpy.ndarray or float
        The probability.
    """
    return np.exp(np.asarray(P, dtype=float) * log_p_pattern_stable(N, P))


def capacity_one_pattern(N):
    """Leading order of the largest P with a given pattern error-free w.h.p.: N / (2 ln N).

    The leading term of the half-point equation for one pattern (book equation: snr-half-points).

    Parameters
    ----------
    N : float or array_like
        Number of spins (> 1).

    Returns
    -------
    numpy.ndarray or float
        N / (2 ln N).
    """
    N = np.asarray(N, dtype=float)
    return N / (2.0 * np.log(N))


def capacity_all_patterns(N):
    """Leading order of the largest P with every pattern error-free w.h.p.: N / (4 ln N).

    The leading term of the half-point equation for all patterns (book equation: snr-half-points).

    Parameters
    ----------
    N : float or array_like
        Number of spins (> 1).

    Returns
    -------
    numpy.ndarray or float
        N / (4 ln N).
    """
    N = np.asarray(N, dtype=float)
    return N / (4.0 * np.log(N))


def p_half(N: int, requirement: str) -> float:
    """The (real) P at which the finite-N Gaussian prediction of the probability equals 1/2.

    Root in P in [2, N] (Brent's method) of :func:`p_pattern_stable` or :func:`p_all_stable` minus 1/2;
    its large-N form is book equation snr-half-points.

    Parameters
    ----------
    N : int
        Number of spins.
    requirement : str
        ``"one"`` (a given pattern is a fixed point) or ``"all"`` (every pattern is).

    Returns
    -------
    float
        The half point P_1/2 (not rounded to an integer).
    """
    fn = {"one": p_pattern_stable, "all": p_all_stable}[requirement]
    return float(brentq(lambda P: fn(N, P) - 0.5, 2.0, float(N), xtol=1e-10))
