"""The engine's model against hdbscan's own, on generated blobs (modelprep.build.fit.engine)."""

import pickle
import tomllib

import hdbscan
import numpy as np
import pytest
from conftest import REPO
from hdbscan.prediction import PredictionData
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_info, threadpool_limits

from modelprep.build.fit import engine
from modelprep.build.fit.clustering import fit_hdbscan
from modelprep.errors import InputError

pytestmark = pytest.mark.unit

PARAMS = {
    "min_cluster_size": 15,
    "min_samples": 5,
    "cluster_selection_epsilon": 0.1,
    "metric": "euclidean",
    "cluster_selection_method": "eom",
    "prediction_data": True,
}


def nested_blobs(n_features: int, n_samples: int = 2400, seed: int = 3) -> np.ndarray:
    """Six blobs, three of them with a twin close enough that the pair is chosen as one
    cluster with two clusters below it in the tree (what prediction data maps upwards)."""
    centers = np.random.default_rng(seed).normal(scale=10.0, size=(6, n_features))
    twin = np.zeros(n_features)
    twin[0] = 6.0
    X, _ = make_blobs(
        n_samples=n_samples,
        centers=np.vstack([centers, centers[:3] + twin]),
        cluster_std=1.0,
        random_state=seed,
    )
    return X


# The engine's two exact paths to the spanning tree, on 5 and 40 dimensions (kd_tree only
# where it prunes).
CASES = {
    "exact_blocks_5d": (5, "exact_blocks"),
    "exact_blocks_40d": (40, "exact_blocks"),
    "kd_tree_5d": (5, "kd_tree"),
}


@pytest.fixture(scope="module", params=list(CASES))
def fitted(request):
    n_features, path = CASES[request.param]
    X = nested_blobs(n_features)
    model, taken = engine.fit(X, PARAMS, seed=42, threads=2, path=path)
    assert taken == path
    return X, model, path


def test_labels_agree_with_hdbscan(fitted):
    X, model, _ = fitted
    reference = hdbscan.HDBSCAN(**PARAMS, approx_min_span_tree=False).fit(X)
    assert adjusted_rand_score(reference.labels_, model.labels_) >= 0.99
    noise = (model.labels_ == -1).mean()
    assert abs(noise - (reference.labels_ == -1).mean()) <= 0.005
    assert model.labels_.max() + 1 == 6


@pytest.mark.parametrize("path", ["exact_blocks", "kd_tree"])
def test_the_model_is_the_same_on_one_or_two_threads(path):
    """What lets config give any variant more than one thread (cluster_threads)."""
    X = nested_blobs(12, n_samples=6000)
    one, two = (engine.fit(X, PARAMS, seed=42, threads=t, path=path)[0] for t in (1, 2))
    assert np.array_equal(one.labels_, two.labels_)
    assert np.array_equal(one.probabilities_, two.probabilities_)
    assert np.array_equal(one._single_linkage_tree, two._single_linkage_tree)


@pytest.mark.parametrize("threads", [1, 2])
def test_the_blocked_trees_gemms_take_the_fits_threads(monkeypatch, threads):
    """Whatever the caller limited: its kernels call scipy's OpenBLAS from numba."""
    seen = []
    real = engine.mst.spanning_tree

    def spanning_tree(*args, **kwargs):
        seen.append({p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"})
        return real(*args, **kwargs)

    monkeypatch.setattr(engine.mst, "spanning_tree", spanning_tree)
    with threadpool_limits(limits=8, user_api="blas"):
        engine.fit(nested_blobs(12, n_samples=600), PARAMS, seed=0, threads=threads)
    assert seen == [{threads}]


def test_auto_takes_the_k_d_tree_only_for_many_rows_in_few_dimensions():
    assert engine.mst_algorithm(1_000_000, 12) == "exact_blocks"
    assert engine.mst_algorithm(100_000, 219) == "exact_blocks"
    assert engine.mst_algorithm(engine.BLOCKS_MAX_ROWS + 1, 12) == "kd_tree"
    assert engine.mst_algorithm(engine.BLOCKS_MAX_ROWS + 1, 60) == "exact_blocks"
    assert engine.mst_algorithm(engine.BLOCKS_MAX_ROWS + 1, 12, alpha=1.5) == "exact_blocks"
    assert engine.mst_algorithm(10, 219, "kd_tree") == "kd_tree"
    with pytest.raises(ValueError, match="not one of auto, exact_blocks, kd_tree"):
        engine.mst_algorithm(10, 2, "knn_graph")


def test_prediction_data_equals_hdbscans(fitted):
    X, model, path = fitted
    ours = model.prediction_data_
    theirs = PredictionData(X, model.condensed_tree_, PARAMS["min_samples"])
    np.testing.assert_allclose(ours.core_distances, theirs.core_distances, rtol=1e-6)
    assert len(ours.max_lambdas) > len(ours.reverse_cluster_map)  # nested clusters exist
    for name in ("cluster_map", "reverse_cluster_map", "max_lambdas", "leaf_max_lambdas"):
        assert getattr(ours, name) == getattr(theirs, name), name
    np.testing.assert_array_equal(ours.cluster_tree, theirs.cluster_tree)
    assert len(ours.exemplars) == len(theirs.exemplars)
    for mine, reference in zip(ours.exemplars, theirs.exemplars, strict=True):
        np.testing.assert_array_equal(mine, reference)


def test_a_plain_hdbscan_model_that_predicts(fitted):
    X, model, _ = fitted
    loaded = pickle.loads(pickle.dumps(model))
    assert type(loaded) is hdbscan.HDBSCAN
    assert loaded.cluster_persistence_.size == loaded.labels_.max() + 1
    predicted, strengths = hdbscan.approximate_predict(loaded, X[::7])
    clustered = loaded.labels_[::7] != -1
    assert (predicted[clustered] == loaded.labels_[::7][clustered]).mean() >= 0.95
    assert np.all((strengths >= 0) & (strengths <= 1))
    assert np.isfinite(loaded.outlier_scores_).all()


def test_small_sets_are_exact_too():
    """No size falls back to hdbscan's default, whose Borůvka tree is approximate."""
    X = nested_blobs(5, n_samples=300)
    model, tree = fit_hdbscan(X, {**PARAMS, "engine": "modelprep"}, n_jobs=1, seed=0)
    assert tree == {"mst_algorithm": "exact_blocks", "mst_exact": True}
    reference = hdbscan.HDBSCAN(**PARAMS, approx_min_span_tree=False).fit(X)
    np.testing.assert_allclose(
        np.sort(model._single_linkage_tree[:, 2]),
        np.sort(reference.single_linkage_tree_.to_numpy()[:, 2]),
        rtol=1e-12,
    )


def test_the_hdbscan_engine_says_whether_its_tree_is_exact():
    X = nested_blobs(5, n_samples=600)
    params = {**PARAMS, "engine": "hdbscan", "algorithm": "best"}
    _, exact = fit_hdbscan(X, params, n_jobs=1, seed=0)
    _, approximate = fit_hdbscan(X, {**params, "approx_min_span_tree": True}, n_jobs=1, seed=0)
    assert exact == {"mst_algorithm": "hdbscan_boruvka_kdtree", "mst_exact": True}
    assert approximate == {"mst_algorithm": "hdbscan_boruvka_kdtree", "mst_exact": False}


def test_non_finite_embedding_is_refused():
    X = nested_blobs(5, n_samples=1200)
    X[7, 2] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        engine.fit(X, PARAMS, seed=0, threads=1)


def test_hdbscan_internals_refuse_a_version_other_than_the_pinned_one(monkeypatch):
    """The engine builds on hdbscan's private code: another version fails, naming the pin."""
    from modelprep.build.fit import internals

    pins = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert {f"{name}=={version}" for name, version in internals.WRITTEN_FOR.items()} <= set(pins)
    monkeypatch.setitem(internals.WRITTEN_FOR, "hdbscan", "0.8.1")
    with pytest.raises(InputError, match=r"hdbscan 0\.8\.40 is installed.*hdbscan==0\.8\.1"):
        internals.check_pinned("hdbscan")
