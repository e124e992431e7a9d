# Publication is its own step: Snakemake deletes a job's outputs before it runs, so the
# published files must never be outputs. The declared output is a receipt under processed/.
rule publish:
    input:
        artifacts=published_artifacts(),
        tracks_report=TRACKS_REPORT,
        base_model=f"{ARTIFACTS}/base_model.json",
        code=CODE,
    output:
        receipt=f"{PROCESSED}/publish_receipt.json",
    log:
        f"{LOGS}/publish/publish.log",
    benchmark:
        f"{BENCHMARKS}/publish/publish.tsv"
    threads: 1
    resources:
        mem_mb=512,
        runtime=runtime_min(60),
    params:
        models_dir=MODELS,
        variants=active_variants(),
        max_track_drop=config["publish"]["max_track_drop"],
        allow_track_drop=config["publish"]["allow_track_drop"],
    script:
        "../workflow/scripts/publish.py"
