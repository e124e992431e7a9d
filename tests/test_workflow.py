"""The real workflow, end to end, on ~2,000 generated tracks."""

import json
import pickle

import numpy as np
import pytest
import yaml
from backend_check import check_models_dir
from conftest import REPO, build, planned_jobs, run_snakemake, write_demo

from modelprep.store import history

pytestmark = pytest.mark.workflow

VARIANTS = ["naive_features", "pca_features", "combined_features", "llav_features", "llav_pca"]
BASIC_VARIANTS = VARIANTS[:2]
PER_VARIANT = (
    "{v}_hdbscan_model.pkl",
    "{v}_knn_model.pkl",
    "{v}_audio_embeddings.pkl",
    "{v}_cluster_labels.pkl",
    "{v}_song_indices.pkl",
    "{v}_feature_transformer.pkl",
    "hdbscan_config_{v}.json",
)
SHARED = (
    "hdbscan_model.pkl",
    "knn_model.pkl",
    "audio_embeddings.pkl",
    "cluster_labels.pkl",
    "song_indices.pkl",
    "base_model.json",
    "metrics.json",
    "manifest.json",
)
# The lyrics models' files (contract: Lyrics models); the demo data has a lyrics column.
LYRICS_MODELS = ("svd_knn", "knn_cosine", "knn_euclidean", "knn_cosine_k20")
LYRICS_FILES = {
    "lyrics_tfidf_vectorizer.pkl",
    "lyrics_training_metadata.pkl",
    "lyrics_model_evaluation_results.json",
    "lyrics_svd_model_svd_knn.pkl",
    "lyrics_knn_model_svd_knn.pkl",
    *(f"lyrics_similarity_model_{m}.pkl" for m in LYRICS_MODELS[1:]),
    *(f"lyrics_config_{m}.json" for m in LYRICS_MODELS),
}
CONFIG_KEYS = {
    "variant_name": str,
    "approach": str,
    "feature_type": str,
    "features": list,
    "n_features": int,
    "has_scaler": bool,
    "scaler": str,
    "has_pca": bool,
    "cluster_based": bool,
    "min_cluster_size": int,
    "min_samples": int,
    "cluster_selection_epsilon": float,
    "metric": str,
    "hdbscan_params": dict,
    "feature_shape": list,
    "n_tracks": int,
    "n_clusters": int,
    "n_noise_points": int,
    "silhouette_score": float,
    "silhouette_sample_size": int,
    "created_at": str,
    "run_id": str,
    "input_fingerprint": str,
    "versions": dict,
    "timings_s": dict,
}
# What follows a fit whose outputs changed.
DOWNSTREAM = {"variant_config", "select_base", "publish", "figures", "changes", "run_statistics"}
SHARED_JOBS = {
    ("select_base", ""),
    ("publish", ""),
    ("figures", ""),
    ("changes", ""),
    ("run_statistics", ""),
}


def expected_files(variants):
    return {p.format(v=v) for v in variants for p in PER_VARIANT} | set(SHARED) | LYRICS_FILES


def models(workdir):
    return workdir / "data" / "models"


def published(workdir):
    """Name -> bytes of every published file (not the .previous/ backup)."""
    return {p.name: p.read_bytes() for p in models(workdir).iterdir() if p.is_file()}


def load(path):
    with open(path, "rb") as handle:
        return pickle.load(handle)


def test_publishes_exactly_the_contract_files(full_build):
    assert {p.name for p in models(full_build).iterdir()} == expected_files(VARIANTS)


def test_backend_can_use_every_variant(full_build):
    counts = check_models_dir(str(models(full_build)))
    assert counts["naive_features"] == 2000
    assert 1900 < counts["llav_features"] == counts["combined_features"] < 2000


def test_configs_have_the_contract_keys_and_types(full_build):
    defaults = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["variants"]
    for variant in VARIANTS:
        config = json.loads((models(full_build) / f"hdbscan_config_{variant}.json").read_text())
        for key, kind in CONFIG_KEYS.items():
            assert isinstance(config[key], kind), (variant, key, config[key])
        assert config["variant_name"] == variant
        assert config["cluster_based"] is True
        assert config["min_cluster_size"] == defaults[variant]["hdbscan"]["min_cluster_size"]
        assert config["min_samples"] == defaults[variant]["hdbscan"]["min_samples"]
        assert config["cluster_selection_epsilon"] == 0.1 and config["metric"] == "euclidean"
        assert config["n_features"] == len(config["features"])
        # the exact engine at every size, and the path it took on record
        assert config["mst_algorithm"] == "exact_blocks" and config["mst_exact"] is True
        assert config["silhouette_sample_size"] == config["n_tracks"] - config["n_noise_points"]
        assert -1.0 <= config["silhouette_score"] <= 1.0
        assert config["versions"]["numpy"] == "1.26.4"
        assert config["versions"]["scikit-learn"] == "1.6.1"
        assert config["has_pca"] == (config["pca_components"] is not None)
    shapes = {
        v: json.loads((models(full_build) / f"hdbscan_config_{v}.json").read_text())
        for v in VARIANTS
    }
    assert shapes["naive_features"]["feature_shape"] == [2000, 12]
    assert shapes["pca_features"]["feature_shape"] == [2000, 6]
    assert shapes["combined_features"]["feature_shape"][1] == 219
    assert shapes["llav_features"]["feature_shape"][1] == 207
    assert shapes["llav_pca"]["feature_shape"][1] == 60
    assert shapes["naive_features"]["scaler"] == "MinMaxScaler"
    assert shapes["llav_features"]["scaler"] == "StandardScaler"


def test_base_files_are_the_best_variants_files(full_build):
    out = models(full_build)
    base = json.loads((out / "base_model.json").read_text())
    metrics = json.loads((out / "metrics.json").read_text())
    scores = {v: m["silhouette_score"] for v, m in metrics["variants"].items()}
    assert base["variant"] == max(scores, key=scores.get)
    assert base["score"] == scores[base["variant"]] and base["criterion"]
    for kind in ("hdbscan_model", "knn_model", "audio_embeddings", "cluster_labels"):
        assert (out / f"{kind}.pkl").read_bytes() == (
            out / f"{base['variant']}_{kind}.pkl"
        ).read_bytes()


def test_manifest_matches_the_published_files(full_build):
    out = models(full_build)
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == expected_files(VARIANTS) - {"manifest.json"}
    for name, entry in manifest["files"].items():
        assert entry["size"] == (out / name).stat().st_size
    configs = [json.loads((out / f"hdbscan_config_{v}.json").read_text()) for v in VARIANTS]
    assert {c["run_id"] for c in configs} == {manifest["run_id"]}


def test_demo_data_has_clear_clusters_in_every_variant(full_build):
    for variant in VARIANTS:
        labels = load(models(full_build) / f"{variant}_cluster_labels.pkl")
        sizes = np.bincount(labels[labels >= 0])
        assert (sizes >= 11).sum() >= 5, variant
        assert (labels == -1).mean() < 0.5, variant


def test_second_run_has_nothing_to_do(full_build):
    assert planned_jobs(full_build) == set()
    result = run_snakemake(full_build, "-n")
    assert "Nothing to be done" in result.stdout + result.stderr


def test_changed_tracks_content_makes_everything_stale(full_build, copy_build):
    workdir = copy_build(full_build)
    csv = workdir / "data" / "raw" / "spotify_tracks.csv"
    csv.write_text(csv.read_text().replace("0.5", "0.6", 1))
    jobs = planned_jobs(workdir)
    assert ("ingest_tracks", "") in jobs
    assert {("cluster", v) for v in VARIANTS} <= jobs


def test_changed_parameter_reruns_only_that_variant(full_build, copy_build, tmp_path):
    workdir = copy_build(full_build)
    override = tmp_path / "override.yaml"
    override.write_text(
        "variants:\n  llav_pca:\n    approach: PCA of Low-Level Audio Features\n"
        "    feature_type: pca_low_level_audio_features\n    pca_of: llav_features\n"
        "    pca_components: 60\n    hdbscan: {min_cluster_size: 21, min_samples: 6}\n"
    )
    jobs = planned_jobs(workdir, "--configfile", str(override))
    assert jobs == {("cluster", "llav_pca"), ("variant_config", "llav_pca")} | SHARED_JOBS
    # Built, publication records how each metric moved against the set published before (now
    # in .previous/), for the report and `modelprep compare`; metrics.json holds no history.
    before = json.loads((models(workdir) / "manifest.json").read_text())["run_id"]
    old = json.loads((models(workdir) / "metrics.json").read_text())["variants"]
    build(workdir, "--cores", "2", "--configfile", str(override))
    metrics = json.loads((models(workdir) / "metrics.json").read_text())
    assert set(metrics) == {"base_variant", "variants", "lyrics"}
    assert not any("change" in values for values in metrics["variants"].values())
    report = workdir / "data" / "processed" / "report"
    changes = json.loads((report / "changes.json").read_text())
    assert changes == history.changes_since_previous(models(workdir))
    assert changes["previous_run_id"] == before
    for variant, new in metrics["variants"].items():
        for key in ("silhouette_score", "dbcv", "neighbour_consistency", "n_clusters"):
            moved = changes["variants"][variant][key]
            assert moved == pytest.approx(new[key] - old[variant][key]), key
    assert changes["variants"]["naive_features"]["silhouette_score"] == 0
    assert "Change since the previous published set" in (report / "changes.html").read_text()


def test_bad_input_fails_and_leaves_published_models_untouched(full_build, copy_build):
    workdir = copy_build(full_build)
    before = published(workdir)
    csv = workdir / "data" / "raw" / "spotify_tracks.csv"
    lines = csv.read_text().split("\n")
    csv.write_text("\n".join([lines[0].replace(",tempo,", ",tempo_bpm,"), *lines[1:]]))
    result = run_snakemake(workdir, "--cores", "2")
    assert result.returncode != 0
    assert "required columns missing: tempo" in result.stderr
    assert "Traceback" not in result.stderr
    assert published(workdir) == before


def test_basic_only_build_and_code_edits(full_build, basic_build, basic_workflow):
    """Without the low-level CSV: only the basic variants; same labels on 1 core as on 2."""
    assert {p.name for p in models(basic_build).iterdir()} == expected_files(BASIC_VARIANTS)
    check_models_dir(str(models(basic_build)))
    for variant in BASIC_VARIANTS:
        for kind in ("cluster_labels", "audio_embeddings"):
            name = f"{variant}_{kind}.pkl"
            assert np.array_equal(load(models(basic_build) / name), load(models(full_build) / name))

    snakefile = basic_workflow / "Snakefile"
    assert planned_jobs(basic_build, snakefile=snakefile) == set()
    fits = {("cluster", v) for v in BASIC_VARIANTS} | {("neighbors", v) for v in BASIC_VARIANTS}
    report = {("figures", ""), ("changes", ""), ("run_statistics", ""), ("lyrics_report", "")}
    for module, rerun in (
        ("build/fit/clustering.py", fits),
        ("build/report/figures.py", report),
        ("consumer/cli.py", set()),
        ("service/main.py", set()),
    ):
        source = basic_workflow / "modelprep" / module
        original = source.read_text()
        source.write_text(original + "\n# an edit\n")
        try:
            jobs = planned_jobs(basic_build, snakefile=snakefile)
        finally:
            source.write_text(original)
        # the jobs that run the edited code, then (for the fits) only what follows them
        assert rerun <= jobs, module
        later = DOWNSTREAM if module.startswith("build/fit") else set()
        assert {rule for rule, _ in jobs} <= {rule for rule, _ in rerun} | later, module
    assert planned_jobs(basic_build, snakefile=snakefile) == set()


def test_forceall_rebuilds_everything_then_nothing(basic_build, basic_workflow, copy_build):
    workdir = copy_build(basic_build)
    snakefile = basic_workflow / "Snakefile"
    receipt = workdir / "data" / "processed" / "publish_receipt.json"
    before = json.loads(receipt.read_text())["run_id"]
    result = build(workdir, "--forceall", "--cores", "2", snakefile=snakefile)
    assert "cluster" in result.stderr
    manifest = json.loads((models(workdir) / "manifest.json").read_text())
    assert manifest["run_id"] != before
    assert planned_jobs(workdir, snakefile=snakefile) == set()


def test_paths_come_from_the_environment(tmp_path):
    raw = write_demo(tmp_path / "input", n_tracks=600, low_level=False)
    env = {
        "DATA_PATH": str(tmp_path / "state"),
        "RAW_DATA_PATH": str(raw),
        "MODELS_PATH": str(tmp_path / "served"),
        "LOG_LEVEL": "warning",
    }
    (tmp_path / "cwd").mkdir()
    build(tmp_path / "cwd", "--cores", "2", env=env)
    assert {p.name for p in (tmp_path / "served").iterdir()} == expected_files(BASIC_VARIANTS)
    state = tmp_path / "state"
    assert (state / "processed" / "publish_receipt.json").is_file()
    assert (state / "benchmarks" / "cluster" / "naive_features.tsv").is_file()
    log = (state / "logs" / "cluster" / "naive_features.log").read_text()
    assert "started" not in log, "LOG_LEVEL=warning keeps INFO lines out of the job logs"
    assert not (tmp_path / "cwd" / "data").exists()


def test_unknown_log_level_is_refused(tmp_path):
    result = run_snakemake(tmp_path, "-n", env={"LOG_LEVEL": "loud"})
    assert result.returncode != 0
    assert (
        "LOG_LEVEL='loud' is not one of DEBUG, INFO, WARNING, ERROR"
        in result.stdout + result.stderr
    )


def test_degenerate_variant_fails_the_run_and_keeps_its_published_files(
    full_build, copy_build, tmp_path
):
    workdir = copy_build(full_build)
    before = published(workdir)
    override = tmp_path / "override.yaml"
    override.write_text(
        "variants:\n  llav_pca:\n    hdbscan: {min_cluster_size: 1500, min_samples: 6}\n"
    )
    result = run_snakemake(workdir, "--cores", "2", "--configfile", str(override))
    assert result.returncode != 0
    assert "variant llav_pca: HDBSCAN found 0 clusters" in result.stderr
    assert "Traceback" not in result.stderr
    after = published(workdir)
    assert after.keys() == before.keys()
    for name in after:
        if name.startswith("llav_pca_") or name == "hdbscan_config_llav_pca.json":
            assert after[name] == before[name], name
    manifest = json.loads(after["manifest.json"])
    assert manifest["run_id"] != json.loads(before["manifest.json"])["run_id"]
    assert "llav_pca_knn_model.pkl" in manifest["files"]
    assert "llav_pca" not in json.loads(after["base_model.json"])["variant"]


def test_any_variant_may_take_more_threads(tmp_path):
    """Every engine path gives the same model on any thread count (tests/test_mst.py), so
    config may give any variant's cluster job more threads."""
    write_demo(tmp_path / "data" / "raw", n_tracks=300)
    override = tmp_path / "threads.yaml"
    override.write_text(
        "variants:\n  llav_features:\n    cluster_threads: 2\n"
        "    hdbscan: {min_cluster_size: 30, min_samples: 8}\n"
    )
    dry = run_snakemake(tmp_path, "-n", "--cores", "2", "--configfile", str(override))
    assert dry.returncode == 0, dry.stderr[-2000:]
    cluster = next(b for b in dry.stdout.split("\n\n") if "llav_features_hdbscan_model" in b)
    assert "threads: 2" in cluster
