"""The provider as QGIS sees it, and an algorithm run through processing.run."""

import numpy as np
import pytest
from qgis.core import (
    QgsApplication,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
)

from ..conftest import read_raster


def test_provider_registered_with_icon_and_algorithms(plugin):
    provider = QgsApplication.processingRegistry().providerById("landslide_lsm")
    assert provider is not None
    assert provider.name() == "Landslide susceptibility"
    assert not provider.icon().isNull()
    ids = [a.id() for a in provider.algorithms()]
    assert "landslide_lsm:classifylsi" in ids
    for alg in provider.algorithms():
        assert alg.name() == alg.name().lower()
        assert alg.displayName() and alg.group() and alg.shortHelpString()


def test_classify_lsi_through_processing_run(run_alg, raster, tmp_path):
    lsi = np.tile(np.linspace(0, 1, 300, dtype=np.float32), (200, 1))
    lsi[:10, :10] = -9999
    src = raster("lsi.tif", lsi)
    result = run_alg("classifylsi", {"INPUT": str(src), "METHOD": 1, "CLASSES": 4,
                                     "OUTPUT": str(tmp_path / "zones.tif"),
                                     "OUTPUT_TABLE": "TEMPORARY_OUTPUT"})
    zones, nodata = read_raster(result["OUTPUT"])
    valid = lsi != -9999
    expected = np.clip(np.ceil(lsi / 0.25), 1, 4)
    assert np.array_equal(zones[valid], expected[valid]) and np.all(zones[~valid] == nodata)
    table = result["OUTPUT_TABLE"]
    rows = [f.attributes() for f in table.getFeatures()]
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert sum(r[4] for r in rows) == valid.sum()
    assert result["BREAKS_USED"].split(",")[0] == "0"


def test_classify_output_loads_styled_on_the_canvas(plugin, raster, tmp_path):
    import processing

    src = raster("lsi.tif", np.random.default_rng(0).random((120, 150), dtype=np.float32))
    QgsProject.instance().removeAllMapLayers()
    processing.runAndLoadResults("landslide_lsm:classifylsi",
                                 {"INPUT": str(src), "OUTPUT": str(tmp_path / "zones.tif")})
    layers = [lyr for lyr in QgsProject.instance().mapLayers().values()
              if lyr.source().startswith(str(tmp_path / "zones.tif"))]
    assert len(layers) == 1
    renderer = layers[0].renderer()
    assert renderer.type() == "paletted"
    assert [c.label for c in renderer.classes()] == ["Very low", "Low", "Moderate", "High",
                                                     "Very high"]
    assert layers[0].name() == "Susceptibility zones"
    QgsProject.instance().removeAllMapLayers()


def test_bad_input_is_a_processing_exception_with_a_fix(run_alg, raster, tmp_path):
    src = raster("lsi.tif", np.random.default_rng(0).random((20, 20), dtype=np.float32))
    with pytest.raises(QgsProcessingException, match="Custom breaks"):
        run_alg("classifylsi", {"INPUT": str(src), "METHOD": 3, "BREAKS": "",
                                "OUTPUT": str(tmp_path / "z.tif")})
    with pytest.raises(QgsProcessingException, match="strictly increasing"):
        run_alg("classifylsi", {"INPUT": str(src), "METHOD": 3, "BREAKS": "0.6,0.2",
                                "OUTPUT": str(tmp_path / "z.tif")})
    assert not (tmp_path / "z.tif").exists()


def test_cancel_through_feedback_leaves_no_file(run_alg, raster, tmp_path):
    src = raster("lsi.tif", np.random.default_rng(0).random((1100, 1100), dtype=np.float32))
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel() if p > 50 else None)
    with pytest.raises(QgsProcessingException, match="Canceled"):
        run_alg("classifylsi", {"INPUT": str(src), "METHOD": 1,
                                "OUTPUT": str(tmp_path / "z.tif")},
                context=QgsProcessingContext(), feedback=feedback)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lsi.tif"]
