"""Classing a raster into zones (e.g. an LSI into very low .. very high susceptibility), by
a classing method of core.classing or by landslide share (boundaries set by the training
landslides: the zones from the top hold at least given shares of them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

from .blocks import Block, Output, Stage, run_stage, task_dataset
from .classing import (
    DEFAULT_SAMPLE,
    DEFAULT_SHARES,
    LANDSLIDE_SHARE,
    check_shares,
    classify,
    compute_breaks,
    landslide_share_breaks,
    sample_band,
    share_labels,
    zone_labels,
)
from .errors import LsmError
from .progress import SILENT, Progress
from .raster import (
    CLASS_NODATA,
    WINDOW,
    Grid,
    Window,
    check_output_path,
    open_raster,
    read_window,
)
from .records import ZoneTags


@dataclass
class ZoneClass:
    """One class of a zoning: its number, name, value range and area."""

    number: int
    label: str
    lower: float
    upper: float
    cells: int = 0
    area_pct: float = 0.0
    landslides: Optional[int] = None
    landslide_pct: Optional[float] = None
    density: Optional[float] = None  # landslide % / area % (FR of the zone)
    #: zoning by landslide share: the % of the training landslides (those that set the
    #: boundaries) in this zone
    train_landslide_pct: Optional[float] = None


@dataclass
class Zoning:
    method: str
    edges: np.ndarray
    classes: list[ZoneClass] = field(default_factory=list)
    valid_cells: int = 0
    #: zoning by landslide share: the shares (percent) and the training landslides counted
    shares: tuple[float, ...] = ()
    training_landslides: int = 0


def classify_raster(input_path: str, output_path: str, band: int = 1,
                    method: str = "natural_breaks", n_classes: int = 5,
                    custom_breaks: Optional[Sequence[float]] = None,
                    sample_size: int = DEFAULT_SAMPLE, seed: int = 42,
                    labels: Optional[Sequence[str]] = None,
                    samples_path: Optional[str] = None, samples_split: str = "all",
                    inventory_path: Optional[str] = None,
                    shares: Optional[Sequence[float]] = None,
                    progress: Progress = SILENT, *, client: Any = None,
                    window: int = WINDOW) -> Zoning:
    """Class one band of a raster into a Byte raster of zones 1..k (nodata 0). Returns the
    breaks and per-class cell counts (the style is the caller's: presentation.styles).

    With landslide samples (label 1; all, training or validation ones) or an inventory
    (every cell of its polygons/points), each zone also gets its share of landslides and the
    landslide density (landslide % / area %).

    Method ``landslide_share`` (core.classing.LANDSLIDE_SHARE) sets the boundaries from the
    training landslides of ``samples_path`` (required): the zones from the top hold at least
    ``shares`` percent of them (default 50, 75, 90, 95: five zones); ``n_classes`` is not
    used. Zone names say the band of shares (core.classing.share_labels) unless ``labels``
    are given.

    The zones are written (and landslides counted) as stages of core.blocks: in-process, or on
    Dask with ``client`` (a ``distributed.Client``); ``window``: cells per side of a window
    (any gives the same result)."""
    out = check_output_path(output_path, [input_path, samples_path or "", inventory_path or ""])
    ds = open_raster(input_path, "input raster")
    if not 1 <= band <= ds.RasterCount:
        raise LsmError(f"Band {band} does not exist; '{input_path}' has {ds.RasterCount} band(s).")
    progress.info(f"Sampling band {band} of {Path(input_path).name} "
                  f"({ds.RasterXSize} x {ds.RasterYSize} cells)")
    if method == LANDSLIDE_SHARE:
        shares = check_shares(DEFAULT_SHARES if shares is None else shares)
        train_values = _training_landslide_values(ds, band, samples_path, input_path,
                                                  client=client, window=window)
    sample = sample_band(ds, band, sample_size, seed, progress.sub(0, 40))
    if method == LANDSLIDE_SHARE:
        edges = landslide_share_breaks(train_values, shares, sample.vmin, sample.vmax)
        default_names = share_labels(shares)
        progress.info(f"Zone boundaries set by {train_values.size} training landslide(s) for "
                      "shares " + ", ".join(f"{s:g} %" for s in shares))
    else:
        edges = compute_breaks(method, n_classes, sample.values, sample.vmin, sample.vmax,
                               custom_breaks)
        default_names = zone_labels(len(edges) - 1)
    k = len(edges) - 1
    names = list(labels) if labels else default_names
    if len(names) != k:
        raise LsmError(f"{len(names)} class labels were given for {k} classes.")
    progress.info("Breaks: " + ", ".join(f"{e:.6g}" for e in edges))

    grid = Grid.of(ds)
    output = Output(out, 1, "uint8", CLASS_NODATA, ("zone",),
                    ZoneTags(str(input_path), method, tuple(edges), tuple(names)).to_metadata())
    stage = Stage("zones", grid, ZoneTask(str(input_path), band, np.asarray(edges)), (output,),
                  window=window)
    counts = run_stage(stage, client, progress=progress.sub(40, 100)).counts.get(
        "zones", np.zeros(k + 1, dtype=np.int64))

    valid_cells = int(counts[1:].sum())
    classes = [ZoneClass(i, names[i - 1], float(edges[i - 1]), float(edges[i]), int(counts[i]),
                         100.0 * counts[i] / valid_cells if valid_cells else 0.0)
               for i in range(1, k + 1)]
    ls_counts = None
    if samples_path:
        ls_counts = _sample_counts(out, samples_path, samples_split, k, client=client,
                                   window=window)
    elif inventory_path:
        ls_counts = _inventory_counts(out, inventory_path, k, client=client, window=window)
    if ls_counts is not None:
        total = int(ls_counts.sum())
        for c in classes:
            c.landslides = int(ls_counts[c.number])
            c.landslide_pct = 100.0 * c.landslides / total if total else 0.0
            c.density = c.landslide_pct / c.area_pct if c.area_pct > 0 else 0.0
    zoning = Zoning(method, edges, classes, valid_cells)
    if method == LANDSLIDE_SHARE:
        in_zone = np.bincount(classify(train_values, edges), minlength=k + 1)
        for c in classes:
            c.train_landslide_pct = 100.0 * int(in_zone[c.number]) / train_values.size
        zoning.shares, zoning.training_landslides = tuple(shares), int(train_values.size)
    return zoning


def _training_landslide_values(ds, band: int, samples_path: Optional[str], input_path: str,
                               *, client: Any = None, window: int = WINDOW) -> np.ndarray:
    """The LSI (band values) at the training landslide samples on valid cells."""
    from .sampling import read_samples, values_at_path

    if not samples_path:
        raise LsmError("Zoning by landslide share needs the samples layer (fields 'label' and "
                       "'split', as 'Prepare training samples' writes it): its training "
                       "landslides set the zone boundaries. Give the samples, or choose "
                       "another classing method.")
    samples = read_samples(samples_path, Grid.of(ds))
    chosen = samples.train & (samples.label == 1)
    if not chosen.any():
        raise LsmError("The samples hold no training landslide (label 1, split 'train'); "
                       "zoning by landslide share sets its boundaries from them. Use the "
                       "samples written by 'Prepare training samples'.")
    values, ok = values_at_path(str(input_path), samples.x[chosen], samples.y[chosen], [band],
                                what="input raster", client=client, window=window)
    if not ok.any():
        raise LsmError(f"None of the {int(chosen.sum())} training landslide(s) of the samples "
                       f"lies on a valid cell of '{Path(input_path).name}' (all outside it or "
                       "on nodata); zoning by landslide share needs them. Check that the "
                       "samples and the LSI raster cover the same area.")
    return values[ok, 0]


def _sample_counts(zones_path: Path, samples_path: str, split: str, k: int, *,
                   client: Any = None, window: int = WINDOW) -> np.ndarray:
    from .sampling import read_samples, values_at_path

    ds = open_raster(str(zones_path), "zones")
    samples = read_samples(samples_path, Grid.of(ds))
    ds = None
    chosen = samples.label == 1
    if split != "all":
        chosen &= samples.split == split
    if not chosen.any():
        raise LsmError(f"The samples hold no landslide cells ({split}) to compute landslide "
                       "densities from.")
    zones, ok = values_at_path(str(zones_path), samples.x[chosen], samples.y[chosen], [1],
                               what="zones", client=client, window=window)
    return np.bincount(zones[ok, 0].astype(np.int64), minlength=k + 1)[:k + 1]


class ZoneTask:
    """One window of a zoning (a picklable task of core.blocks): the band's valid cells
    classed by ``edges`` into zones 1..k (nodata 0), and the cells per zone."""

    def __init__(self, input_path: str, band: int, edges: np.ndarray) -> None:
        self.input_path, self.band, self.edges = input_path, band, edges

    def __call__(self, win: Window) -> Block:
        data, valid = read_window(task_dataset(self.input_path, "input raster"), win,
                                  [self.band])
        zones = np.full(valid.shape, CLASS_NODATA, dtype=np.uint8)
        zones[valid] = classify(data[0][valid], self.edges)
        return Block((zones,), {"zones": np.bincount(zones.ravel(),
                                                     minlength=len(self.edges))})


class InventoryCountTask:
    """One window of the landslide cells per zone (a picklable task of core.blocks): the
    zones of the cells the burnt inventory marks."""

    def __init__(self, zones_path: str, burnt_path: str, k: int) -> None:
        self.zones_path, self.burnt_path, self.k = zones_path, burnt_path, k

    def __call__(self, win: Window) -> Block:
        burnt = task_dataset(self.burnt_path, "rasterized inventory")
        mask = burnt.GetRasterBand(1).ReadAsArray(win.col, win.row, win.width, win.height) > 0
        ds = task_dataset(self.zones_path, "zones")
        zones = ds.GetRasterBand(1).ReadAsArray(win.col, win.row, win.width, win.height)
        return Block(counts={"zones": np.bincount(zones[mask].astype(np.int64),
                                                  minlength=self.k + 1)[:self.k + 1]})


def _inventory_counts(zones_path: Path, inventory_path: str, k: int, *, client: Any = None,
                      window: int = WINDOW) -> np.ndarray:
    """Inventory cells (every cell its features touch) per zone, as a reduction stage."""
    import tempfile

    from osgeo import gdal

    from .vector import rasterize, read_features

    ds = open_raster(str(zones_path), "zones")
    grid = Grid.of(ds)
    ds = None
    feats = read_features(inventory_path, grid, what="landslide inventory")
    if not feats.geometries:
        raise LsmError("The landslide inventory is empty.")
    with tempfile.TemporaryDirectory(prefix=".lsm-zones-", dir=zones_path.parent) as tmp:
        burnt = rasterize(feats.geometries, np.ones(len(feats.geometries), int), grid,
                          Path(tmp) / "inv.tif", all_touched=True, dtype=gdal.GDT_Byte)
        task = InventoryCountTask(str(zones_path), str(burnt), k)
        counts = run_stage(Stage("inventory-counts", grid, task, window=window),
                           client).counts.get("zones", np.zeros(k + 1, dtype=np.int64))
    counts[0] = 0
    return counts
