"""``modelprep status / recommend / compare``: the published set from a terminal.

Exit status: 0 success; 1 a published file failed verification (or no set is published);
2 a usage error, or an unknown track id or variant.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from modelprep import layout
from modelprep.errors import InputError, IntegrityError
from modelprep.schema import NOISE
from modelprep.store import history, integrity
from modelprep.store import manifest as manifests
from modelprep.tables import table

# Columns of ``status`` and ``compare``: (heading, key in a variant's config or metrics).
STATUS_COLUMNS = (
    ("variant", "variant_name"),
    ("tracks", "n_tracks"),
    ("clusters", "n_clusters"),
    ("noise %", "noise_percent"),
    ("silhouette", "silhouette_score"),
    ("created", "created_at"),
    ("verified", "verified"),
)
COMPARED = (
    "n_tracks",
    "n_clusters",
    "noise_fraction",
    "silhouette_score",
    "dbcv",
    "neighbour_consistency",
    "cluster_size_quantiles.median",
    "explained_variance",
)


LYRICS_COMPARED = (
    "self_retrieval_first",
    "self_retrieval_at_distance_0",
    "same_artist_rate",
    "random_same_artist_rate",
)


def _failed(models_dir: Path, manifest: dict, owner: str, verify: bool) -> list[str]:
    """The files of ``owner`` (a variant, or the lyrics) that fail verification: by sha256
    when ``verify``, by size and mtime otherwise."""
    names = [name for name, entry in manifest["files"].items() if entry["variant"] == owner]
    if verify:
        return [n for n, p in integrity.verify(models_dir, manifest, names).items() if p]
    quick = {problem.split(":")[0] for problem in manifests.problems(models_dir, manifest)}
    return [name for name in names if name in quick]


def _verified(failed: list[str], verify: bool) -> str:
    if failed:
        return "FAILED: " + ", ".join(failed)
    return "sha256 ok" if verify else "size+mtime ok"


def lyrics_status(models_dir: Path, manifest: dict, verify: bool) -> list[dict]:
    """One record per published lyrics model (they share the vectorizer and metadata)."""
    failed = _failed(models_dir, manifest, layout.LYRICS, verify)
    records = []
    for model in layout.lyrics_models_of(manifest):
        try:
            config = integrity.load_json(models_dir, manifest, layout.lyrics_config_file(model))
        except IntegrityError:
            config = {}
        records.append(
            {
                "model": model,
                "n_tracks": config.get("n_tracks"),
                "vocabulary_size": config.get("vocabulary_size"),
                **{k: (config.get("quality") or {}).get(k) for k in LYRICS_COMPARED[:3]},
                "created_at": config.get("created_at"),
                "verified": _verified(failed, verify),
            }
        )
    return records


def status(models_dir: Path, verify: bool) -> tuple[list[dict], bool]:
    """One record per published variant; ``verify`` checks every file's sha256."""
    manifest = manifests.read(models_dir)
    records, healthy = [], True
    for variant in layout.variants_of(manifest):
        failed = _failed(models_dir, manifest, variant, verify)
        config_name = layout.config_file(variant)
        try:
            config = integrity.load_json(models_dir, manifest, config_name)
        except IntegrityError:  # its numbers cannot be trusted: shown as "-", and failed
            config = {}
            failed = sorted({*failed, config_name})
        healthy = healthy and not failed
        records.append(
            {
                **{key: config.get(key) for _, key in STATUS_COLUMNS},
                "variant_name": variant,
                "noise_percent": _percent(config.get("noise_fraction")),
                "base": manifest.get("base_variant") == variant,
                "verified": _verified(failed, verify),
            }
        )
    return records, healthy


def _percent(fraction) -> float | None:
    return None if fraction is None else round(100 * fraction, 2)


def compare(models_dir: Path) -> dict:
    """Every variant's metrics (``metrics.json``), each with its ``change`` since the set in
    ``.previous/``."""
    metrics, _ = history.verified_metrics(models_dir)
    changes = history.changes_since_previous(models_dir, metrics)
    return {
        "base_variant": metrics["base_variant"],
        "previous_run_id": changes["previous_run_id"],
        "variants": {
            name: {**values, "change": changes["variants"][name]}
            for name, values in metrics["variants"].items()
        },
        "lyrics": metrics.get("lyrics"),
    }


def _metric(metrics: dict, key: str):
    """``key``'s value, where ``a.b`` reads ``metrics["a"]["b"]``."""
    for part in key.split("."):
        metrics = metrics.get(part) if isinstance(metrics, dict) else None
    return metrics


def cmd_status(args) -> int:
    records, healthy = status(args.models_dir, args.verify)
    lyrics = lyrics_status(args.models_dir, manifests.read(args.models_dir), args.verify)
    healthy = healthy and not any(r["verified"].startswith("FAILED") for r in lyrics)
    if args.json:
        print(
            json.dumps(
                {"models_dir": str(args.models_dir), "variants": records, "lyrics": lyrics},
                indent=2,
            )
        )
    else:
        rows = [
            [r["variant_name"] + (" (base)" if r["base"] else "")]
            + [r[key] for _, key in STATUS_COLUMNS[1:]]
            for r in records
        ]
        print(table([heading for heading, _ in STATUS_COLUMNS], rows))
        if lyrics:
            print("\nlyrics models")
            print(table(list(lyrics[0]), [list(r.values()) for r in lyrics]))
    return 0 if healthy else 1


def cmd_recommend_lyrics(args) -> int:
    from modelprep.consumer.lyrics import load_lyrics

    model = load_lyrics(args.models_dir, args.variant)
    answer = model.similar(args.track, k=args.k)
    if args.json:
        print(answer.to_json(orient="records", indent=2))
        return 0
    print(f"lyrics model {model.name}: {args.k} tracks whose lyrics are like {args.track}'s")
    ranked = [[rank, *values] for rank, values in enumerate(answer.itertuples(index=False), 1)]
    print(table(["#", "track_id", "name", "artists_id", "distance"], ranked))
    return 0


def cmd_recommend(args) -> int:
    from modelprep.consumer.variant import load

    if args.lyrics:
        return cmd_recommend_lyrics(args)
    model = load(args.models_dir, args.variant)
    answer = model.similar(args.track, k=args.k, within_cluster=not args.all_tracks)
    if args.json:
        print(answer.to_json(orient="records", indent=2))
        return 0
    row = model.row_of(args.track)
    label = int(model.labels[row])
    print(
        f"{model.name}: {args.k} tracks like '{model.song_indices['track_names'][row]}' "
        f"({args.track}), "
        + ("all tracks searched" if args.all_tracks or label == NOISE else f"cluster {label}")
        + (" (a noise track)" if label == NOISE else "")
    )
    ranked = [[rank, *values] for rank, values in enumerate(answer.itertuples(index=False), 1)]
    print(table(["#", "track_id", "name", "artists_id", "distance"], ranked))
    return 0


def cmd_compare(args) -> int:
    metrics = compare(args.models_dir)
    if args.json:
        print(json.dumps(metrics, indent=2))
        return 0
    variants = metrics["variants"]
    names = list(variants)
    rows = []
    for key in COMPARED:
        rows.append([key, *(_metric(variants[name], key) for name in names)])
        changes = [_metric(variants[name].get("change") or {}, key) for name in names]
        if any(change is not None for change in changes):
            rows.append(["  change", *changes])
    print(f"base variant: {metrics.get('base_variant')}")
    print(table(["metric", *names], rows))
    lyrics = metrics.get("lyrics") or {}
    if lyrics.get("models"):
        models = lyrics["models"]
        rows = [[key, *(models[m].get(key) for m in models)] for key in LYRICS_COMPARED]
        print(f"\nlyrics models: {lyrics['n_tracks']} tracks, {lyrics['vocabulary_size']} terms")
        print(table(["metric", *models], rows))
    elif lyrics:
        print(f"\nlyrics models: {lyrics['status']} ({lyrics['reason']})")
    return 0


def parser() -> argparse.ArgumentParser:
    from modelprep.consumer.variant import default_models_dir

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--models-dir",
        type=Path,
        default=Path(default_models_dir()),
        help="the published set (default: $MODELS_PATH, then $DATA_PATH/models)",
    )
    common.add_argument("--json", action="store_true", help="machine-readable output")
    top = argparse.ArgumentParser(prog="modelprep", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True)
    show = commands.add_parser("status", parents=[common], help="per-variant summary")
    show.add_argument("--verify", action="store_true", help="check every file's sha256")
    show.set_defaults(run=cmd_status)
    recommend = commands.add_parser("recommend", parents=[common], help="tracks like a track")
    recommend.add_argument(
        "--variant",
        help="default: the base model's variant (with --lyrics: the lyrics model, by default "
        "the one the backend serves)",
    )
    recommend.add_argument(
        "--lyrics", action="store_true", help="tracks with similar lyrics (the lyrics models)"
    )
    recommend.add_argument("--track", required=True, help="a track id")
    recommend.add_argument("-k", type=int, default=10, help="how many (default 10)")
    recommend.add_argument(
        "--all-tracks", action="store_true", help="search every track, not only its cluster"
    )
    recommend.set_defaults(run=cmd_recommend)
    side = commands.add_parser("compare", parents=[common], help="variants side by side")
    side.set_defaults(run=cmd_compare)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as error:  # unknown track, variant or column; bad k
        print(f"modelprep {args.command}: {error}", file=sys.stderr)
        return 2
    except IntegrityError as error:
        print(f"modelprep {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
