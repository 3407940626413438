"""Train KLR: kernel logistic regression with an RBF kernel."""

from qgis.core import QgsProcessingParameterNumber

from ..core.strategy import DEFAULT_KERNEL_LIMIT
from .training import TRAIN_HELP_COMMON, TrainAlgorithm, c_gamma_grid, c_gamma_parameters


class TrainKlr(TrainAlgorithm):
    ID = "trainklr"
    TITLE = "Train KLR (kernel logistic regression)"
    MODEL_TYPE = "klr"
    KERNEL_LIMIT = "KERNEL_LIMIT"
    HELP = (
        "<p>Trains a kernel logistic regression: the penalised logistic loss on RBF kernel "
        "features. Up to the kernel size limit (default 1,000) every training sample is a kernel "
        "centre, which is the exact kernel; above it a Nystroem approximation with that many "
        "centres keeps memory and time bounded (the search ranks C and gamma on at most 300 "
        "centres per fold). Every C of the grid is fitted from scratch. C (inverse "
        "penalty) and gamma are chosen by cross-validation "
        "as for the SVM. The LSI is the predicted probability, calibrated by the logistic "
        "loss itself.</p>" + TRAIN_HELP_COMMON)

    def add_model_parameters(self):
        c_gamma_parameters(self)
        self.addParameter(self.advanced(QgsProcessingParameterNumber(
            self.KERNEL_LIMIT, self.tr("Exact kernel up to this many samples (Nystroem above)"),
            QgsProcessingParameterNumber.Integer, DEFAULT_KERNEL_LIMIT, minValue=50,
            maxValue=20000)))

    def grid(self, parameters, context):
        return c_gamma_grid(self, parameters, context)

    def extra_options(self, parameters, context):
        return {"kernel_limit": self.parameterAsInt(parameters, self.KERNEL_LIMIT, context)}
