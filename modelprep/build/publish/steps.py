"""The publication job: the staged set into MODELS_PATH through the store, manifest last."""

from __future__ import annotations

import logging
from pathlib import Path

from modelprep import env, layout
from modelprep.build.lyrics.outcome import FAILED, OK
from modelprep.errors import VariantsFailed
from modelprep.files import load_json, save_json
from modelprep.store import history
from modelprep.store.publication import publish

log = logging.getLogger(__name__)


def lyrics_files(dirs: list[str], record: dict) -> list[str]:
    """The lyrics files to publish: all of them when every lyrics job ended ok, none
    otherwise (skipped: the published ones retire; failed: they stay)."""
    if record["status"] != OK:
        return []
    return sorted(str(p) for d in dirs for p in Path(d).iterdir() if not p.name.startswith("."))


def publish_models(
    *,
    artifacts: list[str],
    lyrics_dirs: list[str],
    lyrics_record: str,
    tracks_report: str,
    base_model: str,
    models_dir: str,
    variants: list[str],
    max_track_drop: float,
    allow_track_drop: bool,
    receipt_out: str,
    changes_out: str,
) -> None:
    """Publish the staged set into ``models_dir``; the receipt (the manifest installed) and the
    metrics' changes since the previous set are the step's Snakemake outputs."""
    base_variant = load_json(base_model)["variant"]
    staged = {Path(p).name: p for p in artifacts}
    failed = {}
    for variant in variants:
        config = load_json(staged[layout.config_file(variant)])
        if config["status"] != "ok":
            failed[variant] = config["error"]
    lyrics = load_json(lyrics_record)
    if lyrics["status"] == FAILED:
        failed[layout.LYRICS] = lyrics["reason"]
    owners = {p: layout.owner(Path(p).name, variants, base_variant) for p in artifacts}
    sources = [Path(p) for p in artifacts if owners[p] not in failed]
    sources += [Path(p) for p in lyrics_files(lyrics_dirs, lyrics)]
    manifest = publish(
        sources,
        Path(models_dir),
        variants=variants,
        base_variant=base_variant,
        run_id=env.run_id(),
        n_tracks=load_json(tracks_report)["rows_kept"],
        max_track_drop=max_track_drop,
        force=allow_track_drop or env.track_drop_allowed(),
        keep_variants=tuple(failed),
    )
    log.info("published %d files into %s", len(manifest["files"]), models_dir)
    if failed:
        reasons = "; ".join(error.rstrip(".") for error in failed.values())
        rest = "The other variants" if set(failed) - {layout.LYRICS} else "The variants"
        raise VariantsFailed(
            f"{reasons}. {rest} were published; the previous files of {', '.join(failed)} stay."
        )
    save_json(history.changes_since_previous(models_dir), changes_out)
    save_json({**manifest, "models_dir": str(Path(models_dir).resolve())}, receipt_out)
