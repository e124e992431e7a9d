"""Deterministic demo data shaped like the SpotGenTrack export.

``python -m modelprep.demo --tracks N --out DIR [--family F]`` writes ``spotify_tracks.csv`` and
``low_level_audio_features.csv`` with the real column names and value ranges. Titles hold commas,
quotes, newlines and non-Latin scripts, as real titles do; some tracks lack low-level rows. Same
arguments, same bytes. The families differ only in how feature values are drawn:

* ``genres`` (default): hidden genres far apart (a centre each, isotropic noise) and a few
  percent outliers. Easy on purpose: the variants have structure to find, so the workflow tests
  can ask for clusters. Its bytes are fixed; tests and the benchmark rely on them.
* ``latent``: a few latent factors drive every feature, as in real audio data. Tracks come from
  overlapping Gaussian components of Zipf-like sizes and mixed spreads, plus a broad background;
  the low-level columns are noisy linear images of the factors (neighbouring MEL bands move
  together), so a handful of principal components carry most, not all, of the variance. A
  quality guard that only sees ``genres`` would pass an engine that fails where clusters touch.
* ``skewed``: the edge cases of density clustering: one cluster holding ~60% of the tracks,
  small tight clusters, ~10% uniform noise, exact duplicate feature rows (5% of tracks copy
  another's values in both files, under new ids; zero distances) and rounded columns (ties).
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
FAMILIES = ("genres", "latent", "skewed")
# How often a track takes its group's key, mode and time signature rather than its own.
GENRE_TIES = (0.9, 0.95, 0.8)
LATENT_TIES = (0.5, 0.7, 0.8)
LATENT_DIMS = 7
LATENT_COMPONENTS = 18
LATENT_BACKGROUND = 0.05
SKEWED_SMALL_CLUSTERS = 8
SKEWED_NOISE = 0.10
SKEWED_DUPLICATES = 0.05
# Bands over which neighbouring low-level loadings are smoothed (0: independent columns).
BAND_SMOOTHING = {"Chroma_": 1.0, "MEL_": 4.0, "MFCC_": 1.5, "Spectral_contrast_": 1.0}
# Steps the skewed family rounds these basic features to, as exports with few digits do.
SKEWED_STEPS = {"danceability": 0.01, "energy": 0.01, "valence": 0.01, "loudness": 0.5, "tempo": 1}


def low_level_columns() -> list[str]:
    """The 207 low-level feature names of the real export, in its order."""
    names = [f"{p}{i}" for p, n, _, _ in LOW_LEVEL_FAMILIES for i in range(1, n + 1)]
    return names + [name for name, _, _ in LOW_LEVEL_SINGLES]


def _offsets_and_scales() -> tuple[np.ndarray, np.ndarray]:
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
    names = []
    for _ in range(n):
        # The same draws as rng.choice(WORDS, size=k), at under half its per-call cost.
        words = [WORDS[i] for i in rng.integers(0, len(WORDS), size=rng.integers(1, 5))]
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


def _discrete_features(
    rng: np.random.Generator, group: np.ndarray, n_groups: int, ties: tuple[float, float, float]
) -> dict:
    """Key, mode and time signature, each tied to the track's group with the given probability."""
    n = group.size
    key_tie, mode_tie, signature_tie = ties
    out = {}
    out["key"] = np.where(
        rng.random(n) < key_tie, rng.integers(0, 12, n_groups)[group], rng.integers(0, 12, n)
    )
    out["mode"] = np.where(
        rng.random(n) < mode_tie, rng.integers(0, 2, n_groups)[group], rng.integers(0, 2, n)
    )
    signature = rng.choice([3, 4, 5, 1, 0], size=n, p=[0.04, 0.94, 0.01, 0.005, 0.005])
    out["time_signature"] = np.where(rng.random(n_groups)[group] < signature_tie, 4, signature)
    return out


def _basic_features(rng: np.random.Generator, genre: np.ndarray, n_genres: int) -> dict:
    n = genre.size
    out = {}
    for column in UNIT_FEATURES:
        centres = rng.uniform(0.05, 0.95, n_genres)
        out[column] = np.clip(centres[genre] + rng.normal(0, 0.04, n), 0.0, 1.0)
    out["loudness"] = np.clip(rng.uniform(-22, -4, n_genres)[genre] + rng.normal(0, 1.2, n), -60, 0)
    out["tempo"] = np.clip(rng.uniform(70, 180, n_genres)[genre] + rng.normal(0, 4, n), 50, 220)
    return out | _discrete_features(rng, genre, n_genres, GENRE_TIES)


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
    offsets, scales = _offsets_and_scales()
    return offsets + scales * z


# Each family draws the basic features of ``n`` tracks and returns them with a function that
# draws the low-level values later: genres drew those after the titles and ids, and its bytes
# must not change. ``n_genres`` is for genres only.


def _genres(rng: np.random.Generator, n: int, n_genres: int):
    genre = rng.integers(0, n_genres, n)
    outliers = rng.random(n) < OUTLIER_FRACTION
    basic = _basic_features(rng, genre, n_genres)
    _scramble_outliers(rng, basic, outliers)
    return basic, lambda: _low_level(rng, genre, n_genres)


def _mixture(
    rng: np.random.Generator,
    n: int,
    weights: np.ndarray,
    means: np.ndarray,
    spreads: np.ndarray,
    background: float,
    draw_background,
) -> tuple[np.ndarray, np.ndarray]:
    """Latent vectors from Gaussian components, each with its own per-axis spreads and random
    orientation, plus a ``background`` fraction from ``draw_background(rng, count)``.

    Returns the vectors and each one's component; the background is component ``len(weights)``.
    """
    weights = np.asarray(weights) / np.sum(weights)
    p = np.append((1 - background) * weights, background)
    component = rng.choice(p.size, size=n, p=p)
    z = np.empty((n, means.shape[1]))
    for c in range(weights.size):
        rows = np.flatnonzero(component == c)
        rotation = np.linalg.qr(rng.normal(size=(means.shape[1],) * 2))[0]
        z[rows] = means[c] + (rng.normal(size=(rows.size, means.shape[1])) * spreads[c]) @ rotation
    rows = component == weights.size
    z[rows] = draw_background(rng, int(rows.sum()))
    return z, component


def _smooth_basic(rng: np.random.Generator, z: np.ndarray, noise: float) -> dict:
    """Continuous basic features as sigmoids of a random linear map of ``z`` plus noise: bounded
    like the real ones, correlated through the shared factors."""
    columns = (*UNIT_FEATURES, "loudness", "tempo")
    loadings = rng.normal(0, 1.5 / np.sqrt(z.shape[1]), (z.shape[1], len(columns)))
    shifts = rng.normal(0, 0.5, len(columns))
    linear = z @ loadings + shifts + rng.normal(0, noise, (z.shape[0], len(columns)))
    unit = 1 / (1 + np.exp(-linear))
    out = {column: unit[:, i] for i, column in enumerate(UNIT_FEATURES)}
    out["loudness"] = -30 + 28 * unit[:, -2]
    out["tempo"] = 60 + 140 * unit[:, -1]
    return out


def _band_loadings(rng: np.random.Generator, dims: int) -> np.ndarray:
    """Unit-norm loadings (dims x 207) of the low-level columns on the latent factors, smoothed
    along the band index within each family so that neighbouring bands are correlated."""
    blocks = []
    for prefix, count, _, _ in LOW_LEVEL_FAMILIES:
        bands = np.arange(count)
        width = BAND_SMOOTHING.get(prefix, 0.0)
        kernel = np.exp(-((bands[:, None] - bands) ** 2) / (2 * width**2)) if width else None
        raw = rng.normal(size=(dims, count))
        blocks.append(raw if kernel is None else raw @ kernel)
    blocks.append(rng.normal(size=(dims, len(LOW_LEVEL_SINGLES))))
    loadings = np.hstack(blocks)
    return loadings / np.linalg.norm(loadings, axis=0)


def _latent_low_level(rng: np.random.Generator, z: np.ndarray, noise: tuple[float, float]):
    """The latent factors' image in the 207 low-level columns, plus independent column noise
    whose scale varies log-uniformly between ``noise`` bounds, at each column's offset/scale."""
    loadings = _band_loadings(rng, z.shape[1])
    column_noise = np.exp(rng.uniform(*np.log(noise), loadings.shape[1]))
    values = z @ loadings + rng.normal(size=(z.shape[0], loadings.shape[1])) * column_noise
    offsets, scales = _offsets_and_scales()
    return offsets + scales * values


def _latent(rng: np.random.Generator, n: int, n_genres: int):
    k, dims = LATENT_COMPONENTS, LATENT_DIMS
    weights = 1 / np.arange(1, k + 1) ** 1.1  # Zipf-like: 30% down to 1.3% of the tracks
    means = rng.normal(0, 1.0, (k, dims))
    # A third of the components sit near an earlier one (partner < own index): clusters touch.
    near = rng.random(k) < 0.35
    near[0] = False
    partner = (rng.random(k) * np.arange(k)).astype(int)
    means[near] = means[partner[near]] + rng.normal(0, 0.3, (int(near.sum()), dims))
    # Dense and diffuse components, each stretched differently along its axes.
    spreads = np.exp(rng.uniform(np.log(0.08), np.log(0.5), (k, 1)) + rng.normal(0, 0.3, (k, dims)))
    z, component = _mixture(
        rng, n, weights, means, spreads, LATENT_BACKGROUND, lambda r, m: r.normal(0, 2.0, (m, dims))
    )
    basic = _smooth_basic(rng, z, noise=0.15)
    basic |= _discrete_features(rng, component, k + 1, LATENT_TIES)
    return basic, lambda: _latent_low_level(rng, z, noise=(0.2, 0.8))


def _duplicates(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows to overwrite (copies) and the rows they copy (sources, from a pool a third as large,
    so some tracks have several copies: duplicate groups larger than ``min_samples``)."""
    n_copies = round(SKEWED_DUPLICATES * n)
    shuffled = rng.permutation(n)
    copies = shuffled[:n_copies]
    pool = shuffled[n_copies : n_copies + max(1, n_copies // 3)]
    return copies, pool[rng.integers(0, pool.size, n_copies)]


def _skewed(rng: np.random.Generator, n: int, n_genres: int):
    k, dims = SKEWED_SMALL_CLUSTERS, LATENT_DIMS
    small = 1 / np.arange(1, k + 1) ** 1.2
    weights = np.append(0.6, 0.3 * small / small.sum())  # of all tracks, noise included
    directions = rng.normal(size=(k, dims))
    radii = rng.uniform(2.5, 4.0, (k, 1))
    means = np.vstack(
        [np.zeros(dims), radii * directions / np.linalg.norm(directions, axis=1, keepdims=True)]
    )
    spreads = np.vstack([np.full(dims, 0.6), rng.uniform(0.03, 0.1, (k, 1)) * np.ones(dims)])
    z, component = _mixture(
        rng, n, weights, means, spreads, SKEWED_NOISE, lambda r, m: r.uniform(-4, 4, (m, dims))
    )
    basic = _smooth_basic(rng, z, noise=0.05)
    basic |= _discrete_features(rng, component, k + 2, GENRE_TIES)
    _scramble_outliers(rng, basic, component == k + 1)  # the uniform noise
    for column, step in SKEWED_STEPS.items():
        basic[column] = np.round(basic[column] / step) * step
    basic["instrumentalness"][basic["instrumentalness"] < 0.3] = 0.0  # as often in real exports
    copies, sources = _duplicates(rng, n)
    for values in basic.values():
        values[copies] = values[sources]

    def low_level() -> np.ndarray:
        values = _latent_low_level(rng, z, noise=(0.05, 0.2))
        # A quarter of the columns rounded to one significant digit of their typical scale.
        scales = _offsets_and_scales()[1]
        rounded = rng.random(values.shape[1]) < 0.25
        steps = 10.0 ** np.floor(np.log10(scales[rounded]))
        values[:, rounded] = np.round(values[:, rounded] / steps) * steps
        values[copies] = values[sources]
        return values

    return basic, low_level


def _tracks_table(rng: np.random.Generator, basic: dict) -> pd.DataFrame:
    """The tracks file: the given basic features plus ids, titles, artists and the rest."""
    n_tracks = basic["key"].size
    ids = _ids(rng, n_tracks)
    artists = _ids(rng, max(1, n_tracks // 8))
    first = rng.integers(0, artists.size, n_tracks)
    second = rng.integers(0, artists.size, n_tracks)
    duet = rng.random(n_tracks) < 0.15
    return pd.DataFrame(
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


def _low_level_table(rng: np.random.Generator, values: np.ndarray, ids) -> pd.DataFrame:
    """The low-level file: all but ~1% of the tracks, shuffled, keyed by ``track_id``."""
    keep = rng.random(ids.size) >= WITHOUT_LOW_LEVEL_FRACTION
    order = rng.permutation(np.flatnonzero(keep))
    low_level = pd.DataFrame(values[order], columns=low_level_columns())
    low_level.insert(0, "Unnamed: 0", np.arange(order.size))
    low_level["track_id"] = ids[order]
    return low_level


def generate(
    n_tracks: int = 20_000,
    seed: int = 7,
    n_genres: int = 12,
    family: str = "genres",
    with_low_level: bool = True,
):
    """Both demo tables as DataFrames: (tracks, low_level); low_level is None without it.

    ``family`` is one of ``FAMILIES`` (see the module docstring); ``n_genres`` applies to
    ``genres`` only. Leaving the low-level table out does not change the tracks table.
    """
    if n_tracks < 1:
        raise ValueError("--tracks must be at least 1")
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}, not {family!r}")
    rng = np.random.default_rng(seed)
    make = {"genres": _genres, "latent": _latent, "skewed": _skewed}[family]
    basic, low_level_values = make(rng, n_tracks, n_genres)
    tracks = _tracks_table(rng, basic)
    if not with_low_level:
        return tracks, None
    return tracks, _low_level_table(rng, low_level_values(), tracks["id"].to_numpy())


def write(
    out: Path, n_tracks: int, seed: int, with_low_level: bool = True, family: str = "genres"
) -> list[Path]:
    """Write the demo CSVs into ``out``; returns the paths written."""
    tracks, low_level = generate(n_tracks, seed, family=family, with_low_level=with_low_level)
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
    parser.add_argument(
        "--family",
        choices=FAMILIES,
        default="genres",
        help="genres: far-apart clusters (default); latent: overlapping, factor-driven; "
        "skewed: one dominant cluster, noise, duplicates, ties",
    )
    parser.add_argument("--no-low-level", action="store_true", help="write only spotify_tracks.csv")
    args = parser.parse_args(argv)
    if args.tracks < 1:
        parser.error("--tracks must be at least 1")
    for path in write(args.out, args.tracks, args.seed, not args.no_low_level, args.family):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
