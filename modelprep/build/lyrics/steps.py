"""The lyrics jobs (contract: Lyrics models): the preprocessed lyrics of every track, the
shared TF-IDF index, one job per model, and the evaluation that gathers their quality. Each
records how it ended (see ``outcome``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from modelprep import env, layout, lyrics_text
from modelprep.build.lyrics.outcome import Skipped, run
from modelprep.build.provenance import library_versions, now
from modelprep.files import load_json, load_pickle, save_json, save_pickle

if TYPE_CHECKING:
    import pandas as pd

# pandas, scikit-learn and NLTK are imported inside the work each job does: a catalogue without
# lyrics skips every lyrics job, and the skip should not cost the imports (about 1.5 s a job).

log = logging.getLogger(__name__)

LYRICS_COLUMN = "lyrics"
TRACK_COLUMNS = ("id", "name", "artists_id")
PREPROCESSING = (
    "lower; keep [a-zA-Z\\s]; collapse whitespace; strip; nltk.word_tokenize (nltk 3.8.1); "
    "drop NLTK English stopwords and tokens of 2 letters or fewer; WordNetLemmatizer (noun, "
    "WordNet 3.0); join with spaces"
)


def read_lyrics(csv: str) -> pd.DataFrame:
    """id, name, artists_id and lyrics of the first row per stripped id, as the backend's
    import keeps them; Skipped when the file has no lyrics column."""
    from modelprep.build.ingest.tables import header_and_encoding, read_frame

    header, encoding = header_and_encoding(csv)
    if LYRICS_COLUMN not in header:
        raise Skipped(f"{csv} has no '{LYRICS_COLUMN}' column")
    columns = [c for c in (*TRACK_COLUMNS, LYRICS_COLUMN) if c in header]
    frame = read_frame(csv, columns, tuple(columns), encoding).fillna("")
    frame = frame.reindex(columns=[*TRACK_COLUMNS, LYRICS_COLUMN], fill_value="")
    frame["id"] = frame["id"].str.strip()
    frame = frame[frame["id"].ne("")].drop_duplicates("id", keep="first")
    return frame.reset_index(drop=True)


def tokens(*, csv: str, table_out: str, record_out: str, seed: int, threads: int) -> None:
    """Every track's lyrics preprocessed as the backend queries; counts of those without."""

    def work() -> dict:
        from modelprep.build.lyrics import text

        frame = read_lyrics(csv)
        raw = frame[LYRICS_COLUMN].tolist()
        processed = text.preprocess_all(raw, processes=threads)
        text.check_word_local(raw, processed, seed)
        frame["text"] = processed
        no_lyrics = frame[LYRICS_COLUMN].str.strip().eq("")
        empty = frame["text"].eq("") & ~no_lyrics
        _warn(int(no_lyrics.sum()), "have no lyrics")
        _warn(
            int(empty.sum()),
            "have lyrics that are empty after cleaning (another script, digits, stopwords only)",
        )
        frame[frame["text"].ne("")].reset_index(drop=True).to_pickle(table_out)
        return {
            "dataset_size": len(frame),
            "not_indexed": {
                "no_lyrics": int(no_lyrics.sum()),
                "empty_after_cleaning": int(empty.sum()),
            },
        }

    save_pickle({}, table_out)  # replaced by the table when the job ends ok
    run(layout.LYRICS_TOKENS, work, record_out)


def _warn(count: int, what: str) -> None:
    if count:
        log.warning("lyrics: %d tracks are not indexed: they %s", count, what)


def tfidf(
    *,
    table: str,
    tokens_record: str,
    params: dict,
    min_tracks: int,
    sample_size: int,
    seed: int,
    staged_dir: str,
    index_out: str,
    record_out: str,
) -> None:
    """The shared vectorizer and the training metadata (staged), the indexed rows' TF-IDF
    matrix and the evaluation's queries: a seeded sample's raw lyrics, vectorised through the
    backend's whole-document preprocessing."""

    def work() -> dict:
        import numpy as np
        import pandas as pd

        from modelprep.build.lyrics import quality

        frame = pd.read_pickle(table)
        vectorizer, matrix, usable = _fit_index(frame["text"].tolist(), params, min_tracks)
        zero = int((~usable).sum())
        indexed = frame[usable].reset_index(drop=True)
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(len(indexed), min(sample_size, len(indexed)), replace=False))
        tools = lyrics_text.nltk_tools()
        queries = [lyrics_text.preprocess(indexed[LYRICS_COLUMN][i], tools) for i in sample]
        save_pickle(
            {
                "matrix": matrix[usable],
                "sample": sample,
                "queries": vectorizer.transform(queries),
                "artists_id": indexed["artists_id"].tolist(),
            },
            index_out,
        )
        tokens_numbers = load_json(tokens_record)
        counts = {**tokens_numbers["not_indexed"], "zero_tfidf_row": zero}
        numbers = {
            "vocabulary_size": len(vectorizer.vocabulary_),
            "dataset_size": tokens_numbers["dataset_size"],
            "n_tracks": len(indexed),
            "not_indexed": counts,
            "duplicated_lyrics_share": round(quality.duplicated_share(indexed["text"].tolist()), 4),
        }
        save_pickle(vectorizer, Path(staged_dir) / layout.LYRICS_VECTORIZER)
        save_pickle(_metadata(indexed, numbers, params), Path(staged_dir) / layout.LYRICS_METADATA)
        return numbers

    save_pickle({}, index_out)  # replaced by the index when the job ends ok
    run(layout.LYRICS_TFIDF, work, record_out, staged_dir, upstream=[tokens_record])


def _fit_index(texts: list[str], params: dict, min_tracks: int):
    """The TF-IDF fit, or Skipped when fewer than ``min_tracks`` tracks would be indexed."""
    from modelprep.build.lyrics import index

    def too_few(count: int, what: str) -> Skipped:
        return Skipped(f"only {count} tracks have {what}; lyrics.min_tracks is {min_tracks}")

    if len(texts) < min_tracks:
        raise too_few(len(texts), "lyrics that survive cleaning")
    _, stop, _ = lyrics_text.nltk_tools()
    try:
        vectorizer, matrix, usable = index.fit_tfidf(texts, params, stop)
    except ValueError as exc:  # scikit-learn: no term is left (e.g. every one in > max_df)
        raise Skipped(f"the lyrics give the vectorizer no vocabulary ({exc})") from exc
    _warn(int((~usable).sum()), "have no term of the vocabulary (a zero TF-IDF row)")
    if usable.sum() < min_tracks:
        raise too_few(int(usable.sum()), "usable lyrics")
    return vectorizer, matrix, usable


def _metadata(indexed: pd.DataFrame, numbers: dict, params: dict) -> dict:
    """The backend's training metadata: builtins only, row i of every model is song i."""
    songs = indexed[list(TRACK_COLUMNS)].to_dict("records")
    return {
        "training_songs": songs,
        "vocabulary_size": numbers["vocabulary_size"],
        "dataset_size": numbers["dataset_size"],
        "n_tracks": numbers["n_tracks"],
        "preprocessing_method": PREPROCESSING,
        "tfidf_config": {**params, "ngram_range": tuple(params["ngram_range"])},
        "model_type": "tfidf",
        "training_date": now(),
        "run_id": env.run_id(),
        "not_indexed": numbers["not_indexed"],
    }


def model(
    *,
    name: str,
    spec: dict,
    index_file: str,
    tfidf_record: str,
    neighbours: int,
    seed: int,
    staged_dir: str,
    record_out: str,
) -> None:
    """One lyrics model and its config (staged), scored on the evaluation's queries."""

    def work() -> dict:
        import sklearn

        from modelprep.build.lyrics import index, quality

        data = load_pickle(index_file)
        fitted = index.fit_model(data["matrix"], spec, seed)
        k = min(neighbours + 1, data["matrix"].shape[0])
        distances, rows = fitted["knn"].kneighbors(index.query_rows(fitted, data["queries"]), k)
        artists = [quality.artists(a) for a in data["artists_id"]]
        scores = quality.evaluate(distances, rows, data["sample"], artists)
        has_svd = fitted["svd"] is not None
        files = layout.lyrics_model_files(name, has_svd)
        for obj, file in zip([fitted["svd"], fitted["knn"]][not has_svd :], files, strict=True):
            save_pickle(obj, Path(staged_dir) / file)
        config = {
            "model_type": name,
            "model_params": fitted["params"],
            "description": index.description(fitted["params"]),
            "sklearn_version": sklearn.__version__,
            "has_svd": has_svd,
            "created_at": now(),
            "run_id": env.run_id(),
            "n_tracks": int(data["matrix"].shape[0]),
            "vocabulary_size": load_json(tfidf_record)["vocabulary_size"],
            "files": files,
            "quality": scores,
            "versions": library_versions(),
        }
        save_json(config, Path(staged_dir) / layout.lyrics_config_file(name))
        return {"model_params": fitted["params"], "quality": scores}

    run(name, work, record_out, staged_dir, upstream=[tfidf_record])


def evaluation(
    *, tfidf_record: str, model_records: dict[str, str], staged_dir: str, record_out: str
) -> None:
    """``lyrics_model_evaluation_results.json``: every model's quality, the vocabulary and
    the coverage counts; its record is what publication and the metrics read."""

    def work() -> dict:
        shared = load_json(tfidf_record)
        results = {
            "run_id": env.run_id(),
            "created_at": now(),
            **{
                k: shared[k]
                for k in (
                    "vocabulary_size",
                    "dataset_size",
                    "n_tracks",
                    "not_indexed",
                    "duplicated_lyrics_share",
                )
            },
            "models": {m: load_json(path)["quality"] for m, path in model_records.items()},
        }
        save_json(results, Path(staged_dir) / layout.LYRICS_EVALUATION)
        return results

    run(
        layout.LYRICS_EVALUATE,
        work,
        record_out,
        staged_dir,
        upstream=[tfidf_record, *model_records.values()],
    )
