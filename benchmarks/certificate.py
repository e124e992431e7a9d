"""Is a fitted HDBSCAN the model its parameters define? Compared with hdbscan's exact tree.

Every minimum spanning tree of a graph has the same multiset of edge weights, so a tree is a
minimum one exactly when its sorted merge distances equal those of a tree known to be minimum.
The reference is the ``hdbscan`` package itself with ``approx_min_span_tree=False`` (its
default Borůvka is approximate). Tolerances are the exactness issue's: totals within 1e-7
relative, each sorted weight within 1e-5 of itself (with a floor of 1e-9 of the largest, so
that zero weights between duplicate rows compare), labels at ARI >= 0.99 and noise within half
a percentage point. Where many weights tie, the order of equal merges may change the condensed
tree, so there the weights decide and the labels only inform.
"""

from __future__ import annotations

import warnings

import hdbscan
import numpy as np

TOTAL_TOLERANCE = 1e-7
EDGE_TOLERANCE = 1e-5
EDGE_FLOOR = 1e-9
MIN_ARI = 0.99
MAX_NOISE_GAP_POINTS = 0.5
# hdbscan's own keywords that are not the model's definition
NOT_PARAMETERS = (
    "engine",
    "mst_algorithm",
    "approx_min_span_tree",
    "core_dist_n_jobs",
    "algorithm",
    "prediction_data",
)


def reference(embedding: np.ndarray, params: dict) -> hdbscan.HDBSCAN:
    """hdbscan's exact fit with the model's parameters (Borůvka or Prim's by dimension).

    With ``alpha`` other than 1 hdbscan's Borůvka trees are heavier than its own Prim's and
    generic ones (which agree), so Prim's is the reference there.
    """
    keywords = {k: v for k, v in params.items() if k not in NOT_PARAMETERS}
    if keywords.get("alpha", 1.0) != 1.0:
        keywords["algorithm"] = "prims_kdtree"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return hdbscan.HDBSCAN(**keywords, approx_min_span_tree=False).fit(embedding)


def merge_distances(model: hdbscan.HDBSCAN) -> np.ndarray:
    """The sorted weights of a fitted model's spanning tree (its single-linkage merges)."""
    return np.sort(np.asarray(model._single_linkage_tree)[:, 2])


def tree_agreement(ours: np.ndarray, exact: np.ndarray) -> dict:
    """Sorted tree weights against the exact ones: relative total difference, the largest
    per-edge difference (relative to the edge, floored), and whether both are in tolerance."""
    ours, exact = np.sort(ours), np.sort(exact)
    if ours.shape != exact.shape:
        raise ValueError(f"trees of {ours.size} and {exact.size} edges cannot be compared")
    total = float(exact.sum())
    total_rel = abs(float(ours.sum()) - total) / max(abs(total), np.finfo(float).tiny)
    scale = np.maximum(np.abs(exact), EDGE_FLOOR * (np.abs(exact).max() if exact.size else 0))
    gaps = np.abs(ours - exact)
    edge_rel = float(np.max(np.divide(gaps, scale, out=np.zeros_like(gaps), where=scale > 0)))
    return {
        "total_rel": total_rel,
        "max_edge_rel": edge_rel,
        "weight_excess": float(ours.sum()) - total,
        "exact": total_rel <= TOTAL_TOLERANCE and edge_rel <= EDGE_TOLERANCE,
    }


def label_agreement(ours: np.ndarray, exact: np.ndarray) -> dict:
    from sklearn.metrics import adjusted_rand_score

    gap = 100 * abs(float(np.mean(ours == -1)) - float(np.mean(exact == -1)))
    ari = float(adjusted_rand_score(exact, ours))
    return {
        "ari": ari,
        "noise_gap_points": gap,
        "agree": ari >= MIN_ARI and gap <= MAX_NOISE_GAP_POINTS,
    }


def certify(model: hdbscan.HDBSCAN, embedding: np.ndarray, params: dict) -> dict:
    """Both agreements of a fitted model with the exact reference on its own embedding."""
    exact = reference(embedding, params)
    return {
        "tree": tree_agreement(merge_distances(model), merge_distances(exact)),
        "labels": label_agreement(np.asarray(model.labels_), np.asarray(exact.labels_)),
    }
