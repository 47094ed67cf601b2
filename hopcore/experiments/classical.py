"""Measurements of the replica chapter (each returns a dict of arrays for ``sweep``) and the
finite-size analysis of the simulated capacity."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np
from numba import njit
from tqdm import tqdm

from .. import validation
from ..analysis import first_crossing
from ..dynamics import asynchronous as _async
from ..dynamics.asynchronous import async_fixed_points
from ..ensembles.binary import binary_patterns
from .cache import default_cache
from .executors import ENV as EXECUTOR_ENV
from .executors import parse_spec
from .runner import derive_seed, sample_seeds, sweep

__all__ = ["alpha_c_fit_forms", "bootstrap_alpha_c", "capacity_scan", "crossing_interpolation_err", "crossing_load",
           "extrapolate_alpha_c", "extrapolate_alpha_c_free", "mixture_fixed_points", "retrieval_at_load"]


# ------------------------------------------------------------------------------------------------
# capacity runs: patterns generated straight into the packed layout, runs scheduled over the cores
# ------------------------------------------------------------------------------------------------
# binary_patterns draws X[i, mu] = +1 iff byte i P + mu of the generator's raw 64-bit stream
# (little-endian bytes) is >= 128: numpy's bounded 8-bit draw on {0, 1} (Lemire's method, no
# rejection for a range of 2) is the top bit of the next byte. tests/test_experiments.py checks the
# packed patterns against Packed(binary_patterns(...)) bit for bit, so a numpy that draws otherwise
# fails there, not silently here.
_CHUNK_BYTES = 1 << 23   # raw stream bytes drawn at a time (a few MB per thread instead of N P)


@njit(nogil=True, boundscheck=False)
def _pack_top_bits(raw, row0, rows, P, B):
    """Rows row0 .. row0+rows-1 of B from ``rows * P`` raw bytes: bit mu of row i is the top bit of
    byte (i - row0) P + mu (padding bits zero)."""
    W = B.shape[1]
    for i in range(rows):
        o = i * P
        b = B[row0 + i]
        for w in range(W):
            base = 64 * w
            n = min(64, P - base)
            v = np.uint64(0)
            for j in range(max(n, 0)):
                v |= np.uint64(raw[o + base + j] >> 7) << np.uint64(j)
            b[w] = v


def packed_binary_patterns(N: int, P: int, seed: int) -> np.ndarray:
    """``Packed(binary_patterns(N, P, seed)).B`` without the N x P int8 matrix.

    Bit mu of row i (little-endian within each 64-bit word; ``_words(P)`` words per row, padding
    zero) is set iff xi_i^mu = +1, for the very patterns of :func:`hopcore.ensembles.binary.binary_patterns`:
    the raw generator stream is read in chunks of whole rows and packed as it comes. Releases the GIL
    (the capacity scan generates networks on every core at once).

    Parameters
    ----------
    N : int
        Number of spins.
    P : int
        Number of patterns.
    seed : int
        Seed of the patterns (as for ``binary_patterns``).

    Returns
    -------
    numpy.ndarray of uint64, shape (N, W)
        The packed patterns.
    """
    N = validation.integer(1)("N", N)
    P = validation.integer(1)("P", P)
    bg = np.random.default_rng(validation.seed("seed", seed)).bit_generator
    B = np.empty((N, _async._words(P)), dtype=np.uint64)
    step = max(8, (_CHUNK_BYTES // P) // 8 * 8)       # whole rows, a multiple of 8: every chunk starts on a word
    for row0 in range(0, N, step):
        rows = min(step, N - row0)
        raw = bg.random_raw((rows * P + 7) // 8).view(np.uint8)
        _pack_top_bits(raw, row0, rows, P, B)
    return B


@njit(nogil=True, boundscheck=False)
def _bit_column(B, mu):
    """xi^mu as int8 +-1 from the packed rows."""
    N = B.shape[0]
    x = np.empty(N, dtype=np.int8)
    w, k = mu >> 6, np.uint64(mu & 63)
    for i in range(N):
        x[i] = 1 if (B[i, w] >> k) & np.uint64(1) else -1
    return x


# Not cached on disk (cache=True): numba's cache would not see a change of the kernels it calls in
# hopcore.dynamics.asynchronous; compiling costs about 2 s once per process.
@njit(nogil=True, boundscheck=False)
def _one_run(B, r, valid, s, P, L, seed, max_sweeps):
    """One T = 0 asynchronous run from s (in place), without the GIL (runs are spread over threads).

    The visits, fields and decisions of ``async_fixed_points`` (its packed kernel), exactly; only the
    way a field is obtained changes. A sweep with F flips costs N fields of L W words each when
    every field is counted from the overlap planes, or F updates of N fields of W words each when
    all N fields are kept and corrected at each flip: a flip of j adds ``2 s_j xi_i.xi_j`` to
    ``N h_i`` for i != j (one XOR and popcount per word). A run switches to kept fields after a
    sweep with fewer than L/2 flips (the slow end of a retrieval and the creep of a failed run at
    moderate N) and back after a sweep with more than L; the planes are kept up to date in both.
    Integer arithmetic throughout: the same trajectory either way.

    Returns
    -------
    sweeps, converged, kept : int, bool, int
        Sweeps done, whether the last had no flip, and how many sweeps used kept fields.
    """
    N, W = B.shape
    Q = np.empty((L, W), dtype=np.uint64)
    T = _async._planes_into(B, s, valid, Q)
    order = np.empty(N, dtype=np.int64)
    H = np.empty(N, dtype=np.int64)
    kept = False
    n_kept = 0
    enter, leave = L // 2, L
    for t_sweep in range(max_sweeps):
        _async._fill_order(seed, t_sweep, order)
        flips = 0
        if kept:
            n_kept += 1
            for t in range(N):
                i = order[t]
                h = H[i]
                if h == 0:
                    continue
                new = 1 if h > 0 else -1
                if new != s[i]:
                    s[i] = new
                    T += new * r[i]
                    bi = B[i]
                    _async._packed_flip(bi, Q, valid, new)
                    flips += 1
                    for k in range(N):
                        H[k] += 2 * new * _async._pair_overlap(B[k], bi, P)
                    H[i] -= 2 * new * np.int64(P)          # N h_i does not depend on s_i itself
            if flips > leave:
                kept = False
        else:
            for t in range(N):
                i = order[t]
                _async._prefetch_row(B, order, t)
                b = B[i]
                si = np.int64(s[i])
                h = _async._packed_numerator(b, Q, T, N, P, r[i], si)
                if h == 0:
                    continue
                new = 1 if h > 0 else -1
                if new != si:
                    s[i] = new
                    T += new * r[i]
                    _async._packed_flip(b, Q, valid, new)
                    flips += 1
            if 0 < flips < enter:
                kept = True
                for k in range(N):
                    H[k] = _async._packed_numerator(B[k], Q, T, N, P, r[k], np.int64(s[k]))
        if flips == 0:
            return t_sweep + 1, True, n_kept
    return max_sweeps, False, n_kept


def _threads() -> int:
    return max(1, int(numba.get_num_threads()))


def _retrieval_batch(N: int, P: int, seeds, n_starts: int, max_sweeps: int, threads: int | None = None) -> list:
    """``retrieval_at_load`` for several networks of the same (N, P), the runs spread over the cores.

    Every network is generated (packed) on a worker thread, then all its starts are queued: each
    worker takes the next run when it is free, so a run that goes to ``max_sweeps`` does not hold
    up the others (``async_fixed_points`` splits the starts of one network in fixed halves). Each
    run is the same computation whatever thread runs it, so the numbers do not depend on the
    number of threads.
    """
    k = min(n_starts, P)
    L = _async._n_planes(N)
    nets = [None] * len(seeds)
    threads = threads or _threads()

    def build(n):
        B = packed_binary_patterns(N, P, int(seeds[n]))
        S = np.stack([_bit_column(B, r) for r in range(k)])
        order = np.array([derive_seed(int(seeds[n]), "order", r) for r in range(k)], dtype=np.uint64)
        nets[n] = {"B": B, "r": _async._row_sums(B, P), "valid": _async._valid_words(P, B.shape[1]),
                   "S": S, "X0": S.copy(), "order": order,
                   "sweeps": np.zeros(k, dtype=np.int64), "converged": np.zeros(k, dtype=np.bool_)}

    def run(n, j):
        d = nets[n]
        sw, cv, _ = _one_run(d["B"], d["r"], d["valid"], d["S"][j], P, L, d["order"][j], max_sweeps)
        d["sweeps"][j], d["converged"][j] = sw, cv

    with ThreadPoolExecutor(max_workers=threads) as ex:
        list(ex.map(build, range(len(seeds))))
        futures = [ex.submit(run, n, j) for n in range(len(seeds)) for j in range(k)]
        for f in futures:
            f.result()
    out = []
    for d in nets:
        m = (d["S"].astype(np.int64) * d["X0"].astype(np.int64)).sum(axis=1) / N
        out.append({"m": m, "sweeps": d["sweeps"], "converged": d["converged"], "P": P})
    return out


def retrieval_at_load(N: int, alpha: float, seed: int, n_starts: int = 4, max_sweeps: int = 200) -> dict:
    """Overlap ``m = s*.xi/N`` of the T = 0 asynchronous fixed point reached from the first patterns.

    From each of the first ``n_starts`` patterns of one network with ``P = round(alpha N)`` patterns
    (at least 1): the numbers of :func:`hopcore.experiments.snr.retrieval_overlap` (flip 0), with the
    patterns generated straight into the packed layout and the starts spread over the cores.

    Parameters
    ----------
    N : int
        Number of spins.
    alpha : float
        Load P/N.
    seed : int
        Seed of the network.
    n_starts : int, optional
        Number of patterns started from (default 4).
    max_sweeps : int, optional
        Maximum number of sweeps per run (default 200).

    Returns
    -------
    dict
        ``m``, ``sweeps``, ``converged`` of :func:`hopcore.experiments.snr.retrieval_overlap` and ``P``.
    """
    N = validation.integer(1)("N", N)
    P = max(1, int(round(alpha * N)))
    return _retrieval_batch(N, P, [seed], int(n_starts), int(max_sweeps))[0]


_RETRIEVAL_NAME = f"{retrieval_at_load.__module__}.{retrieval_at_load.__qualname__}"


def _cached_batch(point: dict, n: int, seed: int, cache) -> list:
    """The ``n`` networks of one (N, alpha) point: each from the cache under the entry ``sweep`` gives
    ``retrieval_at_load`` (same name, parameters and seed), the missing ones computed together by
    :func:`_retrieval_batch` and stored one by one (or, when ``$HOPCORE_EXECUTOR`` names a process
    pool or a Dask cluster, by ``sweep`` on that executor: the same entries and numbers)."""
    params = [{**point, "seed": sd} for sd in sample_seeds(seed, point, n)]
    res = [cache.load(_RETRIEVAL_NAME, q) for q in params]
    todo = [s for s in range(n) if res[s] is None]
    cache.hits += n - len(todo)
    if todo and parse_spec(os.environ.get(EXECUTOR_ENV))[0] != "serial":
        # an executor is configured (process pool, Dask): the networks go there one task each
        done = sweep(retrieval_at_load, [point], n, seed, cache=cache, progress=False)[0]
        cache.hits -= n - len(todo)                                     # counted above already
        return done
    if todo:
        P = max(1, int(round(point["alpha"] * point["N"])))
        new = _retrieval_batch(point["N"], P, [params[s]["seed"] for s in todo], point["n_starts"], point["max_sweeps"])
        for s, out in zip(todo, new):
            out = {k: np.asarray(v) for k, v in out.items()}
            cache.misses += 1
            cache.store(_RETRIEVAL_NAME, params[s], out)
            res[s] = out
    return res


def capacity_scan(Ns, alphas, n_samples, seed: int, *, n_starts: int = 4, max_sweeps: int = 200,
                  m_threshold: float = 0.5, stop_after_failed_loads: int = 0, cache=None,
                  progress: bool = True) -> dict:
    """``retrieval_at_load`` over sizes x loads x networks, each run cached on its own.

    Loads are run in increasing order; with ``stop_after_failed_loads = k > 0`` the remaining larger
    loads of a size are skipped once ``k`` consecutive loads had every run end below ``m_threshold``
    (retrieval has clearly broken down, and failed runs are the slow ones). Skipped loads and the
    networks beyond a size's count are NaN in ``m`` and flagged in ``simulated``.

    Every run's seed depends only on (seed, N, alpha, n_starts, max_sweeps, network index), the same
    as in a ``sweep`` over the full grid, so the stopping rule and the counts never change a number
    that was computed.

    Parameters
    ----------
    Ns : sequence of int
        Sizes.
    alphas : sequence of float
        Loads, in increasing order.
    n_samples : int or sequence of int
        One count of networks for every size or one per size (large networks self-average, so they
        need fewer).
    seed : int
        Master seed.
    n_starts : int, optional
        Patterns started from in each network (default 4).
    max_sweeps : int, optional
        Maximum number of sweeps per run (default 200).
    m_threshold : float, optional
        Overlap below which a run failed (default 0.5).
    stop_after_failed_loads : int, optional
        k of the stopping rule (default 0: no stopping).
    cache : hopcore.experiments.cache.ResultCache, optional
        The cache (default the default cache).
    progress : bool, optional
        Show a progress bar (default True).

    Returns
    -------
    dict
        ``m`` and ``converged`` of shape (sizes, loads, max networks, starts), ``simulated``
        (sizes, loads) and ``n_samples`` (sizes,).

    Raises
    ------
    ValueError
        If ``n_samples`` has not one entry per size.
    """
    cache = default_cache() if cache is None else cache
    Ns = [int(N) for N in Ns]
    alphas = [float(a) for a in alphas]
    counts = [int(n_samples)] * len(Ns) if np.ndim(n_samples) == 0 else [int(c) for c in n_samples]
    if len(counts) != len(Ns):
        raise ValueError(f"n_samples has {len(counts)} entries for {len(Ns)} sizes")
    S = max(counts)
    m = np.full((len(Ns), len(alphas), S, n_starts), np.nan)
    conv = np.zeros((len(Ns), len(alphas), S, n_starts), dtype=bool)
    done = np.zeros((len(Ns), len(alphas)), dtype=bool)
    bar = tqdm(total=sum(c * len(alphas) for c in counts), desc="overlap after convergence",
               disable=not progress, mininterval=1.0)
    for i, N in enumerate(Ns):
        failed_in_a_row = 0
        for j, a in enumerate(alphas):
            point = {"N": N, "alpha": a, "n_starts": n_starts, "max_sweeps": max_sweeps}
            res = _cached_batch(point, counts[i], seed, cache)
            bar.update(counts[i])
            m[i, j, :counts[i]] = [r["m"] for r in res]
            conv[i, j, :counts[i]] = [r["converged"] for r in res]
            done[i, j] = True
            failed_in_a_row = failed_in_a_row + 1 if np.all(m[i, j, :counts[i]] < m_threshold) else 0
            if stop_after_failed_loads and failed_in_a_row >= stop_after_failed_loads:
                bar.update(counts[i] * (len(alphas) - j - 1))
                break
    bar.close()
    return {"m": m, "converged": conv, "simulated": done, "n_samples": np.array(counts)}


def mixture_fixed_points(N: int, alpha: float, seed: int, n: int = 3, n_starts: int = 2, max_sweeps: int = 200) -> dict:
    """Run the T = 0 asynchronous dynamics from symmetric mixtures to a fixed point.

    Starts are the symmetric mixtures ``sign(xi^a + ... )`` of disjoint groups of ``n`` patterns;
    P = max(n n_starts, round(alpha N)).

    Parameters
    ----------
    N : int
        Number of spins.
    alpha : float
        Load P/N.
    seed : int
        Seed of the network.
    n : int, optional
        Patterns per mixture (odd, <= 41; default 3).
    n_starts : int, optional
        Number of mixtures started from (default 2).
    max_sweeps : int, optional
        Maximum number of sweeps per run (default 200).

    Returns
    -------
    dict
        Per start: ``m`` (n_starts, n) overlaps with the n patterns at the fixed point, ``m0`` the same
        at the start (1/2 on average for n = 3, finite-N scatter), ``moved`` the fraction of spins that
        differ between start and fixed point, ``sweeps``, ``converged``; and ``P``.
    """
    n = validation.odd_integer(1, 41)("n", n)
    P = max(n * n_starts, int(round(alpha * N)))
    X = binary_patterns(N, P, seed)
    S0 = np.empty((n_starts, N), dtype=np.int8)
    for r in range(n_starts):
        S0[r] = np.sign(X[:, n * r:n * (r + 1)].sum(axis=1, dtype=np.int64)).astype(np.int8)
    seeds = np.array([derive_seed(seed, "order", r) for r in range(n_starts)], dtype=np.uint64)
    S, sweeps, conv = async_fixed_points(X, S0, seeds, max_sweeps=max_sweeps)
    m = np.empty((n_starts, n))
    m0 = np.empty((n_starts, n))
    for r in range(n_starts):
        block = X[:, n * r:n * (r + 1)].astype(np.int64)
        m[r] = S[r].astype(np.int64) @ block / N
        m0[r] = S0[r].astype(np.int64) @ block / N
    moved = np.mean(S != S0, axis=1)
    return {"m": m, "m0": m0, "moved": moved, "sweeps": sweeps, "converged": conv, "P": P}


def crossing_load(alphas, m_mean, threshold: float = 0.5) -> float:
    """The load where the mean overlap first falls below ``threshold``.

    Linear interpolation between the two grid points around the first downward crossing.

    Parameters
    ----------
    alphas : array_like
        Loads, increasing.
    m_mean : array_like
        Mean overlap at each load.
    threshold : float, optional
        The level (default 0.5).

    Returns
    -------
    float
        The crossing load; nan if it never crosses.
    """
    return first_crossing(alphas, m_mean, threshold, "down")


def bootstrap_alpha_c(alphas, m, *, threshold: float = 0.5, n_boot: int = 200, seed: int = 0):
    """``crossing_load`` of the sample mean and its bootstrap standard error over networks.

    Networks (samples) are resampled with replacement, the same draw at every load so that correlated
    grid points stay correlated; padding networks (all NaN) are dropped.

    Parameters
    ----------
    alphas : array_like, shape (loads,)
        Loads, increasing.
    m : array_like, shape (loads, samples, starts)
        Overlaps.
    threshold : float, optional
        The level (default 0.5).
    n_boot : int, optional
        Bootstrap resamples (default 200).
    seed : int, optional
        Seed of the resampling (default 0).

    Returns
    -------
    estimate : float
        The crossing load of the mean overlap.
    err : float
        Its bootstrap standard error (nan if no resample crosses).
    """
    m = np.asarray(m, dtype=float)
    per_net = m.reshape(m.shape[0], m.shape[1], -1).mean(axis=2)
    per_net = per_net[:, np.isfinite(per_net).any(axis=0)]      # drop padding networks (all NaN)
    est = crossing_load(alphas, per_net.mean(axis=1), threshold)
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        idx = rng.integers(0, per_net.shape[1], per_net.shape[1])
        boots.append(crossing_load(alphas, per_net[:, idx].mean(axis=1), threshold))
    boots = np.array(boots)
    return est, float(np.nanstd(boots)) if np.isfinite(boots).any() else float("nan")


def extrapolate_alpha_c(Ns, alpha_c, err=None, *, exponent: float = 0.5) -> dict:
    """Weighted least-squares fit ``alpha_c(N) = alpha_inf + a N^{-exponent}``.

    Needs at least two finite points (with positive errors when given).

    Parameters
    ----------
    Ns : array_like
        Sizes.
    alpha_c : array_like
        Finite-size capacities.
    err : array_like, optional
        Their standard errors (weights 1/err^2); None for an unweighted fit.
    exponent : float, optional
        The exponent (default 0.5).

    Returns
    -------
    dict
        ``alpha_inf``, ``slope``, their standard errors ``alpha_inf_err``, ``slope_err`` (from the
        weights if given, else from the residuals), ``exponent``, ``chi2`` and ``x = N^{-exponent}`` for
        plotting (all nan, without ``chi2``, with fewer than two points).
    """
    Ns = np.asarray(Ns, dtype=float)
    y = np.asarray(alpha_c, dtype=float)
    ok = np.isfinite(y)
    if err is not None:
        e = np.asarray(err, dtype=float)
        ok &= np.isfinite(e) & (e > 0)
    if ok.sum() < 2:
        return {"alpha_inf": float("nan"), "slope": float("nan"), "alpha_inf_err": float("nan"),
                "slope_err": float("nan"), "exponent": exponent, "x": Ns ** (-exponent)}
    x = Ns[ok] ** (-exponent)
    A = np.stack([np.ones_like(x), x], axis=1)
    w = 1.0 / e[ok] ** 2 if err is not None else np.ones_like(x)
    AtW = A.T * w
    cov = np.linalg.inv(AtW @ A)
    coef = cov @ (AtW @ y[ok])
    if err is None:
        dof = max(1, ok.sum() - 2)
        resid = y[ok] - A @ coef
        cov = cov * float(resid @ resid) / dof
    return {
        "alpha_inf": float(coef[0]),
        "slope": float(coef[1]),
        "alpha_inf_err": float(np.sqrt(cov[0, 0])),
        "slope_err": float(np.sqrt(cov[1, 1])),
        "exponent": exponent,
        "chi2": float(np.sum(w * (y[ok] - A @ coef) ** 2)),
        "x": Ns ** (-exponent),
    }


def extrapolate_alpha_c_free(Ns, alpha_c, err, *, nu_bounds=(0.05, 3.0), n_grid: int = 600) -> dict:
    """Weighted least-squares fit ``alpha_c(N) = alpha_inf + a N^{-nu}`` with the exponent ``nu`` free.

    For each ``nu`` on a grid over ``nu_bounds`` the model is linear in (alpha_inf, a), so chi^2 is
    profiled exactly (:func:`extrapolate_alpha_c` at that exponent); the minimum is then refined by
    Brent's method. Standard errors come from the weights: for ``nu`` the half-width of the interval
    where the profiled chi^2 stays within 1 of its minimum (``nu_lo``, ``nu_hi``; an end at a bound of
    ``nu_bounds`` means the data do not bound it there), for ``alpha_inf`` its error at the best ``nu``
    combined with the range of the best-fit ``alpha_inf`` over that interval (the linearized error at
    fixed ``nu`` alone ignores how poorly ``nu`` is determined).

    Three parameters need at least four finite points (one degree of freedom); with fewer every number
    is nan and ``determined`` is False. ``at_bound`` is True when the best ``nu`` sits at a bound.

    Parameters
    ----------
    Ns : array_like
        Sizes.
    alpha_c : array_like
        Finite-size capacities.
    err : array_like
        Their standard errors.
    nu_bounds : tuple of float, optional
        Range of the exponent (default (0.05, 3.0)).
    n_grid : int, optional
        Grid points over ``nu_bounds`` (default 600).

    Returns
    -------
    dict
        ``alpha_inf``, ``alpha_inf_err``, ``exponent``, ``exponent_err``, ``nu_lo``, ``nu_hi``,
        ``slope``, ``chi2``, ``dof``, ``points``, ``determined``, ``at_bound``.
    """
    from scipy.optimize import minimize_scalar

    Ns = np.asarray(Ns, dtype=float)
    y = np.asarray(alpha_c, dtype=float)
    e = np.asarray(err, dtype=float)
    ok = np.isfinite(y) & np.isfinite(e) & (e > 0)
    nan = float("nan")
    out = {"alpha_inf": nan, "alpha_inf_err": nan, "exponent": nan, "exponent_err": nan, "nu_lo": nan, "nu_hi": nan,
           "slope": nan, "chi2": nan, "dof": int(ok.sum()) - 3, "points": int(ok.sum()), "determined": False,
           "at_bound": False}
    if ok.sum() < 4:
        return out
    Nk, yk, ek = Ns[ok], y[ok], e[ok]

    def chi2(nu):
        return extrapolate_alpha_c(Nk, yk, ek, exponent=float(nu))["chi2"]

    grid = np.linspace(nu_bounds[0], nu_bounds[1], n_grid)
    prof = np.array([chi2(nu) for nu in grid])
    k = int(np.argmin(prof))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, n_grid - 1)]
    best = minimize_scalar(chi2, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6}) if hi > lo else None
    nu = float(best.x) if best is not None and best.fun <= prof[k] else float(grid[k])
    fit = extrapolate_alpha_c(Nk, yk, ek, exponent=nu)
    inside = prof <= fit["chi2"] + 1.0
    nu_lo, nu_hi = float(grid[inside].min()), float(grid[inside].max())
    a_range = [extrapolate_alpha_c(Nk, yk, ek, exponent=float(v))["alpha_inf"] for v in grid[inside]]
    spread = 0.5 * (max(a_range) - min(a_range)) if a_range else 0.0
    out.update(alpha_inf=fit["alpha_inf"], alpha_inf_err=float(np.hypot(fit["alpha_inf_err"], spread)),
               exponent=nu, exponent_err=0.5 * (nu_hi - nu_lo), nu_lo=nu_lo, nu_hi=nu_hi, slope=fit["slope"],
               chi2=fit["chi2"], determined=True,
               at_bound=bool(min(nu - nu_bounds[0], nu_bounds[1] - nu) < 2 * (grid[1] - grid[0])))
    return out


def alpha_c_fit_forms(Ns, alpha_c, err, *, exponent: float = 0.5) -> dict:
    """The three extrapolations of the finite-size capacities and the systematic error of the choice.

    ``preferred``: linear in ``N^{-exponent}``; ``one_over_N``: linear in ``1/N``; ``free``: exponent
    fitted (:func:`extrapolate_alpha_c_free`). ``systematic_err`` is the largest distance of another
    form's ``alpha_inf`` from the preferred one, over the forms that are determined (the free exponent
    needs four sizes and an exponent inside its bounds); nan if none is.

    Parameters
    ----------
    Ns : array_like
        Sizes.
    alpha_c : array_like
        Finite-size capacities.
    err : array_like
        Their standard errors.
    exponent : float, optional
        Exponent of the preferred form (default 0.5).

    Returns
    -------
    dict
        ``preferred``, ``one_over_N``, ``free`` (the fit dicts), ``systematic_err`` (float) and
        ``forms_in_systematic`` (int, the preferred form included).
    """
    pref = extrapolate_alpha_c(Ns, alpha_c, err, exponent=exponent)
    inv = extrapolate_alpha_c(Ns, alpha_c, err, exponent=1.0)
    free = extrapolate_alpha_c_free(Ns, alpha_c, err)
    others = [inv["alpha_inf"]]
    if free["determined"] and not free["at_bound"]:
        others.append(free["alpha_inf"])
    dev = [abs(a - pref["alpha_inf"]) for a in others if np.isfinite(a) and np.isfinite(pref["alpha_inf"])]
    return {"preferred": pref, "one_over_N": inv, "free": free,
            "systematic_err": float(max(dev)) if dev else float("nan"),
            "forms_in_systematic": 1 + len(dev)}


def crossing_interpolation_err(alphas, m_mean, threshold: float = 0.5) -> float:
    """How much the downward crossing of ``threshold`` depends on the interpolation between grid loads.

    The distance between :func:`crossing_load` (linear between the two loads around the first
    crossing) and the crossing of the monotone cubic (PCHIP) through the same finite points, inside
    the same cell. The bootstrap error of :func:`bootstrap_alpha_c` does not contain this error: it
    resamples networks, not the shape of the curve between loads.

    Parameters
    ----------
    alphas : array_like
        Loads, increasing.
    m_mean : array_like
        Mean overlap at each load (non-finite values are dropped).
    threshold : float, optional
        The level (default 0.5).

    Returns
    -------
    float
        The distance; nan if the curve never crosses (or has fewer than three points).
    """
    from scipy.interpolate import PchipInterpolator
    from scipy.optimize import brentq

    a = np.asarray(alphas, dtype=float)
    m = np.asarray(m_mean, dtype=float)
    ok = np.isfinite(m)
    a, m = a[ok], m[ok]
    lin = crossing_load(a, m, threshold)
    if not np.isfinite(lin) or a.size < 3:
        return float("nan")
    k = int(np.searchsorted(a, lin, side="right")) - 1
    k = min(max(k, 0), a.size - 2)
    f = PchipInterpolator(a, m - threshold)
    if f(a[k]) * f(a[k + 1]) > 0:
        return float("nan")
    return float(abs(brentq(f, a[k], a[k + 1], xtol=1e-12) - lin))
