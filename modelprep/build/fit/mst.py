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
loops are numba kernels (``mst_kernels``).
"""

from __future__ import annotations

import numpy as np

from modelprep.build.fit import mst_blocks, mst_kernels, sizing

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

    def search_pair(self, layout, rows, cols, row_limit, col_limit, search_row, search_col,
                    row_min, col_min) -> None:  # fmt: skip
        mst_kernels.search_pair(
            layout.A, layout.B, rows.start, rows.stop, cols.start, cols.stop, layout.chunk,
            row_limit, col_limit, search_row, search_col, layout.X, layout.ids, self.comp,
            self.core, self.reach, self.alpha, self.w, self.a, self.b, row_min, col_min,
        )  # fmt: skip

    def refine(self, layout, L, rows, c0, hits, search_row, search_col) -> None:
        mst_kernels.edge_refine(
            L, rows, c0, layout.X, layout.ids, self.comp, self.core, self.reach,
            self.alpha, self.w, self.a, self.b, hits, search_row, search_col,
        )  # fmt: skip


def _search(layout: mst_blocks.Layout, searcher: np.ndarray, edges: _Edges) -> None:
    """Give every searcher's component its exact lightest outgoing edge.

    Block pairs go nearest first, skipping pairs inside one component; within a pair only
    searchers whose bound to the other block may beat their component's best edge count.
    Where many rows count, the whole pair is computed once for both sides and its minima
    tighten the bounds; else only the searchers' rows are.
    """
    comp = edges.comp
    single = np.full(layout.n_blocks, -1)
    for b in range(layout.n_blocks):
        part = layout.block(b)
        if (comp[part] == comp[part.start]).all():
            single[b] = comp[part.start]
    limits = edges.distance2_limit(np.arange(comp.shape[0]))
    for p, q in mst_blocks.pairs_nearest_first(layout, searcher, limits):
        if single[p] >= 0 and single[p] == single[q]:
            continue
        rows, cols = layout.block(p), layout.block(q)
        search_row = _searching(layout, edges, searcher, rows, q, single[q])
        search_col = _searching(layout, edges, searcher, cols, p, single[p])
        if p == q:
            search_row = search_col = search_row | search_col
        wanted = search_row.sum() + (search_col.sum() if p != q else 0)
        if wanted == 0:
            continue
        if 4 * wanted >= (rows.stop - rows.start) + (cols.stop - cols.start):
            _search_block_pair(layout, edges, rows, cols, search_row, search_col)
            continue
        sides = ((rows, cols, search_row),) if p == q else (
            (rows, cols, search_row), (cols, rows, search_col))  # fmt: skip
        for own, other, flags in sides:
            if flags.any():
                _search_rows(layout, edges, own.start + np.flatnonzero(flags), other)


def _searching(layout, edges, searcher, rows: slice, other: int, other_comp: int) -> np.ndarray:
    """Which rows search block ``other``: searchers whose bound to it may beat their
    component's best edge, unless every row of ``other`` is in their own component."""
    return mst_kernels.searching(
        layout.bounds, other, rows.start, rows.stop, searcher, edges.comp, edges.w,
        edges.alpha, other_comp,
    )  # fmt: skip


def _search_block_pair(layout, edges, rows, cols, search_row, search_col) -> None:
    """Both sides of a block pair at once; its minima tighten the point-to-block bounds."""
    row_limit = mst_kernels.limits(np.where(search_row, edges.distance2_limit(rows), -np.inf))
    col_limit = mst_kernels.limits(np.where(search_col, edges.distance2_limit(cols), -np.inf))
    row_min = np.empty(rows.stop - rows.start, np.float32)
    col_min = np.empty(cols.stop - cols.start, np.float32)
    edges.search_pair(layout, rows, cols, row_limit, col_limit, search_row, search_col,
                      row_min, col_min)  # fmt: skip
    layout.record(rows, cols, row_min, col_min)


def _search_rows(layout, edges, positions, cols) -> None:
    """A few searchers against one block."""
    L = layout.A[positions] @ layout.B[cols].T
    row_min = np.empty(L.shape[0], np.float32)
    col_min = np.full(L.shape[1], np.inf, dtype=np.float32)
    no_column = np.full(L.shape[1], -np.inf, dtype=np.float32)
    row_limit = mst_kernels.limits(edges.distance2_limit(positions))
    hits = np.empty(L.shape[0], np.int64)
    mst_kernels.screen(L, row_limit, no_column, row_min, col_min, hits)
    searchers = np.ones(len(positions), dtype=bool)
    targets_only = np.zeros(L.shape[1], dtype=bool)
    edges.refine(layout, L, positions, cols.start, hits, searchers, targets_only)


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
