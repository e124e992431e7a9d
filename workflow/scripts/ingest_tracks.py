"""Snakemake adapter: validate spotify_tracks.csv into the clean tracks table."""

from modelprep.build.ingest import steps
from modelprep.build.runner import job

with job(snakemake, "ingest_tracks"):
    steps.ingest_tracks(snakemake.input.csv, snakemake.output.table, snakemake.output.report)
