"""Killed runs: SIGKILL inside publication and SIGTERM mid-build leave a loadable published set,
and the next run completes it."""

import json
import os
import pickle
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import CONTRACT_ENV, REPO, run_snakemake, write_demo

from modelprep.files import file_sha256
from modelprep.layout import PREVIOUS

pytestmark = [pytest.mark.workflow, pytest.mark.slow]


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


# Publication of the staged set, SIGKILLed by the store's rename hook after argv[1] renames.
PUBLISH_KILLED_AFTER = """
import json, os, signal, sys
from pathlib import Path
from modelprep import layout
from modelprep.store import publication

def kill_after(renames):
    if renames >= int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)

publication.after_rename = kill_after
processed = Path("data/processed")
base = json.loads((processed / "artifacts" / layout.BASE_MODEL).read_text())
variants = [entry["variant"] for entry in base["ranking"]]
publication.publish(
    [processed / "artifacts" / name for name in layout.published_set(variants)],
    Path("data/models"),
    variants=variants,
    base_variant=base["variant"],
    run_id="killed",
    n_tracks=json.loads((processed / "tracks_report.json").read_text())["rows_kept"],
    max_track_drop=0.2,
)
"""


def test_sigkill_during_publication_never_breaks_the_published_set(
    full_build, copy_build, tmp_path
):
    workdir = copy_build(full_build)
    models = workdir / "data" / "models"
    override = tmp_path / "override.yaml"
    override.write_text(
        "variants:\n  naive_features:\n    hdbscan: {min_cluster_size: 16, min_samples: 5}\n"
    )
    staged = run_snakemake(
        workdir, "--cores", "2", "--configfile", str(override), "--omit-from", "publish"
    )
    assert staged.returncode == 0, staged.stderr[-3000:]
    reader = Reader(models)
    reader.start()
    try:
        for renames in (1, 7, 25):
            killed = subprocess.run(
                [sys.executable, "-c", PUBLISH_KILLED_AFTER, str(renames)],
                cwd=workdir,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
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


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it, from /proc (Snakemake and its jobs start their own
    sessions, so a process group would miss them)."""
    children: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone
        children.setdefault(parent, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def assert_every_published_pickle_loads(models):
    for path in sorted(models.glob("*.pkl")):
        with open(path, "rb") as handle:
            pickle.load(handle)


@pytest.mark.parametrize("seed", [1, 2])
def test_sigkill_at_random_moments_then_the_next_run_completes(
    full_build, copy_build, tmp_path, seed
):
    """The machine dies (every process of the run killed at once) three times at moments drawn
    from ``seed``, each run recovering from the last; then a run completes the set."""
    workdir = copy_build(full_build)
    models = workdir / "data" / "models"
    override = tmp_path / "override.yaml"
    override.write_text(
        "variants:\n  naive_features:\n    hdbscan: {min_cluster_size: 17, min_samples: 5}\n"
        "  pca_features:\n    hdbscan: {min_cluster_size: 21, min_samples: 7}\n"
    )
    moments = random.Random(seed)
    interrupted = 0
    for _ in range(3):
        process = startup_process(workdir, "--configfile", str(override))
        time.sleep(moments.uniform(0.5, 10.0))
        interrupted += process.poll() is None
        for pid in process_tree(process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.communicate(timeout=60)
        assert_every_published_pickle_loads(models)
    assert interrupted >= 2, "most kills must land in a running build"
    done = startup_process(workdir, "--configfile", str(override))
    output = done.communicate(timeout=600)[0]
    assert done.returncode == 0, output[-3000:]
    assert_matches_manifest(models)
    assert_every_published_pickle_loads(models)
    assert not [p for p in models.iterdir() if p.name.startswith(".") and p.name != PREVIOUS]
    naive = json.loads((models / "hdbscan_config_naive_features.json").read_text())
    assert naive["min_cluster_size"] == 17


FULL_DISK = """
import resource, signal, sys
from pathlib import Path
from modelprep.store.publication import publish
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sources = sorted(Path(sys.argv[1]).iterdir())
variants = ["naive_features", "pca_features"]
publish(sources, Path(sys.argv[2]), variants=variants, base_variant=variants[0],
        run_id="full-disk", n_tracks=2000, max_track_drop=0.2)
"""


@pytest.mark.parametrize("limit", [1_000, 200_000], ids=["manifest", "copies"])
def test_full_disk_during_publication_keeps_the_old_set(basic_build, tmp_path, limit):
    """RLIMIT_FSIZE inside the publishing process stands for a full disk: the manifest write
    fails (files hard-linked), or the copies fail (the new set on another file system)."""
    models = tmp_path / "models"
    shutil.copytree(basic_build / "data" / "models", models)
    before = {p.name: p.read_bytes() for p in models.iterdir() if p.is_file()}
    staged = (Path("/dev/shm") if limit > 1_000 else tmp_path) / f"staged-{os.getpid()}-{limit}"
    shutil.copytree(models, staged, ignore=shutil.ignore_patterns(".*", "manifest.json"))
    for name in ("naive_features_knn_model.pkl", "metrics.json"):
        (staged / name).write_bytes((staged / name).read_bytes() + b" ")  # a new version
    try:
        result = subprocess.run(
            [sys.executable, "-c", FULL_DISK, str(staged), str(models), str(limit)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    assert result.returncode != 0
    assert "File too large" in result.stderr and "published before are unchanged" in result.stderr
    assert {p.name: p.read_bytes() for p in models.iterdir() if p.is_file()} == before
    assert not [p.name for p in models.iterdir() if ".tmp" in p.name]


def test_sigterm_mid_build_fails_cleanly_and_the_next_run_completes(tmp_path):
    write_demo(tmp_path / "data" / "raw", n_tracks=600, low_level=False, lyrics=False)
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
