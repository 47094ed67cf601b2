"""Chapter: signal to noise for mixtures of features in the random-features Hopfield model."""

import numpy as np

from .. import validation as V
from ..book.spec import Chapter, Param


def _sizes(p):
    N = p["N"]
    aDs = list(p["alpha_Ds"]) + [p["alpha_D"]]
    alphas = list(p["alphas"]) + list(p["alphas_scaling"]) + [p["alpha_n_scan"]]
    D_scan = max(1, int(round(p["alpha_D"] * N)))
    D_min = max(1, int(round(min(p["alpha_Ds"]) * N)))
    for name, ns, D in (("n_mix", [p["n_mix"]], D_scan), ("ns", p["ns"], D_scan), ("ns_scaling", p["ns_scaling"], D_min)):
        if max(ns) > D:
            V.fail(name, ns if name != "n_mix" else ns[0], f"odd mixture orders <= D = round(alpha_D N) = {D}")
    if p["L"] > D_min:
        V.fail("L", p["L"], f"an odd integer <= D = {D_min} (smallest alpha_Ds times N)")
    P = max(alphas) * N
    D = max(aDs) * N
    # U, R and their products (N x P float64), G (D x D), F (N x D float64)
    V.memory_bytes("N", N, 6 * 8.0 * N * P + 8.0 * D * D + 8.0 * N * D + 8.0 * D * P, V.memory_limit_bytes())


_alpha = V.real(0.0, 50.0, lo_open=True)
_alpha_D = V.real(0.0, 1.0, lo_open=True)

SPEC = Chapter(
    name="rf_mixture_snr",
    notebook="book/rf_mixture_snr.ipynb",
    title="Signal to noise for mixtures of features",
    seed=7007,
    minutes=(0.6, 5.0),
    cached="every (grid point, sample) field split under the result cache (hopcore.experiments.rf_fields.rf_field_terms)",
    params={
        "N": Param(1200, V.integer(100, 50_000), paper=3000, doc="neurons of the simulated networks"),
        "alpha_D": Param(0.04, _alpha_D, doc="D/N of the variance scans"),
        "L": Param(3, V.odd_integer(1, 10_001), doc="non-zero coefficients of the sparse training examples"),
        "coefficients": Param(
            ["sparse", "dense"], V.list_of(V.choice("dense", "dense_binary", "sparse"), max_len=3),
            doc="training-coefficient families compared",
        ),
        "alphas": Param(
            [0.1, 0.2, 0.4, 0.8, 1.6], V.list_of(_alpha, increasing=True),
            paper=[0.05, 0.1, 0.2, 0.35, 0.6, 1.0, 1.7, 3.0], doc="loads of the variance-vs-alpha scan",
        ),
        "n_mix": Param(3, V.odd_integer(1, 10_001), doc="mixture order of the variance-vs-alpha scan"),
        "ns": Param([1, 3, 5, 7, 9], V.list_of(V.odd_integer(1, 10_001), increasing=True),
                    paper=[1, 3, 5, 7, 9, 13, 17, 25], doc="mixture orders of the variance-vs-n scan"),
        "alpha_n_scan": Param(0.5, _alpha, doc="load of the variance-vs-n scan"),
        "alpha_Ds": Param([0.01, 0.02, 0.04], V.list_of(_alpha_D, increasing=True),
                          paper=[0.005, 0.01, 0.02, 0.04, 0.08], doc="alpha_D values of the scaling check"),
        "alphas_scaling": Param([0.25, 1.0], V.list_of(_alpha, increasing=True),
                                paper=[0.25, 1.0, 2.0], doc="loads of the scaling check"),
        "ns_scaling": Param([1, 3, 7], V.list_of(V.odd_integer(1, 10_001), increasing=True),
                            paper=[1, 3, 7, 15], doc="mixture orders of the scaling check"),
        "alpha_window": Param(2.0, _alpha, doc="largest alpha of the window in which L_max is predicted"),
        "n_samples": Param(3, V.integer(1, 10_000), doc="networks per point"),
    },
    checks=(_sizes,),
    extra={
        "test": {
            "N": 400,
            "alpha_D": 0.05,
            "alphas": [0.2, 0.8],
            "ns": [1, 3],
            "alpha_Ds": [0.02, 0.05],
            "alphas_scaling": [0.5],
            "ns_scaling": [1, 3],
            "n_samples": 1,
        }
    },
)
