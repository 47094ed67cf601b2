"""Reading numbers off measured or computed curves: crossings, transitions, fits and error bars.

One implementation serves every chapter: the simulated capacity (where the overlap falls below a
level), the learning, storage and generalization transitions (where a magnetization rises above or
falls below a level), the P at which a stability probability drops below 1/2, the exponents of the
random-features scaling laws, the mean and standard error of every simulated point, Wilson
intervals of probabilities and bootstrap errors.
"""

from __future__ import annotations

import numpy as np

__all__ = ["bootstrap", "first_crossing", "largest_retrieved", "last_crossing", "level_crossings", "mean_sem",
           "power_law_fit", "sample_crossings", "transition_points", "weighted_linear_fit", "wilson_interval",
           "within_errors"]


def level_crossings(x, y, level: float, direction: str = "down", *, log_x: bool = False) -> np.ndarray:
    """Every ``x`` at which the piecewise-linear curve ``y(x)`` crosses ``level`` in the given direction.

    ``"up"`` is from below to at-or-above, ``"down"`` from at-or-above to below; ``x`` must be
    increasing. With ``log_x`` the interpolation is linear in ``log x`` (curves sampled on a geometric
    grid). Segments with a non-finite end are skipped, so missing points never create a crossing.

    Parameters
    ----------
    x : array_like, shape (n,)
        Increasing abscissae (positive with ``log_x``).
    y : array_like, shape (n,)
        The curve.
    level : float
        The level crossed.
    direction : str, optional
        ``"down"`` (default) or ``"up"``.
    log_x : bool, optional
        Interpolate linearly in ``log x`` (default False).

    Returns
    -------
    numpy.ndarray of float64
        The crossing abscissae, in increasing order (empty if none).
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction={direction!r} is not allowed: direction must be 'up' or 'down'")
    x = np.asarray(x, dtype=float)
    t = np.log(x) if log_x else x
    d = np.asarray(y, dtype=float) - level
    out = []
    for k in range(len(x) - 1):
        a, b = d[k], d[k + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        if (direction == "up" and a < 0 <= b) or (direction == "down" and a >= 0 > b):
            s = t[k] + (t[k + 1] - t[k]) * a / (a - b)
            out.append(np.exp(s) if log_x else s)
    return np.array(out, dtype=float)


def first_crossing(x, y, level: float, direction: str = "down", *, log_x: bool = False) -> float:
    """The first of :func:`level_crossings`, or nan if the curve never crosses.

    Parameters
    ----------
    x : array_like, shape (n,)
        Increasing abscissae.
    y : array_like, shape (n,)
        The curve.
    level : float
        The level crossed.
    direction : str, optional
        ``"down"`` (default) or ``"up"``.
    log_x : bool, optional
        Interpolate linearly in ``log x`` (default False).

    Returns
    -------
    float
        The first crossing, or nan.
    """
    c = level_crossings(x, y, level, direction, log_x=log_x)
    return float(c[0]) if c.size else float("nan")


def power_law_fit(x, y) -> dict:
    """Least-squares fit of ``log y = log prefactor + exponent * log x``.

    Uses the points where both ``x`` and ``y`` are finite and positive; with exactly two points the
    line through them.

    Parameters
    ----------
    x, y : array_like
        The data, same length.

    Returns
    -------
    dict
        ``exponent`` (None below two points), its standard error ``stderr`` (None with fewer than
        three points), ``prefactor`` (None below two points) and the number of ``points`` used.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    lx, ly = np.log(x[ok]), np.log(y[ok])
    n = int(ok.sum())
    if n < 2:
        return {"exponent": None, "stderr": None, "prefactor": None, "points": n}
    if n == 2:
        e = (ly[1] - ly[0]) / (lx[1] - lx[0])
        return {"exponent": float(e), "stderr": None, "prefactor": float(np.exp(ly[0] - e * lx[0])), "points": 2}
    coef, cov = np.polyfit(lx, ly, 1, cov=True)
    return {"exponent": float(coef[0]), "stderr": float(np.sqrt(cov[0, 0])), "prefactor": float(np.exp(coef[1])),
            "points": n}


def last_crossing(x, y, level: float, direction: str = "up", *, log_x: bool = False) -> float:
    """The last of :func:`level_crossings`, or nan if the curve never crosses.

    Parameters
    ----------
    x : array_like, shape (n,)
        Increasing abscissae.
    y : array_like, shape (n,)
        The curve.
    level : float
        The level crossed.
    direction : str, optional
        ``"up"`` (default) or ``"down"``.
    log_x : bool, optional
        Interpolate linearly in ``log x`` (default False).

    Returns
    -------
    float
        The last crossing, or nan.
    """
    c = level_crossings(x, y, level, direction, log_x=log_x)
    return float(c[-1]) if c.size else float("nan")


def sample_crossings(x, y_samples, level: float, direction: str = "up", *, which: str = "first",
                     log_x: bool = False) -> dict:
    """One crossing per sample curve, then their mean and standard error.

    Samples that never cross are left out (``n`` counts the others); ``sem`` is nan below two
    crossings.

    Parameters
    ----------
    x : array_like, shape (n,)
        Increasing abscissae shared by the samples.
    y_samples : array_like, shape (samples, n)
        One curve per row.
    level : float
        The level crossed.
    direction : str, optional
        ``"up"`` (default) or ``"down"``.
    which : str, optional
        ``"first"`` (default) or ``"last"`` crossing of each curve.
    log_x : bool, optional
        Interpolate linearly in ``log x`` (default False).

    Returns
    -------
    dict
        ``{"mean", "sem", "n", "values"}``; ``values`` holds every sample's crossing (nan where it
        never crosses).
    """
    pick = {"first": first_crossing, "last": last_crossing}[_choice("which", which, ("first", "last"))]
    values = np.array([pick(x, row, level, direction, log_x=log_x) for row in np.atleast_2d(y_samples)])
    ok = values[np.isfinite(values)]
    mean, sem = mean_sem(ok) if ok.size else (float("nan"), float("nan"))
    return {"mean": float(mean), "sem": float(sem), "n": int(ok.size), "values": values}


def transition_points(alphas, m_feature, m_train, m_tests: dict, level: float = 0.5,
                      generalization: str = "last") -> dict:
    """The transitions of the random-features model read off mean magnetization curves, at ``m = level``.

    ``alphas`` increasing; the transitions are:

    - ``learning``: first upward crossing of the feature curve;
    - ``storage``: first downward crossing of the training-example curve (None if it never drops);
    - ``reentrance``: last upward crossing of the training-example curve after it dropped;
    - ``generalization``: {L: last (``generalization="last"``) or first (``"first"``) upward crossing
      of the test curve} (None when the test examples are never, or always, above ``level`` in the
      window). "last" ignores early excursions above a low level; "first" ignores late dips below a
      high level (a few failed starts near m ~ 1).

    Parameters
    ----------
    alphas : array_like, shape (n,)
        Increasing loads.
    m_feature : array_like, shape (n,)
        Mean magnetization of the feature (or feature mixture).
    m_train : array_like, shape (n,)
        Mean magnetization of the training examples.
    m_tests : dict
        ``{L: curve}``: mean magnetization of test examples, one curve per key.
    level : float, optional
        The level (default 0.5).
    generalization : str, optional
        ``"last"`` (default) or ``"first"``.

    Returns
    -------
    dict
        ``learning``, ``storage``, ``reentrance`` (float or None) and ``generalization``
        (``{str(L): float or None}``).
    """
    def first(v):
        return float(v[0]) if v.size else None

    def last(v):
        return float(v[-1]) if v.size else None

    out = {"learning": first(level_crossings(alphas, m_feature, level, "up")),
           "storage": first(level_crossings(alphas, m_train, level, "down"))}
    up = level_crossings(alphas, m_train, level, "up")
    out["reentrance"] = last(up[up > out["storage"]]) if out["storage"] is not None else None
    pick = {"last": last, "first": first}[_choice("generalization", generalization, ("last", "first"))]
    out["generalization"] = {str(k): pick(level_crossings(alphas, v, level, "up")) for k, v in m_tests.items()}
    return out


def largest_retrieved(Ls, m, level: float = 0.9) -> int:
    """Largest L whose magnetization reaches ``level`` (0 if none); Ls increasing.

    Parameters
    ----------
    Ls : sequence of int
        Values of L.
    m : sequence of float
        Magnetization at each L (non-finite entries never count).
    level : float, optional
        Threshold (default 0.9).

    Returns
    -------
    int
        The largest L with ``m >= level``, or 0.
    """
    ok = [int(L) for L, v in zip(Ls, m) if np.isfinite(v) and v >= level]
    return max(ok) if ok else 0


def mean_sem(x, axis: int = -1):
    """Mean and standard error of the mean (``scipy.stats.sem``, ddof = 1) along ``axis``.

    Nothing is ignored: a nan sample gives a nan mean. With a single sample the standard error is nan
    (there is no estimate of the scatter), never 0.

    Parameters
    ----------
    x : array_like
        Samples.
    axis : int, optional
        Axis of the samples (default -1).

    Returns
    -------
    mean : float or numpy.ndarray
        The mean (a float when the result is a scalar).
    sem : float or numpy.ndarray
        The standard error, same shape.
    """
    from scipy.stats import sem

    x = np.asarray(x, dtype=float)
    n = x.shape[axis] if x.ndim else 1
    mean = x.mean(axis=axis) if x.ndim else float(x)
    err = sem(x, axis=axis, ddof=1) if n > 1 else np.full_like(np.asarray(mean, dtype=float), np.nan)
    if np.ndim(mean) == 0:
        return float(mean), float(err)
    return mean, np.asarray(err, dtype=float)


def wilson_interval(k, n, z: float = 1.0):
    """Wilson score interval of a binomial probability with ``k`` successes in ``n`` trials.

    At ``z`` standard deviations (z = 1: a 68% interval, the counterpart of a standard-error bar).
    Unlike p +- sqrt(p(1-p)/n) it stays inside [0, 1] and has a width at p = 0 or 1.

    Parameters
    ----------
    k : int or array_like
        Successes.
    n : int or array_like
        Trials (nan interval where n = 0).
    z : float, optional
        Width in standard deviations (default 1).

    Returns
    -------
    lower : numpy.ndarray or float
        Lower end, in [0, 1].
    upper : numpy.ndarray or float
        Upper end, in [0, 1].
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    p = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def bootstrap(statistic, data, n_boot: int = 400, seed: int = 0, axis: int = 0):
    """Bootstrap standard error of ``statistic(resampled data)``, resampling along ``axis``.

    With a fixed seed (reproducible); replicas where the statistic is not finite are left out.

    Parameters
    ----------
    statistic : callable
        Maps an array like ``data`` to a number, or to a 1-d array of numbers (several statistics of
        the same replicas, each with its own error over its own finite replicas).
    data : array_like
        The samples.
    n_boot : int, optional
        Number of bootstrap replicas (default 400).
    seed : int, optional
        Seed of ``numpy.random.default_rng`` (default 0).
    axis : int, optional
        Axis resampled with replacement (default 0).

    Returns
    -------
    value
        ``statistic(data)``.
    stderr : float or numpy.ndarray
        Standard deviation (ddof = 1) over the finite replicas; nan with fewer than two. An array (one
        error per component) when the statistic is an array.
    """
    data = np.asarray(data)
    rng = np.random.default_rng(seed)
    n = data.shape[axis]
    value = statistic(data)
    reps = np.array([statistic(np.take(data, rng.integers(0, n, n), axis=axis)) for _ in range(n_boot)], dtype=float)

    def stderr(c):
        c = c[np.isfinite(c)]
        return float(c.std(ddof=1)) if c.size > 1 else float("nan")

    return value, (stderr(reps) if reps.ndim == 1 else np.array([stderr(c) for c in reps.T]))


def _choice(name, value, options):
    if value not in options:
        raise ValueError(f"{name}={value!r} is not allowed: {name} must be one of {', '.join(map(repr, options))}")
    return value


def within_errors(mean, sem, expected, n_samples: int, k: float = 2.0) -> dict:
    """Are measured means compatible, point by point, with expected values?

    Each point is the mean of ``n_samples`` samples with standard error ``sem``. Counts the points with
    |mean - expected| <= k sem and compares the count with the coverage that sampling scatter alone
    gives (Student t with n_samples - 1 degrees of freedom, since the sem is itself estimated from the
    samples): ``compatible`` when the observed fraction is at least the expected coverage minus two
    binomial standard errors of a count of that many points. Points with a non-finite mean, sem or
    expected value (or sem <= 0) are left out.

    Parameters
    ----------
    mean : array_like
        Measured means.
    sem : array_like
        Their standard errors (broadcast against ``mean``).
    expected : array_like
        The expected values (broadcast against ``mean``).
    n_samples : int
        Samples behind each mean.
    k : float, optional
        Tolerance in standard errors (default 2).

    Returns
    -------
    dict
        ``points``, ``within``, ``fraction``, ``expected_fraction``, ``lower_bound``, ``compatible``
        (False when no point has a standard error or n_samples < 2) and ``max_abs_z``.
    """
    from scipy.stats import t as student_t

    mean, sem, expected = (np.asarray(v, dtype=float).ravel() for v in np.broadcast_arrays(mean, sem, expected))
    ok = np.isfinite(mean) & np.isfinite(sem) & np.isfinite(expected) & (sem > 0)
    n = int(ok.sum())
    if n == 0 or n_samples < 2:
        return {"points": n, "within": 0, "fraction": float("nan"), "expected_fraction": float("nan"),
                "lower_bound": float("nan"), "compatible": False, "max_abs_z": float("nan")}
    z = np.abs(mean[ok] - expected[ok]) / sem[ok]
    within = int(np.sum(z <= k))
    cover = float(2.0 * student_t.cdf(k, n_samples - 1) - 1.0)
    lower = cover - 2.0 * np.sqrt(cover * (1.0 - cover) / n)
    return {"points": n, "within": within, "fraction": within / n, "expected_fraction": cover,
            "lower_bound": float(lower), "compatible": bool(within / n >= lower), "max_abs_z": float(z.max())}


def weighted_linear_fit(design, y, err) -> dict:
    """Weighted least squares ``y ~ design @ coef`` with weights ``1/err^2``.

    Rows where ``y``, ``err`` or a row of ``design`` is not finite, or ``err`` is not positive, are
    dropped. With fewer rows than columns every number is nan and ``determined`` is False; exactly as
    many rows as columns gives the coefficients (the fit passes through the points) with ``dof = 0``.

    Parameters
    ----------
    design : array_like, shape (points, k)
        The basis functions at each point (e.g. columns ``1, N^-a, N^-b``).
    y : array_like, shape (points,)
        The data.
    err : array_like, shape (points,)
        Their standard errors.

    Returns
    -------
    dict
        ``coef`` and ``coef_err`` (arrays of length k), ``cov`` (k x k), ``chi2``, ``dof`` (points
        used minus k), ``points`` and ``determined`` (at least k points).
    """
    A = np.asarray(design, dtype=float)
    y = np.asarray(y, dtype=float)
    e = np.asarray(err, dtype=float)
    k = A.shape[1]
    ok = np.isfinite(y) & np.isfinite(e) & (e > 0) & np.all(np.isfinite(A), axis=1)
    n = int(ok.sum())
    if n < k:
        nan = np.full(k, np.nan)
        return {"coef": nan, "coef_err": nan.copy(), "cov": np.full((k, k), np.nan), "chi2": float("nan"),
                "dof": n - k, "points": n, "determined": False}
    A, y, w = A[ok], y[ok], 1.0 / e[ok] ** 2
    cov = np.linalg.inv((A.T * w) @ A)
    coef = cov @ ((A.T * w) @ y)
    chi2 = float(np.sum(w * (y - A @ coef) ** 2))
    return {"coef": coef, "coef_err": np.sqrt(np.diag(cov)), "cov": cov, "chi2": chi2, "dof": n - k,
            "points": n, "determined": True}

