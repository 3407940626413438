# Executed inside the QGIS desktop by check_plugin.py (LSM_DESKTOP_EXTRA): open a project made
# by 'Create susceptibility project' as a user would, and record its layers.
import os

from qgis.core import QgsProject
from qgis.PyQt.QtWidgets import QApplication

project = QgsProject.instance()
result["project_read"] = project.read(os.environ["LSM_PROJECT"])  # noqa: F821
result["layers"] = {lyr.name(): [lyr.isValid(), lyr.renderer().type() if hasattr(  # noqa: F821
    lyr, "renderer") and lyr.renderer() else None] for lyr in project.mapLayers().values()}
canvas = iface.mapCanvas()  # noqa: F821
canvas.setDestinationCrs(project.crs())
canvas.zoomToFullExtent()
QApplication.processEvents()
