"""The benchmark's figure: each job's wall time and peak memory in the warm full-size build of
every family, longest first (what docs/performance.md shows beside the tables)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)


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
