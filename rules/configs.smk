rule variant_config:
    input:
        features=record(layout.FEATURES_RECORD),
        cluster=record(layout.CLUSTER_RECORD),
        knn=record(layout.KNN_RECORD),
        code=code("build/configs"),
    output:
        config=variant_config_file("{variant}"),
    log:
        log_file("variant_config"),
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=runtime_min(60),
    params:
        approach=spec_value("approach"),
        feature_type=spec_value("feature_type"),
    script:
        "../workflow/scripts/variant_config.py"


# Reads the staged configs only: the published set is publication's business alone.
rule select_base:
    input:
        unpack(base_inputs),
        lyrics=lyrics_record(layout.LYRICS_EVALUATE),
        code=code("build/configs"),
    output:
        base=[staged(name) for name in layout.BASE_FILES],
        base_model=staged(layout.BASE_MODEL),
        metrics=staged(layout.METRICS),
    log:
        log_file("select_base", "base"),
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=runtime_min(60),
    params:
        variant_files=variant_files_param,
    script:
        "../workflow/scripts/select_base.py"
