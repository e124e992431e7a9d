"""Snakemake adapter: validate low_level_audio_features.csv against the clean tracks."""

from modelprep.build.ingest import steps
from modelprep.build.runner import job

with job(snakemake, "ingest_low_level"):
    steps.ingest_low_level(
        snakemake.input.csv,
        snakemake.input.tracks,
        snakemake.output.table,
        snakemake.output.report,
    )
