"""The factor stack: every factor warped onto one grid, one band each, one common nodata mask.

Factors come from rasters (continuous or categorical), from a DEM (slope and aspect, with GDAL's
DEM tools) and from vector layers (distance to rivers, roads, faults, with GDAL proximity). Each
source is warped lazily through a GDAL VRT file onto the reference grid; the stack is then
written window by window (a core.blocks stage, in-process or on Dask), so memory does not grow
with raster size.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
from osgeo import gdal, osr

from .blocks import Block, Output, Stage, run_stage, task_dataset
from .errors import LsmError
from .progress import SILENT, Progress
from .provenance import read_provenance
from .raster import (
    FLOAT_NODATA,
    WINDOW,
    Grid,
    Window,
    band_max,
    band_names,
    bounded_gdal_cache,
    check_output_path,
    gdal_exceptions,
    iter_windows,
    open_raster,
    read_window,
    remove_folder,
)
from .records import KIND_TAG, BandTags, StackTags
from .vector import rasterize, read_features

CONTINUOUS, CATEGORICAL, ASPECT = "continuous", "categorical", "aspect"
KINDS = (CONTINUOUS, CATEGORICAL, ASPECT)
#: aspect value of flat cells (GDAL leaves them without aspect)
FLAT_ASPECT = -1.0
RESAMPLING = {"nearest": "near", "bilinear": "bilinear", "cubic": "cubic", "average": "average"}



@dataclass
class Factor:
    """One band of the stack-to-be: where it comes from and how it is treated."""

    name: str
    source: str
    band: int = 1
    kind: str = CONTINUOUS
    resampling: str = "bilinear"


@dataclass
class GridSpec:
    """A reference grid given by CRS, extent and cell size (instead of a reference raster)."""

    crs_wkt: str
    extent: tuple  # xmin, ymin, xmax, ymax
    cell_size: float

    def grid(self) -> Grid:
        xmin, ymin, xmax, ymax = self.extent
        if self.cell_size <= 0 or xmax <= xmin or ymax <= ymin:
            raise LsmError("The reference grid needs a positive cell size and a non-empty extent.")
        width = int(math.ceil((xmax - xmin) / self.cell_size - 1e-9))
        height = int(math.ceil((ymax - ymin) / self.cell_size - 1e-9))
        return Grid(width, height, (xmin, self.cell_size, 0.0, ymax, 0.0, -self.cell_size),
                    self.crs_wkt)


@dataclass
class StackInfo:
    """What a stack holds, read from its metadata."""

    path: str
    names: list
    kinds: list
    grid: Grid
    encoding: str = "raw"
    encoding_spec: Optional[dict] = None
    #: for an FR stack: the samples its encoding was fitted on (core.provenance)
    fr_samples: Optional[dict] = None

    def kind_of(self, name: str) -> str:
        return self.kinds[self.names.index(name)]


@dataclass
class StackReport:
    info: StackInfo
    valid_cells: int = 0
    messages: list = field(default_factory=list)


def stack_info(path: str) -> StackInfo:
    """Band names, kinds and encoding of a stack (any raster: bands without our metadata are
    continuous, names default to band_1..)."""
    ds = open_raster(path, "factor stack")
    names = band_names(ds)
    if len(set(names)) != len(names):
        raise LsmError(f"The bands of '{path}' have repeated names {names}. Give each band a "
                       "unique description (e.g. rebuild it with 'Build factor stack').")
    kinds = []
    for i in range(ds.RasterCount):
        kind = ds.GetRasterBand(i + 1).GetMetadataItem(KIND_TAG) or CONTINUOUS
        kinds.append(kind if kind in KINDS else CONTINUOUS)
    tags = StackTags.from_metadata(ds.GetMetadata() or {}, Path(str(path)).name)
    return StackInfo(str(path), names, kinds, Grid.of(ds), tags.encoding, tags.fr_encoding,
                     read_provenance(tags.fr_samples))


def reference_grid(reference: Optional[str], spec: Optional[GridSpec],
                   factors: Sequence[Factor]) -> Grid:
    if spec is not None:
        return spec.grid()
    source = reference or (factors[0].source if factors else None)
    if not source:
        raise LsmError("Give a reference grid: a reference raster, or CRS, extent and cell "
                       "size (or at least one factor raster).")
    return north_up(Grid.of(open_raster(source, "reference raster")), source)


def north_up(grid: Grid, source: str) -> Grid:
    """The grid of a reference raster as the stack's north-up grid.

    A rotated geotransform (rotation terms) is refused: samples, evaluation and every reader
    of cell coordinates need a north-up grid, and the factors are warped onto the grid's
    extent. A grid that is only flipped (rows south to north, or columns east to west) covers
    the same cells north-up: the stack is written north-up."""
    x0, dx, rx, y0, ry, dy = grid.geotransform
    if rx or ry:
        name = Path(str(source).split("|")[0]).name
        raise LsmError(
            f"The grid of '{name}' (the reference raster, or the first factor when none is "
            f"given) is rotated: its geotransform has rotation terms ({rx:g}, {ry:g}), and the "
            "factor stack must be a north-up grid. Warp it to a "
            f"north-up grid first: gdalwarp \"{source}\" north_up.tif (Raster > Projections > "
            "Warp), then use that as the reference raster (or give CRS, extent and cell size).")
    if dx > 0 and dy < 0:
        return grid
    xmin, _, _, ymax = grid.extent
    return Grid(grid.width, grid.height, (xmin, abs(dx), 0.0, ymax, 0.0, -abs(dy)),
                grid.crs_wkt)


def _warp_options(grid: Grid, resampling: str, src_nodata: Optional[float]) -> gdal.WarpOptions:
    xmin, ymin, xmax, ymax = grid.extent
    return gdal.WarpOptions(
        format="VRT", outputBounds=(xmin, ymin, xmax, ymax), width=grid.width,
        height=grid.height, dstSRS=grid.crs_wkt or None, resampleAlg=RESAMPLING[resampling],
        srcNodata=src_nodata, dstNodata=FLOAT_NODATA, outputType=gdal.GDT_Float32,
        multithread=True)


def warp_to_grid(source: str, band: int, grid: Grid, resampling: str,
                 name: str, path: Optional[Path] = None) -> gdal.Dataset:
    """A lazily warped single-band VRT of ``source`` on ``grid``: in memory, or written to the
    VRT file ``path`` (its source VRT beside it) for readers that open it by path."""
    ds = open_raster(source, f"factor '{name}'")
    if not 1 <= band <= ds.RasterCount:
        raise LsmError(f"Factor '{name}': band {band} does not exist in '{source}' "
                       f"({ds.RasterCount} band(s)).")
    if not ds.GetProjection() and grid.crs_wkt:
        raise LsmError(f"Factor '{name}' ('{source}') has no coordinate reference system. "
                       "Assign one (Raster > Projections > Assign Projection) and try again.")
    nodata = ds.GetRasterBand(band).GetNoDataValue()
    # in-memory VRTs (nothing to write back when they are closed), or files beside ``path``
    single_path = "" if path is None else str(path.with_name(f"{path.stem}_source.vrt"))
    single = gdal.Translate(single_path, ds, format="VRT", bandList=[band])
    if nodata is not None:
        single.GetRasterBand(1).SetNoDataValue(nodata)
    if path is not None:
        single.FlushCache()  # written before the warped VRT refers to it by name
    with gdal_exceptions():
        try:
            return gdal.Warp("" if path is None else str(path), single,
                             options=_warp_options(grid, resampling, nodata))
        except RuntimeError as exc:
            raise LsmError(f"Factor '{name}' could not be warped onto the reference grid: {exc}. "
                           "Check its CRS.") from exc


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)[:40] or "factor"


def derive_slope_aspect(dem: str, grid: Grid, tmpdir: Path, want_slope: bool,
                        want_aspect: bool) -> dict:
    """Slope (degrees) and aspect (degrees, -1 where flat) of a DEM on the reference grid."""
    warped = warp_to_grid(dem, 1, grid, "bilinear", "dem")
    scale = 1.0
    srs = grid.srs()
    if srs is not None and srs.IsGeographic():
        scale = 111120.0  # metres per degree: slope of a DEM in lat/lon
    out = {}
    with gdal_exceptions():
        if want_slope:
            path = tmpdir / "slope.tif"
            gdal.DEMProcessing(str(path), warped, "slope", computeEdges=True, scale=scale,
                               creationOptions=["TILED=YES"])
            out["slope"] = str(path)
        if want_aspect:
            path = tmpdir / "aspect.tif"
            gdal.DEMProcessing(str(path), warped, "aspect", computeEdges=True,
                               creationOptions=["TILED=YES"])
            # GDAL gives flat cells the nodata value; keep them as "flat" where the DEM is valid
            fixed = tmpdir / "aspect_flat.tif"
            a_ds, d_ds = gdal.Open(str(path)), warped
            drv = gdal.GetDriverByName("GTiff")
            o_ds = drv.Create(str(fixed), grid.width, grid.height, 1, gdal.GDT_Float32,
                              options=["TILED=YES"])
            o_ds.SetGeoTransform(grid.geotransform)
            if grid.crs_wkt:
                o_ds.SetProjection(grid.crs_wkt)
            o_ds.GetRasterBand(1).SetNoDataValue(FLOAT_NODATA)
            a_nd = a_ds.GetRasterBand(1).GetNoDataValue()
            for win in iter_windows(grid.width, grid.height):
                a = a_ds.GetRasterBand(1).ReadAsArray(win.col, win.row, win.width, win.height)
                _, dem_ok = read_window(d_ds, win)
                a = a.astype(np.float32)
                flat = dem_ok & ((a == a_nd) if a_nd is not None else ~np.isfinite(a))
                a[flat] = FLAT_ASPECT
                a[~dem_ok] = FLOAT_NODATA
                o_ds.GetRasterBand(1).WriteArray(a, win.col, win.row)
            o_ds = a_ds = None
            out["aspect"] = str(fixed)
    return out


def derive_distance(source: str, grid: Grid, tmpdir: Path, name: str) -> str:
    """Euclidean distance (map units) from every cell to the nearest feature of a layer.

    Features outside the grid count too (a river just beyond the study area is the nearest
    river of the cells along that edge): the distances are computed on the grid grown by a
    margin that holds every feature that can be nearer than the nearest one inside, then cut
    back to the grid."""
    feats = read_features(source, grid, what=f"layer for '{name}'")
    if not feats.geometries:
        raise LsmError(f"The layer for '{name}' has no features; a distance cannot be computed.")
    tag = _safe(name)
    inside = _proximity(feats.geometries, grid, tmpdir, f"{tag}_inside")
    margin = _margin_for_outside_features(feats.geometries, grid, inside)
    if margin == 0:
        if inside is None:
            raise LsmError(f"No feature of the layer for '{name}' falls inside the reference "
                           "grid; check its extent and CRS.")
        return str(inside)
    dx, dy = grid.cell_size
    nx, ny = math.ceil(margin / dx), math.ceil(margin / dy)
    x0, gx, rx, y0, ry, gy = grid.geotransform
    wide = Grid(grid.width + 2 * nx, grid.height + 2 * ny,
                (x0 - nx * gx, gx, rx, y0 - ny * gy, ry, gy), grid.crs_wkt)
    grown = _proximity(feats.geometries, wide, tmpdir, f"{tag}_wide")
    if grown is None:
        raise LsmError(f"No feature of the layer for '{name}' lies inside or near the "
                       "reference grid; check its extent and CRS.")
    path = tmpdir / f"{tag}_distance.tif"
    with gdal_exceptions():
        gdal.Translate(str(path), str(grown), srcWin=[nx, ny, grid.width, grid.height],
                       creationOptions=["TILED=YES"])
    return str(path)


def _proximity(geometries: list, grid: Grid, tmpdir: Path, tag: str) -> Optional[Path]:
    """GDAL proximity to the burned geometries on a grid; None when none is on the grid."""
    burned = rasterize(geometries, np.ones(len(geometries), int), grid,
                       tmpdir / f"{tag}_burn.tif", all_touched=True, dtype=gdal.GDT_Byte)
    src = gdal.Open(str(burned))
    if (band_max(src.GetRasterBand(1)) or 0) < 1:  # nothing burned on the grid
        return None
    path = tmpdir / f"{tag}_distance.tif"
    with gdal_exceptions():
        dst = gdal.GetDriverByName("GTiff").Create(str(path), grid.width, grid.height, 1,
                                                   gdal.GDT_Float32, options=["TILED=YES"])
        dst.SetGeoTransform(grid.geotransform)
        if grid.crs_wkt:
            dst.SetProjection(grid.crs_wkt)
        gdal.ComputeProximity(src.GetRasterBand(1), dst.GetRasterBand(1),
                              ["VALUES=1", "DISTUNITS=GEO"])
        dst.FlushCache()
        dst = None
    return path


def _margin_for_outside_features(geometries: list, grid: Grid,
                                 inside: Optional[Path]) -> float:
    """How far beyond the grid features can still be the nearest of some cell: 0 when every
    feature lies on the grid; else the largest distance to a feature inside (no cell is
    farther from its nearest feature), or the grid's diagonal when none is inside; never
    beyond the features themselves."""
    gx0, gy0, gx1, gy1 = grid.extent
    fx0, fx1, fy0, fy1 = math.inf, -math.inf, math.inf, -math.inf
    for geom in geometries:
        ex0, ex1, ey0, ey1 = geom.GetEnvelope()
        fx0, fx1, fy0, fy1 = min(fx0, ex0), max(fx1, ex1), min(fy0, ey0), max(fy1, ey1)
    reach = max(gx0 - fx0, fx1 - gx1, gy0 - fy0, fy1 - gy1, 0.0)
    if reach == 0.0:
        return 0.0
    if inside is not None:
        ds = gdal.Open(str(inside))  # keep the dataset alive while its band is used
        farthest = band_max(ds.GetRasterBand(1))
        ds = None
        if farthest is None:
            farthest = math.hypot(gx1 - gx0, gy1 - gy0)
    else:
        farthest = math.hypot(gx1 - gx0, gy1 - gy0)
    return min(reach, farthest)


def derive_categories(source: str, field: str, grid: Grid, tmpdir: Path,
                      name: str) -> tuple[str, dict]:
    """Rasterize polygons by a code field (e.g. lithology units) onto the grid.

    Integer codes are kept; text values are numbered 1..k in sorted order (the mapping is
    returned and stored with the band)."""
    feats = read_features(source, grid, (field,), what=f"layer for '{name}'")
    if not feats.geometries:
        raise LsmError(f"The layer for '{name}' has no features.")
    raw = feats.attributes[field]
    mapping: dict = {}
    try:
        codes = np.array([int(v) for v in raw], dtype=np.int64)
    except (TypeError, ValueError):
        labels = sorted({str(v) for v in raw if v is not None})
        mapping = {label: i + 1 for i, label in enumerate(labels)}
        codes = np.array([mapping.get(str(v), 0) for v in raw], dtype=np.int64)
    path = rasterize(feats.geometries, codes, grid, tmpdir / f"{_safe(name)}_codes.tif",
                     nodata=CATEGORY_NODATA)
    return str(path), mapping


#: nodata of rasterized category codes (any real code, 0 included, stays valid)
CATEGORY_NODATA = -2147483647


def build_stack(factors: Sequence[Factor], output_path: str, *, reference: Optional[str] = None,
                grid_spec: Optional[GridSpec] = None, dem: Optional[str] = None,
                derive_slope: bool = False, derive_aspect: bool = False,
                distance_layers: Sequence[tuple[str, str]] = (),
                category_layers: Sequence[tuple[str, str, str]] = (),
                mask: Optional[str] = None, progress: Progress = SILENT,
                client: Any = None, window: int = WINDOW) -> StackReport:
    """Warp every factor onto one grid and write an aligned multiband Float32 GeoTIFF.

    ``distance_layers`` are (name, vector source) pairs; ``category_layers`` are (name, polygon
    source, code field) triples, rasterized as categorical factors. A cell is valid only where
    every factor is valid (and inside ``mask`` polygons when given).

    ``client``: a distributed.Client to write the stack on a Dask cluster (see core.blocks;
    the intermediate rasters then go to a hidden folder beside the output, which the workers
    must be able to read); ``window``: cells per side of a window (any size gives the same
    stack).
    """
    inputs = [f.source for f in factors] + ([dem] if dem else []) + \
        [s for _, s in distance_layers] + [s for _, s, _ in category_layers] + \
        ([mask] if mask else [])
    out = check_output_path(output_path, inputs)
    if not factors and not (dem and (derive_slope or derive_aspect)) and not distance_layers \
            and not category_layers:
        raise LsmError("Give at least one factor: a raster, a DEM to derive slope/aspect from, "
                       "or a vector layer to compute distances to.")
    if (derive_slope or derive_aspect) and not dem:
        raise LsmError("Slope and aspect are derived from a DEM: choose the DEM raster.")
    for f in factors:
        if f.kind not in KINDS:
            raise LsmError(f"Factor '{f.name}': unknown kind '{f.kind}'.")
        if f.kind == CATEGORICAL:
            f.resampling = "nearest"  # class codes are never interpolated
    grid = reference_grid(reference, grid_spec, factors or ([Factor("dem", dem)] if dem else []))
    if grid.cells == 0:
        raise LsmError("The reference grid is empty.")
    if window < 1:
        raise LsmError(f"The window size must be at least 1 cell, not {window}.")
    report = StackReport(info=None)  # type: ignore[arg-type]

    with _scratch_folder(out, client) as tmpdir, bounded_gdal_cache():
        # every band as a raster file the window tasks open by path
        bands: list[tuple[Factor, str]] = []
        for i, f in enumerate(factors):
            vrt = tmpdir / f"factor_{i}.vrt"
            warp_to_grid(f.source, f.band, grid, f.resampling, f.name, vrt)  # closed: written
            bands.append((f, str(vrt)))
            source_ds = open_raster(f.source)  # keep the dataset alive while its band is used
            source_nodata = source_ds.GetRasterBand(f.band).GetNoDataValue()
            if source_nodata is None:
                report.messages.append(
                    f"Factor '{f.name}' ({Path(f.source).name}) has no nodata value: every "
                    "cell with a finite value counts as valid. If it has a fill value (e.g. "
                    f"-9999), set it first: gdal_edit -a_nodata -9999 \"{f.source}\"")
        if dem and (derive_slope or derive_aspect):
            progress.info("Deriving slope/aspect from the DEM (GDAL DEM tools)")
            derived = derive_slope_aspect(dem, grid, tmpdir, derive_slope, derive_aspect)
            for name in ("slope", "aspect"):
                if name in derived:
                    f = Factor(name, derived[name], 1, ASPECT if name == "aspect" else CONTINUOUS,
                               "nearest")
                    bands.append((f, derived[name]))
        for name, source in distance_layers:
            progress.info(f"Computing distance to '{name}' (GDAL proximity)")
            path = derive_distance(source, grid, tmpdir, name)
            bands.append((Factor(name, path, 1, CONTINUOUS, "nearest"), path))
        mappings = {}
        for name, source, field_name in category_layers:
            progress.info(f"Rasterizing '{name}' by its field '{field_name}'")
            path, mapping = derive_categories(source, field_name, grid, tmpdir, name)
            mappings[name] = mapping
            bands.append((Factor(name, path, 1, CATEGORICAL, "nearest"), path))
        progress.percent(10)
        names = [f.name for f, _ in bands]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise LsmError(f"Factor names must be unique; repeated: {', '.join(dupes)}. Rename "
                           "the inputs (factor names come from layer names or band descriptions).")
        mask_path = None
        if mask:
            feats = read_features(mask, grid, what="study-area mask")
            mask_path = str(rasterize(feats.geometries, np.ones(len(feats.geometries), int),
                                      grid, tmpdir / "mask.tif", dtype=gdal.GDT_Byte))
        valid_cells = _write_stack(out, grid, bands, mask_path, progress.sub(10, 100), mappings,
                                   report.messages, client=client, window=window)
    info = stack_info(str(out))
    report.info = info
    report.valid_cells = valid_cells
    return report


@contextlib.contextmanager
def _scratch_folder(out: Path, client: Any) -> Iterator[Path]:
    """A hidden folder beside ``out`` for the intermediate rasters, removed at the end: a
    temporary directory in-process; on Dask ``.<stem>.<id>.scratch``, which the workers
    read by path."""
    if client is None:
        with tempfile.TemporaryDirectory(prefix=".lsm-stack-", dir=out.parent) as tmp:
            yield Path(tmp)
        return
    folder = out.with_name(f".{out.stem}.{uuid.uuid4().hex[:8]}.scratch")
    folder.mkdir()
    try:
        yield folder
    finally:
        remove_folder(folder)


class StackTask:
    """One window of the factor stack (a picklable task of core.blocks): every band read from
    its warped or derived raster (by path), and the cells where any band is nodata (or that
    lie outside the study-area mask) set to nodata in all."""

    def __init__(self, paths: Sequence[str], mask_path: Optional[str] = None) -> None:
        self.paths, self.mask_path = tuple(paths), mask_path

    def __call__(self, win: Window) -> Block:
        n = len(self.paths)
        block = np.empty((n, win.height, win.width), dtype=np.float32)
        valid = np.ones((win.height, win.width), dtype=bool)
        band_valid = np.zeros(n, dtype=np.int64)
        band_nonfinite = np.zeros(n, dtype=np.int64)
        for b, path in enumerate(self.paths):
            data, ok = read_window(task_dataset(path, "factor raster"), win, [1],
                                   dtype=np.float32)
            block[b] = data[0]
            valid &= ok
            band_valid[b] = int(ok.sum())
            band_nonfinite[b] = int((~np.isfinite(data[0])).sum())
        if self.mask_path is not None:
            mask_ds = task_dataset(self.mask_path, "study-area mask")
            valid &= mask_ds.GetRasterBand(1).ReadAsArray(
                win.col, win.row, win.width, win.height) > 0
        block[:, ~valid] = FLOAT_NODATA
        return Block((block,), {"valid_cells": int(valid.sum()), "band_valid": band_valid,
                                "band_nonfinite": band_nonfinite})


def _check_stack_counts(names: list, counts: dict) -> None:
    """Refuse a stack with an empty band or without a valid cell (raised before the stack is
    published: none is written)."""
    band_valid = counts.get("band_valid", np.zeros(len(names), dtype=np.int64))
    empty = [names[b] for b in range(len(names)) if band_valid[b] == 0]
    if empty:
        raise LsmError(f"Factor '{empty[0]}' has no valid cell on the reference grid "
                       "(all nodata, NaN or outside its extent). Check its nodata value and "
                       "extent, or leave it out." + (f" Also empty: {', '.join(empty[1:])}."
                                                     if len(empty) > 1 else ""))
    if counts.get("valid_cells", 0) == 0:
        raise LsmError("The factors have no valid cell in common (every cell is nodata in "
                       "at least one factor). Check the extents and nodata values of the "
                       "inputs.")


def _write_stack(out: Path, grid: Grid, bands: Sequence[tuple[Factor, str]],
                 mask_path: Optional[str], progress: Progress,
                 mappings: Optional[dict] = None, messages: Optional[list] = None, *,
                 client: Any = None, window: int = WINDOW) -> int:
    """Write the stack of ``bands`` ((factor, raster path) pairs) window by window, in-process
    or on Dask; return its valid cells."""
    names = [f.name for f, _ in bands]
    band_meta = [BandTags(f.kind, Path(f.source).name, (mappings or {}).get(f.name) or None
                          ).to_metadata() for f, _ in bands]

    def finish(counts: dict, seconds: float) -> list:
        _check_stack_counts(names, counts)
        return []

    stage = Stage("stack", grid, StackTask([path for _, path in bands], mask_path),
                  (Output(out, len(bands), "float32", FLOAT_NODATA, tuple(names),
                          StackTags().to_metadata(), tuple(band_meta)),),
                  window=window, finish=finish)
    counts = run_stage(stage, client, progress=progress).counts
    for b, n in enumerate(counts.get("band_nonfinite", ())):
        if n and messages is not None:
            messages.append(f"Factor '{names[b]}' has {n} NaN or infinite cells; they are "
                            "treated as nodata.")
    return int(counts["valid_cells"])


def factors_from_rasters(paths: Sequence[str], kind: str,
                         names: Optional[Sequence[str]] = None) -> list[Factor]:
    """One Factor per band of each raster: single-band rasters are named after the file (or
    the given name), multiband rasters after their band descriptions."""
    out = []
    for i, path in enumerate(paths):
        ds = open_raster(path, "factor raster")
        given = names[i] if names and i < len(names) else None
        if ds.RasterCount == 1:
            desc = ds.GetRasterBand(1).GetDescription().strip()
            out.append(Factor(given or desc or Path(path.split("|")[0]).stem, path, 1, kind,
                              "nearest" if kind == CATEGORICAL else "bilinear"))
        else:
            for name, b in zip(band_names(ds), range(1, ds.RasterCount + 1)):
                out.append(Factor(name, path, b, kind,
                                  "nearest" if kind == CATEGORICAL else "bilinear"))
    return out


def srs_from_user(text: str) -> str:
    """WKT from 'EPSG:32649' or WKT/PROJ text."""
    srs = osr.SpatialReference()
    if srs.SetFromUserInput(text) != 0:
        raise LsmError(f"Unknown coordinate reference system '{text}'.")
    return srs.ExportToWkt()
