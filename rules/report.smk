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
        # the published set, whose metrics the new ones are compared with
        models_dir=MODELS,
    script:
        "../workflow/scripts/select_base.py"


# What `snakemake --report report.html` shows (workflow/report/ has the captions).
rule figures:
    input:
        unpack(figure_inputs),
        code=CODE,
    output:
        figures=[
            report(
                figure_file(v),
                caption="../workflow/report/variant.rst",
                category="Variants",
                labels={"variant": v, "figure": "clusters"},
            )
            for v in active_variants()
        ],
        metrics=report(
            f"{REPORT}/metrics.html",
            caption="../workflow/report/metrics.rst",
            category="Quality metrics",
            labels={"table": "metrics"},
        ),
    log:
        f"{LOGS}/figures/figures.log",
    benchmark:
        f"{BENCHMARKS}/figures/figures.tsv"
    threads: 1
    resources:
        mem_mb=mem_mb(3, floor=1024),
        runtime=runtime_min(10),
    params:
        seed=config["seed"],
        variants=active_variants(),
    script:
        "../workflow/scripts/figures.py"


rule run_statistics:
    input:
        benchmarks=job_benchmarks(),
        code=CODE,
    output:
        table=report(
            f"{REPORT}/run_statistics.html",
            caption="../workflow/report/run_statistics.rst",
            category="Run statistics",
            labels={"table": "jobs"},
        ),
    log:
        f"{LOGS}/run_statistics/run_statistics.log",
    threads: 1
    resources:
        mem_mb=512,
        runtime=runtime_min(60),
    script:
        "../workflow/scripts/run_statistics.py"
