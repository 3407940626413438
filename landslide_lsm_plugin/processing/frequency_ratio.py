"""Frequency ratio: FR table per factor class and the FR-encoded stack."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from .. import compat, deps
from ..translation import tr_noop, translated_all
from .base import LsmAlgorithm

METHOD_LABELS = [tr_noop("Natural breaks (Jenks)"), tr_noop("Equal interval"), tr_noop("Quantile")]
METHOD_KEYS = ["natural_breaks", "equal_interval", "quantile"]


class FrequencyRatio(LsmAlgorithm):
    ID = "frequencyratio"
    TITLE = tr_noop("Frequency ratio (FR) encoding")
    GROUP = "prepare"
    HELP = tr_noop(
        "<p>Classes each factor of a raw factor stack and computes its frequency ratio per "
        "class: FR = (% of training landslide cells in the class) / (% of study-area cells in "
        "the class). Only training landslides count (split = train), so validation cells never "
        "inform the encoding. FR &gt; 1 means the class is more prone to landslides than "
        "average; a class without landslides, or without area, has FR 0.</p>"
        "<p><b>Classing</b>: continuous factors by natural breaks (Jenks, on a seeded random "
        "sample of valid cells), equal interval or quantile; categorical factors by their codes; "
        "aspect in 8 sectors plus flat. Override per factor with lines like "
        "<code>slope:quantile:6</code>, <code>elev:custom:500,1000,1500</code>, "
        "<code>lithology:categories</code>, separated by ';'.</p>"
        "<p><b>Outputs</b>: the FR table (factor, class, range or category, area %, landslide %, "
        "FR) as a table layer and a CSV, and the FR-encoded stack, where each cell holds the FR "
        "of its class (the input of SVM, KLR and the other models).</p>"
        "<p><b>FR chart</b> (optional, PNG or SVG): the table as the figure of FR studies, one "
        "panel per factor: the FR of each class as a bar (above the dashed line FR = 1 the "
        "class holds more landslides than its area would), and beneath it the class's share of "
        "the area and of the training landslide cells. Needs the Python package matplotlib.</p>")

    STACK, SAMPLES, METHOD, CLASSES = "STACK", "SAMPLES", "METHOD", "CLASSES"
    OVERRIDES, SAMPLE_SIZE, SEED = "OVERRIDES", "SAMPLE_SIZE", "SEED"
    OUTPUT, OUTPUT_TABLE, OUTPUT_CSV = "OUTPUT", "OUTPUT_TABLE", "OUTPUT_CSV"
    OUTPUT_FIGURE = "OUTPUT_FIGURE"

    def initAlgorithm(self, config=None):
        self.add_parameter(QgsProcessingParameterRasterLayer(
            self.STACK, self.tr("Factor stack (raw)")),
            self.tr("The raw factor stack of 'Build factor stack'; each band is classed and "
                    "encoded."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.SAMPLES, self.tr("Training samples"), [compat.SOURCE_VECTOR_POINT]),
            self.tr("The samples of 'Prepare training samples': only the training landslides "
                    "(label 1, split = train) count, so validation cells never inform the "
                    "encoding."))
        self.add_parameter(QgsProcessingParameterEnum(
            self.METHOD, self.tr("Classing of continuous factors"),
            translated_all(METHOD_LABELS), defaultValue=0),
            self.tr("How continuous factors are classed: natural breaks (Jenks, the usual "
                    "choice), equal interval or quantile. Categorical factors are classed by "
                    "their codes, aspect into 8 sectors plus flat."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.CLASSES, self.tr("Classes per continuous factor"), compat.INTEGER, 8,
            minValue=2, maxValue=30),
            self.tr("2 to 30 (default 8): more classes follow a factor more closely but hold "
                    "fewer landslides each."))
        self.add_parameter(QgsProcessingParameterString(
            self.OVERRIDES, self.tr("Per-factor classing (e.g. slope:quantile:6; "
                                    "elev:custom:500,1000)"), optional=True, multiLine=True),
            self.tr("Overrides for single factors, separated by ';': factor:method:classes "
                    "(e.g. slope:quantile:6), factor:custom:breaks (e.g. "
                    "elev:custom:500,1000,1500) or factor:categories."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.SAMPLE_SIZE, self.tr("Sample size for natural breaks (cells)"),
            compat.INTEGER, 20000, minValue=100, maxValue=50000),
            self.tr("Natural breaks and quantiles are computed on a seeded random sample of "
                    "this many valid cells (100 to 50,000)."), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), compat.INTEGER, 42),
            self.tr("Seed of that sample: the same seed gives the same classes."),
            advanced=True)
        self.add_parameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("FR-encoded stack")),
            self.tr("The stack with every cell holding the FR of its class (the input of SVM, "
                    "KLR and the other models); the encoding is stored in its metadata."))
        self.add_parameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_TABLE, self.tr("FR table"), compat.SOURCE_VECTOR),
            self.tr("One row per factor class: range or category, area cells and %, landslide "
                    "cells and %, FR (above 1: more landslides than its area would hold)."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_CSV, self.tr("FR table (CSV)"), self.tr("CSV files (*.csv)"),
            optional=True, createByDefault=False),
            self.tr("Optional: the FR table as a CSV file."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_FIGURE, self.tr("FR chart (bars per class)"),
            self.tr("PNG (*.png);;SVG (*.svg)"), optional=True, createByDefault=False),
            self.tr("Optional: one panel per factor with the FR of each class as a bar and the "
                    "class's share of the area and of the landslides beneath (PNG or SVG; needs "
                    "matplotlib)."))
        self.add_scheduler_parameter()
        self.addOutput(QgsProcessingOutputString("FINGERPRINT", self.tr("Encoding fingerprint")))

    def checkParameterValues(self, parameters, context):
        method = METHOD_KEYS[self.parameterAsEnum(parameters, self.METHOD, context)]
        if method == "natural_breaks":
            missing = deps.missing_one_of(deps.NATURAL_BREAKS_MODULES, "Natural breaks")
            if missing:
                return False, missing
        return super().checkParameterValues(parameters, context)

    @staticmethod
    def _log_fr(result, feedback) -> None:
        for message in result.messages:
            feedback.pushWarning(message)
        feedback.pushInfo(f"FR from {result.training_landslide_cells:,} training landslide cells "
                          f"over {result.valid_cells:,} valid cells, fitted on the samples "
                          f"'{result.provenance['samples']}' (fingerprint "
                          f"{result.provenance['fingerprint']}): the stack records them, and "
                          "training or evaluation with other samples is checked against them")
        for enc in result.encodings:
            feedback.pushInfo(f"  {enc.factor}: " + ", ".join(
                f"{lab} → {v:.2f}" for lab, v in zip(enc.labels, enc.fr)))

    def execute(self, parameters, context, feedback, progress):
        from ..core import frequency_ratio as fr
        from ..core.tables import write_csv

        stack = self.raster_path(parameters, self.STACK, context)
        samples = self.vector_source(parameters, self.SAMPLES, context, feedback)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        csv_path = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        figure = self.parameterAsFileOutput(parameters, self.OUTPUT_FIGURE, context)
        if figure:  # said before the work, not after it
            missing = self.missing_for("The FR chart", ("matplotlib",))
            if missing:
                raise QgsProcessingException(missing)
        with self.dask_client(parameters, context, progress) as client:
            result = fr.compute_fr(
                stack, samples,
                method=METHOD_KEYS[self.parameterAsEnum(parameters, self.METHOD, context)],
                classes=self.parameterAsInt(parameters, self.CLASSES, context),
                overrides=fr.parse_overrides(self.parameterAsString(parameters, self.OVERRIDES,
                                                                    context)),
                sample_size=self.parameterAsInt(parameters, self.SAMPLE_SIZE, context),
                seed=self.parameterAsInt(parameters, self.SEED, context),
                progress=progress.sub(0, 50), client=client)
            self._log_fr(result, feedback)
            encoded = fr.encode_stack(stack, result.encodings, output, progress.sub(50, 100),
                                      provenance=result.provenance, client=client)
        if encoded["unseen_category_cells"]:
            feedback.pushWarning(f"{encoded['unseen_category_cells']} cells had a category "
                                 "without FR and were set to nodata.")
        rows = result.table()
        columns = [c for c, _ in fr.TABLE_COLUMNS]
        table = self.write_table(parameters, self.OUTPUT_TABLE, context, fr.TABLE_COLUMNS, rows)
        if csv_path:
            write_csv(csv_path, columns, rows, [stack])
        if figure:
            from ..presentation.explain_figures import save_fr_figure

            save_fr_figure(rows, figure)
        self.on_load(context, output, layer_name=self.tr("FR-encoded stack"))
        return {self.OUTPUT: output, self.OUTPUT_TABLE: table, self.OUTPUT_CSV: csv_path or None,
                self.OUTPUT_FIGURE: figure or None, "FINGERPRINT": encoded["fingerprint"]}
