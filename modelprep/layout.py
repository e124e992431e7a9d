"""Every file name and path the service reads or writes, spelled once.

``rules/common.smk`` takes its targets from here, and so do the build steps, the store, the
service and the consumer. Which variant a file belongs to is answered by matching whole names
against what this module gives each variant (never by a name prefix: a variant named ``llav``
must not claim ``llav_pca``'s files). Imports nothing heavy: the Snakefile reads it at parse
time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Raw inputs, in RAW_DATA_PATH.
TRACKS_CSV = "spotify_tracks.csv"
LOW_LEVEL_CSV = "low_level_audio_features.csv"

# The five files the backend loads for a variant, in its order; each also has a base copy.
BACKEND_KINDS = ("hdbscan_model", "knn_model", "audio_embeddings", "cluster_labels", "song_indices")
VARIANT_KINDS = (*BACKEND_KINDS, "feature_transformer")

# Published beside the variants' files, in MODELS_PATH.
BASE_MODEL = "base_model.json"
METRICS = "metrics.json"
MANIFEST = "manifest.json"  # written last; the loader trusts nothing it does not list
PREVIOUS = ".previous"  # the previous published set, one generation

# Per-variant build records under processed/variants/{variant}/ (never published).
FEATURES_RECORD, CLUSTER_RECORD, KNN_RECORD = "features.json", "cluster.json", "knn.json"

# Per job under benchmarks/{rule}/: Snakemake's benchmark file, and the job's own measures.
BENCHMARK_SUFFIX, USAGE_SUFFIX = ".tsv", ".usage.json"


def variant_file(variant: str, kind: str) -> str:
    """``{variant}_{kind}.pkl``: one of a variant's pickles."""
    return f"{variant}_{kind}.pkl"


def config_file(variant: str) -> str:
    """``hdbscan_config_{variant}.json``: the file the backend lists to find variants."""
    return f"hdbscan_config_{variant}.json"


BASE_FILES = tuple(f"{kind}.pkl" for kind in BACKEND_KINDS)
ROOT_FILES = (BASE_MODEL, METRICS)


def variant_set(variant: str) -> list[str]:
    """Every published file of one variant, the backend's five first."""
    return [variant_file(variant, kind) for kind in VARIANT_KINDS] + [config_file(variant)]


def published_set(variants: list[str]) -> list[str]:
    """Every published file of a set built from ``variants`` (the manifest aside)."""
    return [name for v in variants for name in variant_set(v)] + [*BASE_FILES, *ROOT_FILES]


def owner(name: str, variants: list[str], base_variant: str | None) -> str | None:
    """The variant a published file belongs to: its own variant, the base variant for the base
    copies, ``lyrics`` for the lyrics models' files, None for the set's summaries (and for
    names the layout does not know)."""
    for variant in variants:
        if name in variant_set(variant):
            return variant
    if name in BASE_FILES:
        return base_variant
    return LYRICS if is_lyrics_file(name) else None


# The lyrics models (contract: Lyrics models), published beside the variants; the manifest
# names their owner LYRICS, which therefore is no variant's name.
LYRICS = "lyrics"
LYRICS_VECTORIZER = "lyrics_tfidf_vectorizer.pkl"
LYRICS_METADATA = "lyrics_training_metadata.pkl"
LYRICS_EVALUATION = "lyrics_model_evaluation_results.json"
# The lyrics jobs besides one per model (so no model may take these names).
LYRICS_TOKENS, LYRICS_TFIDF, LYRICS_EVALUATE = "tokens", "tfidf", "evaluation"
LYRICS_MODEL_FILE = re.compile(
    r"lyrics_(config_(?P<config>.+)\.json|(similarity|svd|knn)_model_.+\.pkl)"
)


def lyrics_config_file(model: str) -> str:
    """``lyrics_config_{m}.json``: the file the backend lists to find lyrics models."""
    return f"lyrics_config_{model}.json"


def lyrics_model_files(model: str, has_svd: bool) -> list[str]:
    """A lyrics model's pickles, as the backend loads them."""
    if has_svd:
        return [f"lyrics_svd_model_{model}.pkl", f"lyrics_knn_model_{model}.pkl"]
    return [f"lyrics_similarity_model_{model}.pkl"]


def is_lyrics_file(name: str) -> bool:
    return name in (LYRICS_VECTORIZER, LYRICS_METADATA, LYRICS_EVALUATION) or bool(
        LYRICS_MODEL_FILE.fullmatch(name)
    )


def lyrics_models_of(manifest: dict) -> list[str]:
    """A published set's lyrics models: those whose config file the manifest lists."""
    return [
        match["config"]
        for name in manifest["files"]
        if (match := LYRICS_MODEL_FILE.fullmatch(name)) and match["config"]
    ]


def variants_of(manifest: dict) -> list[str]:
    """A published set's variants, in build order: those whose config file the manifest lists
    under their own name."""
    return [
        entry["variant"]
        for name, entry in manifest["files"].items()
        if entry.get("variant") and name == config_file(entry["variant"])
    ]


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

    @property
    def lock(self) -> str:
        """The kernel lock one startup.py run holds on DATA_PATH."""
        return f"{self.data}/.modelprep.lock"

    @property
    def run_log(self) -> str:
        return f"{self.logs}/model_pipeline.log"

    def raw_csv(self, name: str) -> str:
        return f"{self.raw}/{name}"

    # Intermediates under processed/: the DAG's targets, never read by the backend.
    @property
    def tracks_table(self) -> str:
        return f"{self.processed}/tracks.pkl"

    @property
    def low_level_table(self) -> str:
        return f"{self.processed}/low_level.pkl"

    @property
    def tracks_report(self) -> str:
        return f"{self.processed}/tracks_report.json"

    @property
    def low_level_report(self) -> str:
        return f"{self.processed}/low_level_report.json"

    def staged(self, name: str) -> str:
        """A file of the set to publish, under the name it is published with."""
        return f"{self.processed}/artifacts/{name}"

    def record(self, variant: str, name: str) -> str:
        return f"{self.processed}/variants/{variant}/{name}"

    @property
    def receipt(self) -> str:
        """Publication's declared output: the manifest it installed."""
        return f"{self.processed}/publish_receipt.json"

    def report(self, name: str) -> str:
        return f"{self.processed}/report/{name}"

    @property
    def lyrics(self) -> str:
        return f"{self.processed}/lyrics"

    @property
    def lyrics_tokens(self) -> str:
        """Every track's preprocessed lyrics (an intermediate, like the tracks table)."""
        return f"{self.lyrics}/tokens.pkl"

    @property
    def lyrics_index(self) -> str:
        """The indexed tracks' TF-IDF matrix and the evaluation's query sample."""
        return f"{self.lyrics}/tfidf.pkl"

    def lyrics_record(self, job: str) -> str:
        """How a lyrics job ended: ok, skipped or failed, and its numbers."""
        return f"{self.lyrics}/records/{job}.json"

    def lyrics_staged(self, job: str) -> str:
        """The directory of a lyrics job's files to publish (empty unless it ended ok)."""
        return f"{self.lyrics}/staged/{job}"

    @property
    def failures(self) -> str:
        """Where each job records how it failed (see modelprep.build.runner)."""
        return f"{self.processed}/failures"

    def failure(self, rule: str, name: str) -> str:
        return f"{self.failures}/{rule}.{name}.json"

    @property
    def failure_pattern(self) -> str:
        """A glob of every job's record."""
        return self.failure("*", "*")

    def log(self, rule: str, name: str) -> str:
        return f"{self.logs}/{rule}/{name}.log"

    def benchmark(self, rule: str, name: str) -> str:
        return f"{self.benchmarks}/{rule}/{name}{BENCHMARK_SUFFIX}"

    def usage(self, rule: str, name: str) -> str:
        """What a job used, as the job measured it (see modelprep.jobstats)."""
        return f"{self.benchmarks}/{rule}/{name}{USAGE_SUFFIX}"


def figure_file(variant: str) -> str:
    """The report's figure of one variant (named by kind first: a shared job's output)."""
    return f"clusters_{variant}.png"


METRICS_TABLE, CHANGES_TABLE, RUN_STATISTICS = "metrics.html", "changes.html", "run_statistics.html"
LYRICS_TABLE = "lyrics.html"
CHANGES = "changes.json"  # how each metric moved since the previous set (publication writes it)
