# Paths, config validation and every input/param function of the rules. Every file name comes
# from modelprep.layout. Imports nothing heavy and reads no CSV, so a no-op dry run stays fast.
import glob
import json
import os
import sys

import yaml
from snakemake.utils import validate

# This checkout's package (not whatever copy of modelprep the environment has installed).
sys.path.insert(0, workflow.basedir)

from modelprep import env, layout
from modelprep import config as configs
from modelprep.build.fit import sizing
from modelprep.errors import InputError
from modelprep.jobstats import last_wall_seconds

SCHEMA = os.path.join(workflow.basedir, configs.SCHEMA)
with open(SCHEMA, encoding="utf-8") as schema_file:
    problem = configs.problem(config, yaml.safe_load(schema_file))
if problem:
    raise InputError(problem)
validate(config, SCHEMA)  # fills in the schema's defaults
problem = configs.pca_source_problem(config["variants"])
if problem:
    raise InputError(problem)

PATHS = env.paths_from_env()
env.check_paths(PATHS)
MODELS = PATHS.models
env.export_to_jobs(workflow.basedir, PATHS)

TRACKS_CSV = PATHS.raw_csv(layout.TRACKS_CSV)
LOW_LEVEL_CSV = PATHS.raw_csv(layout.LOW_LEVEL_CSV)
HAS_LOW_LEVEL = os.path.exists(LOW_LEVEL_CSV)
VARIANTS = config["variants"]
LYRICS = config["lyrics"]
PACKAGE = os.path.join(workflow.basedir, "modelprep")


def code(*parts):
    """The code a job runs, an input of the job (editing it makes the job stale): the
    package's top-level modules (layout, config, files, errors, ...), the job runner
    (build/*.py), and the given parts of the package, each a directory taken whole."""
    patterns = ["*.py", "build/*.py", *(f"{part}/*.py" for part in parts)]
    return sorted(f for p in patterns for f in glob.glob(os.path.join(PACKAGE, p)))


def active_variants():
    return configs.active_variants(VARIANTS, HAS_LOW_LEVEL)


def uses_low_level(variant):
    return configs.uses_low_level(VARIANTS, variant)


def log_file(rule, name="{variant}"):
    return PATHS.log(rule, name)


def benchmark_file(rule, name="{variant}"):
    return PATHS.benchmark(rule, name)


def variant_pattern(pca):
    names = [v for v in VARIANTS if ("pca_of" in VARIANTS[v]) == pca]
    return "|".join(names) if names else "(?!)"


def artifact(variant, kind):
    """A variant's pickle, staged under the name it is published with."""
    return PATHS.staged(layout.variant_file(variant, kind))


def variant_config_file(variant):
    return PATHS.staged(layout.config_file(variant))


def staged(name):
    return PATHS.staged(name)


def record(name):
    """A per-variant build record (not published)."""
    return PATHS.record("{variant}", name)


def reports_of(variant):
    reports = [PATHS.tracks_report]
    if uses_low_level(variant):
        reports.append(PATHS.low_level_report)
    return reports


def scaled_inputs(wildcards):
    variant = wildcards.variant
    inputs = {
        "tracks": PATHS.tracks_table,
        "reports": reports_of(variant),
        "code": code("build/features"),
    }
    if uses_low_level(variant):
        inputs["low_level"] = PATHS.low_level_table
    return inputs


def pca_inputs(wildcards):
    source = VARIANTS[wildcards.variant]["pca_of"]
    return {
        "embeddings": artifact(source, "audio_embeddings"),
        "transformer": artifact(source, "feature_transformer"),
        "indices": artifact(source, "song_indices"),
        "reports": reports_of(wildcards.variant),
        "code": code("build/features"),
    }


def spec_value(key):
    """A params function returning one key of the variant's config section."""

    def value(wildcards):
        return VARIANTS[wildcards.variant][key]

    return value


def hdbscan_params(wildcards):
    return configs.variant_hdbscan(config, wildcards.variant)


def cluster_threads(wildcards):
    return configs.cluster_threads(config, wildcards.variant)


# Above any cluster job's priority: the ingest and feature jobs take seconds and each one
# unlocks a long fit, so all the fits are ready early and can start longest first.
FEATURE_PRIORITY = 1_000_000


# Above the ingest jobs: lyrics_tokens takes two threads, and both cores are free only at the
# start of a build (measured: started last, the lyrics chain ran alone at the end, +32 s).
LYRICS_TOKENS_PRIORITY = FEATURE_PRIORITY + 1


def longest_first(rule, wildcard):
    """A priority function: longest job first, by its wall time in the last run. Cores take
    one-thread jobs in priority order as they free, and a long job started last would end the
    run alone."""

    def priority(wildcards):
        name = wildcards[wildcard]
        return round(last_wall_seconds(benchmark_file(rule, name)))

    return priority


def base_inputs(wildcards):
    return {
        "configs": [variant_config_file(v) for v in active_variants()],
        "files": [
            artifact(v, kind)
            for v in active_variants()
            for kind in layout.BACKEND_KINDS
        ],
    }


def variant_files_param(wildcards):
    return {
        v: [artifact(v, kind) for kind in layout.BACKEND_KINDS]
        for v in active_variants()
    }


def published_artifacts():
    return [staged(name) for name in layout.published_set(active_variants())]


def lyrics_record(job):
    return PATHS.lyrics_record(job)


def lyrics_staged(job):
    return PATHS.lyrics_staged(job)


def lyrics_model_spec(wildcards):
    return LYRICS["models"][wildcards.model]


def lyrics_staged_dirs():
    """Every lyrics job's directory of files to publish (empty unless the lyrics were built)."""
    jobs = [layout.LYRICS_TFIDF, *LYRICS["models"], layout.LYRICS_EVALUATE]
    return [lyrics_staged(job) for job in jobs]


def report_file(name):
    return PATHS.report(name)


def all_targets():
    return [
        PATHS.receipt,
        report_file(layout.RUN_STATISTICS),
        report_file(layout.CHANGES_TABLE),
        report_file(layout.LYRICS_TABLE),
    ]


def figure_inputs(wildcards):
    built = active_variants()
    return {
        "embeddings": [artifact(v, "audio_embeddings") for v in built],
        "labels": [artifact(v, "cluster_labels") for v in built],
        "metrics": staged(layout.METRICS),
    }


def job_benchmarks():
    """The benchmark file of every job of the build but the one that reads them."""
    files = [benchmark_file("ingest_tracks", "tracks")]
    if HAS_LOW_LEVEL:
        files.append(benchmark_file("ingest_low_level", "low_level"))
    for v in active_variants():
        features = "pca_features" if "pca_of" in VARIANTS[v] else "scale_features"
        files += [
            benchmark_file(rule, v) for rule in (features, "cluster", "neighbors")
        ]
    files += [benchmark_file(r, "lyrics") for r in ("lyrics_tokens", "lyrics_tfidf")]
    files += [benchmark_file("lyrics_model", m) for m in LYRICS["models"]]
    return files + [
        benchmark_file("publish", "publish"),
        benchmark_file("figures", "figures"),
    ]


def mem_mb(factor, floor=512):
    """A resources function: memory as a multiple of the job's input size."""

    def mem(wildcards, input):
        return max(floor, int(factor * input.size_mb))

    return mem


def cluster_mem_mb(wildcards, input):
    """A cluster job's memory from its embedding's shape (the features record, once written):
    the exact tree's bounds grow faster than its input (modelprep.build.fit.sizing)."""
    if not os.path.exists(input.meta):
        return 1024
    with open(input.meta, encoding="utf-8") as record_file:
        rows, columns = json.load(record_file)["feature_shape"]
    return max(1024, sizing.cluster_mem_mb(rows, columns))


def runtime_min(minutes_per_gb, floor=5):
    """A resources function: wall-time limit (minutes) for cluster executors, from input size."""

    def runtime(wildcards, input):
        return max(floor, int(minutes_per_gb * input.size_mb / 1024))

    return runtime
