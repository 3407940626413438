"""Susceptibility report: one self-contained HTML file from the outputs of a run."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from .base import LsmAlgorithm


class SusceptibilityReport(LsmAlgorithm):
    ID = "report"
    TITLE = "Susceptibility report (HTML)"
    GROUP = "evaluate"
    REQUIRES = ("matplotlib",)
    HELP = (
        "<p>Writes one self-contained HTML file (maps and figures embedded, nothing else to "
        "carry around) from the outputs of a run: the metrics table with the best value of each "
        "metric marked, the ROC (and rate) curves, the LSI and zone maps of every model with "
        "their legends, the FR and VIF tables, and the models' parameters, cross-validation "
        "scores and run times.</p>"
        "<p>Every parameter of the run is in it: each model's hyperparameters, CV scheme and "
        "score, factors, training samples and FR encoding (as Evaluate recorded them from the "
        "model files, so they stay even when the model files are gone), the evaluation's "
        "parameters, and this algorithm's own.</p>"
        "<p><b>Results file</b>: the JSON written by 'Evaluate susceptibility maps'. The FR and "
        "VIF tables are optional.</p>")

    RESULTS, FR, VIF, TITLE_PARAM, OUTPUT = "RESULTS", "FR_TABLE", "VIF_TABLE", "TITLE", "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFile(
            self.RESULTS, self.tr("Results file (from Evaluate)"),
            fileFilter=self.tr("Landslide LSM results (*.json)")))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.FR, self.tr("FR table"), [QgsProcessing.TypeVector], optional=True))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.VIF, self.tr("VIF table"), [QgsProcessing.TypeVector], optional=True))
        self.addParameter(QgsProcessingParameterString(
            self.TITLE_PARAM, self.tr("Title"), defaultValue="Landslide susceptibility report"))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, self.tr("Report"), self.tr("HTML files (*.html)")))

    def table_rows(self, parameters, name, context) -> list[dict]:
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            return []
        names = source.fields().names()
        return [dict(zip(names, (None if v is None or (hasattr(v, "isNull") and v.isNull())
                                 else v for v in f.attributes())))
                for f in source.getFeatures()]

    def source_label(self, parameters, name, context, rows: list) -> str:
        """Where an optional table came from (its layer's source), and its row count."""
        if parameters.get(name) in (None, ""):
            return "not given"
        layer = self.parameterAsVectorLayer(parameters, name, context)
        source = layer.source() if layer is not None else str(parameters.get(name))
        return f"{source} ({len(rows)} rows)"

    def execute(self, parameters, context, feedback, progress):
        from ..presentation.report import build_report

        results = self.parameterAsFile(parameters, self.RESULTS, context)
        output = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        title = self.parameterAsString(parameters, self.TITLE_PARAM, context)
        fr_rows = self.table_rows(parameters, self.FR, context)
        vif_rows = self.table_rows(parameters, self.VIF, context)
        own = {"Results file": results,
               "FR table": self.source_label(parameters, self.FR, context, fr_rows),
               "VIF table": self.source_label(parameters, self.VIF, context, vif_rows),
               "Title": title, "Report": output}
        path = build_report(results, output, title=title, fr_rows=fr_rows, vif_rows=vif_rows,
                            parameters=own, progress=progress)
        feedback.pushInfo(f"Report: {path}")
        return {self.OUTPUT: str(path)}
