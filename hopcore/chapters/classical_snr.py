"""Chapter: the classical Hopfield model and its signal-to-noise capacity."""

import numpy as np

from .. import validation as V
from ..book.spec import Chapter, Param


def _memory(p):
    # the largest network: N x P int8 patterns plus the P x P int32 overlap matrix
    worst = 0.0
    for N in p["Ns_capacity"]:
        P = 2.0 * N / (2.0 * np.log(N))
        worst = max(worst, N * P + 4.0 * P * P)
    for name, N, alphas in (("N_snr", p["N_snr"], p["alphas_snr"]), ("N_overlap", p["N_overlap"], p["alphas_overlap"])):
        P = max(alphas) * N
        need = N * P + 4.0 * P * P + 8.0 * N * p["n_starts"]
        V.memory_bytes(name, N, max(need, worst), V.memory_limit_bytes())
        if N * P >= 2**31 - 1:
            V.fail(name, N, f"at most {int((2**31 - 1) / max(alphas))} for alphas up to {max(alphas)} (N*P < 2^31)")


SPEC = Chapter(
    name="classical_snr",
    notebook="book/classical_snr.ipynb",
    title="The classical Hopfield model and its signal-to-noise capacity",
    seed=2024,
    minutes=(0.5, 5.5),
    cached="every (grid point, sample) result under _build/cache/hopcore.experiments.snr/",
    params={
        "picture_side": Param(32, V.integer(4, 256), doc="the demo network has N = picture_side^2 spins"),
        "alpha_demo": Param(0.05, V.real(0.0, 1.0, lo_open=True), doc="load of the demo network"),
        "flip_demo": Param(0.3, V.real(0.0, 0.5), doc="fraction of bits flipped in the corrupted start"),
        "n_trajectories": Param(6, V.integer(1, 100), doc="energy trajectories drawn"),
        "N_snr": Param(1000, V.integer(16, 200_000), paper=4000, doc="N for one-step error rates"),
        "alphas_snr": Param(
            [0.05, 0.08, 0.1, 0.13, 0.16, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.0],
            V.list_of(V.real(0.0, 5.0, lo_open=True), increasing=True),
            paper=[round(a, 3) for a in np.geomspace(0.04, 1.5, 20)],
        ),
        "n_samples_snr": Param(3, V.integer(1, 10_000), paper=6),
        "n_probe_snr": Param(256, V.integer(1, 10**7), paper=512,
                             doc="patterns probed per network for the error rate (all P when P is smaller)"),
        "Ns_capacity": Param(
            [100, 200, 400, 800],
            V.list_of(V.integer(32, 100_000), increasing=True),
            paper=[125, 250, 500, 1000, 2000, 4000],
        ),
        "n_P": Param(9, V.integer(3, 200), paper=12, doc="P values per N in the capacity scan"),
        "n_networks": Param(30, V.integer(2, 100_000), paper=40, doc="networks per (N, P) in the capacity scan"),
        "N_overlap": Param(1000, V.integer(16, 200_000), paper=8000),
        "alphas_overlap": Param(
            [round(a, 3) for a in np.linspace(0.04, 0.26, 12)],
            V.list_of(V.real(0.0, 2.0, lo_open=True), increasing=True),
            paper=[round(a, 3) for a in np.linspace(0.02, 0.3, 15)],
        ),
        "n_samples_overlap": Param(3, V.integer(1, 10_000), paper=4),
        "n_starts": Param(4, V.integer(1, 1000), doc="patterns used as starts in each network"),
        "max_sweeps": Param(200, V.integer(1, 100_000)),
    },
    checks=(_memory,),
    extra={
        "test": {
            "picture_side": 16,
            "N_snr": 200,
            "alphas_snr": [0.1, 0.3],
            "n_samples_snr": 1,
            "Ns_capacity": [64, 128],
            "n_P": 3,
            "n_networks": 4,
            "N_overlap": 200,
            "alphas_overlap": [0.05, 0.2],
            "n_samples_overlap": 1,
            "n_starts": 2,
        }
    },
)
