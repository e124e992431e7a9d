"""The lyrics index: one stock TfidfVectorizer over every track with usable lyrics, and the
nearest-neighbour models over its rows (contract: Lyrics models).

Every pickle holds scikit-learn objects with literal parameters only (no callable of ours), so
the backend loads them without modelprep; row ``i`` of every model is ``training_songs[i]``.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.neighbors import NearestNeighbors


def stop_words(nltk_english: frozenset[str]) -> list[str]:
    """NLTK's English list and scikit-learn's, sorted: the preprocessed text has lost NLTK's
    already, so this serves a backend that queries without NLTK data (and keeps upstream's
    vectorizer behaviour)."""
    return sorted(nltk_english | ENGLISH_STOP_WORDS)


def vectorizer(params: dict, nltk_english: frozenset[str]) -> TfidfVectorizer:
    return TfidfVectorizer(
        max_features=params["max_features"],
        min_df=params["min_df"],
        max_df=params["max_df"],
        ngram_range=tuple(params["ngram_range"]),
        token_pattern=params["token_pattern"],
        stop_words=stop_words(nltk_english),
    )


def fit_tfidf(texts: list[str], params: dict, nltk_english: frozenset[str]):
    """(fitted vectorizer, TF-IDF matrix, mask of rows that are not all zero)."""
    tfidf = vectorizer(params, nltk_english)
    matrix = tfidf.fit_transform(texts).tocsr()
    return tfidf, matrix, np.diff(matrix.indptr) > 0


def svd_components(requested: int, vocabulary_size: int) -> int:
    """min(requested, vocabulary size - 1): TruncatedSVD needs fewer components than terms."""
    return max(1, min(requested, vocabulary_size - 1))


def fit_model(matrix: sparse.csr_matrix, spec: dict, seed: int) -> dict:
    """The model a spec describes: {"svd": TruncatedSVD or None, "knn": NearestNeighbors,
    "params": the parameters used}. With an SVD, the neighbours index ``svd.transform`` of the
    rows, exactly what the backend computes for a query."""
    params = {
        "metric": spec["metric"],
        "algorithm": spec.get("algorithm", "auto"),
        "n_neighbors": min(spec["n_neighbors"], matrix.shape[0]),
    }
    svd, rows = None, matrix
    if "svd_components" in spec:
        n_components = svd_components(spec["svd_components"], matrix.shape[1])
        svd = TruncatedSVD(n_components=n_components, random_state=seed).fit(matrix)
        rows = svd.transform(matrix)
        params = {"svd_components": n_components, "svd_random_state": seed, **params}
    knn = NearestNeighbors(**{k: params[k] for k in ("metric", "algorithm", "n_neighbors")})
    knn.fit(rows)
    return {"svd": svd, "knn": knn, "params": params}


def query_rows(model: dict, vectors: sparse.csr_matrix):
    """What the backend hands ``kneighbors`` for these TF-IDF rows."""
    return model["svd"].transform(vectors) if model["svd"] is not None else vectors


def description(params: dict) -> str:
    svd = (
        f"TruncatedSVD ({params['svd_components']} components), "
        if "svd_components" in params
        else ""
    )
    return (
        f"TF-IDF of the preprocessed lyrics, {svd}{params['metric']} nearest neighbours "
        f"({params['algorithm']}, k={params['n_neighbors']})"
    )
