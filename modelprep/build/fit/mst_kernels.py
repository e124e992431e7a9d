"""The numba kernels of the exact spanning tree (``modelprep.build.fit.mst``).

The loops over single pairs that the GEMM bounds leave to measure, compiled and free of the
GIL. Every comparison of edges or neighbours goes through ``_before``: ties are broken on
(weight, smaller original index, larger original index), so the result is unique.
"""

from __future__ import annotations

import numba
import numpy as np

# Raises a float64 limit enough that its float32 rounding is still above it.
LIMIT_ROUNDING = 1 + 2.0**-20


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


# A float32's bits as int32, XOR this where the sign is set, order as the floats do: LLVM
# vectorises an integer minimum over a row, but not a floating-point one (1 ns a bound).
ORDER_MASK = np.int32(0x7FFFFFFF)
SCREEN_MATH = {"nnan", "nsz", "reassoc"}
# Bytes of a block pair's products computed at a time: they stay in the cache from the GEMM
# through the screen to the exact measurements (a whole 3,730-row pair is 55 MB).
CHUNK_BYTES = 2**20


@numba.njit(cache=True, nogil=True, fastmath=SCREEN_MATH)
def screen(L, row_limit, col_limit, row_min, col_min, hits):
    """Per row, how many bounds are within the row's or the column's limit (``hits``), and
    the row's smallest bound (``row_min``); ``col_min`` is lowered to each column's smallest.
    Most pairs stop here, so everything is float32 (the limits rounded up, see ``limits``)
    and vectorised: the count in float32 (exact below 2^24 columns), the minimum on the
    ordered integer keys (bounds are never NaN, so fastmath changes nothing)."""
    n, m = L.shape
    keys = L.view(np.int32)
    one, zero = np.float32(1.0), np.float32(0.0)
    smallest = np.empty(1, np.int32)
    for a in range(n):
        limit = row_limit[a]
        row, row_keys = L[a], keys[a]
        count = zero
        least = ORDER_MASK
        for b in range(m):
            v = row[b]
            count += one if v <= max(limit, col_limit[b]) else zero
            col_min[b] = min(col_min[b], v)
            key = row_keys[b]
            least = min(least, np.int32(key ^ np.int32(np.int32(key >> 31) & ORDER_MASK)))
        hits[a] = np.int64(count)
        smallest[0] = np.int32(least ^ np.int32(np.int32(least >> 31) & ORDER_MASK))
        row_min[a] = smallest.view(np.float32)[0]


@numba.njit(cache=True, nogil=True)
def _chunking(buf, m, col_min):
    """Rows per chunk of a block pair of ``m`` columns, and the chunks' hit counts; the
    pair's column minima start at infinity."""
    col_min[:] = np.inf
    step = max(1, buf.shape[0] // m)
    return step, np.empty(step, np.int64)


@numba.njit(cache=True, nogil=True)
def _screened_chunk(
    A, B, r0, start, stop, c0, c1, buf, row_limit, col_limit, row_min, col_min, hits
):
    """Rows ``start:stop`` of a block pair's lower bounds (see ``mst_blocks.Layout``; a
    row's bound to itself infinite), in ``buf``, screened (``row_limit`` for these rows)."""
    m = c1 - c0
    L = buf[: (stop - start) * m].reshape((stop - start, m))
    np.dot(A[start:stop], B[c0:c1].T, L)
    for r in range(max(start, c0), min(stop, c1)):
        L[r - start, r - c0] = np.inf
    screen(L, row_limit, col_limit, row_min[start - r0 : stop - r0], col_min, hits)
    return L


@numba.njit(cache=True, nogil=True)
def knn_pair(A, B, r0, r1, c0, c1, buf, X, ids, kth2, hd, hp, count, row_min, col_min):
    """The k-NN step on a block pair, ``CHUNK_BYTES`` of products at a time: GEMM, screen,
    then exact measurement of the pairs that may beat either row's k-th distance."""
    col_limit = limits(kth2[c0:c1])
    step, hits = _chunking(buf, c1 - c0, col_min)
    for start in range(r0, r1, step):
        stop = min(r1, start + step)
        row_limit = limits(kth2[start:stop])
        L = _screened_chunk(
            A, B, r0, start, stop, c0, c1, buf, row_limit, col_limit, row_min, col_min, hits
        )
        knn_refine(L, start, c0, r0 == c0, X, ids, kth2, hd, hp, count, hits)


@numba.njit(cache=True, nogil=True)
def search_pair(
    A, B, r0, r1, c0, c1, buf, row_limit, col_limit, search_row, search_col, X, ids, comp,
    core, reach, alpha, best_w, best_a, best_b, row_min, col_min,
):  # fmt: skip
    """The exact search on a whole block pair, ``CHUNK_BYTES`` of products at a time: GEMM,
    screen (``row_limit``, ``col_limit``), then exact measurement of the pairs that may beat
    a searcher's component's best edge."""
    step, hits = _chunking(buf, c1 - c0, col_min)
    for start in range(r0, r1, step):
        stop = min(r1, start + step)
        part = slice(start - r0, stop - r0)
        L = _screened_chunk(
            A, B, r0, start, stop, c0, c1, buf, row_limit[part], col_limit, row_min, col_min,
            hits,
        )  # fmt: skip
        edge_refine(
            L, np.arange(start, stop), c0, X, ids, comp, core, reach, alpha, best_w, best_a,
            best_b, hits, search_row[part], search_col,
        )  # fmt: skip


# The point-to-block bounds' sums of squares may be reordered and fused (vectorised: half the
# time): in float64 that errs by about 1e-15, relative, far within their margins.
BOUND_MATH = {"nnan", "ninf", "nsz", "reassoc", "contract"}


@numba.njit(cache=True, nogil=True, fastmath=BOUND_MATH)
def ball_bounds(head, tail, centres, radii, tail_lows, tail_highs, scale, margin, out):
    """Each point's squared distance to each block: the gap to the block's ball (``centres``,
    ``radii``) in the leading components plus the gap to its range of tail norms, times
    ``scale``, less ``margin`` (float32 lower bounds; the margins cover the rounding)."""
    for i in range(head.shape[0]):
        for b in range(centres.shape[0]):
            total = 0.0
            for k in range(head.shape[1]):
                diff = head[i, k] - centres[b, k]
                total += diff * diff
            gap = max(np.sqrt(total) - radii[b], 0.0)
            tail_gap = max(tail[i] - tail_highs[b], tail_lows[b] - tail[i], 0.0)
            out[b, i] = (gap * gap + tail_gap * tail_gap) * scale - margin


@numba.njit(cache=True, nogil=True, fastmath=BOUND_MATH)
def raise_to_box_bounds(points, lows, highs, scale, margin, out):
    """Raise ``out`` (float32 lower bounds) to each point's squared distance to each box
    (``lows``, ``highs`` per row) times ``scale``, less ``margin``, where that is larger (the
    margins cover the rounding)."""
    for i in range(points.shape[0]):
        for b in range(lows.shape[0]):
            total = 0.0
            for k in range(points.shape[1]):
                x = points[i, k]
                gap = max(lows[b, k] - x, x - highs[b, k], 0.0)
                total += gap * gap
            out[b, i] = max(out[b, i], np.float32(total * scale - margin))


@numba.njit(cache=True, nogil=True)
def block_pair_bounds(bounds, starts, rows, limits):
    """For blocks b and c: the least bound from a flagged row of b to c, and whether a
    flagged row of b has a bound to c within its limit (squared). One pass over the bounds,
    where a numpy minimum per block copied them (6.6 s a round at 1,000,000 rows)."""
    n_blocks = starts.shape[0] - 1
    nearest = np.full((n_blocks, n_blocks), np.inf)
    within = np.zeros((n_blocks, n_blocks), dtype=np.bool_)
    for c in range(n_blocks):
        to_c = bounds[c]
        for b in range(n_blocks):
            least, hit = np.inf, False
            for i in range(starts[b], starts[b + 1]):
                if rows[i]:
                    least = min(least, to_c[i])
                    hit |= to_c[i] <= limits[i]
            nearest[b, c], within[b, c] = least, hit
    return nearest, within


@numba.njit(cache=True, nogil=True)
def searching(bounds, other, start, stop, searcher, comp, best_w, alpha, other_comp):
    """Which positions in ``start:stop`` search block ``other``: searchers whose bound to it
    is within their component's best edge (squared, times alpha), unless ``other_comp`` (the
    component holding every row of ``other``, or -1) is their own. One pass per block pair,
    where the numpy expression took a dozen (62 s of 676 at 1,000,000 rows)."""
    flags = np.zeros(stop - start, dtype=np.bool_)
    for i in range(start, stop):
        c = comp[i]
        if searcher[i] and c != other_comp:
            limit = best_w[c] * alpha
            flags[i - start] = bounds[other, i] <= limit * limit
    return flags


@numba.njit(cache=True, nogil=True)
def limits(squared):
    """float32 limits no smaller than the float64 ones (float32 rounds by at most 2^-24,
    relative, and the rows are scaled so that no limit is subnormal): a screen may pass more,
    never fewer."""
    return (squared * LIMIT_ROUNDING).astype(np.float32)


@numba.njit(cache=True, nogil=True)
def knn_refine(L, r0, c0, diagonal, X, ids, kth2, hd, hp, count, hits):
    """Measure the pairs of a block whose bound may beat either row's k-th distance
    (``kth2``: an upper bound of each row's squared k-th distance, tightened here); on the
    ``diagonal`` (rows and columns from one block) each pair once."""
    k = hd.shape[1]
    for a in range(L.shape[0]):
        if hits[a] == 0:
            continue
        i = r0 + a
        for b in range(max(0, i - c0 + 1) if diagonal else 0, L.shape[1]):
            j = c0 + b
            if L[a, b] > max(kth2[i], kth2[j]):
                continue
            d2 = _sqdist(X, i, j)
            if _heap_push(hd, hp, count, ids, i, d2, j) and count[i] == k:
                kth2[i] = min(kth2[i], hd[i, 0])
            if _heap_push(hd, hp, count, ids, j, d2, i) and count[j] == k:
                kth2[j] = min(kth2[j], hd[j, 0])


@numba.njit(cache=True, nogil=True)
def edge_refine(
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
def find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:
        parent[i], i = root, parent[i]
    return root


@numba.njit(cache=True, nogil=True)
def roots(parent):
    out = np.empty(parent.shape[0], dtype=np.int64)
    for i in range(parent.shape[0]):
        out[i] = find(parent, i)
    return out


@numba.njit(cache=True, nogil=True)
def graph_best(src, dst, weight, ids, comp, best_w, best_a, best_b):
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
