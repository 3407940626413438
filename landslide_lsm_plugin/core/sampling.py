"""Training samples: landslide and non-landslide cells, the 70/30 split by landslide, CV folds.

A sample is one cell of the factor stack, stored as a point at the cell (or the original point
of a labelled layer) with ``label`` (1 landslide, 0 not), ``landslide_id`` (-1 for
non-landslide cells), ``split`` (``train`` / ``validation``) and ``fold`` (1..k for training
samples, 0 for validation samples). All cells of one landslide are always on the same side.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
from osgeo import gdal, ogr

from .blocks import Block, Stage, run_stage, task_dataset
from .errors import LsmError
from .progress import SILENT, Progress
from .raster import (
    WINDOW,
    Grid,
    Window,
    bounded_gdal_cache,
    check_output_path,
    iter_windows,
    open_raster,
    read_window,
    window_count,
)
from .vector import (
    Features,
    rasterize,
    read_features,
    read_point_table,
    split_source,
    write_points,
)

TRAIN, VALIDATION = "train", "validation"
ALL_CELLS, CENTROID, PER_POLYGON = "all", "centroid", "per_polygon"
RANDOM_SPLIT, BLOCK_SPLIT = "random", "blocks"

SAMPLE_COLUMNS = (("label", int), ("landslide_id", int), ("split", str), ("fold", int))


@dataclass
class SampleSet:
    """Samples as arrays, in the stack's CRS."""

    x: np.ndarray
    y: np.ndarray
    label: np.ndarray
    landslide_id: np.ndarray
    split: np.ndarray
    fold: np.ndarray
    #: warnings about the layer read (NULL labels left out, odd fold numbers...), for the log
    messages: list = field(default_factory=list)
    #: the layer's name as the user knows it (the file name), for messages
    source: str = ""

    def __len__(self) -> int:
        return len(self.x)

    @property
    def train(self) -> np.ndarray:
        return self.split == TRAIN

    @property
    def validation(self) -> np.ndarray:
        return self.split == VALIDATION

    def subset(self, mask: np.ndarray) -> SampleSet:
        return SampleSet(self.x[mask], self.y[mask], self.label[mask], self.landslide_id[mask],
                         self.split[mask], self.fold[mask], list(self.messages), self.source)

    def columns(self) -> dict:
        return {"label": self.label, "landslide_id": self.landslide_id, "split": self.split,
                "fold": self.fold}


@dataclass
class SampleReport:
    samples: SampleSet
    landslides: int = 0
    landslide_cells: int = 0
    non_landslide_cells: int = 0
    dropped_outside: int = 0
    dropped_nodata: int = 0
    folds: int = 0
    messages: list = field(default_factory=list)
    #: what was done, for the log (not warnings)
    notes: list = field(default_factory=list)
    block_size: float = 0.0
    #: median distance from a validation landslide to the nearest training landslide
    validation_distance: Optional[float] = None

    def counts(self) -> dict:
        s = self.samples
        return {f"{side}_{name}": int(np.sum((s.split == side) & (s.label == lab)))
                for side in (TRAIN, VALIDATION) for name, lab in (("landslide", 1), ("other", 0))}


# --- reading -----------------------------------------------------------------------------------

def read_samples(source: str, grid: Grid, require_split: bool = True) -> SampleSet:
    """Read a samples layer (as written by Prepare training samples) in the grid's CRS.

    Refuses labels other than 0/1, split values other than train/validation and fold numbers
    that are not whole numbers >= 0, naming the field and counting the features; samples with
    an empty (NULL) label are left out with a warning in ``messages``."""
    fields = ("label", "split", "fold", "landslide_id") if require_split else ("label",)
    layer = layer_display_name(source)
    table = read_point_table(source, grid, fields, what="samples layer")
    if table is None:
        feats = read_features(source, grid, fields, what="samples layer")
        if feats.geometry_type not in ("point",):
            raise LsmError("The samples layer must hold points (made by 'Prepare training "
                           "samples').")
        x = np.array([g.GetX() for g in feats.geometries])
        y = np.array([g.GetY() for g in feats.geometries])
        attributes = feats.attributes
    else:
        x, y, attributes = table
    if not x.size:
        raise LsmError("The samples layer is empty. Run 'Prepare training samples' first.")
    label = parse_labels(attributes["label"], "label", layer)
    messages = []
    missing = int(np.sum(label < 0))
    if missing:
        messages.append(f"Field 'label' of '{layer}': {missing} feature(s) have no label "
                        "(NULL); they are left out.")
    n = len(x)
    if require_split:
        split = parse_splits(attributes["split"], layer)
        fold = parse_folds(attributes["fold"], layer)
        lid = parse_whole(attributes["landslide_id"], "landslide_id", layer, -1,
                          "(the landslide a cell belongs to; -1 for non-landslide cells)")
    else:
        split, fold, lid = np.full(n, TRAIN), np.zeros(n, int), np.full(n, -1, np.int64)
    keep = label >= 0
    return SampleSet(x[keep], y[keep], label[keep], lid[keep], split[keep], fold[keep],
                     messages, layer)


def layer_display_name(source: str) -> str:
    """'samples.gpkg' (or 'samples.gpkg|layername=x' as 'samples.gpkg (layer x)')."""
    path, name = split_source(source)
    shown = Path(path).name or str(path)
    return f"{shown} (layer {name})" if name and name != Path(path).stem else shown


#: text labels understood besides 0 and 1 (labelled inventories often say yes/no)
_TEXT_LABELS = {"1": 1, "true": 1, "yes": 1, "landslide": 1,
                "0": 0, "false": 0, "no": 0}


def _label_value(value) -> Optional[int]:
    """1 for landslide, 0 for not, -1 for missing (NULL, empty text), None when neither."""
    if value is None:
        return -1
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (str, bytes)):
        text = (value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
        text = text.strip().lower()
        if not text:
            return -1
        if text in _TEXT_LABELS:
            return _TEXT_LABELS[text]
        try:
            value = float(text)
        except ValueError:
            return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number in (0.0, 1.0) else None


def _examples(values: list, limit: int = 3) -> str:
    """A few distinct values as the user would read them: 2, -1, 'abc'."""
    shown: list = []
    for v in values:
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            text = str(int(v))
        elif isinstance(v, (str, bytes)):
            # str(): numpy 2 writes a numpy string's repr as np.str_('abc')
            text = repr(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v))
        elif v is None:
            text = "NULL"
        else:
            text = str(v)
        if text not in shown:
            shown.append(text)
        if len(shown) == limit:
            break
    return ", ".join(shown)


def parse_labels(values, field_name: str, layer: str) -> np.ndarray:
    """Labels as int64: 1 landslide, 0 not, -1 where NULL. Any other value is refused (a
    label of 2 or -1 is not silently taken for a landslide or not)."""
    parsed = [_label_value(v) for v in values]
    bad = [v for v, p in zip(values, parsed) if p is None]
    if bad:
        raise LsmError(
            f"Field '{field_name}' of '{layer}': {len(bad)} feature(s) have values other than "
            f"0 (non-landslide) or 1 (landslide), e.g. {_examples(bad)}. Fix them (e.g. with "
            "the Field Calculator) or remove those features; samples layers made by 'Prepare "
            "training samples' hold only 0 and 1.")
    return np.array(parsed, dtype=np.int64)


def parse_splits(values, layer: str) -> np.ndarray:
    """'train' / 'validation' (case and surrounding spaces aside); anything else, NULL
    included, is refused with a count."""
    split = np.array([str(v).strip().lower() if v is not None else "" for v in values],
                     dtype="<U10")
    bad = [v for v, s in zip(values, split) if s not in (TRAIN, VALIDATION)]
    if bad:
        raise LsmError(
            f"Field 'split' of '{layer}': {len(bad)} feature(s) have values other than "
            f"'{TRAIN}' or '{VALIDATION}', e.g. {_examples(bad)}. Fix them or remove those "
            "features, or use the output of 'Prepare training samples'.")
    return split


def _whole(value, default: int) -> int:
    """An integer from a whole number (or its text); ``default`` for NULL; ValueError else."""
    if value is None:
        return default
    if isinstance(value, (str, bytes)):
        text = (value.decode("utf-8", "replace") if isinstance(value, bytes) else value).strip()
        if not text:
            return default
        value = float(text)
    number = float(value)
    if not np.isfinite(number) or not number.is_integer():
        raise ValueError(value)
    return int(number)


def parse_whole(values, field_name: str, layer: str, default: int, meaning: str) -> np.ndarray:
    """Whole numbers (``default`` where NULL); anything else is refused with a count."""
    out, bad = [], []
    for v in values:
        try:
            out.append(_whole(v, default))
        except (TypeError, ValueError, OverflowError):
            bad.append(v)
            out.append(default)
    if bad:
        raise LsmError(
            f"Field '{field_name}' of '{layer}': {len(bad)} feature(s) have values that are not "
            f"whole numbers, e.g. {_examples(bad)} {meaning}. Fix them or prepare the samples "
            "again with 'Prepare training samples'.")
    return np.array(out, dtype=np.int64)


def parse_folds(values, layer: str) -> np.ndarray:
    """Fold numbers as 'Prepare training samples' writes them: 1..k for training samples, 0
    (or NULL) for none. Fractional, negative or non-numeric values are refused with a count."""
    folds, bad = [], []
    for v in values:
        try:
            f = _whole(v, 0)
        except (TypeError, ValueError, OverflowError):
            f = -1
        if f < 0:
            bad.append(v)
        folds.append(f)
    if bad:
        raise LsmError(
            f"Field 'fold' of '{layer}': {len(bad)} feature(s) have fold numbers that are not "
            f"whole numbers >= 0, e.g. {_examples(bad)} (1..k: the cross-validation fold of a "
            "training sample; 0: none). Fix them or prepare the samples again with 'Prepare "
            "training samples'.")
    return np.array(folds, dtype=np.int64)


def fold_warnings(samples: SampleSet) -> list[str]:
    """What cross-validation by the samples' folds should know: training samples without a
    fold (never tested) while others have one, and fold numbers outside 1..k without gaps
    (as 'Prepare training samples' writes them). Cross-validation takes every distinct fold
    number as one fold, so such a number (e.g. 99) becomes one more, usually small, fold."""
    train = samples.split == TRAIN
    folds = samples.fold[train]
    numbered = folds > 0
    if not numbered.any():
        return []  # no folds at all: training draws folds by landslide (and says so)
    layer = samples.source or "the samples layer"
    out = []
    none = int(np.sum(~numbered))
    if none:
        out.append(f"Field 'fold' of '{layer}': {none} training sample(s) have no fold (0 or "
                   "NULL) while the others have one: cross-validation always trains on them "
                   "and never tests them.")
    present = np.unique(folds[numbered])
    # the written folds: 1..k without a gap
    k = int(np.sum(present == np.arange(1, present.size + 1)))
    outside = present[present > k]
    if outside.size:
        count = int(np.sum(np.isin(folds, outside)))
        written = f"1..{k}" if k else "1..k (none is 1)"
        out.append(f"Field 'fold' of '{layer}': {count} training sample(s) have fold numbers "
                   f"outside {written} (e.g. {_examples(outside.tolist())}), which 'Prepare "
                   "training samples' does not write: cross-validation uses each such number as "
                   f"one more fold ({present.size} folds in all). Check the field, or prepare "
                   "the samples again.")
    return out


def shared_cells(samples: SampleSet, grid: Grid) -> int:
    """How many validation samples lie on a grid cell that a training sample also holds (a
    duplicated inventory: the same cells on both sides of the split)."""
    col, row = grid.cell_of(samples.x, samples.y)
    inside = grid.inside(col, row)
    cell = row * grid.width + col
    train_cells = np.unique(cell[inside & (samples.split == TRAIN)])
    return int(np.sum(inside & (samples.split == VALIDATION) & np.isin(cell, train_cells)))


def shared_cells_warning(samples: SampleSet, grid: Grid) -> Optional[str]:
    """The warning for :func:`shared_cells`, or None when no validation sample shares a cell."""
    n = shared_cells(samples, grid)
    if not n:
        return None
    return (f"{n} validation sample(s) share their cell with a training sample (a duplicated "
            "inventory?): validation is not independent there, so the validation metrics are "
            "optimistic. Prepare the samples again from an inventory without duplicates "
            "('Prepare training samples' samples each cell once).")


def values_at(ds: gdal.Dataset, x: np.ndarray, y: np.ndarray,
              bands: Optional[list[int]] = None) -> tuple[np.ndarray, np.ndarray]:
    """Stack values (n, bands) at map coordinates and a mask of samples on valid cells.

    Reads only the windows that hold samples.
    """
    grid = Grid.of(ds)
    bands = bands or list(range(1, ds.RasterCount + 1))
    out = np.full((len(x), len(bands)), np.nan)
    ok = np.zeros(len(x), dtype=bool)
    for win, points in _points_by_window(grid, x, y, WINDOW).items():
        sel, values, valid = _read_points(ds, win, bands, points)
        out[sel], ok[sel] = values, valid
    return out, ok


def values_at_path(path: str, x: np.ndarray, y: np.ndarray,
                   bands: Optional[list[int]] = None, *, what: str = "raster",
                   client: Any = None, window: int = WINDOW,
                   progress: Progress = SILENT) -> tuple[np.ndarray, np.ndarray]:
    """:func:`values_at` on the raster at ``path``, as a reduction stage of core.blocks over
    the windows that hold samples: in-process, or on Dask (``client``, a
    ``distributed.Client``). ``window``: cells per side of a window (any gives the same)."""
    ds = open_raster(path, what)
    grid = Grid.of(ds)
    bands = list(bands or range(1, ds.RasterCount + 1))
    ds = None
    out = np.full((len(x), len(bands)), np.nan)
    ok = np.zeros(len(x), dtype=bool)
    groups = _points_by_window(grid, x, y, window)
    if groups:
        task = PointValuesTask(str(path), what, bands,
                               {(w.col, w.row): points for w, points in groups.items()})
        stage = PointStage("values-at", grid, task, window=window, combine=concat_points)
        for sel, values, valid in run_stage(stage, client, progress=progress).counts.get(
                "points", []):
            out[sel], ok[sel] = values, valid
    return out, ok


def _points_by_window(grid: Grid, x: np.ndarray, y: np.ndarray,
                      window: int) -> dict[Window, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The samples inside the grid, grouped by the window (of ``window`` cells a side) that
    holds them: {window: (sample indices, rows, columns in the window)}."""
    col, row = grid.cell_of(x, y)
    inside = np.flatnonzero(grid.inside(col, row))
    groups: dict = {}
    if not inside.size:
        return groups
    wr, wc = row[inside] // window, col[inside] // window
    key = wr * (-(-grid.width // window)) + wc
    order = np.argsort(key, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(key[order]) != 0])
    for a, b in zip(starts, np.r_[starts[1:], order.size]):
        sel = inside[order[a:b]]
        r0, c0 = int(wr[order[a]]) * window, int(wc[order[a]]) * window
        win = Window(c0, r0, min(window, grid.width - c0), min(window, grid.height - r0))
        groups[win] = (sel, row[sel] - r0, col[sel] - c0)
    return groups


def _read_points(ds: gdal.Dataset, win: Window, bands: list[int],
                 points: tuple[np.ndarray, np.ndarray, np.ndarray]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The indices, values (n, bands) and valid mask of the samples inside one window."""
    sel, r, c = points
    data, valid = read_window(ds, win, bands)
    return sel, data[:, r, c].T, valid[r, c]


class PointValuesTask:
    """One window of :func:`values_at_path` (a picklable task of core.blocks): the values of
    the samples inside it, as counts ``{"points": [(indices, values, valid)]}``."""

    def __init__(self, path: str, what: str, bands: list[int], points: dict) -> None:
        #: points: {(col, row) of a window: (sample indices, rows, columns in the window)}
        self.path, self.what, self.bands, self.points = path, what, bands, points

    def __call__(self, win: Window) -> Block:
        points = self.points.get((win.col, win.row))
        if points is None:
            return Block()
        ds = task_dataset(self.path, self.what)
        return Block(counts={"points": [_read_points(ds, win, self.bands, points)]})


class PointStage(Stage):
    """A stage over only the windows that hold samples (those its task knows)."""

    def windows(self) -> list[Window]:
        return [w for w in super().windows() if (w.col, w.row) in self.task.points]


def concat_points(a: dict, b: dict) -> dict:
    """Two windows' point values (``{"points": [...]}``) as one list."""
    return {"points": a.get("points", []) + b.get("points", [])}


# --- preparing ---------------------------------------------------------------------------------

def prepare_samples(inventory: str, stack_path: str, output_path: str, *,
                    landslide_cells: str = ALL_CELLS, cells_per_polygon: int = 5,
                    ratio: float = 1.0, buffer: float = 0.0, split: str = RANDOM_SPLIT,
                    validation_fraction: float = 0.3, block_size: float = 0.0, folds: int = 10,
                    seed: int = 42, label_field: Optional[str] = None,
                    id_field: Optional[str] = None, progress: Progress = SILENT) -> SampleReport:
    """Sample landslide and non-landslide cells of a stack, split them and write a point layer.

    With ``label_field``, the inventory is an already labelled point layer: its points are
    only placed on the grid, split and given folds.
    """
    out = check_output_path(output_path, [inventory, stack_path])
    ds = open_raster(stack_path, "factor stack")
    grid = Grid.of(ds)
    if not 0.0 < validation_fraction < 1.0:
        raise LsmError("The validation fraction must lie between 0 and 1 (0.3 is a 70/30 split).")
    fields = tuple(f for f in (label_field, id_field) if f)
    feats = read_features(inventory, grid, fields, what="landslide inventory")
    if not feats.geometries:
        raise LsmError("The landslide inventory is empty: it has no features with a geometry.")
    report = SampleReport(samples=None)  # type: ignore[arg-type]
    if feats.skipped_invalid:
        report.messages.append(f"{feats.skipped_invalid} feature(s) without a usable geometry "
                               "were skipped.")
    if feats.reprojected:
        report.messages.append("The inventory was reprojected to the stack's CRS.")
    if feats.kinds - {"point", "polygon"}:
        raise LsmError("The landslide inventory must hold polygons or points, not "
                       f"{' or '.join(sorted(feats.kinds - {'point', 'polygon'}))} geometries.")
    _check_overlap(feats, grid)

    progress.info(f"Inventory: {len(feats.geometries)} feature(s), {feats.geometry_type} "
                  f"geometries; stack {grid.width} x {grid.height} cells")
    if label_field:
        samples = _labelled_points(feats, grid, ds, label_field, id_field, report, progress,
                                   layer_display_name(inventory))
    else:
        samples = _sample_inventory(feats, grid, ds, landslide_cells, cells_per_polygon, ratio,
                                    buffer, seed, id_field, report, out.parent, progress)
    if not np.any(samples.label == 1) or not np.any(samples.label == 0):
        only = "landslide" if np.all(samples.label == 1) else "non-landslide"
        raise LsmError(f"All samples are {only} cells: a model needs both classes. "
                       + ("Check the label field's values (1 = landslide, 0 = not)."
                          if label_field else "Check the inventory and the stack's valid area."))
    rng = np.random.default_rng(seed)
    if split == BLOCK_SPLIT:
        if block_size <= 0:
            block_size = default_block_size(samples, grid)
            report.notes.append(f"Spatial blocks of {block_size:g} map units: a fifth of the "
                                "landslides' extent, so the blocks stay few and large (parameter "
                                "'Spatial block size'; 0 = this automatic size).")
        report.block_size = block_size
        split_by_blocks(samples, grid, block_size, validation_fraction, rng)
    else:
        split_random(samples, validation_fraction, rng)
    report.folds = assign_folds(samples, folds, rng, grid, block_size if split == BLOCK_SPLIT
                                else 0.0, report)
    report.samples = samples
    report.validation_distance = validation_distance(samples)
    if report.validation_distance is not None:
        report.notes.append(
            f"Validation landslides lie a median {report.validation_distance:,.0f} map units "
            "from the nearest training landslide (the further, the more independent the "
            + ("validation; a spatial-block split moves them apart)." if split != BLOCK_SPLIT
               else "validation; larger blocks move them further apart)."))
    write_points(out, grid, samples.x, samples.y, SAMPLE_COLUMNS, samples.columns())
    progress.percent(100)
    return report


def _check_overlap(feats: Features, grid: Grid) -> None:
    xmin, ymin, xmax, ymax = grid.extent
    for g in feats.geometries:
        ex = g.GetEnvelope()  # (minx, maxx, miny, maxy)
        if ex[0] <= xmax and ex[1] >= xmin and ex[2] <= ymax and ex[3] >= ymin:
            return
    raise LsmError("Every landslide lies outside the factor stack's extent. Check that the "
                   "inventory and the stack cover the same area and that both CRSs are right.")


def _landslide_ids(feats: Features, id_field: Optional[str]) -> np.ndarray:
    if not id_field:
        return feats.fids.astype(np.int64)
    raw = feats.attributes[id_field]
    try:
        return np.array([int(v) for v in raw], dtype=np.int64)
    except (TypeError, ValueError):
        # non-numeric ids: number them in order of first appearance
        _, codes = np.unique(raw.astype(str), return_inverse=True)
        return codes.astype(np.int64) + 1


def _labelled_points(feats: Features, grid: Grid, ds: gdal.Dataset, label_field: str,
                     id_field: Optional[str], report: SampleReport,
                     progress: Progress, layer: str = "the inventory") -> SampleSet:
    if feats.geometry_type != "point":
        raise LsmError("A labelled layer (with a label field) must hold points; for polygons, "
                       "leave the label field empty and sample cells from the polygons.")
    x = np.array([g.GetX() if g.GetGeometryType() != ogr.wkbMultiPoint
                  else g.GetGeometryRef(0).GetX() for g in feats.geometries])
    y = np.array([g.GetY() if g.GetGeometryType() != ogr.wkbMultiPoint
                  else g.GetGeometryRef(0).GetY() for g in feats.geometries])
    label = parse_labels(feats.attributes[label_field], label_field, layer)
    ids = _landslide_ids(feats, id_field)
    missing = int(np.sum(label < 0))
    if missing:
        report.messages.append(f"Field '{label_field}' of '{layer}': "
                               f"{missing} point(s) have no label (NULL); they were skipped.")
    col, row = grid.cell_of(x, y)
    inside = grid.inside(col, row)
    _, valid = values_at(ds, x, y)
    report.dropped_outside = int(np.sum(~inside & (label >= 0)))
    report.dropped_nodata = int(np.sum(inside & ~valid & (label >= 0)))
    keep = (label >= 0) & valid
    # a cell is sampled once: a second point in a cell (a duplicated inventory, two landslides
    # in one cell) would put the same cell on both sides of a split
    cell = np.where(keep, row * grid.width + col, -1)
    _, first, inverse = np.unique(cell, return_index=True, return_inverse=True)
    duplicate = keep.copy()
    duplicate[first] = False
    if np.any(duplicate):
        conflicting = int(np.sum(duplicate & (label != label[first][inverse])))
        report.messages.append(
            f"{int(duplicate.sum())} point(s) fall on a cell that an earlier point already holds "
            "(a duplicated inventory?): each cell is sampled once, with the first point's label"
            + (f"; {conflicting} of them had the other label." if conflicting else "."))
        keep &= ~duplicate
    if not np.any(keep & (label == 1)):
        raise LsmError("No landslide point lies on a valid cell of the factor stack (outside "
                       "its extent or on nodata). Check the extent, CRS and nodata of the inputs.")
    lid = np.where(label == 1, ids, -1)
    n = int(keep.sum())
    report.landslides = int(np.unique(lid[keep & (label == 1)]).size)
    report.landslide_cells = int(np.sum(keep & (label == 1)))
    report.non_landslide_cells = int(np.sum(keep & (label == 0)))
    progress.percent(60)
    return SampleSet(x[keep], y[keep], label[keep], lid[keep], np.full(n, TRAIN, dtype="<U10"),
                     np.zeros(n, dtype=np.int64))


def _sample_inventory(feats: Features, grid: Grid, ds: gdal.Dataset, mode: str,
                      per_polygon: int, ratio: float, buffer: float, seed: int,
                      id_field: Optional[str], report: SampleReport, scratch: Path,
                      progress: Progress) -> SampleSet:
    ids = _landslide_ids(feats, id_field)
    index = np.arange(1, len(feats.geometries) + 1)  # burn value: feature index + 1
    is_polygon = np.array([ogr.GT_Flatten(g.GetGeometryType()) not in
                           (ogr.wkbPoint, ogr.wkbMultiPoint) for g in feats.geometries])
    # the landslide and exclusion rasters are read window by window but, unlike the stack,
    # not flushed: a capped cache keeps memory flat however large the grid
    with tempfile.TemporaryDirectory(prefix=".lsm-samples-", dir=scratch) as tmp, \
            bounded_gdal_cache():
        tmpdir = Path(tmp)
        burn_geoms = [g for g, p in zip(feats.geometries, is_polygon) if p]
        burn_index = index[is_polygon]
        ls_raster = rasterize(burn_geoms, burn_index, grid, tmpdir / "landslides.tif")
        excluded = [g.Buffer(buffer) if buffer > 0 else g for g in feats.geometries]
        ex_raster = rasterize(excluded, np.ones(len(excluded), int), grid,
                              tmpdir / "excluded.tif", all_touched=True, dtype=gdal.GDT_Byte)
        # points and polygons too small to burn a cell add at most one cell per point or
        # polygon: the non-landslide budget must hold their share too, or the ratio slips
        extra_cells = sum(len(_points_of(g)) if not poly else 1
                          for g, poly in zip(feats.geometries, is_polygon))
        cells = _scan(ds, grid, gdal.Open(str(ls_raster)), gdal.Open(str(ex_raster)), ratio,
                      seed, progress.sub(0, 80), extra_cells)
    ls_rows, ls_cols, ls_index, n_eligible, keys, nl_rows, nl_cols = cells

    # points, and polygons too small to hold a cell centre: the cell under the point / centroid
    have = set(np.unique(ls_index).tolist())
    extra_r, extra_c, extra_i = [], [], []
    valid_lookup = _valid_checker(ds, grid)
    for i, (g, poly) in enumerate(zip(feats.geometries, is_polygon), start=1):
        if poly and i in have:
            continue
        pts = _points_of(g) if not poly else [g.PointOnSurface()]
        for p in pts:
            c, r = grid.cell_of(np.array([p.GetX()]), np.array([p.GetY()]))
            if not grid.inside(c, r)[0]:
                report.dropped_outside += 1
            elif not valid_lookup(int(r[0]), int(c[0])):
                report.dropped_nodata += 1
            else:
                extra_r.append(int(r[0]))
                extra_c.append(int(c[0]))
                extra_i.append(i)
    ls_rows = np.concatenate([ls_rows, np.array(extra_r, dtype=np.int64)])
    ls_cols = np.concatenate([ls_cols, np.array(extra_c, dtype=np.int64)])
    ls_index = np.concatenate([ls_index, np.array(extra_i, dtype=np.int64)])
    # a cell is sampled once: where landslides overlap (points in one cell, a point or a small
    # polygon on a burnt cell) it belongs to the first (burnt cells come first)
    _, first = np.unique(ls_rows * grid.width + ls_cols, return_index=True)
    if first.size < ls_rows.size:
        report.messages.append(f"{ls_rows.size - first.size} landslide cell(s) are covered by "
                               "more than one landslide: each is sampled once, for one of them.")
        first = np.sort(first)
        ls_rows, ls_cols, ls_index = ls_rows[first], ls_cols[first], ls_index[first]
    if ls_rows.size == 0:
        raise LsmError("No landslide covers a valid cell of the factor stack (all fall on "
                       "nodata or outside it). Check the extent, CRS and nodata of the inputs.")

    rng = np.random.default_rng(seed)
    if mode in (CENTROID, PER_POLYGON):
        keep = _thin_landslide_cells(feats, grid, ls_rows, ls_cols, ls_index,
                                     1 if mode == CENTROID else per_polygon, mode, rng)
        ls_rows, ls_cols, ls_index = ls_rows[keep], ls_cols[keep], ls_index[keep]

    n_landslide = ls_rows.size
    n_wanted = int(round(ratio * n_landslide))
    if n_eligible < n_wanted:
        report.messages.append(f"Only {n_eligible} valid cells lie outside the landslides and "
                               f"their buffer; {n_wanted} non-landslide cells were asked for. "
                               "All of them are used.")
    order = np.argsort(keys, kind="stable")[:n_wanted]
    nl_rows, nl_cols = nl_rows[order], nl_cols[order]
    if nl_rows.size < n_wanted <= n_eligible:  # cannot happen: the scan's budget covers it
        raise LsmError(f"Internal error: {nl_rows.size} non-landslide cells kept for "
                       f"{n_wanted} wanted.")
    report.landslides = int(np.unique(ls_index).size)
    report.landslide_cells = int(n_landslide)
    report.non_landslide_cells = int(nl_rows.size)

    rows = np.concatenate([ls_rows, nl_rows])
    cols = np.concatenate([ls_cols, nl_cols])
    x, y = grid.center_of(cols, rows)
    label = np.concatenate([np.ones(n_landslide, np.int64), np.zeros(nl_rows.size, np.int64)])
    lid = np.concatenate([ids[ls_index - 1], np.full(nl_rows.size, -1, np.int64)])
    n = rows.size
    return SampleSet(x, y, label, lid, np.full(n, TRAIN, dtype="<U10"), np.zeros(n, np.int64))


def _points_of(geom) -> list:
    if ogr.GT_Flatten(geom.GetGeometryType()) == ogr.wkbMultiPoint:
        return [geom.GetGeometryRef(i) for i in range(geom.GetGeometryCount())]
    return [geom]


def _valid_checker(ds: gdal.Dataset, grid: Grid):
    def valid(row: int, col: int) -> bool:
        _, ok = read_window(ds, Window(col, row, 1, 1))
        return bool(ok[0, 0])

    return valid


def _scan(ds, grid, ls_ds, ex_ds, ratio, seed, progress, extra_cells: int = 0):
    """One pass over the stack: landslide cells, and a seeded uniform random sample of
    non-landslide cells kept as the smallest random keys (bounded memory)."""
    ls_r, ls_c, ls_i = [], [], []
    # rough upper bound of the sample size needed, refined as landslide cells are found
    keep_r = np.empty(0, np.int64)
    keep_c = np.empty(0, np.int64)
    keep_k = np.empty(0)
    n_eligible = 0
    total = window_count(grid.width, grid.height)
    ls_band, ex_band = ls_ds.GetRasterBand(1), ex_ds.GetRasterBand(1)
    windows = list(iter_windows(grid.width, grid.height))
    # landslide cells first (cheap: one Int32 band) to know how many non-landslides we need
    for win in windows:
        burnt = ls_band.ReadAsArray(win.col, win.row, win.width, win.height)
        r, c = np.nonzero(burnt)
        if r.size:
            ls_r.append(r + win.row)
            ls_c.append(c + win.col)
            ls_i.append(burnt[r, c].astype(np.int64))
    ls_rows = np.concatenate(ls_r) if ls_r else np.empty(0, np.int64)
    ls_cols = np.concatenate(ls_c) if ls_c else np.empty(0, np.int64)
    ls_index = np.concatenate(ls_i) if ls_i else np.empty(0, np.int64)
    valid_ls = np.zeros(ls_rows.size, dtype=bool)
    budget = max(1000, int(np.ceil(ratio * max(1, ls_rows.size + extra_cells))) + 1000)
    for i, win in enumerate(windows):
        progress.check()
        _, valid = read_window(ds, win)
        sel = (ls_rows >= win.row) & (ls_rows < win.row + win.height) & \
              (ls_cols >= win.col) & (ls_cols < win.col + win.width)
        if np.any(sel):
            valid_ls[sel] = valid[ls_rows[sel] - win.row, ls_cols[sel] - win.col]
        excluded = ex_band.ReadAsArray(win.col, win.row, win.width, win.height) > 0
        eligible = valid & ~excluded
        r, c = np.nonzero(eligible)
        n_eligible += r.size
        if r.size:
            keys = np.random.default_rng([seed, i]).random(r.size)
            keep_r = np.concatenate([keep_r, r + win.row])
            keep_c = np.concatenate([keep_c, c + win.col])
            keep_k = np.concatenate([keep_k, keys])
            if keep_k.size > 2 * budget:
                part = np.argpartition(keep_k, budget)[:budget]
                keep_r, keep_c, keep_k = keep_r[part], keep_c[part], keep_k[part]
        progress.fraction(i + 1, total)
    return (ls_rows[valid_ls], ls_cols[valid_ls], ls_index[valid_ls], n_eligible, keep_k,
            keep_r, keep_c)


def _thin_landslide_cells(feats, grid, rows, cols, index, n, mode, rng) -> np.ndarray:
    """Keep one cell per landslide (the cell under its point on surface) or n random cells."""
    keep = np.zeros(rows.size, dtype=bool)
    order = np.argsort(index, kind="stable")
    bounds = np.flatnonzero(np.diff(index[order])) + 1
    for group in np.split(order, bounds):
        if group.size == 0:
            continue
        if mode == CENTROID:
            p = feats.geometries[index[group[0]] - 1].PointOnSurface()
            c, r = grid.cell_of(np.array([p.GetX()]), np.array([p.GetY()]))
            hit = group[(rows[group] == r[0]) & (cols[group] == c[0])]
            keep[hit[0] if hit.size else group[0]] = True
        else:
            chosen = group if group.size <= n else rng.choice(group, n, replace=False)
            keep[chosen] = True
    return keep


# --- splitting ---------------------------------------------------------------------------------

def split_random(samples: SampleSet, validation_fraction: float,
                 rng: np.random.Generator) -> None:
    """70/30 (by default) by landslide: whole landslides go to one side; non-landslide cells
    are split at random in the same proportion."""
    ls = samples.label == 1
    ids = np.unique(samples.landslide_id[ls])
    rng.shuffle(ids)
    n_val = int(round(validation_fraction * ids.size))
    if ids.size >= 2:
        n_val = min(max(n_val, 1), ids.size - 1)
    val_ids = ids[:n_val]
    samples.split[:] = TRAIN
    samples.split[ls & np.isin(samples.landslide_id, val_ids)] = VALIDATION
    others = np.flatnonzero(~ls)
    rng.shuffle(others)
    n_val_other = int(round(validation_fraction * others.size))
    samples.split[others[:n_val_other]] = VALIDATION


def default_block_size(samples: SampleSet, grid: Grid) -> float:
    """A fifth of the larger side of the landslides' extent (about 25 blocks over the
    landslides, a third of them for validation), rounded to two significant digits; at least
    ten cells."""
    ls = samples.label == 1
    x, y = samples.x[ls], samples.y[ls]
    side = max(float(np.ptp(x)) if x.size else 0.0, float(np.ptp(y)) if y.size else 0.0) / 5.0
    side = max(side, 10 * abs(grid.geotransform[1]))
    digits = int(np.floor(np.log10(side))) - 1
    return float(round(side / 10 ** digits) * 10 ** digits)


def validation_distance(samples: SampleSet) -> Optional[float]:
    """Median, over the validation landslides, of the distance from a landslide's nearest cell
    to the nearest cell of a training landslide (map units); None without both, or without
    scipy (it comes with scikit-learn; preparing samples does not need it otherwise)."""
    try:
        from scipy.spatial import cKDTree
    except ImportError:
        return None

    ls = samples.label == 1
    train = ls & (samples.split == TRAIN)
    val = ls & (samples.split == VALIDATION)
    if not train.any() or not val.any():
        return None
    tree = cKDTree(np.column_stack([samples.x[train], samples.y[train]]))
    dist, _ = tree.query(np.column_stack([samples.x[val], samples.y[val]]))
    ids = samples.landslide_id[val]
    order = np.argsort(ids, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(ids[order]) != 0])
    nearest = np.minimum.reduceat(dist[order], starts)
    return float(np.median(nearest))


def _block_of(samples: SampleSet, grid: Grid, block_size: float) -> np.ndarray:
    """Spatial block number of each sample; a landslide's cells share the block of their
    mean position, so one landslide is never split."""
    x0, _, _, y0, _, _ = grid.geotransform
    bx = np.floor((samples.x - x0) / block_size).astype(np.int64)
    by = np.floor((y0 - samples.y) / block_size).astype(np.int64)
    ls = samples.label == 1
    for lid in np.unique(samples.landslide_id[ls]):
        sel = ls & (samples.landslide_id == lid)
        bx[sel] = int(np.floor((samples.x[sel].mean() - x0) / block_size))
        by[sel] = int(np.floor((y0 - samples.y[sel].mean()) / block_size))
    return bx * 1_000_003 + by


def split_by_blocks(samples: SampleSet, grid: Grid, block_size: float,
                    validation_fraction: float, rng: np.random.Generator) -> None:
    """Whole spatial blocks go to validation until they hold the asked share of landslides."""
    block = _block_of(samples, grid, block_size)
    ls = samples.label == 1
    n_ls = np.unique(samples.landslide_id[ls]).size
    blocks = np.unique(block)
    rng.shuffle(blocks)
    samples.split[:] = TRAIN
    val_ls: set = set()
    target = validation_fraction * n_ls
    for b in blocks:
        if len(val_ls) >= target:
            break
        in_block = block == b
        new = set(samples.landslide_id[in_block & ls].tolist())
        if not new:
            continue
        samples.split[in_block] = VALIDATION
        val_ls |= new
    # non-landslide-only blocks follow the same share of area at random
    empty_blocks = [b for b in blocks if not np.any((block == b) & ls)]
    n_val_empty = int(round(validation_fraction * len(empty_blocks)))
    for b in empty_blocks[:n_val_empty]:
        samples.split[block == b] = VALIDATION
    for side in (TRAIN, VALIDATION):
        on = samples.split == side
        if not (np.any(on & ls) and np.any(on & ~ls)):
            raise LsmError(f"The spatial-block split left the {side} set without both classes "
                           f"(blocks of {block_size:g} map units). Choose a smaller block size.")


def assign_folds(samples: SampleSet, k: int, rng: np.random.Generator, grid: Grid,
                 block_size: float, report: SampleReport) -> int:
    """Folds 1..k for training samples (whole landslides, or whole blocks), 0 for validation."""
    train = samples.split == TRAIN
    ls = samples.label == 1
    train_ids = np.unique(samples.landslide_id[train & ls])
    units = train_ids.size
    if block_size > 0:
        block = _block_of(samples, grid, block_size)
        units = np.unique(block[train & ls]).size
    if units < 2:
        raise LsmError("Fewer than two training landslides (or blocks holding one): cross-"
                       "validation is impossible. Add landslides or lower the validation share.")
    if k > units:
        report.messages.append(f"Only {units} training landslides/blocks for {k} CV folds: "
                               f"using {units} folds (parameter 'Cross-validation folds').")
        k = units
    samples.fold[:] = 0
    if block_size > 0:
        blocks = np.unique(block[train])
        rng.shuffle(blocks)
        # blocks with landslides dealt round-robin first, so every fold gets landslides
        has_ls = set(np.unique(block[train & ls]).tolist())
        with_ls = [b for b in blocks if b in has_ls]
        without = [b for b in blocks if b not in has_ls]
        for i, b in enumerate(with_ls + without):
            samples.fold[train & (block == b)] = i % k + 1
        return k
    rng.shuffle(train_ids)
    for i, lid in enumerate(train_ids):
        samples.fold[train & ls & (samples.landslide_id == lid)] = i % k + 1
    others = np.flatnonzero(train & ~ls)
    rng.shuffle(others)
    samples.fold[others] = np.arange(others.size) % k + 1
    return k
