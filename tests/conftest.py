"""Fixtures shared by the unit and QGIS test layers (no qgis import here)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Optional

import numpy as np
import pytest
from osgeo import gdal, osr

ROOT = Path(__file__).resolve().parent.parent
ECUADOR = ROOT.parent / "shared" / "data" / "ecuador"
ARTIFACTS = ROOT / "test-artifacts"
sys.path.insert(0, str(ROOT / "scripts"))  # qgis_tools, the sample-area generator

UTM17S = 32717


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
        band.WriteArray(data[i])
        if nodata is not None:
            band.SetNoDataValue(nodata)
        if i < len(names):
            band.SetDescription(names[i])
    ds = None
    return path


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
