"""Chapter: finite-N simulations of dense associative memories, extrapolated in 1/N."""

from .. import validation as V
from ..experiments.dense import check_alpha_N
from . import Chapter, Param


def _lists(p):
    for Ns, ns, name in (("Ns", "n_samples", "main"), ("Ns_gaussian", "n_samples_gaussian", "gaussian")):
        if len(p[ns]) != len(p[Ns]):
            V.fail(ns, p[ns], f"a list with one sample count per entry of {Ns} ({len(p[Ns])} values)")
        for N, n in zip(p[Ns], p[ns]):
            check_alpha_N(p["alpha"], N, passes=15 * n)
    for a in p["alphas_other"]:
        for N in p["Ns_other"]:
            check_alpha_N(a, N, passes=15 * p["n_samples_other"])
    check_alpha_N(p["alpha_basin"], p["N_basin"], passes=15 * p["n_samples_basin"] * len(p["lams_basin"]))
    if p["alpha"] >= 0.5:
        V.fail("alpha", p["alpha"], "below 1/2 (Gaussian patterns are never retrieved beyond alpha_1 = 1/2)")


_ints = V.list_of(V.integer(1, 10**5))
_Ns = V.list_of(V.integer(8, 400), min_len=3, increasing=True)

SPEC = Chapter(
    name="dense_simulations",
    notebook="book/dense_simulations.ipynb",
    title="Simulations at finite N and their extrapolation",
    seed=3103,
    minutes=(1.0, 12.0),
    cached="every realization under _build/cache/hopcore.experiments.dense.*",
    params={
        "alpha": Param(0.2, V.real(0.0, 2.0, lo_open=True), doc="main load alpha = log(P)/N"),
        "Ns": Param([20, 25, 30, 35], _Ns, paper=[20, 30, 40, 50, 60, 70, 80], doc="sizes, spherical patterns"),
        "n_samples": Param([12, 12, 12, 8], _ints, paper=[32, 32, 24, 16, 12, 8, 4], doc="realizations per N"),
        "Ns_gaussian": Param([20, 25, 30, 35], _Ns, paper=[20, 30, 40, 50, 60, 70], doc="sizes, Gaussian patterns"),
        "n_samples_gaussian": Param([16, 16, 16, 12], _ints, paper=[48, 48, 40, 32, 24, 12]),
        "alphas_other": Param([0.3], V.list_of(V.positive(2.0)), paper=[0.3, 0.4], doc="further loads (spherical)"),
        "Ns_other": Param([16, 20, 24, 28], _Ns, paper=[16, 20, 24, 28, 32], doc="sizes for the further loads"),
        "n_samples_other": Param(8, V.integer(1, 10**5), paper=16),
        "n_lams": Param(8, V.integer(3, 64), doc="lam values per N (a window that follows the transition)"),
        "eps": Param(0.05, V.real(0.0, 1.0, lo_open=True), doc="retrieved if |x - xi^1|^2/N < eps"),
        "tol": Param(1e-5, V.real(0.0, 1.0, lo_open=True), doc="converged if |x_{t+1} - x_t|^2/N < tol"),
        "max_iter": Param(40, V.integer(1, 10**4), doc="cap on the number of updates"),
        "N_basin": Param(30, V.integer(8, 400), paper=50, doc="size of the basin simulations"),
        "alpha_basin": Param(0.2, V.real(0.0, 2.0, lo_open=True)),
        "lams_basin": Param([0.5, 2.0], V.list_of(V.positive(1e3)), paper=[0.4, 0.6, 1.0, 3.0]),
        "n_thetas": Param(10, V.integer(2, 200), paper=16, doc="start angles per lam"),
        "n_samples_basin": Param(8, V.integer(1, 10**5), paper=24),
    },
    checks=(_lists,),
    extra={"test": {"Ns": [16, 20, 24], "n_samples": [4, 4, 4], "Ns_gaussian": [16, 20, 24],
                    "n_samples_gaussian": [4, 4, 4], "Ns_other": [12, 16, 20], "n_samples_other": 3,
                    "N_basin": 16, "lams_basin": [1.0], "n_thetas": 4, "n_samples_basin": 3}},
)
