"""Snakemake adapter: the shared TF-IDF vectorizer, training metadata and index."""

from modelprep import layout
from modelprep.build.lyrics import steps
from modelprep.build.runner import job

with job(snakemake, "lyrics_tfidf", owner=layout.LYRICS):
    steps.tfidf(
        table=snakemake.input.table,
        tokens_record=snakemake.input.record,
        params=dict(snakemake.params.tfidf),
        min_tracks=snakemake.params.min_tracks,
        sample_size=snakemake.params.sample_size,
        seed=snakemake.params.seed,
        staged_dir=snakemake.output.staged,
        index_out=snakemake.output.index,
        record_out=snakemake.output.record,
    )
