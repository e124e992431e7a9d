"""Deterministic demo data shaped like the SpotGenTrack export.

``python -m modelprep.demo --tracks N --out DIR`` writes ``spotify_tracks.csv`` and
``low_level_audio_features.csv`` with the real column names and value ranges. Tracks belong to
hidden genres (a centre in feature space each), so the variants have structure to find; a few
percent are outliers, some tracks lack low-level rows, and titles hold commas, quotes, newlines
and non-Latin scripts, as real titles do. Same arguments, same bytes.
"""

from __future__ import annotations

import argparse
import string
from pathlib import Path

import numpy as np
import pandas as pd

from modelprep.schema import LOW_LEVEL_FILE, TRACKS_FILE, UNIT_FEATURES

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
OUTLIER_FRACTION = 0.03
WITHOUT_LOW_LEVEL_FRACTION = 0.01


def low_level_columns() -> list[str]:
    """The 207 low-level feature names of the real export, in its order."""
    names = [f"{p}{i}" for p, n, _, _ in LOW_LEVEL_FAMILIES for i in range(1, n + 1)]
    return names + [name for name, _, _ in LOW_LEVEL_SINGLES]


def _ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unique 22-character base62 ids (Spotify's shape)."""
    ids = ["".join(row) for row in rng.choice(ID_ALPHABET, size=(n, 22))]
    return np.array(ids, dtype=object)


def _names(rng: np.random.Generator, n: int) -> list[str]:
    names = []
    for _ in range(n):
        words = rng.choice(WORDS, size=rng.integers(1, 5))
        name = " ".join(words)
        roll = rng.random()
        if roll < 0.05:
            name = f"{words[0]}, {name}"
        elif roll < 0.08:
            name = f'{name} (feat. "{words[-1]}")'
        elif roll < 0.09:
            name = f"{name}\n- Live"
        names.append(name)
    return names


def _basic_features(rng: np.random.Generator, genre: np.ndarray, n_genres: int) -> dict:
    n = genre.size
    out = {}
    for column in UNIT_FEATURES:
        centres = rng.uniform(0.05, 0.95, n_genres)
        out[column] = np.clip(centres[genre] + rng.normal(0, 0.04, n), 0.0, 1.0)
    out["loudness"] = np.clip(rng.uniform(-22, -4, n_genres)[genre] + rng.normal(0, 1.2, n), -60, 0)
    out["tempo"] = np.clip(rng.uniform(70, 180, n_genres)[genre] + rng.normal(0, 4, n), 50, 220)
    out["key"] = np.where(
        rng.random(n) < 0.9, rng.integers(0, 12, n_genres)[genre], rng.integers(0, 12, n)
    )
    out["mode"] = np.where(
        rng.random(n) < 0.95, rng.integers(0, 2, n_genres)[genre], rng.integers(0, 2, n)
    )
    signature = rng.choice([3, 4, 5, 1, 0], size=n, p=[0.04, 0.94, 0.01, 0.005, 0.005])
    out["time_signature"] = np.where(rng.random(n_genres)[genre] < 0.8, 4, signature)
    return out


def _scramble_outliers(rng: np.random.Generator, basic: dict, outliers: np.ndarray) -> None:
    """Outlier tracks get independent uniform features: HDBSCAN should call them noise."""
    k = int(outliers.sum())
    for column in UNIT_FEATURES:
        basic[column][outliers] = rng.uniform(0, 1, k)
    basic["loudness"][outliers] = rng.uniform(-40, -2, k)
    basic["tempo"][outliers] = rng.uniform(60, 200, k)
    basic["tempo"][outliers & (rng.random(outliers.size) < 0.1)] = 0.0


def _low_level(rng: np.random.Generator, genre: np.ndarray, n_genres: int) -> np.ndarray:
    """Genre centres plus per-track noise, mapped onto each column's realistic offset and scale."""
    names = low_level_columns()
    centres = rng.normal(0, 1, (n_genres, len(names)))
    z = centres[genre] + rng.normal(0, 0.45, (genre.size, len(names)))
    offsets = [o for _, n, o, _ in LOW_LEVEL_FAMILIES for _ in range(n)]
    scales = [s for _, n, _, s in LOW_LEVEL_FAMILIES for _ in range(n)]
    offsets += [o for _, o, _ in LOW_LEVEL_SINGLES]
    scales += [s for _, _, s in LOW_LEVEL_SINGLES]
    return np.asarray(offsets) + np.asarray(scales) * z


def generate(n_tracks: int = 20_000, seed: int = 7, n_genres: int = 12):
    """Both demo tables as DataFrames: (tracks, low_level)."""
    if n_tracks < 1:
        raise ValueError("--tracks must be at least 1")
    rng = np.random.default_rng(seed)
    genre = rng.integers(0, n_genres, n_tracks)
    outliers = rng.random(n_tracks) < OUTLIER_FRACTION
    basic = _basic_features(rng, genre, n_genres)
    _scramble_outliers(rng, basic, outliers)
    ids = _ids(rng, n_tracks)
    artists = _ids(rng, max(1, n_tracks // 8))
    first = rng.integers(0, artists.size, n_tracks)
    second = rng.integers(0, artists.size, n_tracks)
    duet = rng.random(n_tracks) < 0.15
    tracks = pd.DataFrame(
        {
            "Unnamed: 0": np.arange(n_tracks),
            "acousticness": basic["acousticness"].round(6),
            "album_id": _ids(rng, n_tracks),
            "artists_id": [
                f"['{artists[a]}', '{artists[b]}']" if d else f"['{artists[a]}']"
                for a, b, d in zip(first, second, duet, strict=True)
            ],
            "available_markets": [
                str(list(rng.choice(MARKETS, size=rng.integers(1, 6), replace=False)))
                for _ in range(n_tracks)
            ],
            "country": "BE",
            "danceability": basic["danceability"].round(6),
            "duration_ms": rng.integers(90_000, 420_000, n_tracks),
            "energy": basic["energy"].round(6),
            "id": ids,
            "instrumentalness": basic["instrumentalness"].round(6),
            "key": basic["key"],
            "liveness": basic["liveness"].round(6),
            "loudness": basic["loudness"].round(3),
            "lyrics": [f"{w}, {w}\n{w}..." for w in rng.choice(WORDS, n_tracks)],
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
    values = _low_level(rng, genre, n_genres)
    keep = rng.random(n_tracks) >= WITHOUT_LOW_LEVEL_FRACTION
    order = rng.permutation(np.flatnonzero(keep))
    low_level = pd.DataFrame(values[order], columns=low_level_columns())
    low_level.insert(0, "Unnamed: 0", np.arange(order.size))
    low_level["track_id"] = ids[order]
    return tracks, low_level


def write(out: Path, n_tracks: int, seed: int, with_low_level: bool = True) -> list[Path]:
    """Write the demo CSVs into ``out``; returns the paths written."""
    tracks, low_level = generate(n_tracks, seed)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / TRACKS_FILE]
    tracks.to_csv(written[0], index=False)
    if with_low_level:
        written.append(out / LOW_LEVEL_FILE)
        low_level.to_csv(written[1], index=False, float_format="%.6g")
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m modelprep.demo", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--tracks", type=int, default=20_000, help="number of tracks (20000)")
    parser.add_argument("--out", type=Path, default=Path("data/raw"), help="directory (data/raw)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (7)")
    parser.add_argument("--no-low-level", action="store_true", help="write only spotify_tracks.csv")
    args = parser.parse_args(argv)
    if args.tracks < 1:
        parser.error("--tracks must be at least 1")
    for path in write(args.out, args.tracks, args.seed, not args.no_low_level):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
