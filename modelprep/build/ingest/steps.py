"""The ingest jobs: each raw CSV validated into a clean table and a report of what was kept."""

from __future__ import annotations

import logging

from modelprep.files import save_json

log = logging.getLogger(__name__)


def ingest_tracks(csv: str, table_out: str, report_out: str) -> None:
    from modelprep.build.ingest import tables

    tracks, report = tables.read_tracks(csv)
    tracks.to_pickle(table_out)
    save_json(report, report_out)
    log.info("%s: %d of %d rows kept", csv, report["rows_kept"], report["rows_read"])


def ingest_low_level(csv: str, tracks_table: str, table_out: str, report_out: str) -> None:
    import pandas as pd

    from modelprep.build.ingest import tables

    track_ids = pd.read_pickle(tracks_table)["id"]
    low_level, report = tables.read_low_level(csv, track_ids)
    low_level.to_pickle(table_out)
    save_json(report, report_out)
    log.info("%s: %d tracks with %d features", csv, len(low_level), low_level.shape[1] - 1)
