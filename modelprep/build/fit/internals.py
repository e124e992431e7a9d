"""The private parts of hdbscan and fast_hdbscan that the engine builds on, in one place.

They are not public API and may change in any release, so importing them first checks that the
installed versions are the ones this module was written against (pyproject.toml's pins): an
upgrade fails here, naming the package, instead of building a different model. fast_hdbscan is
loaded only by the path that uses it.
"""

from __future__ import annotations

from importlib import metadata

from modelprep.errors import InputError

# The versions whose internals this module was written against: pyproject.toml's pins (a test
# keeps the two equal).
WRITTEN_FOR = {"hdbscan": "0.8.40", "fast_hdbscan": "0.3.4"}


def check_pinned(package: str) -> None:
    installed, pinned = metadata.version(package), WRITTEN_FOR[package]
    if installed != pinned:
        raise InputError(
            f"{package} {installed} is installed, but modelprep is written against the private "
            f"internals of {package} {pinned} (pyproject.toml): install {package}=={pinned}, or "
            "check modelprep/build/fit/internals.py against the new version and update the pin"
        )


check_pinned("hdbscan")

from hdbscan.dist_metrics import DistanceMetric  # noqa: E402
from hdbscan.hdbscan_ import _tree_to_labels as tree_to_labels  # noqa: E402
from hdbscan.prediction import PredictionData  # noqa: E402


def kd_tree_boruvka():
    """fast_hdbscan's (parallel_boruvka, build_kdtree), after the same version check."""
    check_pinned("fast_hdbscan")
    from fast_hdbscan.boruvka import parallel_boruvka
    from fast_hdbscan.numba_kdtree import build_kdtree

    return parallel_boruvka, build_kdtree


__all__ = ["DistanceMetric", "PredictionData", "tree_to_labels", "kd_tree_boruvka"]
