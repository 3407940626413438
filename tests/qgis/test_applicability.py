"""Area of applicability through processing.run on the session's sample workflow (conftest.
sample_workflow): the dissimilarity index and the mask, styled and tagged; Predict LSI blanks
the cells outside for an SVM and an LSNet model; a raster that is not a mask is refused."""

import json

import numpy as np
import pytest
from qgis.core import QgsProcessingException

from ..conftest import read_raster
from .feedback import Recorder
from .helpers import run


@pytest.fixture(scope="module")
def aoa(sample_workflow, tmp_path_factory, plugin):
    files = sample_workflow["files"]
    d = tmp_path_factory.mktemp("applicability")
    out = run("applicability", {"STACK": str(files["stack:Factor stack"]),
                                "SAMPLES": str(files["samples:Training samples"]),
                                "OUTPUT_DI": str(d / "di.tif"),
                                "OUTPUT_MASK": str(d / "aoa.tif")})
    return {"dir": d, "files": files, "out": out}


def test_the_dissimilarity_index_and_the_mask_are_written_styled_and_tagged(aoa):
    from landslide_lsm_plugin.core.applicability import applicability_tags

    d, out = aoa["dir"], aoa["out"]
    assert out["OUTPUT_DI"] == str(d / "di.tif") and out["OUTPUT_MASK"] == str(d / "aoa.tif")
    assert 0 < out["SHARE_INSIDE"] < 1 and out["THRESHOLD"] > 0
    di, di_nodata = read_raster(d / "di.tif")
    mask, mask_nodata = read_raster(d / "aoa.tif")
    valid = di != di_nodata
    assert mask_nodata == 255 and np.array_equal(mask != 255, valid)
    np.testing.assert_array_equal(mask[valid], di[valid] <= out["THRESHOLD"])
    assert (mask[valid] == 1).mean() == pytest.approx(out["SHARE_INSIDE"])
    assert "singlebandpseudocolor" in (d / "di.qml").read_text(encoding="utf-8")
    assert 'type="paletted"' in (d / "aoa.qml").read_text(encoding="utf-8")
    tags = applicability_tags(str(d / "aoa.tif"))
    assert tags.kind == "applicability" and tags.threshold == out["THRESHOLD"]
    assert tags.share_inside == out["SHARE_INSIDE"] and tags.partner == str(d / "di.tif")
    assert tags.n_training > 100 and tags.stack == str(aoa["files"]["stack:Factor stack"])
    assert applicability_tags(str(d / "di.tif")).kind == "dissimilarity"


def test_weights_from_an_explanation_file(aoa, run_alg):
    from landslide_lsm_plugin.core.records import Explanation, FactorDrop
    from landslide_lsm_plugin.core.stack import stack_info

    d, files = aoa["dir"], aoa["files"]
    names = stack_info(str(files["stack:Factor stack"])).names
    drops = tuple(FactorDrop(n, 0.1 if i == 0 else -0.02, 0.01) for i, n in enumerate(names))
    (d / "explanation.json").write_text(json.dumps(
        Explanation("SVM", "svm", "svm.lsmodel", 0.8, drops).to_dict()), encoding="utf-8")
    out = run_alg("applicability", {"STACK": str(files["stack:Factor stack"]),
                                    "SAMPLES": str(files["samples:Training samples"]),
                                    "WEIGHTS": str(d / "explanation.json"),
                                    "OUTPUT_DI": str(d / "di_w.tif"),
                                    "OUTPUT_MASK": str(d / "aoa_w.tif")})
    from landslide_lsm_plugin.core.applicability import applicability_tags

    weights = applicability_tags(out["OUTPUT_MASK"]).weights
    assert weights.startswith(f"{names[0]}=1,") and weights.count("=0") == len(names) - 1
    (d / "wrong.json").write_text(json.dumps(Explanation(
        "SVM", "svm", "svm.lsmodel", 0.8, (FactorDrop("elsewhere", 0.1, 0.0),)).to_dict()),
        encoding="utf-8")
    with pytest.raises(QgsProcessingException, match="elsewhere"):
        run_alg("applicability", {"STACK": str(files["stack:Factor stack"]),
                                  "SAMPLES": str(files["samples:Training samples"]),
                                  "WEIGHTS": str(d / "wrong.json"),
                                  "OUTPUT_DI": str(d / "di_x.tif"),
                                  "OUTPUT_MASK": str(d / "aoa_x.tif")})
    assert not (d / "di_x.tif").exists() and not (d / "aoa_x.tif").exists()


@pytest.mark.parametrize("model", ["svm:SVM model", "lsnet:LSNet model"])
def test_predict_lsi_sets_the_cells_outside_to_nodata(aoa, run_alg, model):
    d, files = aoa["dir"], aoa["files"]
    tag = model.split(":")[0]
    stack = str(files["stack:Factor stack"])
    log = Recorder()
    masked = run_alg("predictlsi", {"MODEL": str(files[model]), "STACK": stack,
                                    "APPLICABILITY": str(d / "aoa.tif"),
                                    "OUTPUT": str(d / f"lsi_{tag}_aoa.tif")}, feedback=log)
    plain = run_alg("predictlsi", {"MODEL": str(files[model]), "STACK": stack,
                                   "OUTPUT": str(d / f"lsi_{tag}.tif")})
    lsi, nodata = read_raster(masked["OUTPUT"])
    full, _ = read_raster(plain["OUTPUT"])
    mask, _ = read_raster(d / "aoa.tif")
    outside = (mask == 0) & (full != nodata)
    assert outside.sum() > 0 and (lsi[outside] == nodata).all()
    np.testing.assert_allclose(lsi[~outside], full[~outside], atol=1e-6)
    assert any(f"{int(outside.sum())} of " in line and "set to nodata" in line
               for line in log.messages), log.messages
    assert (d / f"lsi_{tag}_aoa.qml").exists()
    assert not list(d.glob(".*part*"))


def test_a_raster_that_is_not_a_mask_is_refused_before_any_map(aoa, run_alg):
    d, files = aoa["dir"], aoa["files"]
    for wrong, message in ((d / "di.tif", "not its applicability mask"),
                           (files["stack:Factor stack"], "not an applicability mask")):
        with pytest.raises(QgsProcessingException, match=message):
            run_alg("predictlsi", {"MODEL": str(files["svm:SVM model"]),
                                   "STACK": str(files["stack:Factor stack"]),
                                   "APPLICABILITY": str(wrong),
                                   "OUTPUT": str(d / "lsi_wrong.tif")})
    assert not (d / "lsi_wrong.tif").exists()
