"""What the recommendation backend does with a published models directory, and nothing more.

Runs on the backend's stack (Python 3.9, numpy, scikit-learn, hdbscan; no pandas, no
modelprep): the compatibility test runs this file with a Python 3.9 interpreter, and the
workflow tests import it. ``python backend_check.py MODELS_DIR`` exits 0 and prints a line per
variant when every check holds, and raises AssertionError naming the failure otherwise.
"""

import glob
import json
import os
import pickle
import sys
import warnings

import hdbscan
import numpy as np
from sklearn.neighbors import NearestNeighbors

VARIANT_FILES = ("hdbscan_model", "knn_model", "audio_embeddings", "cluster_labels", "song_indices")
N_QUERIES = 20
K = 10


def load(path):
    with open(path, "rb") as handle:
        return pickle.load(handle)


def variants(models_dir):
    """Variants as the backend finds them: by listing hdbscan_config_*.json."""
    names = glob.glob(os.path.join(models_dir, "hdbscan_config_*.json"))
    return sorted(os.path.basename(n)[len("hdbscan_config_") : -len(".json")] for n in names)


def check_set(models_dir, prefix):
    """Load one set of five files (``prefix`` '' is the base set) and answer queries with it."""
    model, knn, embeddings, labels, indices = (
        load(os.path.join(models_dir, f"{prefix}{kind}.pkl")) for kind in VARIANT_FILES
    )
    n = embeddings.shape[0]
    assert embeddings.dtype == np.float64 and embeddings.ndim == 2, prefix
    assert labels.dtype == np.int64 and labels.shape == (n,), prefix
    assert np.array_equal(np.asarray(model.labels_), labels), f"{prefix}: labels_ != labels"
    assert knn.n_samples_fit_ == n, f"{prefix}: knn fitted on {knn.n_samples_fit_} rows, not {n}"
    predicted, strengths = hdbscan.approximate_predict(model, embeddings[:50])
    assert predicted.shape == (min(50, n),), f"{prefix}: approximate_predict failed"
    assert np.mean(predicted == labels[:50]) > 0.8, f"{prefix}: approximate_predict disagrees"
    for key in ("track_ids", "track_names", "track_artists", "track_uris"):
        assert len(indices[key]) == n, f"{prefix}: {key} has {len(indices[key])} rows, not {n}"
    row_of = {track: row for row, track in enumerate(indices["track_ids"])}
    assert len(row_of) == n, f"{prefix}: duplicate track ids"

    rng = np.random.default_rng(0)
    for track in rng.choice(indices["track_ids"], size=min(N_QUERIES, n), replace=False):
        row = row_of[track]
        members = np.flatnonzero(labels == labels[row]) if labels[row] != -1 else np.arange(n)
        k = min(K + 1, members.size)
        local = NearestNeighbors(n_neighbors=k).fit(embeddings[members])
        distances, found = local.kneighbors(embeddings[row : row + 1])
        neighbours = members[found[0]]
        assert row in neighbours, f"{prefix}: track {track} is not its own nearest neighbour"
        assert np.all(np.diff(distances[0]) >= 0), f"{prefix}: distances not ascending"
        global_distances, _ = knn.kneighbors(embeddings[row : row + 1], n_neighbors=k)
        # brute-force euclidean goes through dot products: a self-distance is ~1e-7, not 0
        assert global_distances[0][0] < 1e-6, f"{prefix}: knn model misses the query track"
    return n


def check_models_dir(models_dir):
    """Every variant's files and the base files, as the backend uses them; returns row counts."""
    found = variants(models_dir)
    assert found, f"{models_dir}: no hdbscan_config_*.json"
    counts = {}
    for variant in found:
        with open(os.path.join(models_dir, f"hdbscan_config_{variant}.json")) as handle:
            config = json.load(handle)
        counts[variant] = check_set(models_dir, f"{variant}_")
        assert config["n_tracks"] == counts[variant], f"{variant}: n_tracks disagrees"
        transformer = load(os.path.join(models_dir, f"{variant}_feature_transformer.pkl"))
        raw = np.zeros((1, config["n_features"]))
        with warnings.catch_warnings():  # fitted on named columns, queried with a bare array
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
            dims = transformer.transform(raw).shape[1]
        assert dims == config["feature_shape"][1], f"{variant}: transformer gives {dims} dims"
    counts["base"] = check_set(models_dir, "")
    return counts


if __name__ == "__main__":
    for name, rows in check_models_dir(sys.argv[1]).items():
        print(f"{name}: {rows} tracks ok")
