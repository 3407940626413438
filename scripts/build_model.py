"""Build the graphical-modeler workflow shipped with the plugin:
resources/models/landslide_susceptibility_workflow.model3

Run with the project's venv: .venv/bin/python scripts/build_model.py
(The model is built with QGIS's own model API, so it opens and edits in the graphical modeler.)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsProcessing,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
)
from qgis.PyQt.QtCore import QPointF  # noqa: E402

MODEL_NAME = "landslide_susceptibility_workflow"
OUT = ROOT / "resources" / "models" / f"{MODEL_NAME}.model3"


#: each input's own help (the dialog's tooltips, `qgis_process help`), by parameter name
INPUT_HELP = {
    "DEM": "The elevation raster: a continuous factor, and the source of slope and aspect. Its "
           "grid is the factor stack's.",
    "NDVI": "Optional: an NDVI raster, a continuous factor.",
    "RAINFALL": "Optional: a rainfall raster (e.g. mean annual, mm), a continuous factor.",
    "LITHOLOGY": "Lithology polygons, rasterized by their unit field as the categorical factor "
                 "'lithology'.",
    "LITHOLOGY_FIELD": "The field of the lithology polygons holding the unit (codes or names).",
    "RIVERS": "Optional: river lines; the distance to them is the factor 'dist_rivers'.",
    "ROADS": "Optional: road lines; the distance to them is the factor 'dist_roads'.",
    "FAULTS": "Optional: fault lines; the distance to them is the factor 'dist_faults'.",
    "STUDY_AREA": "Optional: the study-area polygons; cells outside become nodata.",
    "INVENTORY": "The mapped landslides (polygons or points): the landslide samples, split "
                 "70/30 by landslide into training and validation.",
    "LANDSLIDE_CELLS": "Which cells of a landslide polygon are samples: all, one (centroid), or "
                       "a fixed number of random cells (default, 'Cells per landslide').",
    "CELLS_PER_POLYGON": "Random cells per landslide when 'Landslide cells' is the fixed "
                         "number (default 4).",
    "SEED": "The seed of every random step (samples, split, folds, models): the same seed "
            "gives the same run.",
    "LSNET_EPOCHS": "LSNet trains for at most this many epochs (default 60), keeping the best.",
}


def param(name):
    return QgsProcessingModelChildParameterSource.fromModelParameter(name)


def child_out(child, output):
    return QgsProcessingModelChildParameterSource.fromChildOutput(child, output)


def static(value):
    return QgsProcessingModelChildParameterSource.fromStaticValue(value)


def build() -> QgsProcessingModelAlgorithm:
    model = QgsProcessingModelAlgorithm(MODEL_NAME, "Workflows", "workflows")
    model.setHelpContent({
        "ALG_DESC": "The whole landslide susceptibility workflow: factor stack (DEM, slope, "
                    "aspect, NDVI, rainfall, lithology, distances to rivers, roads and faults) "
                    "-> training samples (70/30 by landslide) -> frequency ratio -> VIF/TOL -> "
                    "SVM, KLR (on FR-encoded factors) and LSNet (on the raw maps) -> LSI maps "
                    "-> natural-breaks zones -> factor importance and response curves -> area of "
                    "applicability -> evaluation -> HTML report.",
        "ALG_CREATOR": "Landslide LSM",
        # a model parameter's help is its entry in the model's help (QGIS sets it on load)
        **INPUT_HELP})

    inputs = [
        (QgsProcessingParameterRasterLayer("DEM", "DEM"), (60, 60)),
        (QgsProcessingParameterRasterLayer("NDVI", "NDVI", optional=True), (60, 120)),
        (QgsProcessingParameterRasterLayer("RAINFALL", "Rainfall", optional=True), (60, 180)),
        (QgsProcessingParameterFeatureSource("LITHOLOGY", "Lithology polygons",
                                             [QgsProcessing.TypeVectorPolygon]), (60, 240)),
        (QgsProcessingParameterField("LITHOLOGY_FIELD", "Lithology unit field", "unit",
                                     "LITHOLOGY"), (60, 300)),
        (QgsProcessingParameterFeatureSource("RIVERS", "Rivers", [QgsProcessing.TypeVectorLine],
                                             optional=True), (60, 360)),
        (QgsProcessingParameterFeatureSource("ROADS", "Roads", [QgsProcessing.TypeVectorLine],
                                             optional=True), (60, 420)),
        (QgsProcessingParameterFeatureSource("FAULTS", "Faults", [QgsProcessing.TypeVectorLine],
                                             optional=True), (60, 480)),
        (QgsProcessingParameterFeatureSource("STUDY_AREA", "Study area",
                                             [QgsProcessing.TypeVectorPolygon], optional=True),
         (60, 540)),
        (QgsProcessingParameterFeatureSource(
            "INVENTORY", "Landslide inventory",
            [QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeVectorPoint]), (60, 600)),
        (QgsProcessingParameterEnum(
            "LANDSLIDE_CELLS", "Landslide cells",
            ["All cells of each landslide polygon", "One cell per landslide (centroid)",
             "A fixed number of random cells per landslide"], defaultValue=2), (60, 660)),
        (QgsProcessingParameterNumber("CELLS_PER_POLYGON", "Cells per landslide",
                                      QgsProcessingParameterNumber.Integer, 4, minValue=1),
         (60, 720)),
        (QgsProcessingParameterNumber("SEED", "Random seed", QgsProcessingParameterNumber.Integer,
                                      42), (60, 780)),
        (QgsProcessingParameterNumber("LSNET_EPOCHS", "LSNet maximum epochs",
                                      QgsProcessingParameterNumber.Integer, 60, minValue=1),
         (60, 840)),
    ]
    for definition, (x, y) in inputs:
        component = QgsProcessingModelParameter(definition.name())
        component.setPosition(QPointF(x, y))
        model.addModelParameter(definition, component)

    def add(child_id, alg, description, sources, outputs, pos):
        child = QgsProcessingModelChildAlgorithm(f"landslide_lsm:{alg}")
        child.setChildId(child_id)
        child.setDescription(description)
        child.setPosition(QPointF(*pos))
        for name, values in sources.items():
            child.addParameterSources(name, values if isinstance(values, list) else [values])
        # every other parameter at its default, as the modeler's dialog would fill it
        alg = QgsApplication.processingRegistry().algorithmById(f"landslide_lsm:{alg}")
        for definition in alg.parameterDefinitions():
            if definition.name() in sources or definition.isDestination():
                continue
            if definition.defaultValue() is not None:
                child.addParameterSources(definition.name(), [static(definition.defaultValue())])
        model_outputs = {}
        for output, title in outputs.items():
            out = QgsProcessingModelOutput(title)
            out.setChildId(child_id)
            out.setChildOutputName(output)
            out.setPosition(QPointF(pos[0] + 160, pos[1] + 40))
            model_outputs[title] = out
        child.setModelOutputs(model_outputs)
        model.addChildAlgorithm(child)

    add("stack", "buildstack", "Build factor stack", {
        "CONTINUOUS": [param("DEM"), param("NDVI"), param("RAINFALL")],
        "DEM": param("DEM"), "DERIVE_SLOPE": static(True), "DERIVE_ASPECT": static(True),
        "RIVERS": param("RIVERS"), "ROADS": param("ROADS"), "FAULTS": param("FAULTS"),
        "LITHOLOGY": param("LITHOLOGY"), "LITHOLOGY_FIELD": param("LITHOLOGY_FIELD"),
        "MASK": param("STUDY_AREA"), "RESAMPLING": static(0)},
        {"OUTPUT": "Factor stack"}, (380, 100))
    add("samples", "preparesamples", "Prepare training samples", {
        "INVENTORY": param("INVENTORY"), "STACK": child_out("stack", "OUTPUT"),
        "LANDSLIDE_CELLS": param("LANDSLIDE_CELLS"),
        "CELLS_PER_POLYGON": param("CELLS_PER_POLYGON"), "RATIO": static(1.0),
        "SPLIT": static(0), "VALIDATION_PERCENT": static(30.0), "FOLDS": static(10),
        "SEED": param("SEED")}, {"OUTPUT": "Training samples"}, (380, 220))
    add("fr", "frequencyratio", "Frequency ratio", {
        "STACK": child_out("stack", "OUTPUT"), "SAMPLES": child_out("samples", "OUTPUT"),
        "METHOD": static(0), "CLASSES": static(8), "SEED": param("SEED")},
        {"OUTPUT": "FR-encoded stack", "OUTPUT_TABLE": "FR table"}, (380, 340))
    add("vif", "vif", "Multicollinearity (VIF / TOL)", {
        "STACK": child_out("fr", "OUTPUT"), "SAMPLES": child_out("samples", "OUTPUT")},
        {"OUTPUT": "VIF table"}, (680, 340))
    for i, (cid, alg, title) in enumerate((("svm", "trainsvm", "SVM"),
                                           ("klr", "trainklr", "KLR"))):
        add(cid, alg, f"Train {title}", {
            "STACK": child_out("fr", "OUTPUT"), "SAMPLES": child_out("samples", "OUTPUT"),
            "SEED": param("SEED"), "CV": static(1), "FOLDS": static(10)},
            {"OUTPUT_MODEL": f"{title} model", "OUTPUT_LSI": f"LSI {title}"},
            (380 + 300 * i, 480))
    add("lsnet", "trainlsnet", "Train LSNet", {
        "STACK": child_out("stack", "OUTPUT"), "SAMPLES": child_out("samples", "OUTPUT"),
        "SEED": param("SEED"), "EPOCHS": param("LSNET_EPOCHS")},
        {"OUTPUT_MODEL": "LSNet model", "OUTPUT_LSI": "LSI LSNet"}, (980, 480))
    for i, (cid, title) in enumerate((("svm", "SVM"), ("klr", "KLR"), ("lsnet", "LSNet"))):
        add(f"zones_{cid}", "classifylsi", f"Zones {title}", {
            "INPUT": child_out(cid, "OUTPUT_LSI"), "METHOD": static(0), "CLASSES": static(5),
            "SAMPLES": child_out("samples", "OUTPUT"), "SAMPLES_SPLIT": static(1)},
            {"OUTPUT": f"Zones {title}"}, (380 + 300 * i, 620))
    # factor importance and response curves of each model; LSNet's on fewer patches and
    # points (each costs a pass of the network over every patch: about a minute on 2 cores)
    lsnet_explain = {"REPEATS": static(3), "MAX_SAMPLES": static(200),
                     "RESPONSE_SAMPLES": static(30), "CURVE_POINTS": static(8)}
    # on the raw stack (the FR models apply their own encoding): every model's response
    # curves over the factors' own values, comparable in one figure
    for i, (cid, title) in enumerate((("svm", "SVM"), ("klr", "KLR"), ("lsnet", "LSNet"))):
        add(f"explain_{cid}", "importance", f"Factor importance {title}", {
            "MODEL": child_out(cid, "OUTPUT_MODEL"), "STACK": child_out("stack", "OUTPUT"),
            "SAMPLES": child_out("samples", "OUTPUT"), "SEED": param("SEED"),
            **(lsnet_explain if cid == "lsnet" else {})},
            {"OUTPUT_EXPLANATION": f"Explanation {title}"}, (380 + 300 * i, 700))
    add("aoa", "applicability", "Area of applicability (SVM and KLR factors)", {
        "STACK": child_out("fr", "OUTPUT"), "SAMPLES": child_out("samples", "OUTPUT"),
        "WEIGHTS": child_out("explain_svm", "OUTPUT_EXPLANATION"), "SEED": param("SEED")},
        {"OUTPUT_DI": "Dissimilarity index", "OUTPUT_MASK": "Area of applicability"},
        (1280, 700))
    add("evaluate", "evaluate", "Evaluate susceptibility maps", {
        "LSI": [child_out(c, "OUTPUT_LSI") for c in ("svm", "klr", "lsnet")],
        "ZONES": [child_out(f"zones_{c}", "OUTPUT") for c in ("svm", "klr", "lsnet")],
        "EXPLANATIONS": [child_out(f"explain_{c}", "OUTPUT_EXPLANATION")
                         for c in ("svm", "klr", "lsnet")],
        "SAMPLES": child_out("samples", "OUTPUT"), "THRESHOLD": static(0),
        "RATE_CURVES": static(True)},
        {"OUTPUT": "Metrics", "OUTPUT_RESULTS": "Results file", "OUTPUT_FIGURE": "ROC figure"},
        (680, 840))
    add("report", "report", "Susceptibility report", {
        "RESULTS": child_out("evaluate", "OUTPUT_RESULTS"),
        "FR_TABLE": child_out("fr", "OUTPUT_TABLE"), "VIF_TABLE": child_out("vif", "OUTPUT"),
        "APPLICABILITY": [child_out("aoa", "OUTPUT_DI"), child_out("aoa", "OUTPUT_MASK")],
        "TITLE": static("Landslide susceptibility report")},
        {"OUTPUT": "Report"}, (680, 960))
    return model


def main() -> int:
    app = QgsApplication([], False)
    app.initQgis()
    from landslide_lsm_plugin.processing.provider import LandslideProvider

    provider = LandslideProvider(with_models=False)
    QgsApplication.processingRegistry().addProvider(provider)
    model = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    ok = model.toFile(str(OUT))
    errors = model.validate()[1] if hasattr(model, "validate") else []
    print(f"wrote {OUT}" if ok else f"failed to write {OUT}", *errors, sep="\n")
    QgsApplication.processingRegistry().removeProvider(provider)
    del model
    os._exit(0 if ok else 1)


if __name__ == "__main__":
    main()
