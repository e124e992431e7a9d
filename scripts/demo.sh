#!/usr/bin/env bash
# Build every model from demo data: set up .venv, generate data/raw if it has no
# spotify_tracks.csv, run the workflow. Extra arguments go to snakemake.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh
raw=${RAW_DATA_PATH:-${DATA_PATH:-data}/raw}
if [ ! -f "$raw/spotify_tracks.csv" ]; then
  .venv/bin/python -m modelprep.demo --tracks "${DEMO_TRACKS:-20000}" --out "$raw"
fi
exec .venv/bin/snakemake --cores "${CORES:-all}" "$@"
