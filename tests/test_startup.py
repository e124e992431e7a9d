"""scripts/startup.py: check-only, markers, force, rollback, recovery, locking."""

import fcntl
import json
import subprocess
import sys

import pytest
from conftest import marker, published, startup, write_demo

from modelprep import InputError
from modelprep.env import flag_from_env

pytestmark = pytest.mark.workflow


@pytest.mark.parametrize("value", ["true", "1", "YES", " yes "])
def test_force_flag_true(value):
    assert flag_from_env("FORCE_REGENERATE", {"FORCE_REGENERATE": value}) is True


@pytest.mark.parametrize("value", ["false", "0", "no", "", None])
def test_force_flag_false(value):
    env = {} if value is None else {"FORCE_REGENERATE": value}
    assert flag_from_env("FORCE_REGENERATE", env) is False


def test_force_flag_other_values_are_an_error_naming_it(tmp_path):
    with pytest.raises(InputError, match="FORCE_REGENERATE='maybe' is not a boolean"):
        flag_from_env("FORCE_REGENERATE", {"FORCE_REGENERATE": "maybe"})
    result = startup(tmp_path, env={"FORCE_REGENERATE": "maybe"})
    assert result.returncode == 2 and "FORCE_REGENERATE='maybe'" in result.stderr
    assert "FORCE_REGENERATE='maybe'" in marker(tmp_path, "failure")["failed"]["config"]
    check = startup(tmp_path, "--check-only", env={"FORCE_REGENERATE": "maybe"})
    assert check.returncode == 2


def test_check_only_reports_each_variant(full_build, copy_build, tmp_path):
    workdir = copy_build(full_build)
    result = startup(workdir, "--check-only", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert {v: s["state"] for v, s in report["variants"].items()} == {
        "naive_features": "current",
        "pca_features": "current",
        "combined_features": "current",
        "llav_features": "current",
        "llav_pca": "current",
        "lyrics": "current",
        "(shared)": "current",
    }
    override = tmp_path / "override.yaml"
    override.write_text(
        "variants:\n  pca_features:\n    hdbscan: {min_cluster_size: 22, min_samples: 7}\n"
    )
    result = startup(workdir, "--check-only", "--json", "--configfile", str(override))
    assert result.returncode == 1
    states = json.loads(result.stdout)["variants"]
    stale = {v for v, s in states.items() if s["state"] != "current"}
    assert stale == {"pca_features", "(shared)"}
    assert any("params" in r for r in states["pca_features"]["reasons"]), states
    (workdir / "data" / "models" / "knn_model.pkl").unlink()
    result = startup(workdir, "--check-only")
    assert result.returncode == 1 and "knn_model.pkl: missing" in result.stdout
    assert not (workdir / "markers").exists(), "check-only writes no marker"


def test_run_force_rollback_and_repair(tmp_path):
    workdir = tmp_path
    write_demo(workdir / "data" / "raw", n_tracks=600, low_level=False)
    result = startup(workdir, "--check-only", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 1 and "nothing published yet" in report["published_problems"][0]
    assert report["variants"]["naive_features"]["state"] == "missing"
    assert report["variants"]["llav_pca"]["state"] == "skipped"
    result = startup(workdir, "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    result = startup(workdir, "--check-only")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skipped" in result.stdout and "combined_features" in result.stdout
    before = published(workdir)

    result = startup(workdir, env={"FORCE_REGENERATE": "yes"})
    assert result.returncode == 0, result.stderr[-3000:]
    success = marker(workdir, "success")
    assert success["force"] is True
    assert success["built"] == ["naive_features", "pca_features", "lyrics"]
    assert success["skipped"] == ["combined_features", "llav_features", "llav_pca"]
    assert not (workdir / "markers" / "model_prep_failure").exists()
    manifest = json.loads(published(workdir)["manifest.json"])
    assert manifest["run_id"] == success["run_id"]
    assert "silhouette" in result.stderr and success["run_id"] in result.stderr
    assert (workdir / "data" / "logs" / "model_pipeline.log").read_text().count(success["run_id"])

    result = startup(workdir, "--rollback")
    assert result.returncode == 0, result.stderr
    assert published(workdir) == before
    check = startup(workdir, "--check-only")
    assert check.returncode == 1 and "rolled back" in check.stdout

    (workdir / "data" / "models" / "naive_features_knn_model.pkl").unlink()
    result = startup(workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (workdir / "data" / "models" / "naive_features_knn_model.pkl").exists()


def test_bad_input_writes_the_failure_marker_and_keeps_models(full_build, copy_build):
    workdir = copy_build(full_build)
    before = published(workdir)
    assert startup(workdir, env={"FORCE_REGENERATE": "false"}).returncode == 0
    assert marker(workdir, "success")["built"] == []
    csv = workdir / "data" / "raw" / "spotify_tracks.csv"
    csv.write_text(csv.read_text().replace(",energy,", ",energie,", 1))
    for _ in range(2):  # a retry must fail the same way, not find "nothing to be done"
        result = startup(workdir)
        assert result.returncode == 1
        failure = marker(workdir, "failure")
        assert "required columns missing: energy" in failure["failed"]["ingest_tracks"]
        assert not (workdir / "markers" / "model_prep_success").exists()
        assert published(workdir) == before


def test_a_second_run_is_refused_while_the_lock_is_held(tmp_path):
    workdir = tmp_path
    (workdir / "data").mkdir()
    with open(workdir / "data" / ".modelprep.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = startup(workdir)
    assert result.returncode == 3
    assert "another modelprep run" in result.stderr and "wait for it" in result.stderr
    assert not (workdir / "markers").exists()


def test_degenerate_variant_guard_and_force(tmp_path):
    raw = tmp_path / "data" / "raw"
    write_demo(raw, n_tracks=600, low_level=False, lyrics=False)
    assert startup(tmp_path).returncode == 0

    degenerate = tmp_path / "degenerate.yaml"
    degenerate.write_text(
        "variants:\n  pca_features:\n    hdbscan: {min_cluster_size: 590, min_samples: 7}\n"
    )
    result = startup(tmp_path, "--configfile", str(degenerate))
    assert result.returncode == 1
    failed = marker(tmp_path, "failure")["failed"]
    assert "HDBSCAN found" in failed["pca_features"] and "naive_features" not in failed
    assert "other variants were published" in failed["publish"]
    check = startup(tmp_path, "--check-only", "--json", "--configfile", str(degenerate))
    states = json.loads(check.stdout)["variants"]
    assert check.returncode == 1 and states["pca_features"]["state"] == "failed"
    assert states["naive_features"]["state"] == "current"

    invalid = tmp_path / "invalid.yaml"
    invalid.write_text(
        "variants:\n  naive_features:\n    hdbscan: {min_cluster_size: -3, min_samples: 5}\n"
    )
    check = startup(tmp_path, "--check-only", "--configfile", str(invalid))
    assert check.returncode == 2 and "min_cluster_size" in check.stderr

    before = published(tmp_path)
    mtimes = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "data" / "models").iterdir()}
    write_demo(raw, n_tracks=300, low_level=False, lyrics=False)
    result = startup(tmp_path)
    assert result.returncode == 1
    assert "refusing to publish 300 tracks over the 600 published" in result.stderr
    assert "--force" in marker(tmp_path, "failure")["failed"]["publish"]
    assert published(tmp_path) == before
    result = startup(tmp_path, "--force")
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads(published(tmp_path)["manifest.json"])
    assert manifest["n_tracks"] == 300
    assert all(manifest["files"][n]["mtime_ns"] != mtimes[n] for n in manifest["files"])


def test_a_run_is_refused_while_plain_snakemake_works_in_the_directory(tmp_path):
    (tmp_path / "data").mkdir()
    sleeper = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "snakemake"], cwd=tmp_path
    )
    try:
        result = startup(tmp_path)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert result.returncode == 3
    assert f"Snakemake is already running in {tmp_path} (pid {sleeper.pid})" in result.stderr
    assert not (tmp_path / "markers").exists() and not (tmp_path / "data" / "logs").exists()


def test_the_entry_point_runs_the_workflow_of_its_own_checkout(basic_build, basic_workflow):
    """basic_build was built by a second checkout sharing this environment: its own startup.py
    finds every variant current, while this checkout's sees other code (and so stale jobs)."""
    own = startup(basic_build, "--check-only", script=basic_workflow / "scripts" / "startup.py")
    assert own.returncode == 0, own.stdout + own.stderr[-2000:]
    assert "all current" in own.stdout
    other = startup(basic_build, "--check-only")
    assert other.returncode == 1 and "stale" in other.stdout
