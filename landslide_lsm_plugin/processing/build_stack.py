"""Build factor stack: every factor aligned on one grid in one multiband GeoTIFF."""

from __future__ import annotations

from qgis.core import (
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

from .. import compat
from ..translation import tr_noop, translated_all
from .base import LsmAlgorithm

RESAMPLING_LABELS = [tr_noop("Bilinear"), tr_noop("Nearest neighbour"), tr_noop("Cubic"),
                     tr_noop("Average")]
RESAMPLING_KEYS = ["bilinear", "nearest", "cubic", "average"]
#: (parameter, factor name) of the vector layers the distance to which is a factor
DISTANCE_INPUTS = (("RIVERS", "dist_rivers"), ("ROADS", "dist_roads"), ("FAULTS", "dist_faults"))


class BuildFactorStack(LsmAlgorithm):
    ID = "buildstack"
    TITLE = tr_noop("Build factor stack")
    GROUP = "prepare"
    HELP = tr_noop(
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
        self.add_parameter(QgsProcessingParameterMultipleLayers(
            self.CONTINUOUS, self.tr("Continuous factors"), compat.SOURCE_RASTER, optional=True),
            self.tr("Rasters of continuous factors (elevation, NDVI, rainfall, distances...). "
                    "A single-band raster is named after its layer; a multiband raster adds "
                    "every band, named after its band description."))
        self.add_parameter(QgsProcessingParameterMultipleLayers(
            self.CATEGORICAL, self.tr("Categorical factors (e.g. lithology)"),
            compat.SOURCE_RASTER, optional=True),
            self.tr("Rasters of class codes (lithology, land use...): always resampled by "
                    "nearest neighbour; the FR encoding classes them by their codes."))
        self.add_parameter(QgsProcessingParameterEnum(
            self.RESAMPLING, self.tr("Resampling of continuous factors"),
            translated_all(RESAMPLING_LABELS), defaultValue=0),
            self.tr("How continuous factors are resampled to the grid: bilinear (default) for "
                    "smooth surfaces, average when the grid is coarser than the factor, nearest "
                    "to keep the values as they are."))
        self.add_parameter(QgsProcessingParameterRasterLayer(
            self.DEM, self.tr("DEM (to derive slope and aspect)"), optional=True),
            self.tr("An elevation raster: slope and aspect are derived from it on the stack's "
                    "grid with GDAL's DEM tools. Add it to the continuous factors too for "
                    "elevation itself."))
        self.add_parameter(QgsProcessingParameterBoolean(
            self.SLOPE, self.tr("Derive slope from the DEM"), defaultValue=True),
            self.tr("Adds the factor 'slope', in degrees (needs the DEM)."))
        self.add_parameter(QgsProcessingParameterBoolean(
            self.ASPECT, self.tr("Derive aspect from the DEM"), defaultValue=True),
            self.tr("Adds the factor 'aspect', in degrees clockwise from north, -1 where flat "
                    "(needs the DEM); the FR encoding classes it into 8 sectors plus flat."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.LITHOLOGY, self.tr("Lithology polygons (categorical)"),
            [compat.SOURCE_VECTOR_POLYGON], optional=True),
            self.tr("Polygons of the lithological units, rasterized by their unit field as the "
                    "categorical factor 'lithology'."))
        self.add_parameter(QgsProcessingParameterField(
            self.LITHOLOGY_FIELD, self.tr("Lithology unit field"),
            parentLayerParameterName=self.LITHOLOGY, optional=True),
            self.tr("The field of the lithology polygons holding the unit: numeric codes are "
                    "kept, text units are numbered (the mapping is kept in the band's "
                    "metadata)."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            "RIVERS", self.tr("Rivers (distance to)"), [compat.SOURCE_VECTOR_ANY],
            optional=True),
            self.tr("A river layer: the distance of every cell to the nearest river, in map "
                    "units, becomes the factor 'dist_rivers' (GDAL proximity)."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            "ROADS", self.tr("Roads (distance to)"), [compat.SOURCE_VECTOR_ANY],
            optional=True),
            self.tr("A road layer: the distance of every cell to the nearest road, in map "
                    "units, becomes the factor 'dist_roads' (GDAL proximity)."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            "FAULTS", self.tr("Faults (distance to)"), [compat.SOURCE_VECTOR_ANY],
            optional=True),
            self.tr("A fault layer: the distance of every cell to the nearest fault, in map "
                    "units, becomes the factor 'dist_faults' (GDAL proximity)."))
        self.add_parameter(QgsProcessingParameterMultipleLayers(
            self.OTHER_DISTANCES, self.tr("Other layers to compute distances to"),
            compat.SOURCE_VECTOR_ANY, optional=True),
            self.tr("More file-based vector layers: the distance to each becomes a factor "
                    "named dist_<layer name>."), advanced=True)
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.MASK, self.tr("Study area (polygons; optional mask)"),
            [compat.SOURCE_VECTOR_POLYGON], optional=True),
            self.tr("Cells outside these polygons become nodata in every band."))
        self.add_parameter(QgsProcessingParameterRasterLayer(
            self.REFERENCE, self.tr("Reference grid raster (default: the first factor)"),
            optional=True),
            self.tr("The raster whose grid (CRS, extent, cell size) the stack takes; by default "
                    "the first factor's grid."))
        self.add_parameter(QgsProcessingParameterCrs(
            self.CRS, self.tr("Grid CRS (instead of a reference raster)"), optional=True),
            self.tr("With the extent and the cell size: a grid of its own instead of a "
                    "reference raster (all three are needed)."), advanced=True)
        self.add_parameter(QgsProcessingParameterExtent(
            self.EXTENT, self.tr("Grid extent"), optional=True),
            self.tr("The extent of a grid given by CRS (with the CRS and the cell size)."),
            advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.CELL_SIZE, self.tr("Grid cell size (map units)"), compat.DOUBLE, optional=True,
            minValue=0.0),
            self.tr("The cell size of a grid given by CRS, in the CRS's units (e.g. 30 for 30 m "
                    "cells in a UTM CRS)."), advanced=True)
        self.add_parameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Factor stack")),
            self.tr("A multiband Float32 GeoTIFF: one band per factor, named after it, with one "
                    "common nodata mask (a cell is valid only where every factor is)."))
        self.add_scheduler_parameter()
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
        for key, name in DISTANCE_INPUTS:
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
                raise QgsProcessingException(self.tr(
                    "Choose the field of the lithology polygons that holds the unit codes or "
                    "names."))
            categories.append(("lithology", lithology, field))

        reference_layer = self.parameterAsRasterLayer(parameters, self.REFERENCE, context)
        reference = self.layer_source(reference_layer) if reference_layer else None
        grid_spec = None
        cell = self.parameterAsDouble(parameters, self.CELL_SIZE, context)
        crs = self.parameterAsCrs(parameters, self.CRS, context)
        if cell > 0 or crs.isValid():
            if not (cell > 0 and crs.isValid() and parameters.get(self.EXTENT)):
                raise QgsProcessingException(self.tr(
                    "A grid given by CRS needs all three: CRS, extent and cell size (or choose a "
                    "reference raster instead)."))
            extent = self.parameterAsExtent(parameters, self.EXTENT, context, crs)
            grid_spec = stk.GridSpec(crs.toWkt(), (extent.xMinimum(), extent.yMinimum(),
                                                   extent.xMaximum(), extent.yMaximum()), cell)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        with self.dask_client(parameters, context, progress) as client:
            report = stk.build_stack(
                factors, output, reference=reference, grid_spec=grid_spec, dem=dem,
                derive_slope=bool(dem) and self.parameterAsBool(parameters, self.SLOPE, context),
                derive_aspect=bool(dem) and self.parameterAsBool(parameters, self.ASPECT,
                                                                 context),
                distance_layers=distances, category_layers=categories, mask=mask,
                progress=progress, client=client)
        info = report.info
        feedback.pushInfo(f"Stack: {info.grid.width} x {info.grid.height} cells, "
                          f"{report.valid_cells} valid")
        for name, kind in zip(info.names, info.kinds):
            feedback.pushInfo(f"  band {info.names.index(name) + 1}: {name} ({kind})")
        for message in report.messages:
            feedback.pushWarning(message)
        self.on_load(context, output, layer_name=self.tr("Factor stack"))
        return {self.OUTPUT: output, "FACTORS": ",".join(info.names),
                "VALID_CELLS": report.valid_cells}
