"""The success/failure markers a container health check reads (contract: Markers)."""

from __future__ import annotations

import json
import os
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


def health(marker_dir: str | os.PathLike | None = None) -> tuple[bool, str]:
    """(healthy, reason) from the markers: healthy when the last run succeeded."""
    marker_dir = Path(marker_dir or os.environ.get("MARKER_DIR") or "/tmp")
    failure, success = marker_dir / FAILURE, marker_dir / SUCCESS
    if failure.exists():
        record = json.loads(failure.read_text())
        return False, f"last run {record.get('run_id')} failed: {record.get('failed')}"
    if not success.exists():
        return False, f"no marker in {marker_dir}: no build has finished yet"
    record = json.loads(success.read_text())
    if record.get("status") != "success":
        return False, f"{success}: unexpected status {record.get('status')!r}"
    return True, f"last run {record['run_id']} succeeded at {record['finished_at']}"
