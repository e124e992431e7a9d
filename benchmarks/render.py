"""The benchmark's report as Markdown (through the project's one table printer)."""

from __future__ import annotations

import statistics

from modelprep.tables import table


def _runs(measure: str, runs: list[float]) -> list:
    return [measure, f"{statistics.median(runs):.1f} s", ", ".join(f"{s:.1f}" for s in runs)]


def _summary_rows(report: dict) -> list[list]:
    rows, small, queries = [], report.get("at_baseline_size"), report["queries"]
    for family, full in report["full"].items():
        size = f"{report['tracks']} tracks, {family}"
        rows += [
            _runs(f"cold build, {size}", full["cold_s"]),
            _runs(f"warm build (--forceall), {size}", full["warm_s"]),
            [f"no-op dry run, {family}", f"{full['noop_dry_run_s']:.2f} s", "1"],
            [f"`startup.py --check-only`, {family}", f"{full['check_only_s']:.2f} s", "1"],
        ]
    if small:
        n = report["baseline_tracks"]
        rows += [
            _runs(f"warm build, {n} tracks", small["warm_s"]),
            _runs(f"baseline, {n} tracks", report["baseline_s"]),
            [f"speed-up at {n} tracks (baseline / warm)", f"{report['speedup']:.1f}x", ""],
        ]
    cost = report.get("lyrics_cost")
    if cost:
        rows += [
            _runs("warm build with the lyrics models (alternated)", cost["with_warm_s"]),
            _runs("warm build without the lyrics column (alternated)", cost["without_warm_s"]),
            [
                "added by the lyrics models (median difference)",
                f"{cost['added_median_s']:.1f} s",
                "",
            ],
        ]
    return rows + [
        [
            f"`similar(k=10)` on {queries['variant']}, {report['tracks']} tracks: in the "
            "cluster / global",
            f"{queries['within_cluster_median_ms']:.2f} / {queries['global_median_ms']:.2f} ms",
            "200 queries",
        ],
        ["`modelprep.load` (verify and unpickle)", f"{queries['load_s']:.2f} s", "1"],
    ]


def _guard_rows(report: dict) -> list[list]:
    return [
        [
            family,
            variant,
            g["mst_algorithm"],
            f"{g['total_rel']:.1e}",
            f"{g['max_edge_rel']:.1e}",
            f"{g['ari']:.4f}",
            f"{g['noise_gap_points']:.2f}",
            "exact" if g["ok"] else "FAILED",
        ]
        for family, guard in report["quality_guard"].items()
        for variant, g in guard.items()
    ]


def where(m: dict) -> str:
    """Date, host and CPU of a run (reports older than ``cpu_arch`` lack it)."""
    arch = m.get("cpu_arch", "architecture not recorded")
    return f"{m['date']} on {m['host']} ({m['cpu']}, {arch}, {m['usable_cores']} usable cores)"


def render(report: dict) -> str:
    m = report["machine"]
    parts = [
        f"Benchmark {where(m)}",
        table(["measure", "median", "runs"], _summary_rows(report), markdown=True),
    ]
    for family, full in report["full"].items():
        jobs = sorted(full["per_rule"].items(), key=lambda kv: -kv[1]["s"])
        rows = [[job, f"{r['s']:.1f}", f"{r['max_rss_mib']:.0f}"] for job, r in jobs]
        headings = [f"job (warm, full size, {family})", "wall s", "peak MiB"]
        parts.append(table(headings, rows, markdown=True))
    if report["quality_guard"]:
        parts.append(
            f"Exactness guard at {report['baseline_tracks']} tracks: the published model against "
            "hdbscan's exact tree (`approx_min_span_tree=False`) on the published embedding."
        )
        headings = ["family", "variant", "path", "tree total, rel. diff", "largest edge diff"]
        headings += ["ARI", "noise gap (points)", "guard"]
        parts.append(table(headings, _guard_rows(report), markdown=True))
    return "\n\n".join(parts)


SCALE_NOTES = (
    "CPU: user + system time of Snakemake and every job process. Largest job peak: the largest "
    "peak RSS of one job (Snakemake's benchmark files). Concurrent peaks: the largest sum of the "
    "peaks of the jobs running at one time, each job's peak counted for its whole run (an upper "
    "bound of the run's memory). Share: of the summed wall time of the jobs, which overlap on "
    "several cores. Quadratic part: the whole cluster jobs of combined_features, llav_features "
    "and llav_pca, whose exact k-NN grows as N²."
)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _cold_warm(size: dict, measure: str, digits: int) -> str:
    return f"{size[f'cold_{measure}']:.{digits}f} / {size[f'warm_{measure}']:.{digits}f}"


def _scale_rows(report: dict) -> list[list]:
    return [
        [
            name,
            s["tracks"],
            f"{s['generate_s']:.1f}",
            f"{s['cold_median_s']:.1f}",
            f"{s['warm_median_s']:.1f} ({', '.join(f'{w:.1f}' for w in s['warm_s'])})",
            _cold_warm(s, "cpu_median_s", 1),
            f"{_cold_warm(s, 'peak_job_mib', 0)} ({s['warm_peak_job']})",
            _cold_warm(s, "concurrent_peak_mib", 0),
            f"{s['quadratic_share']:.0%}",
        ]
        for name, series in report["series"].items()
        for s in series["sizes"]
    ]


def _growth_rows(report: dict) -> list[list]:
    measures = ("warm_median_s", "cold_median_s", "warm_cpu_median_s", "warm_peak_job_mib")
    return [
        [name, f"{g['from_tracks']} → {g['to_tracks']}", _ratio(g["tracks"]), _ratio(g["n_log_n"])]
        + [_ratio(g[m]) for m in (*measures, "quadratic_s")]
        for name, series in report["series"].items()
        if (g := series["growth"])
    ]


def render_scale(report: dict) -> str:
    """The scaling mode's report: per size, the growth per series, and each size's jobs."""
    m, repeats = report["machine"], report["repeats"]
    parts = [
        f"Scaling benchmark {where(m)}, --cores {report['cores']}: per size "
        f"{repeats['cold']} cold then {repeats['warm']} warm builds, medians where more than "
        f"one. {SCALE_NOTES}",
        table(
            ["series", "tracks", "demo data s", "cold s", "warm s (runs)", "CPU s cold / warm"]
            + ["largest job peak MiB cold / warm (job)", "concurrent peaks MiB cold / warm"]
            + ["quadratic share"],
            _scale_rows(report),
            markdown=True,
        ),
        table(
            ["series", "tracks", "N", "N log N", "warm", "cold", "CPU (warm)", "largest job peak"]
            + ["quadratic part"],
            _growth_rows(report),
            markdown=True,
        ),
    ]
    for name, series in report["series"].items():
        for s in series["sizes"]:
            jobs = sorted(s["per_rule"].items(), key=lambda kv: -kv[1]["s"])
            rows = [
                [job, f"{r['s']:.1f}", f"{r['share']:.1%}", f"{r['cpu_s']:.1f}"]
                + [f"{r['max_rss_mib']:.0f}"]
                for job, r in jobs
            ]
            headings = [f"job ({name}, {s['tracks']} tracks, warm)", "wall s", "share", "CPU s"]
            parts.append(table([*headings, "peak MiB"], rows, markdown=True))
    return "\n\n".join(parts)
