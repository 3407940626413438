"""Train KLR: kernel logistic regression with an RBF kernel."""

from qgis.core import QgsProcessingParameterNumber

from .. import compat
from ..core.strategy import DEFAULT_KERNEL_LIMIT
from ..translation import tr_noop
from .training import TrainAlgorithm, c_gamma_grid, c_gamma_parameters


class TrainKlr(TrainAlgorithm):
    ID = "trainklr"
    TITLE = tr_noop("Train KLR (kernel logistic regression)")
    MODEL_TYPE = "klr"
    KERNEL_LIMIT = "KERNEL_LIMIT"
    HELP = tr_noop(
        "<p>Trains a kernel logistic regression: the penalised logistic loss on RBF kernel "
        "features. Up to the kernel size limit (default 1,000) every training sample is a kernel "
        "centre, which is the exact kernel; above it a Nystroem approximation with that many "
        "centres keeps memory and time bounded (the search ranks C and gamma on at most 300 "
        "centres per fold). Every C of the grid is fitted from scratch. C (inverse "
        "penalty) and gamma are chosen by cross-validation "
        "as for the SVM. The LSI is the predicted probability, calibrated by the logistic "
        "loss itself.</p>")

    def add_model_parameters(self):
        c_gamma_parameters(self)
        self.add_parameter(QgsProcessingParameterNumber(
            self.KERNEL_LIMIT, self.tr("Exact kernel up to this many samples (Nystroem above)"),
            compat.INTEGER, DEFAULT_KERNEL_LIMIT, minValue=50, maxValue=20000),
            self.tr("Up to this many training samples every sample is a kernel centre (the "
                    "exact kernel); above it a Nystroem approximation with this many centres "
                    "bounds memory and time (50 to 20,000)."), advanced=True)

    def grid(self, parameters, context):
        return c_gamma_grid(self, parameters, context)

    def extra_options(self, parameters, context):
        return {"kernel_limit": self.parameterAsInt(parameters, self.KERNEL_LIMIT, context)}
