"""The Slurm profile: the DAG resolves with it (dry run; no cluster here)."""

import re

import pytest
from conftest import REPO, build

pytestmark = pytest.mark.workflow


def test_dag_resolves_with_the_slurm_profile(full_build, copy_build):
    workdir = copy_build(full_build)  # the session build is shared by the test workers
    result = build(workdir, "--profile", str(REPO / "profiles" / "slurm"), "-n", "--forceall")
    assert f"Using profile {REPO / 'profiles' / 'slurm'}" in result.stdout + result.stderr
    blocks = re.findall(r"\n(?:local)?rule (\w+):\n(.*?)(?=\n\n)", result.stdout, re.DOTALL)
    rules = {rule for rule, _ in blocks}
    assert {
        "ingest_tracks",
        "scale_features",
        "pca_features",
        "cluster",
        "neighbors",
        "publish",
    } <= rules
    for rule, body in blocks:
        if rule != "all":
            resources = re.search(r"resources: (.*)", body).group(1)
            assert "mem_mb=" in resources and "runtime=" in resources, (rule, resources)
