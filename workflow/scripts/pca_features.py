"""Snakemake adapter: a variant that is the PCA of another variant."""

from modelprep.build.features import steps
from modelprep.build.runner import job

with job(snakemake, "pca_features"):
    steps.pca_features(
        n_components=snakemake.params.n_components,
        seed=snakemake.params.seed,
        base_embeddings=snakemake.input.embeddings,
        base_transformer=snakemake.input.transformer,
        base_indices=snakemake.input.indices,
        reports=list(snakemake.input.reports),
        outputs=dict(snakemake.output.items()),
    )
