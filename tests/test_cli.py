"""The ``modelprep`` command on a real build: status, recommend, compare and their errors."""

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.workflow

MODELPREP = Path(sys.executable).with_name("modelprep")


@pytest.fixture(scope="module")
def models(full_build):
    return full_build / "data" / "models"


def run(*args, env=None):
    """The installed console script, as a user runs it."""
    clean = {k: v for k, v in os.environ.items() if k not in ("MODELS_PATH", "DATA_PATH")}
    return subprocess.run(
        [str(MODELPREP), *args], capture_output=True, text=True, env={**clean, **(env or {})}
    )


def test_status_lists_every_variant_and_verifies(models):
    result = run("status", "--verify", "--json", "--models-dir", str(models))
    assert result.returncode == 0, result.stderr
    records = {r["variant_name"]: r for r in json.loads(result.stdout)["variants"]}
    assert set(records) == {
        "naive_features",
        "pca_features",
        "combined_features",
        "llav_features",
        "llav_pca",
    }
    config = json.loads((models / "hdbscan_config_naive_features.json").read_text())
    naive = records["naive_features"]
    assert naive["n_tracks"] == config["n_tracks"] and naive["verified"] == "sha256 ok"
    assert naive["noise_percent"] == round(100 * config["noise_fraction"], 2)
    assert sum(r["base"] for r in records.values()) == 1
    text = run("status", "--models-dir", str(models)).stdout
    assert "(base)" in text and "size+mtime ok" in text


def test_models_dir_defaults_to_the_contracts_paths(models):
    by_models_path = run("status", env={"MODELS_PATH": str(models)})
    by_data_path = run("status", env={"DATA_PATH": str(models.parent)})
    assert by_models_path.returncode == by_data_path.returncode == 0
    assert by_models_path.stdout == by_data_path.stdout


def test_status_verify_names_an_altered_file(models, tmp_path):
    copy = shutil.copytree(models, tmp_path / "models")
    path = copy / "llav_pca_cluster_labels.pkl"
    path.write_bytes(path.read_bytes()[:-1] + b"\0")
    result = run("status", "--verify", "--models-dir", str(copy))
    assert result.returncode == 1
    assert "FAILED: llav_pca_cluster_labels.pkl" in result.stdout


def test_recommend_prints_names_artists_and_distances(models):
    indices = pickle.loads((models / "pca_features_song_indices.pkl").read_bytes())
    track = indices["track_ids"][3]
    result = run(
        "recommend", "--variant", "pca_features", "--track", track, "-k", "4",
        "--json", "--models-dir", str(models),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert len(answer) == 4 and track not in [a["track_id"] for a in answer]
    assert [a["distance"] for a in answer] == sorted(a["distance"] for a in answer)
    text = run(
        "recommend", "--variant", "pca_features", "--track", track, "--models-dir", str(models)
    ).stdout
    assert all(a["track_id"] in text for a in answer[:4])  # the same first tracks, as a table


@pytest.mark.parametrize(
    "args, message",
    [
        (["recommend", "--track", "no-such-track"], "track 'no-such-track' is not in variant"),
        (["recommend", "--variant", "bogus", "--track", "x"], "variant 'bogus' is not published"),
        (["recommend", "--track", "x", "-k", "0"], "k must be at least 1"),
    ],
)
def test_unknown_ids_and_variants_exit_2_with_the_name(models, args, message):
    result = run(*args, "--models-dir", str(models))
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_directory_without_a_published_set_is_refused(tmp_path):
    result = run("status", "--models-dir", str(tmp_path))
    assert result.returncode == 1
    assert "manifest.json: missing" in result.stderr and "Traceback" not in result.stderr


def test_compare_puts_the_variants_side_by_side(models):
    result = run("compare", "--models-dir", str(models))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "naive_features" in lines[1] and "llav_pca" in lines[1]
    for metric in ("silhouette_score", "dbcv", "neighbour_consistency", "explained_variance"):
        assert any(line.startswith(metric) for line in lines), metric
