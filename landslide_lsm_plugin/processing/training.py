"""Shared shape of the Train algorithms: stack + samples -> CV search -> model file (+ LSI).

Not an algorithm itself; each Train algorithm (one per file) declares its model type and its
hyperparameter grid.
"""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from .. import compat
from ..core.strategy import DEFAULT_FINAL_SAMPLES, DEFAULT_SEARCH_SAMPLES
from ..translation import tr_noop, translated, translated_all
from .base import LsmAlgorithm, signing_key

CV_LABELS = [
    tr_noop("Stratified k-fold over cells (optimistic when landslides give several cells)"),
    tr_noop("Folds of the samples layer (whole landslides or spatial blocks; recommended)")]
CV_KEYS = ["stratified", "samples"]
#: the recommended (default) CV: folds that never split a landslide
CV_DEFAULT = 1
ENSEMBLE_LABELS = [tr_noop("None"), tr_noop("One model per CV fold"), tr_noop("Bootstrap refits")]
ENSEMBLE_KEYS = ["", "cv_folds", "bootstrap"]
#: the help every Train algorithm has after its own (see TrainAlgorithm.help_text)
TRAIN_HELP_COMMON = tr_noop(
    "<p><b>Inputs</b>: the factor stack the model learns from (usually the FR-encoded stack; "
    "the model then remembers the FR encoding and can also map the raw stack) and the samples "
    "of 'Prepare training samples'. Only training samples (split = train) are used; the "
    "validation samples are left for 'Evaluate susceptibility maps'.</p>"
    "<p><b>Cross-validation</b>: by default the folds of the samples layer, which never split a "
    "landslide (whole landslides or spatial blocks per fold); samples without fold numbers get "
    "folds by landslide. Stratified k-fold over cells stays available, but when landslides give "
    "several cells it puts cells of one landslide on both sides, so its scores are optimistic "
    "and it favours models that memorise landslides (the log warns). Hyperparameters maximise "
    "the mean AUROC over the folds; factors are standardised inside each fold.</p>"
    "<p><b>Large inventories</b>: the search runs on at most 'Search on at most this many "
    "samples' training samples (default 3,000): a share of every landslide's cells, drawn "
    "with the seed (so the landslides keep their spatial spread), by "
    "successive halving (all combinations on a ninth of them, the best third on a third, the "
    "best three on all); the final model is fitted on every training sample, or for the SVM on "
    "at most 'Final fit on at most this many samples' (default 10,000, a share of every "
    "landslide's cells). The log says what was done, with the counts. 0 means all samples.</p>"
    "<p><b>Outputs</b>: the model file (.lsmodel: no pickle, safe to share; it records the "
    "factors, the FR encoding, hyperparameters, CV score, training time and plugin version), "
    "the CV results table, and optionally the LSI raster of the stack.</p>")


class TrainAlgorithm(LsmAlgorithm):
    """Base of the Train algorithms (SVM, KLR, logistic regression, random forest)."""

    GROUP = "models"
    REQUIRES = ("sklearn", "skops")
    MODEL_TYPE = ""

    STACK, SAMPLES, CV, FOLDS, SEED = "STACK", "SAMPLES", "CV", "FOLDS", "SEED"
    STANDARDIZE, THREADS, NAME = "STANDARDIZE", "THREADS", "NAME"
    SEARCH_SAMPLES, FINAL_SAMPLES, HALVING = "SEARCH_SAMPLES", "FINAL_SAMPLES", "HALVING"
    ENSEMBLE, ENSEMBLE_SIZE = "ENSEMBLE", "ENSEMBLE_SIZE"
    OUTPUT_MODEL, OUTPUT_CV, OUTPUT_LSI = "OUTPUT_MODEL", "OUTPUT_CV", "OUTPUT_LSI"

    def help_text(self) -> str:
        return super().help_text() + translated(TRAIN_HELP_COMMON)

    def initAlgorithm(self, config=None):
        self.add_parameter(QgsProcessingParameterRasterLayer(
            self.STACK, self.tr("Factor stack (FR-encoded or raw)")),
            self.tr("The factors the model learns from: usually the FR-encoded stack (the model "
                    "then remembers the encoding and can also map the raw stack), or the raw "
                    "stack."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.SAMPLES, self.tr("Training samples"), [compat.SOURCE_VECTOR_POINT]),
            self.tr("The samples of 'Prepare training samples': only the training split "
                    "(split = train) is used; the validation samples are left for Evaluate."))
        self.add_model_parameters()
        self.add_parameter(QgsProcessingParameterEnum(
            self.CV, self.tr("Cross-validation"), translated_all(CV_LABELS),
            defaultValue=CV_DEFAULT),
            self.tr("How the hyperparameters are scored: the samples' own folds, which never "
                    "split a landslide (recommended), or stratified k-fold over cells, which "
                    "puts cells of one landslide on both sides and scores optimistically."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.FOLDS, self.tr("Folds (stratified k-fold, or by landslide when the samples have "
                                "no fold numbers)"), compat.INTEGER, 10, minValue=2,
            maxValue=50),
            self.tr("k of the k-fold CV (2 to 50, default 10): used by stratified k-fold, and "
                    "for folds by landslide when the samples have no fold field."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), compat.INTEGER, 42),
            self.tr("Seed of the CV folds, the search and final-fit subsets and the forests: "
                    "the same seed gives the same model."))
        self.add_parameter(QgsProcessingParameterBoolean(
            self.STANDARDIZE, self.tr("Standardise factors (fitted on training folds only)"),
            defaultValue=True),
            self.tr("Scale every factor to mean 0 and standard deviation 1, with statistics of "
                    "the training folds only (a random forest ignores it)."), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.SEARCH_SAMPLES, self.tr("Search on at most this many samples (a share of "
                                         "every landslide's cells; 0 = all)"),
            compat.INTEGER, DEFAULT_SEARCH_SAMPLES, minValue=0),
            self.tr("The hyperparameter search runs on at most this many training samples, a "
                    "seeded share of every landslide's cells (0 = all); the final fit uses "
                    "more."), advanced=True)
        self.add_parameter(QgsProcessingParameterBoolean(
            self.HALVING, self.tr("Search by successive halving (faster; off = every "
                                  "combination on every search sample)"), defaultValue=True),
            self.tr("Every combination on a ninth of the search samples, the best third on a "
                    "third, the best three on all of them; off: every combination on all."),
            advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.FINAL_SAMPLES, self.tr("Final fit on at most this many samples (a share of "
                                        "every landslide's cells; 0 = all)"),
            compat.INTEGER, DEFAULT_FINAL_SAMPLES.get(self.MODEL_TYPE, 0), minValue=0),
            self.tr("The final model is fitted on at most this many training samples, a seeded "
                    "share of every landslide's cells (0 = all; the SVM's time grows with the "
                    "square of the samples)."), advanced=True)
        self.add_parameter(QgsProcessingParameterEnum(
            self.ENSEMBLE, self.tr("Ensemble for uncertainty maps"),
            translated_all(ENSEMBLE_LABELS), defaultValue=0),
            self.tr("Keep an ensemble beside the model: one model per CV fold (fitted on that "
                    "fold's training part) or refits on bootstrap resamples (landslides drawn "
                    "whole), all with the chosen hyperparameters. 'Predict LSI' then maps their "
                    "mean LSI and, as a second output, its standard deviation."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.ENSEMBLE_SIZE, self.tr("Bootstrap refits in the ensemble"), compat.INTEGER, 10,
            minValue=2, maxValue=100),
            self.tr("How many bootstrap refits (for 'Bootstrap refits'); each adds one final "
                    "fit's time and size to the model file."), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.THREADS, self.tr("Threads"), compat.INTEGER, 2, minValue=1, maxValue=64),
            self.tr("CPU threads for the cross-validation and the LSI map (1 to 64); the model "
                    "does not depend on it."), advanced=True)
        self.add_parameter(QgsProcessingParameterString(
            self.NAME, self.tr("Model name (legend, tables)"), optional=True),
            self.tr("The model's name in tables, legends and the report (default: the model "
                    "type)."), advanced=True)
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_MODEL, self.tr("Model file"),
            self.tr("Landslide LSM model (*.lsmodel)")),
            self.tr("The model (.lsmodel: no pickle, safe to share) with its factors, FR "
                    "encoding, hyperparameters, CV score and training time: the input of "
                    "'Predict LSI'."))
        self.add_parameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_CV, self.tr("Cross-validation results"), compat.SOURCE_VECTOR,
            optional=True),
            self.tr("One row per hyperparameter combination: rank, values, mean and standard "
                    "deviation of the AUROC over the folds, the CV scheme and the search round "
                    "that scored it."))
        self.add_parameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_LSI, self.tr("LSI raster of the stack"), optional=True,
            createByDefault=False),
            self.tr("Optional: the LSI map of the training stack right away (as 'Predict LSI' "
                    "would write it)."))
        self.addOutput(QgsProcessingOutputNumber("CV_AUROC", self.tr("Best CV AUROC")))
        self.addOutput(QgsProcessingOutputNumber("TRAINING_TIME", self.tr("Training time (s)")))
        self.addOutput(QgsProcessingOutputString("HYPERPARAMETERS",
                                                 self.tr("Chosen hyperparameters")))

    def add_model_parameters(self) -> None:
        """Parameters of the model's hyperparameter grid."""

    def grid(self, parameters, context) -> dict:
        raise NotImplementedError

    def extra_options(self, parameters, context) -> dict:
        return {}

    def execute(self, parameters, context, feedback, progress):
        from ..core.raster import atomic_file, check_output_path

        stack = self.raster_path(parameters, self.STACK, context)
        samples = self.vector_source(parameters, self.SAMPLES, context, feedback)
        model_path = self.parameterAsFileOutput(parameters, self.OUTPUT_MODEL, context)
        lsi_path = self.parameterAsOutputLayer(parameters, self.OUTPUT_LSI, context)
        threads = self.parameterAsInt(parameters, self.THREADS, context)
        grid = self.grid(parameters, context)
        check_output_path(model_path, [stack, samples.split("|")[0]])
        # the model file appears only once everything asked for is done: a cancel while the
        # LSI is mapped leaves neither
        with atomic_file(model_path) as tmp_model:
            outputs = self._train_and_map(parameters, context, feedback, progress, stack,
                                          samples, str(tmp_model), model_path, lsi_path,
                                          threads, grid)
        return outputs

    def _train_and_map(self, parameters, context, feedback, progress, stack, samples,
                       tmp_model, model_path, lsi_path, threads, grid) -> dict:
        from ..core.models import FitSettings, SearchSettings
        from ..core.predict import predict_lsi
        from ..core.training import CV_COLUMNS, cv_table, train_to_file

        key = signing_key()
        search = SearchSettings(
            grid=grid, cv_scheme=CV_KEYS[self.parameterAsEnum(parameters, self.CV, context)],
            n_folds=self.parameterAsInt(parameters, self.FOLDS, context),
            search_samples=self.parameterAsInt(parameters, self.SEARCH_SAMPLES, context),
            halving=self.parameterAsBool(parameters, self.HALVING, context))
        fit = FitSettings(
            seed=self.parameterAsInt(parameters, self.SEED, context),
            standardize=self.parameterAsBool(parameters, self.STANDARDIZE, context),
            final_samples=self.parameterAsInt(parameters, self.FINAL_SAMPLES, context),
            n_jobs=threads,
            ensemble=ENSEMBLE_KEYS[self.parameterAsEnum(parameters, self.ENSEMBLE, context)],
            ensemble_size=self.parameterAsInt(parameters, self.ENSEMBLE_SIZE, context),
            **self.extra_options(parameters, context))
        result, meta = train_to_file(
            self.MODEL_TYPE, stack, samples, tmp_model, search=search, fit=fit,
            name=self.parameterAsString(parameters, self.NAME, context) or None,
            progress=progress.sub(0, 80 if lsi_path else 100), signing_key=key)
        for message in result.messages:
            feedback.pushWarning(message)
        chosen = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                           for k, v in result.params.items())
        feedback.pushInfo(f"{meta.name}: best CV AUROC {result.cv_score:.3f} ({result.folds} "
                          f"folds, {result.cv_scheme} CV, {len(result.cv_rows)} combinations) "
                          f"with {chosen}; trained in {result.training_time_s:.1f} s")
        if result.kernel:
            feedback.pushInfo(f"Kernel: {result.kernel}")
        table = self.write_table(parameters, self.OUTPUT_CV, context, CV_COLUMNS,
                                 cv_table(result))
        outputs = {self.OUTPUT_MODEL: model_path, self.OUTPUT_CV: table,
                   "CV_AUROC": result.cv_score, "TRAINING_TIME": result.training_time_s,
                   "HYPERPARAMETERS": chosen}
        if lsi_path:
            report = predict_lsi(tmp_model, stack, lsi_path, n_jobs=threads,
                                 progress=progress.sub(80, 100), model_file=model_path,
                                 signing_key=key)
            feedback.pushInfo(f"LSI map: {report.valid_cells} cells in {report.map_time_s:.1f} s")
            self.style_lsi(context, lsi_path, meta.name)
            outputs[self.OUTPUT_LSI] = lsi_path
        return outputs

    def style_lsi(self, context, lsi_path: str, model_name: str) -> None:
        from ..presentation.styles import pseudocolor_qml

        self.style_output(context, lsi_path, pseudocolor_qml(0.0, 1.0),
                          self.tr("LSI {}").format(model_name))


def c_gamma_parameters(alg: LsmAlgorithm) -> None:
    """Log-grid ranges of C and gamma (defaults include the paper's C=241, gamma=0.02)."""
    alg.add_parameter(QgsProcessingParameterNumber(
        "C_MIN", alg.tr("C, smallest"), compat.DOUBLE, 0.241, minValue=1e-9),
        alg.tr("The smallest C (inverse penalty) of the log grid: a small C gives a smooth "
               "model, a large one follows the training samples closely."))
    alg.add_parameter(QgsProcessingParameterNumber(
        "C_MAX", alg.tr("C, largest"), compat.DOUBLE, 2410.0, minValue=1e-9),
        alg.tr("The largest C of the log grid (the paper's optimum, 241, lies inside the "
               "default 0.241..2410)."))
    alg.add_parameter(QgsProcessingParameterNumber(
        "C_STEPS", alg.tr("C, values (log grid)"), compat.INTEGER, 5, minValue=1, maxValue=30),
        alg.tr("How many values of C, spaced evenly on a log scale from the smallest to the "
               "largest (1 to 30)."))
    alg.add_parameter(QgsProcessingParameterNumber(
        "GAMMA_MIN", alg.tr("gamma, smallest"), compat.DOUBLE, 0.0002, minValue=1e-9),
        alg.tr("The smallest gamma of the RBF kernel (on standardised factors): a small gamma "
               "gives a smooth model, a large one a local model."))
    alg.add_parameter(QgsProcessingParameterNumber(
        "GAMMA_MAX", alg.tr("gamma, largest"), compat.DOUBLE, 2.0, minValue=1e-9),
        alg.tr("The largest gamma of the log grid (the paper's optimum, 0.02, lies inside the "
               "default 0.0002..2)."))
    alg.add_parameter(QgsProcessingParameterNumber(
        "GAMMA_STEPS", alg.tr("gamma, values (log grid)"), compat.INTEGER, 5, minValue=1,
        maxValue=30),
        alg.tr("How many values of gamma, spaced evenly on a log scale (1 to 30); the search "
               "tries every pair of C and gamma."))


def c_gamma_grid(alg: LsmAlgorithm, parameters, context) -> dict:
    from ..core.models import log_grid

    def num(key):
        return alg.parameterAsDouble(parameters, key, context)

    return {"C": log_grid(num("C_MIN"), num("C_MAX"),
                          alg.parameterAsInt(parameters, "C_STEPS", context)),
            "gamma": log_grid(num("GAMMA_MIN"), num("GAMMA_MAX"),
                              alg.parameterAsInt(parameters, "GAMMA_STEPS", context))}
