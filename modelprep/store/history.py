"""The previous published set (``.previous/``) and how the current set's metrics moved since:
what ``modelprep compare`` and the report show. Read through the manifest like any load."""

from __future__ import annotations

from pathlib import Path

from modelprep.errors import IntegrityError
from modelprep.layout import METRICS, PREVIOUS
from modelprep.store import integrity
from modelprep.store import manifest as manifests


def verified_metrics(models_dir: str | Path) -> tuple[dict, dict]:
    """(metrics.json, manifest) of the set in ``models_dir``, checked against its manifest."""
    manifest = manifests.read(models_dir)
    return integrity.load_json(models_dir, manifest, METRICS), manifest


def metric_changes(current: dict, previous: dict | None) -> dict:
    """Per variant, how each numeric metric moved (new minus old; None where the variant or the
    metric is new)."""
    moved = {}
    for variant, metrics in current.items():
        before = (previous or {}).get(variant) or {}
        moved[variant] = {
            key: _difference(value, before.get(key))
            for key, value in metrics.items()
            if _number(value)
        }
    return moved


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _difference(new, old):
    return new - old if _number(old) else None


def changes_since_previous(models_dir: str | Path, current: dict | None = None) -> dict:
    """``previous_run_id`` and, per variant of the published set, each metric's change since
    the set in ``.previous/`` (all None when there is no trustworthy previous set).
    ``current`` is the published set's verified metrics.json when the caller has it."""
    current = current or verified_metrics(models_dir)[0]
    try:
        previous, manifest = verified_metrics(Path(models_dir) / PREVIOUS)
        before, previous_run = previous["variants"], manifest["run_id"]
    except IntegrityError:
        before, previous_run = None, None
    return {
        "previous_run_id": previous_run,
        "variants": metric_changes(current["variants"], before),
    }
