"""The consumer library on a real build: integrity, similar, embed, assign (modelprep.consumer)."""

import json
import pickle
import shutil

import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import NearestNeighbors

import modelprep
from modelprep.consumer import load
from modelprep.consumer.variant import assign_clusters, nearest_cluster_vote
from modelprep.errors import InputError, IntegrityError, UnknownName

pytestmark = pytest.mark.workflow

VARIANTS = ["naive_features", "pca_features", "combined_features", "llav_features", "llav_pca"]


@pytest.fixture(scope="module")
def models(full_build):
    return full_build / "data" / "models"


@pytest.fixture
def models_copy(models, tmp_path):
    return shutil.copytree(models, tmp_path / "models")


class Planted:
    """A pickle that creates a file when it is unpickled: proof of whether it was."""

    def __init__(self, sentinel):
        self.sentinel = sentinel

    def __reduce__(self):
        return (self.sentinel.touch, ())


def test_a_tampered_pickle_is_refused_before_it_is_unpickled(models_copy, tmp_path):
    sentinel = tmp_path / "code-ran"
    (models_copy / "naive_features_knn_model.pkl").write_bytes(pickle.dumps(Planted(sentinel)))
    with pytest.raises(IntegrityError, match="naive_features_knn_model.pkl: its content differs"):
        load(models_copy, "naive_features")
    assert not sentinel.exists()


def test_missing_unlisted_and_manifestless_sets_are_refused(models_copy):
    (models_copy / "pca_features_song_indices.pkl").unlink()
    with pytest.raises(IntegrityError, match="pca_features_song_indices.pkl: missing"):
        load(models_copy, "pca_features")
    manifest = json.loads((models_copy / "manifest.json").read_text())
    del manifest["files"]["naive_features_cluster_labels.pkl"]
    (models_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IntegrityError, match="naive_features_cluster_labels.pkl: not listed"):
        load(models_copy, "naive_features")
    (models_copy / "manifest.json").unlink()
    with pytest.raises(IntegrityError, match="manifest.json: missing"):
        load(models_copy)


def test_the_default_is_the_base_variant_and_unknown_variants_are_named(models):
    base = json.loads((models / "base_model.json").read_text())["variant"]
    model = modelprep.load(models)
    assert model.name == base and model.info()["is_base"]
    assert model.info()["variant_name"] == base
    with pytest.raises(UnknownName, match="variant 'nope' is not published.*naive_features"):
        load(models, "nope")


@pytest.mark.parametrize("variant", ["naive_features", "llav_features"])
def test_similar_equals_a_brute_force_search_inside_the_cluster(models, variant):
    model = load(models, variant)
    X, labels = model.embeddings, model.labels
    rng = np.random.default_rng(0)
    clustered = np.flatnonzero(labels != -1)
    for row in rng.choice(clustered, size=5, replace=False):
        members = np.flatnonzero((labels == labels[row]) & (np.arange(len(labels)) != row))
        distances = np.linalg.norm(X[members] - X[row], axis=1)
        order = np.argsort(distances, kind="stable")[:10]
        answer = model.similar(model.track_ids[row], k=10)
        assert list(answer.columns) == ["track_id", "name", "artists_id", "distance"]
        assert answer["track_id"].tolist() == model.track_ids[members[order]].tolist()
        np.testing.assert_allclose(answer["distance"], distances[order])
        assert answer["distance"].is_monotonic_increasing


def test_similar_is_global_for_noise_and_when_asked(models):
    model = load(models, "naive_features")
    noise = np.flatnonzero(model.labels == -1)
    assert noise.size, "the demo data should leave some tracks as noise"
    for row in (noise[0], 0):
        distances = np.linalg.norm(model.embeddings - model.embeddings[row], axis=1)
        distances[row] = np.inf
        nearest = np.argsort(distances, kind="stable")[:7]
        answer = model.similar(model.track_ids[row], k=7, within_cluster=False)
        assert answer["track_id"].tolist() == model.track_ids[nearest].tolist()
        np.testing.assert_allclose(answer["distance"], distances[nearest], atol=1e-9)
    as_noise = model.similar(model.track_ids[noise[0]], k=7)
    assert model.track_ids[noise[0]] not in as_noise["track_id"].tolist()


def test_unknown_track_and_bad_k_are_named(models):
    model = load(models, "pca_features")
    with pytest.raises(UnknownName, match="track 'not-a-track' is not in variant pca_features"):
        model.similar("not-a-track")
    with pytest.raises(InputError, match="k must be at least 1"):
        model.similar(model.track_ids[0], k=0)


def raw_table(full_build, variant_model) -> pd.DataFrame:
    """The raw columns of the published tracks, in published order, with the ids blanked."""
    processed = full_build / "data" / "processed"
    tracks = pd.read_pickle(processed / "tracks.pkl")
    low_level = pd.read_pickle(processed / "low_level.pkl")
    table = tracks.merge(low_level, left_on="id", right_on="track_id", how="left")
    table = table.set_index("id").loc[variant_model.track_ids].reset_index()
    return table.assign(id="", track_id="")


@pytest.mark.parametrize("variant", VARIANTS)
def test_embed_reproduces_the_published_embeddings(full_build, models, variant):
    model = load(models, variant)
    assert np.allclose(model.embed(raw_table(full_build, model)), model.embeddings)


def test_embed_names_a_missing_or_bad_column(full_build, models):
    model = load(models, "naive_features")
    table = raw_table(full_build, model)
    with pytest.raises(UnknownName, match="missing column.*tempo"):
        model.embed(table.drop(columns="tempo"))
    table["energy"] = table["energy"].astype(object)
    table.loc[3, "energy"] = "loud"
    with pytest.raises(InputError, match=r"column 'energy'.*row\(s\) \[3\]"):
        model.embed(table)


def test_nearest_cluster_vote():
    votes = nearest_cluster_vote(np.array([[2, 1, 1, 2, 3], [4, 5, 6, 7, 8], [-1, -1, 3, 3, -1]]))
    assert votes.tolist() == [2, 4, -1]  # a tie goes to the nearer neighbour; noise stays noise


@pytest.mark.parametrize("variant", VARIANTS)
def test_assign_agrees_with_the_fitted_labels_of_held_out_tracks(models, variant):
    """10 % of tracks removed from the neighbour structure, then assigned back."""
    model = load(models, variant)
    held_out = np.random.default_rng(1).random(len(model.labels)) < 0.1
    knn = NearestNeighbors(algorithm="brute").fit(model.embeddings[~held_out])
    assigned = assign_clusters(knn, model.labels[~held_out], model.embeddings[held_out], 15)
    clustered = model.labels[held_out] != -1
    agreement = (assigned[clustered] == model.labels[held_out][clustered]).mean()
    assert agreement >= 0.9, f"{variant}: {agreement:.3f}"


def test_assign_from_raw_columns(full_build, models):
    model = load(models)
    assigned = model.assign(raw_table(full_build, model).iloc[::5])
    labels = model.labels[::5]
    assert assigned.shape == labels.shape
    assert (assigned[labels != -1] == labels[labels != -1]).mean() >= 0.9
