"""HDBSCAN, KNN and quality numbers on small deterministic blobs
(modelprep.build.fit.clustering)."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from modelprep.build.fit.clustering import (
    cluster_summary,
    degenerate_reason,
    fit_hdbscan,
    fit_knn,
)

pytestmark = pytest.mark.unit

PARAMS = {
    "min_cluster_size": 15,
    "min_samples": 5,
    "cluster_selection_epsilon": 0.1,
    "metric": "euclidean",
    "algorithm": "best",
    "cluster_selection_method": "eom",
}


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=600, centers=4, n_features=5, cluster_std=0.5, random_state=3)
    return X, y


@pytest.mark.parametrize("engine", ["modelprep", "hdbscan"])
def test_finds_the_blobs(blobs, engine):
    X, _ = blobs
    model, tree = fit_hdbscan(X, {**PARAMS, "engine": engine}, n_jobs=1, seed=0)
    summary = cluster_summary(model.labels_)
    assert summary["n_clusters"] == 4
    assert summary["noise_fraction"] < 0.1
    assert tree["mst_exact"] is True
    if engine == "hdbscan":  # whose core_dist_n_jobs would default to 4
        assert model.core_dist_n_jobs == 1


@pytest.mark.parametrize("engine", ["modelprep", "hdbscan"])
def test_same_labels_whatever_the_workers(blobs, engine):
    X, _ = blobs
    params = {**PARAMS, "engine": engine}
    one = fit_hdbscan(X, params, n_jobs=1, seed=0)[0].labels_
    two = fit_hdbscan(X, params, n_jobs=2, seed=0)[0].labels_
    assert np.array_equal(one, two)
    assert np.array_equal(one, fit_hdbscan(X, params, n_jobs=1, seed=0)[0].labels_)


def test_summary_counts():
    summary = cluster_summary(np.array([-1, 0, 0, 2, 2, 2, -1]))
    assert summary == {
        "n_tracks": 7,
        "n_clusters": 2,
        "n_noise_points": 2,
        "noise_fraction": 2 / 7,
        "largest_cluster_size": 3,
        "smallest_cluster_size": 2,
    }


def test_one_cluster_or_all_noise_is_degenerate(blobs):
    for labels in (np.zeros(50, dtype=int), np.full(50, -1)):
        reason = degenerate_reason(cluster_summary(labels), "v", 15)
        assert reason.startswith("variant v: HDBSCAN found") and "min_cluster_size" in reason
    assert degenerate_reason(cluster_summary(blobs[1]), "v", 15) is None


def test_fewer_tracks_than_two_clusters_need_says_so():
    reason = degenerate_reason(cluster_summary(np.full(10, -1)), "v", 15)
    assert "need at least 2 x min_cluster_size = 30 tracks and there are 10" in reason


def test_uniform_noise_is_degenerate():
    X = np.random.default_rng(0).uniform(size=(300, 8))
    summary = cluster_summary(
        fit_hdbscan(X, {**PARAMS, "min_cluster_size": 100}, 1, seed=0)[0].labels_
    )
    assert degenerate_reason(summary, "uniform", 100) is not None


def test_knn_is_exact(blobs):
    X, _ = blobs
    knn = fit_knn(X, {"n_neighbors": 5, "algorithm": "brute", "metric": "euclidean"}, 1)
    distances, rows = knn.kneighbors(X[:3])
    brute = np.linalg.norm(X[:3, None, :] - X[None, :, :], axis=2)
    assert np.array_equal(rows, np.argsort(brute, axis=1, kind="stable")[:, :5])
    assert np.allclose(distances, np.sort(brute, axis=1)[:, :5])
