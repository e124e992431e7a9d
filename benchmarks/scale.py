"""The benchmark's scaling mode (``python -m benchmarks.bench --scale``): how the cost grows.

Two series of demo data of the ``genres`` family: ``full`` (low-level features and lyrics, so
every variant and the lyrics models; 100,000 and 300,000 tracks by default) and ``basic`` (the
12 basic features only, as the public 1.2M-track export; 100,000 and 1,000,000). At each size,
one cold build then two warm ones by default (``--scale-repeats COLD,WARM``), measured by
``runs.measure_workflow``. Reported per size: wall and CPU time, each job's wall time, CPU
time, peak memory and share of the summed job time, the largest job peak and the largest sum of
concurrent job peaks; per series, the growth from its first size to its last beside that of N
and N log N; and the share of the quadratic part (the high-dimensional variants' fits).
"""

from __future__ import annotations

import argparse
import json
import math
import time

from benchmarks.plot import write_scale_plot
from benchmarks.render import render_scale
from benchmarks.runs import machine, measure_workflow
from modelprep import demo

FAMILY, SEED = "genres", 7
SERIES = {
    "full": {"with_low_level": True, "with_lyrics": True},
    "basic": {"with_low_level": False, "with_lyrics": False},
}
# The cluster jobs whose exact k-NN in about 200 (and 60) dimensions grows as N².
QUADRATIC_JOBS = ("cluster[combined_features]", "cluster[llav_features]", "cluster[llav_pca]")


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(size) for size in text.split(",") if size]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of track counts: {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"track counts must be positive: {text!r}")
    return sizes


def _repeats(text: str) -> tuple[int, int]:
    try:
        cold, warm = (int(count) for count in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not COLD,WARM: {text!r}") from None
    if cold < 1 or warm < 1:
        raise argparse.ArgumentTypeError(f"at least one cold and one warm run: {text!r}")
    return cold, warm


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale", action="store_true", help="the scaling mode instead (the --scale-* options)"
    )
    parser.add_argument(
        "--scale-full",
        type=_sizes,
        default=[100_000, 300_000],
        help="sizes with low-level features and lyrics (100000,300000; '' for none)",
    )
    parser.add_argument(
        "--scale-basic",
        type=_sizes,
        default=[100_000, 1_000_000],
        help="sizes with the basic features only (100000,1000000; '' for none)",
    )
    parser.add_argument(
        "--scale-repeats", type=_repeats, default=(1, 2), help="COLD,WARM builds per size (1,2)"
    )


def concurrent_peak(jobs: dict[str, dict]) -> float:
    """The largest sum of the peaks of jobs running at one time (MiB): an upper bound of the
    run's memory, as each job's peak counts for the whole job. A job ran from its end (its
    benchmark file's write time) back by its wall time."""
    events = [(r["ended"] - r["s"], r["max_rss_mib"]) for r in jobs.values()]
    events += [(r["ended"], -r["max_rss_mib"]) for r in jobs.values()]
    total = largest = 0.0
    for _, change in sorted(events):  # at one time, ends (negative) before starts
        total += change
        largest = max(largest, total)
    return largest


def summarise(tracks: int, generate_s: float, measured: dict) -> dict:
    """One size's report: ``measured`` with each job's share of the summed job time (jobs
    overlap on several cores, so shares of the wall time would not add up), the peaks and the
    quadratic part."""
    per_rule = measured["per_rule"]
    summed = sum(record["s"] for record in per_rule.values())
    for record in per_rule.values():
        record["share"] = record["s"] / summed
    size = {"tracks": tracks, "generate_s": generate_s, **measured, "summed_job_s": summed}
    for which, runs in measured["runs"].items():
        peaks = [(r["max_rss_mib"], job) for run in runs for job, r in run["jobs"].items()]
        size[f"{which}_peak_job_mib"], size[f"{which}_peak_job"] = max(peaks)
        size[f"{which}_concurrent_peak_mib"] = max(concurrent_peak(run["jobs"]) for run in runs)
    size["quadratic_s"] = sum(per_rule[job]["s"] for job in QUADRATIC_JOBS if job in per_rule)
    size["quadratic_share"] = size["quadratic_s"] / summed
    return size


def growth(sizes: list[dict]) -> dict | None:
    """Last size against first: tracks, N log N, and the measures; None for a single size."""
    if len(sizes) < 2:
        return None
    first, last = sizes[0], sizes[-1]
    n0, n1 = first["tracks"], last["tracks"]
    ratios = {"from_tracks": n0, "to_tracks": n1, "tracks": n1 / n0}
    ratios["n_log_n"] = n1 * math.log(n1) / (n0 * math.log(n0))
    for measure in ("warm_median_s", "cold_median_s", "warm_cpu_median_s", "warm_peak_job_mib"):
        ratios[measure] = last[measure] / first[measure]
    quadratic = first["quadratic_s"]  # 0 without the low-level variants
    ratios["quadratic_s"] = last["quadratic_s"] / quadratic if quadratic else None
    return ratios


def measure_series(name: str, sizes: list[int], args: argparse.Namespace) -> dict:
    """Each size of one series: its demo data written, then its builds."""
    spec, (cold, warm) = SERIES[name], args.scale_repeats
    measured = []
    for tracks in sizes:
        workdir = args.workdir / f"scale-{name}-{tracks}"
        started = time.perf_counter()
        demo.write(workdir / "data" / "raw", tracks, SEED, family=FAMILY, **spec)
        generate_s = time.perf_counter() - started
        builds = measure_workflow(workdir, args.cores, cold, warm)
        measured.append(summarise(tracks, generate_s, builds))
    return {**spec, "family": FAMILY, "seed": SEED, "sizes": measured, "growth": growth(measured)}


def main(args: argparse.Namespace) -> int:
    """The scaling mode: JSON to ``args.out``, the figure to ``args.plot``, Markdown to stdout."""
    cold, warm = args.scale_repeats
    report = {"mode": "scale", "machine": machine(), "cores": args.cores}
    report |= {"repeats": {"cold": cold, "warm": warm}, "series": {}}
    for name in SERIES:
        sizes = getattr(args, f"scale_{name}")
        if sizes:
            report["series"][name] = measure_series(name, sizes, args)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    write_scale_plot(report, args.plot)
    print(render_scale(report))
    return 0
