"""Snakemake adapter: every track's lyrics, preprocessed as the backend queries."""

from modelprep import layout
from modelprep.build.lyrics import steps
from modelprep.build.runner import job

with job(snakemake, "lyrics_tokens", owner=layout.LYRICS):
    steps.tokens(
        csv=snakemake.input.csv,
        table_out=snakemake.output.table,
        record_out=snakemake.output.record,
        seed=snakemake.params.seed,
        threads=snakemake.threads,
    )
