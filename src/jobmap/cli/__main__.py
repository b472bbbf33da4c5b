"""``python -m jobmap.cli``: the ``jobmap`` command."""

import sys

from jobmap.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
