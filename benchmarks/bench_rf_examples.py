"""Random-features examples and the dense family of Fig. 2b, against the code they replaced.

- ``rf_examples``: the P = alpha N examples sign(F c^mu) of dense (Gaussian) coefficients at
  N = 8000, P = 20000, D = 80. hopcore: tables of the partial sums of groups of 8 features (F is
  +-1, so a group's partial sum takes one of 256 values), ceil(D/8) = 10 float32 additions per entry,
  the entries within float32 resolution of zero recomputed in float64. Baseline: the generator of
  earlier versions (:func:`old_examples_dense`, kept here: float64 sums in a fixed order, parallel
  over blocks of 32 examples). Both give the same signs (checked). Also timed (``blas_s``): the
  float32 BLAS route that the tables replaced, still used above D = 512.
- ``rf_examples_binary``: the same with +-1 ("dense_binary") coefficients, where the table sums are
  exact integers (no recomputation); same baseline, same signs (checked against the integer product).
- ``fig2b_dense_section``: the dense family of Fig. 2b (rf_generalization) at reduced size: N = 4000,
  three alpha_D, the eight candidate L, two networks per point, result cache off. hopcore: one
  network per (alpha_D, alpha, sample) tested on every candidate L (``_fig2b_all_L``). Baseline: the
  code before, one sweep with new networks per candidate L (:func:`per_L_networks`) and the old
  example generator. The networks differ (that is the point), so the numbers are not compared.
"""

from __future__ import annotations

import os
import time
from unittest import mock

import numpy as np
from numba import njit, prange

_B = 32


@njit(cache=True, parallel=True)
def _old_examples_dense(FT, CT):
    D, N = FT.shape
    P = CT.shape[0]
    out = np.empty((N, P), dtype=np.int8)
    nb = (P + _B - 1) // _B
    for b in prange(nb):
        mu0 = b * _B
        mu1 = min(P, mu0 + _B)
        buf = np.empty((_B, N), dtype=np.int8)
        acc = np.empty(N, dtype=np.float64)
        for mu in range(mu0, mu1):
            acc[:] = 0.0
            for k in range(D):
                c = CT[mu, k]
                for i in range(N):
                    acc[i] += c * FT[k, i]
            for i in range(N):
                buf[mu - mu0, i] = 1 if acc[i] >= 0.0 else -1
        for i in range(N):
            for j in range(mu1 - mu0):
                out[i, mu0 + j] = buf[j, i]
    return out


def old_examples_dense(F, C):
    """The dense-coefficient generator before the BLAS route (hopcore 0db22a9), unchanged."""
    return _old_examples_dense(np.ascontiguousarray(F.T), np.ascontiguousarray(np.asarray(C, dtype=np.float64).T))


def _best(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def bench_examples(quick, coefficients="dense"):
    from hopcore.ensembles.random_features import (
        _examples_blas,
        rf_coefficients,
        rf_examples,
        rf_examples_fallback_fraction,
        rf_features,
    )

    N, P, D = (2000, 5000, 80) if quick else (8000, 20000, 80)
    F = rf_features(N, D, 1)
    C = rf_coefficients(D, P, coefficients, None, 2)
    CT = np.ascontiguousarray(C.T)
    exact = coefficients != "dense"
    rf_examples(F[:64], C[:, :64])  # compile
    old_examples_dense(F[:64], C[:, :64])
    _examples_blas(F[:64], CT[:64], exact)
    t_b, t_h, t_l, X, Xo, Xl = [], [], [], None, None, None
    for _ in range(3):  # alternate, so all see the same load; best of three each
        t, X = _best(lambda: rf_examples(F, C), 1)
        t_h.append(t)
        t, Xo = _best(lambda: old_examples_dense(F, C), 1)
        t_b.append(t)
        t, Xl = _best(lambda: _examples_blas(F, CT, exact), 1)
        t_l.append(t)
    same = bool(np.array_equal(X, Xo) and np.array_equal(Xl, Xo))
    if exact:
        same = same and bool(np.array_equal(X, np.where(F.astype(np.int32) @ C.astype(np.int32) >= 0, 1, -1)))
    return {
        "name": "rf_examples" if coefficients == "dense" else "rf_examples_binary",
        "params": {"N": N, "P": P, "D": D, "coefficients": coefficients},
        "baseline": "the generator before (float64 sums in fixed order, numba, parallel over examples)",
        "baseline_s": min(t_b),
        "hopcore_s": min(t_h),
        "speedup": min(t_b) / min(t_h),
        "blas_s": min(t_l),
        "same_result": same,
        "recomputed_fraction": rf_examples_fallback_fraction(F, C),
    }


def per_L_networks(p, c, aDs, Ls, alphas, out):
    """Fig. 2b's dense family before: one sweep, with its own networks, per candidate L."""
    from hopcore.chapters.rf_generalization import _D
    from hopcore.experiments.random_features import rf_magnetizations
    from hopcore.experiments.runner import sweep_grid

    for k, L in enumerate(Ls):
        if not [aD for aD in aDs if L <= _D(p.N_scan, aD)]:
            continue
        g = sweep_grid(rf_magnetizations, {"alpha_D": aDs, "alpha": alphas}, p.n_samples_scan, p.seed,
                       desc=f"L={L}", progress=False, where=lambda pt, L=L: L <= _D(p.N_scan, pt["alpha_D"]),
                       fixed=dict(N=p.N_scan, coefficients=c, L=None, n_test=p.n_test, max_sweeps=p.max_sweeps,
                                  L_test=[L]))
        out[:, k] = g[f"test_{L}"]


def bench_fig2b(quick):
    os.environ["HOPCORE_CACHE"] = "off"  # time the computation, not the result cache
    import hopcore.experiments.random_features as experiments
    from hopcore.book.spec import resolve
    from hopcore.chapters.rf_generalization import _fig2b_all_L
    from hopcore.ensembles.random_features import rf_examples

    N = 2000 if quick else 4000
    aDs = [0.005, 0.01, 0.02]
    p = resolve("rf_generalization", {"profile": "quick", "N_scan": N, "n_samples_scan": 2, "lmax_alpha_Ds": aDs})
    Ls = [int(L) for L in p.lmax_Ls]
    alphas = [float(a) for a in p.lmax_alphas]

    def old_generator(F, C):
        C = np.asarray(C, dtype=np.float64)
        return rf_examples(F, C) if np.all(C == np.rint(C)) else old_examples_dense(F, C)

    def baseline():
        out = np.full((len(aDs), len(Ls), len(alphas), p.n_samples_scan), np.nan)
        with mock.patch.object(experiments, "rf_examples", old_generator):
            per_L_networks(p, "dense", aDs, Ls, alphas, out)
        return out

    def new():
        out = np.full((len(aDs), len(Ls), len(alphas), p.n_samples_scan), np.nan)
        _fig2b_all_L(p, "dense", aDs, Ls, alphas, out)
        return out

    new()  # compile everything once (small cost at this size)
    t_h, m_h = _best(new, 1)
    t_b, m_b = _best(baseline, 1)
    return {
        "name": "fig2b_dense_section",
        "params": {"N": N, "alpha_D": aDs, "L": Ls, "alpha": alphas, "networks": p.n_samples_scan,
                   "n_test": p.n_test, "cache": "off"},
        "baseline": "the code before: a new network per candidate L (one sweep per L) and the old example generator",
        "baseline_s": t_b,
        "hopcore_s": t_h,
        "speedup": t_b / t_h,
        "output_layout_kept": bool(m_h.shape == m_b.shape and np.array_equal(np.isnan(m_h), np.isnan(m_b))),
    }


def run(quick: bool = False) -> list[dict]:
    return [bench_examples(quick), bench_examples(quick, "dense_binary"), bench_fig2b(quick)]


if __name__ == "__main__":  # pragma: no cover
    for e in run(quick=True):
        print(e)
