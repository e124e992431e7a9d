"""Validation and cleaning of the raw exports (modelprep.build.ingest.tables)."""

import logging

import numpy as np
import pandas as pd
import pytest

from modelprep import InputError
from modelprep.build.ingest.tables import read_low_level, read_tracks
from modelprep.schema import BASIC_FEATURES

pytestmark = pytest.mark.unit


def rewrite(path, edit):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False)
    return path


def test_reads_clean_table_in_file_order(tracks_csv):
    raw = pd.read_csv(tracks_csv)
    tracks, report = read_tracks(tracks_csv)
    assert list(tracks.columns) == ["id", "name", "artists_id", "uri", *BASIC_FEATURES]
    assert tracks["id"].tolist() == raw["id"].tolist()
    assert all(tracks[c].dtype == np.float64 for c in BASIC_FEATURES)
    assert report["rows_read"] == report["rows_kept"] == len(raw)
    assert len(report["sha256"]) == 64


def test_text_survives_quotes_newlines_and_scripts(tracks_csv):
    names = ['Love, "Live" at Café', "two\nlines", "夜 Сердце حب", "NA"]

    def edit(frame):
        frame.loc[: len(names) - 1, "name"] = names

    tracks, _ = read_tracks(rewrite(tracks_csv, edit))
    assert tracks["name"].tolist()[: len(names)] == names


def test_missing_required_columns_are_named(tracks_csv):
    path = rewrite(tracks_csv, lambda f: f.drop(columns=["tempo", "artists_id"], inplace=True))
    with pytest.raises(InputError, match=r"spotify_tracks\.csv.*missing: artists_id, tempo"):
        read_tracks(path)


def test_missing_file_says_where_to_put_it(tmp_path):
    with pytest.raises(InputError, match="file not found.*RAW_DATA_PATH"):
        read_tracks(tmp_path / "spotify_tracks.csv")


def test_duplicate_ids_keep_the_first(tracks_csv, caplog):
    def edit(frame):
        frame.loc[5, "id"] = frame.loc[2, "id"]
        frame.loc[9, "id"] = frame.loc[2, "id"]

    raw = pd.read_csv(rewrite(tracks_csv, edit), dtype=str, keep_default_na=False)
    with caplog.at_level(logging.WARNING):
        tracks, report = read_tracks(tracks_csv)
    assert report["dropped_duplicate_id"] == 2
    assert len(tracks) == len(raw) - 2
    kept = tracks.set_index("id").loc[raw.loc[2, "id"], "danceability"]
    assert kept == float(raw.loc[2, "danceability"])
    assert "repeats an earlier id" in caplog.text


def test_non_finite_rows_are_dropped_and_named(tracks_csv, caplog):
    def edit(frame):
        frame.loc[3, "energy"] = ""
        frame.loc[4, "energy"] = "inf"
        frame.loc[5, "loudness"] = "-inf"
        frame.loc[7, "tempo"] = "NaN"

    with caplog.at_level(logging.WARNING):
        tracks, report = read_tracks(rewrite(tracks_csv, edit))
    assert report["dropped_non_finite"] == {"energy": 2, "loudness": 1, "tempo": 1}
    assert report["rows_kept"] == report["rows_read"] - 4
    assert np.isfinite(tracks[list(BASIC_FEATURES)].to_numpy()).all()
    assert "spotify_tracks.csv: 2 rows have a missing or non-finite 'energy'" in caplog.text


def test_text_in_numeric_column_names_column_and_rows(tracks_csv):
    def edit(frame):
        frame.loc[10, "loudness"] = "loud"
        frame.loc[12, "loudness"] = "-3 dB"

    with pytest.raises(InputError, match=r"'loudness'.*2 rows.*row 11: 'loud'.*row 13: '-3 dB'"):
        read_tracks(rewrite(tracks_csv, edit))


def test_out_of_range_rows_are_dropped(tracks_csv, caplog):
    def edit(frame):
        frame.loc[0, "danceability"] = "7"
        frame.loc[1, "key"] = "15"
        frame.loc[2, "tempo"] = "-5"
        frame.loc[3, "mode"] = "0.5"

    with caplog.at_level(logging.WARNING):
        _, report = read_tracks(rewrite(tracks_csv, edit))
    assert report["dropped_out_of_range"] == {"danceability": 1, "tempo": 1, "key": 1, "mode": 1}
    assert "'danceability' is outside [0, 1]" in caplog.text


def test_uri_falls_back_to_id(tracks_csv):
    tracks, _ = read_tracks(rewrite(tracks_csv, lambda f: f.drop(columns=["uri"], inplace=True)))
    assert (tracks["uri"] == tracks["id"]).all()


def test_header_only_is_an_error(tmp_path):
    path = tmp_path / "spotify_tracks.csv"
    path.write_text(",".join(["id", "name", "artists_id", *BASIC_FEATURES]) + "\n")
    with pytest.raises(InputError, match="no data rows"):
        read_tracks(path)


def test_low_level_joins_in_track_order(raw_pair):
    tracks_path, low_path = raw_pair
    tracks, _ = read_tracks(tracks_path)
    low, report = read_low_level(low_path, tracks["id"])
    assert "Unnamed: 0" not in low.columns
    assert low.shape[1] == 1 + 207
    positions = pd.Index(tracks["id"]).get_indexer(low["track_id"])
    assert (positions >= 0).all() and (np.diff(positions) > 0).all()
    assert report["tracks_without_low_level"] == len(tracks) - len(low)


def test_low_level_drops_unknown_tracks_text_columns_and_nan_rows(raw_pair, caplog):
    tracks_path, low_path = raw_pair

    def edit(frame):
        frame.loc[0, "track_id"] = "X" * 22
        frame["MEL_3"] = "loud"
        frame.loc[4, "MFCC_1"] = ""

    rewrite(low_path, edit)
    tracks, _ = read_tracks(tracks_path)
    with caplog.at_level(logging.WARNING):
        low, report = read_low_level(low_path, tracks["id"])
    assert "MEL_3" not in low.columns and report["dropped_columns"] == ["MEL_3"]
    assert report["dropped_unknown_track"] == 1
    assert report["dropped_non_finite"] == {"MFCC_1": 1}
    assert not low["track_id"].isin(["X" * 22]).any()
    assert "dropped column 'MEL_3': it holds no numeric value" in caplog.text


def test_low_level_without_track_id_is_an_error(raw_pair):
    tracks_path, low_path = raw_pair
    rewrite(low_path, lambda f: f.drop(columns=["track_id"], inplace=True))
    with pytest.raises(InputError, match="'track_id' missing.*remove the file"):
        read_low_level(low_path, read_tracks(tracks_path)[0]["id"])


def test_low_level_matching_no_track_is_an_error(raw_pair):
    _, low_path = raw_pair
    with pytest.raises(InputError, match="no row matches"):
        read_low_level(low_path, pd.Series(["nope"]))


def test_low_level_index_columns_are_not_features(raw_pair):
    tracks_path, low_path = raw_pair
    frame = pd.read_csv(low_path).rename(columns={"Unnamed: 0": ""})
    frame.insert(1, "Unnamed: 0.1", range(len(frame)))
    frame.to_csv(low_path, index=False)
    low, _ = read_low_level(low_path, read_tracks(tracks_path)[0]["id"])
    assert low.shape[1] == 1 + 207 and not low.columns.str.startswith("Unnamed").any()


def test_low_level_text_cells_in_a_numeric_column_are_an_error(raw_pair):
    tracks_path, low_path = raw_pair
    rewrite(low_path, lambda f: f.__setitem__("MEL_5", f["MEL_5"].where(f.index != 7, "x")))
    with pytest.raises(InputError, match=r"'MEL_5' must be numeric.*row 8: 'x'"):
        read_low_level(low_path, read_tracks(tracks_path)[0]["id"])


def test_repeated_column_names_are_an_error(tracks_csv):
    text = tracks_csv.read_text()
    header, rest = text.split("\n", 1)
    tracks_csv.write_text(header.replace("popularity", "energy") + "\n" + rest)
    with pytest.raises(InputError, match=r"repeated column names \['energy'\]"):
        read_tracks(tracks_csv)


def test_low_level_column_named_like_a_track_column_is_dropped(raw_pair):
    tracks_path, low_path = raw_pair
    rewrite(low_path, lambda f: f.insert(2, "tempo", "120"))
    low, report = read_low_level(low_path, read_tracks(tracks_path)[0]["id"])
    assert "tempo" not in low.columns and report["dropped_columns"] == ["tempo"]


def test_empty_file_is_an_error(tmp_path):
    path = tmp_path / "spotify_tracks.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"spotify_tracks\.csv: the file is empty"):
        read_tracks(path)


def test_binary_garbage_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "spotify_tracks.csv"
    path.write_bytes(np.random.default_rng(0).bytes(5000))
    with pytest.raises(InputError, match=r"spotify_tracks\.csv: line 1 is not UTF-8 .*UTF-8 CSV"):
        read_tracks(path)


def test_latin1_file_is_refused_naming_the_line_and_byte(tracks_csv):
    text = tracks_csv.read_text(encoding="utf-8").encode("ascii", errors="replace").decode()
    lines = text.splitlines(keepends=True)
    lines[5] = "Caf\u00e9 " + lines[5]  # line 6 may be a lyrics line inside a quoted field
    tracks_csv.write_bytes("".join(lines).encode("latin-1"))
    with pytest.raises(InputError, match=r"line 6 is not UTF-8 \(byte 0xE9 .*Latin-1.*iconv"):
        read_tracks(tracks_csv)


def test_utf16_with_bom_is_decoded_with_a_warning(tracks_csv, caplog):
    expected, _ = read_tracks(tracks_csv)
    tracks_csv.write_bytes(tracks_csv.read_text(encoding="utf-8").encode("utf-16"))
    with caplog.at_level(logging.WARNING):
        tracks, _ = read_tracks(tracks_csv)
    pd.testing.assert_frame_equal(tracks, expected)
    assert "spotify_tracks.csv: decoded as UTF-16" in caplog.text


def test_utf8_bom_is_read_as_utf8(tracks_csv, caplog):
    expected, _ = read_tracks(tracks_csv)
    tracks_csv.write_bytes(b"\xef\xbb\xbf" + tracks_csv.read_bytes())
    with caplog.at_level(logging.WARNING):
        tracks, _ = read_tracks(tracks_csv)
    pd.testing.assert_frame_equal(tracks, expected)
    assert "decoded" not in caplog.text


def test_a_50_mb_field_is_dropped_or_quoted_short(tracks_csv, caplog):
    huge = "x" * 50_000_000
    path = rewrite(tracks_csv, lambda f: f.loc.__setitem__((2, "name"), huge))
    with caplog.at_level(logging.WARNING):
        tracks, report = read_tracks(path)
    assert report["dropped_too_long"] == {"name": 1} and len(tracks) == report["rows_read"] - 1
    assert "dropped 1 rows whose 'name' is longer than 10,000 characters" in caplog.text
    path = rewrite(tracks_csv, lambda f: f.loc.__setitem__((2, "tempo"), "9" * 50_000_000))
    with pytest.raises(InputError, match=r"'tempo' must be numeric.*row 3: '9999") as error:
        read_tracks(path)
    assert len(str(error.value)) < 500


def test_all_rows_identical_is_an_error(tracks_csv):
    def edit(frame):
        for column in BASIC_FEATURES:
            frame[column] = frame.loc[0, column]

    with pytest.raises(InputError, match=r"all 300 valid rows have the same values.*nothing"):
        read_tracks(rewrite(tracks_csv, edit))


def test_low_level_rows_all_identical_is_an_error(raw_pair):
    tracks_path, low_path = raw_pair

    def edit(frame):
        features = [c for c in frame.columns if c not in ("track_id", "Unnamed: 0")]
        frame[features] = frame.loc[0, features].to_numpy()

    tracks, _ = read_tracks(tracks_path)
    with pytest.raises(InputError, match=r"low_level_audio_features\.csv: all \d+ valid rows"):
        read_low_level(rewrite(low_path, edit), tracks["id"])
