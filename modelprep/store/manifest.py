"""``manifest.json``, the one reader of it: every published file's sha256, size, mtime and
variant, written last by publication. Everything that reads a manifest reads it here, checked.
"""

from __future__ import annotations

import json
from pathlib import Path

from modelprep.errors import IntegrityError
from modelprep.layout import MANIFEST

REMEDY = (
    "rebuild and republish with `python scripts/startup.py --force`, or restore the previous "
    "set with `python scripts/startup.py --rollback`"
)
ENTRY_KEYS = {"sha256", "size", "mtime_ns", "variant"}


def read(models_dir: str | Path) -> dict:
    """The set's manifest; refuses a directory without a valid one."""
    path = Path(models_dir) / MANIFEST
    if not Path(models_dir).is_dir():
        raise IntegrityError(
            f"{models_dir}: no such models directory; pass --models-dir or set MODELS_PATH"
        )
    if not path.is_file():
        raise IntegrityError(f"{path}: missing, so nothing here can be trusted; {REMEDY}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
        if not all(ENTRY_KEYS <= set(entry) for entry in files.values()):
            raise ValueError(f"an entry lacks one of {', '.join(sorted(ENTRY_KEYS))}")
        for key in ("run_id", "n_tracks", "base_variant"):
            manifest[key]  # noqa: B018 (a KeyError says which)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise IntegrityError(f"{path}: not a valid manifest ({error!r}); {REMEDY}") from None
    return manifest


def read_if_any(models_dir: str | Path) -> dict | None:
    """The manifest, or None where nothing is published yet."""
    return read(models_dir) if (Path(models_dir) / MANIFEST).exists() else None


def problems(models_dir: Path, manifest: dict) -> list[str]:
    """Listed files that are missing or changed (size or mtime) since publication: a quick
    check (``integrity.verify`` hashes the bytes)."""
    found = []
    for name, entry in manifest["files"].items():
        path = Path(models_dir) / name
        if not path.is_file():
            found.append(f"{name}: missing")
        elif (path.stat().st_size, path.stat().st_mtime_ns) != (entry["size"], entry["mtime_ns"]):
            found.append(f"{name}: changed since publication (size or mtime differ)")
    return found


def matches(models_dir: Path, manifest: dict) -> bool:
    """Whether the directory still holds exactly what its manifest lists."""
    return not problems(models_dir, manifest)
