"""modelprep: builds the clustering and similarity models of the recommendation backend.

The public API for consumers is :func:`load` and :func:`load_lyrics` (see
``modelprep.consumer``). The heavy modules
(pandas, scikit-learn, hdbscan) are imported by the submodules that need them, and ``load`` on
first use, so ``import modelprep`` stays cheap for the Snakefile and the command line.
"""

from modelprep.errors import InputError, IntegrityError, UnknownName

__version__ = "0.1.0"

__all__ = ["InputError", "IntegrityError", "UnknownName", "__version__", "load", "load_lyrics"]


def __getattr__(name: str):
    if name in ("load", "load_lyrics"):
        from modelprep import consumer

        return getattr(consumer, name)
    raise AttributeError(f"module 'modelprep' has no attribute {name!r}")
