"""The demo data generator (modelprep.demo)."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import build, write_demo

from modelprep import demo
from modelprep.ingest import read_low_level, read_tracks
from modelprep.schema import LOW_LEVEL_FILE, TRACKS_FILE


def test_same_arguments_same_bytes(tmp_path):
    first = demo.write(tmp_path / "a", 300, seed=3)
    second = demo.write(tmp_path / "b", 300, seed=3)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    other = demo.write(tmp_path / "c", 300, seed=4)
    assert other[0].read_bytes() != first[0].read_bytes()


def test_real_column_names_and_valid_values(tmp_path):
    raw = write_demo(tmp_path, n_tracks=1000)
    tracks, report = read_tracks(raw / TRACKS_FILE)
    assert report["rows_kept"] == 1000, "every generated track passes validation"
    assert tracks["id"].str.len().eq(22).all()
    assert tracks["artists_id"].str.match(r"^\['\w{22}'(, '\w{22}')*\]$").all()
    assert tracks["name"].str.contains("\n").any() and tracks["name"].str.contains(",").any()
    assert (tracks["time_signature"] == 4).mean() > 0.8
    header = pd.read_csv(raw / LOW_LEVEL_FILE, nrows=0).columns
    assert header[0] == "Unnamed: 0" and header[-1] == "track_id"
    assert list(header[1:-1]) == demo.low_level_columns() and len(header) == 209
    low, report = read_low_level(raw / LOW_LEVEL_FILE, tracks["id"])
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
    assert sorted(p.name for p in tmp_path.iterdir()) == [TRACKS_FILE]
    assert len(pd.read_csv(tmp_path / TRACKS_FILE)) == 50
    bad = subprocess.run(
        [sys.executable, "-m", "modelprep.demo", "--tracks", "0", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--tracks must be at least 1" in bad.stderr


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
