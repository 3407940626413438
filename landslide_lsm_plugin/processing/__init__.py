"""Processing glue: the provider and one QgsProcessingAlgorithm per file. No science here."""


def algorithm_classes() -> list:
    """Every algorithm class of the provider, in toolbox order."""
    from .classify_lsi import ClassifyLsi

    return [ClassifyLsi]
