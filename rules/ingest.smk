rule ingest_tracks:
    input:
        csv=TRACKS_CSV,
        code=code("build/ingest"),
    output:
        table=PATHS.tracks_table,
        report=PATHS.tracks_report,
    log:
        log_file("ingest_tracks", "tracks"),
    benchmark:
        benchmark_file("ingest_tracks", "tracks")
    priority: FEATURE_PRIORITY
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=mem_mb(8),
        runtime=runtime_min(60),
    script:
        "../workflow/scripts/ingest_tracks.py"


rule ingest_low_level:
    input:
        csv=LOW_LEVEL_CSV,
        tracks=PATHS.tracks_table,
        code=code("build/ingest"),
    output:
        table=PATHS.low_level_table,
        report=PATHS.low_level_report,
    log:
        log_file("ingest_low_level", "low_level"),
    benchmark:
        benchmark_file("ingest_low_level", "low_level")
    priority: FEATURE_PRIORITY
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=mem_mb(8),
        runtime=runtime_min(60),
    script:
        "../workflow/scripts/ingest_low_level.py"
