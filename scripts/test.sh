#!/usr/bin/env bash
# Set up .venv with the test tools, lint, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-venv.sh test
.venv/bin/ruff check .
.venv/bin/snakefmt --check Snakefile rules/
# Two workers, a test file each: most of a workflow test is one job process at a time.
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
