"""Measured decomposition of the local field on a mixture of features (chapter ``rf_mixture_snr``).

One call is one sample: draw the features F (N x D), P training coefficients C (D x P) and examples
X = sign(F C), put the network in the symmetric mixture s = sign(f^1 + ... + f^n), and split the
exact local field ``h_i = sum_{j != i} J_ij s_j`` into the six terms of
:mod:`hopcore.theory.rf_snr` (``signal``, ``mix``, ``unc``, ``r_lin``, ``u_t``, ``r_t``). The split is
an identity, checked on every call (``residual``), so every term is measured, not modelled.

Cost O(N P L) for sparse coefficients (O(N P D) dense) and memory O(N P) floats: the pre-activations
U = F C and remainders R = X - a U are N x P; the only square matrix is G = C diag(a^2) C^T (D x D).
No N x N matrix is built.
"""

from __future__ import annotations

import numpy as np

from .. import validation
from ..dynamics.asynchronous import async_fixed_point, local_fields
from ..ensembles.random_features import rf_coefficients, rf_examples, rf_features, rf_mixture
from ..theory.rf_snr import KAPPA1_SQ, NOISE_TERMS, TERMS, linear_coefficient
from .runner import derive_seed


def example_slopes(C: np.ndarray, coefficients: str, L: int | None) -> np.ndarray:
    """a_mu of ``xi^mu = a_mu u^mu + r^mu``: E|S_L|/L for +-1 coefficients, kappa_1/|c^mu| for Gaussian ones.

    Book equation: rfsnr-split

    Parameters
    ----------
    C : numpy.ndarray, shape (D, P)
        Training coefficients.
    coefficients : str
        "sparse", "dense_binary" or "dense".
    L : int or None
        Non-zero coefficients for "sparse".

    Returns
    -------
    numpy.ndarray of float, shape (P,)
        The slopes a_mu.
    """
    D, P = C.shape
    if coefficients == "sparse":
        return np.full(P, linear_coefficient(int(L)))
    if coefficients == "dense_binary":
        return np.full(P, linear_coefficient(D))
    return np.sqrt(KAPPA1_SQ) / np.sqrt((C * C).sum(axis=0))


def field_terms(F: np.ndarray, C: np.ndarray, X: np.ndarray, s: np.ndarray, S: np.ndarray, a: np.ndarray) -> dict:
    """The six terms (each (N,) float64) of the exact split of h_i on the state ``s``.

    With U = F C, R = X - U a, m = F^T s/N, t = R^T s/N, G = C diag(a^2) C^T and the cavity
    corrections (site i removed):

        signal_i = sum_{k in S} G_kk (F_ik m_k - s_i/N)
        mix_i    = sum_{l in S} B_il (m_l - F_il s_i/N),    B = F G - F diag(G)
        unc_i    = sum_{l not in S} (F G)_il (m_l - F_il s_i/N)
        r_lin_i  = sum_mu a_mu R_imu (c^mu.m - U_imu s_i/N)
        u_t_i    = sum_mu a_mu U_imu (t_mu - R_imu s_i/N)
        r_t_i    = sum_mu R_imu (t_mu - R_imu s_i/N)

    Book equation: rfsnr-terms

    Parameters
    ----------
    F : numpy.ndarray of int8, shape (N, D)
        Features.
    C : numpy.ndarray, shape (D, P)
        Coefficients.
    X : numpy.ndarray of int8, shape (N, P)
        Examples sign(F C).
    s : numpy.ndarray, shape (N,)
        The state (+-1).
    S : array_like of int
        The indices of the mixture's features.
    a : numpy.ndarray, shape (P,)
        Slopes (:func:`example_slopes`).

    Returns
    -------
    dict of str to numpy.ndarray
        ``signal``, ``mix``, ``unc``, ``r_lin``, ``u_t``, ``r_t``: float64 arrays of shape (N,) that
        sum to h.
    """
    N, D = F.shape
    Ff = F.astype(np.float64)
    sf = s.astype(np.float64)
    U = Ff @ C
    # R = X - U a, built in place: the N x P temporaries dominate the cost of a call
    R = U * (-a)
    R += X
    m = Ff.T @ sf / N
    t = R.T @ sf / N
    G = (C * (a * a)) @ C.T
    FG = Ff @ G
    inS = np.zeros(D, dtype=bool)
    inS[np.asarray(S, dtype=np.int64)] = True
    gd = np.diag(G)
    B = FG - Ff * gd
    cav = sf / N
    aRU = np.einsum("ij,ij,j->i", R, U, a)  # sum_mu a_mu R_imu U_imu, shared by r_lin and u_t
    out = {}
    out["signal"] = (Ff[:, inS] * m[inS]).dot(gd[inS]) - cav * gd[inS].sum()
    out["mix"] = B[:, inS].dot(m[inS]) - cav * (B[:, inS] * Ff[:, inS]).sum(axis=1)
    out["unc"] = FG[:, ~inS].dot(m[~inS]) - cav * (FG[:, ~inS] * Ff[:, ~inS]).sum(axis=1)
    out["r_lin"] = R.dot(a * (C.T @ m)) - cav * aRU
    out["u_t"] = U.dot(a * t) - cav * aRU
    out["r_t"] = R.dot(t) - cav * np.einsum("ij,ij->i", R, R)
    return out


def check_field_point(N, alpha, alpha_D, coefficients, L, n) -> dict:
    """Validate one measurement point (raises ValueError naming the parameter) and return sizes.

    Parameters
    ----------
    N : int
        Number of neurons, 16 <= N <= 10^5.
    alpha : float
        Load P/N, in (0, 50].
    alpha_D : float
        Load D/N, in (0, 1].
    coefficients : str
        "dense", "dense_binary" or "sparse".
    L : int or None
        Non-zero coefficients for "sparse" (odd, <= D).
    n : int
        Size of the mixture (odd, <= D).

    Returns
    -------
    dict
        ``N``, ``alpha``, ``alpha_D``, ``coefficients``, ``L`` (None unless sparse), ``n``, ``D``, ``P``.
    """
    N = validation.integer(16, 10**5)("N", N)
    alpha = validation.real(0.0, 50.0, lo_open=True)("alpha", alpha)
    alpha_D = validation.real(0.0, 1.0, lo_open=True)("alpha_D", alpha_D)
    coefficients = validation.choice("dense", "dense_binary", "sparse")("coefficients", coefficients)
    D, P = max(1, int(round(alpha_D * N))), max(1, int(round(alpha * N)))
    if coefficients == "sparse":
        L = validation.odd_integer(1, D)("L", L)
    else:
        L = None
    n = validation.odd_integer(1, D)("n", n)
    # U, R, products: a few N x P float64 arrays at once
    validation.memory_bytes("alpha", alpha, 6 * 8.0 * N * P + 8.0 * N * D + 8.0 * D * P, validation.memory_limit_bytes())
    return dict(N=N, alpha=alpha, alpha_D=alpha_D, coefficients=coefficients, L=L, n=n, D=D, P=P)


def rf_field_terms(N: int, alpha: float, alpha_D: float, coefficients: str, L: int | None, n: int, seed: int,
                   relax: bool = True, max_sweeps: int = 200) -> dict:
    """Statistics over sites of the measured field terms on an n-mixture, one sample.

    Book equation: rfsnr-var

    Parameters
    ----------
    N : int
        Number of neurons.
    alpha : float
        Load P/N.
    alpha_D : float
        Load D/N.
    coefficients : str
        "dense", "dense_binary" or "sparse".
    L : int or None
        Non-zero coefficients for "sparse".
    n : int
        Size of the mixture (odd).
    seed : int
        Seed of the sample.
    relax : bool, optional
        Also run the asynchronous dynamics from s (default True).
    max_sweeps : int, optional
        Maximum number of sweeps of that run (default 200).

    Returns
    -------
    dict
        For every term T: ``mean_T`` = mean of s_i T_i and ``var_T`` = variance of s_i T_i over sites;
        for the signal, ``signal_mean_z``/``signal_var_z`` at sites with |z_i| = 1, 3, ..., n (NaN where
        no site has that |z|), ``signal_mean_z1`` the first of them; ``noise_var`` (variance of
        s_i (h_i - signal_i)), ``snr2_z1`` (squared mean over variance of s_i h_i at |z_i| = 1 sites),
        ``unstable`` (fraction of sites with s_i h_i < 0), ``residual`` (max |sum of terms - h_i|: the
        split is exact), ``D``, ``P`` and, when ``relax``, ``m_final`` = s*.s/N after the asynchronous
        dynamics from s and ``converged``.
    """
    pt = check_field_point(N, alpha, alpha_D, coefficients, L, n)
    seed = validation.seed("seed", seed)
    N, D, P, n, coefficients, L = pt["N"], pt["D"], pt["P"], pt["n"], pt["coefficients"], pt["L"]
    F = rf_features(N, D, derive_seed(seed, "features"))
    C = rf_coefficients(D, P, coefficients, L, derive_seed(seed, "train"))
    X = rf_examples(F, C)
    S = np.arange(n)
    s = rf_mixture(F, n)
    a = example_slopes(C, coefficients, L)
    terms = field_terms(F, C, X, s, S, a)
    h = local_fields(X, s)
    sf = s.astype(np.float64)
    out: dict = {"D": D, "P": P}
    total = sum(terms.values())
    out["residual"] = float(np.max(np.abs(total - h)))
    for k in TERMS:
        y = sf * terms[k]
        out[f"mean_{k}"] = float(y.mean())
        out[f"var_{k}"] = float(y.var())
    noise = sf * (h - terms["signal"])
    out["noise_var"] = float(noise.var())
    z = np.abs(F[:, :n].astype(np.int64).sum(axis=1))
    zs = np.arange(1, n + 1, 2)
    sm, sv = np.full(zs.size, np.nan), np.full(zs.size, np.nan)
    for j, zz in enumerate(zs):
        sel = z == zz
        if sel.sum() > 1:
            y = sf[sel] * terms["signal"][sel]
            sm[j], sv[j] = y.mean(), y.var()
    out["signal_mean_z"] = sm
    out["signal_mean_z1"] = float(sm[0])
    out["signal_var_z"] = sv
    sel = z == 1
    sh = sf[sel] * h[sel]
    out["snr2_z1"] = float(sh.mean() ** 2 / sh.var()) if sel.sum() > 1 and sh.var() > 0 else float("nan")
    out["unstable"] = float(np.mean(sf * h < 0))
    if relax:
        s_star, sweeps, conv = async_fixed_point(X, s, derive_seed(seed, "dynamics"), max_sweeps=max_sweeps)
        out["m_final"] = float(np.dot(s_star.astype(np.int64), s.astype(np.int64)) / N)
        out["converged"] = bool(conv)
    return out


def mixture_example_overlaps(N: int, alpha: float, alpha_D: float, n: int, seed: int) -> dict:
    """The overlaps lambda_mu = xi^mu.s/sqrt(N) of the symmetric n-mixture s with the P training examples.

    Dense Gaussian coefficients, one sample: the Gaussian-equivalence check of chapter
    ``rf_spinodals``. Gaussian equivalence predicts lambda2 = kappa_1^2 p + kappa_s^2 up to the
    sampling error of a mean over P examples.

    Book equation: rf_spinodals-gep

    Parameters
    ----------
    N : int
        Number of neurons.
    alpha : float
        Load P/N.
    alpha_D : float
        Load D/N.
    n : int
        Size of the mixture (odd).
    seed : int
        Seed of the sample.

    Returns
    -------
    dict
        ``lambda2`` (mean of lambda_mu^2 over the examples), ``p`` = |F^T s|^2/(N D) (the
        feature-space overlap of s with itself), ``p_condensed`` (its part from the n mixture
        features), ``P`` and ``D``.
    """
    pt = check_field_point(N, alpha, alpha_D, "dense", None, n)
    seed = validation.seed("seed", seed)
    N, D, P, n = pt["N"], pt["D"], pt["P"], pt["n"]
    F = rf_features(N, D, derive_seed(seed, "features"))
    C = rf_coefficients(D, P, "dense", None, derive_seed(seed, "train"))
    X = rf_examples(F, C)
    s = rf_mixture(F, n).astype(np.float64)
    lam = X.T.astype(np.float64) @ s / np.sqrt(N)
    v2 = (F.T.astype(np.float64) @ s) ** 2 / N
    return {"lambda2": float(np.mean(lam * lam)), "p": float(v2.sum() / D),
            "p_condensed": float(v2[:n].sum() / D), "P": P, "D": D}


__all__ = ["NOISE_TERMS", "check_field_point", "example_slopes", "field_terms", "mixture_example_overlaps",
           "rf_field_terms"]
