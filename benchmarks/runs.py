"""How the benchmark runs the real workflow and reads what each run cost: wall time, CPU time
and every job's record in Snakemake's ``benchmark:`` files. Shared by the full benchmark
(``bench``) and its scaling mode (``scale``)."""

from __future__ import annotations

import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from modelprep import jobstats
from modelprep.build.provenance import library_versions
from modelprep.service.resources import available_cores

REPO = Path(__file__).resolve().parents[1]
STATE = ("processed", "models", "logs", "benchmarks", "cache")


def machine() -> dict:
    """Where a run was measured. ``cpu_arch`` is LLVM's name for the host CPU (what numba
    compiles for): the VMs here name every CPU "AMD EPYC", yet they run on znver3 or znver4
    hosts, and times from the two are not comparable."""
    from llvmlite import binding

    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpu": model,
        "cpu_arch": binding.get_host_cpu_name(),
        "usable_cores": available_cores(),
        "python": platform.python_version(),
        "versions": library_versions(),
    }


def reset(workdir: Path, cold: bool) -> None:
    """Cold: remove every output, Snakemake's metadata and caches; warm keeps them."""
    if not cold:
        return
    for name in STATE:
        shutil.rmtree(workdir / "data" / name, ignore_errors=True)
    shutil.rmtree(workdir / ".snakemake", ignore_errors=True)
    shutil.rmtree(workdir / "cache", ignore_errors=True)


def timed_run(workdir: Path, command: list[str]) -> float:
    """Wall seconds of ``command`` in ``workdir``, with every cache (numba's included) there."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATA_PATH", "RAW_DATA_PATH", "MODELS_PATH", "NUMBA_CACHE_DIR", "MARKER_DIR")
    }
    env["XDG_CACHE_HOME"] = str(workdir / "cache")
    # startup.py's markers (--check-only reads the last one): the workdir's, not /tmp's
    env["MARKER_DIR"] = str(workdir / "markers")
    started = time.perf_counter()
    result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed in {workdir}:\n{result.stderr[-3000:]}")
    return elapsed


def snakemake_run(workdir: Path, cores: int, *extra: str) -> float:
    snakefile = str(REPO / "Snakefile")
    command = [sys.executable, "-m", "snakemake", "-s", snakefile, "--cores", str(cores)]
    return timed_run(workdir, [*command, *extra])


def costed_run(workdir: Path, cores: int, *extra: str) -> dict:
    """One Snakemake run: wall seconds, and CPU seconds (user + system) of Snakemake and every
    job process, which the kernel adds to this process's children once they are waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = snakemake_run(workdir, cores, *extra)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return {"wall_s": wall, "cpu_s": cpu, "jobs": rule_records(workdir)}


def rule_records(workdir: Path) -> dict[str, dict]:
    """Wall seconds, peak RSS (MiB) and CPU seconds of each job, from Snakemake's benchmark
    files, and when the job ended (the file's modification time, seconds since the epoch)."""
    records = {}
    for path in sorted((workdir / "data" / "benchmarks").glob("*/*.tsv")):
        row = jobstats.last_record(path)
        records[jobstats.job_name(path)] = {
            "s": row["s"],
            "max_rss_mib": row["max_rss"],
            "cpu_s": row["cpu_time"],
            "ended": path.stat().st_mtime,
        }
    return records


def measure_workflow(
    workdir: Path, cores: int, repeats: int, warm_repeats: int | None = None
) -> dict:
    """``repeats`` cold runs, then ``warm_repeats`` warm ones (default: as many): each run's
    wall and CPU time and job records, the medians, and per job the median wall and CPU time
    and the largest peak of the warm runs."""
    runs: dict[str, list] = {"cold": [], "warm": []}
    warm = repeats if warm_repeats is None else warm_repeats
    for which, count in (("cold", repeats), ("warm", warm)):
        for _ in range(count):
            reset(workdir, cold=which == "cold")
            extra = ("--forceall",) if which == "warm" else ()
            runs[which].append(costed_run(workdir, cores, *extra))
    noop = snakemake_run(workdir, cores, "-n")
    check_only = timed_run(
        workdir, [sys.executable, str(REPO / "scripts" / "startup.py"), "--check-only"]
    )
    per_rule: dict[str, list] = {}
    for run in runs["warm"]:
        for job, record in run["jobs"].items():
            per_rule.setdefault(job, []).append(record)
    measured = {"noop_dry_run_s": noop, "check_only_s": check_only, "runs": runs}
    for which, of_runs in runs.items():
        measured[f"{which}_s"] = [run["wall_s"] for run in of_runs]
        measured[f"{which}_median_s"] = statistics.median(measured[f"{which}_s"])
        measured[f"{which}_cpu_median_s"] = statistics.median(run["cpu_s"] for run in of_runs)
    measured["per_rule"] = {
        job: {
            "s": statistics.median(r["s"] for r in records),
            "max_rss_mib": max(r["max_rss_mib"] for r in records),
            "cpu_s": statistics.median(r["cpu_s"] for r in records),
        }
        for job, records in per_rule.items()
    }
    return measured
