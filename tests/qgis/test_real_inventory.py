"""Real inventories through processing.run: every cell of a realistic inventory sampled (tens
of thousands of training samples), trained with the algorithms' defaults: folds never split
a landslide, the search and the final fit are bounded, the log and the files say so."""

import json
import zipfile

import pytest
from osgeo import gdal

from .feedback import Recorder
from .test_bad_inputs import run


@pytest.fixture(scope="module")
def realistic(tmp_path_factory, plugin):
    from landslide_lsm_plugin.demo.sample_area import generate

    d = tmp_path_factory.mktemp("realistic")
    area = generate(d / "area", 500, seed=11, inventory="realistic")
    f = area.files
    stack = run("buildstack", {
        "CONTINUOUS": [f["dem"], f["slope"], f["ndvi"], f["rainfall"], f["dist_rivers"],
                       f["dist_roads"], f["dist_faults"]],
        "OUTPUT": str(d / "stack.tif")})["OUTPUT"]
    feedback = Recorder()
    samples = run("preparesamples", {"INVENTORY": f["landslides"], "STACK": stack,
                                     "OUTPUT": str(d / "samples.gpkg")}, feedback)
    fr = run("frequencyratio", {"STACK": stack, "SAMPLES": samples["OUTPUT"],
                                "OUTPUT": str(d / "fr.tif"),
                                "OUTPUT_TABLE": "TEMPORARY_OUTPUT"})["OUTPUT"]
    return {"dir": d, "stack": stack, "samples": samples["OUTPUT"], "fr": fr,
            "landslides": area.landslides}


def model_meta(path) -> dict:
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("meta.json"))


def test_svm_with_defaults_on_tens_of_thousands_of_samples(realistic):
    d = realistic["dir"]
    feedback = Recorder()
    out = run("trainsvm", {"STACK": realistic["fr"], "SAMPLES": realistic["samples"],
                           "OUTPUT_MODEL": str(d / "svm.lsmodel"),
                           "OUTPUT_CV": "TEMPORARY_OUTPUT",
                           "OUTPUT_LSI": str(d / "svm.tif")}, feedback)
    meta = model_meta(out["OUTPUT_MODEL"])
    n = meta["n_train"]
    assert n > 10000, n  # every cell of every landslide: tens of thousands
    log = feedback.text()
    assert "Hyperparameter search by successive halving" in log
    assert f"of {n:,} training samples (a share of every landslide's cells, seed 42" in log
    assert "Final fit: SVM on 10,0" in log or "Final fit: SVM on 9,9" in log
    assert "optimistic" not in log
    assert meta["cv"]["scheme"] == "samples" and meta["cv"]["search_samples"] <= 3100
    assert meta["final_samples"] <= 10100
    rows = list(out["OUTPUT_CV"].getFeatures())
    assert {r["cv_scheme"] for r in rows} == {"samples"}
    assert {r["folds"] for r in rows} == {10}
    assert max(r["search_samples"] for r in rows) == meta["cv"]["search_samples"]
    assert min(r["search_samples"] for r in rows) < 400  # the first round of the halving
    lsi = gdal.Open(out["OUTPUT_LSI"]).ReadAsArray()
    assert lsi.shape == (500, 500) and 0 <= lsi[lsi >= 0].min() < lsi.max() <= 1
    ev = run("evaluate", {"LSI": [out["OUTPUT_LSI"]], "SAMPLES": realistic["samples"],
                          "OUTPUT": "TEMPORARY_OUTPUT",
                          "OUTPUT_RESULTS": str(d / "results.json")})
    assert next(ev["OUTPUT"].getFeatures())["auroc"] > 0.65


def test_klr_fits_every_sample_and_cellwise_cv_warns(realistic):
    d = realistic["dir"]
    feedback = Recorder()
    out = run("trainklr", {"STACK": realistic["fr"], "SAMPLES": realistic["samples"],
                           "SEARCH_SAMPLES": 1500, "OUTPUT_MODEL": str(d / "klr.lsmodel")},
              feedback)
    meta = model_meta(out["OUTPUT_MODEL"])
    assert meta["final_samples"] == meta["n_train"] > 10000
    assert meta["cv"]["search_samples"] <= 1600
    assert "Nystroem approximation with 1000 components" in feedback.text()
    stratified = Recorder()
    run("trainlogistic", {"STACK": realistic["fr"], "SAMPLES": realistic["samples"], "CV": 0,
                          "OUTPUT_MODEL": str(d / "lr.lsmodel")}, stratified)
    assert "CV scores will be optimistic" in stratified.text()
    assert model_meta(d / "lr.lsmodel")["cv"]["scheme"] == "stratified"


def test_sample_area_algorithm_offers_the_realistic_inventory(tmp_path, plugin):
    from osgeo import ogr

    out = run("samplearea", {"SIZE": 0, "INVENTORY": 1, "OUTPUT": str(tmp_path / "area")})
    ds = ogr.Open(out["LANDSLIDES"])
    assert ds.GetLayer(0).GetFeatureCount() == 120
    meta = json.loads((tmp_path / "area" / "sample_area.json").read_text())
    assert meta["inventory"] == "realistic"
