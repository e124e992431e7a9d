"""Choosing the base variant, the one the backend falls back to."""

from __future__ import annotations

from modelprep.errors import VariantsFailed

CRITERION = (
    "highest silhouette_score among variants with at least 2 clusters; "
    "ties go to the variant listed first in config"
)
QUALITY_KEYS = (
    "n_tracks",
    "n_clusters",
    "n_noise_points",
    "noise_fraction",
    "silhouette_score",
    "silhouette_sample_size",
    "largest_cluster_size",
    "smallest_cluster_size",
    "cluster_size_quantiles",
    "dbcv",
    "neighbour_consistency",
    "explained_variance",
)


def choose_base(configs: list[dict]) -> dict:
    """Pick the best variant from configs given in config order; deterministic by construction."""
    eligible = [c for c in configs if c["n_clusters"] >= 2]
    if not eligible:
        raise VariantsFailed(
            "no variant has at least 2 clusters, so none can be the base model; nothing was "
            "published. Lower min_cluster_size/min_samples in config/config.yaml."
        )
    best = max(eligible, key=lambda c: c["silhouette_score"])  # max keeps the first of ties
    return {
        "variant": best["variant_name"],
        "criterion": CRITERION,
        "score": best["silhouette_score"],
        "ranking": [
            {"variant": c["variant_name"], "silhouette_score": c["silhouette_score"]}
            for c in sorted(eligible, key=lambda c: -c["silhouette_score"])
        ],
    }


def lyrics_metrics(record: dict) -> dict:
    """The lyrics models' status (and why, unless ok), vocabulary, coverage and per-model
    quality, from the lyrics evaluation's record."""
    keys = ("vocabulary_size", "n_tracks", "not_indexed", "duplicated_lyrics_share", "models")
    return {"status": record["status"], "reason": record["reason"]} | {
        k: record[k] for k in keys if k in record
    }


def metrics_table(configs: list[dict]) -> dict:
    """Every variant's quality numbers, keyed by variant, in config order."""
    return {
        c["variant_name"]: {"status": c.get("status", "ok"), **{k: c.get(k) for k in QUALITY_KEYS}}
        for c in configs
    }
