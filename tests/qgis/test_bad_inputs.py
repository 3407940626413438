"""Bad input gets a clear error and nothing is lost (docs/bad-inputs.md lists every case).

Everything runs through processing.run on real files; the assertions check the message the
user reads and that no output (or half of one) is left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import qgis_tools as qt
from osgeo import gdal, osr
from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback

from ..conftest import read_raster, square, write_raster, write_vector
from . import helpers
from .feedback import Recorder

X0, Y0 = 500000.0, 9500000.0


def run(alg: str, params: dict, feedback: QgsProcessingFeedback | None = None) -> dict:
    """helpers.run in a fresh QgsProcessingContext, the log kept (a Recorder unless given)."""
    return helpers.run(alg, params, feedback or Recorder(), QgsProcessingContext())


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def grid(tmp_path):
    """Two 60 x 80 factors and 12 landslide polygons on a UTM grid."""
    rng = np.random.default_rng(1)
    a = write_raster(tmp_path / "slope.tif", rng.gamma(2, 8, (60, 80)).astype(np.float32))
    b = write_raster(tmp_path / "wet.tif", rng.random((60, 80)).astype(np.float32))
    inv = write_vector(tmp_path / "inventory.gpkg",
                       [square(X0 + 50 + 120 * (i % 6), Y0 - 100 - 250 * (i // 6), 29)
                        for i in range(12)])
    return {"dir": tmp_path, "a": a, "b": b, "inventory": inv}


@pytest.fixture
def prepared(plugin, grid):
    d = grid["dir"]
    stack = run("buildstack", {"CONTINUOUS": [str(grid["a"]), str(grid["b"])],
                               "OUTPUT": str(d / "stack.tif")})["OUTPUT"]
    samples = run("preparesamples", {"INVENTORY": str(grid["inventory"]), "STACK": stack,
                                     "FOLDS": 3, "OUTPUT": str(d / "samples.gpkg")})["OUTPUT"]
    model = run("trainlogistic", {"STACK": stack, "SAMPLES": samples, "FOLDS": 3,
                                  "OUTPUT_MODEL": str(d / "lr.lsmodel"),
                                  "OUTPUT_LSI": str(d / "lr.tif")})
    run("evaluate", {"LSI": [model["OUTPUT_LSI"]], "SAMPLES": samples,
                     "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_RESULTS": str(d / "results.json")})
    return dict(grid, stack=stack, samples=samples, model=model["OUTPUT_MODEL"],
                lsi=model["OUTPUT_LSI"], results=str(d / "results.json"))


# --- 1. grids ------------------------------------------------------------------------------

def test_rasters_with_other_crs_extent_and_cell_size_are_aligned(plugin, tmp_path):
    utm = write_raster(tmp_path / "utm.tif", np.ones((50, 50), np.float32))
    # the same area in geographic coordinates, coarser, and larger than the reference
    src, dst = osr.SpatialReference(), osr.SpatialReference()
    src.ImportFromEPSG(32717)
    dst.ImportFromEPSG(4326)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lon0, lat0, _ = osr.CoordinateTransformation(src, dst).TransformPoint(X0 - 200, Y0 + 200)
    geo = write_raster(tmp_path / "geo.tif", np.full((40, 40), 7.0, np.float32), epsg=4326,
                       origin=(lon0, lat0), cell=0.0002)
    out = run("buildstack", {"CONTINUOUS": [str(utm), str(geo)], "REFERENCE": str(utm),
                             "OUTPUT": str(tmp_path / "stack.tif")})
    band, nodata = read_raster(out["OUTPUT"], 2)
    assert band.shape == (50, 50) and np.all(band[band != nodata] == 7.0)
    assert out["VALID_CELLS"] > 0.9 * 2500


def test_missing_nodata_nan_and_inf_are_reported(plugin, tmp_path):
    data = np.ones((30, 30), np.float32)
    data[0, :5] = np.nan
    data[1, :3] = np.inf
    src = write_raster(tmp_path / "raw.tif", data, nodata=None)
    feedback = Recorder()
    out = run("buildstack", {"CONTINUOUS": [str(src)], "OUTPUT": str(tmp_path / "s.tif")},
              feedback)
    text = feedback.text()
    assert "has no nodata value" in text and "gdal_edit" in text
    assert "8 NaN or infinite" in text
    band, nodata = read_raster(out["OUTPUT"])
    assert np.sum(band == nodata) == 8 and out["VALID_CELLS"] == 900 - 8


def test_an_all_nodata_factor_is_named(plugin, grid, tmp_path):
    empty = write_raster(tmp_path / "empty_band.tif", np.full((60, 80), -9999, np.float32))
    with pytest.raises(QgsProcessingException, match="'empty_band' has no valid cell"):
        run("buildstack", {"CONTINUOUS": [str(grid["a"]), str(empty)],
                           "OUTPUT": str(tmp_path / "s.tif")})
    assert not (tmp_path / "s.tif").exists()


def test_a_constant_factor_is_flagged_by_vif(prepared, tmp_path):
    const = write_raster(tmp_path / "const.tif", np.full((60, 80), 3.0, np.float32))
    stack = run("buildstack", {"CONTINUOUS": [str(prepared["a"]), str(const)],
                               "OUTPUT": str(tmp_path / "s.tif")})["OUTPUT"]
    fr_feedback = Recorder()
    fr = run("frequencyratio", {"STACK": stack, "SAMPLES": prepared["samples"],
                                "OUTPUT": str(tmp_path / "fr.tif"),
                                "OUTPUT_TABLE": "TEMPORARY_OUTPUT"}, fr_feedback)
    assert "Factor 'const' has only 1 distinct value" in fr_feedback.text()
    feedback = Recorder()
    vif = run("vif", {"STACK": stack, "SAMPLES": prepared["samples"],
                      "OUTPUT": "TEMPORARY_OUTPUT"}, feedback)
    assert vif["FLAGGED"] == "const"
    assert "constant" in feedback.text() and "const" in feedback.text()
    assert fr["OUTPUT"]
    with pytest.raises(QgsProcessingException, match="constant raster cannot be classed"):
        run("classifylsi", {"INPUT": str(const), "METHOD": 1,
                            "OUTPUT": str(tmp_path / "zones.tif")})
    with pytest.raises(QgsProcessingException, match=r"1 distinct value.* for 5 classes"):
        run("classifylsi", {"INPUT": str(const), "OUTPUT": str(tmp_path / "zones.tif")})
    assert not (tmp_path / "zones.tif").exists()


def test_a_category_never_seen_in_training_becomes_nodata_with_a_warning(plugin, tmp_path):
    rng = np.random.default_rng(0)
    litho = rng.integers(1, 4, (60, 80)).astype(np.float32)
    slope = rng.random((60, 80)).astype(np.float32)
    s = write_raster(tmp_path / "slope.tif", slope)
    lith = write_raster(tmp_path / "litho.tif", litho, nodata=0)
    stack = run("buildstack", {"CONTINUOUS": [str(s)], "CATEGORICAL": [str(lith)],
                               "OUTPUT": str(tmp_path / "stack.tif")})["OUTPUT"]
    points = write_vector(tmp_path / "pts.gpkg",
                          [f"POINT({X0 + 10 * c + 5} {Y0 - 10 * r - 5})"
                           for r, c in rng.integers(0, 60, (80, 2))],
                          fields={"label": [i % 2 for i in range(80)]})
    samples = run("preparesamples", {"INVENTORY": str(points), "STACK": stack,
                                     "LABEL_FIELD": "label", "FOLDS": 3,
                                     "OUTPUT": str(tmp_path / "samples.gpkg")})["OUTPUT"]
    fr = run("frequencyratio", {"STACK": stack, "SAMPLES": samples,
                                "OUTPUT": str(tmp_path / "fr.tif"),
                                "OUTPUT_TABLE": "TEMPORARY_OUTPUT"})["OUTPUT"]
    model = run("trainlogistic", {"STACK": fr, "SAMPLES": samples, "FOLDS": 3,
                                  "OUTPUT_MODEL": str(tmp_path / "lr.lsmodel")})["OUTPUT_MODEL"]
    litho2 = litho.copy()
    litho2[:10, :10] = 9  # a unit the model never saw
    (tmp_path / "other").mkdir()
    lith2 = write_raster(tmp_path / "other" / "litho.tif", litho2, nodata=0)
    s2 = write_raster(tmp_path / "other" / "slope.tif", slope)
    stack2 = run("buildstack", {"CONTINUOUS": [str(s2)], "CATEGORICAL": [str(lith2)],
                                "OUTPUT": str(tmp_path / "stack2.tif")})["OUTPUT"]
    feedback = Recorder()
    out = run("predictlsi", {"MODEL": model, "STACK": stack2,
                             "OUTPUT": str(tmp_path / "lsi.tif")}, feedback)
    assert "100 cells hold a category" in feedback.text()
    lsi, nodata = read_raster(out["OUTPUT"])
    assert np.all(lsi[:10, :10] == nodata) and np.all(lsi[10:, 10:] != nodata)


# --- 2. inventories ------------------------------------------------------------------------

def test_empty_inventory(plugin, grid):
    empty = write_vector(grid["dir"] / "empty.gpkg", [])
    with pytest.raises(QgsProcessingException, match="inventory is empty"):
        run("preparesamples", {"INVENTORY": str(empty), "STACK": str(grid["a"]),
                               "OUTPUT": str(grid["dir"] / "s.gpkg")})


def test_inventory_outside_the_extent(plugin, grid):
    far = write_vector(grid["dir"] / "far.gpkg", [square(0, 0, 100)])
    with pytest.raises(QgsProcessingException, match="outside the factor stack's extent"):
        run("preparesamples", {"INVENTORY": str(far), "STACK": str(grid["a"]),
                               "OUTPUT": str(grid["dir"] / "s.gpkg")})
    assert not (grid["dir"] / "s.gpkg").exists()


def test_invalid_and_multipart_geometries_are_repaired(plugin, grid):
    bowtie = (f"POLYGON(({X0 + 100} {Y0 - 100},{X0 + 160} {Y0 - 160},{X0 + 160} {Y0 - 100},"
              f"{X0 + 100} {Y0 - 160},{X0 + 100} {Y0 - 100}))")
    multi = (f"MULTIPOLYGON((({X0 + 300} {Y0 - 300},{X0 + 330} {Y0 - 300},{X0 + 330} "
             f"{Y0 - 330},{X0 + 300} {Y0 - 330},{X0 + 300} {Y0 - 300})),(({X0 + 500} "
             f"{Y0 - 300},{X0 + 530} {Y0 - 300},{X0 + 530} {Y0 - 330},{X0 + 500} {Y0 - 330},"
             f"{X0 + 500} {Y0 - 300})))")
    inv = write_vector(grid["dir"] / "bad.gpkg", [bowtie, multi, None] + [
        square(X0 + 60 + 100 * i, Y0 - 450, 29) for i in range(4)])
    feedback = Recorder()
    out = run("preparesamples", {"INVENTORY": str(inv), "STACK": str(grid["a"]), "FOLDS": 3,
                                 "OUTPUT": str(grid["dir"] / "s.gpkg")}, feedback)
    assert "1 feature(s) without a usable geometry were skipped" in feedback.text()
    assert out["LANDSLIDE_SAMPLES"] >= 4 * 9 + 2 * 9
    from qgis.core import QgsVectorLayer

    samples = QgsVectorLayer(out["OUTPUT"], "s", "ogr")
    multipart = {(f["landslide_id"], f["split"]) for f in samples.getFeatures()
                 if f["label"] == 1 and f.geometry().asPoint().y() > Y0 - 330
                 and f.geometry().asPoint().y() < Y0 - 300}
    xs = {round(f.geometry().asPoint().x()) for f in samples.getFeatures()
          if f["label"] == 1 and Y0 - 330 < f.geometry().asPoint().y() < Y0 - 300}
    assert min(xs) < X0 + 330 and max(xs) > X0 + 500  # cells from both parts
    assert len(multipart) == 1  # both parts: one landslide, one side of the split


def test_inventory_in_another_crs_is_reprojected(plugin, grid):
    src, dst = osr.SpatialReference(), osr.SpatialReference()
    src.ImportFromEPSG(32717)
    dst.ImportFromEPSG(4326)
    for s in (src, dst):
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    tr = osr.CoordinateTransformation(src, dst)
    pts = []
    for i in range(8):
        lon, lat, _ = tr.TransformPoint(X0 + 55 + 90 * i, Y0 - 305)
        pts.append(f"POINT({lon} {lat})")
    inv = write_vector(grid["dir"] / "wgs.gpkg", pts, epsg=4326)
    feedback = Recorder()
    out = run("preparesamples", {"INVENTORY": str(inv), "STACK": str(grid["a"]), "FOLDS": 3,
                                 "OUTPUT": str(grid["dir"] / "s.gpkg")}, feedback)
    assert out["LANDSLIDE_SAMPLES"] == 8 and "reprojected" in feedback.text()


def test_points_instead_of_polygons(plugin, grid):
    inv = write_vector(grid["dir"] / "points.gpkg",
                       [f"POINT({X0 + 55 + 60 * i} {Y0 - 205})" for i in range(10)])
    out = run("preparesamples", {"INVENTORY": str(inv), "STACK": str(grid["a"]), "FOLDS": 3,
                                 "OUTPUT": str(grid["dir"] / "s.gpkg")})
    assert out["LANDSLIDE_SAMPLES"] == 10 and out["NON_LANDSLIDE_SAMPLES"] == 10


def test_fewer_landslides_than_folds(plugin, grid):
    inv = write_vector(grid["dir"] / "few.gpkg",
                       [square(X0 + 100 + 200 * i, Y0 - 300, 29) for i in range(4)])
    feedback = Recorder()
    out = run("preparesamples", {"INVENTORY": str(inv), "STACK": str(grid["a"]), "FOLDS": 10,
                                 "OUTPUT": str(grid["dir"] / "s.gpkg")}, feedback)
    assert out["FOLDS_USED"] == 3 and "CV folds: using 3 folds" in feedback.text()


def test_samples_of_one_class(plugin, grid):
    pts = write_vector(grid["dir"] / "ones.gpkg",
                       [f"POINT({X0 + 55 + 60 * i} {Y0 - 205})" for i in range(6)],
                       fields={"label": [1] * 6})
    with pytest.raises(QgsProcessingException, match="both classes"):
        run("preparesamples", {"INVENTORY": str(pts), "STACK": str(grid["a"]),
                               "LABEL_FIELD": "label", "OUTPUT": str(grid["dir"] / "s.gpkg")})


# --- 3. files ------------------------------------------------------------------------------

def test_output_folder_that_cannot_be_written(plugin, grid):
    target = "/sys/landslide-lsm-test/zones.tif" if os.geteuid() == 0 else None
    if target is None:  # an ordinary user: a read-only folder
        ro = grid["dir"] / "readonly"
        ro.mkdir()
        ro.chmod(0o555)
        target = str(ro / "zones.tif")
    with pytest.raises(QgsProcessingException, match=r"(Cannot create the output folder|not "
                                                      r"writable)"):
        run("classifylsi", {"INPUT": str(grid["b"]), "METHOD": 1, "OUTPUT": target})


def test_output_equal_to_an_input_is_refused(plugin, grid):
    before = grid["a"].read_bytes()
    with pytest.raises(QgsProcessingException, match="also an input"):
        run("classifylsi", {"INPUT": str(grid["a"]), "METHOD": 1, "OUTPUT": str(grid["a"])})
    assert grid["a"].read_bytes() == before


def test_a_table_output_equal_to_an_input_is_refused(prepared):
    samples = Path(prepared["samples"])
    before = samples.read_bytes()
    with pytest.raises(QgsProcessingException, match="also an input"):
        run("evaluate", {"LSI": [prepared["lsi"]], "SAMPLES": str(samples),
                         "OUTPUT": str(samples),
                         "OUTPUT_RESULTS": str(samples.with_name("r.json"))})
    assert samples.read_bytes() == before


def test_every_output_is_checked_before_any_work(prepared, tmp_path):
    """A bad last output stops the run before the first one is written."""
    out = tmp_path / "out"
    out.mkdir()
    bad = ("/sys/landslide-lsm-test/fr.csv" if os.geteuid() == 0
           else str(Path("/proc/landslide-lsm-test/fr.csv")))
    with pytest.raises(QgsProcessingException, match=r"(Cannot create|not writable)"):
        run("frequencyratio", {"STACK": prepared["stack"], "SAMPLES": prepared["samples"],
                               "OUTPUT": str(out / "fr.tif"),
                               "OUTPUT_TABLE": str(out / "fr.gpkg"), "OUTPUT_CSV": bad})
    with pytest.raises(QgsProcessingException, match="OUTPUT_CSV and OUTPUT_FIGURE are the "
                                                     "same file"):
        run("evaluate", {"LSI": [prepared["lsi"]], "SAMPLES": prepared["samples"],
                         "OUTPUT": str(out / "m.gpkg"), "OUTPUT_RESULTS": str(out / "r.json"),
                         "OUTPUT_CSV": str(out / "same.csv"),
                         "OUTPUT_FIGURE": str(out / "same.csv")})
    assert files_in(out) == []


@pytest.mark.parametrize("cancel_at", [10.0, 50.0, 80.0])
def test_cancel_at_any_point_of_a_run_with_several_outputs_leaves_nothing(prepared,
                                                                          cancel_at):
    """Tables, models, maps and figures of one run appear together or not at all: a cancel
    after some were written (e.g. the CV table before the LSI map) removes them again."""
    p = prepared
    out = p["dir"] / f"out{cancel_at:g}"
    out.mkdir()
    cases = [
        ("frequencyratio", {"STACK": p["stack"], "SAMPLES": p["samples"],
                            "OUTPUT": str(out / "fr.tif"), "OUTPUT_TABLE": str(out / "fr.gpkg"),
                            "OUTPUT_CSV": str(out / "fr.csv")}),
        ("trainsvm", {"STACK": p["stack"], "SAMPLES": p["samples"], "FOLDS": 3,
                      "OUTPUT_MODEL": str(out / "m.lsmodel"), "OUTPUT_CV": str(out / "cv.gpkg"),
                      "OUTPUT_LSI": str(out / "l.tif")}),
        ("classifylsi", {"INPUT": p["lsi"], "OUTPUT": str(out / "z.tif"),
                         "SAMPLES": p["samples"], "OUTPUT_TABLE": str(out / "z.gpkg")}),
        ("evaluate", {"LSI": [p["lsi"]], "SAMPLES": p["samples"], "RATE_CURVES": True,
                      "OUTPUT": str(out / "e.gpkg"), "OUTPUT_RESULTS": str(out / "r.json"),
                      "OUTPUT_CSV": str(out / "e.csv"), "OUTPUT_FIGURE": str(out / "roc.png")}),
    ]
    canceled = []
    for alg, params in cases:
        try:
            run(alg, params, Recorder(cancel_at=cancel_at))
        except QgsProcessingException as exc:
            assert "Canceled" in str(exc), alg
            assert files_in(out) == [], (alg, files_in(out))
            canceled.append(alg)
        else:  # finished before the cancel point: every output is there, complete
            assert not list(out.rglob("*.part*")), alg
            for path in out.iterdir():
                path.unlink()
    assert canceled, "no run reached the cancel point"
    if cancel_at == 80.0:  # after training, while the LSI map is made
        assert "trainsvm" in canceled


def test_paths_with_spaces_and_non_ascii_characters(plugin, tmp_path):
    folder = tmp_path / "données d'entrée" / "Zürich – Hanyin 汉阴"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(2)
    a = write_raster(folder / "pente en °.tif", rng.random((40, 40)).astype(np.float32))
    inv = write_vector(folder / "glissements de terrain.gpkg",
                       [square(X0 + 50 + 100 * i, Y0 - 200, 29) for i in range(5)])
    stack = run("buildstack", {"CONTINUOUS": [str(a)],
                               "OUTPUT": str(folder / "pile à facteurs.tif")})["OUTPUT"]
    samples = run("preparesamples", {"INVENTORY": str(inv), "STACK": stack, "FOLDS": 3,
                                     "OUTPUT": str(folder / "échantillons.gpkg")})["OUTPUT"]
    model = run("trainlogistic", {"STACK": stack, "SAMPLES": samples, "FOLDS": 3,
                                  "OUTPUT_MODEL": str(folder / "modèle.lsmodel"),
                                  "OUTPUT_LSI": str(folder / "carte LSI.tif")})
    assert Path(model["OUTPUT_LSI"]).exists() and Path(model["OUTPUT_MODEL"]).exists()
    zones = run("classifylsi", {"INPUT": model["OUTPUT_LSI"], "METHOD": 1,
                                "OUTPUT": str(folder / "zones é.tif")})["OUTPUT"]
    run("evaluate", {"LSI": [model["OUTPUT_LSI"]], "ZONES": [zones], "SAMPLES": samples,
                     "OUTPUT": str(folder / "métriques.gpkg"),
                     "OUTPUT_RESULTS": str(folder / "résultats.json"),
                     "OUTPUT_FIGURE": str(folder / "courbe ROC.png")})
    report = run("report", {"RESULTS": str(folder / "résultats.json"),
                            "OUTPUT": str(folder / "rapport – 汉阴.html")})["OUTPUT"]
    project = run("makeproject", {"RESULTS": str(folder / "résultats.json"),
                                  "SAMPLES": samples,
                                  "OUTPUT": str(folder / "projet à Zürich.qgz")})["OUTPUT"]
    assert "<img" in Path(report).read_text(encoding="utf-8")
    from qgis.core import QgsProject

    opened = QgsProject()
    assert opened.read(project)
    layers = list(opened.mapLayers().values())
    assert len(layers) >= 3 and all(layer.isValid() for layer in layers)


def test_foreign_and_tampered_model_files(prepared, tmp_path):
    model = run("trainlogistic", {"STACK": prepared["stack"], "SAMPLES": prepared["samples"],
                                  "FOLDS": 3, "OUTPUT_MODEL": str(tmp_path / "m.lsmodel")})
    path = Path(model["OUTPUT_MODEL"])
    with zipfile.ZipFile(path) as zf:
        meta, payload = zf.read("meta.json"), zf.read("model.skops")
    tampered = tmp_path / "tampered.lsmodel"
    with zipfile.ZipFile(tampered, "w") as zf:
        zf.writestr("meta.json", meta)
        zf.writestr("model.skops", payload.replace(b"LogisticRegression", b"LogisticRegressioN"))
    foreign = tmp_path / "foreign.lsmodel"
    foreign.write_bytes(b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94.")
    for bad, message in ((tampered, "modified after it was written"),
                         (foreign, "not a Landslide LSM model file")):
        with pytest.raises(QgsProcessingException, match=message):
            run("predictlsi", {"MODEL": str(bad), "STACK": prepared["stack"],
                               "OUTPUT": str(tmp_path / "x.tif")})
    assert not (tmp_path / "x.tif").exists()


def test_model_on_a_stack_with_other_bands(prepared, tmp_path):
    model = run("trainlogistic", {"STACK": prepared["stack"], "SAMPLES": prepared["samples"],
                                  "FOLDS": 3, "OUTPUT_MODEL": str(tmp_path / "m.lsmodel")})
    other = run("buildstack", {"CONTINUOUS": [str(prepared["a"])],
                               "OUTPUT": str(tmp_path / "one.tif")})["OUTPUT"]
    with pytest.raises(QgsProcessingException, match="missing in the stack: wet"):
        run("predictlsi", {"MODEL": model["OUTPUT_MODEL"], "STACK": other,
                           "OUTPUT": str(tmp_path / "x.tif")})


# --- 4. faults -----------------------------------------------------------------------------

def _cancel_cases(p: dict, out: Path) -> list:
    area = out / "area"
    return [
        ("buildstack", {"CONTINUOUS": [str(p["a"]), str(p["b"])], "OUTPUT": str(out / "s.tif")}),
        ("preparesamples", {"INVENTORY": str(p["inventory"]), "STACK": p["stack"],
                            "OUTPUT": str(out / "s.gpkg")}),
        ("frequencyratio", {"STACK": p["stack"], "SAMPLES": p["samples"],
                            "OUTPUT": str(out / "fr.tif"), "OUTPUT_TABLE": str(out / "fr.gpkg"),
                            "OUTPUT_CSV": str(out / "fr.csv")}),
        ("vif", {"STACK": p["stack"], "SAMPLES": p["samples"], "OUTPUT": str(out / "v.gpkg")}),
        ("trainsvm", {"STACK": p["stack"], "SAMPLES": p["samples"],
                      "OUTPUT_MODEL": str(out / "m.lsmodel"), "OUTPUT_LSI": str(out / "l.tif")}),
        ("trainklr", {"STACK": p["stack"], "SAMPLES": p["samples"],
                      "OUTPUT_MODEL": str(out / "k.lsmodel")}),
        ("trainlogistic", {"STACK": p["stack"], "SAMPLES": p["samples"],
                           "OUTPUT_MODEL": str(out / "g.lsmodel")}),
        ("trainrandomforest", {"STACK": p["stack"], "SAMPLES": p["samples"],
                               "OUTPUT_MODEL": str(out / "f.lsmodel")}),
        ("classifylsi", {"INPUT": str(p["b"]), "OUTPUT": str(out / "z.tif")}),
        ("samplearea", {"SIZE": 0, "OUTPUT": str(area)}),
        ("predictlsi", {"MODEL": p["model"], "STACK": p["stack"], "OUTPUT": str(out / "p.tif")}),
        ("evaluate", {"LSI": [p["lsi"]], "SAMPLES": p["samples"], "RATE_CURVES": True,
                      "OUTPUT": str(out / "m.gpkg"), "OUTPUT_RESULTS": str(out / "r.json"),
                      "OUTPUT_FIGURE": str(out / "roc.png")}),
        ("report", {"RESULTS": p["results"], "OUTPUT": str(out / "report.html")}),
        ("makeproject", {"RESULTS": p["results"], "OUTPUT": str(out / "p.qgz")}),
    ]


def test_cancel_before_any_work_leaves_nothing(prepared):
    out = prepared["dir"] / "out"
    out.mkdir()
    for alg, params in _cancel_cases(prepared, out):
        feedback = Recorder()
        feedback.cancel()
        with pytest.raises(QgsProcessingException, match="Canceled"):
            run(alg, params, feedback)
        assert files_in(out) == [], alg


def test_cancel_half_way_leaves_nothing(prepared):
    out = prepared["dir"] / "out"
    out.mkdir()
    canceled = []
    for alg, params in _cancel_cases(prepared, out):
        feedback = Recorder(cancel_at=1.0)
        try:
            run(alg, params, feedback)
        except QgsProcessingException as exc:
            assert "Canceled" in str(exc), alg
            assert files_in(out) == [], alg
            canceled.append(alg)
        else:  # finished before it could be canceled: then its outputs are complete
            assert not list(out.rglob("*.part*")), alg
        for path in sorted(out.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    assert len(canceled) >= 6, canceled  # most stop half way


def test_a_very_large_raster_is_processed_in_bounded_memory(tmp_path):
    """10000 x 10000 cells (a VRT of 100 tiles): zones, a factor stack (a compressed
    GeoTIFF the later stages read), samples, FR encoding, a model and its LSI map are made
    window by window; the process never grows by what one band of it takes (400 MB as
    Float32)."""
    rng = np.random.default_rng(0)
    write_raster(tmp_path / "tile.tif", rng.random((1000, 1000)).astype(np.float32))
    vrt = tmp_path / "big.vrt"
    sources = "".join(
        f"<SimpleSource><SourceFilename relativeToVRT=\"1\">tile.tif</SourceFilename>"
        f"<SourceBand>1</SourceBand><SrcRect xOff=\"0\" yOff=\"0\" xSize=\"1000\" ySize=\"1000\"/>"
        f"<DstRect xOff=\"{1000 * (i % 10)}\" yOff=\"{1000 * (i // 10)}\" xSize=\"1000\" "
        f"ySize=\"1000\"/></SimpleSource>" for i in range(100))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32717)
    vrt.write_text(f'<VRTDataset rasterXSize="10000" rasterYSize="10000"><SRS>'
                   f'{srs.ExportToWkt()}</SRS><GeoTransform>{X0}, 10, 0, {Y0}, 0, -10'
                   f'</GeoTransform><VRTRasterBand dataType="Float32" band="1"><NoDataValue>'
                   f'-9999</NoDataValue><Description>factor</Description>{sources}'
                   f'</VRTRasterBand></VRTDataset>')
    assert gdal.Open(str(vrt)).RasterXSize == 10000
    inventory = write_vector(tmp_path / "inventory.gpkg", [
        square(X0 + 5000 + 9000 * (i % 10), Y0 - 5000 - 9000 * (i // 10), 95)
        for i in range(60)])
    out = tmp_path / "out"
    out.mkdir()
    script = Path(__file__).parent / "scripts" / "large_raster_check.py"
    env = qt.qgis_env(extra_pythonpath=[str(qt.ROOT)])
    proc = subprocess.run([sys.executable, str(script), str(vrt), str(inventory), str(out)],
                          env=env, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps(report, indent=1))
    assert report["cells"] == 10000 * 10000
    assert [s["stage"] for s in report["stages"]] == [
        "classifylsi", "buildstack", "preparesamples", "frequencyratio", "trainlogistic",
        "predictlsi"]
    lsi = gdal.Open(str(out / "lsi.tif"))
    assert (lsi.RasterXSize, lsi.RasterYSize) == (10000, 10000)
    assert gdal.Open(str(out / "stack.tif")).GetMetadata("IMAGE_STRUCTURE").get(
        "COMPRESSION") == "DEFLATE"
    growth = report["peak_rss_mb"] - report["rss_before_mb"]
    assert growth < 300, report  # one band of the raster as Float32 alone would be 400 MB


def test_failures_stop_the_workflow_model_with_the_cause(plugin, tmp_path):
    area = helpers.run("samplearea", {"SIZE": 0, "OUTPUT": str(tmp_path / "area")})
    far = write_vector(tmp_path / "far.gpkg", [square(0, 0, 100)], epsg=32649)
    out = tmp_path / "run"
    out.mkdir()
    params = helpers.workflow_inputs(area, out, epochs=1, INVENTORY=str(far), SEED=1)
    feedback = Recorder()
    with pytest.raises(QgsProcessingException) as failure:
        helpers.run(helpers.WORKFLOW, params, feedback=feedback)
    # QGIS 3.22 logs a failed child's error; 3.40 raises it in the model's exception
    assert "Every landslide lies outside the factor stack's extent" in (
        feedback.text() + str(failure.value))
    assert files_in(out) == ["stack.tif"]  # the step before the failure completed; none after


# --- 5. samples layers, rotated grids, extreme models (hostile or clumsy input) ------------

def _edited_samples(source: str, target: Path, edit) -> str:
    """A copy of a samples layer with edit(feature index, feature) applied to every feature."""
    import shutil

    from osgeo import ogr

    target.parent.mkdir(exist_ok=True)
    shutil.copy(source.split("|", maxsplit=1)[0], target)
    ds = ogr.Open(str(target), 1)
    layer = ds.GetLayer(0)
    features = list(layer)
    for i, feature in enumerate(features):
        if edit(i, feature):
            layer.SetFeature(feature)
    ds = None
    return str(target)


def test_samples_with_labels_other_than_0_and_1_are_refused(prepared, tmp_path):
    def label_two(i, feature):
        if i < 3:
            feature.SetField("label", 2)
            return True
        return False

    bad = _edited_samples(prepared["samples"], tmp_path / "edited" / "samples.gpkg", label_two)
    with pytest.raises(QgsProcessingException,
                       match=r"Field 'label' of 'samples.gpkg': 3 feature\(s\) have values other "
                             r"than 0 \(non-landslide\) or 1 \(landslide\), e\.g\. 2\. Fix them"):
        run("trainlogistic", {"STACK": prepared["stack"], "SAMPLES": bad, "FOLDS": 3,
                              "OUTPUT_MODEL": str(tmp_path / "m.lsmodel")})
    assert not (tmp_path / "m.lsmodel").exists()


def test_a_duplicated_inventory_is_warned_by_training_and_evaluation(prepared, tmp_path):
    """A samples layer made of two copies, the second with its training samples marked as
    validation: the same cells on both sides of the split."""
    from osgeo import ogr

    path = Path(_edited_samples(prepared["samples"], tmp_path / "edited" / "twice.gpkg",
                                lambda i, f: False))
    ds = ogr.Open(str(path), 1)
    layer = ds.GetLayer(0)
    copies = [f.Clone() for f in layer if f.GetField("split") == "train"]
    for feature in copies:
        feature.SetFID(-1)
        feature.SetField("split", "validation")
        feature.SetField("fold", 0)
        layer.CreateFeature(feature)
    ds = None
    expected = (f"{len(copies)} validation sample(s) share their cell with a training sample "
                "(a duplicated inventory?): validation is not independent there")
    feedback = Recorder()
    model = run("trainlogistic", {"STACK": prepared["stack"], "SAMPLES": str(path), "FOLDS": 3,
                                  "OUTPUT_MODEL": str(tmp_path / "m.lsmodel"),
                                  "OUTPUT_LSI": str(tmp_path / "lsi.tif")}, feedback)
    assert expected in feedback.text()
    feedback = Recorder()
    run("evaluate", {"LSI": [model["OUTPUT_LSI"]], "SAMPLES": str(path),
                     "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_RESULTS": str(tmp_path / "r.json")},
        feedback)
    assert feedback.text().count(expected) == 1
    # the samples as prepared: no such warning
    feedback = Recorder()
    run("evaluate", {"LSI": [model["OUTPUT_LSI"]], "SAMPLES": prepared["samples"],
                     "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_RESULTS": str(tmp_path / "r2.json")},
        feedback)
    assert "share their cell" not in feedback.text()


def test_a_rotated_reference_grid_is_refused_before_any_output(plugin, tmp_path):
    data = np.random.default_rng(4).random((40, 50)).astype(np.float32)
    rotated = write_raster(tmp_path / "rotated.tif", data)
    ds = gdal.Open(str(rotated), gdal.GA_Update)
    ds.SetGeoTransform((X0, 10.0, 2.0, Y0, 2.0, -10.0))
    ds = None
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(QgsProcessingException) as err:
        run("buildstack", {"CONTINUOUS": [str(rotated)], "OUTPUT": str(out / "stack.tif")})
    assert ("The grid of 'rotated.tif' (the reference raster, or the first factor when none is "
            "given) is rotated: its geotransform has rotation terms (2, 2), and the factor "
            "stack must be a north-up grid. Warp it to a north-up grid first: gdalwarp"
            in str(err.value)), str(err.value)
    assert files_in(out) == []
    # warped north-up as the message says, it builds
    gdal.Warp(str(tmp_path / "north_up.tif"), str(rotated)).FlushCache()
    result = run("buildstack", {"CONTINUOUS": [str(tmp_path / "north_up.tif")],
                                "OUTPUT": str(out / "stack.tif")})
    assert gdal.Open(result["OUTPUT"]).GetGeoTransform()[2::2] == (0.0, 0.0)


def test_a_south_up_reference_grid_gives_a_north_up_stack_of_the_same_cells(plugin, tmp_path):
    """Rows stored south to north (a positive cell height): the stack covers the same cells,
    north-up, with each value where it was (it used to come out upside down)."""
    data = np.arange(40 * 50, dtype=np.float32).reshape(40, 50)
    north = write_raster(tmp_path / "north.tif", data)
    south = write_raster(tmp_path / "south.tif", data[::-1].copy())
    ds = gdal.Open(str(south), gdal.GA_Update)
    ds.SetGeoTransform((X0, 10.0, 0.0, Y0 - 400.0, 0.0, 10.0))
    ds = None
    out = run("buildstack", {"CONTINUOUS": [str(north)], "REFERENCE": str(south),
                             "OUTPUT": str(tmp_path / "stack.tif")})["OUTPUT"]
    assert gdal.Open(out).GetGeoTransform() == (X0, 10.0, 0.0, Y0, 0.0, -10.0)
    assert np.array_equal(read_raster(out)[0], data)


def test_a_model_with_extreme_weights_is_refused_and_leaves_no_map(prepared, tmp_path):
    """A logistic regression whose weights were set to +-1e308 (finite: the file is valid):
    its decision values overflow, its map would be all 0 and 1 (or NaN)."""
    from landslide_lsm_plugin.core import model_io

    loaded = model_io.load_model(prepared["model"])
    loaded.estimator.steps[-1][1].coef_ = np.array([[1e308, -1e308]])
    extreme = model_io.save_model(tmp_path / "extreme.lsmodel", loaded.estimator, loaded.meta)
    with pytest.raises(QgsProcessingException, match=r"The model gives no finite decision "
                                                     r"value \(NaN or infinite\) for \d+ of "
                                                     r"\d+ cells: the model file is damaged"):
        run("predictlsi", {"MODEL": str(extreme), "STACK": prepared["stack"],
                           "OUTPUT": str(tmp_path / "lsi.tif")})
    assert not list(tmp_path.glob("lsi*"))


# --- races and output targets (issue: hostile files and races) -----------------------------------

class PublishesThenCancels(Recorder):
    """Run B's feedback: at the cancel point another run (A) publishes B's output path, then B
    is canceled. B's cleanup must leave A's finished file alone."""

    def __init__(self, path: Path, content: bytes, cancel_at: float) -> None:
        super().__init__(cancel_at=None)
        self.path, self.content, self.at = path, content, cancel_at
        self.published = False

    def _progress(self, value: float) -> None:
        if value >= self.at and not self.published:
            tmp = self.path.with_name(".other-run.part")
            tmp.write_bytes(self.content)
            os.replace(tmp, self.path)  # as run A's atomic writer does
            self.published = True
            self.cancel()


@pytest.mark.parametrize("alg,output,name", [("classifylsi", "OUTPUT", "other.tif"),
                                             ("frequencyratio", "OUTPUT_TABLE", "other.gpkg")])
def test_a_failed_run_never_removes_a_file_another_run_published(prepared, tmp_path, alg,
                                                                 output, name):
    target = tmp_path / name
    params = {"classifylsi": {"INPUT": prepared["lsi"]},
              "frequencyratio": {"STACK": prepared["stack"], "SAMPLES": prepared["samples"],
                                 "OUTPUT": str(tmp_path / "fr.tif")}}[alg]
    feedback = PublishesThenCancels(target, b"run A's finished output", cancel_at=0.0)
    with pytest.raises(QgsProcessingException, match="Canceled"):
        run(alg, dict(params, **{output: str(target)}), feedback)
    assert feedback.published
    assert target.read_bytes() == b"run A's finished output"


def test_outputs_that_are_not_files_are_refused_before_any_work(prepared, tmp_path):
    folder = tmp_path / "a-folder.tif"
    folder.mkdir()
    fifo = tmp_path / "pipe.tif"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.tif"
    loop.symlink_to(tmp_path / "loop2.tif")
    (tmp_path / "loop2.tif").symlink_to(loop)
    cases = ((folder, "is a folder"), (fifo, "pipe"), (loop, "symbolic link loop"))
    if os.geteuid() == 0:  # only root can make device nodes: it must never replace one
        device = tmp_path / "null.tif"
        os.mknod(device, 0o666 | __import__("stat").S_IFCHR, os.makedev(1, 3))
        cases += ((device, "device"),)
    for path, message in cases:
        feedback = Recorder()
        with pytest.raises(QgsProcessingException, match=message):
            run("classifylsi", {"INPUT": prepared["lsi"], "OUTPUT": str(path)}, feedback)
        assert "%" not in feedback.text()  # refused before any work
    assert folder.is_dir() and __import__("stat").S_ISFIFO(os.lstat(fifo).st_mode)
    assert loop.is_symlink()
