"""The backend's lyrics preprocessing, step for step (contract: Lyrics models, Preprocessing):
the lyrics models are trained with it and the consumer queries with it.

``lower()``; keep ``[a-zA-Z\\s]``; collapse whitespace; strip; ``nltk.word_tokenize``; drop
NLTK's English stopwords and tokens of two letters or fewer; nltk's own ``WordNetLemmatizer``
(noun) over WordNet 3.0; join with spaces. Training must use exactly what the backend queries
with, so the NLTK data is checked first and a missing file is an error, never a fallback.
nltk is imported only when called: the Snakefile reads the package's top-level modules.
"""

from __future__ import annotations

import functools
import logging
import os
import re

from modelprep.errors import InputError

log = logging.getLogger(__name__)

NOT_LETTERS = re.compile(r"[^a-zA-Z\s]")
SPACES = re.compile(r"\s+")
WORDNET_VERSION = "3.0"
INSTALL_HINT = (
    "Install it with `bash scripts/install-nltk-data.sh` (it needs Debian's wordnet-base: "
    "`apt-get install wordnet-base`); the Docker image and scripts/setup-venv.sh do this. "
    "The lyrics models are never trained with a preprocessing other than the backend's."
)


def clean(text: str) -> str:
    """The backend's cleaning: what a query becomes when it has no NLTK data."""
    return SPACES.sub(" ", NOT_LETTERS.sub("", text.lower())).strip()


# What nltk's stopword and WordNet readers open, per corpus directory (each reader opens its
# files from the one directory nltk finds; Debian's WordNet lacks lexnames).
NLTK_FILES = {
    "corpora/stopwords": ("english",),
    "corpora/wordnet": (
        "lexnames",
        *(f"{kind}.{pos}" for pos in ("noun", "verb", "adj", "adv") for kind in ("index", "data")),
        *(f"{pos}.exc" for pos in ("noun", "verb", "adj", "adv")),
    ),
}


def missing_nltk_data() -> str | None:
    """What the preprocessing would miss, in words, or None when the data is all there."""
    import nltk

    for corpus, files in NLTK_FILES.items():
        try:
            root = nltk.data.find(corpus)
        except LookupError:
            return f"{corpus} is in none of {', '.join(nltk.data.path)}"
        absent = [f for f in files if not os.path.isfile(os.path.join(str(root), f))]
        if absent:
            return f"{root} has no {', '.join(absent)}"
    return None


@functools.cache
def nltk_tools():
    """(word_tokenize, stopword set, lemmatize), or an InputError naming the missing file and
    how to install it. nltk finds its data under the environment's prefix (share/nltk_data),
    a system path or NLTK_DATA; nothing is ever downloaded."""
    import nltk
    from nltk.corpus import stopwords, wordnet
    from nltk.stem import WordNetLemmatizer

    missing = missing_nltk_data()
    if missing:
        raise InputError(f"NLTK data missing for the lyrics models: {missing}. {INSTALL_HINT}")
    version = wordnet.get_version()
    if version != WORDNET_VERSION:
        raise InputError(
            f"NLTK found WordNet {version} at {nltk.data.find('corpora/wordnet')}; the backend "
            f"queries with WordNet {WORDNET_VERSION}. {INSTALL_HINT}"
        )
    lemmatize = WordNetLemmatizer().lemmatize
    lemmatize("dogs")  # loads WordNet now, so forked workers inherit it
    stop = frozenset(stopwords.words("english"))
    return (lambda t: nltk.word_tokenize(t, preserve_line=True)), stop, lemmatize


def preprocess(text: str, tools=None) -> str:
    """One document, the backend's way (its full ``word_tokenize`` on the whole text)."""
    tokenize, stop, lemmatize = tools or nltk_tools()
    tokens = tokenize(clean(text))
    return " ".join(lemmatize(t) for t in tokens if t not in stop and len(t) > 2)
