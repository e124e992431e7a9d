"""HDBSCAN fitted through fast_hdbscan's spanning tree, finished by hdbscan's own code.

hdbscan's exact algorithms are quadratic above 60 dimensions (about 4,500 s per low-level
variant at 100k tracks) and its prediction data is quadratic in the number of tree nodes
(117 s at 100k). fast_hdbscan builds the mutual-reachability minimum spanning tree in
seconds: exactly with a numba k-d tree up to ``KD_TREE_MAX_DIMS`` dimensions, from an
approximate k-NN graph (pynndescent, seeded) above. Everything after the tree (the single
linkage tree, condensing, cluster selection, prediction data) is hdbscan's own code or an
equal construction of it, so the published model is a plain ``hdbscan.HDBSCAN`` that loads
and predicts without fast_hdbscan.
"""

from __future__ import annotations

import hdbscan
import numba
import numpy as np
from fast_hdbscan.boruvka import parallel_boruvka
from fast_hdbscan.nndescent import compute_mst_from_knn_graph
from fast_hdbscan.numba_kdtree import build_kdtree
from hdbscan._hdbscan_linkage import label
from hdbscan.dist_metrics import DistanceMetric
from hdbscan.hdbscan_ import _tree_to_labels
from hdbscan.prediction import PredictionData
from sklearn.neighbors import KDTree

# fast_hdbscan's own switch to the k-NN graph: a k-d tree stops pruning above it.
KD_TREE_MAX_DIMS = 30


def _spanning_tree(
    embedding: np.ndarray, min_samples: int, seed: int, threads: int
) -> tuple[np.ndarray, np.ndarray]:
    """The mutual-reachability MST (edges sorted by weight) and each point's nearest others.

    Deterministic for a given seed and thread count (pynndescent's graph depends on both).
    """
    numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
    if embedding.shape[1] > KD_TREE_MAX_DIMS:
        edges, neighbours, _ = compute_mst_from_knn_graph(
            embedding, min_samples=min_samples, random_state=seed
        )
    else:
        edges, neighbours, _ = parallel_boruvka(
            build_kdtree(embedding),
            numba.get_num_threads(),
            min_samples=min_samples,
            sample_weights=np.empty(1, dtype=np.float32),
            reproducible=True,
        )
    edges = np.asarray(edges, dtype=np.float64)
    return np.ascontiguousarray(edges[np.argsort(edges[:, 2], kind="stable")]), neighbours


def fit(embedding: np.ndarray, params: dict, seed: int, threads: int) -> hdbscan.HDBSCAN:
    """An ``hdbscan.HDBSCAN`` fitted on ``embedding`` with ``params`` (hdbscan's keywords)."""
    embedding = np.ascontiguousarray(embedding, dtype=np.float64)
    model = hdbscan.HDBSCAN(**params)
    min_samples = model.min_samples or model.min_cluster_size
    edges, neighbours = _spanning_tree(embedding, min_samples, seed, threads)
    (
        model.labels_,
        model.probabilities_,
        model.cluster_persistence_,
        model._condensed_tree,
        model._single_linkage_tree,
    ) = _tree_to_labels(
        embedding,
        label(edges),
        model.min_cluster_size,
        model.cluster_selection_method,
        model.allow_single_cluster,
        model.match_reference_implementation,
        model.cluster_selection_epsilon,
        model.max_cluster_size,
        model.cluster_selection_epsilon_max,
    )
    model._raw_data = embedding
    model._all_finite = True
    if model.prediction_data:
        # hdbscan's prediction core distance counts the point itself among min_samples.
        nearest = neighbours[:, min_samples - 2] if min_samples > 1 else np.arange(len(embedding))
        core = np.linalg.norm(embedding - embedding[nearest], axis=1)
        model._prediction_data = prediction_data(embedding, model.condensed_tree_, core)
    return model


def prediction_data(raw: np.ndarray, condensed, core_distances: np.ndarray) -> PredictionData:
    """hdbscan's ``PredictionData`` for a fitted tree, built in linear time.

    Equal, attribute by attribute, to ``PredictionData(raw, condensed, min_samples)`` given the
    same core distances (a test checks it); hdbscan scans the whole tree once per cluster node.
    """
    data = PredictionData.__new__(PredictionData)
    data.raw_data = raw
    data.tree = KDTree(raw, metric="euclidean")
    data.core_distances = core_distances
    data.dist_metric = DistanceMetric.get_metric("euclidean")
    tree = condensed._raw_tree
    selected = sorted(condensed._select_clusters())
    data.cluster_map = {c: n for n, c in enumerate(selected)}
    data.reverse_cluster_map = {n: c for c, n in data.cluster_map.items()}
    data.cluster_tree = tree[tree["child_size"] > 1]
    top = np.full(int(tree["parent"].max()) + 1, -np.inf)
    np.maximum.at(top, tree["parent"], tree["lambda_val"])
    children: dict[int, list[int]] = {}
    for parent, child in zip(data.cluster_tree["parent"], data.cluster_tree["child"], strict=True):
        children.setdefault(int(parent), []).append(int(child))
    nodes = set(data.cluster_tree["parent"]) | set(data.cluster_tree["child"])
    data.leaf_max_lambdas = {c: top[c] for c in nodes}
    data.max_lambdas = {}
    data.exemplars = []
    at_top = tree["lambda_val"] == top[tree["parent"]]
    points_at_top: dict[int, list[int]] = {}
    for parent, child in zip(tree["parent"][at_top], tree["child"][at_top], strict=True):
        points_at_top.setdefault(int(parent), []).append(int(child))
    for cluster in selected:
        data.max_lambdas[cluster] = top[int(cluster)]
        for below in _breadth_first(children, int(cluster)):
            data.cluster_map[below] = data.cluster_map[cluster]
            data.max_lambdas[below] = data.max_lambdas[cluster]
        exemplars = [p for leaf in _leaves(children, int(cluster)) for p in points_at_top[leaf]]
        data.exemplars.append(raw[np.asarray(exemplars, dtype=np.int64)])
    return data


def _breadth_first(children: dict[int, list[int]], root: int) -> list[int]:
    order, level = [], [root]
    while level:
        order.extend(level)
        level = [child for node in level for child in children.get(node, [])]
    return order


def _leaves(children: dict[int, list[int]], root: int) -> list[int]:
    """Leaf clusters under ``root`` in hdbscan's depth-first order (without recursion)."""
    leaves, stack = [], [root]
    while stack:
        node = stack.pop()
        kids = children.get(node)
        if kids:
            stack.extend(reversed(kids))
        else:
            leaves.append(node)
    return leaves
