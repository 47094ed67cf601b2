"""``python -m hopcore``: list the chapters, or re-run one (see :mod:`hopcore.book.cli`)."""

import sys

from .book.cli import main

if __name__ == "__main__":
    sys.exit(main())
