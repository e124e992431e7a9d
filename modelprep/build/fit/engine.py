"""HDBSCAN fitted on an exact spanning tree of our own, finished by hdbscan's own code.

hdbscan's exact algorithms are quadratic above 60 dimensions (about 4,500 s per low-level
variant at 100k tracks) and its prediction data is quadratic in the number of tree nodes (117 s
at 100k). The spanning tree is the one part that costs, and it comes from one of two exact paths
(``MST_ALGORITHMS``): ``exact_blocks`` (modelprep.build.fit.mst: exact k-NN by blocked GEMM
bounds, certified Borůvka; 12-57 s per variant at 100k on one thread, 6 to 219 columns) or
``kd_tree`` (fast_hdbscan's numba k-d tree Borůvka, for millions of rows in few dimensions,
where the blocked path's blocks would grow too large). The k-NN graph trees this module used
before were faster above 30 dimensions but heavier than the minimum, and 0.07 % of extra weight
changed the clusters (see benchmarks/certificate.py). Everything after the tree (the single
linkage tree, condensing, cluster selection, prediction data) is hdbscan's own code or an equal
construction of it (``linkage``, ``prediction_data``), so the published model is a plain
``hdbscan.HDBSCAN`` that loads and predicts without this package.
"""

from __future__ import annotations

import hdbscan
import numba
import numpy as np
from sklearn.neighbors import KDTree
from threadpoolctl import threadpool_limits

from modelprep.build.fit import linkage, mst
from modelprep.build.fit.internals import (
    DistanceMetric,
    PredictionData,
    kd_tree_boruvka,
    tree_to_labels,
)

# Dimensions up to which fast_hdbscan's k-d tree prunes (its own switch to a k-NN graph).
KD_TREE_MAX_DIMS = 30
MST_ALGORITHMS = ("auto", "exact_blocks", "kd_tree")
# Above this many rows a few-dimensional variant takes the k-d tree: the blocked path's
# bounds stay within 3 GiB by growing its blocks (sizing.block_rows), but the rest of its
# memory grows with the rows (4.35 GB peak at 1,000,000 x 12; about 5.4 GB here, the public
# 1.2M-track export's size, and over 6 GiB at 2,000,000). Below it the blocked path is the
# faster one in 6 to 12 columns (1,000,000 x 12: 566 s of CPU against 2,170 s for the k-d tree).
BLOCKS_MAX_ROWS = 1_300_000


def mst_algorithm(n_rows: int, n_dims: int, requested: str = "auto", alpha: float = 1.0) -> str:
    """The exact path a fit takes: the config's choice, or by size, dimension and alpha (the
    k-d tree knows alpha 1 only)."""
    if requested not in MST_ALGORITHMS:
        raise ValueError(f"mst_algorithm '{requested}' is not one of {', '.join(MST_ALGORITHMS)}")
    if requested != "auto":
        return requested
    if n_dims <= KD_TREE_MAX_DIMS and n_rows > BLOCKS_MAX_ROWS and alpha == 1.0:
        return "kd_tree"
    return "exact_blocks"


def _kd_tree(embedding: np.ndarray, min_samples: int, threads: int):
    """fast_hdbscan's exact Borůvka; the same tree on any thread count (reproducible=True).
    Returns the edges and each row's prediction core distance. Imported here: the default
    path never loads fast_hdbscan's numba code."""
    parallel_boruvka, build_kdtree = kd_tree_boruvka()
    numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
    edges, neighbours, _ = parallel_boruvka(
        build_kdtree(embedding),
        numba.get_num_threads(),
        min_samples=min_samples,
        sample_weights=np.empty(1, dtype=np.float32),
        reproducible=True,
    )
    nearest = neighbours[:, min_samples - 2] if min_samples > 1 else np.arange(len(embedding))
    return np.asarray(edges, dtype=np.float64), np.linalg.norm(
        embedding - embedding[nearest], axis=1
    )


def _exact_blocks(embedding: np.ndarray, min_samples: int, alpha: float, seed: int, threads: int):
    """The blocked path's tree (modelprep.build.fit.mst); its exact neighbour distances give
    the prediction core distance. Its GEMMs get ``threads`` BLAS threads, whatever limit the
    caller entered: numba's ``np.dot`` calls scipy's OpenBLAS, which a limit entered before
    scipy was loaded does not cover (two threads, where one was declared)."""
    with threadpool_limits(limits=max(1, int(threads)), user_api="blas"):
        edges, _, distances = mst.spanning_tree(embedding, min_samples, alpha=alpha, seed=seed)
    core = distances[:, min_samples - 2] if min_samples > 1 else np.zeros(len(embedding))
    return edges, core


def spanning_tree(
    embedding: np.ndarray, min_samples: int, alpha: float, seed: int, threads: int, path: str
) -> tuple[np.ndarray, np.ndarray]:
    """The mutual-reachability MST, edges ordered by (weight, i, j), and each row's
    prediction core distance (hdbscan counts the row itself among its min_samples)."""
    if path == "kd_tree":
        if alpha != 1.0:
            raise ValueError(
                f"mst_algorithm kd_tree supports alpha 1.0 only, not {alpha}: set "
                "hdbscan.mst_algorithm to exact_blocks or auto"
            )
        edges, core = _kd_tree(embedding, min_samples, threads)
    else:
        edges, core = _exact_blocks(embedding, min_samples, alpha, seed, threads)
    low, high = np.minimum(edges[:, 0], edges[:, 1]), np.maximum(edges[:, 0], edges[:, 1])
    edges = np.column_stack([low, high, edges[:, 2]])
    return np.ascontiguousarray(edges[np.lexsort((high, low, edges[:, 2]))]), core


def fit(
    embedding: np.ndarray, params: dict, seed: int, threads: int, path: str = "auto"
) -> tuple[hdbscan.HDBSCAN, str]:
    """An ``hdbscan.HDBSCAN`` fitted on ``embedding`` with ``params`` (hdbscan's keywords),
    and the spanning-tree path it took."""
    embedding = np.ascontiguousarray(embedding, dtype=np.float64)
    if not np.isfinite(embedding).all():
        raise ValueError(
            "embedding has non-finite values, which ingest should have dropped: rebuild with "
            "--forceall, and report it with the run's logs if it happens again"
        )
    if embedding.shape[0] < 2:
        raise ValueError("HDBSCAN needs at least 2 tracks")
    model = hdbscan.HDBSCAN(**params)
    if model.match_reference_implementation:
        raise ValueError(
            "match_reference_implementation changes min_samples and min_cluster_size; use "
            "engine: hdbscan for it"
        )
    # hdbscan's own rules: min_samples defaults to min_cluster_size and is at most n - 1
    min_samples = max(1, min(model.min_samples or model.min_cluster_size, len(embedding) - 1))
    path = mst_algorithm(*embedding.shape, path, model.alpha)
    edges, core = spanning_tree(embedding, min_samples, model.alpha, seed, threads, path)
    (
        model.labels_,
        model.probabilities_,
        model.cluster_persistence_,
        model._condensed_tree,
        model._single_linkage_tree,
    ) = tree_to_labels(
        embedding,
        linkage.single_linkage(edges),
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
        model._prediction_data = prediction_data(embedding, model.condensed_tree_, core)
    return model, path


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
