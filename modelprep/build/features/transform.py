"""Feature matrices of the variants, each with the fitted transformer that reproduces it.

A transformer is always a scikit-learn ``Pipeline`` fitted on a DataFrame, so it remembers the
raw column names (``feature_names_in_``) and turns raw columns into the variant's embedding
with one ``transform`` call. It holds only scikit-learn classes, so it unpickles without
modelprep.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from modelprep.errors import InputError
from modelprep.layout import LOW_LEVEL_CSV
from modelprep.schema import BASIC_FEATURES, LOW_LEVEL_ID

SCALERS = {"minmax": MinMaxScaler, "standard": StandardScaler}


def variant_columns(groups, low_level_columns) -> list[str]:
    """The raw columns of a variant, in order: the basic features, then the low-level ones."""
    columns: list[str] = []
    for group in groups:
        if group == "basic":
            columns.extend(BASIC_FEATURES)
        elif group == "low_level":
            columns.extend(low_level_columns)
        else:
            raise InputError(f"config: unknown column group '{group}' (use basic or low_level)")
    return columns


def variant_table(tracks: pd.DataFrame, low_level: pd.DataFrame | None, groups) -> pd.DataFrame:
    """Rows of a variant: every track for basic-only variants, tracks with low-level rows else."""
    if "low_level" not in groups:
        return tracks
    if low_level is None:
        raise InputError(f"config: a low_level variant needs {LOW_LEVEL_CSV}")
    return tracks.merge(low_level, left_on="id", right_on=LOW_LEVEL_ID, how="inner", sort=False)


def fit_scaled(frame: pd.DataFrame, columns, scaler: str) -> tuple[np.ndarray, Pipeline]:
    """Scale ``frame[columns]``; returns the float64 embedding and the fitted pipeline."""
    if scaler not in SCALERS:
        raise InputError(f"config: unknown scaler '{scaler}' (use {', '.join(SCALERS)})")
    pipeline = Pipeline([("scaler", SCALERS[scaler]())])
    embedding = pipeline.fit_transform(frame[list(columns)])
    return np.ascontiguousarray(embedding, dtype=np.float64), pipeline


def fit_pca(
    base_embedding: np.ndarray, base_transformer: Pipeline, n_components: int, seed: int
) -> tuple[np.ndarray, Pipeline]:
    """PCA of another variant's embedding, chained after that variant's transformer.

    The embedding is ``pca.transform`` of the base embedding (not ``fit_transform``), so the
    published transformer reproduces it exactly from raw columns.
    """
    n_rows, n_dims = base_embedding.shape
    if not 1 <= n_components <= min(n_rows, n_dims):
        raise InputError(
            f"config: pca_components={n_components} must be between 1 and "
            f"min(tracks, dimensions) = {min(n_rows, n_dims)}"
        )
    pca = PCA(n_components=n_components, whiten=False, svd_solver="full", random_state=seed)
    pca.fit(base_embedding)
    embedding = np.ascontiguousarray(pca.transform(base_embedding), dtype=np.float64)
    pipeline = Pipeline([*base_transformer.steps, ("pca", pca)])
    return embedding, pipeline


def song_indices(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """The backend's row -> track mapping, aligned with the embedding rows."""
    return {
        "track_ids": rows["id"].to_numpy(dtype=object),
        "track_names": rows["name"].to_numpy(dtype=object),
        "track_artists": rows["artists_id"].to_numpy(dtype=object),
        "track_uris": rows["uri"].to_numpy(dtype=object),
    }
