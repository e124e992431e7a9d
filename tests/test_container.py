"""Container files: no Docker engine runs here, so parse, lint, and run the entry point as the
image would (its environment, a non-root user)."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import REPO, write_demo
from numba.core.caching import UserProvidedCacheLocator

from modelprep.build.fit.warmup import SHIPPED

CONTRACT_VARS = (
    "DATA_PATH",
    "RAW_DATA_PATH",
    "MODELS_PATH",
    "LOG_LEVEL",
    "FORCE_REGENERATE",
    "MARKER_DIR",
)

pytestmark = pytest.mark.slow
NOBODY = 65534
SYSTEM_PYTHON = "/usr/bin/python3.11"
# What the image copies into /app, read from its COPY lines.
IMAGE_CODE = [
    name
    for sources in re.findall(r"^COPY (.+) \S+$", (REPO / "Dockerfile").read_text(), re.MULTILINE)
    for name in sources.split()
]


def dockerfile_env() -> dict[str, str]:
    """ENV of the Dockerfile (continuation lines joined)."""
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(dict(re.findall(r"(\w+)=(\S+)", line)))
    return env


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint") or str(REPO / ".venv" / "bin" / "hadolint")
    result = subprocess.run([hadolint, str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_contract():
    text = (REPO / "Dockerfile").read_text()
    env = dockerfile_env()
    assert env["DATA_PATH"] == "/app/data" and env["MODELS_PATH"] == "/app/models"
    assert set(CONTRACT_VARS) <= set(env)
    assert re.search(r"^FROM python:3\.11[\w.-]*-slim", text, re.MULTILINE)
    user = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert 'CMD ["python", "scripts/startup.py"]' in text
    assert re.search(r"^HEALTHCHECK .*\n?.*scripts/healthcheck\.py", text, re.MULTILINE)


def test_compose_service():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    service = compose["services"]["model-prep"]
    assert "setup" in service["profiles"]
    assert set(CONTRACT_VARS) <= set(service["environment"])
    targets = {volume.split(":")[1] for volume in service["volumes"]}
    assert {"/app/data", "/app/models"} <= targets


def test_docker_setup_script_knows_its_commands():
    script = (REPO / "docker-setup.sh").read_text()
    for command in ("models)", "models-force)", "models-check)"):
        assert command in script
    result = subprocess.run(
        ["bash", str(REPO / "docker-setup.sh"), "nonsense"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "usage" in result.stderr


def as_nobody():
    os.setgid(NOBODY)
    os.setgroups([])
    os.setuid(NOBODY)


def image_python() -> Path:
    """A venv like the image's: a Python 3.11 outside /root with the pinned dependencies.

    Cached in /var/tmp (readable by every user) by the hash of the pins.
    """
    if not Path(SYSTEM_PYTHON).exists():
        pytest.skip(f"{SYSTEM_PYTHON} not found: no interpreter an unprivileged user can run")
    pins = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    key = hashlib.sha256("\n".join(pins).encode()).hexdigest()[:12]
    venv = Path("/var/tmp/modelprep-tests") / f"image-venv-{key}"
    if not (venv / "ready").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([SYSTEM_PYTHON, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *pins],
            check=True,
            timeout=900,
        )
        (venv / "ready").touch()
    # As the image does after its pip install: the lyrics models' NLTK data, into the venv.
    python = venv / "bin" / "python"
    subprocess.run(["bash", str(REPO / "scripts" / "install-nltk-data.sh"), python], check=True)
    venv.parent.chmod(0o755)
    return venv / "bin" / "python"


def image_warm_up(python: Path, app: Path, env: dict, request) -> Path:
    """The image build's warm-up (the Dockerfile's command), as root: the fits' numba code into
    the environment's share/, which it returns. The entries of this app's kernels go with the
    test; fast_hdbscan's stay with the environment."""
    command = re.search(r"python (-m modelprep\S*warmup)", (REPO / "Dockerfile").read_text())
    assert command, "the Dockerfile runs the warm-up"
    shipped = python.parents[1] / SHIPPED.relative_to(sys.prefix)
    kernels = app / "modelprep" / "build" / "fit" / "mst_kernels.py"
    own = shipped / UserProvidedCacheLocator.get_suitable_cache_subpath(str(kernels))
    request.addfinalizer(lambda: shutil.rmtree(own, ignore_errors=True))
    subprocess.run([str(python), *command[1].split()], cwd=app, env=env, check=True, timeout=600)
    assert own.is_dir()
    return shipped


@pytest.fixture
def outside_tmp():
    """A directory an unprivileged user can reach (pytest's own tmp root is private)."""
    path = Path(tempfile.mkdtemp(prefix="modelprep-nonroot-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.workflow
def test_entry_point_runs_as_non_root_with_the_image_environment(outside_tmp, request):
    """The image's layout: code in /app (root-owned), data and models owned by the user."""
    if os.geteuid() != 0:
        pytest.skip("needs root to switch to an unprivileged user")
    python = image_python()
    app = outside_tmp / "app"
    app.mkdir()
    for name in IMAGE_CODE:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(
                source, app / name, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True
            )
        else:
            (app / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, app / name)
    env = {k: v.replace("/app", str(app)) for k, v in dockerfile_env().items()}
    markers = outside_tmp / "markers"
    env["MARKER_DIR"] = str(markers)
    # The engine's numba cache must land on the data volume.
    write_demo(app / "data" / "raw", n_tracks=1200, low_level=False)
    (app / "models").mkdir()
    (app / ".snakemake").symlink_to(app / "data" / ".snakemake")
    markers.mkdir()
    for path in (app / "data", app / "data" / "raw", app / "models", markers):
        os.chown(path, NOBODY, NOBODY)
    # PYTHONPATH stands for the image's `pip install -e .` of /app; HOME comes from the image.
    base = {"PATH": os.environ["PATH"], "PYTHONPATH": str(app), **env}
    shipped = image_warm_up(python, app, base, request)

    def run(script, *args):
        return subprocess.run(
            [str(python), str(app / "scripts" / script), *args],
            cwd=app,
            env=base,
            preexec_fn=as_nobody,
            capture_output=True,
            text=True,
            timeout=600,
        )

    unhealthy = run("healthcheck.py")
    assert unhealthy.returncode == 1 and "no build has finished" in unhealthy.stdout
    fresh = run("startup.py", "--check-only")
    assert fresh.returncode == 1 and "missing" in fresh.stdout, fresh.stderr[-2000:]
    os.chown(app / "models", 0, 0)  # a volume the user cannot write: refused before the build
    unwritable = run("startup.py")
    assert unwritable.returncode == 2 and "is not writable by this user" in unwritable.stderr
    assert not (app / "data" / "processed").exists(), "refused before any job ran"
    os.chown(app / "models", NOBODY, NOBODY)
    result = run("startup.py")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (app / "data" / ".snakemake").is_dir()
    cache = app / "data" / "cache" / "numba"
    assert any(cache.rglob("*.nbi")), "numba cached on the volume"
    compiled = [
        p.relative_to(cache)
        for p in cache.rglob("*.nb*")
        if not (shipped / p.relative_to(cache)).is_file()
        or (shipped / p.relative_to(cache)).read_bytes() != p.read_bytes()
    ]
    assert compiled == [], "the fits load the image's compiled code, compiling nothing"
    manifest = app / "models" / "manifest.json"
    assert manifest.stat().st_uid == NOBODY
    assert not manifest.stat().st_mode & 0o002, "published files are not world writable"
    healthy = run("healthcheck.py")
    assert healthy.returncode == 0 and "succeeded" in healthy.stdout
    failure = markers / "model_prep_failure"
    failure.write_text(json.dumps({"status": "failure", "run_id": "r", "failed": {"x": "boom"}}))
    sick = run("healthcheck.py")
    assert sick.returncode == 1 and "boom" in sick.stdout
