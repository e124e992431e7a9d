"""The lyrics preprocessing of a whole catalogue, equal to ``modelprep.lyrics_text.preprocess``
of each document, faster.

On text cleaned to ``[a-z ]`` the Treebank tokenizer works word by word (its patterns that span
words need punctuation), so each distinct word is tokenised and lemmatised once and documents
are rebuilt from that table, on several processes for large inputs. ``check_word_local``
verifies this on a sample of every input against the backend's whole-document path.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from modelprep.lyrics_text import clean, nltk_tools, preprocess

# Below this many documents one process is faster than two (start-up and pickling).
PARALLEL_MIN_DOCS = 20_000
CHECK_SAMPLE = 200


def _word_table(words: Sequence[str]) -> dict[str, str]:
    """Each distinct word -> what it becomes (its kept, lemmatised tokens, joined)."""
    tokenize, stop, lemmatize = nltk_tools()
    return {
        w: " ".join(lemmatize(t) for t in tokenize(w) if t not in stop and len(t) > 2)
        for w in words
    }


def _rebuild(texts: Sequence[str], table: dict[str, str]) -> list[str]:
    lookup = table.__getitem__
    return [" ".join(filter(None, map(lookup, t.split()))) for t in texts]


def _chunks(items: Sequence, n: int) -> list[Sequence]:
    step = -(-len(items) // n)
    return [items[i : i + step] for i in range(0, len(items), step)]


def _clean_chunk(texts: Sequence[str]) -> tuple[list[str], set[str]]:
    cleaned = [clean(t) for t in texts]
    return cleaned, {w for t in cleaned for w in t.split()}


# What forked workers inherit instead of receiving it pickled: (cleaned chunks, word table).
_FORKED: tuple[list[list[str]], dict[str, str]] | None = None


def _rebuild_chunk(i: int) -> list[str]:
    chunks, table = _FORKED
    return _rebuild(chunks[i], table)


def preprocess_all(texts: Sequence[str], processes: int = 1) -> list[str]:
    """Every document preprocessed as ``preprocess`` does, each distinct word handled once;
    cleaning, the word table and the rebuild each on ``processes`` forked workers when the
    input is large enough to gain from them."""
    global _FORKED
    nltk_tools()  # fail before any work when the data is missing; forks inherit WordNet
    if processes < 2 or len(texts) < PARALLEL_MIN_DOCS:
        cleaned, words = _clean_chunk(texts)
        return _rebuild(cleaned, _word_table(sorted(words)))
    # An executor, not a Pool: a worker killed (out of memory) raises BrokenProcessPool, which
    # the job records as failed, where Pool.map would wait forever.
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(processes, mp_context=fork) as pool:
        parts = list(pool.map(_clean_chunk, _chunks(texts, processes)))
        words = sorted(set().union(*(found for _, found in parts)))
        table = {}
        for part in pool.map(_word_table, _chunks(words, processes)):
            table.update(part)
    _FORKED = ([cleaned for cleaned, _ in parts], table)
    try:
        with ProcessPoolExecutor(processes, mp_context=fork) as pool:
            rebuilt = list(pool.map(_rebuild_chunk, range(len(parts))))
    finally:
        _FORKED = None
    return [doc for part in rebuilt for doc in part]


def check_word_local(texts: Sequence[str], processed: Sequence[str], seed: int) -> None:
    """Compare a seeded sample of ``processed`` with the backend's whole-document path; a
    difference would mean the word table changed the preprocessing (an error, not a warning)."""
    tools = nltk_tools()
    rng = np.random.default_rng(seed)
    for i in rng.choice(len(texts), size=min(CHECK_SAMPLE, len(texts)), replace=False):
        expected = preprocess(texts[i], tools)
        if processed[i] != expected:
            raise RuntimeError(
                f"lyrics preprocessing differs from the backend's on row {i}: "
                f"{processed[i][:60]!r} != {expected[:60]!r}"
            )
