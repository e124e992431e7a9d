"""Every command the README shows works right after the README's demo set-up: an environment
made by scripts/setup-venv.sh without the test tools, on 2,000 demo tracks. The commands are
listed here, not parsed from the README: a README edit that adds one adds it here."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CONTRACT_ENV, REPO

pytestmark = [pytest.mark.workflow, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory) -> Path:
    """The demo set-up's environment (scripts/demo.sh runs scripts/setup-venv.sh bare). Its
    warm-up starts from the compiled code of the tests' environment (same sources, same numba),
    as a pip cache spares the downloads: compiling from nothing is test_warmup's subject."""
    venv = tmp_path_factory.mktemp("demo-env") / "venv"
    shipped = Path(sys.prefix) / "share" / "modelprep"
    if shipped.is_dir():
        shutil.copytree(shipped, venv / "share" / "modelprep")
    subprocess.run(
        ["bash", str(REPO / "scripts" / "setup-venv.sh")],
        env={**os.environ, "VENV": str(venv)},
        check=True,
        timeout=900,
    )
    return venv / "bin"


def run(bin_dir: Path, cwd: Path, line: str) -> subprocess.CompletedProcess:
    """One README command as a user with the environment active would type it."""
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT_ENV}
    env |= {"PATH": f"{bin_dir}{os.pathsep}{env['PATH']}", "MARKER_DIR": str(cwd / "markers")}
    return subprocess.run(
        line, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )


def test_every_readme_command_works_in_the_demo_environment(demo_env, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "my.yaml").write_text("knn: {n_neighbors: 15}\n")
    snakemake = f"snakemake -s {REPO / 'Snakefile'}"
    startup, pipeline = REPO / "scripts" / "startup.py", REPO / "model_pipeline.py"
    first = [
        # the low-level variants' builds are the full_build fixture's: the set-up is the subject
        "python -m modelprep.demo --tracks 2000 --out data/raw --no-low-level",
        f"{snakemake} -n",
        f"{snakemake} --cores 2",
        f"{snakemake} -n",
        f"{snakemake} --report report.html",
        f"python {startup} --check-only",
        f"python {startup} --check-only --json",
        f"python {startup}",
        f"python {pipeline}",
        "modelprep status --verify",
        "modelprep status --json",
        "modelprep compare",
    ]
    for line in first:
        result = run(demo_env, work, line)
        assert result.returncode == 0, (line, result.stderr[-3000:])
    assert (work / "report.html").stat().st_size > 100_000
    tracks = json.loads((work / "data" / "processed" / "tracks_report.json").read_text())
    assert tracks["rows_kept"] == 2000
    from modelprep.consumer import load, load_lyrics

    some_track = load(work / "data" / "models").track_ids[0]
    with_lyrics = load_lyrics(work / "data" / "models").songs["id"].iloc[0]
    then = [
        f"modelprep recommend --track {some_track}",
        f"modelprep recommend --lyrics --track {with_lyrics}",
        f"modelprep recommend --lyrics --variant knn_cosine --track {with_lyrics} -k 5",
        f"modelprep recommend --variant pca_features --track {some_track} -k 5 --all-tracks",
        f"{snakemake} --cores 2 --configfile my.yaml",
        f"{snakemake} --forceall --cores 2",
        f"python {startup} --force",
        f"python {startup} --rollback",
        f"python {startup} --rollback",
        f"cd {REPO} && python -m benchmarks.bench --help",
    ]
    for line in then:
        result = run(demo_env, work, line)
        assert result.returncode == 0, (line, result.stderr[-3000:])
    unknown = run(demo_env, work, "modelprep recommend --track no-such-id")
    assert unknown.returncode == 2 and "no-such-id" in unknown.stderr
