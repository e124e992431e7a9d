"""Quality metrics against their reference implementations (modelprep.build.fit.quality)."""

import numpy as np
import pytest
from hdbscan.validity import validity_index
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score
from sklearn.neighbors import NearestNeighbors

from modelprep.build.fit import quality

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=600, centers=4, n_features=5, cluster_std=1.5, random_state=3)
    return X, y


def test_silhouette_equals_sklearns_and_consistency_a_brute_force_count(blobs, monkeypatch):
    X, y = blobs
    monkeypatch.setattr(quality, "CONSISTENCY_QUERIES", len(y))  # every track a query
    silhouette, consistency = quality.silhouette_and_consistency(X, y, seed=0)
    assert silhouette == pytest.approx(silhouette_score(X, y), abs=1e-12)
    _, nearest = NearestNeighbors(n_neighbors=10).fit(X).kneighbors()
    assert consistency == pytest.approx((y[nearest] == y[:, None]).mean(), abs=1e-12)
    assert 0.5 < consistency < 1.0  # overlapping blobs: some neighbours lie across


def test_metrics_come_from_a_seeded_sample_of_clustered_tracks(blobs):
    X, y = blobs
    labels = y.copy()
    labels[:50] = -1
    full = quality.sample_metrics(X, labels, 10_000, seed=0)
    assert full["silhouette_sample_size"] == 550
    assert full["dbcv"] == pytest.approx(validity_index(X[50:], labels[50:]))
    a = quality.sample_metrics(X, labels, 200, seed=5)
    assert a == quality.sample_metrics(X, labels, 200, seed=5)
    assert a["silhouette_sample_size"] == 200
    assert abs(a["silhouette_score"] - full["silhouette_score"]) < 0.05


def test_dbcv_takes_a_seeded_part_of_the_sample(blobs, monkeypatch):
    """hdbscan.validity holds dense matrices of a cluster's size: at most DBCV_SAMPLE tracks."""
    X, y = blobs
    monkeypatch.setattr(quality, "DBCV_SAMPLE", 300)
    metrics = quality.sample_metrics(X, y, 10_000, seed=4)
    part = np.sort(np.random.default_rng(4).choice(len(y), 300, replace=False))
    assert metrics["dbcv"] == pytest.approx(validity_index(X[part], y[part]))
    assert metrics["silhouette_sample_size"] == len(y)


def test_fewer_than_two_clusters_score_minus_one():
    X = np.random.default_rng(0).normal(size=(50, 3))
    for labels in (np.zeros(50, dtype=int), np.full(50, -1)):
        metrics = quality.sample_metrics(X, labels, 10_000, seed=0)
        assert metrics == {
            "silhouette_score": -1.0,
            "dbcv": None,
            "neighbour_consistency": None,
            "silhouette_sample_size": 0,
        }


def test_size_quantiles_leave_noise_out():
    labels = np.array([-1] * 9 + [0] * 2 + [1] * 4 + [2] * 10)
    assert quality.size_quantiles(labels) == {
        "min": 2.0,
        "q25": 3.0,
        "median": 4.0,
        "q75": 7.0,
        "max": 10.0,
    }
    assert quality.size_quantiles(np.full(5, -1)) is None


def test_dbcv_leaves_out_clusters_the_sample_leaves_nearly_empty(blobs):
    """At 100k tracks a 15-track cluster keeps one or two tracks in a 10,000 sample."""
    X, y = blobs
    labels = y.copy()
    labels[:2] = [7, 8]  # two clusters of one track each
    kept = ~np.isin(labels, [7, 8])
    assert quality.dbcv(X, labels) == pytest.approx(validity_index(X[kept], labels[kept]))
    assert quality.dbcv(X[:4], np.array([0, 0, 1, 2])) is None


def _kinds():
    """Overlapping blobs, rounded duplicates (ties), uniform noise, one dominant cluster."""
    rng = np.random.default_rng(11)
    X, y = make_blobs(n_samples=700, centers=5, n_features=6, cluster_std=3.0, random_state=2)
    ties = np.round(X[:, :3], 0)
    noise = rng.random((700, 4))
    skew = np.vstack([rng.normal(0, 1, (600, 3)), rng.normal(6, 0.3, (100, 3))])
    skew_labels = np.r_[np.zeros(600, int), rng.integers(1, 4, 100)]
    return {
        "overlapping": (X, y),
        "ties": (ties, y),
        "noise": (noise, rng.integers(0, 6, 700)),
        "skewed": (skew, skew_labels),
    }


@pytest.mark.parametrize("kind", ["overlapping", "ties", "noise", "skewed"])
def test_chunks_give_the_numbers_of_one_pass(kind, monkeypatch):
    """The silhouette's pass in chunks of a few rows gives the numbers of one whole-matrix
    pass: the consistency and DBCV to the last bit, the silhouette within rounding (a chunk's
    distances come from a GEMM of another shape: one bit apart on the noise), and it is
    scikit-learn's."""
    X, y = _kinds()[kind]
    monkeypatch.setattr(quality, "CHUNK_MIB", 1024)  # scikit-learn's default: one chunk here
    whole = quality.sample_metrics(X, y, 10_000, seed=1)
    monkeypatch.setattr(quality, "CHUNK_MIB", 0.05)  # 9 rows a chunk
    chunked = quality.sample_metrics(X, y, 10_000, seed=1)
    silhouette = chunked.pop("silhouette_score")
    assert silhouette == pytest.approx(whole.pop("silhouette_score"), abs=1e-15)
    assert chunked == whole
    assert silhouette == pytest.approx(silhouette_score(X, y), abs=1e-12)
