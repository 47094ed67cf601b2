"""Chapter: finite-N simulations of dense associative memories, extrapolated in 1/N."""

from .. import validation as V
from ..experiments.dense import check_alpha_N
from ..book.spec import Chapter, Param


def _lists(p):
    for Ns, ns in (("Ns", "n_samples"), ("Ns_gaussian", "n_samples_gaussian")):
        if len(p[ns]) != len(p[Ns]):
            V.fail(ns, p[ns], f"a list with one sample count per entry of {Ns} ({len(p[Ns])} values)")
        for N, n in zip(p[Ns], p[ns]):
            check_alpha_N(p["alpha"], N, passes=30 * n)
    if len(p["Ns_other"]) != len(p["alphas_other"]):
        V.fail("Ns_other", p["Ns_other"], f"one list of sizes per entry of alphas_other ({len(p['alphas_other'])} lists)")
    for a, Ns in zip(p["alphas_other"], p["Ns_other"]):
        for N in Ns:
            check_alpha_N(a, N, passes=30 * p["n_samples_other"])
    check_alpha_N(p["alpha_basin"], p["N_basin"], passes=15 * p["n_samples_basin"] * len(p["lams_basin"]))
    check_alpha_N(p["alpha"], p["N_check"], passes=p["max_iter_check"] * p["n_check"])
    if p["alpha"] >= 0.5:
        V.fail("alpha", p["alpha"], "below 1/2 (Gaussian patterns are never retrieved beyond alpha_1 = 1/2)")
    if p["far"] < p["eps"]:
        V.fail("far", p["far"], f"at least eps = {p['eps']}")


_ints = V.list_of(V.integer(1, 10**5))
_Ns = V.list_of(V.integer(8, 400), min_len=3, increasing=True)

SPEC = Chapter(
    name="dense_simulations",
    notebook="book/dense_simulations.ipynb",
    title="Simulations at finite N and their extrapolation",
    seed=3103,
    minutes=(0.5, 3.0),
    cached="every realization under _build/cache/hopcore.experiments.dense.*",
    params={
        "alpha": Param(0.2, V.real(0.0, 2.0, lo_open=True), doc="main load alpha = log(P)/N"),
        "Ns": Param([20, 25, 30, 35, 40, 45], _Ns, paper=[20, 30, 40, 50, 60, 65, 70, 75], doc="sizes, spherical patterns"),
        "n_samples": Param([16, 16, 12, 8, 6, 4], _ints, paper=[32, 32, 24, 16, 8, 6, 4, 3], doc="realizations per N"),
        "Ns_gaussian": Param([20, 25, 30, 35, 40], _Ns, paper=[20, 30, 40, 50, 60], doc="sizes, Gaussian patterns"),
        "n_samples_gaussian": Param([24, 24, 16, 16, 16], _ints, paper=[64, 64, 48, 40, 24]),
        "alphas_other": Param([0.3], V.list_of(V.positive(2.0)), paper=[0.3, 0.4], doc="further loads (spherical)"),
        "Ns_other": Param([[16, 20, 24, 28, 32]], V.list_of(_Ns), paper=[[20, 25, 30, 35, 40, 45], [16, 20, 24, 28, 32]],
                          doc="one list of sizes per further load"),
        "n_samples_other": Param(6, V.integer(1, 10**5), paper=4, doc="realizations per size for the further loads"),
        "slots": Param(8, V.integer(2, 64), doc="runs (lam values) sharing each pass over the patterns"),
        "resolution": Param(1e-3, V.real(0.0, 1.0, lo_open=True), doc="bracket width at which a threshold search stops"),
        "resolution_gaussian": Param(5e-3, V.real(0.0, 1.0, lo_open=True), doc="the same for Gaussian patterns"),
        "eps": Param(0.05, V.real(0.0, 1.0, lo_open=True), doc="retrieved if converged with |x - xi^1|^2/N < eps"),
        "far": Param(0.5, V.real(0.0, 10.0, lo_open=True), doc="a run with |x - xi^1|^2/N > far has left the pattern"),
        "tol": Param(1e-6, V.real(0.0, 1.0, lo_open=True), doc="converged if |x_{t+1} - x_t|^2/N < tol"),
        "max_iter": Param(60, V.integer(3, 10**4), doc="cap on the number of updates of a run"),
        "N_check": Param(24, V.integer(8, 400), paper=30, doc="size of the protocol check"),
        "n_check": Param(2, V.integer(1, 1000), paper=4, doc="realizations of the protocol check"),
        "n_lams_check": Param(16, V.integer(3, 256), paper=24, doc="lam values per realization of the protocol check"),
        "max_iter_check": Param(400, V.integer(10, 10**5), doc="updates of the reference runs of the protocol check"),
        "N_basin": Param(30, V.integer(8, 400), paper=50, doc="size of the basin simulations"),
        "alpha_basin": Param(0.2, V.real(0.0, 2.0, lo_open=True)),
        "lams_basin": Param([0.5, 2.0], V.list_of(V.positive(1e3)), paper=[0.4, 0.6, 1.0, 3.0]),
        "n_thetas": Param(10, V.integer(2, 200), paper=16, doc="start angles per lam"),
        "n_samples_basin": Param(8, V.integer(1, 10**5), paper=24),
    },
    checks=(_lists,),
    extra={"test": {"Ns": [16, 20, 24], "n_samples": [4, 4, 4], "Ns_gaussian": [16, 20, 24],
                    "n_samples_gaussian": [6, 6, 6], "Ns_other": [[12, 16, 20]], "n_samples_other": 3,
                    "N_check": 16, "n_check": 1, "n_lams_check": 8, "max_iter_check": 200,
                    "N_basin": 16, "lams_basin": [1.0], "n_thetas": 4, "n_samples_basin": 3}},
)
