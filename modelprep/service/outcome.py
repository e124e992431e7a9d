"""How a run ended, told three ways: the marker a health check reads (contract: Markers), the
summary table, and the log. Which jobs failed comes from the jobs' own records
(modelprep.build.runner), never from Snakemake's console text."""

from __future__ import annotations

import glob
import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

from modelprep import env, layout
from modelprep.config import uses_low_level
from modelprep.errors import IntegrityError
from modelprep.files import save_json
from modelprep.layout import Paths
from modelprep.store import manifest as manifests
from modelprep.tables import table

SUCCESS = "model_prep_success"
FAILURE = "model_prep_failure"
# startup.py's exit statuses (the contract: Commands).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3

log = logging.getLogger("modelprep.startup")


def write_marker(marker_dir: Path, record: dict) -> Path:
    """Write exactly one fresh marker for ``record['status']`` and delete the other one."""
    marker_dir = Path(marker_dir)
    marker_dir.mkdir(parents=True, exist_ok=True)
    name, other = (SUCCESS, FAILURE) if record["status"] == "success" else (FAILURE, SUCCESS)
    save_json(record, marker_dir / name)
    (marker_dir / other).unlink(missing_ok=True)
    return marker_dir / name


def health(marker_dir: str | Path | None = None) -> tuple[bool, str]:
    """(healthy, reason) from the markers: healthy when the last run succeeded."""
    marker_dir = Path(marker_dir or env.marker_dir())
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


def job_failures(paths: Paths, run_id: str) -> dict[str, str]:
    """Variant (or rule, for shared jobs) -> what went wrong, from this run's job records. A
    record left ``running`` is a job killed before it could say why."""
    failed = {}
    for path in sorted(Path(p) for p in glob.glob(paths.failure_pattern)):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # half a record: its job is reported by Snakemake's exit status
        if record.get("run_id") != run_id:
            continue
        where = record["variant"] or record["rule"]
        if record["state"] == "running":
            failed[where] = (
                f"rule {record['rule']} [{record['variant'] or '-'}] was killed (no failure "
                "record: SIGKILL or out of memory); see its log under "
                f"{paths.log(record['rule'], where)}"
            )
        else:
            failed[where] = record["message"] or record["error_class"]
    return failed


def collect_outcome(paths: Paths, variants: dict, run_id: str) -> dict:
    """built / skipped / failed for the marker and the summary."""
    has_low_level = Path(paths.raw_csv(layout.LOW_LEVEL_CSV)).exists()
    skipped = [v for v in variants if uses_low_level(variants, v) and not has_low_level]
    built, failed = [], job_failures(paths, run_id)
    for variant in variants:
        staged = Path(paths.staged(layout.config_file(variant)))
        if variant in skipped or not staged.exists():
            continue
        record = json.loads(staged.read_text())
        if record.get("status") == "failed":
            failed[variant] = record["error"]
        elif record.get("run_id") == run_id:
            built.append(variant)
    lyrics = Path(paths.lyrics_record(layout.LYRICS_EVALUATE))
    if lyrics.exists():
        record = json.loads(lyrics.read_text())
        if record["status"] == "failed":
            failed[layout.LYRICS] = record["reason"]
        elif record["status"] == "skipped":
            skipped.append(layout.LYRICS)
        elif record["run_id"] == run_id:
            built.append(layout.LYRICS)
    return {"built": built, "skipped": skipped, "failed": failed}


def summary_table(models_dir: Path) -> str:
    """Variant, tracks, clusters, noise %, silhouette, build time and published size."""
    try:
        manifest = manifests.read(models_dir)
    except IntegrityError:
        return "nothing published"
    sizes: dict[str, int] = {}
    for entry in manifest["files"].values():
        sizes[entry["variant"]] = sizes.get(entry["variant"], 0) + entry["size"]
    rows = []
    for variant in layout.variants_of(manifest):
        c = json.loads((Path(models_dir) / layout.config_file(variant)).read_text())
        rows.append(
            [
                variant,
                c["n_tracks"],
                c["n_clusters"],
                round(100 * c["noise_fraction"], 1),
                round(c["silhouette_score"], 3),
                round(sum(c["timings_s"].values()), 1),
                round(sizes.get(variant, 0) / 2**20, 1),
                c["run_id"],
            ]
        )
    headings = ["variant", "tracks", "clusters", "noise %", "silhouette", "time s", "MiB", "run"]
    return (
        table(headings, rows)
        + f"\n{lyrics_line(Path(models_dir), manifest, sizes.get(layout.LYRICS, 0))}"
        + f"\npublished run {manifest['run_id']}, base variant {manifest['base_variant']}"
    )


def lyrics_line(models_dir: Path, manifest: dict, size: int) -> str:
    """The published lyrics models in one line of the summary."""
    models = layout.lyrics_models_of(manifest)
    if not models:
        return "lyrics models: none published"
    config = json.loads((models_dir / layout.lyrics_config_file(models[0])).read_text())
    return (
        f"lyrics models: {', '.join(models)}; {config['n_tracks']} tracks, "
        f"{config['vocabulary_size']} terms, {size / 2**20:.1f} MiB, run {config['run_id']}"
    )


def finish(run: dict, code: int, outcome: dict) -> int:
    """Write the run's one marker (and remove the other), log the failures, return ``code``."""
    write_marker(
        Path(env.marker_dir()),
        {
            "status": "success" if code == EXIT_OK else "failure",
            "run_id": run["run_id"],
            "started_at": run["started_at"],
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "duration_s": round(time.monotonic() - run["clock"], 3),
            "force": run["force"],
            **outcome,
        },
    )
    for variant, error in outcome["failed"].items():
        log.error("failed: %s: %s", variant, error)
    log.info("run %s %s", run["run_id"], "succeeded" if code == EXIT_OK else "failed")
    return code
