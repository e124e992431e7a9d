"""Property-based: whatever a malformed export holds, ingest returns a clean table or raises an
InputError naming the file, never anything else (modelprep.build.ingest.tables, with hypothesis)."""

import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import write_demo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelprep import InputError
from modelprep.build.ingest.tables import MAX_TEXT_CHARS, VALID_RANGES, read_low_level, read_tracks
from modelprep.layout import LOW_LEVEL_CSV, TRACKS_CSV
from modelprep.schema import BASIC_FEATURES

SOURCE = Path(tempfile.mkdtemp(prefix="modelprep-hypothesis-"))
RAW = write_demo(SOURCE, n_tracks=40)
TRACKS = (RAW / TRACKS_CSV).read_bytes()
LOW_LEVEL = (RAW / LOW_LEVEL_CSV).read_bytes()
TRACK_IDS = read_tracks(RAW / TRACKS_CSV)[0]["id"]

# Pieces that exports, scrapes and hand edits really contain.
NASTY = st.sampled_from(
    [b",", b'"', b'""', b"\n", b"\r\n", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"inf", b"-inf",
     b"nan", b"NA", b"1e400", b"-0", b"7", b"15", b"-120", b"\xe9", b"\xe2\x82\xac", b";", b"\t"]
)  # fmt: skip
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

pytestmark = pytest.mark.unit


@st.composite
def mangled(draw, source: bytes) -> bytes:
    """The valid export with a few edits: bytes inserted, cut out or the file truncated."""
    data = bytearray(source)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["insert", "delete", "truncate"]))
        if edit == "insert":
            data[at:at] = draw(NASTY | st.binary(min_size=1, max_size=20))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        else:
            del data[at:]
    return bytes(data)


def check_clean_tracks(frame) -> None:
    assert list(frame.columns) == ["id", "name", "artists_id", "uri", *BASIC_FEATURES]
    assert len(frame) > 0 and frame["id"].is_unique and (frame["id"] != "").all()
    values = frame[list(BASIC_FEATURES)].to_numpy()
    assert values.dtype == np.float64 and np.isfinite(values).all()
    for column, (low, high) in VALID_RANGES.items():
        assert frame[column].between(low, high).all(), column
    for column in ("id", "name", "artists_id", "uri"):
        assert frame[column].str.len().max() <= MAX_TEXT_CHARS


def outcome(reader, data: bytes, name: str, *args):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        try:
            return reader(path, *args)[0]
        except InputError as error:
            assert str(error).startswith(str(path)), "the message names the file"
            return None


@SETTINGS
@given(data=st.one_of(mangled(TRACKS), st.binary(max_size=400)))
def test_tracks_file_gives_a_clean_table_or_a_clear_error(data):
    frame = outcome(read_tracks, data, TRACKS_CSV)
    if frame is not None:
        check_clean_tracks(frame)


@SETTINGS
@given(data=mangled(LOW_LEVEL))
def test_low_level_file_gives_a_clean_table_or_a_clear_error(data):
    frame = outcome(read_low_level, data, LOW_LEVEL_CSV, TRACK_IDS)
    if frame is not None:
        features = frame.drop(columns="track_id").to_numpy()
        assert features.dtype == np.float64 and np.isfinite(features).all()
        assert frame["track_id"].is_unique and frame["track_id"].isin(TRACK_IDS).all()


@pytest.mark.parametrize("header_edit", [b"id,", b"name,", b"tempo,"])
def test_a_removed_required_column_is_named(tmp_path, header_edit):
    path = tmp_path / TRACKS_CSV
    path.write_bytes(TRACKS.replace(header_edit, b"", 1))
    with pytest.raises(InputError, match=header_edit[:-1].decode()):
        read_tracks(path)
