#!/usr/bin/env python3
"""Container health check: healthy only after a successful build (see modelprep.markers)."""

import sys

from modelprep.markers import health

if __name__ == "__main__":
    ok, message = health()
    print(message)
    sys.exit(0 if ok else 1)
