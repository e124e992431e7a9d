"""Rollback: the previous published set (``.previous/``) back in place, byte for byte."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from modelprep.errors import InputError
from modelprep.layout import MANIFEST, PREVIOUS
from modelprep.store import manifest as manifests
from modelprep.store.publication import (
    clean_temporaries,
    install,
    link_set,
    published_names,
    replace_previous,
)


def rollback(models_dir: Path) -> dict:
    """Swap the published set and ``.previous/``: restores the previous set byte for byte.

    The previous files go in with the same all-or-nothing install as a publication (manifest
    last); only then does the set they replaced become ``.previous/``, so a second rollback
    undoes the first, and a rollback killed half way leaves ``.previous/`` untouched.
    """
    models_dir = Path(models_dir)
    previous = models_dir / PREVIOUS
    if not (previous / MANIFEST).exists():
        raise InputError(f"{previous}: no previous published set to roll back to")
    clean_temporaries(models_dir)
    restored = manifests.read(previous)
    staging = link_set(models_dir, f".rollback.tmp-{os.getpid()}")
    retired = [
        n for n in published_names(models_dir) if n not in restored["files"] and n != MANIFEST
    ]
    new = {name: previous / name for name in restored["files"]}
    try:
        install(models_dir, new, retired, restored)
        replace_previous(models_dir, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return restored
