"""The benchmark's parts on the session build (the full benchmark is too slow for a test)."""

import json
import shutil

import pandas as pd
import pytest
import yaml
from conftest import REPO

from benchmarks import bench
from benchmarks.plot import write_plot
from modelprep import layout
from modelprep.files import file_sha256, load_pickle, save_pickle

pytestmark = pytest.mark.workflow
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())


def test_quality_guard_certifies_every_published_tree_against_the_exact_one(full_build):
    guard = bench.quality_guard(full_build)
    assert set(guard) == set(CONFIG["variants"])
    for record in guard.values():
        assert record["ok"] and record["exact"] and record["mst_algorithm"] == "exact_blocks"
        assert record["total_rel"] <= 1e-7 and record["ari"] > 0.95


def test_quality_guard_fails_a_tree_that_is_not_the_minimum(full_build, tmp_path):
    """One merge distance of a published model raised by 0.1 %: the guard must see it."""
    copy = tmp_path / "build"
    shutil.copytree(full_build / "data" / "models", copy / "data" / "models")
    path = copy / "data" / "models" / "pca_features_hdbscan_model.pkl"
    model = load_pickle(path)
    model._single_linkage_tree[-1, 2] *= 1.001
    save_pickle(model, path)
    # published as such (the guard loads through the manifest, which would refuse a tampered file)
    manifest_path = path.with_name("manifest.json")
    manifest = json.loads(manifest_path.read_text())
    manifest["files"][path.name].update(sha256=file_sha256(path), size=path.stat().st_size)
    manifest_path.write_text(json.dumps(manifest))
    guard = bench.quality_guard(copy)
    assert not guard["pca_features"]["ok"] and guard["naive_features"]["ok"]


def test_without_lyrics_copies_the_inputs_but_the_lyrics_column(full_build, tmp_path):
    bench.without_lyrics(full_build / "data" / "raw", tmp_path)
    original = pd.read_csv(full_build / "data" / "raw" / layout.TRACKS_CSV, dtype=str)
    copy = pd.read_csv(tmp_path / layout.TRACKS_CSV, dtype=str)
    assert list(copy.columns) == [c for c in original.columns if c != "lyrics"]
    assert copy.equals(original.drop(columns="lyrics"))
    assert (tmp_path / layout.LOW_LEVEL_CSV).read_bytes() == (
        full_build / "data" / "raw" / layout.LOW_LEVEL_CSV
    ).read_bytes()


def test_baseline_builds_every_variant(full_build):
    assert bench.baseline(full_build / "data" / "raw", CONFIG) > 0


def test_rule_records_and_report(full_build, tmp_path):
    records = bench.rule_records(full_build)
    assert "cluster[naive_features]" in records and records["cluster[naive_features]"]["s"] > 0
    workflow = {
        "cold_s": [3.0, 2.0, 4.0],
        "warm_s": [2.0],
        "cold_median_s": 3.0,
        "warm_median_s": 2.0,
        "noop_dry_run_s": 1.2,
        "check_only_s": 1.3,
        "per_rule": records,
    }
    report = {
        "machine": bench.machine(),
        "tracks": 2000,
        "baseline_tracks": 2000,
        "full": {"genres": workflow},
        "at_baseline_size": workflow,
        "baseline_s": [20.0],
        "baseline_median_s": 20.0,
        "speedup": 10.0,
        "quality_guard": {"genres": bench.quality_guard(full_build)},
        "queries": bench.time_queries(full_build / "data" / "models", queries=20),
    }
    assert 0 < report["queries"]["within_cluster_median_ms"] < 1000
    text = bench.render(report)
    assert "| cold build, 2000 tracks, genres | 3.0 s | 3.0, 2.0, 4.0 |" in text
    assert "| `startup.py --check-only`, genres | 1.30 s | 1 |" in text
    assert "| genres | llav_pca | exact_blocks |" in text and "FAILED" not in text
    assert "| cluster[naive_features] |" in text and "10.0x" in text
    assert "`similar(k=10)` on" in text
    report["lyrics_cost"] = {"with_warm_s": [5.0], "without_warm_s": [3.5], "added_median_s": 1.5}
    assert "| added by the lyrics models (median difference) | 1.5 s |" in bench.render(report)
    plot = write_plot(report, tmp_path / "bench.png")
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and plot.stat().st_size > 20_000
    for key in ("at_baseline_size", "baseline_s", "baseline_median_s", "speedup"):
        del report[key]
    report["quality_guard"] = {}
    text = bench.render(report)  # --no-baseline and no guard families
    assert "| cold build, 2000 tracks, genres |" in text
    assert "baseline" not in text and "Exactness guard" not in text
    assert "| cluster[naive_features] |" in text and "10.0x" not in text
