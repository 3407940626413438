"""Susceptibility report: one self-contained HTML file from the outputs of a run."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
)

from .. import compat
from ..translation import tr_noop
from .base import LsmAlgorithm


class SusceptibilityReport(LsmAlgorithm):
    ID = "report"
    TITLE = tr_noop("Susceptibility report (HTML)")
    GROUP = "evaluate"
    REQUIRES = ("matplotlib",)
    HELP = tr_noop(
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
        "VIF tables are optional.</p>"
        "<p><b>Factor importance and response curves</b>: when the results hold them (give the "
        "file of 'Factor importance and response curves' to Evaluate), the report shows each "
        "model's permutation importance (bars and a table of the drops of the validation AUROC, "
        "their SD and rank) and its response curves (partial dependence) over the training "
        "distribution. With an FR table it adds the FR bar chart of each factor's classes.</p>"
        "<p><b>Area of applicability rasters</b> (optional): the dissimilarity and/or mask "
        "rasters from 'Area of applicability'. Each is mapped (the dissimilarity index with its "
        "threshold marked, or the mask with the outside shaded) with its threshold, the share "
        "of the area inside, the training samples and the factor weights. Any other raster is "
        "refused.</p>")

    RESULTS, FR, VIF, TITLE_PARAM, OUTPUT = "RESULTS", "FR_TABLE", "VIF_TABLE", "TITLE", "OUTPUT"
    APPLICABILITY = "APPLICABILITY"

    def initAlgorithm(self, config=None):
        self.add_parameter(QgsProcessingParameterFile(
            self.RESULTS, self.tr("Results file (from Evaluate)"),
            fileFilter=self.tr("Landslide LSM results (*.json)")),
            self.tr("The results file (JSON) written by 'Evaluate susceptibility maps': the "
                    "metrics, curves, maps and parameters of every model."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.FR, self.tr("FR table"), [compat.SOURCE_VECTOR], optional=True),
            self.tr("Optional: the FR table of 'Frequency ratio (FR) encoding', shown as a "
                    "table and as the FR bar chart of each factor."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.VIF, self.tr("VIF table"), [compat.SOURCE_VECTOR], optional=True),
            self.tr("Optional: the VIF table of 'Multicollinearity (VIF / TOL)'."))
        self.add_parameter(QgsProcessingParameterMultipleLayers(
            self.APPLICABILITY, self.tr("Area of applicability rasters (dissimilarity index "
                                        "and/or mask)"),
            compat.SOURCE_RASTER, optional=True),
            self.tr("Optional: the dissimilarity index and/or mask written by 'Area of "
                    "applicability'; each is mapped with its threshold and the share of the "
                    "area inside. Other rasters are refused."))
        self.add_parameter(QgsProcessingParameterString(
            self.TITLE_PARAM, self.tr("Title"), defaultValue="Landslide susceptibility report"),
            self.tr("The report's title, at its top and in the browser's tab."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, self.tr("Report"), self.tr("HTML files (*.html)")),
            self.tr("One self-contained HTML file (maps and figures embedded) that any browser "
                    "opens."))

    def table_rows(self, parameters, name, context) -> list[dict]:
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            return []
        names = source.fields().names()
        return [dict(zip(names, (None if v is None or (hasattr(v, "isNull") and v.isNull())
                                 else v for v in f.attributes())))
                for f in source.getFeatures()]

    def raster_paths(self, parameters, name, context) -> list[str]:
        """The files of a multiple-raster input (file-based rasters only)."""
        paths = []
        for layer in self.parameterAsLayerList(parameters, name, context) or []:
            if layer.providerType() != "gdal":
                raise QgsProcessingException(self.tr(
                    "'{}' is not a file-based raster (provider {}); give the files that 'Area "
                    "of applicability' wrote.").format(layer.name(), layer.providerType()))
            paths.append(self.layer_source(layer))
        return paths

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
        applicability = self.raster_paths(parameters, self.APPLICABILITY, context)
        own = {"Results file": results,
               "FR table": self.source_label(parameters, self.FR, context, fr_rows),
               "VIF table": self.source_label(parameters, self.VIF, context, vif_rows),
               "Area of applicability rasters": applicability or "not given",
               "Title": title, "Report": output}
        path = build_report(results, output, title=title, fr_rows=fr_rows, vif_rows=vif_rows,
                            parameters=own, applicability=applicability, progress=progress)
        feedback.pushInfo(f"Report: {path}")
        return {self.OUTPUT: str(path)}
