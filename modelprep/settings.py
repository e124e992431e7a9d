"""The contract's environment variables, parsed in one place for the Snakefile and startup.py.

Imports nothing heavy: the Snakefile reads these at parse time.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from modelprep.errors import InputError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no", "")
# Dimensions up to which fast_hdbscan's k-d tree prunes (its own switch to a k-NN graph).
KD_TREE_MAX_DIMS = 30
# The package modules the workflow's jobs import: their sources are inputs of every rule, so
# editing one makes the jobs stale (a test checks the list against the jobs' real imports).
JOB_MODULES = (
    "__init__",
    "artifacts",
    "clustering",
    "engine",
    "errors",
    "features",
    "ingest",
    "integrity",
    "jobs",
    "mst",
    "publish",
    "quality",
    "report",
    "schema",
    "selection",
    "settings",
    "steps",
)


@dataclass(frozen=True)
class Paths:
    """Where everything lives; relative paths stay relative (to the working directory)."""

    data: str
    raw: str
    models: str

    @property
    def processed(self) -> str:
        return f"{self.data}/processed"

    @property
    def logs(self) -> str:
        return f"{self.data}/logs"

    @property
    def benchmarks(self) -> str:
        return f"{self.data}/benchmarks"

    @property
    def numba_cache(self) -> str:
        return f"{self.data}/cache/numba"


def paths_from_env(env: Mapping[str, str] = os.environ) -> Paths:
    data = env.get("DATA_PATH") or "data"
    return Paths(
        data=data,
        raw=env.get("RAW_DATA_PATH") or f"{data}/raw",
        models=env.get("MODELS_PATH") or f"{data}/models",
    )


def check_paths(paths: Paths) -> None:
    """Refuse a path variable that names a file where a directory belongs, before any work."""
    for name, value in (
        ("DATA_PATH", paths.data),
        ("RAW_DATA_PATH", paths.raw),
        ("MODELS_PATH", paths.models),
    ):
        if os.path.exists(value) and not os.path.isdir(value):
            raise InputError(
                f"{name}={value!r} is a file, not a directory: point {name} at a directory "
                "(see the README's environment table)"
            )


def check_models_writable(models: str) -> None:
    """MODELS_PATH, or the nearest existing directory above it, must be writable by this user;
    found out before a build of minutes rather than at its publication.
    """
    directory = os.path.abspath(models)
    while not os.path.exists(directory):
        directory = os.path.dirname(directory)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(
            f"MODELS_PATH={models!r}: {directory} is not writable by this user (uid "
            f"{os.getuid()}); give the user write access there or point MODELS_PATH elsewhere. "
            "Nothing was built or published."
        )


def log_level_from_env(env: Mapping[str, str] = os.environ) -> str:
    level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise InputError(
            f"LOG_LEVEL={env.get('LOG_LEVEL')!r} is not one of {', '.join(LOG_LEVELS)}"
        )
    return level


def flag_from_env(name: str, env: Mapping[str, str] = os.environ) -> bool:
    """A boolean variable: true/1/yes or false/0/no/empty/unset; anything else is an error."""
    value = (env.get(name) or "").strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise InputError(
        f"{name}={env.get(name)!r} is not a boolean: use true/1/yes or false/0/no (or unset it)"
    )


def uses_low_level(variants: Mapping[str, dict], name: str) -> bool:
    """Whether a variant needs low_level_audio_features.csv (directly or through pca_of)."""
    spec = variants[name]
    if spec.get("pca_of"):
        return uses_low_level(variants, spec["pca_of"])
    return "low_level" in spec["columns"]


def config_problem(config: Mapping, schema: Mapping) -> str | None:
    """The most telling thing wrong with ``config`` against the JSON schema, in one line that
    names the key (None when it is valid). Snakemake's own message dumps the whole schema.
    """
    import jsonschema  # Snakemake's dependency; only config checks need it

    validator = jsonschema.validators.validator_for(schema)(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is None:
        return None
    where = ".".join(str(part) for part in error.absolute_path) or "top level"
    return (
        f"config: {where}: {error.message}. Fix config/config.yaml or the file given with "
        "--configfile (workflow/schemas/config.schema.yaml describes every key)."
    )


def new_run_id() -> str:
    """Sortable and unique: the UTC start time and a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
