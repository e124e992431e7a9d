"""HDBSCAN clustering, the exact nearest-neighbour model, and a clustering's quality numbers."""

from __future__ import annotations

import hdbscan
import numpy as np
from sklearn.neighbors import NearestNeighbors

from modelprep.schema import NOISE

# Below this many tracks hdbscan's own exact fit takes well under a second, and the k-NN
# graph of the fast engine has too few points to be worth building.
FAST_ENGINE_MIN_ROWS = 1000


def fit_hdbscan(embedding: np.ndarray, params: dict, n_jobs: int, seed: int) -> hdbscan.HDBSCAN:
    """Fit HDBSCAN with ``params`` (the config's keys) on ``n_jobs`` threads.

    ``engine: fast_hdbscan`` builds the spanning tree with fast_hdbscan (see modelprep.engine);
    ``engine: hdbscan`` is hdbscan's own fit, whose ``core_dist_n_jobs`` defaults to 4 whatever
    the machine has, so it is always set. Either way the result is an ``hdbscan.HDBSCAN``.
    """
    params = dict(params)
    engine_name = params.pop("engine", "hdbscan")
    if engine_name == "fast_hdbscan" and embedding.shape[0] >= FAST_ENGINE_MIN_ROWS:
        from modelprep import engine

        return engine.fit(embedding, params, seed, n_jobs)
    model = hdbscan.HDBSCAN(**params, core_dist_n_jobs=max(1, int(n_jobs)))
    model.fit(embedding)
    return model


def cluster_summary(labels: np.ndarray) -> dict:
    """Counts the backend and the reader of a config care about."""
    labels = np.asarray(labels)
    clustered = labels[labels != NOISE]
    sizes = np.bincount(clustered) if clustered.size else np.zeros(0, dtype=np.int64)
    sizes = sizes[sizes > 0]
    return {
        "n_tracks": int(labels.size),
        "n_clusters": int(sizes.size),
        "n_noise_points": int((labels == NOISE).sum()),
        "noise_fraction": float((labels == NOISE).mean()) if labels.size else 0.0,
        "largest_cluster_size": int(sizes.max()) if sizes.size else 0,
        "smallest_cluster_size": int(sizes.min()) if sizes.size else 0,
    }


def degenerate_reason(summary: dict, variant: str, min_cluster_size: int) -> str | None:
    """Why a clustering cannot serve recommendations (fewer than 2 clusters), or None."""
    if summary["n_clusters"] >= 2:
        return None
    found = (
        f"variant {variant}: HDBSCAN found {summary['n_clusters']} clusters "
        f"({summary['n_noise_points']} of {summary['n_tracks']} tracks are noise)"
    )
    if summary["n_tracks"] < 2 * min_cluster_size:
        return (
            f"{found}: two clusters need at least 2 x min_cluster_size = {2 * min_cluster_size} "
            f"tracks and there are {summary['n_tracks']}. Add tracks, or lower min_cluster_size "
            "for this variant in config/config.yaml."
        )
    return f"{found}. Lower min_cluster_size/min_samples for this variant in config/config.yaml."


def fit_knn(embedding: np.ndarray, params: dict, n_jobs: int) -> NearestNeighbors:
    """An exact ``NearestNeighbors`` index over the embedding (no approximation)."""
    n_neighbors = min(int(params["n_neighbors"]), embedding.shape[0])
    model = NearestNeighbors(
        n_neighbors=n_neighbors,
        algorithm=params["algorithm"],
        metric=params["metric"],
        n_jobs=max(1, int(n_jobs)),
    )
    return model.fit(embedding)
