"""Every exact path's spanning tree against hdbscan's exact one, on hard kinds of data.

The certificate (benchmarks/certificate.py): all minimum spanning trees share their sorted weights,
so ours must equal those of ``hdbscan`` with ``approx_min_span_tree=False``; where no weights
tie, the tree is unique and the labels must agree too. Small blocks make the blocked path use
every part of itself (pruning, certified and searched Borůvka rounds) on small data.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_blobs
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import threadpool_limits

from benchmarks import certificate
from modelprep.build.fit import engine, mst, mst_blocks, mst_kernels, sizing
from modelprep.build.fit.clustering import fit_hdbscan

pytestmark = pytest.mark.unit

PARAMS = {
    "min_cluster_size": 20,
    "min_samples": 6,
    "cluster_selection_epsilon": 0.1,
    "metric": "euclidean",
    "cluster_selection_method": "eom",
    "prediction_data": False,
}


def separated(n, d, rng):
    return make_blobs(
        n,
        d,
        centers=6,
        cluster_std=1.0,
        center_box=(-20, 20),
        random_state=int(rng.integers(1 << 31)),
    )[0]


def densities(n, d, rng):
    """Blobs of very different density: a tight, a middling and a diffuse one, twice."""
    centres = rng.normal(0, 8, (6, d))
    return make_blobs(
        n, d, centers=centres, cluster_std=[0.2, 1, 4] * 2, random_state=int(rng.integers(1 << 31))
    )[0]


def latent(n, d, rng):
    """Overlapping clusters behind a few latent factors, plus noise in every column, as in the
    low-level audio features."""
    factors = min(5, d)
    means = rng.normal(0, 1.2, (8, factors))
    which = rng.integers(0, 8, n)
    z = means[which] + rng.normal(0, 0.6, (n, factors))
    return z @ rng.normal(0, 1, (factors, d)) + rng.normal(0, 0.5, (n, d))


def uniform(n, d, rng):
    return rng.uniform(0, 1, (n, d))


def ties(n, d, rng):
    """Discrete columns and many duplicated rows: zero and equal distances everywhere."""
    X = rng.integers(0, 3, (n, d)).astype(float)
    X[:, : d // 2] += 4 * rng.integers(0, 2, (n, 1))
    copies = rng.integers(0, n, n // 5)
    X[rng.integers(0, n, n // 5)] = X[copies]
    return X


def dominant(n, d, rng):
    """One cluster with 70 % of the rows, five small ones, and 5 % uniform noise."""
    sizes = [int(0.7 * n)] + [int(0.05 * n)] * 5
    X = make_blobs(
        sizes, d, centers=rng.normal(0, 10, (6, d)), random_state=int(rng.integers(1 << 31))
    )[0]
    noise = rng.uniform(X.min(), X.max(), (n - len(X), d))
    return np.vstack([X, noise])


FAMILIES = {f.__name__: f for f in (separated, densities, latent, uniform, ties, dominant)}
# Rows per dimension: the reference is Prim's above 60 dimensions, O(N² d) in hdbscan.
ROWS = {6: 4000, 12: 3000, 60: 2000, 219: 2000}


def data(family, dims, seed=0):
    rng = np.random.default_rng(seed)
    return np.ascontiguousarray(FAMILIES[family](ROWS[dims], dims, rng))


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 128 rows: dozens of blocks on test data, as at full size."""
    monkeypatch.setattr(sizing, "BLOCK", 128)
    monkeypatch.setattr(mst, "INITIAL_SAMPLE", 64)


def certify(X, path):
    model, taken = engine.fit(X, PARAMS, seed=42, threads=1, path=path)
    assert taken == path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return model, certificate.certify(model, X, PARAMS)


CASES = [
    (family, dims, path)
    for family in FAMILIES
    for dims in ROWS
    for path in ("exact_blocks", "kd_tree")
    if path == "exact_blocks" or dims <= 12
]


@pytest.mark.parametrize(("family", "dims", "path"), CASES)
def test_the_tree_is_a_minimum_one(family, dims, path, small_blocks):
    X = data(family, dims)
    model, result = certify(X, path)
    assert result["tree"]["exact"], result["tree"]
    if path == "exact_blocks":  # float64 throughout: hdbscan's weights to the last bits
        assert result["tree"]["max_edge_rel"] <= 1e-9, result["tree"]
    if family != "ties":  # no tied weights: the tree, and so the clustering, is unique
        assert result["labels"]["agree"], result["labels"]
        assert model.labels_.max() >= 1 or family == "uniform"


@pytest.mark.parametrize("family", ["latent", "ties", "dominant"])
def test_the_same_tree_on_any_block_layout_and_thread_count(family, monkeypatch):
    """Ties are broken on the caller's row numbers, so neither the blocks (here also from a
    k-means fitted on a sample, as above 100,000 rows) nor BLAS threads can change the tree
    (not just its weights)."""
    X = data(family, 60)
    with threadpool_limits(limits=1):
        first, _, _ = mst.spanning_tree(X, 6)
    monkeypatch.setattr(sizing, "BLOCK", 100)
    monkeypatch.setattr(mst_blocks, "KMEANS_SAMPLE", 300)
    monkeypatch.setattr(mst_blocks, "KMEANS_SAMPLE_PER_GROUP", 8)
    with threadpool_limits(limits=2):
        second, _, _ = mst.spanning_tree(X, 6, seed=3)
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("family", ["ties", "latent"])
def test_neighbours_are_exact(family, small_blocks):
    """Distances by direct difference: duplicate rows at exactly 0, every k-th distance equal
    to a brute-force search's."""
    X = data(family, 60)
    _, neighbours, distances = mst.spanning_tree(X, 6, k=16)
    reference, _ = NearestNeighbors(n_neighbors=16, algorithm="brute").fit(X).kneighbors()
    direct = np.linalg.norm(X[:, None, :] - X[neighbours], axis=2)
    np.testing.assert_allclose(distances, direct, rtol=1e-14, atol=0)
    np.testing.assert_allclose(distances, reference, rtol=1e-9, atol=1e-6)
    # ties between equal distances go to the smaller row number
    rows, cols = np.nonzero(np.diff(distances, axis=1) == 0)
    assert (neighbours[rows, cols] < neighbours[rows, cols + 1]).all()
    if family == "ties":
        assert (distances[:, 0] == 0).sum() > len(X) // 10
    assert (np.diff(distances, axis=1) >= 0).all()
    assert not (neighbours == np.arange(len(X))[:, None]).any()


def test_alpha_scales_distances_not_core_distances(small_blocks):
    """hdbscan's weight max(core_i, core_j, d_ij / alpha): the k-NN bound must scale too."""
    X = data("latent", 12)
    params = {**PARAMS, "alpha": 1.7}
    model, _ = engine.fit(X, params, seed=0, threads=1, path="exact_blocks")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        result = certificate.certify(model, X, params)
    assert result["tree"]["exact"], result["tree"]


def test_the_opt_in_approximate_tree_is_reported_not_certified(record_property):
    """hdbscan's approximate Borůvka (config: engine hdbscan, approx_min_span_tree true) is
    the one path allowed to miss the minimum: its config says so, and its excess is reported.
    No tree is lighter than the minimum, so the excess is never negative."""
    X = data("latent", 12)
    params = {**PARAMS, "engine": "hdbscan", "algorithm": "boruvka_kdtree"}
    model, tree = fit_hdbscan(X, {**params, "approx_min_span_tree": True}, n_jobs=1, seed=0)
    assert tree == {"mst_algorithm": "hdbscan_boruvka_kdtree", "mst_exact": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        result = certificate.certify(model, X, params)
    record_property("weight_excess", result["tree"]["weight_excess"])
    record_property("ari", result["labels"]["ari"])
    total = certificate.merge_distances(model).sum()
    assert result["tree"]["weight_excess"] >= -certificate.TOTAL_TOLERANCE * total
    assert 0 <= result["labels"]["noise_gap_points"] <= 100


def test_a_tree_heavier_than_the_minimum_fails_the_certificate():
    """The check itself: one edge 0.1 % heavier, or a 0.07 % heavier total, is not exact."""
    exact = np.sort(np.random.default_rng(0).uniform(1, 2, 500))
    assert certificate.tree_agreement(exact.copy(), exact)["exact"]
    heavier = exact.copy()
    heavier[100] *= 1.001
    assert not certificate.tree_agreement(heavier, exact)["exact"]
    assert not certificate.tree_agreement(exact * 1.0007, exact)["exact"]
    zeros = np.r_[np.zeros(5), exact]
    assert certificate.tree_agreement(zeros, zeros)["exact"]
    assert not certificate.tree_agreement(np.r_[np.full(5, 1e-6), exact], zeros)["exact"]


def brute_force_tree(X, min_samples, alpha):
    """The unique minimum tree under the order (weight, i, j), by Kruskal over every pair,
    with the engine's arithmetic: direct differences, hdbscan's weight, ties by row number."""
    n = len(X)
    squared = np.zeros((n, n))
    for column in X.T:  # summed column by column, in order, as the engine sums
        squared += (column[:, None] - column[None, :]) ** 2
    distance = np.sqrt(squared)
    core = np.sort(distance + np.diag(np.full(n, np.inf)), axis=1)[:, min_samples - 1]
    i, j = np.triu_indices(n, 1)
    weight = np.maximum(np.maximum(core[i], core[j]), distance[i, j] / alpha)
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    tree = []
    for e in np.lexsort((j, i, weight)):
        ra, rb = find(i[e]), find(j[e])
        if ra != rb:
            parent[ra] = rb
            tree.append((i[e], j[e], weight[e]))
    return np.array(tree, dtype=np.float64).reshape(-1, 3)


@st.composite
def small_problems(draw):
    """Tiny inputs at the edges: 2 to 40 rows, duplicates and discrete values, far offsets and
    scales, min_samples up to n - 1, alpha on both sides of 1, and blocks of a few rows."""
    n = draw(st.integers(2, 40))
    d = draw(st.integers(1, 8))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["normal", "discrete", "duplicates", "identical"]))
    X = rng.normal(size=(n, d))
    if kind == "discrete":
        X = rng.integers(0, 3, (n, d)).astype(float)
    elif kind == "duplicates":
        X = X[rng.integers(0, max(1, n // 3), n)]
    elif kind == "identical":
        X = np.repeat(X[:1], n, axis=0)
    X = X * draw(st.sampled_from([1e-8, 1.0, 1e8])) + draw(st.sampled_from([0.0, 1e6]))
    return {
        "X": X,
        "min_samples": draw(st.integers(1, n - 1)),
        "alpha": draw(st.sampled_from([1.0, 0.6, 1.7])),
        "k": draw(st.integers(1, 20)),
        "block": draw(st.integers(2, 9)),
    }


@settings(max_examples=150, derandomize=True, deadline=None)
@given(small_problems())
def test_the_tree_is_the_brute_force_one_edge_for_edge(problem):
    """The whole tree, not just its weights: every edge and every bit equal to Kruskal over
    all pairs, whatever the block layout, k, scale or ties."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sizing, "BLOCK", problem["block"])
        patch.setattr(mst, "INITIAL_SAMPLE", 3)
        tree, _, _ = mst.spanning_tree(
            problem["X"], problem["min_samples"], alpha=problem["alpha"], k=problem["k"]
        )
    expected = brute_force_tree(problem["X"], problem["min_samples"], problem["alpha"])
    np.testing.assert_array_equal(tree, expected)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.integers(1, 40), st.integers(1, 70), st.integers(0, 2**32 - 1))
def test_the_screen_counts_and_minima_are_those_of_plain_numpy(rows, cols, seed):
    """The screen (vectorised, reordered by fastmath, minima on integer keys) against
    whole-array numpy: widths around the vector widths, ties, negative bounds and signed
    zeros, infinite bounds (a diagonal), rows or columns that do not search (limit -inf), and
    column minima that only go down."""
    rng = np.random.default_rng(seed)
    values = np.float32([-3.5, -1, -0.0, 0, 1e-40, 1, 2, 5, np.inf, -np.inf])
    L = rng.choice(values, (rows, cols), p=[0.1, 0.1, 0.1, 0.1, 0.05, 0.2, 0.1, 0.1, 0.1, 0.05])
    row_limit = rng.choice(np.float32([-np.inf, 0, 2.5, 5, np.inf]), rows)
    col_limit = rng.choice(np.float32([-np.inf, 1, 3]), cols)
    before = rng.choice(np.float32([-2, 0.5, np.inf]), cols)
    row_min, col_min = np.empty(rows, np.float32), before.copy()
    hits = np.empty(rows, np.int64)
    mst_kernels.screen(L, row_limit, col_limit, row_min, col_min, hits)
    within = (L <= row_limit[:, None]) | (L <= col_limit[None, :])
    np.testing.assert_array_equal(hits, within.sum(axis=1))
    np.testing.assert_array_equal(row_min, L.min(axis=1))
    np.testing.assert_array_equal(col_min, np.minimum(before, L.min(axis=0)))
