"""Snakemake adapter: the report's table of each job's wall time and peak memory."""

from modelprep import steps
from modelprep.jobs import job

with job(snakemake, "run_statistics"):
    steps.run_statistics(
        benchmarks=list(snakemake.input.benchmarks), table_out=snakemake.output.table
    )
