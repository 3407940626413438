"""Screenshots for the README from a `make demo` run: the desktop with the demo project and the
comparison dock, and the maps of the three models. Writes docs/images/*.png.

    .venv/bin/python scripts/screenshots.py [demo_output]
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import qgis_tools as qt

from landslide_lsm_plugin.presentation.figures import draw_lsi, draw_zones, figure_png

DESKTOP = qt.ROOT / "tests" / "qgis" / "desktop"
IMAGES = qt.ROOT / "docs" / "images"

EXTRA = '''
import os
from qgis.core import QgsProject
from qgis.PyQt.QtWidgets import QApplication, QAction
QgsProject.instance().read(os.environ["LSM_PROJECT"])
iface.mapCanvas().zoomToFullExtent()
for a in iface.mainWindow().findChildren(QAction):
    if a.objectName() == "LandslideLsmCompareModelsAction":
        a.trigger()
plugin.dock.add_results_file(os.environ["LSM_RESULTS"])
plugin.dock.table.selectRow(0)
QApplication.processEvents()
'''


def main() -> int:
    demo = Path(sys.argv[1] if len(sys.argv) > 1 else qt.ROOT / "demo_output").resolve()
    IMAGES.mkdir(parents=True, exist_ok=True)
    results = json.loads((demo / "results.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        qt.make_profile(root)
        extra = root / "extra.py"
        extra.write_text(EXTRA)
        startup = root / "xdg" / "QGIS" / "QGIS3"
        startup.mkdir(parents=True)
        shutil.copy(DESKTOP / "profile_startup.py", startup / "startup.py")
        env = qt.qgis_env(root)
        env.update(XDG_DATA_HOME=str(root / "xdg"), LSM_MESSAGE_LOG=str(root / "log"),
                   LSM_DESKTOP_OUT=str(root / "out.json"),
                   LSM_SCREENSHOT=str(IMAGES / "desktop_demo.png"),
                   LSM_DESKTOP_EXTRA=str(extra),
                   LSM_PROJECT=str(demo / "landslide_susceptibility.qgz"),
                   LSM_RESULTS=str(demo / "results.json"))
        qt.run_desktop(root, DESKTOP / "check_plugin.py", env=env)
        print(json.loads((root / "out.json").read_text()).get("errors"))

    def maps(fig):
        # a subfigure per row: the zone legends beside their maps do not narrow the LSI maps
        top, bottom = fig.subfigures(2, 1)
        n = len(results["models"])
        lsi_axes, zone_axes = top.subplots(1, n, squeeze=False), bottom.subplots(1, n,
                                                                                squeeze=False)
        for i, m in enumerate(results["models"]):
            draw_lsi(lsi_axes[0][i], m["lsi"], f"LSI {m['name']}")
            draw_zones(zone_axes[0][i], m["zones"], f"Zones {m['name']}")

    (IMAGES / "maps.png").write_bytes(figure_png(maps, (16, 10), dpi=80))
    shutil.copy(demo / "roc.png", IMAGES / "roc.png")
    print("wrote", *sorted(p.name for p in IMAGES.iterdir()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
