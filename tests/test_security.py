"""What a deployment must trust: nothing from the network at run time (checksums before
unpickling: test_consumer; file modes: test_publish; non-root: test_container)."""

import os
import shutil
import subprocess
import sys

import pytest
from conftest import CONTRACT_ENV, REPO, published, write_demo

pytestmark = pytest.mark.workflow


def test_a_build_runs_with_no_network_at_all(tmp_path):
    """In a network namespace with no interface, a fetch would fail the run."""
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-rn", "true"]).returncode != 0:
        pytest.skip("unshare cannot create a network namespace here")
    write_demo(tmp_path / "data" / "raw", n_tracks=600, low_level=False)
    env = {
        **{k: v for k, v in os.environ.items() if k not in CONTRACT_ENV},
        "MARKER_DIR": str(tmp_path / "markers"),
    }
    result = subprocess.run(
        [unshare, "-rn", sys.executable, str(REPO / "scripts" / "startup.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "naive_features_knn_model.pkl" in published(tmp_path)
