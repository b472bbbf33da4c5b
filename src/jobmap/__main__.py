"""``python -m jobmap``: the command line, as the ``jobmap`` command."""

from jobmap.cli import main

if __name__ == "__main__":
    main()
