"""Zoning a raster block by block: values, nodata, style, atomic output, cancel."""

import numpy as np
import pytest

from landslide_lsm_plugin.core import raster as rio
from landslide_lsm_plugin.core.errors import Canceled, LsmError
from landslide_lsm_plugin.core.progress import Progress
from landslide_lsm_plugin.core.zoning import classify_raster
from landslide_lsm_plugin.presentation.styles import zones_qml

from ..conftest import read_raster


def lsi_ramp(rows=700, cols=900):
    """An LSI rising left to right, larger than one 512-cell window, with a nodata hole."""
    lsi = np.tile(np.linspace(0.0, 1.0, cols, dtype=np.float32), (rows, 1))
    lsi[100:150, 200:260] = -9999.0
    return lsi


def test_equal_interval_zones_match_a_direct_computation(raster, tmp_path):
    lsi = lsi_ramp()
    src = raster("lsi.tif", lsi)
    out = tmp_path / "zones.tif"
    zoning = classify_raster(str(src), str(out), method="equal_interval", n_classes=5)
    zones, nodata = read_raster(out)
    assert nodata == 0
    valid = lsi != -9999.0
    expected = np.clip(np.ceil(lsi / 0.2), 1, 5).astype(np.uint8)
    assert np.array_equal(zones[valid], expected[valid])
    assert np.all(zones[~valid] == 0)
    assert [c.label for c in zoning.classes] == ["Very low", "Low", "Moderate", "High",
                                                 "Very high"]
    assert sum(c.cells for c in zoning.classes) == valid.sum()
    assert abs(sum(c.area_pct for c in zoning.classes) - 100) < 1e-9
    assert not out.with_suffix(".qml").exists()  # styles are presentation's, written by callers
    qml = zones_qml([c.label for c in zoning.classes])
    assert 'type="paletted"' in qml and "Very high" in qml and "#d7191c" in qml


def test_natural_breaks_are_reproducible_and_split_clusters(raster, tmp_path):
    rng = np.random.default_rng(3)
    lsi = rng.choice([0.05, 0.3, 0.5, 0.7, 0.95], size=(600, 600)).astype(np.float32)
    lsi += rng.normal(0, 0.01, lsi.shape).astype(np.float32)
    src = raster("lsi.tif", lsi)
    a = classify_raster(str(src), str(tmp_path / "a.tif"), sample_size=5000, seed=7)
    b = classify_raster(str(src), str(tmp_path / "b.tif"), sample_size=5000, seed=7)
    assert np.array_equal(a.edges, b.edges)
    counts = [c.cells for c in a.classes]
    assert max(counts) - min(counts) < 0.1 * max(counts)  # five clusters, five classes


def test_output_equal_to_input_is_refused(raster):
    src = raster("lsi.tif", lsi_ramp(50, 50))
    before = src.read_bytes()
    with pytest.raises(LsmError, match="also an input"):
        classify_raster(str(src), str(src), method="equal_interval")
    assert src.read_bytes() == before


def test_cancel_leaves_no_output_and_keeps_an_old_one(raster, tmp_path):
    src = raster("lsi.tif", lsi_ramp(1200, 1200))
    out = tmp_path / "zones.tif"
    out.write_bytes(b"previous result")
    calls = {"n": 0}

    def cancel_after_two_checks():
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(Canceled):
        classify_raster(str(src), str(out), method="equal_interval",
                        progress=Progress(is_canceled=cancel_after_two_checks))
    assert out.read_bytes() == b"previous result"
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []


def test_all_nodata_band_gives_a_clear_error(raster, tmp_path):
    src = raster("lsi.tif", np.full((20, 20), -9999.0, dtype=np.float32))
    with pytest.raises(LsmError, match="no valid cells"):
        classify_raster(str(src), str(tmp_path / "z.tif"))
    assert not (tmp_path / "z.tif").exists()


def test_writer_statistics_and_windows(tmp_path):
    grid = rio.Grid(700, 600, (0.0, 1.0, 0.0, 600.0, 0.0, -1.0), "")
    wins = list(rio.iter_windows(grid.width, grid.height))
    assert sum(w.cells for w in wins) == grid.cells
    assert len(wins) == rio.window_count(grid.width, grid.height) == 4
    with rio.RasterWriter(tmp_path / "x.tif", grid, 1, np.float32, rio.FLOAT_NODATA) as w:
        for win in wins:
            w.write(win, np.full((win.height, win.width), 2.0, dtype=np.float32))
    ds = rio.open_raster(str(tmp_path / "x.tif"))
    assert ds.GetRasterBand(1).GetStatistics(False, False)[:3] == [2.0, 2.0, 2.0]


def test_raster_outputs_must_be_geotiff(raster, tmp_path):
    src = raster("lsi.tif", lsi_ramp(30, 30))
    with pytest.raises(LsmError, match=r"does not end in \.tif"):
        classify_raster(str(src), str(tmp_path / "zones.img"), method="equal_interval")
    assert list(tmp_path.glob("zones*")) == []
