#!/usr/bin/env python3
"""Container entry point: see modelprep.service.main (``--help`` lists the options).

Runs the workflow of the checkout this file sits in, with that checkout's package, whatever
copy of modelprep the environment has installed.
"""

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(CHECKOUT))

from modelprep.service.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(workflow_dir=CHECKOUT))
