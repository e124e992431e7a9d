"""How good a lyrics model is, on a seeded sample of indexed tracks: does a track's own
lyrics, sent through the backend's preprocessing, find the track (its query vector equals the
indexed one), and do its nearest neighbours share its artist more often than random tracks do."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

ARTIST_ID = re.compile(r"[^\[\]'\",\s]+")
# A query's own row is at distance 0 up to rounding.
SELF_DISTANCE = 1e-6


def artists(artists_id: str) -> frozenset[str]:
    """The artist ids of an exported ``['id1', 'id2']`` string."""
    return frozenset(ARTIST_ID.findall(artists_id))


def random_artist_rate(artist_sets: list[frozenset[str]], sample: np.ndarray) -> float:
    """The chance that a random other indexed track shares an artist with a sampled one: exact
    for single-artist tracks; a track sharing two artists counts twice (an upper bound)."""
    counts = Counter(a for s in artist_sets for a in s)
    n = len(artist_sets)
    if n < 2:
        return 0.0
    shared = [min(n - 1, sum(counts[a] - 1 for a in artist_sets[i])) for i in sample]
    return float(np.mean(shared) / (n - 1))


def duplicated_share(texts: list[str]) -> float:
    """Share of indexed tracks whose preprocessed lyrics equal another indexed track's."""
    counts = Counter(texts)
    return sum(1 for t in texts if counts[t] > 1) / max(1, len(texts))


def evaluate(
    distances: np.ndarray,
    neighbours: np.ndarray,
    sample: np.ndarray,
    artist_sets: list[frozenset[str]],
) -> dict:
    """Quality numbers of one model from its answers (rows of ``kneighbors``) to the sample's
    own lyrics; the first column is the nearest."""
    own = neighbours == sample[:, None]
    first = own[:, 0] & (distances[:, 0] <= SELF_DISTANCE)
    tied = (own & (distances <= SELF_DISTANCE)).any(axis=1)
    others = [
        [j for j in row if j != i][: neighbours.shape[1] - 1]
        for i, row in zip(sample, neighbours, strict=True)
    ]
    same = [
        np.mean([bool(artist_sets[i] & artist_sets[j]) for j in row]) if row else 0.0
        for i, row in zip(sample, others, strict=True)
    ]
    return {
        "sample_size": int(len(sample)),
        "self_retrieval_first": round(float(first.mean()), 4),
        "self_retrieval_at_distance_0": round(float(tied.mean()), 4),
        "max_self_distance": float(
            np.max(np.where(own, distances, -np.inf).max(axis=1), initial=0.0)
        ),
        "same_artist_rate": round(float(np.mean(same)), 4),
        "random_same_artist_rate": round(random_artist_rate(artist_sets, sample), 4),
        "neighbours_checked": int(neighbours.shape[1] - 1),
    }
