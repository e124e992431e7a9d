"""Step 1 of the exact spanning tree (``modelprep.build.fit.mst``): the block layout and the
exact k nearest neighbours.

Rows are grouped into blocks that are close in the space of the leading principal components
(k-means, seeded), bounded by balls and, in up to ``head_dims`` columns, by boxes too. For each
pair of blocks float32 GEMMs give a *lower bound* of every squared distance (the rounding
error is bounded by ``(2d + 8)·u·(|x|² + |y|²)``; twice that is subtracted), and only pairs
whose bound may beat a row's current k-th distance are measured exactly, in float64, by direct
difference (so duplicate rows are at distance 0). Block pairs whose point-to-block bound
already exceeds every k-th distance in both blocks are skipped.
The per-point, per-block lower bounds recorded here also guide the exact search of step 3.
"""

from __future__ import annotations

import warnings

import numpy as np

from modelprep.build.fit import mst_kernels, mst_rounds

# float32's unit roundoff
U32 = 2.0**-24
# Margins of the principal-component bounds, for the projection's float64 rounding:
# relative, and absolute (the rows are scaled to norms below 1).
PROJECTION_MARGIN = (1e-6, 1e-9)
# k-means of the layout fits at most this many rows (a seeded sample), or this many per group
# if more, and then assigns every row: at 1,000,000 rows the fit on all took 96 s of CPU.
KMEANS_SAMPLE, KMEANS_SAMPLE_PER_GROUP = 100_000, 64


class Layout:
    """The rows reordered into spatial blocks, with what the bounds need.

    Positions index the reordered rows; ``ids`` maps them back to the caller's rows, and every
    tie is broken on ``ids``, so the layout changes the work but never the result.
    """

    def __init__(self, X: np.ndarray, block: int, head_dims: int, seed: int):
        n, d = X.shape
        centred = X - X.mean(axis=0)
        head, tail = _head_and_tail(centred, head_dims)
        self.ids, self.starts = _block_layout(head, block, seed)
        self.X = np.ascontiguousarray(X[self.ids])
        centred = centred[self.ids]
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
        self.chunk = np.empty(mst_kernels.CHUNK_BYTES // 4, np.float32)
        self.bounds = self._point_block_bounds(head[self.ids], tail[self.ids], norms.max())
        if d <= head_dims:
            self._tighten_by_boxes(np.ascontiguousarray(centred), norms.max())

    def _tighten_by_boxes(self, centred, largest_norm):
        """Raise the bounds to the squared distance from each point to each block's bounding
        box where that is larger: in few columns boxes are cheap, and discrete columns (key,
        mode) make them tight where balls are not (a third less work on the demo's basic
        features; no less on round clusters)."""
        lows = np.array([centred[self.block(b)].min(axis=0) for b in range(self.n_blocks)])
        highs = np.array([centred[self.block(b)].max(axis=0) for b in range(self.n_blocks)])
        scale, margin = _scale_and_margin(largest_norm)
        mst_kernels.raise_to_box_bounds(centred, lows, highs, scale, margin, self.bounds)

    def _point_block_bounds(self, head, tail, largest_norm):
        """Lower bounds of the squared distance from each point to each block (float32): the
        gap to the block's ball in the principal components plus the gap between tail norms."""
        n_blocks = self.n_blocks
        centres, radii = np.empty((n_blocks, head.shape[1])), np.empty(n_blocks)
        tail_lows, tail_highs = np.empty(n_blocks), np.empty(n_blocks)
        for b in range(n_blocks):
            part = self.block(b)
            centres[b] = head[part].mean(axis=0)
            radii[b] = np.sqrt(((head[part] - centres[b]) ** 2).sum(axis=1)).max()
            tail_lows[b], tail_highs[b] = tail[part].min(), tail[part].max()
        bounds = np.empty((n_blocks, head.shape[0]), np.float32)
        scale, margin = _scale_and_margin(largest_norm)
        mst_kernels.ball_bounds(
            head, tail, centres, radii, tail_lows, tail_highs, scale, margin, bounds
        )
        return bounds

    @property
    def n_blocks(self) -> int:
        return len(self.starts) - 1

    def block(self, b: int) -> slice:
        return slice(int(self.starts[b]), int(self.starts[b + 1]))

    def products(self, rows: slice, cols: slice) -> np.ndarray:
        """Lower bounds of the squared distances between two runs of rows (one float32 GEMM;
        ``mst_kernels.knn_pair`` and ``search_pair`` compute whole block pairs in chunks)."""
        return self.A[rows] @ self.B[cols].T


def _scale_and_margin(largest_norm: float) -> tuple[float, float]:
    """What a bound computed in float64 is multiplied by and less, to stay a lower bound."""
    relative, absolute = PROJECTION_MARGIN
    return 1 - relative, absolute * largest_norm


def _head_and_tail(centred: np.ndarray, head_dims: int) -> tuple[np.ndarray, np.ndarray]:
    """The leading principal components and the norm of what they leave out, measured
    directly (as |x|² - |head|² it would lose half its digits to cancellation where small)."""
    _, vectors = np.linalg.eigh(centred.T @ centred)
    axes = vectors[:, ::-1][:, :head_dims]
    tail = np.concatenate(
        [
            np.linalg.norm(chunk - chunk @ axes @ axes.T, axis=1)
            for chunk in np.array_split(centred, max(1, centred.shape[0] // 16384))
        ]
    )
    return centred @ axes, tail


def _block_layout(head: np.ndarray, block: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """An order of the rows and block starts: k-means groups of the principal components, each
    cut into runs of at most ``block`` rows."""
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    n = head.shape[0]
    groups = min(n, max(1, int(np.ceil(2 * n / block))))
    if groups > 1:
        sample = min(n, max(KMEANS_SAMPLE, KMEANS_SAMPLE_PER_GROUP * groups))
        fitted = head
        if sample < n:
            fitted = head[np.sort(np.random.default_rng(seed).choice(n, sample, replace=False))]
        with warnings.catch_warnings():  # duplicate rows leave groups empty: harmless here
            warnings.simplefilter("ignore", ConvergenceWarning)
            kmeans = KMeans(groups, n_init=1, max_iter=20, random_state=seed).fit(fitted)
        labels = kmeans.labels_ if sample == n else kmeans.predict(head)
    else:
        labels = np.zeros(n, dtype=np.int64)
    order = np.argsort(labels, kind="stable")
    starts, position = [], 0
    for size in np.bincount(labels):
        pieces = -(-size // block)
        if pieces > 1:  # slabs across the group's principal axis, of equal sizes
            members = order[position : position + size]
            values = head[members] - head[members].mean(axis=0)
            axis = np.linalg.eigh(values.T @ values)[1][:, -1]
            members[:] = members[np.argsort(values @ axis, kind="stable")]
        starts.extend(position + np.arange(pieces) * size // pieces)
        position += size
    return order, np.array([*starts, n], dtype=np.int64)


def exact_knn(layout: Layout, k: int, initial_sample: int) -> tuple[np.ndarray, np.ndarray]:
    """Squared distances and positions of each position's k nearest others, sorted by
    (d², id). The first limits come from the first ``initial_sample`` rows of each block."""
    n = layout.X.shape[0]
    hd = np.full((n, k), np.inf)
    hp = np.zeros((n, k), dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    kth2 = np.full(n, np.inf)
    # First limits: each row's k-th exact distance among its k best bounds in a sample of its
    # block (the block's first rows).
    for b in range(layout.n_blocks):
        part = layout.block(b)
        sample = slice(part.start, min(part.stop, part.start + initial_sample))
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
    mst_rounds.knn_round(
        pairs_nearest_first(layout), layout.starts, layout.bounds, layout.A, layout.B,
        layout.chunk, layout.X, layout.ids, kth2, hd, hp, count,
    )  # fmt: skip
    by_id = np.argsort(layout.ids[hp], axis=1, kind="stable")
    hd, hp = np.take_along_axis(hd, by_id, 1), np.take_along_axis(hp, by_id, 1)
    by_distance = np.argsort(hd, axis=1, kind="stable")
    return np.take_along_axis(hd, by_distance, 1), np.take_along_axis(hp, by_distance, 1)


def pairs_nearest_first(layout: Layout, rows=None, limits=None) -> np.ndarray:
    """Block pairs (p <= q) by their smallest point-to-block bound, over the positions
    flagged in ``rows`` (all by default): near pairs first tighten the limits that let the
    far ones be skipped. With squared-distance ``limits`` per position, only the pairs where
    a flagged row of one block has a bound to the other within its limit."""
    n = layout.X.shape[0]
    flagged = np.ones(n, dtype=bool) if rows is None else rows
    limits = np.full(n, np.inf) if limits is None else limits
    nearest, within = mst_kernels.block_pair_bounds(layout.bounds, layout.starts, flagged, limits)
    nearest = np.minimum(nearest, nearest.T)
    p, q = np.nonzero(np.triu((nearest < np.inf) & (within | within.T)))
    order = np.argsort(nearest[p, q], kind="stable")
    return np.column_stack([p[order], q[order]]).astype(np.int64)
