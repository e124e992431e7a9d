"""The loops over block pairs of the exact spanning tree (``modelprep.build.fit.mst``), in numba.

A round visits up to a few hundred thousand block pairs, most of them only to check a bound
and move on: as Python, with a few numpy calls per pair, that bookkeeping took about 15 s of a
1,000,000-row tree. Each loop here is one call per round; the pairs' work is the kernels of
``mst_kernels``, in the same order as before, so the result is the same.
"""

from __future__ import annotations

import numba
import numpy as np

from modelprep.build.fit.mst_kernels import (
    LIMIT_ROUNDING,
    edge_refine,
    knn_pair,
    screen,
    search_pair,
    searching,
)


@numba.njit(cache=True, nogil=True)
def _record(bounds, p, q, r0, r1, c0, c1, row_min, col_min):
    """Tighten the point-to-block bounds with the minima of a whole computed block pair
    (only whole blocks: a minimum over some rows bounds nothing for the others)."""
    for i in range(r0, r1):
        bounds[q, i] = max(bounds[q, i], row_min[i - r0])
    for j in range(c0, c1):
        bounds[p, j] = max(bounds[p, j], col_min[j - c0])


@numba.njit(cache=True, nogil=True)
def _beyond(bounds, other, start, stop, kth2):
    """Whether every row in ``start:stop`` is bounded beyond its k-th distance from block
    ``other``."""
    for i in range(start, stop):
        if bounds[other, i] <= kth2[i]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def knn_round(pairs, starts, bounds, A, B, buf, X, ids, kth2, hd, hp, count):
    """The k-NN step over ``pairs`` of blocks, skipping a pair whose bounds already exceed
    every k-th distance on both sides; each computed pair tightens the bounds."""
    for e in range(pairs.shape[0]):
        p, q = pairs[e, 0], pairs[e, 1]
        r0, r1, c0, c1 = starts[p], starts[p + 1], starts[q], starts[q + 1]
        if _beyond(bounds, q, r0, r1, kth2) and _beyond(bounds, p, c0, c1, kth2):
            continue
        row_min = np.empty(r1 - r0, np.float32)
        col_min = np.empty(c1 - c0, np.float32)
        knn_pair(A, B, r0, r1, c0, c1, buf, X, ids, kth2, hd, hp, count, row_min, col_min)
        _record(bounds, p, q, r0, r1, c0, c1, row_min, col_min)


@numba.njit(cache=True, nogil=True)
def _edge_limits(flags, start, comp, best_w, alpha):
    """float32 limits (see ``mst_kernels.limits``) of the flagged rows from ``start``: their
    component's best edge, squared, times alpha squared; -inf for the others."""
    out = np.empty(flags.shape[0], np.float32)
    for t in range(flags.shape[0]):
        if flags[t]:
            w = best_w[comp[start + t]] * alpha
            out[t] = np.float32(w * w * LIMIT_ROUNDING)
        else:
            out[t] = -np.inf
    return out


@numba.njit(cache=True, nogil=True)
def _search_rows(
    A, B, buf, positions, c0, c1, X, ids, comp, core, reach, alpha, best_w, best_a, best_b
):  # fmt: skip
    """A few searchers (``positions``) against one block, a chunk of them at a time."""
    m = c1 - c0
    step = max(1, buf.shape[0] // m)
    no_column = np.full(m, -np.inf, dtype=np.float32)
    col_min = np.empty(m, np.float32)
    targets_only = np.zeros(m, dtype=np.bool_)
    searchers = np.ones(step, dtype=np.bool_)
    row_min = np.empty(step, np.float32)
    hits = np.empty(step, np.int64)
    rows = np.empty((step, A.shape[1]), np.float32)
    for s in range(0, positions.shape[0], step):
        chunk = positions[s : s + step]
        k = chunk.shape[0]
        for t in range(k):
            rows[t] = A[chunk[t]]
        L = buf[: k * m].reshape((k, m))
        np.dot(rows[:k], B[c0:c1].T, L)
        row_limit = _edge_limits(searchers[:k], 0, comp[chunk], best_w, alpha)
        col_min[:] = np.inf
        screen(L, row_limit, no_column, row_min, col_min, hits)
        edge_refine(
            L, chunk, c0, X, ids, comp, core, reach, alpha, best_w, best_a, best_b, hits,
            searchers, targets_only,
        )  # fmt: skip


@numba.njit(cache=True, nogil=True)
def search_round(
    pairs, single, starts, bounds, A, B, buf, X, ids, searcher, comp, core, reach, alpha,
    best_w, best_a, best_b,
):  # fmt: skip
    """Give every searcher's component its exact lightest outgoing edge, over ``pairs`` of
    blocks nearest first, skipping pairs inside one component (``single``: each block's
    component if it has one only, else -1). Within a pair only searchers whose bound to the
    other block may beat their component's best edge count. Where many rows count, the whole
    pair is computed once for both sides and its minima tighten the bounds; else only the
    searchers' rows are."""
    for e in range(pairs.shape[0]):
        p, q = pairs[e, 0], pairs[e, 1]
        if single[p] >= 0 and single[p] == single[q]:
            continue
        r0, r1, c0, c1 = starts[p], starts[p + 1], starts[q], starts[q + 1]
        search_row = searching(bounds, q, r0, r1, searcher, comp, best_w, alpha, single[q])
        search_col = searching(bounds, p, c0, c1, searcher, comp, best_w, alpha, single[p])
        if p == q:
            search_row |= search_col
            search_col = search_row
        wanted = search_row.sum() + (search_col.sum() if p != q else 0)
        if wanted == 0:
            continue
        if 4 * wanted >= (r1 - r0) + (c1 - c0):
            row_limit = _edge_limits(search_row, r0, comp, best_w, alpha)
            col_limit = _edge_limits(search_col, c0, comp, best_w, alpha)
            row_min = np.empty(r1 - r0, np.float32)
            col_min = np.empty(c1 - c0, np.float32)
            search_pair(
                A, B, r0, r1, c0, c1, buf, row_limit, col_limit, search_row, search_col, X,
                ids, comp, core, reach, alpha, best_w, best_a, best_b, row_min, col_min,
            )  # fmt: skip
            _record(bounds, p, q, r0, r1, c0, c1, row_min, col_min)
            continue
        sides = ((r0, search_row, c0, c1), (c0, search_col, r0, r1))
        for side in range(1 if p == q else 2):
            start, flags, other0, other1 = sides[side]
            positions = start + np.flatnonzero(flags)
            if positions.shape[0]:
                _search_rows(
                    A, B, buf, positions, other0, other1, X, ids, comp, core, reach, alpha,
                    best_w, best_a, best_b,
                )  # fmt: skip
