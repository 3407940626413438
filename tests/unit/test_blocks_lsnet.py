"""LSNet's map as a raster stage (lsnet.tasks): the map the LSNet worker makes in one block
equals the map of a local Dask cluster of worker processes in small blocks, with the same tags,
and the process that sends the tasks never imports TensorFlow."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal

from landslide_lsm_plugin.core import stack as stk
from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.progress import Progress
from landslide_lsm_plugin.core.raster import FLOAT_NODATA
from landslide_lsm_plugin.lsnet import client

from ..conftest import write_raster
from ..lsnet_pythons import GOOD_PYTHON

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
ROWS, COLS, WINDOW = 150, 170, 96

# Run in a child process (it imports tensorflow): an untrained patch network whose batch
# normalisation has varied statistics (as after training), saved as a .keras file.
_BUILD_MODEL = r"""
import sys
import keras
import numpy as np
from landslide_lsm_plugin.lsnet.network import build_patch_model

keras.utils.set_random_seed(3)
model = build_patch_model(int(sys.argv[2]), int(sys.argv[3]), 0.25, center_skip=True)
for layer in model.layers:
    if layer.name.startswith("bn"):
        g, b, m, v = layer.get_weights()
        rng = np.random.default_rng(len(layer.name))
        layer.set_weights([rng.uniform(0.5, 1.5, g.shape), rng.normal(0, 0.3, b.shape),
                           rng.normal(0, 0.2, m.shape), rng.uniform(0.5, 2.0, v.shape)])
model.save(sys.argv[1])
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A 150 x 170 stack (continuous, categorical with a code the model never saw, aspect; a
    nodata corner) and a tiny LSNet model of it with its sidecar."""
    d = tmp_path_factory.mktemp("lsnet_blocks")
    rng = np.random.default_rng(4)
    yy, xx = np.mgrid[0:ROWS, 0:COLS]
    slope = (20 + 10 * np.sin(xx / 9.0) * np.cos(yy / 13.0)
             + rng.normal(0, 2, (ROWS, COLS))).astype(np.float32)
    slope[:12, :20] = -9999
    litho = (1 + (xx // 40 + yy // 50) % 3).astype(np.float32)
    litho[100:110, 30:60] = 4  # never seen in training: all-zero one-hot channels
    aspect = rng.uniform(0, 360, (ROWS, COLS)).astype(np.float32)
    aspect[60:70, 60:70] = -1  # flat
    factors = []
    for name, data, kind in (("slope", slope, "continuous"), ("litho", litho, "categorical"),
                             ("aspect", aspect, "aspect")):
        path = write_raster(d / f"{name}.tif", data)
        factors.append(stk.Factor(name, str(path), kind=kind,
                                  resampling="bilinear" if kind == "continuous" else "nearest"))
    stack = d / "stack.tif"
    stk.build_stack(factors, str(stack))
    model = d / "tiny.keras"
    prep = {"factors": ["slope", "litho", "aspect"],
            "kinds": ["continuous", "categorical", "aspect"],
            "means": {"slope": 20.0}, "stds": {"slope": 7.0},
            "codes": {"litho": [1.0, 2.0, 3.0]},
            "channels": ["slope", "litho=1", "litho=2", "litho=3", "aspect_east",
                         "aspect_north"]}
    proc = subprocess.run([GOOD_PYTHON, "-c", _BUILD_MODEL, str(model), str(WINDOW), "6"],
                          capture_output=True, text=True, timeout=300,
                          env={**client._child_env(), "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    sidecar = {"format": "landslide-lsm-lsnet", "format_version": 1, "name": "Tiny LSNet",
               "model_type": "lsnet", "encoding": "raw", "factors": prep["factors"],
               "factor_kinds": prep["kinds"], "window": WINDOW, "center": WINDOW // 2,
               "width": 0.25, "preprocessing": prep, "cv_score": 0.75,
               "training_time_s": 1.5,
               "keras_sha256": hashlib.sha256(model.read_bytes()).hexdigest()}
    Path(str(model) + ".json").write_text(json.dumps(sidecar), encoding="utf-8")
    return {"dir": d, "stack": str(stack), "model": str(model)}


def raster_of(path: str) -> tuple[np.ndarray, dict]:
    ds = gdal.Open(path)
    tags = ds.GetMetadata()
    return ds.GetRasterBand(1).ReadAsArray(), tags


def hidden_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_the_worker_map_equals_the_dask_map_in_small_blocks(tiny, dask_client, tmp_path):
    tensorflow_before = "tensorflow" in sys.modules
    here = client.predict_lsnet(tiny["model"], tiny["stack"], str(tmp_path / "here.tif"),
                                python=GOOD_PYTHON, name="tiny")
    percents: list = []
    there = client.predict_lsnet(tiny["model"], tiny["stack"], str(tmp_path / "there.tif"),
                                 name="tiny", block=64, client=dask_client,
                                 progress=Progress(on_percent=percents.append))
    # the tasks ran on the Dask workers: TensorFlow never entered this process
    assert tensorflow_before or "tensorflow" not in sys.modules
    assert here.engine.startswith("LSNet worker, in-process")
    assert there.engine.startswith("Dask (tcp://") and "2 workers" in there.engine
    assert there.valid_cells == here.valid_cells == ROWS * COLS - 12 * 20
    assert there.unseen_category_cells == here.unseen_category_cells == 10 * 30
    assert here.messages == there.messages and len(there.messages) == 2  # unsigned, unseen
    assert "never saw in training" in there.messages[1]
    assert percents == sorted(percents) and 1 <= len(percents) <= 9 and percents[-1] == 100
    a, tags_a = raster_of(here.path)
    b, tags_b = raster_of(there.path)
    assert a.shape == (ROWS, COLS)
    assert np.array_equal(a == FLOAT_NODATA, b == FLOAT_NODATA)
    assert (a == FLOAT_NODATA).sum() == 12 * 20
    valid = a != FLOAT_NODATA
    assert a[valid].std() > 1e-3  # varied values: a real comparison
    assert np.abs(a[valid].astype(float) - b[valid]).max() <= 1e-6
    assert float(tags_a.pop("LSM_MAP_TIME")) >= 0 and float(tags_b.pop("LSM_MAP_TIME")) >= 0
    assert tags_a == tags_b
    assert tags_a["LSM_MODEL_TYPE"] == "lsnet" and tags_a["LSM_MODEL_NAME"] == "tiny"
    assert tags_a["LSM_MODEL_FILE"] == str(Path(tiny["model"]).resolve())
    assert hidden_files(tmp_path) == []


def test_a_model_that_does_not_match_its_sidecar_is_refused_before_any_task(tiny, dask_client,
                                                                           tmp_path):
    model = tmp_path / "changed.keras"
    data = bytearray(Path(tiny["model"]).read_bytes())
    data[-10] ^= 0xFF
    model.write_bytes(bytes(data))
    Path(str(model) + ".json").write_bytes(Path(tiny["model"] + ".json").read_bytes())
    with pytest.raises(LsmError, match="does not match its sidecar"):
        client.predict_lsnet(str(model), tiny["stack"], str(tmp_path / "none.tif"),
                             client=dask_client)
    with pytest.raises(LsmError, match="blocks of at least 1 x 1 cells"):
        client.predict_lsnet(tiny["model"], tiny["stack"], str(tmp_path / "none.tif"),
                             block=0, client=dask_client)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["changed.keras",
                                                          "changed.keras.json"]
