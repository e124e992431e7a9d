# Publication is its own step: Snakemake deletes a job's outputs before it runs, so the
# published files must never be outputs. The declared output is a receipt under processed/.
rule publish:
    input:
        artifacts=published_artifacts(),
        lyrics=lyrics_staged_dirs(),
        lyrics_record=lyrics_record(layout.LYRICS_EVALUATE),
        tracks_report=PATHS.tracks_report,
        base_model=staged(layout.BASE_MODEL),
        code=code("build/publish", "build/lyrics", "store"),
    output:
        receipt=PATHS.receipt,
        changes=report_file(layout.CHANGES),
    log:
        log_file("publish", "publish"),
    benchmark:
        benchmark_file("publish", "publish")
    conda:
        "../environment.yml"
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
