"""Models and maps through processing.run: train, predict, classify, evaluate (real files)."""

import json

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException, QgsProject

from ..conftest import read_raster

SMALL = {"C_MIN": 0.5, "C_MAX": 50, "C_STEPS": 3, "GAMMA_MIN": 0.02, "GAMMA_MAX": 2,
         "GAMMA_STEPS": 3, "FOLDS": 5}


@pytest.fixture(scope="module")
def ecuador_prepared(ecuador_data):
    """Ecuador: stack from ta.tif, samples from the labelled points (random 70/30), FR stack
    (the session's, tests/qgis/conftest.py)."""
    return ecuador_data


@pytest.mark.parametrize("alg, stack_key", [("trainsvm", "fr"), ("trainklr", "fr"),
                                            ("trainsvm", "stack"), ("trainklr", "stack")])
def test_ecuador_svm_and_klr_reach_the_bar(run_alg, ecuador_prepared, alg, stack_key):
    """Random 70/30 split. The data README's reference (random CV): RBF-SVM 0.85, GLM 0.81;
    measured here (seed 42): CV AUROC 0.84-0.85, validation AUROC 0.81-0.83 on the FR-encoded
    and raw stacks. The bars keep a margin of about 0.03 below that (docs/ecuador.md has the
    README's full protocol)."""
    p, d = ecuador_prepared, ecuador_prepared["dir"]
    tag = f"{alg}_{stack_key}"
    trained = run_alg(alg, {"STACK": p[stack_key], "SAMPLES": p["samples"],
                            "OUTPUT_MODEL": str(d / f"{tag}.lsmodel"),
                            "OUTPUT_CV": "TEMPORARY_OUTPUT",
                            "OUTPUT_LSI": str(d / f"{tag}.tif")})
    assert trained["CV_AUROC"] > 0.82
    cv_rows = list(trained["OUTPUT_CV"].getFeatures())
    assert len(cv_rows) == 25 and cv_rows[0]["rank"] == 1
    ev = run_alg("evaluate", {"LSI": [trained["OUTPUT_LSI"]], "SAMPLES": p["samples"],
                              "OUTPUT": "TEMPORARY_OUTPUT",
                              "OUTPUT_RESULTS": str(d / f"{tag}.json")})
    row = next(ev["OUTPUT"].getFeatures())
    assert row["auroc"] >= 0.78, f"{tag}: validation AUROC {row['auroc']:.3f}"
    assert row["tp"] + row["tn"] + row["fp"] + row["fn"] == 104
    assert row["training_time_s"] > 0 and row["map_time_s"] > 0


def test_four_models_predict_classify_evaluate(run_alg, ecuador_prepared, tmp_path, artifacts):
    p = ecuador_prepared
    lsis = []
    for alg in ("trainsvm", "trainklr", "trainlogistic", "trainrandomforest"):
        params = dict(SMALL) if alg in ("trainsvm", "trainklr") else {"FOLDS": 5}
        params.update(STACK=p["fr"], SAMPLES=p["samples"],
                      OUTPUT_MODEL=str(tmp_path / f"{alg}.lsmodel"))
        model = run_alg(alg, params)["OUTPUT_MODEL"]
        # the raw stack works too: the model carries its FR encoding
        lsis.append(run_alg("predictlsi", {"MODEL": model, "STACK": p["stack"],
                                           "OUTPUT": str(tmp_path / f"{alg}.tif")})["OUTPUT"])
    zones = run_alg("classifylsi", {"INPUT": lsis[0], "SAMPLES": p["samples"],
                                    "OUTPUT": str(tmp_path / "zones.tif"),
                                    "OUTPUT_TABLE": "TEMPORARY_OUTPUT"})
    rows = [dict(zip(zones["OUTPUT_TABLE"].fields().names(), f.attributes()))
            for f in zones["OUTPUT_TABLE"].getFeatures()]
    assert sum(r["landslides"] for r in rows) == 52  # the validation landslides
    assert rows[-1]["density"] > 1.5 > rows[0]["density"]  # landslides gather in "very high"
    ev = run_alg("evaluate", {"LSI": lsis, "SAMPLES": p["samples"], "THRESHOLD": 1,
                              "ZONES": [zones["OUTPUT"]], "RATE_CURVES": True,
                              "OUTPUT": "TEMPORARY_OUTPUT",
                              "OUTPUT_RESULTS": str(tmp_path / "results.json"),
                              "OUTPUT_FIGURE": str(artifacts / "ecuador_roc.png")})
    results = json.loads((tmp_path / "results.json").read_text())
    assert [m["name"] for m in results["models"]] == ["SVM", "KLR", "Logistic regression",
                                                      "Random forest"]
    assert results["models"][0]["zones"] == zones["OUTPUT"]
    for m in results["models"]:
        assert m["roc"]["fpr"][0] == 0 and m["roc"]["tpr"][-1] == 1
        assert 0.5 < m["prediction_rate"]["auc"] <= 1 and m["metrics"]["threshold"] != 0.5
    assert (artifacts / "ecuador_roc.png").stat().st_size > 20000
    assert ev["BEST_MODEL"] in [m["name"] for m in results["models"]]


def test_lsi_loads_styled_and_mismatched_stacks_are_refused(plugin, run_alg, ecuador_prepared,
                                                           raster, tmp_path):
    import processing

    p = ecuador_prepared
    model = run_alg("trainlogistic", {"STACK": p["stack"], "SAMPLES": p["samples"],
                                      "OUTPUT_MODEL": str(tmp_path / "lr.lsmodel")})
    QgsProject.instance().removeAllMapLayers()
    processing.runAndLoadResults("landslide_lsm:predictlsi", {
        "MODEL": model["OUTPUT_MODEL"], "STACK": p["stack"], "OUTPUT": str(tmp_path / "l.tif")})
    layers = [lyr for lyr in QgsProject.instance().mapLayers().values()
              if lyr.name().startswith("LSI")]
    assert len(layers) == 1 and layers[0].renderer().type() == "singlebandpseudocolor"
    QgsProject.instance().removeAllMapLayers()
    ds = gdal.Open(p["stack"])
    bands = np.stack([ds.GetRasterBand(i).ReadAsArray() for i in (2, 1, 3, 4, 5)])
    other = raster("reordered.tif", bands, nodata=-9999,
                   names=["cplan", "slope", "cprof", "elev", "log10_carea"],
                   origin=(ds.GetGeoTransform()[0], ds.GetGeoTransform()[3]))
    with pytest.raises(QgsProcessingException, match="another order"):
        run_alg("predictlsi", {"MODEL": model["OUTPUT_MODEL"], "STACK": str(other),
                               "OUTPUT": str(tmp_path / "x.tif")})
    not_a_model = tmp_path / "fake.lsmodel"
    not_a_model.write_bytes(b"PK\x03\x04 nothing")
    with pytest.raises(QgsProcessingException, match="not a Landslide LSM model"):
        run_alg("predictlsi", {"MODEL": str(not_a_model), "STACK": p["stack"],
                               "OUTPUT": str(tmp_path / "y.tif")})
    assert not (tmp_path / "x.tif").exists() and not (tmp_path / "y.tif").exists()
    lsi, _ = read_raster(tmp_path / "l.tif")
    assert lsi.shape == (415, 383)
