"""The project's benchmark: the real workflow cold and warm, beside the straightforward baseline.

``python -m modelprep.bench`` generates demo data (default 101,939 tracks with low-level
features), runs ``snakemake`` cold (no processed files, models or Snakemake metadata) and warm
(``--forceall``, publication included) ``--repeats`` times each and reports medians, the
per-rule wall time and peak memory from Snakemake's ``benchmark:`` files, and, at
``--baseline-tracks`` (20,000), the baseline measured in the same invocation: every variant
built one after another with the ``hdbscan`` package's default algorithm and the full
silhouette score, plus the quality guard (adjusted Rand index of the published labels against
a reference ``hdbscan`` fit with the same parameters on the same matrix, and the noise
fraction difference). Results go to stdout (Markdown) and ``--out`` (JSON), with date and
machine, because these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from modelprep import demo
from modelprep.artifacts import library_versions, load_pickle
from modelprep.resources import available_cores

REPO = Path(__file__).resolve().parents[1]
STATE = ("processed", "models", "logs", "benchmarks", "cache")


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpu": model,
        "usable_cores": available_cores(),
        "python": platform.python_version(),
        "versions": library_versions(),
    }


def reset(workdir: Path, cold: bool) -> None:
    """Cold: remove every output, Snakemake's metadata and caches; warm keeps them."""
    if not cold:
        return
    for name in STATE:
        shutil.rmtree(workdir / "data" / name, ignore_errors=True)
    shutil.rmtree(workdir / ".snakemake", ignore_errors=True)
    shutil.rmtree(workdir / "cache", ignore_errors=True)


def timed_run(workdir: Path, command: list[str]) -> float:
    """Wall seconds of ``command`` in ``workdir``, with every cache (numba's included) there."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATA_PATH", "RAW_DATA_PATH", "MODELS_PATH", "NUMBA_CACHE_DIR", "MARKER_DIR")
    }
    env["XDG_CACHE_HOME"] = str(workdir / "cache")
    # startup.py's markers (--check-only reads the last one): the workdir's, not /tmp's
    env["MARKER_DIR"] = str(workdir / "markers")
    started = time.perf_counter()
    result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:])} failed in {workdir}:\n{result.stderr[-3000:]}")
    return elapsed


def snakemake_run(workdir: Path, cores: int, *extra: str) -> float:
    snakefile = str(REPO / "Snakefile")
    command = [sys.executable, "-m", "snakemake", "-s", snakefile, "--cores", str(cores)]
    return timed_run(workdir, [*command, *extra])


def rule_records(workdir: Path) -> dict[str, dict]:
    """Wall seconds and peak RSS (MiB) of each job, from Snakemake's benchmark files."""
    records = {}
    for path in sorted((workdir / "data" / "benchmarks").glob("*/*.tsv")):
        row = pd.read_csv(path, sep="\t").iloc[-1]
        records[f"{path.parent.name}[{path.stem}]"] = {
            "s": float(row["s"]),
            "max_rss_mib": float(row["max_rss"]),
        }
    return records


def measure_workflow(workdir: Path, cores: int, repeats: int) -> dict:
    """Cold and warm runs; medians, and per-rule medians of the warm runs."""
    runs: dict[str, list] = {"cold": [], "warm": []}
    per_rule: dict[str, list] = {}
    for _ in range(repeats):
        reset(workdir, cold=True)
        runs["cold"].append(snakemake_run(workdir, cores))
    for _ in range(repeats):
        runs["warm"].append(snakemake_run(workdir, cores, "--forceall"))
        for job, record in rule_records(workdir).items():
            per_rule.setdefault(job, []).append(record)
    noop = snakemake_run(workdir, cores, "-n")
    check_only = timed_run(
        workdir, [sys.executable, str(REPO / "scripts" / "startup.py"), "--check-only"]
    )
    return {
        "cold_s": runs["cold"],
        "warm_s": runs["warm"],
        "cold_median_s": statistics.median(runs["cold"]),
        "warm_median_s": statistics.median(runs["warm"]),
        "noop_dry_run_s": noop,
        "check_only_s": check_only,
        "per_rule": {
            job: {
                "s": statistics.median(r["s"] for r in records),
                "max_rss_mib": max(r["max_rss_mib"] for r in records),
            }
            for job, records in per_rule.items()
        },
    }


def variant_params(config: dict, variant: str) -> dict:
    params = {**config["hdbscan"], **config["variants"][variant]["hdbscan"]}
    params.pop("prediction_data", None)
    params.pop("engine", None)
    params["algorithm"] = "best"  # the package's default
    return params


def quality_guard(workdir: Path, config: dict) -> dict:
    """Published labels against a reference hdbscan fit on the published matrix."""
    import hdbscan
    from sklearn.metrics import adjusted_rand_score

    models = workdir / "data" / "models"
    guard = {}
    for variant in config["variants"]:
        path = models / f"{variant}_audio_embeddings.pkl"
        if not path.exists():
            continue
        embedding = load_pickle(path)
        labels = load_pickle(models / f"{variant}_cluster_labels.pkl")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            reference = hdbscan.HDBSCAN(**variant_params(config, variant)).fit(embedding).labels_
        ari = float(adjusted_rand_score(reference, labels))
        noise_gap = abs(float((labels == -1).mean()) - float((reference == -1).mean()))
        guard[variant] = {
            "ari": ari,
            "noise_points_gap": 100 * noise_gap,
            "ok": ari >= 0.95 and 100 * noise_gap <= 2.0,
        }
    return guard


def baseline(raw: Path, config: dict) -> float:
    """The straightforward build: every variant in turn, default algorithm, full silhouette."""
    import hdbscan
    from sklearn.metrics import silhouette_score
    from sklearn.neighbors import NearestNeighbors

    from modelprep import features, ingest

    started = time.perf_counter()
    tracks, _ = ingest.read_tracks(raw / "spotify_tracks.csv")
    low, _ = ingest.read_low_level(raw / "low_level_audio_features.csv", tracks["id"])
    fitted = {}
    for variant, spec in config["variants"].items():
        if spec.get("pca_of"):
            base_embedding, base_transformer = fitted[spec["pca_of"]]
            embedding, transformer = features.fit_pca(
                base_embedding, base_transformer, spec["pca_components"], config["seed"]
            )
        else:
            rows = features.variant_table(tracks, low, spec["columns"])
            columns = features.variant_columns(spec["columns"], list(low.columns[1:]))
            embedding, transformer = features.fit_scaled(rows, columns, spec["scaler"])
        fitted[variant] = (embedding, transformer)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            labels = hdbscan.HDBSCAN(**variant_params(config, variant)).fit(embedding).labels_
        clustered = labels != -1
        if np.unique(labels[clustered]).size >= 2:
            silhouette_score(embedding[clustered], labels[clustered])
        NearestNeighbors(n_neighbors=20, algorithm="brute").fit(embedding)
    return time.perf_counter() - started


def time_queries(models_dir: Path, queries: int = 200, seed: int = 0) -> dict:
    """Load time of the base variant and medians of ``similar`` for seeded random tracks."""
    from modelprep.consumer import load

    started = time.perf_counter()
    model = load(models_dir)
    load_s = time.perf_counter() - started
    tracks = np.random.default_rng(seed).choice(model.track_ids, size=queries)
    timings = {"within_cluster": [], "global": []}
    for track in tracks:
        for mode, within in (("within_cluster", True), ("global", False)):
            started = time.perf_counter()
            model.similar(track, k=10, within_cluster=within)
            timings[mode].append(1000 * (time.perf_counter() - started))
    return {
        "variant": model.name,
        "load_s": load_s,
        **{f"{mode}_median_ms": statistics.median(ms) for mode, ms in timings.items()},
    }


def render(report: dict) -> str:
    m, full, small = report["machine"], report["full"], report["at_baseline_size"]

    def row(measure: str, runs: list[float]) -> str:
        values = ", ".join(f"{s:.1f}" for s in runs)
        return f"| {measure} | {statistics.median(runs):.1f} s | {values} |"

    lines = [
        f"Benchmark {m['date']} on {m['host']} ({m['cpu']}, {m['usable_cores']} usable cores)",
        "",
        "| measure | median | runs |",
        "|---|---|---|",
        row(f"cold build, {report['tracks']} tracks", full["cold_s"]),
        row(f"warm build (--forceall), {report['tracks']} tracks", full["warm_s"]),
        f"| no-op dry run | {full['noop_dry_run_s']:.2f} s | 1 |",
        f"| `startup.py --check-only` | {full['check_only_s']:.2f} s | 1 |",
        row(f"warm build, {report['baseline_tracks']} tracks", small["warm_s"]),
        row(f"baseline, {report['baseline_tracks']} tracks", report["baseline_s"]),
        f"| speed-up at {report['baseline_tracks']} tracks (baseline / warm) | "
        f"{report['speedup']:.1f}x | |",
        f"| `similar(k=10)` on {report['queries']['variant']}, {report['tracks']} tracks: "
        f"in the cluster / global | {report['queries']['within_cluster_median_ms']:.2f} / "
        f"{report['queries']['global_median_ms']:.2f} ms | 200 queries |",
        f"| `modelprep.load` (verify and unpickle) | {report['queries']['load_s']:.2f} s | 1 |",
        "",
        "| job (warm, full size) | wall s | peak MiB |",
        "|---|---|---|",
    ]
    for job, record in sorted(full["per_rule"].items(), key=lambda kv: -kv[1]["s"]):
        lines.append(f"| {job} | {record['s']:.1f} | {record['max_rss_mib']:.0f} |")
    lines += [
        "",
        "| variant | ARI vs reference | noise gap (points) | guard |",
        "|---|---|---|---|",
    ]
    for variant, guard in report["quality_guard"].items():
        verdict = "ok" if guard["ok"] else "FAILED"
        lines.append(
            f"| {variant} | {guard['ari']:.4f} | {guard['noise_points_gap']:.2f} | {verdict} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m modelprep.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--tracks", type=int, default=101_939)
    parser.add_argument("--baseline-tracks", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-repeats", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("bench-work"))
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"))
    args = parser.parse_args(argv)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())

    full, small = args.workdir / "full", args.workdir / "baseline"
    demo.write(full / "data" / "raw", args.tracks, seed=7)
    demo.write(small / "data" / "raw", args.baseline_tracks, seed=7)
    report = {"machine": machine(), "tracks": args.tracks, "baseline_tracks": args.baseline_tracks}
    report["full"] = measure_workflow(full, args.cores, args.repeats)
    report["queries"] = time_queries(full / "data" / "models")
    report["at_baseline_size"] = measure_workflow(small, args.cores, args.repeats)
    report["baseline_s"] = [
        baseline(small / "data" / "raw", config) for _ in range(args.baseline_repeats)
    ]
    report["baseline_median_s"] = statistics.median(report["baseline_s"])
    report["speedup"] = report["baseline_median_s"] / report["at_baseline_size"]["warm_median_s"]
    report["quality_guard"] = quality_guard(small, config)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(render(report))
    return 0 if all(g["ok"] for g in report["quality_guard"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
