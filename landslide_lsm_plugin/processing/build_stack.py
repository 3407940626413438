"""Build factor stack: every factor aligned on one grid in one multiband GeoTIFF."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from .base import LsmAlgorithm

RESAMPLING_LABELS = ["Bilinear", "Nearest neighbour", "Cubic", "Average"]
RESAMPLING_KEYS = ["bilinear", "nearest", "cubic", "average"]
DISTANCE_INPUTS = (("RIVERS", "dist_rivers", "Rivers (distance to)"),
                   ("ROADS", "dist_roads", "Roads (distance to)"),
                   ("FAULTS", "dist_faults", "Faults (distance to)"))


class BuildFactorStack(LsmAlgorithm):
    ID = "buildstack"
    TITLE = "Build factor stack"
    GROUP = "prepare"
    HELP = (
        "<p>Aligns every landslide conditioning factor on one grid and writes them as one "
        "multiband GeoTIFF: one band per factor, named after the factor, with one common nodata "
        "mask (a cell is valid only where every factor is).</p>"
        "<p><b>Continuous factors</b> (elevation, NDVI, rainfall...) are warped with the chosen "
        "resampling; <b>categorical factors</b> (lithology, land use codes) always with nearest "
        "neighbour. Single-band rasters are named after the layer; multiband rasters contribute "
        "every band, named after the band descriptions.</p>"
        "<p><b>Reference grid</b>: a reference raster, or CRS + extent + cell size; by default "
        "the first factor's grid.</p>"
        "<p><b>Derived factors</b>: slope and aspect from a DEM (GDAL DEM tools; aspect is "
        "classed into 8 sectors plus flat by the frequency ratio), and the distance to rivers, "
        "roads and faults from vector layers (GDAL proximity).</p>"
        "<p><b>Lithology polygons</b> are rasterized by their unit field as the categorical "
        "factor 'lithology' (text units are numbered).</p>"
        "<p>An optional study-area polygon masks everything outside it. The stack is written "
        "block by block, so memory does not grow with raster size.</p>")

    CONTINUOUS, CATEGORICAL, RESAMPLING = "CONTINUOUS", "CATEGORICAL", "RESAMPLING"
    REFERENCE, CRS, EXTENT, CELL_SIZE = "REFERENCE", "CRS", "EXTENT", "CELL_SIZE"
    DEM, SLOPE, ASPECT = "DEM", "DERIVE_SLOPE", "DERIVE_ASPECT"
    OTHER_DISTANCES, MASK, OUTPUT = "OTHER_DISTANCES", "MASK", "OUTPUT"
    LITHOLOGY, LITHOLOGY_FIELD = "LITHOLOGY", "LITHOLOGY_FIELD"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.CONTINUOUS, self.tr("Continuous factors"), QgsProcessing.TypeRaster,
            optional=True))
        self.addParameter(QgsProcessingParameterMultipleLayers(
            self.CATEGORICAL, self.tr("Categorical factors (e.g. lithology)"),
            QgsProcessing.TypeRaster, optional=True))
        self.addParameter(QgsProcessingParameterEnum(
            self.RESAMPLING, self.tr("Resampling of continuous factors"), RESAMPLING_LABELS,
            defaultValue=0))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.DEM, self.tr("DEM (to derive slope and aspect)"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.SLOPE, self.tr("Derive slope from the DEM"), defaultValue=True))
        self.addParameter(QgsProcessingParameterBoolean(
            self.ASPECT, self.tr("Derive aspect from the DEM"), defaultValue=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.LITHOLOGY, self.tr("Lithology polygons (categorical)"),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterField(
            self.LITHOLOGY_FIELD, self.tr("Lithology unit field"),
            parentLayerParameterName=self.LITHOLOGY, optional=True))
        for key, _, label in DISTANCE_INPUTS:
            self.addParameter(QgsProcessingParameterFeatureSource(
                key, self.tr(label), [QgsProcessing.TypeVectorAnyGeometry], optional=True))
        self.addParameter(self.advanced(QgsProcessingParameterMultipleLayers(
            self.OTHER_DISTANCES, self.tr("Other layers to compute distances to"),
            QgsProcessing.TypeVectorAnyGeometry, optional=True)))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.MASK, self.tr("Study area (polygons; optional mask)"),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.REFERENCE, self.tr("Reference grid raster (default: the first factor)"),
            optional=True))
        self.addParameter(self.advanced(QgsProcessingParameterCrs(
            self.CRS, self.tr("Grid CRS (instead of a reference raster)"), optional=True)))
        self.addParameter(self.advanced(QgsProcessingParameterExtent(
            self.EXTENT, self.tr("Grid extent"), optional=True)))
        self.addParameter(self.advanced(QgsProcessingParameterNumber(
            self.CELL_SIZE, self.tr("Grid cell size (map units)"),
            QgsProcessingParameterNumber.Double, optional=True, minValue=0.0)))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Factor stack")))
        self.addOutput(QgsProcessingOutputString("FACTORS", self.tr("Factor names")))
        self.addOutput(QgsProcessingOutputNumber("VALID_CELLS", self.tr("Valid cells")))

    def execute(self, parameters, context, feedback, progress):
        from ..core import stack as stk

        factors = []
        for key, kind in ((self.CONTINUOUS, stk.CONTINUOUS), (self.CATEGORICAL, stk.CATEGORICAL)):
            layers = self.parameterAsLayerList(parameters, key, context)
            paths = [self.layer_source(lyr) for lyr in layers]
            names = [lyr.name() for lyr in layers]
            factors += stk.factors_from_rasters(paths, kind, names)
        resampling = RESAMPLING_KEYS[self.parameterAsEnum(parameters, self.RESAMPLING, context)]
        for f in factors:
            if f.kind == stk.CONTINUOUS:
                f.resampling = resampling

        dem_layer = self.parameterAsRasterLayer(parameters, self.DEM, context)
        dem = self.layer_source(dem_layer) if dem_layer else None
        distances = []
        for key, name, _ in DISTANCE_INPUTS:
            source = self.vector_source(parameters, key, context, feedback)
            if source:
                distances.append((name, source))
        for layer in self.parameterAsLayerList(parameters, self.OTHER_DISTANCES, context):
            distances.append((f"dist_{layer.name()}", self.vector_layer_source(layer)))
        mask = self.vector_source(parameters, self.MASK, context, feedback)
        categories = []
        lithology = self.vector_source(parameters, self.LITHOLOGY, context, feedback)
        if lithology:
            field = self.parameterAsString(parameters, self.LITHOLOGY_FIELD, context)
            if not field:
                raise QgsProcessingException("Choose the field of the lithology polygons that "
                                             "holds the unit codes or names.")
            categories.append(("lithology", lithology, field))

        reference_layer = self.parameterAsRasterLayer(parameters, self.REFERENCE, context)
        reference = self.layer_source(reference_layer) if reference_layer else None
        grid_spec = None
        cell = self.parameterAsDouble(parameters, self.CELL_SIZE, context)
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        if cell > 0 or crs.isValid():
            if not (cell > 0 and crs.isValid() and parameters.get(self.EXTENT)):
                raise QgsProcessingException(
                    "A grid given by CRS needs all three: CRS, extent and cell size (or choose a "
                    "reference raster instead).")
            extent = self.parameterAsExtent(parameters, self.EXTENT, context, crs)
            grid_spec = stk.GridSpec(crs.toWkt(), (extent.xMinimum(), extent.yMinimum(),
                                                   extent.xMaximum(), extent.yMaximum()), cell)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        report = stk.build_stack(
            factors, output, reference=reference, grid_spec=grid_spec, dem=dem,
            derive_slope=bool(dem) and self.parameterAsBool(parameters, self.SLOPE, context),
            derive_aspect=bool(dem) and self.parameterAsBool(parameters, self.ASPECT, context),
            distance_layers=distances, category_layers=categories, mask=mask, progress=progress)
        info = report.info
        feedback.pushInfo(f"Stack: {info.grid.width} x {info.grid.height} cells, "
                          f"{report.valid_cells} valid")
        for name, kind in zip(info.names, info.kinds):
            feedback.pushInfo(f"  band {info.names.index(name) + 1}: {name} ({kind})")
        for message in report.messages:
            feedback.pushWarning(message)
        self.on_load(context, output, layer_name="Factor stack")
        return {self.OUTPUT: output, "FACTORS": ",".join(info.names),
                "VALID_CELLS": report.valid_cells}
