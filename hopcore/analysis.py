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
           "power_law_fit", "sample_crossings", "transition_points", "wilson_interval", "within_errors"]


def level_crossings(x, y, level: float, direction: str = "down", *, log_x: bool = False) -> np.ndarray:
    """Every ``x`` at which the piecewise-linear curve ``y(x)`` (``x`` increasing) crosses ``level``
    going ``"up"`` (from below to at-or-above) or ``"down"`` (from at-or-above to below).

    With ``log_x`` the interpolation is linear in ``log x`` (curves sampled on a geometric grid).
    Segments with a non-finite end are skipped, so missing points never create a crossing."""
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
    """The first of :func:`level_crossings`, or nan if the curve never crosses."""
    c = level_crossings(x, y, level, direction, log_x=log_x)
    return float(c[0]) if c.size else float("nan")


def power_law_fit(x, y) -> dict:
    """Least-squares fit of ``log y = log prefactor + exponent * log x`` over the points where both
    are finite and positive. Returns ``exponent``, its standard error ``stderr`` (None with fewer than
    three points), ``prefactor`` and the number of ``points`` used (exponent None below two)."""
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
    """The last of :func:`level_crossings`, or nan if the curve never crosses."""
    c = level_crossings(x, y, level, direction, log_x=log_x)
    return float(c[-1]) if c.size else float("nan")


def sample_crossings(x, y_samples, level: float, direction: str = "up", *, which: str = "first",
                     log_x: bool = False) -> dict:
    """One crossing per sample curve (rows of ``y_samples``, shape (samples, len(x))), then their
    mean and standard error: ``{"mean", "sem", "n", "values"}``. Samples that never cross are left
    out (``n`` counts the others); ``sem`` is nan below two crossings."""
    pick = {"first": first_crossing, "last": last_crossing}[_choice("which", which, ("first", "last"))]
    values = np.array([pick(x, row, level, direction, log_x=log_x) for row in np.atleast_2d(y_samples)])
    ok = values[np.isfinite(values)]
    mean, sem = mean_sem(ok) if ok.size else (float("nan"), float("nan"))
    return {"mean": float(mean), "sem": float(sem), "n": int(ok.size), "values": values}


def transition_points(alphas, m_feature, m_train, m_tests: dict, level: float = 0.5,
                      generalization: str = "last") -> dict:
    """The transitions of the random-features model read off mean magnetization curves (alpha
    increasing), at ``m = level``:

    - ``learning``: first upward crossing of the feature curve;
    - ``storage``: first downward crossing of the training-example curve (None if it never drops);
    - ``reentrance``: last upward crossing of the training-example curve after it dropped;
    - ``generalization``: {L: last (``generalization="last"``) or first (``"first"``) upward crossing
      of the test curve} (None when the test examples are never, or always, above ``level`` in the
      window). "last" ignores early excursions above a low level; "first" ignores late dips below a
      high level (a few failed starts near m ~ 1).
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
    """Largest L whose magnetization reaches ``level`` (0 if none); Ls increasing."""
    ok = [int(L) for L, v in zip(Ls, m) if np.isfinite(v) and v >= level]
    return max(ok) if ok else 0


def mean_sem(x, axis: int = -1):
    """Mean and standard error of the mean (``scipy.stats.sem``, ddof = 1) along ``axis``, ignoring
    nothing: a nan sample gives a nan mean. With a single sample the standard error is nan (there is
    no estimate of the scatter), never 0."""
    from scipy.stats import sem

    x = np.asarray(x, dtype=float)
    n = x.shape[axis] if x.ndim else 1
    mean = x.mean(axis=axis) if x.ndim else float(x)
    err = sem(x, axis=axis, ddof=1) if n > 1 else np.full_like(np.asarray(mean, dtype=float), np.nan)
    if np.ndim(mean) == 0:
        return float(mean), float(err)
    return mean, np.asarray(err, dtype=float)


def wilson_interval(k, n, z: float = 1.0):
    """Wilson score interval of a binomial probability with ``k`` successes in ``n`` trials, at ``z``
    standard deviations (z = 1: a 68% interval, the counterpart of a standard-error bar). Returns
    (lower, upper); unlike p +- sqrt(p(1-p)/n) it stays inside [0, 1] and has a width at p = 0 or 1."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    p = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def bootstrap(statistic, data, n_boot: int = 400, seed: int = 0, axis: int = 0):
    """Bootstrap standard error of ``statistic(resampled data)``, resampling along ``axis`` with a
    fixed seed (reproducible). Returns (value on the data, standard error over the finite replicas)."""
    data = np.asarray(data)
    rng = np.random.default_rng(seed)
    n = data.shape[axis]
    value = statistic(data)
    reps = np.array([statistic(np.take(data, rng.integers(0, n, n), axis=axis)) for _ in range(n_boot)], dtype=float)
    reps = reps[np.isfinite(reps)]
    return value, (float(reps.std(ddof=1)) if reps.size > 1 else float("nan"))


def _choice(name, value, options):
    if value not in options:
        raise ValueError(f"{name}={value!r} is not allowed: {name} must be one of {', '.join(map(repr, options))}")
    return value


def within_errors(mean, sem, expected, n_samples: int, k: float = 2.0) -> dict:
    """Are measured means compatible, point by point, with expected values? Each point is the mean
    of ``n_samples`` samples with standard error ``sem``. Counts the points with |mean - expected|
    <= k sem and compares the count with the coverage that sampling scatter alone gives (Student t
    with n_samples - 1 degrees of freedom, since the sem is itself estimated from the samples):
    ``compatible`` when the observed fraction is at least the expected coverage minus two binomial
    standard errors of a count of that many points. Points with a non-finite mean, sem or expected
    value are left out. Returns points, within, fraction, expected_fraction, lower_bound,
    compatible (False when no point has a standard error) and max_abs_z."""
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
