"""What the QGIS-layer tests share: the one way to run an algorithm of the plugin, and the shipped
workflow model with the parameters the tests give it. No qgis import at module level, so the
child-process scripts (tests/qgis/scripts/) can use it after they have started QGIS."""

from __future__ import annotations

from pathlib import Path

WORKFLOW = "landslide_lsm:landslide_susceptibility_workflow"
#: workflow output -> file name in the output folder
OUTPUT_FILES = {
    "stack:Factor stack": "stack.tif", "samples:Training samples": "samples.gpkg",
    "fr:FR-encoded stack": "fr.tif", "fr:FR table": "fr.csv", "vif:VIF table": "vif.csv",
    "svm:SVM model": "svm.lsmodel", "klr:KLR model": "klr.lsmodel",
    "lsnet:LSNet model": "lsnet.keras", "svm:LSI SVM": "lsi_svm.tif",
    "klr:LSI KLR": "lsi_klr.tif", "lsnet:LSI LSNet": "lsi_lsnet.tif",
    "zones_svm:Zones SVM": "zones_svm.tif", "zones_klr:Zones KLR": "zones_klr.tif",
    "zones_lsnet:Zones LSNet": "zones_lsnet.tif",
    "explain_svm:Explanation SVM": "explain_svm.json",
    "explain_klr:Explanation KLR": "explain_klr.json",
    "explain_lsnet:Explanation LSNet": "explain_lsnet.json",
    "aoa:Dissimilarity index": "dissimilarity.tif", "aoa:Area of applicability": "aoa.tif",
    "evaluate:Metrics": "metrics.csv",
    "evaluate:Results file": "results.json", "evaluate:ROC figure": "roc.png",
    "report:Report": "report.html"}

#: LSNet's epochs in the session's shared run of the workflow (conftest.sample_workflow). Enough
#: for its map to beat chance clearly on the small sample area: measured validation AUROC 0.69
#: after 20 epochs, 0.60 after 10, 0.58 after 3 (SVM and KLR: 0.70 and 0.71).
SAMPLE_EPOCHS = 20

#: algorithm ids run through run() in this process (test_zz_guardrails reads it)
RAN: set[str] = set()


def run(alg: str, params: dict, feedback=None, context=None, **kwargs) -> dict:
    """processing.run of ``landslide_lsm:<alg>`` (or of a full id such as WORKFLOW); raises
    QgsProcessingException on failure."""
    import processing

    alg_id = alg if ":" in alg else f"landslide_lsm:{alg}"
    RAN.add(alg_id)
    return processing.run(alg_id, params, feedback=feedback, context=context, **kwargs)


def workflow_inputs(area: dict, out: Path, epochs: int, **overrides) -> dict:
    """The workflow's parameters for a sample area (the outputs of landslide_lsm:samplearea),
    every output a file in ``out``."""
    params = {"DEM": area["DEM"], "NDVI": area["NDVI"], "RAINFALL": area["RAINFALL"],
              "LITHOLOGY": area["LITHOLOGY"], "LITHOLOGY_FIELD": "unit",
              "RIVERS": area["RIVERS"], "ROADS": area["ROADS"], "FAULTS": area["FAULTS"],
              "STUDY_AREA": area["STUDY_AREA"], "INVENTORY": area["LANDSLIDES"],
              "LANDSLIDE_CELLS": 2, "CELLS_PER_POLYGON": 4, "SEED": 42, "LSNET_EPOCHS": epochs}
    params.update(overrides)
    params.update({k: str(out / v) for k, v in OUTPUT_FILES.items()})
    return params
