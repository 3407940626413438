"""Multicollinearity check: VIF and tolerance (TOL) per factor."""

from __future__ import annotations

import math

from qgis.core import (
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
)

from .. import compat
from ..translation import tr_noop
from .base import LsmAlgorithm

COLUMNS = (("factor", str), ("vif", float), ("tol", float), ("r2", float), ("flagged", bool),
           ("note", str))


class Multicollinearity(LsmAlgorithm):
    ID = "vif"
    TITLE = tr_noop("Multicollinearity (VIF / TOL)")
    GROUP = "prepare"
    HELP = tr_noop(
        "<p>Checks the factors for multicollinearity on the training samples (both classes): "
        "for each factor, VIF = 1 / (1 - R²) and tolerance TOL = 1 - R², where R² is from the "
        "least-squares regression of that factor on all the others. A factor is flagged when "
        "VIF &gt; 10 or TOL &lt; 0.1 (the thresholds are parameters).</p>"
        "<p>A constant factor, or one that is an exact linear combination of others, has an "
        "infinite VIF; the log names the factors involved. Works on the raw or the FR-encoded "
        "stack.</p>")

    STACK, SAMPLES, VIF_MAX, TOL_MIN = "STACK", "SAMPLES", "VIF_MAX", "TOL_MIN"
    OUTPUT, OUTPUT_CSV = "OUTPUT", "OUTPUT_CSV"

    def initAlgorithm(self, config=None):
        self.add_parameter(QgsProcessingParameterRasterLayer(
            self.STACK, self.tr("Factor stack (raw or FR-encoded)")),
            self.tr("The factors to check: the raw stack or the FR-encoded one."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.SAMPLES, self.tr("Training samples"), [compat.SOURCE_VECTOR_POINT]),
            self.tr("The samples of 'Prepare training samples': the factors' values at the "
                    "training samples (both classes) are regressed on each other."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.VIF_MAX, self.tr("Flag VIF above"), compat.DOUBLE, 10.0, minValue=1.0),
            self.tr("A factor whose variance inflation factor VIF = 1 / (1 - R²) exceeds this is "
                    "flagged (10 is the usual limit; 5 is stricter)."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.TOL_MIN, self.tr("Flag TOL below"), compat.DOUBLE, 0.1, minValue=0.0,
            maxValue=1.0),
            self.tr("A factor whose tolerance TOL = 1 - R² is below this is flagged (0.1 is the "
                    "usual limit, the same as VIF 10)."))
        self.add_parameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("VIF table"), compat.SOURCE_VECTOR),
            self.tr("One row per factor: VIF, TOL, R², whether it is flagged, and a note for "
                    "constant or collinear factors."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_CSV, self.tr("VIF table (CSV)"), self.tr("CSV files (*.csv)"),
            optional=True, createByDefault=False),
            self.tr("Optional: the VIF table as a CSV file."))
        self.addOutput(QgsProcessingOutputString("FLAGGED", self.tr("Flagged factors")))

    def execute(self, parameters, context, feedback, progress):
        from ..core.tables import write_csv
        from ..core.vif import compute_vif

        stack = self.raster_path(parameters, self.STACK, context)
        samples = self.vector_source(parameters, self.SAMPLES, context, feedback)
        result = compute_vif(stack, samples,
                             self.parameterAsDouble(parameters, self.VIF_MAX, context),
                             self.parameterAsDouble(parameters, self.TOL_MIN, context), progress)
        feedback.pushInfo(f"VIF over {result.samples_used} training samples:")
        for r in result.rows:
            flag = "  <- FLAGGED" if r.flagged else ""
            feedback.pushInfo(f"  {r.factor:<20} VIF {r.vif:10.3f}  TOL {r.tol:7.4f}{flag}")
        for message in result.messages:
            feedback.pushWarning(message)
        rows = [{"factor": r.factor, "vif": r.vif if math.isfinite(r.vif) else None,
                 "tol": r.tol, "r2": r.r2, "flagged": r.flagged,
                 "note": r.note or ("infinite VIF" if not math.isfinite(r.vif) else "")}
                for r in result.rows]
        table = self.write_table(parameters, self.OUTPUT, context, COLUMNS, rows)
        csv_path = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        if csv_path:
            write_csv(csv_path, [c for c, _ in COLUMNS],
                      [dict(row, vif=r.vif) for row, r in zip(rows, result.rows)], [stack])
        return {self.OUTPUT: table, self.OUTPUT_CSV: csv_path or None,
                "FLAGGED": ",".join(result.flagged)}
