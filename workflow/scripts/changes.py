"""Snakemake adapter: the report's table of how each metric moved since the previous set."""

from modelprep.build.report import steps
from modelprep.build.runner import job

with job(snakemake, "changes"):
    steps.changes(changes=snakemake.input.changes, table_out=snakemake.output.table)
