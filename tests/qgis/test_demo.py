"""`make demo` (scripts/demo.py) end to end, as a user runs it: the small sample area through
the shipped workflow with qgis_process, into a scratch folder, and every output it promises is
there and valid. The run is the session's shared one (conftest.sample_workflow)."""

import csv
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsProject

MODELS = ("svm", "klr", "lsnet")
NAMES = {"svm": "SVM", "klr": "KLR", "lsnet": "LSNet"}


@pytest.fixture
def demo(sample_workflow):
    """`make demo` of the session (conftest.sample_workflow), run once for every test here and
    for the workflow and report tests."""
    return sample_workflow


def raster(path: Path) -> tuple[gdal.Dataset, np.ndarray]:
    ds = gdal.Open(str(path))
    assert ds is not None, path
    band = ds.GetRasterBand(1)
    data = band.ReadAsArray()
    nodata = band.GetNoDataValue()
    return ds, data[data != nodata] if nodata is not None else data.ravel()


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_demo_finishes_and_says_where_to_look(demo):
    assert demo["minutes"] < 10  # the small area; the paper-scale run is the 15-minute one
    assert "Done in" in demo["stdout"] and "Where to look" in demo["stdout"]
    for name in NAMES.values():
        assert re.search(rf"^\s+{name}\s+AUROC 0\.\d{{3}}", demo["stdout"], re.M), name


def test_the_log_prints_progress_on_its_own_lines(demo):
    """qgis_process's progress ticks never run into a log line (issue: '..90619 validation
    samples', '30epoch 44/60'); the demo prints the progress as lines of its own."""
    lines = demo["stdout"].splitlines()
    assert any(re.fullmatch(r"\s+\[[\d:]+ progress 50 %\]", line) for line in lines)
    glued = [line for line in lines
             if re.match(r"\s+\.+[^.\s]|\s+\.*(?:[1-9]0|100)[A-Za-z]", line)]
    assert not glued, glued[:5]
    assert not any(re.fullmatch(r"\s+[.\d]*\.\.\.[.\d]*", line) for line in lines)


def test_sample_area_holds_every_layer_of_the_issue(demo):
    area = demo["out"] / "sample_area"
    for name in ("dem", "slope", "aspect", "ndvi", "rainfall", "dist_rivers", "dist_roads",
                 "dist_faults", "true_susceptibility"):
        ds, values = raster(area / f"{name}.tif")
        assert (ds.RasterXSize, ds.RasterYSize) == (256, 256) and values.size > 0, name
    for name in ("rivers", "roads", "faults", "lithology", "landslides", "study_area"):
        assert (area / f"{name}.gpkg").exists(), name


def test_stack_fr_and_vif_tables(demo):
    out = demo["out"]
    ds = gdal.Open(str(out / "factor_stack.tif"))
    names = [ds.GetRasterBand(b + 1).GetDescription() for b in range(ds.RasterCount)]
    for factor in ("dem", "slope", "aspect", "ndvi", "rainfall", "lithology"):
        assert factor in names, names
    assert ds.RasterCount >= 9 and (ds.RasterXSize, ds.RasterYSize) == (256, 256)
    slope = ds.GetRasterBand(names.index("slope") + 1).ReadAsArray()
    valid = slope[slope != -9999]
    assert valid.size > 0.5 * slope.size and 0 <= valid.min() and valid.max() < 90
    fr = read_csv(out / "fr_table.csv")
    assert {r["factor"] for r in fr} == set(names)
    assert all(float(r["fr"]) >= 0 for r in fr if r["fr"])
    assert any(float(r["fr"]) > 1 for r in fr if r["fr"])
    vif = read_csv(out / "vif_table.csv")
    assert {r["factor"] for r in vif} == set(names)
    assert all(float(r["vif"]) >= 1 and 0 < float(r["tol"]) <= 1 for r in vif)


def test_maps_of_three_models(demo):
    maps = demo["out"] / "maps"
    for model in MODELS:
        _, lsi = raster(maps / f"lsi_{model}.tif")
        assert lsi.size > 30000 and 0 <= lsi.min() and lsi.max() <= 1 and lsi.std() > 0, model
        _, zones = raster(maps / f"zones_{model}.tif")
        assert zones.size == lsi.size and set(np.unique(zones).tolist()) == {1, 2, 3, 4, 5}
        assert (maps / f"lsi_{model}.qml").exists() and (maps / f"zones_{model}.qml").exists()


def test_metrics_roc_and_results(demo):
    out = demo["out"]
    rows = {r["model"]: r for r in read_csv(out / "metrics.csv")}
    assert list(rows) == list(NAMES.values())
    for name, r in rows.items():
        assert 0 <= float(r["accuracy"]) <= 1 and 0 <= float(r["auroc"]) <= 1, name
        assert int(r["tp"]) + int(r["tn"]) + int(r["fp"]) + int(r["fn"]) == int(r["n"]) > 50
    assert float(rows["SVM"]["auroc"]) > 0.6 and float(rows["KLR"]["auroc"]) > 0.6
    png = (out / "roc.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20000
    results = json.loads((out / "results.json").read_text())
    assert [m["name"] for m in results["models"]] == list(NAMES.values())


def test_report_has_maps_metrics_and_parameters_of_three_models(demo):
    out = demo["out"]
    html = (out / "report.html").read_text(encoding="utf-8")
    # ROC curves, the reliability diagram, each model's LSI and zones (no ensemble: no SD),
    # importance, response curves, FR chart, dissimilarity and applicability maps
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', html)) == \
        2 + 2 * 3 + 5
    assert '<img alt="Reliability diagram"' in html
    assert '<img alt="Frequency ratio per class"' in html
    results = json.loads((out / "results.json").read_text())
    for m in results["models"]:
        assert f"LSI of {m['name']}" in html and f"Zones of {m['name']}" in html
        assert f"{m['metrics']['auroc']:.3f}" in html and f"{m['metrics']['f1']:.3f}" in html
    for heading in ("Model comparison", "Susceptibility maps", "Frequency ratio",
                    "Multicollinearity", "Models and parameters", "Evaluation parameters",
                    "Factor importance", "Response curves", "Area of applicability"):
        assert f"<h2>{heading}</h2>" in html, heading
    assert html.count("<h4>Parameters</h4>") == 3
    for m in results["models"][:2]:  # SVM and KLR: the chosen C and gamma
        hyper = m["model"]["hyperparameters"]
        assert f'<th class="l">C</th><td class="l">{hyper["C"]:.4g}</td>' in html
        assert f'<th class="l">gamma</th><td class="l">{hyper["gamma"]:.4g}</td>' in html


def test_project_opens_with_every_layer_valid(demo, qgis_app):
    qgz = demo["out"] / "landslide_susceptibility.qgz"
    with zipfile.ZipFile(qgz) as zf:
        assert any(n.endswith(".qgs") for n in zf.namelist())
    project = QgsProject()
    assert project.read(str(qgz))
    layers = list(project.mapLayers().values())
    names = {layer.name() for layer in layers}
    assert len(layers) >= 6 + 2 and all(layer.isValid() for layer in layers)
    for name in NAMES.values():
        assert f"LSI {name}" in names and f"Zones {name}" in names
