"""What every config records about how it was made: when, by which run, with which libraries."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from importlib import metadata

RECORDED_LIBRARIES = (
    "modelprep",
    "numpy",
    "scipy",
    "scikit-learn",
    "hdbscan",
    "fast_hdbscan",
    "numba",
    "pandas",
    "joblib",
    "nltk",
    "snakemake",
)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def library_versions() -> dict[str, str]:
    """Versions of the libraries that wrote a model, recorded in its config."""
    versions = {"python": platform.python_version()}
    for name in RECORDED_LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
