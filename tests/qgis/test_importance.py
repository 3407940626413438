"""Factor importance and response curves through processing.run on the small sample area's
workflow outputs: SVM (FR-encoded stack) and LSNet (its worker, channel groups permuted), the
table, the explanation file, the figures, and Evaluate keeping each explanation with its map."""

import csv
import json
import sys

import pytest
from qgis.core import QgsProcessingException

from landslide_lsm_plugin.core.results_file import load_explanation, load_results

from .feedback import Recorder
from .helpers import run


@pytest.fixture(scope="module")
def explained(plugin, sample_workflow, tmp_path_factory):
    d = tmp_path_factory.mktemp("importance")
    files = sample_workflow["files"]
    svm = run("importance", {
        "MODEL": str(files["svm:SVM model"]), "STACK": str(files["fr:FR-encoded stack"]),
        "SAMPLES": str(files["samples:Training samples"]), "REPEATS": 4,
        "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_EXPLANATION": str(d / "svm.json"),
        "OUTPUT_CSV": str(d / "svm.csv"), "OUTPUT_FIGURE": str(d / "svm.png"),
        "OUTPUT_CURVES": str(d / "svm_curves.png")})
    lsnet = run("importance", {
        "MODEL": str(files["lsnet:LSNet model"]), "STACK": str(files["stack:Factor stack"]),
        "SAMPLES": str(files["samples:Training samples"]), "REPEATS": 2, "MAX_SAMPLES": 120,
        "RESPONSE_SAMPLES": 12, "CURVE_POINTS": 4, "OUTPUT": "TEMPORARY_OUTPUT",
        "OUTPUT_EXPLANATION": str(d / "lsnet.json")})
    return {"dir": d, "svm": svm, "lsnet": lsnet, "files": files}


def test_svm_importance_table_file_and_figures(explained):
    d, out = explained["dir"], explained["svm"]
    e = load_explanation(d / "svm.json")
    factors = [f.factor for f in e.importance]
    assert len(factors) == 9 and e.model_type == "svm" and e.repeats == 4
    assert out["MOST_IMPORTANT"] == factors[0]
    assert out["BASE_AUROC"] == pytest.approx(e.base_auroc) and e.base_auroc > 0.6
    means = [f.mean for f in e.importance]
    assert means == sorted(means, reverse=True) and means[0] > 0.01
    rows = list(csv.DictReader((d / "svm.csv").open()))
    assert [r["factor"] for r in rows] == factors and rows[0]["rank"] == "1"
    layer = out["OUTPUT"]
    assert layer.featureCount() == 9
    for png in ("svm.png", "svm_curves.png"):
        assert (d / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    curves = {c.factor: c for c in e.curves}
    assert set(curves) == set(factors)
    assert all(0 <= v <= 1 for c in e.curves for v in c.response)


def test_lsnet_is_explained_in_its_worker_by_channel_groups(explained):
    e = load_explanation(explained["dir"] / "lsnet.json")
    assert e.model_type == "lsnet" and e.repeats == 2 and e.n_importance <= 120
    assert len(e.importance) == 9  # one entry per factor, not per channel
    curves = {c.factor: c for c in e.curves}
    assert curves["lithology"].kind == "categorical" and len(curves["lithology"].values) > 1
    assert curves["aspect"].kind == "continuous" and len(curves["aspect"].values) == 4
    assert "tensorflow" not in sys.modules


def test_evaluate_keeps_each_explanation_with_its_map(explained):
    d, files = explained["dir"], explained["files"]
    out = run("evaluate", {
        "LSI": [str(files["svm:LSI SVM"]), str(files["lsnet:LSI LSNet"])],
        "SAMPLES": str(files["samples:Training samples"]),
        "EXPLANATIONS": [str(d / "svm.json"), str(d / "lsnet.json")],
        "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_RESULTS": str(d / "results.json")})
    results = load_results(out["OUTPUT_RESULTS"])
    by_type = {m.model_type: m for m in results.models}
    assert by_type["svm"].explained() == load_explanation(d / "svm.json")
    assert by_type["lsnet"].explained().model_type == "lsnet"
    assert json.loads((d / "results.json").read_text())["parameters"]["explanations"]


def test_an_explanation_of_another_model_is_left_out_with_a_warning(explained):
    d, files = explained["dir"], explained["files"]
    feedback = Recorder()
    run("evaluate", {"LSI": [str(files["klr:LSI KLR"])],
                     "SAMPLES": str(files["samples:Training samples"]),
                     "EXPLANATIONS": [str(d / "svm.json")], "OUTPUT": "TEMPORARY_OUTPUT",
                     "OUTPUT_RESULTS": str(d / "klr_results.json")}, feedback=feedback)
    assert "belongs to none of the LSI maps' models" in feedback.text()
    assert load_results(d / "klr_results.json").models[0].explanation is None


def test_a_stack_of_other_factors_is_refused_clearly(explained, sample_workflow, tmp_path):
    files = explained["files"]
    with pytest.raises(QgsProcessingException, match="do not match the model's factors"):
        run("importance", {"MODEL": str(files["svm:SVM model"]),
                           "STACK": str(sample_workflow["area"] / "dem.tif"),
                           "SAMPLES": str(files["samples:Training samples"]),
                           "OUTPUT": "TEMPORARY_OUTPUT",
                           "OUTPUT_EXPLANATION": str(tmp_path / "x.json")})
    assert not (tmp_path / "x.json").exists()
