"""Killed runs: SIGKILL inside publication and SIGTERM mid-build leave a loadable published set,
and the next run completes it."""

import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import CONTRACT_ENV, REPO, run_snakemake, write_demo

from modelprep.artifacts import file_sha256
from modelprep.publish import KILL_HOOK, PREVIOUS

pytestmark = pytest.mark.workflow


def startup_process(workdir, *args):
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT_ENV}
    return subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "startup.py"), *args],
        cwd=workdir,
        env={**env, "MARKER_DIR": str(workdir / "markers")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def assert_matches_manifest(directory):
    manifest = json.loads((directory / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        assert file_sha256(directory / name) == entry["sha256"], name


class Reader(threading.Thread):
    """Keeps unpickling every published file, as a backend reloading models would."""

    def __init__(self, models):
        super().__init__(daemon=True)
        self.models, self.stop, self.loads, self.errors = models, threading.Event(), 0, []

    def run(self):
        while not self.stop.is_set():
            for path in sorted(self.models.glob("*.pkl")):
                try:
                    with open(path, "rb") as handle:
                        pickle.load(handle)
                    self.loads += 1
                except Exception as exc:  # every failure is the finding, reported below
                    self.errors.append(f"{path.name}: {exc!r}")


def test_sigkill_during_publication_never_breaks_the_published_set(
    full_build, copy_build, tmp_path
):
    workdir = copy_build(full_build)
    models = workdir / "data" / "models"
    override = tmp_path / "override.yaml"
    override.write_text(
        "variants:\n  naive_features:\n    hdbscan: {min_cluster_size: 16, min_samples: 5}\n"
    )
    reader = Reader(models)
    reader.start()
    try:
        for renames in (1, 7, 25):
            result = run_snakemake(
                workdir,
                "--cores",
                "2",
                "--configfile",
                str(override),
                env={KILL_HOOK: str(renames)},
            )
            assert result.returncode != 0, "the hook must have killed the publish job"
            assert_matches_manifest(models / PREVIOUS)
        done = startup_process(workdir, "--configfile", str(override))
        output = done.communicate(timeout=600)[0]
        assert done.returncode == 0, output[-3000:]
    finally:
        reader.stop.set()
        reader.join()
    assert reader.errors == [] and reader.loads > 0
    assert_matches_manifest(models)
    assert not [p for p in models.iterdir() if ".tmp" in p.name]
    naive = json.loads((models / "hdbscan_config_naive_features.json").read_text())
    assert naive["min_cluster_size"] == 16


def test_sigterm_mid_build_fails_cleanly_and_the_next_run_completes(tmp_path):
    write_demo(tmp_path / "data" / "raw", n_tracks=2000)
    process = startup_process(tmp_path, "--cores", "2")
    run_log = tmp_path / "data" / "logs" / "model_pipeline.log"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if run_log.exists() and "rule cluster:" in run_log.read_text():
            break
        time.sleep(0.2)
    else:
        pytest.fail("the build never reached a cluster job")
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=120)[0]
    assert process.returncode != 0
    assert "received signal 15" in output
    failure = json.loads((tmp_path / "markers" / "model_prep_failure").read_text())
    assert failure["status"] == "failure"
    assert not (tmp_path / "markers" / "model_prep_success").exists()

    again = startup_process(tmp_path, "--cores", "2")
    output = again.communicate(timeout=600)[0]
    assert again.returncode == 0, output[-3000:]
    assert (tmp_path / "markers" / "model_prep_success").exists()
    assert_matches_manifest(tmp_path / "data" / "models")
