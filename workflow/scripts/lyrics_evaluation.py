"""Snakemake adapter: the lyrics models' evaluation results."""

from modelprep import layout
from modelprep.build.lyrics import steps
from modelprep.build.runner import job

with job(snakemake, "lyrics_evaluation", owner=layout.LYRICS):
    steps.evaluation(
        tfidf_record=snakemake.input.tfidf,
        model_records=dict(zip(snakemake.params.models, snakemake.input.models, strict=True)),
        staged_dir=snakemake.output.staged,
        record_out=snakemake.output.record,
    )
