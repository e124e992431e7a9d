"""The config jobs: each variant's ``hdbscan_config_{v}.json``, then the base variant and the
metrics of the whole set (from the staged configs only: no job but publication reads
MODELS_PATH)."""

from __future__ import annotations

import logging

from modelprep import env
from modelprep.build.configs import selection
from modelprep.build.provenance import library_versions, now
from modelprep.files import link_or_copy, load_json, save_json

log = logging.getLogger(__name__)


def variant_config(
    *,
    variant: str,
    spec: dict,
    features_meta: str,
    cluster_meta: str,
    knn_meta: str,
    config_out: str,
) -> None:
    """``hdbscan_config_{v}.json``: the contract's keys, assembled from the steps' records."""
    feats, clus, knn = load_json(features_meta), load_json(cluster_meta), load_json(knn_meta)
    params = clus["hdbscan_params"]
    config = {
        "variant_name": variant,
        "approach": spec["approach"],
        "feature_type": spec["feature_type"],
        "features": feats["features"],
        "n_features": feats["n_features"],
        "has_scaler": feats["has_scaler"],
        "scaler": feats["scaler"],
        "has_pca": feats["has_pca"],
        "pca_components": feats["pca_components"],
        "cluster_based": True,
        "min_cluster_size": params["min_cluster_size"],
        "min_samples": params["min_samples"],
        "cluster_selection_epsilon": params["cluster_selection_epsilon"],
        "metric": params["metric"],
        "hdbscan_params": params,
        # how the spanning tree was built, and whether it is the exact minimum one
        "mst_algorithm": clus["mst_algorithm"],
        "mst_exact": clus["mst_exact"],
        "feature_shape": feats["feature_shape"],
        **{k: {**feats, **clus}[k] for k in selection.QUALITY_KEYS},
        "status": clus["status"],
        "error": clus["error"],
        "silhouette_excludes_noise": clus["silhouette_excludes_noise"],
        "knn_params": knn["knn_params"],
        "created_at": now(),
        "run_id": env.run_id(),
        "input_fingerprint": feats["input_fingerprint"],
        "versions": library_versions(),
        "timings_s": {
            "features": feats["seconds"],
            "hdbscan_fit": clus["seconds_fit"],
            "metrics": clus["seconds_metrics"],
            "knn_fit": knn["seconds"],
        },
    }
    save_json(config, config_out)


def select_base(
    *,
    configs: list[str],
    lyrics_record: str,
    variant_files: dict[str, list[str]],
    base_out: list[str],
    base_model_out: str,
    metrics_out: str,
) -> None:
    """Copy the best variant's five files to the base names; record why it won, and every
    variant's metrics and the lyrics models' (how they moved since the published set is
    publication's to say)."""
    loaded = [load_json(path) for path in configs]
    choice = selection.choose_base(loaded)
    log.info("base variant: %s (silhouette %.4f)", choice["variant"], choice["score"])
    for src, dst in zip(variant_files[choice["variant"]], base_out, strict=True):
        link_or_copy(src, dst, link=False)
    save_json(choice, base_model_out)
    save_json(
        {
            "base_variant": choice["variant"],
            "variants": selection.metrics_table(loaded),
            "lyrics": selection.lyrics_metrics(load_json(lyrics_record)),
        },
        metrics_out,
    )
