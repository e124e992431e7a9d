rule scale_features:
    input:
        unpack(scaled_inputs),
    output:
        embeddings=artifact("{variant}", "audio_embeddings"),
        transformer=artifact("{variant}", "feature_transformer"),
        indices=artifact("{variant}", "song_indices"),
        meta=work("features.json"),
    log:
        f"{LOGS}/scale_features/{{variant}}.log",
    benchmark:
        f"{BENCHMARKS}/scale_features/{{variant}}.tsv"
    wildcard_constraints:
        variant=variant_pattern(pca=False),
    priority: FEATURE_PRIORITY
    threads: 1
    resources:
        mem_mb=mem_mb(6),
        runtime=runtime_min(60),
    params:
        columns=spec_value("columns"),
        scaler=spec_value("scaler"),
    script:
        "../workflow/scripts/scale_features.py"


rule pca_features:
    input:
        unpack(pca_inputs),
    output:
        embeddings=artifact("{variant}", "audio_embeddings"),
        transformer=artifact("{variant}", "feature_transformer"),
        indices=artifact("{variant}", "song_indices"),
        meta=work("features.json"),
    log:
        f"{LOGS}/pca_features/{{variant}}.log",
    benchmark:
        f"{BENCHMARKS}/pca_features/{{variant}}.tsv"
    wildcard_constraints:
        variant=variant_pattern(pca=True),
    priority: FEATURE_PRIORITY
    threads: 1
    resources:
        mem_mb=mem_mb(4),
        runtime=runtime_min(60),
    params:
        n_components=spec_value("pca_components"),
        seed=config["seed"],
    script:
        "../workflow/scripts/pca_features.py"
