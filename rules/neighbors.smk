rule neighbors:
    input:
        embeddings=artifact("{variant}", "audio_embeddings"),
        code=code("build/fit"),
    output:
        model=artifact("{variant}", "knn_model"),
        meta=record(layout.KNN_RECORD),
    log:
        log_file("neighbors"),
    benchmark:
        benchmark_file("neighbors")
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=mem_mb(3),
        runtime=runtime_min(60),
    params:
        knn=config["knn"],
    script:
        "../workflow/scripts/neighbors.py"
