"""Chapter: the random-features Hopfield model, storage and learning transitions (Negri et al. 2023;
Kalaj et al. 2025, Fig. 1), with the field measurement that checks the storage equations.

``compute`` solves the replica-symmetric lines (storage with the example's coherent feature overlap,
the book's ansatz, and as published; learning), simulates the magnetizations reached from features
and training examples, measures the aligned fields on training examples, scans the storage
transition at several N and the learning transition on fine grids of loads. Its verdicts
(``_verdicts``: the learning line at every simulated alpha_D; the corrected and the published storage
lines against the storage transitions extrapolated to N -> infinity) and its checks of the code are
the result's; the page's sentences are in the notebook. One ``figure_<name>`` per figure of the page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .. import validation
from ..analysis import mean_sem, power_law_fit, sample_crossings, wilson_interval
from ..book import ChapterResult, claim
from ..book import spec as _spec
from ..book.spec import Chapter, Param
from ..book.verdicts import verdict
from ..experiments.random_features import example_fields  # noqa: F401  (public: tests and readers import it from here)
from ..theory import random_features as rf_theory

ALPHA_D_RANGE = (1e-3, 0.2)  # learning needs alpha_D below the alpha -> infinity limit ~0.138
LEARNING_ALPHA_D_MAX = 0.1  # the learning scans reach 2.5 times the learning load, which diverges at alpha_D ~ 0.138
LEARNING_RANGE = (0.01, 2.5)  # loads of the learning scans, in units of the learning line at alpha_D
PHASE_LEARNING_RANGE = (0.4, 2.0)  # loads of the fine learning scans at the other alpha_D, same unit
#: Window of the per-start jump readings (same unit): each start's jump is bisected inside it, to one example
LEARNING_JUMP_RANGE = (0.25, 2.5)


def _coefficient_kinds(name, value):
    if isinstance(value, str):
        value = [value]
    kinds = validation.list_of(validation.choice("dense", "sparse"), max_len=2)(name, value)
    if len(set(kinds)) != len(kinds):
        validation.fail(name, value, 'a list of distinct kinds among "dense", "sparse"')
    return kinds


def _D(N, alpha_D):
    return max(1, int(round(alpha_D * N)))


def _check(p):
    aD_s, L_s = p["sparse_storage"][0], int(round(p["sparse_storage"][-1]))
    if L_s < 1 or abs(p["sparse_storage"][-1] - L_s) > 1e-9:
        validation.fail("sparse_storage", p["sparse_storage"], "[alpha_D, L] with an integer L >= 1")
    for N in p["storage_Ns"]:
        if L_s > _D(N, aD_s):
            validation.fail("sparse_storage", p["sparse_storage"], f"L <= D = round(alpha_D N) = {_D(N, aD_s)} at N = {N}")
    for N in p["field_Ns"]:
        need = N * max(p["field_alpha_Ts"]) * max(p["field_alpha_Ds"]) * (1 + 8.0 * N * max(p["field_alpha_Ds"]))
        validation.memory_bytes("field_Ns", N, need, validation.memory_limit_bytes())
    if not p["level_low"] < p["level"]:
        validation.fail("level_low", p["level_low"], f"below level = {p['level']}")
    D_phase = _D(p["N_phase"], p["alpha_D"])
    for k, L in enumerate(p["learning_L"]):
        if L > D_phase:
            validation.fail(f"learning_L[{k}]", L, f"an odd integer <= D = round(alpha_D N_phase) = {D_phase}")
    D = _D(p["N"], p["alpha_D"])
    if "sparse" in p["coefficients"]:
        for k, L in enumerate(p["L"]):
            if L > D:
                validation.fail(f"L[{k}]", L, f"an integer <= D = round(alpha_D N) = {D}")
    limit = validation.memory_limit_bytes()
    # largest example matrix (int8 N x P) plus dense coefficients (float64 D x P) of one sample
    for name, N, aDs in (("N", p["N"], [p["alpha_D"]]), ("N_phase", p["N_phase"], p["phase_alpha_Ds"])):
        P = max(p["alphas"]) * N
        need = N * P + 8.0 * _D(N, max(aDs)) * P
        validation.memory_bytes(name, N, need, limit)
        if N * P >= 2**31 - 1:
            validation.fail(
                name,
                N,
                f"at most {int((2**31 - 1) / max(p['alphas']))} for alphas up to {max(p['alphas'])} (N P < 2^31)",
            )


SPEC = Chapter(
    name="rf_storage_learning",
    notebook="book/rf_storage_learning.ipynb",
    title="Random features: storage and learning",
    seed=6006,
    minutes=(0.6, 5.0),
    cached="every (grid point, sample) and the theory lines under the result cache "
    "(hopcore.experiments.random_features, hopcore.theory.random_features)",
    params={
        "N": Param(1000, validation.integer(100, 100_000), paper=8000, doc="neurons of the magnetization curves"),
        "alpha_D": Param(
            0.02,
            validation.real(ALPHA_D_RANGE[0], LEARNING_ALPHA_D_MAX),
            paper=0.01,
            doc="D/N of the magnetization curves",
        ),
        "alphas": Param(
            [round(a, 4) for a in np.geomspace(0.005, 2.0, 12)],
            validation.list_of(validation.real(0.0, 20.0, lo_open=True), increasing=True),
            paper=[round(a, 4) for a in np.geomspace(0.003, 2.0, 16)],
            doc="loads alpha = P/N of the simulations",
        ),
        "coefficients": Param(
            ["dense", "sparse"], _coefficient_kinds, doc='training coefficients: "dense", "sparse" or both'
        ),
        "L": Param(
            [3, 9],
            validation.list_of(validation.integer(1, 100_000), increasing=True),
            paper=[3, 9, 21],
            doc="non-zero entries per sparse coefficient vector (even L: ties to +1)",
        ),
        "n_samples": Param(2, validation.integer(1, 10_000), paper=3, doc="networks per load"),
        "n_starts": Param(4, validation.integer(1, 1000), doc="features and training examples used as starts per network"),
        "N_phase": Param(1000, validation.integer(100, 100_000), paper=3000, doc="neurons of the phase-diagram simulations"),
        "phase_alpha_Ds": Param(
            [0.01, 0.05],
            validation.list_of(validation.real(*ALPHA_D_RANGE), increasing=True),
            paper=[0.005, 0.01, 0.02, 0.05],
            doc="alpha_D of the simulated transition points (dense)",
        ),
        "field_alpha_Ds": Param(
            [0.02, 0.1, 0.5],
            validation.list_of(validation.real(1e-3, 30.0), increasing=True),
            doc="alpha_D of the field measurements on training examples",
        ),
        "field_alpha_Ts": Param(
            [0.1, 0.25, 0.5, 1.0],
            validation.list_of(validation.real(0.0, 10.0, lo_open=True), increasing=True),
            paper=[0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5],
            doc="alpha_T = P/D of the field measurements",
        ),
        "field_Ns": Param(
            [1000, 2000],
            validation.list_of(validation.integer(100, 100_000), increasing=True),
            paper=[1000, 2000, 4000],
            doc="N of the field measurements",
        ),
        "field_samples": Param(
            5, validation.integer(5, 10_000), doc="networks per point of the field measurements (at least 5)"
        ),
        "storage_alpha_Ds": Param(
            [0.02, 0.1, 0.5],
            validation.list_of(validation.real(1e-3, 30.0), increasing=True),
            paper=[0.01, 0.02, 0.05, 0.1, 0.5],
            doc="alpha_D of the fine storage-transition scans (dense)",
        ),
        "storage_Ns": Param(
            [1000, 2000],
            validation.list_of(validation.integer(100, 100_000), increasing=True),
            paper=[2000, 4000, 8000],
            doc="N of the fine storage-transition scans",
        ),
        "storage_points": Param(
            8, validation.integer(3, 200), paper=14, doc="loads per fine storage scan (0.5 x to 1.3 x the two theory lines)"
        ),
        "storage_samples": Param(
            5, validation.integer(5, 10_000), doc="networks per load of the fine storage scans (at least 5: a standard error)"
        ),
        "sparse_storage": Param(
            [0.005, 3],
            validation.list_of(validation.real(0.0, 1000.0, lo_open=True), min_len=2, max_len=2),
            doc="[alpha_D, L] of the sparse storage scan (uses storage_Ns)",
        ),
        "level": Param(0.8, validation.real(0.1, 0.99), doc="m level that marks a simulated transition"),
        "learning_L": Param(
            [1, 3, 9],
            validation.list_of(validation.odd_integer(1, 100_000), increasing=True),
            paper=[1, 3, 9, 21],
            doc="L of the sparse families of the learning scans at N_phase, alpha_D (odd; dense is always scanned)",
        ),
        "learning_samples": Param(
            5, validation.integer(5, 10_000), paper=8, doc="networks per load of the learning scans (at least 5)"
        ),
        "learning_points": Param(
            18,
            validation.integer(5, 200),
            paper=30,
            doc="loads per learning scan, geometric from 0.01 to 2.5 times the learning line at alpha_D",
        ),
        "learning_Ns": Param(
            [500, 1000, 2000],
            validation.list_of(validation.integer(100, 100_000), increasing=True, min_len=2),
            paper=[1500, 3000, 6000],
            doc="N of the dense learning scans at alpha_D (D = alpha_D N grows with N: the finite-size check)",
        ),
        "phase_learning_points": Param(
            8,
            validation.integer(4, 200),
            paper=12,
            doc="loads of the dense learning scans at each phase_alpha_Ds, geometric from 0.4 to 2 times the learning line",
        ),
        "level_low": Param(
            0.5, validation.real(0.05, 0.95), doc="second, lower m level at which the learning transitions are read"
        ),
        "learning_jump_networks": Param(
            8,
            validation.integer(5, 10_000),
            paper=16,
            doc="networks per N of learning_Ns whose feature starts' jumps are bisected (at least 5)",
        ),
        "learning_jump_starts": Param(
            8,
            validation.integer(1, 10_000),
            paper=20,
            doc="features started from per network of the jump readings (at most the D features of a network)",
        ),
        "max_sweeps": Param(200, validation.integer(1, 100_000), doc="cap on asynchronous sweeps"),
    },
    checks=(_check,),
    headline=("N", "alpha_D", "n_samples", "N_phase", "field_Ns", "storage_Ns", "learning_Ns", "learning_samples"),
    extra={
        "test": {
            "N": 300,
            "alphas": [0.01, 0.1, 0.5, 1.5],
            "L": [3],
            "n_samples": 2,
            "n_starts": 2,
            "N_phase": 300,
            "phase_alpha_Ds": [0.05],
            "field_alpha_Ds": [0.1],
            "field_alpha_Ts": [0.25, 0.5],
            "field_Ns": [500],
            "storage_alpha_Ds": [0.1],
            "storage_Ns": [400, 600],
            "storage_points": 4,
            "storage_samples": 5,
            "sparse_storage": [0.05, 3],
            "learning_L": [1, 3],
            "learning_samples": 5,
            "phase_learning_points": 4,
            "learning_points": 5,
            "learning_Ns": [400, 800],
            "learning_jump_networks": 5,
            "learning_jump_starts": 4,
        }
    },
)


def prepare(namespace):
    return _spec.prepare(SPEC.name, namespace)


CLASSICAL_ALPHA_C = 0.138  # the T = 0 retrieval limit of the classical Hopfield model (Amit, Gutfreund, Sompolinsky)
KAPPA1_4 = 4.0 / np.pi**2  # kappa_1^4, the weight of the coherent crosstalk
MIN_EXAMPLES_FIELDS = 20  # a network's field variance with fewer examples is a sum of a few terms


# ------------------------------------------------------------------ the result


@dataclass
class Result(ChapterResult):
    """Labelled arrays of the run (axes stored beside them).

    - theory lines (``TransitionLine``): ``storage``, ``storage_published``, ``storage_small``,
      ``storage_small_published`` (alpha_D in [1e-4, 1e-3]), ``learning``, ``learning_far`` (alpha to 1000);
      branches m(alpha) at ``alpha_D``: ``feature_branch``, ``storage_branch``, ``storage_branch_published``;
    - ``curves`` (labels "dense", "sparse_L<L>") x ``alphas`` x samples: ``mag_feature``, ``mag_train``;
    - ``field_alpha_Ds`` x ``field_Ns`` x ``field_alpha_Ts`` x samples: ``field_mean``, ``field_var``, ``field_error``;
    - ``scans`` (kind, L, alpha_D) x ``storage_Ns`` x ``storage_points`` x samples: ``storage_m``, with
      ``storage_loads`` (scans x points) and the theory loads ``storage_coherent``, ``storage_pub`` (scans,);
    - ``phase_alpha_Ds`` x ``alphas`` x samples: ``phase_feature``, ``phase_train``.
    """

    params: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)
    branches: dict = field(default_factory=dict)
    fits: dict = field(default_factory=dict)
    curves: list = field(default_factory=list)
    alphas: np.ndarray = None
    mag_feature: np.ndarray = None
    mag_train: np.ndarray = None
    mag_converged: np.ndarray = None
    sim_points: dict = field(default_factory=dict)
    field_alpha_Ds: list = field(default_factory=list)
    field_Ns: list = field(default_factory=list)
    field_alpha_Ts: list = field(default_factory=list)
    field_mean: np.ndarray = None
    field_var: np.ndarray = None
    field_error: np.ndarray = None
    field_rows: np.ndarray = None
    scans: list = field(default_factory=list)
    storage_Ns: list = field(default_factory=list)
    storage_loads: np.ndarray = None
    storage_m: np.ndarray = None
    storage_coherent: np.ndarray = None
    storage_pub: np.ndarray = None
    storage_rows: np.ndarray = None
    phase_alpha_Ds: list = field(default_factory=list)
    phase_feature: np.ndarray = None
    phase_train: np.ndarray = None
    phase_learning: list = field(default_factory=list)  # per alpha_D: sample_crossings dict
    phase_storage: list = field(default_factory=list)
    phase_learning_theory: np.ndarray = None
    stationarity: dict = field(default_factory=dict)  # scaled free-energy gradients along the storage lines
    extra: dict = field(default_factory=dict)  # scalar theory values (storage at alpha_D = 30, slopes, ...)
    field_law: dict = field(default_factory=dict)  # variant -> predicted field law per row of field_rows
    field_enough: np.ndarray = None  # rows of field_rows with at least MIN_EXAMPLES_FIELDS examples
    field_ratios: dict = field(default_factory=dict)  # measured / predicted (variance, mean) on those rows
    learning_theory: float = float("nan")  # the theory's learning load at alpha_D, the unit of learning_loads
    learning_loads: np.ndarray = None  # loads of the learning scans
    learning_families: list = field(default_factory=list)  # (kind, L, label) at N_phase, alpha_D
    learning_m: np.ndarray = None  # families x loads x networks: m from a feature
    learning_Ns: list = field(default_factory=list)
    learning_size_m: np.ndarray = None  # learning_Ns x loads x networks (dense)
    learning_transitions: dict = field(default_factory=dict)  # label -> {level: sample_crossings dict}
    learning_size: list = field(default_factory=list)  # per learning_Ns: {level: sample_crossings dict}
    phase_scans: dict = field(default_factory=dict)  # alpha_D -> fine dense learning scan at N_phase
    learning_jumps: list = field(default_factory=list)  # per learning_Ns: per-start jump loads (networks x starts)


def _scan_rows(r, c):
    """Rows of ``storage_rows`` of scan c (one per N, in the order of ``storage_Ns``)."""
    _kind, L_, aD = r.scans[c]
    rows = r.storage_rows
    return rows[(rows[:, 0] == aD) & (rows[:, 1] == (L_ or 0))]


def _label(kind, L):
    return "dense" if kind == "dense" else f"sparse_L{L}"


def _triple(c):
    return [c["mean"], c["sem"], c["n"]]


# ------------------------------------------------------------------ computation


def _theory(p, r):
    from ..experiments import memo
    from ..theory import random_features as rf

    aD_storage = np.geomspace(1e-3, 30, 80)  # the whole range, to the classical limit
    # theory lines go through the result cache (memo): a warm rebuild reads them back
    L = r.lines
    L["storage"] = memo(rf.storage_transition, alpha_Ds=aD_storage)
    L["storage_published"] = memo(rf.storage_transition, alpha_Ds=aD_storage, variant="published")
    L["learning"] = memo(rf.mixture_spinodal, n=1, alphas=np.geomspace(0.01, 1.0, 60))
    # beyond the drawn range, for the power-law fits and the alpha -> infinity limit
    aD_small = np.geomspace(1e-4, 1e-3, 8)
    L["storage_small"] = memo(rf.storage_transition, alpha_Ds=aD_small)
    L["storage_small_published"] = memo(rf.storage_transition, alpha_Ds=aD_small, variant="published")
    L["learning_far"] = memo(rf.mixture_spinodal, n=1, alphas=np.geomspace(1.0, 1000.0, 20))

    def fit(x, y):
        """Power law over the window, and over its two halves (the drift of the local exponent)."""
        f = power_law_fit(x, y)
        h = len(x) // 2
        lo, hi = power_law_fit(x[: h + 1], y[: h + 1]), power_law_fit(x[h:], y[h:])
        f["drift"] = float(hi["exponent"] - lo["exponent"])
        return f

    s, sp = L["storage_small"], L["storage_small_published"]
    small = L["learning"].alpha_D_c < 0.004
    r.fits = {
        "storage": fit(s.alpha_D_c, s.alpha_c),
        "storage_published": fit(sp.alpha_D_c, sp.alpha_c),
        "learning": fit(L["learning"].alpha_D_c[small], L["learning"].alpha_c[small]),
    }
    r.fits["learning"]["window_max_alpha_D"] = 0.004
    r.stationarity = _stationarity(L)

    alpha_th = np.geomspace(min(p["alphas"]), max(p["alphas"]), 80)
    r.branches = {
        "feature": memo(rf.feature_branch, alpha_D=p["alpha_D"], alphas=alpha_th),
        "storage": memo(rf.storage_branch, alpha_D=p["alpha_D"], alphas=alpha_th),
        "storage_published": memo(rf.storage_branch, alpha_D=p["alpha_D"], alphas=alpha_th, variant="published"),
    }


FD_STEP = 1e-6  # relative step of the central differences; their error is O(h^2) + O(eps/h) ~ 1e-10 of the terms of f
FD_TOLERANCE = 1e-7  # a stationary point within the finite-difference accuracy (the tests use the same bound)


def scaled_gradient(f, x, h=FD_STEP):
    """Gradient of ``f`` with respect to relative changes of the order parameters (x_i moved by
    h max(|x_i|, 10^-3)): one step fits order parameters from 10^-3 to 10^3."""
    from ..solvers.stationarity import numerical_gradient

    s = np.maximum(np.abs(x), 1e-3)
    return numerical_gradient(lambda y: f(x + s * y), np.zeros_like(x), h=h)


def _stationarity(L):
    """Largest scaled free-energy gradient over the last solutions before the jump along both storage
    lines, divided by the size max(1, alpha qh pd) of the terms of f; and, as a contrast, the gradient of
    the corrected free energy at the published solution (padded with w = E|u|), which is not stationary."""
    from ..theory import random_features as rf

    out = {}
    for key, variant in (("storage", "coherent"), ("storage_published", "published")):
        line, g = L[key], []
        for aD, a, x in zip(
            line.fixed[line.converged], line.control_exists[line.converged], line.x_exists[line.converged]
        ):
            grad = scaled_gradient(lambda y, a=a, aD=aD, v=variant: rf.free_energy_storage(y, a, aD, v), x)
            g.append(np.max(np.abs(grad)) / max(1.0, a * x[1] * x[4]))
        out[key] = np.array(g)
    line = L["storage_published"]
    k = int(np.flatnonzero(line.converged)[len(np.flatnonzero(line.converged)) // 2])
    aD, a, x = (
        line.fixed[k],
        0.5 * line.control_exists[k],
        rf.saddle_point_storage(0.5 * line.control_exists[k], line.fixed[k], variant="published").x,
    )
    x = np.append(x, rf.KAPPA1)
    out["contrast"] = float(
        np.max(np.abs(scaled_gradient(lambda y: rf.free_energy_storage(y, a, aD, "coherent"), x)))
        / max(1.0, a * x[1] * x[4])
    )
    out["contrast_at"] = [float(aD), float(a)]
    return out


def _magnetizations(p, r):
    from ..experiments import sweep_grid
    from ..experiments.random_features import rf_magnetizations

    curves = [("dense", None)] if "dense" in p["coefficients"] else []
    curves += [("sparse", L_) for L_ in p["L"]] if "sparse" in p["coefficients"] else []
    r.curves = [(kind, L_, _label(kind, L_)) for kind, L_ in curves]
    r.alphas = np.asarray(p["alphas"], float)
    feat, train, conv = [], [], []
    for kind, L_ in curves:
        g = sweep_grid(
            rf_magnetizations,
            {"alpha": p["alphas"]},
            p["n_samples"],
            p["seed"],
            desc=f"{kind} L={L_}",
            fixed=dict(
                N=p["N"],
                alpha_D=p["alpha_D"],
                coefficients=kind,
                L=L_,
                n_starts=p["n_starts"],
                max_sweeps=p["max_sweeps"],
            ),
        )
        feat.append(g["feature"])
        train.append(g["train"])
        conv.append(g["converged"])
    r.mag_feature, r.mag_train, r.mag_converged = np.array(feat), np.array(train), np.array(conv)
    for c, (_kind, _L, lab) in enumerate(r.curves):
        r.sim_points[lab] = {
            "learning": sample_crossings(p["alphas"], r.mag_feature[c].T, p["level"], "up", log_x=True),
            "storage": sample_crossings(p["alphas"], r.mag_train[c].T, p["level"], "down", log_x=True),
        }


def _fields(p, r):
    from ..experiments import sweep_grid
    from ..experiments.random_features import example_fields as fields

    r.field_alpha_Ds, r.field_Ns, r.field_alpha_Ts = (
        list(p["field_alpha_Ds"]),
        list(p["field_Ns"]),
        list(p["field_alpha_Ts"]),
    )
    shape = (len(r.field_alpha_Ds), len(r.field_Ns), len(r.field_alpha_Ts), p["field_samples"])
    r.field_mean, r.field_var, r.field_error = np.empty(shape), np.empty(shape), np.empty(shape)
    rows = []  # (alpha_D, N, alpha_T, mean, var, error, and their standard errors over networks)
    for i, aD in enumerate(r.field_alpha_Ds):
        for j, N_ in enumerate(r.field_Ns):
            g = sweep_grid(
                fields,
                {"alpha": [round(aT * aD, 10) for aT in r.field_alpha_Ts]},
                p["field_samples"],
                p["seed"] + 2,
                fixed=dict(N=N_, alpha_D=aD, coefficients="dense", L=None),
                desc=f"fields alpha_D={aD} N={N_}",
                progress=False,
            )
            r.field_mean[i, j], r.field_var[i, j], r.field_error[i, j] = g["mean"], g["var"], g["error"]
            for k, aT in enumerate(r.field_alpha_Ts):
                v = np.stack([r.field_mean[i, j, k], r.field_var[i, j, k], r.field_error[i, j, k]])  # (3, samples)
                m, e = mean_sem(v, axis=1)
                rows.append([aD, N_, aT, *m, *e])
    r.field_rows = np.array(rows)


def _storage_scans(p, r):
    from ..experiments import sweep_grid
    from ..experiments.random_features import without_starts
    from ..theory import random_features as rf

    L_s = int(round(p["sparse_storage"][1]))
    r.scans = [("dense", None, aD) for aD in p["storage_alpha_Ds"]] + [("sparse", L_s, p["sparse_storage"][0])]
    r.storage_Ns = list(p["storage_Ns"])
    loads, coh, pub, ms, rows = [], [], [], [], []
    for kind, L_, aD in r.scans:
        a_coh = rf.storage_line([aD], L=L_)[0][0]
        a_pub = rf.storage_line([aD], variant="published")[0][0]
        a = [round(x, 6) for x in np.geomspace(0.5 * a_coh, 1.3 * max(a_pub, a_coh), p["storage_points"])]
        per_N = []
        for N_ in r.storage_Ns:
            g = sweep_grid(
                **without_starts("feature"),  # the storage scans read the training starts only
                axes={"alpha": a},
                n_samples=p["storage_samples"],
                seed=p["seed"] + 3,
                progress=False,
                desc=f"storage {kind} alpha_D={aD} N={N_}",
                fixed=dict(
                    N=N_, alpha_D=aD, coefficients=kind, L=L_, n_starts=p["n_starts"], max_sweeps=p["max_sweeps"]
                ),
            )
            m = g["train"]  # (loads, networks)
            per_N.append(m)
            c = sample_crossings(a, m.T, p["level"], "down", log_x=True)  # each network's own crossing
            rows.append([aD, L_ or 0, N_, c["mean"], c["sem"], a_coh, a_pub, c["n"]])
        loads.append(a)
        coh.append(a_coh)
        pub.append(a_pub)
        ms.append(per_N)
    r.storage_loads, r.storage_coherent, r.storage_pub = np.array(loads), np.array(coh), np.array(pub)
    r.storage_m, r.storage_rows = np.array(ms), np.array(rows, dtype=float)


def _phase(p, r):
    from ..experiments import sweep_grid
    from ..experiments.random_features import rf_magnetizations
    from ..theory import random_features as rf

    r.phase_alpha_Ds = list(p["phase_alpha_Ds"])
    feat, train = [], []
    for aD in r.phase_alpha_Ds:
        g = sweep_grid(
            rf_magnetizations,
            {"alpha": p["alphas"]},
            p["n_samples"],
            p["seed"] + 1,
            desc=f"phase alpha_D={aD}",
            fixed=dict(
                N=p["N_phase"],
                alpha_D=aD,
                coefficients="dense",
                L=None,
                n_starts=p["n_starts"],
                max_sweeps=p["max_sweeps"],
            ),
        )
        feat.append(g["feature"])
        train.append(g["train"])
        r.phase_learning.append(sample_crossings(p["alphas"], g["feature"].T, p["level"], "up", log_x=True))
        r.phase_storage.append(sample_crossings(p["alphas"], g["train"].T, p["level"], "down", log_x=True))
    r.phase_feature, r.phase_train = np.array(feat), np.array(train)
    r.phase_learning_theory = np.array([rf.learning_alpha(aD) for aD in r.phase_alpha_Ds])


def _learning_scans(p, r):
    """Feature magnetizations on a fine grid of loads around the learning line at alpha_D: the families
    L in learning_L and dense at N_phase, and dense at every N of learning_Ns (same seed and loads, so the
    dense family at N_phase is the same cached points); each network's transition read at level and level_low."""
    from ..experiments import sweep_grid
    from ..experiments.random_features import without_starts
    from ..theory import random_features as rf

    a_l = float(rf.learning_alpha(p["alpha_D"]))
    if not np.isfinite(a_l):
        validation.fail("alpha_D", p["alpha_D"], "an alpha_D with a finite learning load")
    loads = [round(float(x), 6) for x in a_l * np.geomspace(*LEARNING_RANGE, p["learning_points"])]
    r.learning_theory, r.learning_loads = a_l, np.array(loads)

    def scan(N_, kind, L_):
        g = sweep_grid(
            **without_starts("train"),  # the learning scans read the feature starts only
            axes={"alpha": loads},
            n_samples=p["learning_samples"],
            seed=p["seed"] + 4,
            progress=False,
            desc=f"learning {kind} L={L_} N={N_}",
            fixed=dict(
                N=N_, alpha_D=p["alpha_D"], coefficients=kind, L=L_, n_starts=p["n_starts"], max_sweeps=p["max_sweeps"]
            ),
        )
        m = g["feature"]  # (loads, networks)
        return m, {
            lv: sample_crossings(loads, m.T, lv, "up", log_x=True) for lv in (p["level"], p["level_low"])
        }

    fams = [("sparse", L_, f"L{L_}") for L_ in p["learning_L"]] + [("dense", None, "dense")]
    r.learning_families, ms = fams, []
    for kind, L_, lab in fams:
        m, c = scan(p["N_phase"], kind, L_)
        ms.append(m)
        r.learning_transitions[lab] = c
    r.learning_m = np.array(ms)
    r.learning_Ns, ms = list(p["learning_Ns"]), []
    for N_ in r.learning_Ns:
        m, c = scan(N_, "dense", None)
        ms.append(m)
        r.learning_size.append(c)
    r.learning_size_m = np.array(ms)

    # a fine dense scan around the learning line at every other simulated alpha_D (at N_phase)
    r.phase_scans = {}
    for aD in r.phase_alpha_Ds:
        if aD == p["alpha_D"] or aD > LEARNING_ALPHA_D_MAX:
            continue
        a_aD = float(rf.learning_alpha(aD))
        la = [round(float(x), 6) for x in a_aD * np.geomspace(*PHASE_LEARNING_RANGE, p["phase_learning_points"])]
        g = sweep_grid(
            **without_starts("train"),
            axes={"alpha": la},
            n_samples=p["learning_samples"],
            seed=p["seed"] + 5,
            progress=False,
            desc=f"learning dense alpha_D={aD} N={p['N_phase']}",
            fixed=dict(
                N=p["N_phase"], alpha_D=aD, coefficients="dense", L=None, n_starts=p["n_starts"],
                max_sweeps=p["max_sweeps"],
            ),
        )
        m = g["feature"]
        r.phase_scans[aD] = dict(
            N=p["N_phase"], loads=np.array(la), m=m,
            crossings={lv: sample_crossings(la, m.T, lv, "up", log_x=True) for lv in (p["level"], p["level_low"])},
        )


def learning_jump(N: int, alpha_D: float, alpha_lo: float, alpha_hi: float, n_starts: int, level: float,
                  max_sweeps: int, seed: int) -> dict:
    """Per feature start of one network, the load at which its final overlap jumps to the feature state.

    One network: F (N x D) iid +-1 features and a nested sequence of dense (Gaussian) training examples,
    so that the network at P examples is the one at P - 1 plus one example: its first P are the examples
    at load P/N. From the first ``min(n_starts, D)`` features, zero-temperature asynchronous dynamics (the
    visiting order fixed per start, the same at every P) to a fixed point; m = s*.f^k/N. The jump is
    bisected in P between alpha_lo N (m below ``level``) and alpha_hi N (m at or above it) down to one
    example: ``jump`` is the smallest P/N of the last bracket with m >= level, ``m_below`` / ``m_above``
    the overlaps at the two ends of that bracket. A start whose m is not below the level at alpha_lo, or
    not above at alpha_hi, is censored (``jump`` NaN)."""
    from ..dynamics.asynchronous import async_fixed_point
    from ..ensembles.random_features import rf_examples, rf_features
    from ..experiments.runner import derive_seed

    D = _D(N, alpha_D)
    P_lo, P_hi = max(1, int(np.floor(alpha_lo * N))), int(np.ceil(alpha_hi * N))
    F = rf_features(N, D, derive_seed(seed, "features"))
    C = np.random.default_rng(derive_seed(seed, "train")).standard_normal((P_hi, D))  # row mu: c^mu, nested in P
    X = rf_examples(F, np.ascontiguousarray(C.T))
    k_max = min(n_starts, D)
    jump, m_below, m_above = np.full(k_max, np.nan), np.full(k_max, np.nan), np.full(k_max, np.nan)
    evals = 0
    for k in range(k_max):
        s0 = np.ascontiguousarray(F[:, k], dtype=np.int8)
        sd = derive_seed(seed, "dynamics", k)

        def m(P):  # one start: the single-run kernel (one core)
            s, _, _ = async_fixed_point(np.ascontiguousarray(X[:, :P]), s0, sd, max_sweeps=max_sweeps)
            return float((s.astype(np.int64) * s0).sum() / N)

        a, b = P_lo, P_hi
        ma, mb = m(a), m(b)
        evals += 2
        if not ma < level <= mb:
            m_below[k], m_above[k] = ma, mb
            continue
        while b - a > 1:
            c = (a + b) // 2
            mc = m(c)
            evals += 1
            if mc >= level:
                b, mb = c, mc
            else:
                a, ma = c, mc
        jump[k], m_below[k], m_above[k] = b / N, ma, mb
    return dict(jump=jump, m_below=m_below, m_above=m_above, evaluations=evals)


def _learning_jumps(p, r):
    """The per-start jump readings at alpha_D, at every N of learning_Ns (learning_jump_networks networks,
    learning_jump_starts features each)."""
    from ..experiments import sweep_grid

    a_l = r.learning_theory
    lo, hi = (round(float(a_l * x), 6) for x in LEARNING_JUMP_RANGE)
    r.learning_jumps = []
    for N_ in r.learning_Ns:
        g = sweep_grid(
            learning_jump,
            {"N": [int(N_)]},
            p["learning_jump_networks"],
            p["seed"] + 7,
            progress=False,
            desc=f"learning jumps N={N_}",
            fixed=dict(alpha_D=p["alpha_D"], alpha_lo=lo, alpha_hi=hi, n_starts=p["learning_jump_starts"],
                       level=p["level"], max_sweeps=p["max_sweeps"]),
        )
        r.learning_jumps.append(dict(
            N=int(N_), jump=np.asarray(g["jump"][0], float), m_below=np.asarray(g["m_below"][0], float),
            m_above=np.asarray(g["m_above"][0], float), evaluations=int(np.sum(g["evaluations"]))))


def compute(p) -> Result:
    """Everything the page shows, at the sizes of ``p``."""
    r = Result(params=dict(p))
    for name, step in (
        ("theory_lines_s", _theory),
        ("magnetization_sims_s", _magnetizations),
        ("field_sims_s", _fields),
        ("storage_scans_s", _storage_scans),
        ("phase_sims_s", _phase),
        ("learning_sims_s", _learning_scans),
        ("learning_jumps_s", _learning_jumps),
    ):
        t0 = time.perf_counter()
        step(p, r)
        r.timings[name] = time.perf_counter() - t0
    _summarize(p, r)
    r.verdicts = _verdicts(p, r)
    _headline_glue(r)
    _claims(p, r)
    _figure_data(p, r)
    return r


def _z_record(a, e, coh, pub):
    return [float(a), float(e), float((a - coh) / e), float((a - pub) / e)]


def _summarize(p, r):
    rf = rf_theory

    L, f = r.lines, r.fits
    storage_at_30 = float(L["storage"].alpha_c[-1])
    learning_slope = float(L["learning"].alpha_c[0] / L["learning"].alpha_D_c[0])
    storage_aT0 = float(L["storage_small"].alpha_c[0] / L["storage_small"].alpha_D_c[0])
    pub_ratio = {
        aD: float(rf.storage_line([aD], variant="published")[0][0] / rf.storage_line([aD])[0][0])
        for aD in (0.02, 0.1, 0.5, 5.0)
    }
    alpha_l_theory = r.learning_theory  # solved once, by the learning scans
    learning_far = float(L["learning_far"].alpha_D_c[-1])
    r.extra = dict(
        kappa=rf.gaussian_equivalence_constants(),
        storage_at_30=storage_at_30,
        learning_slope=learning_slope,
        storage_aT0=storage_aT0,
        pub_ratio=pub_ratio,
        alpha_l_theory=alpha_l_theory,
        learning_far=learning_far,
    )
    S = r.summary
    S.update(
        storage_line=L["storage"].pairs(),
        storage_line_published=L["storage_published"].pairs(),
        learning_line=L["learning"].pairs(),
        storage_variant="coherent",
        storage_line_converged=bool(L["storage"].converged.all()),
        learning_line_converged=bool(L["learning"].converged.all()),
        storage_at_alpha_D_30=storage_at_30,
        learning_slope_small_alpha_D=learning_slope,
        exponent_storage=f["storage"]["exponent"],
        exponent_storage_spec=f["storage_published"]["exponent"],  # kept key (readers' scripts); = the next
        exponent_storage_published=f["storage_published"]["exponent"],
        storage_alpha_T_small_alpha_D=storage_aT0,
        storage_spec_over_coherent={str(k): v for k, v in pub_ratio.items()},  # kept key; = the next
        storage_published_over_coherent={str(k): v for k, v in pub_ratio.items()},
        exponent_learning=f["learning"]["exponent"],
        learning_alpha_D_at_alpha_1000=learning_far,
        learning_alpha_theory=alpha_l_theory,
    )
    S["simulated_transitions_at_alpha_D"] = {
        "alpha_D": p["alpha_D"],
        "N": p["N"],
        "level": p["level"],
        "points": {k: {kk: _triple(vv) for kk, vv in v.items()} for k, v in r.sim_points.items()},
    }

    # field variance: measured over predicted, on the points where a network holds enough examples
    rows = r.field_rows
    enough = np.round(rows[:, 2] * rows[:, 0] * rows[:, 1]) >= MIN_EXAMPLES_FIELDS
    law = {
        v: np.array([rf.example_field_law(aT * aD, aD, v) for aD, aT in rows[:, [0, 2]]]) for v in rf.STORAGE_VARIANTS
    }
    r.field_law = law
    r.field_enough = enough
    ratios = {}
    for v, name in (("coherent", "coherent"), ("published", "published")):
        pred = np.array([x["var"] for x in law[v]])
        ratios[name] = rows[enough, 4] / pred[enough]
        ratios[name + "_err"] = rows[enough, 7] / pred[enough]
        ratios[name + "_mean"] = rows[enough, 3] / np.array([x["mean"] for x in law[v]])[enough]
        ratios[name + "_mean_err"] = rows[enough, 6] / np.array([x["mean"] for x in law[v]])[enough]
    r.field_ratios = ratios
    S["field_variance_ratio"] = {
        "coherent": [
            float(np.mean(ratios["coherent"])),
            float(np.min(ratios["coherent"])),
            float(np.max(ratios["coherent"])),
        ],
        "published": [
            float(np.mean(ratios["published"])),
            float(np.min(ratios["published"])),
            float(np.max(ratios["published"])),
        ],
    }
    S["field_variance_ratio"]["spec"] = S["field_variance_ratio"]["published"]  # kept key (readers' scripts)

    ext = storage_extrapolations(r)
    S["storage_scans"] = {
        "level": p["level"],
        "networks": p["storage_samples"],
        # the column label "alpha_spec" is kept for readers' scripts: it is the published line's load
        "columns": ["alpha_D", "L (0: dense)", "N", "alpha_sim", "alpha_sim_sem", "alpha_coherent", "alpha_spec",
                    "networks_crossed"],
        "rows": r.storage_rows.tolist(),
        "Ns": [int(v) for v in r.storage_Ns],
        "exponents": [0.5, 1.0],
        # per scan (kind, L, alpha_D): the theory loads, the simulated transitions per N (mean of the networks'
        # crossings) and the N -> infinity extrapolations per exponent nu: [alpha_inf, its standard error,
        # its distances in standard errors from the corrected and from the published line]
        "scans": [
            {
                "kind": kind,
                "L": L_,
                "alpha_D": float(aD),
                "alpha_coherent": float(r.storage_coherent[c]),
                "alpha_published": float(r.storage_pub[c]),
                "alpha_sim": [float(v) for v in _scan_rows(r, c)[:, 3]],
                "alpha_sim_sem": [float(v) for v in _scan_rows(r, c)[:, 4]],
                "extrapolation": {
                    "0.5": _z_record(ext[c]["alpha_inf"], ext[c]["stat"], r.storage_coherent[c], r.storage_pub[c]),
                    "1": _z_record(ext[c]["alpha_inf_1_over_N"], ext[c]["stat"], r.storage_coherent[c],
                                   r.storage_pub[c]),
                },
                "systematic_from_the_two_forms": ext[c]["sys"],
            }
            for c, (kind, L_, aD) in enumerate(r.scans)
        ],
    }
    S["simulated_transitions"] = {
        "N": p["N_phase"],
        "coefficients": "dense",
        "level": p["level"],
        "learning": [[aD, c["mean"], c["sem"]] for aD, c in zip(r.phase_alpha_Ds, r.phase_learning)],
        "storage": [[aD, c["mean"], c["sem"]] for aD, c in zip(r.phase_alpha_Ds, r.phase_storage)],
    }

    lv, lo = p["level"], p["level_low"]

    def _crossing(c):
        return {
            "mean": float(c[lv]["mean"]),
            "sem": float(c[lv]["sem"]),
            "n": int(c[lv]["n"]),
            "mean_low": float(c[lo]["mean"]),
            "sem_low": float(c[lo]["sem"]),
            "n_low": int(c[lo]["n"]),
        }

    S["learning_transitions"] = {
        ("dense" if kind == "dense" else str(L_)): {
            "alpha_D": p["alpha_D"],
            "N": p["N_phase"],
            "L": L_,
            "level": lv,
            "level_low": lo,
            "networks": p["learning_samples"],
            **_crossing(r.learning_transitions[lab]),
        }
        for kind, L_, lab in r.learning_families
    }
    S["learning_finite_size"] = {
        "alpha_D": p["alpha_D"],
        "coefficients": "dense",
        "level": lv,
        "level_low": lo,
        "networks": p["learning_samples"],
        "theory": alpha_l_theory,
        "Ns": [int(v) for v in r.learning_Ns],
        "D": [_D(N_, p["alpha_D"]) for N_ in r.learning_Ns],
        "transitions": [_crossing(c) for c in r.learning_size],
    }

    jx = learning_extrapolation(p, r)
    S["learning_jumps"] = {
        "alpha_D": p["alpha_D"],
        "coefficients": "dense",
        "level": lv,
        "level_low": lo,
        "window": [float(r.learning_theory * x) for x in LEARNING_JUMP_RANGE],
        "networks": p["learning_jump_networks"],
        "starts_per_network": p["learning_jump_starts"],
        "per_N": jx["per_N"],
        "nu": LEARNING_NU,
        "nu_alternative": LEARNING_NU_ALT,
        "alpha_inf": jx["mean"],
        "stat": jx["sem"],
        "alpha_inf_alternative": jx["alt"],
        "systematic_from_the_two_forms": jx["sys"],
        "chi2": jx["chi2"],
        "dof": jx["dof"],
        "evaluations": [int(j["evaluations"]) for j in r.learning_jumps],
        "theory": alpha_l_theory,
    }
    big = r.storage_rows[r.storage_rows[:, 2] == max(r.storage_Ns)]
    st = r.stationarity
    gaps = [c[lv]["mean"] / alpha_l_theory - 1 for c in r.learning_size]
    r.glue.update(
        alpha_D=_md(f"{p['alpha_D']:g}"),
        level=_md(f"{lv:g}"),
        level_low=_md(f"{lo:g}"),
        N=_md(f"{p['N']}"),
        N_phase=_md(f"{p['N_phase']}"),
        learning_samples=_md(f"{p['learning_samples']}"),
        storage_samples=_md(f"{p['storage_samples']}"),
        field_samples=_md(f"{p['field_samples']}"),
        gamma_storage=_md(f"{f['storage']['exponent']:.3f}"),
        gamma_storage_published=_md(f"{f['storage_published']['exponent']:.3f}"),
        gamma_learning=_md(f"{f['learning']['exponent']:.3f}"),
        storage_alpha_T0=_md(f"{storage_aT0:.3f}"),
        published_ratio_002=_md(f"{pub_ratio[0.02]:.1f}"),
        published_ratio_05=_md(f"{pub_ratio[0.5]:.2f}"),
        storage_at_30=_md(f"{storage_at_30:.4f}"),
        learning_slope=_md(f"{learning_slope:.2f}"),
        learning_far=_md(f"{learning_far:.4f}"),
        learning_theory=_md(f"{alpha_l_theory:.4f}"),
        learning_theory_alpha_T=_md(f"{alpha_l_theory / p['alpha_D']:.1f}"),
        storage_N_max=_md(f"{max(r.storage_Ns)}"),
        storage_sim_ratio_bigN=_md(f"{np.nanmean(big[:, 3] / big[:, 5]):.2f}"),
        storage_sim_ratio_bigN_published=_md(f"{np.nanmean(big[:, 3] / big[:, 6]):.2f}"),
        kappa1_quadrature=_md(f"{r.extra['kappa']['kappa1']:.6f}"),
        kappa_s2_quadrature=_md(f"{r.extra['kappa']['kappa_s2']:.6f}"),
        m_feature_at_learning=_md(f"{float(rf.mixture_spinodal(1, [alpha_l_theory]).m_exists[0]):.2f}"),
        stationary_worst=_md(_sci(max(st["storage"].max(), st["storage_published"].max()))),
        stationary_contrast=_md(_sci(st["contrast"])),
        learning_gaps=_md(", ".join(f"{100 * g:+.0f}\\,\\%" for g in gaps) + "\\text{ at }N="
                          + ", ".join(str(n) for n in r.learning_Ns)),
        field_var_ratio=Markdown_("not measured"),
        field_var_ratio_published=Markdown_("not measured"),
        field_mean_ratio=Markdown_("not measured"),
        learning_jump_networks=_md(f"{p['learning_jump_networks']}"),
        learning_jump_starts=_md(f"{p['learning_jump_starts']}"),
        learning_jump_per_N=Markdown_(", ".join(f"${_pm_tex(x['mean'], x['sem'])}$" for x in jx["per_N"]) + " at $N=$ "
                                      + ", ".join(str(x["N"]) for x in jx["per_N"])),
        learning_jump_inf=_pm(jx["mean"], jx["sem"]),
        learning_jump_alt=_md(f"{jx['alt']:.4f}"),
        learning_jump_sys=_md(f"{100 * jx['sys'] / abs(jx['mean']):.1f}\\,\\%" if np.isfinite(jx["sys"]) else "n/a"),
        learning_jump_chi2=_md(f"{jx['chi2']:.1f}"),
        learning_jump_dof=_md(f"{jx['dof']}"),
        learning_jump_sd=_md(", ".join(f"{x['sd_start']:.3f}" for x in jx["per_N"])),
        learning_jump_sharp=_md(", ".join(f"{100 * x['sharp']:.0f}\\,\\%" for x in jx["per_N"])),
        learning_jump_censored=_md(f"{sum(x['censored'] for x in jx['per_N'])}"),
        learning_jump_read=_md(f"{sum(x['starts'] for x in jx['per_N'])}"),
        learning_L1_alpha_T=Markdown_("not measured"),
        learning_dense_alpha_T=Markdown_("not measured"),
    )


def _sci(x):
    """x in TeX scientific notation, two digits."""
    if not np.isfinite(x) or x == 0:
        return f"{x:g}"
    e = int(np.floor(np.log10(abs(x))))
    return f"{x / 10**e:.1f}\\times10^{{{e}}}"


# ------------------------------------------------------------------ verdicts

#: Multipliers of the verdicts' errors, fixed before the run (Bonferroni, two-sided 5 % family-wise):
#: four learning verdicts at paper scale (alpha_D = 0.005, 0.01, 0.02, 0.05), and eleven storage
#: verdicts (five dense alpha_D against each of the two lines, and the sparse scan).
Z_LEARNING = 2.5
Z_STORAGE = 2.85
#: Resolutions aimed for at paper scale. The headline learning load (alpha_D = 0.01) aims for 3 %, as every
#: headline verdict of the book. It is read from each feature start's jump, bisected to one example in
#: nested networks (16 networks x 20 features at N = 1500, 3000, 6000), extrapolated in 1/N: a run of those
#: readings alone reached 13 % (33 % for the earlier midpoint reading at N = 6000), the distance between
#: the 1/N and N^-2/3 extrapolations (3.4 % of the load) dominating: the aim is not met at the paper's
#: sizes. The other learning loads (N_phase = 3000) aim
#: for 40 %, the storage loads extrapolated to N -> infinity, whose errors the extrapolation from
#: three sizes amplifies about fourfold, for 50 %. A run of the paper-size storage scans at alpha_D = 0.02
#: alone reached 5.8 % (0.4 sigma from the corrected line, 238 sigma from the published one); the sparse
#: L = 3 scan at alpha_D = 0.005 still falls steeply at N = 8000 and extrapolates below zero there.
AIM_LEARNING_HEADLINE = 0.03
AIM_LEARNING = 0.4
AIM_STORAGE = 0.5
#: The two field verdicts (corrected and published law), 5 % family-wise; they aim for 10 %.
Z_FIELD = 2.24
AIM_FIELD = 0.1
MIN_NETWORKS = 5  # a simulated transition needs at least five networks for a standard error


def _midpoint(hi, lo):
    """The transition read between the two levels, network by network: its mean, standard error and
    half the mean distance between the two readings (the rounding of the jump at this N), with the
    number of networks read at both levels."""
    v_hi, v_lo = np.asarray(hi["values"], float), np.asarray(lo["values"], float)
    ok = np.isfinite(v_hi) & np.isfinite(v_lo)
    if ok.sum() < MIN_NETWORKS:
        return dict(mean=float("nan"), sem=float("nan"), half_width=float("nan"), sys=float("nan"), n=int(ok.sum()))
    mid, sem = mean_sem(0.5 * (v_hi[ok] + v_lo[ok]))
    half = float(np.mean(0.5 * (v_hi[ok] - v_lo[ok])))
    return dict(mean=float(mid), sem=float(sem), half_width=half, sys=half, n=int(ok.sum()))


#: Finite-size forms of the jump readings at alpha_D, fixed before the run. Each network's per-start
#: spinodal is shifted by a disorder of zero mean and variance ~ 1/N (the starts scatter as N^-1/2):
#: its mean moves only at second order, ~ 1/N, as do the 1/D corrections of D = alpha_D N features; so
#: a(N) = a_inf + b/N. The alternative, a(N) = a_inf + b N^-2/3 (the finite-size rounding of a
#: mean-field saddle-node), gives the systematic error: the distance between the two extrapolations.
LEARNING_NU = 1.0
LEARNING_NU_ALT = 2.0 / 3.0
#: A jump is sharp when its last bracket of one example goes from below level_low to at or above level:
#: then the reading does not depend on the level. The discontinuity is checked on at least this fraction.
SHARP_FRACTION = 0.9
CHI2_99 = (6.63, 9.21, 11.34, 13.28, 15.09)  # 99 % quantiles of chi^2 with 1..5 degrees of freedom


def jump_reading(jumps, level_low, level):
    """One N of the jump readings: per network the mean jump over its read starts (a network is the
    unit of the standard error), the mean over networks with its standard error, the scatter of single
    starts, the censored starts and the fraction of sharp jumps."""
    J = np.asarray(jumps["jump"], float)
    ok = np.isfinite(J)
    per_net = np.array([np.mean(row[f]) for row, f in zip(J, ok) if f.any()])
    n = len(per_net)
    mean, sem = mean_sem(per_net) if n >= MIN_NETWORKS else (float("nan"), float("nan"))
    sharp = (np.asarray(jumps["m_below"])[ok] < level_low) & (np.asarray(jumps["m_above"])[ok] >= level)
    above_at_lo = np.asarray(jumps["m_below"]) >= level  # censored starts: m at the window's two ends
    return dict(N=int(jumps["N"]), mean=float(mean), sem=float(sem), n=n, starts=int(ok.sum()),
                censored=int((~ok).sum()), censored_low=int((~ok & above_at_lo).sum()), sd_start=float(np.std(J[ok], ddof=1)) if ok.sum() > 1 else float("nan"),
                sharp=float(sharp.mean()) if ok.any() else float("nan"))


def learning_extrapolation(p, r):
    """The jump readings at alpha_D extrapolated to N -> infinity over learning_Ns: linear in N^-LEARNING_NU
    (weighted least squares, the standard error propagated), the systematic error the distance to the
    same fit in N^-LEARNING_NU_ALT, and the chi^2 of the primary fit (one degree of freedom per size beyond two)."""
    rows = [jump_reading(j, p["level_low"], p["level"]) for j in r.learning_jumps]
    use = [x for x in rows if np.isfinite(x["mean"]) and x["sem"] > 0]
    out = dict(per_N=rows, sizes=len(use), N=max((x["N"] for x in use), default=0),
               n=min((x["n"] for x in use), default=0))
    if len(use) < 2:
        return {**out, "mean": float("nan"), "sem": float("nan"), "sys": float("nan"), "alt": float("nan"),
                "chi2": float("nan"), "dof": 0, "slope": float("nan")}
    N_, a, e = (np.array([x[k] for x in use], float) for k in ("N", "mean", "sem"))
    a_inf, stat = extrapolate(N_, a, e, LEARNING_NU)
    alt, _ = extrapolate(N_, a, e, LEARNING_NU_ALT)
    X = np.column_stack([np.ones_like(N_), N_ ** -LEARNING_NU])
    coef = np.linalg.lstsq(X / e[:, None], a / e, rcond=None)[0]
    chi2 = float(np.sum(((a - X @ coef) / e) ** 2))
    return {**out, "mean": a_inf, "sem": stat, "sys": abs(a_inf - alt), "alt": alt, "chi2": chi2, "dof": len(use) - 2,
            "slope": float(coef[1])}


def learning_points(p, r):
    """alpha_D -> the simulated learning transition used by its verdict: at alpha_D the per-start jumps
    over learning_Ns extrapolated to N -> infinity (``learning_extrapolation``), elsewhere the fine scan at
    N_phase read between level_low and level. Each with mean, sem, sys (systematic), N and networks n."""
    lv, lo = p["level"], p["level_low"]
    x = learning_extrapolation(p, r)
    out = {float(p["alpha_D"]): dict(N=x["N"], mean=x["mean"], sem=x["sem"], sys=x["sys"], n=x["n"])}
    for aD, sc in r.phase_scans.items():
        out[float(aD)] = dict(N=int(sc["N"]), **_midpoint(sc["crossings"][lv], sc["crossings"][lo]))
    return dict(sorted(out.items()))


def storage_extrapolations(r):
    """Per storage scan (kind, L, alpha_D): the N -> infinity load from the sizes with at least
    MIN_NETWORKS crossings, linear in N^-1/2, with its propagated standard error and, as a systematic
    error, the distance to the same extrapolation linear in 1/N (both are plausible finite-size forms)."""
    out = []
    for c, (kind, L_, aD) in enumerate(r.scans):
        sel = _scan_rows(r, c)
        ok = np.isfinite(sel[:, 3]) & (sel[:, 7] >= MIN_NETWORKS) & (sel[:, 4] > 0)
        rec = dict(kind=kind, L=L_, alpha_D=float(aD), sizes=int(ok.sum()))
        if ok.sum() >= 2:
            a_half, e_half = extrapolate(sel[ok, 2], sel[ok, 3], sel[ok, 4], 0.5)
            a_one, _ = extrapolate(sel[ok, 2], sel[ok, 3], sel[ok, 4], 1.0)
            rec.update(alpha_inf=a_half, stat=e_half, sys=abs(a_half - a_one), alpha_inf_1_over_N=a_one)
        else:
            rec.update(alpha_inf=float("nan"), stat=float("nan"), sys=0.0, alpha_inf_1_over_N=float("nan"))
        out.append(rec)
    return out


def _verdicts(p, r):
    """The chapter's verdicts: the learning line against the simulated learning transitions, the
    corrected storage line (the book's) and the published one (Negri et al.) against the storage
    transitions extrapolated to N -> infinity."""
    out = [
        verdict(f"learning_{aD:g}", paper="negri2023storage", item=f"learning line at α_D = {aD:g}",
                book=(c["mean"], c["sem"]), sys_err=c["sys"], reference=rf_theory.learning_alpha(aD),
                z=Z_LEARNING, aim=AIM_LEARNING_HEADLINE if aD == 0.01 else AIM_LEARNING, figure="fig-rfsl-phase",
                N=c["N"], networks=c["n"])
        for aD, c in learning_points(p, r).items()
    ]
    out += field_verdicts(r)
    for x in storage_extrapolations(r):
        tag = f"{x['alpha_D']:g}" + ("" if x["L"] is None else f"_L{x['L']}")
        out.append(verdict(
            f"storage_{tag}", paper="book", item=f"corrected storage line at α_D = {x['alpha_D']:g}"
            + ("" if x["L"] is None else f", sparse L = {x['L']}"), book=(x["alpha_inf"], x["stat"]), sys_err=x["sys"],
            reference=rf_theory.storage_line([x["alpha_D"]], L=x["L"])[0][0], z=Z_STORAGE, aim=AIM_STORAGE,
            figure="fig-rfsl-storage-N", sizes=x["sizes"]))
        if x["kind"] == "dense":
            out.append(verdict(
                f"storage_published_{tag}", paper="negri2023storage", item=f"storage line at α_D = {x['alpha_D']:g}",
                book=(x["alpha_inf"], x["stat"]), sys_err=x["sys"],
                reference=rf_theory.storage_line([x["alpha_D"]], variant="published")[0][0], z=Z_STORAGE,
                aim=AIM_STORAGE, figure="fig-rfsl-storage-N", sizes=x["sizes"]))
    return out


def _headline_glue(r):
    """The verdicts the abstract quotes, under names that do not depend on the run's alpha_D: the learning
    load at alpha_D = 0.01 (else the smallest simulated), and the storage comparisons at the smallest
    dense alpha_D of the scans."""
    from ..book.verdicts import glue_entries

    vs = {v.name: v for v in r.verdicts}
    learn = sorted((float(k[len("learning_"):]), k) for k in vs if k.startswith("learning_"))
    head = next((k for a, k in learn if a == 0.01), learn[0][1] if learn else None)
    dense = sorted((float(k[len("storage_published_"):]), k) for k in vs if k.startswith("storage_published_"))
    picks = {"head_learning": head}
    if dense:
        a, k = dense[0]
        picks.update(head_storage=f"storage_{a:g}", head_published=k)
    for alias, name in picks.items():
        if name is None:
            continue
        for key, value in glue_entries("x", [vs[name]]).items():
            r.glue[alias + key[len(f"x_verdict_{name}"):]] = value
        r.glue[alias + "_alpha_D"] = _md(name.rsplit("_", 1)[-1])


def field_verdicts(r):
    """The variance of the aligned field on a training example against the corrected one-step law (the
    book's) and against the published one: geometric means over the points where a network holds at
    least MIN_EXAMPLES_FIELDS examples, the error propagated from the points' standard errors."""
    rows = r.field_rows[r.field_enough] if r.field_enough is not None else np.zeros((0, 9))
    ok = (rows[:, 4] > 0) & (rows[:, 7] > 0) if rows.size else np.zeros(0, bool)
    rows = rows[ok]
    n = len(rows)
    book = float(np.exp(np.mean(np.log(rows[:, 4])))) if n else float("nan")
    err = book * float(np.sqrt(np.sum((rows[:, 7] / rows[:, 4]) ** 2))) / n if n else float("nan")
    out = []
    for name, variant, paper in (("field_variance", "coherent", "book"),
                                 ("field_variance_published", "published", "negri2023storage")):
        pred = [rf_theory.example_field_law(aT * aD, aD, variant)["var"] for aD, aT in rows[:, [0, 2]]]
        ref = float(np.exp(np.mean(np.log(pred)))) if n else float("nan")
        out.append(verdict(name, paper=paper, item="variance of the aligned field on a training example"
                           + (" (corrected equations)" if variant == "coherent" else " (published equations)"),
                           book=(book, err), reference=ref, z=Z_FIELD, aim=AIM_FIELD, figure="fig-rfsl-fields",
                           points=n))
    return out


def verdict_table(r, prefix):
    """Markdown table of the verdicts whose name starts with ``prefix`` (for the page)."""
    from ..book.verdicts import format_pm, format_value

    rows = ["| $\\alpha_D$ | simulation | theory | verdict | resolution |", "|---|---|---|---|---|"]
    for v in r.verdicts:
        if not v.name.startswith(prefix) or (prefix == "storage_" and v.name.startswith("storage_published")):
            continue
        aD = v.name[len(prefix):].replace("_L", ", $L=") + ("$" if "_L" in v.name[len(prefix):] else "")
        res = f"${100 * v.resolution:.0f}$ %" if np.isfinite(v.resolution) else "not measurable"
        rows.append(f"| {aD} | ${format_pm(v.book, v.book_err)}$ | ${format_value(v.reference, v.book_err or None)}$ "
                    f"| {v.phrase()} | {res} |")
    return "\n".join(rows)


# ------------------------------------------------------------------ claims (checks of the code and of the theory)


def _exponent_ok(f, target):
    """A fitted exponent within twice the drift of the local exponent across its window plus two
    standard errors of the fit (the size of the corrections to the pure power law there)."""
    tol = 2.0 * abs(f["drift"]) + 2.0 * (f["stderr"] or 0.0)
    return f["exponent"] is not None and abs(f["exponent"] - target) <= tol, dict(
        exponent=f["exponent"], target=target, tolerance=tol, drift=f["drift"], points=f["points"])


def _claims(p, r):
    C, L, f, x = r.claims, r.lines, r.fits, r.extra
    n_pts = sum(v.converged.size for v in L.values())
    n_ok = sum(int(v.converged.sum()) for v in L.values())
    C["lines_converged"] = claim(n_ok == n_pts, "Every point of the theory lines converged.", finding=False,
                                 converged=n_ok, points=n_pts)
    st = r.stationarity
    worst = float(max(st["storage"].max(), st["storage_published"].max()))
    C["storage_stationary"] = claim(
        worst <= FD_TOLERANCE and st["contrast"] > 100 * FD_TOLERANCE,
        "Every solution along both storage lines is a stationary point of its free energy; the published "
        "solution is not one of the corrected free energy.", finding=False,
        largest_scaled_gradient=worst, tolerance=FD_TOLERANCE, contrast_gradient=st["contrast"])
    for name, key, target, text in (
        ("storage_linear", "storage", 1.0, "The corrected storage line is linear at small alpha_D."),
        ("published_square_root", "storage_published", 0.5, "The published storage line vanishes as alpha_D^1/2."),
        ("learning_linear", "learning", 1.0, "The learning line is linear at small alpha_D."),
    ):
        ok, ev = _exponent_ok(f[key], target)
        # the solver's lines against their derived small-alpha_D scalings: checks of the theory code
        C[name] = claim(ok, text, finding=False, **ev)
    deficit = (CLASSICAL_ALPHA_C - x["storage_at_30"]) / CLASSICAL_ALPHA_C
    tol = KAPPA1_4 / float(L["storage"].alpha_D_c[-1])
    C["classical_limits"] = claim(
        abs(deficit) <= tol, "The storage line at alpha_D = 30 is within the first-order crosstalk correction of 0.138.",
        finding=False, storage_at_30=x["storage_at_30"], relative_deficit=deficit, tolerance=tol,
        learning_at_alpha_1000=x["learning_far"])
    _field_claims(p, r)
    _storage_claims(p, r)
    _learning_claims(p, r)


def _field_claims(p, r):
    C, R = r.claims, r.field_ratios
    n = int(R["coherent"].size)
    if n == 0:
        C["field_variance"] = claim(False, "No field point has enough examples to compare.", points=0)
        return
    rv, ev = float(np.mean(R["coherent"])), float(np.sqrt(np.sum(R["coherent_err"] ** 2)) / n)
    rp, ep = float(np.mean(R["published"])), float(np.sqrt(np.sum(R["published_err"] ** 2)) / n)
    C["field_variance"] = claim(
        abs(rv - 1) <= 2 * ev and rp - 1 > 2 * ep,
        "The measured variance of the aligned field is the corrected prediction, not the published one (the "
        "verdicts field_variance and field_variance_published test it).", finding=False,
        ratio_coherent=rv, ratio_coherent_sem=ev, ratio_published=rp, ratio_published_sem=ep, points=n)
    rm, em = float(np.mean(R["coherent_mean"])), float(np.sqrt(np.sum(R["coherent_mean_err"] ** 2)) / n)
    rm_p, em_p = float(np.mean(R["published_mean"])), float(np.sqrt(np.sum(R["published_mean_err"] ** 2)) / n)
    C["field_mean"] = claim(
        abs(rm - 1) <= 2 * em and (rm_p - 1) > 2 * em_p, "The mean aligned field carries the coherent signal.",
        finding=False,
        ratio_coherent=rm, ratio_coherent_sem=em, ratio_published=rm_p, ratio_published_sem=em_p)
    r.glue.update(field_var_ratio=_pm(rv, ev), field_var_ratio_published=_pm(rp, ep), field_mean_ratio=_pm(rm, em))


def _storage_claims(p, r):
    C, rows = r.claims, r.storage_rows
    a_sim, sem, a_pub = rows[:, 3], np.nan_to_num(rows[:, 4]), rows[:, 6]
    below = np.isfinite(a_sim) & (a_sim + 2 * sem < a_pub)
    C["storage_published_out_of_reach"] = claim(
        bool(below.all()), "At every N and every scanned alpha_D the simulated storage transition lies below the "
        "published line by more than two standard errors.", finding=False,  # the storage_published verdicts decide
        ratio_to_published=(a_sim / a_pub).tolist())
    vs = {v.name: v for v in r.verdicts}
    corr = [v for k, v in vs.items() if k.startswith("storage_") and not k.startswith("storage_published")]
    pub = [v for k, v in vs.items() if k.startswith("storage_published")]
    C["storage_extrapolation"] = claim(
        all(v.holds for v in corr) and not any(v.holds for v in pub),
        "Extrapolated to N -> infinity, every storage scan agrees with the corrected line and none with the "
        "published one (the verdicts storage_* and storage_published_*).", finding=False,
        corrected_holds={v.name: v.holds for v in corr}, published_holds={v.name: v.holds for v in pub})


def _learning_claims(p, r):
    C, th, lv, lo = r.claims, float(r.extra["alpha_l_theory"]), p["level"], p["level_low"]
    T = r.learning_transitions
    vals = [(L_, T[lab][lv]) for kind, L_, lab in r.learning_families
            if (kind == "dense" or L_ >= 3) and np.isfinite(T[lab][lv]["mean"])]
    if len(vals) >= 2 and all(np.isfinite(c["sem"]) for _, c in vals):
        means = np.array([c["mean"] for _, c in vals])
        i, j = int(np.argmax(means)), int(np.argmin(means))
        spread = float(means[i] - means[j])
        z = spread / float(np.hypot(vals[i][1]["sem"], vals[j][1]["sem"]))
        C["learning_vs_L"] = claim(
            z <= 2, "The learning transition depends on L within the noise (L >= 3 and dense).", finding=False,
            families={str(L_ or "dense"): [c["mean"], c["sem"], c["n"]] for L_, c in vals}, spread=spread,
            spread_over_theory=spread / th, spread_in_sems=z, tolerance_in_sems=2)
        r.glue.update(learning_L_spread=_md(f"{100 * spread / th:.0f}\\,\\%"), learning_L_z=_md(f"{z:.1f}"),
                      learning_L_phrase=Markdown_("within the two that noise allows" if z <= 2
                                                  else "more than the two that noise allows"))
    else:
        C["learning_vs_L"] = claim(False, "Too few learning transitions to measure the dependence on L.",
                                   finding=False, families=len(vals))
        r.glue.update(learning_L_spread=Markdown_("not measured"), learning_L_z=Markdown_("not measured"),
                      learning_L_phrase=Markdown_("too few families were read"))
    one, dense = T.get("L1", {}).get(lv), T["dense"][lv]
    if one is not None and np.isfinite(one["mean"]) and np.isfinite(dense["mean"]):
        comb = float(np.hypot(np.nan_to_num(one["sem"]), np.nan_to_num(dense["sem"])))
        C["learning_L1"] = claim(bool(comb > 0 and one["mean"] + 2 * comb < dense["mean"]),
                                 "With L = 1 the features are learned much earlier than with dense coefficients.",
                                 finding=False, alpha_L1=_triple(one), alpha_dense=_triple(dense))
        r.glue.update(learning_L1_alpha_T=_md(f"{one['mean'] / p['alpha_D']:.1f}"),
                      learning_dense_alpha_T=_md(f"{dense['mean'] / p['alpha_D']:.1f}"))
    rows = []
    for N_, c in zip(r.learning_Ns, r.learning_size):
        rows.append(dict(N=int(N_), D=_D(N_, p["alpha_D"]), high=_triple(c[lv]), low=_triple(c[lo]),
                         gap_high=c[lv]["mean"] / th - 1))
    C["learning_gap_N"] = claim(
        abs(rows[-1]["gap_high"]) < abs(rows[0]["gap_high"]),
        "The gap of the dense learning transition to the theory is smaller at the largest N than at the smallest.",
        finding=False, per_N=rows, alpha_theory=th)
    jx = learning_extrapolation(p, r)
    sharp = [x["sharp"] for x in jx["per_N"]]
    C["learning_jump_sharp"] = claim(
        bool(sharp) and all(np.isfinite(v) and v >= SHARP_FRACTION for v in sharp),
        f"At every N, at least {SHARP_FRACTION:.0%} of the feature starts jump within one example from below "
        "level_low to at or above level: the transition is discontinuous, its reading independent of the level.",
        finding=False, sharp_fraction=sharp, censored=[x["censored"] for x in jx["per_N"]])
    C["learning_jump_form"] = claim(
        bool(jx["dof"] >= 1 and jx["chi2"] <= CHI2_99[min(jx["dof"], len(CHI2_99)) - 1]),
        "The mean jumps over learning_Ns are consistent with the 1/N finite-size form (chi^2 below its 99 % "
        "quantile).", finding=False, chi2=jx["chi2"], dof=jx["dof"], alpha_inf=jx["mean"], alpha_inf_alt=jx["alt"])
    pt = r.sim_points.get("dense", {}).get("storage")
    if pt is not None:
        coh = float(rf_theory.storage_line([p["alpha_D"]])[0][0])
        pub = float(rf_theory.storage_line([p["alpha_D"]], variant="published")[0][0])
        a = pt["mean"]
        C["storage_at_alpha_D"] = claim(
            bool(np.isfinite(a) and abs(np.log(a / coh)) < abs(np.log(a / pub))),
            "On the coarse grid the storage transition at alpha_D is closer to the corrected line than to the "
            "published one.", finding=False, alpha_sim=a, sem=pt["sem"], alpha_coherent=coh, alpha_published=pub)


def _md(tex):
    """A glued value in math mode."""
    return Markdown_(f"${tex}$")


def _pm_tex(x, e):
    from ..book.verdicts import format_pm

    return format_pm(x, e)


def _pm(x, e):
    return _md(_pm_tex(x, e))


def Markdown_(text):  # noqa: N802  (IPython's Markdown, imported only when a result is built)
    from IPython.display import Markdown

    return Markdown(text)


def extrapolate(N, a, sem, nu):
    """Weighted least-squares line a(N) = a_inf + b N^-nu through the simulated transitions (exact
    through two points); returns (a_inf, its standard error) propagated from the points' errors."""
    N, a, sem = (np.asarray(v, float) for v in (N, a, sem))
    x = N ** (-nu)
    w = 1.0 / sem**2
    X = np.column_stack([np.ones_like(x), x])
    cov = np.linalg.inv(X.T @ (w[:, None] * X))
    coef = cov @ X.T @ (w * a)
    return float(coef[0]), float(np.sqrt(cov[0, 0]))



# ------------------------------------------------------------------ figures


def _ok_feature(br):
    return br.converged & (br.x[:, 6] > 0.05)


def _ok_storage(br):
    return br.converged & (br.x[:, 6] > 0.5)


def _figure_data(p, r):
    fb, sb, sp = r.branches["feature"], r.branches["storage"], r.branches["storage_published"]
    r.figure_data["fig-rfsl-magnetizations"] = dict(
        alphas=r.alphas,
        curves=np.array([lab for *_, lab in r.curves]),
        feature=r.mag_feature,
        train=r.mag_train,
        theory_alpha=fb.control,
        theory_feature_m=np.where(_ok_feature(fb), fb.x[:, 6], np.nan),
        theory_train_m=np.where(_ok_storage(sb), sb.x[:, 6], np.nan),
        theory_train_m_published=np.where(_ok_storage(sp), sp.x[:, 6], np.nan),
    )
    r.figure_data["fig-rfsl-fields"] = dict(
        rows=r.field_rows,
        columns=np.array(["alpha_D", "N", "alpha_T", "mean", "var", "error", "mean_sem", "var_sem", "error_sem"]),
    )
    r.figure_data["fig-rfsl-storage-N"] = dict(
        rows=r.storage_rows,
        columns=np.array(["alpha_D", "L", "N", "alpha_sim", "alpha_sim_sem", "alpha_coherent", "alpha_published"]),
        loads=r.storage_loads,
        m_train=r.storage_m,
        storage_Ns=np.array(r.storage_Ns),
    )
    L = r.lines
    r.figure_data["fig-rfsl-phase"] = dict(
        storage_alpha_D=L["storage"].alpha_D_c,
        storage_alpha=L["storage"].alpha_c,
        storage_published_alpha_D=L["storage_published"].alpha_D_c,
        storage_published_alpha=L["storage_published"].alpha_c,
        learning_alpha_D=L["learning"].alpha_D_c,
        learning_alpha=L["learning"].alpha_c,
        learning_far_alpha_D=L["learning_far"].alpha_D_c,
        learning_far_alpha=L["learning_far"].alpha_c,
        storage_small_alpha_D=L["storage_small"].alpha_D_c,
        storage_small_alpha=L["storage_small"].alpha_c,
        sim_alpha_D=np.array(r.phase_alpha_Ds),
        sim_learning=np.array([_triple(c) for c in r.phase_learning]),
        sim_storage=np.array([_triple(c) for c in r.phase_storage]),
    )
    lv, lo = p["level"], p["level_low"]
    jx = learning_extrapolation(p, r)
    T = r.learning_transitions
    sparse = [(L_, lab) for kind, L_, lab in r.learning_families if kind == "sparse"]
    r.figure_data["fig-rfsl-learning-vs-L"] = dict(
        L=np.array([L_ for L_, _ in sparse]),
        learning=np.array([_triple(T[lab][lv]) for _, lab in sparse]).reshape(-1, 3),
        learning_low=np.array([_triple(T[lab][lo]) for _, lab in sparse]).reshape(-1, 3),
        dense=np.array(_triple(T["dense"][lv])),
        dense_low=np.array(_triple(T["dense"][lo])),
        theory=r.extra["alpha_l_theory"],
        levels=np.array([lv, lo]),
        loads=r.learning_loads,
        families=np.array([lab for *_, lab in r.learning_families]),
        m_feature=r.learning_m,
        Ns=np.array(r.learning_Ns),
        size_m_feature=r.learning_size_m,
        size_transitions=np.array([[_triple(c[lv]), _triple(c[lo])] for c in r.learning_size]).reshape(-1, 2, 3),
        jump_transitions=np.array([[x["N"], x["mean"], x["sem"]] for x in jx["per_N"]]).reshape(-1, 3),
        jump_alpha_inf=np.array([jx["mean"], jx["sem"], jx["sys"], jx["alt"]]),
    )


def _axes(ax, n, **kw):
    from ..book import style

    if ax is None:
        fig, ax = style.figure(nrows=n, **kw)
    else:
        fig = np.atleast_1d(ax)[0].figure
    return fig, np.atleast_1d(ax)


def _decade_ticks(ax, axis="x"):
    """Labels at powers of ten only, for log axes spanning many decades."""
    from matplotlib.ticker import LogLocator, NullFormatter

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(LogLocator(base=10, numticks=12))
    target.set_minor_locator(LogLocator(base=10, subs=np.arange(2, 10), numticks=12))
    target.set_minor_formatter(NullFormatter())


def _plain_log(ax, axis="x"):
    """Log axis over a decade or two: ticks at 1, 2, 5 x 10^k labelled as plain numbers."""
    from matplotlib.ticker import FuncFormatter

    from ..book import style

    style.log_ticks(ax, axis)
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


def figure_magnetizations(r: Result, ax=None):
    """Magnetization of the fixed point from a feature (left) and a training example (right) against alpha."""
    from ..book import style
    from ..theory import random_features as rf

    fig, axes = _axes(ax, 2, width=7.2, height=7.6, sharex=True)
    p = r.params
    fb, sb, sp = r.branches["feature"], r.branches["storage"], r.branches["storage_published"]
    for j, (key, data) in enumerate((("feature", r.mag_feature), ("train", r.mag_train))):
        a = axes[j]
        for c, (kind, L_, _lab) in enumerate(r.curves):
            m, e = mean_sem(data[c], axis=1)
            style.points(
                a, r.alphas, m, e, color=f"C{c}", line=False, label="dense" if kind == "dense" else f"sparse, $L={L_}$"
            )
        if key == "feature":
            ok = _ok_feature(fb)
            style.line(a, fb.control[ok], fb.x[ok, 6], color="k", label="RS theory (dense)")
            a.axvline(r.extra["alpha_l_theory"], color="k", ls=":", lw=1)
        else:
            # each branch drawn up to the end of its storage line (not the solutions that reappear beyond)
            a_c = rf.storage_line([p["alpha_D"]])[0][0]
            a_p = rf.storage_line([p["alpha_D"]], variant="published")[0][0]
            ok, okp = _ok_storage(sb) & (sb.control <= a_c), _ok_storage(sp) & (sp.control <= a_p)
            style.line(a, sb.control[ok], sb.x[ok, 6], color="k", label="RS, one example (corrected)")
            style.line(a, sp.control[okp], sp.x[okp, 6], color="k", ls="--", lw=1, label="RS, one example (published)")
            a.axvline(a_c, color="k", ls=":", lw=1)
            a.axvline(a_p, color="0.5", ls=":", lw=1)
        a.axhline(p["level"], color="0.6", ls="--", lw=0.8)
        a.set(
            xscale="log",
            ylabel=r"$m=s^*\cdot s^0/N$",
            ylim=(-0.05, 1.05),
            title=("started at a feature $f^k$" if key == "feature" else r"started at a training example $\xi^\mu$"),
        )
        _decade_ticks(a)
        style.legend_outside(a, "right")
    axes[1].set_xlabel(r"$\alpha=P/N$")
    return fig


def figure_fields(r: Result, ax=None):
    """Mean, variance and misaligned fraction of the aligned field on training examples against alpha_T."""
    from ..book import style
    from ..theory import random_features as rf

    fig, axes = _axes(ax, 3, width=7.2, height=9.6, sharex=True)
    rows = r.field_rows
    aT_line = np.geomspace(min(r.field_alpha_Ts) / 1.5, max(r.field_alpha_Ts) * 1.5, 60)
    for c, aD in enumerate(r.field_alpha_Ds):
        law = {v: [rf.example_field_law(aT * aD, aD, v) for aT in aT_line] for v in rf.STORAGE_VARIANTS}
        for j, key in enumerate(("mean", "var", "error")):
            style.line(
                axes[j],
                aT_line,
                [x[key] for x in law["coherent"]],
                color=f"C{c}",
                label=rf"$\alpha_D={aD}$, corrected" if j == 0 else None,
            )
            style.line(
                axes[j],
                aT_line,
                [x[key] for x in law["published"]],
                color=f"C{c}",
                ls="--",
                lw=1,
                label=rf"$\alpha_D={aD}$, published" if j == 0 else None,
            )
        for k, N_ in enumerate(r.field_Ns):
            sel = rows[(rows[:, 0] == aD) & (rows[:, 1] == N_)]
            mk, mfc = "os^D"[k % 4], ("w" if k else None)
            for j in range(2):
                style.points(
                    axes[j],
                    sel[:, 2],
                    sel[:, 3 + j],
                    sel[:, 6 + j],
                    color=f"C{c}",
                    marker=mk,
                    line=False,
                    mfc=mfc,
                    label=f"$N={N_}$" if (j == 0 and c == 0) else None,
                )
            # misaligned fraction: a probability over all sites of the measured examples (Wilson interval);
            # where no spin is misaligned, a downward triangle at the interval's upper end
            P = np.maximum(1, np.round(np.round(sel[:, 2] * aD, 10) * N_))
            n = N_ * np.minimum(4, P) * 2
            lo, hi = wilson_interval(np.round(sel[:, 5] * n), n)
            nz = sel[:, 5] > 0
            style.points(
                axes[2],
                sel[nz, 2],
                sel[nz, 5],
                None,
                yerr_asym=(lo[nz], hi[nz]),
                color=f"C{c}",
                marker=mk,
                line=False,
                mfc=mfc,
            )
            if (~nz).any():
                axes[2].plot(sel[~nz, 2], hi[~nz], "v", color=f"C{c}", mfc=mfc or f"C{c}", ls="none")
    axes[0].set(xscale="log", ylabel=r"mean of $\xi^1_ih_i$")
    axes[1].set(xscale="log", yscale="log", ylabel=r"variance of $\xi^1_ih_i$")
    axes[2].set(
        xscale="log", yscale="log", xlabel=r"$\alpha_T=P/D$", ylabel=r"fraction with $\xi^1_ih_i<0$", ylim=(1e-6, 0.3)
    )
    for a in axes:
        _plain_log(a, "x")
    _plain_log(axes[1], "y")
    _decade_ticks(axes[2], "y")
    h, lab = axes[0].get_legend_handles_labels()
    fig.legend(h, lab, loc="outside lower center", ncols=3)
    return fig


def figure_storage_N(r: Result, ax=None):
    """Simulated storage transitions over the corrected line against N (left); m from a training example (right)."""
    from ..book import style
    from ..theory import random_features as rf

    fig, axes = _axes(ax, 2, width=7.2, height=8.4)
    a = axes[0]
    for c, (_kind, L_, aD) in enumerate(r.scans):
        sel = _scan_rows(r, c)
        lab = rf"$\alpha_D={aD}$" + ("" if L_ is None else f", sparse $L={L_}$")
        style.points(a, sel[:, 2], sel[:, 3] / sel[:, 5], sel[:, 4] / sel[:, 5], color=f"C{c}", label=lab)
        a.plot(sel[:, 2], sel[:, 6] / sel[:, 5], "x:", color=f"C{c}", ms=6)
    a.plot([], [], "x:", color="0.4", label="published line (same scale)")
    a.axhline(1.0, color="k", lw=1.5, label="corrected line")
    a.set(xscale="log", yscale="log", xlabel="$N$", ylabel=r"$\alpha_{\rm s}/\alpha_{\rm s}^{\rm corrected}$")
    _plain_log(a, "y")
    from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter

    a.xaxis.set_major_locator(FixedLocator(r.storage_Ns))  # a tick at every simulated size
    a.xaxis.set_major_formatter(ScalarFormatter())
    a.xaxis.set_minor_formatter(NullFormatter())
    style.legend_outside(a, where="below", ncols=2)
    a = axes[1]
    i0 = len([s for s in r.scans if s[0] == "dense"]) // 2
    aD0 = r.scans[i0][2]
    loads = r.storage_loads[i0]
    for k, N_ in enumerate(r.storage_Ns):
        m, e = mean_sem(r.storage_m[i0, k], axis=1)
        style.points(a, loads, m, e, color=f"C{k}", line=False, label=f"$N={N_}$")
    a_line = np.geomspace(loads[0], loads[-1], 60)
    for v, ls, name in (("coherent", "-", "corrected"), ("published", "--", "published")):
        br = rf.storage_branch(aD0, a_line, variant=v)
        ok = _ok_storage(br)
        style.line(
            a, br.control[ok], br.x[ok, 6], color="k", ls=ls, lw=1.5 if v == "coherent" else 1, label=f"RS, {name}"
        )
    a.axhline(r.params["level"], color="0.6", ls="--", lw=0.8)
    a.set(xscale="log", xlabel=r"$\alpha$", ylabel=r"$m$ from a training example", title=rf"$\alpha_D={aD0}$")
    _plain_log(a, "x")
    style.legend_outside(a, where="below", ncols=2)
    return fig


def figure_phase(r: Result, ax=None):
    """The (alpha_D, alpha) plane: storage (corrected and published) and learning lines, simulated points."""
    from ..book import style

    fig, (ax,) = _axes(ax, 1, width=7.2, height=6.2)
    L, f = r.lines, r.fits
    for key, ls, lw, col, lab in (
        ("storage", "-", 2, "C1", "storage line (RS, corrected)"),
        ("storage_published", "--", 1, "C1", "storage line (RS, published)"),
        ("learning", "-", 2, "C0", "learning line (RS)"),
        ("learning_far", ":", 1, "C0", r"learning line, $\alpha>1$"),
        ("storage_small", ":", 1, "C1", None),
        ("storage_small_published", ":", 0.8, "C1", None),
    ):
        ok = L[key].converged
        style.line(ax, L[key].alpha_D_c[ok], L[key].alpha_c[ok], color=col, ls=ls, lw=lw, label=lab)
    xs = np.geomspace(1e-4, 2e-3, 10)
    g = f["storage"]
    style.line(
        ax,
        xs,
        g["prefactor"] * xs ** g["exponent"],
        color="C3",
        ls="-.",
        lw=0.8,
        label=rf"fit $\propto\alpha_D^{{{g['exponent']:.2f}}}$",
    )
    xl = np.geomspace(1e-3, 5e-3, 10)
    g = f["learning"]
    style.line(
        ax,
        xl,
        g["prefactor"] * xl ** g["exponent"],
        color="C0",
        ls="--",
        lw=0.8,
        label=rf"fit $\propto\alpha_D^{{{g['exponent']:.2f}}}$",
    )
    ax.axhline(CLASSICAL_ALPHA_C, color="0.5", ls="-.", lw=0.8)
    ax.axvline(CLASSICAL_ALPHA_C, color="0.5", ls="-.", lw=0.8)
    ax.text(1.5, 0.15, r"classical $\alpha_c=0.138$", fontsize=8, color="0.4")
    ax.text(0.15, 300, r"$\alpha_D=0.138$", fontsize=8, color="0.4", rotation=90, va="top")
    aD = np.array(r.phase_alpha_Ds)
    lp = learning_points(r.params, r)
    style.points(
        ax,
        list(lp),
        [c["mean"] for c in lp.values()],
        [np.hypot(c["sem"], c["sys"]) for c in lp.values()],
        color="C0",
        marker="s",
        line=False,
        mfc="w",
        label="simulated learning",
    )
    style.points(
        ax,
        aD,
        [c["mean"] for c in r.phase_storage],
        [c["sem"] for c in r.phase_storage],
        color="C1",
        marker="o",
        line=False,
        mfc="w",
        label="simulated storage",
    )
    ax.set(
        xscale="log", yscale="log", xlabel=r"$\alpha_D=D/N$", ylabel=r"$\alpha=P/N$", xlim=(8e-5, 40), ylim=(4e-5, 1200)
    )
    ax.text(1e-3, 0.3, "learning:\nfeatures are\nattractors", fontsize=8, color="C0")
    ax.text(2, 0.01, "storage:\nexamples are\nattractors", fontsize=8, color="C1")
    _decade_ticks(ax, "x")
    _decade_ticks(ax, "y")
    style.legend_outside(ax, "below", ncols=2)
    return fig


def figure_learning_vs_L(r: Result, ax=None):
    """Learning scans: m from a feature against alpha per family (left), the learning load against L at the
    two reading levels (middle), the dense learning load against N at the two levels (right)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    from ..book import style

    fig, axes = _axes(ax, 3, width=7.2, height=11.5)
    p, T, th = r.params, r.learning_transitions, r.extra["alpha_l_theory"]
    lv, lo = p["level"], p["level_low"]
    a = axes[0]
    for c, (kind, L_, _lab) in enumerate(r.learning_families):
        m, e = mean_sem(r.learning_m[c], axis=1)
        style.points(a, r.learning_loads, m, e, color=f"C{c}", line=True, label="dense" if kind == "dense" else f"$L={L_}$")
    a.axvline(th, color="k", ls=":", lw=1, label="RS learning line")
    for v in (lv, lo):
        a.axhline(v, color="0.6", ls="--", lw=0.8)
    a.set(
        xscale="log",
        xlabel=r"$\alpha=P/N$",
        ylabel=r"$m$ from a feature",
        title=rf"$N={p['N_phase']}$, $\alpha_D={p['alpha_D']}$",
    )
    _decade_ticks(a)
    style.legend_outside(a, where="below", ncols=3)

    a = axes[1]
    sparse = [(L_, lab) for kind, L_, lab in r.learning_families if kind == "sparse"]
    x_dense = 3.0 * max([L_ for L_, _ in sparse] or [1])
    for j, (v, mk, mfc) in enumerate(((lv, "o", None), (lo, "s", "w"))):
        xs = [L_ for L_, _ in sparse] + [x_dense]
        cs = [T[lab][v] for _, lab in sparse] + [T["dense"][v]]
        ok = [k for k, c in enumerate(cs) if np.isfinite(c["mean"])]
        style.points(
            a,
            np.array(xs)[ok],
            [cs[k]["mean"] for k in ok],
            [np.nan_to_num(cs[k]["sem"]) for k in ok],
            color=f"C{j}",
            marker=mk,
            mfc=mfc,
            line=False,
            label=f"read at $m={v:g}$",
        )
    a.axhline(th, color="k", lw=1.5, label="RS theory (dense)")
    ticks = [L_ for L_, _ in sparse] + [x_dense]
    a.set(xscale="log", yscale="log", xlabel="$L$ (features per example)", ylabel=r"learning load $\alpha_{\rm l}$")
    a.xaxis.set_major_locator(FixedLocator(ticks))
    a.xaxis.set_major_formatter(FuncFormatter(lambda v, _: "dense" if abs(v - x_dense) < 1e-9 else f"{v:g}"))
    a.xaxis.set_minor_formatter(NullFormatter())
    a.set_xlim(min(ticks) / 1.6, x_dense * 1.6)
    _plain_log(a, "y")
    style.legend_outside(a, where="below", ncols=2)

    a = axes[2]
    Ns = np.array(r.learning_Ns, float)
    for j, (v, mk, mfc) in enumerate(((lv, "o", None), (lo, "s", "w"))):
        cs = [c[v] for c in r.learning_size]
        style.points(
            a,
            Ns,
            [c["mean"] for c in cs],
            [np.nan_to_num(c["sem"]) for c in cs],
            color=f"C{j}",
            marker=mk,
            mfc=mfc,
        )
    jx = learning_extrapolation(p, r)
    rows = [x for x in jx["per_N"] if np.isfinite(x["mean"])]
    style.points(a, [x["N"] for x in rows], [x["mean"] for x in rows], [x["sem"] for x in rows], color="C2",
                 marker="D", line=False, label="jumps of the feature starts")
    if np.isfinite(jx["mean"]):
        xs = np.geomspace(Ns[0] / 1.4, Ns[-1] * 1.4, 50)
        a.plot(xs, jx["mean"] + jx["slope"] / xs, color="C2", lw=0.8, ls="--")
        err = np.hypot(jx["sem"], jx["sys"])
        a.axhspan(jx["mean"] - err, jx["mean"] + err, color="C2", alpha=0.15, lw=0,
                  label=r"jumps extrapolated to $N\to\infty$")
    a.axhline(th, color="k", lw=1.5)
    a.legend(fontsize=7, loc="lower right")
    a.set(
        xscale="log",
        xlabel=r"$N$ (and $D=\alpha_D N$)",
        ylabel=r"learning load $\alpha_{\rm l}$",
        title=rf"dense, $\alpha_D={p['alpha_D']}$; same symbols as the panel above",
    )
    a.xaxis.set_major_locator(FixedLocator(Ns))
    a.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}\n($D={_D(int(round(v)), p['alpha_D'])}$)"))
    a.xaxis.set_minor_formatter(NullFormatter())
    a.set_xlim(Ns[0] / 1.4, Ns[-1] * 1.4)
    return fig
