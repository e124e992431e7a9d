"""The lyrics models in the real workflow: published with the set, skipped and retired when
their column goes, a failed lyrics job that costs the audio variants nothing, and reruns that
stay within the lyrics jobs (contract: Lyrics models)."""

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import (
    CONTRACT_ENV,
    REPO,
    SNAKEMAKE,
    marker,
    planned_jobs,
    published,
    run_snakemake,
    startup,
    write_demo,
)

from modelprep import layout
from modelprep.service.workflow import snakemake_summary
from modelprep.store import manifest as manifests

pytestmark = pytest.mark.workflow

# What a lyrics parameter may rerun besides the lyrics jobs: the metrics, publication, report.
MODELS = ("svd_knn", "knn_cosine", "knn_euclidean", "knn_cosine_k20")
SHARED_AFTER_LYRICS = {"select_base", "publish", "figures", "changes", "run_statistics"}


def lyrics_files(workdir):
    return sorted(n for n in published(workdir) if layout.is_lyrics_file(n))


@pytest.fixture(scope="module")
def lyrics_build(tmp_path_factory):
    """600 tracks with lyrics, no low-level file, built by startup.py."""
    workdir = tmp_path_factory.mktemp("lyrics")
    write_demo(workdir / "data" / "raw", n_tracks=600, low_level=False)
    result = startup(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


def test_the_lyrics_models_are_published_with_the_set(full_build):
    models = full_build / "data" / "models"
    manifest = manifests.read(models)
    names = lyrics_files(full_build)
    assert {manifest["files"][n]["variant"] for n in names} == {layout.LYRICS}
    assert sorted(layout.lyrics_models_of(manifest)) == sorted(MODELS)
    lyrics = json.loads((models / layout.METRICS).read_text())["lyrics"]
    assert lyrics["status"] == "ok"
    raw = pd.read_csv(full_build / "data" / "raw" / layout.TRACKS_CSV, dtype=str)
    assert lyrics["n_tracks"] + sum(lyrics["not_indexed"].values()) == raw["id"].nunique()
    for model, scores in lyrics["models"].items():
        config = json.loads((models / layout.lyrics_config_file(model)).read_text())
        assert config["model_type"] == model and config["n_tracks"] == lyrics["n_tracks"]
        assert scores["self_retrieval_at_distance_0"] >= 0.98, model
        assert scores["same_artist_rate"] > 2 * scores["random_same_artist_rate"], model
    svd = json.loads((models / layout.lyrics_config_file("svd_knn")).read_text())
    assert svd["has_svd"] and svd["model_params"]["svd_components"] == min(
        100, lyrics["vocabulary_size"] - 1
    )


def test_a_lyrics_parameter_reruns_only_the_lyrics_jobs_and_what_follows(
    lyrics_build, copy_build, tmp_path
):
    workdir = copy_build(lyrics_build)
    change = tmp_path / "k.yaml"
    change.write_text("lyrics:\n  models:\n    knn_cosine: {metric: cosine, n_neighbors: 30}\n")
    planned = planned_jobs(workdir, "--configfile", str(change))
    rules = {rule for rule, _ in planned}
    assert ("lyrics_model", layout.LYRICS) in planned
    assert rules - SHARED_AFTER_LYRICS == {"lyrics_model", "lyrics_evaluation", "lyrics_report"}
    clean = {k: v for k, v in os.environ.items() if k not in CONTRACT_ENV}
    command = [str(SNAKEMAKE), "-s", str(REPO / "Snakefile"), "--configfile", str(change)]
    rows = snakemake_summary(command, cwd=workdir, env=clean)
    models = {Path(r["output_file"]).name for r in rows if r["rule"] == "lyrics_model"}
    replanned = {
        Path(r["output_file"]).name
        for r in rows
        if r["rule"] == "lyrics_model" and r["plan"] != "no update"
    }
    assert len(models) == 8 and replanned == {"knn_cosine", "knn_cosine.json"}
    assert startup(workdir, "--configfile", str(change)).returncode == 0
    config = json.loads(
        (workdir / "data" / "models" / layout.lyrics_config_file("knn_cosine")).read_text()
    )
    assert config["model_params"]["n_neighbors"] == 30
    assert planned_jobs(workdir, "--configfile", str(change)) == set()


def test_too_few_usable_lyrics_skip_and_retire_the_lyrics_files(lyrics_build, copy_build, tmp_path):
    workdir = copy_build(lyrics_build)
    before = lyrics_files(workdir)
    assert before
    many = tmp_path / "many.yaml"
    many.write_text("lyrics:\n  min_tracks: 100000\n")
    result = startup(workdir, "--configfile", str(many))
    assert result.returncode == 0, result.stderr[-3000:]
    assert (
        "lyrics models skipped: only" in result.stderr and "min_tracks is 100000" in result.stderr
    )
    assert lyrics_files(workdir) == []
    previous = workdir / "data" / "models" / layout.PREVIOUS
    assert set(before) <= {p.name for p in previous.iterdir()}
    assert layout.LYRICS in marker(workdir, "success")["skipped"]
    check = startup(workdir, "--check-only", "--json", "--configfile", str(many))
    assert check.returncode == 0, check.stdout
    assert json.loads(check.stdout)["variants"][layout.LYRICS]["state"] == "skipped"
    dry = run_snakemake(workdir, "-n", "--configfile", str(many))
    assert "Nothing to be done" in dry.stdout + dry.stderr


def test_without_the_lyrics_column_the_lyrics_are_skipped(lyrics_build, copy_build):
    workdir = copy_build(lyrics_build)
    csv = workdir / "data" / "raw" / layout.TRACKS_CSV
    pd.read_csv(csv, dtype=str, keep_default_na=False).drop(columns="lyrics").to_csv(
        csv, index=False
    )
    result = run_snakemake(workdir, "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "has no 'lyrics' column" in result.stderr
    assert lyrics_files(workdir) == []
    assert "Nothing to be done" in run_snakemake(workdir, "-n").stdout


def test_a_failed_lyrics_job_keeps_the_old_lyrics_and_publishes_the_variants(
    lyrics_build, copy_build, tmp_path
):
    """WordNet without its lexnames table (Debian's package alone): the lyrics fail with a
    message that says how to install it; the audio variants are published all the same."""
    workdir = copy_build(lyrics_build)
    import nltk

    broken = tmp_path / "nltk_data" / "corpora"
    for corpus in ("wordnet", "stopwords"):
        shutil.copytree(nltk.data.find(f"corpora/{corpus}").path, broken / corpus)
    (broken / "wordnet" / "lexnames").unlink()
    before = {n: b for n, b in published(workdir).items() if layout.is_lyrics_file(n)}
    change = tmp_path / "variant.yaml"
    change.write_text(
        "lyrics:\n  tfidf: {max_features: 4000}\n"
        "variants:\n  pca_features:\n    hdbscan: {min_cluster_size: 21, min_samples: 7}\n"
    )
    env = {"NLTK_DATA": str(broken.parent)}
    result = startup(workdir, "--configfile", str(change), env=env)
    assert result.returncode == 1
    failed = marker(workdir, "failure")["failed"]
    assert "has no lexnames" in failed[layout.LYRICS] and "install-nltk-data" in failed["lyrics"]
    after = published(workdir)
    assert {n: after[n] for n in before} == before
    config = json.loads(after[layout.config_file("pca_features")])
    assert config["min_cluster_size"] == 21
    check = startup(workdir, "--check-only", "--json", "--configfile", str(change), env=env)
    assert json.loads(check.stdout)["variants"][layout.LYRICS]["state"] == "failed"
    # With the data installed, the next run builds them again (startup.py retries them).
    assert startup(workdir, "--configfile", str(change)).returncode == 0
    assert lyrics_files(workdir) == sorted(before)
    assert published(workdir)[layout.LYRICS_VECTORIZER] != before[layout.LYRICS_VECTORIZER]


def test_lyrics_queries_find_the_track_and_its_neighbours(full_build, capsys):
    """load_lyrics and `modelprep recommend --lyrics`: the backend's model by default, a track's
    own lyrics find it first, and the command line shows its neighbours without it."""
    import modelprep
    from modelprep.consumer.cli import main

    models = full_build / "data" / "models"
    lyrics = modelprep.load_lyrics(models)
    assert lyrics.name == "svd_knn" and modelprep.load_lyrics(models, "knn_euclidean").svd is None
    raw = pd.read_csv(full_build / "data" / "raw" / layout.TRACKS_CSV, dtype=str)
    raw = raw.drop_duplicates("lyrics", keep=False).set_index("id")
    tracks = [t for t in lyrics.songs["id"] if t in raw.index][:5]
    for track in tracks:
        assert lyrics.similar_text(raw.loc[track, "lyrics"], k=3)["track_id"].iloc[0] == track
    argv = ["recommend", "--lyrics", "--track", tracks[0], "-k", "4", "--json"]
    assert main([*argv, "--models-dir", str(models)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert len(answer) == 4 and tracks[0] not in {row["track_id"] for row in answer}
    assert main(["recommend", "--lyrics", "--track", "nope", "--models-dir", str(models)]) == 2
