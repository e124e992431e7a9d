"""Feature matrices and their transformers (modelprep.build.features.transform)."""

import numpy as np
import pytest

from modelprep import InputError
from modelprep.build.features.transform import (
    fit_pca,
    fit_scaled,
    song_indices,
    variant_columns,
    variant_table,
)
from modelprep.build.ingest.tables import read_low_level, read_tracks
from modelprep.schema import BASIC_FEATURES

pytestmark = pytest.mark.unit


@pytest.fixture
def tables(raw_pair):
    tracks, _ = read_tracks(raw_pair[0])
    low, _ = read_low_level(raw_pair[1], tracks["id"])
    return tracks, low


def test_minmax_naive_features(tables):
    tracks, _ = tables
    embedding, transformer = fit_scaled(tracks, BASIC_FEATURES, "minmax")
    assert embedding.shape == (len(tracks), 12) and embedding.dtype == np.float64
    assert np.allclose(embedding.min(axis=0), 0) and np.allclose(embedding.max(axis=0), 1)
    assert list(transformer.feature_names_in_) == list(BASIC_FEATURES)
    assert np.array_equal(transformer.transform(tracks[list(BASIC_FEATURES)]), embedding)


def test_standardised_combined_features_cover_tracks_in_both_files(tables):
    tracks, low = tables
    groups = ["basic", "low_level"]
    rows = variant_table(tracks, low, groups)
    columns = variant_columns(groups, list(low.columns[1:]))
    embedding, _ = fit_scaled(rows, columns, "standard")
    assert len(rows) == len(low) < len(tracks)
    assert rows["id"].tolist() == low["track_id"].tolist()
    assert embedding.shape == (len(low), 12 + 207)
    assert np.allclose(embedding.mean(axis=0), 0) and np.allclose(embedding.std(axis=0), 1)


@pytest.mark.parametrize("n_components", [6, 3])
def test_pca_pipeline_reproduces_embedding_from_raw_columns(tables, n_components):
    tracks, _ = tables
    base, scaler = fit_scaled(tracks, BASIC_FEATURES, "minmax")
    embedding, pipeline = fit_pca(base, scaler, n_components, seed=0)
    assert embedding.shape == (len(tracks), n_components)
    assert [name for name, _ in pipeline.steps] == ["scaler", "pca"]
    assert not pipeline.named_steps["pca"].whiten
    assert np.allclose(pipeline.transform(tracks[list(BASIC_FEATURES)]), embedding)


def test_pca_larger_than_the_matrix_is_refused(tables):
    tracks, _ = tables
    base, scaler = fit_scaled(tracks, BASIC_FEATURES, "minmax")
    with pytest.raises(InputError, match="pca_components=13"):
        fit_pca(base, scaler, 13, seed=0)


def test_pca_is_deterministic(tables):
    tracks, _ = tables
    base, scaler = fit_scaled(tracks, BASIC_FEATURES, "minmax")
    first, _ = fit_pca(base, scaler, 6, seed=1)
    second, _ = fit_pca(base.copy(), scaler, 6, seed=1)
    assert np.array_equal(first, second)


def test_song_indices_align_with_rows(tables):
    tracks, _ = tables
    indices = song_indices(tracks)
    assert set(indices) == {"track_ids", "track_names", "track_artists", "track_uris"}
    assert indices["track_ids"].tolist() == tracks["id"].tolist()
    assert indices["track_artists"][0].startswith("['")
