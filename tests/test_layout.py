"""The repository's shape: pins agree, file names are spelled once, imports go one way, modules
and functions stay small, and each rule's code input is the code its job runs."""

import ast
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SNAKEMAKE

from modelprep import layout
from modelprep.service.workflow import snakemake_summary

PACKAGE = REPO / "modelprep"
SOURCES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 350, 60
# Which subpackages a part of the package may import (top-level modules: anyone).
ALLOWED = {
    "build": {"build", "store"},
    "store": {"store"},
    "service": {"service", "store"},
    "consumer": {"consumer", "store"},
    "demo": {"demo"},
    None: set(),
}


def part_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir() else None


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """The modelprep modules ``path`` imports anywhere (functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("modelprep")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("modelprep"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                is_module = module_file(sub) is not None
                names.add(sub if is_module else node.module)
    return names


def module_file(module: str) -> Path | None:
    base = REPO.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def closure(path: Path) -> set[Path]:
    """Every package file importing ``path`` runs: the modules it imports, theirs, and the
    ``__init__`` of every package on the way."""
    todo, seen = [path], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        if current == PACKAGE / "__init__.py":
            continue  # its one import of a subpackage is lazy: ``modelprep.load`` for consumers
        for module in imported(current):
            parts = module.split(".")
            for depth in range(1, len(parts) + 1):
                found = module_file(".".join(parts[:depth]))
                if found:
                    todo.append(found)
    return {p for p in seen if p.is_relative_to(PACKAGE)}


def test_environment_yml_pins_the_same_versions_as_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert sorted(p for p in pip if "==" in p) == sorted(project["dependencies"])
    assert all("==" in d for d in project["dependencies"]), "every runtime dependency is pinned"


@pytest.mark.unit
def test_imports_go_one_way():
    """consumer -> store <- build; service -> store and config; nothing imports service."""
    wrong = []
    for path in SOURCES:
        if module_name(path) == "modelprep":
            continue  # the package's public API re-exports the consumer's load
        here = part_of(module_name(path))
        for module in imported(path):
            there = part_of(module)
            if there is not None and there != here and there not in ALLOWED[here]:
                wrong.append(f"{module_name(path)} imports {module}")
    assert wrong == []


@pytest.mark.unit
def test_modules_and_functions_are_small():
    long = []
    for path in [*SOURCES, *(REPO / "benchmarks").glob("*.py")]:
        tree = ast.parse(path.read_text())
        if tree.body and tree.body[-1].end_lineno > MAX_MODULE_LINES:
            long.append(f"{path.name}: {tree.body[-1].end_lineno} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.name}: {node.name}() {lines} lines")
    assert long == []


def docstrings(tree: ast.AST) -> set[int]:
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


@pytest.mark.unit
def test_file_names_are_spelled_only_in_the_layout():
    names = [
        layout.TRACKS_CSV,
        layout.LOW_LEVEL_CSV,
        layout.MANIFEST,
        layout.METRICS,
        layout.BASE_MODEL,
        *layout.BASE_FILES,
        layout.config_file(""),
        ".pkl",
        ".json",
    ]
    found = []
    for path in [p for p in SOURCES if p.name != "layout.py"] + sorted(REPO.glob("rules/*")):
        text = path.read_text()
        if path.suffix == ".smk":
            found += [f"{path.name}: {n}" for n in names if f'"{n}' in text]
            continue
        tree = ast.parse(text)
        skip = docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in skip and any(name in node.value for name in names):
                    found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    assert found == []


@pytest.mark.unit
def test_layout_tells_a_variant_from_its_prefixes():
    """A variant named like the start of another owns none of the other's files."""
    variants = ["llav", "llav_pca"]
    for variant in variants:
        owners = {layout.owner(name, variants, "llav") for name in layout.variant_set(variant)}
        assert owners == {variant}
    assert {layout.owner(name, variants, "llav_pca") for name in layout.BASE_FILES} == {"llav_pca"}
    assert {layout.owner(name, variants, "llav") for name in layout.ROOT_FILES} == {None}
    files = layout.published_set(variants)
    manifest = {"files": {n: {"variant": layout.owner(n, variants, "llav")} for n in files}}
    assert layout.variants_of(manifest) == variants


@pytest.mark.workflow
def test_each_rules_code_input_is_the_code_its_job_runs(full_build):
    """From Snakemake's record of the build: every module a rule's script imports (statically,
    lazy imports included) was an input of its job, and no code of the service or consumer."""
    rows = snakemake_summary([str(SNAKEMAKE), "-s", str(REPO / "Snakefile")], cwd=full_build)
    inputs: dict[str, set[Path]] = {}
    for row in rows:
        files = {Path(f) for f in row["input-file(s)"].split(",") if f.endswith(".py")}
        inputs.setdefault(row["rule"], set()).update(files)
    assert len(inputs) == len(list((REPO / "workflow" / "scripts").glob("*.py")))
    for rule, code in inputs.items():
        script = REPO / "workflow" / "scripts" / f"{rule}.py"
        missing = closure(script) - code
        assert not missing, (rule, sorted(map(str, missing)))
        assert not any({"service", "consumer"} & set(p.parts) for p in code), rule


@pytest.mark.unit
def test_every_test_the_reliability_page_names_exists():
    """docs/reliability.md maps each promise to the tests that prove it: they must exist."""
    page = (REPO / "docs" / "reliability.md").read_text()
    named = re.findall(r"`(test_\w+)::(test_\w+)`", page)
    assert len(named) >= 30
    missing = [
        f"{module}::{name}"
        for module, name in named
        if f"def {name}(" not in (REPO / "tests" / f"{module}.py").read_text()
    ]
    assert missing == []


@pytest.mark.workflow
def test_snakemake_lint_has_nothing_to_say(tmp_path):
    """The catalog's conventions, as Snakemake's own linter checks them (a software environment
    for every rule, logs, no environment variables read in the Snakefile, ...)."""
    result = subprocess.run(
        [str(SNAKEMAKE), "-s", str(REPO / "Snakefile"), "--lint"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr
    assert "Lints for" not in result.stdout + result.stderr


def schema_keys(schema: dict, prefix: str = "") -> set[str]:
    """Every key the config schema describes, dotted (``variants.*.pca_of``)."""
    keys = set()
    for name, sub in schema.get("properties", {}).items():
        keys.add(prefix + name)
        keys |= schema_keys(sub, f"{prefix}{name}.")
    if isinstance(schema.get("additionalProperties"), dict):
        keys |= schema_keys(schema["additionalProperties"], prefix)
    return keys


@pytest.mark.unit
def test_config_readme_documents_every_key():
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    page = (REPO / "config" / "README.md").read_text()
    missing = [key for key in schema_keys(schema) if f"`{key.rsplit('.', 1)[-1]}`" not in page]
    assert missing == []
