#!/usr/bin/env python3
"""Same as ``python scripts/startup.py`` with no flags (kept for existing deployments), on the
workflow of the checkout this file sits in."""

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent
sys.path.insert(0, str(CHECKOUT))

from modelprep.service.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main([], workflow_dir=CHECKOUT))
