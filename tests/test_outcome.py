"""How a run's failures are known: each job's own record (modelprep.build.runner), read by the
service (modelprep.service.outcome), never Snakemake's console text."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from modelprep import env
from modelprep.build.runner import job
from modelprep.errors import InputError
from modelprep.service.outcome import job_failures

pytestmark = pytest.mark.unit


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_PATH", str(tmp_path / "data"))
    monkeypatch.setenv(env.RUN_ID, "run-1")
    return env.paths_from_env()


def fake_job(tmp_path, variant=None, threads=1):
    """What a Snakemake script sees of its job, enough for the runner."""
    wildcards = {"variant": variant} if variant else {}
    return SimpleNamespace(log=[str(tmp_path / "job.log")], wildcards=wildcards, threads=threads)


def blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


@pytest.mark.parametrize("threads", [1, 2])
def test_blas_takes_the_threads_the_job_declares(data, tmp_path, threads):
    """OpenBLAS would take every core: two one-thread fits would spin against each other."""
    with threadpool_limits(limits=8):
        with job(fake_job(tmp_path, "naive_features", threads), "cluster"):
            assert blas_threads() == {threads}
        assert blas_threads() == {8}, "the limit ends with the job"


def test_a_job_that_succeeds_leaves_no_record(data, tmp_path):
    with job(fake_job(tmp_path, "naive_features"), "cluster"):
        pass
    assert job_failures(data, "run-1") == {}


def test_bad_input_is_recorded_with_rule_variant_class_and_message(data, tmp_path):
    with pytest.raises(SystemExit) as exit_status:
        with job(fake_job(tmp_path, "llav_pca"), "cluster"):
            raise InputError("variant llav_pca: HDBSCAN found 0 clusters")
    assert exit_status.value.code == 1
    assert job_failures(data, "run-1") == {"llav_pca": "variant llav_pca: HDBSCAN found 0 clusters"}
    assert job_failures(data, "another-run") == {}, "only this run's records count"


def test_a_bug_is_recorded_by_its_class_and_re_raised(data, tmp_path):
    with pytest.raises(KeyError):
        with job(fake_job(tmp_path), "select_base"):
            raise KeyError("silhouette_score")
    failed = job_failures(data, "run-1")
    assert failed == {"select_base": "'silhouette_score'"}


def test_a_stopped_job_says_it_was_stopped(data, tmp_path):
    """SIGTERM becomes SystemExit in a job (so its cleanup runs); the record says so."""
    with pytest.raises(SystemExit):
        with job(fake_job(tmp_path, "llav_features"), "cluster"):
            raise SystemExit(143)
    assert job_failures(data, "run-1") == {"llav_features": "stopped (SystemExit 143)"}


def test_a_job_killed_without_a_word_is_reported_as_killed(data, tmp_path):
    """SIGKILL (or the kernel's OOM killer) leaves the record the job wrote when it started."""
    script = (
        "import os, signal, sys\n"
        "from types import SimpleNamespace\n"
        "from modelprep.build.runner import job\n"
        f"snakemake = SimpleNamespace(log=[{str(tmp_path / 'k.log')!r}],"
        " wildcards={'variant': 'combined_features'}, threads=1)\n"
        "with job(snakemake, 'cluster'):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script], env=os.environ.copy())
    assert killed.returncode == -signal.SIGKILL
    failed = job_failures(data, "run-1")
    assert list(failed) == ["combined_features"]
    assert failed["combined_features"].startswith("rule cluster [combined_features] was killed")


def test_a_job_that_succeeds_writes_what_it_used(data, tmp_path):
    """CPU time and peak memory measured by the job itself, named like its log and benchmark
    file; Snakemake's 30 s samples would miss both."""
    with job(fake_job(tmp_path, "naive_features"), "cluster"):
        block = bytearray(300 * 2**20)  # 300 MiB, touched
        block[::4096] = b"x" * len(block[::4096])
        busy = time.process_time() + 0.2
        while time.process_time() < busy:
            pass
    used = json.loads(Path(data.usage("cluster", "job")).read_text())
    assert used["cpu_s"] >= 0.2 and used["peak_mib"] >= 300
    assert set(used) == {"cpu_s", "peak_mib", "children_peak_mib"}


def test_a_failed_job_leaves_no_measures_from_an_earlier_run(data, tmp_path):
    stale = Path(data.usage("cluster", "job"))
    stale.parent.mkdir(parents=True)
    stale.write_text('{"cpu_s": 1.0, "peak_mib": 1.0, "children_peak_mib": 0.0}')
    with pytest.raises(KeyError):
        with job(fake_job(tmp_path, "naive_features"), "cluster"):
            raise KeyError("boom")
    assert not stale.exists()
