# Paths, config validation and every input/param function of the rules. Imports nothing heavy
# and reads no CSV, so a no-op dry run stays fast.
import os

import yaml
from snakemake.utils import validate

from modelprep.errors import InputError
from modelprep.resources import last_wall_seconds
from modelprep.settings import (
    JOB_MODULES,
    check_paths,
    config_problem,
    log_level_from_env,
    new_run_id,
    paths_from_env,
    uses_low_level,
)

SCHEMA = os.path.join(workflow.basedir, "workflow", "schemas", "config.schema.yaml")
with open(SCHEMA, encoding="utf-8") as schema_file:
    problem = config_problem(config, yaml.safe_load(schema_file))
if problem:
    raise InputError(problem)
validate(config, SCHEMA)  # fills in the schema's defaults

PATHS = paths_from_env()
check_paths(PATHS)
DATA, RAW, MODELS = PATHS.data, PATHS.raw, PATHS.models
LOG_LEVEL = log_level_from_env()
# Jobs read these from the environment: neither may make a job stale.
os.environ["LOG_LEVEL"] = LOG_LEVEL
os.environ.setdefault("MODELPREP_RUN_ID", new_run_id())
# The engine's compiled numba code, kept between runs (site-packages may be read-only).
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.abspath(PATHS.numba_cache))

PROCESSED = PATHS.processed
ARTIFACTS = f"{PROCESSED}/artifacts"
REPORT = f"{PROCESSED}/report"
LOGS = PATHS.logs
BENCHMARKS = PATHS.benchmarks
TRACKS_CSV = f"{RAW}/spotify_tracks.csv"
LOW_LEVEL_CSV = f"{RAW}/low_level_audio_features.csv"
HAS_LOW_LEVEL = os.path.exists(LOW_LEVEL_CSV)
TRACKS_REPORT = f"{PROCESSED}/tracks_report.json"
LOW_LEVEL_REPORT = f"{PROCESSED}/low_level_report.json"

# The package's code is an input of every rule that runs it: editing it makes them stale.
CODE = [os.path.join(workflow.basedir, "modelprep", f"{m}.py") for m in JOB_MODULES]

VARIANTS = config["variants"]
VARIANT_FILES = (
    "hdbscan_model",
    "knn_model",
    "audio_embeddings",
    "cluster_labels",
    "song_indices",
)
BASE_FILES = [f"{ARTIFACTS}/{kind}.pkl" for kind in VARIANT_FILES]


def check_pca_sources():
    for name, spec in VARIANTS.items():
        source = spec.get("pca_of")
        if source is not None and source not in VARIANTS:
            raise ValueError(
                f"config: variants.{name}.pca_of names '{source}', which is not a variant"
            )


check_pca_sources()


def active_variants():
    """Variants to build, in config order; low-level ones only when their CSV exists."""
    return [v for v in VARIANTS if HAS_LOW_LEVEL or not uses_low_level(VARIANTS, v)]


def variant_pattern(pca):
    names = [v for v in VARIANTS if ("pca_of" in VARIANTS[v]) == pca]
    return "|".join(names) if names else "(?!)"


def artifact(variant, kind):
    return f"{ARTIFACTS}/{variant}_{kind}.pkl"


def variant_config_file(variant):
    return f"{ARTIFACTS}/hdbscan_config_{variant}.json"


def work(name):
    """Per-variant intermediate records (not published)."""
    return f"{PROCESSED}/variants/{{variant}}/{name}"


def reports_of(variant):
    reports = [TRACKS_REPORT]
    if uses_low_level(VARIANTS, variant):
        reports.append(LOW_LEVEL_REPORT)
    return reports


def scaled_inputs(wildcards):
    variant = wildcards.variant
    inputs = {
        "tracks": f"{PROCESSED}/tracks.pkl",
        "reports": reports_of(variant),
        "code": CODE,
    }
    if uses_low_level(VARIANTS, variant):
        inputs["low_level"] = f"{PROCESSED}/low_level.pkl"
    return inputs


def pca_inputs(wildcards):
    source = VARIANTS[wildcards.variant]["pca_of"]
    return {
        "embeddings": artifact(source, "audio_embeddings"),
        "transformer": artifact(source, "feature_transformer"),
        "indices": artifact(source, "song_indices"),
        "reports": reports_of(wildcards.variant),
        "code": CODE,
    }


def spec_value(key):
    """A params function returning one key of the variant's config section."""

    def value(wildcards):
        return VARIANTS[wildcards.variant][key]

    return value


def variant_hdbscan(variant):
    """The shared hdbscan section overridden by the variant's own keys."""
    return {**config["hdbscan"], **VARIANTS[variant]["hdbscan"]}


def hdbscan_params(wildcards):
    return variant_hdbscan(wildcards.variant)


def threads_of(variant):
    """The cluster job's threads: config's cluster_threads (every path gives the same model
    on any count); hdbscan's own Borůvka takes two by default.
    """
    params = variant_hdbscan(variant)
    boruvka = params["algorithm"].startswith("boruvka") or params["algorithm"] == "best"
    default = 2 if params["engine"] == "hdbscan" and boruvka else 1
    return VARIANTS[variant].get("cluster_threads", default)


def cluster_threads(wildcards):
    return threads_of(wildcards.variant)


# Above any cluster job's priority: the ingest and feature jobs take seconds and each one
# unlocks a long fit, so all the fits are ready early and can start longest first.
FEATURE_PRIORITY = 1_000_000


def cluster_priority(wildcards):
    """Longest fit first, by its wall time in the last run: cores take one-thread jobs in
    priority order as they free, and a long fit started last would end the run alone.
    """
    return round(last_wall_seconds(f"{BENCHMARKS}/cluster/{wildcards.variant}.tsv"))


def variant_set(variant):
    """Every published file of one variant, the five backend files first."""
    files = [artifact(variant, kind) for kind in VARIANT_FILES]
    return files + [
        artifact(variant, "feature_transformer"),
        variant_config_file(variant),
    ]


def base_inputs(wildcards):
    return {
        "configs": [variant_config_file(v) for v in active_variants()],
        "files": [
            artifact(v, kind) for v in active_variants() for kind in VARIANT_FILES
        ],
    }


def variant_files_param(wildcards):
    return {v: [artifact(v, kind) for kind in VARIANT_FILES] for v in active_variants()}


def published_artifacts():
    files = [path for v in active_variants() for path in variant_set(v)]
    return (
        files
        + BASE_FILES
        + [f"{ARTIFACTS}/base_model.json", f"{ARTIFACTS}/metrics.json"]
    )


def all_targets():
    return [f"{PROCESSED}/publish_receipt.json", f"{REPORT}/run_statistics.html"]


def figure_file(variant):
    # Named by kind first: a shared job's output, not one variant's (see modelprep.status).
    return f"{REPORT}/clusters_{variant}.png"


def figure_inputs(wildcards):
    built = active_variants()
    return {
        "embeddings": [artifact(v, "audio_embeddings") for v in built],
        "labels": [artifact(v, "cluster_labels") for v in built],
        "metrics": f"{ARTIFACTS}/metrics.json",
    }


def job_benchmarks():
    """The benchmark file of every job of the build but the one that reads them."""
    files = [f"{BENCHMARKS}/ingest_tracks/tracks.tsv"]
    if HAS_LOW_LEVEL:
        files.append(f"{BENCHMARKS}/ingest_low_level/low_level.tsv")
    for v in active_variants():
        features = "pca_features" if "pca_of" in VARIANTS[v] else "scale_features"
        files += [
            f"{BENCHMARKS}/{rule}/{v}.tsv"
            for rule in (features, "cluster", "neighbors")
        ]
    return files + [
        f"{BENCHMARKS}/publish/publish.tsv",
        f"{BENCHMARKS}/figures/figures.tsv",
    ]


def mem_mb(factor, floor=512):
    """A resources function: memory as a multiple of the job's input size."""

    def mem(wildcards, input):
        return max(floor, int(factor * input.size_mb))

    return mem


def runtime_min(minutes_per_gb, floor=5):
    """A resources function: wall-time limit (minutes) for cluster executors, from input size."""

    def runtime(wildcards, input):
        return max(floor, int(minutes_per_gb * input.size_mb / 1024))

    return runtime
