"""Classify LSI: susceptibility zones (very low .. very high) by natural breaks and others, or
by landslide share (the zones from the top hold given shares of the training landslides)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputString,
    QgsProcessingParameterBand,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from .. import compat, deps
from ..translation import tr_noop, translated_all
from .base import LsmAlgorithm

METHOD_LABELS = [tr_noop("Natural breaks (Jenks)"), tr_noop("Equal interval"), tr_noop("Quantile"),
                 tr_noop("Custom breaks"), tr_noop("Landslide share (training landslides)")]
METHOD_KEYS = ["natural_breaks", "equal_interval", "quantile", "custom", "landslide_share"]
SPLIT_LABELS = [tr_noop("All landslide samples"), tr_noop("Validation landslides"),
                tr_noop("Training landslides")]
SPLIT_KEYS = ["all", "validation", "train"]


class ClassifyLsi(LsmAlgorithm):
    ID = "classifylsi"
    TITLE = tr_noop("Classify LSI into susceptibility zones")
    GROUP = "maps"
    HELP = tr_noop(
        "<p>Classes a landslide susceptibility index (LSI) raster, or any single band, into "
        "zones: very low, low, moderate, high and very high for five classes.</p>"
        "<p><b>Method</b>: natural breaks (Jenks, computed on a reproducible random sample of "
        "valid cells), equal interval, quantile, or custom breaks (the inner class boundaries, "
        "e.g. <code>0.2, 0.4, 0.6, 0.8</code>), or landslide share.</p>"
        "<p><b>Landslide share</b>: the boundaries are set so that the zones from the top hold "
        "at least the given cumulative shares of the <i>training</i> landslide samples (the "
        "samples layer is then required; validation landslides never set a boundary). Shares "
        "<code>50, 75, 90, 95</code> give five zones named after the share band they hold: "
        "<i>Top 50 %</i> (at least half of the training landslides), <i>50-75 %</i>, "
        "<i>75-90 %</i>, <i>90-95 %</i> and <i>95-100 %</i>; a last share of 100 leaves a "
        "zone <i>Rest</i> with none. The number of classes is then the number of shares + 1. "
        "The zone table gives the training landslide % of each zone beside the landslide % "
        "of the samples counted (by default the validation landslides: an honest check).</p>"
        "<p>With the samples (or an inventory), each zone also gets its share of the landslides "
        "and the landslide density: landslide % / area % (the frequency ratio of the zone). A "
        "good map concentrates landslides in the high zones.</p>"
        "<p><b>Outputs</b>: a Byte raster of zones 1..k (nodata 0), styled green to red, with a "
        ".qml style beside it; a table of the classes with their value range and area.</p>")

    INPUT, BAND, METHOD, CLASSES = "INPUT", "BAND", "METHOD", "CLASSES"
    BREAKS, SAMPLE_SIZE, SEED = "BREAKS", "SAMPLE_SIZE", "SEED"
    SHARES = "SHARES"
    SAMPLES, SAMPLES_SPLIT, INVENTORY = "SAMPLES", "SAMPLES_SPLIT", "INVENTORY"
    OUTPUT, OUTPUT_TABLE = "OUTPUT", "OUTPUT_TABLE"

    def initAlgorithm(self, config=None):
        self.add_parameter(QgsProcessingParameterRasterLayer(self.INPUT, self.tr("LSI raster")),
            self.tr("The landslide susceptibility index to class (0..1 from Predict LSI), or "
                    "any raster with one band of values."))
        # optional with default 1: qgis_process 3.22 otherwise insists on BAND=...
        self.add_parameter(QgsProcessingParameterBand(
            self.BAND, self.tr("Band"), 1, self.INPUT, optional=True),
            self.tr("The band to class (default 1)."))
        self.add_parameter(QgsProcessingParameterEnum(
            self.METHOD, self.tr("Classing method"), translated_all(METHOD_LABELS),
            defaultValue=0),
            self.tr("How the class boundaries are set: natural breaks (Jenks, the usual choice), "
                    "equal interval, quantile (equal areas), custom breaks, or landslide share "
                    "(set by the training landslides; needs the samples)."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.CLASSES, self.tr("Number of classes"), compat.INTEGER, 5, minValue=2,
            maxValue=12),
            self.tr("2 to 12; 5 gives very low, low, moderate, high and very high. Not used by "
                    "custom breaks or landslide share."))
        self.add_parameter(QgsProcessingParameterString(
            self.BREAKS, self.tr("Custom breaks (inner boundaries, comma-separated)"),
            optional=True),
            self.tr("For custom breaks: the inner class boundaries in LSI units, strictly "
                    "increasing, e.g. 0.2, 0.4, 0.6, 0.8 for five classes."))
        self.add_parameter(QgsProcessingParameterString(
            self.SHARES, self.tr("Landslide shares, % (cumulative from the top zone; "
                                 "landslide share method)"),
            defaultValue="50,75,90,95", optional=True),
            self.tr("For landslide share: the cumulative percentages of the training landslide "
                    "samples the zones from the top hold at least, strictly increasing, above 0 "
                    "and at most 100; 50,75,90,95 gives five zones."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.SAMPLE_SIZE, self.tr("Sample size for natural breaks (cells)"),
            compat.INTEGER, 20000, minValue=100, maxValue=50000),
            self.tr("Natural breaks are computed on a seeded random sample of this many valid "
                    "cells (100 to 50,000)."), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), compat.INTEGER, 42),
            self.tr("Seed of the natural-breaks sample: the same seed gives the same breaks."),
            advanced=True)
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.SAMPLES, self.tr("Samples (landslide density per zone; required for "
                                  "landslide share)"),
            [compat.SOURCE_VECTOR_POINT], optional=True),
            self.tr("The samples of 'Prepare training samples' (fields label and split): each "
                    "zone gets its share of the landslide samples and the landslide density; "
                    "their training landslides set the landslide-share boundaries."))
        self.add_parameter(QgsProcessingParameterEnum(
            self.SAMPLES_SPLIT, self.tr("Landslide samples counted"),
            translated_all(SPLIT_LABELS), defaultValue=1),
            self.tr("Which landslide samples the zone table counts: all, the validation ones "
                    "(default: an honest check) or the training ones."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.INVENTORY, self.tr("Or a landslide inventory (all its cells)"),
            [compat.SOURCE_VECTOR_POLYGON, compat.SOURCE_VECTOR_POINT], optional=True),
            self.tr("Instead of samples: landslide polygons or points, every cell of which "
                    "counts in the zone table."))
        self.add_parameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Susceptibility zones")),
            self.tr("A Byte raster of zones 1..k (nodata 0), styled green to red, with its .qml "
                    "style beside it."))
        self.add_parameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_TABLE, self.tr("Zone table"), compat.SOURCE_VECTOR, optional=True),
            self.tr("One row per zone: label, value range, cells and area %, and with samples "
                    "or an inventory the landslide % and density (landslide % / area %)."))
        self.add_scheduler_parameter()
        self.addOutput(QgsProcessingOutputString("BREAKS_USED", self.tr("Class breaks")))

    def checkParameterValues(self, parameters, context):
        method = METHOD_KEYS[self.parameterAsEnum(parameters, self.METHOD, context)]
        if method == "custom" and not self.parameterAsString(parameters, self.BREAKS, context):
            return False, self.tr("Custom breaks: give the inner class boundaries, e.g. "
                                  "'0.2, 0.4, 0.6, 0.8'.")
        if method == "landslide_share" and parameters.get(self.SAMPLES) in (None, ""):
            return False, self.tr("Landslide share: give the samples layer (fields label and "
                                  "split, as 'Prepare training samples' writes it); its "
                                  "training landslides set the zone boundaries.")
        if method == "natural_breaks":
            missing = deps.missing_one_of(deps.NATURAL_BREAKS_MODULES, "Natural breaks")
            if missing:
                return False, missing
        return super().checkParameterValues(parameters, context)

    def execute(self, parameters, context, feedback, progress):
        from ..core.classing import parse_custom_breaks, parse_shares
        from ..core.zoning import classify_raster
        from ..presentation.styles import zones_qml

        source = self.raster_path(parameters, self.INPUT, context)
        method = METHOD_KEYS[self.parameterAsEnum(parameters, self.METHOD, context)]
        custom = None
        if method == "custom":
            custom = parse_custom_breaks(self.parameterAsString(parameters, self.BREAKS, context))
        shares = None
        if method == "landslide_share":
            shares = parse_shares(self.parameterAsString(parameters, self.SHARES, context)
                                  or "50,75,90,95")
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        with self.dask_client(parameters, context, progress) as client:
            zoning = classify_raster(
                source, output,
                band=self.parameterAsInt(parameters, self.BAND, context) or 1,
                method=method,
                n_classes=self.parameterAsInt(parameters, self.CLASSES, context),
                custom_breaks=custom,
                sample_size=self.parameterAsInt(parameters, self.SAMPLE_SIZE, context),
                seed=self.parameterAsInt(parameters, self.SEED, context),
                samples_path=self.vector_source(parameters, self.SAMPLES, context, feedback),
                samples_split=SPLIT_KEYS[self.parameterAsEnum(parameters, self.SAMPLES_SPLIT,
                                                              context)],
                inventory_path=self.vector_source(parameters, self.INVENTORY, context, feedback),
                shares=shares, progress=progress, client=client)
        for c in zoning.classes:
            density = (f", {c.landslide_pct:6.2f} % of the landslides (density {c.density:.2f})"
                       if c.density is not None else "")
            trained = (f", {c.train_landslide_pct:6.2f} % of the training landslides"
                       if c.train_landslide_pct is not None else "")
            feedback.pushInfo(f"  {c.number} {c.label:<10} {c.lower:.6g} .. {c.upper:.6g}  "
                              f"{c.area_pct:6.2f} % of the area{density}{trained}")
        self.style_output(context, output, zones_qml([c.label for c in zoning.classes]),
                          self.tr("Susceptibility zones"))
        table = self.write_table(
            parameters, self.OUTPUT_TABLE, context,
            [("zone", int), ("label", str), ("lower", float), ("upper", float), ("cells", int),
             ("area_pct", float), ("landslides", int), ("landslide_pct", float),
             ("density", float), ("train_landslide_pct", float)],
            [{"zone": c.number, "label": c.label, "lower": c.lower, "upper": c.upper,
              "cells": c.cells, "area_pct": c.area_pct, "landslides": c.landslides,
              "landslide_pct": c.landslide_pct, "density": c.density,
              "train_landslide_pct": c.train_landslide_pct}
             for c in zoning.classes])
        return {self.OUTPUT: output, self.OUTPUT_TABLE: table,
                "BREAKS_USED": ",".join(f"{e:.6g}" for e in zoning.edges)}
