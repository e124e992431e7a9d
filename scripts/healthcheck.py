#!/usr/bin/env python3
"""Container health check: healthy only after a successful build (see modelprep.service.outcome)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modelprep.service.outcome import health  # noqa: E402

if __name__ == "__main__":
    ok, message = health()
    print(message)
    sys.exit(0 if ok else 1)
