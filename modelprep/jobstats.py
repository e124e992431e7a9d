"""Snakemake's ``benchmark:`` files, the one reader of them: a job's wall time, peak memory and
CPU time as its last run recorded them. Imports nothing heavy: the Snakefile reads these to
order the fits.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path


def last_record(path: str | os.PathLike) -> dict[str, float] | None:
    """The last row of a benchmark file: ``s`` (wall seconds), ``max_rss`` (MiB), ``cpu_time``
    and the rest, as numbers; None when the file is missing, empty or unreadable."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        return {k: float(v) for k, v in rows[-1].items() if k != "h:m:s"}
    except (OSError, IndexError, ValueError, TypeError, csv.Error):
        return None


def job_name(path: str | os.PathLike) -> str:
    """``rule[name]`` of the benchmark file ``benchmarks/{rule}/{name}.tsv``."""
    return f"{Path(path).parent.name}[{Path(path).stem}]"


def last_wall_seconds(path: str | os.PathLike) -> float:
    """The wall time of a job's last run; 0.0 when there is none yet (a first run) or the file
    is unreadable: scheduling hints must never fail a run."""
    record = last_record(path)
    return record["s"] if record else 0.0
