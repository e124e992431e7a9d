"""Snakemake adapter: publish the staged set into MODELS_PATH, manifest last."""

from modelprep.build.publish import steps
from modelprep.build.runner import job

with job(snakemake, "publish"):
    steps.publish_models(
        artifacts=list(snakemake.input.artifacts),
        lyrics_dirs=list(snakemake.input.lyrics),
        lyrics_record=snakemake.input.lyrics_record,
        tracks_report=snakemake.input.tracks_report,
        base_model=snakemake.input.base_model,
        models_dir=snakemake.params.models_dir,
        variants=list(snakemake.params.variants),
        max_track_drop=snakemake.params.max_track_drop,
        allow_track_drop=snakemake.params.allow_track_drop,
        receipt_out=snakemake.output.receipt,
        changes_out=snakemake.output.changes,
    )
