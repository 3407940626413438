"""A small synthetic study area where landslides sit at the foot of steep convex slopes: the
label depends on the neighbourhood, not on a cell's own values (tests and benchmarks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from osgeo import gdal, ogr, osr


def make_foot_area(folder: Path, size: int = 220, seed: int = 0, n_each: int = 170,
                   cell: float = 10.0) -> dict:
    """Write stack.tif (bands 'steep', 'convexity', 'noise') and points.gpkg (field 'label').

    Steep convex hills are discs; landslide cells lie 2-8 cells from a hill's edge, other cells
    more than 28 cells from any hill. All sampled cells are flat and have the same value
    distribution in every band, so a per-cell model sees nothing."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size]
    steep = np.zeros((size, size), np.float32)
    convex = np.zeros((size, size), np.float32)
    dist = np.full((size, size), np.inf)
    for _ in range(14):
        cy, cx, r = rng.uniform(15, size - 15), rng.uniform(15, size - 15), rng.uniform(4, 8)
        d = np.hypot(yy - cy, xx - cx)
        inside = d <= r
        steep[inside] = rng.uniform(30, 45)
        convex[inside] = (1 - d[inside] / r)
        dist = np.minimum(dist, np.maximum(d - r, 0))
    noise = rng.normal(0, 1, (size, size)).astype(np.float32)
    foot = np.argwhere((dist >= 2) & (dist <= 8))
    far = np.argwhere(dist > 28)
    if len(foot) < n_each or len(far) < n_each:
        raise RuntimeError("synthetic area too small for the requested samples")
    pick_ls = foot[rng.choice(len(foot), n_each, replace=False)]
    pick_no = far[rng.choice(len(far), n_each, replace=False)]

    folder.mkdir(parents=True, exist_ok=True)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32649)
    x0, y0 = 600000.0, 3500000.0
    ds = gdal.GetDriverByName("GTiff").Create(str(folder / "stack.tif"), size, size, 3,
                                              gdal.GDT_Float32)
    ds.SetGeoTransform((x0, cell, 0, y0, 0, -cell))
    ds.SetProjection(srs.ExportToWkt())
    for i, (name, band) in enumerate((("steep", steep), ("convexity", convex),
                                      ("noise", noise)), start=1):
        b = ds.GetRasterBand(i)
        b.SetNoDataValue(-9999)  # before the data: GDAL 3.10 reads all-0 blocks written
        b.WriteArray(band)       # before it as nodata
        b.SetDescription(name)
    ds = None
    vds = ogr.GetDriverByName("GPKG").CreateDataSource(str(folder / "points.gpkg"))
    layer = vds.CreateLayer("points", srs, ogr.wkbPoint)
    layer.CreateField(ogr.FieldDefn("label", ogr.OFTInteger))
    for label, cells in ((1, pick_ls), (0, pick_no)):
        for r, c in cells:
            f = ogr.Feature(layer.GetLayerDefn())
            p = ogr.Geometry(ogr.wkbPoint)
            p.AddPoint_2D(x0 + (c + 0.5) * cell, y0 - (r + 0.5) * cell)
            f.SetGeometry(p)
            f.SetField("label", label)
            layer.CreateFeature(f)
    vds = None
    return {"stack": folder / "stack.tif", "points": folder / "points.gpkg"}
