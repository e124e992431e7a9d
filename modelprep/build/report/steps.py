"""The report jobs: what ``snakemake --report`` shows (matplotlib is imported by these jobs
only)."""

from __future__ import annotations

from pathlib import Path

from modelprep.build.report import tables
from modelprep.files import load_json, load_pickle


def figures(
    *,
    variants: list[str],
    embeddings: list[str],
    labels: list[str],
    metrics: str,
    seed: int,
    figures_out: list[str],
    metrics_out: str,
) -> None:
    from modelprep.build.report import figures

    for variant, embedding, label, out in zip(
        variants, embeddings, labels, figures_out, strict=True
    ):
        figures.variant_figure(load_pickle(embedding), load_pickle(label), variant, seed, out)
    table = tables.html_table(tables.metrics_frame(load_json(metrics)), "Quality metrics")
    Path(metrics_out).write_text(table, encoding="utf-8")


def changes(*, changes: str, table_out: str) -> None:
    record = load_json(changes)
    title = f"Change since the previous published set (run {record['previous_run_id'] or '-'})"
    Path(table_out).write_text(
        tables.html_table(tables.changes_frame(record), title), encoding="utf-8"
    )


def lyrics(*, record: str, table_out: str) -> None:
    frame = tables.lyrics_frame(load_json(record))
    Path(table_out).write_text(tables.html_table(frame, "Lyrics models"), encoding="utf-8")


def run_statistics(*, benchmarks: list[str], table_out: str) -> None:
    table = tables.html_table(
        tables.run_statistics(benchmarks), "Wall time and peak memory per job"
    )
    Path(table_out).write_text(table, encoding="utf-8")
