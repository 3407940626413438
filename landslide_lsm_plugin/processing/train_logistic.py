"""Train logistic regression: the linear baseline."""

from qgis.core import QgsProcessingParameterNumber

from .training import TRAIN_HELP_COMMON, TrainAlgorithm


class TrainLogistic(TrainAlgorithm):
    ID = "trainlogistic"
    TITLE = "Train logistic regression"
    MODEL_TYPE = "logistic"
    HELP = (
        "<p>Trains an L2-penalised logistic regression, the classic baseline of susceptibility "
        "studies. The penalty C is chosen on a log grid by cross-validation.</p>"
        + TRAIN_HELP_COMMON)

    def add_model_parameters(self):
        for key, label, default in (("C_MIN", "C, smallest", 0.001), ("C_MAX", "C, largest",
                                                                       1000.0)):
            self.addParameter(QgsProcessingParameterNumber(
                key, self.tr(label), QgsProcessingParameterNumber.Double, default, minValue=1e-9))
        self.addParameter(QgsProcessingParameterNumber(
            "C_STEPS", self.tr("C, values (log grid)"), QgsProcessingParameterNumber.Integer, 7,
            minValue=1, maxValue=30))

    def grid(self, parameters, context):
        from ..core.models import log_grid

        return {"C": log_grid(self.parameterAsDouble(parameters, "C_MIN", context),
                              self.parameterAsDouble(parameters, "C_MAX", context),
                              self.parameterAsInt(parameters, "C_STEPS", context))}
