"""Shared shape of the Train algorithms: stack + samples -> CV search -> model file (+ LSI).

Not an algorithm itself; each Train algorithm (one per file) declares its model type and its
hyperparameter grid.
"""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
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

from ..core.strategy import DEFAULT_FINAL_SAMPLES, DEFAULT_SEARCH_SAMPLES
from .base import LsmAlgorithm, signing_key

CV_LABELS = ["Stratified k-fold over cells (optimistic when landslides give several cells)",
             "Folds of the samples layer (whole landslides or spatial blocks; recommended)"]
CV_KEYS = ["stratified", "samples"]
#: the recommended (default) CV: folds that never split a landslide
CV_DEFAULT = 1
ENSEMBLE_LABELS = ["None", "One model per CV fold", "Bootstrap refits"]
ENSEMBLE_KEYS = ["", "cv_folds", "bootstrap"]
MODEL_FILTER = "Landslide LSM model (*.lsmodel)"
TRAIN_HELP_COMMON = (
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

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.STACK, self.tr("Factor stack (FR-encoded or raw)")))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SAMPLES, self.tr("Training samples"), [QgsProcessing.TypeVectorPoint]))
        self.add_model_parameters()
        self.addParameter(QgsProcessingParameterEnum(
            self.CV, self.tr("Cross-validation"), CV_LABELS, defaultValue=CV_DEFAULT))
        self.addParameter(QgsProcessingParameterNumber(
            self.FOLDS, self.tr("Folds (stratified k-fold, or by landslide when the samples have "
                                "no fold numbers)"), QgsProcessingParameterNumber.Integer,
            10, minValue=2, maxValue=50))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), QgsProcessingParameterNumber.Integer, 42))
        self.addParameter(self.advanced(QgsProcessingParameterBoolean(
            self.STANDARDIZE, self.tr("Standardise factors (fitted on training folds only)"),
            defaultValue=True)))
        self.addParameter(self.advanced(QgsProcessingParameterNumber(
            self.SEARCH_SAMPLES, self.tr("Search on at most this many samples (a share of "
                                         "every landslide's cells; 0 = all)"),
            QgsProcessingParameterNumber.Integer, DEFAULT_SEARCH_SAMPLES, minValue=0)))
        self.addParameter(self.advanced(QgsProcessingParameterBoolean(
            self.HALVING, self.tr("Search by successive halving (faster; off = every "
                                  "combination on every search sample)"), defaultValue=True)))
        self.addParameter(self.advanced(QgsProcessingParameterNumber(
            self.FINAL_SAMPLES, self.tr("Final fit on at most this many samples (a share of "
                                        "every landslide's cells; 0 = all)"),
            QgsProcessingParameterNumber.Integer,
            DEFAULT_FINAL_SAMPLES.get(self.MODEL_TYPE, 0), minValue=0)))
        ensemble = QgsProcessingParameterEnum(
            self.ENSEMBLE, self.tr("Ensemble for uncertainty maps"), ENSEMBLE_LABELS,
            defaultValue=0)
        ensemble.setHelp(self.tr(
            "Keep an ensemble beside the model: one model per CV fold (fitted on that fold's "
            "training part) or refits on bootstrap resamples (landslides drawn whole), all with "
            "the chosen hyperparameters. 'Predict LSI' then maps their mean LSI and, as a "
            "second output, its standard deviation."))
        self.addParameter(ensemble)
        size = QgsProcessingParameterNumber(
            self.ENSEMBLE_SIZE, self.tr("Bootstrap refits in the ensemble"),
            QgsProcessingParameterNumber.Integer, 10, minValue=2, maxValue=100)
        size.setHelp(self.tr("How many bootstrap refits (for 'Bootstrap refits'); each adds "
                             "one final fit's time and size to the model file."))
        self.addParameter(self.advanced(size))
        self.addParameter(self.advanced(QgsProcessingParameterNumber(
            self.THREADS, self.tr("Threads"), QgsProcessingParameterNumber.Integer, 2,
            minValue=1, maxValue=64)))
        self.addParameter(self.advanced(QgsProcessingParameterString(
            self.NAME, self.tr("Model name (legend, tables)"), optional=True)))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_MODEL, self.tr("Model file"), self.tr(MODEL_FILTER)))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_CV, self.tr("Cross-validation results"), QgsProcessing.TypeVector,
            optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_LSI, self.tr("LSI raster of the stack"), optional=True,
            createByDefault=False))
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

        self.style_output(context, lsi_path, pseudocolor_qml(0.0, 1.0), f"LSI {model_name}")


def c_gamma_parameters(alg: LsmAlgorithm) -> None:
    """Log-grid ranges of C and gamma (defaults include the paper's C=241, gamma=0.02)."""
    real, integer = QgsProcessingParameterNumber.Double, QgsProcessingParameterNumber.Integer
    for key, label, kind, default in (("C_MIN", "C, smallest", real, 0.241),
                                      ("C_MAX", "C, largest", real, 2410.0),
                                      ("C_STEPS", "C, values (log grid)", integer, 5),
                                      ("GAMMA_MIN", "gamma, smallest", real, 0.0002),
                                      ("GAMMA_MAX", "gamma, largest", real, 2.0),
                                      ("GAMMA_STEPS", "gamma, values (log grid)", integer, 5)):
        if kind == integer:
            param = QgsProcessingParameterNumber(key, alg.tr(label), kind, default, minValue=1,
                                                 maxValue=30)
        else:
            param = QgsProcessingParameterNumber(key, alg.tr(label), kind, default,
                                                 minValue=1e-9)
        alg.addParameter(param)


def c_gamma_grid(alg: LsmAlgorithm, parameters, context) -> dict:
    from ..core.models import log_grid

    def num(key):
        return alg.parameterAsDouble(parameters, key, context)

    return {"C": log_grid(num("C_MIN"), num("C_MAX"),
                          alg.parameterAsInt(parameters, "C_STEPS", context)),
            "gamma": log_grid(num("GAMMA_MIN"), num("GAMMA_MAX"),
                              alg.parameterAsInt(parameters, "GAMMA_STEPS", context))}
