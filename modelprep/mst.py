"""The exact mutual-reachability minimum spanning tree, fast in many dimensions.

hdbscan's exact tree above 60 dimensions is Prim's algorithm, O(N²·d) distance evaluations one
at a time (about 75 minutes at 100k × 219); a k-NN graph's spanning tree is fast but heavier
than the minimum, and HDBSCAN's cluster selection turns a 0.07 % heavier tree into other
clusters. This module finds the true minimum in three steps, every number exact:

1. **Exact k nearest neighbours.** Rows are grouped into blocks that are close in the space
   of the leading principal components (k-means, seeded). For each pair of blocks one float32
   GEMM gives a *lower bound* of every squared distance (the rounding error is bounded by
   ``(2d + 8)·u·(|x|² + |y|²)``; twice that is subtracted), and only pairs whose bound may
   beat a row's current k-th distance are measured exactly, in float64, by direct difference
   (so duplicate rows are at distance 0). Block pairs whose principal-component bound already
   exceeds every k-th distance in both blocks are skipped.
2. **Borůvka rounds certified by the k-NN bound.** An edge outside the k-NN graph joins points
   that are not among each other's k nearest, so it weighs at least each end's *reach*,
   max(core distance, k-th distance / alpha). A component's lightest graph edge to another
   component is therefore the lightest of all when it is lighter than every member's reach.
3. **Exact search where the bound cannot certify.** Searchers (points whose reach is not
   above their component's best edge) are compared with every other component, best-first by
   the per-point, per-block lower bounds recorded in step 1 and refined by each GEMM; a pair
   is measured exactly only when its bound may beat the best edge found so far.

Edges are ordered by (weight, smaller original index, larger original index): the tree is the
unique minimum under that order, the same on any thread count and block layout.
"""

from __future__ import annotations

import warnings

import numba
import numpy as np

# float32's unit roundoff
U32 = 2.0**-24
# Raises a float64 limit enough that its float32 rounding is still above it.
LIMIT_ROUNDING = 1 + 2.0**-20
# Margins of the principal-component bounds, for the projection's float64 rounding:
# relative, and absolute (the rows are scaled to norms below 1).
PROJECTION_MARGIN = (1e-6, 1e-9)
# Rows per block: a block pair's GEMM is large enough for BLAS, small enough for the caches.
BLOCK = 2048
# Block-mates whose distances give each row its first k-th-distance limit.
INITIAL_SAMPLE = 256
# Principal components of the block layout and the point-to-block bounds.
HEAD_DIMS = 16
# Neighbours per point in the certifying k-NN graph (at least min_samples): more neighbours
# certify more components; the k-NN step's cost hardly depends on it.
GRAPH_K = 16


@numba.njit(cache=True, nogil=True)
def _sqdist(X, i, j):
    total = 0.0
    for k in range(X.shape[1]):
        t = X[i, k] - X[j, k]
        total += t * t
    return total


@numba.njit(cache=True, nogil=True)
def _before(w1, a1, b1, w2, a2, b2):
    """(w1, a1, b1) < (w2, a2, b2) lexicographically."""
    return w1 < w2 or (w1 == w2 and (a1 < a2 or (a1 == a2 and b1 < b2)))


@numba.njit(cache=True, nogil=True)
def _heap_push(hd, hp, count, ids, i, d2, j):
    """Offer position j at squared distance d2 to row i's max-heap of its k nearest (ties go
    to the smaller id); True if it was kept."""
    k = hd.shape[1]
    c = count[i]
    if c < k:
        pos = c
        count[i] = c + 1
        while pos > 0:
            up = (pos - 1) >> 1
            if not _before(hd[i, up], ids[hp[i, up]], 0, d2, ids[j], 0):
                break
            hd[i, pos], hp[i, pos] = hd[i, up], hp[i, up]
            pos = up
        hd[i, pos], hp[i, pos] = d2, j
        return True
    if not _before(d2, ids[j], 0, hd[i, 0], ids[hp[i, 0]], 0):
        return False
    pos = 0
    while True:
        child = 2 * pos + 1
        if child >= k:
            break
        right = child + 1
        if right < k and _before(
            hd[i, child], ids[hp[i, child]], 0, hd[i, right], ids[hp[i, right]], 0
        ):
            child = right
        if _before(hd[i, child], ids[hp[i, child]], 0, d2, ids[j], 0):
            break
        hd[i, pos], hp[i, pos] = hd[i, child], hp[i, child]
        pos = child
    hd[i, pos], hp[i, pos] = d2, j
    return True


@numba.njit(cache=True, nogil=True)
def _screen(L, row_limit, col_limit, row_min, col_min):
    """Per row, how many bounds are within the row's or the column's limit; and each row's
    and column's smallest bound. Most pairs stop here, so everything is float32 (the limits
    rounded up, see ``_limits``)."""
    hits = np.zeros(L.shape[0], dtype=np.int64)
    col_min[:] = np.inf
    for a in range(L.shape[0]):
        limit = row_limit[a]
        count = 0
        smallest = np.float32(np.inf)
        row = L[a]
        for b in range(L.shape[1]):
            v = row[b]
            count += v <= max(limit, col_limit[b])
            smallest = min(smallest, v)
            col_min[b] = min(col_min[b], v)
        hits[a] = count
        row_min[a] = smallest
    return hits


def _limits(squared: np.ndarray) -> np.ndarray:
    """float32 limits no smaller than the float64 ones (float32 rounds by at most 2^-24,
    relative, and the rows are scaled so that no limit is subnormal): a screen may pass more,
    never fewer."""
    return (squared * LIMIT_ROUNDING).astype(np.float32)


@numba.njit(cache=True, nogil=True)
def _knn_refine(L, r0, c0, diagonal, X, ids, kth2, hd, hp, count, hits):
    """Measure the pairs of a block whose bound may beat either row's k-th distance
    (``kth2``: an upper bound of each row's squared k-th distance, tightened here)."""
    k = hd.shape[1]
    for a in range(L.shape[0]):
        if hits[a] == 0:
            continue
        i = r0 + a
        for b in range(a + 1 if diagonal else 0, L.shape[1]):
            j = c0 + b
            if L[a, b] > max(kth2[i], kth2[j]):
                continue
            d2 = _sqdist(X, i, j)
            if _heap_push(hd, hp, count, ids, i, d2, j) and count[i] == k:
                kth2[i] = min(kth2[i], hd[i, 0])
            if _heap_push(hd, hp, count, ids, j, d2, i) and count[j] == k:
                kth2[j] = min(kth2[j], hd[j, 0])


@numba.njit(cache=True, nogil=True)
def _edge_refine(
    L,
    rows,
    c0,
    X,
    ids,
    comp,
    core,
    reach,
    alpha,
    best_w,
    best_a,
    best_b,
    hits,
    search_row,
    search_col,
):
    """Measure the pairs of a block that may beat a searcher's component's best edge."""
    for a in range(L.shape[0]):
        if hits[a] == 0:
            continue
        i = rows[a]
        ci = comp[i]
        for b in range(L.shape[1]):
            j = c0 + b
            cj = comp[j]
            if cj == ci:
                continue
            limit = -1.0
            if search_row[a] and reach[j] <= best_w[ci]:
                limit = best_w[ci]
            if search_col[b] and reach[i] <= best_w[cj]:
                limit = max(limit, best_w[cj])
            v = L[a, b]
            low = max(np.sqrt(np.float64(v)) / alpha if v > 0 else 0.0, core[i], core[j])
            if limit < 0 or low > limit:
                continue
            w = max(np.sqrt(_sqdist(X, i, j)) / alpha, core[i], core[j])
            lo, hi = min(ids[i], ids[j]), max(ids[i], ids[j])
            if search_row[a] and _before(w, lo, hi, best_w[ci], best_a[ci], best_b[ci]):
                best_w[ci], best_a[ci], best_b[ci] = w, lo, hi
            if search_col[b] and _before(w, lo, hi, best_w[cj], best_a[cj], best_b[cj]):
                best_w[cj], best_a[cj], best_b[cj] = w, lo, hi


@numba.njit(cache=True, nogil=True)
def _find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        parent[i], i = root, parent[i]
    return root


@numba.njit(cache=True, nogil=True)
def _roots(parent):
    out = np.empty(parent.shape[0], dtype=np.int64)
    for i in range(parent.shape[0]):
        out[i] = _find(parent, i)
    return out


@numba.njit(cache=True, nogil=True)
def _graph_best(src, dst, weight, ids, comp, best_w, best_a, best_b):
    """Each component's lightest k-NN graph edge to another component."""
    for e in range(src.shape[0]):
        i, j = src[e], dst[e]
        ci, cj = comp[i], comp[j]
        if ci == cj:
            continue
        lo, hi = min(ids[i], ids[j]), max(ids[i], ids[j])
        if _before(weight[e], lo, hi, best_w[ci], best_a[ci], best_b[ci]):
            best_w[ci], best_a[ci], best_b[ci] = weight[e], lo, hi
        if _before(weight[e], lo, hi, best_w[cj], best_a[cj], best_b[cj]):
            best_w[cj], best_a[cj], best_b[cj] = weight[e], lo, hi


class _Layout:
    """The rows reordered into spatial blocks, with what the bounds need.

    Positions index the reordered rows; ``ids`` maps them back to the caller's rows, and every
    tie is broken on ``ids``, so the layout changes the work but never the result.
    """

    def __init__(self, X: np.ndarray, block: int, head_dims: int, seed: int):
        n, d = X.shape
        centred = X - X.mean(axis=0)
        _, vectors = np.linalg.eigh(centred.T @ centred)
        axes = vectors[:, ::-1][:, : min(head_dims, d)]
        head = centred @ axes
        # The norm of what the head leaves out, measured directly (as |x|² - |head|² it would
        # lose half its digits to cancellation where it is small).
        tail = np.concatenate(
            [
                np.linalg.norm(chunk - chunk @ axes @ axes.T, axis=1)
                for chunk in np.array_split(centred, max(1, n // 16384))
            ]
        )
        self.ids, self.starts = _block_layout(head, block, seed)
        self.X = np.ascontiguousarray(X[self.ids])
        centred, head, tail = centred[self.ids], head[self.ids], tail[self.ids]
        norms = np.einsum("ij,ij->i", centred, centred)
        # a_i . b_j = (1 - s)(|x_i|² + |x_j|²) - 2 x_i . x_j is at most the exact squared
        # distance: float32 inputs and d + 2 products err by less than (2d + 8) u (|x_i|² +
        # |x_j|²), and s is twice that.
        slack = (4 * d + 16) * U32
        self.A = np.empty((n, d + 2), np.float32)
        self.B = np.empty((n, d + 2), np.float32)
        self.A[:, :d] = -2.0 * centred
        self.A[:, d] = (1.0 - slack) * norms
        self.A[:, d + 1] = 1.0
        self.B[:, :d] = centred
        self.B[:, d] = 1.0
        self.B[:, d + 1] = (1.0 - slack) * norms
        self.bounds = self._point_block_bounds(head, tail, norms.max())

    def _point_block_bounds(self, head, tail, largest_norm):
        """Lower bounds of the squared distance from each point to each block (float32): the
        gap to the block's ball in the principal components plus the gap between tail norms."""
        n_blocks = self.n_blocks
        bounds = np.empty((head.shape[0], n_blocks), np.float32)
        for b in range(n_blocks):
            part = self.block(b)
            centre = head[part].mean(axis=0)
            radius = np.sqrt(((head[part] - centre) ** 2).sum(axis=1)).max()
            gap = np.maximum(np.sqrt(((head - centre) ** 2).sum(axis=1)) - radius, 0.0)
            low, high = tail[part].min(), tail[part].max()
            tail_gap = np.maximum(np.maximum(tail - high, low - tail), 0.0)
            relative, absolute = PROJECTION_MARGIN
            bounds[:, b] = (gap**2 + tail_gap**2) * (1 - relative) - absolute * largest_norm
        return bounds

    @property
    def n_blocks(self) -> int:
        return len(self.starts) - 1

    def block(self, b: int) -> slice:
        return slice(int(self.starts[b]), int(self.starts[b + 1]))

    def products(self, rows: slice, cols: slice) -> np.ndarray:
        """Lower bounds of the squared distances between two blocks (one float32 GEMM)."""
        return self.A[rows] @ self.B[cols].T

    def record(self, rows: slice, cols: slice, row_min, col_min) -> None:
        """Tighten the point-to-block bounds with the minima of a whole computed block pair
        (only whole blocks: a minimum over some rows bounds nothing for the others)."""
        r, c = self.starts.searchsorted([rows.start, cols.start])
        np.maximum(self.bounds[rows, c], row_min, out=row_min)
        self.bounds[rows, c] = row_min
        np.maximum(self.bounds[cols, r], col_min, out=col_min)
        self.bounds[cols, r] = col_min


def _block_layout(head: np.ndarray, block: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """An order of the rows and block starts: k-means groups of the principal components, each
    cut into runs of at most ``block`` rows."""
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    n = head.shape[0]
    groups = min(n, max(1, int(np.ceil(2 * n / block))))
    if groups > 1:
        with warnings.catch_warnings():  # duplicate rows leave groups empty: harmless here
            warnings.simplefilter("ignore", ConvergenceWarning)
            labels = KMeans(groups, n_init=1, max_iter=20, random_state=seed).fit(head).labels_
    else:
        labels = np.zeros(n, dtype=np.int64)
    order = np.argsort(labels, kind="stable")
    starts, position = [], 0
    for size in np.bincount(labels):
        starts.extend(range(position, position + size, block))
        position += size
    return order, np.array([*starts, n], dtype=np.int64)


def _exact_knn(layout: _Layout, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Squared distances and positions of each position's k nearest others, sorted by
    (d², id)."""
    n = layout.X.shape[0]
    hd = np.full((n, k), np.inf)
    hp = np.zeros((n, k), dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    kth2 = np.full(n, np.inf)
    # First limits: each row's k-th exact distance among its k best bounds in a sample of its
    # block (the block's first rows).
    for b in range(layout.n_blocks):
        part = layout.block(b)
        sample = slice(part.start, min(part.stop, part.start + INITIAL_SAMPLE))
        size = sample.stop - sample.start
        if size <= k:
            continue
        L = layout.products(part, sample)
        L[np.arange(size), np.arange(size)] = np.inf
        near = np.argpartition(L, k - 1, axis=1)[:, :k] + part.start
        rows = layout.X[part]
        kth2[part] = np.max(
            [((rows - layout.X[near[:, j]]) ** 2).sum(axis=1) for j in range(k)], axis=0
        )
    for p, q in _pairs_nearest_first(layout):
        rows, cols = layout.block(p), layout.block(q)
        if (layout.bounds[rows, q] > kth2[rows]).all() and (
            layout.bounds[cols, p] > kth2[cols]
        ).all():
            continue
        L = layout.products(rows, cols)
        if p == q:
            np.fill_diagonal(L, np.inf)
        row_min = np.empty(L.shape[0], np.float32)
        col_min = np.empty(L.shape[1], np.float32)
        hits = _screen(L, _limits(kth2[rows]), _limits(kth2[cols]), row_min, col_min)
        layout.record(rows, cols, row_min, col_min)
        _knn_refine(
            L, rows.start, cols.start, p == q, layout.X, layout.ids, kth2, hd, hp, count, hits
        )
    by_id = np.argsort(layout.ids[hp], axis=1, kind="stable")
    hd, hp = np.take_along_axis(hd, by_id, 1), np.take_along_axis(hp, by_id, 1)
    by_distance = np.argsort(hd, axis=1, kind="stable")
    return np.take_along_axis(hd, by_distance, 1), np.take_along_axis(hp, by_distance, 1)


def _pairs_nearest_first(layout: _Layout, rows=None) -> list[tuple[int, int]]:
    """Block pairs (p <= q) by their smallest point-to-block bound, over the positions
    flagged in ``rows`` (all by default): near pairs first tighten the limits that let the
    far ones be skipped."""
    blocks = layout.n_blocks
    nearest = np.full((blocks, blocks), np.inf)
    for b in range(blocks):
        part = layout.block(b)
        bounds = layout.bounds[part] if rows is None else layout.bounds[part][rows[part]]
        if len(bounds):
            nearest[b] = bounds.min(axis=0)
    nearest = np.minimum(nearest, nearest.T)
    pairs = [(p, q) for p in range(blocks) for q in range(p, blocks) if nearest[p, q] < np.inf]
    return sorted(pairs, key=lambda pair: nearest[pair])


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
        (``_limits`` rounds it up where it is compared in float32)."""
        return (self.w[self.comp[positions]] * self.alpha) ** 2

    def refine(self, layout, L, rows, c0, hits, search_row, search_col) -> None:
        _edge_refine(
            L, rows, c0, layout.X, layout.ids, self.comp, self.core, self.reach,
            self.alpha, self.w, self.a, self.b, hits, search_row, search_col,
        )  # fmt: skip


def _search(layout: _Layout, searcher: np.ndarray, edges: _Edges) -> None:
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
    for p, q in _pairs_nearest_first(layout, searcher):
        if single[p] >= 0 and single[p] == single[q]:
            continue
        rows, cols = layout.block(p), layout.block(q)
        search_row = searcher[rows] & (layout.bounds[rows, q] <= edges.distance2_limit(rows))
        search_col = searcher[cols] & (layout.bounds[cols, p] <= edges.distance2_limit(cols))
        if p == q:
            search_row = search_col = search_row | search_col
        wanted = search_row.sum() + (search_col.sum() if p != q else 0)
        if wanted == 0:
            continue
        if 4 * wanted >= (rows.stop - rows.start) + (cols.stop - cols.start):
            _search_block_pair(layout, edges, rows, cols, p == q, search_row, search_col)
            continue
        sides = ((rows, cols, search_row),) if p == q else (
            (rows, cols, search_row), (cols, rows, search_col))  # fmt: skip
        for own, other, flags in sides:
            if flags.any():
                _search_rows(layout, edges, own.start + np.flatnonzero(flags), other)


def _search_block_pair(layout, edges, rows, cols, diagonal, search_row, search_col) -> None:
    """Both sides of a block pair at once; its minima tighten the point-to-block bounds."""
    L = layout.products(rows, cols)
    if diagonal:
        np.fill_diagonal(L, np.inf)
    row_limit = _limits(np.where(search_row, edges.distance2_limit(rows), -np.inf))
    col_limit = _limits(np.where(search_col, edges.distance2_limit(cols), -np.inf))
    row_min = np.empty(L.shape[0], np.float32)
    col_min = np.empty(L.shape[1], np.float32)
    hits = _screen(L, row_limit, col_limit, row_min, col_min)
    layout.record(rows, cols, row_min, col_min)
    positions = np.arange(rows.start, rows.stop)
    edges.refine(layout, L, positions, cols.start, hits, search_row, search_col)


def _search_rows(layout, edges, positions, cols) -> None:
    """A few searchers against one block."""
    L = layout.A[positions] @ layout.B[cols].T
    row_min = np.empty(L.shape[0], np.float32)
    col_min = np.empty(L.shape[1], np.float32)
    no_column = np.full(L.shape[1], -np.inf, dtype=np.float32)
    hits = _screen(L, _limits(edges.distance2_limit(positions)), no_column, row_min, col_min)
    searchers = np.ones(len(positions), dtype=bool)
    targets_only = np.zeros(L.shape[1], dtype=bool)
    edges.refine(layout, L, positions, cols.start, hits, searchers, targets_only)


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
    layout = _Layout(np.ldexp(X, -exponent), BLOCK, HEAD_DIMS, seed)
    d2, near = _exact_knn(layout, k)
    dist = np.sqrt(d2)
    alpha = float(alpha)
    core = dist[:, min_samples - 1].copy()
    # The least weight of an edge outside the k-NN graph at each end: its distance is at
    # least the end's k-th distance, so it weighs at least max(core, k-th distance / alpha).
    reach = np.maximum(core, dist[:, -1] / alpha)
    src, dst = np.repeat(np.arange(n), k), near.ravel()
    weight = np.maximum(np.maximum(core[src], core[dst]), dist.ravel() / alpha)
    position = np.empty(n, dtype=np.int64)
    position[layout.ids] = np.arange(n)
    parent = np.arange(n)
    tree = []
    while len(tree) < n - 1:
        comp = _roots(parent)
        edges = _Edges(comp, core, reach, alpha)
        _graph_best(src, dst, weight, layout.ids, comp, edges.w, edges.a, edges.b)
        # A component's graph edge lighter than every member's reach is certified.
        least_reach = np.full(n, np.inf)
        np.minimum.at(least_reach, comp, reach)
        uncertain = edges.w >= least_reach
        searcher = uncertain[comp] & (reach <= edges.w[comp])
        if searcher.any():
            _search(layout, searcher, edges)
        roots = np.flatnonzero(comp == np.arange(n))
        for r in roots[np.lexsort((edges.b[roots], edges.a[roots], edges.w[roots]))]:
            ra = _find(parent, position[edges.a[r]])
            rb = _find(parent, position[edges.b[r]])
            if ra != rb:
                parent[ra] = rb
                tree.append((edges.a[r], edges.b[r], edges.w[r]))
    tree = np.array(tree, dtype=np.float64).reshape(-1, 3)
    tree = tree[np.lexsort((tree[:, 1], tree[:, 0], tree[:, 2]))]
    tree[:, 2] = np.ldexp(tree[:, 2], exponent)
    neighbours, distances = np.empty_like(near), np.empty_like(dist)
    neighbours[layout.ids] = layout.ids[near]
    distances[layout.ids] = np.ldexp(dist, exponent)
    return tree, neighbours, distances
