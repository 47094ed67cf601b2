"""Signal to noise for mixtures in the random-features model: theory (hopcore.theory.rf_snr) against
the measured split of the local field (hopcore.experiments.rf_fields), and numpy references."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from hopcore.experiments.rf_fields import example_slopes, field_terms, rf_field_terms
from hopcore.theory import rf_snr


# ----------------------------------------------------------------------------- closed forms
def test_linear_coefficient_exact_values():
    assert rf_snr.linear_coefficient(1) == 1.0
    assert rf_snr.linear_coefficient(3) == 0.5
    assert rf_snr.linear_coefficient(5) == 0.375
    assert rf_snr.linear_coefficient(7) == 0.3125
    for L in (101, 1001):
        assert rf_snr.linear_coefficient(L) == pytest.approx(np.sqrt(2 / (np.pi * L)), rel=1.0 / L)


def test_linear_coefficient_is_the_slope_by_enumeration():
    # E[sign(sum_k f_k) f_1] over all 2^L sign vectors, ties to +1 (even L included)
    for L in range(1, 9):
        tot = 0.0
        for f in itertools.product((-1, 1), repeat=L):
            u = sum(f)
            tot += (1 if u >= 0 else -1) * f[0]
        assert tot / 2**L == pytest.approx(rf_snr.linear_coefficient(L)), L


def test_mixture_overlap_monte_carlo():
    rng = np.random.default_rng(0)
    f = rng.choice(np.array([-1, 1], dtype=np.int8), size=(200_000, 5))
    s = np.sign(f.sum(axis=1))
    assert np.mean(s * f[:, 0]) == pytest.approx(rf_snr.mixture_overlap(5), abs=0.01)


def test_z_distribution_normalized():
    for n in (1, 3, 7, 21):
        zs, p = rf_snr.z_distribution(n)
        assert p.sum() == pytest.approx(1.0)
        assert np.sum(p * zs) == pytest.approx(n * rf_snr.mixture_overlap(n))  # E|z| = n b_n


def test_moments_kappas():
    mo = rf_snr.coefficient_moments("sparse", 40, 3)
    assert mo["kappa1_sq"] == pytest.approx(0.75) and mo["kappas_sq"] == pytest.approx(0.25)
    assert mo["rho22"] == pytest.approx(3 * 2 / (40 * 39))
    assert rf_snr.coefficient_moments("dense", 40)["kappa1_sq"] == pytest.approx(2 / np.pi)
    assert rf_snr.coefficient_moments("dense_binary", 401)["kappa1_sq"] == pytest.approx(2 / np.pi, rel=5e-3)


def test_inverse_snr2_is_the_large_N_limit_of_the_term_moments():
    alpha, alpha_D, n = 1.5, 0.01, 5
    N = 10**7
    D, P = int(alpha_D * N), int(alpha * N)
    th = rf_snr.field_term_moments(N, D, P, n, "dense")
    snr2 = th["signal_slope"] ** 2 / sum(th["var"].values())
    assert 1 / snr2 == pytest.approx(float(rf_snr.inverse_snr2(alpha, alpha_D, n)), rel=1e-3)
    parts = rf_snr.inverse_snr2_parts(alpha, alpha_D, n)
    assert sum(float(v) for v in parts.values()) == pytest.approx(float(rf_snr.inverse_snr2(alpha, alpha_D, n)))


def test_snr_scaling_and_exponent():
    alpha = 2.0
    aD = np.array([1e-4, 2e-4])
    n_c = rf_snr.snr_max_mixture_continuous(alpha, aD)
    slope = np.diff(np.log(n_c)) / np.diff(np.log(aD))
    assert slope[0] == pytest.approx(-1.0, abs=0.01)
    assert float(rf_snr.snr_exponent(alpha, 1e-4)) == pytest.approx(-1.0, abs=0.01)
    assert float(rf_snr.snr_exponent(alpha, 0.5)) < -1.05  # the order-alpha noise steepens it
    # the integer version follows the continuous one at large n
    assert rf_snr.snr_max_mixture(alpha, 1e-4) == pytest.approx(n_c[0], rel=0.05)
    # more features per mixture need more examples; more alpha_D too
    assert rf_snr.snr_max_mixture(alpha, 0.001) >= rf_snr.snr_max_mixture(alpha, 0.004)
    assert rf_snr.snr_max_mixture(4.0, 0.004) >= rf_snr.snr_max_mixture(1.0, 0.004)


def test_generalization_alpha_solves_the_threshold():
    for n, aD in [(1, 0.01), (3, 0.005), (7, 0.002)]:
        a = float(rf_snr.generalization_alpha_snr(aD, n))
        assert np.isfinite(a)
        assert float(rf_snr.inverse_snr2(a, aD, n)) == pytest.approx(1 / rf_snr.SNR2_CLASSICAL, rel=1e-9)
    # beyond the classical mixture capacity there is no alpha that works
    assert np.isinf(rf_snr.generalization_alpha_snr(0.2, 3))


def test_validation_names_the_parameter():
    with pytest.raises(ValueError, match="n="):
        rf_snr.field_term_moments(1000, 40, 400, 4, "sparse", 3)
    with pytest.raises(ValueError, match="L="):
        rf_snr.field_term_moments(1000, 40, 400, 3, "sparse", 41)
    with pytest.raises(ValueError, match="coefficients="):
        rf_snr.coefficient_moments("gaussian", 40)
    with pytest.raises(ValueError, match="n="):
        rf_field_terms(1000, 0.5, 0.02, "sparse", 3, n=41, seed=1)
    with pytest.raises(ValueError, match="L="):
        rf_field_terms(1000, 0.5, 0.02, "sparse", 2, n=3, seed=1)


# ------------------------------------------------------------ exact split vs numpy reference
def _reference_terms(F, C, X, s, S, a):
    """Plain-numpy twin with the full N x N couplings and explicit cavity overlaps per site."""
    N, D = F.shape
    Ff, sf, Xf = F.astype(float), s.astype(float), X.astype(float)
    J = Xf @ Xf.T / N
    np.fill_diagonal(J, 0.0)
    h = J @ sf
    U = Ff @ C
    R = Xf - U * a
    G = (C * a**2) @ C.T
    inS = np.isin(np.arange(D), S)
    out = {k: np.zeros(N) for k in rf_snr.TERMS}
    for i in range(N):
        keep = np.arange(N) != i
        m = Ff[keep].T @ sf[keep] / N
        t = R[keep].T @ sf[keep] / N
        for k in range(D):
            for l in range(D):
                v = F[i, k] * G[k, l] * m[l]
                if l in S and k == l:
                    out["signal"][i] += v
                elif l in S:
                    out["mix"][i] += v
                else:
                    out["unc"][i] += v
        out["r_lin"][i] = np.sum(a * R[i] * (C.T @ m))
        out["u_t"][i] = np.sum(a * U[i] * t)
        out["r_t"][i] = np.sum(R[i] * t)
    assert inS.sum() == len(S)
    return out, h


@pytest.mark.parametrize("coefficients,L", [("sparse", 3), ("dense", None), ("dense_binary", None)])
def test_field_terms_match_reference_and_sum_to_field(coefficients, L):
    from hopcore.dynamics.asynchronous import local_fields
    from hopcore.ensembles.random_features import rf_coefficients, rf_examples, rf_features, rf_mixture

    N, D, P, n = 60, 7, 25, 3
    F = rf_features(N, D, 3)
    C = rf_coefficients(D, P, coefficients, L, 4)
    X = rf_examples(F, C)
    s = rf_mixture(F, n)
    S = np.arange(n)
    a = example_slopes(C, coefficients, L)
    got = field_terms(F, C, X, s, S, a)
    ref, h = _reference_terms(F, C, X, s, S, a)
    for k in rf_snr.TERMS:
        np.testing.assert_allclose(got[k], ref[k], atol=1e-10, err_msg=k)
    np.testing.assert_allclose(sum(got.values()), h, atol=1e-10)
    np.testing.assert_allclose(local_fields(X, s), h, atol=1e-12)


# ------------------------------------------------------------ variances against simulation
@pytest.mark.parametrize("coefficients,L,n", [("sparse", 3, 3), ("dense", None, 5)])
def test_noise_variances_against_measured_fields(coefficients, L, n):
    N, alpha, alpha_D, n_samples = 1500, 0.6, 0.04, 6
    res = [rf_field_terms(N, alpha, alpha_D, coefficients, L, n, seed=100 + k, relax=False) for k in range(n_samples)]
    assert max(r["residual"] for r in res) < 1e-9
    D, P = res[0]["D"], res[0]["P"]
    th = rf_snr.field_term_moments(N, D, P, n, coefficients, L)
    for k in rf_snr.NOISE_TERMS:
        meas = np.mean([r[f"var_{k}"] for r in res])
        assert meas == pytest.approx(th["var"][k], rel=0.25), (k, meas, th["var"][k])
    slope_meas = np.mean([r["signal_mean_z"][0] for r in res])
    assert slope_meas == pytest.approx(th["signal_slope"], rel=0.08)
    meas_unstable = np.mean([r["unstable"] for r in res])
    pred = rf_snr.unstable_fraction(N, D, P, n, coefficients, L)
    assert meas_unstable == pytest.approx(pred, rel=0.35, abs=2e-3)


def test_noise_scales_as_predicted_with_P():
    # doubling P at fixed N, D: mix and r_lin double, r_t doubles, unc grows ~ P^2 (alpha_T part)
    N, alpha_D, n = 1200, 0.04, 3
    v = {}
    for alpha in (0.4, 1.6):
        res = [rf_field_terms(N, alpha, alpha_D, "dense", None, n, seed=7 + k, relax=False) for k in range(4)]
        v[alpha] = {k: np.mean([r[f"var_{k}"] for r in res]) for k in rf_snr.NOISE_TERMS}
    assert v[1.6]["mix"] / v[0.4]["mix"] == pytest.approx(4.0, rel=0.3)
    assert v[1.6]["r_t"] / v[0.4]["r_t"] == pytest.approx(4.0, rel=0.3)
    assert v[1.6]["unc"] / v[0.4]["unc"] > 8.0


def test_rs_mixture_overlap_formula():
    from hopcore.theory.random_features import rs_mixture_overlap

    rng = np.random.default_rng(5)
    alpha, qh, mh, n = 0.3, 2.0, 0.4, 3
    x = np.array([[0.1, qh, 0.1, 0.5, 1.0, 0.5, 0.5, mh]])
    # Monte Carlo of s = sign(mh zeta + sqrt(alpha qh) z) against the mixture sign(zeta)
    f = rng.choice([-1, 1], size=(400_000, n))
    zeta = f.sum(axis=1)
    s = np.sign(mh * zeta + np.sqrt(alpha * qh) * rng.standard_normal(zeta.size))
    assert rs_mixture_overlap([alpha], x, n)[0] == pytest.approx(np.mean(s * np.sign(zeta)), abs=4e-3)
    # n = 1: the feature overlap erf(mh / sqrt(2 alpha qh))
    from scipy.special import erf

    assert rs_mixture_overlap([alpha], x, 1)[0] == pytest.approx(erf(mh / np.sqrt(2 * alpha * qh)))
