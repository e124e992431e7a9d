"""How the demo's feature values are drawn; each family tests the clustering differently.

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

import numpy as np

from modelprep.demo.tables import (
    LOW_LEVEL_FAMILIES,
    LOW_LEVEL_SINGLES,
    low_level_columns,
    offsets_and_scales,
)
from modelprep.schema import UNIT_FEATURES

OUTLIER_FRACTION = 0.03
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
    offsets, scales = offsets_and_scales()
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
    offsets, scales = offsets_and_scales()
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
        scales = offsets_and_scales()[1]
        rounded = rng.random(values.shape[1]) < 0.25
        steps = 10.0 ** np.floor(np.log10(scales[rounded]))
        values[:, rounded] = np.round(values[:, rounded] / steps) * steps
        values[copies] = values[sources]
        return values

    return basic, low_level


# Each family's drawing function by name, in the order the command line offers them.
DRAWS = {"genres": _genres, "latent": _latent, "skewed": _skewed}
FAMILIES = tuple(DRAWS)
