r"""Replica-symmetric theory of the random-features Hopfield model at zero temperature.

Sources: the replica-symmetric equations of Negri et al. (2023) and Kalaj et al. (2025); book chapters
``rf_storage_learning`` and ``rf_spinodals``. Dense training coefficients, sign activation, Gaussian
equivalence with constants

    kappa_1 = E[z sign z] = sqrt(2/pi),   kappa_s^2 = E[sign^2] - kappa_1^2 = 1 - 2/pi.

Loads: ``alpha = P/N`` (examples), ``alpha_D = D/N`` (features), ``alpha_T = alpha/alpha_D = P/D``.
Order parameters (zero-temperature scaled), in this order in every vector ``x``:

    mixture of n features: x = (dq, qh, dp, dph, pd, dpdh, m, mh)
    one training example:  x = (dq, qh, dp, dph, pd, dpdh, m, w)   (variant "coherent", default)
                           x = (dq, qh, dp, dph, pd, dpdh, m)      (variant "published")

Storage variants. A configuration close to a training example xi^1 = sign(u), u = F c^1/sqrt(D), has
overlaps f^k.s/N ~ kappa_1 c^1_k/sqrt(D) with *every* feature: each is as small as an uncondensed
overlap, but they are coherent and their squares sum to O(1). The "coherent" variant keeps them as a
condensed direction of feature space, with overlap ``w = u.s/N``: it enters exactly like the n
condensed features of a mixture (pd gains w^2/alpha_D, and the site field gains alpha_T dph w u_i).
The "published" variant (the published replica-symmetric equations of Negri et al. 2023, no w) treats them as uncondensed noise; it misses a
crosstalk variance kappa_1^4 alpha_T that is not proportional to alpha, and puts the storage line
2-5x too high at small alpha_D (chapter ``rf_storage_learning``). Both tend to AGS as alpha_D -> inf.

with ``D1 = 1 - kappa_1^2 dp - kappa_s^2 dq``, ``D2 = 1 - alpha_T dph dq`` and ``a = sqrt(alpha qh)``.
The free energies (:func:`free_energy_mixture`, :func:`free_energy_storage`) are written with the
Gaussian average over z done in closed form,

    E_z |a z + b| = 2 a G(b/a) + b erf(b / (sqrt(2) a)),   G = standard normal density,

so every average is exact and the saddle-point maps cost a few dozen flops (the ``zeta`` average of
an n-mixture is a sum over the n + 1 values of a binomial). Their stationarity conditions are the
maps :func:`mixture_map` / :func:`storage_map`; only the *squared* ``dpdh = kappa_1^2 (kappa_1^2 pd +
kappa_s^2) / D1^2`` is a stationarity condition (the variant with ``D1`` is kept, ``squared=False``,
to show that it is not).

Solving: damped iteration ``x <- (1 - psi) F(x) + psi x`` (compiled kernel for the line scans; the
toolkit's :func:`hopcore.solvers.damped_iteration` for single points and branches), continuation
along the control parameter, and :func:`hopcore.solvers.locate_jump` (bisection) for the point where
the retrieval branch (m > threshold) disappears: a spinodal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from .. import validation
from ..solvers import (
    Branch,
    FixedPoint,
    binomial_mixture,
    follow_branch,
    gaussian_average,
    locate_jump,
)

KAPPA1 = math.sqrt(2.0 / math.pi)
KAPPA1_SQ = 2.0 / math.pi
KAPPA_S_SQ = 1.0 - 2.0 / math.pi

MIXTURE_VARS = ("dq", "qh", "dp", "dph", "pd", "dpdh", "m", "mh")
STORAGE_VARS = ("dq", "qh", "dp", "dph", "pd", "dpdh", "m", "w")
STORAGE_PUBLISHED_VARS = ("dq", "qh", "dp", "dph", "pd", "dpdh", "m")
STORAGE_VARIANTS = ("coherent", "published")

ALPHA_RANGE = (1e-6, 1e3)
ALPHA_D_RANGE = (1e-7, 1e3)
N_MAX = 51


def gaussian_equivalence_constants(n: int = 200_001) -> dict[str, float]:
    """Gaussian-equivalence constants of the sign activation, by quadrature.

    kappa_0 = E sign z, kappa_1 = E z sign z, kappa_2 = E sign^2 z and kappa_s^2 = kappa_2 - kappa_1^2,
    computed by quadrature (uniform grid: sign has a step at 0) to check the closed forms
    (0, sqrt(2/pi), 1, 1 - 2/pi) used by the equations.

    Book equation: rf_storage_learning-kappa

    Parameters
    ----------
    n : int, optional
        Number of grid points (default 200001).

    Returns
    -------
    dict
        ``{"kappa0", "kappa1", "kappa2", "kappa_s2"}`` -> float.
    """
    k0 = float(gaussian_average(lambda z: np.sign(z), n, rule="grid"))
    k1 = float(gaussian_average(lambda z: z * np.sign(z), n, rule="grid"))
    k2 = float(gaussian_average(lambda z: np.sign(z) ** 2 + (z == 0), n, rule="grid"))
    return {"kappa0": k0, "kappa1": k1, "kappa2": k2, "kappa_s2": k2 - k1 * k1}


# ------------------------------------------------------------------ free energies


def _abs_average(a, b):
    """E_z |a z + b| for z ~ N(0, 1), a > 0 (closed form)."""
    from scipy.special import erf

    u = b / a
    return 2.0 * a * np.exp(-0.5 * u * u) / math.sqrt(2.0 * math.pi) + b * erf(u / math.sqrt(2.0))


def _common_energy(dq, qh, dp, dph, pd, dpdh, alpha, alpha_D):
    aT = alpha / alpha_D
    D1 = 1.0 - KAPPA1_SQ * dp - KAPPA_S_SQ * dq
    D2 = 1.0 - aT * dph * dq
    return 0.5 * alpha * (1.0 + dp * dpdh + dph * pd + dq * qh) - 0.5 * alpha * (
        (KAPPA_S_SQ + KAPPA1_SQ * pd) / D1 + (dph + dq * dpdh) / D2
    )


def free_energy_mixture(x, alpha: float, alpha_D: float, n: int) -> float:
    r"""RS free energy (T = 0 scaling) of a symmetric mixture of n features.

    f = (alpha/2)(1 + dp dpdh + dph pd + dq qh) - (alpha/2)[(kappa_s^2 + kappa_1^2 pd)/D1 + (dph + dq dpdh)/D2]
        - (n/2) alpha_T dph m^2 + n m mh - E_{zeta,z} |sqrt(alpha qh) z + mh zeta|

    with zeta a sum of n iid +-1. Its stationary points are the fixed points of :func:`mixture_map`.

    Book equation: rf_storage_learning-f

    Parameters
    ----------
    x : array_like, shape (8,)
        Order parameters (dq, qh, dp, dph, pd, dpdh, m, mh).
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    n : int
        Number of features of the mixture (odd).

    Returns
    -------
    float
        The free energy f.
    """
    dq, qh, dp, dph, pd, dpdh, m, mh = (float(v) for v in np.asarray(x, dtype=float))
    aT = alpha / alpha_D
    zeta, prob = binomial_mixture(n)
    a = math.sqrt(alpha * qh)
    return float(
        _common_energy(dq, qh, dp, dph, pd, dpdh, alpha, alpha_D)
        - 0.5 * n * aT * dph * m * m
        + n * m * mh
        - np.sum(prob * _abs_average(a, mh * zeta))
    )


def site_distribution(L: int | None = None, n: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of |u| for the condensed example's pre-activation u_i = (F c^1)_i / |c^1|.

    Dense coefficients (``L=None``): u ~ N(0, 1), an n-point Gauss-Legendre rule for the half-normal
    density on [0, 12] (the integrands are smooth in |u|; storage lines agree to 1e-7 between n = 24
    and n = 160); sparse (L non-zero +-1 entries): u = zeta/sqrt(L), zeta a sum of L iid +-1, exact.
    ``sum(w * g(nodes)) = E g(|u|)``.

    Parameters
    ----------
    L : int, optional
        Number of non-zero +-1 coefficients of the example, 1 <= L <= 10000 (None, the default:
        dense Gaussian coefficients).
    n : int, optional
        Number of Gauss-Legendre nodes for dense coefficients (default 32).

    Returns
    -------
    nodes : numpy.ndarray of float
        Values of |u|.
    weights : numpy.ndarray of float
        Their weights (same shape, summing to 1).
    """
    if L is None:
        x, wt = np.polynomial.legendre.leggauss(n)
        u = 6.0 * (x + 1.0)
        return u, 6.0 * wt * 2.0 * np.exp(-0.5 * u * u) / math.sqrt(2.0 * math.pi)
    L = validation.integer(1, 10_000)("L", L)
    zeta, prob = binomial_mixture(L) if L % 2 else _binomial_even(L)
    return np.abs(zeta) / math.sqrt(L), prob


def _binomial_even(L):
    k = np.arange(L + 1)
    zeta = (L - 2 * k).astype(float)
    logp = np.array([math.lgamma(L + 1) - math.lgamma(j + 1) - math.lgamma(L - j + 1) for j in k]) - L * math.log(2)
    return zeta, np.exp(logp)


def _check_variant(variant):
    return validation.choice(*STORAGE_VARIANTS)("variant", variant)


def free_energy_storage(x, alpha: float, alpha_D: float, variant: str = "coherent", L: int | None = None) -> float:
    r"""RS free energy (T = 0 scaling) with one training example xi = sign(u) condensed.

    ``variant="coherent"`` (x has 8 entries, the last is w = u.s/N), eq. (rf_storage_learning-f-coherent):

    f = (alpha/2)(1 + dp dpdh + dph pd + dq qh) - (alpha/2)[(kappa_s^2 + kappa_1^2 pd)/D1 + (dph + dq dpdh)/D2]
        + m^2/2 + (alpha_T/2) dph w^2 - E_{u,z} |sqrt(alpha qh) z + m sign(u) + alpha_T dph w u|

    (u ~ N(0,1) for dense coefficients, zeta/sqrt(L) for a sparse example; see :func:`site_distribution`).
    ``variant="published"`` (7 entries): the same without w, f = ... + m^2/2 - E_z |sqrt(alpha qh) z + m|.

    Book equation: rf_storage_learning-f-coherent

    Parameters
    ----------
    x : array_like, shape (8,) or (7,)
        Order parameters (dq, qh, dp, dph, pd, dpdh, m, w), without w for "published".
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    variant : {"coherent", "published"}, optional
        Storage variant (default "coherent").
    L : int, optional
        Number of non-zero coefficients of a sparse condensed example (None: dense; "coherent" only).

    Returns
    -------
    float
        The free energy f.
    """
    variant = _check_variant(variant)
    xs = [float(v) for v in np.asarray(x, dtype=float)]
    dq, qh, dp, dph, pd, dpdh, m = xs[:7]
    a = math.sqrt(alpha * qh)
    common = _common_energy(dq, qh, dp, dph, pd, dpdh, alpha, alpha_D)
    if variant == "published":
        return float(common + 0.5 * m * m - _abs_average(a, m))
    w = xs[7]
    aT = alpha / alpha_D
    u, wt = site_distribution(L)
    # E_u over the sign of u folds to |u|: |az + m sign u + c u| has the law of |az + m + c |u||
    return float(common + 0.5 * m * m + 0.5 * aT * dph * w * w - np.sum(wt * _abs_average(a, m + aT * dph * w * u)))


# ------------------------------------------------------------------ saddle-point maps (compiled)

_SQRT2 = math.sqrt(2.0)
_INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)


@njit(cache=True)
def _common_update(x, out, alpha, alpha_D, squared):
    # equations shared by the mixture and the storage problem (everything but dq, m, mh, and the
    # m^2 term of pd, which the callers add)
    dq, dp, dph, pd, dpdh = x[0], x[2], x[3], x[4], x[5]
    aT = alpha / alpha_D
    D1 = 1.0 - KAPPA1_SQ * dp - KAPPA_S_SQ * dq
    D2 = 1.0 - aT * dph * dq
    inner = KAPPA1_SQ * pd + KAPPA_S_SQ
    out[1] = KAPPA_S_SQ * inner / (D1 * D1) + (dpdh + aT * dph * dph) / (D2 * D2)
    out[2] = dq / D2
    out[3] = KAPPA1_SQ / D1
    out[4] = (1.0 + aT * dq * dq * dpdh) / (D2 * D2)
    out[5] = KAPPA1_SQ * inner / (D1 * D1) if squared else KAPPA1_SQ * inner / D1
    return D1, D2


@njit(cache=True)
def _mixture_update(x, out, alpha, alpha_D, n, zeta, prob, squared):
    _common_update(x, out, alpha, alpha_D, squared)
    qh, m, mh = x[1], x[6], x[7]
    aT = alpha / alpha_D
    if not qh > 0.0:
        out[0] = np.nan
        return
    a = math.sqrt(alpha * qh)
    sdq = 0.0
    sm = 0.0
    for k in range(zeta.shape[0]):
        u = mh * zeta[k] / a
        sdq += prob[k] * 2.0 * _INV_SQRT2PI * math.exp(-0.5 * u * u)
        sm += prob[k] * zeta[k] * math.erf(u / _SQRT2)
    out[0] = sdq / a
    out[4] += n * m * m / alpha_D
    out[6] = sm / n
    out[7] = aT * x[3] * m


@njit(cache=True)
def _storage_update(x, out, alpha, alpha_D, squared):
    _common_update(x, out, alpha, alpha_D, squared)
    qh, m = x[1], x[6]
    if not qh > 0.0:
        out[0] = np.nan
        return
    a = math.sqrt(alpha * qh)
    u = m / a
    out[0] = 2.0 * _INV_SQRT2PI * math.exp(-0.5 * u * u) / a
    out[6] = math.erf(u / _SQRT2)


@njit(cache=True)
def _storage_coherent_update(x, out, alpha, alpha_D, u, wt, squared):
    _common_update(x, out, alpha, alpha_D, squared)
    qh, dph, m, w = x[1], x[3], x[6], x[7]
    aT = alpha / alpha_D
    if not qh > 0.0:
        out[0] = np.nan
        return
    a = math.sqrt(alpha * qh)
    wh = aT * dph * w
    sdq = 0.0
    sm = 0.0
    sw = 0.0
    for k in range(u.shape[0]):
        b = (m + wh * u[k]) / a
        e = math.erf(b / _SQRT2)
        sdq += wt[k] * 2.0 * _INV_SQRT2PI * math.exp(-0.5 * b * b)
        sm += wt[k] * e
        sw += wt[k] * u[k] * e
    out[0] = sdq / a
    out[4] += w * w / alpha_D
    out[6] = sm
    out[7] = sw


@njit(cache=True)
def _iterate(x0, kind, alpha, alpha_D, n, zeta, prob, squared, damping, tol, max_iter, m_floor):
    """Damped iteration with relative residual max_i |F_i - x_i| / max(1, |x_i|).

    kind 0: mixture, 1: storage ("published"), 2: storage ("coherent"; zeta, prob = nodes and weights of
    |u|). Stops early (not converged) once m < m_floor: the retrieval branch
    is lost, which is all a spinodal search needs to know. Returns (x, converged, iterations, residual).
    """
    d = x0.shape[0]
    x = x0.copy()
    fx = np.empty(d)
    res = np.inf
    for it in range(1, max_iter + 1):
        if kind == 0:
            _mixture_update(x, fx, alpha, alpha_D, n, zeta, prob, squared)
        elif kind == 1:
            _storage_update(x, fx, alpha, alpha_D, squared)
        else:
            _storage_coherent_update(x, fx, alpha, alpha_D, zeta, prob, squared)
        res = 0.0
        for i in range(d):
            r = abs(fx[i] - x[i]) / max(1.0, abs(x[i]))
            if not np.isfinite(r):
                return x, False, it, np.inf
            if r > res:
                res = r
        if res <= tol:
            return x, True, it, res
        for i in range(d):
            x[i] = (1.0 - damping) * fx[i] + damping * x[i]
        if x[6] < m_floor:
            return x, False, it, res
    return x, False, max_iter, res


def _check_loads(alpha, alpha_D):
    alpha = validation.real(*ALPHA_RANGE)("alpha", alpha)
    alpha_D = validation.real(*ALPHA_D_RANGE)("alpha_D", alpha_D)
    return alpha, alpha_D


def mixture_map(x, alpha: float, alpha_D: float, n: int, squared: bool = True) -> np.ndarray:
    r"""Saddle-point map F(x) for a symmetric n-mixture (stationarity of :func:`free_energy_mixture`).

    dq = E_zeta[2 G(mh zeta/a)]/a,  qh = kappa_s^2 (kappa_1^2 pd + kappa_s^2)/D1^2 + (dpdh + alpha_T dph^2)/D2^2,
    dp = dq/D2,  dph = kappa_1^2/D1,  pd = n m^2/alpha_D + (1 + alpha_T dq^2 dpdh)/D2^2,
    dpdh = kappa_1^2 (kappa_1^2 pd + kappa_s^2)/D1^2  (``squared=False``: /D1),
    m = E_zeta[zeta erf(mh zeta/(sqrt 2 a))]/n,  mh = alpha_T dph m.

    Book equation: rf_storage_learning-sp

    Parameters
    ----------
    x : array_like, shape (8,)
        Order parameters (dq, qh, dp, dph, pd, dpdh, m, mh).
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    n : int
        Number of features of the mixture (odd).
    squared : bool, optional
        Use D1^2 in the dpdh equation (default True, the stationarity condition).

    Returns
    -------
    numpy.ndarray of float, shape (8,)
        F(x), in the order of ``MIXTURE_VARS`` (dq is nan if qh <= 0).
    """
    zeta, prob = binomial_mixture(n)
    out = np.empty(8)
    _mixture_update(np.asarray(x, dtype=float), out, float(alpha), float(alpha_D), int(n), zeta, prob, bool(squared))
    return out


def storage_map(x, alpha: float, alpha_D: float, squared: bool = True, variant: str = "coherent",
                L: int | None = None) -> np.ndarray:
    r"""Saddle-point map for one condensed training example (stationarity of :func:`free_energy_storage`).

    Shared with :func:`mixture_map`: qh, dp, dph, dpdh and pd = (1 + alpha_T dq^2 dpdh)/D2^2 [+ w^2/alpha_D].
    ``variant="coherent"``, with B(u) = m + alpha_T dph w |u| and a = sqrt(alpha qh):

        dq = E_u 2 G(B/a)/a,   m = E_u erf(B/(sqrt 2 a)),   w = E_u |u| erf(B/(sqrt 2 a)),
        pd = w^2/alpha_D + (1 + alpha_T dq^2 dpdh)/D2^2.

    ``variant="published"``: dq = 2 G(m/a)/a, m = erf(m/(sqrt 2 a)), no w term in pd.

    Book equation: rf_storage_learning-sp-coherent

    Parameters
    ----------
    x : array_like, shape (8,) or (7,)
        Order parameters (dq, qh, dp, dph, pd, dpdh, m, w), without w for "published".
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    squared : bool, optional
        Use D1^2 in the dpdh equation (default True).
    variant : {"coherent", "published"}, optional
        Storage variant (default "coherent").
    L : int, optional
        Number of non-zero coefficients of a sparse condensed example (None: dense; "coherent" only).

    Returns
    -------
    numpy.ndarray of float, shape (8,) or (7,)
        F(x), in the order of ``STORAGE_VARS`` (``STORAGE_PUBLISHED_VARS`` for "published").
    """
    variant = _check_variant(variant)
    x = np.asarray(x, dtype=float)
    if variant == "published":
        out = np.empty(7)
        _storage_update(x, out, float(alpha), float(alpha_D), bool(squared))
        return out
    out = np.empty(8)
    u, wt = _site(L)
    _storage_coherent_update(x, out, float(alpha), float(alpha_D), u, wt, bool(squared))
    return out


_SITE_CACHE: dict = {}


def _site(L):
    if L not in _SITE_CACHE:
        _SITE_CACHE[L] = site_distribution(L)
    return _SITE_CACHE[L]


def mixture_start(n: int, alpha: float, alpha_D: float) -> np.ndarray:
    """Starting point on the retrieval side of the n-mixture equations.

    No crosstalk (dq = dp = 0), m = E|zeta|/n (the overlap of a noiseless n-mixture with each of its
    features), the other parameters from one map evaluation.

    Parameters
    ----------
    n : int
        Number of features of the mixture (odd).
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.

    Returns
    -------
    numpy.ndarray of float, shape (8,)
        x0 in the order of ``MIXTURE_VARS``.
    """
    zeta, prob = binomial_mixture(n)
    m0 = float(np.sum(prob * np.abs(zeta))) / n
    aT = alpha / alpha_D
    return np.array([0.0, 1.0, 0.0, KAPPA1_SQ, 1.0, KAPPA1_SQ, m0, aT * KAPPA1_SQ * m0])


def storage_start(variant: str = "coherent", L: int | None = None) -> np.ndarray:
    """Starting point on the retrieval side of the storage equations.

    No crosstalk, m = 1 and (coherent) w = E|u|, the overlap of the example itself with its
    pre-activation.

    Parameters
    ----------
    variant : {"coherent", "published"}, optional
        Storage variant (default "coherent").
    L : int, optional
        Number of non-zero coefficients of a sparse condensed example (None: dense).

    Returns
    -------
    numpy.ndarray of float, shape (8,) or (7,)
        x0 in the order of ``STORAGE_VARS`` (``STORAGE_PUBLISHED_VARS`` for "published").
    """
    if _check_variant(variant) == "published":
        return np.array([0.0, 1.0, 0.0, KAPPA1_SQ, 1.0, KAPPA1_SQ, 1.0])
    u, wt = _site(L)
    return np.array([0.0, 1.0, 0.0, KAPPA1_SQ, 1.0, KAPPA1_SQ, 1.0, float(np.sum(wt * u))])


def _kind(variant):
    return 1 if _check_variant(variant) == "published" else 2


def _solve(kind, x0, alpha, alpha_D, n, squared, damping, tol, max_iter, m_floor=-np.inf, L=None) -> FixedPoint:
    if kind == 0:
        zeta, prob = binomial_mixture(n)
    elif kind == 1:
        zeta, prob = binomial_mixture(1)
    else:
        zeta, prob = _site(L)
    x, conv, it, res = _iterate(np.asarray(x0, dtype=float), kind, float(alpha), float(alpha_D), int(n), zeta, prob,
                                bool(squared), float(damping), float(tol), int(max_iter), float(m_floor))
    return FixedPoint(x, bool(conv), int(it), float(res), np.array([res]), "damped (compiled)")


def saddle_point_mixture(alpha: float, alpha_D: float, n: int, x0=None, *, damping: float = 0.5, tol: float = 1e-11,
                         max_iter: int = 200_000, squared: bool = True) -> FixedPoint:
    """Solve the n-mixture equations at (alpha, alpha_D) by damped iteration from ``x0``.

    Compiled damped iteration of :func:`mixture_map`.

    Parameters
    ----------
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    n : int
        Number of features of the mixture (odd, <= N_MAX).
    x0 : array_like, shape (8,), optional
        Starting point (default :func:`mixture_start`: the retrieval branch).
    damping : float, optional
        Weight psi of the old iterate in x <- (1 - psi) F(x) + psi x (default 0.5).
    tol : float, optional
        Tolerance on the relative residual (default 1e-11).
    max_iter : int, optional
        Maximum number of iterations (default 200000).
    squared : bool, optional
        Use D1^2 in the dpdh equation (default True).

    Returns
    -------
    hopcore.solvers.FixedPoint
        The toolkit's FixedPoint record (residual relative: max |F_i - x_i| / max(1, |x_i|)).
    """
    alpha, alpha_D = _check_loads(alpha, alpha_D)
    n = validation.odd_integer(1, N_MAX)("n", n)
    x0 = mixture_start(n, alpha, alpha_D) if x0 is None else x0
    return _solve(0, x0, alpha, alpha_D, n, squared, damping, tol, max_iter)


def saddle_point_storage(alpha: float, alpha_D: float, x0=None, *, damping: float = 0.5, tol: float = 1e-11,
                         max_iter: int = 200_000, squared: bool = True, variant: str = "coherent",
                         L: int | None = None) -> FixedPoint:
    """Solve the one-example (storage) equations at (alpha, alpha_D) from ``x0`` (default: m = 1).

    Parameters
    ----------
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    x0 : array_like, optional
        Starting point (default :func:`storage_start`).
    damping : float, optional
        Weight of the old iterate in the damped iteration (default 0.5).
    tol : float, optional
        Tolerance on the relative residual (default 1e-11).
    max_iter : int, optional
        Maximum number of iterations (default 200000).
    squared : bool, optional
        Use D1^2 in the dpdh equation (default True).
    variant : {"coherent", "published"}, optional
        Storage variant (default "coherent").
    L : int, optional
        The condensed example's number of non-zero coefficients (None: dense), used by "coherent" only.

    Returns
    -------
    hopcore.solvers.FixedPoint
        The solution record (relative residual).
    """
    alpha, alpha_D = _check_loads(alpha, alpha_D)
    kind = _kind(variant)
    x0 = storage_start(variant, L) if x0 is None else x0
    return _solve(kind, x0, alpha, alpha_D, 1, squared, damping, tol, max_iter, L=L)


def example_field_law(alpha: float, alpha_D: float, variant: str = "coherent", L: int | None = None) -> dict:
    r"""Law of the aligned field xi_i h_i on the training example xi^1 itself.

    s = xi^1, one step of the dynamics, N -> infinity, as each variant's saddle-point equations
    describe it: the field B(u) + sqrt(alpha qh) z of the map at the zero-response point dq = dp = 0,
    m = 1, w = E|u|, with pd, dpdh, qh from the map. For dense coefficients this gives

        coherent: mean = 1 + kappa_1^4 alpha_T,
                  var  = alpha + kappa_1^4 alpha_T (1 + alpha) + kappa_1^6 kappa_s^2 alpha_T^2,
        published: mean = 1,  var = alpha (1 + kappa_1^4 alpha_T),

    the first being the signal-to-noise result of the chapter.

    Book equation: rf_storage_learning-field

    Parameters
    ----------
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    variant : {"coherent", "published"}, optional
        Storage variant (default "coherent").
    L : int, optional
        Number of non-zero coefficients of a sparse example (None: dense).

    Returns
    -------
    dict
        ``mean``, ``var``, ``gauss_var`` (the Gaussian part alpha qh) and ``error``, the fraction of
        spins whose field is misaligned, E_u Phi(-B(u)/sqrt(alpha qh)) (floats).
    """
    from scipy.special import erfc

    alpha, alpha_D = _check_loads(alpha, alpha_D)
    variant = _check_variant(variant)
    x = storage_start(variant, L)
    for _ in range(3):  # with dq = dp = 0: pd settles in one pass, dpdh in two, then qh
        F = storage_map(x, alpha, alpha_D, variant=variant, L=L)
        x[4], x[5] = F[4], F[5]
    gauss_var = alpha * F[1]
    if variant == "published":
        B, wt = np.array([1.0]), np.array([1.0])
    else:
        u, wt = _site(L)
        B = 1.0 + (alpha / alpha_D) * F[3] * x[7] * u
    mean = float(np.sum(wt * B))
    var = float(np.sum(wt * B * B) - mean * mean + gauss_var)
    err = float(np.sum(wt * 0.5 * erfc(B / math.sqrt(2.0 * gauss_var))))
    return {"mean": mean, "var": var, "gauss_var": float(gauss_var), "error": err}


# ------------------------------------------------------------------ transition lines


@dataclass
class TransitionLine:
    """A spinodal line, with the convergence record of every point.

    For each value of the fixed load ``fixed`` (alpha for mixtures, alpha_D for storage), the critical
    value of the scanned load. Items can be read like a dict (``line["alpha_D_c"]``).

    Parameters
    ----------
    fixed_name : str
        Name of the fixed load ("alpha" or "alpha_D").
    fixed : numpy.ndarray of float, shape (K,)
        Values of the fixed load.
    critical_name : str
        Name of the scanned load ("alpha_D" or "alpha").
    critical : numpy.ndarray of float, shape (K,)
        Critical value of the scanned load; nan where the search failed (``converged[k]`` False).
    converged : numpy.ndarray of bool, shape (K,)
        Whether the search succeeded.
    iterations : numpy.ndarray of int, shape (K,)
        All damped-iteration steps spent on the point.
    bisections : numpy.ndarray of int, shape (K,)
        Bisection steps of the final bracket.
    m_exists : numpy.ndarray of float, shape (K,)
        The order parameter on the last solution before the jump (its size is the jump).
    n_not_converged : numpy.ndarray of int, shape (K,)
        Trials that reached ``max_iter`` with m still finite (undecided, treated as "branch absent";
        trials in which m fell to zero are the normal signature of a lost branch and are not counted).
    x_exists : numpy.ndarray of float, shape (K, dim)
        The last solution before the jump.
    control_exists : numpy.ndarray of float, shape (K,)
        The value of the scanned load where it was found (within ``rel_tol`` of ``critical``).
    params : dict, optional
        Settings of the scan (n, rel_tol, threshold, squared, variant, L).
    """

    fixed_name: str
    fixed: np.ndarray
    critical_name: str
    critical: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    bisections: np.ndarray
    m_exists: np.ndarray
    n_not_converged: np.ndarray
    x_exists: np.ndarray
    control_exists: np.ndarray
    params: dict = field(default_factory=dict)

    @property
    def alpha_D_c(self) -> np.ndarray:
        """alpha_D on the line (the critical values for mixtures, the fixed ones for storage).

        Returns
        -------
        numpy.ndarray of float, shape (K,)
            alpha_D at each point.
        """
        return self.critical if self.critical_name == "alpha_D" else self.fixed

    @property
    def alpha_c(self) -> np.ndarray:
        """alpha on the line (the critical values for storage, the fixed ones for mixtures).

        Returns
        -------
        numpy.ndarray of float, shape (K,)
            alpha at each point.
        """
        return self.critical if self.critical_name == "alpha" else self.fixed

    def __getitem__(self, key):  # dict-like access for chapters: line["alpha_D_c"]
        return getattr(self, key)

    def pairs(self) -> np.ndarray:
        """Converged points as rows [alpha_D, alpha].

        Returns
        -------
        numpy.ndarray of float, shape (k, 2)
            One row per converged point.
        """
        ok = self.converged
        return np.column_stack([self.alpha_D_c[ok], self.alpha_c[ok]])


def _scan_jump(kind, n, fixed, start_ctrl, lo_bound, hi_bound, squared, rel_tol, threshold, damping, max_iter,
               hint=None, L=None):
    """At one fixed load: from ``start_ctrl`` step the scanned load up by factors of 1.25 until the
    retrieval branch disappears, then bisect (toolkit locate_jump) on the bracket.

    The scanned load is alpha_D (kind 0, fixed alpha) or alpha (kinds 1, 2: storage, fixed alpha_D).
    """
    iters = 0
    undecided = 0  # trials that hit max_iter with m still above the floor: counted as "absent"

    def loads(c):
        return (fixed, c) if kind == 0 else (c, fixed)

    def solve(c, x_start):
        nonlocal iters, undecided
        alpha, alpha_D = loads(c)
        if x_start is None:
            x_start = mixture_start(n, alpha, alpha_D) if kind == 0 else storage_start(_VARIANT_OF[kind], L)
        sol = _solve(kind, x_start, alpha, alpha_D, n, squared, damping, 1e-11, max_iter, m_floor=0.5 * threshold, L=L)
        iters += sol.iterations
        if not sol.converged and np.isfinite(sol.residual) and sol.x[6] >= 0.5 * threshold:
            undecided += 1
        return sol

    def exists(sol):
        return sol.converged and sol.x[6] > threshold

    # first point on the branch: the hint (previous line point, scaled) or the scan start
    c = start_ctrl
    sol = None
    if hint is not None and lo_bound < hint < hi_bound:
        s = solve(hint, None)
        if exists(s):
            c, sol = hint, s
    if sol is None:
        sol = solve(c, None)
        if not exists(sol):
            return np.nan, False, iters, 0, np.nan, undecided, sol.x, np.nan
    # geometric continuation up to the first control where the branch is gone
    while True:
        c_next = c * 1.25
        if c_next > hi_bound:
            return np.nan, False, iters, 0, np.nan, undecided, sol.x, np.nan
        s = solve(c_next, sol.x)
        if not exists(s):
            break
        c, sol = c_next, s
    cc, info = locate_jump(solve, lambda x: x[6], c, c_next, threshold=threshold, tol=rel_tol * c, x_start=sol.x)
    return (cc, True, iters, info["bisections"], info["order_exists"], undecided, info["x_exists"],
            info["exists_at"])


def mixture_spinodal(n: int, alphas, *, rel_tol: float = 1e-4, threshold: float = 0.05, damping: float = 0.5,
                     max_iter: int = 20_000, squared: bool = True, continuation: bool = True) -> TransitionLine:
    """Spinodal of the symmetric n-mixture retrieval branch: the largest alpha_D for each alpha.

    For each alpha, the largest alpha_D at which the solution with finite m exists (alpha_D scanned
    upward at fixed alpha, as in Negri et al. (2023); n = 1 is the learning transition).

    ``alphas`` in increasing order is fastest: each point starts its scan at 0.8 x the previous
    alpha_D_c (continuation; the line increases with alpha), falling back to a scan from
    alpha_D = min(alpha/1000, 10^-4) (alpha_T >= 1000, deep in the retrieval phase) if the branch
    is not found there. Bisection to a relative bracket ``rel_tol``.

    Parameters
    ----------
    n : int
        Number of features of the mixture (odd, <= N_MAX).
    alphas : sequence of float
        Loads alpha = P/N.
    rel_tol : float, optional
        Relative width of the final bisection bracket (default 1e-4).
    threshold : float, optional
        m above which the retrieval branch counts as present (default 0.05).
    damping : float, optional
        Weight of the old iterate in the damped iteration (default 0.5).
    max_iter : int, optional
        Maximum number of iterations per trial (default 20000).
    squared : bool, optional
        Use D1^2 in the dpdh equation (default True).
    continuation : bool, optional
        Start each scan from the previous point (default True).

    Returns
    -------
    TransitionLine
        The line (fixed "alpha", critical "alpha_D").
    """
    n = validation.odd_integer(1, N_MAX)("n", n)
    alphas = np.asarray(validation.list_of(validation.real(*ALPHA_RANGE))("alphas", alphas), dtype=float)
    rel_tol = validation.real(1e-10, 0.1)("rel_tol", rel_tol)
    threshold = validation.real(1e-4, 0.9)("threshold", threshold)
    return _line(0, n, alphas, rel_tol, threshold, damping, max_iter, squared, continuation)


_VARIANT_OF = {1: "published", 2: "coherent"}


def _line(kind, n, fixed_values, rel_tol, threshold, damping, max_iter, squared, continuation, L=None):
    K = fixed_values.size
    crit = np.full(K, np.nan)
    conv = np.zeros(K, bool)
    its = np.zeros(K, np.int64)
    bis = np.zeros(K, np.int64)
    mex = np.full(K, np.nan)
    nnc = np.zeros(K, np.int64)
    dim = 7 if kind == 1 else 8
    xex = np.full((K, dim), np.nan)
    cex = np.full(K, np.nan)
    prev = None
    for k, v in enumerate(fixed_values):
        if kind == 0:
            # alpha_T = 1000 or more: deep in the retrieval phase of every mixture up to n = N_MAX
            start, lo, hi = min(v / 1000.0, 1e-4), ALPHA_D_RANGE[0], ALPHA_D_RANGE[1]
        else:
            # the coherent line is ~ alpha_D / 2 at small alpha_D, the published one's ~ sqrt(alpha_D): start below both
            start, lo, hi = min(1e-3, 0.1 * v), ALPHA_RANGE[0], ALPHA_RANGE[1]
        hint = None
        if continuation and prev is not None and np.isfinite(prev[1]) and v >= prev[0]:
            hint = 0.8 * prev[1]
        start = max(start, lo)
        r = _scan_jump(kind, n, float(v), start, lo, hi, squared, rel_tol, threshold, damping, max_iter, hint, L)
        crit[k], conv[k], its[k], bis[k], mex[k], nnc[k], xex[k], cex[k] = r
        prev = (v, crit[k])
    if kind == 0:
        return TransitionLine("alpha", fixed_values, "alpha_D", crit, conv, its, bis, mex, nnc, xex, cex,
                              {"n": n, "rel_tol": rel_tol, "threshold": threshold, "squared": squared})
    return TransitionLine("alpha_D", fixed_values, "alpha", crit, conv, its, bis, mex, nnc, xex, cex,
                          {"rel_tol": rel_tol, "threshold": threshold, "squared": squared,
                           "variant": _VARIANT_OF[kind], "L": L})


def learning_line(alphas, **kw) -> tuple[np.ndarray, np.ndarray]:
    """Learning transition alpha_D_c(alpha): the n = 1 spinodal.

    A single feature becomes an attractor for alpha_D < alpha_D_c.

    Parameters
    ----------
    alphas : sequence of float
        Loads alpha = P/N.
    **kw
        Passed to :func:`mixture_spinodal`.

    Returns
    -------
    alpha_D_c : numpy.ndarray of float
        The critical alpha_D (nan where not converged).
    converged : numpy.ndarray of bool
        Whether each point converged.
    """
    line = mixture_spinodal(1, alphas, **kw)
    return line.alpha_D_c, line.converged


def storage_transition(alpha_Ds, *, rel_tol: float = 1e-4, threshold: float = 0.5, damping: float = 0.5,
                       max_iter: int = 20_000, continuation: bool = True, variant: str = "coherent",
                       L: int | None = None) -> TransitionLine:
    """Storage transition alpha_c(alpha_D): largest alpha at which one training example is a retrieval state.

    alpha is scanned upward at fixed alpha_D from alpha = min(10^-3, alpha_D/10), or from 0.8 x the
    previous point's alpha_c when alpha_D increases, with the full record.

    Parameters
    ----------
    alpha_Ds : sequence of float
        Loads alpha_D = D/N.
    rel_tol : float, optional
        Relative width of the final bisection bracket (default 1e-4).
    threshold : float, optional
        m above which the retrieval branch counts as present (default 0.5).
    damping : float, optional
        Weight of the old iterate in the damped iteration (default 0.5).
    max_iter : int, optional
        Maximum number of iterations per trial (default 20000).
    continuation : bool, optional
        Start each scan from the previous point (default True).
    variant : {"coherent", "published"}, optional
        "coherent" (default; the example's coherent feature overlaps kept, see the module docstring)
        or "published" (the published equations of Negri et al. 2023).
    L : int, optional
        Sparse condensed example with L non-zero coefficients (coherent only).

    Returns
    -------
    TransitionLine
        The line (fixed "alpha_D", critical "alpha").
    """
    alpha_Ds = np.asarray(validation.list_of(validation.real(*ALPHA_D_RANGE))("alpha_Ds", alpha_Ds), dtype=float)
    kind = _kind(variant)
    if L is not None:
        L = validation.integer(1, 10_000)("L", L)
    return _line(kind, 1, alpha_Ds, rel_tol, threshold, damping, max_iter, True, continuation, L)


def storage_line(alpha_Ds, **kw) -> tuple[np.ndarray, np.ndarray]:
    """Storage transition alpha_c(alpha_D).

    Parameters
    ----------
    alpha_Ds : sequence of float
        Loads alpha_D = D/N.
    **kw
        Passed to :func:`storage_transition`.

    Returns
    -------
    alpha_c : numpy.ndarray of float
        The critical alpha (nan where not converged).
    converged : numpy.ndarray of bool
        Whether each point converged.
    """
    line = storage_transition(alpha_Ds, **kw)
    return line.alpha_c, line.converged


def learning_alpha(alpha_D: float, *, rel_tol: float = 1e-6) -> float:
    """The learning line read the other way: the alpha at which a feature becomes an attractor at alpha_D.

    The inverse of :func:`learning_line` (which increases with alpha), by Brent's method on log alpha
    in [1e-3, 1e3].

    Parameters
    ----------
    alpha_D : float
        Load D/N of features, in [1e-5, 0.2].
    rel_tol : float, optional
        Tolerance on log alpha (default 1e-6).

    Returns
    -------
    float
        alpha; nan if alpha_D is beyond the alpha -> infinity limit (~0.138).
    """
    from scipy.optimize import brentq

    alpha_D = validation.real(1e-5, 0.2)("alpha_D", alpha_D)

    def g(log_alpha):
        aDc = mixture_spinodal(1, [math.exp(log_alpha)], rel_tol=1e-7).alpha_D_c[0]
        return math.log(aDc / alpha_D)

    lo, hi = math.log(1e-3), math.log(1e3)
    if not (g(lo) < 0 < g(hi)):
        return float("nan")
    return float(math.exp(brentq(g, lo, hi, xtol=rel_tol)))


def rs_mixture_overlap(alphas, x, n: int) -> np.ndarray:
    """Overlap with the starting mixture sign(f^1+...+f^n) of the RS zero-temperature state.

    On the n-mixture retrieval branch: the theory line for the measured m of a test example with n
    features. At T = 0 the RS spin is s = sign(mh zeta + a z) with zeta the sum of the n features at a
    site, z ~ N(0, 1) the crosstalk and a = sqrt(alpha qh) (the ``E|a z + mh zeta|`` term of the
    mixture free energy), so  m_mix = E_zeta[ sign(zeta) erf(mh zeta / (sqrt(2) a)) ]
    = E_zeta erf(mh |zeta| / (sqrt(2) a)). For n = 1 the result is the feature overlap m itself.

    Parameters
    ----------
    alphas : array_like, shape (k,)
        Loads alpha = P/N.
    x : array_like, shape (k, 8)
        Rows (dq, qh, dp, dph, pd, dpdh, m, mh) (order of hopcore.theory.random_features), one per
        load in ``alphas``.
    n : int
        Number of features of the mixture (odd).

    Returns
    -------
    numpy.ndarray of float, shape (k,)
        m_mix at each load.
    """
    from scipy.special import erf

    x = np.atleast_2d(np.asarray(x, dtype=float))
    a = np.sqrt(np.asarray(alphas, dtype=float) * x[:, 1])
    zeta, prob = binomial_mixture(int(n))
    return (prob[None, :] * erf(x[:, 7, None] * np.abs(zeta)[None, :] / (np.sqrt(2.0) * a[:, None]))).sum(axis=1)


# ------------------------------------------------------------------ branches (theory curves m(alpha))


class _Map:
    """A saddle-point map F(x) that also carries its parameters, so that the compiled solver can be
    plugged into the toolkit's ``follow_branch`` (``solver`` hook)."""

    def __init__(self, kind, alpha, alpha_D, n, L=None):
        self.kind, self.alpha, self.alpha_D, self.n, self.L = kind, alpha, alpha_D, n, L

    def __call__(self, x):
        if self.kind == 0:
            return mixture_map(x, self.alpha, self.alpha_D, self.n)
        return storage_map(x, self.alpha, self.alpha_D, variant=_VARIANT_OF[self.kind], L=self.L)


def _compiled_solver(F, x0, *, damping=0.5, tol=1e-11, max_iter=50_000, m_floor=1e-3):
    return _solve(F.kind, x0, F.alpha, F.alpha_D, F.n, True, damping, tol, max_iter, m_floor, L=F.L)


def feature_branch(alpha_D: float, alphas, n: int = 1, *, m_floor: float = 1e-3, **iter_kw) -> Branch:
    """The retrieval branch m(alpha) of an n-mixture (n = 1: a feature) at fixed alpha_D.

    Followed with the toolkit's ``follow_branch`` from the largest alpha downward (each point starts
    from the previous solution). Below the learning transition the iteration drifts to m = 0 and stops
    once m < m_floor: those points are returned as not converged (no retrieval solution).

    Parameters
    ----------
    alpha_D : float
        Load D/N of features.
    alphas : sequence of float
        Loads alpha = P/N.
    n : int, optional
        Number of features of the mixture (odd, default 1).
    m_floor : float, optional
        Overlap below which the branch is lost (default 1e-3).
    **iter_kw
        Passed to ``follow_branch`` and the compiled solver (damping, tol, max_iter).

    Returns
    -------
    hopcore.solvers.Branch
        The branch, sorted by increasing alpha.
    """
    alpha_D = validation.real(*ALPHA_D_RANGE)("alpha_D", alpha_D)
    n = validation.odd_integer(1, N_MAX)("n", n)
    alphas = np.sort(np.asarray(validation.list_of(validation.real(*ALPHA_RANGE))("alphas", alphas), dtype=float))[::-1]
    x0 = mixture_start(n, alphas[0], alpha_D)
    br = follow_branch(lambda a: _Map(0, a, alpha_D, n), alphas, x0, solver=_compiled_solver, m_floor=m_floor, **iter_kw)
    order = np.argsort(br.control)
    return Branch(br.control[order], br.x[order], br.converged[order], br.iterations[order], br.residual[order])


def storage_branch(alpha_D: float, alphas, *, m_floor: float = 0.05, variant: str = "coherent", L: int | None = None,
                   **iter_kw) -> Branch:
    """Solutions m(alpha) of the one-example (storage) equations at fixed alpha_D.

    Followed with the toolkit's ``follow_branch`` from the smallest alpha upward; where the iteration
    collapses to m < m_floor the point is returned as not converged, and the next point restarts from
    the last converged solution (so a branch that reappears at larger alpha is found too).

    Parameters
    ----------
    alpha_D : float
        Load D/N of features.
    alphas : sequence of float
        Loads alpha = P/N.
    m_floor : float, optional
        Overlap below which the point is not converged (default 0.05).
    variant : {"coherent", "published"}, optional
        Storage variant (default "coherent").
    L : int, optional
        Number of non-zero coefficients of a sparse example (None: dense).
    **iter_kw
        Passed to ``follow_branch`` and the compiled solver.

    Returns
    -------
    hopcore.solvers.Branch
        The branch, by increasing alpha.
    """
    alpha_D = validation.real(*ALPHA_D_RANGE)("alpha_D", alpha_D)
    alphas = np.sort(np.asarray(validation.list_of(validation.real(*ALPHA_RANGE))("alphas", alphas), dtype=float))
    kind = _kind(variant)
    return follow_branch(lambda a: _Map(kind, a, alpha_D, 1, L), alphas, storage_start(variant, L),
                         solver=_compiled_solver, m_floor=m_floor, **iter_kw)


__all__ = [
    "KAPPA1",
    "KAPPA_S_SQ",
    "MIXTURE_VARS",
    "STORAGE_PUBLISHED_VARS",
    "STORAGE_VARIANTS",
    "STORAGE_VARS",
    "TransitionLine",
    "example_field_law",
    "feature_branch",
    "rs_mixture_overlap",
    "learning_alpha",
    "free_energy_mixture",
    "free_energy_storage",
    "gaussian_equivalence_constants",
    "learning_line",
    "mixture_map",
    "mixture_spinodal",
    "mixture_start",
    "saddle_point_mixture",
    "saddle_point_storage",
    "site_distribution",
    "storage_branch",
    "storage_line",
    "storage_map",
    "storage_transition",
]
