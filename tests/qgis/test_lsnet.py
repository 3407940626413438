"""LSNet through processing.run: it sees neighbourhoods, maps the same after a reload, stops at
once on cancel, reports a killed worker, and runs on the real Ecuador data. TensorFlow only
ever runs in the worker process (test_zz_guardrails checks this process)."""

import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback
from synthetic_foot import make_foot_area

from ..conftest import read_raster

QUICK = {"EPOCHS": 25, "PATIENCE": 25, "SEED": 7}


@pytest.fixture(scope="module")
def foot(tmp_path_factory, plugin):
    import processing

    d = tmp_path_factory.mktemp("foot")
    area = make_foot_area(d, seed=3)
    samples = processing.run("landslide_lsm:preparesamples", {
        "INVENTORY": str(area["points"]), "STACK": str(area["stack"]), "LABEL_FIELD": "label",
        "SEED": 5, "OUTPUT": str(d / "samples.gpkg")})["OUTPUT"]
    return {"dir": d, "stack": str(area["stack"]), "samples": samples}


@pytest.fixture(scope="module")
def lsnet(foot, plugin):
    import processing

    d = foot["dir"]
    result = processing.run("landslide_lsm:trainlsnet", dict(
        QUICK, STACK=foot["stack"], SAMPLES=foot["samples"],
        OUTPUT_MODEL=str(d / "lsnet.keras"), OUTPUT_HISTORY="TEMPORARY_OUTPUT",
        OUTPUT_LSI=str(d / "lsnet_lsi.tif")))
    return result


def test_lsnet_sees_what_a_per_cell_model_cannot(run_alg, foot, lsnet):
    d = foot["dir"]
    lr = run_alg("trainlogistic", {"STACK": foot["stack"], "SAMPLES": foot["samples"],
                                   "OUTPUT_MODEL": str(d / "lr.lsmodel"),
                                   "OUTPUT_LSI": str(d / "lr.tif")})
    ev = run_alg("evaluate", {"LSI": [lr["OUTPUT_LSI"], lsnet["OUTPUT_LSI"]],
                              "SAMPLES": foot["samples"], "OUTPUT": "TEMPORARY_OUTPUT",
                              "OUTPUT_RESULTS": str(d / "results.json")})
    auroc = {f["model"]: f["auroc"] for f in ev["OUTPUT"].getFeatures()}
    assert auroc["LSNet"] > 0.9, auroc
    assert auroc["LSNet"] > auroc["Logistic regression"] + 0.2, auroc
    history = list(lsnet["OUTPUT_HISTORY"].getFeatures())
    assert 1 <= len(history) <= 25 and history[0]["epoch"] == 1
    assert Path(lsnet["OUTPUT_MODEL"] + ".json").exists()


def test_save_load_predict_gives_the_identical_lsi(run_alg, foot, lsnet, tmp_path):
    again = run_alg("predictlsi", {"MODEL": lsnet["OUTPUT_MODEL"], "STACK": foot["stack"],
                                   "OUTPUT": str(tmp_path / "again.tif")})
    first, nodata = read_raster(lsnet["OUTPUT_LSI"])
    second, _ = read_raster(again["OUTPUT"])
    assert np.array_equal(first, second)
    assert first.min() >= 0 and first.max() <= 1 and (first != nodata).all()


def test_a_raw_stack_is_required_and_a_modified_model_refused(run_alg, foot, lsnet, tmp_path):
    model = Path(lsnet["OUTPUT_MODEL"])
    copy = tmp_path / "copy.keras"
    copy.write_bytes(model.read_bytes()[:-20] + b"x" * 20)
    Path(str(copy) + ".json").write_text(Path(str(model) + ".json").read_text())
    with pytest.raises(QgsProcessingException, match="modified"):
        run_alg("predictlsi", {"MODEL": str(copy), "STACK": foot["stack"],
                               "OUTPUT": str(tmp_path / "x.tif")})
    assert not (tmp_path / "x.tif").exists()


def _worker_pids() -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"landslide_lsm_plugin.lsnet.worker" in cmd:
                pids.append(int(proc.name))
    return pids


def test_cancel_kills_the_worker_fast_and_leaves_nothing(run_alg, foot, tmp_path):
    feedback = QgsProcessingFeedback()
    asked = {}

    def on_progress(value):
        if value > 0 and "at" not in asked:
            asked["at"] = time.perf_counter()
            feedback.cancel()

    feedback.progressChanged.connect(on_progress)
    with pytest.raises(QgsProcessingException, match="Canceled"):
        run_alg("trainlsnet", dict(QUICK, EPOCHS=500, STACK=foot["stack"],
                                   SAMPLES=foot["samples"],
                                   OUTPUT_MODEL=str(tmp_path / "c.keras"),
                                   OUTPUT_LSI=str(tmp_path / "c.tif")),
                context=QgsProcessingContext(), feedback=feedback)
    assert time.perf_counter() - asked["at"] < 2.0
    assert _worker_pids() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_killed_worker_is_a_clear_error_with_no_output(run_alg, foot, tmp_path):
    def kill_worker_when_it_runs():
        deadline = time.time() + 60
        while time.time() < deadline:
            pids = _worker_pids()
            if pids:
                time.sleep(3)  # let it start training
                for pid in _worker_pids():
                    os.kill(pid, signal.SIGKILL)
                return
            time.sleep(0.1)

    killer = threading.Thread(target=kill_worker_when_it_runs)
    killer.start()
    with pytest.raises(QgsProcessingException, match="killed"):
        run_alg("trainlsnet", dict(QUICK, EPOCHS=500, STACK=foot["stack"],
                                   SAMPLES=foot["samples"],
                                   OUTPUT_MODEL=str(tmp_path / "k.keras")))
    killer.join()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_ecuador_lsnet_trains_and_maps_end_to_end(run_alg, ecuador, tmp_path):
    stack = run_alg("buildstack", {"CONTINUOUS": [str(ecuador / "ta.tif")],
                                   "OUTPUT": str(tmp_path / "stack.tif")})["OUTPUT"]
    samples = run_alg("preparesamples", {
        "INVENTORY": str(ecuador / "lsl_points.gpkg"), "STACK": stack, "LABEL_FIELD": "lslpts",
        "OUTPUT": str(tmp_path / "samples.gpkg")})["OUTPUT"]
    result = run_alg("trainlsnet", {"STACK": stack, "SAMPLES": samples, "EPOCHS": 8,
                                    "OUTPUT_MODEL": str(tmp_path / "lsnet.keras"),
                                    "OUTPUT_LSI": str(tmp_path / "lsnet.tif")})
    lsi, nodata = read_raster(result["OUTPUT_LSI"])
    stack_band, stack_nodata = read_raster(stack)
    assert lsi.shape == (415, 383)
    assert np.array_equal(lsi == nodata, stack_band == stack_nodata)
    valid = lsi[lsi != nodata]
    assert valid.min() >= 0 and valid.max() <= 1 and valid.std() > 0
    ev = run_alg("evaluate", {"LSI": [result["OUTPUT_LSI"]], "SAMPLES": samples,
                              "OUTPUT": "TEMPORARY_OUTPUT",
                              "OUTPUT_RESULTS": str(tmp_path / "r.json")})
    assert next(ev["OUTPUT"].getFeatures())["auroc"] > 0.4
    with pytest.raises(QgsProcessingException, match="raw factor stack"):
        fr = run_alg("frequencyratio", {"STACK": stack, "SAMPLES": samples,
                                        "OUTPUT": str(tmp_path / "fr.tif"),
                                        "OUTPUT_TABLE": "TEMPORARY_OUTPUT"})["OUTPUT"]
        run_alg("trainlsnet", {"STACK": fr, "SAMPLES": samples, "EPOCHS": 1,
                               "OUTPUT_MODEL": str(tmp_path / "x.keras")})
