"""The HTML report keeps every parameter of a run: each model's hyperparameters and CV (recorded
by Evaluate from the model files, so they survive the model files), the evaluation's
parameters, and the Report algorithm's own. Real sample area, real models (the shared run of
the shipped workflow), real files."""

import json
import os
import re
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException

from landslide_lsm_plugin.core.model_io import read_meta

from .helpers import SAMPLE_EPOCHS, WORKFLOW, run


def workflow_value(child: str, name: str):
    """A fixed parameter value of one step of the shipped workflow model."""
    from qgis.core import QgsApplication

    model = QgsApplication.processingRegistry().algorithmById(WORKFLOW)
    return model.childAlgorithm(child).parameterSources()[name][0].staticValue()


@pytest.fixture(scope="module")
def evaluated(sample_workflow, tmp_path_factory, plugin):
    """The session's shared run of the shipped workflow (conftest.sample_workflow: sample area ->
    stack of its rasters -> samples -> FR -> SVM, KLR (FR-encoded) and LSNet (raw) with their
    LSI maps), evaluated again here with the Youden threshold. On copies of its model files and
    LSI maps, each copy's LSM_MODEL_FILE naming the copied model: a test here deletes the
    model files."""
    files, d = sample_workflow["files"], tmp_path_factory.mktemp("report")
    models, lsis = {}, []
    for key, label, ext in (("svm", "SVM", "lsmodel"), ("klr", "KLR", "lsmodel"),
                            ("lsnet", "LSNet", "keras")):
        source = files[f"{key}:{label} model"]
        models[key] = str(d / f"{key}.{ext}")
        shutil.copyfile(source, models[key])
        if key == "lsnet":
            shutil.copyfile(f"{source}.json", f"{models[key]}.json")
        lsi = d / f"lsi_{key}.tif"
        shutil.copyfile(files[f"{key}:LSI {label}"], lsi)
        ds = gdal.Open(str(lsi), gdal.GA_Update)
        assert Path(ds.GetMetadataItem("LSM_MODEL_FILE")).resolve() == source.resolve()
        ds.SetMetadataItem("LSM_MODEL_FILE", models[key])
        ds = None
        lsis.append(str(lsi))
    samples = str(files["samples:Training samples"])
    run("evaluate", {"LSI": lsis, "SAMPLES": samples, "THRESHOLD": 1,
                     "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_RESULTS": str(d / "results.json")})
    metas = {"svm": read_meta(models["svm"]).to_dict(), "klr": read_meta(models["klr"]).to_dict(),
             "lsnet": json.loads(Path(models["lsnet"] + ".json").read_text())}
    stack = str(files["stack:Factor stack"])
    ds = gdal.Open(stack)
    factors = [ds.GetRasterBand(b + 1).GetDescription() for b in range(ds.RasterCount)]
    ds = None
    return {"dir": d, "stack": stack, "factors": factors, "samples": samples,
            "lsis": lsis, "models": models, "metas": metas, "results": d / "results.json",
            "folds": workflow_value("samples", "FOLDS"),
            "grid": {key: workflow_value(key, "C_STEPS") * workflow_value(key, "GAMMA_STEPS")
                     for key in ("svm", "klr")}}


def section(html: str, model: str) -> str:
    """The report's part about one model: from its heading to the next model's."""
    start = html.index(f"<h3>{model}</h3>")
    end = html.find("<h3>", start + 1)
    return html[start:end if end > 0 else html.index("<h2>Evaluation parameters</h2>")]


def row(name: str, value: str) -> str:
    return f'<th class="l">{name}</th><td class="l">{value}</td>'


def test_evaluate_records_each_models_parameters(evaluated):
    results = json.loads(evaluated["results"].read_text())
    params = results["parameters"]
    assert params["threshold"].startswith("Youden")
    assert Path(params["samples"].split("|")[0]) == Path(evaluated["samples"])
    assert params["lsi"] == evaluated["lsis"] and params["rate_curves"] is False
    by_name = {m["name"]: m["model"] for m in results["models"]}
    for name, key in (("SVM", "svm"), ("KLR", "klr")):
        meta, rec = evaluated["metas"][key], by_name[name]
        assert rec["model_file"] == str(Path(evaluated["models"][key]).resolve())
        assert rec["hyperparameters"]["C"] == meta["hyperparameters"]["C"]
        assert rec["hyperparameters"]["gamma"] == meta["hyperparameters"]["gamma"]
        # the samples' own folds (CV 1, the default) and the model's C x gamma grid
        assert rec["cv"]["folds"] == evaluated["folds"] == 10
        assert rec["cv"]["grid_size"] == evaluated["grid"][key] == meta["cv"]["grid_size"] > 1
        assert rec["cv"]["scheme"] == "samples"
        assert rec["fr_samples"]["samples"] == Path(evaluated["samples"]).name
        assert rec["cv_score"] == meta["cv_score"] and rec["n_train"] == meta["n_train"] > 0
        assert rec["factors"] == meta["factors"] == evaluated["factors"]
        assert rec["training_time_s"] > 0
        assert [f["factor"] for f in rec["fr_encoding"]] == meta["factors"]
        assert all(f["classes"] >= 2 and f["fr_max"] >= f["fr_min"] >= 0
                   for f in rec["fr_encoding"])
        assert "skops" not in json.dumps(rec)  # metadata only, no model bytes
    lsnet = by_name["LSNet"]
    assert lsnet["hyperparameters"] == evaluated["metas"]["lsnet"]["hyperparameters"]
    epochs = len(evaluated["metas"]["lsnet"]["history"])
    # every epoch the run asked for (the model's patience, 20, cannot stop it sooner)
    assert lsnet["epochs_trained"] == epochs == SAMPLE_EPOCHS
    assert "preprocessing" not in lsnet
    assert "history" not in lsnet


def test_report_shows_all_parameters_after_the_model_files_are_gone(evaluated, run_alg,
                                                                    tmp_path):
    for path in evaluated["models"].values():  # this module's copies
        Path(path).unlink()
    Path(evaluated["models"]["lsnet"] + ".json").unlink()
    fr_table = run_alg("frequencyratio", {"STACK": evaluated["stack"],
                                          "SAMPLES": evaluated["samples"],
                                          "OUTPUT": str(tmp_path / "fr2.tif"),
                                          "OUTPUT_TABLE": str(tmp_path / "fr.gpkg")})
    out = run_alg("report", {"RESULTS": str(evaluated["results"]),
                             "FR_TABLE": fr_table["OUTPUT_TABLE"],
                             "TITLE": "Parameters survive", "OUTPUT": str(tmp_path / "r.html")})
    html = Path(out["OUTPUT"]).read_text(encoding="utf-8")
    for name, key in (("SVM", "svm"), ("KLR", "klr")):
        part = section(html, name)
        hyper = evaluated["metas"][key]["hyperparameters"]
        assert "<h4>Parameters</h4>" in part
        assert row("C", f"{hyper['C']:.4g}") in part, name
        assert row("gamma", f"{hyper['gamma']:.4g}") in part, name
        # the samples' own 10 folds (by landslide), the default CV, and the model's grid
        assert row("CV folds", "10") in part
        assert row("combinations searched", str(evaluated["grid"][key])) in part
        assert row("training samples", str(evaluated["metas"][key]["n_train"])) in part
        assert "<h4>FR encoding</h4>" in part and "no longer exists" not in part
        assert row("factors", ", ".join(evaluated["factors"])) in part
    lsnet = section(html, "LSNet")
    hyper = evaluated["metas"]["lsnet"]["hyperparameters"]
    assert row("learning_rate", f"{float(hyper['learning_rate']):.4g}") in lsnet
    epochs = str(len(evaluated["metas"]["lsnet"]["history"]))
    assert row("window", str(hyper["window"])) in lsnet and row("epochs trained", epochs) in lsnet
    evaluation = html[html.index("<h2>Evaluation parameters</h2>"):]
    assert "Youden" in evaluation and Path(evaluated["samples"]).name in evaluation
    report = html[html.index("<h2>Report parameters</h2>"):]
    assert row("Title", "Parameters survive") in report
    assert re.search(r"fr\.gpkg[^<]* \(\d+ rows\)", report)
    assert row("VIF table", "not given") in report


def test_maps_evaluated_without_their_model_files_say_so(evaluated, run_alg, tmp_path):
    """A results file made after the model files were deleted records that, and the report
    says the parameters were not recorded instead of leaving them out silently."""
    lsi = tmp_path / "orphan.tif"
    gdal.Translate(str(lsi), evaluated["lsis"][0])
    ds = gdal.Open(str(lsi), gdal.GA_Update)
    ds.SetMetadataItem("LSM_MODEL_FILE", str(tmp_path / "gone.lsmodel"))
    ds = None
    run_alg("evaluate", {"LSI": [str(lsi)], "SAMPLES": evaluated["samples"],
                         "OUTPUT": "TEMPORARY_OUTPUT",
                         "OUTPUT_RESULTS": str(tmp_path / "results.json")})
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["models"][0]["model"]["missing"] == "no longer exists"
    out = run_alg("report", {"RESULTS": str(tmp_path / "results.json"),
                             "OUTPUT": str(tmp_path / "r.html")})
    html = Path(out["OUTPUT"]).read_text(encoding="utf-8")
    assert "gone.lsmodel (no longer exists at evaluation)" in html
    assert "Not recorded: the model file was not found" in html


def test_every_value_of_a_results_file_is_escaped(evaluated, run_alg, tmp_path):
    """A results file is data from anywhere: no field reaches the page as markup."""
    data = json.loads(Path(evaluated["results"]).read_text(encoding="utf-8"))
    data["n_validation"] = "<script>alert('n')</script>"  # a count: refused, not shown
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(QgsProcessingException, match="n_validation must be a whole number"):
        run_alg("report", {"RESULTS": str(hostile), "OUTPUT": str(tmp_path / "h.html")})
    data["n_validation"] = 12
    data["threshold_mode"] = "<script>alert('n')</script>"
    data["models"][0]["name"] = "<img src=x onerror=alert(1)>"
    hostile.write_text(json.dumps(data), encoding="utf-8")
    out = run_alg("report", {"RESULTS": str(hostile), "OUTPUT": str(tmp_path / "h.html")})
    page = Path(out["OUTPUT"]).read_text(encoding="utf-8")
    assert "<script>" not in page and "<img src=x" not in page
    assert "(threshold: &lt;script&gt;alert(&#x27;n&#x27;)&lt;/script&gt;)" in page
    assert "<h3>&lt;img src=x onerror=alert(1)&gt;</h3>" in page


# --- hostile results files (any field, any file type): clear errors, no hang ------------------

@contextmanager
def fifo_watchdog(*fifos, seconds: float = 15.0):
    """Fail instead of hanging: after ``seconds``, release any reader blocked on the FIFOs (by
    opening them for writing) and record that one was."""
    done, hung = threading.Event(), []

    def watch():
        if done.wait(seconds):
            return
        while not done.is_set():
            for fifo in fifos:
                try:
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                    hung.append(str(fifo))
                except OSError:  # nobody is waiting on it
                    pass
            time.sleep(0.1)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(5)
    assert not hung, f"QGIS waited on the FIFO(s) {sorted(set(hung))}"


@pytest.fixture(scope="module")
def small_results(tmp_path_factory):
    """A real results file (two models, maps, zones), made in core in about 2 s."""
    from ..unit.test_results_file import make_results

    return make_results(tmp_path_factory.mktemp("small_results"))


def test_report_and_project_of_a_malformed_results_file_name_the_field(small_results, run_alg,
                                                                       tmp_path):
    data = json.loads(small_results.read_text(encoding="utf-8"))
    data["models"][1]["roc"]["tpr"].pop()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    for alg, out in (("report", "r.html"), ("makeproject", "p.qgz")):
        with pytest.raises(QgsProcessingException) as caught:
            run_alg(alg, {"RESULTS": str(bad), "OUTPUT": str(tmp_path / out)})
        text = str(caught.value)
        assert f"'{bad}': models[1].roc.fpr has" in text and "must pair up" in text, text
        assert "This is a bug" not in text
        assert not (tmp_path / out).exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifos_in_place_of_a_results_file_or_its_maps_do_not_hang_qgis(small_results, run_alg,
                                                                       tmp_path):
    """Create project runs on QGIS's main thread: a FIFO there would freeze the desktop."""
    fifo_results = tmp_path / "results.json"
    os.mkfifo(fifo_results)
    with fifo_watchdog(fifo_results):
        for alg, out in (("report", "r.html"), ("makeproject", "p.qgz")):
            with pytest.raises(QgsProcessingException, match=r"is a pipe \(FIFO\)"):
                run_alg(alg, {"RESULTS": str(fifo_results), "OUTPUT": str(tmp_path / out)})
    data = json.loads(small_results.read_text(encoding="utf-8"))
    lsi_fifo = tmp_path / "lsi.tif"
    os.mkfifo(lsi_fifo)
    data["models"][0]["lsi"] = str(lsi_fifo)
    (tmp_path / "fifo_map.json").write_text(json.dumps(data), encoding="utf-8")
    with fifo_watchdog(lsi_fifo):
        with pytest.raises(QgsProcessingException,
                           match=r"LSI raster of 'LR' \(models\[0\]\.lsi\) .* is a pipe"):
            run_alg("makeproject", {"RESULTS": str(tmp_path / "fifo_map.json"),
                                    "OUTPUT": str(tmp_path / "p.qgz")})
        report = run_alg("report", {"RESULTS": str(tmp_path / "fifo_map.json"),
                                    "OUTPUT": str(tmp_path / "r.html")})
    assert "LSI of LR not shown" in Path(report["OUTPUT"]).read_text(encoding="utf-8")
    # a FIFO where a map's .qml style would be (QGIS reads it with the map): refused, named
    data = json.loads(small_results.read_text(encoding="utf-8"))
    maps = tmp_path / "maps"
    maps.mkdir()
    lsi = maps / "LR.tif"
    shutil.copyfile(data["models"][0]["lsi"], lsi)
    os.mkfifo(maps / "LR.qml")
    data["models"][0]["lsi"] = str(lsi)
    (tmp_path / "qml.json").write_text(json.dumps(data), encoding="utf-8")
    with fifo_watchdog(maps / "LR.qml"):
        with pytest.raises(QgsProcessingException, match=r"'LR\.qml' beside it, a pipe"):
            run_alg("makeproject", {"RESULTS": str(tmp_path / "qml.json"),
                                    "OUTPUT": str(tmp_path / "q.qgz")})
