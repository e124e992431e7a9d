"""The benchmark's figures: each job's wall time and peak memory in the warm full-size build of
every family, longest first (what docs/performance.md shows beside the tables); and, in the
scaling mode, wall time and peak memory against tracks."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib import ticker  # noqa: E402


def write_plot(report: dict, out: Path) -> Path:
    families = report["full"]
    figure, axes = plt.subplots(
        len(families), 2, figsize=(13, 0.32 * max(len(f["per_rule"]) for f in families.values())
        * len(families) + 1.5), squeeze=False,
    )  # fmt: skip
    for row, (family, full) in zip(axes, families.items(), strict=True):
        jobs = sorted(full["per_rule"].items(), key=lambda kv: kv[1]["s"])
        names = [name for name, _ in jobs]
        row[0].barh(names, [r["s"] for _, r in jobs], color="#4c72b0")
        row[0].set_xlabel(f"wall time, s (warm, {report['tracks']:,} tracks, {family})")
        row[1].barh(names, [r["max_rss_mib"] for _, r in jobs], color="#dd8452")
        row[1].set_xlabel("peak memory, MiB")
        row[1].set_yticklabels([])
    machine = report["machine"]
    figure.suptitle(
        f"modelprep benchmark {machine['date']} on {machine['host']} "
        f"({machine['usable_cores']} cores): warm medians "
        + ", ".join(f"{f} {full['warm_median_s']:.0f} s" for f, full in families.items())
    )
    figure.tight_layout()
    figure.savefig(out, dpi=90)
    plt.close(figure)
    return out


SERIES_COLOURS = {"full": "#4c72b0", "basic": "#dd8452"}
RUN_STYLES = {"warm": ("-", "o"), "cold": ("--", "s")}


def _references(axis, tracks: list[int], first: float, labelled: bool) -> None:
    """N and N log N through a series' first point, for the eye to compare slopes with."""
    n = np.asarray(tracks, dtype=float)
    n_log_n = n * np.log(n) / (n[0] * np.log(n[0]))
    for growth, style, label in ((n / n[0], ":", "N"), (n_log_n, "-.", "N log N")):
        label = f"{label}, through the first warm point" if labelled else None
        axis.plot(n, first * growth, color="grey", linestyle=style, linewidth=1, label=label)


def _scale_panel(axis, report: dict, measure: str, label: str) -> None:
    """One log-log panel: ``{cold,warm}_{measure}`` of every size, a line per series and run
    kind, with the reference slopes through the warm line's first point."""
    for number, (name, series) in enumerate(report["series"].items()):
        tracks = [size["tracks"] for size in series["sizes"]]
        for which, (style, marker) in RUN_STYLES.items():
            values = [size[f"{which}_{measure}"] for size in series["sizes"]]
            axis.plot(
                tracks, values, linestyle=style, marker=marker, color=SERIES_COLOURS[name],
                label=f"{name}, {which}",
            )  # fmt: skip
        _references(axis, tracks, series["sizes"][0][f"warm_{measure}"], number == 0)
    axis.set_xscale("log")
    axis.set_yscale("log")
    sizes = sorted({size["tracks"] for s in report["series"].values() for size in s["sizes"]})
    axis.set_xticks(sizes, [f"{n:,}" for n in sizes])
    axis.xaxis.set_minor_formatter(ticker.NullFormatter())
    axis.set_xlabel("tracks")
    axis.set_ylabel(label)
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)


def write_scale_plot(report: dict, out: Path) -> Path:
    """The scaling mode's figure: wall time and largest job peak against tracks, log-log."""
    figure, (time_axis, memory_axis) = plt.subplots(1, 2, figsize=(13, 5.5))
    _scale_panel(time_axis, report, "median_s", "wall time, s")
    _scale_panel(memory_axis, report, "peak_job_mib", "largest job peak, MiB")
    machine = report["machine"]
    figure.suptitle(
        f"modelprep scaling {machine['date']} on {machine['host']} "
        f"(--cores {report['cores']}): full = low-level + lyrics, basic = 12 features only"
    )
    figure.tight_layout()
    figure.savefig(out, dpi=90)
    plt.close(figure)
    return out
