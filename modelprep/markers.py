"""The success/failure markers a container health check reads (contract: Markers)."""

from __future__ import annotations

from pathlib import Path

from modelprep.artifacts import save_json

SUCCESS = "model_prep_success"
FAILURE = "model_prep_failure"


def write_marker(marker_dir: Path, record: dict) -> Path:
    """Write exactly one fresh marker for ``record['status']`` and delete the other one."""
    marker_dir = Path(marker_dir)
    marker_dir.mkdir(parents=True, exist_ok=True)
    name, other = (SUCCESS, FAILURE) if record["status"] == "success" else (FAILURE, SUCCESS)
    save_json(record, marker_dir / name)
    (marker_dir / other).unlink(missing_ok=True)
    return marker_dir / name
