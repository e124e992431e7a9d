"""``startup.py --check-only``: per-variant state from Snakemake, plus the published set's health.

Staleness is Snakemake's answer (``--detailed-summary``: each output's status and plan), never
a guess of our own and never the dry run's exit code. Read-only: nothing is built or written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

from modelprep.markers import FAILURE
from modelprep.publish import manifest_problems
from modelprep.schema import MANIFEST
from modelprep.settings import Paths, uses_low_level

RECEIPT = "publish_receipt.json"


class SummaryError(RuntimeError):
    """Snakemake could not resolve the DAG (bad config, missing input): its message says why."""


def snakemake_summary(command: list[str]) -> list[dict]:
    """Rows of ``snakemake --detailed-summary``: output_file, rule, status, plan, ..."""
    result = subprocess.run(
        [*command, "--detailed-summary"], capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        lines = (result.stderr + result.stdout).strip().splitlines()
        raise SummaryError("\n".join(lines[-12:]))
    table = result.stdout[result.stdout.find("output_file\t") :]
    return list(csv.DictReader(io.StringIO(table), delimiter="\t"))


def variant_of(path: str, variants) -> str | None:
    name = os.path.basename(path)
    for variant in variants:
        if (
            name.startswith(f"{variant}_")
            or name == f"hdbscan_config_{variant}.json"
            or f"/variants/{variant}/" in path
        ):
            return variant
    return None


def variant_states(rows: list[dict], variants: dict, paths: Paths, has_low_level: bool) -> dict:
    """State and reasons of each variant, in config order."""
    states = {}
    for variant in variants:
        if uses_low_level(variants, variant) and not has_low_level:
            states[variant] = {
                "state": "skipped",
                "reasons": ["low_level_audio_features.csv absent"],
            }
            continue
        mine = [r for r in rows if variant_of(r["output_file"], variants) == variant]
        pending = [r for r in mine if r["plan"] != "no update"]
        if any(r["status"] == "missing" for r in pending):
            state = "missing"
        elif pending:
            state = "stale"
        else:
            state = "current"
        reasons = sorted({f"{r['rule']}: {r['status']}" for r in pending if r["status"] != "ok"})
        if pending and not reasons:
            reasons = ["an upstream job will run (see the shared row)"]
        # Like `snakemake -n`, a missing intermediate whose consumers are current is no reason
        # to rebuild; startup.py still regenerates it, so say so.
        reasons += sorted(
            f"{os.path.basename(r['output_file'])} missing (startup.py rebuilds it)"
            for r in mine
            if r["status"] == "missing" and r["plan"] == "no update"
        )
        config = Path(paths.processed) / "artifacts" / f"hdbscan_config_{variant}.json"
        if state == "current" and config.exists():
            record = json.loads(config.read_text())
            if record.get("status") == "failed":
                state, reasons = "failed", [record["error"]]
        states[variant] = {"state": state, "reasons": reasons}
    shared = [r for r in rows if variant_of(r["output_file"], variants) is None]
    pending = [r for r in shared if r["plan"] != "no update"]
    states["(shared)"] = {
        "state": "stale" if pending else "current",
        "reasons": sorted({f"{r['rule']}: {r['status']}" for r in pending}),
    }
    return states


def published_problems(models_dir: Path, processed: Path) -> list[str]:
    """Published files missing or changed against the manifest (size and mtime_ns)."""
    manifest_path = models_dir / MANIFEST
    if not manifest_path.exists():
        return [f"{manifest_path}: nothing published yet"]
    manifest = json.loads(manifest_path.read_text())
    problems = manifest_problems(models_dir, manifest)
    receipt = processed / RECEIPT
    if receipt.exists():
        built = json.loads(receipt.read_text())["run_id"]
        if built != manifest["run_id"]:
            problems.append(
                f"published run {manifest['run_id']} is not the latest build {built} "
                "(rolled back? `startup.py --force` republishes the build)"
            )
    return problems


def mark_last_failures(states: dict, marker_dir: Path) -> None:
    """Variants (or shared steps) the last run's failure marker names become 'failed'."""
    marker = marker_dir / FAILURE
    if not marker.exists():
        return
    for name, error in json.loads(marker.read_text()).get("failed", {}).items():
        key = name if name in states else "(shared)"
        if states[key]["state"] != "skipped":
            states[key] = {"state": "failed", "reasons": [f"last run failed: {error}"]}


def check(command: list[str], variants: dict, paths: Paths, marker_dir: Path) -> dict:
    """The whole report; ``ok`` is True when every variant is current or skipped."""
    has_low_level = (Path(paths.raw) / "low_level_audio_features.csv").exists()
    rows = snakemake_summary(command)
    states = variant_states(rows, variants, paths, has_low_level)
    mark_last_failures(states, marker_dir)
    problems = published_problems(Path(paths.models), Path(paths.processed))
    ok = all(s["state"] in ("current", "skipped") for s in states.values()) and not problems
    return {"ok": ok, "variants": states, "published_problems": problems}


def render(report: dict) -> str:
    lines = [f"{'variant':<20} {'state':<9} reason"]
    for variant, state in report["variants"].items():
        reasons = "; ".join(state["reasons"]) or "-"
        lines.append(f"{variant:<20} {state['state']:<9} {reasons}")
    for problem in report["published_problems"]:
        lines.append(f"published: {problem}")
    lines.append("all current" if report["ok"] else "not current (see above)")
    return "\n".join(lines)
