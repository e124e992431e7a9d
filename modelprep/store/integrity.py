"""The loader's trust boundary: a published file is unpickled only if it matches the manifest.

A pickle is code. ``manifest.json`` (written last by publication) lists every published file
with its sha256 and size; a file that is missing, unlisted, or whose bytes differ is refused
before ``pickle.loads`` sees it. The bytes that were hashed are the bytes that are unpickled,
so a file swapped between the check and the load cannot slip through.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

from modelprep.errors import IntegrityError
from modelprep.layout import MANIFEST
from modelprep.store.manifest import REMEDY


def verified_bytes(models_dir: str | Path, manifest: dict, name: str) -> bytes:
    """The content of ``name``, read once and checked against its manifest entry."""
    path = Path(models_dir) / name
    entry = manifest["files"].get(name)
    if entry is None:
        raise IntegrityError(f"{path}: not listed in {MANIFEST}, so it is not loaded; {REMEDY}")
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise IntegrityError(f"{path}: missing, though {MANIFEST} lists it; {REMEDY}") from None
    if len(content) != entry["size"] or hashlib.sha256(content).hexdigest() != entry["sha256"]:
        raise IntegrityError(
            f"{path}: its content differs from {MANIFEST} (sha256 or size), so it was altered "
            f"or belongs to another set; not loaded; {REMEDY}"
        )
    return content


def load_pickle(models_dir: str | Path, manifest: dict, name: str):
    return pickle.loads(verified_bytes(models_dir, manifest, name))


def load_json(models_dir: str | Path, manifest: dict, name: str):
    return json.loads(verified_bytes(models_dir, manifest, name))


def verify(models_dir: str | Path, manifest: dict, names) -> dict[str, str | None]:
    """Each name's problem (None when it matches): what ``status --verify`` reports."""
    problems: dict[str, str | None] = {}
    for name in names:
        try:
            verified_bytes(models_dir, manifest, name)
            problems[name] = None
        except IntegrityError as error:
            problems[name] = str(error)
    return problems
