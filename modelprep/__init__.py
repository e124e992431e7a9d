"""modelprep: builds the clustering and similarity models of the recommendation backend.

The heavy modules (pandas, scikit-learn, hdbscan) are imported by the submodules that need
them, so ``import modelprep`` stays cheap for the Snakefile and the command line.
"""

from modelprep.errors import InputError

__version__ = "0.1.0"

__all__ = ["InputError", "__version__"]
