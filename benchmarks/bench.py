"""The project's benchmark: the real workflow cold and warm, beside the straightforward baseline.

``python -m benchmarks.bench`` (from the repository root) generates demo data of each
``--families`` family (default genres and latent, 101,939 tracks with low-level features), runs
``snakemake`` cold (no processed files, models or Snakemake metadata) and warm (``--forceall``,
publication included) ``--repeats`` times each and reports medians, the per-rule wall time and
peak memory from Snakemake's ``benchmark:`` files, and, at ``--baseline-tracks`` (20,000), the
baseline measured in the same invocation: every variant built one after another with the
``hdbscan`` package's default algorithm and the full silhouette score. Then the exactness guard,
at the baseline size on every ``--guard-families`` family: each published model against
``hdbscan``'s exact tree on the published embedding (benchmarks/certificate.py: tree weights,
ARI, noise). ``--lyrics-cost`` adds warm builds of the first family without the lyrics column,
alternated with builds with it: what the lyrics models add to the build. Results go to stdout
(Markdown), ``--out`` (JSON) and ``--plot`` (each job's time and memory), with date and
machine, because these machines are shared and noisy. ``--scale`` runs the scaling mode instead
(``benchmarks/scale.py``: how time and memory grow with the number of tracks). The runs
themselves are ``benchmarks/runs.py``'s.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import yaml

from benchmarks import scale
from benchmarks.plot import write_plot
from benchmarks.render import render
from benchmarks.runs import REPO, machine, measure_workflow, reset, rule_records, snakemake_run
from modelprep import demo, layout


def without_lyrics(raw: Path, target: Path) -> None:
    """The same inputs without the lyrics column: the lyrics jobs then record skipped."""
    import pandas as pd

    target.mkdir(parents=True, exist_ok=True)
    for csv in raw.glob("*.csv"):
        if csv.name == layout.TRACKS_CSV:
            frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
            frame.drop(columns="lyrics").to_csv(target / csv.name, index=False)
        else:
            shutil.copy2(csv, target / csv.name)


def measure_lyrics_cost(with_lyrics: Path, cores: int, repeats: int) -> dict:
    """What the lyrics jobs add to a warm build: warm runs of the same inputs with and without
    the lyrics column, alternated round by round (which goes first alternates too)."""
    without = with_lyrics.parent / f"{with_lyrics.name}-no-lyrics"
    without_lyrics(with_lyrics / "data" / "raw", without / "data" / "raw")
    reset(without, cold=True)
    snakemake_run(without, cores)
    runs: dict[str, list] = {"with": [], "without": []}
    for round_ in range(repeats):
        order = ("with", "without") if round_ % 2 == 0 else ("without", "with")
        for which in order:
            workdir = with_lyrics if which == "with" else without
            runs[which].append(snakemake_run(workdir, cores, "--forceall"))
    lyrics_jobs = {
        job: record
        for job, record in rule_records(with_lyrics).items()
        if job.startswith("lyrics_")
    }
    return {
        "with_warm_s": runs["with"],
        "without_warm_s": runs["without"],
        "added_median_s": statistics.median(runs["with"]) - statistics.median(runs["without"]),
        "lyrics_jobs": lyrics_jobs,
    }


def variant_params(config: dict, variant: str) -> dict:
    params = {**config["hdbscan"], **config["variants"][variant]["hdbscan"]}
    for key in ("prediction_data", "engine", "mst_algorithm", "approx_min_span_tree"):
        params.pop(key, None)
    params["algorithm"] = "best"  # the package's default
    return params


def quality_guard(workdir: Path) -> dict:
    """Every published model against hdbscan's exact tree on its published embedding, with
    the parameters its config records. A variant passes when its tree is a minimum one."""
    from benchmarks import certificate
    from modelprep.consumer import load
    from modelprep.store import manifest as manifests

    models = workdir / "data" / "models"
    guard = {}
    for variant in layout.variants_of(manifests.read(models)):
        published = load(models, variant)
        started = time.perf_counter()
        result = certificate.certify(
            published.clusterer, published.embeddings, published.config["hdbscan_params"]
        )
        guard[variant] = {
            "mst_algorithm": published.config["mst_algorithm"],
            **result["tree"],
            **result["labels"],
            "reference_s": time.perf_counter() - started,
            "ok": result["tree"]["exact"] and published.config["mst_exact"],
        }
    return guard


def baseline(raw: Path, config: dict) -> float:
    """The straightforward build: every variant in turn, default algorithm, full silhouette."""
    import hdbscan
    from sklearn.metrics import silhouette_score
    from sklearn.neighbors import NearestNeighbors

    from modelprep.build.features import transform as features
    from modelprep.build.ingest import tables as ingest

    started = time.perf_counter()
    tracks, _ = ingest.read_tracks(raw / layout.TRACKS_CSV)
    low, _ = ingest.read_low_level(raw / layout.LOW_LEVEL_CSV, tracks["id"])
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


def add_guard(report: dict, args: argparse.Namespace, guard_families: list[str]) -> None:
    """The exactness guard at the baseline size on each guard family (the baseline's build of
    genres is reused)."""
    small = args.workdir / "baseline"
    report["quality_guard"] = {}
    for family in guard_families:
        built = family == "genres" and not args.no_baseline
        workdir = small if built else args.workdir / f"guard-{family}"
        if not built:
            demo.write(workdir / "data" / "raw", args.baseline_tracks, seed=7, family=family)
            reset(workdir, cold=True)
            snakemake_run(workdir, args.cores)
        report["quality_guard"][family] = quality_guard(workdir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--tracks", type=int, default=101_939)
    parser.add_argument("--families", default="genres,latent", help="full-size builds")
    parser.add_argument("--guard-families", default="genres,latent,skewed", help="'' for none")
    parser.add_argument(
        "--no-baseline", action="store_true", help="full-size builds only (and the guard)"
    )
    parser.add_argument("--baseline-tracks", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline-repeats", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("bench-work"))
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--plot", type=Path, default=Path("bench-results.png"))
    parser.add_argument(
        "--lyrics-cost",
        action="store_true",
        help="also warm builds of the first family without the lyrics column, alternated",
    )
    scale.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.scale:
        return scale.main(args)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    families = args.families.split(",")
    guard_families = [f for f in args.guard_families.split(",") if f]

    report = {"machine": machine(), "tracks": args.tracks, "baseline_tracks": args.baseline_tracks}
    report["full"] = {}
    for family in families:
        full = args.workdir / f"full-{family}"
        demo.write(full / "data" / "raw", args.tracks, seed=7, family=family)
        report["full"][family] = measure_workflow(full, args.cores, args.repeats)
    report["queries"] = time_queries(args.workdir / f"full-{families[0]}" / "data" / "models")
    if args.lyrics_cost:
        first = args.workdir / f"full-{families[0]}"
        report["lyrics_cost"] = measure_lyrics_cost(first, args.cores, args.repeats)
    small = args.workdir / "baseline"
    if not args.no_baseline:
        demo.write(small / "data" / "raw", args.baseline_tracks, seed=7)
        report["at_baseline_size"] = measure_workflow(small, args.cores, args.repeats)
        report["baseline_s"] = [
            baseline(small / "data" / "raw", config) for _ in range(args.baseline_repeats)
        ]
        report["baseline_median_s"] = statistics.median(report["baseline_s"])
        warm = report["at_baseline_size"]["warm_median_s"]
        report["speedup"] = report["baseline_median_s"] / warm
    add_guard(report, args, guard_families)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    write_plot(report, args.plot)
    print(render(report))
    guards = [g for family in report["quality_guard"].values() for g in family.values()]
    return 0 if all(g["ok"] for g in guards) else 1


if __name__ == "__main__":
    sys.exit(main())
