"""Snakemake adapter: the exact NearestNeighbors model of one variant."""

from modelprep.build.fit import steps
from modelprep.build.runner import job

with job(snakemake, "neighbors"):
    steps.neighbors(
        embeddings=snakemake.input.embeddings,
        knn_params=dict(snakemake.params.knn),
        threads=snakemake.threads,
        model_out=snakemake.output.model,
        meta_out=snakemake.output.meta,
    )
