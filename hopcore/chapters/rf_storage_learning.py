"""Chapter: the random-features Hopfield model, storage and learning transitions (Negri et al. 2023;
Kalaj et al. 2024, Figs. 1 and 2a), with the field measurement that checks the storage equations."""

import numpy as np

from .. import validation as V
from ..book.spec import Chapter, Param

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


def example_fields(N: int, alpha: float, alpha_D: float, coefficients: str, L, seed: int, n_examples: int = 4) -> dict:
    """Aligned local fields xi_i^mu h_i(xi^mu) on the first ``n_examples`` (at most P) training examples of one
    network, h_i = sum_{j != i} J_ij xi_j^mu with J = X X^T/N (O(NP) overlap form, no N x N matrix):
    the one-step field statistics that the storage equations predict (``example_field_law``).

    Returns ``mean``, ``var`` (over all sites of all examples), ``error`` (fraction with xi h < 0)
    and ``mean_by_example`` (n_examples,). Data as in :func:`rf_magnetizations` (same seeds for
    features and examples)."""
    from ..dynamics.asynchronous import local_fields
    from ..experiments.random_features import _examples, check_rf_point
    from ..experiments.runner import derive_seed
    from ..ensembles.random_features import rf_features

    pt = check_rf_point(N, alpha, alpha_D, coefficients, L)
    seed = V.seed("seed", seed)
    n_examples = min(V.integer(1, 10**4)("n_examples", n_examples), pt["P"])  # as many as there are
    F = rf_features(pt["N"], pt["D"], derive_seed(seed, "features"))
    X = _examples(F, pt["P"], pt["coefficients"], pt["L"], derive_seed(seed, "train"))
    v = np.empty((n_examples, pt["N"]))
    for mu in range(n_examples):
        s = np.ascontiguousarray(X[:, mu])
        v[mu] = local_fields(X, s) * s
    return {"mean": float(v.mean()), "var": float(v.var()), "error": float((v < 0).mean()),
            "mean_by_example": v.mean(axis=1)}


def _check(p):
    aD_s, L_s = p["sparse_storage"][0], int(round(p["sparse_storage"][-1]))
    if L_s < 1 or abs(p["sparse_storage"][-1] - L_s) > 1e-9:
        V.fail("sparse_storage", p["sparse_storage"], "[alpha_D, L] with an integer L >= 1")
    for N in p["storage_Ns"]:
        if L_s > _D(N, aD_s):
            V.fail("sparse_storage", p["sparse_storage"], f"L <= D = round(alpha_D N) = {_D(N, aD_s)} at N = {N}")
    for N in p["field_Ns"]:
        need = N * max(p["field_alpha_Ts"]) * max(p["field_alpha_Ds"]) * (1 + 8.0 * N * max(p["field_alpha_Ds"]))
        V.memory_bytes("field_Ns", N, need, V.memory_limit_bytes())
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
    minutes=(0.75, 6.5),
    cached="every (grid point, sample) and the theory lines under the result cache (hopcore.experiments.random_features, hopcore.theory.random_features)",
    params={
        "N": Param(1000, V.integer(100, 100_000), paper=4000, doc="neurons of the magnetization curves"),
        "alpha_D": Param(0.02, V.real(*ALPHA_D_RANGE), paper=0.01, doc="D/N of the magnetization curves"),
        "alphas": Param(
            [round(a, 4) for a in np.geomspace(0.005, 2.0, 12)],
            V.list_of(V.real(0.0, 20.0, lo_open=True), increasing=True),
            paper=[round(a, 4) for a in np.geomspace(0.003, 2.0, 16)],
            doc="loads alpha = P/N of the simulations",
        ),
        "coefficients": Param(["dense", "sparse"], _coefficient_kinds, doc='training coefficients: "dense", "sparse" or both'),
        "L": Param([3, 9], V.list_of(V.integer(1, 100_000), increasing=True), paper=[3, 9, 21],
                   doc="non-zero entries per sparse coefficient vector (even L: ties to +1)"),
        "n_samples": Param(2, V.integer(1, 10_000), paper=3, doc="networks per load"),
        "n_starts": Param(4, V.integer(1, 1000), doc="features and training examples used as starts per network"),
        "N_phase": Param(1000, V.integer(100, 100_000), paper=3000, doc="neurons of the phase-diagram simulations"),
        "phase_alpha_Ds": Param([0.01, 0.05], V.list_of(V.real(*ALPHA_D_RANGE), increasing=True),
                                paper=[0.005, 0.01, 0.02, 0.05], doc="alpha_D of the simulated transition points (dense)"),
        "field_alpha_Ds": Param([0.02, 0.1, 0.5], V.list_of(V.real(1e-3, 30.0), increasing=True),
                                doc="alpha_D of the field measurements on training examples"),
        "field_alpha_Ts": Param([0.1, 0.25, 0.5, 1.0], V.list_of(V.real(0.0, 10.0, lo_open=True), increasing=True),
                                paper=[0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5], doc="alpha_T = P/D of the field measurements"),
        "field_Ns": Param([1000, 2000], V.list_of(V.integer(100, 100_000), increasing=True), paper=[1000, 2000, 4000],
                          doc="N of the field measurements"),
        "storage_alpha_Ds": Param([0.02, 0.1, 0.5], V.list_of(V.real(1e-3, 30.0), increasing=True),
                                  doc="alpha_D of the fine storage-transition scans (dense)"),
        "storage_Ns": Param([1000, 2000], V.list_of(V.integer(100, 100_000), increasing=True), paper=[1000, 2000, 4000, 8000],
                            doc="N of the fine storage-transition scans"),
        "storage_points": Param(8, V.integer(3, 200), paper=14, doc="loads per fine storage scan (0.5 x to 1.3 x the two theory lines)"),
        "sparse_storage": Param([0.005, 3], V.list_of(V.real(0.0, 1000.0, lo_open=True), min_len=2, max_len=2),
                                doc="[alpha_D, L] of the sparse storage scan (uses storage_Ns)"),
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
            "field_alpha_Ds": [0.1],
            "field_alpha_Ts": [0.25, 0.5],
            "field_Ns": [500],
            "storage_alpha_Ds": [0.1],
            "storage_Ns": [500],
            "storage_points": 4,
            "sparse_storage": [0.02, 3],
        }
    },
)
