#!/usr/bin/env bash
# Create .venv (Python 3.11) and install modelprep with its pinned dependencies.
# Usage: scripts/setup-venv.sh [EXTRA]   e.g. "test" installs the test tools too.
# VENV=DIR puts the environment elsewhere (default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
extra=${1:-}
venv=${VENV:-.venv}
python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 "$(command -v pyenv >/dev/null && pyenv root)/versions/3.11"*/bin/python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      python=$candidate
      break
    fi
  done
fi
if [ -z "$python" ]; then
  echo "setup-venv: Python 3.11 not found; install it or set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e ".${extra:+[$extra]}"
# The lyrics models' NLTK data (WordNet 3.0, stopwords), into the environment: never downloaded.
scripts/install-nltk-data.sh "$venv/bin/python"
# The fits' numba code, compiled into the environment (share/modelprep/numba) for this machine's
# x86-64 level (modelprep.env.numba_cpu); each fit job copies what its NUMBA_CACHE_DIR lacks,
# so a first run compiles nothing.
# Seconds when nothing changed: numba recompiles only a kernel whose source file changed.
"$venv/bin/python" -m modelprep.build.fit.warmup
