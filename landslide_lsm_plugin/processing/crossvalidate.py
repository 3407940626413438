"""Assess models by cross-validation: repeated k-fold CV under random and spatial partitions,
with an optional buffer and nested tuning (the science is core/validation.py)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputString,
    QgsProcessingParameterDistance,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
)

from .. import compat
from ..translation import tr_noop, translated_all
from .base import FoldMapStyle, LsmAlgorithm

MODEL_LABELS = [tr_noop("Logistic regression"), tr_noop("Random forest"), tr_noop("RBF-SVM"),
                tr_noop("Kernel logistic regression")]
MODEL_KEYS = ["logistic", "random_forest", "svm", "klr"]
SCHEME_LABELS = [tr_noop("Random (by landslide)"),
                 tr_noop("Spatial: k-means clusters of the samples"),
                 tr_noop("Spatial: square blocks")]
SCHEME_KEYS = ["random", "kmeans", "blocks"]
USE_LABELS = [tr_noop("All samples (both splits)"), tr_noop("Training samples only")]
USE_KEYS = ["all", "train"]
GRID_LABELS = [tr_noop("Compact (3 values of C and gamma)"),
               tr_noop("As the Train algorithms (5 x 5)")]
#: the compact grids: around the 'scale' heuristic for gamma, three decades of C
COMPACT_GRIDS = {"svm": {"C": [0.1, 1.0, 10.0], "gamma": [0.02, 0.2, 2.0]},
                 "klr": {"C": [0.1, 1.0, 10.0], "gamma": [0.02, 0.2, 2.0]},
                 "logistic": {"C": [0.01, 1.0, 100.0]}}

SUMMARY_COLUMNS = (("model", str), ("model_type", str), ("scheme", str), ("scheme_name", str),
                   ("mean_auroc", float), ("sd_auroc", float), ("repetitions", int),
                   ("folds_scored", int), ("folds_skipped", int), ("repetition_aurocs", str))
class CrossValidate(LsmAlgorithm):
    ID = "crossvalidate"
    TITLE = tr_noop("Assess models by cross-validation")
    GROUP = "evaluate"
    REQUIRES = ("sklearn",)
    HELP = tr_noop(
        "<p>How well does each model map <i>new ground</i>? Repeated k-fold cross-validation "
        "of the chosen model types under several partitionings of the samples: <b>random</b> "
        "folds (by landslide: a landslide's cells stay in one fold), <b>spatial k-means</b> "
        "folds (clusters of the sample coordinates) and <b>spatial blocks</b> (square blocks "
        "dealt to the folds). Random folds put test cells next to training cells and flatter "
        "every model; spatial folds hold out whole areas and give the number to quote for "
        "mapping where no landslide was mapped.</p>"
        "<p>With a <b>buffer</b>, the training samples within that distance of a test fold's "
        "samples are left out of that fold's training set. Every training set tunes its own "
        "hyperparameters by an inner CV of the same kind (nested CV): the test fold never "
        "chooses them. All models see the same folds; each repetition draws new folds (seed "
        "+ repetition).</p>"
        "<p>Use the <b>raw</b> factor stack: an FR-encoded stack was fitted on landslides that "
        "are test samples here, which makes every score optimistic (a warning says so).</p>"
        "<p><b>Outputs</b>: a table (model x partitioning: mean AUROC over the scored test "
        "folds, the standard deviation of the repetitions' means, and every repetition's mean), "
        "a box-plot figure (PNG or SVG), and a point layer of the samples with their fold in "
        "the first repetition under each partitioning, coloured by fold.</p>")

    STACK, SAMPLES, USE, MODELS, SCHEMES = "STACK", "SAMPLES", "USE", "MODELS", "SCHEMES"
    REPETITIONS, FOLDS, BUFFER, BLOCK_SIZE = "REPETITIONS", "FOLDS", "BUFFER", "BLOCK_SIZE"
    INNER_FOLDS, GRID, SEED, THREADS = "INNER_FOLDS", "GRID", "SEED", "THREADS"
    OUTPUT, OUTPUT_FIGURE, OUTPUT_FOLDS = "OUTPUT", "OUTPUT_FIGURE", "OUTPUT_FOLDS"

    def initAlgorithm(self, config=None):
        self.add_parameter(
            QgsProcessingParameterRasterLayer(self.STACK, self.tr("Factor stack (raw)")),
            self.tr("The factors to learn from, as 'Build factor stack' writes them: the raw "
                    "stack (an FR-encoded stack makes every score optimistic)."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.SAMPLES, self.tr("Samples"), [compat.SOURCE_VECTOR_POINT]),
            self.tr("Labelled samples as 'Prepare training samples' writes them (label, "
                    "landslide_id, split)."))
        self.add_parameter(QgsProcessingParameterEnum(
            self.USE, self.tr("Samples to use"), translated_all(USE_LABELS), defaultValue=0),
            self.tr("All samples (the CV draws its own test folds), or only the training "
                    "split (keeps the validation samples untouched for Evaluate)."))
        self.add_parameter(QgsProcessingParameterEnum(
            self.MODELS, self.tr("Models"), translated_all(MODEL_LABELS), allowMultiple=True,
            defaultValue=[0, 2]),
            self.tr("The model types to assess, each tuned as its Train algorithm tunes it."))
        self.add_parameter(QgsProcessingParameterEnum(
            self.SCHEMES, self.tr("Partitionings"), translated_all(SCHEME_LABELS),
            allowMultiple=True, defaultValue=[0, 1]),
            self.tr("How the samples are split into folds; compare random with a spatial one."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.REPETITIONS, self.tr("Repetitions"), compat.INTEGER, 5, minValue=1,
            maxValue=100),
            self.tr("How many times the folds are drawn anew; the spread of the repetitions' "
                    "means says how much the estimate depends on the draw."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.FOLDS, self.tr("Folds"), compat.INTEGER, 5, minValue=2, maxValue=20),
            self.tr("k of the k-fold CV: each repetition tests every sample once, in one of "
                    "k folds (typically 5 or 10)."))
        self.add_parameter(QgsProcessingParameterDistance(
            self.BUFFER, self.tr("Buffer around test folds (0 = none)"), 0.0, self.STACK,
            minValue=0.0),
            self.tr("Training samples within this distance of a test sample are left out of "
                    "that fold's training set (in the stack's map units)."))
        self.add_parameter(QgsProcessingParameterDistance(
            self.BLOCK_SIZE, self.tr("Block size for spatial blocks (0 = automatic)"), 0.0,
            self.STACK, minValue=0.0),
            self.tr("Side of the square blocks, in the stack's map units; automatic splits the "
                    "samples' extent into about 4 x folds blocks."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.INNER_FOLDS, self.tr("Folds of the inner tuning CV"), compat.INTEGER, 5,
            minValue=2, maxValue=20),
            self.tr("The inner CV that tunes each training set, of the same kind as the "
                    "outer one."), advanced=True)
        self.add_parameter(QgsProcessingParameterEnum(
            self.GRID, self.tr("Hyperparameter grid"), translated_all(GRID_LABELS),
            defaultValue=0),
            self.tr("Compact: 3 values of C (and of gamma for SVM and KLR), fast; or the Train "
                    "algorithms' own grid, about three times slower."), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), compat.INTEGER, 42),
            self.tr("The same seed draws the same folds and gives the same scores."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.THREADS, self.tr("Threads"), compat.INTEGER, 2, minValue=1, maxValue=64),
            self.tr("CPU threads for the fits (1 to 64); the scores do not depend on it."),
            advanced=True)
        self.add_parameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Cross-validation table"), compat.SOURCE_VECTOR),
            self.tr("One row per model and partitioning: mean AUROC over the scored test "
                    "folds, the standard deviation of the repetitions' means, and every "
                    "repetition's mean."))
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_FIGURE, self.tr("Box-plot figure"), self.tr("PNG (*.png);;SVG (*.svg)"),
            optional=True, createByDefault=False),
            self.tr("Optional: box plots of the repetitions' AUROC per model and partitioning "
                    "(PNG or SVG, by the file's extension)."))
        self.add_parameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_FOLDS, self.tr("Fold map (first repetition)"),
            compat.SOURCE_VECTOR_POINT, optional=True, createByDefault=False),
            self.tr("Optional: the samples as points with their fold (1..k) under each "
                    "partitioning in the first repetition, coloured by the fold of a spatial "
                    "one."))
        self.addOutput(QgsProcessingOutputString(
            "SUMMARY", self.tr("Mean AUROC per model and partitioning")))

    def execute(self, parameters, context, feedback, progress):
        from ..core.models import FitSettings
        from ..core.validation import CvDesign, cross_validate, cv_data, summary_table
        from ..presentation.cv_figures import save_cv_figure

        stack = self.raster_path(parameters, self.STACK, context)
        samples = self.vector_source(parameters, self.SAMPLES, context, feedback)
        models = [MODEL_KEYS[i] for i in self.parameterAsEnums(parameters, self.MODELS, context)]
        schemes = tuple(SCHEME_KEYS[i]
                        for i in self.parameterAsEnums(parameters, self.SCHEMES, context))
        block = self.parameterAsDouble(parameters, self.BLOCK_SIZE, context)
        design = CvDesign(schemes=schemes,
                          repetitions=self.parameterAsInt(parameters, self.REPETITIONS, context),
                          folds=self.parameterAsInt(parameters, self.FOLDS, context),
                          buffer=self.parameterAsDouble(parameters, self.BUFFER, context),
                          block_size=block or None,
                          inner_folds=self.parameterAsInt(parameters, self.INNER_FOLDS, context),
                          seed=self.parameterAsInt(parameters, self.SEED, context))
        data = cv_data(stack, samples, USE_KEYS[self.parameterAsEnum(parameters, self.USE,
                                                                     context)])
        for message in data.messages:
            feedback.pushWarning(message)
        if data.dropped:
            feedback.pushWarning(f"{data.dropped} sample(s) on nodata cells were left out.")
        feedback.pushInfo(f"Cross-validating {', '.join(models)} on {data.y.size} samples "
                          f"({int(data.y.sum())} landslide) under {', '.join(schemes)}: "
                          f"{design.repetitions} x {design.folds}-fold"
                          + (f", buffer {design.buffer:g}" if design.buffer else ""))
        grids = (COMPACT_GRIDS if self.parameterAsEnum(parameters, self.GRID, context) == 0
                 else None)
        cv = cross_validate(data.x, data.y, data.xy, data.groups, models, design, grids=grids,
                            fit=FitSettings(seed=design.seed, n_jobs=self.parameterAsInt(
                                parameters, self.THREADS, context)),
                            progress=progress)
        for message in cv.messages:
            feedback.pushWarning(message)
        rows = summary_table(cv)
        for row in rows:
            feedback.pushInfo(f"  {row['model']:<28} {row['scheme_name']:<28} AUROC "
                              f"{row['mean_auroc']:.3f} ± {row['sd_auroc']:.3f}")
        table = self.write_table(parameters, self.OUTPUT, context, SUMMARY_COLUMNS, rows)
        figure = self.parameterAsFileOutput(parameters, self.OUTPUT_FIGURE, context)
        if figure:
            save_cv_figure(cv, figure)
        folds = self._fold_map(parameters, context, data, cv)
        return {self.OUTPUT: table, self.OUTPUT_FIGURE: figure or None,
                self.OUTPUT_FOLDS: folds,
                "SUMMARY": "; ".join(f"{r['model_type']} {r['scheme']} {r['mean_auroc']:.3f}"
                                     for r in rows)}

    def _fold_map(self, parameters, context, data, cv):
        """The samples with their fold (1..k) under each partitioning, first repetition."""
        columns = [("label", int), ("landslide_id", int)] + \
            [(f"fold_{s}", int) for s in cv.design.schemes]
        rows = [dict({"label": int(data.y[i]), "landslide_id": int(data.groups[i])},
                     **{f"fold_{s}": int(cv.first_partition[s][i]) + 1
                        for s in cv.design.schemes}) for i in range(data.y.size)]
        dest = self.write_points(parameters, self.OUTPUT_FOLDS, context, columns, rows,
                                 data.xy, data.info.grid.crs_wkt)
        if dest:
            spatial = [s for s in cv.design.schemes if s != "random"] or list(cv.design.schemes)
            self.on_load(context, dest, FoldMapStyle.create(f"fold_{spatial[0]}"),
                         self.tr("Folds"))
        return dest
