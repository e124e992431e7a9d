rule ingest_tracks:
    input:
        csv=TRACKS_CSV,
        code=CODE,
    output:
        table=f"{PROCESSED}/tracks.pkl",
        report=TRACKS_REPORT,
    log:
        f"{LOGS}/ingest_tracks/tracks.log",
    benchmark:
        f"{BENCHMARKS}/ingest_tracks/tracks.tsv"
    priority: FEATURE_PRIORITY
    threads: 1
    resources:
        mem_mb=mem_mb(8),
        runtime=runtime_min(60),
    script:
        "../workflow/scripts/ingest_tracks.py"


rule ingest_low_level:
    input:
        csv=LOW_LEVEL_CSV,
        tracks=f"{PROCESSED}/tracks.pkl",
        code=CODE,
    output:
        table=f"{PROCESSED}/low_level.pkl",
        report=LOW_LEVEL_REPORT,
    log:
        f"{LOGS}/ingest_low_level/low_level.log",
    benchmark:
        f"{BENCHMARKS}/ingest_low_level/low_level.tsv"
    priority: FEATURE_PRIORITY
    threads: 1
    resources:
        mem_mb=mem_mb(8),
        runtime=runtime_min(60),
    script:
        "../workflow/scripts/ingest_low_level.py"
