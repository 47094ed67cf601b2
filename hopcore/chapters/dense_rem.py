"""Chapter: the REM analysis of dense associative memories (thresholds, basins, phase diagrams)."""

from .. import validation as V
from ..book.spec import Chapter, Param

SPEC = Chapter(
    name="dense_rem",
    notebook="book/dense_rem.ipynb",
    title="Exponential capacity through the random energy model",
    seed=3102,
    minutes=(0.3, 0.5),
    cached="nothing: closed forms and one-dimensional root finding only",
    params={
        "lambdas": Param(
            [0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0],
            V.list_of(V.positive(1e6), increasing=True),
            paper=[0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0, 7.5, 10.0, 20.0, 50.0, 100.0],
            doc="lam values written to summary.json (alpha_1, alpha_star, alpha_c_lb)",
        ),
        "n_curve": Param(200, V.integer(20, 100_000), paper=600, doc="points of every theory curve"),
        "alphas_basin": Param([0.1, 0.2, 0.3, 0.5], V.list_of(V.positive(5.0), increasing=True),
                              doc="loads of the basin figure (paper Fig. 2)"),
        "lam_max": Param(20.0, V.real(1.0, 1e6), paper=100.0, doc="largest lam of the phase diagrams"),
        "N_scaled": Param([1e2, 1e3, 1e4, 1e6], V.list_of(V.real(2.0, 1e12), increasing=True),
                          doc="sizes of the scaled dot-product convergence"),
    },
    extra={"test": {"lambdas": [0.5, 2.0], "n_curve": 40}},
)
