"""Chapter: generalization to unseen examples in the random-features Hopfield model (Figs. 1, 2a, 2b
of Kalaj et al. 2024)."""

import numpy as np

from .. import validation as V
from ..book.spec import Chapter, Param

ALPHA_D_RANGE = (1e-4, 0.2)  # features must be learnable (learning line ends near alpha_D ~ 0.14)
_alpha = V.real(0.0, 20.0, lo_open=True)
_alpha_D = V.real(*ALPHA_D_RANGE)
_coef = V.choice("sparse", "dense", "dense_binary")


def _D(N, alpha_D):
    return max(1, int(round(alpha_D * N)))


def _check(p):
    D = _D(p["N"], p["alpha_D"])
    if p["L_train"] > D:
        V.fail("L_train", p["L_train"], f"an odd integer <= D = round(alpha_D N) = {D}")
    for k, L in enumerate(p["L_test"]):
        if L > D:
            V.fail(f"L_test[{k}]", L, f"an odd integer <= D = round(alpha_D N) = {D}")
    D_scan = _D(p["N_scan"], min(p["scan_alpha_Ds"]))
    for k, L in enumerate(p["scan_Ls"]):
        if L > D_scan:
            V.fail(f"scan_Ls[{k}]", L, f"an odd integer <= D = {D_scan} (N_scan times the smallest scan_alpha_Ds)")
    if min(p["lmax_Ls"]) > _D(p["N_scan"], max(p["lmax_alpha_Ds"])):
        V.fail("lmax_Ls", p["lmax_Ls"], "a list whose smallest entry fits in D for every lmax_alpha_Ds")
    for N in p["fs_Ns"]:
        if p["L_test"][0] > _D(N, p["alpha_D"]):
            V.fail("fs_Ns", p["fs_Ns"], f"sizes with round(alpha_D N) >= L_test[0] = {p['L_test'][0]}")
    limit = V.memory_limit_bytes()
    # example matrix (int8 N x P) plus the int32 overlaps of the parallel starts
    for name, N, a in (("N", p["N"], max(p["alphas"])), ("N_scan", p["N_scan"], max(max(p["scan_alphas"]), max(p["lmax_alphas"]))),
                    ("fs_Ns", max(p["fs_Ns"]), max(p["fs_alphas"]))):
        P = a * N
        V.memory_bytes(name, N, N * P + 4.0 * 64 * P + 8.0 * N * max(p["lmax_alpha_Ds"] + [p["alpha_D"]]) * N, limit)


SPEC = Chapter(
    name="rf_generalization",
    notebook="book/rf_generalization.ipynb",
    title="Generalization to unseen examples",
    seed=7001,
    minutes=(1.0, 7.0),
    cached="every (grid point, sample) of the four sweeps (Fig. 1, finite size, Figs. 2a, 2b) under the result cache (hopcore.experiments.random_features.rf_magnetizations)",
    params={
        # Fig. 1 (issue-mandated names)
        "N": Param(2000, V.integer(100, 100_000), paper=8000, doc="neurons of the Fig. 1 networks"),
        "alpha_D": Param(0.005, _alpha_D, doc="D/N of Fig. 1"),
        "alphas": Param(
            [round(a, 5) for a in np.geomspace(0.0005, 1.5, 16)], V.list_of(_alpha, increasing=True),
            # the paper's 41 loads per decade-and-a-half, continued down to 0.0005 so that the storage
            # phase of the sparse training examples is visible at N = 8000
            paper=[round(a, 5) for a in np.geomspace(0.0005, 1.5, 52)], doc="loads of Fig. 1",
        ),
        "L_train": Param(3, V.odd_integer(1, 100_001), doc="non-zero +-1 coefficients of each training example"),
        "L_test": Param([3, 5, 7], V.list_of(V.odd_integer(1, 100_001), increasing=True), doc="features per test example"),
        "coefficients": Param("sparse", _coef, doc="training coefficients of Fig. 1"),
        "n_samples": Param(2, V.integer(1, 10_000), paper=6, doc="networks per load in Fig. 1"),
        "n_test": Param(2, V.integer(1, 1000), paper=3, doc="test examples per L_test and network"),
        "max_sweeps": Param(200, V.integer(1, 100_000), doc="cap on asynchronous sweeps"),
        # Fig. 2a
        "N_scan": Param(2000, V.integer(100, 100_000), paper=3000, doc="neurons of the Fig. 2a/2b networks"),
        "scan_alpha_Ds": Param([0.005, 0.01], V.list_of(_alpha_D, increasing=True),
                               paper=[0.0025, 0.005, 0.01, 0.02], doc="alpha_D values of Fig. 2a"),
        "scan_Ls": Param([3, 5], V.list_of(V.odd_integer(1, 100_001), increasing=True), paper=[3, 5, 7],
                         doc="L = L_train = L_test of Fig. 2a"),
        "scan_alphas": Param([round(a, 4) for a in np.geomspace(0.02, 2.0, 10)], V.list_of(_alpha, increasing=True),
                             paper=[round(a, 4) for a in np.geomspace(0.01, 2.5, 10)], doc="loads of Fig. 2a"),
        "n_samples_scan": Param(1, V.integer(1, 10_000), paper=2, doc="networks per point in Figs. 2a, 2b"),
        # Fig. 2b
        "lmax_alpha_Ds": Param([0.005, 0.01, 0.02, 0.04], V.list_of(_alpha_D, increasing=True),
                               paper=[0.0025, 0.005, 0.01, 0.02, 0.04], doc="alpha_D values of Fig. 2b"),
        "lmax_Ls": Param([1, 3, 5, 7, 9, 11, 15, 19], V.list_of(V.odd_integer(1, 100_001), increasing=True),
                         paper=[1, 3, 5, 7, 9, 11, 13, 15, 19, 23, 27, 33], doc="candidate L of Fig. 2b"),
        "lmax_alphas": Param([1.0], V.list_of(_alpha, increasing=True), paper=[2.0],
                             doc="loads at which a generalization transition must have happened (top of the window)"),
        "lmax_coefficients": Param(["sparse", "dense"], V.list_of(_coef, max_len=3), doc="families compared in Fig. 2b"),
        "m_threshold": Param(0.9, V.real(0.0, 1.0, lo_open=True, hi_open=True), doc="magnetization counted as retrieval"),
        # finite size, readout and training family near the first generalization transition
        "fs_Ns": Param([1000, 2000], V.list_of(V.integer(100, 100_000), increasing=True), paper=[2000, 4000, 8000],
                       doc="network sizes compared near the first generalization transition"),
        "fs_alphas": Param([0.1, 0.2, 0.3, 0.5], V.list_of(_alpha, increasing=True),
                           paper=[0.12, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5], doc="loads of that comparison"),
        "fs_n_samples": Param(2, V.integer(1, 10_000), paper=3, doc="networks per point of that comparison"),
        "fs_n_test": Param(4, V.integer(1, 1000), doc="test examples and mixtures per network there"),
        "fs_max_sweeps": Param(1000, V.integer(1, 100_000), doc="sweep cap there (long, to see the time scale)"),
    },
    checks=(_check,),
    extra={
        "test": {
            "N": 400,
            "alpha_D": 0.02,
            "alphas": [0.1, 0.4, 0.8],
            "L_test": [3, 5],
            "n_samples": 1,
            "N_scan": 400,
            "scan_alpha_Ds": [0.02],
            "scan_Ls": [3],
            "scan_alphas": [0.1, 0.5, 1.0],
            "lmax_alpha_Ds": [0.02, 0.04],
            "lmax_Ls": [1, 3, 5],
            "fs_Ns": [400, 800],
            "fs_alphas": [0.2, 0.5],
            "fs_n_samples": 1,
            "fs_n_test": 2,
        }
    },
)
