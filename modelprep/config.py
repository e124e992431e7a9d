"""The workflow's config: loaded and checked as Snakemake will see it, and the variant helpers
the DAG and the service share (which variants run, their HDBSCAN keys, their threads).

Imports nothing heavy: the Snakefile calls these at parse time.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from modelprep.errors import InputError

DEFAULT_CONFIG = Path("config") / "config.yaml"
SCHEMA = Path("workflow") / "schemas" / "config.schema.yaml"


def problem(config: Mapping, schema: Mapping) -> str | None:
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


def pca_source_problem(variants: Mapping[str, dict]) -> str | None:
    """A ``pca_of`` that names no variant (checked when the Snakefile is read)."""
    for name, spec in variants.items():
        source = spec.get("pca_of")
        if source is not None and source not in variants:
            return (
                f"config: variants.{name}.pca_of names '{source}', which is not a variant; "
                f"name one of {', '.join(v for v in variants if v != name)}"
            )
    return None


def merged(base: dict, override: dict) -> dict:
    """Snakemake's --configfile merge: nested mappings key by key, anything else replaced."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            value = merged(result[key], value)
        result[key] = value
    return result


def load(workflow_dir: Path, configfile: Path | None = None) -> dict:
    """The config of the workflow in ``workflow_dir`` merged with ``configfile``, checked
    against its schema before anything runs."""
    config = yaml.safe_load((workflow_dir / DEFAULT_CONFIG).read_text())
    if configfile:
        if not configfile.is_file():
            raise InputError(f"--configfile {configfile}: file not found")
        try:
            override = yaml.safe_load(configfile.read_text()) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise InputError(f"--configfile {configfile}: not valid UTF-8 YAML ({exc})") from exc
        if not isinstance(override, dict):
            raise InputError(
                f"--configfile {configfile}: not a mapping of config keys like config/config.yaml"
            )
        config = merged(config, override)
    found = problem(config, yaml.safe_load((workflow_dir / SCHEMA).read_text()))
    if found:
        raise InputError(found)
    return config


def uses_low_level(variants: Mapping[str, dict], name: str) -> bool:
    """Whether a variant needs low_level_audio_features.csv (directly or through pca_of)."""
    spec = variants[name]
    if spec.get("pca_of"):
        return uses_low_level(variants, spec["pca_of"])
    return "low_level" in spec["columns"]


def active_variants(variants: Mapping[str, dict], has_low_level: bool) -> list[str]:
    """Variants to build, in config order; low-level ones only when their CSV exists."""
    return [v for v in variants if has_low_level or not uses_low_level(variants, v)]


def variant_hdbscan(config: Mapping, variant: str) -> dict:
    """The shared hdbscan section overridden by the variant's own keys."""
    return {**config["hdbscan"], **config["variants"][variant].get("hdbscan", {})}


def cluster_threads(config: Mapping, variant: str) -> int:
    """The cluster job's threads: the variant's cluster_threads (every path gives the same
    model on any count); hdbscan's own Borůvka takes two by default, the rest one.
    """
    params = variant_hdbscan(config, variant)
    boruvka = params["algorithm"].startswith("boruvka") or params["algorithm"] == "best"
    default = 2 if params["engine"] == "hdbscan" and boruvka else 1
    return config["variants"][variant].get("cluster_threads", default)
