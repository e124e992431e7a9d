"""Shared fixtures: generated data and real workflow builds, made once per test session.

Tests that change a build work on a copy (``copy_build``); the session builds stay as built.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from modelprep import demo
from modelprep.layout import LOW_LEVEL_CSV, TRACKS_CSV, Paths
from modelprep.service.status import variant_of
from modelprep.service.workflow import snakemake_summary

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
N_TRACKS = 2000
CONTRACT_ENV = ("DATA_PATH", "RAW_DATA_PATH", "MODELS_PATH", "LOG_LEVEL", "MODELPREP_RUN_ID")
# Kept between sessions: the backend's venv, and numba's compiled engine code.
TEST_CACHE = Path(os.environ.get("MODELPREP_TEST_CACHE", Path.home() / ".cache/modelprep-tests"))


def pytest_collection_modifyitems(items):
    """Longest first: on two workers the run ends when its last long file does, so the slow and
    workflow files start before the quick unit tests, which then fill the gaps."""

    def cost_rank(item) -> int:
        marks = ("slow", "workflow")
        return next((i for i, m in enumerate(marks) if item.get_closest_marker(m)), len(marks))

    items.sort(key=cost_rank)


@pytest.fixture(scope="session", autouse=True)
def numba_cache():
    """Every build of the session shares one numba cache, so the engine compiles once."""
    os.environ.setdefault("NUMBA_CACHE_DIR", str(TEST_CACHE / "numba"))


def run_snakemake(workdir: Path, *args: str, snakefile: Path = REPO / "Snakefile", env=None):
    """Run the real snakemake command in ``workdir`` (DATA_PATH defaults to ``data`` there)."""
    clean = {k: v for k, v in os.environ.items() if k not in CONTRACT_ENV}
    return subprocess.run(
        [str(SNAKEMAKE), "-s", str(snakefile), *args],
        cwd=workdir,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def build(workdir: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    result = run_snakemake(workdir, *args, **kwargs)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def planned_jobs(workdir: Path, *args: str, **kwargs) -> set[tuple[str, str]]:
    """(rule, variant) of every job Snakemake plans, from its ``--detailed-summary`` (each
    output's plan) and the layout; variant '' for shared jobs."""
    snakefile = kwargs.get("snakefile", REPO / "Snakefile")
    clean = {k: v for k, v in os.environ.items() if k not in CONTRACT_ENV}
    rows = snakemake_summary(
        [str(SNAKEMAKE), "-s", str(snakefile), *args],
        cwd=workdir,
        env={**clean, **(kwargs.get("env") or {})},
    )
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    variants = set(config["variants"])
    paths = Paths(data="data", raw="data/raw", models="data/models")
    return {
        (row["rule"], variant_of(row["output_file"], variants, paths) or "")
        for row in rows
        if row["plan"] != "no update"
    }


def write_demo(
    raw: Path, n_tracks: int = N_TRACKS, low_level: bool = True, lyrics: bool = True
) -> Path:
    """Demo CSVs; ``lyrics=False`` where a test is not about the lyrics models (their jobs then
    skip, about a third of a small build's CPU time)."""
    demo.write(raw, n_tracks, seed=7, with_low_level=low_level, with_lyrics=lyrics)
    return raw


def made_once(tmp_path_factory, name: str, make) -> Path:
    """``make(directory)`` once per test run: the first pytest-xdist worker that asks makes it,
    the others wait on a lock and share it (read only, like every session build)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's directory, above each worker's
    workdir, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir()
            make(workdir)
            done.touch()
    return workdir


def _full(workdir: Path) -> None:
    write_demo(workdir / "data" / "raw")
    build(workdir, "--cores", "2")


@pytest.fixture(scope="session")
def full_build(tmp_path_factory) -> Path:
    """Both CSVs, all five variants, built with --cores 2, once per test run."""
    return made_once(tmp_path_factory, "full", _full)


@pytest.fixture(scope="session")
def basic_workflow(tmp_path_factory) -> Path:
    """A private copy of the workflow files, so a test may edit its package sources."""
    copy = tmp_path_factory.mktemp("workflow")
    for name in (
        "Snakefile",
        "rules",
        "workflow",
        "config",
        "modelprep",
        "scripts",
        "environment.yml",
    ):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy / name)
    return copy


@pytest.fixture(scope="session")
def basic_build(tmp_path_factory, basic_workflow) -> Path:
    """Only spotify_tracks.csv (same tracks as the full build), built with --cores 1."""
    workdir = tmp_path_factory.mktemp("basic")
    write_demo(workdir / "data" / "raw", low_level=False)
    build(workdir, "--cores", "1", snakefile=basic_workflow / "Snakefile")
    return workdir


@pytest.fixture
def copy_build(tmp_path):
    """Copy a session build (data and Snakemake's metadata, mtimes kept) to change it freely."""

    def copy(workdir: Path) -> Path:
        target = tmp_path / "build"
        shutil.copytree(workdir, target, symlinks=True)
        return target

    return copy


@pytest.fixture
def tracks_csv(tmp_path) -> Path:
    """A small valid spotify_tracks.csv (no low-level file)."""
    return write_demo(tmp_path / "raw", n_tracks=300, low_level=False) / TRACKS_CSV


@pytest.fixture
def raw_pair(tmp_path) -> tuple[Path, Path]:
    """A small valid pair of CSVs."""
    raw = write_demo(tmp_path / "raw", n_tracks=300)
    return raw / TRACKS_CSV, raw / LOW_LEVEL_CSV


STARTUP = REPO / "scripts" / "startup.py"


def startup(workdir, *args, env=None, script=STARTUP):
    clean = {k: v for k, v in os.environ.items() if k not in CONTRACT_ENV + ("FORCE_REGENERATE",)}
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=workdir,
        env={**clean, "MARKER_DIR": str(workdir / "markers"), **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def published(workdir):
    models = workdir / "data" / "models"
    return {p.name: p.read_bytes() for p in models.iterdir() if p.is_file()}


def marker(workdir, name):
    return json.loads((workdir / "markers" / f"model_prep_{name}").read_text())
