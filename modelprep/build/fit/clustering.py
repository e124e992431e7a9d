"""HDBSCAN clustering, the exact nearest-neighbour model, and a clustering's quality numbers."""

from __future__ import annotations

import hdbscan
import numpy as np
from sklearn.neighbors import NearestNeighbors

from modelprep.schema import NOISE

# hdbscan's algorithms that are exact whatever approx_min_span_tree says
HDBSCAN_EXACT_ALGORITHMS = ("generic", "prims_kdtree", "prims_balltree")


def fit_hdbscan(
    embedding: np.ndarray, params: dict, n_jobs: int, seed: int
) -> tuple[hdbscan.HDBSCAN, dict]:
    """Fit HDBSCAN with ``params`` (the config's keys) on ``n_jobs`` threads; returns the model
    and how its spanning tree was built (``mst_algorithm``, ``mst_exact``).

    ``engine: modelprep`` builds the exact tree with modelprep.build.fit.engine (``mst_algorithm``
    chooses the path); ``engine: hdbscan`` is hdbscan's own fit, exact unless the config opts
    into ``approx_min_span_tree``, with ``core_dist_n_jobs`` set (it defaults to 4 whatever
    the machine has). Either way the result is a plain ``hdbscan.HDBSCAN``.
    """
    params = dict(params)
    engine_name = params.pop("engine", "modelprep")
    path = params.pop("mst_algorithm", "auto")
    approximate = params.pop("approx_min_span_tree", False)
    if engine_name == "modelprep":
        from modelprep.build.fit import engine

        model, path = engine.fit(embedding, params, seed, n_jobs, path)
        return model, {"mst_algorithm": path, "mst_exact": True}
    model = hdbscan.HDBSCAN(
        **params, approx_min_span_tree=approximate, core_dist_n_jobs=max(1, int(n_jobs))
    )
    model.fit(embedding)
    algorithm = model.algorithm
    if algorithm == "best":  # hdbscan's own choice for euclidean data
        algorithm = "prims_kdtree" if embedding.shape[1] > 60 else "boruvka_kdtree"
    exact = not approximate or algorithm in HDBSCAN_EXACT_ALGORITHMS
    return model, {"mst_algorithm": f"hdbscan_{algorithm}", "mst_exact": exact}


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
