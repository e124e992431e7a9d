"""Read and validate the raw exports.

Policy (the README's "Input policy" section repeats it):

* text is read as text (``NA`` is a song title, not a missing value); numeric columns are parsed
  afterwards so that unparseable text is an error naming the column and rows, not a silent NaN;
* rows without an ``id`` and duplicate ids (all but the first) are dropped;
* rows whose features are missing, non-finite or outside the documented range are dropped,
  never imputed: a made-up feature vector would put a track in a cluster it does not belong to;
* the low-level file covers the tracks present in both files; its non-numeric columns are
  dropped, as are its rows for unknown tracks and rows with missing values.

Everything dropped is counted in the returned report and logged at WARNING, naming the file,
the column and how many rows.
"""

from __future__ import annotations

import codecs
import csv
import logging
import os

import numpy as np
import pandas as pd

from modelprep.errors import InputError
from modelprep.files import file_sha256
from modelprep.layout import TRACKS_CSV
from modelprep.schema import (
    BASIC_FEATURES,
    ID_COLUMN,
    INDEX_PREFIX,
    LOW_LEVEL_ID,
    REQUIRED_TRACK_COLUMNS,
    UNIT_FEATURES,
)

log = logging.getLogger(__name__)

# Values outside these closed intervals are not measurements but export errors.
VALID_RANGES = {
    **{column: (0.0, 1.0) for column in UNIT_FEATURES},
    "loudness": (-100.0, 10.0),
    "tempo": (0.0, 300.0),
    "key": (0.0, 11.0),
    "mode": (0.0, 1.0),
    "time_signature": (0.0, 5.0),
}
INTEGER_FEATURES = ("key", "mode", "time_signature")
# Spellings of "no value" in the exports; anything else that does not parse is an error.
MISSING_TOKENS = frozenset({"", "nan", "NaN", "NA", "N/A", "null", "NULL", "None"})
MAX_LISTED_ROWS = 5
# Longer than any real title or artist list: such a field is an export error, and would be
# published into every song_indices file.
MAX_TEXT_CHARS = 10_000
# How much of a bad value an error message quotes.
MAX_QUOTED_CHARS = 40
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _quote(value) -> str:
    text = repr(value)
    return (
        text
        if len(text) <= MAX_QUOTED_CHARS
        else f"{text[:MAX_QUOTED_CHARS]}... ({len(text):,} chars)"
    )


def _require_file(path: str) -> None:
    if not os.path.isfile(path):
        raise InputError(
            f"{path}: file not found. Put the export there, or point RAW_DATA_PATH at the "
            "directory that holds it."
        )


def _encoding_of(path: str) -> str:
    """UTF-8, with or without its BOM; UTF-16 only when the file starts with a UTF-16 BOM, which
    leaves no doubt (decoded, with a warning). Anything else that is not UTF-8 is refused: a
    guess such as Latin-1 decodes any bytes, garbage included.
    """
    with open(path, "rb") as handle:
        start = handle.read(2)
    if start in UTF16_BOMS:
        log.warning("%s: decoded as UTF-16 (it starts with a UTF-16 byte-order mark)", path)
        return "utf-16"
    return "utf-8-sig"


def _not_utf8(path: str, encoding: str) -> InputError:
    """The first line that does not decode, for a message a person can act on."""
    if encoding != "utf-8-sig":
        return InputError(f"{path}: does not decode as {encoding}. Re-export the file as UTF-8.")
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return InputError(
                    f"{path}: line {number} is not UTF-8 (byte 0x{line[exc.start]:02X} at "
                    f"position {exc.start + 1}); Latin-1 or Windows-1252 exports and binary "
                    "files look like this. Re-export the file as UTF-8 CSV, for example with "
                    f"`iconv -f latin1 -t utf-8 old.csv > {os.path.basename(path)}`."
                )
    return InputError(f"{path}: not UTF-8 text. Re-export the file as UTF-8 CSV.")


def _read_header(path: str, encoding: str) -> list[str]:
    try:
        with open(path, newline="", encoding=encoding) as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, encoding) from exc
    except csv.Error as exc:
        raise InputError(
            f"{path}: the header row is not CSV ({exc}). Check that this is the CSV export."
        ) from exc
    if not header:
        raise InputError(f"{path}: the file is empty; it needs a header row and data rows.")
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise InputError(f"{path}: repeated column names {repeated}; each column needs one name.")
    return header


def header_and_encoding(path: str) -> tuple[list[str], str]:
    """The header row, and the encoding to read the file with (UTF-8, or UTF-16 by its BOM)."""
    _require_file(path)
    encoding = _encoding_of(path)
    return _read_header(path, encoding), encoding


def read_frame(
    path: str, usecols: list[str], text_columns: tuple[str, ...], encoding: str
) -> pd.DataFrame:
    """Read the named columns, text columns as strings and the rest as floats where they parse."""
    dtype = {column: str for column in text_columns}
    try:
        frame = pd.read_csv(
            path,
            usecols=usecols,
            dtype=dtype,
            keep_default_na=False,
            na_values={c: sorted(MISSING_TOKENS) for c in usecols if c not in text_columns},
            encoding=encoding,
            low_memory=False,
        )
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, encoding) from exc
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(
            f"{path}: cannot be parsed as CSV ({exc}). Check quoting and encoding."
        ) from exc
    if frame.empty:
        raise InputError(f"{path}: has a header but no data rows.")
    return frame


def _numeric(frame: pd.DataFrame, column: str, path: str) -> pd.Series:
    """Parse one column as float64, or raise naming the first rows that are not numbers."""
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(np.float64)
    parsed = pd.to_numeric(values, errors="coerce")
    bad = parsed.isna() & ~values.isna() & ~values.astype(str).str.strip().isin(MISSING_TOKENS)
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:MAX_LISTED_ROWS]
        examples = ", ".join(f"row {r + 1}: {_quote(values.iloc[r])}" for r in rows)
        raise InputError(
            f"{path}: column '{column}' must be numeric but {int(bad.sum())} rows hold text "
            f"({examples}; rows count records after the header, and a quoted field may span "
            "lines). Fix or remove those rows."
        )
    return parsed.astype(np.float64)


def _drop(frame: pd.DataFrame, mask: pd.Series, path: str, column: str, why: str) -> pd.DataFrame:
    count = int(mask.sum())
    if count:
        log.warning("%s: dropped %d rows whose '%s' %s", path, count, column, why)
    return frame.loc[~mask]


def _drop_invalid_ids(frame: pd.DataFrame, id_column: str, path: str, report: dict):
    ids = frame[id_column].astype(str).str.strip()
    frame = frame.assign(**{id_column: ids})
    missing = ids.eq("") | ids.isin(MISSING_TOKENS)
    report["dropped_missing_id"] = int(missing.sum())
    frame = _drop(frame, missing, path, id_column, "is empty")
    duplicated = frame[id_column].duplicated(keep="first")
    report["dropped_duplicate_id"] = int(duplicated.sum())
    return _drop(frame, duplicated, path, id_column, "repeats an earlier id (kept the first)")


def _drop_overlong_text(frame: pd.DataFrame, columns, path: str, report: dict) -> pd.DataFrame:
    report["dropped_too_long"] = {}
    for column in columns:
        too_long = frame[column].str.len() > MAX_TEXT_CHARS
        if too_long.any():
            report["dropped_too_long"][column] = int(too_long.sum())
            why = f"is longer than {MAX_TEXT_CHARS:,} characters (an export error)"
            frame = _drop(frame, too_long, path, column, why)
    return frame


def _drop_non_finite(frame: pd.DataFrame, columns, path: str) -> tuple[pd.DataFrame, dict]:
    """Drop rows with a missing or infinite value in any of ``columns``; count per column."""
    values = frame[list(columns)].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    per_column = {c: int(n) for c, n in zip(columns, bad.sum(axis=0), strict=True) if n}
    for column, count in per_column.items():
        log.warning("%s: %d rows have a missing or non-finite '%s'", path, count, column)
    rows = bad.any(axis=1)
    if rows.any():
        log.warning("%s: dropped %d rows with missing or non-finite features", path, rows.sum())
    return frame.loc[~rows], per_column


def _refuse_identical_rows(frame: pd.DataFrame, columns, path: str) -> None:
    """Every row the same: no structure to find, and PCA would divide by a zero variance.
    Column by column, so a real export stops at its first column."""
    if len(frame) < 2:
        return
    for column in columns:
        values = frame[column].to_numpy()
        if (values != values[0]).any():
            return
    raise InputError(
        f"{path}: all {len(frame)} valid rows have the same values in every feature column "
        f"({columns[0]}, ...), so there is nothing to cluster. Check the export."
    )


def read_tracks(path: str | os.PathLike) -> tuple[pd.DataFrame, dict]:
    """Read ``spotify_tracks.csv`` into a clean table and a report of what was dropped.

    Returns a frame with ``id``, ``name``, ``artists_id``, ``uri`` (text) and the 12 basic
    features (float64), in file order, one row per unique id.
    """
    path = os.fspath(path)
    header, encoding = header_and_encoding(path)
    missing = [c for c in REQUIRED_TRACK_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"{path}: required columns missing: {', '.join(missing)}. The file needs "
            f"{', '.join(REQUIRED_TRACK_COLUMNS)} (other columns are ignored)."
        )
    has_uri = "uri" in header
    usecols = list(REQUIRED_TRACK_COLUMNS) + (["uri"] if has_uri else [])
    text = ("id", "name", "artists_id", "uri")
    frame = read_frame(path, usecols, text, encoding)
    report: dict = {"file": path, "rows_read": len(frame)}

    for column in BASIC_FEATURES:
        frame[column] = _numeric(frame, column, path)
    frame = _drop_overlong_text(frame, [c for c in text if c in usecols], path, report)
    frame = _drop_invalid_ids(frame, ID_COLUMN, path, report)
    frame, report["dropped_non_finite"] = _drop_non_finite(frame, BASIC_FEATURES, path)

    out_of_range = {}
    for column, (low, high) in VALID_RANGES.items():
        values = frame[column]
        bad = (values < low) | (values > high)
        if column in INTEGER_FEATURES:
            bad |= values != np.round(values)
        if bad.any():
            out_of_range[column] = int(bad.sum())
            frame = _drop(frame, bad, path, column, f"is outside [{low:g}, {high:g}]")
    report["dropped_out_of_range"] = out_of_range

    if frame.empty:
        raise InputError(f"{path}: no valid rows remain after validation; see the warnings above.")
    _refuse_identical_rows(frame, BASIC_FEATURES, path)
    uri = frame["uri"].str.strip() if has_uri else pd.Series("", index=frame.index)
    frame["uri"] = uri.where(uri.ne(""), frame[ID_COLUMN])
    frame["name"] = frame["name"].fillna("")
    frame = frame[["id", "name", "artists_id", "uri", *BASIC_FEATURES]].reset_index(drop=True)
    report["rows_kept"] = len(frame)
    report["sha256"] = file_sha256(path)
    return frame, report


def read_low_level(path: str | os.PathLike, track_ids) -> tuple[pd.DataFrame, dict]:
    """Read ``low_level_audio_features.csv`` for the given tracks, in their order.

    Returns a frame with ``track_id`` and every numeric feature column (float64), holding only
    tracks that are in ``track_ids`` and have a complete row.
    """
    path = os.fspath(path)
    header, encoding = header_and_encoding(path)
    if LOW_LEVEL_ID not in header:
        raise InputError(
            f"{path}: column '{LOW_LEVEL_ID}' missing; it joins the low-level features to "
            f"{TRACKS_CSV} ids. Add it, or remove the file to build only the basic variants."
        )
    # Index columns (named "Unnamed: N" or left blank by pandas exports) are not features.
    usecols = [c for c in header if c.strip() and not c.startswith(INDEX_PREFIX)]
    frame = read_frame(path, usecols, (LOW_LEVEL_ID,), encoding)
    report: dict = {"file": path, "rows_read": len(frame)}

    features, dropped_columns = [], []
    for column in usecols:
        if column == LOW_LEVEL_ID:
            continue
        if column in REQUIRED_TRACK_COLUMNS or column == "uri":
            dropped_columns.append(column)
            log.warning("%s: dropped column '%s': %s provides it", path, column, TRACKS_CSV)
            continue
        if pd.to_numeric(frame[column], errors="coerce").notna().any():
            frame[column] = _numeric(frame, column, path)  # a few bad cells: an error
            features.append(column)
        else:
            dropped_columns.append(column)
            log.warning("%s: dropped column '%s': it holds no numeric value", path, column)
    if not features:
        raise InputError(f"{path}: no numeric feature columns; remove the file or fix it.")
    report["dropped_columns"] = dropped_columns

    frame = _drop_invalid_ids(frame[[LOW_LEVEL_ID, *features]], LOW_LEVEL_ID, path, report)
    known = frame[LOW_LEVEL_ID].isin(pd.Index(track_ids))
    report["dropped_unknown_track"] = int((~known).sum())
    frame = _drop(frame, ~known, path, LOW_LEVEL_ID, f"is not an id in {TRACKS_CSV}")
    frame, report["dropped_non_finite"] = _drop_non_finite(frame, features, path)
    if frame.empty:
        raise InputError(
            f"{path}: no row matches a valid track of {TRACKS_CSV}; the low-level variants "
            "would be empty. Check that 'track_id' holds the same ids, or remove the file."
        )
    _refuse_identical_rows(frame, features, path)
    order = pd.Index(track_ids).get_indexer(frame[LOW_LEVEL_ID])
    frame = frame.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    without = len(track_ids) - len(frame)
    report["tracks_without_low_level"] = without
    if without:
        log.warning(
            "%s: %d tracks have no usable low-level row; the low-level variants leave them out",
            path,
            without,
        )
    report["rows_kept"] = len(frame)
    report["sha256"] = file_sha256(path)
    return frame, report
