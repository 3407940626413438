# Executed inside the QGIS desktop by check_plugin.py (LSM_DESKTOP_EXTRA): open the comparison
# dock from the plugin's menu action, as a user would, and feed it a results file.
import os

from qgis.PyQt.QtWidgets import QAction, QApplication

menu_actions = [a for a in iface.mainWindow().findChildren(QAction)  # noqa: F821
                if a.objectName() == "LandslideLsmCompareModelsAction"]
result["menu_action_found"] = bool(menu_actions)  # noqa: F821
menu_actions[0].trigger()
QApplication.processEvents()
dock = plugin.dock  # noqa: F821
for path in filter(None, [os.environ.get("LSM_RESULTS")]):
    dock.add_results_file(path)
QApplication.processEvents()
result["dock_visible"] = bool(dock is not None and dock.isVisible())  # noqa: F821
result["dock_title"] = dock.windowTitle()  # noqa: F821
result["dock_models"] = [e["name"] for e in dock.entries]  # noqa: F821
