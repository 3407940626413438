"""LSNet pieces that run without tensorflow here, and the dense form checked in a child
process (tensorflow never enters the test process)."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.lsnet import client
from landslide_lsm_plugin.lsnet import patches as lp

ROOT = Path(__file__).resolve().parents[2]


def test_dense_form_equals_per_patch_prediction():
    proc = subprocess.run([sys.executable, str(Path(__file__).parent / "scripts" /
                                               "lsnet_dense_check.py")],
                          capture_output=True, text=True, timeout=600,
                          env={**client._child_env(), "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    for case, r in report.items():
        assert r["shape"] == [23, 31], case
        assert r["spread"] > 1e-3, case  # the outputs differ across cells: a real comparison
        assert r["max_abs_diff"] < 1e-5, case


def test_reflect_index_mirrors_without_repeating_the_edge():
    assert lp.reflect_index(np.arange(-3, 8), 5).tolist() == [3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1]
    assert lp.reflect_index(np.arange(-2, 3), 1).tolist() == [0, 0, 0, 0, 0]


def test_read_padded_reflects_beyond_the_edges(raster):
    data = np.arange(30, dtype=np.float32).reshape(5, 6)
    data[0, 0] = -9999
    from osgeo import gdal

    ds = gdal.Open(str(raster("r.tif", data)))
    values, valid = lp.read_padded(ds, -2, -1, 8, 9)
    expected = np.pad(data, ((2, 1), (1, 2)), mode="reflect")
    assert np.array_equal(values[0], expected)
    assert not valid[2, 1] and valid.sum() == valid.size - 1  # the nodata cell, once


def test_check_window():
    for good in lp.VALID_WINDOWS:
        lp.check_window(good)
    for bad in (32, 64, 100, 112):
        with pytest.raises(ValueError, match="96 \\+ 32k"):
            lp.check_window(bad)


def test_preprocessing_standardises_one_hot_and_aspect():
    raw = np.zeros((3, 2, 2))
    raw[0] = [[1.0, 3.0], [5.0, 7.0]]
    raw[1] = [[2, 2], [4, 9]]
    raw[2] = [[0.0, 90.0], [-1.0, 180.0]]
    valid = np.array([[True, True], [True, False]])
    prep = lp.fit_preprocessing(["elev", "litho", "aspect"],
                                ["continuous", "categorical", "aspect"], [(raw, valid)])
    assert prep.channel_names == ["elev", "litho=2", "litho=4", "aspect_east", "aspect_north"]
    assert prep.means["elev"] == pytest.approx(3.0)
    out, unseen = prep.apply(raw, valid)
    assert out[0, 0, 0] == pytest.approx((1 - 3) / np.std([1, 3, 5]))
    assert out[0, 0, 1:3].tolist() == [1.0, 0.0] and out[1, 0, 1:3].tolist() == [0.0, 1.0]
    assert np.allclose(out[0, 1, 3:], [1.0, 0.0], atol=1e-6)  # east-facing
    assert np.allclose(out[1, 0, 3:], [0.0, 0.0])  # flat
    assert np.all(out[1, 1] == 0) and unseen == 0  # invalid cell: zeros
    raw2 = raw.copy()
    raw2[1, 0, 0] = 7  # a code never seen in training
    _, unseen = prep.apply(raw2, valid)
    assert unseen == 1


def test_dihedral_turns_aspect_with_the_patch():
    """A patch whose downslope direction points east (aspect 90) in every cell: after each
    flip/rotation the aspect channels must agree with the moved terrain."""
    h = w = 4
    yy, xx = np.mgrid[0:h, 0:w]
    elevation = -xx.astype(float)  # falls towards the east (increasing column)
    batch = np.zeros((1, h, w, 3), dtype=np.float32)
    batch[0, ..., 0] = elevation
    batch[0, ..., 1], batch[0, ..., 2] = 1.0, 0.0  # east, north components
    for op in range(8):
        out = lp.dihedral(batch, op, [(1, 2)])[0]
        elev = out[..., 0]
        # downslope direction from the moved elevation (rows grow southward)
        gy, gx = np.gradient(elev)
        east, north = -gx.mean(), gy.mean()
        norm = np.hypot(east, north)
        assert np.allclose(out[..., 1], east / norm), op
        assert np.allclose(out[..., 2], north / norm), op


def test_auroc_matches_scikit_learn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    s = np.round(rng.random(200) + 0.3 * y, 2)  # with ties
    assert lp.auroc(y, s) == pytest.approx(roc_auc_score(y, s))


def test_worker_python_without_tensorflow_gives_the_install_command(monkeypatch, tmp_path):
    fake = tmp_path / "python-without-tf"
    fake.write_text("#!/bin/sh\nexec /usr/bin/python3 -S \"$@\"\n")
    fake.chmod(0o755)
    monkeypatch.setenv(client.ENV_VAR, str(fake))
    with pytest.raises(LsmError) as err:
        client.find_worker_python()
    text = str(err.value)
    assert client.ENV_VAR in text and "cannot import tensorflow" in text
    assert f"{fake} -m pip install tensorflow-cpu" in text
    with pytest.raises(LsmError, match="plugin setting"):
        client.find_worker_python(str(fake))
    with pytest.raises(LsmError, match="does not run"):
        client.find_worker_python(str(tmp_path / "no-such-python"))


def test_missing_sidecar_is_explained(tmp_path):
    model = tmp_path / "m.keras"
    model.write_bytes(b"PK")
    with pytest.raises(LsmError, match="sidecar"):
        client.read_sidecar(str(model))
