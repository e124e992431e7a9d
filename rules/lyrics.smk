# The lyrics similarity models (contract: Lyrics models). The jobs always exist: whether the
# lyrics column is there, and has enough usable tracks, is decided when they run (no CSV is
# read while this file is parsed), and each job records ok, skipped or failed.
rule lyrics_tokens:
    input:
        csv=TRACKS_CSV,
        code=code("build/ingest", "build/lyrics"),
    output:
        table=PATHS.lyrics_tokens,
        record=lyrics_record(layout.LYRICS_TOKENS),
    log:
        log_file("lyrics_tokens", "lyrics"),
    benchmark:
        benchmark_file("lyrics_tokens", "lyrics")
    priority: LYRICS_TOKENS_PRIORITY
    conda:
        "../environment.yml"
    threads: 2
    resources:
        mem_mb=mem_mb(4, floor=1024),
        runtime=runtime_min(60),
    params:
        seed=config["seed"],
    script:
        "../workflow/scripts/lyrics_tokens.py"


rule lyrics_tfidf:
    input:
        table=PATHS.lyrics_tokens,
        record=lyrics_record(layout.LYRICS_TOKENS),
        code=code("build/ingest", "build/lyrics"),
    output:
        index=PATHS.lyrics_index,
        staged=directory(lyrics_staged(layout.LYRICS_TFIDF)),
        record=lyrics_record(layout.LYRICS_TFIDF),
    log:
        log_file("lyrics_tfidf", "lyrics"),
    benchmark:
        benchmark_file("lyrics_tfidf", "lyrics")
    priority: FEATURE_PRIORITY
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=mem_mb(6, floor=1024),
        runtime=runtime_min(60),
    params:
        tfidf=LYRICS["tfidf"],
        min_tracks=LYRICS["min_tracks"],
        sample_size=LYRICS["evaluation"]["sample_size"],
        seed=config["seed"],
    script:
        "../workflow/scripts/lyrics_tfidf.py"


rule lyrics_model:
    input:
        index=PATHS.lyrics_index,
        record=lyrics_record(layout.LYRICS_TFIDF),
        code=code("build/ingest", "build/lyrics"),
    output:
        staged=directory(lyrics_staged("{model}")),
        record=lyrics_record("{model}"),
    log:
        log_file("lyrics_model", "{model}"),
    benchmark:
        benchmark_file("lyrics_model", "{model}")
    wildcard_constraints:
        model="|".join(LYRICS["models"]),
    priority: longest_first("lyrics_model", "model")
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=mem_mb(4, floor=1024),
        runtime=runtime_min(60),
    params:
        spec=lyrics_model_spec,
        neighbours=LYRICS["evaluation"]["neighbours"],
        seed=config["seed"],
    script:
        "../workflow/scripts/lyrics_model.py"


rule lyrics_evaluation:
    input:
        tfidf=lyrics_record(layout.LYRICS_TFIDF),
        models=[lyrics_record(m) for m in LYRICS["models"]],
        code=code("build/ingest", "build/lyrics"),
    output:
        staged=directory(lyrics_staged(layout.LYRICS_EVALUATE)),
        record=lyrics_record(layout.LYRICS_EVALUATE),
    log:
        log_file("lyrics_evaluation", "lyrics"),
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=runtime_min(60),
    params:
        models=list(LYRICS["models"]),
    script:
        "../workflow/scripts/lyrics_evaluation.py"
