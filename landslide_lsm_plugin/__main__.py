"""``python -m landslide_lsm_plugin``: the raster stages from a shell (see cli.py)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
