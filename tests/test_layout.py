"""Repository-level promises: pins agree everywhere they are written."""

import tomllib

import yaml
from conftest import REPO


def test_environment_yml_pins_the_same_versions_as_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert sorted(p for p in pip if "==" in p) == sorted(project["dependencies"])
    assert all("==" in d for d in project["dependencies"]), "every runtime dependency is pinned"
