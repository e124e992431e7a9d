"""The report's tables: small self-contained HTML pages that ``snakemake --report`` shows."""

from __future__ import annotations

import html

import pandas as pd

from modelprep import jobstats


def html_table(frame: pd.DataFrame, title: str) -> str:
    """A small self-contained HTML page with one table."""
    style = (
        "body{font-family:sans-serif;margin:1em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        "th:first-child,td:first-child{text-align:left}"
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body><h3>{html.escape(title)}</h3>"
        f"{frame.to_html(float_format=lambda v: f'{v:.4g}', na_rep='-', border=0)}</body></html>"
    )


def metrics_frame(metrics: dict) -> pd.DataFrame:
    """``metrics.json`` as a table: a column per variant, a row per metric."""
    columns = {}
    for variant, values in metrics["variants"].items():
        flat = {k: v for k, v in values.items() if k != "cluster_size_quantiles"}
        for name, value in (values.get("cluster_size_quantiles") or {}).items():
            flat[f"cluster size {name}"] = value
        name = variant + (" (base)" if variant == metrics["base_variant"] else "")
        columns[name] = flat
    return pd.DataFrame(columns)


def lyrics_frame(record: dict) -> pd.DataFrame:
    """The lyrics models' quality (a column per model) and the shared coverage numbers; or
    why there are none this time."""
    if record["status"] != "ok":
        return pd.DataFrame(
            {"lyrics models": {"status": record["status"], "reason": record["reason"]}}
        )
    shared = {
        "tracks indexed": record["n_tracks"],
        "vocabulary size": record["vocabulary_size"],
        "duplicated lyrics share": record["duplicated_lyrics_share"],
        **{f"not indexed: {k}": v for k, v in record["not_indexed"].items()},
    }
    frame = pd.DataFrame(record["models"])
    return pd.concat([frame, pd.DataFrame({m: shared for m in frame.columns})])


def run_statistics(benchmarks: list[str]) -> pd.DataFrame:
    """Wall time and peak memory of each job, from Snakemake's benchmark files."""
    rows = []
    for path in benchmarks:
        record = jobstats.last_record(path) or {"s": float("nan"), "max_rss": float("nan")}
        rows.append(
            {"job": jobstats.job_name(path), "wall s": record["s"], "peak MiB": record["max_rss"]}
        )
    return pd.DataFrame(rows).sort_values("wall s", ascending=False).set_index("job")


def changes_frame(changes: dict) -> pd.DataFrame:
    """How each metric moved since the previous published set: a column per variant."""
    return pd.DataFrame(changes["variants"])
