"""Chapter: spinodals of symmetric feature mixtures in the random-features model, from the replica
theory (Kalaj et al. 2024, Fig. 3), against the classical mixture loads."""

import numpy as np

from .. import validation as V
from ..book.spec import Chapter, Param


def _check(p):
    if len(set(p["mixture_orders"])) != len(p["mixture_orders"]):
        V.fail("mixture_orders", p["mixture_orders"], "a list of distinct odd integers >= 3")


SPEC = Chapter(
    name="rf_spinodals",
    notebook="book/rf_spinodals.ipynb",
    title="Random features: mixture spinodals",
    seed=7007,
    minutes=(0.5, 1.0),
    cached="every spinodal line under the result cache (hopcore.theory.random_features.mixture_spinodal)",
    params={
        "mixture_orders": Param([3, 5, 7, 9], V.list_of(V.odd_integer(3, 51), increasing=True),
                                doc="odd mixture orders n >= 3 (n = 1, the learning line, is always drawn)"),
        "alphas": Param([float(a) for a in np.geomspace(0.01, 100.0, 60)],
                        V.list_of(V.real(1e-3, 1e3), increasing=True),
                        paper=[float(a) for a in np.geomspace(0.01, 100.0, 120)],
                        doc="loads alpha = P/N at which alpha_D_c is computed"),
        "alphas_limit": Param([100.0, 300.0, 1000.0], V.list_of(V.real(10.0, 1e3), increasing=True),
                              doc="large loads for the alpha -> infinity limit"),
        "n_T": Param(6, V.integer(2, 60), paper=16, doc="temperatures per classical finite-T mixture line"),
        "rel_tol": Param(1e-4, V.real(1e-9, 1e-2), paper=1e-6, doc="relative bracket of the bisection on alpha_D"),
    },
    checks=(_check,),
    extra={"test": {"mixture_orders": [3, 5], "alphas": [0.01, 0.1, 1.0, 10.0], "alphas_limit": [100.0], "n_T": 2}},
)
