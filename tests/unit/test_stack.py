"""Build factor stack: alignment, kinds, common nodata mask, derived factors, blockwise writing."""

import math

import numpy as np
import pytest
from osgeo import gdal

from landslide_lsm_plugin.core import stack as stk
from landslide_lsm_plugin.core.errors import LsmError

from ..conftest import read_raster


def test_factors_are_aligned_on_the_reference_grid(raster, tmp_path):
    ref = raster("dem.tif", np.arange(60 * 80, dtype=np.float32).reshape(60, 80), cell=10.0)
    # a coarser raster (20 m) covering the same area, and a categorical map at 5 m
    coarse = raster("ndvi.tif", np.full((30, 40), 0.5, dtype=np.float32), cell=20.0)
    litho = np.repeat(np.repeat(np.arange(1, 5).reshape(2, 2), 60, 0), 80, 1).astype(np.float32)
    cat = raster("lithology.tif", litho, cell=5.0, nodata=0)
    out = tmp_path / "stack.tif"
    factors = stk.factors_from_rasters([str(ref), str(coarse)], stk.CONTINUOUS) + \
        stk.factors_from_rasters([str(cat)], stk.CATEGORICAL)
    report = stk.build_stack(factors, str(out), reference=str(ref))
    ds = gdal.Open(str(out))
    assert (ds.RasterXSize, ds.RasterYSize) == (80, 60)
    assert ds.GetGeoTransform() == gdal.Open(str(ref)).GetGeoTransform()
    info = stk.stack_info(str(out))
    assert info.names == ["dem", "ndvi", "lithology"]
    assert info.kinds == ["continuous", "continuous", "categorical"]
    assert np.array_equal(ds.GetRasterBand(1).ReadAsArray(), read_raster(ref)[0])
    assert np.allclose(ds.GetRasterBand(2).ReadAsArray(), 0.5)
    # nearest neighbour keeps class codes whole
    codes = ds.GetRasterBand(3).ReadAsArray()
    assert set(np.unique(codes).tolist()) == {1.0, 2.0, 3.0, 4.0}
    assert codes[0, 0] == 1 and codes[-1, -1] == 4
    assert report.valid_cells == 80 * 60


def test_common_nodata_mask(raster, tmp_path):
    a = np.ones((40, 40), dtype=np.float32)
    b = np.ones((40, 40), dtype=np.float32)
    a[:5, :] = -9999
    b[:, :3] = np.nan  # NaN counts as nodata too
    fa, fb = raster("a.tif", a), raster("b.tif", b)
    out = tmp_path / "stack.tif"
    report = stk.build_stack(stk.factors_from_rasters([str(fa), str(fb)], stk.CONTINUOUS),
                             str(out))
    band1, nodata = read_raster(out, 1)
    band2, _ = read_raster(out, 2)
    invalid = (a == -9999) | np.isnan(b)
    assert np.all(band1[invalid] == nodata) and np.all(band2[invalid] == nodata)
    assert np.all(band1[~invalid] == 1) and report.valid_cells == (~invalid).sum()


def test_reference_grid_from_crs_extent_and_cell_size(raster, tmp_path):
    src = raster("dem.tif", np.ones((50, 50), dtype=np.float32), cell=10.0)
    spec = stk.GridSpec(stk.srs_from_user("EPSG:32717"),
                        (500100.0, 9499700.0, 500400.0, 9499900.0), 25.0)
    out = tmp_path / "stack.tif"
    stk.build_stack(stk.factors_from_rasters([str(src)], stk.CONTINUOUS), str(out),
                    grid_spec=spec)
    ds = gdal.Open(str(out))
    assert (ds.RasterXSize, ds.RasterYSize) == (12, 8)
    assert ds.GetGeoTransform() == (500100.0, 25.0, 0.0, 9499900.0, 0.0, -25.0)


def test_slope_and_aspect_from_a_dem(raster, tmp_path):
    # a plane rising 1 m per 10 m cell towards the east: slope atan(0.1), facing west (270)
    y, x = np.mgrid[0:40, 0:50]
    dem = raster("dem.tif", (x * 1.0).astype(np.float32))
    out = tmp_path / "stack.tif"
    stk.build_stack([], str(out), dem=str(dem), derive_slope=True, derive_aspect=True,
                    reference=str(dem))
    info = stk.stack_info(str(out))
    assert info.names == ["slope", "aspect"] and info.kinds == ["continuous", "aspect"]
    slope, _ = read_raster(out, 1)
    aspect, _ = read_raster(out, 2)
    assert np.allclose(slope[5:-5, 5:-5], math.degrees(math.atan(0.1)), atol=1e-3)
    assert np.allclose(aspect[5:-5, 5:-5], 270.0, atol=1e-3)
    flat = raster("flat.tif", np.full((20, 20), 5.0, dtype=np.float32))
    out2 = tmp_path / "flat_stack.tif"
    stk.build_stack([], str(out2), dem=str(flat), derive_aspect=True)
    assert np.all(read_raster(out2)[0] == stk.FLAT_ASPECT)  # flat cells stay valid


def test_distance_to_features(raster, vector, tmp_path):
    ref = raster("ref.tif", np.zeros((30, 40), dtype=np.float32))
    # a river along x = 500105 (the middle of column 10)
    river = vector("rivers.gpkg", ["LINESTRING(500105 9499700, 500105 9500000)"])
    out = tmp_path / "stack.tif"
    stk.build_stack(stk.factors_from_rasters([str(ref)], stk.CONTINUOUS), str(out),
                    distance_layers=[("dist_river", str(river))])
    dist, _ = read_raster(out, 2)
    assert np.allclose(dist[:, 10], 0.0)
    assert np.allclose(dist[:, 15], 50.0) and np.allclose(dist[:, 0], 100.0)


def test_distance_counts_features_beyond_the_grid(raster, vector, tmp_path):
    """A river just beyond the east edge is the nearest river of the cells along that edge;
    a fault only outside the grid still gives distances."""
    ref = raster("ref.tif", np.zeros((30, 40), dtype=np.float32))  # x 500000..500400
    rivers = vector("rivers.gpkg", ["LINESTRING(500105 9499700, 500105 9500000)",
                                    "LINESTRING(500425 9499500, 500425 9500200)"])
    faults = vector("faults.gpkg", ["LINESTRING(499955 9499000, 499955 9501000)"])
    out = tmp_path / "stack.tif"
    stk.build_stack(stk.factors_from_rasters([str(ref)], stk.CONTINUOUS), str(out),
                    distance_layers=[("dist_river", str(rivers)), ("dist_fault", str(faults))])
    river, _ = read_raster(out, 2)
    fault, _ = read_raster(out, 3)
    assert river.shape == (30, 40)
    assert np.allclose(river[:, 10], 0.0)
    assert np.allclose(river[:, 39], 30.0)  # 3 cells from the river beyond the edge, not 290
    assert np.allclose(river[:, 25], 150.0)  # equidistant: 15 cells to either river
    assert np.allclose(fault[:, 0], 50.0) and np.allclose(fault[:, 39], 440.0)


def test_study_area_mask(raster, vector, tmp_path):
    ref = raster("ref.tif", np.ones((30, 30), dtype=np.float32))
    mask = vector("mask.gpkg", ["POLYGON((500000 9500000,500150 9500000,500150 9499850,"
                                "500000 9499850,500000 9500000))"])
    out = tmp_path / "stack.tif"
    report = stk.build_stack(stk.factors_from_rasters([str(ref)], stk.CONTINUOUS), str(out),
                             mask=str(mask))
    assert report.valid_cells == 15 * 15


def test_errors_are_clear(raster, tmp_path):
    a = raster("a.tif", np.full((10, 10), -9999, dtype=np.float32))
    with pytest.raises(LsmError, match="Factor 'a' has no valid cell"):
        stk.build_stack(stk.factors_from_rasters([str(a)], stk.CONTINUOUS),
                        str(tmp_path / "s.tif"))
    assert not (tmp_path / "s.tif").exists()
    left, right = np.ones((10, 10), np.float32), np.ones((10, 10), np.float32)
    left[:, 5:] = -9999
    right[:, :5] = -9999
    halves = [raster("left.tif", left), raster("right.tif", right)]
    with pytest.raises(LsmError, match="no valid cell in common"):
        stk.build_stack(stk.factors_from_rasters([str(p) for p in halves], stk.CONTINUOUS),
                        str(tmp_path / "s.tif"))
    with pytest.raises(LsmError, match="also an input"):
        stk.build_stack(stk.factors_from_rasters([str(a)], stk.CONTINUOUS), str(a))
    b = raster("b.tif", np.ones((10, 10), dtype=np.float32))
    with pytest.raises(LsmError, match="unique"):
        stk.build_stack([stk.Factor("x", str(b)), stk.Factor("x", str(b))],
                        str(tmp_path / "s.tif"))
    with pytest.raises(LsmError, match="DEM"):
        stk.build_stack([], str(tmp_path / "s.tif"), derive_slope=True)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_ecuador_stack_from_ta_tif(ecuador, tmp_path):
    out = tmp_path / "stack.tif"
    factors = stk.factors_from_rasters([str(ecuador / "ta.tif")], stk.CONTINUOUS)
    report = stk.build_stack(factors, str(out), mask=str(ecuador / "study_mask.gpkg"))
    info = report.info
    assert info.names == ["slope", "cplan", "cprof", "elev", "log10_carea"]
    src = gdal.Open(str(ecuador / "ta.tif"))
    elev_src = src.GetRasterBand(4).ReadAsArray()
    elev, nodata = read_raster(out, 4)
    ok = elev != nodata
    assert 0.5 * elev.size < ok.sum() <= np.isfinite(elev_src).sum()
    assert np.allclose(elev[ok], elev_src[ok])


def test_a_factor_without_crs_is_refused(raster, tmp_path):
    ref = raster("ref.tif", np.ones((10, 10), np.float32))
    no_crs = raster("nocrs.tif", np.ones((10, 10), np.float32), epsg=None)
    with pytest.raises(LsmError, match="has no coordinate reference system"):
        stk.build_stack(stk.factors_from_rasters([str(ref), str(no_crs)], stk.CONTINUOUS),
                        str(tmp_path / "s.tif"))
