"""Snakemake adapter: choose the base variant and write base files, base_model and metrics."""

from modelprep import steps
from modelprep.jobs import job

with job(snakemake, "select_base"):
    steps.select_base(
        configs=list(snakemake.input.configs),
        variant_files=snakemake.params.variant_files,
        base_out=list(snakemake.output.base),
        base_model_out=snakemake.output.base_model,
        metrics_out=snakemake.output.metrics,
        models_dir=snakemake.params.models_dir,
    )
