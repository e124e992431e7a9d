"""The single-linkage tree against hdbscan's own ``label`` (modelprep.build.fit.linkage)."""

import numpy as np
import pytest
from hdbscan._hdbscan_linkage import label
from hypothesis import given, settings
from hypothesis import strategies as st

from modelprep.build.fit import engine, linkage

pytestmark = pytest.mark.unit


def random_tree(n: int, rng: np.random.Generator, distinct_weights: int) -> np.ndarray:
    """A random spanning tree of ``n`` points (each joins an earlier one, ids shuffled) with
    weights drawn from ``distinct_weights`` values (ties when few), sorted by weight as the
    engine hands it over."""
    ids = rng.permutation(n)
    earlier = (rng.random(n - 1) * np.arange(1, n)).astype(np.int64)
    edges = np.column_stack(
        [ids[1:], ids[earlier], rng.integers(0, distinct_weights, n - 1) / 7.0]
    ).astype(np.float64)
    return edges[np.argsort(edges[:, 2], kind="stable")]


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 400),
    distinct_weights=st.sampled_from([1, 3, 1000]),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_linkage_equals_hdbscans_on_random_trees(n, distinct_weights, seed):
    edges = random_tree(n, np.random.default_rng(seed), distinct_weights)
    assert np.array_equal(linkage.single_linkage(edges), label(edges))


def test_the_linkage_equals_hdbscans_on_an_engine_tree():
    X = np.random.default_rng(5).normal(size=(3000, 4))
    X[::10] = X[1::10]  # duplicate rows: ties in the weights
    edges, _ = engine.spanning_tree(X, 5, 1.0, 0, 1, "exact_blocks")
    tree = linkage.single_linkage(edges)
    assert np.array_equal(tree, label(edges))
    assert tree[-1, 3] == len(X)
