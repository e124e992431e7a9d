rule cluster:
    input:
        embeddings=artifact("{variant}", "audio_embeddings"),
        code=CODE,
    output:
        model=artifact("{variant}", "hdbscan_model"),
        labels=artifact("{variant}", "cluster_labels"),
        meta=work("cluster.json"),
    log:
        f"{LOGS}/cluster/{{variant}}.log",
    benchmark:
        f"{BENCHMARKS}/cluster/{{variant}}.tsv"
    priority: cluster_priority
    threads: cluster_threads
    resources:
        mem_mb=mem_mb(6, floor=1024),
        runtime=runtime_min(600, floor=10),
    params:
        hdbscan=hdbscan_params,
        silhouette_sample=config["silhouette"]["sample_size"],
        seed=config["seed"],
    script:
        "../workflow/scripts/cluster.py"
