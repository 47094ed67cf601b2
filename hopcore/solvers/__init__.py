"""Generic saddle-point toolkit: averages over the quenched noise, fixed-point solvers with their
convergence record, continuation along a control parameter, the point where a branch disappears,
and numerical derivatives to check stationarity of free energies."""

from .averages import binomial_mixture, gauss_hermite, gaussian_average, normal_grid
from .continuation import Branch, follow_branch, locate_jump
from .fixed_point import FixedPoint, damped_iteration, newton_iteration, solve_fixed_point
from .stationarity import numerical_gradient, numerical_hessian

__all__ = [
    "Branch",
    "FixedPoint",
    "binomial_mixture",
    "damped_iteration",
    "follow_branch",
    "gauss_hermite",
    "gaussian_average",
    "locate_jump",
    "newton_iteration",
    "normal_grid",
    "numerical_gradient",
    "numerical_hessian",
    "solve_fixed_point",
]
