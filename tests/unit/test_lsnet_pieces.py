"""LSNet pieces that run without tensorflow here, and the dense form checked in a child
process (tensorflow never enters the test process)."""

import json
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.lsnet import client
from landslide_lsm_plugin.lsnet import patches as lp

from ..lsnet_pythons import (
    GOOD_PYTHON,
    broken_tensorflow_python,
    python_switched_by,
    python_without_tensorflow,
)

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
    from landslide_lsm_plugin.core.metrics import rank_auroc

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    s = np.round(rng.random(200) + 0.3 * y, 2)  # with ties
    assert rank_auroc(y, s) == pytest.approx(roc_auc_score(y, s))


def test_worker_python_without_tensorflow_gives_the_install_command(monkeypatch, tmp_path):
    fake = tmp_path / "python-without-tf"
    fake.write_text("#!/bin/sh\nexec /usr/bin/python3 -S \"$@\"\n")
    fake.chmod(0o755)
    monkeypatch.setenv(client.ENV_VAR, str(fake))
    with pytest.raises(LsmError) as err:
        client.find_worker_python()
    text = str(err.value)
    assert client.ENV_VAR in text and "cannot import tensorflow (not installed)" in text
    assert '-m pip install tensorflow "numpy<2" GDAL' in text
    with pytest.raises(LsmError, match="plugin setting"):
        client.find_worker_python(str(fake))
    with pytest.raises(LsmError, match="does not run"):
        client.find_worker_python(str(tmp_path / "no-such-python"))


def test_missing_sidecar_is_explained(tmp_path):
    model = tmp_path / "m.keras"
    model.write_bytes(b"PK")
    with pytest.raises(LsmError, match="sidecar"):
        client.read_sidecar(str(model))


# --- the worker's Python: which one, checked how --------------------------------------------

def test_the_setting_wins_over_the_environment_variable(monkeypatch, tmp_path):
    """Setting > LANDSLIDE_LSM_PYTHON > defaults; a named Python is used or refused, never
    silently swapped for another (the defaults here would find a good one)."""
    no_tf = python_without_tensorflow(tmp_path)
    monkeypatch.setenv(client.ENV_VAR, GOOD_PYTHON)
    with pytest.raises(LsmError) as err:
        client.find_worker_python(no_tf)
    assert "plugin setting" in str(err.value) and no_tf in str(err.value)
    assert client.ENV_VAR not in str(err.value).split("Install with")[0]
    monkeypatch.setenv(client.ENV_VAR, no_tf)
    assert client.find_worker_python(GOOD_PYTHON) == GOOD_PYTHON
    with pytest.raises(LsmError, match=f"environment variable {client.ENV_VAR}"):
        client.find_worker_python(None)
    monkeypatch.setenv(client.ENV_VAR, GOOD_PYTHON)
    assert client.find_worker_python(None) == GOOD_PYTHON


def test_the_default_python_can_import_tensorflow(monkeypatch):
    monkeypatch.delenv(client.ENV_VAR, raising=False)
    chosen = client.find_worker_python()
    candidates = client._default_candidates()
    assert chosen in candidates
    for earlier in candidates[:candidates.index(chosen)]:  # the first good one is taken
        assert not client.probe_python(earlier).ok, earlier
    proc = subprocess.run([chosen, "-c", "import tensorflow, keras; from osgeo import gdal_array"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_no_default_python_with_tensorflow_gives_the_install_command(monkeypatch, tmp_path):
    no_tf = python_without_tensorflow(tmp_path)
    monkeypatch.delenv(client.ENV_VAR, raising=False)
    monkeypatch.setattr(client, "_default_candidates",
                        lambda: [no_tf, str(tmp_path / "no-such-python")])
    with pytest.raises(LsmError) as err:
        client.find_worker_python()
    text = str(err.value)
    assert "none was found" in text and f"{no_tf} (cannot import tensorflow (not installed)" in text
    assert f"{tmp_path / 'no-such-python'} (" in text
    assert client.install_hint(no_tf, ["tensorflow"], probe=client.probe_python(no_tf)) in text
    assert "-m pip install tensorflow" in text and "Python for LSNet" in text
    assert client.ENV_VAR in text


def test_a_missing_tensorflow_is_not_remembered_a_working_one_is(tmp_path):
    marker = tmp_path / "tensorflow-installed"
    python = python_switched_by(tmp_path, marker)
    first = client.probe_python(python)
    assert not first.ok and first.missing == ["tensorflow", "numpy", "osgeo"]
    marker.touch()  # the user installs TensorFlow while QGIS runs
    assert client.probe_python(python).ok
    marker.unlink()
    started = time.perf_counter()
    again = client.probe_python(python)  # a good answer is cached: no new process
    assert again.ok and time.perf_counter() - started < 0.05
    client._probe_cache.pop(python)
    assert not client.probe_python(python).ok


def test_a_broken_tensorflow_fails_the_check_with_its_error(tmp_path):
    python = broken_tensorflow_python(tmp_path, (
        "raise ImportError('Traceback (most recent call last): ...\\n'\n"
        "                  'libtensorflow_framework.so.2: cannot open shared object file')\n"))
    # importlib finds this tensorflow: a find_spec check would have passed
    found = subprocess.run([python, "-c", "import importlib.util as u; "
                            "print(u.find_spec('tensorflow') is not None)"],
                           capture_output=True, text=True, timeout=60)
    assert found.stdout.strip() == "True"
    with pytest.raises(LsmError) as err:
        client.find_worker_python(python)
    text = str(err.value)
    assert ("cannot import tensorflow (ImportError: libtensorflow_framework.so.2: cannot open "
            "shared object file)") in text
    assert "numpy (" not in text and "osgeo (" not in text
    assert f"{python} -m pip install --force-reinstall tensorflow" in text
    assert python not in client._probe_cache


def test_a_hanging_or_crashing_tensorflow_import_is_named(tmp_path):
    hangs = broken_tensorflow_python(tmp_path / "a", "import time\ntime.sleep(60)\n")
    started = time.perf_counter()
    probe = client.probe_python(hangs, timeout=8)
    assert time.perf_counter() - started < 20
    assert probe.started and probe.missing == ["tensorflow"]
    assert probe.problems["tensorflow"] == "the import did not finish within 8 s"
    crashes = broken_tensorflow_python(tmp_path / "b", "import os\nos.abort()\n")
    probe = client.probe_python(crashes)
    assert probe.problems["tensorflow"].startswith("the import stopped Python (exit code -6)")
    assert probe.versions["numpy"] == np.__version__  # the project's (Debian 13+: numpy 2)


def test_install_hint_fits_the_platform():
    here = client.install_hint("py", ["tensorflow"])
    assert here.startswith("py -m pip install tensorflow")
    expected = {"darwin": "tensorflow-metal", "win32": "no GPU on native Windows"}
    assert expected.get(sys.platform, "tensorflow[and-cuda]") in here
    mac = client.install_hint("py", ["tensorflow"], platform="darwin")
    assert "tensorflow-cpu" not in mac and "py -m pip install tensorflow " in mac + " "
    for plat in ("linux", "win32"):
        hint = client.install_hint("py", ["tensorflow"], platform=plat)
        assert "py -m pip install tensorflow " in hint + " "
        assert "`tensorflow-cpu` instead of `tensorflow` is the smaller CPU-only build" in hint


def test_install_hint_keeps_numpy_below_2_and_avoids_a_system_python(tmp_path):
    no_tf = python_without_tensorflow(tmp_path)
    numpy1 = client.ProbeResult("py", problems={"tensorflow": "not installed"},
                                versions={"numpy": "1.26.4", "osgeo": "3.6.2"})
    assert 'py -m pip install tensorflow "numpy<2"' in client.install_hint(
        "py", ["tensorflow"], probe=numpy1)
    numpy2 = client.ProbeResult("py", problems={"tensorflow": "not installed"},
                                versions={"numpy": "2.1.0", "osgeo": "3.10.0"})
    assert "numpy" not in client.install_hint("py", ["tensorflow"], probe=numpy2)
    # Debian's /usr/bin/python3 refuses pip (PEP 668): the hint makes an environment instead
    probe = client.probe_python(no_tf)
    managed = (Path(sysconfig.get_paths()["stdlib"]) / "EXTERNALLY-MANAGED").exists()
    assert probe.externally_managed == managed
    hint = client.install_hint(no_tf, probe.missing, probe=probe)
    if managed:
        assert hint.startswith(f"{no_tf} -m venv --system-site-packages ~/lsnet-env && "
                               "~/lsnet-env/bin/python -m pip install tensorflow")


def test_an_unexpected_worker_error_shows_where_it_happened(tmp_path):
    # a job the client would never write (no model path): an error the worker did not expect
    job = {"command": "predict", "sidecar": {"format": "landslide-lsm-lsnet",
                                             "keras_sha256": "0" * 64, "factors": ["a"]},
           "stack": str(tmp_path / "stack.tif"), "lsi": str(tmp_path / "lsi.tif")}
    with pytest.raises(LsmError) as err:
        client.run_worker(job, GOOD_PYTHON)
    text = str(err.value)
    assert text.startswith("KeyError:") and "model_path" in text
    assert "The worker's last messages:" in text and "in predict" in text
