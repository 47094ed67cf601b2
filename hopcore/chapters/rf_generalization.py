"""Chapter: generalization to unseen examples in the random-features Hopfield model (Figs. 1, 2a, 2b
of Kalaj et al. 2024). ``compute`` runs the five sweeps of the page (Fig. 1 over the load, the
finite-size and training-family comparison near the first generalization transition, the finite-size
scaling of the transitions of several L over N at fixed alpha_D, Fig. 2a over (L, alpha_D, alpha),
Fig. 2b over candidate L) through ``sweep_grid`` as labelled arrays, reads the transitions per network
with ``hopcore.analysis``, bootstraps the L_max exponents over networks and L brackets, adds the
replica-symmetric theory lines and the signal-to-noise prediction, and turns every statement the page
makes about the run into a claim; one ``figure_*`` function per figure draws from the result."""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .. import validation
from ..analysis import (
    bootstrap,
    first_crossing,
    largest_retrieved,
    mean_sem,
    power_law_fit,
    sample_crossings,
    transition_points,
)
from ..book import ChapterResult, claim, spec, style
from ..book.spec import Chapter, Param
from ..experiments import memo, sweep_grid
from ..experiments.random_features import rf_magnetizations, rf_test_runs
from ..theory import random_features as rf
from ..theory import rf_snr

ALPHA_D_RANGE = (1e-4, 0.2)  # features must be learnable (learning line ends near alpha_D ~ 0.14)
_alpha = validation.real(0.0, 20.0, lo_open=True)
_alpha_D = validation.real(*ALPHA_D_RANGE)
_coef = validation.choice("sparse", "dense", "dense_binary")


def _check(p):
    D = _D(p["N"], p["alpha_D"])
    if p["L_train"] > D:
        validation.fail("L_train", p["L_train"], f"an odd integer <= D = round(alpha_D N) = {D}")
    for k, L in enumerate(p["L_test"]):
        if L > D:
            validation.fail(f"L_test[{k}]", L, f"an odd integer <= D = round(alpha_D N) = {D}")
    D_scan = _D(p["N_scan"], min(p["scan_alpha_Ds"]))
    for k, L in enumerate(p["scan_Ls"]):
        if L > D_scan:
            validation.fail(f"scan_Ls[{k}]", L, f"an odd integer <= D = {D_scan} (N_scan times the smallest scan_alpha_Ds)")
    if min(p["lmax_Ls"]) > _D(p["N_scan"], max(p["lmax_alpha_Ds"])):
        validation.fail("lmax_Ls", p["lmax_Ls"], "a list whose smallest entry fits in D for every lmax_alpha_Ds")
    for N in p["fs_Ns"]:
        if p["L_test"][0] > _D(N, p["alpha_D"]):
            validation.fail("fs_Ns", p["fs_Ns"], f"sizes with round(alpha_D N) >= L_test[0] = {p['L_test'][0]}")
    D_fss = _D(min(p["fss_Ns"]), p["fss_alpha_D"])
    if max(p["fss_Ls"]) > D_fss:
        validation.fail("fss_Ls", p["fss_Ls"], f"odd integers <= D = {D_fss} (the smallest fss_Ns times fss_alpha_D)")
    if p["L_train"] > D_fss:
        validation.fail("L_train", p["L_train"], f"an odd integer <= D = {D_fss} of the finite-size scaling")
    limit = validation.memory_limit_bytes()
    # example matrix (int8 N x P) plus the int32 overlaps of the parallel starts
    for name, N, a in (
        ("N", p["N"], max(p["alphas"])),
        ("N_scan", p["N_scan"], max(max(p["scan_alphas"]), max(p["lmax_alphas"]))),
        ("fs_Ns", max(p["fs_Ns"]), max(p["fs_alphas"])),
    ):
        P = a * N
        validation.memory_bytes(name, N, N * P + 4.0 * 64 * P + 8.0 * N * max(p["lmax_alpha_Ds"] + [p["alpha_D"]]) * N, limit)


SPEC = Chapter(
    name="rf_generalization",
    notebook="book/rf_generalization.ipynb",
    title="Generalization to unseen examples",
    seed=7001,
    minutes=(1.5, 20.0),
    cached="every (grid point, sample) of the five sweeps (Fig. 1, finite size, finite-size scaling, Figs. 2a, 2b) "
    "under the result cache (hopcore.experiments.random_features.rf_magnetizations, rf_test_runs)",
    headline=("N", "alpha_D", "n_samples", "N_scan", "n_samples_scan", "fs_Ns", "fs_n_samples", "fss_Ns", "fss_n_samples"),
    params={
        # Fig. 1 (issue-mandated names)
        "N": Param(
            4000, validation.integer(100, 100_000), paper=8000, doc="neurons of the Fig. 1 networks (alpha_D N features)"
        ),
        "alpha_D": Param(
            0.005, _alpha_D, doc="number of features per neuron, D/N, in Fig. 1 and the finite-size comparison"
        ),
        "alphas": Param(
            [round(a, 5) for a in np.geomspace(0.0005, 1.5, 24)],
            validation.list_of(_alpha, increasing=True),
            # the paper's 41 loads per decade-and-a-half, continued down to 0.0005 so that the storage
            # phase of the sparse training examples is visible at N = 8000
            paper=[round(a, 5) for a in np.geomspace(0.0005, 1.5, 52)],
            doc="loads P/N of Fig. 1, log-spaced from the storage phase to beyond the generalization transitions",
        ),
        "L_train": Param(3, validation.odd_integer(1, 100_001), doc="non-zero +-1 coefficients of each sparse training example"),
        "L_test": Param(
            [3, 5, 7],
            validation.list_of(validation.odd_integer(1, 100_001), increasing=True),
            doc="features (non-zero +-1 coefficients) per test example, one curve each",
        ),
        "coefficients": Param(
            "sparse", _coef, doc="training coefficients of Fig. 1: sparse, dense (Gaussian) or dense_binary"
        ),
        "n_samples": Param(3, validation.integer(1, 10_000), paper=10, doc="independent networks per load in Fig. 1"),
        "n_test": Param(2, validation.integer(1, 1000), paper=3, doc="test examples per L_test and network"),
        "max_sweeps": Param(200, validation.integer(1, 100_000), doc="cap on asynchronous sweeps of each run"),
        # Fig. 2a
        "N_scan": Param(4000, validation.integer(100, 100_000), paper=8000, doc="neurons of the Fig. 2a/2b networks"),
        "scan_alpha_Ds": Param(
            [0.005, 0.01],
            validation.list_of(_alpha_D, increasing=True),
            paper=[0.0025, 0.005, 0.01, 0.02],
            doc="alpha_D values of Fig. 2a",
        ),
        "scan_Ls": Param(
            [3, 5],
            validation.list_of(validation.odd_integer(1, 100_001), increasing=True),
            paper=[3, 5, 7],
            doc="L_train and L_test of Fig. 2a, equal",
        ),
        "scan_alphas": Param(
            [round(a, 4) for a in np.geomspace(0.02, 2.0, 12)],
            validation.list_of(_alpha, increasing=True),
            paper=[round(a, 4) for a in np.geomspace(0.01, 2.5, 10)],
            doc="loads scanned in Fig. 2a, where the transitions are read",
        ),
        "n_samples_scan": Param(2, validation.integer(1, 10_000), paper=3, doc="independent networks per point in Figs. 2a, 2b"),
        # Fig. 2b
        "lmax_alpha_Ds": Param(
            [0.005, 0.007, 0.01, 0.014, 0.02],
            validation.list_of(_alpha_D, increasing=True),
            paper=[0.005, 0.007, 0.01, 0.014, 0.02, 0.028],
            doc="alpha_D values of Fig. 2b",
        ),
        "lmax_Ls": Param(
            [1, 3, 5, 7, 9, 11, 13, 15],
            validation.list_of(validation.odd_integer(1, 100_001), increasing=True),
            paper=[1, 3, 5, 7, 9, 11, 13, 15],
            doc="candidate L of Fig. 2b (those not above D are tried)",
        ),
        "lmax_alphas": Param(
            [1.0],
            validation.list_of(_alpha, increasing=True),
            paper=[2.0],
            doc="loads at which a generalization transition must have happened (top of the window)",
        ),
        "lmax_coefficients": Param(
            ["sparse", "dense"], validation.list_of(_coef, max_len=3), doc="training families compared in Fig. 2b"
        ),
        "m_threshold": Param(
            0.9, validation.real(0.0, 1.0, lo_open=True, hi_open=True), doc="mean magnetization counted as retrieval in Fig. 2b"
        ),
        # finite size, readout and training family near the first generalization transition
        "fs_Ns": Param(
            [4000, 8000],
            validation.list_of(validation.integer(100, 100_000), increasing=True),
            paper=[2000, 4000, 8000],
            doc="network sizes compared near the first generalization transition",
        ),
        "fs_alphas": Param(
            [0.12, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5],
            validation.list_of(_alpha, increasing=True),
            paper=[0.12, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5],
            doc="loads of that comparison (the first one below the spinodal)",
        ),
        "fs_n_samples": Param(
            3, validation.integer(1, 10_000), paper=3, doc="independent networks per point of that comparison"
        ),
        "fs_n_test": Param(4, validation.integer(1, 1000), doc="test examples and symmetric mixtures per network there"),
        "fs_max_sweeps": Param(
            1000, validation.integer(1, 100_000), doc="sweep cap there and in the finite-size scaling (long, to see the time scale)"
        ),
        # finite-size scaling of the generalization transitions (sparse L_train training, fixed alpha_D)
        "fss_Ns": Param(
            [2000, 4000, 8000],
            validation.list_of(validation.integer(100, 100_000), increasing=True),
            paper=[2000, 4000, 8000, 16000],
            doc="network sizes of the finite-size scaling of the generalization transitions",
        ),
        "fss_alpha_D": Param(0.005, _alpha_D, doc="alpha_D = D/N held fixed in the finite-size scaling"),
        "fss_Ls": Param(
            [3, 5, 7],
            validation.list_of(validation.odd_integer(1, 100_001), increasing=True),
            doc="features per test example in the finite-size scaling, one transition each",
        ),
        "fss_ratios": Param(
            [0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.35, 1.5, 1.7],
            validation.list_of(validation.real(0.05, 20.0), increasing=True),
            doc="loads of the finite-size scaling, as multiples of the spinodal of each L",
        ),
        "fss_n_samples": Param(
            3, validation.integer(1, 10_000), paper=6, doc="independent networks per (L, N, load) of the finite-size scaling"
        ),
        "fss_n_test": Param(
            8, validation.integer(1, 1000), paper=16, doc="test examples per network there (the per-network curve)"
        ),
    },
    checks=(_check,),
    extra={
        "test": {
            "N": 400,
            "alpha_D": 0.02,
            "alphas": [0.1, 0.4, 0.8],
            "L_test": [3, 5],
            "n_samples": 2,
            "N_scan": 400,
            "scan_alpha_Ds": [0.02],
            "scan_Ls": [3],
            "scan_alphas": [0.1, 0.5, 1.0],
            "n_samples_scan": 2,
            "lmax_alpha_Ds": [0.02, 0.04],
            "lmax_Ls": [1, 3, 5],
            "fs_Ns": [400, 800],
            "fs_alphas": [0.2, 0.5],
            "fs_n_samples": 2,
            "fs_n_test": 2,
            "fss_Ns": [500, 1000],
            "fss_alpha_D": 0.01,
            "fss_Ls": [3, 5],
            "fss_ratios": [0.6, 0.8, 1.0, 1.25, 1.5],
            "fss_n_samples": 2,
            "fss_n_test": 2,
        }
    },
)


def prepare(namespace):
    return spec.prepare(SPEC.name, namespace)


# --------------------------------------------------------------------------------------- theory

ALPHA_TH = np.geomspace(0.005, 6.0, 36)  # loads at which the mixture spinodals alpha_D_c(alpha) are solved
KEYS_BASE = ("feature", "train")


def _spinodal_line(n, lines):
    """The n-mixture spinodal alpha_D_c(alpha) on ALPHA_TH (n = 1: the learning line), through the
    result cache, solved once per n per run."""
    if n not in lines:
        lines[n] = memo(rf.mixture_spinodal, n=int(n), alphas=ALPHA_TH)
    return lines[n]


def _spinodal_alpha(n, alpha_D, lines):
    """alpha at which the n-mixture spinodal alpha_D_c(alpha) reaches alpha_D (alpha_D_c grows with
    alpha): log-log interpolation of the line, nan outside its range."""
    line = _spinodal_line(n, lines)
    ok = np.asarray(line.converged) & np.isfinite(line.alpha_D_c)
    x, y = np.log(line.alpha_D_c[ok]), np.log(ALPHA_TH[ok])
    if not ok.any() or np.log(alpha_D) < x.min() or np.log(alpha_D) > x.max():
        return float("nan")
    return float(np.exp(np.interp(np.log(alpha_D), x, y)))


def _theory_overlap(n, alpha_D, alphas):
    """RS retrieval branch of the n-mixture (dense theory) and its overlap with the mixture itself:
    the line to compare with the measured m of a test example with n features (nan: no branch)."""
    br = rf.feature_branch(alpha_D, alphas, n)
    m = rf.rs_mixture_overlap(br.control, br.x, n)
    return np.asarray(br.control), np.where(br.converged, m, np.nan)


# ------------------------------------------------------------------------------------- helpers


def _D(N, alpha_D):
    return max(1, int(round(alpha_D * N)))


def _g(x):
    return float("nan") if x is None else float(x)


def _bracket(x, a):
    """Width of the interval of the grid ``x`` that holds ``a`` (nan outside the grid): the
    resolution of a transition read by interpolating between simulated loads."""
    x = np.asarray(x, float)
    if not np.isfinite(a) or a < x[0] or a > x[-1]:
        return float("nan")
    k = int(np.clip(np.searchsorted(x, a), 1, len(x) - 1))
    return float(x[k] - x[k - 1])


def _tol(x, a, sem):
    """Tolerance of a transition read on the grid ``x``: the grid interval holding it and twice the
    standard error of the per-network readings, added in quadrature (a missing sem counts 0)."""
    return float(np.hypot(_bracket(x, a), 2 * np.nan_to_num(sem)))


def _fmt_list(values, f="{:.3f}"):
    return ", ".join("nan" if not np.isfinite(v) else f.format(v) for v in values)


# -------------------------------------------------------------------------------------- result


@dataclass
class Result(ChapterResult):
    """Labelled arrays of the four sweeps.

    ``fig1``: ``alpha`` (loads), ``m[key]`` of shape (alpha, samples) for the starts ``feature``,
    ``train``, ``test_<L>``, their ``mean``/``sem`` over networks, the transitions read at m = 1/2 and
    0.9, the theory (spinodal loads, RS overlap lines). ``fs``: axes ``family`` (sparse, dense), ``N``,
    ``alpha``; ``m_test``, ``m_mixture``, ``sweeps``, ``not_converged`` of shape (family, N, alpha,
    samples) and the per-start ``m_test_starts``/``m_mixture_starts`` (…, samples, starts).
    ``fig2a``: axes ``L``, ``alpha_D``, ``alpha``; ``m_test``, ``m_feature`` of shape (L, alpha_D,
    alpha, samples) and the transition readings (L, alpha_D). ``fig2b``: axes ``family``,
    ``alpha_D``, ``L``; ``m_best`` (family, alpha_D, L) the largest mean overlap over the window (nan
    where L > D), ``m_net`` the same per network before the mean, ``L_max``, ``lower_bound``,
    ``next_candidate``, the fits, their ``bootstrap`` errors and the signal-to-noise prediction.
    ``fss``: axes ``N``, ``L`` and, per L in ``per_L``, the loads ``alpha`` (``ratios`` times the
    ``spinodal``), ``m`` (N, alpha, samples), ``m_starts``, ``sweeps``, ``converged`` (…, samples,
    starts), the per-network ``reading`` at m = 0.9 (mean, sem, values), the sweep statistics and the
    extrapolation in N^-1/2."""

    params: dict = field(default_factory=dict)
    fig1: dict = field(default_factory=dict)
    fs: dict = field(default_factory=dict)
    fig2a: dict = field(default_factory=dict)
    fig2b: dict = field(default_factory=dict)
    fss: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------- sweeps


def _fig1(p, lines):
    L1 = p.L_train if p.coefficients == "sparse" else None
    alphas = [float(a) for a in p.alphas]
    g = sweep_grid(
        rf_magnetizations,
        {"alpha": alphas},
        p.n_samples,
        p.seed,
        desc="Fig. 1",
        fixed=dict(
            N=p.N,
            alpha_D=p.alpha_D,
            coefficients=p.coefficients,
            L=L1,
            n_test=p.n_test,
            max_sweeps=p.max_sweeps,
            L_test=list(p.L_test),
        ),
    )
    keys = list(KEYS_BASE) + [f"test_{L}" for L in p.L_test]
    m = {k: g[k] for k in keys}  # (alpha, samples)
    ms = {k: mean_sem(v, axis=-1) for k, v in m.items()}
    mean = {k: v[0] for k, v in ms.items()}
    sem = {k: v[1] for k, v in ms.items()}
    tests = {L: mean[f"test_{L}"] for L in p.L_test}
    tr = transition_points(p.alphas, mean["feature"], mean["train"], tests)
    tr09 = transition_points(p.alphas, mean["feature"], mean["train"], tests, level=0.9, generalization="first")
    tr_samples = [
        transition_points(p.alphas, m["feature"][:, s], m["train"][:, s], {L: m[f"test_{L}"][:, s] for L in p.L_test})
        for s in range(p.n_samples)
    ]
    # per-network readings at m = 0.9 (first crossing), for the error bars of the transitions
    per = {
        "learning": sample_crossings(p.alphas, m["feature"].T, 0.9, "up"),
        "storage": sample_crossings(p.alphas, m["train"].T, 0.9, "down"),
    }
    for L in p.L_test:
        per[f"gen_{L}"] = sample_crossings(p.alphas, m[f"test_{L}"].T, 0.9, "up")
    th = {"learning": _spinodal_alpha(1, p.alpha_D, lines)}
    for L in p.L_test:
        th[f"spinodal_{L}"] = _spinodal_alpha(L, p.alpha_D, lines)
    st = rf.storage_transition([p.alpha_D])
    th["storage"] = float(st.alpha_c[0]) if st.converged[0] else float("nan")
    a_line = np.geomspace(max(min(p.alphas), 0.01), max(p.alphas), 80)
    th_lines = {n: _theory_overlap(n, p.alpha_D, a_line) for n in [1] + list(p.L_test)}
    return dict(
        alpha=np.array(p.alphas, float),
        keys=keys,
        m=m,
        mean=mean,
        sem=sem,
        tr=tr,
        tr09=tr09,
        tr_samples=tr_samples,
        per_sample_09=per,
        theory_alpha=th,
        alpha_line=a_line,
        theory_lines=th_lines,
        not_converged=int(np.nansum(g["n_not_converged"])),
    )


def _finite_size(p, th_alpha):
    L0 = p.L_test[0]
    fam = {"sparse": p.L_train, "dense": None}
    Ns = [int(n) for n in p.fs_Ns]
    alphas = [float(a) for a in p.fs_alphas]
    grids = [
        sweep_grid(
            rf_magnetizations,
            {"N": Ns, "alpha": alphas},
            p.fs_n_samples,
            p.seed,
            desc=f"finite size ({c})",
            fixed=dict(
                alpha_D=p.alpha_D,
                coefficients=c,
                L=Lc,
                L_test=[L0],
                mixtures=[L0],
                n_test=p.fs_n_test,
                max_sweeps=p.fs_max_sweeps,
            ),
        )
        for c, Lc in fam.items()
    ]
    arr = {
        k: np.stack([g[src] for g in grids])
        for k, src in (
            ("m_test", f"test_{L0}"),
            ("m_mixture", f"mixture_{L0}"),
            ("sweeps", "sweeps"),
            ("not_converged", "n_not_converged"),
            ("m_test_starts", f"m_test_{L0}"),
            ("m_mixture_starts", f"m_mixture_{L0}"),
        )
    }  # (family, N, alpha, samples[, starts])
    mt, st_ = mean_sem(arr["m_test"], axis=-1)
    mm, sm = mean_sem(arr["m_mixture"], axis=-1)
    spin0 = th_alpha[f"spinodal_{L0}"]
    rows = []
    for j, c in enumerate(fam):
        for i, N_ in enumerate(Ns):
            row = {"training": c, "N": N_, "D": _D(N_, p.alpha_D)}
            for lev in (0.5, 0.9):
                row[f"alpha(m={lev})"] = first_crossing(
                    p.fs_alphas, mt[j, i], lev, "up"
                )  # the grid starts below the jump
            row[f"m(alpha={p.fs_alphas[0]:g})"] = float(mt[j, i, 0])
            row["m at spinodal"] = (
                float(np.interp(np.log(spin0), np.log(p.fs_alphas), mt[j, i])) if np.isfinite(spin0) else np.nan
            )
            row["max diff test vs mixture"] = float(np.max(np.abs(mt[j, i] - mm[j, i])))
            row["median sweeps"] = float(np.median(arr["sweeps"][j, i]))
            row["max sweeps"] = int(np.max(arr["sweeps"][j, i]))
            row["not converged"] = int(np.sum(arr["not_converged"][j, i]))
            rows.append(row)
    per09 = {
        (c, N_): sample_crossings(p.fs_alphas, arr["m_test"][j, i].T, 0.9, "up")
        for j, c in enumerate(fam)
        for i, N_ in enumerate(Ns)
    }
    a_fine = np.geomspace(min(p.fs_alphas), max(p.fs_alphas), 60)
    return dict(
        family=list(fam),
        N=Ns,
        alpha=np.array(alphas),
        L0=L0,
        spinodal=spin0,
        rows=rows,
        mean_test=mt,
        sem_test=st_,
        mean_mixture=mm,
        sem_mixture=sm,
        per_sample_09=per09,
        theory=_theory_overlap(L0, p.alpha_D, a_fine),
        **arr,
    )


FSS_LEVEL = 0.9  # the transitions of the finite-size scaling are read where a network's curve reaches m = 0.9
MIN_EXTRAP_SIZES = 4  # a straight line in N^-1/2 (two parameters) is extrapolated only through four sizes or more


def _wlinfit(x, y, sem):
    """Weighted straight line y = a + b x (weights 1/sem^2); the covariance from the sems, scaled up by
    chi^2/dof when the scatter exceeds them. Returns (a, err_a, b, err_b), nan below three points."""
    x, y, sem = (np.asarray(v, float) for v in (x, y, sem))
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(sem) & (sem > 0)
    if ok.sum() < 3:
        return (float("nan"),) * 4
    x, y, w = x[ok], y[ok], 1.0 / sem[ok] ** 2
    A = np.stack([np.ones_like(x), x], axis=1)
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    a, b = cov @ (A.T @ (w * y))
    chi2 = float(np.sum(w * (y - a - b * x) ** 2))
    cov = cov * max(1.0, chi2 / (len(x) - 2))
    return float(a), float(np.sqrt(cov[0, 0])), float(b), float(np.sqrt(cov[1, 1]))


def _extrapolated(ex):
    """Is the straight line in N^-1/2 of ``_fss`` (its ``extrapolation`` dict) usable: through at least
    MIN_EXTRAP_SIZES sizes, with a finite error of its intercept?"""
    return bool(ex["sizes"] >= MIN_EXTRAP_SIZES and np.isfinite(ex["intercept_err"]))


def _fss(p, lines):
    """Finite-size scaling of the generalization transitions: for every L of fss_Ls, sparse L_train
    training at fixed fss_alpha_D, the loads fss_ratios times the spinodal of the L-mixture, the sizes
    fss_Ns; every test start's overlap and sweep count (``rf_test_runs``)."""
    Ns = [int(n) for n in p.fss_Ns]
    aD = float(p.fss_alpha_D)
    ratios = np.array(p.fss_ratios, float)
    x = np.array(Ns, float) ** -0.5
    out = {"N": Ns, "alpha_D": aD, "D": [_D(n, aD) for n in Ns], "ratios": ratios, "L": [int(L) for L in p.fss_Ls]}
    per = {}
    for L in out["L"]:
        sp = _spinodal_alpha(L, aD, lines)
        if not np.isfinite(sp):
            validation.fail("fss_Ls", p.fss_Ls, f"L whose spinodal exists at fss_alpha_D = {aD:g} (none for L = {L})")
        alphas = [round(float(r * sp), 5) for r in ratios]
        g = sweep_grid(
            rf_test_runs,
            {"N": Ns, "alpha": alphas},
            p.fss_n_samples,
            p.seed,
            desc=f"finite-size scaling (L={L})",
            fixed=dict(
                alpha_D=aD,
                coefficients="sparse",
                L=p.L_train,
                L_test=[L],
                n_test=p.fss_n_test,
                max_sweeps=p.fs_max_sweeps,
            ),
        )
        m = g[f"test_{L}"]  # (N, alpha, samples): mean over the network's test starts
        m_starts = g[f"m_test_{L}"]  # (N, alpha, samples, starts)
        sw = g[f"sweeps_test_{L}"].astype(float)
        conv = g[f"converged_test_{L}"].astype(bool)
        d = dict(alpha=np.array(alphas), spinodal=sp, m=m, m_starts=m_starts, sweeps=sw, converged=conv)
        d["mean_m"], d["sem_m"] = mean_sem(m, axis=-1)
        rd = [sample_crossings(alphas, m[i].T, FSS_LEVEL, "up") for i in range(len(Ns))]
        d["reading_values"] = np.array([r_["values"] for r_ in rd])  # (N, samples)
        d["reading"] = np.array([r_["mean"] for r_ in rd])
        d["reading_sem"] = np.array([r_["sem"] for r_ in rd])
        d["reading_n"] = np.array([r_["n"] for r_ in rd])
        d["reading_mean_curve"] = np.array([first_crossing(alphas, d["mean_m"][i], FSS_LEVEL, "up") for i in range(len(Ns))])
        d["tolerance"] = np.array([_tol(alphas, a_, s_) for a_, s_ in zip(d["reading"], d["reading_sem"])])
        # time scale: sweeps of every run (samples x starts) per load, and at the two loads that bracket
        # the reading (the runs nearest the transition)
        runs = sw.reshape(len(Ns), len(alphas), -1)
        d["sweeps_mean"], d["sweeps_sem"] = mean_sem(runs, axis=-1)
        d["sweeps_max"] = runs.max(axis=-1)
        near_mean, near_sem, near_max = [], [], []
        for i in range(len(Ns)):
            a_ = d["reading"][i]
            k = int(np.clip(np.searchsorted(alphas, a_), 1, len(alphas) - 1)) if np.isfinite(a_) else 1
            v = runs[i, k - 1 : k + 1].ravel()
            v_mean, v_sem = mean_sem(v)
            near_mean.append(v_mean)
            near_sem.append(v_sem)
            near_max.append(int(v.max()))
        d["sweeps_near_mean"] = np.array(near_mean)
        d["sweeps_near_sem"] = np.array(near_sem)
        d["sweeps_near_max"] = np.array(near_max, int)
        d["not_converged"] = int((~conv).sum())
        d["runs"] = int(conv.size)
        a0, e0, b0, eb = _wlinfit(x, d["reading"], d["reading_sem"])
        d["extrapolation"] = {"variable": "N^-1/2", "intercept": a0, "intercept_err": e0, "slope": b0, "slope_err": eb,
                              "sizes": int(np.isfinite(d["reading"]).sum())}
        d["L_over_D"] = np.array([L / _D(n, aD) for n in Ns])
        per[L] = d
    out["per_L"] = per
    out["not_converged"] = int(sum(d["not_converged"] for d in per.values()))
    out["runs"] = int(sum(d["runs"] for d in per.values()))
    return out


def _fig2a(p, lines):
    Ls = [int(L) for L in p.scan_Ls]
    aDs = [float(a) for a in p.scan_alpha_Ds]
    alphas = [float(a) for a in p.scan_alphas]
    grids = [
        sweep_grid(
            rf_magnetizations,
            {"alpha_D": aDs, "alpha": alphas},
            p.n_samples_scan,
            p.seed,
            desc=f"Fig. 2a (L={L})",
            fixed=dict(N=p.N_scan, coefficients="sparse", L=L, L_test=[L], n_test=p.n_test, max_sweeps=p.max_sweeps),
        )
        for L in Ls
    ]
    m_test = np.stack([g[f"test_{L}"] for g, L in zip(grids, Ls)])  # (L, alpha_D, alpha, samples)
    m_feat = np.stack([g["feature"] for g in grids])
    readings = {"gen": (m_test, 0.5, "last"), "gen09": (m_test, 0.9, "first"), "learn": (m_feat, 0.5, "first")}
    out = {}
    for name, (m, level, which) in readings.items():
        a = np.full((len(Ls), len(aDs), 2), np.nan)  # mean, sem of the per-network readings
        n = np.zeros((len(Ls), len(aDs)), int)
        for i in range(len(Ls)):
            for j in range(len(aDs)):
                r = sample_crossings(p.scan_alphas, m[i, j].T, level, "up", which=which)
                a[i, j] = r["mean"], r["sem"]
                n[i, j] = r["n"]
        out[name], out[f"{name}_n"] = a, n
    spin = np.array([[_spinodal_alpha(L, aD, lines) for aD in aDs] for L in Ls])
    return dict(
        L=Ls,
        alpha_D=np.array(aDs),
        alpha=np.array(alphas),
        m_test=m_test,
        m_feature=m_feat,
        spinodal=spin,
        lines={n: _spinodal_line(n, lines) for n in [1] + Ls},
        **out,
    )


def _fig2b(p):
    fams = list(p.lmax_coefficients)
    aDs = [float(a) for a in p.lmax_alpha_Ds]
    Ls = [int(L) for L in p.lmax_Ls]
    alphas = [float(a) for a in p.lmax_alphas]
    m_net = np.full((len(fams), len(aDs), len(Ls), len(alphas), p.n_samples_scan), np.nan)  # per network
    for f, c in enumerate(fams):
        for k, L in enumerate(Ls):
            fit_in = [aD for aD in aDs if L <= _D(p.N_scan, aD)]
            if not fit_in:
                continue
            g = sweep_grid(
                rf_magnetizations,
                {"alpha_D": aDs, "alpha": alphas},
                p.n_samples_scan,
                p.seed,
                desc=f"Fig. 2b ({c}, L={L})",
                progress=False,
                where=lambda pt, L=L: L <= _D(p.N_scan, pt["alpha_D"]),
                fixed=dict(
                    N=p.N_scan,
                    coefficients=c,
                    L=L if c == "sparse" else None,
                    n_test=p.n_test,
                    max_sweeps=p.max_sweeps,
                    L_test=[L],
                ),
            )
            m_net[f, :, k, :, :] = g[f"test_{L}"]
    m = m_net.mean(axis=-1)  # mean over networks of the test overlap
    best = m.max(axis=-1)  # (family, alpha_D, L); nan where L > D
    lmax = np.zeros((len(fams), len(aDs)), int)
    nxt = np.full((len(fams), len(aDs)), np.nan)  # next candidate above L_max (not retrieved)
    cens = np.zeros((len(fams), len(aDs)), bool)
    for f in range(len(fams)):
        lmax[f], cens[f], nxt[f] = _read_lmax(best[f], aDs, Ls, p.N_scan, p.m_threshold)
    a_top = max(p.lmax_alphas)
    aD_arr = np.array(aDs)
    fits, fits5, pred, boot = {}, {}, {}, {}
    for f, c in enumerate(fams):
        fits[c] = _lmax_fit(aD_arr, lmax[f], cens[f])
        fits5[c] = fits[c] if fits[c]["points"] >= MIN_FIT_POINTS else None
        pred[c] = np.array([rf_snr.snr_largest_odd_mixture(a_top, aD, c) for aD in aDs])
        boot[c] = _lmax_bootstrap(p, m_net[f], aD_arr, Ls, lmax[f], cens[f], nxt[f], seed=p.seed + f)
    aD_fine = np.geomspace(aD_arr.min() / 1.5, aD_arr.max() * 1.5, 60)
    snr_fit = power_law_fit(aD_fine, rf_snr.snr_max_mixture_continuous(a_top, aD_fine, rf_snr.KAPPA1_SQ))
    return dict(
        family=fams,
        alpha_D=aD_arr,
        L=Ls,
        alpha=np.array(alphas),
        m=m,
        m_net=m_net,
        m_best=best,
        L_max=lmax,
        bootstrap=boot,
        next_candidate=nxt,
        lower_bound=cens,
        fits=fits,
        fits5=fits5,
        snr_L_max=pred,
        snr_fit=snr_fit,
        snr_exponent_local=rf_snr.snr_exponent(a_top, aD_arr, rf_snr.KAPPA1_SQ),
        alpha_D_fine=aD_fine,
        a_top=a_top,
    )


MIN_FIT_POINTS = 5  # a power law is fitted to L_max only through at least five uncensored points
N_BOOT = 400  # bootstrap replicas of the L_max exponents (networks resampled; positions inside the L brackets)


def _read_lmax(best, aDs, Ls, N, level):
    """L_max per alpha_D from the best mean overlap ``best`` (alpha_D, L): the largest candidate L <= D
    retrieved at ``level``, whether it is censored (every candidate up to D retrieved) and the next
    candidate above it (not retrieved; nan if none)."""
    lmax = np.zeros(len(aDs), int)
    cens = np.zeros(len(aDs), bool)
    nxt = np.full(len(aDs), np.nan)
    for j, aD in enumerate(aDs):
        cand = [L for L in Ls if L <= _D(N, aD)]
        v = largest_retrieved(cand, [best[j, Ls.index(L)] for L in cand], level)
        lmax[j], cens[j] = v, v == cand[-1]
        above = [L for L in cand if L > v]
        nxt[j] = above[0] if above else np.nan
    return lmax, cens, nxt


def _lmax_fit(aD, lmax, cens):
    """Least-squares power law L_max(alpha_D) through the uncensored L_max > 0 (``power_law_fit``)."""
    ok = (np.asarray(lmax) > 0) & ~np.asarray(cens)
    return power_law_fit(np.asarray(aD)[ok], np.asarray(lmax, float)[ok])


def _exponent(aD, lmax, cens):
    """Exponent of :func:`_lmax_fit`, nan below MIN_FIT_POINTS."""
    fit = _lmax_fit(aD, lmax, cens)
    return float(fit["exponent"]) if fit["points"] >= MIN_FIT_POINTS else float("nan")


def _lmax_bootstrap(p, m_net, aD, Ls, lmax, cens, nxt, seed):
    """Bootstrap error of the L_max exponent of one training family, from two independent sources.

    Networks: the networks of every (alpha_D, L) point are resampled with replacement
    (``hopcore.analysis.bootstrap`` over the sample axis of ``m_net``, shape (alpha_D, L, alpha,
    samples)), L_max is read again from the resampled means and the power law refitted; replicas with
    fewer than MIN_FIT_POINTS uncensored points are left out. Grid: the true L_max lies between the
    retrieved L_max and the next (odd) candidate, which is not retrieved; each replica draws it
    uniformly in that bracket and refits. The two errors are added in quadrature."""
    Ls = list(Ls)

    def stat(x):
        lm, ce, _ = _read_lmax(np.nanmax(np.nanmean(x, axis=-1), axis=-1), aD, Ls, p.N_scan, p.m_threshold)
        return _exponent(aD, lm, ce)

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-nan slices where L > D
        _, err_net = bootstrap(stat, m_net, n_boot=N_BOOT, seed=seed, axis=-1)
    ok = (lmax > 0) & ~cens & np.isfinite(nxt)
    rng = np.random.default_rng(seed + 1_000_003)
    reps = []
    if ok.sum() >= MIN_FIT_POINTS:
        for _ in range(N_BOOT):
            u = rng.uniform(lmax[ok], nxt[ok])
            reps.append(power_law_fit(aD[ok], u)["exponent"])
    reps = np.array(reps, float)
    err_grid = float(reps.std(ddof=1)) if reps.size > 1 else float("nan")
    return {
        "n_boot": N_BOOT,
        "exponent_err_networks": float(err_net),
        "exponent_err_grid": err_grid,
        "exponent_grid_median": float(np.median(reps)) if reps.size else float("nan"),
        "exponent_err": float(np.hypot(err_net, err_grid)) if np.isfinite([err_net, err_grid]).all() else float("nan"),
    }


# ---------------------------------------------------------------------------------------- compute


def compute(p) -> Result:
    timings, lines = {}, {}
    t_start = time.perf_counter()
    t0 = time.perf_counter()
    f1 = _fig1(p, lines)
    timings["fig1_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fs = _finite_size(p, f1["theory_alpha"])
    timings["finite_size_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fss = _fss(p, lines)
    timings["fss_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    f2a = _fig2a(p, lines)
    timings["fig2a_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    f2b = _fig2b(p)
    timings["fig2b_s"] = time.perf_counter() - t0
    r = Result(params=dict(p), fig1=f1, fs=fs, fig2a=f2a, fig2b=f2b, fss=fss, timings=timings)
    r.summary = _summary(p, r)
    r.claims = _claims(p, r)
    r.figure_data = _figure_data(p, r)
    timings["total_s"] = time.perf_counter() - t_start
    r.glue = _glue(p, r)
    return r


# ---------------------------------------------------------------------------------------- summary


def _summary(p, r):
    f1, fs, a, b = r.fig1, r.fs, r.fig2a, r.fig2b
    tl = {L: f"test_{L}" for L in p.L_test}
    out = {
        "magnetizations": {
            "alpha": p.alphas,
            "feature": f1["mean"]["feature"],
            "train": f1["mean"]["train"],
            "test": {str(L): f1["mean"][k] for L, k in tl.items()},
        },
        "magnetizations_sem": {
            "feature": f1["sem"]["feature"],
            "train": f1["sem"]["train"],
            "test": {str(L): f1["sem"][k] for L, k in tl.items()},
        },
        "transitions": f1["tr"],
        "transitions_m09": f1["tr09"],
        "transitions_per_sample": f1["tr_samples"],
        "theory_alpha": f1["theory_alpha"],
        "fig1_runs_not_converged": f1["not_converged"],
        "finite_size": {
            "L_test": fs["L0"],
            "alpha": p.fs_alphas,
            "spinodal": fs["spinodal"],
            "rows": fs["rows"],
            "m_test": {
                f"{c}_{N_}": fs["mean_test"][j, i] for j, c in enumerate(fs["family"]) for i, N_ in enumerate(fs["N"])
            },
            "m_mixture": {
                f"{c}_{N_}": fs["mean_mixture"][j, i]
                for j, c in enumerate(fs["family"])
                for i, N_ in enumerate(fs["N"])
            },
        },
    }
    ratio09 = a["gen09"][..., 0] / a["spinodal"]
    out["fig2a"] = {
        "L": p.scan_Ls,
        "alpha_D": p.scan_alpha_Ds,
        "generalization_alpha": a["gen"][..., 0],
        "generalization_sem": a["gen"][..., 1],
        "generalization_alpha_m09": a["gen09"][..., 0],
        "generalization_sem_m09": a["gen09"][..., 1],
        "learning_alpha": a["learn"][..., 0],
        "learning_sem": a["learn"][..., 1],
        "spinodal_alpha": {str(L): list(a["spinodal"][i]) for i, L in enumerate(p.scan_Ls)},
        "ratio_m09_over_spinodal": ratio09,
    }
    fams = b["family"]
    out["fig2b"] = {
        "alpha_D": p.lmax_alpha_Ds,
        "L_max": {c: b["L_max"][f] for f, c in enumerate(fams)},
        "lower_bound": {c: b["lower_bound"][f] for f, c in enumerate(fams)},
        "fits": b["fits"],
        "snr_prediction_L_max": b["snr_L_max"],
        "snr_exponent_fit": b["snr_fit"]["exponent"],
        "snr_exponent_local": b["snr_exponent_local"],
    }
    out["lmax"] = {
        c: {
            "alpha_D": p.lmax_alpha_Ds,
            "L_max": b["L_max"][f],
            "exponent": None if b["fits5"][c] is None else b["fits5"][c]["exponent"],
            "exponent_err": None if b["fits5"][c] is None else _none_nan(b["bootstrap"][c]["exponent_err"]),
            "exponent_err_fit": None if b["fits5"][c] is None else b["fits5"][c]["stderr"],
            "next_candidate": b["next_candidate"][f],
            "bootstrap": b["bootstrap"][c],
        }
        for f, c in enumerate(fams)
    }
    z = r.fss
    out["finite_size_scaling"] = {
        "alpha_D": z["alpha_D"],
        "level": FSS_LEVEL,
        "N": z["N"],
        "D": z["D"],
        "ratios": z["ratios"],
        "runs": z["runs"],
        "not_converged": z["not_converged"],
        "max_sweeps": p.fs_max_sweeps,
        "per_L": {
            str(L): {
                "spinodal": d["spinodal"],
                "alpha": d["alpha"],
                "mean_m": d["mean_m"],
                "sem_m": d["sem_m"],
                "reading_mean": d["reading"],
                "reading_sem": d["reading_sem"],
                "reading_n": d["reading_n"],
                "reading_values": d["reading_values"],
                "reading_mean_curve": d["reading_mean_curve"],
                "tolerance": d["tolerance"],
                "L_over_D": d["L_over_D"],
                "extrapolation": d["extrapolation"],
                "sweeps_mean": d["sweeps_mean"],
                "sweeps_max": d["sweeps_max"],
                "sweeps_near_transition_mean": d["sweeps_near_mean"],
                "sweeps_near_transition_sem": d["sweeps_near_sem"],
                "sweeps_near_transition_max": d["sweeps_near_max"],
                "not_converged": d["not_converged"],
                "runs": d["runs"],
            }
            for L, d in z["per_L"].items()
        },
    }
    return out


def _none_nan(v):
    return None if v is None or not np.isfinite(v) else float(v)


def _figure_data(p, r):
    f1, fs, a, b = r.fig1, r.fs, r.fig2a, r.fig2b
    d1 = dict(
        alpha=p.alphas,
        **{f"m_{k}": f1["m"][k] for k in f1["keys"]},
        **{f"theory_{k}": v for k, v in f1["theory_alpha"].items()},
        alpha_theory_line=f1["alpha_line"],
        **{f"theory_overlap_n{n}": v[1] for n, v in f1["theory_lines"].items()},
    )
    dfs = dict(
        alpha=p.fs_alphas,
        Ns=p.fs_Ns,
        alpha_theory=fs["theory"][0],
        m_theory=fs["theory"][1],
        **{f"m_test_{c}_{N_}": fs["m_test"][j, i] for j, c in enumerate(fs["family"]) for i, N_ in enumerate(fs["N"])},
        **{
            f"m_mixture_{c}_{N_}": fs["m_mixture"][j, i]
            for j, c in enumerate(fs["family"])
            for i, N_ in enumerate(fs["N"])
        },
    )
    d2a = dict(
        L=p.scan_Ls,
        alpha_D=p.scan_alpha_Ds,
        alphas=p.scan_alphas,
        generalization=a["gen"],
        generalization_m09=a["gen09"],
        learning=a["learn"],
        alpha_theory=ALPHA_TH,
        **{f"spinodal_{L}": a["lines"][L].alpha_D_c for L in a["L"]},
        learning_line=a["lines"][1].alpha_D_c,
    )
    d2b = dict(
        alpha_D=b["alpha_D"],
        L=b["L"],
        m_best=b["m_best"],
        **{f"L_max_{c}": b["L_max"][f] for f, c in enumerate(b["family"])},
        **{f"lower_bound_{c}": b["lower_bound"][f] for f, c in enumerate(b["family"])},
        **{f"snr_L_max_{c}": v for c, v in b["snr_L_max"].items()},
    )
    z = r.fss
    dfss = dict(N=z["N"], D=z["D"], ratios=z["ratios"])
    for L, d in z["per_L"].items():
        dfss.update({
            f"alpha_L{L}": d["alpha"],
            f"spinodal_L{L}": d["spinodal"],
            f"m_L{L}": d["m"],
            f"reading_L{L}": d["reading"],
            f"reading_sem_L{L}": d["reading_sem"],
            f"reading_values_L{L}": d["reading_values"],
            f"sweeps_L{L}": d["sweeps"],
        })
    return {"fig-rfgen-fig1": d1, "fig-rfgen-fs": dfs, "fig-rfgen-fig2a": d2a, "fig-rfgen-fig2b": d2b,
            "fig-rfgen-fss": dfss, "fig-rfgen-fss-sweeps": dfss}


# ----------------------------------------------------------------------------------------- claims


def _claims(p, r):
    f1 = r.fig1
    x1 = p.alphas
    tr, tr09, th, per = f1["tr"], f1["tr09"], f1["theory_alpha"], f1["per_sample_09"]
    C = {}

    # order of the transitions of Fig. 1, read where the curves cross m = 0.9 (robust against the
    # scatter of the feature curve below the learning transition, which hovers around m = 1/2)
    st, le, re = _g(tr09["storage"]), _g(tr09["learning"]), _g(tr09["reentrance"])
    ok = bool(np.isfinite([st, le, re]).all() and st < le < re)
    C["learning_first"] = claim(
        ok,
        f"the training examples lose stability first (their m falls below 0.9 at α ≈ {st:.4f}), the features are "
        f"learned next (m reaches 0.9 at α ≈ {le:.3f}), and the training examples become stable again last "
        f"(α ≈ {re:.3f})",
        otherwise=f"in this run the three transitions, read at m = 0.9, do not come in that order (loss of stability "
        f"of the training examples at α ≈ {st:.4f}, learning of the features at α ≈ {le:.3f}, return of the "
        f"training examples at α ≈ {re:.3f}; nan: no crossing in the window of loads)",
        alpha_storage_m09=st,
        alpha_learning_m09=le,
        alpha_reentrance_m09=re,
    )

    sem_le = per["learning"]["sem"]
    tol = _tol(x1, le, sem_le)
    ok = bool(np.isfinite(le) and np.isfinite(th["learning"]) and abs(le - th["learning"]) <= tol)
    C["learning_theory"] = claim(
        ok,
        f"the features reach m = 0.9 at α ≈ {le:.3f}, where the dense theory puts the learning transition "
        f"(α = {th['learning']:.3f}), within the resolution of the grid of loads and two standard errors "
        f"(± {tol:.3f})",
        otherwise=f"the features reach m = 0.9 at α ≈ {le:.3f}, away from the learning transition of the dense theory "
        f"(α = {th['learning']:.3f}) by more than the resolution of the grid of loads and two standard errors "
        f"(± {tol:.3f})",
        alpha_learning_m09=le,
        sem=sem_le,
        alpha_learning_theory=th["learning"],
        tolerance=tol,
        tolerance_from="grid interval holding the reading, and 2 sem of the per-network readings, in quadrature",
    )

    L0 = p.L_test[0]
    g0 = _g(tr09["generalization"][str(L0)])
    tol = float(np.hypot(_bracket(x1, re), _tol(x1, g0, per[f"gen_{L0}"]["sem"])))
    ok = bool(np.isfinite([re, g0]).all() and abs(re - g0) <= tol)
    C["reentrance_with_test"] = claim(
        ok,
        f"the training examples come back (α ≈ {re:.3f}) together with the test examples with {L0} features "
        f"(α ≈ {g0:.3f}), within the resolution of the grid of loads (± {tol:.3f})",
        otherwise=f"the training examples come back at α ≈ {re:.3f} and the test examples with {L0} features reach "
        f"m = 0.9 at α ≈ {g0:.3f}: further apart than the resolution of the grid of loads (± {tol:.3f})",
        alpha_reentrance_m09=re,
        alpha_generalization_m09=g0,
        tolerance=tol,
    )

    gen09 = np.array([_g(tr09["generalization"][str(L)]) for L in p.L_test])
    ok = bool(np.isfinite(gen09).all() and np.all(np.diff(gen09) > 0))
    C["gen_order"] = claim(
        ok,
        f"the test curves switch on in the order of L_test (m = 0.9 at α ≈ {_fmt_list(gen09)} for "
        f"L_test = {', '.join(map(str, p.L_test))})",
        otherwise=f"the test curves do not switch on in the order of L_test in this run (m = 0.9 at "
        f"α ≈ {_fmt_list(gen09)} for L_test = {', '.join(map(str, p.L_test))}; nan: no crossing)",
        L_test=list(p.L_test),
        alpha_generalization_m09=gen09,
    )

    spin = np.array([th[f"spinodal_{L}"] for L in p.L_test])
    tols = np.array([_tol(x1, g, per[f"gen_{L}"]["sem"]) for g, L in zip(gen09, p.L_test)])
    agree = np.isfinite(gen09) & np.isfinite(spin) & (np.abs(gen09 - spin) <= tols)
    where = ["before" if g < s else "beyond" for g, s in zip(gen09, spin)]
    detail = "; ".join(
        f"L_test = {L}: {g:.3f} against {s:.3f} (± {t:.3f}{'' if ok_ else ', ' + w})"
        for L, g, s, t, ok_, w in zip(p.L_test, gen09, spin, tols, agree, where)
    )
    C["gen_at_spinodals"] = claim(
        bool(agree.all()),
        f"read at m = 0.9, every test curve jumps at the spinodal of its mixture within the "
        f"resolution of the grid and two standard errors ({detail})",
        otherwise=f"read at m = 0.9, the test curves do not all jump at the spinodals of their mixtures: {detail} "
        f"(the spinodal is an N → ∞ statement of the dense theory; a curve that misses it is listed with "
        f"the side on which it jumps)",
        finding=False,
        L_test=list(p.L_test),
        alpha_generalization_m09=gen09,
        spinodal=spin,
        tolerance=tols,
        agrees=agree,
    )

    gen05 = np.array([_g(tr["generalization"][str(L)]) for L in p.L_test])
    fin = np.isfinite(gen05) & np.isfinite(spin)
    ok = bool(fin.any() and np.all(gen05[fin] < spin[fin]))
    C["m05_before_spinodal"] = claim(
        ok,
        f"read at m = 1/2, every simulated transition comes before its spinodal ({_fmt_list(gen05)} against "
        f"{_fmt_list(spin)})",
        otherwise=f"read at m = 1/2, not every simulated transition comes before its spinodal in this run "
        f"({_fmt_list(gen05)} against {_fmt_list(spin)}; nan: no crossing)",
        finding=False,
        alpha_generalization_m05=gen05,
        spinodal=spin,
    )

    C.update(_claims_fs(p, r))
    C.update(_claims_fss(p, r))
    C.update(_claims_fig2(p, r))
    return C


def _claims_fss(p, r):
    z = r.fss
    Ns = z["N"]
    n0, n1 = Ns[0], Ns[-1]
    C = {}
    tr_ok, tr_parts, cl_ok, cl_parts, ev_tr, ev_cl, gr_ok, gr_parts = [], [], [], [], {}, {}, [], []
    for L, d in z["per_L"].items():
        a, se, sp, tol = d["reading"], np.nan_to_num(d["reading_sem"]), d["spinodal"], d["tolerance"]
        dist = np.abs(a - sp)
        gain = float(dist[0] - dist[-1])
        tol_tr = 2 * float(np.hypot(se[0], se[-1]))
        ok = bool(len(Ns) > 1 and np.isfinite(gain) and gain > tol_tr)
        seq = ", ".join(f"{v:.3f} ± {e:.3f}" for v, e in zip(a, d["reading_sem"]))
        verdict = "approaches it" if ok else "no approach beyond the errors"
        tr_ok.append(ok)
        tr_parts.append(f"L = {L}: {seq} against the spinodal {sp:.3f}, distance shrinking by {gain:.3f} "
                        f"(two standard errors {tol_tr:.3f}): {verdict}")
        ev_tr[str(L)] = {"reading": a, "reading_sem": d["reading_sem"], "spinodal": sp, "distance_gain": gain,
                         "tolerance": tol_tr, "approaches": ok}
        ok = bool(np.isfinite(a[-1]) and dist[-1] <= tol[-1])
        cl_ok.append(ok)
        cl_parts.append(f"L = {L}: {a[-1]:.3f} against {sp:.3f}, off by {dist[-1]:.3f} with tolerance "
                        f"{tol[-1]:.3f} ({'within' if ok else 'outside'})")
        ev_cl[str(L)] = {"reading": a[-1], "spinodal": sp, "distance": dist[-1], "tolerance": tol[-1], "within": ok}
        rise = float(a[-1] - a[0])
        gr_ok.append(bool(len(Ns) > 1 and np.isfinite(rise) and rise > tol_tr))
        gr_parts.append(f"L = {L}: {a[0]:.3f} → {a[-1]:.3f} (rise {rise:+.3f}, two standard errors {tol_tr:.3f})")
    Nl = ", ".join(map(str, Ns))
    C["fss_trend"] = claim(
        all(tr_ok),
        f"for every L the reading moves towards its spinodal as N grows from {n0} to {n1} by more than two "
        f"standard errors (readings at N = {Nl}; {'; '.join(tr_parts)})",
        otherwise=f"not every reading moves towards its spinodal as N grows from {n0} to {n1} by more than two "
        f"standard errors (readings at N = {Nl}; {'; '.join(tr_parts)})",
        finding=False,
        N=Ns,
        tolerance_from="2 sem of the per-network readings at the smallest and largest N, in quadrature",
        **{f"L{k}": v for k, v in ev_tr.items()},
    )
    C["fss_close"] = claim(
        all(cl_ok),
        f"at N = {n1} every reading is within the grid interval and two standard errors of its spinodal "
        f"({'; '.join(cl_parts)})",
        otherwise=f"at N = {n1} not every reading is within the grid interval and two standard errors of its "
        f"spinodal ({'; '.join(cl_parts)})",
        finding=False,
        N=n1,
        tolerance_from="grid interval holding the reading, and 2 sem of the per-network readings, in quadrature",
        **{f"L{k}": v for k, v in ev_cl.items()},
    )

    ex_ok, ex_parts, ev_ex, n_ex = [], [], {}, 0
    for L, d in z["per_L"].items():
        ex = d["extrapolation"]
        usable = _extrapolated(ex)
        n_ex += usable
        zz = abs(ex["intercept"] - d["spinodal"]) / ex["intercept_err"] if usable else float("nan")
        ex_ok.append(bool(usable and zz <= 2))
        ex_parts.append(
            f"L = {L}: {ex['intercept']:.3f} ± {ex['intercept_err']:.3f} against {d['spinodal']:.3f} ({zz:.1f} errors)"
            if usable
            else f"L = {L}: not extrapolated ({ex['sizes']} sizes)"
        )
        ev_ex[f"L{L}"] = {**ex, "spinodal": d["spinodal"], "z": zz}
    C["fss_grow"] = claim(
        all(gr_ok),
        f"for every L the reading rises with N, from N = {n0} to {n1} by more than two standard errors "
        f"({'; '.join(gr_parts)})",
        otherwise=f"not every reading rises with N by more than two standard errors from N = {n0} to {n1} "
        f"({'; '.join(gr_parts)})",
        finding=False,
        N=Ns,
    )
    C["fss_extrapolation"] = claim(
        all(ex_ok),
        f"straight lines in N^-1/2 through the readings extrapolate to the spinodals within two errors "
        f"({'; '.join(ex_parts)})",
        otherwise=(
            f"straight lines in N^-1/2 through the readings do not all extrapolate to the spinodals within two "
            f"errors ({'; '.join(ex_parts)})"
            if n_ex
            else f"no extrapolation is made: it needs at least {MIN_EXTRAP_SIZES} sizes ({len(Ns)} here)"
        ),
        finding=False,
        min_sizes=MIN_EXTRAP_SIZES,
        **ev_ex,
    )

    # Fig. 1 read its transitions on the mean curve of a coarse geometric grid: compare at its N
    f1 = r.fig1
    if p.N in Ns and abs(p.alpha_D - z["alpha_D"]) < 1e-12:
        i = Ns.index(p.N)
        rows_, oks_, ev_ = [], [], {}
        for L, d in z["per_L"].items():
            if str(L) not in f1["tr09"]["generalization"]:
                continue  # not a test curve of Fig. 1
            g1 = _g(f1["tr09"]["generalization"][str(L)])
            fine = d["reading_mean_curve"][i]
            tol_ = float(np.hypot(_bracket(p.alphas, g1), _bracket(d["alpha"], fine)))
            ok_ = bool(np.isfinite([g1, fine]).all() and abs(g1 - fine) <= tol_)
            oks_.append(ok_)
            rows_.append(f"L = {L}: {g1:.3f} in Fig. 1, {fine:.3f} here (grid intervals {tol_:.3f}; "
                         f"{'agree' if ok_ else 'differ'})")
            ev_[f"L{L}"] = {"fig1": g1, "fine": fine, "tolerance": tol_, "agree": ok_}
        if rows_:
            C["fss_vs_fig1"] = claim(
                all(oks_),
                f"at N = {p.N} the m = 0.9 readings of the mean curves of Fig. 1 and of this finer grid agree within "
                f"the two grid intervals ({'; '.join(rows_)})",
                otherwise=f"at N = {p.N} the m = 0.9 readings of the mean curves of Fig. 1 and of this finer grid do "
                f"not all agree within the two grid intervals ({'; '.join(rows_)}): Fig. 1 has fewer starts per load "
                f"and other networks",
                finding=False,
                N=p.N,
                **ev_,
            )
    if "fss_vs_fig1" not in C:
        C["fss_vs_fig1"] = claim(
            False,
            "the readings of Fig. 1 are compared with this finer grid",
            otherwise=f"the readings of Fig. 1 (N = {p.N}, α_D = {p.alpha_D:g}) are not compared with this grid, "
            f"which has other sizes (N = {', '.join(map(str, Ns))}) or another α_D ({z['alpha_D']:g})",
            finding=False,
            N_fig1=p.N,
            N=Ns,
            alpha_D_fig1=p.alpha_D,
            alpha_D=z["alpha_D"],
        )

    # the largest L: is its miss at the largest N of the size of a finite-D correction, L/D?
    L7 = max(z["per_L"])
    d = z["per_L"][L7]
    rel = float(abs(d["reading"][-1] / d["spinodal"] - 1))
    rel_err = float(np.nan_to_num(d["reading_sem"][-1]) / d["spinodal"])
    frac = float(d["L_over_D"][-1])
    ok = bool(np.isfinite(rel) and rel <= frac + 2 * rel_err)
    C["fss_largest_L"] = claim(
        ok,
        f"at N = {n1} the L = {L7} reading misses its spinodal by {100 * rel:.0f} % ± {100 * rel_err:.0f} %, no more "
        f"(within two errors) than the fraction L/D = {L7}/{z['D'][-1]} = {100 * frac:.0f} % of the features a test "
        f"example mixes, the natural size of a finite-D correction",
        otherwise=f"at N = {n1} the L = {L7} reading misses its spinodal by {100 * rel:.0f} % ± {100 * rel_err:.0f} %, "
        f"more (beyond two errors) than the fraction L/D = {L7}/{z['D'][-1]} = {100 * frac:.0f} % of the features a "
        f"test example mixes: "
        f"a finite-D correction of that size does not account for it",
        finding=False,
        L=L7,
        N=n1,
        relative_miss=rel,
        relative_err=rel_err,
        L_over_D=frac,
    )

    ok = z["not_converged"] == 0
    C["fss_cap"] = claim(
        ok,
        f"the sweep cap ({p.fs_max_sweeps}) never binds: all {z['runs']} runs of the finite-size scaling reach a fixed "
        f"point (the longest takes {int(max(d['sweeps_max'].max() for d in z['per_L'].values()))} sweeps)",
        otherwise=f"{z['not_converged']} of the {z['runs']} runs of the finite-size scaling hit the sweep cap "
        f"({p.fs_max_sweeps}): their overlaps are those of states still moving",
        finding=False,
        not_converged=z["not_converged"],
        runs=z["runs"],
        max_sweeps=p.fs_max_sweeps,
    )

    grows, parts = [], []
    for L, d in z["per_L"].items():
        mu, se = d["sweeps_near_mean"], np.nan_to_num(d["sweeps_near_sem"])
        grows.append(bool(len(Ns) > 1 and mu[-1] - mu[0] > 2 * np.hypot(se[0], se[-1])))
        parts.append(f"L = {L}: " + ", ".join(f"{v:.1f}" for v in mu))
    C["fss_slowing"] = claim(
        all(grows),
        f"near the transition the runs take longer at larger N (mean sweeps per run at the two loads around the "
        f"reading, N = {', '.join(map(str, Ns))}: {'; '.join(parts)}; growth beyond two standard errors for every L)",
        otherwise=f"near the transition the mean number of sweeps per run does not grow with N beyond two standard "
        f"errors for every L (N = {', '.join(map(str, Ns))}: {'; '.join(parts)})",
        finding=False,
        sweeps_near_transition={str(L): d["sweeps_near_mean"] for L, d in z["per_L"].items()},
        grows=grows,
    )

    below, parts = [], []
    for L, d in z["per_L"].items():
        lo, hi = d["alpha"] < d["spinodal"], d["alpha"] > d["spinodal"]
        runs = d["sweeps"].reshape(len(Ns), len(d["alpha"]), -1)
        for i in range(len(Ns)):
            (mean_lo, sem_lo), (mean_hi, sem_hi) = mean_sem(runs[i, lo].ravel()), mean_sem(runs[i, hi].ravel())
            below.append(bool(mean_lo - mean_hi > 2 * np.hypot(sem_lo, sem_hi)))
        parts.append(f"L = {L}: " + ", ".join(f"{runs[i, lo].mean():.1f}/{runs[i, hi].mean():.1f}" for i in range(len(Ns))))
    C["fss_slow_below"] = claim(
        all(below),
        f"the slow runs are below the spinodal, where the mixture is not a stable state and a start travels to "
        f"another one, not at the transition (mean sweeps below/above the spinodal at N = {', '.join(map(str, Ns))}: "
        f"{'; '.join(parts)}; below exceeds above by more than two standard errors everywhere)",
        otherwise=f"the runs below the spinodal are not slower than those above it beyond two standard errors at "
        f"every (L, N) (mean sweeps below/above at N = {', '.join(map(str, Ns))}: {'; '.join(parts)})",
        finding=False,
        below_slower=below,
    )
    return C


def _claims_fs(p, r):
    fs, f1 = r.fs, r.fig1
    C = {}
    rows = {(row["training"], row["N"]): row for row in fs["rows"]}
    Ns, x = fs["N"], p.fs_alphas
    parts, oks, ev = [], [], {}
    for c in fs["family"]:
        a = np.array([rows[(c, N_)]["alpha(m=0.9)"] for N_ in Ns], float)
        sems = np.array([fs["per_sample_09"][(c, N_)]["sem"] for N_ in Ns], float)
        if np.isfinite(a).all():
            lo, hi = int(np.argmin(a)), int(np.argmax(a))
            tol = float(
                np.hypot(max(_bracket(x, v) for v in a), 2 * np.hypot(np.nan_to_num(sems[lo]), np.nan_to_num(sems[hi])))
            )
            oks.append(bool(a[hi] - a[lo] <= tol))
            parts.append(f"{c}: {_fmt_list(a)} (spread {a[hi] - a[lo]:.3f}, tolerance {tol:.3f})")
        else:
            oks.append(False)
            tol = float("nan")
            parts.append(
                f"{c}: {_fmt_list(a)} (nan: the mean curve is already above 0.9 at the smallest load, or "
                f"never reaches it)"
            )
        ev[c] = {"alpha_m09": a, "sem": sems, "tolerance": tol}
    Nl = ", ".join(map(str, Ns))
    C["fs_hardly_moves"] = claim(
        all(oks),
        f"the m = 0.9 reading hardly moves with N (N = {Nl}; {'; '.join(parts)}: the spread stays within "
        f"the grid resolution and two standard errors)",
        otherwise=f"the m = 0.9 reading is not stable with N in this run (N = {Nl}; {'; '.join(parts)})",
        finding=False,
        N=Ns,
        **ev,
    )

    m0, s0 = fs["mean_test"][..., 0], fs["sem_test"][..., 0]  # (family, N) at the smallest load
    drop = m0[:, 0] - m0[:, -1]
    tol = 2 * np.hypot(np.nan_to_num(s0[:, 0]), np.nan_to_num(s0[:, -1]))
    ok = bool(len(Ns) > 1 and np.all(drop > tol))
    txt = "; ".join(
        f"{c}: {m0[j, 0]:.2f} at N = {Ns[0]}, {m0[j, -1]:.2f} at N = {Ns[-1]}" for j, c in enumerate(fs["family"])
    )
    C["fs_below_falls"] = claim(
        ok,
        f"the overlap below the spinodal falls as N grows ({txt}, more than two standard errors)",
        otherwise=f"the overlap below the spinodal does not fall measurably with N in this run ({txt}; two standard "
        f"errors: {_fmt_list(tol, '{:.2f}')})",
        finding=False,
        alpha=p.fs_alphas[0],
        N=Ns,
        m=m0,
        sem=s0,
        drop=drop,
        tolerance=tol,
    )

    big = Ns[-1]
    sp, de = rows[("sparse", big)], rows[("dense", big)]
    s09, d09 = sp["alpha(m=0.9)"], de["alpha(m=0.9)"]
    ok = bool(np.isfinite([s09, d09]).all() and d09 > s09)
    C["dense_later"] = claim(
        ok,
        f"at N = {big} dense-training networks reach m = 0.9 later (α ≈ {d09:.3f}) than sparse-training ones "
        f"(α ≈ {s09:.3f})",
        otherwise=f"at N = {big} dense-training networks do not reach m = 0.9 later than sparse-training ones in this "
        f"run (α ≈ {d09:.3f} dense, {s09:.3f} sparse; nan: no crossing inside the grid)",
        finding=False,
        N=big,
        alpha_m09_dense=d09,
        alpha_m09_sparse=s09,
    )
    key0 = f"m(alpha={p.fs_alphas[0]:g})"
    jd, js = fs["family"].index("dense"), fs["family"].index("sparse")
    se = float(np.hypot(np.nan_to_num(s0[jd, -1]), np.nan_to_num(s0[js, -1])))
    ok = bool(de[key0] < sp[key0] - 2 * se)
    C["dense_fewer_below"] = claim(
        ok,
        f"at N = {big} dense-training networks hold fewer mixtures below the spinodal (m = {de[key0]:.2f} at "
        f"α = {p.fs_alphas[0]:g}, against {sp[key0]:.2f} with sparse training, beyond two standard errors)",
        otherwise=f"at N = {big} dense-training networks do not hold measurably fewer mixtures below the spinodal "
        f"than sparse-training ones (m = {de[key0]:.2f} against {sp[key0]:.2f} at α = {p.fs_alphas[0]:g}, "
        f"two standard errors {2 * se:.2f})",
        finding=False,
        N=big,
        m_dense=de[key0],
        m_sparse=sp[key0],
        tolerance=2 * se,
    )

    nc_fs = int(sum(row["not converged"] for row in fs["rows"]))
    ok = nc_fs == 0 and f1["not_converged"] == 0
    C["converged"] = claim(
        ok,
        f"every run ends on a genuine fixed point: none hits the sweep cap ({p.fs_max_sweeps} sweeps here, "
        f"{p.max_sweeps} in Fig. 1)",
        otherwise=f"{nc_fs} runs here (cap {p.fs_max_sweeps} sweeps) and {f1['not_converged']} runs of Fig. 1 (cap "
        f"{p.max_sweeps}) hit the sweep cap: their overlaps are those of states still moving",
        not_converged_finite_size=nc_fs,
        not_converged_fig1=f1["not_converged"],
    )

    med = {(row["training"], row["N"]): row["median sweeps"] for row in fs["rows"]}
    ok = bool(
        med[("dense", big)] > med[("sparse", big)]
        and all(med[(c, big)] > med[(c, Ns[0])] for c in fs["family"])
        and len(Ns) > 1
    )
    txt = "; ".join(f"{c}: " + ", ".join(f"{med[(c, N_)]:g}" for N_ in Ns) for c in fs["family"])
    C["slower"] = claim(
        ok,
        f"the dynamics is slower with dense training and at larger N (median sweeps at N = {', '.join(map(str, Ns))}: "
        f"{txt})",
        otherwise=f"the number of sweeps does not grow both with dense training and with N in this run (median sweeps "
        f"at N = {', '.join(map(str, Ns))}: {txt})",
        finding=False,
        median_sweeps={f"{c}_{N_}": v for (c, N_), v in med.items()},
    )

    # the two means come from the same networks, each with a standard error over fs_n_samples
    # networks: the bound is the Student-t value of a 3-sigma (two-sided 0.27 %) test with
    # 2 (n - 1) degrees of freedom, not 3, since so few networks estimate the scatter poorly
    from scipy.stats import t as student_t

    n_net = int(p.fs_n_samples)
    z_lim = float(student_t.ppf(1 - 0.0027 / 2, 2 * (n_net - 1))) if n_net > 1 else float("inf")
    d = np.abs(fs["mean_test"] - fs["mean_mixture"])
    se = np.hypot(np.nan_to_num(fs["sem_test"]), np.nan_to_num(fs["sem_mixture"]))
    z = np.where(se > 0, d / np.where(se > 0, se, 1), np.where(d > 0, np.inf, 0.0))
    ok = bool(n_net > 1 and np.all(z <= z_lim))
    C["sign_symmetry"] = claim(
        ok,
        f"test examples and symmetric mixtures give the same curves: the largest difference of the means, "
        f"{d.max():.3f}, is within the three-sigma bound of its standard error at every point (largest ratio "
        f"{z.max():.1f}, bound {z_lim:.1f} for {n_net} networks)",
        otherwise=f"test examples and symmetric mixtures differ beyond the three-sigma bound somewhere (largest "
        f"difference {d.max():.3f}, largest ratio to its standard error {z.max():.1f}, bound {z_lim:.1f} for "
        f"{n_net} networks); the gauge symmetry forbids a true difference, so this flags the code or a "
        f"standard error estimated from too few networks",
        max_difference=float(d.max()),
        max_z=float(z.max()),
        z_limit=z_lim,
        networks=n_net,
    )
    return C


def _claims_fig2(p, r):
    a, b = r.fig2a, r.fig2b
    C = {}
    g = a["gen09"][..., 0]
    comps = [
        g[i + 1, j] > g[i, j]
        for i in range(len(a["L"]) - 1)
        for j in range(len(a["alpha_D"]))
        if np.isfinite(g[i, j]) and np.isfinite(g[i + 1, j])
    ]
    comps += [
        g[i, j + 1] > g[i, j]
        for i in range(len(a["L"]))
        for j in range(len(a["alpha_D"]) - 1)
        if np.isfinite(g[i, j]) and np.isfinite(g[i, j + 1])
    ]
    ok = bool(comps and all(comps))
    C["fig2a_trend"] = claim(
        ok,
        "larger L or larger α_D push the generalization transition (read at m = 0.9) to larger α, as they push "
        f"the spinodals ({sum(comps)} of {len(comps)} neighbouring pairs of the grid in that order)",
        otherwise=f"the generalization transition does not grow with L and α_D everywhere in this run ({sum(comps)} of "
        f"{len(comps)} neighbouring pairs in that order; missing points have no crossing)",
        finding=False,
        pairs_in_order=int(sum(comps)),
        pairs=len(comps),
        alpha_m09=g,
    )

    le, ls = a["learn"][..., 0], a["learn"][..., 1]
    parts, oks = [], []
    for j, aD in enumerate(a["alpha_D"]):
        v = le[:, j]
        if np.isfinite(v).sum() < 2:
            oks.append(False)
            parts.append(f"α_D = {aD:g}: {_fmt_list(v)}")
            continue
        lo, hi = int(np.nanargmin(v)), int(np.nanargmax(v))
        tol = float(
            np.hypot(
                max(_bracket(p.scan_alphas, x) for x in v[np.isfinite(v)]),
                2 * np.hypot(np.nan_to_num(ls[lo, j]), np.nan_to_num(ls[hi, j])),
            )
        )
        oks.append(bool(v[hi] - v[lo] <= tol))
        parts.append(f"α_D = {aD:g}: {_fmt_list(v)} (tolerance {tol:.3f})")
    Ls = ", ".join(map(str, a["L"]))
    C["fig2a_learning_flat"] = claim(
        bool(oks) and all(oks) and len(a["L"]) > 1,
        f"the learning transition moves little with L (L = {Ls}; {'; '.join(parts)})",
        otherwise=f"the learning transition is not the same for every L within the grid resolution and two standard "
        f"errors in this run (L = {Ls}; {'; '.join(parts)}; nan: no crossing)",
        finding=False,
        L=a["L"],
        learning_alpha=le,
        learning_sem=ls,
    )

    e_snr = float(b["snr_fit"]["exponent"])
    for c in b["family"]:
        fit, f5 = b["fits"][c], b["fits5"][c]
        if f5 is None:
            C[f"lmax_exponent_{c}"] = claim(
                False,
                f"{c} training: L_max follows a power law of α_D fitted through at least {MIN_FIT_POINTS} points",
                otherwise=f"with {fit['points']} uncensored values of L_max for {c} training (at least "
                f"{MIN_FIT_POINTS} are needed) no exponent is fitted; the signal-to-noise argument "
                f"predicts e ≈ {e_snr:.2f}",
                finding=False,
                points=fit["points"],
                min_points=MIN_FIT_POINTS,
                snr_exponent=e_snr,
            )
            continue
        e, bs = f5["exponent"], b["bootstrap"][c]
        s = bs["exponent_err"]
        ok = bool(np.isfinite(s) and abs(e - e_snr) <= 2 * s)
        C[f"lmax_exponent_{c}"] = claim(
            ok,
            f"{c} training: L_max ∝ α_D^e with e = {e:.2f} ± {s:.2f} ({fit['points']} points; bootstrap error over "
            f"networks and L brackets), compatible with the signal-to-noise exponent {e_snr:.2f} within two errors",
            otherwise=f"{c} training: L_max ∝ α_D^e with e = {e:.2f} ± {s:.2f} ({fit['points']} points; bootstrap "
            f"error over networks and L brackets), not compatible with the signal-to-noise exponent {e_snr:.2f} "
            f"within two errors",
            finding=False,
            exponent=e,
            exponent_err=s,
            exponent_err_networks=bs["exponent_err_networks"],
            exponent_err_grid=bs["exponent_err_grid"],
            stderr_fit=f5["stderr"],
            points=fit["points"],
            snr_exponent=e_snr,
            tolerance="2 bootstrap errors",
        )
    fam2 = [c for c in b["family"] if b["fits5"][c] is not None and np.isfinite(b["bootstrap"][c]["exponent_err"])]
    if len(fam2) >= 2:
        c1, c2 = fam2[:2]
        e1, e2 = b["fits5"][c1]["exponent"], b["fits5"][c2]["exponent"]
        s12 = float(np.hypot(b["bootstrap"][c1]["exponent_err"], b["bootstrap"][c2]["exponent_err"]))
        zz = abs(e1 - e2) / s12
        C["lmax_families"] = claim(
            bool(zz <= 2),
            f"the {c1} and {c2} exponents do not differ measurably: their difference, {e1 - e2:+.2f} ± {s12:.2f}, is "
            f"{zz:.1f} combined errors",
            otherwise=f"the {c1} and {c2} exponents differ: their difference, {e1 - e2:+.2f} ± {s12:.2f}, is {zz:.1f} "
            f"combined errors (more than two)",
            finding=False,
            difference=e1 - e2,
            combined_err=s12,
            z=zz,
            tolerance="2 combined bootstrap errors",
        )
    else:
        C["lmax_families"] = claim(
            False,
            "the exponents of the training families are compared",
            otherwise="the exponents of the two training families cannot be compared in this run (an exponent "
            f"needs at least {MIN_FIT_POINTS} uncensored values of L_max and a finite bootstrap error)",
            finding=False,
            families=fam2,
        )

    above, ratios = [], []
    for f, c in enumerate(b["family"]):
        lm, pr = b["L_max"][f], b["snr_L_max"][c]
        above.append(bool(np.all(pr >= lm)))
        ok_ = lm > 0
        ratios.append(float(np.max(pr[ok_] / lm[ok_])) if ok_.any() else float("nan"))
    C["snr_above"] = claim(
        all(above),
        f"the signal-to-noise steps sit at or above the measured L_max at every α_D (by a factor up to "
        f"{np.nanmax(ratios):.1f})",
        otherwise=f"the signal-to-noise steps are not above the measured L_max at every α_D in this run (largest ratio "
        f"of prediction to measurement: {_fmt_list(ratios, '{:.1f}')} for {', '.join(b['family'])})",
        finding=False,
        above={c: v for c, v in zip(b["family"], above)},
        max_ratio=ratios,
    )
    return C


# ------------------------------------------------------------------------------------------- glue


def _glue(p, r):
    f1, fs, a, b = r.fig1, r.fs, r.fig2a, r.fig2b
    tr, tr09, th, t = f1["tr"], f1["tr09"], f1["theory_alpha"], r.timings
    L0 = p.L_test[0]
    rows = {(row["training"], row["N"]): row for row in fs["rows"]}
    big = max(p.fs_Ns)
    th_fs = fs["theory"][1]
    ratio09 = a["gen09"][..., 0] / a["spinodal"]
    ok_r = np.isfinite(ratio09)
    out = dict(
        N=p.N,
        alpha_D=p.alpha_D,
        L_train=p.L_train,
        L_test_first=L0,
        D=_D(p.N, p.alpha_D),
        n_samples=p.n_samples,
        alphas_min=min(p.alphas),
        alpha_learning=_g(tr["learning"]),
        alpha_storage=_g(tr["storage"]),
        alpha_reentrance=_g(tr["reentrance"]),
        alpha_gen_first=_g(tr["generalization"][str(L0)]),
        alpha_gen09_first=_g(tr09["generalization"][str(L0)]),
        alpha_learning09=_g(tr09["learning"]),
        alpha_reentrance09=_g(tr09["reentrance"]),
        theory_learning=th["learning"],
        spinodal_first=th[f"spinodal_{L0}"],
        alpha_storage09=_g(tr09["storage"]),
        storage09_P_over_D=_g(tr09["storage"]) / p.alpha_D,
        theory_storage=th["storage"],
        fig1_seconds=t["fig1_s"],
        fig1_not_conv=f1["not_converged"],
        gen05_list=_fmt_list([_g(tr["generalization"][str(L)]) for L in p.L_test]) + f" for L_test = {list(p.L_test)}",
        gen09_list=_fmt_list([_g(tr09["generalization"][str(L)]) for L in p.L_test]),
        spin_list=_fmt_list([th[f"spinodal_{L}"] for L in p.L_test]),
        fs_Ns=", ".join(str(n) for n in p.fs_Ns),
        fs_D_list=", ".join(str(_D(n, p.alpha_D)) for n in p.fs_Ns),
        fs_max_sweeps=p.fs_max_sweeps,
        fs_bigN=big,
        fs_sparse09=rows[("sparse", big)]["alpha(m=0.9)"],
        fs_dense09=rows[("dense", big)]["alpha(m=0.9)"],
        fs_sparse05=rows[("sparse", big)]["alpha(m=0.5)"],
        fs_dense05=rows[("dense", big)]["alpha(m=0.5)"],
        fs_sparse_mspin=rows[("sparse", big)]["m at spinodal"],
        fs_dense_mspin=rows[("dense", big)]["m at spinodal"],
        fs_spinodal=fs["spinodal"],
        fs_symdiff=float(max(row["max diff test vs mixture"] for row in fs["rows"])),
        fs_alpha0=p.fs_alphas[0],
        fs_n_starts=p.fs_n_samples * p.fs_n_test,
        fs_maxsweeps_seen=int(max(row["max sweeps"] for row in fs["rows"])),
        fs_notconv=int(sum(row["not converged"] for row in fs["rows"])),
        theory_m_at_spinodal=float(th_fs[np.isfinite(th_fs)][0]) if np.isfinite(th_fs).any() else np.nan,
        fs_table=table_fs(r),
        N_scan=p.N_scan,
        n_samples_scan=p.n_samples_scan,
        fig2a_alpha_D_min=min(p.scan_alpha_Ds),
        fig2a_D_min=_D(p.N_scan, min(p.scan_alpha_Ds)),
        fig2a_ratio_median=float(np.median(ratio09[ok_r])) if ok_r.any() else np.nan,
        fig2a_ratio_min=float(np.min(ratio09[ok_r])) if ok_r.any() else np.nan,
        fig2a_ratio_max=float(np.max(ratio09[ok_r])) if ok_r.any() else np.nan,
        m_threshold=p.m_threshold,
        exp_snr=float(b["snr_fit"]["exponent"]),
        lmax_alpha_Ds=", ".join(f"{x:g}" for x in p.lmax_alpha_Ds),
        lmax_alphas=", ".join(f"{x:g}" for x in p.lmax_alphas),
        min_fit_points=MIN_FIT_POINTS,
        total_minutes=t.get("total_s", np.nan) / 60,
        timing_fig1=t["fig1_s"],
        timing_fs=t["finite_size_s"],
        timing_fig2a=t["fig2a_s"],
        timing_fig2b=t["fig2b_s"],
        timing_fss=t["fss_s"],
        n_boot=N_BOOT,
        min_extrap_sizes=MIN_EXTRAP_SIZES,
        fss_Ns=", ".join(str(n) for n in p.fss_Ns),
        fss_D_list=", ".join(str(v) for v in r.fss["D"]),
        fss_alpha_D=p.fss_alpha_D,
        fss_Ls=", ".join(str(L) for L in p.fss_Ls),
        fss_L_last=max(p.fss_Ls),
        fss_n_samples=p.fss_n_samples,
        fss_n_test=p.fss_n_test,
        fss_runs=r.fss["runs"],
        fss_ratios=", ".join(f"{v:g}" for v in p.fss_ratios),
        fss_table=table_fss(r),
    )
    for f, c in enumerate(b["family"]):
        f5 = b["fits5"][c]
        out[f"exp_{c}"] = np.nan if f5 is None else float(f5["exponent"])
        bs = b["bootstrap"][c]
        out[f"exp_{c}_err"] = np.nan if f5 is None else float(bs["exponent_err"])
        out[f"exp_{c}_err_fit"] = np.nan if f5 is None or f5["stderr"] is None else float(f5["stderr"])
        out[f"exp_{c}_err_net"] = np.nan if f5 is None else float(bs["exponent_err_networks"])
        out[f"exp_{c}_err_grid"] = np.nan if f5 is None else float(bs["exponent_err_grid"])
        out[f"exp_{c}_grid_median"] = np.nan if f5 is None else float(bs["exponent_grid_median"])
        out[f"lmax_{c}"] = ", ".join(
            str(int(v)) + ("+" if cen else "") for v, cen in zip(b["L_max"][f], b["lower_bound"][f])
        )
        out[f"fit_points_{c}"] = int(b["fits"][c]["points"])
    return out


def table_fs(r):
    """The finite-size table (one row per training family and N) as Markdown."""
    from IPython.display import Markdown

    rows = r.fs["rows"]
    cols = list(rows[0])

    def fmt(v):
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    return Markdown(
        "\n".join(
            ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            + ["| " + " | ".join(fmt(row[k]) for k in cols) + " |" for row in rows]
        )
    )


def table_fss(r):
    """The finite-size scaling table (one row per L and N) as Markdown."""
    from IPython.display import Markdown

    z = r.fss
    head = ("L", "N", "D", "L/D", "reading (mean ± sem)", "networks", "mean curve", "spinodal", "reading / spinodal",
            "mean sweeps near it", "max sweeps near it")
    rows = []
    for L, d in z["per_L"].items():
        for i, N_ in enumerate(z["N"]):
            rows.append((str(L), str(N_), str(z["D"][i]), f"{d['L_over_D'][i]:.2f}",
                         f"{d['reading'][i]:.3f} ± {d['reading_sem'][i]:.3f}", str(d["reading_n"][i]),
                         f"{d['reading_mean_curve'][i]:.3f}",
                         f"{d['spinodal']:.3f}", f"{d['reading'][i] / d['spinodal']:.2f}",
                         f"{d['sweeps_near_mean'][i]:.1f}", str(d["sweeps_near_max"][i])))
    return Markdown("\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
                              + ["| " + " | ".join(row) + " |" for row in rows]))


# ---------------------------------------------------------------------------------------- figures


def _log_axis(ax, axis="x"):
    """style.log_ticks, with plain-number labels on every major tick (1, 2, 5 per decade)."""
    from matplotlib.ticker import FuncFormatter

    style.log_ticks(ax, axis)
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


def _ax(ax, **kw):
    if ax is not None:
        return ax.figure, ax
    return style.figure(**kw)


def figure_fig1(r, ax=None):
    """Fig. 1: m from features, training and test examples against alpha, with the RS branches."""
    p, f1 = r.params, r.fig1
    fig, ax = _ax(ax, width=9.5, height=4.8)
    a = f1["alpha"]
    style.points(ax, a, f1["mean"]["feature"], f1["sem"]["feature"], color="C0", marker="o", label="features")
    style.points(
        ax,
        a,
        f1["mean"]["train"],
        f1["sem"]["train"],
        color="C1",
        marker="s",
        label=rf"training examples ($L_\mathrm{{train}}={p['L_train']}$)",
    )
    th = f1["theory_alpha"]
    for j, L in enumerate(p["L_test"]):
        c = f"C{j + 2}"
        k = f"test_{L}"
        style.points(
            ax, a, f1["mean"][k], f1["sem"][k], color=c, marker="^", label=rf"test examples, $L_\mathrm{{test}}={L}$"
        )
        if np.isfinite(th[f"spinodal_{L}"]):
            ax.axvline(th[f"spinodal_{L}"], color=c, ls="--", lw=1.2)
        style.line(ax, *f1["theory_lines"][L], color=c, lw=2.5, alpha=0.5)
    style.line(
        ax,
        *f1["theory_lines"][1],
        color="C0",
        lw=2.5,
        alpha=0.5,
        label="RS branches (dense theory):\nfeature, $n$-mixtures",
    )
    if np.isfinite(th["learning"]):
        ax.axvline(
            th["learning"], color="C0", ls="--", lw=1.2, label="spinodals of $n$-mixtures\n(dashed; $n=1$: learning)"
        )
    if np.isfinite(th["storage"]):
        ax.axvline(th["storage"], color="C1", ls=":", lw=1.2, label="storage transition\n(dense theory)")
    ax.set(
        xscale="log",
        xlabel=r"$\alpha$",
        ylabel=r"$m=s^*\cdot s^0/N$",
        ylim=(-0.05, 1.05),
        title=rf"$N={p['N']}$, $\alpha_D={p['alpha_D']}$, {p['coefficients']} training, {p['n_samples']} networks",
    )
    _log_axis(ax, "x")
    style.legend_outside(ax)
    return fig


def figure_fs(r, ax=None):
    """m from test examples and symmetric mixtures near the first transition, per N and family."""
    p, fs = r.params, r.fs
    if ax is None:
        fig, axes = style.figure(ncols=2, width=11, height=4.4, sharey=True)
    else:
        axes = np.atleast_1d(ax)
        fig = axes[0].figure
    L0, a = fs["L0"], fs["alpha"]
    for j, c in enumerate(fs["family"]):
        axx = axes[j]
        for i, N_ in enumerate(fs["N"]):
            col = f"C{i}"
            style.points(
                axx,
                a,
                fs["mean_test"][j, i],
                fs["sem_test"][j, i],
                color=col,
                marker="o",
                label=f"N={N_}, test examples",
            )
            style.points(
                axx,
                a,
                fs["mean_mixture"][j, i],
                fs["sem_mixture"][j, i],
                color=col,
                marker="x",
                line=False,
                ls=":",
                label=f"N={N_}, symmetric mixtures",
            )
        style.line(axx, *fs["theory"], color="k", lw=2.5, alpha=0.4, label=f"RS branch, n={L0} (dense theory)")
        if np.isfinite(fs["spinodal"]):
            axx.axvline(fs["spinodal"], color="k", ls="--", lw=1, label="spinodal")
        axx.set(
            xscale="log",
            xlabel=r"$\alpha$",
            title=f"{c} training" + (f", $L_\\mathrm{{train}}={p['L_train']}$" if c == "sparse" else " (Gaussian)"),
        )
        _log_axis(axx, "x")

    axes[0].set_ylabel(rf"$m$ from test examples / mixtures, $L_\mathrm{{test}}=n={L0}$")
    style.legend_outside(axes[-1])
    return fig


def figure_fig2a(r, ax=None):
    """Fig. 2a: transitions in the (alpha_D, alpha) plane against the spinodals."""
    p, a = r.params, r.fig2a
    fig, ax = _ax(ax, width=9, height=5)
    for i, L in enumerate(a["L"]):
        c = f"C{i}"
        xs = a["alpha_D"] * 1.03 ** (i - (len(a["L"]) - 1) / 2)  # the L side by side, not on top
        style.points(
            ax,
            xs,
            a["gen09"][i, :, 0],
            a["gen09"][i, :, 1],
            color=c,
            marker="o",
            label=rf"generalization, $L={L}$ ($m=0.9$)",
        )
        style.points(
            ax,
            xs,
            a["gen"][i, :, 0],
            a["gen"][i, :, 1],
            color=c,
            marker="^",
            line=False,
            mfc="none",
            label=rf"generalization, $L={L}$ ($m=1/2$)",
        )
        style.points(
            ax,
            xs,
            a["learn"][i, :, 0],
            a["learn"][i, :, 1],
            color=c,
            marker="s",
            line=False,
            ls=":",
            mfc="none",
            label=rf"learning, $L={L}$ (simulation)",
        )
        line = a["lines"][L]
        ok = np.asarray(line.converged)
        style.line(ax, line.alpha_D_c[ok], ALPHA_TH[ok], color=c, ls="--", lw=1, label=rf"spinodal $n={L}$ (theory)")
    line1 = a["lines"][1]
    ok = np.asarray(line1.converged)
    style.line(ax, line1.alpha_D_c[ok], ALPHA_TH[ok], color="k", ls="--", lw=1, label=r"learning line $n=1$ (theory)")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel=r"$\alpha_D$",
        ylabel=r"$\alpha$",
        xlim=(min(p["scan_alpha_Ds"]) / 2, max(p["scan_alpha_Ds"]) * 2),
        ylim=(min(p["scan_alphas"]), max(p["scan_alphas"])),
        title=rf"$N={p['N_scan']}$, {p['n_samples_scan']} networks per point",
    )
    _log_axis(ax, "x")
    _log_axis(ax, "y")
    style.legend_outside(ax)
    return fig


def figure_fig2b(r, ax=None):
    """Fig. 2b: L_max against alpha_D, the >= 5-point power-law fits and the signal-to-noise steps."""
    p, b = r.params, r.fig2b
    fig, ax = _ax(ax, width=9, height=4.8)
    for f, c in enumerate(b["family"]):
        col = f"C{f}"
        aD = b["alpha_D"] * 1.04 ** (f - (len(b["family"]) - 1) / 2)  # families side by side, not on top
        lm = b["L_max"][f].astype(float)
        hi = np.where(np.isfinite(b["next_candidate"][f]), b["next_candidate"][f], lm)
        okp = lm > 0
        for sel, kw, lab in (
            (okp & ~b["lower_bound"][f], {}, f"{c} training (simulation)"),
            (okp & b["lower_bound"][f], {"mfc": "none"}, f"{c}: lower bound (all L ≤ D)"),
        ):
            if sel.any():
                # the bar spans the retrieved L_max up to the next candidate L, which is not retrieved
                style.points(
                    ax,
                    aD[sel],
                    lm[sel],
                    None,
                    yerr_asym=(lm[sel], hi[sel]),
                    color=col,
                    marker="o",
                    line=False,
                    ms=7,
                    label=lab,
                    **kw,
                )
        f5, eb = b["fits5"][c], b["bootstrap"][c]["exponent_err"]
        if f5 is not None and np.isfinite(eb) and eb < abs(f5["exponent"]):
            x = b["alpha_D_fine"]
            style.line(
                ax,
                x,
                f5["prefactor"] * x ** f5["exponent"],
                color=col,
                lw=1,
                label=rf"fit: $L_\mathrm{{max}}\propto\alpha_D^{{{f5['exponent']:.2f}}}$ ± {eb:.2f} (bootstrap)",
            )
        pr = b["snr_L_max"][c]
        ax.plot(
            b["alpha_D"],
            np.where(pr > 0, pr, np.nan),
            "--",
            color=col,
            lw=1,
            drawstyle="steps-mid",
            label=f"signal to noise, {c}\n(threshold calibrated)",
        )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel=r"$\alpha_D$",
        ylabel=r"$L_\mathrm{max}$",
        title=rf"$N={p['N_scan']}$, window up to $\alpha={b['a_top']:g}$, $m\geq{p['m_threshold']}$",
    )
    _log_axis(ax, "x")
    _log_axis(ax, "y")
    style.legend_outside(ax)
    return fig


def figure_fss(r, ax=None):
    """Finite-size scaling: the m = 0.9 reading over the spinodal against N^-1/2, per L, with the
    spinodal (ratio 1) as the N -> infinity line and, where its error is smaller than its value, the
    weighted straight-line extrapolation."""
    z = r.fss
    fig, ax = _ax(ax, width=9, height=4.6)
    x = np.array(z["N"], float) ** -0.5
    Ls = list(z["per_L"])
    for j, L in enumerate(Ls):
        d = z["per_L"][L]
        c = f"C{j}"
        xs = x * (1 + 0.012 * (j - (len(Ls) - 1) / 2))  # the L side by side, not on top
        style.points(ax, xs, d["reading"] / d["spinodal"], d["reading_sem"] / d["spinodal"], color=c, marker="o",
                     label=rf"$L={L}$ (spinodal $\alpha={d['spinodal']:.3f}$)")
        ex = d["extrapolation"]
        if _extrapolated(ex) and ex["intercept_err"] < abs(ex["intercept"]):
            xx = np.linspace(0, x.max(), 20)
            style.line(ax, xx, (ex["intercept"] + ex["slope"] * xx) / d["spinodal"], color=c, ls=":", lw=1,
                       label=rf"$L={L}$: linear in $N^{{-1/2}}$, $\alpha_\infty/\alpha_\mathrm{{sp}}="
                       rf"{ex['intercept'] / d['spinodal']:.2f}\pm{ex['intercept_err'] / d['spinodal']:.2f}$")
    ax.axhline(1.0, color="k", ls="--", lw=1, label=r"spinodal ($N\to\infty$, dense theory)")
    ax.set_xticks([0.0] + list(x))
    ax.set_xticklabels([r"$\infty$"] + [str(n) for n in z["N"]])
    ax.set(xlim=(-0.03 * x.max(), x.max() * 1.1), xlabel=r"$N$ (axis linear in $N^{-1/2}$)",
           ylabel=r"$\alpha(m=0.9)\,/\,\alpha_\mathrm{sp}$",
           title=rf"$\alpha_D={z['alpha_D']:g}$, $D={z['D'][0]}$ to ${z['D'][-1]}$, "
           rf"{r.params['fss_n_samples']} networks per point")
    style.legend_outside(ax)
    return fig


def figure_fss_sweeps(r, ax=None):
    """Sweeps to the fixed point per run against the distance to the spinodal, per L and N: mean over
    runs with its standard error (filled), largest run (open)."""
    z = r.fss
    Ls = list(z["per_L"])
    if ax is None:
        fig, axes = style.figure(ncols=len(Ls), width=4.0 * len(Ls) + 2, height=4.2, sharey=True)
    else:
        axes = np.atleast_1d(ax)
        fig = axes[0].figure
    axes = np.atleast_1d(axes)
    for j, L in enumerate(Ls):
        d, axx = z["per_L"][L], axes[j]
        t = d["alpha"] / d["spinodal"] - 1
        for i, N_ in enumerate(z["N"]):
            c = f"C{i}"
            style.points(axx, t, d["sweeps_mean"][i], d["sweeps_sem"][i], color=c, marker="o",
                         label=f"N={N_}, mean over runs")
            axx.plot(t, d["sweeps_max"][i], ls="none", marker="^", mfc="none", color=c, ms=5,
                     label=f"N={N_}, longest run")
        axx.axvline(0, color="k", ls="--", lw=1, label="spinodal")
        axx.set(yscale="log", xlabel=r"$\alpha/\alpha_\mathrm{sp}-1$", title=f"$L={L}$")
    axes[0].set_ylabel(f"sweeps to the fixed point (cap {r.params['fs_max_sweeps']})")
    _log_axis(axes[0], "y")
    style.legend_outside(axes[-1])
    return fig
