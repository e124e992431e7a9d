#!/usr/bin/env bash
# Build the models with Docker Compose: models | models-force | models-check
set -euo pipefail
cd "$(dirname "$0")"
compose=(docker compose --profile setup)
case "${1:-}" in
  models) exec "${compose[@]}" run --rm model-prep ;;
  models-force) exec "${compose[@]}" run --rm -e FORCE_REGENERATE=true model-prep ;;
  models-check) exec "${compose[@]}" run --rm model-prep python scripts/startup.py --check-only ;;
  *)
    echo "usage: $0 models | models-force | models-check" >&2
    exit 2
    ;;
esac
