"""The feature jobs: a variant's embedding, its fitted transformer and its song indices."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from modelprep.files import load_json, load_pickle, save_json, save_pickle


def input_fingerprint(reports: list[str]) -> str:
    """One hash over the raw files a variant was built from (their sha256, in order)."""
    digest = hashlib.sha256()
    for path in reports:
        report = load_json(path)
        digest.update(f"{Path(report['file']).name}:{report['sha256']}\n".encode())
    return digest.hexdigest()


def _save_variant_features(
    embedding, transformer, indices, reports, started, outputs: dict[str, str]
) -> None:
    save_pickle(embedding, outputs["embeddings"])
    save_pickle(transformer, outputs["transformer"])
    save_pickle(indices, outputs["indices"])
    steps = dict(transformer.steps)
    save_json(
        {
            "features": [str(c) for c in transformer.feature_names_in_],
            "n_features": int(len(transformer.feature_names_in_)),
            "has_scaler": "scaler" in steps,
            "scaler": type(steps["scaler"]).__name__ if "scaler" in steps else None,
            "has_pca": "pca" in steps,
            "pca_components": int(steps["pca"].n_components_) if "pca" in steps else None,
            # Share of the source embedding's variance the components keep.
            "explained_variance": float(steps["pca"].explained_variance_ratio_.sum())
            if "pca" in steps
            else None,
            "feature_shape": list(embedding.shape),
            "input_fingerprint": input_fingerprint(reports),
            "seconds": round(time.perf_counter() - started, 3),
        },
        outputs["meta"],
    )


def scaled_features(
    *,
    columns: list[str],
    scaler: str,
    tracks_table: str,
    low_level_table: str | None,
    reports: list[str],
    outputs: dict[str, str],
) -> None:
    """A variant scaled from raw columns (``columns`` are groups: basic, low_level)."""
    import pandas as pd

    from modelprep.build.features import transform as features

    started = time.perf_counter()
    tracks = pd.read_pickle(tracks_table)
    low_level = pd.read_pickle(low_level_table) if low_level_table else None
    low_level_columns = [] if low_level is None else list(low_level.columns[1:])
    rows = features.variant_table(tracks, low_level, columns)
    raw_columns = features.variant_columns(columns, low_level_columns)
    embedding, transformer = features.fit_scaled(rows, raw_columns, scaler)
    indices = features.song_indices(rows)
    _save_variant_features(embedding, transformer, indices, reports, started, outputs)


def pca_features(
    *,
    n_components: int,
    seed: int,
    base_embeddings: str,
    base_transformer: str,
    base_indices: str,
    reports: list[str],
    outputs: dict[str, str],
) -> None:
    """A variant that is the PCA of another variant's embedding (same rows)."""
    from modelprep.build.features import transform as features

    started = time.perf_counter()
    embedding, transformer = features.fit_pca(
        load_pickle(base_embeddings), load_pickle(base_transformer), n_components, seed
    )
    indices = load_pickle(base_indices)
    _save_variant_features(embedding, transformer, indices, reports, started, outputs)
