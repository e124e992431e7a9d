"""The published models as a library: what the backend and the people choosing a variant use.

Everything is read through :mod:`modelprep.store.integrity`, so nothing is unpickled unless the
manifest vouches for its bytes. Queries use the published arrays and the published exact
``NearestNeighbors``; nothing is refitted per call.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from modelprep import env, layout
from modelprep.errors import InputError, UnknownName
from modelprep.schema import NOISE
from modelprep.store import integrity
from modelprep.store import manifest as manifests

# Neighbours whose majority cluster ``assign`` gives a new track.
ASSIGN_NEIGHBOURS = 15


def default_models_dir() -> str:
    """The contract's default: ``$MODELS_PATH``, then ``$DATA_PATH/models``."""
    return env.paths_from_env().models


def nearest_cluster_vote(neighbour_labels: np.ndarray) -> np.ndarray:
    """Per row, the label most of the neighbours carry; a tie goes to the nearer neighbour.

    ``neighbour_labels`` is (tracks, k), nearest first. Noise (-1) is a label like any other,
    so a track among noise stays noise.
    """
    neighbour_labels = np.asarray(neighbour_labels)
    votes = (neighbour_labels[:, :, None] == neighbour_labels[:, None, :]).sum(axis=2)
    return neighbour_labels[np.arange(len(neighbour_labels)), votes.argmax(axis=1)]


def assign_clusters(knn, reference_labels: np.ndarray, embedding: np.ndarray, k: int):
    """Clusters for new embeddings: the vote of their ``k`` nearest reference tracks."""
    k = min(int(k), len(reference_labels))
    _, rows = knn.kneighbors(embedding, n_neighbors=k)
    return nearest_cluster_vote(np.asarray(reference_labels)[rows])


class PublishedVariant:
    """One published variant, verified and loaded. Build it with :func:`load`."""

    def __init__(self, models_dir: Path, manifest: dict, name: str):
        self.models_dir, self.manifest, self.name = models_dir, manifest, name
        self.config = integrity.load_json(models_dir, manifest, layout.config_file(name))
        self.embeddings = self._pickle("audio_embeddings")
        self.labels = np.asarray(self._pickle("cluster_labels"))
        self.song_indices = self._pickle("song_indices")
        self.transformer = self._pickle("feature_transformer")
        self.knn = self._pickle("knn_model")
        self.track_ids = np.asarray(self.song_indices["track_ids"], dtype=object)
        self._row = {track: row for row, track in enumerate(self.track_ids)}
        order = np.argsort(self.labels, kind="stable")
        clusters, starts = np.unique(self.labels[order], return_index=True)
        self._members = dict(zip(clusters.tolist(), np.split(order, starts[1:]), strict=True))
        self._clusterer = None

    def _pickle(self, kind: str):
        return integrity.load_pickle(
            self.models_dir, self.manifest, layout.variant_file(self.name, kind)
        )

    @property
    def clusterer(self):
        """The published ``hdbscan.HDBSCAN`` (the largest file: loaded on first use)."""
        if self._clusterer is None:
            self._clusterer = self._pickle("hdbscan_model")
        return self._clusterer

    def info(self) -> dict:
        """The variant's config (metadata and quality metrics) and where it was published."""
        return {
            **self.config,
            "models_dir": str(self.models_dir),
            "is_base": self.manifest.get("base_variant") == self.name,
            "published_run_id": self.manifest.get("run_id"),
            "published_at": self.manifest.get("created_at"),
        }

    def row_of(self, track_id: str) -> int:
        try:
            return self._row[track_id]
        except KeyError:
            raise UnknownName(
                f"track '{track_id}' is not in variant {self.name} ({len(self._row)} tracks); "
                "check the id (low-level variants hold only tracks with low-level features)"
            ) from None

    def similar(self, track_id: str, k: int = 10, within_cluster: bool = True) -> pd.DataFrame:
        """The ``k`` tracks nearest to ``track_id``, nearest first, the track itself excluded.

        Within its cluster when ``within_cluster`` (the backend's answer); among all tracks for
        a noise track or when ``within_cluster`` is false.
        """
        if int(k) < 1:
            raise InputError(f"k must be at least 1, not {k}")
        row = self.row_of(track_id)
        query = self.embeddings[row]
        label = int(self.labels[row])
        if within_cluster and label != NOISE:
            members = self._members[label]
            distances = np.sqrt(((self.embeddings[members] - query) ** 2).sum(axis=1))
            order = np.argsort(distances, kind="stable")
            rows, distances = members[order], distances[order]
        else:
            wanted = min(int(k) + 1, len(self.labels))
            distances, rows = (a[0] for a in self.knn.kneighbors([query], n_neighbors=wanted))
        keep = rows != row
        rows, distances = rows[keep][: int(k)], distances[keep][: int(k)]
        return pd.DataFrame(
            {
                "track_id": self.track_ids[rows],
                "name": np.asarray(self.song_indices["track_names"], dtype=object)[rows],
                "artists_id": np.asarray(self.song_indices["track_artists"], dtype=object)[rows],
                "distance": distances,
            }
        )

    def embed(self, tracks: pd.DataFrame) -> np.ndarray:
        """Embeddings of ``tracks`` (raw columns, as in the input CSVs) by the published
        transformer; the columns are the ``features`` of the variant's config."""
        columns = list(self.config["features"])
        missing = [column for column in columns if column not in tracks.columns]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" * (len(missing) > 5))
            raise UnknownName(
                f"tracks: missing column(s) {shown}; variant {self.name} needs the "
                f"{len(columns)} columns listed under 'features' in {layout.config_file(self.name)}"
            )
        frame = tracks[columns].apply(pd.to_numeric, errors="coerce")
        bad = ~np.isfinite(frame.to_numpy(dtype=np.float64))
        if bad.any():
            column = int(np.nonzero(bad.any(axis=0))[0][0])
            raise InputError(
                f"tracks: column '{columns[column]}' has a missing, non-numeric or infinite "
                f"value in row(s) {tracks.index[bad[:, column]].tolist()[:5]}; give every "
                "feature a number"
            )
        return np.ascontiguousarray(self.transformer.transform(frame), dtype=np.float64)

    def assign(self, tracks: pd.DataFrame, k: int = ASSIGN_NEIGHBOURS) -> np.ndarray:
        """A cluster (or -1) for each of ``tracks``: embedded from their raw columns, then the
        majority cluster of their ``k`` nearest published tracks (ties: the nearer one)."""
        return assign_clusters(self.knn, self.labels, self.embed(tracks), k)


def load(models_dir: str | Path | None = None, variant: str | None = None) -> PublishedVariant:
    """Verify and load one published variant; by default the base model's variant."""
    models_dir = Path(models_dir or default_models_dir())
    manifest = manifests.read(models_dir)
    variants = layout.variants_of(manifest)
    if variant is None:
        variant = integrity.load_json(models_dir, manifest, layout.BASE_MODEL)["variant"]
    if variant not in variants:
        raise UnknownName(
            f"variant '{variant}' is not published in {models_dir}; "
            f"published: {', '.join(variants) or 'none'}"
        )
    return PublishedVariant(models_dir, manifest, variant)
