"""hopcore: models, numba kernels and saddle-point solvers behind the book.

Layout (one concept per subpackage):

- ``hopcore.ensembles``   pattern ensembles (binary, spherical/Gaussian, random features)
- ``hopcore.dynamics``    numba kernels: asynchronous/Glauber dynamics, softmax updates
- ``hopcore.solvers``     generic saddle-point toolkit: averages, damped iteration, continuation
- ``hopcore.theory``      one module of pure functions per model (signal to noise, AGS, REM, RF)
- ``hopcore.experiments`` sweeps over grids x samples, on-disk cache, result files
- ``hopcore.chapters``    the parameters of every chapter (profiles, validation, CLI)
- ``hopcore.validation``  parameter checks that fail before any work starts
"""

__version__ = "0.1.0"
