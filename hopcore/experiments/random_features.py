"""Simulations of the random-features Hopfield model: magnetizations reached from structured starts.

One call of :func:`rf_magnetizations` is one sample at one (alpha, alpha_D, coefficients, L) point:
it draws the features, the P = alpha N training examples and (optionally) test examples and
mixtures, runs the zero-temperature asynchronous dynamics to a fixed point s* from every start in
parallel (all on the same example matrix, never an N x N coupling matrix), and returns the
magnetizations m = s*.s0 / N. It is the function handed to :func:`hopcore.experiments.sweep`, which
caches it point by point.
"""

from __future__ import annotations

import numpy as np

from .. import validation
from ..dynamics.asynchronous import async_fixed_points
from ..ensembles.random_features import (
    rf_coefficients,
    rf_examples,
    rf_examples_from_support,
    rf_features,
    rf_mixture,
    rf_sparse_support,
)
from .runner import derive_seed

ALPHA_D_MAX = 30.0  # the range over which the theory lines are drawn; larger D is not simulated
ALPHA_MAX = 100.0


def rf_sizes(N: int, alpha: float, alpha_D: float) -> tuple[int, int]:
    """``(D, P) = (round(alpha_D N), round(alpha N))``, each at least 1.

    Parameters
    ----------
    N : int
        Number of neurons.
    alpha : float
        Load P/N.
    alpha_D : float
        Load D/N.

    Returns
    -------
    D : int
        Number of features.
    P : int
        Number of training examples.
    """
    return max(1, int(round(alpha_D * N))), max(1, int(round(alpha * N)))


def check_rf_point(N, alpha, alpha_D, coefficients, L, L_test=(), mixtures=()) -> dict:
    """Validate one simulation point and return the normalized values.

    Raises ``ValueError`` naming the parameter (L > D, even L, alpha_D out of range, example matrix too
    large, ...) before any work.

    Parity rule: every number of features per example or start (``L``, ``L_test``, ``mixtures``)
    must be odd. The ensemble accepts even L with ties broken to +1, but the simulations compare with
    the theory of symmetric n-mixtures, which exists for odd n only (even mixtures are unstable
    in the zero-temperature Hopfield model), and a tie convention would be one more thing the
    dense theory does not have; the chapters use odd values only, so the rule is the same everywhere.

    Parameters
    ----------
    N : int
        Number of neurons, 16 <= N <= 10^6.
    alpha : float
        Load P/N, in (0, ALPHA_MAX].
    alpha_D : float
        Load D/N, in (0, ALPHA_D_MAX].
    coefficients : str
        "dense", "dense_binary" or "sparse".
    L : int or None
        Non-zero coefficients for "sparse" (odd, <= D).
    L_test : sequence of int, optional
        Non-zero coefficients of the test examples (odd, <= D).
    mixtures : sequence of int, optional
        Sizes of the mixtures (odd, <= D).

    Returns
    -------
    dict
        ``N``, ``alpha``, ``alpha_D``, ``coefficients``, ``L`` (None unless sparse), ``D``, ``P``,
        ``L_test`` and ``mixtures`` (lists).
    """
    N = validation.integer(16, 10**6)("N", N)
    alpha = validation.real(0.0, ALPHA_MAX, lo_open=True)("alpha", alpha)
    alpha_D = validation.real(0.0, ALPHA_D_MAX, lo_open=True)("alpha_D", alpha_D)
    coefficients = validation.choice("dense", "dense_binary", "sparse")("coefficients", coefficients)
    D, P = rf_sizes(N, alpha, alpha_D)
    limit = validation.memory_limit_bytes()
    # examples (N x P int8) + overlaps of the parallel runs; dense coefficients (D x P float64)
    validation.memory_bytes("alpha", alpha, 2.0 * N * P, limit)
    if coefficients != "sparse":
        validation.memory_bytes("alpha_D", alpha_D, 8.0 * D * P + 2.0 * N * P, limit)
    else:
        L = validation.odd_integer(1, D)("L", L)
    L_test = [validation.odd_integer(1, D)(f"L_test[{k}]", l) for k, l in enumerate(L_test)]
    mixtures = [validation.odd_integer(1, D)(f"mixtures[{k}]", n) for k, n in enumerate(mixtures)]
    return dict(N=N, alpha=alpha, alpha_D=alpha_D, coefficients=coefficients, L=L if coefficients == "sparse" else None,
                D=D, P=P, L_test=L_test, mixtures=mixtures)


def _examples(F, P, coefficients, L, seed):
    D = F.shape[1]
    if coefficients == "sparse":
        idx, val = rf_sparse_support(D, P, L, seed)
        return rf_examples_from_support(F, idx, val)
    return rf_examples(F, rf_coefficients(D, P, coefficients, None, seed))


SKIPPABLE = ("feature", "train")  # kinds of start rf_magnetizations can leave out


def _skipped_kinds(skip) -> tuple[str, ...]:
    if isinstance(skip, str):
        skip = (skip,)
    skip = tuple(skip)
    for k, kind in enumerate(skip):
        if kind not in SKIPPABLE:
            validation.fail(f"skip[{k}]", kind, f"one of {', '.join(SKIPPABLE)}")
    return skip


def rf_magnetizations(N: int, alpha: float, alpha_D: float, coefficients: str, L: int | None, seed: int,
                      L_test=(), n_test: int = 1, max_sweeps: int = 200, mixtures=(), n_starts: int = 4,
                      dense_test: bool = False, skip=()) -> dict:
    """Magnetizations m = s*.s0/N of the fixed points reached from structured starts s0.

    Model: F (N x D) iid +-1 features, D = alpha_D N; P = alpha N training examples
    xi^mu = sign(F c^mu) (``coefficients`` "dense" Gaussian, "dense_binary" +-1, or "sparse" with
    exactly ``L`` non-zero +-1 entries, L odd); Hebb couplings J = X X^T/N, J_ii = 0,
    in the O(NP) overlap form; zero-temperature asynchronous dynamics (ties keep the spin).

    All starts run in parallel on the same example matrix. Seeds of the features, coefficients, test
    coefficients, mixtures and dynamics all derive from ``seed``.

    Parameters
    ----------
    N : int
        Number of neurons.
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    coefficients : str
        Training coefficients: "dense" (Gaussian), "dense_binary" (+-1) or "sparse".
    L : int or None
        Number of non-zero +-1 coefficients for "sparse" (odd); ignored otherwise.
    seed : int
        Seed of the sample.
    L_test : sequence of int, optional
        Non-zero coefficients of sparse test examples (odd).
    n_test : int, optional
        Test examples (and mixtures) per kind (default 1).
    max_sweeps : int, optional
        Maximum number of sweeps per run (default 200).
    mixtures : sequence of int, optional
        Sizes n of the mixture starts (odd).
    n_starts : int, optional
        Features and training examples started from (default 4).
    dense_test : bool, optional
        Also start from dense test examples (default False).
    skip : sequence of str, optional
        Kinds of start not run, among ``"feature"`` and ``"train"`` (default none): their keys are
        absent from the result. Every other run is exactly the run of the call without ``skip`` (same
        network, same start, same visiting order: the dynamics seed of a start is its position in the
        full list of starts, skipped kinds included), so a figure that reads only some kinds pays only
        for those.

    Returns
    -------
    dict
        The mean m over the starts of each kind, plus ``m_<key>`` (array) with every start:

        - ``"feature"``: the first ``min(n_starts, D)`` features f^k;
        - ``"train"``: the first ``min(n_starts, P)`` training examples;
        - ``"test_<L>"`` for each entry of ``L_test`` (odd): ``n_test`` fresh test examples from the
          same F with sparse coefficients, exactly L non-zero +-1 entries, *whatever the training
          coefficients* (for dense training too);
        - ``"test_dense"`` if ``dense_test``: ``n_test`` fresh examples with dense coefficients (of
          the training kind when it is dense, Gaussian when training is sparse);
        - ``"mixture_<n>"`` for each n in ``mixtures``: ``n_test`` symmetric mixtures
          sign(f^1+...+f^n) of distinct random features;

        and ``"sweeps"`` (largest number of sweeps over the starts run), ``"converged"`` (every start
        run reached a fixed point within ``max_sweeps``), ``"n_not_converged"``.
    """
    pt = check_rf_point(N, alpha, alpha_D, coefficients, L, L_test, mixtures)
    seed = validation.seed("seed", seed)
    n_test = validation.integer(1, 10**4)("n_test", n_test)
    n_starts = validation.integer(1, 10**4)("n_starts", n_starts)
    max_sweeps = validation.integer(1, 10**6)("max_sweeps", max_sweeps)
    skip = _skipped_kinds(skip)
    N, D, P = pt["N"], pt["D"], pt["P"]

    F = rf_features(N, D, derive_seed(seed, "features"))
    X = _examples(F, P, pt["coefficients"], pt["L"], derive_seed(seed, "train"))

    starts: dict[str, np.ndarray] = {}
    starts["feature"] = np.ascontiguousarray(F[:, : min(n_starts, D)].T)
    starts["train"] = np.ascontiguousarray(X[:, : min(n_starts, P)].T)
    for Lt in pt["L_test"]:
        T = _examples(F, n_test, "sparse", Lt, derive_seed(seed, "test", Lt))
        starts[f"test_{Lt}"] = np.ascontiguousarray(T.T)
    if dense_test:
        kind = pt["coefficients"] if pt["coefficients"] != "sparse" else "dense"
        T = _examples(F, n_test, kind, None, derive_seed(seed, "test", "dense"))
        starts["test_dense"] = np.ascontiguousarray(T.T)
    for n in pt["mixtures"]:
        rng = np.random.default_rng(derive_seed(seed, "mixture", n))
        starts[f"mixture_{n}"] = np.stack(
            [rf_mixture(F, n, features=rng.choice(D, size=n, replace=False)) for _ in range(n_test)]
        )

    # the dynamics seed of a start is its position r in the full list of starts, whatever is skipped
    first, r0 = {}, 0
    for k, v in starts.items():
        first[k], r0 = r0, r0 + v.shape[0]
    keys = [k for k in starts if k not in skip]
    if not keys:
        validation.fail("skip", list(skip), "a list that leaves some start to run (no test examples or mixtures are asked for)")
    S0 = np.ascontiguousarray(np.concatenate([starts[k] for k in keys], axis=0), dtype=np.int8)
    dyn_seeds = np.array([derive_seed(seed, "dynamics", first[k] + j) for k in keys for j in range(starts[k].shape[0])],
                         dtype=np.uint64)
    S, sweeps, converged = async_fixed_points(X, S0, dyn_seeds, max_sweeps=max_sweeps)
    m_all = (S.astype(np.int32) * S0).sum(axis=1) / N

    out: dict = {}
    k0 = 0
    for k in keys:
        r = starts[k].shape[0]
        out[f"m_{k}"] = m_all[k0 : k0 + r]
        out[k] = float(np.mean(m_all[k0 : k0 + r]))
        k0 += r
    out["sweeps"] = int(sweeps.max())
    out["converged"] = bool(converged.all())
    out["n_not_converged"] = int((~converged).sum())
    return out


def example_fields(N: int, alpha: float, alpha_D: float, coefficients: str, L, seed: int, n_examples: int = 4) -> dict:
    """Aligned local fields xi_i^mu h_i(xi^mu) on the first training examples of one network.

    On the first ``n_examples`` (at most P) training examples, h_i = sum_{j != i} J_ij xi_j^mu with
    J = X X^T/N (O(NP) overlap form, no N x N matrix): the one-step field statistics that the storage
    equations predict (:func:`hopcore.theory.random_features.example_field_law`). Data as in
    :func:`rf_magnetizations` (same seeds for features and examples).

    Book equation: rf_storage_learning-field

    Parameters
    ----------
    N : int
        Number of neurons.
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    coefficients : str
        Training coefficients: "dense" (Gaussian), "dense_binary" (+-1) or "sparse".
    L : int or None
        Number of non-zero +-1 coefficients for "sparse" (odd); ignored otherwise.
    seed : int
        Seed of the sample.
    n_examples : int, optional
        Number of examples (default 4).

    Returns
    -------
    dict
        ``mean``, ``var`` (over all sites of all examples), ``error`` (fraction with xi h < 0) and
        ``mean_by_example`` (n_examples,).
    """
    from ..dynamics.asynchronous import local_fields

    pt = check_rf_point(N, alpha, alpha_D, coefficients, L)
    seed = validation.seed("seed", seed)
    n_examples = min(validation.integer(1, 10**4)("n_examples", n_examples), pt["P"])  # as many as there are
    F = rf_features(pt["N"], pt["D"], derive_seed(seed, "features"))
    X = _examples(F, pt["P"], pt["coefficients"], pt["L"], derive_seed(seed, "train"))
    v = np.empty((n_examples, pt["N"]))
    for mu in range(n_examples):
        s = np.ascontiguousarray(X[:, mu])
        v[mu] = local_fields(X, s) * s
    return {"mean": float(v.mean()), "var": float(v.var()), "error": float((v < 0).mean()),
            "mean_by_example": v.mean(axis=1)}


__all__ = ["ALPHA_D_MAX", "check_rf_point", "example_fields", "rf_magnetizations", "rf_sizes"]


def rf_test_runs(N: int, alpha: float, alpha_D: float, coefficients: str, L: int | None, seed: int, L_test=(),
                 n_test: int = 1, max_sweeps: int = 1000) -> dict:
    """Every run from a test example, one by one: its overlap, its number of sweeps and whether it converged.

    The same networks and test examples as :func:`rf_magnetizations` with the same arguments (same
    seeds of the features, the training examples and each ``test_<L>`` set), but only the test
    starts are run, and each run keeps its own sweep count: the time scale of the dynamics near a
    generalization transition is read per start, not as the largest over every kind of start.

    Parameters
    ----------
    N : int
        Number of neurons.
    alpha : float
        Load P/N of training examples.
    alpha_D : float
        Load D/N of features.
    coefficients : str
        Training coefficients: "dense" (Gaussian), "dense_binary" (+-1) or "sparse".
    L : int or None
        Number of non-zero +-1 coefficients for "sparse" (odd); ignored otherwise.
    seed : int
        Seed of the sample.
    L_test : sequence of int
        Non-zero coefficients of the sparse test examples (odd, <= D).
    n_test : int, optional
        Test examples per entry of ``L_test`` (default 1).
    max_sweeps : int, optional
        Maximum number of sweeps per run (default 1000).

    Returns
    -------
    dict
        For each entry Lt of ``L_test``: ``test_<Lt>`` (mean m over its starts), ``m_test_<Lt>``,
        ``sweeps_test_<Lt>`` (int) and ``converged_test_<Lt>`` (bool), arrays of shape (n_test,);
        and ``n_not_converged`` over all runs.
    """
    pt = check_rf_point(N, alpha, alpha_D, coefficients, L, L_test)
    seed = validation.seed("seed", seed)
    n_test = validation.integer(1, 10**4)("n_test", n_test)
    max_sweeps = validation.integer(1, 10**6)("max_sweeps", max_sweeps)
    if not pt["L_test"]:
        raise ValueError("L_test=[] is not allowed: L_test must hold at least one odd number of features")
    N, P = pt["N"], pt["P"]
    F = rf_features(N, pt["D"], derive_seed(seed, "features"))
    X = _examples(F, P, pt["coefficients"], pt["L"], derive_seed(seed, "train"))
    S0 = np.ascontiguousarray(
        np.concatenate([_examples(F, n_test, "sparse", Lt, derive_seed(seed, "test", Lt)).T for Lt in pt["L_test"]]),
        dtype=np.int8,
    )
    dyn_seeds = np.array([derive_seed(seed, "test_dynamics", r) for r in range(S0.shape[0])], dtype=np.uint64)
    S, sweeps, converged = async_fixed_points(X, S0, dyn_seeds, max_sweeps=max_sweeps)
    m_all = (S.astype(np.int32) * S0).sum(axis=1) / N
    out: dict = {}
    for k, Lt in enumerate(pt["L_test"]):
        sl = slice(k * n_test, (k + 1) * n_test)
        out[f"m_test_{Lt}"] = m_all[sl]
        out[f"test_{Lt}"] = float(np.mean(m_all[sl]))
        out[f"sweeps_test_{Lt}"] = sweeps[sl].astype(np.int64)
        out[f"converged_test_{Lt}"] = converged[sl].astype(bool)
    out["n_not_converged"] = int((~converged).sum())
    return out


__all__ += ["rf_test_runs"]
