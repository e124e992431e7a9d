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


def render(report: dict) -> str:
    m = report["machine"]
    parts = [
        f"Benchmark {m['date']} on {m['host']} ({m['cpu']}, {m['usable_cores']} usable cores)",
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
