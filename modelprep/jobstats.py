"""Snakemake's ``benchmark:`` files, the one reader of them: a job's wall time, peak memory and
CPU time as its last run recorded them. Imports nothing heavy: the Snakefile reads these to
order the fits.

Snakemake samples a job's processes every 30 s (after its first seconds), so its ``cpu_time``
misses up to 30 s and its ``max_rss`` misses any peak between samples (a 25 s fit peaking at
1.4 GiB was recorded at 0.5 GiB). Each job therefore also writes its own measures beside the
file (``modelprep.build.runner.usage``), which replace those two when they are there: CPU time
exact, with the children's; the peak the larger of the sampled sum over the job's processes and
the exact peak of its main process.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from modelprep.layout import USAGE_SUFFIX


def last_record(path: str | os.PathLike) -> dict[str, float] | None:
    """The last row of a benchmark file: ``s`` (wall seconds), ``max_rss`` (MiB), ``cpu_time``
    and the rest, as numbers; None when the file is missing, empty or unreadable."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        record = {k: float(v) for k, v in rows[-1].items() if k != "h:m:s"}
    except (OSError, IndexError, ValueError, TypeError, csv.Error):
        return None
    measured = _usage(path)
    if measured:
        record["cpu_time"] = measured["cpu_s"]
        record["max_rss"] = max(record["max_rss"], measured["peak_mib"])
    return record


def _usage(path: str | os.PathLike) -> dict | None:
    """The job's own measures beside its benchmark file; None when missing or unreadable."""
    try:
        return json.loads(Path(path).with_suffix(USAGE_SUFFIX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def job_name(path: str | os.PathLike) -> str:
    """``rule[name]`` of the benchmark file ``benchmarks/{rule}/{name}.tsv``."""
    return f"{Path(path).parent.name}[{Path(path).stem}]"


def last_wall_seconds(path: str | os.PathLike) -> float:
    """The wall time of a job's last run; 0.0 when there is none yet (a first run) or the file
    is unreadable: scheduling hints must never fail a run."""
    record = last_record(path)
    return record["s"] if record else 0.0
