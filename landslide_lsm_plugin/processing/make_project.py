"""Create a QGIS project (.qgz) with the maps of a run, every layer styled."""

from __future__ import annotations

import os

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterVectorLayer,
    QgsProject,
    QgsRasterLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QColor

from .base import LsmAlgorithm, style_samples


class CreateProject(LsmAlgorithm):
    ID = "makeproject"
    TITLE = "Create susceptibility project (.qgz)"
    GROUP = "evaluate"
    HELP = (
        "<p>Writes a QGIS project that opens with the run's layers styled: for every model of an "
        "evaluation its LSI map (green to red) and zone map (very low .. very high), grouped by "
        "model, plus the samples, the landslide inventory and any other layers given. Layer "
        "paths are stored relative to the project, so the folder can be moved as a whole.</p>")

    RESULTS, SAMPLES, INVENTORY, OTHERS, OUTPUT = ("RESULTS", "SAMPLES", "INVENTORY", "OTHERS",
                                                   "OUTPUT")

    def flags(self):
        # builds a QgsProject: keep it on the main thread
        return super().flags() | QgsProcessingAlgorithm.FlagNoThreading

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFile(
            self.RESULTS, self.tr("Results file (from Evaluate)"),
            fileFilter=self.tr("Landslide LSM results (*.json)")))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.SAMPLES, self.tr("Samples"), [QgsProcessing.TypeVectorPoint], optional=True))
        self.addParameter(QgsProcessingParameterVectorLayer(
            self.INVENTORY, self.tr("Landslide inventory"), [QgsProcessing.TypeVectorAnyGeometry],
            optional=True))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.OTHERS, self.tr("Other layers (rasters load with their .qml style if any)"),
            QgsProcessing.TypeMapLayer, optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, self.tr("QGIS project"), self.tr("QGIS projects (*.qgz)")))

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
        with atomic_file(out) as tmp:
            if not project.write(str(tmp)):
                raise QgsProcessingException(f"Could not write the project: "
                                             f"{project.error()}")
        feedback.pushInfo(f"Project with {len(project.mapLayers())} layers: {out}")
        return {self.OUTPUT: str(out)}
