# Executed inside the QGIS desktop by check_plugin.py (LSM_DESKTOP_EXTRA): open a project made
# by 'Create susceptibility project' as a user would, and record its layers.
import os

from qgis.core import QgsProject
from qgis.PyQt.QtWidgets import QApplication

project = QgsProject.instance()
result["project_read"] = project.read(os.environ["LSM_PROJECT"])  # noqa: F821
result["layers"] = {lyr.name(): [lyr.isValid(), lyr.renderer().type() if hasattr(  # noqa: F821
    lyr, "renderer") and lyr.renderer() else None] for lyr in project.mapLayers().values()}
# no zoom here: the project must open on the study area by itself (its default view)
canvas = iface.mapCanvas()  # noqa: F821
for _ in range(20):
    QApplication.processEvents()
canvas.waitWhileRendering()
QApplication.processEvents()
extent = canvas.extent()
result["extent"] = [extent.xMinimum(), extent.yMinimum(), extent.xMaximum(),  # noqa: F821
                    extent.yMaximum()]
result["scale"] = canvas.scale()  # noqa: F821
image = canvas.grab().toImage()
drawn = 0
for y in range(0, image.height(), 8):
    for x in range(0, image.width(), 8):
        color = image.pixelColor(x, y)
        drawn += (color.red(), color.green(), color.blue()) != (255, 255, 255)
result["drawn_share"] = drawn / max(1, len(range(0, image.height(), 8)) *  # noqa: F821
                                    len(range(0, image.width(), 8)))
