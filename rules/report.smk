# What `snakemake --report report.html` shows (workflow/report/ has the captions).
rule figures:
    input:
        unpack(figure_inputs),
        code=code("build/report"),
    output:
        figures=[
            report(
                report_file(layout.figure_file(v)),
                caption="../workflow/report/variant.rst",
                category="Variants",
                labels={"variant": v, "figure": "clusters"},
            )
            for v in active_variants()
        ],
        metrics=report(
            report_file(layout.METRICS_TABLE),
            caption="../workflow/report/metrics.rst",
            category="Quality metrics",
            labels={"table": "metrics"},
        ),
    log:
        log_file("figures", "figures"),
    benchmark:
        benchmark_file("figures", "figures")
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=mem_mb(3, floor=1024),
        runtime=runtime_min(10),
    params:
        seed=config["seed"],
        variants=active_variants(),
    script:
        "../workflow/scripts/figures.py"


# Publication writes the changes since the previous set: it alone reads MODELS_PATH.
rule changes:
    input:
        changes=report_file(layout.CHANGES),
        code=code("build/report"),
    output:
        table=report(
            report_file(layout.CHANGES_TABLE),
            caption="../workflow/report/changes.rst",
            category="Quality metrics",
            labels={"table": "change since the previous set"},
        ),
    log:
        log_file("changes", "changes"),
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=runtime_min(60),
    script:
        "../workflow/scripts/changes.py"


rule lyrics_report:
    input:
        record=lyrics_record(layout.LYRICS_EVALUATE),
        code=code("build/report"),
    output:
        table=report(
            report_file(layout.LYRICS_TABLE),
            caption="../workflow/report/lyrics.rst",
            category="Lyrics models",
            labels={"table": "lyrics models"},
        ),
    log:
        log_file("lyrics_report", "lyrics"),
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=runtime_min(60),
    script:
        "../workflow/scripts/lyrics_report.py"


rule run_statistics:
    input:
        benchmarks=job_benchmarks(),
        code=code("build/report"),
    output:
        table=report(
            report_file(layout.RUN_STATISTICS),
            caption="../workflow/report/run_statistics.rst",
            category="Run statistics",
            labels={"table": "jobs"},
        ),
    log:
        log_file("run_statistics", "run_statistics"),
    conda:
        "../environment.yml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=runtime_min(60),
    script:
        "../workflow/scripts/run_statistics.py"
