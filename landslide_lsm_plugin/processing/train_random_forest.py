"""Train random forest: the non-linear baseline."""

from qgis.core import QgsProcessingParameterEnum, QgsProcessingParameterNumber

from .. import compat
from ..translation import tr_noop, translated_all
from .training import TrainAlgorithm

MAX_FEATURES_LABELS = [tr_noop("Square root of the factors"), tr_noop("Half of the factors"),
                       tr_noop("All factors")]
MAX_FEATURES_KEYS = ["sqrt", 0.5, 1.0]


class TrainRandomForest(TrainAlgorithm):
    ID = "trainrandomforest"
    TITLE = tr_noop("Train random forest")
    MODEL_TYPE = "random_forest"
    HELP = tr_noop(
        "<p>Trains a random forest of classification trees. The forest's settings are "
        "parameters; cross-validation reports its expected AUROC.</p>")

    def add_model_parameters(self):
        self.add_parameter(QgsProcessingParameterNumber(
            "TREES", self.tr("Trees"), compat.INTEGER, 300, minValue=10, maxValue=5000),
            self.tr("How many trees the forest grows (10 to 5,000; default 300): more trees "
                    "give a steadier LSI and take longer."))
        self.add_parameter(QgsProcessingParameterNumber(
            "MIN_LEAF", self.tr("Minimum samples per leaf"), compat.INTEGER, 1, minValue=1),
            self.tr("The fewest training samples a leaf may hold (default 1): larger values give "
                    "smoother, less overfitted trees."))
        self.add_parameter(QgsProcessingParameterEnum(
            "MAX_FEATURES", self.tr("Factors tried per split"),
            translated_all(MAX_FEATURES_LABELS), defaultValue=0),
            self.tr("How many randomly chosen factors each split considers: the square root of "
                    "their number (default), half of them, or all."))

    def grid(self, parameters, context):
        return {"n_estimators": [self.parameterAsInt(parameters, "TREES", context)],
                "min_samples_leaf": [self.parameterAsInt(parameters, "MIN_LEAF", context)],
                "max_features": [MAX_FEATURES_KEYS[
                    self.parameterAsEnum(parameters, "MAX_FEATURES", context)]]}
