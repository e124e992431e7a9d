#!/usr/bin/env python3
"""Same as ``python scripts/startup.py`` with no flags (kept for existing deployments)."""

import sys

from modelprep.startup import main

if __name__ == "__main__":
    sys.exit(main([]))
