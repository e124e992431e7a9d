"""The demo data generator (modelprep.demo)."""

import itertools
import re
import subprocess
import sys
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from conftest import build, write_demo

from modelprep import demo
from modelprep.build.ingest.tables import VALID_RANGES, read_low_level, read_tracks
from modelprep.demo import lyrics, words
from modelprep.layout import LOW_LEVEL_CSV, TRACKS_CSV
from modelprep.schema import BASIC_FEATURES

pytestmark = pytest.mark.workflow


def test_same_arguments_same_bytes(tmp_path):
    first = demo.write(tmp_path / "a", 300, seed=3)
    second = demo.write(tmp_path / "b", 300, seed=3)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    other = demo.write(tmp_path / "c", 300, seed=4)
    assert other[0].read_bytes() != first[0].read_bytes()


def test_real_column_names_and_valid_values(tmp_path):
    raw = write_demo(tmp_path, n_tracks=1000)
    tracks, report = read_tracks(raw / TRACKS_CSV)
    assert report["rows_kept"] == 1000, "every generated track passes validation"
    assert tracks["id"].str.len().eq(22).all()
    assert tracks["artists_id"].str.match(r"^\['\w{22}'(, '\w{22}')*\]$").all()
    assert tracks["name"].str.contains("\n").any() and tracks["name"].str.contains(",").any()
    assert (tracks["time_signature"] == 4).mean() > 0.8
    header = pd.read_csv(raw / LOW_LEVEL_CSV, nrows=0).columns
    assert header[0] == "Unnamed: 0" and header[-1] == "track_id"
    assert list(header[1:-1]) == demo.low_level_columns() and len(header) == 209
    low, report = read_low_level(raw / LOW_LEVEL_CSV, tracks["id"])
    assert 0 < report["tracks_without_low_level"] < 50
    assert np.isfinite(low.iloc[:, 1:].to_numpy()).all()


def test_command_line(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "modelprep.demo",
            "--tracks",
            "50",
            "--out",
            str(tmp_path),
            "--no-low-level",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [TRACKS_CSV]
    assert len(pd.read_csv(tmp_path / TRACKS_CSV)) == 50
    bad = subprocess.run(
        [sys.executable, "-m", "modelprep.demo", "--tracks", "0", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "--tracks must be at least 1" in bad.stderr


NEW_FAMILIES = [f for f in demo.FAMILIES if f != "genres"]


@pytest.mark.parametrize("family", NEW_FAMILIES)
def test_family_same_arguments_same_bytes(tmp_path, family):
    first = demo.write(tmp_path / "a", 300, seed=3, family=family)
    second = demo.write(tmp_path / "b", 300, seed=3, family=family)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    other_seed = demo.write(tmp_path / "c", 300, seed=4, family=family)
    genres = demo.write(tmp_path / "d", 300, seed=3)
    for other in (other_seed, genres):
        for a, b in zip(first, other, strict=True):
            assert a.read_bytes() != b.read_bytes()


def test_tracks_do_not_depend_on_the_low_level_table():
    for family in demo.FAMILIES:
        with_low, _ = demo.generate(300, 3, family=family)
        without, low_level = demo.generate(300, 3, family=family, with_low_level=False)
        assert low_level is None and without.equals(with_low)


@pytest.mark.parametrize("family", NEW_FAMILIES)
def test_family_has_the_genres_columns_and_valid_values(tmp_path, family):
    tracks, low_level = demo.generate(1000, seed=5, family=family)
    genres_tracks, genres_low_level = demo.generate(50, seed=5)
    assert tracks.dtypes.equals(genres_tracks.dtypes)
    assert low_level.dtypes.equals(genres_low_level.dtypes)
    for column, (low, high) in VALID_RANGES.items():
        assert tracks[column].between(low, high).all(), column
    assert tracks["id"].str.len().eq(22).all() and tracks["id"].is_unique
    raw = tmp_path / family
    demo.write(raw, 1000, seed=5, family=family)
    read, report = read_tracks(raw / TRACKS_CSV)
    assert report["rows_kept"] == 1000, "every generated track passes validation"
    low, report = read_low_level(raw / LOW_LEVEL_CSV, read["id"])
    assert 0 < report["tracks_without_low_level"] < 50
    assert report["rows_kept"] == report["rows_read"], "every low-level row is accepted"
    assert np.isfinite(low.iloc[:, 1:].to_numpy()).all()


def top_components_share(values: np.ndarray, k: int) -> float:
    """Share of the variance of the standardized columns that the top k components explain."""
    standardized = (values - values.mean(axis=0)) / values.std(axis=0)
    variances = np.linalg.svd(standardized, compute_uv=False) ** 2
    return float(variances[:k].sum() / variances.sum())


def test_latent_is_structured_but_not_low_rank():
    tracks, low_level = demo.generate(1500, seed=5, family="latent")
    values = low_level[demo.low_level_columns()].to_numpy()
    assert 0.5 < top_components_share(values, 10) < 0.98
    # A handful of factors dominate (genres' twelve far-apart centres give about 0.3 here).
    assert top_components_share(values, 3) > 0.45
    mel = low_level[[f"MEL_{i}" for i in range(1, 129)]].to_numpy()
    neighbours = np.corrcoef(mel, rowvar=False).diagonal(offset=1)
    assert np.median(np.abs(neighbours)) > 0.5, (
        "neighbouring MEL bands move together (genres: 0.15)"
    )
    assert tracks["key"].nunique() == 12 and tracks["mode"].nunique() == 2


def test_skewed_has_duplicate_rows_ties_and_a_dominant_cluster():
    tracks, low_level = demo.generate(1500, seed=5, family="skewed")
    basic = tracks[list(BASIC_FEATURES)]
    copies = basic.duplicated()
    assert 50 <= copies.sum() <= 100, "about 5% copies, a few without a low-level row"
    features = low_level[demo.low_level_columns()]
    assert features.duplicated().sum() >= 50
    # A copy repeats its source in both files, under its own id.
    merged = tracks[["id", *BASIC_FEATURES]].merge(low_level, left_on="id", right_on="track_id")
    both = merged.drop(columns=["id", "track_id", "Unnamed: 0"]).duplicated()
    assert both.sum() >= 50 and merged["id"].is_unique
    assert (features.nunique() < 50).sum() >= 20, "rounded low-level columns"
    assert basic["tempo"].eq(basic["tempo"].round()).all()
    # One cluster holds ~60% of the tracks: the most common key is far above a twelfth.
    assert tracks["key"].value_counts(normalize=True).iloc[0] > 0.4


def test_unknown_family_refused():
    with pytest.raises(ValueError, match="family must be one of"):
        demo.generate(10, family="blobs")


def test_command_line_family(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "modelprep.demo", "--tracks", "40", "--out", str(tmp_path)]
        + ["--family", "skewed", "--seed", "2"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    expected = demo.write(tmp_path / "api", 40, seed=2, family="skewed")
    for path in expected:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes()


@pytest.mark.workflow
def test_every_variant_finds_clusters_at_8000_tracks(tmp_path):
    """Four times the workflow tests' 2,000 tracks, where the low-level variants still take the
    exact k-NN graph path. The README's 20,000 are built by the benchmark (its quality guard),
    kept out of the timed suite."""
    write_demo(tmp_path / "data" / "raw", n_tracks=8_000, lyrics=False)
    build(tmp_path, "--cores", "2")
    models = tmp_path / "data" / "models"
    for variant in (
        "naive_features",
        "pca_features",
        "combined_features",
        "llav_features",
        "llav_pca",
    ):
        labels = pd.read_pickle(models / f"{variant}_cluster_labels.pkl")
        sizes = np.bincount(labels[labels >= 0])
        assert (sizes >= 11).sum() >= 5, variant
        assert (labels == -1).mean() < 0.5, variant


# Lyrics: 2,000 tracks, as the shares below are counted on.
KANA = re.compile("[\u3040-\u30ff]")
SPANISH_WORDS = {w for pool in words.SPANISH.values() for entry in pool for w in entry.split()}
ENGLISH_WORDS = {w.lower() for pool in words.ENGLISH.values() for w in pool}
# English nouns, verbs and adjectives: what the lyrics models keep of a song.
CONTENT_WORDS = {w for c in "NMBSGDA" for w in words.ENGLISH[c]}


@pytest.fixture(scope="module")
def songs():
    tracks, _ = demo.generate(2000, seed=5, with_low_level=False)
    return tracks


def english_words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def languages(lyrics_column: pd.Series) -> pd.Series:
    """Each track's lyrics language as the generator chose it: empty, ja, es or en."""
    spanish = lyrics_column.map(lambda t: set(t.lower().split()) <= SPANISH_WORDS)
    kana = lyrics_column.str.contains(KANA)
    return pd.Series(
        np.select([lyrics_column.eq(""), kana, spanish], ["empty", "ja", "es"], "en"),
        index=lyrics_column.index,
    )


@pytest.mark.unit
def test_lyrics_round_trip_through_the_csv(tmp_path):
    tracks, _ = demo.generate(300, seed=3, with_low_level=False)
    demo.write(tmp_path, 300, seed=3, with_low_level=False)
    read = pd.read_csv(tmp_path / TRACKS_CSV)
    assert read["lyrics"].fillna("").tolist() == tracks["lyrics"].tolist()
    assert tracks["lyrics"].str.count("\n").median() > 15, "lines and stanzas"
    again, _ = demo.generate(300, seed=3, with_low_level=False)
    other, _ = demo.generate(300, seed=4, with_low_level=False)
    assert again["lyrics"].equals(tracks["lyrics"])
    assert (other["lyrics"] != tracks["lyrics"]).mean() > 0.9


@pytest.mark.unit
def test_lyrics_draw_from_their_own_stream(monkeypatch):
    """Other lyrics leave every other column and the low-level table as they were."""
    tracks, low_level = demo.generate(300, seed=3)
    monkeypatch.setattr(lyrics, "THIRD_VERSE_SHARE", 1.0)
    longer, same_low_level = demo.generate(300, seed=3)
    assert (longer["lyrics"].str.len() > tracks["lyrics"].str.len()).mean() > 0.3
    assert longer.drop(columns="lyrics").equals(tracks.drop(columns="lyrics"))
    assert same_low_level.equals(low_level)


@pytest.mark.unit
def test_lyrics_shares_of_languages_empty_and_covers(songs):
    text = songs["lyrics"]
    shares = languages(text).value_counts(normalize=True)
    assert 0.015 <= shares["empty"] <= 0.035
    assert 0.01 <= shares["ja"] <= 0.03
    assert 0.035 <= shares["es"] <= 0.065
    assert text[languages(text).eq("es")].str.contains("[áéíóúñ]").mean() > 0.5
    # Kana lyrics leave nothing once cleaned to [a-zA-Z ], as the models clean them.
    assert text[languages(text).eq("ja")].str.replace("[^a-zA-Z]", "", regex=True).eq("").all()
    sung = text[text.ne("")]
    assert 0.01 <= sung.duplicated(keep=False).mean() <= 0.04, "covers: ~1% copy another track"
    assert 800 <= sung.str.len().mean() <= 1300 and sung.str.len().std() > 150


@pytest.mark.unit
def test_every_song_repeats_its_chorus(songs):
    for text in songs["lyrics"][songs["lyrics"].ne("")]:
        stanzas = text.split("\n\n")
        assert 4 <= len(stanzas) <= 7, text
        chorus = stanzas[1]
        assert stanzas[3] == chorus and stanzas[-1] == chorus, text
        assert stanzas[0] != stanzas[2] and stanzas[0] != chorus, text
        assert min(s.count("\n") + 1 for s in stanzas) >= 3, "each stanza has several lines"


@pytest.mark.unit
def test_english_lyrics_have_plurals_inflections_and_stopwords(songs):
    english = songs["lyrics"][languages(songs["lyrics"]).eq("en")]
    counts = Counter(w for text in english for w in english_words(text))
    total = sum(counts.values())

    def share(forms) -> float:
        return sum(counts[w] for w in set(forms)) / total

    plurals = set(words.ENGLISH["M"]) - set(words.ENGLISH["N"]) - set(words.ENGLISH["S"])
    assert share(plurals) > 0.03 and share(words.ENGLISH["G"]) > 0.015
    assert share(set(words.ENGLISH["D"]) - set(words.ENGLISH["B"])) > 0.03
    assert share(["the", "and", "i", "you", "my"]) > 0.08
    for word in ("women", "leaves", "children", "nights", "went", "cried", "goes", "running"):
        assert counts[word] > 0, word
    assert set(counts) <= ENGLISH_WORDS


@pytest.mark.unit
def test_an_artists_songs_share_vocabulary(songs):
    """Content words of two songs by one artist overlap more than a random pair's, short of
    copies (Jaccard index of the word sets)."""
    english = np.flatnonzero(languages(songs["lyrics"]).eq("en"))
    text = songs["lyrics"].to_numpy()
    content = [set(english_words(t)) & CONTENT_WORDS for t in text]
    artist = songs["artists_id"].str.slice(2, 24).to_numpy()

    def jaccard(a: int, b: int) -> float:
        return len(content[a] & content[b]) / len(content[a] | content[b])

    by_artist = pd.Series(english).groupby(artist[english]).agg(list)
    same = [
        jaccard(a, b)
        for group in by_artist
        for a, b in itertools.combinations(group, 2)
        if text[a] != text[b]
    ]
    pairs = np.random.default_rng(0).choice(english, (3000, 2))
    random = [jaccard(a, b) for a, b in pairs if artist[a] != artist[b]]
    assert len(same) > 1000
    assert np.mean(same) > 1.6 * np.mean(random)
    assert np.percentile(same, 99) < 0.5, "an artist's songs are not copies of each other"


# Without lyrics: the public 1.2M-track export's shape (basic features, no lyrics column).
EXPORT_COLUMNS = [
    "Unnamed: 0",
    "acousticness",
    "album_id",
    "artists_id",
    "available_markets",
    "country",
    "danceability",
    "duration_ms",
    "energy",
    "id",
    "instrumentalness",
    "key",
    "liveness",
    "loudness",
    "lyrics",
    "mode",
    "name",
    "popularity",
    "speechiness",
    "tempo",
    "time_signature",
    "track_number",
    "uri",
    "valence",
    "type",
]


@pytest.mark.unit
@pytest.mark.parametrize("with_lyrics", [True, False])
def test_writes_n_rows_and_the_export_columns_deterministically(tmp_path, with_lyrics):
    written = [
        demo.write(tmp_path / run, 257, seed=3, with_low_level=False, with_lyrics=with_lyrics)
        for run in ("a", "b")
    ]
    assert [p.name for p in written[0]] == [TRACKS_CSV]
    assert written[0][0].read_bytes() == written[1][0].read_bytes()
    read = pd.read_csv(written[0][0])
    expected = [c for c in EXPORT_COLUMNS if with_lyrics or c != "lyrics"]
    assert len(read) == 257 and list(read.columns) == expected
    assert read["id"].is_unique


@pytest.mark.unit
@pytest.mark.parametrize("family", demo.FAMILIES)
def test_leaving_the_lyrics_out_changes_no_other_value(family):
    tracks, low_level = demo.generate(300, 3, family=family)
    without, same_low_level = demo.generate(300, 3, family=family, with_lyrics=False)
    assert "lyrics" in tracks and "lyrics" not in without
    assert without.equals(tracks.drop(columns="lyrics"))
    assert same_low_level.equals(low_level)


@pytest.mark.unit
def test_command_line_without_lyrics(tmp_path, capsys):
    demo.main(["--tracks", "40", "--out", str(tmp_path), "--no-low-level", "--no-lyrics"])
    assert capsys.readouterr().out == f"wrote {tmp_path / TRACKS_CSV}\n"
    expected = demo.write(tmp_path / "api", 40, 7, with_low_level=False, with_lyrics=False)
    assert (tmp_path / TRACKS_CSV).read_bytes() == expected[0].read_bytes()
