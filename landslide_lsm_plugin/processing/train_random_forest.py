"""Train random forest: the non-linear baseline."""

from qgis.core import QgsProcessingParameterEnum, QgsProcessingParameterNumber

from .training import TRAIN_HELP_COMMON, TrainAlgorithm

MAX_FEATURES_LABELS = ["Square root of the factors", "Half of the factors", "All factors"]
MAX_FEATURES_KEYS = ["sqrt", 0.5, 1.0]


class TrainRandomForest(TrainAlgorithm):
    ID = "trainrandomforest"
    TITLE = "Train random forest"
    MODEL_TYPE = "random_forest"
    HELP = (
        "<p>Trains a random forest of classification trees. The forest's settings are "
        "parameters; cross-validation reports its expected AUROC.</p>" + TRAIN_HELP_COMMON)

    def add_model_parameters(self):
        self.addParameter(QgsProcessingParameterNumber(
            "TREES", self.tr("Trees"), QgsProcessingParameterNumber.Integer, 300, minValue=10,
            maxValue=5000))
        self.addParameter(QgsProcessingParameterNumber(
            "MIN_LEAF", self.tr("Minimum samples per leaf"), QgsProcessingParameterNumber.Integer,
            1, minValue=1))
        self.addParameter(QgsProcessingParameterEnum(
            "MAX_FEATURES", self.tr("Factors tried per split"), MAX_FEATURES_LABELS,
            defaultValue=0))

    def grid(self, parameters, context):
        return {"n_estimators": [self.parameterAsInt(parameters, "TREES", context)],
                "min_samples_leaf": [self.parameterAsInt(parameters, "MIN_LEAF", context)],
                "max_features": [MAX_FEATURES_KEYS[
                    self.parameterAsEnum(parameters, "MAX_FEATURES", context)]]}
