"""Area of applicability: where the factors are like those the model learned from (the science
is core/applicability.py)."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from .. import compat
from ..translation import tr_noop
from .base import LsmAlgorithm


class AreaOfApplicability(LsmAlgorithm):
    ID = "applicability"
    TITLE = tr_noop("Area of applicability")
    GROUP = "evaluate"
    REQUIRES = ("scipy",)
    HELP = tr_noop(
        "<p>Where can the susceptibility map be trusted? A model has learned from its training "
        "samples only; where the factors take combinations it never saw (a lithology absent "
        "from the training area, slopes steeper than any training cell), it extrapolates, and "
        "its map there says little, however good its validation scores. This algorithm maps "
        "that, after Meyer and Pebesma (2021).</p>"
        "<p>The <b>dissimilarity index</b> (DI) of a cell is its distance, in the space of the "
        "factors, to the nearest training sample, divided by the mean distance between the "
        "training samples. Continuous factors are standardised (mean 0, standard deviation 1 "
        "over the training samples), categorical factors become one 0/1 column per unit seen "
        "in training, aspect its sine and cosine; each factor counts by its <b>weight</b>, its "
        "importance to the model (from an explanation file), or equally without one. DI 0: the "
        "cell is like a training sample; DI 1: it is as far from the nearest training sample "
        "as training samples are, on average, from each other.</p>"
        "<p>The <b>threshold</b> comes from the cross-validation folds: every training "
        "sample's DI to the nearest training sample of <i>another</i> fold, and the largest of "
        "these that is not an outlier (the upper whisker of their box plot: the largest at "
        "most Q3 + 1.5 IQR). The folds are the samples' own (field <code>fold</code>, as "
        "'Prepare training samples' writes them), else drawn by landslide. Cells with a DI "
        "above it lie <b>outside the area of applicability</b>: the model is further from its "
        "training data there than cross-validation ever tested it.</p>"
        "<p><b>Outputs</b>: the DI raster (light to blue inside, orange to dark red outside) "
        "and a mask, 1 inside and 0 outside (styled grey outside and transparent inside, to "
        "lay over a map). 'Predict LSI' can set the cells outside to nodata (its advanced "
        "parameter 'Area of applicability mask'). Use the factor stack the model was trained "
        "on (the FR-encoded stack for a model trained on it) and its samples layer.</p>"
        "<p>Meyer, H. and Pebesma, E. (2021). Predicting into unknown space? Estimating the "
        "area of applicability of spatial prediction models. <i>Methods in Ecology and "
        "Evolution</i> 12:1620-1633.</p>")

    STACK, SAMPLES, WEIGHTS, FOLDS, SEED = "STACK", "SAMPLES", "WEIGHTS", "FOLDS", "SEED"
    THREADS, OUTPUT_DI, OUTPUT_MASK = "THREADS", "OUTPUT_DI", "OUTPUT_MASK"

    def initAlgorithm(self, config=None):
        self.add_parameter(QgsProcessingParameterRasterLayer(
            self.STACK, self.tr("Factor stack (the one the model was trained on)")),
            self.tr("The factors of every cell. Use the stack the model learned from: the raw "
                    "stack, or the FR-encoded stack for a model trained on it."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.SAMPLES, self.tr("Samples (with the training split)"),
            [compat.SOURCE_VECTOR_POINT]),
            self.tr("The samples the model was trained on, as 'Prepare training samples' "
                    "writes them: the training split (split = 'train') is the reference, its "
                    "folds (field fold) set the threshold."))
        self.add_parameter(QgsProcessingParameterFile(
            self.WEIGHTS, self.tr("Factor weights: explanation file (optional)"),
            fileFilter=self.tr("Landslide LSM explanation (*.json)"), optional=True),
            self.tr("The explanation file written by 'Factor importance and response curves' "
                    "for the model: each factor counts by its permutation importance (the "
                    "largest 1, negative as 0). Without it every factor counts equally. It "
                    "must name exactly the stack's factors."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.FOLDS, self.tr("Folds (when the samples have none)"),
            compat.INTEGER, 5, minValue=2, maxValue=50),
            self.tr("Used only when the samples layer has no folds: this many folds are drawn "
                    "by landslide (a landslide's samples in one fold)."), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), compat.INTEGER, 42),
            self.tr("Seed of the folds drawn when the samples have none, and of the subsample "
                    "(4000 samples) the mean distance is computed on above 4000 training "
                    "samples."), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.THREADS, self.tr("Threads"), compat.INTEGER, 2,
            minValue=1, maxValue=64),
            self.tr("Threads of the nearest-neighbour search; the result does not depend on "
                    "it."), advanced=True)
        self.add_parameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_DI, self.tr("Dissimilarity index")),
            self.tr("Float32: each cell's distance in factor space to the nearest training "
                    "sample, over the mean distance between training samples (0: like a "
                    "training sample). Nodata where the stack is."))
        self.add_parameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_MASK, self.tr("Area of applicability (1 inside, 0 outside)")),
            self.tr("Byte: 1 where the dissimilarity index is at most the threshold, 0 where it "
                    "is above (the model extrapolates), 255 nodata. Give it to 'Predict LSI' "
                    "to blank the map outside."))
        self.add_scheduler_parameter()
        self.addOutput(QgsProcessingOutputNumber(
            "THRESHOLD", self.tr("Threshold of the dissimilarity index")))
        self.addOutput(QgsProcessingOutputNumber(
            "SHARE_INSIDE", self.tr("Share of the valid cells inside the area of applicability")))

    def execute(self, parameters, context, feedback, progress):
        from ..core.applicability import area_of_applicability, load_weights
        from ..presentation.styles import applicability_qml, dissimilarity_qml

        stack = self.raster_path(parameters, self.STACK, context)
        samples = self.vector_source(parameters, self.SAMPLES, context, feedback)
        weights_file = self.parameterAsFile(parameters, self.WEIGHTS, context) or ""
        di_output = self.parameterAsOutputLayer(parameters, self.OUTPUT_DI, context)
        mask_output = self.parameterAsOutputLayer(parameters, self.OUTPUT_MASK, context)
        weights = load_weights(weights_file) if weights_file else None
        with self.dask_client(parameters, context, progress) as client:
            report = area_of_applicability(
                stack, samples, di_output, mask_output, weights=weights,
                weights_source=weights_file,
                folds=self.parameterAsInt(parameters, self.FOLDS, context),
                seed=self.parameterAsInt(parameters, self.SEED, context),
                n_jobs=self.parameterAsInt(parameters, self.THREADS, context), progress=progress,
                client=client)
        feedback.pushInfo("Weights: " + ", ".join(f"{k} {w:.3g}"
                                                  for k, w in report.weights.items())
                          + ("" if weights_file else " (equal: no explanation file given)"))
        feedback.pushInfo(f"Threshold of the dissimilarity index: {report.threshold:.4g} "
                          f"({report.n_training} training samples in {report.folds} folds; mean "
                          f"distance between them {report.mean_distance:.4g})")
        feedback.pushInfo(f"Inside the area of applicability: {report.inside_cells} of "
                          f"{report.valid_cells} valid cells "
                          f"({100 * report.share_inside:.1f} %)")
        self.style_output(context, di_output, dissimilarity_qml(report.threshold),
                          self.tr("Dissimilarity index"))
        self.style_output(context, mask_output, applicability_qml(),
                          self.tr("Area of applicability"))
        return {self.OUTPUT_DI: di_output, self.OUTPUT_MASK: mask_output,
                "THRESHOLD": report.threshold, "SHARE_INSIDE": report.share_inside}
