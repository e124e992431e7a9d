"""The lyrics models' science on small data, with the real nltk and scikit-learn: the backend's
preprocessing and the faster whole-catalogue path that must equal it, the index and its
models, the quality numbers, and how a lyrics job records its end."""

import json
import pickle

import nltk
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from modelprep import layout, lyrics_text
from modelprep.build.lyrics import index, outcome, quality, steps, text
from modelprep.errors import InputError

pytestmark = pytest.mark.unit

TFIDF = {
    "max_features": 5000,
    "min_df": 2,
    "max_df": 0.8,
    "ngram_range": [1, 2],
    "token_pattern": r"(?u)\b\w\w\w+\b",
}
# Words the Treebank tokenizer splits (cannot -> can not, wanna -> wan na), plurals, verbs.
WORDS = [
    "cannot",
    "wanna",
    "gonna",
    "gotta",
    "gimme",
    "lemme",
    "dogs",
    "geese",
    "was",
    "the",
    "running",
    "leaves",
    "women",
    "is",
    "a",
    "at",
    "night",
    "hearts",
    "cried",
    "xyzzy",
]


def test_preprocess_is_the_backends_steps():
    assert lyrics_text.clean("  Hello,\tWORLD!! 42 café\n") == "hello world caf"
    assert lyrics_text.preprocess("The Dogs were running; I cannot stop, geese!") == (
        "dog running stop goose"
    )
    # WordNet 3.0's noun lemmas, quirks included ("was" is a stopword; "gas" keeps its s)
    words = "leaves women feet children mice wolves cried glasses gas buses ties"
    assert lyrics_text.preprocess(words) == (
        "leaf woman foot child mouse wolf cried glass gas bus tie"
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(WORDS + ["Ünï", "—", "it's", "日本"]), max_size=12),
        min_size=1,
        max_size=8,
    )
)
def test_the_word_table_equals_the_whole_document_path(docs):
    texts = [" ".join(words) for words in docs]
    assert text.preprocess_all(texts) == [lyrics_text.preprocess(t) for t in texts]


def test_two_processes_give_the_same_text(monkeypatch):
    rng = np.random.default_rng(3)
    texts = [" ".join(rng.choice(WORDS, 15)) for _ in range(300)]
    monkeypatch.setattr(text, "PARALLEL_MIN_DOCS", 10)
    assert text.preprocess_all(texts, processes=2) == text.preprocess_all(texts, processes=1)
    text.check_word_local(texts, text.preprocess_all(texts), seed=1)
    with pytest.raises(RuntimeError, match="differs from the backend's"):
        text.check_word_local(texts, [t.upper() for t in texts], seed=1)


def test_missing_nltk_data_is_an_error_that_says_how_to_install(tmp_path, monkeypatch):
    (tmp_path / "corpora" / "stopwords").mkdir(parents=True)
    (tmp_path / "corpora" / "stopwords" / "english").write_text("the\n")
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    lyrics_text.nltk_tools.cache_clear()
    try:
        with pytest.raises(InputError, match="corpora/wordnet is in none of .*install-nltk-data"):
            lyrics_text.nltk_tools()
        (tmp_path / "corpora" / "wordnet").mkdir()
        with pytest.raises(InputError, match="wordnet has no lexnames, index.noun"):
            lyrics_text.nltk_tools()
    finally:
        lyrics_text.nltk_tools.cache_clear()


def test_the_vectorizer_is_stock_with_literal_parameters():
    stop = frozenset(lyrics_text.nltk_tools()[1])
    vectorizer = index.vectorizer(TFIDF, stop)
    assert type(vectorizer) is TfidfVectorizer
    params = vectorizer.get_params()
    assert params["stop_words"] == sorted(stop | ENGLISH_STOP_WORDS)
    assert not any(callable(v) for k, v in params.items() if k != "dtype")
    assert pickle.loads(pickle.dumps(vectorizer)).get_params()["ngram_range"] == (1, 2)


@pytest.mark.parametrize(
    "spec",
    [
        {"svd_components": 100, "metric": "cosine", "algorithm": "brute", "n_neighbors": 50},
        {"metric": "cosine", "algorithm": "brute", "n_neighbors": 20},
        {"metric": "euclidean", "algorithm": "auto", "n_neighbors": 50},
    ],
)
def test_each_model_finds_a_track_from_its_own_lyrics(spec):
    rng = np.random.default_rng(0)
    vocabulary = [f"{a}{b}{c}" for a in "bcdfg" for b in "aeiou" for c in "lmnrst"]
    texts = [" ".join(rng.choice(vocabulary, 30)) for _ in range(150)] + ["lonely"]
    vectorizer, matrix, usable = index.fit_tfidf(texts, TFIDF, frozenset())
    assert usable[:-1].all() and not usable[-1]  # a word in one track only: a zero row
    model = index.fit_model(matrix[usable], spec, seed=1)
    if "svd_components" in spec:
        n = index.svd_components(100, len(vectorizer.vocabulary_))
        assert model["params"]["svd_components"] == n == min(100, len(vectorizer.vocabulary_) - 1)
    queries = index.query_rows(model, vectorizer.transform(texts[:40]))
    distances, rows = model["knn"].kneighbors(queries, n_neighbors=2)
    assert (rows[:, 0] == np.arange(40)).all() and np.allclose(distances[:, 0], 0, atol=1e-6)


def test_svd_takes_fewer_components_than_the_vocabulary_has_terms():
    rng = np.random.default_rng(2)
    words = [f"{a}{b}{c}" for a in "bdk" for b in "aeiou" for c in "mn"]  # 30 terms
    texts = [" ".join(rng.choice(words, 8)) for _ in range(120)]
    unigrams = {**TFIDF, "ngram_range": [1, 1]}
    vectorizer, matrix, _ = index.fit_tfidf(texts, unigrams, frozenset())
    spec = {"svd_components": 100, "metric": "cosine", "algorithm": "brute", "n_neighbors": 5}
    model = index.fit_model(matrix, spec, seed=1)
    assert len(vectorizer.vocabulary_) == 30 and model["svd"].n_components == 29
    assert model["params"]["svd_components"] == 29


def index_lyrics(rows: list[dict], tmp_path) -> dict:
    """The tokens and TF-IDF jobs on a CSV of ``rows``; the TF-IDF job's record."""
    csv, staged = tmp_path / "t.csv", tmp_path / "st"
    pd.DataFrame(rows).to_csv(csv, index=False)
    paths = {k: str(tmp_path / k) for k in ("tok.pkl", "tok.json", "idx.pkl", "tf.json")}
    steps.tokens(
        csv=str(csv), table_out=paths["tok.pkl"], record_out=paths["tok.json"], seed=1, threads=1
    )
    steps.tfidf(
        table=paths["tok.pkl"],
        tokens_record=paths["tok.json"],
        params=TFIDF,
        min_tracks=100,
        sample_size=20,
        seed=1,
        staged_dir=str(staged),
        index_out=paths["idx.pkl"],
        record_out=paths["tf.json"],
    )
    return json.loads(open(paths["tf.json"]).read())


def test_lyrics_that_are_all_empty_or_too_few_are_skipped(tmp_path):
    for lyrics, why in (
        ("", "only 0 tracks have lyrics"),
        ("Sunshine, sunshine!", "no vocabulary"),
    ):
        rows = [
            {"id": f"t{i}", "name": "", "artists_id": "['a']", "lyrics": lyrics} for i in range(150)
        ]
        record = index_lyrics(rows, tmp_path)
        assert record["status"] == "skipped" and why in record["reason"], record
        assert list((tmp_path / "st").iterdir()) == []


def test_quality_numbers_on_known_answers():
    sample = np.array([0, 1])
    neighbours = np.array([[0, 2, 3], [3, 1, 2]])
    distances = np.array([[0.0, 0.1, 0.2], [0.0, 0.0, 0.3]])
    artists = [frozenset({"a"}), frozenset({"b"}), frozenset({"a"}), frozenset({"c", "b"})]
    scores = quality.evaluate(distances, neighbours, sample, artists)
    assert scores["self_retrieval_first"] == 0.5  # track 1 ties with track 3 at distance 0
    assert scores["self_retrieval_at_distance_0"] == 1.0
    assert scores["same_artist_rate"] == 0.5  # track 0: 1 of 2; track 1: 1 of 2
    assert scores["random_same_artist_rate"] == round((1 / 3 + 1 / 3) / 2, 4)
    assert quality.artists("['x1', 'y2']") == {"x1", "y2"}
    assert quality.duplicated_share(["a b", "c", "a b", "d"]) == 0.5


def test_a_lyrics_job_records_skipped_failed_and_upstream(tmp_path):
    staged = tmp_path / "staged"
    record = tmp_path / "a.json"

    def skip():
        (staged / "half.pkl").write_bytes(b"x")
        raise outcome.Skipped("no lyrics column")

    assert outcome.run("a", skip, str(record), str(staged))["status"] == "skipped"
    assert list(staged.iterdir()) == []
    failed = outcome.run("b", lambda: 1 / 0, str(tmp_path / "b.json"), str(staged))
    assert failed["status"] == "failed" and "ZeroDivisionError" in failed["reason"]
    carried = outcome.run(
        "c",
        lambda: {"n": 1},
        str(tmp_path / "c.json"),
        upstream=[str(tmp_path / "b.json"), str(record)],
    )
    assert carried["status"] == "failed" and carried["reason"] == failed["reason"]
    assert outcome.run("d", lambda: {"n": 1}, str(tmp_path / "d.json"))["n"] == 1


def test_coverage_counts_and_first_row_per_id(tmp_path):
    words = [f"{a}{b}{c}" for a in "bcdfg" for b in "aeiou" for c in "lmnrst"]
    rows = [
        {
            "id": f" t{i} ",
            "name": f"n{i}",
            "artists_id": f"['a{i % 9}']",
            "lyrics": f"The {words[i % 65]}s, {words[(i + 1) % 65]}!",
        }
        for i in range(130)
    ]
    rows += [
        {"id": "t0", "name": "dup", "artists_id": "['z']", "lyrics": "other text"},
        {"id": "e1", "name": "", "artists_id": "['a']", "lyrics": ""},
        {"id": "e2", "name": "", "artists_id": "['a']", "lyrics": "日本語の歌 1234"},
        {"id": "e3", "name": "", "artists_id": "['a']", "lyrics": "zebra"},
    ]
    record = index_lyrics(rows, tmp_path)
    assert record["dataset_size"] == 133 and record["n_tracks"] == 130
    assert record["not_indexed"] == {"no_lyrics": 1, "empty_after_cleaning": 1, "zero_tfidf_row": 1}
    metadata = pickle.loads((tmp_path / "st" / layout.LYRICS_METADATA).read_bytes())
    assert metadata["training_songs"][0] == {"id": "t0", "name": "n0", "artists_id": "['a0']"}
    assert (
        len(metadata["training_songs"])
        == pickle.loads((tmp_path / "idx.pkl").read_bytes())["matrix"].shape[0]
    )
