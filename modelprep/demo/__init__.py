"""Deterministic demo data shaped like the SpotGenTrack export.

``python -m modelprep.demo --tracks N --out DIR [--family F]`` writes ``spotify_tracks.csv`` and
``low_level_audio_features.csv`` with the real column names and value ranges (``tables``). Same
arguments, same bytes. The families (``families``) differ only in how feature values are drawn.
The lyrics (``lyrics``, from the words of ``words``) share vocabulary within an artist.
``--no-low-level --no-lyrics`` gives the shape of the public 1.2M-track export (the 12 basic
features only); leaving either out changes no other value.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from modelprep.demo.families import DRAWS, FAMILIES
from modelprep.demo.tables import low_level_columns, low_level_table, tracks_table
from modelprep.layout import LOW_LEVEL_CSV, TRACKS_CSV

__all__ = ["FAMILIES", "generate", "low_level_columns", "main", "write"]


def generate(
    n_tracks: int = 20_000,
    seed: int = 7,
    n_genres: int = 12,
    family: str = "genres",
    with_low_level: bool = True,
    with_lyrics: bool = True,
):
    """Both demo tables as DataFrames: (tracks, low_level); low_level is None without it.

    ``family`` is one of ``FAMILIES`` (see ``modelprep.demo.families``); ``n_genres`` applies
    to ``genres`` only. Leaving the low-level table out does not change the tracks table;
    leaving the lyrics out (no ``lyrics`` column) changes no other column nor the low-level
    table.
    """
    if n_tracks < 1:
        raise ValueError("--tracks must be at least 1")
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(FAMILIES)}, not {family!r}")
    rng = np.random.default_rng(seed)
    basic, low_level_values = DRAWS[family](rng, n_tracks, n_genres)
    tracks = tracks_table(rng, basic, with_lyrics)
    if not with_low_level:
        return tracks, None
    return tracks, low_level_table(rng, low_level_values(), tracks["id"].to_numpy())


def write(
    out: Path,
    n_tracks: int,
    seed: int,
    with_low_level: bool = True,
    family: str = "genres",
    with_lyrics: bool = True,
) -> list[Path]:
    """Write the demo CSVs into ``out``; returns the paths written."""
    tracks, low_level = generate(
        n_tracks, seed, family=family, with_low_level=with_low_level, with_lyrics=with_lyrics
    )
    out.mkdir(parents=True, exist_ok=True)
    written = [out / TRACKS_CSV]
    tracks.to_csv(written[0], index=False)
    if with_low_level:
        written.append(out / LOW_LEVEL_CSV)
        low_level.to_csv(written[1], index=False, float_format="%.6g")
    return written


def main(argv: list[str] | None = None) -> None:
    """The command line (``python -m modelprep.demo``); ``argv`` defaults to ``sys.argv``."""
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
    parser.add_argument("--no-low-level", action="store_true", help=f"write only {TRACKS_CSV}")
    parser.add_argument("--no-lyrics", action="store_true", help="no lyrics column")
    args = parser.parse_args(argv)
    if args.tracks < 1:
        parser.error("--tracks must be at least 1")
    written = write(
        args.out, args.tracks, args.seed, not args.no_low_level, args.family, not args.no_lyrics
    )
    for path in written:
        print(f"wrote {path}")
