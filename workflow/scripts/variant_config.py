"""Snakemake adapter: assemble hdbscan_config_{variant}.json."""

from modelprep.build.configs import steps
from modelprep.build.runner import job

with job(snakemake, "variant_config"):
    steps.variant_config(
        variant=snakemake.wildcards.variant,
        spec={
            "approach": snakemake.params.approach,
            "feature_type": snakemake.params.feature_type,
        },
        features_meta=snakemake.input.features,
        cluster_meta=snakemake.input.cluster,
        knn_meta=snakemake.input.knn,
        config_out=snakemake.output.config,
    )
