"""Chapter: the random-features Hopfield model, storage and learning transitions (Negri et al. 2023;
Kalaj et al. 2024, Figs. 1 and 2a)."""

import numpy as np

from .. import validation as V
from . import Chapter, Param

ALPHA_D_RANGE = (1e-3, 0.2)  # learning needs alpha_D below the alpha -> infinity limit ~0.138


def _coefficient_kinds(name, value):
    if isinstance(value, str):
        value = [value]
    kinds = V.list_of(V.choice("dense", "sparse"), max_len=2)(name, value)
    if len(set(kinds)) != len(kinds):
        V.fail(name, value, 'a list of distinct kinds among "dense", "sparse"')
    return kinds


def _D(N, alpha_D):
    return max(1, int(round(alpha_D * N)))


def _check(p):
    D = _D(p["N"], p["alpha_D"])
    if "sparse" in p["coefficients"]:
        for k, L in enumerate(p["L"]):
            if L > D:
                V.fail(f"L[{k}]", L, f"an integer <= D = round(alpha_D N) = {D}")
    limit = V.memory_limit_bytes()
    # largest example matrix (int8 N x P) plus dense coefficients (float64 D x P) of one sample
    for name, N, aDs in (("N", p["N"], [p["alpha_D"]]), ("N_phase", p["N_phase"], p["phase_alpha_Ds"])):
        P = max(p["alphas"]) * N
        need = N * P + 8.0 * _D(N, max(aDs)) * P
        V.memory_bytes(name, N, need, limit)
        if N * P >= 2**31 - 1:
            V.fail(name, N, f"at most {int((2**31 - 1) / max(p['alphas']))} for alphas up to {max(p['alphas'])} (N P < 2^31)")


SPEC = Chapter(
    name="rf_storage_learning",
    notebook="book/rf_storage_learning.ipynb",
    title="Random features: storage and learning",
    seed=6006,
    minutes=(0.75, 40.0),
    cached="every (grid point, sample) under the result cache (hopcore.experiments.random_features.rf_magnetizations)",
    params={
        "N": Param(1000, V.integer(100, 100_000), paper=8000, doc="neurons of the magnetization curves"),
        "alpha_D": Param(0.02, V.real(*ALPHA_D_RANGE), paper=0.01, doc="D/N of the magnetization curves"),
        "alphas": Param(
            [round(a, 4) for a in np.geomspace(0.005, 2.0, 12)],
            V.list_of(V.real(0.0, 20.0, lo_open=True), increasing=True),
            paper=[round(a, 4) for a in np.geomspace(0.003, 2.0, 30)],
            doc="loads alpha = P/N of the simulations",
        ),
        "coefficients": Param(["dense", "sparse"], _coefficient_kinds, doc='training coefficients: "dense", "sparse" or both'),
        "L": Param([3, 9], V.list_of(V.integer(1, 100_000), increasing=True), paper=[3, 9, 21, 51],
                   doc="non-zero entries per sparse coefficient vector (even L: ties to +1)"),
        "n_samples": Param(2, V.integer(1, 10_000), paper=8, doc="networks per load"),
        "n_starts": Param(4, V.integer(1, 1000), doc="features and training examples used as starts per network"),
        "N_phase": Param(1000, V.integer(100, 100_000), paper=4000, doc="neurons of the phase-diagram simulations"),
        "phase_alpha_Ds": Param([0.01, 0.05], V.list_of(V.real(*ALPHA_D_RANGE), increasing=True),
                                paper=[0.005, 0.01, 0.02, 0.05, 0.1], doc="alpha_D of the simulated transition points (dense)"),
        "level": Param(0.8, V.real(0.1, 0.99), doc="m level that marks a simulated transition"),
        "max_sweeps": Param(200, V.integer(1, 100_000), doc="cap on asynchronous sweeps"),
    },
    checks=(_check,),
    extra={
        "test": {
            "N": 300,
            "alphas": [0.01, 0.1, 0.5, 1.5],
            "L": [3],
            "n_samples": 1,
            "n_starts": 2,
            "N_phase": 300,
            "phase_alpha_Ds": [0.05],
        }
    },
)
