"""The two CSV tables of the demo export, around feature values drawn by ``families``.

Titles hold commas, quotes, newlines and non-Latin scripts, as real titles do, lyrics span
many lines (``lyrics``), and some tracks lack low-level rows, so that ingestion meets the
awkward cases of the real export.
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from modelprep.demo import replay
from modelprep.demo.lyrics import lyrics

LOW_LEVEL_FAMILIES = (  # (prefix, count, typical offset, typical scale)
    ("Chroma_", 12, 0.4, 0.1),
    ("MEL_", 128, 0.5, 0.4),
    ("MFCC_", 48, -20.0, 30.0),
    ("Spectral_contrast_", 7, 20.0, 4.0),
    ("Tonnetz_", 6, 0.0, 0.05),
)
LOW_LEVEL_SINGLES = (
    ("ZCR", 0.08, 0.03),
    ("entropy_energy", 3.2, 0.1),
    ("spectral_bandwith", 2200.0, 400.0),
    ("spectral_centroid", 2500.0, 600.0),
    ("spectral_rollOff_max", 9000.0, 1500.0),
    ("spectral_rollOff_min", 400.0, 150.0),
)
WORDS = (
    "Love",
    "Night",
    "Rain",
    "Fire",
    "Dancing",
    "Summer",
    "Blue",
    "Heart",
    "Road",
    "Dream",
    "Café",
    "Noche",
    "Corazón",
    "Été",
    "Herz",
    "夜",
    "愛してる",
    "사랑",
    "Сердце",
    "Ночь",
    "حب",
    "אהבה",
    "गीत",
    "Ελπίδα",
    "Stay",
    "Gold",
    "Echo",
    "Wild",
    "Home",
    "Alive",
)
MARKETS = ("AD", "AE", "AR", "AT", "AU", "BE", "BR", "CA", "CH", "DE", "ES", "FR", "GB", "US")
ID_ALPHABET = np.array(list(string.ascii_letters + string.digits))
WITHOUT_LOW_LEVEL_FRACTION = 0.01


def low_level_columns() -> list[str]:
    """The 207 low-level feature names of the real export, in its order."""
    names = [f"{p}{i}" for p, n, _, _ in LOW_LEVEL_FAMILIES for i in range(1, n + 1)]
    return names + [name for name, _, _ in LOW_LEVEL_SINGLES]


def offsets_and_scales() -> tuple[np.ndarray, np.ndarray]:
    """Each low-level column's typical offset and scale, in column order."""
    offsets = [o for _, n, o, _ in LOW_LEVEL_FAMILIES for _ in range(n)]
    scales = [s for _, n, _, s in LOW_LEVEL_FAMILIES for _ in range(n)]
    offsets += [o for _, o, _ in LOW_LEVEL_SINGLES]
    scales += [s for _, _, s in LOW_LEVEL_SINGLES]
    return np.asarray(offsets), np.asarray(scales)


def _ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unique 22-character base62 ids (Spotify's shape)."""
    characters = np.ascontiguousarray(rng.choice(ID_ALPHABET, size=(n, 22)))
    return characters.view("<U22")[:, 0].astype(object)


def _names(rng: np.random.Generator, n: int) -> list[str]:
    """Track titles, some with the commas, quotes and newlines that trip up CSV handling.
    Per track, the draws of ``rng.integers(0, len(WORDS), size=rng.integers(1, 5))`` then
    ``rng.random()``, replayed (``replay``)."""
    numbers, counts, rolls = replay.words_and_rolls(rng, n, len(WORDS), 1, 5)
    names = []
    for row, count, roll in zip(numbers.tolist(), counts.tolist(), rolls.tolist(), strict=True):
        words = [WORDS[i] for i in row[:count]]
        name = " ".join(words)
        if roll < 0.05:
            name = f"{words[0]}, {name}"
        elif roll < 0.08:
            name = f'{name} (feat. "{words[-1]}")'
        elif roll < 0.09:
            name = f"{name}\n- Live"
        names.append(name)
    return names


def _markets(rng: np.random.Generator, n: int) -> list[str]:
    """Each track's markets as the export prints a list (``['AD', 'BR']``). Per track, the
    draws of ``rng.choice(MARKETS, size=rng.integers(1, 6), replace=False)``, replayed."""
    chosen, counts = replay.samples(rng, n, len(MARKETS), 1, 6)
    quoted = [f"'{market}'" for market in MARKETS]
    return [
        "[" + ", ".join([quoted[i] for i in row[:count]]) + "]"
        for row, count in zip(chosen.tolist(), counts.tolist(), strict=True)
    ]


def _lyrics(rng: np.random.Generator, first, second, n_artists: int, wanted: bool):
    """Song lyrics (``lyrics``) of the tracks by artists ``first`` and ``second``, from a stream
    of their own; None unless ``wanted``. The draw the former one-line lyrics made and the
    spawn are made either way, so that the other columns and the low-level table keep their
    values."""
    rng.integers(0, len(WORDS), first.size)
    stream = rng.spawn(1)[0]
    return lyrics(stream, np.column_stack([first, second]), n_artists) if wanted else None


def tracks_table(rng: np.random.Generator, basic: dict, with_lyrics: bool = True) -> pd.DataFrame:
    """The tracks file: the given basic features plus ids, titles, artists and the rest; the
    ``lyrics`` column only ``with_lyrics`` (the public 1.2M-track export has none)."""
    n_tracks = basic["key"].size
    ids = _ids(rng, n_tracks)
    artists = _ids(rng, max(1, n_tracks // 8))
    first = rng.integers(0, artists.size, n_tracks)
    second = rng.integers(0, artists.size, n_tracks)
    duet = rng.random(n_tracks) < 0.15
    table = pd.DataFrame(
        {
            "Unnamed: 0": np.arange(n_tracks),
            "acousticness": basic["acousticness"].round(6),
            "album_id": _ids(rng, n_tracks),
            "artists_id": [
                f"['{artists[a]}', '{artists[b]}']" if d else f"['{artists[a]}']"
                for a, b, d in zip(first, second, duet, strict=True)
            ],
            "available_markets": _markets(rng, n_tracks),
            "country": "BE",
            "danceability": basic["danceability"].round(6),
            "duration_ms": rng.integers(90_000, 420_000, n_tracks),
            "energy": basic["energy"].round(6),
            "id": ids,
            "instrumentalness": basic["instrumentalness"].round(6),
            "key": basic["key"],
            "liveness": basic["liveness"].round(6),
            "loudness": basic["loudness"].round(3),
            "lyrics": _lyrics(rng, first, np.where(duet, second, first), artists.size, with_lyrics),
            "mode": basic["mode"],
            "name": _names(rng, n_tracks),
            "popularity": rng.integers(0, 100, n_tracks),
            "speechiness": basic["speechiness"].round(6),
            "tempo": basic["tempo"].round(3),
            "time_signature": basic["time_signature"],
            "track_number": rng.integers(1, 20, n_tracks),
            "uri": [f"spotify:track:{i}" for i in ids],
            "valence": basic["valence"].round(6),
            "type": "audio_features",
        }
    )
    return table if with_lyrics else table.drop(columns="lyrics")


def low_level_table(rng: np.random.Generator, values: np.ndarray, ids) -> pd.DataFrame:
    """The low-level file: all but ~1% of the tracks, shuffled, keyed by ``track_id``."""
    keep = rng.random(ids.size) >= WITHOUT_LOW_LEVEL_FRACTION
    order = rng.permutation(np.flatnonzero(keep))
    low_level = pd.DataFrame(values[order], columns=low_level_columns())
    low_level.insert(0, "Unnamed: 0", np.arange(order.size))
    low_level["track_id"] = ids[order]
    return low_level
