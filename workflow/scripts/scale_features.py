"""Snakemake adapter: a variant scaled from raw columns."""

from modelprep.build.features import steps
from modelprep.build.runner import job

with job(snakemake, "scale_features"):
    steps.scaled_features(
        columns=snakemake.params.columns,
        scaler=snakemake.params.scaler,
        tracks_table=snakemake.input.tracks,
        low_level_table=snakemake.input.get("low_level"),
        reports=list(snakemake.input.reports),
        outputs=dict(snakemake.output.items()),
    )
