"""Processing glue: the provider and one QgsProcessingAlgorithm per file. No science here."""


def algorithm_classes() -> list:
    """Every algorithm class of the provider, in toolbox order."""
    from .applicability import AreaOfApplicability
    from .build_stack import BuildFactorStack
    from .classify_lsi import ClassifyLsi
    from .crossvalidate import CrossValidate
    from .evaluate import EvaluateMaps
    from .frequency_ratio import FrequencyRatio
    from .importance import FactorImportance
    from .make_project import CreateProject
    from .multicollinearity import Multicollinearity
    from .predict_lsi import PredictLsi
    from .prepare_samples import PrepareSamples
    from .report import SusceptibilityReport
    from .sample_area import CreateSampleArea
    from .train_klr import TrainKlr
    from .train_logistic import TrainLogistic
    from .train_lsnet import TrainLsnet
    from .train_random_forest import TrainRandomForest
    from .train_svm import TrainSvm

    return [CreateSampleArea, BuildFactorStack, PrepareSamples, FrequencyRatio,
            Multicollinearity, TrainSvm, TrainKlr, TrainLsnet, TrainLogistic, TrainRandomForest,
            PredictLsi, ClassifyLsi, EvaluateMaps, FactorImportance, CrossValidate,
            AreaOfApplicability,
            SusceptibilityReport, CreateProject]
