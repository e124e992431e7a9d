"""The published lyrics models as a library: what the backend's lyrics recommender answers,
from the same files, verified against the manifest before anything is unpickled."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from modelprep import layout, lyrics_text
from modelprep.consumer.variant import default_models_dir
from modelprep.errors import InputError, UnknownName
from modelprep.store import integrity
from modelprep.store import manifest as manifests

log = logging.getLogger(__name__)

# The backend serves the first of these that is published (contract: Lyrics models).
BACKEND_ORDER = ("svd_knn", "svd_knn_large", "knn_cosine", "knn_cosine_k20")


class PublishedLyrics:
    """One published lyrics model with the shared vectorizer and metadata. Build it with
    :func:`load_lyrics`."""

    def __init__(self, models_dir: Path, manifest: dict, name: str):
        self.models_dir, self.manifest, self.name = models_dir, manifest, name
        self.config = integrity.load_json(models_dir, manifest, layout.lyrics_config_file(name))
        self.vectorizer = self._pickle(layout.LYRICS_VECTORIZER)
        self.metadata = self._pickle(layout.LYRICS_METADATA)
        files = layout.lyrics_model_files(name, self.config["has_svd"])
        self.svd = self._pickle(files[0]) if self.config["has_svd"] else None
        self.knn = self._pickle(files[-1])
        self.songs = pd.DataFrame(self.metadata["training_songs"])
        self._row = {track: row for row, track in enumerate(self.songs["id"])}

    def _pickle(self, name: str):
        return integrity.load_pickle(self.models_dir, self.manifest, name)

    def vectors(self, texts: list[str]):
        """What the backend hands ``kneighbors`` for these lyrics: its preprocessing (cleaned
        text only, with a warning, when the NLTK data is missing, as the backend does)."""
        try:
            tools = lyrics_text.nltk_tools()
            processed = [lyrics_text.preprocess(t, tools) for t in texts]
        except InputError as error:
            log.warning("%s; querying with the cleaned text, as the backend does", error)
            processed = [lyrics_text.clean(t) for t in texts]
        rows = self.vectorizer.transform(processed)
        return self.svd.transform(rows) if self.svd is not None else rows

    def _answer(self, rows, k: int, exclude: int | None = None) -> pd.DataFrame:
        if int(k) < 1:
            raise InputError(f"k must be at least 1, not {k}")
        wanted = min(int(k) + (exclude is not None), len(self.songs))
        distances, found = (a[0] for a in self.knn.kneighbors(rows, n_neighbors=wanted))
        keep = found != exclude
        answer = self.songs.iloc[found[keep][: int(k)]].reset_index(drop=True)
        answer = answer.rename(columns={"id": "track_id"})
        return answer.assign(distance=distances[keep][: int(k)])

    def similar(self, track_id: str, k: int = 10) -> pd.DataFrame:
        """The ``k`` tracks whose lyrics are nearest to ``track_id``'s, the track excluded."""
        try:
            row = self._row[track_id]
        except KeyError:
            raise UnknownName(
                f"track '{track_id}' is not indexed by the lyrics models ({len(self._row)} "
                "tracks): it has no lyrics, or none that survive cleaning"
            ) from None
        # The model's own row (NearestNeighbors keeps its fitted rows; scikit-learn is pinned).
        return self._answer(self.knn._fit_X[row : row + 1], k, exclude=row)

    def similar_text(self, lyrics: str, k: int = 10) -> pd.DataFrame:
        """The ``k`` tracks whose lyrics are nearest to ``lyrics``."""
        return self._answer(self.vectors([lyrics]), k)


def published_models(manifest: dict) -> list[str]:
    """The published lyrics models, in the order the backend prefers them."""
    rank = {m: i for i, m in enumerate(BACKEND_ORDER)}
    return sorted(layout.lyrics_models_of(manifest), key=lambda m: (rank.get(m, len(rank)), m))


def load_lyrics(models_dir: str | Path | None = None, model: str | None = None):
    """Verify and load one published lyrics model; by default the one the backend serves."""
    models_dir = Path(models_dir or default_models_dir())
    manifest = manifests.read(models_dir)
    names = published_models(manifest)
    model = model or (names[0] if names else None)
    if model not in names:
        raise UnknownName(
            f"lyrics model '{model}' is not published in {models_dir}; "
            f"published: {', '.join(names) or 'none (no lyrics column, or too few lyrics)'}"
        )
    return PublishedLyrics(models_dir, manifest, model)
