"""The QGIS layer: real QgsApplication (pytest-qgis), real Processing, real files."""

from __future__ import annotations

import gc
import subprocess
import sys
import time

import pytest

from .helpers import SAMPLE_EPOCHS, run


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """The last test's teardown ends the session's fixtures, QGIS itself (pytest-qgis calls
    exitQgis). Objects of the tests that hold QGIS layers (a QgsProcessingContext in a
    reference cycle) are freed first, while QGIS runs; after, the garbage collector stays off:
    on QGIS 3.40 and 3.44 collecting such an object once QGIS has exited crashes the process
    in GDALClose (tests/conftest.py then leaves at once with pytest's result)."""
    if nextitem is None:
        gc.collect()
        gc.disable()
    yield


@pytest.fixture(scope="session")
def plugin(qgis_app, qgis_iface, qgis_processing):
    """The plugin loaded as QGIS loads it: classFactory(iface), then initGui()."""
    from landslide_lsm_plugin import classFactory

    _give_a_layer_tree_view(qgis_iface)
    instance = classFactory(qgis_iface)
    instance.initGui()
    yield instance
    instance.unload()


def _give_a_layer_tree_view(iface) -> None:
    """pytest-qgis's iface answers layerTreeView() with a MagicMock; since QGIS 3.44,
    processing.runAndLoadResults hands it to C++ (QgsProcessingGuiUtils.addResultLayers),
    which takes only a real QgsLayerTreeView. Give it one, on the project's layer tree, owned
    by the main window."""
    from qgis.core import QgsLayerTreeModel, QgsProject
    from qgis.gui import QgsLayerTreeView

    view = QgsLayerTreeView(iface.mainWindow())
    view.setModel(QgsLayerTreeModel(QgsProject.instance().layerTreeRoot(), view))
    iface.layerTreeView = lambda: view


@pytest.fixture
def run_alg(plugin):
    """helpers.run (processing.run of landslide_lsm:<id>) with the plugin's provider
    registered; raises on failure."""
    return run


@pytest.fixture(scope="session")
def sample_workflow(tmp_path_factory) -> dict:
    """The one small-area pipeline of the session, shared by the workflow, report and demo
    tests: `make demo` as a user runs it (scripts/demo.py --size small: the sample study area,
    then the shipped workflow model through qgis_process: stack, samples, FR, VIF, SVM, KLR,
    LSNet, LSI maps, zones, evaluation, report; then the QGIS project), into a scratch folder.

    Keys: out (the output folder, laid out as demo.OUTPUTS says), area (its sample_area/
    folder), files ({workflow output: path}), stdout, minutes."""
    import demo as demo_script  # scripts/ is on sys.path (tests/conftest.py)
    import qgis_tools as qt

    out = tmp_path_factory.mktemp("sample_workflow") / "demo_output"
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(qt.ROOT / "scripts" / "demo.py"), "--size",
                           "small", "--epochs", str(SAMPLE_EPOCHS), "--out", str(out)],
                          capture_output=True, text=True, timeout=1500, cwd=qt.ROOT)
    minutes = (time.perf_counter() - started) / 60
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    return {"out": out, "area": out / "sample_area", "stdout": proc.stdout, "minutes": minutes,
            "files": {key: out / name for key, name in demo_script.OUTPUTS.items()}}


@pytest.fixture(scope="session")
def ecuador_data(tmp_path_factory, plugin) -> dict:
    """The real Ecuador data through the plugin, once per session: the stack of ta.tif and
    the samples of the labelled points (random 70/30, seed 42), and the FR-encoded stack.
    Tests that need it skip when ../shared is absent. Tests copy what they change."""
    from ..conftest import ECUADOR

    if not (ECUADOR / "ta.tif").exists():
        pytest.skip("../shared/data/ecuador is not present")
    d = tmp_path_factory.mktemp("ecuador")
    stack = run("buildstack", {
        "CONTINUOUS": [str(ECUADOR / "ta.tif")], "OUTPUT": str(d / "stack.tif")})["OUTPUT"]
    samples = run("preparesamples", {
        "INVENTORY": str(ECUADOR / "lsl_points.gpkg"), "STACK": stack, "LABEL_FIELD": "lslpts",
        "SEED": 42, "OUTPUT": str(d / "samples.gpkg")})["OUTPUT"]
    fr = run("frequencyratio", {
        "STACK": stack, "SAMPLES": samples, "OUTPUT": str(d / "fr.tif"),
        "OUTPUT_TABLE": "TEMPORARY_OUTPUT"})["OUTPUT"]
    return {"dir": d, "stack": stack, "samples": samples, "fr": fr}
