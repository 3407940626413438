"""`make package`: build dist/landslide_lsm_plugin-<version>.zip for Install from ZIP."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qgis_tools as qt

if __name__ == "__main__":
    out = qt.build_zip(qt.ROOT / "dist")
    print(f"Built {out}\nInstall it in QGIS: Plugins > Manage and Install Plugins > "
          "Install from ZIP.")
