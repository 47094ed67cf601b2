"""hopcore: models, numba kernels and saddle-point solvers behind the book.

Three layers, each importing only from the ones above it in this list:

1. the science library: ``ensembles``, ``dynamics``, ``solvers``, ``theory``, ``experiments``,
   ``analysis`` (with ``io``, ``config`` and ``validation`` as utilities);
2. the book machinery, ``hopcore.book``: chapter registry and parameters, summary envelope and
   claims, plotting style, page widgets, command line, Sphinx extension;
3. the chapters, ``hopcore.chapters``: one module per chapter (parameters, ``compute``, figures).

Science library (one concept per subpackage):

- ``hopcore.ensembles``   pattern ensembles (binary, spherical/Gaussian, random features)
- ``hopcore.dynamics``    numba kernels: asynchronous/Glauber dynamics, softmax updates
- ``hopcore.solvers``     generic saddle-point toolkit: averages, damped iteration, continuation
- ``hopcore.theory``      one module of pure functions per model (signal to noise, AGS, REM, RF)
- ``hopcore.experiments`` sweeps over grids x samples, on-disk cache, result files
- ``hopcore.analysis``    crossings, transitions, power-law fits, mean and standard error, intervals
- ``hopcore.io``          atomic writes and the one JSON conversion of numpy values
- ``hopcore.config``      the environment variables, read in one place
- ``hopcore.validation``  parameter checks that fail before any work starts
"""

__version__ = "0.2.0"

import os as _os

# numba's parallel kernels run on OpenMP. Its default lets idle threads spin at every barrier, which
# on a laptop's few cores shared by two chapters (or a chapter and a browser) steals the CPU the
# other threads need: many short parallel calls ran 2-2.5 times slower. Idle threads sleep instead,
# unless the reader chose otherwise; OpenMP reads this once, when the first parallel kernel starts.
_os.environ.setdefault("OMP_WAIT_POLICY", "passive")
