"""Fixtures shared by the unit and QGIS test layers (no qgis import here)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Optional

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

ROOT = Path(__file__).resolve().parent.parent
ECUADOR = ROOT.parent / "shared" / "data" / "ecuador"
ARTIFACTS = ROOT / "test-artifacts"
sys.path.insert(0, str(ROOT / "scripts"))  # qgis_tools, the sample-area generator

UTM17S = 32717

_session: dict = {}


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    _session["exitstatus"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """The QGIS layer leaves the process at once when pytest is done, with pytest's exit status.

    Since this round, the QGIS test process sometimes crashes in C++ teardown after QGIS has
    exited and every test has passed and been reported ("corrupted size vs. prev_size", SIGSEGV,
    no Python frame; reproduced with and without GDAL's global exception mode, not in any
    single test file). Until the cause is found (see CHANGELOG, known problems), that teardown
    is skipped: the result pytest reported is the result."""
    if "qgis.core" in sys.modules and "exitstatus" in _session:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_session["exitstatus"])


def write_raster(path: Path, data: np.ndarray, nodata: Optional[float] = -9999.0,
                 origin: tuple[float, float] = (500000.0, 9500000.0), cell: float = 10.0,
                 epsg: Optional[int] = UTM17S, names: Sequence[str] = (),
                 dtype: int = gdal.GDT_Float32) -> Path:
    """Write a (bands, rows, cols) or (rows, cols) array as a GeoTIFF."""
    data = np.asarray(data)
    if data.ndim == 2:
        data = data[None]
    bands, rows, cols = data.shape
    ds = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, bands, dtype)
    ds.SetGeoTransform((origin[0], cell, 0.0, origin[1], 0.0, -cell))
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        ds.SetProjection(srs.ExportToWkt())
    for i in range(bands):
        band = ds.GetRasterBand(i + 1)
        # nodata first: GDAL 3.10 reads a block written all 0 before the nodata value was set
        # as nodata
        if nodata is not None:
            band.SetNoDataValue(nodata)
        band.WriteArray(data[i])
        if i < len(names):
            band.SetDescription(names[i])
    ds = None
    return path


def write_vector(path: Path, wkts: Sequence[str], fields: Optional[dict] = None,
                 epsg: Optional[int] = UTM17S, layer: Optional[str] = None) -> Path:
    """Write geometries (WKT) with attribute columns ({name: values}) as a GeoPackage."""
    fields = fields or {}
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    srs = None
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
    lyr = ds.CreateLayer(layer or path.stem, srs, ogr.wkbUnknown)
    for name, values in fields.items():
        sample = next((v for v in values if v is not None), 0)
        kind = ogr.OFTInteger64 if isinstance(sample, (int, np.integer)) else (
            ogr.OFTReal if isinstance(sample, float) else ogr.OFTString)
        lyr.CreateField(ogr.FieldDefn(name, kind))
    for i, wkt in enumerate(wkts):
        feat = ogr.Feature(lyr.GetLayerDefn())
        if wkt:
            feat.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        for name, values in fields.items():
            if values[i] is not None:
                feat.SetField(name, values[i] if not isinstance(values[i], np.integer)
                              else int(values[i]))
        lyr.CreateFeature(feat)
    ds = None
    return path


def square(x0: float, y0: float, size: float) -> str:
    return (f"POLYGON(({x0} {y0},{x0 + size} {y0},{x0 + size} {y0 + size},{x0} {y0 + size},"
            f"{x0} {y0}))")


def read_raster(path: Path | str, band: int = 1) -> tuple[np.ndarray, Optional[float]]:
    ds = gdal.Open(str(path))
    b = ds.GetRasterBand(band)
    return b.ReadAsArray(), b.GetNoDataValue()


@pytest.fixture
def raster(tmp_path: Path) -> Callable[..., Path]:
    """Factory: raster(name, array, **options) -> path of a new GeoTIFF in tmp_path."""

    def make(name: str, data: np.ndarray, **kwargs) -> Path:
        return write_raster(tmp_path / name, data, **kwargs)

    return make


@pytest.fixture
def vector(tmp_path: Path) -> Callable[..., Path]:
    """Factory: vector(name, wkts, fields=None, epsg=...) -> path of a new GeoPackage."""

    def make(name: str, wkts: Sequence[str], **kwargs) -> Path:
        return write_vector(tmp_path / name, wkts, **kwargs)

    return make


@pytest.fixture
def ecuador() -> Path:
    """The real Ecuador landslide data in ../shared (skipped when absent)."""
    if not (ECUADOR / "ta.tif").exists():
        pytest.skip("../shared/data/ecuador is not present")
    return ECUADOR


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/: screenshots and renders a person can open after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def steep_wet_study(d: Path, rows: int, cols: int, n: int, seed: int, noise: bool = False,
                    nodata_corner: tuple[int, int] = (0, 0)) -> dict:
    """A factor stack (slope, wetness, and optionally a noise factor) where landslides favour
    steep, wet cells, and ``n`` labelled points drawn from that known process, prepared as
    samples (random 70/30, seed 2). ``nodata_corner``: that many rows and columns of slope at
    the top left are nodata, and no point falls there. Returns dir, stack and samples."""
    from landslide_lsm_plugin.core import sampling as smp
    from landslide_lsm_plugin.core import stack as stk

    rng = np.random.default_rng(seed)
    slope = rng.gamma(2.0, 8.0, (rows, cols)).astype(np.float32)
    wet = rng.random((rows, cols)).astype(np.float32)
    layers = [("slope", slope), ("wetness", wet)]
    if noise:
        layers.append(("noise", rng.random((rows, cols)).astype(np.float32)))
    top, left = nodata_corner
    slope[:top, :left] = -9999
    paths = [write_raster(d / f"{name}.tif", a) for name, a in layers]
    stack = d / "stack.tif"
    stk.build_stack([stk.Factor(p.stem, str(p)) for p in paths], str(stack))
    r, c = rng.integers(top, rows, n), rng.integers(left, cols, n)
    p = 1 / (1 + np.exp(-(0.12 * (slope[r, c] - 16) + 3 * (wet[r, c] - 0.5))))
    label = (rng.random(n) < p).astype(int)
    x0, y0 = 500000.0, 9500000.0
    pts = write_vector(d / "points.gpkg", [f"POINT({x0 + 10 * cc + 5} {y0 - 10 * rr - 5})"
                                          for rr, cc in zip(r, c)], fields={"label": label})
    samples = d / "samples.gpkg"
    smp.prepare_samples(str(pts), str(stack), str(samples), label_field="label", seed=2)
    return {"dir": d, "stack": stack, "samples": samples}
