"""``python -m hopcore``: list the chapters, or re-run one (see :mod:`hopcore.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
