"""Speed of the area of applicability (core/applicability.py) at a realistic size.

    .venv/bin/python benchmarks/applicability.py [--rows 1000] [--cols 1500] [--samples 20000]

A synthetic factor stack of 9 factors (7 smooth continuous fields, aspect, and a categorical
lithology of 6 units: 15 coordinates in feature space) and a samples layer of 20,000 training
samples (5 folds) are written to a temporary folder; then the dissimilarity index and the mask
are computed (2 threads for the nearest-neighbour search). Beside it, in the same run, the
reference: a plain window-by-window GDAL read of the same stack. Prints cells per second of
both; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from osgeo import gdal, osr  # noqa: E402
from scipy.ndimage import gaussian_filter  # noqa: E402

from landslide_lsm_plugin.core import applicability as aoa  # noqa: E402
from landslide_lsm_plugin.core.raster import (  # noqa: E402
    FLOAT_NODATA,
    Grid,
    RasterWriter,
    iter_windows,
    open_raster,
    read_window,
)
from landslide_lsm_plugin.core.records import BandTags, StackTags  # noqa: E402
from landslide_lsm_plugin.core.vector import write_points  # noqa: E402


def smooth(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    field = gaussian_filter(rng.standard_normal(shape), sigma)
    return (field - field.mean()) / field.std()


def make_stack(path: Path, rows: int, cols: int, seed: int) -> Grid:
    """Nine factors on a 10 m grid (UTM 17S): elevation, slope, NDVI, rainfall, three
    distances, aspect (degrees, from the elevation's gradient) and lithology (codes 1..6)."""
    rng = np.random.default_rng(seed)
    shape = (rows, cols)
    elevation = 1500 + 400 * smooth(rng, shape, 40)
    gy, gx = np.gradient(elevation, 10.0)
    slope = np.degrees(np.arctan(np.hypot(gx, gy))) + 2 * smooth(rng, shape, 3)
    aspect = (np.degrees(np.arctan2(-gx, gy)) + 360) % 360
    aspect[np.hypot(gx, gy) < 1e-3] = -1.0
    ndvi = 0.5 + 0.15 * smooth(rng, shape, 10)
    rain = 1200 + 200 * smooth(rng, shape, 80)
    dists = [np.abs(300 * smooth(rng, shape, s)) for s in (25, 35, 60)]
    lith = np.digitize(smooth(rng, shape, 50), [-1.0, -0.4, 0.0, 0.4, 1.0]) + 1
    names = ["elevation", "slope", "ndvi", "rainfall", "dist_rivers", "dist_roads",
             "dist_faults", "aspect", "lithology"]
    kinds = ["continuous"] * 7 + ["aspect", "categorical"]
    layers = [elevation, slope, ndvi, rain, *dists, aspect, lith]
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32717)
    grid = Grid(cols, rows, (500000.0, 10.0, 0.0, 9500000.0, 0.0, -10.0), srs.ExportToWkt())
    data = np.stack(layers).astype(np.float32)
    data[:, :20, :20] = FLOAT_NODATA  # a nodata corner
    with RasterWriter(path, grid, len(names), np.float32, FLOAT_NODATA, descriptions=names,
                      metadata=StackTags().to_metadata(),
                      band_metadata=[BandTags(k).to_metadata() for k in kinds]) as writer:
        for win in iter_windows(cols, rows):
            writer.write(win, data[(slice(None), *win.slices)])
    return grid


def make_samples(path: Path, grid: Grid, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed + 1)
    col = rng.integers(20, grid.width, n)
    row = rng.integers(20, grid.height, n)
    x, y = grid.center_of(col, row)
    label = (rng.random(n) < 0.5).astype(int)
    lid = np.where(label == 1, np.arange(n), -1)
    write_points(path, grid, x, y, [("label", int), ("landslide_id", int), ("split", str),
                                    ("fold", int)],
                 {"label": label, "landslide_id": lid, "split": ["train"] * n,
                  "fold": rng.integers(1, 6, n)})


def plain_read(path: Path) -> float:
    """Seconds to read every window of the stack with its valid mask (the floor of any
    window-by-window computation over it)."""
    started = time.perf_counter()
    ds = open_raster(str(path))
    for win in iter_windows(ds.RasterXSize, ds.RasterYSize):
        read_window(ds, win)
    ds = None
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--cols", type=int, default=1500)
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    gdal.UseExceptions()
    with tempfile.TemporaryDirectory(prefix="aoa-bench-") as tmp:
        d = Path(tmp)
        grid = make_stack(d / "stack.tif", args.rows, args.cols, seed=7)
        make_samples(d / "samples.gpkg", grid, args.samples, seed=7)
        cells = grid.cells
        read_s = plain_read(d / "stack.tif")
        started = time.perf_counter()
        ts = aoa.training_space(str(d / "stack.tif"), str(d / "samples.gpkg"))
        fit_s = time.perf_counter() - started
        started = time.perf_counter()
        report = aoa.area_of_applicability(str(d / "stack.tif"), str(d / "samples.gpkg"),
                                           str(d / "di.tif"), str(d / "mask.tif"),
                                           n_jobs=args.threads)
        total_s = time.perf_counter() - started
    print(f"stack {args.rows} x {args.cols} = {cells:,} cells, 9 factors "
          f"({ts.space.dims} coordinates), {report.n_training:,} training samples, "
          f"{args.threads} thread(s), {os.cpu_count()} CPU(s)")
    print(f"  reference: plain GDAL read of the stack  {read_s:7.2f} s  "
          f"{cells / read_s:12,.0f} cells/s")
    print(f"  training side (feature space, mean distance, cross-fold DI, threshold)  "
          f"{fit_s:7.2f} s")
    print(f"  area of applicability (all of it)        {total_s:7.2f} s  "
          f"{cells / total_s:12,.0f} cells/s  ({total_s / read_s:.0f} x the read)")
    print(f"  threshold {report.threshold:.4f}, mean distance {report.mean_distance:.4f}, "
          f"inside {100 * report.share_inside:.1f} % of {report.valid_cells:,} valid cells")


if __name__ == "__main__":
    main()
