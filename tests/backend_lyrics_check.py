"""What the recommendation backend's lyrics service does with a published models directory.

Runs on the backend's stack (Python 3.9, scikit-learn, scipy, nltk 3.8.1; no modelprep): the
compatibility test runs it with the backend's interpreter, once per NLTK mode.

    python backend_lyrics_check.py MODELS_DIR TRACKS_CSV with-nltk-data|without-nltk-data

NLTK finds its data as in the backend: through $NLTK_DATA and its default paths. In
``with-nltk-data`` mode the first $NLTK_DATA directory holds corpora/wordnet and
corpora/stopwords; when it lacks the Punkt model (PUNKT) this script writes an untrained
Punkt model there (pickled by this interpreter; on text cleaned to [a-z ] it splits exactly as
the trained one), and every sampled track must come back first at distance 0. In
``without-nltk-data`` mode nltk must find nothing, so the backend queries with the cleaned text;
each model must still put the track first for MIN_FALLBACK_RATE of the queries. Exits 0 and
prints a line per model when every check holds; raises AssertionError naming the failure.
"""

import csv
import glob
import json
import os
import pickle
import random
import re
import sys

import joblib
import nltk
import numpy as np
from nltk.corpus import stopwords
from nltk.stem import WordNetLemmatizer
from nltk.tokenize.punkt import PunktSentenceTokenizer
from sklearn.feature_extraction.text import TfidfVectorizer

MODES = ("with-nltk-data", "without-nltk-data")
SERVED = ("svd_knn", "svd_knn_large", "knn_cosine", "knn_cosine_k20")  # backend's preference
PUNKT = "tokenizers/punkt/PY3/english.pickle"  # where nltk 3.8.1's word_tokenize loads it from
NLTK_RESOURCES = (PUNKT, "corpora/stopwords", "corpora/wordnet")
N_QUERIES = 30
K = 10
MAX_K = 100  # the backend asks for up to 100 neighbours
TOLERANCE = 1e-6
MIN_FALLBACK_RATE = 0.9


def clean(text):
    """The backend's first steps, the whole query text when NLTK data is missing."""
    text = re.sub(r"[^a-zA-Z\s]", "", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def query_text(text):
    """The backend's preprocessing: any NLTK lookup failure falls back to the cleaned text."""
    cleaned = clean(text)
    try:
        stop = set(stopwords.words("english"))
        tokens = [t for t in nltk.word_tokenize(cleaned) if t not in stop and len(t) > 2]
        lemmatizer = WordNetLemmatizer()
        return " ".join(lemmatizer.lemmatize(token) for token in tokens)
    except LookupError:
        return cleaned


def nltk_finds(resource):
    try:
        nltk.data.find(resource)
        return True
    except LookupError:
        return False


def prepare_nltk(mode):
    """Make sure nltk finds all its data (with) or none of it (without), so no mode is faked."""
    if mode == "with-nltk-data":
        root = os.environ["NLTK_DATA"].split(os.pathsep)[0]
        punkt = os.path.join(root, *PUNKT.split("/"))
        if not os.path.exists(punkt):
            os.makedirs(os.path.dirname(punkt), exist_ok=True)
            with open(punkt, "wb") as handle:
                pickle.dump(PunktSentenceTokenizer(), handle)
    found = [resource for resource in NLTK_RESOURCES if nltk_finds(resource)]
    expected = list(NLTK_RESOURCES) if mode == "with-nltk-data" else []
    assert found == expected, f"{mode}: nltk finds {found} (paths {nltk.data.path})"


def model_names(models_dir):
    """Models as the backend finds them: by listing lyrics_config_*.json."""
    names = glob.glob(os.path.join(models_dir, "lyrics_config_*.json"))
    return sorted(os.path.basename(n)[len("lyrics_config_") : -len(".json")] for n in names)


def check_vectorizer(vectorizer):
    """A plain TfidfVectorizer with literal parameters: a subclass or a callable (a custom
    tokenizer, preprocessor or analyzer) would need modelprep's code to load or to run."""
    assert type(vectorizer) is TfidfVectorizer, f"vectorizer is {type(vectorizer)}"
    params = vectorizer.get_params()
    dtype = params.pop("dtype")  # a numpy scalar type: callable, yet a literal
    assert isinstance(dtype, type) and issubclass(dtype, np.number), f"dtype {dtype}"
    callables = sorted(name for name, value in params.items() if callable(value))
    assert not callables, f"vectorizer parameters {callables} are callables"
    assert isinstance(params["stop_words"], list), "vectorizer stop_words is not a list"
    assert vectorizer.vocabulary_, "vectorizer is not fitted"


def check_metadata(metadata):
    assert type(metadata) is dict, f"training metadata is {type(metadata)}"
    songs = metadata["training_songs"]
    for key in ("id", "name", "artists_id"):
        assert all(type(song[key]) is str for song in songs), f"training_songs {key} not str"
    assert len({song["id"] for song in songs}) == len(songs), "duplicate ids in training_songs"
    return songs


def load_model(models_dir, name, n_rows):
    """(svd or None, knn) of one model, loaded the way its config says, as the backend does."""
    with open(os.path.join(models_dir, f"lyrics_config_{name}.json")) as handle:
        config = json.load(handle)
    assert config["model_type"] == name, f"{name}: model_type {config['model_type']!r}"
    assert config["n_tracks"] == n_rows, f"{name}: n_tracks {config['n_tracks']} != {n_rows}"
    path = os.path.join(models_dir, "lyrics_{}_model_" + name + ".pkl")
    if config["has_svd"]:
        svd, knn = joblib.load(path.format("svd")), joblib.load(path.format("knn"))
    else:
        svd, knn = None, joblib.load(path.format("similarity"))
    assert knn.n_samples_fit_ == n_rows, f"{name}: knn has {knn.n_samples_fit_} rows"
    assert n_rows >= MAX_K, f"{name}: {n_rows} rows, the backend asks for {MAX_K}"
    return svd, knn


def hit_rate(name, vectorizer, model, queries, text_of, exact):
    """Share of queries answered first by the track itself, through the backend's query path
    (transform one text, SVD if any, kneighbors), at distance 0 when ``exact``. A track with
    the same query text (identical lyrics: the same index row, a tie) counts as itself."""
    svd, knn = model
    hits = 0
    for row, text in queries:
        features = vectorizer.transform([text])
        if svd is not None:
            features = svd.transform(features)
        distances, rows = knn.kneighbors(features, n_neighbors=K)
        assert np.all(np.diff(distances[0]) >= 0), f"{name}: distances not ascending"
        first = rows[0][0]
        same = first == row or text_of(first) == text
        hits += same and (distances[0][0] <= TOLERANCE or not exact)
    return hits / len(queries)


def raw_lyrics(tracks_csv):
    """Raw lyrics of the first row per stripped id, the row the build keeps."""
    csv.field_size_limit(2**31 - 1)
    lyrics = {}
    with open(tracks_csv, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lyrics.setdefault(row["id"].strip(), row["lyrics"] or "")
    return lyrics


def sampled_queries(songs, lyrics):
    """(row, query text) of a seeded sample of indexed tracks."""
    missing = [song["id"] for song in songs if song["id"] not in lyrics]
    assert not missing, f"indexed tracks missing from the CSV: {missing[:5]}"
    rows = random.Random(0).sample(range(len(songs)), min(N_QUERIES, len(songs)))
    return [(row, query_text(lyrics[songs[row]["id"]])) for row in rows]


def check_models_dir(models_dir, tracks_csv, mode):
    """Per model, the share of sampled tracks that come back first; asserts the mode's bar."""
    assert mode in MODES, f"mode {mode!r} is not one of {MODES}"
    prepare_nltk(mode)
    names = model_names(models_dir)
    assert names, f"{models_dir}: no lyrics_config_*.json"
    assert set(names) & set(SERVED), f"the backend serves none of {names}"
    vectorizer = joblib.load(os.path.join(models_dir, "lyrics_tfidf_vectorizer.pkl"))
    check_vectorizer(vectorizer)
    songs = check_metadata(joblib.load(os.path.join(models_dir, "lyrics_training_metadata.pkl")))
    lyrics = raw_lyrics(tracks_csv)
    queries = sampled_queries(songs, lyrics)
    text_of = lambda row: query_text(lyrics[songs[row]["id"]])  # noqa: E731
    exact = mode == "with-nltk-data"
    rates = {}
    for name in names:
        model = load_model(models_dir, name, len(songs))
        rates[name] = hit_rate(name, vectorizer, model, queries, text_of, exact)
    bar = 1.0 if exact else MIN_FALLBACK_RATE
    failing = {name: rate for name, rate in rates.items() if rate < bar}
    assert not failing, f"{mode}: tracks not first (rate < {bar}) for {failing}"
    return rates, len(queries), len(songs)


if __name__ == "__main__":
    found, n_queries, n_rows = check_models_dir(*sys.argv[1:4])
    for model, share in found.items():
        print(f"{model}: {share:.2f} of {n_queries} queries first, {n_rows} tracks, {sys.argv[3]}")
