rule neighbors:
    input:
        embeddings=artifact("{variant}", "audio_embeddings"),
        code=CODE,
    output:
        model=artifact("{variant}", "knn_model"),
        meta=work("knn.json"),
    log:
        f"{LOGS}/neighbors/{{variant}}.log",
    benchmark:
        f"{BENCHMARKS}/neighbors/{{variant}}.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb(3),
        runtime=runtime_min(60),
    params:
        knn=config["knn"],
    script:
        "../workflow/scripts/neighbors.py"
