"""The block size keeps the spanning tree's bounds within their budget, and the cluster job's
memory request follows it (modelprep.build.fit.sizing)."""

import numpy as np
import pytest

from modelprep.build.fit import mst_blocks, sizing

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("shape", ["uniform", "skewed"])
def test_the_bounds_stay_within_their_budget_on_a_real_layout(shape, monkeypatch):
    """Uneven k-means groups cut into several blocks each: the most blocks the size allows."""
    rng = np.random.default_rng(5)
    n = 6000
    X = rng.random((n, 8))
    if shape == "skewed":  # one dense lump of most rows, the rest spread thin
        X[: n * 3 // 4] *= 0.01
    monkeypatch.setattr(sizing, "BOUNDS_BYTES", 4 * n * 40)
    block = sizing.block_rows(n)
    assert block > sizing.BLOCK // 10 and block * 40 > 3 * n  # the budget binds here
    layout = mst_blocks.Layout(X, block, 16, seed=0)
    assert np.diff(layout.starts).max() <= block
    assert layout.bounds.nbytes <= sizing.bounds_bytes(n) <= sizing.BOUNDS_BYTES


def test_blocks_grow_only_where_the_bounds_would_outgrow_the_budget():
    assert sizing.block_rows(100_000) == sizing.BLOCK
    assert sizing.block_rows(2_000_000) > sizing.block_rows(1_000_000) > sizing.BLOCK
    for n in (100_000, 740_000, 1_000_000, 2_000_000):
        assert sizing.bounds_bytes(n) <= sizing.BOUNDS_BYTES


def test_the_cluster_job_asks_for_the_bounds_and_the_rows():
    """Above the peaks the jobs measured themselves (MiB, ``usage.json``), below twice them:
    demo data on 2026-12-01, 300,000 rows before the metrics' chunks shrank (an upper bound)."""
    measured = {
        (101_939, 12): 492,
        (101_939, 60): 564,
        (101_939, 219): 1194,
        (300_000, 219): 3182,
        (1_000_000, 12): 4220,
    }
    for (n, d), peak in measured.items():
        assert peak < sizing.cluster_mem_mb(n, d) < 2 * peak
