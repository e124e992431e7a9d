"""Snakemake adapter: the report's figure per variant and its metrics table."""

from modelprep.build.report import steps
from modelprep.build.runner import job

with job(snakemake, "figures"):
    steps.figures(
        variants=list(snakemake.params.variants),
        embeddings=list(snakemake.input.embeddings),
        labels=list(snakemake.input.labels),
        metrics=snakemake.input.metrics,
        seed=snakemake.params.seed,
        figures_out=list(snakemake.output.figures),
        metrics_out=snakemake.output.metrics,
    )
