"""Signal to noise for mixtures of features in the random-features Hopfield model
(book chapter ``rf_mixture_snr``).

Model. Features ``f^k in {+-1}^N`` (k = 1..D), training examples ``xi^mu = sign(u^mu)`` with
``u^mu = sum_k c_k^mu f^k`` (mu = 1..P), Hebb couplings ``J = (1/N) sum_mu xi^mu xi^mu^T``,
``J_ii = 0``. The state is a symmetric mixture ``s = sign(f^1 + ... + f^n)`` of n (odd) features
(a test example with n sparse +-1 coefficients is such a mixture up to the gauge f^k -> -f^k).

Linear part of an example. Project every example on its own pre-activation:
``xi^mu = a u^mu + r^mu`` with ``a = E[xi u] / E[u^2]`` (eq. ``rfsnr-split``), so that the remainder
``r^mu`` is uncorrelated with every single feature. For +-1 coefficients with L non-zero entries
(``"sparse"``; ``"dense_binary"`` with L = D) ``E[sign(u) u] = E|u|`` exactly, hence
``a_L = E|S_L| / L`` with S_L a sum of L iid +-1; for odd L, ``a_L = binom(L-1, (L-1)/2) / 2^(L-1)``.
For Gaussian coefficients (``"dense"``) ``a_mu = kappa_1 / |c^mu|`` (``kappa_1 = sqrt(2/pi)``, the
large-D limit). The fraction of an example's variance carried by its linear part is
``kappa_1L^2 = a^2 E|c|^2`` and the rest is ``kappa_sL^2 = 1 - kappa_1L^2`` (L = 1: 1 and 0; L = 3:
3/4 and 1/4; L -> infinity: 2/pi and 1 - 2/pi).

Local field. With the cavity overlaps ``m_l = f^l.s/N`` and ``t^mu = r^mu.s/N`` (site i removed), the
field ``h_i = sum_{j != i} J_ij s_j`` splits exactly into (eq. ``rfsnr-terms``)

- ``signal``: ``sum_{k in S} G_kk f^k_i m_k``, the diagonal of ``G = sum_mu a_mu^2 c^mu c^mu^T`` on
  the mixture's features, proportional to ``z_i = sum_{k in S} f^k_i`` (sign z_i = s_i);
- ``mix``: ``sum_{l in S} sum_{k != l} f^k_i G_kl m_l``, crosstalk from the mixture's features to the
  other features through examples that share features;
- ``unc``: ``sum_{l not in S} sum_k f^k_i G_kl m_l``, the uncondensed features (m_l ~ N^{-1/2});
- ``r_lin``: ``sum_mu a r^mu_i (c^mu.m)``, non-linear part of the examples against their linear
  overlap with the state;
- ``u_t``: ``sum_mu a u^mu_i t^mu``, the converse;
- ``r_t``: ``sum_mu r^mu_i t^mu``, the example-specific noise, a classical Hopfield crosstalk among
  P independent-like patterns of variance ``kappa_sL^2``.

Moments (large N, Gaussian noise; E over sites, features and coefficients; rho = E c^2 = L/D,
rho4 = E c^4, rho22 = E c_k^2 c_l^2; a^2 = kappa_1L^2/(rho D); b_n = overlap of the mixture with
each of its features = a_n):

- signal mean ``a^2 P rho b_n z_i``  =  ``kappa_1L^2 alpha_T b_n z_i``  (alpha_T = P/D);
- Var mix   = ``a^4 P rho22 n (D - 1) b_n^2``          ~ ``kappa_1L^4 n b_n^2 alpha_T (L-1)/L``;
- Var unc   = ``(D - n)/N a^4 [P rho4 + P(P-1) rho^2 + (D-1) P rho22]`` ~ ``kappa_1L^4 alpha (alpha_T + 1)``;
- Var r_lin = ``a^2 P kappa_sL^2 rho (n b_n^2 + (D - n)/N)``;
- Var u_t   = ``a^2 P (rho D) kappa_sL^2 / N``         =  ``kappa_1L^2 kappa_sL^2 alpha``;
- Var r_t   = ``P kappa_sL^4 / N``                     =  ``kappa_sL^4 alpha``.

Scaling (eq. ``rfsnr-snr``): at the weakest sites (|z_i| = 1), for large D and L,
``1/SNR^2 ~= n alpha_D [1/(kappa_1L^2 alpha) + pi/2 + pi alpha_D/(2 kappa_1L^4 alpha)]``
(using n b_n^2 -> 2/pi). A mixture of n features needs alpha >~ n alpha_D (the ``mix`` and
``r_lin`` terms, P >~ n D) and n alpha_D <~ const (the ``unc`` term, the classical capacity of
mixtures of the D learned features); the ``u_t``/``r_t`` terms add ``n alpha_D^2/alpha``. Hence
at fixed alpha the largest retrievable n scales as ``alpha_D^{-1}`` (sparse mixtures, n finite), and
a dense mixture (n ~ D) needs ``D^2/N`` finite and ``P ~ D^2``, i.e. ``D ~ sqrt(N)``.
"""

from __future__ import annotations

from math import comb, lgamma

import numpy as np
from scipy.special import ndtr

from .. import validation

KAPPA1_SQ = 2.0 / np.pi
TERMS = ("signal", "mix", "unc", "r_lin", "u_t", "r_t")
NOISE_TERMS = TERMS[1:]
COEFFICIENTS = ("dense", "dense_binary", "sparse")


def linear_coefficient(L: int) -> float:
    """a_L = E|S_L|/L: slope of sign(sum of L +-1 terms) on each term.

    a_L = binom(L-1, floor(L/2)) / 2^(L-1): 1, 1/2, 1/2, 3/8, 3/8, 5/16, ... (ties to +1 do not
    change it), -> sqrt(2/(pi L)) (1 + O(1/L)). Exact up to L = 1000, in logs beyond.

    Book equation: rfsnr-split

    Parameters
    ----------
    L : int
        Number of +-1 terms (>= 1).

    Returns
    -------
    float
        The slope a_L.
    """
    L = validation.integer(1)("L", L)
    k = L // 2
    if L <= 1000:  # exact rational arithmetic while 2^(L-1) is a finite float
        return comb(L - 1, k) / 2.0 ** (L - 1)
    return float(np.exp(lgamma(L) - lgamma(k + 1) - lgamma(L - k) - (L - 1) * np.log(2.0)))


def mean_abs_walk(L: int) -> float:
    """E|S_L| = L a_L for S_L a sum of L iid +-1.

    Parameters
    ----------
    L : int
        Number of +-1 steps (>= 1).

    Returns
    -------
    float
        The mean absolute value E|S_L|.
    """
    return L * linear_coefficient(L)


def mixture_overlap(n: int) -> float:
    """b_n = f^k.sign(f^1 + ... + f^n)/N for k in the mixture, N -> infinity (n odd).

    Parameters
    ----------
    n : int
        Number of features of the mixture (odd, >= 1).

    Returns
    -------
    float
        The overlap b_n (equal to a_n of :func:`linear_coefficient`).
    """
    n = validation.odd_integer(1)("n", n)
    return linear_coefficient(n)


def _check_train(coefficients, D, L):
    coefficients = validation.choice(*COEFFICIENTS)("coefficients", coefficients)
    D = validation.integer(1)("D", D)
    if coefficients == "sparse":
        L = validation.integer(1, D)("L", L)
    elif coefficients == "dense_binary":
        L = D
    else:
        L = None
    return coefficients, D, L


def coefficient_moments(coefficients: str, D: int, L: int | None = None) -> dict:
    """Moments of one training coefficient vector and of its linear projection.

    Sparse: exactly L non-zero +-1 entries out of D.

    Parameters
    ----------
    coefficients : str
        Family of the training coefficients: "dense" (Gaussian), "dense_binary" (+-1, L = D) or
        "sparse" (L non-zero +-1 entries).
    D : int
        Number of features (>= 1).
    L : int, optional
        Number of non-zero entries, 1 <= L <= D (used only for "sparse").

    Returns
    -------
    dict
        ``rho = E c_k^2``, ``rho4 = E c_k^4``, ``rho22 = E c_k^2 c_l^2`` (k != l), ``a2 = a^2``
        (square of the slope of eq. ``rfsnr-split``), ``kappa1_sq = a^2 E|c|^2`` and
        ``kappas_sq = 1 - kappa1_sq`` (floats).
    """
    coefficients, D, L = _check_train(coefficients, D, L)
    if coefficients == "sparse":
        rho, rho4 = L / D, L / D
        rho22 = L * (L - 1) / (D * (D - 1)) if D > 1 else 0.0
        a = linear_coefficient(L)
        k1 = a * a * L
    elif coefficients == "dense_binary":
        rho, rho4, rho22 = 1.0, 1.0, 1.0
        a = linear_coefficient(D)
        k1 = a * a * D
    else:
        rho, rho4, rho22 = 1.0, 3.0, 1.0
        k1 = KAPPA1_SQ
    a2 = k1 / (rho * D)
    return dict(rho=rho, rho4=rho4, rho22=rho22, a2=a2, kappa1_sq=k1, kappas_sq=1.0 - k1)


def field_term_moments(N: int, D: int, P: int, n: int, coefficients: str, L: int | None = None) -> dict:
    """Theory of the local-field terms on a symmetric n-mixture (eqs. ``rfsnr-terms``, ``rfsnr-var``).

    Inputs are sizes (not ratios). Variances are over sites and disorder, at leading order in 1/N,
    neglecting examples that share >= 3 features with the mixture.

    Book equation: rfsnr-var

    Parameters
    ----------
    N : int
        Number of neurons (>= 2).
    D : int
        Number of features.
    P : int
        Number of training examples (>= 1).
    n : int
        Number of features of the mixture (odd, 1 <= n <= D).
    coefficients : str
        Training coefficients: "sparse" (with ``L`` non-zero +-1 entries), "dense_binary" or "dense".
    L : int, optional
        Number of non-zero coefficients for "sparse".

    Returns
    -------
    dict
        ``{"signal_slope": a^2 P rho b_n  (signal mean = slope * z_i), "var": {term: variance}, "b_n",
        moments...}``: the keys of :func:`coefficient_moments` are included; ``"var"`` maps each of
        ``NOISE_TERMS`` to its variance.
    """
    N = validation.integer(2)("N", N)
    P = validation.integer(1)("P", P)
    mo = coefficient_moments(coefficients, D, L)
    D = int(D)
    n = validation.odd_integer(1, D)("n", n)
    b = mixture_overlap(n)
    a2, rho, rho4, rho22 = mo["a2"], mo["rho"], mo["rho4"], mo["rho22"]
    ks = mo["kappas_sq"]
    q = (N - 1) / N**2  # E m_l^2 for an uncondensed feature (cavity: N - 1 sites)
    var = {
        "mix": a2 * a2 * P * rho22 * n * (D - 1) * b * b,
        "unc": (D - n) * q * a2 * a2 * (P * rho4 + P * (P - 1) * rho * rho + (D - 1) * P * rho22),
        "r_lin": a2 * P * ks * rho * (n * b * b + (D - n) * q),
        "u_t": a2 * P * rho * D * ks * q,
        "r_t": P * ks * ks * q,
    }
    return dict(signal_slope=a2 * P * rho * b, var=var, b_n=b, **mo)


def signal_variance(N: int, D: int, P: int, n: int, z_abs: int, coefficients: str, L: int | None = None) -> float:
    """Variance over sites, within one sample, of s_i * signal_i at sites with |z_i| = z_abs.

    signal_i = sum_{k in S} f^k_i g_k with g_k = G_kk m_k fixed in a sample; g_k = gbar + delta_k with
    Var(delta) = a^4 P (rho4 - rho^2) b_n^2 + (a^2 P rho)^2 (1 - b_n^2)/N (example counts and
    condensed overlaps). Given |z|, E[s f^k] = |z|/n and E[f^k f^l] = (z^2 - n)/(n(n-1)), so the
    common part gbar drops out and the variance is (n - z^2/n) Var(delta) (zero for n = 1).

    Parameters
    ----------
    N, D, P, n : int
        Neurons, features, training examples, features of the mixture (n odd), as in
        :func:`field_term_moments`.
    z_abs : int
        The value of |z_i| = |f^1_i + ... + f^n_i| (odd, <= n).
    coefficients : str
        Training coefficients: "sparse", "dense_binary" or "dense".
    L : int, optional
        Number of non-zero coefficients for "sparse".

    Returns
    -------
    float
        The variance.
    """
    mo = field_term_moments(N, D, P, n, coefficients, L)
    a2, rho, rho4, b = mo["a2"], mo["rho"], mo["rho4"], mo["b_n"]
    gkk = a2 * P * rho
    var_g = a2 * a2 * P * (rho4 - rho * rho) * b * b + gkk * gkk * (1.0 - b * b) / N
    return (n - z_abs**2 / n) * var_g


def _signal_variance_pooled(N, D, P, n, coefficients, L):
    # across samples the common part gbar fluctuates too: n Var(delta) whatever |z|
    return signal_variance(N, D, P, n, 0, coefficients, L)


def z_distribution(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Values |z| = 1, 3, ..., n of |f^1_i + ... + f^n_i| and their probabilities (n odd).

    Parameters
    ----------
    n : int
        Number of features of the mixture (odd, >= 1).

    Returns
    -------
    zs : numpy.ndarray
        The values 1, 3, ..., n (int, shape ((n + 1)/2,)).
    p : numpy.ndarray
        Their probabilities (float, same shape, summing to 1).
    """
    n = validation.odd_integer(1)("n", n)
    zs = np.arange(1, n + 1, 2)
    p = np.array([2 * comb(n, (n + z) // 2) / 2.0**n for z in zs])
    return zs, p


def noise_variance(N, D, P, n, coefficients, L=None) -> float:
    """Sum of the noise-term variances (terms are uncorrelated at leading order).

    Parameters
    ----------
    N, D, P, n : int
        Neurons, features, training examples, features of the mixture (n odd), as in
        :func:`field_term_moments`.
    coefficients : str
        Training coefficients: "sparse", "dense_binary" or "dense".
    L : int, optional
        Number of non-zero coefficients for "sparse".

    Returns
    -------
    float
        The total noise variance of the local field.
    """
    return float(sum(field_term_moments(N, D, P, n, coefficients, L)["var"].values()))


def unstable_fraction(N: int, D: int, P: int, n: int, coefficients: str, L: int | None = None) -> float:
    """Predicted fraction of sites with s_i h_i < 0 on the mixture (one-step instability).

    sum_z p(|z|) Phi(-slope |z| / sqrt(V_noise + V_signal)), Gaussian noise, with the signal's
    sample-to-sample variance n Var(g) included (the fraction is pooled over samples).

    Parameters
    ----------
    N, D, P, n : int
        Neurons, features, training examples, features of the mixture (n odd), as in
        :func:`field_term_moments`.
    coefficients : str
        Training coefficients: "sparse", "dense_binary" or "dense".
    L : int, optional
        Number of non-zero coefficients for "sparse".

    Returns
    -------
    float
        The fraction of unstable sites, in [0, 1].
    """
    mo = field_term_moments(N, D, P, n, coefficients, L)
    vn = sum(mo["var"].values())
    zs, p = z_distribution(n)
    out = 0.0
    for z, pz in zip(zs, p):
        v = vn + _signal_variance_pooled(N, D, P, n, coefficients, L)
        out += pz * ndtr(-mo["signal_slope"] * z / np.sqrt(v))
    return float(out)


def inverse_snr2(alpha, alpha_D, n, kappa1_sq=KAPPA1_SQ, exact_b=True):
    """1/SNR^2 at the weakest sites (|z| = 1), N -> infinity at fixed alpha, alpha_D.

    Dense-limit moments (rho22 = rho^2, D >> n):

        1/SNR^2 = n/(kappa1^2 alpha_T) + alpha_D/b_n^2 + alpha_D^2/(kappa1^4 b_n^2 alpha)

    (see :func:`inverse_snr2_parts` for the origin of each piece). With ``exact_b=False`` b_n^2 = 2/(pi n).
    Vectorized over alpha and alpha_D.

    Book equation: rfsnr-snr

    Parameters
    ----------
    alpha : float or array_like
        Load P/N of training examples.
    alpha_D : float or array_like
        Load D/N of features (broadcast against alpha); alpha_T = alpha/alpha_D = P/D.
    n : int
        Number of features of the mixture (odd, >= 1).
    kappa1_sq : float, optional
        kappa_1^2, fraction of an example's variance in its linear part (default 2/pi).
    exact_b : bool, optional
        Use the exact b_n (default) or its large-n form b_n^2 = 2/(pi n).

    Returns
    -------
    numpy.ndarray or float
        1/SNR^2, broadcast shape of alpha and alpha_D.
    """
    alpha = np.asarray(alpha, dtype=float)
    alpha_D = np.asarray(alpha_D, dtype=float)
    n = validation.odd_integer(1)("n", n)
    b2 = mixture_overlap(n) ** 2 if exact_b else 2.0 / (np.pi * n)
    k1 = float(kappa1_sq)
    alpha_T = alpha / alpha_D
    return n / (k1 * alpha_T) + alpha_D / b2 + alpha_D**2 / (k1 * k1 * b2 * alpha)


def inverse_snr2_parts(alpha, alpha_D, n, kappa1_sq=KAPPA1_SQ) -> dict:
    """The three contributions of :func:`inverse_snr2`, by origin.

    ``"condensed"`` (``mix`` + condensed part of ``r_lin``, P >~ n D), ``"features"`` (the alpha_T part
    of ``unc``: classical crosstalk of the D learned features) and ``"examples"`` (everything of order
    alpha: the rest of ``unc`` and ``r_lin``, ``u_t``, ``r_t``; their variances add up to alpha, as for
    P random patterns).

    Book equation: rfsnr-snr

    Parameters
    ----------
    alpha : float or array_like
        Load P/N of training examples.
    alpha_D : float or array_like
        Load D/N of features.
    n : int
        Number of features of the mixture (odd).
    kappa1_sq : float, optional
        kappa_1^2 (default 2/pi).

    Returns
    -------
    dict
        ``{"condensed", "features", "examples"}`` -> numpy.ndarray (broadcast shape of alpha and
        alpha_D); the exact b_n is used.
    """
    alpha = np.asarray(alpha, dtype=float)
    alpha_D = np.asarray(alpha_D, dtype=float)
    b2 = mixture_overlap(n) ** 2
    k1 = float(kappa1_sq)
    return {
        "condensed": n * alpha_D / (k1 * alpha),
        "features": alpha_D / b2 + 0.0 * alpha,
        "examples": alpha_D**2 / (k1 * k1 * b2 * alpha),
    }


#: Threshold on SNR^2 fixed by the classical limit: a single pattern (n = 1, alpha -> infinity,
#: the features are then the stored patterns at load alpha_D) is retrievable up to alpha_D = 0.138.
SNR2_CLASSICAL = 1.0 / 0.138


def snr_max_mixture(alpha, alpha_D, kappa1_sq=KAPPA1_SQ, snr2_c=SNR2_CLASSICAL, n_max=100001):
    """Largest odd n with 1/SNR^2 <= 1/snr2_c; 0 when even n = 1 fails.

    The criterion SNR^2 >= snr2_c is a one-parameter stand-in for "the mixture is a fixed point";
    the default threshold is calibrated on the classical single-pattern capacity, so only the
    scaling of the answer with alpha and alpha_D is a prediction. Bisection over odd n (1/SNR^2
    increases with n).

    Book equation: rfsnr-snr

    Parameters
    ----------
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    kappa1_sq : float, optional
        kappa_1^2 (default 2/pi).
    snr2_c : float, optional
        Threshold on SNR^2 (default ``SNR2_CLASSICAL`` = 1/0.138).
    n_max : int, optional
        Largest n searched (default 100001).

    Returns
    -------
    int
        The largest odd n (``n_max`` at most), or 0.
    """
    alpha = float(alpha)
    alpha_D = float(alpha_D)
    lo, hi = 0, (n_max - 1) // 2  # search over n = 2j + 1; 1/SNR^2 increases with n

    def ok(j):
        return inverse_snr2(alpha, alpha_D, 2 * j + 1, kappa1_sq) <= 1.0 / snr2_c

    if not ok(0):
        return 0
    if ok(hi):
        return 2 * hi + 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return 2 * lo + 1


def snr_max_mixture_continuous(alpha, alpha_D, kappa1_sq=KAPPA1_SQ, snr2_c=SNR2_CLASSICAL):
    """The same as :func:`snr_max_mixture` with n continuous and b_n^2 = 2/(pi n) (large n).

        n_max = 1 / (snr2_c alpha_D [1/(kappa1^2 alpha) + pi/2 + pi alpha_D/(2 kappa1^4 alpha)]).

    Book equation: rfsnr-snr

    Parameters
    ----------
    alpha : float or array_like
        Load P/N of training examples.
    alpha_D : float or array_like
        Load D/N of features.
    kappa1_sq : float, optional
        kappa_1^2 (default 2/pi).
    snr2_c : float, optional
        Threshold on SNR^2 (default ``SNR2_CLASSICAL``).

    Returns
    -------
    numpy.ndarray or float
        n_max (real), broadcast shape of alpha and alpha_D.
    """
    alpha = np.asarray(alpha, dtype=float)
    alpha_D = np.asarray(alpha_D, dtype=float)
    k1 = float(kappa1_sq)
    return 1.0 / (snr2_c * alpha_D * (1.0 / (k1 * alpha) + np.pi / 2 + np.pi * alpha_D / (2 * k1 * k1 * alpha)))


def snr_exponent(alpha, alpha_D, kappa1_sq=KAPPA1_SQ):
    """Local exponent d ln n_max / d ln alpha_D of :func:`snr_max_mixture_continuous`.

        -1 - x/(1/(kappa1^2 alpha) + pi/2 + x),  x = pi alpha_D/(2 kappa1^4 alpha)

    -> -1 for alpha_D << alpha (independent of the threshold).

    Parameters
    ----------
    alpha : float or array_like
        Load P/N of training examples.
    alpha_D : float or array_like
        Load D/N of features.
    kappa1_sq : float, optional
        kappa_1^2 (default 2/pi).

    Returns
    -------
    numpy.ndarray or float
        The exponent (<= -1).
    """
    alpha = np.asarray(alpha, dtype=float)
    alpha_D = np.asarray(alpha_D, dtype=float)
    k1 = float(kappa1_sq)
    x = np.pi * alpha_D / (2 * k1 * k1 * alpha)
    return -1.0 - x / (1.0 / (k1 * alpha) + np.pi / 2 + x)


def generalization_alpha_snr(alpha_D, n, kappa1_sq=KAPPA1_SQ, snr2_c=SNR2_CLASSICAL):
    """alpha at which 1/SNR^2 = 1/snr2_c for an n-mixture: the SNR estimate of the generalization transition.

    inf where the classical term alone already exceeds the threshold.

    Book equation: rfsnr-snr

    Parameters
    ----------
    alpha_D : float or array_like
        Load D/N of features.
    n : int
        Number of features of the mixture (odd).
    kappa1_sq : float, optional
        kappa_1^2 (default 2/pi).
    snr2_c : float, optional
        Threshold on SNR^2 (default ``SNR2_CLASSICAL``).

    Returns
    -------
    numpy.ndarray
        The load alpha = P/N (inf where no alpha suffices), shape of alpha_D.
    """
    alpha_D = np.asarray(alpha_D, dtype=float)
    n = validation.odd_integer(1)("n", n)
    b2 = mixture_overlap(n) ** 2
    k1 = float(kappa1_sq)
    room = 1.0 / snr2_c - alpha_D / b2
    need = n * alpha_D / k1 + alpha_D**2 / (k1 * k1 * b2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(room > 0, need / np.where(room > 0, room, 1.0), np.inf)


__all__ = [
    "COEFFICIENTS",
    "KAPPA1_SQ",
    "NOISE_TERMS",
    "SNR2_CLASSICAL",
    "TERMS",
    "coefficient_moments",
    "field_term_moments",
    "generalization_alpha_snr",
    "inverse_snr2",
    "inverse_snr2_parts",
    "linear_coefficient",
    "mean_abs_walk",
    "mixture_overlap",
    "noise_variance",
    "signal_variance",
    "snr_exponent",
    "snr_max_mixture",
    "snr_max_mixture_continuous",
    "unstable_fraction",
    "z_distribution",
]


def snr_largest_odd_mixture(alpha, alpha_D, coefficients: str = "dense", n_max: int = 3999,
                            snr2_c=SNR2_CLASSICAL) -> int:
    """Largest odd n <= ``n_max`` with 1/SNR^2 <= 1/snr2_c for features of a given training family.

    For ``"sparse"`` training the examples have L = n non-zero +-1 coefficients (L_train = L_test = n),
    so kappa_1^2 is that of a sparse L = n example (:func:`coefficient_moments` in the dense-D limit);
    for dense training it is the Gaussian 2/pi. 0 when even n = 1 fails. Every odd n is tested (with
    the n-dependent kappa_1^2 of sparse training, 1/SNR^2 need not be monotonic in n).

    Book equation: rfsnr-snr

    Parameters
    ----------
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    coefficients : str, optional
        Training family: "dense" (default), "dense_binary" or "sparse".
    n_max : int, optional
        Largest n tested (default 3999).
    snr2_c : float, optional
        Threshold on SNR^2 (default ``SNR2_CLASSICAL``).

    Returns
    -------
    int
        The largest odd n that passes, or 0.
    """
    coefficients = validation.choice("sparse", "dense", "dense_binary")("coefficients", coefficients)
    ok = []
    for n in range(1, int(n_max) + 1, 2):
        k1 = coefficient_moments("sparse", 10**6, n)["kappa1_sq"] if coefficients == "sparse" else KAPPA1_SQ
        if inverse_snr2(alpha, alpha_D, n, k1) <= 1 / snr2_c:
            ok.append(n)
    return max(ok) if ok else 0
