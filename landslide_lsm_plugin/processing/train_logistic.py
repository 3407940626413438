"""Train logistic regression: the linear baseline."""

from qgis.core import QgsProcessingParameterNumber

from .. import compat
from ..translation import tr_noop
from .training import TrainAlgorithm


class TrainLogistic(TrainAlgorithm):
    ID = "trainlogistic"
    TITLE = tr_noop("Train logistic regression")
    MODEL_TYPE = "logistic"
    HELP = tr_noop(
        "<p>Trains an L2-penalised logistic regression, the classic baseline of susceptibility "
        "studies. The penalty C is chosen on a log grid by cross-validation.</p>")

    def add_model_parameters(self):
        self.add_parameter(QgsProcessingParameterNumber(
            "C_MIN", self.tr("C, smallest"), compat.DOUBLE, 0.001, minValue=1e-9),
            self.tr("The smallest C (inverse penalty) of the log grid: a small C gives a strongly "
                    "penalised, smooth model."))
        self.add_parameter(QgsProcessingParameterNumber(
            "C_MAX", self.tr("C, largest"), compat.DOUBLE, 1000.0, minValue=1e-9),
            self.tr("The largest C of the log grid: a large C gives an almost unpenalised "
                    "model."))
        self.add_parameter(QgsProcessingParameterNumber(
            "C_STEPS", self.tr("C, values (log grid)"), compat.INTEGER, 7, minValue=1,
            maxValue=30),
            self.tr("How many values of C, spaced evenly on a log scale from the smallest to the "
                    "largest (1 to 30; default 7: 0.001, 0.01 ... 1000)."))

    def grid(self, parameters, context):
        from ..core.models import log_grid

        return {"C": log_grid(self.parameterAsDouble(parameters, "C_MIN", context),
                              self.parameterAsDouble(parameters, "C_MAX", context),
                              self.parameterAsInt(parameters, "C_STEPS", context))}
