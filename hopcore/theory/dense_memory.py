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
- alpha_R(lam)       = W_0(2 lam/5)/4                             Ramsauer et al.'s bound at large N

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

from .. import validation

KINDS = ("spherical", "gaussian")


def _kind(kind: str) -> str:
    return validation.choice(*KINDS)("kind", kind)


def _alpha(alpha):
    a = np.asarray(alpha, dtype=float)
    if np.any(~np.isfinite(a)) or np.any(a <= 0):
        validation.fail("alpha", alpha, "a real number (or array) in (0, inf)")
    return a


def _lam(lam, allow_inf=False):
    a = np.asarray(lam, dtype=float)
    if np.any(np.isnan(a)) or np.any(a <= 0) or (not allow_inf and np.any(np.isinf(a))):
        validation.fail("lam", lam, "a real number (or array) in (0, inf)" + (" or inf" if allow_inf else ""))
    return a


# ----------------------------------------------------------------------------- zeta and its transform
def zeta(lam, rho=1.0, kind="spherical"):
    """Cumulant generating function zeta_rho(lam) = lim (1/N) log E exp(lam x.xi), |x| = rho sqrt N.

    spherical: (u - 1)/2 + (1/2) log(2/(1 + u)), u = sqrt(1 + 4 lam^2 rho^2)   (saddle point over the
    overlap c with entropy (1/2) log(1 - c^2));  gaussian: lam^2 rho^2 / 2.

    Book equation: dense-rem-zeta-sph

    Parameters
    ----------
    lam : float or array_like
        Inverse temperature.
    rho : float or array_like, optional
        Norm of the state, |x| = rho sqrt(N) (default 1).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray or float
        zeta_rho(lam), broadcast shape of lam and rho.
    """
    kind = _kind(kind)
    lam = np.asarray(lam, dtype=float)
    rho = np.asarray(rho, dtype=float)
    if kind == "gaussian":
        return 0.5 * lam**2 * rho**2
    u = np.sqrt(1.0 + 4.0 * lam**2 * rho**2)
    return 0.5 * (u - 1.0) + 0.5 * np.log(2.0 / (1.0 + u))


def zeta_prime(lam, rho=1.0, kind="spherical"):
    """d zeta_rho / d lam: the typical energy level eps(lam).

    spherical: rho c(lam rho), c = (u-1)/(2 lam rho); gaussian: lam rho^2.

    Parameters
    ----------
    lam : float or array_like
        Inverse temperature (0 allowed: the derivative is 0 there).
    rho : float or array_like, optional
        Norm of the state, |x| = rho sqrt(N) (default 1).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray or float
        The derivative, broadcast shape of lam and rho.
    """
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

    Book equation: dense-rem-zeta-sph

    Parameters
    ----------
    eps : float or array_like
        Energy level (overlap x.xi/N).
    rho : float or array_like, optional
        Norm of the state, |x| = rho sqrt(N) (default 1).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray or float
        zeta_hat_rho(eps) (inf outside the support), broadcast shape of eps and rho.
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
    """sup_l [l eps - f(l)] for a convex f, numerically.

    The maximizer is bracketed by doubling (f convex: l eps - f(l) is concave), then refined with
    Brent's method; ``lam_max`` bounds the search (the sup is +inf if the maximizer runs away).

    Parameters
    ----------
    f : callable
        Convex function of one float, returning a float.
    eps : float
        The conjugate variable.
    lam_max : float, optional
        Bound of the bracketing search (default 1e4).

    Returns
    -------
    value : float
        The supremum.
    maximizer : float
        The l at which it is reached.
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
    """zeta_hat_rho(eps) from ``zeta`` by the numerical Legendre transform (scalar eps).

    Book equation: dense-rem-zeta-sph

    Parameters
    ----------
    eps : float
        Energy level.
    rho : float, optional
        Norm of the state, |x| = rho sqrt(N) (default 1).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    float
        zeta_hat_rho(eps).
    """
    kind = _kind(kind)
    return legendre_transform(lambda l: float(zeta(l, rho, kind)), float(eps))[0]


# ----------------------------------------------------------------------------- REM free energy
def eps_star(alpha, rho=1.0, kind="spherical"):
    """Largest energy level reached by exp(alpha N) levels: zeta_hat_rho(eps_*) = alpha.

    spherical: rho sqrt(1 - exp(-2 alpha)); gaussian: rho sqrt(2 alpha).

    Parameters
    ----------
    alpha : float or array_like
        Exponential load, P = exp(alpha N) (> 0).
    rho : float or array_like, optional
        Norm of the state, |x| = rho sqrt(N) (default 1).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray or float
        eps_*(alpha, rho).
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

    Parameters
    ----------
    alpha : float or array_like
        Exponential load, P = exp(alpha N) (> 0).
    rho : float or array_like, optional
        Norm of the state, |x| = rho sqrt(N) (default 1).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray or float
        lam_*(alpha, rho).
    """
    kind = _kind(kind)
    alpha = _alpha(alpha)
    rho = np.asarray(rho, dtype=float)
    if kind == "gaussian":
        return np.sqrt(2.0 * alpha) / rho
    return np.sqrt(np.exp(4.0 * alpha) - np.exp(2.0 * alpha)) / rho


def phi(alpha, lam, rho=1.0, kind="spherical"):
    """REM free energy density phi_{alpha,rho}(lam) (lam = inf allowed: the condensed value eps_*).

    phi = (alpha + zeta_rho(lam)) / lam for lam < lam_*, eps_* for lam >= lam_*.

    Book equation: dense-rem-phi

    Parameters
    ----------
    alpha : float or array_like
        Exponential load, P = exp(alpha N) (> 0).
    lam : float or array_like
        Inverse temperature (> 0, inf allowed).
    rho : float or array_like, optional
        Norm of the state, |x| = rho sqrt(N) (default 1).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray
        phi_{alpha,rho}(lam), broadcast shape of the inputs.
    """
    kind = _kind(kind)
    alpha = _alpha(alpha)
    lam = _lam(lam, allow_inf=True)
    ls = lam_star(alpha, rho, kind)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        free = (alpha + zeta(np.where(np.isinf(lam), 1.0, lam), rho, kind)) / lam
    return np.where(lam < ls, free, eps_star(alpha, rho, kind))


def eps_star_numeric(alpha, rho=1.0, kind="spherical"):
    """eps_* from the numerical Legendre transform: largest root of zeta_hat(eps) = alpha (scalar).

    Parameters
    ----------
    alpha : float
        Exponential load (> 0).
    rho : float, optional
        Norm of the state (default 1).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    float
        eps_*(alpha, rho).
    """
    kind = _kind(kind)
    alpha = float(_alpha(alpha))
    f = lambda e: zeta_hat_numeric(e, rho, kind) - alpha  # noqa: E731
    hi = 0.5 * rho
    while f(hi) < 0:
        hi = 0.5 * (hi + rho) if kind == "spherical" else 2 * hi
    return optimize.brentq(f, zeta_prime(0.0, rho, kind) + 0.0, hi, xtol=1e-13)


def phi_numeric(alpha, lam, rho=1.0, kind="spherical"):
    """phi_{alpha,rho}(lam) from zeta alone: lam_* is the maximizer of the Legendre sup at eps_*.

    Book equation: dense-rem-phi

    Parameters
    ----------
    alpha : float
        Exponential load (> 0).
    lam : float
        Inverse temperature (> 0).
    rho : float, optional
        Norm of the state (default 1).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    float
        phi_{alpha,rho}(lam).
    """
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

    Parameters
    ----------
    lam : float or array_like
        Inverse temperature of the log-sum-exp energy (> 0).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray or float
        alpha_*(lam).
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

    Book equation: dense-rem-alpha1

    Parameters
    ----------
    lam : float or array_like
        Inverse temperature of the log-sum-exp energy (> 0).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray or float
        alpha_1(lam).
    """
    kind = _kind(kind)
    lam = _lam(lam)
    unc = lam - zeta(lam, 1.0, kind)
    if kind == "gaussian":
        return np.where(lam <= 1.0, unc, 0.5)
    return unc


def alpha_1_numeric(lam, kind="spherical"):
    """alpha_1 by bisection in alpha on the criterion 1 > phi_numeric(alpha, lam) (scalar lam).

    Book equation: dense-rem-alpha1

    Parameters
    ----------
    lam : float
        Inverse temperature (> 0).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    float
        alpha_1(lam).
    """
    kind = _kind(kind)
    lam = float(_lam(lam))
    f = lambda a: 1.0 - phi_numeric(a, lam, 1.0, kind)  # noqa: E731
    lo, hi = 1e-6, 0.1
    while f(hi) > 0:
        hi *= 2
    return optimize.brentq(f, lo, hi, xtol=1e-12)


def lam_c(alpha, kind="spherical"):
    """Retrieval onset lam_c(alpha): the inverse of alpha_1, solved numerically (scalar or array).

    Parameters
    ----------
    alpha : float or array_like
        Exponential load, P = exp(alpha N) (> 0); below 1/2 for Gaussian patterns
        (alpha_1 <= 1/2 at every lam).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray or float
        lam_c, shape of alpha (a float for scalar alpha).
    """
    kind = _kind(kind)
    a = _alpha(alpha)
    if kind == "gaussian" and np.any(a >= 0.5):
        validation.fail("alpha", alpha, "below 1/2 for Gaussian patterns (alpha_1 <= 1/2 at every lam)")

    def one(x):
        hi = 1.0
        while alpha_1(hi, kind) < x:
            hi *= 2
        lo = 1e-9
        return optimize.brentq(lambda l: float(alpha_1(l, kind)) - x, lo, hi, xtol=1e-13)

    out = np.array([one(x) for x in np.atleast_1d(a)])
    return out.reshape(a.shape) if a.ndim else float(out[0])


def lam_c_norm(alpha, r, kind="gaussian"):
    """Retrieval onset of a pattern of norm r (|xi^1|^2 = N r^2), started at x = xi^1.

    The pattern term is N r^2 and the other patterns form a REM with levels xi^1.xi^mu of norm rho = r,
    so xi^1 is kept when r^2 > phi_{alpha,r}(lam). phi decreases with lam up to lam_*(alpha, r) and is
    constant beyond, so the onset is the root of r^2 = phi_{alpha,r}(lam) (brentq), nan when even the
    condensed value eps_*(alpha, r) is above r^2. Gaussian closed form: 1 - sqrt(1 - 2 alpha / r^2).

    Book equation: dense-sim-lamc-norm

    Parameters
    ----------
    alpha : float
        Exponential load (> 0).
    r : float or array_like
        Norm of the pattern, |xi^1| = r sqrt(N).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "gaussian").

    Returns
    -------
    numpy.ndarray or float
        The onset lam (nan where there is none), shape of r.
    """
    kind = _kind(kind)
    alpha = float(_alpha(alpha))
    rs = np.asarray(r, dtype=float)
    out = []
    for x in np.atleast_1d(rs):
        ls = float(lam_star(alpha, x, kind))
        f = lambda l: x * x - float(phi(alpha, l, x, kind))  # noqa: E731
        if not x > 0 or f(ls) <= 0:
            out.append(np.nan)
            continue
        lo = 1e-9 * ls
        out.append(optimize.brentq(f, lo, ls, xtol=1e-13) if f(lo) < 0 else lo)
    out = np.array(out)
    return out.reshape(rs.shape) if rs.ndim else float(out[0])


def theta_c(alpha, lam, kind="spherical"):
    """One-step basin angle: cos theta_c = phi_{alpha,1}(lam); nan where phi >= 1 (no retrieval).

    Book equation: dense-rem-thetac

    Parameters
    ----------
    alpha : float or array_like
        Exponential load, P = exp(alpha N) (> 0).
    lam : float or array_like
        Inverse temperature (> 0, inf allowed).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray
        theta_c in radians, broadcast shape of alpha and lam.
    """
    c = phi(alpha, lam, 1.0, kind)
    with np.errstate(invalid="ignore"):
        return np.where(c < 1.0, np.arccos(np.clip(c, -1.0, 1.0)), np.nan)


def c_max(alpha, kind="spherical"):
    """Largest overlap of a pattern with exp(alpha N) others, from the first moment.

    The largest c with alpha - zeta_hat_1(c) = 0, solved numerically on the numerical Legendre
    transform.

    Parameters
    ----------
    alpha : float or array_like
        Exponential load, P = exp(alpha N) (> 0).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray or float
        c_max, shape of alpha (a float for scalar alpha).
    """
    kind = _kind(kind)
    a = np.atleast_1d(_alpha(alpha))
    out = np.array([eps_star_numeric(x, 1.0, kind) for x in a])
    return out.reshape(np.shape(alpha)) if np.ndim(alpha) else float(out[0])


# ----------------------------------------------------------------------------- finite N
def log_mgf_finite_n(lam, N, kind="spherical", s=1.0):
    """log E exp(lam xi^1.xi) at finite N for a fixed xi^1 with |xi^1|^2 = N s and a random pattern xi.

    spherical (s = 1): the overlap c = xi^1.xi/N has density (1 - c^2)^((N-3)/2) / B(1/2, (N-1)/2) on
    (-1, 1), so E e^(kappa c) (kappa = lam N) is a one-dimensional integral, done by quadrature around
    the maximum of the exponent (equal to Gamma(N/2) (kappa/2)^(1-N/2) I_(N/2-1)(kappa), which the tests
    check); gaussian: xi^1.xi is N(0, N s), so lam^2 N s / 2. Scalar lam.

    Parameters
    ----------
    lam : float
        Inverse temperature.
    N : int
        Number of dimensions.
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").
    s : float, optional
        Squared norm per dimension of xi^1 (default 1; used for gaussian patterns).

    Returns
    -------
    log_mgf : float
        log E exp(lam xi^1.xi).
    eps : float
        The mean of xi^1.xi/N under the tilted law (the lam-derivative of log E, divided by N).
    """
    from scipy import integrate
    from scipy.special import betaln

    kind = _kind(kind)
    lam = float(lam)
    if kind == "gaussian":
        return 0.5 * lam**2 * N * s, lam * s
    k = lam * N
    a = 0.5 * (N - 3.0)
    # maximum of h(c) = a log(1 - c^2) + k c: k (1 - c^2) = 2 a c
    c0 = (math.sqrt(a * a + k * k) - a) / k if k > 0 else 0.0
    h0 = a * math.log1p(-c0 * c0) + k * c0
    f = lambda c: math.exp(a * math.log1p(-c * c) + k * c - h0)  # noqa: E731
    width = 1.0 / math.sqrt(max(N, 1.0))
    pts = [max(-1.0 + 1e-15, c0 - width), c0, min(1.0 - 1e-15, c0 + width)]
    z = integrate.quad(f, -1.0, 1.0, points=pts, epsabs=0.0, epsrel=1e-12, limit=200)[0]
    zc = integrate.quad(lambda c: c * f(c), -1.0, 1.0, points=pts, epsabs=0.0, epsrel=1e-12, limit=200)[0]
    return h0 + math.log(z) - betaln(0.5, 0.5 * (N - 1.0)), zc / z


def saddle_node_margin(kappa):
    """g_c(kappa) = min over 0 < delta < 1/2 of [kappa delta + log(1/delta - 1)].

    The fixed-point equation delta = 1/(1 + exp(g - kappa delta)) has a solution with delta < 1/2
    iff g >= g_c; for large kappa, g_c = 1 + log(kappa) + O(1/kappa). For kappa <= 4 the bracket
    decreases on (0, 1/2) and the value is kappa/2.

    Book equation: dense-sim-margin

    Parameters
    ----------
    kappa : float
        Slope of G(delta) = g - kappa delta.

    Returns
    -------
    float
        g_c(kappa).
    """
    kappa = float(kappa)
    if kappa <= 4.0:
        return 0.5 * kappa  # the bracket decreases on (0, 1/2): no small-delta fixed point before 1/2
    d = 0.5 * (1.0 - math.sqrt(1.0 - 4.0 / kappa))  # kappa = 1/(delta (1 - delta)) at the minimum
    return kappa * d + math.log(1.0 / d - 1.0)


def finite_n_threshold(alpha, N, kind="spherical", s=1.0, saddle_node=True):
    """Finite-N retrieval threshold lam of xi^1 started at x = xi^1 (|xi^1|^2 = N s).

    Near xi^1 the iteration stays on the line x = (1 - delta) xi^1 + delta m, where m is the softmax
    average of the other patterns (held fixed). The new weight of the others is
    delta' = 1 / (1 + exp(G)), G = lam x.xi^1 - log Z(x), Z = sum_(mu>=2) exp(lam x.xi^mu). To first
    order in delta, G = g - kappa delta with g = lam N s - log Z(xi^1) and kappa = lam |xi^1 - m|^2 =
    lam N (s - 2 eps + eps^2 / s) (eps = m.xi^1/N; the components of m orthogonal to xi^1 average out
    over exponentially many patterns). A fixed point near xi^1 exists iff g >= g_c(kappa)
    (``saddle_node_margin``, about 1 + log kappa). log Z(xi^1) is replaced by its annealed value
    log(P - 1) + log E exp(lam xi^1.xi) at finite N (``log_mgf_finite_n``), valid far from REM
    condensation. As N -> inf, g/N -> s - phi and the margin is O(log N), so the threshold tends to
    the lam where s = phi_{alpha, sqrt s}(lam) with a correction of order log(N)/N. With
    ``saddle_node=False`` the margin is 0: the lam at which one update from xi^1 keeps half of the
    weight on it (a_1 = 1/2).

    Book equation: dense-sim-map

    Parameters
    ----------
    alpha : float
        Exponential load, P = round(exp(alpha N)) (> 0).
    N : int
        Number of dimensions (>= 2).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").
    s : float, optional
        Squared norm per dimension of xi^1 (> 0, default 1).
    saddle_node : bool, optional
        Include the margin g_c(kappa) (default True).

    Returns
    -------
    float
        The root lam (brentq), nan if there is none below lam = 50.
    """
    kind = _kind(kind)
    alpha = float(_alpha(alpha))
    N = validation.integer(2)("N", N)
    s = validation.positive()("s", s)
    aN = alpha * N
    log_p1 = math.log(max(1.0, round(math.exp(aN)) - 1.0)) if aN < 700 else aN

    def F(lam):
        log_m, eps = log_mgf_finite_n(lam, N, kind, s)
        g = lam * N * s - log_p1 - float(log_m)
        kappa = lam * N * (s - 2.0 * float(eps) + float(eps) ** 2 / s)
        return g - (saddle_node_margin(kappa) if saddle_node else 0.0)

    lo, hi = 1e-4, 0.05
    while F(hi) < 0:
        lo, hi = hi, 2.0 * hi
        if hi > 50:
            return math.nan
    return optimize.brentq(F, lo, hi, xtol=1e-12)


# ----------------------------------------------------------------------------- all patterns (union bound)
def norm_rate(r, kind="gaussian"):
    """Large deviation rate I~(r) of the norm |xi|/sqrt N.

    (r^2 - 1 - log r^2)/2 for Gaussian patterns (chi-square with N degrees of freedom); 0 at r = 1 and
    inf elsewhere for spherical ones.

    Parameters
    ----------
    r : float or array_like
        Norm per sqrt(N) of the pattern.
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "gaussian").

    Returns
    -------
    numpy.ndarray
        I~(r), shape of r.
    """
    kind = _kind(kind)
    r = np.asarray(r, dtype=float)
    if kind == "spherical":
        return np.where(r == 1.0, 0.0, np.inf)
    s = r * r
    return 0.5 * (s - 1.0 - np.log(s))


def failure_boundary(alpha, lam, kind="gaussian"):
    """Norm r_b where phi_{alpha,r}(lam) = r^2: patterns shorter than r_b lose to the REM.

    phi/r^2 decreases with r, so the root is unique; solved with brentq.

    Parameters
    ----------
    alpha : float
        Exponential load (> 0).
    lam : float
        Inverse temperature (> 0, inf allowed).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "gaussian").

    Returns
    -------
    float
        r_b.
    """
    f = lambda r: float(phi(alpha, lam, r, kind)) - r * r  # noqa: E731
    lo, hi = 1e-6, 1.0
    while f(hi) > 0:
        hi *= 2
    return optimize.brentq(f, lo, hi, xtol=1e-13)


def union_bound_rate(alpha, lam, kind="gaussian"):
    """A(alpha, lam) = inf_r [ I~(r) + inf_{phi > r^2} I_{alpha,r,lam}(phi) ] (Gaussian patterns).

    For r < r_b the typical REM already wins (inner term 0): cost I~(r). For r > r_b the REM must
    fluctuate up to r^2: cost zeta_hat_r(r^2) - alpha. Both infima are taken numerically.

    Parameters
    ----------
    alpha : float
        Exponential load (> 0).
    lam : float
        Inverse temperature (> 0, inf allowed).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "gaussian").

    Returns
    -------
    float
        The rate A(alpha, lam).
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

    Parameters
    ----------
    lam : float or array_like
        Inverse temperature (> 0, inf allowed).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "gaussian").

    Returns
    -------
    numpy.ndarray or float
        The bound alpha_c^lb(lam), shape of lam (a float for scalar lam).
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


# ----------------------------------------------------------------------------- earlier rigorous bound
def ramsauer_c(beta, d, K2, p_fail):
    """The constant c of the storage theorem of Ramsauer et al. (2021), in their notation.

    Dimension d, patterns on the sphere of radius K sqrt(d - 1), inverse temperature beta, failure
    probability p: a = 2/(d-1) (1 + log(2 beta K^2 p (d-1))), b = 2 K^2 beta / 5,
    c = b / W_0(exp(a + log b)).

    Parameters
    ----------
    beta : float or array_like
        Inverse temperature.
    d : float
        Dimension.
    K2 : float
        K^2, the squared radius of the patterns' sphere divided by d - 1.
    p_fail : float
        Failure probability p.

    Returns
    -------
    numpy.ndarray or float
        The constant c, shape of beta.
    """
    from scipy.special import lambertw

    beta = np.asarray(beta, dtype=float)
    a = 2.0 / (d - 1.0) * (1.0 + np.log(2.0 * beta * K2 * p_fail * (d - 1.0)))
    b = 0.4 * K2 * beta
    return b / np.real(lambertw(np.exp(a + np.log(b))))


def ramsauer_alpha_lb(lam, N=None, p_fail=0.001):
    """Lower bound on the all-pattern capacity from the storage theorem of Ramsauer et al. (2021).

    Their theorem, in our notation (dimension d = N, patterns on the sphere of radius M = K sqrt(N-1),
    so K^2 = N/(N-1) for |xi|^2 = N, inverse temperature beta = lam): with
    a = 2/(N-1) (1 + log(2 lam K^2 p (N-1))), b = 2 K^2 lam / 5 and c = b / W_0(exp(a + log b))
    (W_0: principal branch of the Lambert function), with probability 1 - p at least
    sqrt(p) c^((N-1)/4) patterns are stored, provided c >= (2/sqrt p)^(4/(N-1)). Hence
    alpha_lb(N) = [log(p)/2 + (N-1) log(c)/4] / N (nan where the proviso fails).
    As N -> inf, a -> 0 and K -> 1, so c -> b / W_0(b) = exp(W_0(b)) and (``N=None``)

        alpha_R(lam) = W_0(2 lam / 5) / 4,

    independent of p: it grows like log(lam)/4, half the rate of alpha_1 ~ log(lam)/2.

    Book equation: dense-rem-ramsauer

    Parameters
    ----------
    lam : float or array_like
        Inverse temperature (> 0).
    N : float, optional
        Dimension (> 2); None (default) for the limit N -> inf.
    p_fail : float, optional
        Failure probability p in (0, 1] (default 0.001; unused for N = None).

    Returns
    -------
    numpy.ndarray
        The bound alpha_lb (nan where the proviso fails), shape of lam.
    """
    from scipy.special import lambertw

    lam = _lam(lam)
    if N is None:
        return np.real(lambertw(0.4 * lam)) / 4.0
    N = validation.real(2.0, math.inf, lo_open=True)("N", float(N))
    p_fail = validation.real(0.0, 1.0, lo_open=True)("p_fail", p_fail)
    c = ramsauer_c(lam, N, N / (N - 1.0), p_fail)
    ok = c >= (2.0 / math.sqrt(p_fail)) ** (4.0 / (N - 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        val = (0.5 * math.log(p_fail) + 0.25 * (N - 1.0) * np.log(c)) / N
    return np.where(ok, val, np.nan)


# ----------------------------------------------------------------------------- scaled dot product
def scaled_alpha_1(lam_t, N=None, a=0.5, kind="spherical"):
    """Scaled dot product lam = lam_t / N^a, P = exp(alpha_t N^(1-a)).

    The REM is entropic: lam N Phi = log P + N zeta(lam_t N^-a) (annealed), and retrieval at x = xi^1
    needs lam_t N^(1-a) > that, i.e. alpha_t < lam_t - N^a zeta(lam_t N^-a).

    Parameters
    ----------
    lam_t : float or array_like
        Scaled inverse temperature (> 0).
    N : float or array_like, optional
        Dimension; None (default) for the limit N -> inf.
    a : float, optional
        Scaling exponent in (0, 1) (default 0.5).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray
        The finite-N threshold alpha_t_1 (N=None: the limit N -> inf, where the correction vanishes
        and alpha_t_1 = lam_t).
    """
    lam_t = _lam(lam_t)
    a = validation.real(0.0, 1.0, lo_open=True, hi_open=True)("a", a)
    if N is None:
        return lam_t + 0.0
    N = np.asarray(N, dtype=float)
    return lam_t - N**a * zeta(lam_t * N ** (-a), 1.0, kind)


def large_lam_alpha_1(lam):
    """Large-lam law for spherical patterns: alpha_1 ~ 1/2 + (1/2) log lam (+ O(1/lam)).

    Parameters
    ----------
    lam : float or array_like
        Inverse temperature (> 0).

    Returns
    -------
    numpy.ndarray
        1/2 + (1/2) log lam, shape of lam.
    """
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
    "finite_n_threshold",
    "lam_c",
    "lam_c_norm",
    "lam_star",
    "large_lam_alpha_1",
    "legendre_transform",
    "log_mgf_finite_n",
    "norm_rate",
    "phi",
    "phi_numeric",
    "ramsauer_alpha_lb",
    "ramsauer_c",
    "saddle_node_margin",
    "scaled_alpha_1",
    "theta_c",
    "union_bound_rate",
    "zeta",
    "zeta_hat",
    "zeta_hat_numeric",
    "zeta_prime",
]


# ----------------------------------------------------------------------------- one step at finite N
def one_step_law(P, lam, N, kept=0.05, kind="spherical"):
    """Annealed finite-N law of one update from x = xi^1 (|xi^1|^2 = N) with P patterns in all.

    The log-odds of the weight a_1 of xi^1 and the weight needed to keep it (P may be an array).

    a_1 = e^(lam N) / (e^(lam N) + Z), Z = sum_(mu >= 2) e^(lam xi^1.xi^mu), so log(a_1/(1 - a_1)) =
    lam N - log Z exactly. Replacing log Z by its mean to second order (delta method),
    E log Z = log E Z - v/2 with E Z = (P - 1) M(lam), M(lam) = E e^(lam xi^1.xi) at finite N
    (``log_mgf_finite_n``) and v = Var Z / (E Z)^2 = (M(2 lam)/M(lam)^2 - 1)/(P - 1), gives

        log_odds = lam N - log(P - 1) - log M(lam) + v/2

    (v measures how far the annealed approximation can be trusted; its next term is of order v^2).
    As alpha = log P / N grows by d alpha the log-odds fall by N d alpha: a_1 is a logistic function of
    N (alpha_mid - alpha), all-or-nothing only as N -> inf.

    The update is x_1 = a_1 xi^1 + (1 - a_1) m, m the softmax average of the other patterns, so
    |x_1 - xi^1|^2 / N = (1 - a_1)^2 K with K = |xi^1 - m|^2 / N = (1 - eps)^2 + (1 - eps^2) S, eps the
    tilted mean overlap (``log_mgf_finite_n``) and S = E sum w^2 = M(2 lam)/(M(lam)^2 (P - 1)) the
    weight of the components of m orthogonal to xi^1. The update keeps xi^1 (distance below ``kept``)
    when a_1 > a_star = 1 - sqrt(kept / K).

    Book equation: dense-attention-logodds

    Parameters
    ----------
    P : float or array_like
        Total number of patterns (>= 2).
    lam : float
        Inverse temperature (> 0).
    N : int
        Dimension (>= 2).
    kept : float, optional
        Largest squared distance per dimension |x_1 - xi^1|^2 / N counted as keeping xi^1
        (default 0.05).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    dict
        Arrays shaped like P: ``log_odds``, ``v``, ``K``, ``a_star``.
    """
    P = np.asarray(P, dtype=float)
    if np.any(P < 2):
        validation.fail("P", P, "at least 2 (xi^1 and one other pattern)")
    N = validation.integer(2)("N", N)
    lam = float(_lam(lam))
    lm1, eps = log_mgf_finite_n(lam, N, kind)
    lm2 = float(log_mgf_finite_n(2.0 * lam, N, kind)[0])
    ratio = math.exp(lm2 - 2.0 * float(lm1))
    v = (ratio - 1.0) / (P - 1.0)
    S = ratio / (P - 1.0)
    K = (1.0 - eps) ** 2 + (1.0 - eps**2) * S
    a_star = 1.0 - np.sqrt(kept / K)
    return {"log_odds": lam * N - np.log(P - 1.0) - float(lm1) + 0.5 * v, "v": v, "K": K, "a_star": a_star}


def polynomial_half_load(N, n):
    """Load P/N^(n-1) at which one update of the binary dense memory F(z) = z^n keeps all bits w.p. 1/2.

    One synchronous update from a stored pattern, in the Gaussian signal-to-noise approximation: each
    bit is wrong with probability q = Phi(-sqrt(SNR)), SNR = N^(n-1)/((2n-3)!! P), bits independent, so
    (1 - q)^N = 1/2. Hence load = 1/((2n-3)!! x^2) with x = -Phi^-1(1 - 2^(-1/N)): it decreases slowly
    with N (x^2 ~ 2 log N), the log N drift of the collapse.

    Book equation: dense-attention-snr

    Parameters
    ----------
    N : int
        Number of spins (>= 2).
    n : int
        Degree of the interaction, 2 <= n <= 12.

    Returns
    -------
    float
        The load P/N^(n-1).
    """
    from scipy.special import ndtri

    N = validation.integer(2)("N", N)
    n = validation.integer(2, 12)("n", n)
    q = -math.expm1(-math.log(2.0) / N)
    x = -float(ndtri(q))
    dfact = float(np.prod(np.arange(2 * n - 3, 0, -2))) if n > 1 else 1.0
    return 1.0 / (dfact * x * x)


__all__ += ["one_step_law", "polynomial_half_load"]


# ----------------------------------------------------------------------------- nearest pattern, second moment
def overlap_count_rate(c, alpha, kind="spherical"):
    """psi_alpha(c): growth rate of the number of other patterns with overlap c, by the Legendre route.

    The quenched log-partition function of the REM of the levels c^mu = xi^1.xi^mu/N (mu >= 2) at
    inverse temperature v is v phi_{alpha,1}(v) (eq. 7, condensed branch included). It is the Legendre
    transform of the quenched growth rate of the number of levels, so
    psi_alpha(c) = inf_v [v phi_{alpha,1}(v) - v c] = v phi_{alpha,1}(v) - v c at the v solving
    c = d(v phi_{alpha,1}(v))/dv (the infimum is found numerically by a bounded minimization over
    v in (0, 2 lam_*]). The derivative increases up to eps_* (reached at v = lam_*) and stays there:
    above that edge no v solves the equation, the minimizer runs to the bound and psi = -inf (no
    level). Below it psi = alpha - zeta_hat_1(c), the first-moment rate: the second moment of the
    count equals the square of the first to leading exponential order while the count is
    exponentially large. Scalar c.

    Book equation: dense-rem-psi

    Parameters
    ----------
    c : float
        Overlap, in (d zeta_1/d lam at 0, 1): above the typical overlap 0.
    alpha : float
        Exponential load, P = exp(alpha N) (> 0).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    psi : float
        psi_alpha(c) (-inf above the edge).
    v : float
        The conjugate inverse temperature (inf above the edge).
    """
    kind = _kind(kind)
    alpha = float(_alpha(alpha))
    c = float(c)
    L = lambda v: v * float(phi(alpha, v, 1.0, kind))  # noqa: E731
    ls = float(lam_star(alpha, 1.0, kind))
    hi = 2.0 * ls  # beyond lam_*, L(v) - v c = v (eps_* - c) is linear in v
    res = optimize.minimize_scalar(lambda v: L(v) - v * c, bounds=(1e-12, hi), method="bounded",
                                   options={"xatol": 1e-13})
    if res.x > 0.999 * hi:  # the infimum runs away along the condensed branch: c is above the edge
        return -math.inf, math.inf
    return float(res.fun), float(res.x)


def c_max_second_moment(alpha, kind="spherical"):
    """Largest overlap of a pattern with the exp(alpha N) others: largest root of psi_alpha(c) = 0.

    psi_alpha is :func:`overlap_count_rate`; its largest root is sup{c : psi_alpha(c) >= 0}, found by
    bisection on the sign of psi (psi > 0 below the root, < 0 or -inf above). Independent of
    :func:`c_max` (which solves zeta_hat_1(c) = alpha on the numerical Legendre transform of zeta).

    Book equation: dense-rem-psi

    Parameters
    ----------
    alpha : float or array_like
        Exponential load, P = exp(alpha N) (> 0).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").

    Returns
    -------
    numpy.ndarray or float
        c_max, shape of alpha (a float for scalar alpha).
    """
    kind = _kind(kind)
    a = np.atleast_1d(_alpha(alpha))

    def one(x):
        lo, hi = 1e-9, 1.0
        if kind == "gaussian":
            while overlap_count_rate(hi, x, kind)[0] >= 0:
                hi *= 2.0
        else:
            hi = 1.0 - 1e-15
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if overlap_count_rate(mid, x, kind)[0] >= 0:
                lo = mid
            else:
                hi = mid
            if hi - lo < 1e-14:
                break
        return 0.5 * (lo + hi)

    out = np.array([one(x) for x in a])
    return out.reshape(np.shape(alpha)) if np.ndim(alpha) else float(out[0])


def max_overlap_finite_n(alpha, N):
    """Exact law of the largest overlap c^mu = xi^1.xi^mu/N among the P - 1 other spherical patterns.

    Given xi^1, the overlaps are independent, (1 + c)/2 ~ Beta((N-1)/2, (N-1)/2); with
    Q(c) = Pr(c^mu > c) the maximum has CDF G(c) = (1 - Q(c))^(P-1), P = round(exp(alpha N)). Then
    E max = 1 - int G dc and E max^2 = 1 - int 2 c G dc over (-1, 1) (quadrature around the median).

    Book equation: dense-rem-max-law

    Parameters
    ----------
    alpha : float
        Exponential load (> 0).
    N : int
        Dimension (>= 3); alpha N at most 700.

    Returns
    -------
    dict
        ``mean``, ``std``, ``median`` of the largest overlap and ``P``.
    """
    from scipy import integrate
    from scipy.special import betainc, betaincinv

    alpha = float(_alpha(alpha))
    N = validation.integer(3)("N", N)
    if alpha * N > 700:
        validation.fail("N", N, f"at most {700 / alpha:.0f} for alpha = {alpha} (P = exp(alpha N) beyond floating point)")
    P = max(2, int(round(math.exp(alpha * N))))
    n, a = P - 1.0, 0.5 * (N - 1.0)
    Q = lambda c: betainc(a, a, 0.5 * (1.0 - c))  # noqa: E731

    def G(c):
        q = float(Q(c))
        return 0.0 if q >= 1.0 else math.exp(n * math.log1p(-q))

    med = 1.0 - 2.0 * float(betaincinv(a, a, -math.expm1(-math.log(2.0) / n)))
    pts = sorted({max(-1.0 + 1e-12, med - d) for d in (0.2, 0.05, 0.01)} | {med}
                 | {min(1.0 - 1e-12, med + d) for d in (0.01, 0.05, 0.2)})
    kw = dict(points=pts, epsabs=1e-13, epsrel=1e-11, limit=400)
    i0 = integrate.quad(G, -1.0, 1.0, **kw)[0]
    i1 = integrate.quad(lambda c: 2.0 * c * G(c), -1.0, 1.0, **kw)[0]
    mean, m2 = 1.0 - i0, 1.0 - i1
    return {"mean": mean, "std": math.sqrt(max(m2 - mean * mean, 0.0)), "median": med, "P": P}


# ----------------------------------------------------------------------------- scaled dot product at finite N
def scaled_alpha_half_finite_n(lam_t, N, a=0.5, kind="spherical", saddle_node=True):
    """Finite-N retrieval threshold in alpha_t of the scaled dot product, lam = lam_t / N^a.

    The finite-N criterion of :func:`finite_n_threshold`, solved for the number of patterns at fixed lam:
    g = lam N - log(P - 1) - log E exp(lam xi^1.xi) must exceed the saddle-node margin g_c(kappa),
    kappa = lam N (1 - 2 eps + eps^2), so log(P - 1) = lam N - log E exp(lam xi^1.xi) - g_c at the
    threshold and alpha_t = log P / N^(1-a). With ``saddle_node=False`` the margin is 0 (one update
    from xi^1 keeps half of the weight on it). As N -> inf it tends to lam_t, from below, by
    (lam_t^2/2 + g_c) / N^(1-a) for a = 1/2, where g_c ~ 1 + log(lam_t N^(1-a)) grows like log N.
    Scalar lam_t and N.

    Book equation: dense-rem-scaled-finite

    Parameters
    ----------
    lam_t : float
        Scaled inverse temperature (> 0).
    N : int
        Dimension (>= 2).
    a : float, optional
        Scaling exponent in (0, 1) (default 0.5).
    kind : {"spherical", "gaussian"}, optional
        Pattern distribution (default "spherical").
    saddle_node : bool, optional
        Include the margin g_c(kappa) (default True).

    Returns
    -------
    float
        alpha_t at the threshold (0 when even P = 2 is not retrieved).
    """
    kind = _kind(kind)
    lam_t = float(_lam(lam_t))
    N = validation.integer(2)("N", N)
    a = validation.real(0.0, 1.0, lo_open=True, hi_open=True)("a", a)
    lam = lam_t * N ** (-a)
    log_m, eps = log_mgf_finite_n(lam, N, kind)
    kappa = lam * N * (1.0 - 2.0 * float(eps) + float(eps) ** 2)
    log_p1 = lam * N - float(log_m) - (saddle_node_margin(kappa) if saddle_node else 0.0)
    if log_p1 < 0:
        return 0.0
    return float(np.logaddexp(0.0, log_p1)) / N ** (1.0 - a)


__all__ += ["c_max_second_moment", "max_overlap_finite_n", "overlap_count_rate", "scaled_alpha_half_finite_n"]
