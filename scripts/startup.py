#!/usr/bin/env python3
"""Container entry point: see modelprep.startup (``--help`` lists the options)."""

import sys

from modelprep.startup import main

if __name__ == "__main__":
    sys.exit(main())
