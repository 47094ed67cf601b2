"""Dense associative memory through the random energy model (REM): pure functions.

Notation (book chapter ``dense_rem``): P = exp(alpha N) patterns with r_xi^2 = E|xi|^2/N = 1; a
state of norm |x| = rho sqrt(N); inverse temperature lam of the log-sum-exp energy.

- zeta_rho(lam)      = lim (1/N) log E exp(lam x.xi)            cumulant generating function
- zeta_hat_rho(eps)  = sup_l [l eps - zeta_rho(l)]               its Legendre transform
- eps_*(alpha, rho)  = largest eps with zeta_hat_rho(eps) <= alpha;  lam_* = zeta_hat_rho'(eps_*)
- phi_{alpha,rho}(lam) = (alpha + zeta_rho(lam)) / lam for lam < lam_*, eps_* for lam >= lam_*
- alpha_1(lam)       = sup{alpha : 1 > phi_{alpha,1}(lam)}       typical-pattern retrieval threshold
- alpha_*(lam)       : lam_*(alpha_*, 1) = lam                   REM condensation line
- cos theta_c        = phi_{alpha,1}(lam)                        one-step basin (spherical patterns)
- c_max(alpha)       = largest c with zeta_hat_1(c) = alpha       nearest other pattern (first moment)
- alpha_c^lb(lam)    = sup{alpha : A(alpha, lam) > alpha}         union bound (Gaussian patterns)

Every function takes ``kind`` in {"spherical", "gaussian"}. Closed forms are used where they exist;
``zeta_hat_numeric``, ``eps_star_numeric``, ``phi_numeric`` and ``alpha_1_numeric`` compute the same
objects from zeta alone (numerical Legendre transform and root finding), and the tests check one
against the other. Inverse functions (lam_c, alpha_c^lb, boundaries) are solved numerically.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy import optimize

from .. import validation as V

KINDS = ("spherical", "gaussian")


def _kind(kind: str) -> str:
    return V.choice(*KINDS)("kind", kind)


def _alpha(alpha):
    a = np.asarray(alpha, dtype=float)
    if np.any(~np.isfinite(a)) or np.any(a <= 0):
        V.fail("alpha", alpha, "a real number (or array) in (0, inf)")
    return a


def _lam(lam, allow_inf=False):
    a = np.asarray(lam, dtype=float)
    if np.any(np.isnan(a)) or np.any(a <= 0) or (not allow_inf and np.any(np.isinf(a))):
        V.fail("lam", lam, "a real number (or array) in (0, inf)" + (" or inf" if allow_inf else ""))
    return a


# ----------------------------------------------------------------------------- zeta and its transform
def zeta(lam, rho=1.0, kind="spherical"):
    """Cumulant generating function zeta_rho(lam) = lim (1/N) log E exp(lam x.xi), |x| = rho sqrt N.

    spherical: (u - 1)/2 + (1/2) log(2/(1 + u)), u = sqrt(1 + 4 lam^2 rho^2)   (saddle point over the
               overlap c with entropy (1/2) log(1 - c^2));  gaussian: lam^2 rho^2 / 2.
    """
    kind = _kind(kind)
    lam = np.asarray(lam, dtype=float)
    rho = np.asarray(rho, dtype=float)
    if kind == "gaussian":
        return 0.5 * lam**2 * rho**2
    u = np.sqrt(1.0 + 4.0 * lam**2 * rho**2)
    return 0.5 * (u - 1.0) + 0.5 * np.log(2.0 / (1.0 + u))


def zeta_prime(lam, rho=1.0, kind="spherical"):
    """d zeta_rho / d lam: the typical energy level eps(lam) (spherical: rho c(lam rho), c = (u-1)/(2 lam rho))."""
    kind = _kind(kind)
    lam = np.asarray(lam, dtype=float)
    rho = np.asarray(rho, dtype=float)
    if kind == "gaussian":
        return lam * rho**2
    u = np.sqrt(1.0 + 4.0 * lam**2 * rho**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(lam == 0, 0.0, (u - 1.0) / (2.0 * lam))


def zeta_hat(eps, rho=1.0, kind="spherical"):
    """Legendre transform zeta_hat_rho(eps): the entropy cost of the energy level eps.

    spherical: -(1/2) log(1 - eps^2/rho^2) for |eps| < rho (inf beyond); gaussian: eps^2/(2 rho^2).
    """
    kind = _kind(kind)
    eps = np.asarray(eps, dtype=float)
    rho = np.asarray(rho, dtype=float)
    if kind == "gaussian":
        return eps**2 / (2.0 * rho**2)
    c2 = (eps / rho) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(c2 < 1.0, -0.5 * np.log1p(-np.minimum(c2, 1.0)), np.inf)


def legendre_transform(f: Callable[[float], float], eps: float, lam_max: float = 1.0e4) -> tuple[float, float]:
    """sup_l [l eps - f(l)] for a convex f, numerically: returns (value, maximizer l).

    The maximizer is bracketed by doubling (f convex: l eps - f(l) is concave), then refined with
    Brent's method; ``lam_max`` bounds the search (the sup is +inf if the maximizer runs away).
    """
    g = lambda l: -(l * eps - f(l))  # noqa: E731
    lo, hi = -1.0, 1.0
    # expand until the concave objective turns down on both sides
    while hi < lam_max and g(2 * hi) < g(hi):
        hi *= 2
    while lo > -lam_max and g(2 * lo) < g(lo):
        lo *= 2
    res = optimize.minimize_scalar(g, bounds=(2 * lo, 2 * hi), method="bounded", options={"xatol": 1e-12})
    return float(-res.fun), float(res.x)


def zeta_hat_numeric(eps, rho=1.0, kind="spherical"):
    """zeta_hat_rho(eps) from ``zeta`` by the numerical Legendre transform (scalar eps)."""
    kind = _kind(kind)
    return legendre_transform(lambda l: float(zeta(l, rho, kind)), float(eps))[0]


# ----------------------------------------------------------------------------- REM free energy
def eps_star(alpha, rho=1.0, kind="spherical"):
    """Largest energy level reached by exp(alpha N) levels: zeta_hat_rho(eps_*) = alpha.

    spherical: rho sqrt(1 - exp(-2 alpha)); gaussian: rho sqrt(2 alpha).
    """
    kind = _kind(kind)
    alpha = _alpha(alpha)
    rho = np.asarray(rho, dtype=float)
    if kind == "gaussian":
        return rho * np.sqrt(2.0 * alpha)
    return rho * np.sqrt(-np.expm1(-2.0 * alpha))


def lam_star(alpha, rho=1.0, kind="spherical"):
    """Condensation temperature lam_* = zeta_hat_rho'(eps_*).

    spherical: sqrt(exp(4 alpha) - exp(2 alpha)) / rho; gaussian: sqrt(2 alpha) / rho.
    """
    kind = _kind(kind)
    alpha = _alpha(alpha)
    rho = np.asarray(rho, dtype=float)
    if kind == "gaussian":
        return np.sqrt(2.0 * alpha) / rho
    return np.sqrt(np.exp(4.0 * alpha) - np.exp(2.0 * alpha)) / rho


def phi(alpha, lam, rho=1.0, kind="spherical"):
    """REM free energy density phi_{alpha,rho}(lam) (lam = inf allowed: the condensed value eps_*)."""
    kind = _kind(kind)
    alpha = _alpha(alpha)
    lam = _lam(lam, allow_inf=True)
    ls = lam_star(alpha, rho, kind)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        free = (alpha + zeta(np.where(np.isinf(lam), 1.0, lam), rho, kind)) / lam
    return np.where(lam < ls, free, eps_star(alpha, rho, kind))


def eps_star_numeric(alpha, rho=1.0, kind="spherical"):
    """eps_* from the numerical Legendre transform: largest root of zeta_hat(eps) = alpha (scalar)."""
    kind = _kind(kind)
    alpha = float(_alpha(alpha))
    f = lambda e: zeta_hat_numeric(e, rho, kind) - alpha  # noqa: E731
    hi = 0.5 * rho
    while f(hi) < 0:
        hi = 0.5 * (hi + rho) if kind == "spherical" else 2 * hi
    return optimize.brentq(f, zeta_prime(0.0, rho, kind) + 0.0, hi, xtol=1e-13)


def phi_numeric(alpha, lam, rho=1.0, kind="spherical"):
    """phi_{alpha,rho}(lam) from zeta alone: lam_* is the maximizer of the Legendre sup at eps_*."""
    kind = _kind(kind)
    e = eps_star_numeric(alpha, rho, kind)
    ls = legendre_transform(lambda l: float(zeta(l, rho, kind)), e)[1]
    if lam < ls:
        return (alpha + float(zeta(lam, rho, kind))) / lam
    return e


# ----------------------------------------------------------------------------- thresholds
def alpha_star(lam, kind="spherical"):
    """Condensation line alpha_*(lam) (rho = 1): inverse of lam_*(alpha).

    spherical: (1/2) log((1 + u)/2), u = sqrt(1 + 4 lam^2); gaussian: lam^2 / 2.
    """
    kind = _kind(kind)
    lam = _lam(lam)
    if kind == "gaussian":
        return 0.5 * lam**2
    u = np.sqrt(1.0 + 4.0 * lam**2)
    return 0.5 * np.log(0.5 * (1.0 + u))


def alpha_1(lam, kind="spherical"):
    """Typical-pattern threshold alpha_1(lam) = sup{alpha : 1 > phi_{alpha,1}(lam)}.

    Uncondensed branch: alpha < lam - zeta_1(lam); the condensed branch (alpha <= alpha_*) retrieves
    as long as eps_* < 1. spherical: lam - (u - 1)/2 + (1/2) log((1 + u)/2) (> alpha_* always);
    gaussian: lam - lam^2/2 for lam <= 1, 1/2 beyond (the condensed branch takes over).
    """
    kind = _kind(kind)
    lam = _lam(lam)
    unc = lam - zeta(lam, 1.0, kind)
    if kind == "gaussian":
        return np.where(lam <= 1.0, unc, 0.5)
    return unc


def alpha_1_numeric(lam, kind="spherical"):
    """alpha_1 by bisection in alpha on the criterion 1 > phi_numeric(alpha, lam) (scalar lam)."""
    kind = _kind(kind)
    lam = float(_lam(lam))
    f = lambda a: 1.0 - phi_numeric(a, lam, 1.0, kind)  # noqa: E731
    lo, hi = 1e-6, 0.1
    while f(hi) > 0:
        hi *= 2
    return optimize.brentq(f, lo, hi, xtol=1e-12)


def lam_c(alpha, kind="spherical"):
    """Retrieval onset lam_c(alpha): the inverse of alpha_1, solved numerically (scalar or array)."""
    kind = _kind(kind)
    a = _alpha(alpha)
    if kind == "gaussian" and np.any(a >= 0.5):
        V.fail("alpha", alpha, "below 1/2 for Gaussian patterns (alpha_1 <= 1/2 at every lam)")

    def one(x):
        hi = 1.0
        while alpha_1(hi, kind) < x:
            hi *= 2
        lo = 1e-9
        return optimize.brentq(lambda l: float(alpha_1(l, kind)) - x, lo, hi, xtol=1e-13)

    out = np.array([one(x) for x in np.atleast_1d(a)])
    return out.reshape(a.shape) if a.ndim else float(out[0])


def theta_c(alpha, lam, kind="spherical"):
    """One-step basin angle: cos theta_c = phi_{alpha,1}(lam); nan where phi >= 1 (no retrieval)."""
    c = phi(alpha, lam, 1.0, kind)
    with np.errstate(invalid="ignore"):
        return np.where(c < 1.0, np.arccos(np.clip(c, -1.0, 1.0)), np.nan)


def c_max(alpha, kind="spherical"):
    """Largest overlap of a pattern with exp(alpha N) others, from the first moment: the largest c
    with alpha - zeta_hat_1(c) = 0, solved numerically on the numerical Legendre transform."""
    kind = _kind(kind)
    a = np.atleast_1d(_alpha(alpha))
    out = np.array([eps_star_numeric(x, 1.0, kind) for x in a])
    return out.reshape(np.shape(alpha)) if np.ndim(alpha) else float(out[0])


# ----------------------------------------------------------------------------- all patterns (union bound)
def norm_rate(r, kind="gaussian"):
    """Large deviation rate I~(r) of the norm |xi|/sqrt N: (r^2 - 1 - log r^2)/2 for Gaussian
    patterns (chi-square with N degrees of freedom); 0 at r = 1 and inf elsewhere for spherical ones."""
    kind = _kind(kind)
    r = np.asarray(r, dtype=float)
    if kind == "spherical":
        return np.where(r == 1.0, 0.0, np.inf)
    s = r * r
    return 0.5 * (s - 1.0 - np.log(s))


def failure_boundary(alpha, lam, kind="gaussian"):
    """Norm r_b where phi_{alpha,r}(lam) = r^2: patterns shorter than r_b lose to the REM.

    phi/r^2 decreases with r, so the root is unique; solved with brentq."""
    f = lambda r: float(phi(alpha, lam, r, kind)) - r * r  # noqa: E731
    lo, hi = 1e-6, 1.0
    while f(hi) > 0:
        hi *= 2
    return optimize.brentq(f, lo, hi, xtol=1e-13)


def union_bound_rate(alpha, lam, kind="gaussian"):
    """A(alpha, lam) = inf_r [ I~(r) + inf_{phi > r^2} I_{alpha,r,lam}(phi) ] (Gaussian patterns).

    For r < r_b the typical REM already wins (inner term 0): cost I~(r). For r > r_b the REM must
    fluctuate up to r^2: cost zeta_hat_r(r^2) - alpha. Both infima are taken numerically.
    """
    kind = _kind(kind)
    alpha = float(_alpha(alpha))
    rb = failure_boundary(alpha, lam, kind)
    # pattern too short: the closest such norm to the typical one
    weak = float(norm_rate(min(rb, 1.0), kind))
    g = lambda r: float(norm_rate(r, kind)) + float(zeta_hat(r * r, r, kind)) - alpha  # noqa: E731
    res = optimize.minimize_scalar(g, bounds=(rb, max(4.0, 4 * rb)), method="bounded", options={"xatol": 1e-12})
    strong = min(float(res.fun), g(rb))
    return min(weak, strong)


def alpha_c_lb(lam, kind="gaussian"):
    """Union-bound lower bound on the all-pattern capacity: sup{alpha : A(alpha, lam) > alpha}.

    Solved by bisection in alpha below alpha_1(lam); lam = inf allowed (fully condensed REM).
    For spherical patterns the REM has no upward large deviations and the bound equals alpha_1.
    """
    kind = _kind(kind)
    lams = _lam(lam, allow_inf=True)
    out = []
    for l in np.atleast_1d(lams):
        if kind == "spherical":
            out.append(float(alpha_1(l, kind)))
            continue
        a1 = 0.5 if np.isinf(l) else float(alpha_1(l, kind))
        f = lambda a: union_bound_rate(a, l, kind) - a  # noqa: E731
        hi = a1 * (1 - 1e-9)
        out.append(optimize.brentq(f, 1e-8, hi, xtol=1e-12) if f(hi) < 0 else hi)
    out = np.array(out)
    return out.reshape(lams.shape) if lams.ndim else float(out[0])


# ----------------------------------------------------------------------------- scaled dot product
def scaled_alpha_1(lam_t, N=None, a=0.5, kind="spherical"):
    """Scaled dot product lam = lam_t / N^a, P = exp(alpha_t N^(1-a)).

    The REM is entropic: lam N Phi = log P + N zeta(lam_t N^-a) (annealed), and retrieval at x = xi^1
    needs lam_t N^(1-a) > that, i.e. alpha_t < lam_t - N^a zeta(lam_t N^-a). Returns this finite-N
    threshold (N=None: the limit N -> inf, where the correction vanishes and alpha_t_1 = lam_t).
    """
    lam_t = _lam(lam_t)
    a = V.real(0.0, 1.0, lo_open=True, hi_open=True)("a", a)
    if N is None:
        return lam_t + 0.0
    N = np.asarray(N, dtype=float)
    return lam_t - N**a * zeta(lam_t * N ** (-a), 1.0, kind)


def large_lam_alpha_1(lam):
    """Large-lam law for spherical patterns: alpha_1 ~ 1/2 + (1/2) log lam (+ O(1/lam))."""
    lam = _lam(lam)
    return 0.5 + 0.5 * np.log(lam)


__all__ = [
    "alpha_1",
    "alpha_1_numeric",
    "alpha_c_lb",
    "alpha_star",
    "c_max",
    "eps_star",
    "eps_star_numeric",
    "failure_boundary",
    "lam_c",
    "lam_star",
    "large_lam_alpha_1",
    "legendre_transform",
    "norm_rate",
    "phi",
    "phi_numeric",
    "scaled_alpha_1",
    "theta_c",
    "union_bound_rate",
    "zeta",
    "zeta_hat",
    "zeta_hat_numeric",
    "zeta_prime",
]
