"""The published pickles load and work on the backend's stack (contract: Compatibility).

The backend runs Python 3.9 with numpy 1.24.4, hdbscan 0.8.33, scikit-learn 1.6.1 and
pandas 2.1.3, plus nltk 3.8.1 and scipy 1.13.1 for lyrics, and no modelprep. This test builds
that environment once (cached under ~/.cache/modelprep-tests, or $MODELPREP_TEST_CACHE) and
runs backend_check.py and backend_lyrics_check.py in it.
"""

import glob
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEST_CACHE

from modelprep.layout import TRACKS_CSV

pytestmark = [pytest.mark.workflow, pytest.mark.compat, pytest.mark.slow]

BACKEND_PINS = (
    "numpy==1.24.4",
    "hdbscan==0.8.33",
    "scikit-learn==1.6.1",
    "pandas==2.1.3",
    "nltk==3.8.1",
    "scipy==1.13.1",
)
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


def run_backend(python: Path, script: str, *args, env: dict | None = None) -> str:
    """Run a check script with the backend's interpreter, modelprep out of its reach."""
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(python), str(HERE / script), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, **(env or {})},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_backend_stack_loads_and_queries_every_variant(full_build):
    python = backend_python()
    output = run_backend(python, "backend_check.py", full_build / "data" / "models")
    assert "llav_pca: " in output and "base: " in output
    versions = subprocess.run(
        [
            str(python),
            "-c",
            "import numpy, sklearn, hdbscan, nltk, scipy, sys; print(sys.version_info[:2], "
            "numpy.__version__, sklearn.__version__, nltk.__version__, scipy.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert versions.strip() == "(3, 9) 1.24.4 1.6.1 3.8.1 1.13.1"


def modelprep_nltk_corpora() -> Path:
    """The corpora directory where nltk finds WordNet in modelprep's venv (put there by
    scripts/install-nltk-data.sh): the backend is given the same WordNet and stopwords."""
    nltk = pytest.importorskip("nltk")
    try:
        corpora = Path(str(nltk.data.find("corpora/wordnet"))).parent
    except LookupError:
        corpora = Path(sys.prefix, "share", "nltk_data", "corpora")
    if not ((corpora / "wordnet").is_dir() and (corpora / "stopwords").is_dir()):
        pytest.fail(f"no NLTK wordnet/stopwords in {corpora}: run scripts/install-nltk-data.sh")
    return corpora


def test_backend_lyrics_service_finds_each_track(full_build, tmp_path):
    """The backend's query path puts a track first: at distance 0 with its NLTK data (the
    build's preprocessing equals the backend's), and mostly without it (the backend then
    queries with the cleaned text, silently). Rates print with ``pytest -s``."""
    python = backend_python()
    models = full_build / "data" / "models"
    lyrics_pickles = sorted(models.glob("lyrics_*.pkl"))
    assert lyrics_pickles, "the build published no lyrics pickles"
    assert_only_allowed_modules(lyrics_pickles)
    with_data, without_data, home = tmp_path / "nltk_data", tmp_path / "empty", tmp_path / "home"
    for corpus in ("wordnet", "stopwords"):  # Punkt: the check pickles its own on Python 3.9
        shutil.copytree(modelprep_nltk_corpora() / corpus, with_data / "corpora" / corpus)
    without_data.mkdir()
    home.mkdir()  # no ~/nltk_data either
    names = [p.stem.removeprefix("lyrics_config_") for p in models.glob("lyrics_config_*.json")]
    tracks = full_build / "data" / "raw" / TRACKS_CSV
    for mode, data in (("with-nltk-data", with_data), ("without-nltk-data", without_data)):
        env = {"NLTK_DATA": str(data), "HOME": str(home)}
        output = run_backend(python, "backend_lyrics_check.py", models, tracks, mode, env=env)
        print(output, end="")
        assert names and all(f"{name}: " in output for name in names), output


def referenced_modules(path: Path) -> set[str]:
    """Top-level modules whose classes or functions a pickle asks for when it loads (every
    published pickle is a plain pickle.dump, which joblib.load reads too)."""
    modules = set()

    class Recorder(pickle.Unpickler):
        def find_class(self, module, name):
            modules.add(module.split(".")[0])
            return super().find_class(module, name)

    with open(path, "rb") as handle:
        Recorder(handle).load()
    return modules


def assert_only_allowed_modules(paths) -> None:
    """A class from modelprep or pandas in a pickle would break loading in the backend."""
    for path in paths:
        modules = referenced_modules(path)
        assert modules <= set(ALLOWED_MODULES), (path.name, modules - set(ALLOWED_MODULES))


def test_pickles_reference_no_modelprep_or_pandas(full_build):
    assert_only_allowed_modules(sorted((full_build / "data" / "models").glob("*.pkl")))
