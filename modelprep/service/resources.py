"""Cores and memory this process may really use (cgroup and affinity, not the host's totals)."""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")
# Leave room for Snakemake itself and the page cache.
MEMORY_SHARE = 0.9


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def available_cores() -> int:
    """CPUs in our affinity mask, capped by a cgroup v2 CPU quota when one is set."""
    cores = len(os.sched_getaffinity(0))
    quota = (_read(CGROUP / "cpu.max") or "max").split()
    if quota[0] != "max" and len(quota) == 2:
        cores = min(cores, max(1, math.floor(int(quota[0]) / int(quota[1]))))
    return max(1, cores)


def memory_budget_mb() -> int:
    """MiB for Snakemake's mem_mb resource: the cgroup limit (v2 or v1), else physical memory."""
    limits = []
    for path in (CGROUP / "memory.max", CGROUP / "memory" / "memory.limit_in_bytes"):
        value = _read(path)
        if value and value.isdigit() and int(value) < 2**60:
            limits.append(int(value))
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return int(min([total, *limits]) * MEMORY_SHARE / 2**20)
