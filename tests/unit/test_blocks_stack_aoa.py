"""Build factor stack, Area of applicability and the masking of a map by it, as core.blocks
stages: on a local Dask cluster of two worker processes, with windows of 128 cells, they write
the same rasters as in-process, and leave no hidden scratch or part files behind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal

from landslide_lsm_plugin.core import applicability as aoa
from landslide_lsm_plugin.core import stack as stk
from landslide_lsm_plugin.core.errors import Canceled, LsmError
from landslide_lsm_plugin.core.progress import Progress
from landslide_lsm_plugin.core.raster import FLOAT_NODATA
from landslide_lsm_plugin.core.records import LsiTags

from ..conftest import write_raster, write_vector

distributed = pytest.importorskip("distributed")

X0, Y0, CELL = 500000.0, 9500000.0, 10.0
ROWS, COLS = 260, 300  # with 128-cell windows: 3 x 3 windows


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Factor rasters (a DEM, a coarser shifted raster with nodata and NaN, a finer
    categorical one), a river layer, a polygon layer coded by text, and a study-area mask."""
    d = tmp_path_factory.mktemp("inputs")
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:ROWS, 0:COLS]
    dem = (np.sin(x / 25.0) * 40 + y * 0.8 + rng.random((ROWS, COLS))).astype(np.float32)
    write_raster(d / "dem.tif", dem)
    ndvi = rng.random((100, 115)).astype(np.float32)
    ndvi[:4, :6] = -9999
    ndvi[50:53, 60:64] = np.nan
    write_raster(d / "ndvi.tif", ndvi, cell=27.0, origin=(X0 - 13.0, Y0 + 11.0))
    lith = rng.integers(1, 5, (2 * ROWS, 2 * COLS)).astype(np.float32)
    write_raster(d / "lith.tif", lith, cell=5.0, nodata=0)
    write_vector(d / "rivers.gpkg", [f"LINESTRING({X0 + 105} {Y0 - 300}, {X0 + 1105} {Y0 - 3000})",
                                     f"LINESTRING({X0 + 3100} {Y0 - 500}, {X0 + 3200} {Y0 + 200})"])
    write_vector(d / "geology.gpkg",
                 [f"POLYGON(({X0} {Y0},{X0 + 1500} {Y0},{X0 + 1500} {Y0 - 2600},{X0} {Y0 - 2600},"
                  f"{X0} {Y0}))",
                  f"POLYGON(({X0 + 1500} {Y0},{X0 + 3000} {Y0},{X0 + 3000} {Y0 - 2600},"
                  f"{X0 + 1500} {Y0 - 2600},{X0 + 1500} {Y0}))"], fields={"unit": ["b", "a"]})
    write_vector(d / "mask.gpkg",
                 [f"POLYGON(({X0 + 50} {Y0 - 50},{X0 + 2700} {Y0 - 50},{X0 + 2700} {Y0 - 2400},"
                  f"{X0 + 50} {Y0 - 2400},{X0 + 50} {Y0 - 50}))"])
    return d


def build(d: Path, out: Path, **kw) -> stk.StackReport:
    factors = [stk.Factor("dem", str(d / "dem.tif")),
               stk.Factor("ndvi", str(d / "ndvi.tif"), resampling="cubic"),
               stk.Factor("lith", str(d / "lith.tif"), kind=stk.CATEGORICAL)]
    return stk.build_stack(factors, str(out), reference=str(d / "dem.tif"),
                           dem=str(d / "dem.tif"), derive_slope=True, derive_aspect=True,
                           distance_layers=[("dist_river", str(d / "rivers.gpkg"))],
                           category_layers=[("geology", str(d / "geology.gpkg"), "unit")],
                           mask=str(d / "mask.gpkg"), **kw)


def assert_assembled(path: Path) -> None:
    """Written on Dask: the window parts assembled into a tiled, compressed GeoTIFF (a COG
    where GDAL has the driver)."""
    ds = gdal.Open(str(path))
    structure = ds.GetMetadata("IMAGE_STRUCTURE")
    assert structure.get("COMPRESSION") == "DEFLATE"
    if gdal.GetDriverByName("COG") is not None:
        assert structure.get("LAYOUT") == "COG"


def hidden_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def assert_same_raster(a: Path, b: Path, tolerance: float = 0.0, ignore: tuple = ()) -> None:
    """Same cells (exactly, or within ``tolerance``), band descriptions, nodata, types, band
    tags (but GDAL's statistics items, compared with a tolerance) and dataset tags (but
    ``ignore``)."""
    da, db = gdal.Open(str(a)), gdal.Open(str(b))
    tags_a = {k: v for k, v in da.GetMetadata().items() if k not in ignore}
    tags_b = {k: v for k, v in db.GetMetadata().items() if k not in ignore}
    assert tags_a == tags_b
    assert da.RasterCount == db.RasterCount
    for i in range(da.RasterCount):
        ba, bb = da.GetRasterBand(i + 1), db.GetRasterBand(i + 1)
        assert (ba.GetDescription(), ba.GetNoDataValue(), ba.DataType) == \
            (bb.GetDescription(), bb.GetNoDataValue(), bb.DataType)
        tags_a = {k: v for k, v in ba.GetMetadata().items() if not k.startswith("STATISTICS_")}
        tags_b = {k: v for k, v in bb.GetMetadata().items() if not k.startswith("STATISTICS_")}
        assert tags_a == tags_b
        assert bb.GetStatistics(0, 0) == pytest.approx(ba.GetStatistics(0, 0), rel=1e-9)
    data_a, data_b = da.ReadAsArray(), db.ReadAsArray()
    if tolerance:
        assert np.array_equal(np.isnan(data_a), np.isnan(data_b))
        assert np.nanmax(np.abs(data_a.astype(float) - data_b)) <= tolerance
    else:
        assert data_a.dtype == data_b.dtype and np.array_equal(data_a, data_b)


# --- Build factor stack ------------------------------------------------------------------------

def test_a_stack_built_on_dask_equals_the_stack_built_in_process(inputs, dask_client,
                                                                 tmp_path):
    here = build(inputs, tmp_path / "here.tif")
    there = build(inputs, tmp_path / "there.tif", client=dask_client, window=128)
    assert there.valid_cells == here.valid_cells > 0
    assert there.info.names == here.info.names == ["dem", "ndvi", "lith", "slope", "aspect",
                                                  "dist_river", "geology"]
    assert there.info.kinds == here.info.kinds
    assert there.messages == here.messages
    assert any("NaN or infinite" in m for m in here.messages)
    assert_same_raster(tmp_path / "here.tif", tmp_path / "there.tif")
    assert_assembled(tmp_path / "there.tif")
    assert hidden_files(tmp_path) == []


def test_a_stack_refused_or_canceled_on_dask_leaves_no_file_and_no_scratch_folder(
        raster, inputs, dask_client, tmp_path):
    empty = raster("empty.tif", np.full((150, 140), -9999, dtype=np.float32))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(LsmError, match="Factor 'empty' has no valid cell"):
        stk.build_stack(stk.factors_from_rasters([str(empty)], stk.CONTINUOUS),
                        str(out / "stack.tif"), client=dask_client, window=64)
    assert sorted(p.name for p in out.iterdir()) == []
    with pytest.raises(Canceled):  # in the windows' stage, the scratch folder full
        build(inputs, out / "stack.tif", client=dask_client, window=64,
              progress=Progress(is_canceled=lambda: True))
    assert sorted(p.name for p in out.iterdir()) == []


# --- Area of applicability, and masking a map --------------------------------------------------

@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A stack of a continuous, a categorical and an aspect factor (a nodata corner), and
    samples prepared from labelled points in its western part."""
    from landslide_lsm_plugin.core import sampling as smp

    d = tmp_path_factory.mktemp("aoa")
    rng = np.random.default_rng(4)
    slope = rng.gamma(2.0, 8.0, (ROWS, COLS))
    slope[:6, :9] = -9999
    lith = np.where(np.arange(COLS)[None, :] < 200, rng.integers(1, 4, (ROWS, COLS)), 4)
    aspect = rng.uniform(0, 360, (ROWS, COLS))
    aspect[rng.random((ROWS, COLS)) < 0.05] = stk.FLAT_ASPECT
    factors = []
    for name, array, kind in (("slope", slope, stk.CONTINUOUS), ("lithology", lith,
                                                                   stk.CATEGORICAL),
                              ("aspect", aspect, stk.ASPECT)):
        path = write_raster(d / f"{name}.tif", array.astype(np.float32))
        factors.append(stk.Factor(name, str(path), 1, kind, "nearest"))
    stack = d / "stack.tif"
    stk.build_stack(factors, str(stack))
    n = 300
    r, c = rng.integers(6, ROWS, n), rng.integers(9, 180, n)
    pts = write_vector(d / "points.gpkg", [f"POINT({X0 + CELL * cc + 5} {Y0 - CELL * rr - 5})"
                                           for rr, cc in zip(r, c)],
                       fields={"label": (rng.random(n) < 0.5).astype(int)})
    samples = d / "samples.gpkg"
    smp.prepare_samples(str(pts), str(stack), str(samples), label_field="label", seed=2)
    return {"dir": d, "stack": stack, "samples": samples}


def test_the_area_of_applicability_on_dask_equals_the_in_process_one(study, dask_client,
                                                                     tmp_path):
    reports = {}
    for where, extra in (("here", {}), ("there", {"client": dask_client, "window": 128})):
        reports[where] = aoa.area_of_applicability(
            str(study["stack"]), str(study["samples"]), str(tmp_path / f"di_{where}.tif"),
            str(tmp_path / f"mask_{where}.tif"), **extra)
    here, there = reports["here"], reports["there"]
    assert (there.valid_cells, there.inside_cells) == (here.valid_cells, here.inside_cells)
    assert 0 < here.inside_cells < here.valid_cells
    assert there.threshold == here.threshold and there.share_inside == here.share_inside
    for name, partner in (("di", "mask"), ("mask", "di")):
        a, b = tmp_path / f"{name}_here.tif", tmp_path / f"{name}_there.tif"
        # the tags name each raster's partner (another file), the rest is the same
        assert aoa.applicability_tags(str(a)).partner == str(tmp_path / f"{partner}_here.tif")
        assert aoa.applicability_tags(str(b)).partner == str(tmp_path / f"{partner}_there.tif")
        assert_same_raster(a, b, ignore=("LSM_AOA_PARTNER",))
        assert_assembled(b)
    assert hidden_files(tmp_path) == []


def test_masking_a_map_on_dask_equals_masking_it_in_process(study, dask_client, tmp_path):
    aoa.area_of_applicability(str(study["stack"]), str(study["samples"]),
                              str(tmp_path / "di.tif"), str(tmp_path / "mask.tif"))
    di = gdal.Open(str(tmp_path / "di.tif")).ReadAsArray()
    rng = np.random.default_rng(8)
    lsi = rng.random(di.shape).astype(np.float32)
    lsi[di == FLOAT_NODATA] = FLOAT_NODATA
    lsi[100:104, 200:240] = FLOAT_NODATA
    sd = (lsi * 0.1).astype(np.float32)
    sd[lsi == FLOAT_NODATA] = FLOAT_NODATA
    counts = {}
    for where, extra in (("here", {}), ("there", {"client": dask_client, "window": 128})):
        maps = tmp_path / where
        maps.mkdir()
        lsi_path = write_raster(maps / "lsi.tif", lsi)
        sd_path = write_raster(maps / "lsi_sd.tif", sd)
        ds = gdal.Open(str(lsi_path), gdal.GA_Update)
        ds.SetMetadata(LsiTags(model_type="svm", model_name="SVM",
                               sd_file="lsi_sd.tif").to_metadata())
        ds.GetRasterBand(1).SetDescription("lsi")
        ds = None
        counts[where] = aoa.mask_outside(str(lsi_path), str(tmp_path / "mask.tif"),
                                         str(sd_path), **extra)
    assert counts["there"] == counts["here"] > 0
    for name in ("lsi.tif", "lsi_sd.tif"):
        assert_same_raster(tmp_path / "here" / name, tmp_path / "there" / name)
        assert_assembled(tmp_path / "there" / name)
    mask = gdal.Open(str(tmp_path / "mask.tif")).ReadAsArray()
    after = gdal.Open(str(tmp_path / "there" / "lsi.tif")).ReadAsArray()
    assert (after[mask == 0] == FLOAT_NODATA).all()
    for folder in (tmp_path, tmp_path / "here", tmp_path / "there"):
        assert hidden_files(folder) == []
