"""Uncertainty maps through processing.run on the real Ecuador data: a Train algorithm keeps a
bootstrap ensemble, Predict LSI writes the mean LSI and its standard deviation (styled), and
Evaluate, the report, Create project and the dock find the uncertainty map."""

import json

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException

from ..conftest import read_raster
from .helpers import run


@pytest.fixture(scope="module")
def ensemble(ecuador_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("uncertainty")
    stack, samples = ecuador_data["stack"], ecuador_data["samples"]
    model = run("trainlogistic", {"STACK": stack, "SAMPLES": samples, "ENSEMBLE": 2,
                                  "ENSEMBLE_SIZE": 5, "OUTPUT_MODEL": str(d / "lr.lsmodel")})
    maps = run("predictlsi", {"MODEL": model["OUTPUT_MODEL"], "STACK": stack,
                              "OUTPUT": str(d / "lsi.tif"), "OUTPUT_SD": str(d / "lsi_sd.tif")})
    run("evaluate", {"LSI": [maps["OUTPUT"]], "SAMPLES": samples, "OUTPUT": "TEMPORARY_OUTPUT",
                     "OUTPUT_RESULTS": str(d / "results.json")})
    return {"dir": d, "stack": stack, "samples": samples, "model": model["OUTPUT_MODEL"],
            "maps": maps}


def test_predict_writes_the_mean_and_the_spread_of_the_members(ensemble):
    d = ensemble["dir"]
    assert ensemble["maps"]["OUTPUT_SD"] == str(d / "lsi_sd.tif")
    lsi, nodata = read_raster(d / "lsi.tif")
    sd, sd_nodata = read_raster(d / "lsi_sd.tif")
    valid = lsi != nodata
    assert np.array_equal(sd != sd_nodata, valid)
    assert 0 < sd[valid].max() < 0.5 and sd[valid].min() >= 0
    assert "#54278f" in (d / "lsi_sd.qml").read_text()  # the purple uncertainty style
    lsi_ds = gdal.Open(str(d / "lsi.tif"))
    assert lsi_ds.GetMetadataItem("LSM_SD_FILE").endswith("lsi_sd.tif")
    assert lsi_ds.GetMetadataItem("LSM_ENSEMBLE_SIZE") == "5"


def test_evaluate_the_report_and_the_project_show_the_uncertainty_map(ensemble, run_alg):
    d = ensemble["dir"]
    results = json.loads((d / "results.json").read_text())
    assert results["models"][0]["sd"].endswith("lsi_sd.tif")
    run_alg("report", {"RESULTS": str(d / "results.json"), "OUTPUT": str(d / "report.html")})
    page = (d / "report.html").read_text(encoding="utf-8")
    assert "LSI SD of " in page and "lsi_sd.tif" in page
    run_alg("makeproject", {"RESULTS": str(d / "results.json"), "OUTPUT": str(d / "p.qgz")})
    from qgis.core import QgsProject

    project = QgsProject()
    assert project.read(str(d / "p.qgz"))
    names = [layer.name() for layer in project.mapLayers().values()]
    assert any(n.startswith("LSI SD ") for n in names)


def test_the_dock_loads_the_uncertainty_map(ensemble, plugin, qgis_iface):
    from qgis.core import QgsProject

    from landslide_lsm_plugin.gui.dock import CompareModelsDock

    dock = CompareModelsDock(qgis_iface, registry=plugin.results_registry)
    try:
        assert dock.add_results_file(str(ensemble["dir"] / "results.json"))
        layer = dock.load_map(dock.entries[-1], "sd")
        assert layer is not None and layer.name().startswith("LSI SD ")
        assert layer.renderer().type() == "singlebandpseudocolor"
        QgsProject.instance().removeMapLayer(layer.id())
    finally:
        dock.shutdown()
        dock.deleteLater()


def test_a_dock_deleted_without_shutdown_does_not_break_evaluate(ensemble, plugin, qgis_iface,
                                                                  run_alg):
    """A script may delete the dock without shutdown(); Evaluate then announced its results to
    a deleted widget and failed ('wrapped C/C++ object ... has been deleted')."""
    from qgis.PyQt.QtCore import QCoreApplication, QEvent

    from landslide_lsm_plugin.gui.dock import CompareModelsDock

    dock = CompareModelsDock(qgis_iface, registry=plugin.results_registry)
    dock.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    d = ensemble["dir"]
    out = run_alg("evaluate", {"LSI": [ensemble["maps"]["OUTPUT"]], "SAMPLES": ensemble["samples"],
                               "OUTPUT": "TEMPORARY_OUTPUT",
                               "OUTPUT_RESULTS": str(d / "again.json")})
    assert out["OUTPUT_RESULTS"] == str(d / "again.json")


def test_sd_of_a_model_without_an_ensemble_is_refused(ensemble, run_alg):
    d = ensemble["dir"]
    plain = run_alg("trainlogistic", {"STACK": ensemble["stack"], "SAMPLES": ensemble["samples"],
                                      "OUTPUT_MODEL": str(d / "plain.lsmodel")})
    with pytest.raises(QgsProcessingException, match="has no ensemble"):
        run_alg("predictlsi", {"MODEL": plain["OUTPUT_MODEL"], "STACK": ensemble["stack"],
                               "OUTPUT": str(d / "p.tif"), "OUTPUT_SD": str(d / "p_sd.tif")})
    assert not (d / "p.tif").exists() and not (d / "p_sd.tif").exists()
