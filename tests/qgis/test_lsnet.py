"""LSNet through processing.run: it sees neighbourhoods, maps the same after a reload and in
any block size, stops at once on cancel, reports a killed or crashed worker with its last
words, runs in the Python the plugin setting names, and runs on the real Ecuador data.
TensorFlow only ever runs in the worker process (test_zz_guardrails checks this process)."""

import json
import os
import re
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsSettings,
)
from synthetic_foot import make_foot_area

from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.progress import Progress
from landslide_lsm_plugin.lsnet import client

from ..conftest import read_raster
from ..lsnet_pythons import GOOD_PYTHON, python_without_tensorflow
from .helpers import run

QUICK = {"EPOCHS": 25, "PATIENCE": 25, "SEED": 7}


@pytest.fixture(scope="module")
def foot(tmp_path_factory, plugin):
    d = tmp_path_factory.mktemp("foot")
    area = make_foot_area(d, seed=3)
    samples = run("preparesamples", {
        "INVENTORY": str(area["points"]), "STACK": str(area["stack"]), "LABEL_FIELD": "label",
        "SEED": 5, "OUTPUT": str(d / "samples.gpkg")})["OUTPUT"]
    return {"dir": d, "stack": str(area["stack"]), "samples": samples}


@pytest.fixture(scope="module")
def lsnet(foot, plugin):
    d = foot["dir"]
    result = run("trainlsnet", dict(
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


def test_the_same_seed_trains_the_same_model(foot, lsnet, tmp_path):
    """Seeded draws and TensorFlow's deterministic ops: a second run with the same seed (no
    time budget, so the machine's load cannot stop it elsewhere) gives the same epochs, the
    same early-stopping scores and the same map, cell for cell."""
    again = run("trainlsnet", dict(
        QUICK, STACK=foot["stack"], SAMPLES=foot["samples"], TIME_BUDGET=0,
        OUTPUT_MODEL=str(tmp_path / "again.keras"), OUTPUT_HISTORY="TEMPORARY_OUTPUT",
        OUTPUT_LSI=str(tmp_path / "again.tif")))
    first = json.loads(Path(lsnet["OUTPUT_MODEL"] + ".json").read_text())
    second = json.loads(Path(again["OUTPUT_MODEL"] + ".json").read_text())
    assert first["best_epoch"] == second["best_epoch"]
    assert [e["val_auroc"] for e in first["history"]] == \
        [e["val_auroc"] for e in second["history"]]
    assert [e["loss"] for e in first["history"]] == [e["loss"] for e in second["history"]]
    a, _ = read_raster(lsnet["OUTPUT_LSI"])
    b, _ = read_raster(again["OUTPUT_LSI"])
    assert np.array_equal(a, b)


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
    """The LSNet workers started by this test process (not by other runs on the machine)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
                parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if b"landslide_lsm_plugin.lsnet.worker" in cmd and parent == os.getpid():
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


class RecordingFeedback(QgsProcessingFeedback):
    """A real Processing feedback that also keeps what the algorithm told it."""

    def __init__(self) -> None:
        super().__init__()
        self.infos: list[str] = []
        self.percents: list[float] = []
        self.progressChanged.connect(self.percents.append)

    def pushInfo(self, info: str) -> None:
        self.infos.append(info)
        super().pushInfo(info)


EPOCH_LINE = re.compile(r"^epoch 1/500: loss \d+\.\d{4}, early-stopping loss \d+\.\d{4}, "
                        r"AUROC (\d\.\d{3}|nan) \(\d+\.\d s\)$")


@pytest.mark.parametrize("sig, how, last_words", [
    (signal.SIGKILL, "was killed (signal 9, SIGKILL: out of memory", "LSNet worker "),
    (signal.SIGSEGV, "crashed (signal 11, SIGSEGV)", "Fatal Python error: Segmentation fault"),
], ids=["SIGKILL", "SIGSEGV"])
def test_a_killed_worker_is_a_clear_error_with_no_output(run_alg, foot, tmp_path, sig, how,
                                                         last_words):
    """The worker is killed (or crashes) in the middle of training, after its first epoch:
    progress and epoch lines reached the feedback, and the error carries the worker's own last
    words from stderr (its start line; the stack faulthandler prints on a crash)."""
    feedback = RecordingFeedback()
    killed = []

    def kill_worker_after_its_first_epoch():
        deadline = time.time() + 120
        while time.time() < deadline and not any(i.startswith("epoch 1/") for i in
                                                  feedback.infos):
            time.sleep(0.05)
        for pid in _worker_pids():
            os.kill(pid, sig)
            killed.append(pid)

    killer = threading.Thread(target=kill_worker_after_its_first_epoch)
    killer.start()
    with pytest.raises(QgsProcessingException) as err:
        run_alg("trainlsnet", dict(QUICK, EPOCHS=500, STACK=foot["stack"],
                                   SAMPLES=foot["samples"],
                                   OUTPUT_MODEL=str(tmp_path / "k.keras")),
                context=QgsProcessingContext(), feedback=feedback)
    killer.join()
    text = str(err.value)
    assert len(killed) == 1
    assert f"The LSNet worker {how}" in text and "Its last messages:" in text
    assert f"LSNet worker {killed[0]}: train with Python " in text  # its stderr start line
    assert last_words in text.split("Its last messages:")[1]
    if sig == signal.SIGSEGV:  # faulthandler's stack names where the worker was
        assert re.search(r'File ".*worker\.py", line \d+ in train', text), text
    # what the worker reported before it died reached the feedback
    assert any(i.startswith("LSNet worker: TensorFlow ") for i in feedback.infos)
    assert any(EPOCH_LINE.match(i) for i in feedback.infos), feedback.infos
    assert feedback.percents and 0 < max(feedback.percents) < 5
    assert feedback.percents == sorted(feedback.percents)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_blocks_with_a_halo_map_exactly_as_one_block(foot, lsnet, tmp_path):
    """220 x 220 cells in blocks of 70 (16 blocks, the last ones 10 cells wide) with a halo
    of window - 1 cells: the same map as one block, cells at the seams included."""
    model = lsnet["OUTPUT_MODEL"]
    one = client.predict_lsnet(model, foot["stack"], str(tmp_path / "one.tif"), block=512)
    blocks = []
    tiled = client.predict_lsnet(model, foot["stack"], str(tmp_path / "tiled.tif"), block=70,
                                 progress=Progress(on_percent=blocks.append))
    assert len(blocks) == 16  # the worker reports once per block: it did map in blocks
    assert one.valid_cells == tiled.valid_cells == 220 * 220
    a, _ = read_raster(one.path)
    b, _ = read_raster(tiled.path)
    assert a.shape == (220, 220)
    assert np.abs(a - b).max() < 1e-5
    at = np.arange(220) % 70
    seam = np.isin(at, (68, 69, 0, 1)) & (np.arange(220) > 1)  # 2 cells either side
    near = seam[:, None] | seam[None, :]
    assert near.sum() > 5000 and a[near].std() > 0.01  # varied values: a real comparison
    assert np.abs(a[near] - b[near]).max() < 1e-5
    with pytest.raises(LsmError, match="blocks of at least 1 x 1 cells"):
        client.predict_lsnet(model, foot["stack"], str(tmp_path / "none.tif"), block=0)
    assert not (tmp_path / "none.tif").exists()


def test_the_plugin_setting_chooses_the_worker_python(run_alg, foot, lsnet, tmp_path,
                                                      monkeypatch):
    """Setting > LANDSLIDE_LSM_PYTHON, through the real QGIS setting and algorithm."""
    key = "Processing/Configuration/LANDSLIDE_LSM_PYTHON"
    no_tf = python_without_tensorflow(tmp_path)
    settings = QgsSettings()
    before = settings.value(key, "")
    params = {"MODEL": lsnet["OUTPUT_MODEL"], "STACK": foot["stack"],
              "OUTPUT": str(tmp_path / "lsi.tif")}
    try:
        settings.setValue(key, no_tf)
        monkeypatch.setenv(client.ENV_VAR, GOOD_PYTHON)
        with pytest.raises(QgsProcessingException, match="plugin setting") as err:
            run_alg("predictlsi", params)
        assert f"({no_tf}) cannot import tensorflow" in str(err.value)
        assert not (tmp_path / "lsi.tif").exists()

        settings.setValue(key, GOOD_PYTHON)
        monkeypatch.setenv(client.ENV_VAR, no_tf)  # would fail, were it used
        feedback = RecordingFeedback()
        run_alg("predictlsi", params, context=QgsProcessingContext(), feedback=feedback)
        assert any(i.startswith("LSNet worker: TensorFlow ") and
                   i.endswith(f"Python {GOOD_PYTHON}") for i in feedback.infos), feedback.infos
        assert (tmp_path / "lsi.tif").exists()
    finally:
        if before:
            settings.setValue(key, before)
        else:
            settings.remove(key)


def test_ecuador_lsnet_trains_and_maps_end_to_end(run_alg, ecuador, tmp_path):
    stack = run_alg("buildstack", {"CONTINUOUS": [str(ecuador / "ta.tif")],
                                   "OUTPUT": str(tmp_path / "stack.tif")})["OUTPUT"]
    samples = run_alg("preparesamples", {
        "INVENTORY": str(ecuador / "lsl_points.gpkg"), "STACK": stack, "LABEL_FIELD": "lslpts",
        "OUTPUT": str(tmp_path / "samples.gpkg")})["OUTPUT"]
    # seed 42 (the default): the early-stopping AUROC peaks at epoch 19, and the map then
    # reaches AUROC 0.70 on the validation landslides (0.61 after 8 epochs; a logistic
    # regression reaches about 0.8 on these points: LSNet is not the model for 350 points)
    result = run_alg("trainlsnet", {"STACK": stack, "SAMPLES": samples, "EPOCHS": 20,
                                    "SEED": 42, "OUTPUT_MODEL": str(tmp_path / "lsnet.keras"),
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
    assert next(ev["OUTPUT"].getFeatures())["auroc"] > 0.65  # measured 0.701
    with pytest.raises(QgsProcessingException, match="raw factor stack"):
        fr = run_alg("frequencyratio", {"STACK": stack, "SAMPLES": samples,
                                        "OUTPUT": str(tmp_path / "fr.tif"),
                                        "OUTPUT_TABLE": "TEMPORARY_OUTPUT"})["OUTPUT"]
        run_alg("trainlsnet", {"STACK": fr, "SAMPLES": samples, "EPOCHS": 1,
                               "OUTPUT_MODEL": str(tmp_path / "x.keras")})


def test_defaults_bound_the_run_and_the_log_says_which_limit_stopped_it(run_alg, foot,
                                                                       tmp_path):
    """Patches per epoch, samples drawn by landslide and a time budget: the log names each
    limit with its parameter, the history ends where the budget ran out, and the best epoch
    so far is kept."""
    feedback = RecordingFeedback()
    out = run_alg("trainlsnet", dict(QUICK, EPOCHS=500, PATIENCE=500, MAX_SAMPLES=150,
                                     PATCHES_PER_EPOCH=40, TIME_BUDGET=0.05,
                                     STACK=foot["stack"], SAMPLES=foot["samples"],
                                     OUTPUT_MODEL=str(tmp_path / "b.keras"),
                                     OUTPUT_HISTORY="TEMPORARY_OUTPUT"),
                  context=QgsProcessingContext(), feedback=feedback)
    log = "\n".join(feedback.infos)
    assert "training samples are used, drawn as a share of every landslide's cells" in log
    assert "(parameter 'Maximum training samples'; 0 = all)" in log
    assert "each epoch trains on 40 of the" in log and "'Patches per epoch'" in log
    assert re.search(r"Time budget of 0\.05 minutes reached after epoch (\d+) \(parameter "
                     r"'Time budget'\); epoch \d+, the best so far, is kept\.", log), log
    history = list(out["OUTPUT_HISTORY"].getFeatures())
    assert 1 <= len(history) < 500
    meta = json.loads(Path(out["OUTPUT_MODEL"] + ".json").read_text())
    assert meta["patches_per_epoch"] == 40 and meta["epochs_run"] == len(history)
    assert meta["n_train"] + meta["n_early_stopping"] <= 160
    assert 1 <= out["BEST_EPOCH"] <= len(history)
