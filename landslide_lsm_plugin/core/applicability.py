"""Area of applicability (AOA) of a model: where the factors are like those it learned from.

Meyer and Pebesma (2021), Methods in Ecology and Evolution 12:1620-1633. Every factor of the
stack becomes one or more coordinates of a *feature space*: continuous factors standardised by
the training samples' mean and standard deviation, categorical factors as one 0/1 column per
code seen in training (standardised likewise), aspect as its sine and cosine (standardised
likewise; flat cells 0, 0). Each factor's columns are multiplied by its weight (its
importance, largest 1). The **dissimilarity index** (DI) of a cell is the distance, in that
space, to the nearest training sample, divided by the mean distance between training samples:
0 on a training sample's own cell, about 1 as far from the training data as the training
samples are from each other.

The **threshold** comes from the cross-validation folds: each training sample's DI to the
nearest training sample of *another* fold, and the largest of these that is not an outlier (the
upper whisker of a box plot: the largest value at most Q3 + 1.5 IQR, quartiles by linear
interpolation, numpy's default and R's type 7). Cells with DI above the threshold are outside
the area of applicability: the model extrapolates there, and its map says less.

Both rasters are written window by window (memory does not grow with the raster) as one
core.blocks stage, in-process or on Dask, through core.raster's atomic writers. Pure: numpy,
scipy, GDAL; no qgis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

import numpy as np

from .blocks import Block, Output, Stage, run_stage, task_dataset
from .errors import LsmError
from .progress import SILENT, Progress
from .raster import (
    FLOAT_NODATA,
    WINDOW,
    Grid,
    Window,
    band_nodata,
    check_output_path,
    open_raster,
    read_window,
)
from .records import AoaTags
from .sampling import (
    SampleReport,
    SampleSet,
    assign_folds,
    fold_warnings,
    read_samples,
    values_at,
)
from .stack import ASPECT, CATEGORICAL, stack_info

#: nodata of the applicability mask (1 inside, 0 outside)
MASK_NODATA = 255
#: fewest training samples on valid cells the AOA is computed from
MIN_TRAINING = 10
#: the mean distance between training samples is the mean of all pairwise distances up to
#: this many samples; above, of all pairs of a seeded random subsample of this many
MAX_PAIRWISE = 4000

_VALUE, _DUMMY, _SIN, _COS = "value", "dummy", "sin", "cos"


# --- weights -------------------------------------------------------------------------------------

def normalise_weights(weights: Optional[Mapping[str, float]],
                      factors: Sequence[str]) -> dict[str, float]:
    """Each factor's weight, the largest 1 (negative weights count as 0); all 1 without
    ``weights``. Weights must name exactly the stack's factors."""
    factors = list(factors)
    if weights is None:
        return {f: 1.0 for f in factors}
    unknown = [str(k) for k in weights if k not in factors]
    if unknown:
        raise LsmError(f"The weights name factors the stack does not have: {', '.join(unknown)} "
                       f"(the stack's factors: {', '.join(factors)}). Use the explanation of a "
                       "model trained on this stack.")
    missing = [f for f in factors if f not in weights]
    if missing:
        raise LsmError(f"The weights give no weight to the factor(s) {', '.join(missing)} of "
                       "the stack. Use the explanation of a model trained on this stack (same "
                       "factors), or no weights (all factors count equally).")
    values = {}
    for f in factors:
        try:
            w = float(weights[f])
        except (TypeError, ValueError):
            w = math.nan
        if not math.isfinite(w):
            raise LsmError(f"The weight of factor '{f}' is not a number ({weights[f]!r}).")
        values[f] = max(0.0, w)
    top = max(values.values()) if values else 0.0
    if top <= 0:
        raise LsmError("Every factor has a weight of 0 (no factor mattered to the model): the "
                       "dissimilarity index would be 0 everywhere. Run without weights, or "
                       "explain a model that learned something.")
    return {f: w / top for f, w in values.items()}


def load_weights(path: str | Path) -> dict[str, float]:
    """The factor weights of an explanation file (*Factor importance and response curves*):
    each factor's mean permutation importance, negative counted as 0."""
    from .results_file import load_explanation

    return load_explanation(path).weights()


def weights_text(weights: Mapping[str, float]) -> str:
    """'slope=1,ndvi=0.42,...' (as the rasters' tags record them)."""
    return ",".join(f"{name}={w:.6g}" for name, w in weights.items())


# --- the feature space ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FeatureSpace:
    """How stack values (one column per band) become the weighted, standardised coordinates
    the dissimilarity index is measured in. Columns of factors weighted 0 are left out (they
    add nothing to any distance)."""

    #: per coordinate: the band (0-based), how it is made (value, dummy, sin, cos), the code of
    #: a dummy, the training mean and standard deviation, the factor's weight
    band: tuple[int, ...]
    how: tuple[str, ...]
    code: tuple[float, ...]
    mean: tuple[float, ...]
    sd: tuple[float, ...]
    weight: tuple[float, ...]
    #: a name per coordinate ('slope', 'lithology=3', 'aspect:sin'), for messages
    labels: tuple[str, ...] = ()

    @property
    def dims(self) -> int:
        return len(self.band)

    def raw(self, values: np.ndarray) -> np.ndarray:
        """The unscaled coordinates (n, dims) of stack values (n, bands)."""
        values = np.asarray(values, dtype=np.float64)
        out = np.empty((values.shape[0], self.dims), dtype=np.float64)
        for j, (b, how, code) in enumerate(zip(self.band, self.how, self.code)):
            v = values[:, b]
            if how == _VALUE:
                out[:, j] = v
            elif how == _DUMMY:
                out[:, j] = v == code
            else:  # aspect in degrees; flat (negative) -> 0, 0
                angle = np.radians(v)
                part = np.sin(angle) if how == _SIN else np.cos(angle)
                out[:, j] = np.where(v >= 0, part, 0.0)
        return out

    def transform(self, values: np.ndarray) -> np.ndarray:
        """The weighted, standardised coordinates (n, dims) of stack values (n, bands)."""
        out = self.raw(values)
        out -= np.asarray(self.mean)
        out /= np.asarray(self.sd)
        out *= np.asarray(self.weight)
        return out


def fit_feature_space(values: np.ndarray, names: Sequence[str], kinds: Sequence[str],
                      weights: Mapping[str, float]) -> FeatureSpace:
    """The feature space of training values (n, bands): continuous factors as they are,
    categorical factors one dummy per code seen in training (an unseen code is 0 in all),
    aspect its sine and cosine; every coordinate standardised by the training mean and
    standard deviation (a constant one by 1) and multiplied by its factor's weight."""
    values = np.asarray(values, dtype=np.float64)
    band, how, code, labels, weight = [], [], [], [], []
    for b, (name, kind) in enumerate(zip(names, kinds)):
        w = float(weights[name])
        if w <= 0:
            continue
        if kind == CATEGORICAL:
            for c in np.unique(values[:, b]):
                band.append(b)
                how.append(_DUMMY)
                code.append(float(c))
                labels.append(f"{name}={c:g}")
                weight.append(w)
        elif kind == ASPECT:
            for part in (_SIN, _COS):
                band.append(b)
                how.append(part)
                code.append(0.0)
                labels.append(f"{name}:{part}")
                weight.append(w)
        else:
            band.append(b)
            how.append(_VALUE)
            code.append(0.0)
            labels.append(name)
            weight.append(w)
    ones = tuple(1.0 for _ in band)
    space = FeatureSpace(tuple(band), tuple(how), tuple(code), tuple(0.0 for _ in band), ones,
                         tuple(weight), tuple(labels))
    raw = space.raw(values)
    mean = raw.mean(axis=0) if raw.size else np.zeros(space.dims)
    sd = raw.std(axis=0, ddof=1) if raw.shape[0] > 1 else np.zeros(space.dims)
    sd = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
    return FeatureSpace(space.band, space.how, space.code, tuple(float(m) for m in mean),
                        tuple(float(s) for s in sd), space.weight, space.labels)


# --- distances and the threshold -----------------------------------------------------------------

def mean_distance(points: np.ndarray, seed: int = 42, max_samples: int = MAX_PAIRWISE) -> float:
    """The mean distance between training samples: the mean of all pairwise distances, or,
    above ``max_samples`` samples, of all pairs of a seeded random subsample of that many
    (all pairs would take memory quadratic in the samples; on the 20,000 training samples of
    benchmarks/applicability.py, ten seeds' subsample means were within 0.5 % of the full
    mean)."""
    from scipy.spatial.distance import pdist

    points = np.asarray(points, dtype=np.float64)
    if points.shape[0] > max_samples:
        rng = np.random.default_rng(seed)
        points = points[np.sort(rng.choice(points.shape[0], max_samples, replace=False))]
    if points.shape[0] < 2:
        raise LsmError("The mean distance between training samples needs at least two.")
    return float(np.mean(pdist(points)))


def cross_fold_distances(points: np.ndarray, folds: np.ndarray,
                         progress: Progress = SILENT) -> np.ndarray:
    """For each training sample, the distance to the nearest training sample in another
    fold."""
    from scipy.spatial import cKDTree

    points = np.asarray(points, dtype=np.float64)
    folds = np.asarray(folds)
    out = np.empty(points.shape[0])
    distinct = np.unique(folds)
    if distinct.size < 2:
        raise LsmError("The training samples are all in one cross-validation fold: the "
                       "threshold needs at least two.")
    for i, f in enumerate(distinct):
        progress.check()
        inside = folds == f
        tree = cKDTree(points[~inside])
        out[inside] = tree.query(points[inside], k=1)[0]
        progress.fraction(i + 1, distinct.size)
    return out


def whisker_threshold(values: np.ndarray) -> float:
    """The upper whisker of a box plot of ``values``: the largest value at most
    Q3 + 1.5 (Q3 - Q1), quartiles by linear interpolation (numpy's default, R's type 7)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if not values.size:
        raise LsmError("No training dissimilarity to set the threshold from.")
    q1, q3 = np.quantile(values, [0.25, 0.75])
    fence = q3 + 1.5 * (q3 - q1)
    return float(values[values <= fence].max())


# --- the rasters ---------------------------------------------------------------------------------

@dataclass
class AoaReport:
    """What *Area of applicability* computed and wrote."""

    di_path: str
    mask_path: str
    threshold: float
    mean_distance: float
    n_training: int
    folds: int
    weights: dict
    valid_cells: int = 0
    inside_cells: int = 0
    #: each training sample's DI to the nearest training sample of another fold
    training_di: np.ndarray = field(default_factory=lambda: np.empty(0))
    messages: list = field(default_factory=list)

    @property
    def share_inside(self) -> float:
        """Share of the valid cells inside the area of applicability (0..1)."""
        return self.inside_cells / self.valid_cells if self.valid_cells else 0.0


@dataclass
class TrainingSpace:
    """The training samples in feature space: what every cell is compared with."""

    space: FeatureSpace
    points: np.ndarray
    folds: np.ndarray
    mean_distance: float
    threshold: float
    training_di: np.ndarray
    weights: dict
    messages: list = field(default_factory=list)


def training_space(stack_path: str, samples_path: str, *,
                   weights: Optional[Mapping[str, float]] = None, folds: int = 5,
                   seed: int = 42, progress: Progress = SILENT) -> TrainingSpace:
    """The feature space, the training points in it, their folds, the mean distance and the
    threshold, from a factor stack and a samples layer's training split (the layer's folds,
    else ``folds`` folds drawn by landslide with ``seed``)."""
    info = stack_info(stack_path)
    factor_weights = normalise_weights(weights, info.names)
    samples = read_samples(samples_path, info.grid)
    messages = list(samples.messages)
    train = samples.subset(samples.train)
    if not len(train):
        raise LsmError(f"'{samples.source}' has no training samples (split = 'train'). Use "
                       "the samples the model was trained on, as 'Prepare training samples' "
                       "writes them.")
    ds = open_raster(stack_path, "factor stack")
    values, ok = values_at(ds, train.x, train.y)
    ds = None
    if not ok.any():
        raise LsmError(f"None of the {len(train)} training samples of '{samples.source}' lies "
                       "on a valid cell of the factor stack: the samples and the stack do not "
                       "match (another area, another CRS, or the stack's nodata covers them). "
                       "Use the stack the samples were prepared on.")
    if not ok.all():
        messages.append(f"{int((~ok).sum())} training sample(s) lie outside the stack or on "
                        "its nodata cells; they are left out.")
    train = train.subset(ok)
    values = values[ok]
    if len(train) < MIN_TRAINING:
        raise LsmError(f"Only {len(train)} training sample(s) on valid cells: the area of "
                       f"applicability needs at least {MIN_TRAINING}.")
    fold = _folds_of(train, folds, seed, info.grid, messages)
    space = fit_feature_space(values, info.names, info.kinds, factor_weights)
    points = space.transform(values)
    progress.percent(20)
    progress.check()
    dbar = mean_distance(points, seed=seed)
    if not dbar > 0:
        raise LsmError("Every training sample has the same factor values (weighted): the "
                       "dissimilarity index is undefined. Check the stack and the weights.")
    progress.percent(40)
    training_di = cross_fold_distances(points, fold, progress.sub(40, 100)) / dbar
    return TrainingSpace(space, points, fold, dbar, whisker_threshold(training_di),
                         training_di, factor_weights, messages)


def _folds_of(train: SampleSet, k: int, seed: int, grid: Grid, messages: list) -> np.ndarray:
    """The training samples' folds: the layer's own where it has them (samples without one
    form a group of their own), else k folds drawn by landslide (seeded)."""
    if np.any(train.fold > 0):
        messages.extend(fold_warnings(train))
        fold = train.fold.copy()
    else:
        if k < 2:
            raise LsmError(f"{k} fold(s): the threshold needs at least 2 cross-validation folds.")
        drawn = train.subset(np.ones(len(train), dtype=bool))
        report = SampleReport(drawn)
        assign_folds(drawn, k, np.random.default_rng(seed), grid, 0.0, report)
        messages.extend(report.messages)
        messages.append(f"The samples have no folds: {np.unique(drawn.fold).size} folds were "
                        f"drawn by landslide (seed {seed}).")
        fold = drawn.fold
    if np.unique(fold).size < 2:
        raise LsmError("All training samples are in one cross-validation fold: the threshold "
                       "needs samples in at least two. Prepare the samples again with 'Prepare "
                       "training samples' (it writes the folds), or clear the field 'fold'.")
    return fold


class AoaTask:
    """One window of the area of applicability (a picklable task of core.blocks): the stack's
    valid cells in feature space, their distance to the nearest training point over the mean
    distance (the DI, Float32), and the mask (DI as written <= threshold)."""

    def __init__(self, stack_path: str, nodata: list, space: FeatureSpace, points: np.ndarray,
                 mean_distance: float, threshold: float, workers: int = 1) -> None:
        self.stack_path, self.nodata, self.space = stack_path, list(nodata), space
        self.points = np.asarray(points, dtype=np.float64)
        self.mean_distance, self.threshold = float(mean_distance), float(threshold)
        self.workers = max(1, int(workers))
        self._tree: Any = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_tree"] = None  # rebuilt where the task runs (the same tree from the same points)
        return state

    def tree(self) -> Any:
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(self.points)
        return self._tree

    def __call__(self, win: Window) -> Block:
        data, valid = read_window(task_dataset(self.stack_path, "factor stack"), win,
                                  nodata=self.nodata)
        di = np.full((win.height, win.width), FLOAT_NODATA, dtype=np.float32)
        inside = np.full((win.height, win.width), MASK_NODATA, dtype=np.uint8)
        n_inside = 0
        if valid.any():
            cells = data[:, valid].T
            dist = self.tree().query(self.space.transform(cells), k=1, workers=self.workers)[0]
            values = (dist / self.mean_distance).astype(np.float32)
            di[valid] = values
            # the mask follows the DI as written (Float32), so the two always agree
            within = values.astype(np.float64) <= self.threshold
            inside[valid] = within
            n_inside = int(within.sum())
        return Block((di, inside), {"valid_cells": int(valid.sum()), "inside_cells": n_inside})


def area_of_applicability(stack_path: str, samples_path: str, di_path: str, mask_path: str, *,
                          weights: Optional[Mapping[str, float]] = None,
                          weights_source: str = "", folds: int = 5, seed: int = 42,
                          window: int = WINDOW, n_jobs: int = 1,
                          progress: Progress = SILENT, client: Any = None) -> AoaReport:
    """Write the dissimilarity index (Float32, nodata where the stack is) and the area of
    applicability (Byte: 1 inside, DI <= threshold; 0 outside; nodata 255) of the stack
    against the samples' training split, window by window (``window`` cells a side; the
    result does not depend on it). ``weights``: factor -> weight (e.g. :func:`load_weights`
    of ``weights_source``); None: equal weights. ``n_jobs``: threads of the nearest-neighbour
    search. ``client``: a distributed.Client to write the rasters on a Dask cluster (see
    core.blocks; the training points travel with the task)."""
    inputs = [stack_path, samples_path, weights_source]
    di_out = check_output_path(di_path, inputs)
    mask_out = check_output_path(mask_path, inputs)
    if di_out.resolve() == mask_out.resolve():
        raise LsmError("The dissimilarity index and the applicability mask must be two "
                       "different files.")
    if window < 1:
        raise LsmError(f"The window size must be at least 1 cell, not {window}.")
    ts = training_space(stack_path, samples_path, weights=weights, folds=folds, seed=seed,
                        progress=progress.sub(0, 15))
    for message in ts.messages:
        progress.warning(message)
    progress.info(f"{ts.points.shape[0]} training samples in {np.unique(ts.folds).size} folds; "
                  f"mean distance between them {ts.mean_distance:.4g}; threshold of the "
                  f"dissimilarity index {ts.threshold:.4g}")
    grid = stack_info(stack_path).grid
    ds = open_raster(stack_path, "factor stack")
    nodata = band_nodata(ds)
    ds = None
    tags = AoaTags(threshold=ts.threshold, mean_distance=ts.mean_distance,
                   n_training=int(ts.points.shape[0]), weights=weights_text(ts.weights),
                   stack=str(stack_path))
    report = AoaReport(str(di_out), str(mask_out), ts.threshold, ts.mean_distance,
                       int(ts.points.shape[0]), int(np.unique(ts.folds).size), ts.weights,
                       training_di=ts.training_di, messages=list(ts.messages))
    # in-process, one window at a time with ``n_jobs`` search threads, as the tree is shared;
    # on Dask, one search thread per task (the cluster runs the tasks side by side)
    task = AoaTask(stack_path, nodata, ts.space, ts.points, ts.mean_distance, ts.threshold,
                   n_jobs if client is None else 1)

    def finish(counts: dict, seconds: float) -> list:
        valid = int(counts.get("valid_cells", 0))
        share = int(counts.get("inside_cells", 0)) / valid if valid else 0.0
        # the tags are written when the rasters are complete: the share is known only now
        return [replace(tags, kind="dissimilarity", share_inside=share,
                        partner=str(mask_out)).to_metadata(),
                replace(tags, kind="applicability", share_inside=share,
                        partner=str(di_out)).to_metadata()]

    stage = Stage("applicability", grid, task,
                  (Output(di_out, 1, "float32", FLOAT_NODATA, ("dissimilarity_index",)),
                   Output(mask_out, 1, "uint8", MASK_NODATA, ("area_of_applicability",))),
                  window=window, finish=finish)
    counts = run_stage(stage, client, threads=1, progress=progress.sub(15, 100)).counts
    report.valid_cells = int(counts.get("valid_cells", 0))
    report.inside_cells = int(counts.get("inside_cells", 0))
    return report


# --- reading the rasters back, and masking a map -------------------------------------------------

def applicability_tags(path: str) -> AoaTags:
    """The AOA tags of a raster (``kind`` is '' for a raster that is not one of ours)."""
    ds = open_raster(path, "raster")
    tags = AoaTags.from_metadata(ds.GetMetadata() or {})
    ds = None
    return tags


def check_applicability_mask(path: str, grid: Optional[Grid] = None) -> AoaTags:
    """The tags of an applicability mask, or an LsmError saying why ``path`` is not one (not
    made by *Area of applicability*, the dissimilarity index instead of the mask, another grid
    than ``grid``)."""
    ds = open_raster(path, "applicability mask")
    tags = AoaTags.from_metadata(ds.GetMetadata() or {})
    mask_grid = Grid.of(ds)
    ds = None
    name = Path(str(path)).name
    if tags.kind == "dissimilarity":
        raise LsmError(f"'{name}' is the dissimilarity index of 'Area of applicability', not "
                       "its applicability mask (1 inside, 0 outside)"
                       + (f": use '{Path(tags.partner).name}'." if tags.partner else "."))
    if tags.kind != "applicability":
        raise LsmError(f"'{name}' is not an applicability mask made by 'Area of "
                       "applicability' (it has no LSM_AOA=applicability tag). Run that "
                       "algorithm on this stack and use its mask output.")
    if grid is not None:
        differs = mask_grid.mismatch(grid)
        if differs:
            raise LsmError(f"The applicability mask '{name}' is not on the grid of the map "
                           f"({differs}). Compute it from the same factor stack.")
    return tags


def mask_outside(lsi_path: str, mask_path: str, sd_path: Optional[str] = None, *,
                 window: int = WINDOW, progress: Progress = SILENT, client: Any = None) -> int:
    """Set the cells of an LSI raster (and of its SD raster) where the applicability mask is 0
    to nodata, in place: each raster is rewritten to a temporary file beside it, which then
    replaces it (the run that wrote the LSI calls this). Cells where the mask has no value
    are kept. Returns how many valid LSI cells were set to nodata. ``client``: a
    distributed.Client to rewrite them on a Dask cluster (see core.blocks)."""
    masked = 0
    targets = [lsi_path] + ([sd_path] if sd_path else [])
    mask_ds = open_raster(mask_path, "applicability mask")
    mask_grid = Grid.of(mask_ds)
    mask_ds = None
    for target in targets:
        src = open_raster(target, "map")
        differs = Grid.of(src).mismatch(mask_grid)
        src = None
        if differs:
            raise LsmError(f"The applicability mask '{Path(mask_path).name}' is not on the grid "
                           f"of '{Path(target).name}' ({differs}). Compute it from the factor "
                           "stack the map was made from.")
    for t, target in enumerate(targets):
        count, unknown = _mask_one(target, str(mask_path), window, progress.sub(
            100 * t / len(targets), 100 * (t + 1) / len(targets)), client)
        if t == 0:
            masked = count
            if unknown:
                progress.warning(f"{unknown} cell(s) of the map have no value in the "
                                 "applicability mask (nodata there); they are kept.")
    return masked


class MaskTask:
    """One window of a map masked by the applicability mask (a picklable task of
    core.blocks): the map's cells where the mask is 0 set to nodata; counts the valid cells
    masked, and the valid cells where the mask has no value."""

    def __init__(self, path: str, mask_path: str, nodatas: list, nodata: float,
                 dtype: str) -> None:
        self.path, self.mask_path = path, mask_path
        self.nodatas, self.nodata, self.dtype = list(nodatas), nodata, dtype

    def __call__(self, win: Window) -> Block:
        data, valid = read_window(task_dataset(self.path, "map"), win, nodata=self.nodatas,
                                  dtype=np.dtype(self.dtype))
        mask_ds = task_dataset(self.mask_path, "applicability mask")
        aoa = mask_ds.GetRasterBand(1).ReadAsArray(win.col, win.row, win.width, win.height)
        outside = aoa == 0
        counts = {"masked": int((outside & valid).sum()),
                  "unknown": int(((aoa != 0) & (aoa != 1) & valid).sum())}
        data[:, outside] = self.nodata
        return Block((data,), counts)


def _mask_one(path: str, mask_path: str, window: int, progress: Progress,
              client: Any = None) -> tuple[int, int]:
    """Rewrite one map masked by the applicability mask (in place, atomically); return the
    valid cells masked and the valid cells where the mask has no value."""
    src = open_raster(path, "map")
    grid = Grid.of(src)
    bands = src.RasterCount
    nodatas = band_nodata(src)
    band_meta = tuple(src.GetRasterBand(b + 1).GetMetadata() or {} for b in range(bands))
    descriptions = tuple(src.GetRasterBand(b + 1).GetDescription() for b in range(bands))
    first = src.GetRasterBand(1).ReadAsArray(0, 0, 1, 1)
    metadata = src.GetMetadata() or {}
    src = None  # closed before the rewritten file replaces it
    nodata = nodatas[0] if nodatas[0] is not None else FLOAT_NODATA
    stage = Stage("mask", grid, MaskTask(str(path), mask_path, nodatas, nodata,
                                         first.dtype.name),
                  (Output(Path(path), bands, first.dtype.name, nodata, descriptions, metadata,
                          band_meta),),
                  window=window)
    counts = run_stage(stage, client, progress=progress).counts
    return int(counts.get("masked", 0)), int(counts.get("unknown", 0))
