"""Create a QGIS project (.qgz) with the maps of a run, every layer styled."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterVectorLayer,
    QgsProject,
    QgsRasterLayer,
    QgsReferencedRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor

from .. import compat
from ..translation import tr_noop
from .base import LsmAlgorithm, style_samples


class CreateProject(LsmAlgorithm):
    ID = "makeproject"
    TITLE = tr_noop("Create susceptibility project (.qgz)")
    GROUP = "evaluate"
    HELP = tr_noop(
        "<p>Writes a QGIS project that opens with the run's layers styled: for every model of an "
        "evaluation its LSI map (green to red) and zone map (very low .. very high), grouped by "
        "model, plus the samples, the landslide inventory and any other layers given. Layer "
        "paths are stored relative to the project, so the folder can be moved as a whole.</p>")

    RESULTS, SAMPLES, INVENTORY, OTHERS, OUTPUT = ("RESULTS", "SAMPLES", "INVENTORY", "OTHERS",
                                                   "OUTPUT")

    def flags(self):
        # builds a QgsProject: keep it on the main thread
        return super().flags() | compat.FLAG_NO_THREADING

    def initAlgorithm(self, config=None):
        self.add_parameter(QgsProcessingParameterFile(
            self.RESULTS, self.tr("Results file (from Evaluate)"),
            fileFilter=self.tr("Landslide LSM results (*.json)")),
            self.tr("The results file of 'Evaluate susceptibility maps': every model's LSI and "
                    "zone maps go into the project, one group per model."))
        self.add_parameter(QgsProcessingParameterVectorLayer(
            self.SAMPLES, self.tr("Samples"), [compat.SOURCE_VECTOR_POINT], optional=True),
            self.tr("Optional: the samples layer, styled by label and split."))
        self.add_parameter(QgsProcessingParameterVectorLayer(
            self.INVENTORY, self.tr("Landslide inventory"), [compat.SOURCE_VECTOR_ANY],
            optional=True),
            self.tr("Optional: the landslide inventory, drawn in translucent red."))
        self.add_parameter(QgsProcessingParameterMultipleLayers(
            self.OTHERS, self.tr("Other layers (rasters load with their .qml style if any)"),
            compat.SOURCE_MAP_LAYER, optional=True),
            self.tr("Optional: more layers for the project's Data group (factor rasters, the "
                    "study area...), with their own style."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, self.tr("QGIS project"), self.tr("QGIS projects (*.qgz)")),
            self.tr("The project file (.qgz); layer paths are stored relative to it, so the "
                    "folder can be moved as a whole."))

    def execute(self, parameters, context, feedback, progress):
        from ..core.evaluation import read_results
        from ..core.raster import atomic_file, check_output_path
        from ..core.results_file import check_raster
        from ..presentation.styles import sidecar_path

        results = read_results(self.parameterAsFile(parameters, self.RESULTS, context))
        out = check_output_path(self.parameterAsFileOutput(parameters, self.OUTPUT, context))
        if out.suffix.lower() != ".qgz":
            raise QgsProcessingException("The project file must end in .qgz.")
        project = QgsProject()
        project.writeEntryBool("Paths", "/Absolute", False)
        root = project.layerTreeRoot()

        def add_raster(path: str, name: str, group, what: str = "") -> QgsRasterLayer:
            if what:  # named by the results file: a FIFO or device would hang QGIS here
                check_raster(path, what)
            layer = QgsRasterLayer(path, name)
            if not layer.isValid():
                raise QgsProcessingException(f"Cannot open the raster '{path}'.")
            if os.path.isfile(sidecar_path(path)):  # a regular file only (not a FIFO)
                layer.loadNamedStyle(str(sidecar_path(path)))
            project.addMapLayer(layer, False)
            group.addLayer(layer)
            return layer

        data_group = root.addGroup("Data")
        for key in (self.SAMPLES, self.INVENTORY):
            layer = self.parameterAsVectorLayer(parameters, key, context)
            if layer is None:
                continue
            copy = QgsVectorLayer(layer.source(), layer.name() if key != self.SAMPLES
                                  else "Training samples", layer.providerType())
            if key == self.SAMPLES:
                style_samples(copy)
            else:
                symbol = copy.renderer().symbol()
                symbol.setColor(QColor(215, 25, 28, 90))
                symbol.symbolLayer(0).setStrokeColor(QColor("#8b0000"))
            project.addMapLayer(copy, False)
            data_group.addLayer(copy)
        for layer in self.parameterAsLayerList(parameters, self.OTHERS, context):
            if isinstance(layer, QgsRasterLayer):
                add_raster(layer.source(), layer.name(), data_group)
            else:
                copy = QgsVectorLayer(layer.source(), layer.name(), layer.providerType())
                copy.setRenderer(layer.renderer().clone())
                project.addMapLayer(copy, False)
                data_group.addLayer(copy)
        first = None
        for i, model in enumerate(results.models):
            group = root.insertGroup(i + 1, model.name)  # below the data (points on top)
            if model.zones and os.path.exists(model.zones):
                add_raster(model.zones, f"Zones {model.name}", group,
                           f"zone raster of '{model.name}' (models[{i}].zones)")
            if model.sd and os.path.exists(model.sd):  # the uncertainty map, below the LSI
                sd_layer = add_raster(model.sd, f"LSI SD {model.name}", group,
                                      f"uncertainty raster of '{model.name}' (models[{i}].sd)")
                group.findLayer(sd_layer.id()).setItemVisibilityChecked(False)
            if model.lsi and os.path.exists(model.lsi):
                layer = add_raster(model.lsi, f"LSI {model.name}", group,
                                   f"LSI raster of '{model.name}' (models[{i}].lsi)")
                first = first or layer
            if i > 0:
                group.setItemVisibilityChecked(False)
        if first is not None:
            project.setCrs(first.crs())
            # opens on the study area (QGIS's canvas takes the project's default view when the
            # project holds no saved canvas), not on an empty canvas at 1:1
            project.viewSettings().setDefaultViewExtent(
                QgsReferencedRectangle(first.extent(), first.crs()))
        # written beside the final file (relative paths stay right), then its members named
        # after the final file: QGIS names the .qgs inside after the archive it writes
        with atomic_file(out) as tmp:
            if not project.write(str(tmp)):
                raise QgsProcessingException(f"Could not write the project: "
                                             f"{project.error()}")
            name_archive_members(tmp, out.stem)
        feedback.pushInfo(f"Project with {len(project.mapLayers())} layers: {out}")
        return {self.OUTPUT: str(out)}


def name_archive_members(archive: Path, stem: str) -> None:
    """Rename the project files inside a .qgz (``<any>.qgs``, ``<any>.qgd``) to ``stem``,
    rewriting the archive in place (it is small: the layers stay outside)."""
    with zipfile.ZipFile(archive) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            # ('.qgs' for a temporary '.name.part.qgz': Qt's base name stops at the first dot)
            suffix = next((s for s in (".qgs", ".qgd") if info.filename.endswith(s)), None)
            name = f"{stem}{suffix}" if suffix and "/" not in info.filename else info.filename
            zf.writestr(name, data)
