"""Processing glue: the provider and one QgsProcessingAlgorithm per file. No science here."""


def algorithm_classes() -> list:
    """Every algorithm class of the provider, in toolbox order."""
    from .build_stack import BuildFactorStack
    from .classify_lsi import ClassifyLsi
    from .frequency_ratio import FrequencyRatio
    from .multicollinearity import Multicollinearity
    from .prepare_samples import PrepareSamples

    return [BuildFactorStack, PrepareSamples, FrequencyRatio, Multicollinearity, ClassifyLsi]
