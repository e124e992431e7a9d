"""How a lyrics job ends: ``ok`` with its numbers, ``skipped`` (no lyrics column, too few
usable tracks) or ``failed`` (missing NLTK data, anything unexpected), written to its record
instead of failing the run. The audio variants do not wait on the lyrics models: publication
reads the records, publishes the lyrics files only when every job was ok, retires them when
skipped, keeps the published ones when failed (and then fails, naming ``lyrics``)."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from modelprep import env
from modelprep.errors import InputError
from modelprep.files import load_json, save_json

log = logging.getLogger(__name__)

OK, SKIPPED, FAILED = "ok", "skipped", "failed"


class Skipped(Exception):
    """The lyrics models are not built this time, and that is not a fault (the reason says
    why)."""


def upstream_outcome(records: Sequence[str]) -> dict | None:
    """The first record that is not ok, carried on by the jobs after it."""
    for path in records:
        record = load_json(path)
        if record["status"] != OK:
            return {"status": record["status"], "reason": record["reason"]}
    return None


def run(
    job: str,
    work: Callable[[], dict],
    record_out: str,
    staged_dir: str | None = None,
    upstream: Sequence[str] = (),
) -> dict:
    """Run ``work`` (it returns the record's numbers) unless an upstream job was not ok, and
    write the record; the staged directory stays empty unless the job ended ok."""
    started = time.perf_counter()
    if staged_dir:
        shutil.rmtree(staged_dir, ignore_errors=True)
        Path(staged_dir).mkdir(parents=True)
    result = upstream_outcome(upstream)
    if result is None:
        try:
            result = {"status": OK, "reason": None, **work()}
        except Skipped as exc:
            log.warning("lyrics models skipped: %s", exc)
            result = {"status": SKIPPED, "reason": str(exc)}
        except InputError as exc:
            log.error("lyrics %s failed: %s", job, exc)
            result = {"status": FAILED, "reason": str(exc)}
        except Exception as exc:
            log.exception("lyrics %s failed unexpectedly", job)
            result = {"status": FAILED, "reason": f"lyrics {job}: {type(exc).__name__}: {exc}"}
    else:
        log.info("lyrics %s: %s upstream (%s)", job, result["status"], result["reason"])
    if result["status"] != OK and staged_dir:
        shutil.rmtree(staged_dir)
        Path(staged_dir).mkdir()
    record = {
        "job": job,
        "run_id": env.run_id(),
        **result,
        "seconds": round(time.perf_counter() - started, 3),
    }
    save_json(record, record_out)
    return record
