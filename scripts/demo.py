"""`make demo`: run the workflow headless with qgis_process on a built-in example and say
where the outputs are."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import numpy as np
from osgeo import gdal, osr

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qgis_tools as qt

OUT = qt.ROOT / "demo_output"


def step(message: str) -> None:
    print(f"[demo {time.strftime('%H:%M:%S')}] {message}", flush=True)


def example_lsi(path: Path) -> None:
    """A small seeded susceptibility-like surface (smooth hills of higher index)."""
    rng = np.random.default_rng(2022)
    rows, cols = 300, 400
    y, x = np.mgrid[0:rows, 0:cols]
    lsi = np.zeros((rows, cols))
    for _ in range(12):
        cy, cx, r = rng.uniform(0, rows), rng.uniform(0, cols), rng.uniform(20, 70)
        lsi += rng.uniform(0.3, 1.0) * np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r))
    lsi = (lsi - lsi.min()) / (lsi.max() - lsi.min())
    ds = gdal.GetDriverByName("GTiff").Create(str(path), cols, rows, 1, gdal.GDT_Float32)
    ds.SetGeoTransform((700000.0, 30.0, 0.0, 3640000.0, 0.0, -30.0))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32649)
    ds.SetProjection(srs.ExportToWkt())
    ds.GetRasterBand(1).WriteArray(lsi.astype(np.float32))
    ds.GetRasterBand(1).SetNoDataValue(-9999.0)
    ds = None


def main() -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    profile = OUT / ".qgis-profile"
    step("Deploying the plugin into a scratch QGIS profile")
    qt.make_profile(profile, enabled=False)
    qt.enable_in_qgis_process(profile)
    step("Writing the built-in example LSI raster")
    example_lsi(OUT / "example_lsi.tif")
    step("qgis_process run landslide_lsm:classifylsi (natural breaks, 5 zones)")
    result = qt.run_algorithm(profile, "landslide_lsm:classifylsi",
                              {"INPUT": OUT / "example_lsi.tif",
                               "OUTPUT": OUT / "example_zones.tif",
                               "OUTPUT_TABLE": OUT / "example_zones.csv"})
    for line in result.get("log", {}).get("info", []):
        print("    " + line)
    step("Done. Outputs:")
    for path in sorted(OUT.iterdir()):
        if not path.name.startswith("."):
            print(f"    {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
