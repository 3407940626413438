# Run by `qgis --code`: waits for QGIS to settle, records what a user would see (active
# plugins, the provider's algorithms, the dock if asked), saves a screenshot, and quits.
import json
import os
import traceback

import qgis.utils
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QTimer

OUT = os.environ["LSM_DESKTOP_OUT"]


def _check():
    result = {"errors": []}
    try:
        # the same window on every QGIS version: 3.22 opens at 1280 x 800 under Xvfb, 3.40 at
        # about 1030 x 380
        qgis.utils.iface.mainWindow().resize(1280, 800)
        zip_path = os.environ.get("LSM_INSTALL_ZIP")
        if zip_path:
            import pyplugin_installer

            pyplugin_installer.instance().installFromZipFile(zip_path)
        result["active_plugins"] = list(qgis.utils.active_plugins)
        provider = QgsApplication.processingRegistry().providerById("landslide_lsm")
        result["provider"] = provider.name() if provider else None
        result["algorithms"] = sorted(a.id() for a in provider.algorithms()) if provider else []
        plugin = qgis.utils.plugins.get("landslide_lsm_plugin")
        result["plugin_class"] = type(plugin).__name__ if plugin else None
        extra = os.environ.get("LSM_DESKTOP_EXTRA")
        if extra:
            namespace = {"result": result, "iface": qgis.utils.iface, "plugin": plugin}
            exec(open(extra, encoding="utf-8").read(), namespace)
    except Exception:
        result["errors"].append(traceback.format_exc())
    QTimer.singleShot(1500, lambda: _finish(result))


def _finish(result):
    try:
        shot = os.environ.get("LSM_SCREENSHOT")
        if shot:
            result["screenshot_saved"] = qgis.utils.iface.mainWindow().grab().save(shot, "PNG")
    except Exception:
        result["errors"].append(traceback.format_exc())
    with open(OUT, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1)
    # close the project first, as File > Exit does: QGIS 3.40 leaving with layers loaded
    # crashes on its way out (signal 11), with or without this plugin
    qgis.utils.iface.newProject(False)
    QgsApplication.exit(0)


def _watchdog():
    """A modal dialog (e.g. a Python error) would block the checks: record it and quit."""
    from qgis.PyQt.QtWidgets import QApplication

    modal = QApplication.activeModalWidget()
    title = f"{type(modal).__name__} '{modal.windowTitle()}'" if modal is not None else "none"
    _finish({"errors": [f"watchdog: QGIS did not finish its checks (modal dialog: {title})"]})


QTimer.singleShot(3000, _check)
QTimer.singleShot(int(os.environ.get("LSM_DESKTOP_WATCHDOG_MS", "90000")), _watchdog)
