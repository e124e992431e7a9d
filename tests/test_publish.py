"""Publication into the models directory (modelprep.store), on plain files."""

import json
import os

import pytest

from modelprep.errors import InputError, PublishFailed
from modelprep.files import file_sha256, link_or_copy
from modelprep.layout import PREVIOUS
from modelprep.store import publication as publish_module
from modelprep.store.publication import PublishRefused, publish
from modelprep.store.rollback import rollback

pytestmark = pytest.mark.unit


def staged(directory, variants, content="v1"):
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for variant in variants:
        for name in (f"{variant}_knn_model.pkl", f"hdbscan_config_{variant}.json"):
            (directory / name).write_text(f"{content} {name}")
            paths.append(directory / name)
    for name in ("knn_model.pkl", "metrics.json"):
        (directory / name).write_text(f"{content} {name}")
        paths.append(directory / name)
    return paths


def run(sources, models, variants, n_tracks=100, **kwargs):
    return publish(
        sources,
        models,
        variants=variants,
        base_variant=variants[0],
        run_id="r1",
        n_tracks=n_tracks,
        max_track_drop=0.2,
        **kwargs,
    )


def snapshot(directory):
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


def test_publishes_files_and_manifest_last(tmp_path):
    sources = staged(tmp_path / "staged", ["a", "b"])
    manifest = run(sources, tmp_path / "models", ["a", "b"])
    models = tmp_path / "models"
    on_disk = json.loads((models / "manifest.json").read_text())
    assert on_disk == manifest
    assert set(manifest["files"]) == {p.name for p in sources}
    for name, entry in manifest["files"].items():
        assert entry["sha256"] == file_sha256(models / name)
        assert entry["size"] == (models / name).stat().st_size
        assert entry["mtime_ns"] == (models / name).stat().st_mtime_ns
    assert manifest["files"]["b_knn_model.pkl"]["variant"] == "b"
    assert manifest["files"]["knn_model.pkl"]["variant"] == "a"
    assert manifest["files"]["metrics.json"]["variant"] is None
    assert not [p for p in models.iterdir() if p.name.startswith(".")]


def test_second_publication_keeps_one_previous_generation(tmp_path):
    models = tmp_path / "models"
    run(staged(tmp_path / "s1", ["a", "b"]), models, ["a", "b"])
    first = snapshot(models)
    run(staged(tmp_path / "s2", ["a"], content="v2"), models, ["a"])
    assert snapshot(models / PREVIOUS) == first
    assert not (models / "b_knn_model.pkl").exists(), "a variant no longer built stays published"
    assert (models / "a_knn_model.pkl").read_text() == "v2 a_knn_model.pkl"
    run(staged(tmp_path / "s3", ["a"], content="v3"), models, ["a"])
    assert (models / PREVIOUS / "a_knn_model.pkl").read_text() == "v2 a_knn_model.pkl"
    assert not (models / PREVIOUS / "b_knn_model.pkl").exists()


def test_guard_refuses_a_large_drop_and_touches_nothing(tmp_path):
    models = tmp_path / "models"
    run(staged(tmp_path / "s1", ["a"]), models, ["a"], n_tracks=1000)
    before = snapshot(models)
    with pytest.raises(PublishRefused, match=r"799 tracks.*1000.*--force"):
        run(staged(tmp_path / "s2", ["a"], content="v2"), models, ["a"], n_tracks=799)
    assert snapshot(models) == before
    run(staged(tmp_path / "s3", ["a"], content="v3"), models, ["a"], n_tracks=800)
    run(staged(tmp_path / "s4", ["a"], content="v4"), models, ["a"], n_tracks=10, force=True)


def test_leftover_temporaries_are_removed(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / ".knn_model.pkl.tmp-123").write_text("half")
    (models / f"{PREVIOUS}.tmp-9").mkdir()
    run(staged(tmp_path / "s", ["a"]), models, ["a"])
    assert sorted(p.name for p in models.iterdir() if p.name.startswith(".")) == []
    assert (models / "knn_model.pkl").read_text() == "v1 knn_model.pkl"


def test_failed_variant_keeps_its_previous_files(tmp_path):
    models = tmp_path / "models"
    run(staged(tmp_path / "s1", ["a", "b"]), models, ["a", "b"])
    old_b = (models / "b_knn_model.pkl").read_bytes()
    old_entry = json.loads((models / "manifest.json").read_text())["files"]["b_knn_model.pkl"]
    sources = [
        p for p in staged(tmp_path / "s2", ["a", "b"], content="v2") if "b" not in p.name[:2]
    ]
    manifest = run(sources, models, ["a", "b"], keep_variants=("b",))
    assert (models / "b_knn_model.pkl").read_bytes() == old_b
    assert manifest["files"]["b_knn_model.pkl"] == old_entry
    assert (models / "a_knn_model.pkl").read_text() == "v2 a_knn_model.pkl"


def fail_on_call(monkeypatch, n):
    """Make publish's n-th link_or_copy raise, as a full disk or a dying disk would."""
    calls = {"n": 0}

    def flaky(src, dst, link=True):
        calls["n"] += 1
        if calls["n"] == n:
            raise OSError(28, "No space left on device")
        return link_or_copy(src, dst, link)

    monkeypatch.setattr(publish_module, "link_or_copy", flaky)


@pytest.mark.parametrize("content", ["v2", "v1"], ids=["new set", "identical set"])
@pytest.mark.parametrize("fail_at", [1, 3, 8])
def test_failure_half_way_puts_back_exactly_the_published_set(
    tmp_path, monkeypatch, content, fail_at
):
    models = tmp_path / "models"
    run(staged(tmp_path / "s0", ["a", "b"], content="v0"), models, ["a", "b"])
    run(staged(tmp_path / "s1", ["a", "b"]), models, ["a", "b"])
    before, previous = snapshot(models), snapshot(models / PREVIOUS)
    fail_on_call(monkeypatch, fail_at)
    with pytest.raises(PublishFailed, match="No space left.*published before are unchanged"):
        run(staged(tmp_path / "s2", ["a", "b"], content=content), models, ["a", "b"])
    assert snapshot(models) == before
    assert snapshot(models / PREVIOUS) in (previous, before)
    assert not [p.name for p in models.iterdir() if ".tmp" in p.name]


def test_a_parked_previous_generation_is_restored(tmp_path):
    models = tmp_path / "models"
    run(staged(tmp_path / "s1", ["a"]), models, ["a"])
    run(staged(tmp_path / "s2", ["a"], content="v2"), models, ["a"])
    previous = snapshot(models / PREVIOUS)
    (models / PREVIOUS).rename(models / f"{PREVIOUS}.old-4242")  # died between two renames
    run(staged(tmp_path / "s3", ["a"], content="v2"), models, ["a"])
    assert snapshot(models / PREVIOUS) == previous


def test_identical_republication_keeps_the_real_previous_generation(tmp_path):
    models = tmp_path / "models"
    run(staged(tmp_path / "s1", ["a"]), models, ["a"])
    first = snapshot(models)
    run(staged(tmp_path / "s2", ["a"], content="v2"), models, ["a"])
    run(staged(tmp_path / "s3", ["a"], content="v2"), models, ["a"])
    assert snapshot(models / PREVIOUS) == first


def test_files_outside_the_new_set_leave_even_without_a_manifest(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "hdbscan_config_legacy.json").write_text("{}")
    run(staged(tmp_path / "s1", ["a"]), models, ["a"])
    assert not (models / "hdbscan_config_legacy.json").exists()
    assert (models / PREVIOUS / "hdbscan_config_legacy.json").read_text() == "{}"


def test_rollback_restores_byte_for_byte_and_can_be_undone(tmp_path):
    models = tmp_path / "models"
    with pytest.raises(InputError, match="no previous published set"):
        rollback(models)
    run(staged(tmp_path / "s1", ["a", "b"]), models, ["a", "b"])
    first = snapshot(models)
    run(staged(tmp_path / "s2", ["a"], content="v2"), models, ["a"])
    second = snapshot(models)
    assert rollback(models)["run_id"] == "r1"
    assert snapshot(models) == first
    rollback(models)
    assert snapshot(models) == second


def test_published_files_are_not_world_writable_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        sources = staged(tmp_path / "staged", ["a"])
        run(sources, tmp_path / "models", ["a"])
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "models").iterdir()}
    assert modes == {name: 0o644 for name in modes} and "manifest.json" in modes
