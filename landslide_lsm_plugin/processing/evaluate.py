"""Evaluate susceptibility maps on the validation samples: metrics, ROC, calibration (Brier
score, reliability diagram), rate curves."""

from __future__ import annotations

import math

from qgis.core import (
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
)

from .. import compat
from ..translation import tr_noop, translated_all
from .base import LsmAlgorithm

THRESHOLD_LABELS = [tr_noop("0.5"), tr_noop("Youden's J (chosen on the training samples)")]
THRESHOLD_KEYS = ["0.5", "youden"]


class EvaluateMaps(LsmAlgorithm):
    ID = "evaluate"
    TITLE = tr_noop("Evaluate susceptibility maps")
    GROUP = "evaluate"
    REQUIRES = ("sklearn",)
    HELP = tr_noop(
        "<p>Compares LSI rasters on the validation samples (split = validation): TP, TN, FP, FN, "
        "accuracy, precision, sensitivity, specificity, F1, Cohen's kappa and AUROC, with the "
        "ROC curve of each map. A cell counts as predicted landslide when its LSI is at least "
        "the threshold: 0.5, or Youden's J chosen on the training samples (never on the "
        "validation samples it is applied to).</p>"
        "<p><b>Calibration</b>: the Brier score (mean squared difference between the LSI and "
        "the 0/1 label of the validation samples; 0 is perfect, 0.25 is what a constant 0.5 "
        "scores; lower is better) and a reliability diagram: the validation samples in 10 "
        "equal LSI bins (0-0.1 ... 0.9-1), with each bin's mean LSI, observed share of "
        "landslides and number of samples (bins without samples left out). A map whose LSI "
        "reads as a probability lies on the diagonal. Both read the LSI as a probability, so "
        "they are left out (with a warning) for values outside 0..1. Note that with as many "
        "non-landslide as landslide samples, the observed share is that of the samples, not "
        "of the landscape.</p>"
        "<p>Training and map times come from the rasters' metadata (written by the Train and "
        "Predict algorithms). Optional success-rate (training landslides) and prediction-rate "
        "(validation landslides) curves rank the whole map by LSI.</p>"
        "<p><b>Explanation files</b> (optional, from 'Factor importance and response curves') "
        "are kept with the maps of their models: the report and the dock show them.</p>"
        "<p><b>Outputs</b>: the metrics table, a results file (JSON) that the comparison dock "
        "and the report read, and an optional ROC figure (PNG or SVG; with the reliability "
        "diagram beside the ROC curves). The results file also "
        "keeps each model's parameters as its model file gives them (hyperparameters, CV "
        "score, factors, training samples and time, FR encoding) and this evaluation's own "
        "parameters, so the report shows them even after the model files are gone.</p>")

    LSI, SAMPLES, THRESHOLD, ZONES, RATES = "LSI", "SAMPLES", "THRESHOLD", "ZONES", "RATE_CURVES"
    EXPLANATIONS = "EXPLANATIONS"
    OUTPUT, OUTPUT_RESULTS, OUTPUT_FIGURE = "OUTPUT", "OUTPUT_RESULTS", "OUTPUT_FIGURE"
    OUTPUT_CSV = "OUTPUT_CSV"

    def initAlgorithm(self, config=None):
        self.add_parameter(QgsProcessingParameterMultipleLayers(
            self.LSI, self.tr("LSI rasters"), compat.SOURCE_RASTER),
            self.tr("One or more LSI rasters (0..1) of Predict LSI or a Train algorithm: each "
                    "is one model in the table, the ROC figure and the comparison dock."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.SAMPLES, self.tr("Samples (with the validation split)"),
            [compat.SOURCE_VECTOR_POINT]),
            self.tr("The samples of 'Prepare training samples': the metrics use the validation "
                    "split (split = validation), Youden's threshold the training split."))
        self.add_parameter(QgsProcessingParameterEnum(
            self.THRESHOLD, self.tr("Threshold"), translated_all(THRESHOLD_LABELS),
            defaultValue=0),
            self.tr("A cell is predicted landslide when its LSI is at least this: 0.5, or "
                    "Youden's J (the threshold maximising sensitivity + specificity - 1 on the "
                    "training samples, never on the validation samples)."))
        self.add_parameter(QgsProcessingParameterMultipleLayers(
            self.ZONES, self.tr("Zone rasters of these maps (for the dock)"),
            compat.SOURCE_RASTER, optional=True),
            self.tr("The zone rasters of 'Classify LSI' for these LSI rasters, so that the "
                    "comparison dock and the project can load them with their maps."))
        self.add_parameter(QgsProcessingParameterBoolean(
            self.RATES, self.tr("Success- and prediction-rate curves"), defaultValue=False),
            self.tr("Also rank the whole map by LSI: the share of training (success rate) and "
                    "validation (prediction rate) landslides against the share of the area, "
                    "with the area under each curve."))
        self.add_parameter(QgsProcessingParameterMultipleLayers(
            self.EXPLANATIONS, self.tr("Explanation files (factor importance and response "
                                       "curves)"), compat.SOURCE_FILE, optional=True),
            self.tr("Files written by 'Factor importance and response curves'; each is kept in "
                    "the results with the map of its model (matched by model file), so the "
                    "report and the comparison dock show its importance chart and response "
                    "curves."))
        self.add_parameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Metrics table"), compat.SOURCE_VECTOR),
            self.tr("One row per map: TP, TN, FP, FN, accuracy, precision, sensitivity, "
                    "specificity, F1, kappa, AUROC, Brier score, threshold, training and map "
                    "time."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_RESULTS, self.tr("Results file (for the comparison dock)"),
            self.tr("Landslide LSM results (*.json)")),
            self.tr("The metrics, ROC points, reliability diagrams and each model's parameters "
                    "as JSON: the comparison dock, the report and 'Create susceptibility "
                    "project' read it."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_CSV, self.tr("Metrics table (CSV)"), self.tr("CSV files (*.csv)"),
            optional=True, createByDefault=False),
            self.tr("Optional: the metrics table as a CSV file."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_FIGURE, self.tr("ROC figure"), self.tr("PNG (*.png);;SVG (*.svg)"),
            optional=True, createByDefault=False),
            self.tr("Optional: the ROC curves with the reliability diagram beside them (and the "
                    "rate curves), as PNG or SVG."))
        self.add_scheduler_parameter()
        self.addOutput(QgsProcessingOutputString("BEST_MODEL",
                                                 self.tr("Model with the best AUROC")))

    def samples_label(self, parameters, context, samples_path: str) -> str:
        """The samples as the user chose them (a layer's source), not a temporary copy."""
        layer = self.parameterAsVectorLayer(parameters, self.SAMPLES, context)
        if layer is not None and layer.source():
            return layer.source()
        return str(samples_path)

    def execute(self, parameters, context, feedback, progress):
        from ..core.evaluation import (
            METRIC_COLUMNS,
            evaluate_lsi,
            metric_rows,
            results_record,
            write_results,
        )
        from ..core.tables import write_csv

        layers = self.parameterAsLayerList(parameters, self.LSI, context)
        lsi_paths = [self.layer_source(lyr) for lyr in layers]
        zone_paths = [self.layer_source(lyr)
                      for lyr in self.parameterAsLayerList(parameters, self.ZONES, context)]
        samples = self.vector_source(parameters, self.SAMPLES, context, feedback)
        with self.dask_client(parameters, context, progress) as client:
            evaluation = evaluate_lsi(
                lsi_paths, samples,
                threshold_mode=THRESHOLD_KEYS[self.parameterAsEnum(parameters, self.THRESHOLD,
                                                                   context)],
                zone_paths=zone_paths,
                rate_curves=self.parameterAsBool(parameters, self.RATES, context),
                explanation_paths=[p for p in self.parameterAsFileList(
                    parameters, self.EXPLANATIONS, context) if p],
                progress=progress.sub(0, 90), client=client)
        threshold_index = self.parameterAsEnum(parameters, self.THRESHOLD, context)
        evaluation.parameters.update({
            "threshold": THRESHOLD_LABELS[threshold_index],
            "samples": self.samples_label(parameters, context, samples)})
        for message in evaluation.messages:
            feedback.pushWarning(message)
        rows = metric_rows(evaluation)
        feedback.pushInfo(f"{evaluation.n_validation} validation samples")
        for row in rows:
            feedback.pushInfo(
                f"  {row['model']:<22} AUROC {row['auroc']:.3f}  accuracy {row['accuracy']:.3f}  "
                f"precision {row['precision']:.3f}  F1 {row['f1']:.3f}  sensitivity "
                f"{row['sensitivity']:.3f}  specificity {row['specificity']:.3f}  Brier "
                f"{row['brier']:.3f}  "
                f"(TP {row['tp']} TN {row['tn']} FP {row['fp']} FN {row['fn']}, threshold "
                f"{row['threshold']:.3f})")
        table_rows = [{k: (None if isinstance(v, float) and math.isnan(v) else v)
                       for k, v in row.items()} for row in rows]
        table = self.write_table(parameters, self.OUTPUT, context, METRIC_COLUMNS, table_rows)
        results_path = self.parameterAsFileOutput(parameters, self.OUTPUT_RESULTS, context)
        write_results(evaluation, results_path, lsi_paths)
        csv_path = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        if csv_path:
            write_csv(csv_path, [c for c, _ in METRIC_COLUMNS], rows, lsi_paths)
        figure = self.parameterAsFileOutput(parameters, self.OUTPUT_FIGURE, context)
        if figure:
            from ..presentation.figures import save_roc_figure

            save_roc_figure(results_record(evaluation).models, figure)
        from ..results import announce_results

        announce_results(self, results_path)  # to the plugin's dock; no-op without the plugin
        best = max(evaluation.models, key=lambda m: m.metrics["auroc"])
        return {self.OUTPUT: table, self.OUTPUT_RESULTS: results_path,
                self.OUTPUT_CSV: csv_path or None, self.OUTPUT_FIGURE: figure or None,
                "BEST_MODEL": best.name}
