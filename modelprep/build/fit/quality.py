"""A clustering's quality numbers, on one seeded sample of its clustered tracks.

Pairwise measures are quadratic in the number of tracks, so they are taken on a seeded sample
of at most ``sample_size`` clustered (non-noise) tracks: the silhouette within about 0.003 of
the full score at 10,000. The silhouette and the neighbour consistency come from one chunked
pass over the sample's distance matrix (each chunk reduced as it comes, so the matrix is never
whole in memory); DBCV is ``hdbscan.validity`` on a seeded part of the same sample, because it
holds several dense matrices of a cluster's size (5.1 GB for one 9,000-track cluster).
"""

from __future__ import annotations

import numpy as np
from hdbscan.validity import validity_index
from sklearn.metrics import pairwise_distances_chunked

from modelprep.schema import NOISE

# How many nearest neighbours the neighbour consistency looks at, and for how many tracks of
# the sample (a seeded subset: partitioning every row costs more than the silhouette itself;
# 2,000 tracks put the mean within about 0.01).
CONSISTENCY_NEIGHBOURS = 10
CONSISTENCY_QUERIES = 2000
# Sampled tracks a cluster needs to count in the DBCV.
DBCV_MIN_MEMBERS = 3
# Tracks of the sample the DBCV is taken on: its matrices stay under about 0.5 GB.
DBCV_SAMPLE = 3000
# MiB of distances per chunk of the silhouette's pass. scikit-learn's default (1,024) held the
# whole 10,000-track matrix at once: 0.8 GB, the largest part of a 100,000-track fit's peak.
CHUNK_MIB = 64


def metric_sample(labels: np.ndarray, sample_size: int, seed: int) -> np.ndarray:
    """Rows of a seeded sample of the clustered tracks, in row order."""
    clustered = np.flatnonzero(np.asarray(labels) != NOISE)
    if clustered.size > sample_size:
        rng = np.random.default_rng(seed)
        clustered = np.sort(rng.choice(clustered, size=sample_size, replace=False))
    return clustered


def silhouette_and_consistency(X: np.ndarray, labels: np.ndarray, seed: int) -> tuple[float, float]:
    """The mean silhouette (as ``sklearn.metrics.silhouette_score``) and the mean share of the
    nearest neighbours (within ``X``) in a track's own cluster, from one pass over distances."""
    clusters, codes = np.unique(labels, return_inverse=True)
    counts = np.bincount(codes).astype(np.float64)
    members = np.eye(clusters.size)[codes]  # (tracks, clusters) one-hot
    k = min(CONSISTENCY_NEIGHBOURS, len(labels) - 1)
    queries = np.zeros(len(labels), dtype=bool)
    queries[np.random.default_rng(seed).permutation(len(labels))[:CONSISTENCY_QUERIES]] = True

    def reduce(chunk: np.ndarray, start: int):
        rows = np.arange(len(chunk))
        own = codes[start : start + len(chunk)]
        mean_to = chunk @ members / counts
        with np.errstate(invalid="ignore", divide="ignore"):
            intra = mean_to[rows, own] * counts[own] / (counts[own] - 1)
        mean_to[rows, own] = np.inf
        inter = mean_to.min(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            silhouette = np.nan_to_num((inter - intra) / np.maximum(intra, inter))
        chunk[rows, start + rows] = np.inf  # a track is not its own neighbour
        asked = queries[start : start + len(chunk)]
        nearest = np.argpartition(chunk[asked], k - 1, axis=1)[:, :k]
        consistency = np.full(len(chunk), np.nan)  # NaN: not a query
        consistency[asked] = (codes[nearest] == own[asked, None]).mean(axis=1)
        return silhouette, consistency

    chunks = pairwise_distances_chunked(
        X, reduce_func=reduce, metric="euclidean", working_memory=CHUNK_MIB
    )
    parts = list(chunks)
    silhouette = np.concatenate([p[0] for p in parts])
    consistency = np.concatenate([p[1] for p in parts])
    return float(silhouette.mean()), float(np.nanmean(consistency))


def dbcv(X: np.ndarray, labels: np.ndarray) -> float | None:
    """Density-based cluster validity of the sample's clusters that have at least
    ``DBCV_MIN_MEMBERS`` tracks in it (None where fewer than two such clusters remain).

    ``hdbscan.validity`` needs a spanning tree inside every cluster: a small cluster that the
    sample leaves with one track has none, and fails it.
    """
    clusters, counts = np.unique(labels, return_counts=True)
    kept = np.isin(labels, clusters[counts >= DBCV_MIN_MEMBERS])
    if np.unique(labels[kept]).size < 2:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        score = float(validity_index(X[kept], labels[kept]))
    return score if np.isfinite(score) else None


def sample_metrics(embedding: np.ndarray, labels: np.ndarray, sample_size: int, seed: int):
    """Silhouette, DBCV and neighbour consistency of ``labels`` on the seeded sample.

    Below two clusters (in the sample) the silhouette is -1.0 and the others are None.
    """
    rows = metric_sample(labels, sample_size, seed)
    sample_labels = np.asarray(labels)[rows]
    if np.unique(sample_labels).size < 2:
        metrics = {"silhouette_score": -1.0, "dbcv": None, "neighbour_consistency": None}
        return {**metrics, "silhouette_sample_size": 0}
    X = np.ascontiguousarray(embedding[rows], dtype=np.float64)
    silhouette, consistency = silhouette_and_consistency(X, sample_labels, seed)
    part = np.arange(rows.size)
    if rows.size > DBCV_SAMPLE:
        part = np.sort(np.random.default_rng(seed).choice(rows.size, DBCV_SAMPLE, replace=False))
    return {
        "silhouette_score": silhouette,
        "silhouette_sample_size": int(rows.size),
        "dbcv": dbcv(X[part], sample_labels[part]),
        "neighbour_consistency": consistency,
    }


def size_quantiles(labels: np.ndarray) -> dict[str, float] | None:
    """Quantiles of the cluster sizes (noise excluded)."""
    labels = np.asarray(labels)
    sizes = np.bincount(labels[labels != NOISE]) if (labels != NOISE).any() else []
    sizes = np.asarray(sizes)[np.asarray(sizes) > 0]
    if not sizes.size:
        return None
    points = {"min": 0.0, "q25": 0.25, "median": 0.5, "q75": 0.75, "max": 1.0}
    return {name: float(np.quantile(sizes, q)) for name, q in points.items()}
