"""Snakemake adapter: choose the base variant and write base files, base_model and metrics."""

from modelprep.build.configs import steps
from modelprep.build.runner import job

with job(snakemake, "select_base"):
    steps.select_base(
        configs=list(snakemake.input.configs),
        lyrics_record=snakemake.input.lyrics,
        variant_files=snakemake.params.variant_files,
        base_out=list(snakemake.output.base),
        base_model_out=snakemake.output.base_model,
        metrics_out=snakemake.output.metrics,
    )
