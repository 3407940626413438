"""End to end on the small sample study area: the shipped graphical-modeler workflow through
qgis_process (the session's shared run, conftest.sample_workflow), the HTML report, the QGIS
project (made here with processing.run, and opened in the desktop), and the recovery of the
known susceptibility process."""

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
import qgis_tools as qt
from osgeo import gdal
from qgis.core import QgsApplication, QgsProject, QgsRasterLayer

from landslide_lsm_plugin.core.metrics import rank_auroc as auroc
from landslide_lsm_plugin.demo.sample_area import draw_process_cells

from .helpers import OUTPUT_FILES, WORKFLOW


@pytest.fixture
def run(sample_workflow) -> dict:
    """The session's run of the workflow (conftest.sample_workflow): {workflow output: file}."""
    return sample_workflow["files"]


@pytest.fixture
def area(sample_workflow) -> dict:
    """The sample study area that run was made from (landslide_lsm:samplearea's outputs)."""
    folder = sample_workflow["area"]
    return {"TRUE_SUSCEPTIBILITY": str(folder / "true_susceptibility.tif"),
            **{key: str(folder / f"{key.lower()}.gpkg")
               for key in ("LANDSLIDES", "RIVERS", "FAULTS", "ROADS")}}


def test_the_workflow_is_in_the_toolbox(plugin):
    alg = QgsApplication.processingRegistry().algorithmById(WORKFLOW)
    assert alg is not None and alg.group() == "Workflows"
    children = {c.algorithmId() for c in alg.childAlgorithms().values()}
    for step in ("buildstack", "preparesamples", "frequencyratio", "vif", "trainsvm",
                 "trainklr", "trainlsnet", "classifylsi", "evaluate", "report"):
        assert f"landslide_lsm:{step}" in children


def test_workflow_outputs_and_honest_metrics(run):
    assert set(run) == set(OUTPUT_FILES)  # every output of the model, as files
    for name in run.values():
        assert name.exists(), name
    results = json.loads(run["evaluate:Results file"].read_text())
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
    for name, label in (("svm", "SVM"), ("klr", "KLR"), ("lsnet", "LSNet")):
        lsi = gdal.Open(str(run[f"{name}:LSI {label}"])).ReadAsArray()
        scores[name] = auroc(labels, np.r_[lsi[rs, cs], lsi[rr, cr]])
    assert scores["svm"] > 0.65 and scores["klr"] > 0.65, scores
    assert scores["lsnet"] > 0.58, scores


def test_report_holds_maps_and_metrics_of_three_models(run):
    html = run["report:Report"].read_text()
    images = re.findall(r'src="data:image/png;base64,', html)
    # ROC/rate figure, reliability diagram + LSI and zones per model + importance, response
    # curves, FR bar chart, dissimilarity and applicability maps
    assert len(images) == 2 + 2 * 3 + 5
    results = json.loads(run["evaluate:Results file"].read_text())
    for m in results["models"]:
        assert f"LSI of {m['name']}" in html and f"Zones of {m['name']}" in html
        assert f"{m['metrics']['auroc']:.3f}" in html
        assert f"{m['metrics']['accuracy']:.3f}" in html
    for heading in ("Frequency ratio", "Multicollinearity", "Models and parameters",
                    "Factor importance", "Response curves", "Area of applicability"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("<h4>Parameters</h4>") == 3 and "training time" in html
    for m in results["models"][:2]:  # SVM and KLR: the C and gamma their CV chose
        hyper = m["model"]["hyperparameters"]
        assert f'<th class="l">C</th><td class="l">{hyper["C"]:.4g}</td>' in html
        assert f'<th class="l">gamma</th><td class="l">{hyper["gamma"]:.4g}</td>' in html
    assert "<h2>Evaluation parameters</h2>" in html
    assert "http://" not in html and "https://" not in html.split("<body>")[1]  # self-contained


def test_project_opens_with_valid_styled_layers(run, area, tmp_path, run_alg):
    result = run_alg("makeproject", {"RESULTS": str(run["evaluate:Results file"]),
                                     "SAMPLES": str(run["samples:Training samples"]),
                                     "INVENTORY": area["LANDSLIDES"],
                                     "OTHERS": [area["RIVERS"], area["FAULTS"]],
                                     "OUTPUT": str(tmp_path / "project.qgz")})
    project = QgsProject()
    assert project.read(result["OUTPUT"])
    with zipfile.ZipFile(result["OUTPUT"]) as archive:  # the .qgs inside named after the file
        assert "project.qgs" in archive.namelist(), archive.namelist()
    assert not project.viewSettings().defaultViewExtent().isEmpty()
    layers = list(project.mapLayers().values())
    assert len(layers) == 2 + 2 + 6 and all(layer.isValid() for layer in layers)
    rasters = {lyr.name(): lyr for lyr in layers if isinstance(lyr, QgsRasterLayer)}
    assert rasters["LSI SVM"].renderer().type() == "singlebandpseudocolor"
    assert rasters["Zones LSNet"].renderer().type() == "paletted"
    samples = next(lyr for lyr in layers if lyr.name() == "Training samples")
    assert samples.renderer().type() == "RuleRenderer"


def test_workflow_through_qgis_process(sample_workflow):
    """The shared run is the workflow through qgis_process (scripts/demo.py: a scratch profile,
    the plugin enabled with `qgis_process plugins enable`, LANDSLIDE_LSM_PYTHON set): qgis_process
    reports the report among the workflow's results, and the results file holds three models."""
    reported = re.findall(r"^\s*report:Report:\t(.+)$", sample_workflow["stdout"], re.M)
    assert reported and Path(reported[0]).exists(), sample_workflow["stdout"][-3000:]
    assert Path(reported[0]) == sample_workflow["files"]["report:Report"]
    results = json.loads(sample_workflow["files"]["evaluate:Results file"].read_text())
    assert len(results["models"]) == 3


def test_project_opens_in_the_desktop(run, area, tmp_path, run_alg, artifacts):
    """The .qgz opens in the real QGIS desktop with every layer valid and styled."""
    from .test_desktop import HERE, assert_loaded_cleanly, start_desktop

    project = run_alg("makeproject", {"RESULTS": str(run["evaluate:Results file"]),
                                      "SAMPLES": str(run["samples:Training samples"]),
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
    # it opens on the study area, drawn, without anyone zooming (the project's default view)
    lsi = gdal.Open(str(run["svm:LSI SVM"]))
    x0, dx, _, y1, _, dy = lsi.GetGeoTransform()
    x1, y0 = x0 + dx * lsi.RasterXSize, y1 + dy * lsi.RasterYSize
    ex0, ey0, ex1, ey1 = result["extent"]
    assert ex0 <= x0 + 1 and ey0 <= y0 + 1 and ex1 >= x1 - 1 and ey1 >= y1 - 1, result["extent"]
    assert (ex1 - ex0) < 3 * (x1 - x0), result["extent"]  # not zoomed out to the world
    assert result["drawn_share"] > 0.3, result["drawn_share"]
