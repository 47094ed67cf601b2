"""Chapter: replica theory of the classical Hopfield model (AGS) against simulations."""

import numpy as np

from .. import validation as V
from ..book.spec import Chapter, Param


def _memory(p):
    # largest network of each simulation: N x P int8 patterns, plus int32 overlaps of every start
    for name, Ns, alphas, starts in (
        ("Ns_sim", p["Ns_sim"], p["alphas_sim"], p["n_starts"]),
        ("N_mixture", [p["N_mixture"]], p["alphas_mixture"], p["n_mixture_starts"]),
    ):
        N = max(Ns)
        if name == "Ns_sim" and isinstance(p["n_samples_sim"], list) and len(p["n_samples_sim"]) != len(Ns):
            V.fail("n_samples_sim", p["n_samples_sim"], f"one integer, or a list of {len(Ns)} integers (one per entry of Ns_sim)")
        P = max(max(alphas) * N, 3 * starts)
        V.memory_bytes(name, N, N * P + 4.0 * P * starts + 2.0 * N * starts, V.memory_limit_bytes())
        if N * P >= 2**31 - 1:
            V.fail(name, N, f"at most {int((2**31 - 1) / max(alphas))} for loads up to {max(alphas)} (N*P < 2^31)")


SPEC = Chapter(
    name="classical_replica",
    notebook="book/classical_replica.ipynb",
    title="Replica theory of the classical Hopfield model",
    seed=1987,
    minutes=(1.0, 11.0),
    cached="simulation points and the phase-diagram and mixture lines under _build/cache/ (hopcore.experiments.classical, hopcore.theory.classical)",
    params={
        "n_alpha_T0": Param(200, V.integer(10, 100_000), doc="points of the T = 0 m(alpha) curve"),
        "n_T_phase": Param(12, V.integer(3, 400), paper=32, doc="temperatures at which the T_M and T_c lines are read"),
        "mixture_ns": Param([3, 5, 7, 9], V.list_of(V.odd_integer(3, 21), increasing=True), doc="odd mixture orders"),
        "n_T_mixture": Param(6, V.integer(3, 400), paper=16, doc="temperatures per mixture stability line"),
        "Ns_sim": Param([500, 1000, 2000, 4000], V.list_of(V.integer(50, 200_000), min_len=2, increasing=True),
                        paper=[1000, 2000, 4000, 8000, 16000, 32000], doc="network sizes of the capacity simulations"),
        "alphas_sim": Param([round(a, 3) for a in np.linspace(0.10, 0.20, 11)],
                            V.list_of(V.real(0.0, 1.0, lo_open=True), min_len=3, increasing=True),
                            paper=[round(a, 4) for a in np.linspace(0.125, 0.19, 27)], doc="loads of the capacity simulations"),
        "n_samples_sim": Param(4, V.one_or_list(V.integer(2, 10_000)), paper=[16, 16, 12, 6, 4, 3],
                               doc="networks per (N, alpha): one count, or one per entry of Ns_sim"),
        "stop_after_failed_loads": Param(0, V.integer(0, 1000), paper=1,
                                         doc="skip a size's larger loads after this many loads where every run failed (0: never)"),
        "n_starts": Param(4, V.integer(1, 1000), doc="patterns used as starts in each network"),
        "max_sweeps": Param(200, V.integer(1, 100_000), paper=120,
                            doc="asynchronous sweeps before giving up (a failed run has left the pattern after about 80)"),
        "m_threshold": Param(0.5, V.real(0.0, 1.0, lo_open=True, hi_open=True),
                             doc="alpha_c(N) is where the mean overlap crosses this value"),
        "fit_exponent": Param(0.5, V.real(0.05, 2.0), doc="alpha_c(N) is fitted linearly in N^(-fit_exponent)"),
        "N_mixture": Param(2000, V.integer(50, 200_000), paper=16000, doc="network size of the mixture simulations"),
        "alphas_mixture": Param([round(a, 4) for a in np.linspace(0.005, 0.06, 12)],
                                V.list_of(V.real(0.0, 1.0, lo_open=True), min_len=2, increasing=True),
                                paper=[0.005, 0.01, 0.015, 0.02, 0.025, 0.0275, 0.03, 0.0325, 0.035, 0.04, 0.05, 0.06]),
        "n_samples_mixture": Param(4, V.integer(1, 10_000)),
        "n_mixture_starts": Param(2, V.integer(1, 1000), paper=4, doc="disjoint triplets used as mixture starts per network"),
    },
    checks=(_memory,),
    extra={
        "test": {
            "n_alpha_T0": 60,
            "n_T_phase": 4,
            "mixture_ns": [3, 5],
            "n_T_mixture": 3,
            "Ns_sim": [200, 400],
            "alphas_sim": [0.08, 0.14, 0.2, 0.3],
            "n_samples_sim": 2,
            "n_starts": 2,
            "N_mixture": 300,
            "alphas_mixture": [0.01, 0.05],
            "n_samples_mixture": 1,
            "n_mixture_starts": 2,
        }
    },
)
