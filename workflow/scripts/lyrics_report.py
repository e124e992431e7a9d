"""Snakemake adapter: the report's lyrics models table."""

from modelprep.build.report import steps
from modelprep.build.runner import job

with job(snakemake, "lyrics_report"):
    steps.lyrics(record=snakemake.input.record, table_out=snakemake.output.table)
