"""Factor importance and response curves of a model file: which factors drive it and how its
susceptibility responds to each (core/explain.py; LSNet in its worker)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from .. import compat
from ..translation import tr_noop
from .base import LsmAlgorithm, lsnet_python, signing_key

#: patches LSNet evaluates at most (each factor and repeat costs one pass over them)
LSNET_MAX_IMPORTANCE, LSNET_MAX_RESPONSE = 400, 100


class FactorImportance(LsmAlgorithm):
    ID = "importance"
    TITLE = tr_noop("Factor importance and response curves")
    GROUP = "evaluate"
    HELP = tr_noop(
        "<p>Explains a model: which factors drive it, and how its susceptibility responds to "
        "each factor. Works for every model type (SVM, KLR, logistic regression, random "
        "forest, ensembles, and LSNet in its worker).</p>"
        "<p><b>Permutation importance</b>: the drop of the AUROC on the <i>validation</i> "
        "samples when one factor's values are shuffled among the samples (the link between "
        "that factor and the label broken, the others kept), repeated with new shuffles from "
        "the seed: mean and spread. A factor near zero (or below) carries no signal the model "
        "uses. Factors that are correlated share their importance: shuffling one leaves the "
        "other to carry the signal, so both can look less important than they are (check the "
        "VIF table). For LSNet, a factor's whole channel group (all one-hot channels of a "
        "category, both aspect channels) is shuffled across the patches.</p>"
        "<p><b>Response curves</b> (partial dependence): the model's mean P(landslide) over the "
        "training samples with one factor set to each value of a grid (quantiles of its "
        "training values, or its categories) and the others as they are, with the training "
        "distribution of landslide and other samples beside it: where the training values are "
        "sparse, the curve is an extrapolation. A model trained on an FR-encoded stack and "
        "given the raw stack shows the raw values (it applies its FR encoding); given the "
        "FR-encoded stack, the FR values. For LSNet a value is set across the whole patch.</p>"
        "<p><b>Outputs</b>: the importance table, an explanation file (JSON) for 'Evaluate "
        "susceptibility maps' (parameter 'Explanation files': the report and the comparison "
        "dock then show importance and curves), and optional figures (bar chart; response "
        "curves).</p>"
        "<p>Cost: each factor and repeat predicts every sample once; large sample sets are "
        "subsampled (seeded, keeping the landslide share). LSNet uses at most "
        "{max_importance} validation and {max_response} training patches.</p>")

    MODEL, STACK, SAMPLES, REPEATS, SEED = "MODEL", "STACK", "SAMPLES", "REPEATS", "SEED"
    MAX_SAMPLES, RESPONSE_SAMPLES, POINTS, NAME = ("MAX_SAMPLES", "RESPONSE_SAMPLES",
                                                   "CURVE_POINTS", "NAME")
    OUTPUT, OUTPUT_EXPLANATION, OUTPUT_CSV = "OUTPUT", "OUTPUT_EXPLANATION", "OUTPUT_CSV"
    OUTPUT_FIGURE, OUTPUT_CURVES = "OUTPUT_FIGURE", "OUTPUT_CURVES"

    def help_text(self) -> str:
        return super().help_text().format(max_importance=LSNET_MAX_IMPORTANCE,
                                          max_response=LSNET_MAX_RESPONSE)

    def initAlgorithm(self, config=None):
        self.add_parameter(QgsProcessingParameterFile(
            self.MODEL, self.tr("Model file"),
            fileFilter=self.tr("Landslide LSM models (*.lsmodel *.keras)")),
            self.tr("A model written by a Train algorithm (.lsmodel, or .keras for LSNet)."))
        self.add_parameter(QgsProcessingParameterRasterLayer(self.STACK, self.tr("Factor stack")),
            self.tr("The stack the model was trained on (an FR model also accepts the raw "
                    "stack: its curves then show raw values)."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.SAMPLES, self.tr("Samples (with the validation split)"),
            [compat.SOURCE_VECTOR_POINT]),
            self.tr("The samples layer of 'Prepare training samples': importance is measured "
                    "on its validation samples, response curves average over its training "
                    "samples."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.REPEATS, self.tr("Repeats (shuffles per factor)"), compat.INTEGER, 5,
            minValue=1, maxValue=100),
            self.tr("How many times each factor is shuffled (1 to 100; 5 is usual); the spread "
                    "of the drops shows how stable its importance is."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), compat.INTEGER, 42),
            self.tr("The same seed gives the same shuffles and the same importance."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.MAX_SAMPLES, self.tr("Maximum validation samples (0 = all)"), compat.INTEGER,
            5000, minValue=0),
            self.tr("Importance on at most this many validation samples (a seeded subset that "
                    "keeps the landslide share). LSNet: at most {} patches.").format(
                        LSNET_MAX_IMPORTANCE), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.RESPONSE_SAMPLES, self.tr("Training samples for the response curves"),
            compat.INTEGER, 1000, minValue=10),
            self.tr("The curves average the model's response over this many training samples "
                    "(a seeded subset). LSNet: at most {} patches.").format(LSNET_MAX_RESPONSE),
            advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.POINTS, self.tr("Points per response curve"), compat.INTEGER, 20, minValue=3,
            maxValue=100),
            self.tr("Values of a continuous factor the curve is computed at (quantiles of its "
                    "training values); categories are all shown."), advanced=True)
        self.add_parameter(QgsProcessingParameterString(
            self.NAME, self.tr("Model name (default: the model file's)"), optional=True),
            self.tr("The name in the table, the figures and the report."), advanced=True)
        self.add_parameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Importance table"), compat.SOURCE_VECTOR),
            self.tr("One row per factor, most important first: rank, mean drop of the "
                    "validation AUROC when the factor is shuffled, and its standard deviation "
                    "over the repeats."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_EXPLANATION, self.tr("Explanation file (for Evaluate and the report)"),
            self.tr("Landslide LSM explanation (*.json)")),
            self.tr("The importance and response curves as JSON: give it to 'Evaluate "
                    "susceptibility maps' (Explanation files) so that the report and the "
                    "comparison dock show them."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_CSV, self.tr("Importance table (CSV)"), self.tr("CSV files (*.csv)"),
            optional=True, createByDefault=False),
            self.tr("Optional: the importance table as a CSV file."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_FIGURE, self.tr("Importance bar chart"),
            self.tr("PNG (*.png);;SVG (*.svg)"), optional=True, createByDefault=False),
            self.tr("Optional: the drops of the AUROC as bars with their spread (PNG or SVG)."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_CURVES, self.tr("Response curves figure"),
            self.tr("PNG (*.png);;SVG (*.svg)"), optional=True, createByDefault=False),
            self.tr("Optional: one panel per factor, the model's mean P(landslide) against the "
                    "factor's value, over the training distribution (PNG or SVG)."))
        self.addOutput(QgsProcessingOutputString("MOST_IMPORTANT",
                                                 self.tr("Most important factor")))
        self.addOutput(QgsProcessingOutputNumber("BASE_AUROC",
                                                 self.tr("Validation AUROC (unpermuted)")))

    def samples_label(self, parameters, context, samples_path: str) -> str:
        """The samples as the user chose them (a layer's source), not a temporary copy."""
        layer = self.parameterAsVectorLayer(parameters, self.SAMPLES, context)
        return layer.source() if layer is not None and layer.source() else str(samples_path)

    def execute(self, parameters, context, feedback, progress):
        from ..core.explain import IMPORTANCE_COLUMNS, importance_rows, write_explanation
        from ..core.model_io import model_kind
        from ..core.tables import write_csv

        model = self.parameterAsFile(parameters, self.MODEL, context)
        stack = self.raster_path(parameters, self.STACK, context)
        samples = self.vector_source(parameters, self.SAMPLES, context, feedback)
        label = self.samples_label(parameters, context, samples)
        repeats = self.parameterAsInt(parameters, self.REPEATS, context)
        seed = self.parameterAsInt(parameters, self.SEED, context)
        max_samples = self.parameterAsInt(parameters, self.MAX_SAMPLES, context)
        response = self.parameterAsInt(parameters, self.RESPONSE_SAMPLES, context)
        points = self.parameterAsInt(parameters, self.POINTS, context)
        name = self.parameterAsString(parameters, self.NAME, context) or None
        explanation_path = self.parameterAsFileOutput(parameters, self.OUTPUT_EXPLANATION,
                                                      context)
        if model_kind(model) == "lsnet":
            from ..lsnet.client import explain_lsnet

            explanation = explain_lsnet(
                model, stack, samples, python=lsnet_python(), repeats=repeats, seed=seed,
                points=points, max_importance=min(max_samples or LSNET_MAX_IMPORTANCE,
                                                  LSNET_MAX_IMPORTANCE),
                max_response=min(response, LSNET_MAX_RESPONSE), name=name,
                samples_label=label, progress=progress.sub(0, 95),
                signing_key=signing_key())
        else:
            missing = self.missing_for(self.TITLE, ("sklearn", "skops"))
            if missing:
                from qgis.core import QgsProcessingException

                raise QgsProcessingException(missing)
            from ..core.explain import explain_model

            explanation = explain_model(
                model, stack, samples, repeats=repeats, seed=seed, points=points,
                max_importance=max_samples, max_response=response, name=name,
                samples_label=label, signing_key=signing_key(), progress=progress.sub(0, 95))
        write_explanation(explanation, explanation_path, [model, stack, samples])
        rows = importance_rows(explanation)
        feedback.pushInfo(f"{explanation.model_name}: validation AUROC "
                          f"{explanation.base_auroc:.3f} on {explanation.n_importance} samples; "
                          f"drop when a factor is shuffled ({explanation.repeats} repeats):")
        for row in rows:
            feedback.pushInfo(f"  {row['rank']:>2}. {row['factor']:<24} {row['mean_drop']:+.4f} "
                              f"± {row['sd_drop']:.4f}")
        table = self.write_table(parameters, self.OUTPUT, context, IMPORTANCE_COLUMNS, rows)
        csv_path = self.parameterAsFileOutput(parameters, self.OUTPUT_CSV, context)
        if csv_path:
            write_csv(csv_path, [c for c, _ in IMPORTANCE_COLUMNS], rows, [model, stack])
        figure = self.parameterAsFileOutput(parameters, self.OUTPUT_FIGURE, context)
        curves = self.parameterAsFileOutput(parameters, self.OUTPUT_CURVES, context)
        if figure or curves:
            from ..presentation.explain_figures import (
                save_importance_figure,
                save_response_figure,
            )

            if figure:
                save_importance_figure([explanation], figure)
            if curves:
                save_response_figure([explanation], curves)
        progress.percent(100)
        return {self.OUTPUT: table, self.OUTPUT_EXPLANATION: explanation_path,
                self.OUTPUT_CSV: csv_path or None, self.OUTPUT_FIGURE: figure or None,
                self.OUTPUT_CURVES: curves or None,
                "MOST_IMPORTANT": explanation.importance[0].factor,
                "BASE_AUROC": explanation.base_auroc}

