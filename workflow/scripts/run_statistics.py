"""Snakemake adapter: the report's table of each job's wall time and peak memory."""

from modelprep.build.report import steps
from modelprep.build.runner import job

with job(snakemake, "run_statistics"):
    steps.run_statistics(
        benchmarks=list(snakemake.input.benchmarks), table_out=snakemake.output.table
    )
