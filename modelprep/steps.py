"""One function per workflow step: read the step's input files, call the science, write outputs.

The Snakemake scripts in ``workflow/scripts/`` only unpack ``snakemake.input/output/params``
into these calls, so every step can also be run and tested without Snakemake. Each job is a
new process: pandas, scikit-learn, hdbscan and matplotlib are imported inside the steps that
use them, so the light jobs (configs, base, publication) skip about a second of imports.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from modelprep import integrity, selection
from modelprep.artifacts import (
    library_versions,
    link_or_copy,
    load_json,
    load_pickle,
    save_json,
    save_pickle,
)
from modelprep.errors import IntegrityError, VariantsFailed
from modelprep.publish import file_variant, publish
from modelprep.settings import flag_from_env

log = logging.getLogger(__name__)


def current_run_id() -> str:
    """The run that is building, set once per Snakemake invocation by the Snakefile."""
    return os.environ.get("MODELPREP_RUN_ID", "unknown")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def ingest_tracks(csv: str, table_out: str, report_out: str) -> None:
    from modelprep import ingest

    tracks, report = ingest.read_tracks(csv)
    tracks.to_pickle(table_out)
    save_json(report, report_out)
    log.info("%s: %d of %d rows kept", csv, report["rows_kept"], report["rows_read"])


def ingest_low_level(csv: str, tracks_table: str, table_out: str, report_out: str) -> None:
    import pandas as pd

    from modelprep import ingest

    track_ids = pd.read_pickle(tracks_table)["id"]
    low_level, report = ingest.read_low_level(csv, track_ids)
    low_level.to_pickle(table_out)
    save_json(report, report_out)
    log.info("%s: %d tracks with %d features", csv, len(low_level), low_level.shape[1] - 1)


def input_fingerprint(reports: list[str]) -> str:
    """One hash over the raw files a variant was built from (their sha256, in order)."""
    digest = hashlib.sha256()
    for path in reports:
        report = load_json(path)
        digest.update(f"{Path(report['file']).name}:{report['sha256']}\n".encode())
    return digest.hexdigest()


def _save_variant_features(
    embedding, transformer, indices, reports, started, outputs: dict[str, str]
) -> None:
    save_pickle(embedding, outputs["embeddings"])
    save_pickle(transformer, outputs["transformer"])
    save_pickle(indices, outputs["indices"])
    steps = dict(transformer.steps)
    save_json(
        {
            "features": [str(c) for c in transformer.feature_names_in_],
            "n_features": int(len(transformer.feature_names_in_)),
            "has_scaler": "scaler" in steps,
            "scaler": type(steps["scaler"]).__name__ if "scaler" in steps else None,
            "has_pca": "pca" in steps,
            "pca_components": int(steps["pca"].n_components_) if "pca" in steps else None,
            # Share of the source embedding's variance the components keep.
            "explained_variance": float(steps["pca"].explained_variance_ratio_.sum())
            if "pca" in steps
            else None,
            "feature_shape": list(embedding.shape),
            "input_fingerprint": input_fingerprint(reports),
            "seconds": round(time.perf_counter() - started, 3),
        },
        outputs["meta"],
    )


def scaled_features(
    *,
    columns: list[str],
    scaler: str,
    tracks_table: str,
    low_level_table: str | None,
    reports: list[str],
    outputs: dict[str, str],
) -> None:
    """A variant scaled from raw columns (``columns`` are groups: basic, low_level)."""
    import pandas as pd

    from modelprep import features

    started = time.perf_counter()
    tracks = pd.read_pickle(tracks_table)
    low_level = pd.read_pickle(low_level_table) if low_level_table else None
    low_level_columns = [] if low_level is None else list(low_level.columns[1:])
    rows = features.variant_table(tracks, low_level, columns)
    raw_columns = features.variant_columns(columns, low_level_columns)
    embedding, transformer = features.fit_scaled(rows, raw_columns, scaler)
    indices = features.song_indices(rows)
    _save_variant_features(embedding, transformer, indices, reports, started, outputs)


def pca_features(
    *,
    n_components: int,
    seed: int,
    base_embeddings: str,
    base_transformer: str,
    base_indices: str,
    reports: list[str],
    outputs: dict[str, str],
) -> None:
    """A variant that is the PCA of another variant's embedding (same rows)."""
    from modelprep import features

    started = time.perf_counter()
    embedding, transformer = features.fit_pca(
        load_pickle(base_embeddings), load_pickle(base_transformer), n_components, seed
    )
    indices = load_pickle(base_indices)
    _save_variant_features(embedding, transformer, indices, reports, started, outputs)


def cluster(
    *,
    variant: str,
    embeddings: str,
    hdbscan_params: dict,
    silhouette_sample: int,
    seed: int,
    threads: int,
    model_out: str,
    labels_out: str,
    meta_out: str,
) -> None:
    """Fit HDBSCAN, refuse a degenerate result, score it on the seeded metric sample."""
    from modelprep import clustering, quality

    embedding = load_pickle(embeddings)
    started = time.perf_counter()
    model, tree = clustering.fit_hdbscan(embedding, hdbscan_params, threads, seed)
    fit_seconds = time.perf_counter() - started
    labels = np.asarray(model.labels_, dtype=np.int64)
    summary = clustering.cluster_summary(labels)
    log.info(
        "%s: %d clusters, %d noise points",
        variant,
        summary["n_clusters"],
        summary["n_noise_points"],
    )
    error = clustering.degenerate_reason(summary, variant, hdbscan_params["min_cluster_size"])
    if error:
        log.error("%s; its previously published files stay", error)
    started = time.perf_counter()
    metrics = quality.sample_metrics(embedding, labels, silhouette_sample, seed)
    save_pickle(model, model_out)
    save_pickle(labels, labels_out)
    save_json(
        {
            **summary,
            "status": "failed" if error else "ok",
            "error": error,
            **metrics,
            "cluster_size_quantiles": quality.size_quantiles(labels),
            "silhouette_excludes_noise": True,
            "hdbscan_params": {**hdbscan_params, "core_dist_n_jobs": threads},
            **tree,
            "seconds_fit": round(fit_seconds, 3),
            "seconds_metrics": round(time.perf_counter() - started, 3),
        },
        meta_out,
    )


def neighbors(*, embeddings: str, knn_params: dict, threads: int, model_out: str, meta_out: str):
    from modelprep import clustering

    started = time.perf_counter()
    model = clustering.fit_knn(load_pickle(embeddings), knn_params, threads)
    save_pickle(model, model_out)
    save_json(
        {
            "knn_params": {**knn_params, "n_neighbors": model.n_neighbors},
            "seconds": round(time.perf_counter() - started, 3),
        },
        meta_out,
    )


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
        "created_at": _now(),
        "run_id": current_run_id(),
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
    variant_files: dict[str, list[str]],
    base_out: list[str],
    base_model_out: str,
    metrics_out: str,
    models_dir: str,
) -> None:
    """Copy the best variant's five files to the base names; record why it won, and every
    variant's metrics with how they moved since the set published in ``models_dir``."""
    loaded = [load_json(path) for path in configs]
    choice = selection.choose_base(loaded)
    log.info("base variant: %s (silhouette %.4f)", choice["variant"], choice["score"])
    for src, dst in zip(variant_files[choice["variant"]], base_out, strict=True):
        link_or_copy(src, dst, link=False)
    save_json(choice, base_model_out)
    table = selection.metrics_table(loaded)
    previous, previous_run = published_metrics(models_dir)
    changes = selection.metric_changes(table, previous)
    save_json(
        {
            "base_variant": choice["variant"],
            "previous_run_id": previous_run,
            "variants": {v: {**m, "change": changes[v]} for v, m in table.items()},
        },
        metrics_out,
    )


def published_metrics(models_dir: str) -> tuple[dict | None, str | None]:
    """The metrics of the set published now (verified), or None when there is none to trust."""
    try:
        manifest = integrity.read_manifest(models_dir)
        metrics = integrity.load_json(models_dir, manifest, "metrics.json")
    except IntegrityError as error:
        log.info("no previous metrics to compare with: %s", error)
        return None, None
    return metrics.get("variants"), manifest.get("run_id")


def publish_models(
    *,
    artifacts: list[str],
    tracks_report: str,
    base_model: str,
    models_dir: str,
    variants: list[str],
    max_track_drop: float,
    allow_track_drop: bool,
    receipt_out: str,
) -> None:
    """Publish the staged set into ``models_dir``; the receipt is the step's Snakemake output."""
    base_variant = load_json(base_model)["variant"]
    staged = {Path(p).name: p for p in artifacts}
    failed = {}
    for variant in variants:
        config = load_json(staged[f"hdbscan_config_{variant}.json"])
        if config["status"] != "ok":
            failed[variant] = config["error"]
    sources = [
        Path(p)
        for p in artifacts
        if file_variant(Path(p).name, variants, base_variant) not in failed
    ]
    manifest = publish(
        sources,
        Path(models_dir),
        variants=variants,
        base_variant=base_variant,
        run_id=current_run_id(),
        n_tracks=load_json(tracks_report)["rows_kept"],
        max_track_drop=max_track_drop,
        force=allow_track_drop or flag_from_env("MODELPREP_ALLOW_TRACK_DROP"),
        keep_variants=tuple(failed),
    )
    log.info("published %d files into %s", len(manifest["files"]), models_dir)
    if failed:
        reasons = "; ".join(error.rstrip(".") for error in failed.values())
        raise VariantsFailed(
            f"{reasons}. The other variants were published; the previous files of "
            f"{', '.join(failed)} stay."
        )
    save_json({**manifest, "models_dir": str(Path(models_dir).resolve())}, receipt_out)


def figures(
    *,
    variants: list[str],
    embeddings: list[str],
    labels: list[str],
    metrics: str,
    seed: int,
    figures_out: list[str],
    metrics_out: str,
) -> None:
    from modelprep import report  # matplotlib: only this job pays for importing it

    for variant, embedding, label, out in zip(
        variants, embeddings, labels, figures_out, strict=True
    ):
        report.variant_figure(load_pickle(embedding), load_pickle(label), variant, seed, out)
    table = report.html_table(report.metrics_frame(load_json(metrics)), "Quality metrics")
    Path(metrics_out).write_text(table, encoding="utf-8")


def run_statistics(*, benchmarks: list[str], table_out: str) -> None:
    from modelprep import report

    table = report.html_table(
        report.run_statistics(benchmarks), "Wall time and peak memory per job"
    )
    Path(table_out).write_text(table, encoding="utf-8")
