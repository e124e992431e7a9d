"""HDBSCAN fitted through fast_hdbscan's spanning tree, finished by hdbscan's own code.

hdbscan's exact algorithms are quadratic above 60 dimensions (about 4,500 s per low-level
variant at 100k tracks) and its prediction data is quadratic in the number of tree nodes
(117 s at 100k). fast_hdbscan builds the mutual-reachability minimum spanning tree in
seconds: exactly with a numba k-d tree up to ``KD_TREE_MAX_DIMS`` dimensions, from an
approximate k-NN graph (pynndescent, seeded) above. pynndescent leaves numba's disk cache
off, so it would recompile for about 38 s in every process; ``_knn_graph_tree`` turns the
cache on, which leaves about 12 s for the two functions numba cannot cache (they take the
distance as an argument). Where an exact k-NN graph costs less (``BRUTE_MAX_WORK``) it comes
from BLAS instead and the tree from scipy, with no compiling at all. Everything after the
tree (the single linkage tree, condensing, cluster selection, prediction data) is hdbscan's
own code or an equal construction of it, so the published model is a plain
``hdbscan.HDBSCAN`` that loads and predicts without fast_hdbscan.
"""

from __future__ import annotations

import importlib
import warnings

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
from numba.core.caching import NullCache
from numba.core.dispatcher import Dispatcher
from numba.core.errors import NumbaWarning
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from sklearn.neighbors import KDTree, NearestNeighbors

from modelprep.settings import KD_TREE_MAX_DIMS

# tracks² × dimensions up to which an exact k-NN graph by BLAS beats pynndescent's compile
# and run. Cluster jobs measured on one thread: 20,000 × 219, 9 s against 33 s; 100k × 60,
# 51 s against 38 s (pynndescent); 100k × 219 by BLAS would take about 90 s.
BRUTE_MAX_WORK = 3e11
# pynndescent's modules whose numba functions fast_hdbscan's k-NN graph path compiles.
PYNNDESCENT_MODULES = (
    "pynndescent.utils",
    "pynndescent.pynndescent_",
    "pynndescent.kernels",
    "pynndescent.rp_trees",
)


def graph_degree(min_samples: int) -> int:
    """Neighbours per point in the k-NN graph: fast_hdbscan's default."""
    return max(3 * min_samples, 15)


def _exact_knn_tree(
    embedding: np.ndarray, min_samples: int, threads: int
) -> tuple[np.ndarray, np.ndarray]:
    """The MST of the mutual-reachability graph over the exact k nearest neighbours.

    Approximates the full MST as fast_hdbscan's k-NN graph path does, with exact neighbours;
    parts the graph leaves apart are joined by infinite edges, as fast_hdbscan joins them.
    """
    n = embedding.shape[0]
    k = min(graph_degree(min_samples), n - 1)
    search = NearestNeighbors(n_neighbors=k, algorithm="brute", n_jobs=threads).fit(embedding)
    distances, neighbours = search.kneighbors()  # each point's neighbours, itself excluded
    core = distances[:, min_samples - 1]
    rows = np.repeat(np.arange(n), k)
    cols = neighbours.ravel()
    weights = np.maximum(np.maximum(core[rows], core[cols]), distances.ravel())
    # csgraph drops zero weights (duplicate tracks): the smallest positive float stands in.
    weights = np.maximum(weights, np.finfo(np.float64).tiny)
    graph = csr_matrix((weights, (rows, cols)), shape=(n, n))
    forest = minimum_spanning_tree(graph.maximum(graph.T)).tocoo()
    edges = np.column_stack([forest.row, forest.col, forest.data]).astype(np.float64)
    parts, part_of = connected_components(forest, directed=False)
    if parts > 1:
        firsts = np.unique(part_of, return_index=True)[1]
        bridges = np.column_stack(
            [np.full(parts - 1, firsts[0]), firsts[1:], np.full(parts - 1, np.inf)]
        )
        edges = np.vstack([edges, bridges])
    return edges, neighbours


def _knn_graph_tree(
    embedding: np.ndarray, min_samples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """fast_hdbscan's tree over pynndescent's k-NN graph, with numba's disk cache turned on.

    pynndescent compiles its functions uncached. Their cache is keyed by each source file and
    checked against its time stamp, as for any ``cache=True`` function (the versions are
    pinned). The two that take the distance as an argument cannot be cached and still compile
    in each process; numba's warning about them is expected.
    """
    for name in PYNNDESCENT_MODULES:
        for function in vars(importlib.import_module(name)).values():
            if isinstance(function, Dispatcher) and isinstance(function._cache, NullCache):
                function.enable_caching()
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Cannot cache compiled function", category=NumbaWarning
        )
        edges, neighbours, _ = compute_mst_from_knn_graph(
            embedding, min_samples=min_samples, random_state=seed
        )
    return edges, neighbours


def _spanning_tree(
    embedding: np.ndarray, min_samples: int, seed: int, threads: int
) -> tuple[np.ndarray, np.ndarray]:
    """The mutual-reachability MST (edges sorted by weight) and each point's nearest others.

    Deterministic for a given seed and thread count (pynndescent's graph depends on both).
    """
    n_rows, n_dims = embedding.shape
    numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
    if n_dims > KD_TREE_MAX_DIMS and n_rows * n_rows * n_dims <= BRUTE_MAX_WORK:
        edges, neighbours = _exact_knn_tree(embedding, min_samples, threads)
    elif n_dims > KD_TREE_MAX_DIMS:
        edges, neighbours = _knn_graph_tree(embedding, min_samples, seed)
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
    if not np.isfinite(embedding).all():
        raise ValueError(
            "embedding has non-finite values, which ingest should have dropped: rebuild with "
            "--forceall, and report it with the run's logs if it happens again"
        )
    model = hdbscan.HDBSCAN(**params)
    min_samples = model.min_samples or model.min_cluster_size
    edges, neighbours = _spanning_tree(embedding, min_samples, seed, threads)
    # A k-NN graph of well-separated groups is disconnected: fast_hdbscan joins the parts with
    # infinite edges, whose lambda (1/distance) is 0 and whose epsilon distance is 1/0.
    with np.errstate(divide="ignore"):
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
