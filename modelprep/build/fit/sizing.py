"""The exact spanning tree's block size and the cluster job's memory, without numpy or numba:
``mst`` takes its block size from here, and ``rules/cluster.smk`` its memory request (for
cluster executors, which kill a job that outgrows it), so both follow the same numbers.
"""

from __future__ import annotations

# Rows per block: a block pair's GEMM is large enough for BLAS, small enough for the caches.
BLOCK = 2048
# The point-to-block bounds hold rows × blocks float32 numbers: above about 740,000 rows
# blocks grow so that the bounds stay within this.
BOUNDS_BYTES = 3 * 2**30
# The rest of a cluster job's peak: the interpreter and libraries, and per row the k-NN graph
# (16 neighbours: ids, distances, edges) and a few copies of its columns. With the bounds and a
# fifth spare, 1.3-1.8 times the peaks the scaling benchmark measured (100,000 to 1,000,000 rows
# of 6 to 219 columns; 4,196 MiB at 1,000,000 x 12).
BASE_BYTES, ROW_BYTES, ROW_COLUMN_BYTES = 512 * 2**20, 1024, 32


def block_rows(n: int) -> int:
    """The block size for ``n`` rows: ``BLOCK``, or more where the bounds would outgrow
    ``BOUNDS_BYTES`` (the layout cuts 2n / block k-means groups into pieces of at most
    ``block`` rows, so at most 3n / block + 1 blocks)."""
    return max(BLOCK, -(-12 * n * n // (BOUNDS_BYTES - 4 * n)))


def bounds_bytes(n: int) -> int:
    """The most the point-to-block bounds of ``n`` rows take."""
    block = block_rows(n)
    return 4 * n * (-(-2 * n // block) + n // block)


def cluster_mem_mb(rows: int, columns: int) -> int:
    """Megabytes a cluster job of ``rows`` × ``columns`` may peak at, with a fifth spare."""
    peak = BASE_BYTES + bounds_bytes(rows) + rows * (ROW_BYTES + ROW_COLUMN_BYTES * columns)
    return int(1.2 * peak / 2**20)
