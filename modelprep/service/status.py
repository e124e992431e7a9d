"""``startup.py --check-only``: per-variant state from Snakemake, plus the published set's health.

Staleness is Snakemake's answer (``--detailed-summary``: each output's status and plan), never
a guess of our own and never the dry run's exit code. Read-only: nothing is built or written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from modelprep import layout
from modelprep.config import uses_low_level
from modelprep.errors import IntegrityError
from modelprep.layout import Paths
from modelprep.service.outcome import FAILURE
from modelprep.service.workflow import snakemake_summary
from modelprep.store import manifest as manifests
from modelprep.tables import table


def variant_of(path: str, variants, paths: Paths) -> str | None:
    """The variant a Snakemake output belongs to (``lyrics`` for the lyrics jobs', None for a
    shared job's), from the layout."""
    name = os.path.basename(path)
    if path == paths.staged(name):
        return layout.owner(name, list(variants), None)
    if path.startswith(f"{paths.lyrics}/"):
        return layout.LYRICS
    return next((v for v in variants if path.startswith(paths.record(v, ""))), None)


def recorded_outcome(name: str, paths: Paths) -> tuple[str, str] | None:
    """(status, reason) a current build recorded for a variant or the lyrics, unless ok."""
    if name == layout.LYRICS:
        path, status, reason = Path(paths.lyrics_record(layout.LYRICS_EVALUATE)), "status", "reason"
    else:
        path, status, reason = Path(paths.staged(layout.config_file(name))), "status", "error"
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    if record.get(status) in ("failed", "skipped"):
        return record[status], record[reason]
    return None


def variant_states(rows: list[dict], variants: dict, paths: Paths, has_low_level: bool) -> dict:
    """State and reasons of each variant, in config order, then of the lyrics models."""
    states = {}
    for variant in [*variants, layout.LYRICS]:
        if variant in variants and uses_low_level(variants, variant) and not has_low_level:
            states[variant] = {
                "state": "skipped",
                "reasons": [f"{layout.LOW_LEVEL_CSV} absent"],
            }
            continue
        mine = [r for r in rows if variant_of(r["output_file"], variants, paths) == variant]
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
        recorded = recorded_outcome(variant, paths) if state == "current" else None
        if recorded:
            state, reasons = recorded[0], [recorded[1]]
        states[variant] = {"state": state, "reasons": reasons}
    shared = [r for r in rows if variant_of(r["output_file"], variants, paths) is None]
    pending = [r for r in shared if r["plan"] != "no update"]
    states["(shared)"] = {
        "state": "stale" if pending else "current",
        "reasons": sorted({f"{r['rule']}: {r['status']}" for r in pending}),
    }
    return states


def published_problems(paths: Paths) -> list[str]:
    """Published files missing or changed against the manifest (size and mtime_ns), and a
    published set that is not the latest build."""
    models_dir = Path(paths.models)
    try:
        manifest = manifests.read_if_any(models_dir)
    except IntegrityError as error:
        return [str(error)]
    if manifest is None:
        return [f"{models_dir / layout.MANIFEST}: nothing published yet"]
    problems = manifests.problems(models_dir, manifest)
    receipt = Path(paths.receipt)
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
    has_low_level = Path(paths.raw_csv(layout.LOW_LEVEL_CSV)).exists()
    rows = snakemake_summary(command)
    states = variant_states(rows, variants, paths, has_low_level)
    mark_last_failures(states, marker_dir)
    problems = published_problems(paths)
    ok = all(s["state"] in ("current", "skipped") for s in states.values()) and not problems
    return {"ok": ok, "variants": states, "published_problems": problems}


def render(report: dict) -> str:
    rows = [
        [variant, state["state"], "; ".join(state["reasons"]) or "-"]
        for variant, state in report["variants"].items()
    ]
    lines = [table(["variant", "state", "reason"], rows)]
    lines += [f"published: {problem}" for problem in report["published_problems"]]
    lines.append("all current" if report["ok"] else "not current (see above)")
    return "\n".join(lines)
