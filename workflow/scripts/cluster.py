"""Snakemake adapter: HDBSCAN on one variant's embedding."""

from modelprep.build.fit import steps
from modelprep.build.runner import job

with job(snakemake, "cluster"):
    steps.cluster(
        variant=snakemake.wildcards.variant,
        embeddings=snakemake.input.embeddings,
        hdbscan_params=dict(snakemake.params.hdbscan),
        silhouette_sample=snakemake.params.silhouette_sample,
        seed=snakemake.params.seed,
        threads=snakemake.threads,
        model_out=snakemake.output.model,
        labels_out=snakemake.output.labels,
        meta_out=snakemake.output.meta,
    )
