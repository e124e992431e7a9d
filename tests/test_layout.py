"""Repository-level promises: pins agree everywhere they are written."""

import ast
import re
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
    """The jobs import modelprep.steps and modelprep.jobs, and steps imports more inside its
    functions: every module named anywhere in steps.py, and all they import, must be listed."""
    tree = ast.parse((REPO / "modelprep" / "steps.py").read_text())
    named = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "modelprep"
        for alias in node.names
    }
    assert named <= set(JOB_MODULES), named - set(JOB_MODULES)
    imports = "; ".join(f"import modelprep.{m}" for m in sorted(named | {"steps", "jobs"}))
    listing = "print(' '.join(m for m in sys.modules if m.startswith('modelprep')))"
    code = f"import sys; {imports}; {listing}"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    modules = {"__init__" if m == "modelprep" else m.split(".", 1)[1] for m in loaded}
    assert modules <= set(JOB_MODULES), modules - set(JOB_MODULES)
    assert all((REPO / "modelprep" / f"{m}.py").is_file() for m in JOB_MODULES)


def test_every_test_the_reliability_table_names_exists():
    section = (REPO / "README.md").read_text().split("## Reliability", 1)[1].split("\n## ", 1)[0]
    named = 0
    for row in (line for line in section.splitlines() if line.startswith("| ")):
        module = None
        for reference in re.findall(r"`(test_\w*)?(?:::(test_\w+))?`", row.split("|")[-2]):
            module = reference[0] or module
            source = (REPO / "tests" / f"{module}.py").read_text()
            if reference[1]:
                assert f"def {reference[1]}(" in source, f"{module}::{reference[1]}"
                named += 1
    assert named >= 30
