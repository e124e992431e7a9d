"""Publication of a built set into the models directory, so that no reader sees a half set.

Every file goes in under a dot-named temporary and is renamed into place (atomic on POSIX);
``manifest.json`` is renamed last, so a manifest always describes complete files. Before the
first rename the current set is hard-linked into ``.previous/`` (one generation), and files
of variants that are no longer built leave the directory (they stay in ``.previous/``).
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from modelprep import layout
from modelprep.errors import InputError, PublishFailed
from modelprep.files import file_sha256, link_or_copy, save_json
from modelprep.layout import MANIFEST, PREVIOUS
from modelprep.store import manifest as manifests

log = logging.getLogger(__name__)


class PublishRefused(InputError):
    """The new set looks wrong enough (far fewer tracks) that publishing it needs an override."""


def clean_temporaries(models_dir: Path) -> list[str]:
    """Remove dot-named leftovers of an interrupted publication or rollback.

    A parked ``.previous.old-*`` goes back to ``.previous`` when that is missing (we died
    between its two renames), and is removed otherwise.
    """
    removed = []
    for entry in sorted(models_dir.iterdir()) if models_dir.is_dir() else []:
        if entry.name.startswith(f"{PREVIOUS}.old-"):
            if not (models_dir / PREVIOUS).exists():
                os.replace(entry, models_dir / PREVIOUS)
                log.warning("%s: restored %s from %s", models_dir, PREVIOUS, entry.name)
                continue
        elif not (entry.name.startswith(".") and ".tmp" in entry.name):
            continue
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        removed.append(entry.name)
    if removed:
        log.warning("%s: removed %d leftover temporaries: %s", models_dir, len(removed), removed)
    return removed


def check_track_count(old_manifest: dict | None, n_tracks: int, max_drop: float, force: bool):
    """The publish guard: refuse a set with far fewer tracks than the published one."""
    old = (old_manifest or {}).get("n_tracks")
    if not old or force or n_tracks >= (1.0 - max_drop) * old:
        return
    raise PublishRefused(
        f"refusing to publish {n_tracks} tracks over the {old} published ones (a drop of more "
        f"than {max_drop:.0%}): the input may be truncated. If the smaller set is intended, run "
        "`python scripts/startup.py --force` or set publish.allow_track_drop: true in config."
    )


def published_names(models_dir: Path) -> list[str]:
    """Every published file: the regular, non-dot files of the models directory."""
    return sorted(
        p.name for p in models_dir.iterdir() if p.is_file() and not p.name.startswith(".")
    )


def link_set(models_dir: Path, name: str) -> Path:
    """Hard-link the published files into a new dot-named directory."""
    staging = models_dir / name
    staging.mkdir()
    try:
        for published in published_names(models_dir):
            link_or_copy(models_dir / published, staging / published)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def replace_previous(models_dir: Path, staging: Path) -> None:
    """Make ``staging`` the new ``.previous/``.

    The generation it replaces is parked under a name ``clean_temporaries`` restores should
    we die between the two renames, so there is never a moment without a previous set on disk.
    """
    parked = models_dir / f"{PREVIOUS}.old-{os.getpid()}"
    if (models_dir / PREVIOUS).exists():
        os.replace(models_dir / PREVIOUS, parked)
    os.replace(staging, models_dir / PREVIOUS)
    shutil.rmtree(parked, ignore_errors=True)


def _backup(models_dir: Path) -> None:
    """Make ``.previous/`` the currently published set, replacing the older generation."""
    replace_previous(models_dir, link_set(models_dir, f"{PREVIOUS}.tmp-{os.getpid()}"))


def after_rename(renames: int) -> None:
    """Called after each file renamed into place; a fault-injection test replaces it in its
    own process (to kill publication half way). Does nothing in production."""


def install(models_dir: Path, new: dict[str, Path], remove: list[str], manifest: dict) -> None:
    """Rename the new files into place, delete retired ones, write the manifest; all or nothing.

    The current version of every name about to change is first hard-linked into a per-run
    undo directory, so an error (or SIGTERM, which jobs turn into SystemExit) half way puts
    back exactly what was published. A SIGKILL cannot be undone: then the directory no longer
    matches its manifest, the next publication keeps ``.previous/``, and startup.py republishes.
    """
    undo = models_dir / f".undo.tmp-{os.getpid()}"
    undo.mkdir()
    touched: list[str] = []
    try:
        for name in [*new, *remove, MANIFEST]:
            if (models_dir / name).is_file():
                link_or_copy(models_dir / name, undo / name)
        for name, src in new.items():
            touched.append(name)
            link_or_copy(src, models_dir / name)
            after_rename(len(touched))
        for name in remove:
            touched.append(name)
            (models_dir / name).unlink(missing_ok=True)
        for name, entry in manifest["files"].items():
            if name in new:
                entry["mtime_ns"] = (models_dir / name).stat().st_mtime_ns
        touched.append(MANIFEST)
        save_json(manifest, models_dir / MANIFEST)
    except BaseException:
        for name in touched:
            if (undo / name).exists():
                link_or_copy(undo / name, models_dir / name)
            else:
                (models_dir / name).unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(undo, ignore_errors=True)


def _check_space(models_dir: Path, sources: list[Path]) -> None:
    """Copies need room (hard links on the same file system do not); fail before any rename."""
    device = models_dir.stat().st_dev
    need = sum(p.stat().st_size for p in sources if p.stat().st_dev != device)
    free = shutil.disk_usage(models_dir).free
    if need > free:
        raise OSError(
            f"{models_dir}: {free / 2**20:.0f} MiB free, publishing may need {need / 2**20:.0f} "
            "MiB. Free space there or point MODELS_PATH elsewhere; nothing was published."
        )


def publish(sources: list[Path], models_dir: Path, **kwargs) -> dict:
    """Publish ``sources`` into ``models_dir`` (see ``_publish``); a file system error (disk
    full, no permission) becomes a PublishFailed that says so: the published set is unchanged.
    """
    try:
        return _publish(sources, Path(models_dir), **kwargs)
    except OSError as exc:
        raise PublishFailed(
            f"{models_dir}: publishing stopped ({exc}); the models published before are "
            "unchanged. Free space on that file system, or make MODELS_PATH writable by this "
            "user, then run again."
        ) from exc


def _backup_due(models_dir: Path, old: dict | None, files: dict) -> bool:
    """Whether the published set becomes ``.previous/``. That must stay a complete set: not
    replaced by an identical republication, nor by what an interrupted publication left behind
    (the directory no longer matches its manifest)."""
    unchanged = old is not None and all(
        old["files"].get(name, {}).get("sha256") == entry["sha256"] for name, entry in files.items()
    )
    return bool(
        published_names(models_dir)
        and not unchanged
        and (old is None or manifests.matches(models_dir, old))
    )


def _publish(
    sources: list[Path],
    models_dir: Path,
    *,
    variants: list[str],
    base_variant: str,
    run_id: str,
    n_tracks: int,
    max_track_drop: float,
    force: bool = False,
    keep_variants: tuple[str, ...] = (),
) -> dict:
    """Publish ``sources`` (files named as they are to be published); return the manifest.

    Files of ``keep_variants`` (variants that failed this time) are neither replaced nor
    retired: their previously published versions stay, listed in the new manifest.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    clean_temporaries(models_dir)
    old = manifests.read_if_any(models_dir)
    check_track_count(old, n_tracks, max_track_drop, force)
    _check_space(models_dir, sources)

    files = {
        src.name: {
            "sha256": file_sha256(src),
            "size": src.stat().st_size,
            "variant": layout.owner(src.name, variants, base_variant),
        }
        for src in sources
    }
    kept = {
        name: entry
        for name, entry in (old or {}).get("files", {}).items()
        if name not in files and entry["variant"] in keep_variants
    }
    if _backup_due(models_dir, old, files):
        _backup(models_dir)
    retired = [
        n for n in published_names(models_dir) if n not in files and n not in kept and n != MANIFEST
    ]
    for name in retired:
        log.info("%s: %s is no longer built; it moves to %s/", models_dir, name, PREVIOUS)
    manifest = {
        "run_id": run_id,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_tracks": n_tracks,
        "base_variant": base_variant,
        "files": {**files, **kept},
    }
    install(models_dir, {src.name: src for src in sources}, retired, manifest)
    return manifest
