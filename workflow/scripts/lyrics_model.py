"""Snakemake adapter: one lyrics model and its config."""

from modelprep import layout
from modelprep.build.lyrics import steps
from modelprep.build.runner import job

with job(snakemake, "lyrics_model", owner=layout.LYRICS):
    steps.model(
        name=snakemake.wildcards.model,
        spec=dict(snakemake.params.spec),
        index_file=snakemake.input.index,
        tfidf_record=snakemake.input.record,
        neighbours=snakemake.params.neighbours,
        seed=snakemake.params.seed,
        staged_dir=snakemake.output.staged,
        record_out=snakemake.output.record,
    )
