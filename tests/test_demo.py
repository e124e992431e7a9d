"""The demo data generator (modelprep.demo)."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import build, write_demo

from modelprep import demo
from modelprep.build.ingest.tables import VALID_RANGES, read_low_level, read_tracks
from modelprep.layout import LOW_LEVEL_CSV, TRACKS_CSV
from modelprep.schema import BASIC_FEATURES

pytestmark = pytest.mark.workflow


def test_same_arguments_same_bytes(tmp_path):
    first = demo.write(tmp_path / "a", 300, seed=3)
    second = demo.write(tmp_path / "b", 300, seed=3)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    other = demo.write(tmp_path / "c", 300, seed=4)
    assert other[0].read_bytes() != first[0].read_bytes()


def test_real_column_names_and_valid_values(tmp_path):
    raw = write_demo(tmp_path, n_tracks=1000)
    tracks, report = read_tracks(raw / TRACKS_CSV)
    assert report["rows_kept"] == 1000, "every generated track passes validation"
    assert tracks["id"].str.len().eq(22).all()
    assert tracks["artists_id"].str.match(r"^\['\w{22}'(, '\w{22}')*\]$").all()
    assert tracks["name"].str.contains("\n").any() and tracks["name"].str.contains(",").any()
    assert (tracks["time_signature"] == 4).mean() > 0.8
    header = pd.read_csv(raw / LOW_LEVEL_CSV, nrows=0).columns
    assert header[0] == "Unnamed: 0" and header[-1] == "track_id"
    assert list(header[1:-1]) == demo.low_level_columns() and len(header) == 209
    low, report = read_low_level(raw / LOW_LEVEL_CSV, tracks["id"])
    assert 0 < report["tracks_without_low_level"] < 50
    assert np.isfinite(low.iloc[:, 1:].to_numpy()).all()


def test_command_line(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "modelprep.demo",
            "--tracks",
            "50",
            "--out",
            str(tmp_path),
            "--no-low-level",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [TRACKS_CSV]
    assert len(pd.read_csv(tmp_path / TRACKS_CSV)) == 50
    bad = subprocess.run(
        [sys.executable, "-m", "modelprep.demo", "--tracks", "0", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--tracks must be at least 1" in bad.stderr


NEW_FAMILIES = [f for f in demo.FAMILIES if f != "genres"]


@pytest.mark.parametrize("family", NEW_FAMILIES)
def test_family_same_arguments_same_bytes(tmp_path, family):
    first = demo.write(tmp_path / "a", 300, seed=3, family=family)
    second = demo.write(tmp_path / "b", 300, seed=3, family=family)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    other_seed = demo.write(tmp_path / "c", 300, seed=4, family=family)
    genres = demo.write(tmp_path / "d", 300, seed=3)
    for other in (other_seed, genres):
        for a, b in zip(first, other, strict=True):
            assert a.read_bytes() != b.read_bytes()


def test_tracks_do_not_depend_on_the_low_level_table():
    for family in demo.FAMILIES:
        with_low, _ = demo.generate(300, 3, family=family)
        without, low_level = demo.generate(300, 3, family=family, with_low_level=False)
        assert low_level is None and without.equals(with_low)


@pytest.mark.parametrize("family", NEW_FAMILIES)
def test_family_has_the_genres_columns_and_valid_values(tmp_path, family):
    tracks, low_level = demo.generate(1000, seed=5, family=family)
    genres_tracks, genres_low_level = demo.generate(50, seed=5)
    assert tracks.dtypes.equals(genres_tracks.dtypes)
    assert low_level.dtypes.equals(genres_low_level.dtypes)
    for column, (low, high) in VALID_RANGES.items():
        assert tracks[column].between(low, high).all(), column
    assert tracks["id"].str.len().eq(22).all() and tracks["id"].is_unique
    raw = tmp_path / family
    demo.write(raw, 1000, seed=5, family=family)
    read, report = read_tracks(raw / TRACKS_CSV)
    assert report["rows_kept"] == 1000, "every generated track passes validation"
    low, report = read_low_level(raw / LOW_LEVEL_CSV, read["id"])
    assert 0 < report["tracks_without_low_level"] < 50
    assert report["rows_kept"] == report["rows_read"], "every low-level row is accepted"
    assert np.isfinite(low.iloc[:, 1:].to_numpy()).all()


def top_components_share(values: np.ndarray, k: int) -> float:
    """Share of the variance of the standardized columns that the top k components explain."""
    standardized = (values - values.mean(axis=0)) / values.std(axis=0)
    variances = np.linalg.svd(standardized, compute_uv=False) ** 2
    return float(variances[:k].sum() / variances.sum())


def test_latent_is_structured_but_not_low_rank():
    tracks, low_level = demo.generate(1500, seed=5, family="latent")
    values = low_level[demo.low_level_columns()].to_numpy()
    assert 0.5 < top_components_share(values, 10) < 0.98
    # A handful of factors dominate (genres' twelve far-apart centres give about 0.3 here).
    assert top_components_share(values, 3) > 0.45
    mel = low_level[[f"MEL_{i}" for i in range(1, 129)]].to_numpy()
    neighbours = np.corrcoef(mel, rowvar=False).diagonal(offset=1)
    assert np.median(np.abs(neighbours)) > 0.5, (
        "neighbouring MEL bands move together (genres: 0.15)"
    )
    assert tracks["key"].nunique() == 12 and tracks["mode"].nunique() == 2


def test_skewed_has_duplicate_rows_ties_and_a_dominant_cluster():
    tracks, low_level = demo.generate(1500, seed=5, family="skewed")
    basic = tracks[list(BASIC_FEATURES)]
    copies = basic.duplicated()
    assert 50 <= copies.sum() <= 100, "about 5% copies, a few without a low-level row"
    features = low_level[demo.low_level_columns()]
    assert features.duplicated().sum() >= 50
    # A copy repeats its source in both files, under its own id.
    merged = tracks[["id", *BASIC_FEATURES]].merge(low_level, left_on="id", right_on="track_id")
    both = merged.drop(columns=["id", "track_id", "Unnamed: 0"]).duplicated()
    assert both.sum() >= 50 and merged["id"].is_unique
    assert (features.nunique() < 50).sum() >= 20, "rounded low-level columns"
    assert basic["tempo"].eq(basic["tempo"].round()).all()
    # One cluster holds ~60% of the tracks: the most common key is far above a twelfth.
    assert tracks["key"].value_counts(normalize=True).iloc[0] > 0.4


def test_unknown_family_refused():
    with pytest.raises(ValueError, match="family must be one of"):
        demo.generate(10, family="blobs")


def test_command_line_family(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "modelprep.demo", "--tracks", "40", "--out", str(tmp_path)]
        + ["--family", "skewed", "--seed", "2"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    expected = demo.write(tmp_path / "api", 40, seed=2, family="skewed")
    for path in expected:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes()


@pytest.mark.workflow
def test_every_variant_finds_clusters_at_8000_tracks(tmp_path):
    """Four times the workflow tests' 2,000 tracks, where the low-level variants still take the
    exact k-NN graph path. The README's 20,000 are built by the benchmark (its quality guard),
    kept out of the timed suite."""
    write_demo(tmp_path / "data" / "raw", n_tracks=8_000)
    build(tmp_path, "--cores", "2")
    models = tmp_path / "data" / "models"
    for variant in (
        "naive_features",
        "pca_features",
        "combined_features",
        "llav_features",
        "llav_pca",
    ):
        labels = pd.read_pickle(models / f"{variant}_cluster_labels.pkl")
        sizes = np.bincount(labels[labels >= 0])
        assert (sizes >= 11).sum() >= 5, variant
        assert (labels == -1).mean() < 0.5, variant
