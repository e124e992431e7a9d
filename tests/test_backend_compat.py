"""The published pickles load and work on the backend's stack (contract: Compatibility).

The backend runs Python 3.9 with numpy 1.24.4, hdbscan 0.8.33, scikit-learn 1.6.1 and
pandas 2.1.3, and no modelprep. This test builds that environment once (cached under
~/.cache/modelprep-tests, or $MODELPREP_TEST_CACHE) and runs backend_check.py in it.
"""

import glob
import hashlib
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import TEST_CACHE

pytestmark = [pytest.mark.workflow, pytest.mark.compat, pytest.mark.slow]

BACKEND_PINS = ("numpy==1.24.4", "hdbscan==0.8.33", "scikit-learn==1.6.1", "pandas==2.1.3")
ALLOWED_MODULES = (
    "numpy",
    "sklearn",
    "hdbscan",
    "scipy",
    "joblib",
    "builtins",
    "copyreg",
    "_codecs",
)
HERE = Path(__file__).resolve().parent


def find_python39() -> str | None:
    """A working python3.9: on PATH, or in pyenv's versions (its shim may refuse to run)."""
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = [shutil.which("python3.9")]
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.9*/bin/python3.9"), reverse=True)
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 9))"],
            capture_output=True,
            text=True,
        )
        if probe.stdout.strip() == "True":
            return candidate
    return None


def backend_python() -> Path:
    python39 = find_python39()
    if python39 is None:
        pytest.skip("no Python 3.9 interpreter found (PATH or pyenv): cannot check the backend")
    key = hashlib.sha256("\n".join(BACKEND_PINS).encode()).hexdigest()[:12]
    venv = TEST_CACHE / f"backend-py39-{key}"
    python = venv / "bin" / "python"
    if not (venv / "ready").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python39, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *BACKEND_PINS],
            check=True,
            timeout=900,
        )
        (venv / "ready").touch()
    return python


def test_backend_stack_loads_and_queries_every_variant(full_build):
    python = backend_python()
    models = full_build / "data" / "models"
    result = subprocess.run(
        [str(python), str(HERE / "backend_check.py"), str(models)],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "llav_pca: " in result.stdout and "base: " in result.stdout
    versions = subprocess.run(
        [
            str(python),
            "-c",
            "import numpy, sklearn, hdbscan, sys; "
            "print(sys.version_info[:2], numpy.__version__, sklearn.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert versions.strip() == "(3, 9) 1.24.4 1.6.1"


def referenced_modules(path: Path) -> set[str]:
    """Top-level modules whose classes or functions a pickle asks for when it loads."""
    modules = set()

    class Recorder(pickle.Unpickler):
        def find_class(self, module, name):
            modules.add(module.split(".")[0])
            return super().find_class(module, name)

    with open(path, "rb") as handle:
        Recorder(handle).load()
    return modules


def test_pickles_reference_no_modelprep_or_pandas(full_build):
    for path in sorted((full_build / "data" / "models").glob("*.pkl")):
        modules = referenced_modules(path)
        assert modules <= set(ALLOWED_MODULES), (path.name, modules - set(ALLOWED_MODULES))
