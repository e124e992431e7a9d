"""Repository-level promises: pins agree everywhere they are written."""

import subprocess
import sys
import tomllib

import yaml
from conftest import REPO

from modelprep.settings import JOB_MODULES


def test_environment_yml_pins_the_same_versions_as_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert sorted(p for p in pip if "==" in p) == sorted(project["dependencies"])
    assert all("==" in d for d in project["dependencies"]), "every runtime dependency is pinned"


def test_job_modules_list_every_module_the_jobs_import():
    code = (
        "import sys, modelprep.steps, modelprep.jobs; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('modelprep'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    modules = {"__init__" if m == "modelprep" else m.split(".", 1)[1] for m in loaded}
    assert modules <= set(JOB_MODULES), modules - set(JOB_MODULES)
    assert all((REPO / "modelprep" / f"{m}.py").is_file() for m in JOB_MODULES)
