"""The exact mutual-reachability minimum spanning tree, fast in many dimensions.

hdbscan's exact tree above 60 dimensions is Prim's algorithm, O(N²·d) distance evaluations one
at a time (about 75 minutes at 100k × 219); a k-NN graph's spanning tree is fast but heavier
than the minimum, and HDBSCAN's cluster selection turns a 0.07 % heavier tree into other
clusters. This module finds the true minimum in three steps, every number exact:

1. **Exact k nearest neighbours** (``mst_blocks``): blocked float32 GEMM lower bounds of the
   squared distances; only pairs that may beat a row's k-th distance are measured, in float64.
2. **Borůvka rounds certified by the k-NN bound.** An edge outside the k-NN graph joins points
   that are not among each other's k nearest, so it weighs at least each end's *reach*,
   max(core distance, k-th distance / alpha). A component's lightest graph edge to another
   component is therefore the lightest of all when it is lighter than every member's reach.
3. **Exact search where the bound cannot certify.** Searchers (points whose reach is not
   above their component's best edge) are compared with every other component, best-first by
   the per-point, per-block lower bounds recorded in step 1 and refined by each GEMM; a pair
   is measured exactly only when its bound may beat the best edge found so far.

Edges are ordered by (weight, smaller original index, larger original index): the tree is the
unique minimum under that order, the same on any thread count and block layout. The per-pair
loops are numba kernels (``mst_kernels``), and so are the loops over block pairs (``mst_rounds``).
"""

from __future__ import annotations

import numpy as np

from modelprep.build.fit import mst_blocks, mst_kernels, mst_rounds, sizing

# Block-mates whose distances give each row its first k-th-distance limit.
INITIAL_SAMPLE = 256
# Principal components of the block layout and the point-to-block bounds.
HEAD_DIMS = 16
# Neighbours per point in the certifying k-NN graph (at least min_samples): more neighbours
# certify more components; the k-NN step's cost hardly depends on it.
GRAPH_K = 16


class _Edges:
    """One Borůvka round's state: each position's component root, and each root's lightest
    outgoing edge so far (weight, smaller id, larger id)."""

    def __init__(self, comp, core, reach, alpha):
        n = comp.shape[0]
        self.comp, self.core, self.reach, self.alpha = comp, core, reach, alpha
        self.w = np.full(n, np.inf)
        self.a = np.full(n, n, dtype=np.int64)
        self.b = np.full(n, n, dtype=np.int64)

    def distance2_limit(self, positions) -> np.ndarray:
        """The squared distance up to which a pair may beat the component's best edge
        (``mst_kernels.limits`` rounds it up where it is compared in float32)."""
        return (self.w[self.comp[positions]] * self.alpha) ** 2


def _search(layout: mst_blocks.Layout, searcher: np.ndarray, edges: _Edges) -> None:
    """Give every searcher's component its exact lightest outgoing edge
    (``mst_rounds.search_round``, over the block pairs a searcher may need)."""
    comp = edges.comp
    single = np.full(layout.n_blocks, -1)
    for b in range(layout.n_blocks):
        part = layout.block(b)
        if (comp[part] == comp[part.start]).all():
            single[b] = comp[part.start]
    limits = edges.distance2_limit(np.arange(comp.shape[0]))
    mst_rounds.search_round(
        mst_blocks.pairs_nearest_first(layout, searcher, limits), single, layout.starts,
        layout.bounds, layout.A, layout.B, layout.chunk, layout.X, layout.ids, searcher, comp,
        edges.core, edges.reach, edges.alpha, edges.w, edges.a, edges.b,
    )  # fmt: skip


def _boruvka(layout: mst_blocks.Layout, near, dist, core, reach, alpha: float) -> np.ndarray:
    """The tree's edges (smaller id, larger id, weight) in the order Borůvka rounds add them:
    each component's lightest edge, certified by the k-NN graph (``near``, ``dist``) or found
    by ``_search``."""
    n, k = near.shape
    src, dst = np.repeat(np.arange(n), k), near.ravel()
    weight = np.maximum(np.maximum(core[src], core[dst]), dist.ravel() / alpha)
    position = np.empty(n, dtype=np.int64)
    position[layout.ids] = np.arange(n)
    parent = np.arange(n)
    tree = []
    while len(tree) < n - 1:
        comp = mst_kernels.roots(parent)
        edges = _Edges(comp, core, reach, alpha)
        mst_kernels.graph_best(src, dst, weight, layout.ids, comp, edges.w, edges.a, edges.b)
        # A component's graph edge lighter than every member's reach is certified.
        least_reach = np.full(n, np.inf)
        np.minimum.at(least_reach, comp, reach)
        uncertain = edges.w >= least_reach
        searcher = uncertain[comp] & (reach <= edges.w[comp])
        if searcher.any():
            _search(layout, searcher, edges)
        roots = np.flatnonzero(comp == np.arange(n))
        for r in roots[np.lexsort((edges.b[roots], edges.a[roots], edges.w[roots]))]:
            ra = mst_kernels.find(parent, position[edges.a[r]])
            rb = mst_kernels.find(parent, position[edges.b[r]])
            if ra != rb:
                parent[ra] = rb
                tree.append((edges.a[r], edges.b[r], edges.w[r]))
    return np.array(tree, dtype=np.float64).reshape(-1, 3)


def spanning_tree(
    X: np.ndarray, min_samples: int, alpha: float = 1.0, k: int = GRAPH_K, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact mutual-reachability MST of ``X`` as hdbscan defines it.

    Core distance: the distance to the ``min_samples``-th nearest other row (hdbscan queries
    ``min_samples + 1`` rows, the row itself included); an edge weighs max(core_i, core_j,
    d_ij / alpha). Returns the edges (i, j, weight) sorted by (weight, i, j) with i < j, and
    each row's ``k`` nearest other rows (ids and distances), nearest first by (distance, id).
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] < 1:
        raise ValueError(f"a spanning tree needs at least 2 rows of 1 column or more: {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("the rows have non-finite values")
    if not alpha > 0:
        raise ValueError(f"alpha must be positive, not {alpha}")
    n = X.shape[0]
    min_samples = max(1, min(int(min_samples), n - 1))
    k = min(max(int(k), min_samples), n - 1)
    # Work at a scale where the largest centred norm is in [1/2, 1): a power of two changes no
    # bit of any distance (undone at the end), and keeps float32's products far from overflow
    # and from subnormals, whose rounding is not relative.
    centred_norm = np.sqrt(((X - X.mean(axis=0)) ** 2).sum(axis=1).max())
    exponent = int(np.frexp(centred_norm)[1]) if centred_norm > 0 else 0
    layout = mst_blocks.Layout(np.ldexp(X, -exponent), sizing.block_rows(n), HEAD_DIMS, seed)
    d2, near = mst_blocks.exact_knn(layout, k, INITIAL_SAMPLE)
    dist = np.sqrt(d2)
    alpha = float(alpha)
    core = dist[:, min_samples - 1].copy()
    # The least weight of an edge outside the k-NN graph at each end: its distance is at
    # least the end's k-th distance, so it weighs at least max(core, k-th distance / alpha).
    reach = np.maximum(core, dist[:, -1] / alpha)
    tree = _boruvka(layout, near, dist, core, reach, alpha)
    tree = tree[np.lexsort((tree[:, 1], tree[:, 0], tree[:, 2]))]
    tree[:, 2] = np.ldexp(tree[:, 2], exponent)
    neighbours, distances = np.empty_like(near), np.empty_like(dist)
    neighbours[layout.ids] = layout.ids[near]
    distances[layout.ids] = np.ldexp(dist, exponent)
    return tree, neighbours, distances
