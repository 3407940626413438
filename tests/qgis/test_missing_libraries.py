"""A missing optional library never stops the plugin from loading; algorithms that need it say
how to install it, and every other algorithm still works."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import qgis_tools as qt
from osgeo import gdal
from synthetic_foot import make_foot_area

from landslide_lsm_plugin import deps

from ..conftest import write_raster
from .helpers import run

BLOCKED = ("sklearn", "jenkspy", "ckwrap", "skops")


def make_blockers(folder: Path) -> Path:
    """A folder that, first on PYTHONPATH, makes these packages fail to import."""
    for name in BLOCKED:
        pkg = folder / name
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text(f"raise ImportError('{name} is not installed (test)')\n")
    return folder


def test_plugin_works_without_scikit_learn_jenkspy_and_skops(tmp_path):
    blockers = make_blockers(tmp_path / "blockers")
    src = write_raster(tmp_path / "lsi.tif", np.random.default_rng(0).random((30, 40)))
    out = tmp_path / "zones.tif"
    env = qt.qgis_env(extra_pythonpath=[str(blockers), str(qt.ROOT)])
    proc = subprocess.run([sys.executable, str(Path(__file__).parent / "scripts" /
                                               "missing_deps_check.py"), str(src), str(out)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert "landslide_lsm:classifylsi" in report["algorithms"]
    ok, message = report["natural_breaks_check"]
    assert not ok and "jenkspy" in message and "-m pip install" in message
    assert report["equal_interval_ran"] and out.exists()
    for alg_id, (can, why) in report["can_execute"].items():
        if not can:
            assert ("-m pip install" in why and "scikit-learn" in why) or "skops" in why, alg_id


def box_mean(data: np.ndarray, radius: int) -> np.ndarray:
    """Mean over a (2 radius + 1)^2 window (edges padded), in plain numpy."""
    padded = np.pad(data, radius, mode="edge")
    rows, cols = data.shape
    total = np.zeros(data.shape, np.float64)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            total += padded[dy:dy + rows, dx:dx + cols]
    return total / (2 * radius + 1) ** 2


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory, plugin) -> dict:
    """A real results file made where scikit-learn is installed: samples from Prepare, an LSI
    map (steep hills blurred: high near the hills, where the landslides are), its zones, and
    Evaluate with rate curves."""

    d = tmp_path_factory.mktemp("missing_libs_results")
    area = make_foot_area(d, size=120, n_each=50, seed=5)
    samples = run("preparesamples", {
        "INVENTORY": str(area["points"]), "STACK": str(area["stack"]), "LABEL_FIELD": "label",
        "OUTPUT": str(d / "samples.gpkg")})["OUTPUT"]
    ds = gdal.Open(str(area["stack"]))
    steep = ds.GetRasterBand(1).ReadAsArray().astype(np.float64)
    lsi = box_mean((steep > 0).astype(np.float64), 12)
    lsi = (lsi / lsi.max()).astype(np.float32)
    write_raster(d / "lsi.tif", lsi, origin=(600000.0, 3500000.0), cell=10.0, epsg=32649)
    zones = run("classifylsi", {
        "INPUT": str(d / "lsi.tif"), "METHOD": 1, "OUTPUT": str(d / "zones.tif")})["OUTPUT"]
    run("evaluate", {
        "LSI": [str(d / "lsi.tif")], "ZONES": [zones], "SAMPLES": samples, "RATE_CURVES": True,
        "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_RESULTS": str(d / "results.json")})
    model = run("trainsvm", {
        "STACK": str(area["stack"]), "SAMPLES": samples, "FOLDS": 3, "C_STEPS": 1,
        "GAMMA_STEPS": 1, "OUTPUT_MODEL": str(d / "svm.lsmodel")})["OUTPUT_MODEL"]
    return {"results": d / "results.json", "samples": samples, "stack": area["stack"],
            "points": area["points"], "model": model}


def test_report_project_and_dock_work_without_scikit_learn(tmp_path, evaluated):
    """Reading a results file needs no scikit-learn: the report, the project and the dock
    work without it (and never even try to import it), as do samples, FR and VIF, while
    Evaluate and the training algorithms answer from canExecute() with the exact command
    that installs it."""
    results = json.loads(evaluated["results"].read_text(encoding="utf-8"))
    auroc = results["models"][0]["metrics"]["auroc"]
    assert auroc > 0.8, "the fixture's LSI map should separate landslides well"
    blockers = make_blockers(tmp_path / "blockers")
    out = tmp_path / "out"
    out.mkdir()
    env = qt.qgis_env(extra_pythonpath=[str(blockers), str(qt.ROOT)])
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # the dock's recent files: not the user's
    script = Path(__file__).parent / "scripts" / "missing_deps_outputs_check.py"
    proc = subprocess.run([sys.executable, str(script), *(str(evaluated[k]) for k in (
        "results", "samples", "stack", "points")), str(out), str(evaluated["model"])],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["errors"] == [], report["errors"]

    html = Path(report["report"]).read_text(encoding="utf-8")
    assert f"{auroc:.3f}" in html and html.count("data:image/png;base64,") >= 3
    assert report["project_read"]
    assert {"LSI lsi", "Zones lsi", "Training samples"} <= set(report["project_layers"])
    assert report["dock_added"] and report["dock_rows"] == ["lsi"]
    assert report["dock_auroc"] == [f"{auroc:.3f}"]
    assert report["dock_curves"] == 2  # chance diagonal + the model's ROC curve
    assert {"samples.gpkg", "fr.tif", "fr.csv", "vif.gpkg"} <= set(report["prepared"]["vif"])
    # an SVM file carries its kernel expansion: Predict LSI maps it with numpy alone
    assert report["predicted_valid"] > 0
    for step in ("load", "report", "makeproject", "dock", "preparesamples", "frequencyratio",
                 "vif", "predictlsi"):
        assert report["attempted"][step] == [], f"{step} tried to import {report['attempted']}"

    can = report["can_execute"]
    sklearn_cmd = deps.install_command(["sklearn"])
    assert can["landslide_lsm:evaluate"][0] is False
    assert sklearn_cmd in can["landslide_lsm:evaluate"][1]
    assert can["landslide_lsm:trainsvm"][0] is False
    assert deps.install_command(["sklearn", "skops"]) in can["landslide_lsm:trainsvm"][1]
    assert can["landslide_lsm:report"] == [True, ""]
    assert can["landslide_lsm:makeproject"] == [True, ""]
    assert not report["evaluate_ran"]
    told = "\n".join([report.get("evaluate_exception", ""), *report["evaluate_errors"]])
    assert "scikit-learn" in told and sklearn_cmd in told, told
    assert not report["sklearn_loaded"]
