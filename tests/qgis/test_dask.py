"""The raster stages on Dask from QGIS and from the command line, on the session's sample
workflow (conftest.sample_workflow, made in-process by qgis_process):

- processing.run with the Scheduler parameter ('local:2') and with the plugin setting gives
  the maps the workflow made in-process; a canceled cluster run leaves no file; a bad
  scheduler is refused before any work;
- ``python -m landslide_lsm_plugin`` against a real ``dask scheduler`` with two ``dask
  worker`` processes that do not have the plugin (they get it from the client): every raster
  stage gives what the same command gives in-process, and the workflow's own SVM map.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import qgis_tools as qt
from osgeo import gdal
from qgis.core import QgsProcessingException, QgsSettings

from .feedback import Recorder
from .helpers import run

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def cells(path) -> np.ndarray:
    ds = gdal.Open(str(path))
    return ds.ReadAsArray()


def same_cells(a, b, tolerance: float = 0.0) -> bool:
    x, y = cells(a), cells(b)
    if x.shape != y.shape:
        return False
    if not tolerance:
        return bool(np.array_equal(x, y))
    return bool(np.abs(x.astype(float) - y).max() <= tolerance)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def files(sample_workflow, plugin) -> dict:
    return {key.split(":", 1)[1]: str(path) for key, path in sample_workflow["files"].items()}


def test_predict_with_the_scheduler_parameter_gives_the_workflows_map(files, tmp_path):
    feedback = Recorder()
    out = run("predictlsi", {"MODEL": files["SVM model"], "STACK": files["Factor stack"],
                             "SCHEDULER": "local:2", "OUTPUT": str(tmp_path / "lsi.tif")},
              feedback=feedback)
    # the workflow's Train algorithm mapped with other chunk sizes: BLAS may round the last bit
    assert same_cells(out["OUTPUT"], files["LSI SVM"], tolerance=1e-6)
    log = feedback.text()
    assert "Running on a local Dask cluster of 2 worker processes (The Scheduler parameter): " \
           "2 workers" in log
    assert "on Dask (tcp://127.0.0.1:" in log
    ds = gdal.Open(out["OUTPUT"])
    assert ds.GetMetadata("IMAGE_STRUCTURE").get("LAYOUT") == "COG"
    assert (tmp_path / "lsi.qml").exists() and leftovers(tmp_path) == []


def test_the_plugin_setting_runs_zoning_and_fr_on_a_local_cluster(files, tmp_path):
    from landslide_lsm_plugin.processing.base import SCHEDULER_SETTING

    key = f"Processing/Configuration/{SCHEDULER_SETTING}"
    settings = QgsSettings()
    params = {"INPUT": files["LSI SVM"], "METHOD": 0, "CLASSES": 5}
    fr_params = {"STACK": files["Factor stack"], "SAMPLES": files["Training samples"],
                 "OUTPUT_TABLE": "TEMPORARY_OUTPUT"}
    here = run("classifylsi", dict(params, OUTPUT=str(tmp_path / "zones_here.tif")))
    fr_here = run("frequencyratio", dict(fr_params, OUTPUT=str(tmp_path / "fr_here.tif")))
    settings.setValue(key, "local:2")
    try:
        feedback = Recorder()
        there = run("classifylsi", dict(params, OUTPUT=str(tmp_path / "zones_there.tif")),
                    feedback=feedback)
        fr_there = run("frequencyratio", dict(fr_params, OUTPUT=str(tmp_path / "fr_there.tif")))
        # the parameter wins over the setting
        plain = Recorder()
        run("classifylsi", dict(params, SCHEDULER="in-process",
                                OUTPUT=str(tmp_path / "zones_plain.tif")), feedback=plain)
    finally:
        settings.remove(key)
    assert "(The plugin setting 'Dask scheduler')" in feedback.text()
    assert "Dask" not in plain.text()
    assert same_cells(here["OUTPUT"], there["OUTPUT"])
    assert same_cells(here["OUTPUT"], tmp_path / "zones_plain.tif")
    assert here["BREAKS_USED"] == there["BREAKS_USED"]
    assert same_cells(fr_here["OUTPUT"], fr_there["OUTPUT"])
    assert fr_here["FINGERPRINT"] == fr_there["FINGERPRINT"]
    assert leftovers(tmp_path) == []


def test_a_canceled_cluster_run_leaves_no_file_and_a_bad_scheduler_is_refused(files, tmp_path):
    feedback = Recorder(cancel_at=1)
    with pytest.raises(QgsProcessingException, match="Canceled"):
        run("applicability", {"STACK": files["Factor stack"], "SAMPLES": files["Training samples"],
                              "SCHEDULER": "local:2", "OUTPUT_DI": str(tmp_path / "di.tif"),
                              "OUTPUT_MASK": str(tmp_path / "aoa.tif")}, feedback=feedback)
    time.sleep(1.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    with pytest.raises(QgsProcessingException) as caught:
        run("predictlsi", {"MODEL": files["SVM model"], "STACK": files["Factor stack"],
                           "SCHEDULER": "my cluster", "OUTPUT": str(tmp_path / "lsi.tif")})
    assert "The Scheduler parameter is 'my cluster', which is neither empty" in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --- a local cluster where sys.executable is QGIS, not Python -----------------------------------

def workers_python(log: str) -> str:
    """The Python a local cluster's workers ran in, as the log names it."""
    line = next((x for x in log.splitlines() if "Running on a local Dask cluster" in x), "")
    assert ": 2 workers in " in line, log[-3000:]
    return line.split(": 2 workers in ", 1)[1].split(";")[0]


def test_qgis_process_starts_its_local_cluster_in_a_python_of_its_own(files, tmp_path):
    """qgis_process is a QGIS binary: a local cluster cannot spawn workers from it (a Python
    started by multiprocessing would get QGIS's module path); its workers are `dask worker`
    processes in the Python the plugin chooses, like the LSNet worker's."""
    env = qt.headless_profile(tmp_path / "profiles")
    proc = qt.qgis_process(tmp_path / "profiles", [
        "run", "landslide_lsm:predictlsi", "--", f"MODEL={files['SVM model']}",
        f"STACK={files['Factor stack']}", "SCHEDULER=local:2",
        f"OUTPUT={tmp_path / 'lsi.tif'}"], env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "qgis" not in Path(workers_python(proc.stdout + proc.stderr)).name.lower()
    assert same_cells(tmp_path / "lsi.tif", files["LSI SVM"], tolerance=1e-6)
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run missing")
def test_the_desktop_runs_an_algorithm_on_a_local_cluster(files, tmp_path, artifacts):
    """The QGIS desktop under Xvfb runs Classify LSI on local:2 and loads its zones on the
    canvas (check_plugin.py runs the script in QGIS's main thread): the same zones as
    in-process."""
    from .test_desktop import HERE, start_desktop

    here = run("classifylsi", {"INPUT": files["LSI SVM"], "METHOD": 0, "CLASSES": 5,
                               "OUTPUT": str(tmp_path / "zones_here.tif")})
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"algorithm": "landslide_lsm:classifylsi", "parameters": {
        "INPUT": files["LSI SVM"], "METHOD": 0, "CLASSES": 5, "SCHEDULER": "local:2",
        "OUTPUT": str(tmp_path / "zones_there.tif")}}))
    qt.make_profile(tmp_path / "desktop")
    result = start_desktop(tmp_path / "desktop", artifacts / "desktop_local_cluster.png",
                           LSM_DESKTOP_EXTRA=str(HERE / "run_on_local_cluster.py"),
                           LSM_DASK_JOB=str(job))
    assert result["errors"] == [], result["errors"]
    dask = result["dask"]
    assert "error" not in dask, dask
    # sys.executable here is QGIS's guess (whatever python3 is first on PATH, or QGIS): the
    # workers' Python is the one the plugin checked, named in the log
    python = workers_python("\n".join(dask["log"]))
    assert "qgis" not in Path(python).name.lower(), (python, dask["sys_executable"])
    assert same_cells(here["OUTPUT"], tmp_path / "zones_there.tif")
    assert dask["outputs"]["BREAKS_USED"] == here["BREAKS_USED"]
    assert dask["layers"] == ["Susceptibility zones"]
    assert leftovers(tmp_path) == []


# --- the command line against a running cluster ------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def bare_cluster(tmp_path_factory):
    """A Dask scheduler and two single-thread workers started as a cluster job would start
    them (``dask scheduler``, ``dask worker``), in a folder of their own and without the plugin
    on their path: the client sends it to them."""
    folder = tmp_path_factory.mktemp("bare-cluster")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONNOUSERSITE"] = "1"
    procs = [subprocess.Popen([str(VENV_BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"], cwd=folder, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        probe = subprocess.run([sys.executable, "-c",
                                "import landslide_lsm_plugin"], cwd=folder, env=env,
                               capture_output=True, timeout=60)
        assert probe.returncode != 0, "the workers' Python must not find the plugin by itself"
        procs.append(subprocess.Popen(
            [str(VENV_BIN / "dask"), "worker", address, "--nworkers", "2", "--nthreads", "1",
             "--no-dashboard"], cwd=folder, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL))
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "landslide_lsm_plugin", *args, "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={k: v for k, v in os.environ.items()
                               if k != "LANDSLIDE_LSM_SCHEDULER"})


def test_the_command_line_runs_every_raster_stage_on_a_cluster_as_in_process(
        files, bare_cluster, tmp_path):
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    there.mkdir()
    area = Path(files["Factor stack"]).parent / "sample_area"
    factors = [f"--factor={p.stem}={p}" for p in sorted(area.glob("*.tif"))[:3]]
    commands = {
        "stack": ["stack", "{out}/stack.tif", *factors],
        "predict": ["predict", files["SVM model"], files["Factor stack"], "{out}/lsi.tif"],
        "predict LSNet": ["predict", files["LSNet model"], files["Factor stack"],
                          "{out}/lsi_lsnet.tif"],
        "fr": ["fr", files["Factor stack"], files["Training samples"], "{out}/fr.tif",
               "--classes", "6"],
        "zones": ["zones", files["LSI SVM"], "{out}/zones.tif", "--classes", "5"],
        "applicability": ["applicability", files["Factor stack"], files["Training samples"],
                          "{out}/di.tif", "{out}/aoa.tif"],
        "evaluate": ["evaluate", files["Training samples"], files["LSI SVM"], files["LSI KLR"],
                     "--results", "{out}/results.json"],
    }
    summaries = {}
    for name, args in commands.items():
        for folder, extra in ((here, ["--scheduler", "in-process"]),
                              (there, ["--scheduler", bare_cluster, "--window", "200"])):
            proc = cli(*[a.format(out=folder) for a in args], *extra)
            assert proc.returncode == 0, f"{name}: {proc.stdout}\n{proc.stderr}"
            summaries[name, folder.name] = proc.stdout.strip()
            if folder is there:
                assert f"(the Dask scheduler at {bare_cluster})" in proc.stderr
    for raster in ("stack.tif", "lsi.tif", "lsi_lsnet.tif", "fr.tif", "zones.tif", "di.tif",
                   "aoa.tif"):
        assert same_cells(here / raster, there / raster, tolerance=1e-6), raster
    assert same_cells(there / "lsi.tif", files["LSI SVM"], tolerance=1e-6)  # the workflow's
    assert same_cells(there / "lsi_lsnet.tif", files["LSI LSNet"], tolerance=1e-6)
    assert summaries["evaluate", "here"] == summaries["evaluate", "there"]
    assert "AUROC" in summaries["evaluate", "there"]
    assert leftovers(here) == [] and leftovers(there) == []


def test_the_command_line_says_what_is_wrong(files, tmp_path):
    proc = cli("predict", files["SVM model"], files["Factor stack"], str(tmp_path / "lsi.tif"),
               "--scheduler", f"tcp://127.0.0.1:{_free_port()}")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: Cannot reach the Dask scheduler at tcp://127.0.0.1:")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    proc = cli("predict", files["SVM model"], files["LSI SVM"], str(tmp_path / "lsi.tif"))
    assert proc.returncode == 2 and "error: " in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
