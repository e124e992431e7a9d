rule scale_features:
    input:
        unpack(scaled_inputs),
    output:
        embeddings=artifact("{variant}", "audio_embeddings"),
        transformer=artifact("{variant}", "feature_transformer"),
        indices=artifact("{variant}", "song_indices"),
        meta=record(layout.FEATURES_RECORD),
    log:
        log_file("scale_features"),
    benchmark:
        benchmark_file("scale_features")
    wildcard_constraints:
        variant=variant_pattern(pca=False),
    priority: FEATURE_PRIORITY
    conda:
        "../environment.yml"
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
        meta=record(layout.FEATURES_RECORD),
    log:
        log_file("pca_features"),
    benchmark:
        benchmark_file("pca_features")
    wildcard_constraints:
        variant=variant_pattern(pca=True),
    priority: FEATURE_PRIORITY
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=mem_mb(4),
        runtime=runtime_min(60),
    params:
        n_components=spec_value("pca_components"),
        seed=config["seed"],
    script:
        "../workflow/scripts/pca_features.py"
