"""The raster stages on Dask distributed: the same maps as in-process, on a real local cluster
of worker processes; a worker killed mid-run; failures and cancels that leave no file; the
scheduler's choice and its errors."""

import functools
import http.server
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal

from landslide_lsm_plugin import cluster
from landslide_lsm_plugin.core import blocks, models, predict, training
from landslide_lsm_plugin.core.errors import Canceled, LsmError
from landslide_lsm_plugin.core.progress import Progress
from landslide_lsm_plugin.core.raster import FLOAT_NODATA, Grid, Window
from landslide_lsm_plugin.lsnet.client import probe_python

from ..lsnet_pythons import shell_interpreter

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
TIMING_TAGS = {"LSM_MAP_TIME"}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A 600 x 700 stack with a nodata corner: with 128-cell windows, 30 windows."""
    from ..conftest import steep_wet_study

    return steep_wet_study(tmp_path_factory.mktemp("dask"), 600, 700, 400, seed=5,
                           noise=True, nodata_corner=(20, 30))


@pytest.fixture(scope="module")
def svm_model(study):
    path = study["dir"] / "svm.lsmodel"
    training.train_to_file("svm", str(study["stack"]), str(study["samples"]), str(path),
                           search=models.SearchSettings(grid={"C": [1.0], "gamma": [0.1]},
                                                        n_folds=3))
    return path


def raster_of(path: Path) -> tuple[np.ndarray, dict, list]:
    ds = gdal.Open(str(path))
    bands = [ds.GetRasterBand(i + 1) for i in range(ds.RasterCount)]
    tags = {k: v for k, v in ds.GetMetadata().items() if k not in TIMING_TAGS}
    described = [(b.GetDescription(), b.GetNoDataValue(), b.DataType) for b in bands]
    return ds.ReadAsArray(), tags, described


def assert_same_raster(a: Path, b: Path, tolerance: float = 0.0) -> None:
    data_a, tags_a, bands_a = raster_of(a)
    data_b, tags_b, bands_b = raster_of(b)
    assert bands_a == bands_b and data_a.shape == data_b.shape
    paths = ("_FILE", "_OF")  # tags naming the files themselves
    tags_a = {k: v for k, v in tags_a.items() if not k.endswith(paths)}
    tags_b = {k: v for k, v in tags_b.items() if not k.endswith(paths)}
    assert tags_a == tags_b
    if tolerance:
        assert np.array_equal(data_a == FLOAT_NODATA, data_b == FLOAT_NODATA)
        assert np.abs(data_a.astype(float) - data_b).max() <= tolerance
    else:
        assert np.array_equal(data_a, data_b)


def hidden_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_an_svm_map_on_two_workers_equals_the_in_process_map_bit_for_bit(
        study, svm_model, dask_client, tmp_path):
    here = predict.predict_lsi(str(svm_model), str(study["stack"]), str(tmp_path / "here.tif"))
    there = predict.predict_lsi(str(svm_model), str(study["stack"]),
                                str(tmp_path / "there.tif"), client=dask_client, window=128)
    assert there.valid_cells == here.valid_cells > 0
    assert there.engine.startswith("Dask (tcp://") and "2 workers" in there.engine
    assert here.engine.startswith("in-process")
    assert_same_raster(tmp_path / "here.tif", tmp_path / "there.tif")
    ds = gdal.Open(str(tmp_path / "there.tif"))
    structure = ds.GetMetadata("IMAGE_STRUCTURE")
    assert structure.get("COMPRESSION") == "DEFLATE"
    assert ds.GetRasterBand(1).GetBlockSize() == [256, 256]
    if gdal.GetDriverByName("COG") is not None:
        assert structure.get("LAYOUT") == "COG"
    # the statistics the assembly stored are those of the in-process writer
    here = gdal.Open(str(tmp_path / "here.tif"))
    here_stats = here.GetRasterBand(1).GetStatistics(0, 0)
    assert ds.GetRasterBand(1).GetStatistics(0, 0) == pytest.approx(here_stats, rel=1e-9)
    assert hidden_files(tmp_path) == []


def test_an_ensemble_with_its_sd_and_an_fr_model_map_the_same_on_dask(study, dask_client,
                                                                        tmp_path):
    from landslide_lsm_plugin.core import frequency_ratio as fr

    ensemble = study["dir"] / "forest.lsmodel"
    training.train_to_file("random_forest", str(study["stack"]), str(study["samples"]),
                           str(ensemble), search=models.SearchSettings(n_folds=3, grid={
                               "n_estimators": [20], "min_samples_leaf": [5],
                               "max_features": ["sqrt"]}),
                           fit=models.FitSettings(ensemble=models.ENSEMBLE_BOOTSTRAP,
                                                  ensemble_size=3))
    for where, extra in (("here", {}), ("there", {"client": dask_client, "window": 100})):
        predict.predict_lsi(str(ensemble), str(study["stack"]), str(tmp_path / f"{where}.tif"),
                            sd_path=str(tmp_path / f"{where}_sd.tif"), **extra)
    assert_same_raster(tmp_path / "here.tif", tmp_path / "there.tif")
    assert_same_raster(tmp_path / "here_sd.tif", tmp_path / "there_sd.tif")
    # an FR model given the raw stack: encoded on the fly in every window
    result = fr.compute_fr(str(study["stack"]), str(study["samples"]), classes=5)
    encoded = tmp_path / "fr_stack.tif"
    fr.encode_stack(str(study["stack"]), result.encodings, str(encoded))
    fr_model = tmp_path / "fr.lsmodel"
    training.train_to_file("logistic", str(encoded), str(study["samples"]), str(fr_model),
                           search=models.SearchSettings(n_folds=3))
    for where, extra in (("fr_here", {}), ("fr_there", {"client": dask_client, "window": 128})):
        predict.predict_lsi(str(fr_model), str(study["stack"]), str(tmp_path / f"{where}.tif"),
                            **extra)
    assert_same_raster(tmp_path / "fr_here.tif", tmp_path / "fr_there.tif", tolerance=1e-6)
    assert hidden_files(tmp_path) == []


class _RangeFiles(http.server.SimpleHTTPRequestHandler):
    """Serves a folder with HTTP range requests, as object storage does (GDAL's /vsicurl/
    reads a GeoTIFF's tiles by range); the standard handler has no range support."""

    def send_head(self):
        found = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
        path = Path(self.translate_path(self.path))
        if not found or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start, end = int(found.group(1)), min(int(found.group(2) or size - 1), size - 1)
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        with open(path, "rb") as fh:
            fh.seek(start)
            return io.BytesIO(fh.read(end - start + 1))

    def log_message(self, *args) -> None:
        pass


def test_workers_read_their_inputs_from_a_url_gdal_reads(study, svm_model, dask_client,
                                                          tmp_path):
    """Inputs on object storage (here an HTTP server with range requests, read through
    GDAL's /vsicurl/) are read by the workers themselves: the same map as from the disk."""
    handler = functools.partial(_RangeFiles, directory=str(Path(study["stack"]).parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = (f"/vsicurl/http://127.0.0.1:{server.server_address[1]}/"
               f"{Path(study['stack']).name}")
        predict.predict_lsi(str(svm_model), str(study["stack"]), str(tmp_path / "disk.tif"))
        predict.predict_lsi(str(svm_model), url, str(tmp_path / "url.tif"), client=dask_client,
                            window=128)
    finally:
        server.shutdown()
        server.server_close()
    assert_same_raster(tmp_path / "disk.tif", tmp_path / "url.tif")
    assert hidden_files(tmp_path) == []


def test_a_worker_killed_mid_run_has_its_windows_run_again_and_the_map_is_the_same(
        study, svm_model, tmp_path):
    predict.predict_lsi(str(svm_model), str(study["stack"]), str(tmp_path / "here.tif"))
    killed: list = []
    # the plugin's own local cluster: `dask worker` processes with their nanny, in a Python
    # of their own
    with cluster.local_cluster(2, sys.executable) as client:
        before = set(client.scheduler_info()["workers"])
        pids = client.run(os.getpid)
        assert os.getpid() not in pids.values()  # workers are processes of their own

        def kill_one_worker(percent: float) -> None:
            if percent >= 20 and not killed:
                pid = next(iter(pids.values()))  # the worker process, not its nanny
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        report = predict.predict_lsi(str(svm_model), str(study["stack"]),
                                     str(tmp_path / "there.tif"), client=client, window=32,
                                     progress=Progress(on_percent=kill_one_worker))
        client.wait_for_workers(2, timeout=60)
        after = set(client.scheduler_info()["workers"])
    assert killed and report.valid_cells > 0
    assert after != before  # the nanny started a new worker in place of the killed one
    assert_same_raster(tmp_path / "here.tif", tmp_path / "there.tif")
    assert hidden_files(tmp_path) == []


def test_a_canceled_dask_run_leaves_no_file_and_the_old_output_untouched(
        study, svm_model, dask_client, tmp_path):
    old = tmp_path / "lsi.tif"
    old.write_bytes(b"the user's earlier map")
    seen: list = []

    def cancel_after_a_while() -> bool:
        seen.append(1)
        return len(seen) > 3

    with pytest.raises(Canceled):
        predict.predict_lsi(str(svm_model), str(study["stack"]), str(old), client=dask_client,
                            window=32, progress=Progress(is_canceled=cancel_after_a_while))
    assert old.read_bytes() == b"the user's earlier map"
    time.sleep(1.0)  # windows still finishing on the workers find their folder gone
    assert hidden_files(tmp_path) == []


class FailingTask:
    """A window task that fails on one window (an LsmError, or any other exception)."""

    def __init__(self, error: str) -> None:
        self.error = error

    def __call__(self, win: Window) -> blocks.Block:
        if self.error != "none" and (win.col, win.row) == (64, 64):
            if self.error == "lsm":
                raise LsmError("The stack's window is unreadable (a test).")
            raise ValueError("a bug in a task (a test)")
        return blocks.Block((np.full((win.height, win.width), 0.5, np.float32),), {"n": 1})


@pytest.mark.parametrize("error, expected", [
    ("lsm", "The stack's window is unreadable (a test)."),
    ("bug", "A Dask worker failed on the window at column 64, row 64: ValueError: a bug in a "
            "task (a test). No output was written.")])
def test_a_failed_window_fails_the_run_with_its_reason_and_leaves_no_file(
        dask_client, tmp_path, error, expected):
    grid = Grid(200, 150, (0.0, 10.0, 0.0, 0.0, 0.0, -10.0), "")
    out = blocks.Output(tmp_path / "out.tif", 1, "float32", FLOAT_NODATA, ("value",))
    stage = blocks.Stage("failing", grid, FailingTask(error), (out,), window=64)
    with pytest.raises(LsmError) as caught:
        blocks.run_stage(stage, dask_client)
    assert str(caught.value) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    # the same stage without the failing window writes its output, in-process and on Dask
    for where, client in (("here", None), ("there", dask_client)):
        ok = blocks.Stage("fine", grid, FailingTask("none"),
                          (blocks.Output(tmp_path / f"{where}.tif", 1, "float32",
                                         FLOAT_NODATA, ("value",)),), window=64)
        assert blocks.run_stage(ok, client).counts == {"n": 12}
    assert_same_raster(tmp_path / "here.tif", tmp_path / "there.tif")


def test_workers_without_a_library_the_plugin_needs_are_named_with_the_install_command(
        dask_client):
    imports = dict(cluster.worker_imports(), lsm_no_such_library=("lsm_no_such_library",))
    with pytest.raises(LsmError) as caught:
        cluster.check_workers(dask_client, imports)
    message = str(caught.value)
    assert message.startswith("2 of 2 Dask workers cannot import what the plugin needs")
    assert "lsm_no_such_library (ModuleNotFoundError" in message
    assert "python -m pip install lsm_no_such_library" in message
    cluster.check_workers(dask_client)  # the plugin's own needs are met here


def test_workers_on_another_release_of_distributed_are_refused(dask_client, monkeypatch):
    import distributed as here

    monkeypatch.setattr(here, "__version__", "2001.1.0")
    with pytest.raises(LsmError) as caught:
        cluster.check_workers(dask_client, python="/opt/py/bin/python")
    message = str(caught.value)
    assert message.startswith("The Dask workers run distributed ")
    assert "this process 2001.1.0" in message
    assert "Python (/opt/py/bin/python): python -m pip install distributed==2001.1.0" in message


def fake_python(folder: Path, body: str) -> str:
    """An executable named python3 that is no usable Python (what sys.executable is inside
    QGIS when PATH's first python3 is another interpreter)."""
    return shell_interpreter(folder / "python3", body)


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for the interpreter")
def test_the_local_workers_python_is_always_checked_never_taken_on_trust(
        tmp_path, monkeypatch):
    bad = fake_python(tmp_path, "echo 'no modules here' >&2; exit 1")
    monkeypatch.setattr(sys, "executable", bad)
    chosen = cluster.local_python()
    assert chosen != bad
    assert probe_python(chosen, imports=cluster.worker_imports()).ok


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for the interpreter")
def test_local_workers_that_cannot_start_give_their_log(tmp_path):
    bad = fake_python(tmp_path, "echo 'ImportError: no distributed here' >&2; exit 3")
    with pytest.raises(LsmError) as caught:
        with cluster.local_cluster(2, bad):
            pass
    message = str(caught.value)
    assert message.startswith(f"Could not start a local Dask cluster of 2 worker processes "
                              f"with {bad}: they stopped (exit status 3)")
    assert message.endswith("ImportError: no distributed here")


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    scheduler = cluster.parse_scheduler("tcp://127.0.0.1:9", "The Scheduler parameter")
    with pytest.raises(LsmError) as caught:
        with cluster.dask_client(scheduler):
            pass
    message = str(caught.value)
    assert message.startswith("Cannot reach the Dask scheduler at tcp://127.0.0.1:9 (The "
                              "Scheduler parameter)")
    assert "leave the scheduler empty to run in this process" in message


def test_the_scheduler_comes_from_the_parameter_then_the_setting_then_the_environment():
    env = {cluster.ENV_VAR: "tcp://env:8786"}
    assert cluster.resolve_scheduler("local:3", "tcp://setting:8786", env) == \
        cluster.Scheduler("local", workers=3, origin="The Scheduler parameter")
    chosen = cluster.resolve_scheduler("", "tcp://setting:8786", env)
    assert (chosen.kind, chosen.address) == ("address", "tcp://setting:8786")
    assert cluster.resolve_scheduler(None, "  ", env).address == "tcp://env:8786"
    assert cluster.resolve_scheduler(None, None, {}).in_process
    assert cluster.parse_scheduler("in-process").in_process
    assert cluster.parse_scheduler("scheduler.example.org:8786").kind == "address"
    for bad, says in (("local:0", "give 1 to 256"), ("local:x", "neither empty"),
                      ("two words", "neither empty")):
        with pytest.raises(LsmError, match=says):
            cluster.parse_scheduler(bad)


def test_without_dask_a_cluster_run_says_how_to_install_it_and_in_process_still_works():
    code = (
        "import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None\n"
        "from landslide_lsm_plugin import cluster\n"
        "from landslide_lsm_plugin.core import blocks, predict  # noqa: F401 (no dask needed)\n"
        "with cluster.dask_client(cluster.parse_scheduler('')) as c: assert c is None\n"
        "try:\n"
        "    with cluster.dask_client(cluster.parse_scheduler('local:2')): pass\n"
        "except Exception as exc: print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Running on a local Dask cluster of 2 worker processes (the "
                                 "scheduler setting) needs the Python package(s) dask, "
                                 "distributed")
    assert "-m pip install" in out.stdout and "dask distributed" in out.stdout


def test_the_plugin_zip_sent_to_bare_workers_holds_an_importable_plugin(tmp_path):
    path = cluster.plugin_zip()
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import landslide_lsm_plugin.core.blocks"
            " as b, landslide_lsm_plugin.core.predict; print(b.__file__)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(str(path))
