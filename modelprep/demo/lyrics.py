"""Song lyrics for the demo tracks, so that lyrics similarity models have something to find.

A song is two or three verses, each followed by the same chorus (sometimes sung twice at the
end), stanzas separated by a blank line. Lines follow the templates of ``words``. Half
of the nouns, verbs and adjectives come from the singer's favourites, so songs of one artist
share vocabulary without being alike. The awkward cases of real data are there too: Spanish
lyrics, kana lyrics (nothing left after cleaning to [a-zA-Z ]), empty lyrics, and covers
(exact copies under another track).

Everything is drawn for blocks of songs at once; only the final string joins run per song.
"""

from __future__ import annotations

import numpy as np

from modelprep.demo.words import CATEGORIES, LANGUAGES, TEMPLATES, THEMED

LANGUAGE_SHARES = (0.93, 0.05, 0.02)  # English, Spanish, Japanese
EMPTY_SHARE = 0.025
COVER_SHARE = 0.01
# How often a noun, verb or adjective is one of the singer's favourites, and how many of each
# word class (noun, verb, adjective) they have.
THEME_SHARE = 0.5
THEME_SIZE = 8
# Other words are drawn at a fraction u ** SKEW (u uniform) into their list: the common words,
# listed first, recur as in real text.
SKEW = 2.0
THIRD_VERSE_SHARE = 0.5
OUTRO_SHARE = 0.3  # songs that end on the chorus twice
BLOCK = 10_000  # songs drawn at once
MAX_VERSES = 3
MAX_VERSE_LINES = 8
MAX_CHORUS_LINES = 6
# Stanzas in singing order, by the verse they sing; CHORUS sings the chorus.
CHORUS = MAX_VERSES
STANZAS = (0, CHORUS, 1, CHORUS, 2, CHORUS, CHORUS)


def _capitalised(word: str) -> str:
    """The word as it starts a line ("'Cause")."""
    skip = len(word) - len(word.lstrip("'"))
    return word[:skip] + word[skip:].capitalize()


def _vocabulary() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The text pieces songs are joined from and where each (language, category) list starts.

    Piece 0 ends a line; piece 1 + w is word w starting a line (capitalised), piece
    1 + N_WORDS + w the same word after another one (with its space). Returns (pieces, starts,
    sizes), the last two indexed [language, category].
    """
    words, starts, sizes = [], [], []
    for language in LANGUAGES:
        for category in CATEGORIES:
            starts.append(len(words))
            sizes.append(len(language[category]))
            words.extend(language[category])
    initial = [_capitalised(word) for word in words]
    pieces = np.array(["\n", *initial, *(" " + word for word in words)], dtype=object)
    shape = (len(LANGUAGES), len(CATEGORIES))
    return pieces, np.reshape(starts, shape), np.reshape(sizes, shape)


def _template_table() -> np.ndarray:
    """The templates as category numbers, one row each, LINE_END after each, padded with -1."""
    codes = np.full((len(TEMPLATES), max(map(len, TEMPLATES)) + 1), -1, dtype=np.int16)
    for row, template in enumerate(TEMPLATES):
        codes[row, : len(template) + 1] = [*map(list(CATEGORIES).index, template), LINE_END]
    return codes


LINE_END = len(CATEGORIES)
PIECES, POOL_STARTS, POOL_SIZES = _vocabulary()
N_WORDS = (PIECES.size - 1) // 2
TEMPLATE_CODES = _template_table()
TEMPLATE_LENGTHS = (TEMPLATE_CODES >= 0).sum(axis=1)
# The theme class (noun, verb, adjective) of each category and LINE_END; -1: no favourites.
THEME_CLASS = np.array([*(THEMED.get(letter, -1) for letter in CATEGORIES), -1])
# A song's distinct lines sit on a grid: verse v's line j at v * MAX_VERSE_LINES + j, then the
# chorus lines. Its slots, in singing order, are each stanza's lines and a blank line (-1).
_STANZA_LINES = [
    np.arange(MAX_CHORUS_LINES) + MAX_VERSES * MAX_VERSE_LINES
    if stanza == CHORUS
    else np.arange(MAX_VERSE_LINES) + stanza * MAX_VERSE_LINES
    for stanza in STANZAS
]
SLOT_LINES = np.concatenate([np.append(lines, -1) for lines in _STANZA_LINES])
SLOT_STANZAS = np.repeat(np.arange(len(STANZAS)), [lines.size + 1 for lines in _STANZA_LINES])


def _song_shapes(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Which grid lines each song has (n x grid) and which slots it sings (n x slots)."""
    third = rng.random(n) < THIRD_VERSE_SHARE
    verse_lines = rng.integers(4, MAX_VERSE_LINES + 1, n)[:, None]
    chorus_lines = rng.integers(3, MAX_CHORUS_LINES + 1, n)[:, None]
    verse, line = np.divmod(np.arange(MAX_VERSES * MAX_VERSE_LINES), MAX_VERSE_LINES)
    has_line = np.hstack(
        [
            (line < verse_lines) & ((verse < 2) | third[:, None]),
            np.arange(MAX_CHORUS_LINES) < chorus_lines,
        ]
    )
    # The stanzas sung, as STANZAS orders them: two verses with their chorus, the third verse
    # and its chorus, the outro.
    yes = np.ones(n, dtype=bool)
    sung = np.column_stack([yes, yes, yes, yes, third, third, rng.random(n) < OUTRO_SHARE])
    # A blank line after every stanza but the last one sung.
    last = len(STANZAS) - 1 - np.argmax(sung[:, ::-1], axis=1)
    blank = sung & (np.arange(len(STANZAS)) < last[:, None])
    sings = sung[:, SLOT_STANZAS] & np.where(
        SLOT_LINES >= 0, has_line[:, np.maximum(SLOT_LINES, 0)], blank[:, SLOT_STANZAS]
    )
    return has_line, sings


def _line_pieces(
    rng: np.random.Generator, language: np.ndarray, singers: np.ndarray, theme: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The pieces of lines in the given languages, end to end, and each line's length: a
    template's words, then the line end. Where a word class has favourites, a word is one of
    the line's two ``singers``' (columns) at THEME_SHARE."""
    template = rng.integers(0, len(TEMPLATES), language.size)
    length = TEMPLATE_LENGTHS[template]
    codes = TEMPLATE_CODES[template]
    category = codes[codes >= 0]
    line = np.repeat(np.arange(language.size), length)
    at = rng.random(category.size) ** SKEW
    word_class = THEME_CLASS[category]
    themed = np.flatnonzero((word_class >= 0) & (rng.random(category.size) < THEME_SHARE))
    singer = singers[line[themed], rng.integers(0, 2, themed.size)]
    at[themed] = theme[singer, word_class[themed], rng.integers(0, THEME_SIZE, themed.size)]
    # Line ends look a word up in any list; they become piece 0 below.
    lists = language[line] * len(CATEGORIES) + np.minimum(category, LINE_END - 1)
    word = POOL_STARTS.ravel()[lists] + (at * POOL_SIZES.ravel()[lists]).astype(np.int64)
    later = np.ones(category.size, dtype=bool)  # not a line's first word: not capitalised
    later[np.cumsum(length) - length] = False
    pieces = np.where(category == LINE_END, 0, 1 + word + later * N_WORDS)
    return pieces, length


def _join(pieces: np.ndarray, length: np.ndarray, lines: np.ndarray, songs: np.ndarray):
    """Each song's text (an object array): the pieces of its ``lines`` (numbers into
    ``length``, one past it for a blank line), in order, without the last line end. ``songs``
    counts the lines of each."""
    pieces = np.append(pieces, 0)
    length = np.append(length, 1)
    start = np.cumsum(length) - length
    sung = length[lines]
    ends = np.cumsum(sung)
    index = np.repeat(start[lines] - (ends - sung), sung) + np.arange(ends[-1])
    parts = PIECES[pieces[index]].tolist()
    bounds = np.append(0, ends[np.cumsum(songs) - 1])
    texts = ["".join(parts[a : b - 1]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return np.array(texts, dtype=object)


def _songs(
    rng: np.random.Generator, language: np.ndarray, singers: np.ndarray, theme: np.ndarray
) -> np.ndarray:
    """The texts of songs in the given languages by the given singers (see ``lyrics``)."""
    has_line, sings = _song_shapes(rng, language.size)
    track = np.repeat(np.arange(language.size), has_line.sum(axis=1))
    pieces, length = _line_pieces(rng, language[track], singers[track], theme)
    number = (np.cumsum(has_line) - 1).reshape(has_line.shape)
    slot_numbers = np.where(SLOT_LINES >= 0, number[:, np.maximum(SLOT_LINES, 0)], track.size)
    return _join(pieces, length, slot_numbers[sings], sings.sum(axis=1))


def lyrics(rng: np.random.Generator, singers: np.ndarray, n_artists: int) -> np.ndarray:
    """Lyrics of each track (an object array of str), sung by its ``singers`` (tracks x 2
    artist numbers below ``n_artists``; a solo track names its artist twice)."""
    n = singers.shape[0]
    theme = rng.random((n_artists, 3, THEME_SIZE))
    language = rng.choice(len(LANGUAGES), n, p=LANGUAGE_SHARES)
    texts = np.empty(n, dtype=object)
    for first in range(0, n, BLOCK):  # in blocks: the pieces of all songs at once are many
        block = slice(first, first + BLOCK)
        texts[block] = _songs(rng, language[block], singers[block], theme)
    texts[rng.random(n) < EMPTY_SHARE] = ""
    shuffled = rng.permutation(n)
    covers = round(COVER_SHARE * n)
    texts[shuffled[:covers]] = texts[shuffled[covers : 2 * covers]]
    return texts
