rule cluster:
    input:
        embeddings=artifact("{variant}", "audio_embeddings"),
        meta=record(layout.FEATURES_RECORD),
        code=code("build/fit"),
    output:
        model=artifact("{variant}", "hdbscan_model"),
        labels=artifact("{variant}", "cluster_labels"),
        meta=record(layout.CLUSTER_RECORD),
    log:
        log_file("cluster"),
    benchmark:
        benchmark_file("cluster")
    priority: longest_first("cluster", "variant")
    conda:
        "../environment.yml"
    threads: cluster_threads
    resources:
        mem_mb=cluster_mem_mb,
        runtime=runtime_min(600, floor=10),
    params:
        hdbscan=hdbscan_params,
        silhouette_sample=config["silhouette"]["sample_size"],
        seed=config["seed"],
    script:
        "../workflow/scripts/cluster.py"
