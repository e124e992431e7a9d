"""The fit jobs: HDBSCAN with its quality metrics, and the exact KNN model."""

from __future__ import annotations

import logging
import os
import time

import numpy as np

from modelprep import env
from modelprep.build.fit import clustering, quality, warmup
from modelprep.files import load_pickle, save_json, save_pickle

log = logging.getLogger(__name__)


def seed_numba_cache() -> None:
    """The job's NUMBA_CACHE_DIR gets the compiled code the environment ships (see
    ``warmup``); a failure costs the compile time, not the job."""
    cache = os.environ.get("NUMBA_CACHE_DIR")
    if not cache:
        return
    try:
        copied = warmup.seed(cache)
    except OSError as exc:
        log.warning(
            "numba: %s not copied into %s (%s); the fit compiles", warmup.SHIPPED, cache, exc
        )
        return
    log.info("numba: %d compiled functions copied from %s into %s", copied, warmup.SHIPPED, cache)


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
    env.settle_numba_cpu()  # before the engine imports numba
    seed_numba_cache()
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
