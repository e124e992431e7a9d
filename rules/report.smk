rule variant_config:
    input:
        features=work("features.json"),
        cluster=work("cluster.json"),
        knn=work("knn.json"),
        code=CODE,
    output:
        config=variant_config_file("{variant}"),
    log:
        f"{LOGS}/variant_config/{{variant}}.log",
    threads: 1
    resources:
        mem_mb=512,
        runtime=runtime_min(60),
    params:
        approach=spec_value("approach"),
        feature_type=spec_value("feature_type"),
    script:
        "../workflow/scripts/variant_config.py"


rule select_base:
    input:
        unpack(base_inputs),
        code=CODE,
    output:
        base=BASE_FILES,
        base_model=f"{ARTIFACTS}/base_model.json",
        metrics=f"{ARTIFACTS}/metrics.json",
    log:
        f"{LOGS}/select_base/base.log",
    threads: 1
    resources:
        mem_mb=512,
        runtime=runtime_min(60),
    params:
        variant_files=variant_files_param,
    script:
        "../workflow/scripts/select_base.py"
