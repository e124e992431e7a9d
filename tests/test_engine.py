"""The fast engine against hdbscan itself, on generated blobs (modelprep.engine)."""

import importlib
import pickle
from pathlib import Path

import hdbscan
import numpy as np
import pytest
from hdbscan.prediction import PredictionData
from numba.core.dispatcher import Dispatcher
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from modelprep import engine
from modelprep.clustering import FAST_ENGINE_MIN_ROWS, fit_hdbscan

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


# The three ways to the spanning tree: fast_hdbscan's k-d tree (5 dimensions), the exact k-NN
# graph (40 dimensions, small), pynndescent's seeded k-NN graph (40 dimensions, made "large").
PATHS = {"kd_tree": (5, engine.BRUTE_MAX_WORK), "exact_graph": (40, engine.BRUTE_MAX_WORK)}
PATHS["nndescent_graph"] = (40, 0)


@pytest.fixture(scope="module", params=list(PATHS))
def fitted(request):
    n_features, brute_max_work = PATHS[request.param]
    X = nested_blobs(n_features)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "BRUTE_MAX_WORK", brute_max_work)
        yield X, engine.fit(X, PARAMS, seed=42, threads=2), request.param


def test_labels_agree_with_hdbscan(fitted):
    X, model, _ = fitted
    reference = hdbscan.HDBSCAN(**PARAMS).fit(X)
    assert adjusted_rand_score(reference.labels_, model.labels_) >= 0.95
    noise = (model.labels_ == -1).mean()
    assert abs(noise - (reference.labels_ == -1).mean()) <= 0.02
    assert model.labels_.max() + 1 == 6


def test_same_seed_same_model(fitted):
    """Same seed and threads, same model (pynndescent's result depends on its thread count,
    which the cluster rule fixes)."""
    X, model, _ = fitted
    again = engine.fit(X, PARAMS, seed=42, threads=2)
    assert np.array_equal(again.labels_, model.labels_)
    assert np.array_equal(again.probabilities_, model.probabilities_)


def test_kd_tree_model_is_the_same_on_one_or_two_threads():
    """What lets config give a k-d tree variant more than one thread (cluster_threads)."""
    X = nested_blobs(12, n_samples=6000)
    one, two = (engine.fit(X, PARAMS, seed=42, threads=t) for t in (1, 2))
    assert np.array_equal(one.labels_, two.labels_)
    assert np.array_equal(one.probabilities_, two.probabilities_)
    assert np.array_equal(one._single_linkage_tree, two._single_linkage_tree)


def test_prediction_data_equals_hdbscans(fitted):
    X, model, path = fitted
    ours = model.prediction_data_
    theirs = PredictionData(X, model.condensed_tree_, PARAMS["min_samples"])
    if path != "nndescent_graph":  # whose neighbours are approximate
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


def test_small_sets_fit_with_hdbscan_itself():
    X = nested_blobs(5, n_samples=FAST_ENGINE_MIN_ROWS - 1)
    model = fit_hdbscan(X, {**PARAMS, "engine": "fast_hdbscan"}, n_jobs=1, seed=0)
    assert np.array_equal(model.labels_, hdbscan.HDBSCAN(**PARAMS).fit(X).labels_)


def test_non_finite_embedding_is_refused():
    X = nested_blobs(5, n_samples=1200)
    X[7, 2] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        engine.fit(X, PARAMS, seed=0, threads=1)


def test_pynndescent_code_is_cached_on_disk(monkeypatch):
    """pynndescent compiles uncached; the engine turns numba's disk cache on for it, which
    saves about 20 s in every cluster job that takes the k-NN graph path."""
    monkeypatch.setattr(engine, "BRUTE_MAX_WORK", 0)
    engine.fit(nested_blobs(40, n_samples=1200), PARAMS, seed=0, threads=1)
    compiled = [
        function
        for name in engine.PYNNDESCENT_MODULES
        for function in vars(importlib.import_module(name)).values()
        if isinstance(function, Dispatcher) and function.signatures
    ]
    assert len(compiled) > 10
    cached = [f for f in compiled if Path(f._cache._cache_file._index_path).is_file()]
    uncachable = {f.py_func.__name__ for f in compiled} - {f.py_func.__name__ for f in cached}
    assert uncachable <= {"nn_descent", "nn_descent_internal"}  # they take the distance
