"""End to end on the small sample study area: the shipped graphical-modeler workflow through
processing.run and qgis_process, the HTML report, the QGIS project, and the recovery of the
known susceptibility process."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import qgis_tools as qt
from osgeo import gdal
from qgis.core import QgsApplication, QgsProject, QgsRasterLayer

from landslide_lsm_plugin.demo.sample_area import draw_process_cells
from landslide_lsm_plugin.lsnet.patches import auroc

WORKFLOW = "landslide_lsm:landslide_susceptibility_workflow"
OUTPUT_FILES = {
    "stack:Factor stack": "stack.tif", "samples:Training samples": "samples.gpkg",
    "fr:FR-encoded stack": "fr.tif", "fr:FR table": "fr.csv", "vif:VIF table": "vif.csv",
    "svm:SVM model": "svm.lsmodel", "klr:KLR model": "klr.lsmodel",
    "lsnet:LSNet model": "lsnet.keras", "svm:LSI SVM": "lsi_svm.tif",
    "klr:LSI KLR": "lsi_klr.tif", "lsnet:LSI LSNet": "lsi_lsnet.tif",
    "zones_svm:Zones SVM": "zones_svm.tif", "zones_klr:Zones KLR": "zones_klr.tif",
    "zones_lsnet:Zones LSNet": "zones_lsnet.tif", "evaluate:Metrics": "metrics.csv",
    "evaluate:Results file": "results.json", "evaluate:ROC figure": "roc.png",
    "report:Report": "report.html"}


def workflow_inputs(area: dict, out: Path, epochs: int) -> dict:
    params = {"DEM": area["DEM"], "NDVI": area["NDVI"], "RAINFALL": area["RAINFALL"],
              "LITHOLOGY": area["LITHOLOGY"], "LITHOLOGY_FIELD": "unit",
              "RIVERS": area["RIVERS"], "ROADS": area["ROADS"], "FAULTS": area["FAULTS"],
              "STUDY_AREA": area["STUDY_AREA"], "INVENTORY": area["LANDSLIDES"],
              "LANDSLIDE_CELLS": 2, "CELLS_PER_POLYGON": 4, "SEED": 42, "LSNET_EPOCHS": epochs}
    params.update({k: str(out / v) for k, v in OUTPUT_FILES.items()})
    return params


@pytest.fixture(scope="module")
def area(tmp_path_factory, plugin):
    import processing

    folder = tmp_path_factory.mktemp("sample_area")
    return processing.run("landslide_lsm:samplearea", {"SIZE": 0, "SEED": 2022,
                                                        "OUTPUT": str(folder)})


@pytest.fixture(scope="module")
def run(area, tmp_path_factory, plugin):
    import processing

    out = tmp_path_factory.mktemp("workflow")
    processing.run(WORKFLOW, workflow_inputs(area, out, epochs=40))
    return out


def test_the_workflow_is_in_the_toolbox(plugin):
    alg = QgsApplication.processingRegistry().algorithmById(WORKFLOW)
    assert alg is not None and alg.group() == "Workflows"
    children = {c.algorithmId() for c in alg.childAlgorithms().values()}
    for step in ("buildstack", "preparesamples", "frequencyratio", "vif", "trainsvm",
                 "trainklr", "trainlsnet", "classifylsi", "evaluate", "report"):
        assert f"landslide_lsm:{step}" in children


def test_workflow_outputs_and_honest_metrics(run):
    for name in OUTPUT_FILES.values():
        assert (run / name).exists(), name
    results = json.loads((run / "results.json").read_text())
    assert [m["name"] for m in results["models"]] == ["SVM", "KLR", "LSNet"]
    for m in results["models"]:
        assert m["metrics"]["auroc"] > 0.6, (m["name"], m["metrics"]["auroc"])
        assert m["zones"] and Path(m["zones"]).exists()


def test_models_recover_the_known_process(run, area):
    """Fresh landslide cells drawn from the known process (never seen by any model) against
    random cells: every map ranks them well above chance."""
    (rs, cs), (rr, cr) = draw_process_cells(area["TRUE_SUSCEPTIBILITY"], 1500, seed=123)
    labels = np.r_[np.ones(len(rs)), np.zeros(len(rr))]
    scores = {}
    for name in ("svm", "klr", "lsnet"):
        lsi = gdal.Open(str(run / f"lsi_{name}.tif")).ReadAsArray()
        scores[name] = auroc(labels, np.r_[lsi[rs, cs], lsi[rr, cr]])
    assert scores["svm"] > 0.65 and scores["klr"] > 0.65, scores
    assert scores["lsnet"] > 0.58, scores


def test_report_holds_maps_and_metrics_of_three_models(run):
    html = (run / "report.html").read_text()
    images = re.findall(r'src="data:image/png;base64,', html)
    assert len(images) == 1 + 2 * 3  # ROC/rate figure + LSI and zones per model
    results = json.loads((run / "results.json").read_text())
    for m in results["models"]:
        assert f"LSI of {m['name']}" in html and f"Zones of {m['name']}" in html
        assert f"{m['metrics']['auroc']:.3f}" in html
        assert f"{m['metrics']['accuracy']:.3f}" in html
    for heading in ("Frequency ratio", "Multicollinearity", "Models and parameters"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("<h4>Parameters</h4>") == 3 and "training time" in html
    for m in results["models"][:2]:  # SVM and KLR: the C and gamma their CV chose
        hyper = m["model"]["hyperparameters"]
        assert f'<th class="l">C</th><td class="l">{hyper["C"]:.4g}</td>' in html
        assert f'<th class="l">gamma</th><td class="l">{hyper["gamma"]:.4g}</td>' in html
    assert "<h2>Evaluation parameters</h2>" in html
    assert "http://" not in html and "https://" not in html.split("<body>")[1]  # self-contained


def test_project_opens_with_valid_styled_layers(run, area, tmp_path, run_alg):
    result = run_alg("makeproject", {"RESULTS": str(run / "results.json"),
                                     "SAMPLES": str(run / "samples.gpkg"),
                                     "INVENTORY": area["LANDSLIDES"],
                                     "OTHERS": [area["RIVERS"], area["FAULTS"]],
                                     "OUTPUT": str(tmp_path / "project.qgz")})
    project = QgsProject()
    assert project.read(result["OUTPUT"])
    layers = list(project.mapLayers().values())
    assert len(layers) == 2 + 2 + 6 and all(layer.isValid() for layer in layers)
    rasters = {lyr.name(): lyr for lyr in layers if isinstance(lyr, QgsRasterLayer)}
    assert rasters["LSI SVM"].renderer().type() == "singlebandpseudocolor"
    assert rasters["Zones LSNet"].renderer().type() == "paletted"
    samples = next(lyr for lyr in layers if lyr.name() == "Training samples")
    assert samples.renderer().type() == "RuleRenderer"


def test_workflow_through_qgis_process(area, tmp_path):
    root = tmp_path / "profile"
    qt.make_profile(root, enabled=False)
    env = qt.qgis_env(root)
    env["LANDSLIDE_LSM_PYTHON"] = str(qt.ROOT / ".venv" / "bin" / "python")
    qt.enable_in_qgis_process(root, env=env)
    out = tmp_path / "cli"
    out.mkdir()
    result = qt.run_algorithm(root, WORKFLOW, workflow_inputs(area, out, epochs=3), env=env,
                              timeout=900)
    assert Path(result["results"]["report:Report"]).exists()
    results = json.loads((out / "results.json").read_text())
    assert len(results["models"]) == 3


def test_project_opens_in_the_desktop(run, area, tmp_path, run_alg, artifacts):
    """The .qgz opens in the real QGIS desktop with every layer valid and styled."""
    from .test_desktop import HERE, assert_loaded_cleanly, start_desktop

    project = run_alg("makeproject", {"RESULTS": str(run / "results.json"),
                                      "SAMPLES": str(run / "samples.gpkg"),
                                      "INVENTORY": area["LANDSLIDES"],
                                      "OUTPUT": str(tmp_path / "demo.qgz")})["OUTPUT"]
    profile = tmp_path / "profile"
    qt.make_profile(profile)
    shot = artifacts / "desktop_project.png"
    result = start_desktop(profile, shot, LSM_DESKTOP_EXTRA=str(HERE / "open_project.py"),
                           LSM_PROJECT=project)
    assert_loaded_cleanly(result)
    assert result["project_read"]
    assert len(result["layers"]) == 8
    assert all(valid for valid, _ in result["layers"].values())
    assert result["layers"]["LSI KLR"][1] == "singlebandpseudocolor"
    assert result["layers"]["Zones SVM"][1] == "paletted"
