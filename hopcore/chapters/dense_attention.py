"""Chapter: modern Hopfield networks, from the polynomial to the exponential energy, and attention."""

import numpy as np

from .. import validation as V
from ..experiments.dense import check_alpha_N
from ..book.spec import Chapter, Param


def _sizes(p):
    for N in p["Ns_one_step"]:
        check_alpha_N(max(p["alphas_one_step"]), N, passes=p["n_samples_one_step"] * len(p["alphas_one_step"]))
    V.memory_bytes("P_attention", p["P_attention"], 8.0 * 3 * p["N_attention"] * p["P_attention"], V.memory_limit_bytes())
    for N in p["Ns_poly"]:
        P = max(p["loads_poly"]) * N ** (max(p["degrees_poly"]) - 1)
        V.memory_bytes("Ns_poly", p["Ns_poly"], 8.0 * 4 * N * P, V.memory_limit_bytes())
        if P > 2e5:
            V.fail("loads_poly", p["loads_poly"], f"small enough that P = load x N^(n-1) <= 2e5 (asks {P:.3g} at N={N})")


SPEC = Chapter(
    name="dense_attention",
    notebook="book/dense_attention.ipynb",
    title="Modern Hopfield networks: exponential energy and attention",
    seed=3101,
    minutes=(0.5, 1.6),
    cached="every (grid point, sample) under _build/cache/hopcore.experiments.dense.*",
    params={
        "N_attention": Param(32, V.integer(2, 4096), doc="dimension of the attention check"),
        "P_attention": Param(2000, V.integer(2, 10**6), doc="patterns (keys = values) of the attention check"),
        "lams_attention": Param([0.1, 1.0, 10.0, 50.0], V.list_of(V.positive(1e4)), doc="lam values of the attention check"),
        "Ns_poly": Param([40, 80], V.list_of(V.integer(8, 1000), increasing=True), paper=[40, 80, 120]),
        "degrees_poly": Param([2, 3], V.list_of(V.integer(2, 6), increasing=True)),
        "loads_poly": Param(
            [0.02, 0.05, 0.1, 0.2, 0.4], V.list_of(V.positive(10.0), increasing=True),
            paper=[0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4],
            doc="P / N^(n-1) of the polynomial scan",
        ),
        "n_samples_poly": Param(10, V.integer(1, 10**4), paper=40),
        "lam_one_step": Param(0.5, V.positive(100.0), doc="lam of the one-step retrieval scan"),
        "Ns_one_step": Param([16, 24], V.list_of(V.integer(4, 200), increasing=True), paper=[16, 24, 32]),
        "alphas_one_step": Param(
            [0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5], V.list_of(V.positive(2.0), increasing=True),
            paper=[0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
        ),
        "n_samples_one_step": Param(16, V.integer(1, 10**4), paper=24),
    },
    checks=(_sizes,),
    extra={"test": {"P_attention": 300, "Ns_poly": [20], "loads_poly": [0.05, 0.2], "n_samples_poly": 3,
                    "Ns_one_step": [12], "alphas_one_step": [0.2, 0.5], "n_samples_one_step": 3}},
)
