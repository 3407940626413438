"""Frequency ratio (FR): class each factor, compare landslide share to area share per class.

FR of a class = (share of training landslide cells in the class) / (share of study-area cells
in the class). Only training landslides are counted, so validation cells never inform the
encoding. A class without landslides has FR 0; a class without area has FR 0 (never a
division by zero). The FR-encoded stack replaces every cell by the FR of its class.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from .blocks import Block, Output, Stage, run_stage, task_dataset
from .classing import (
    DEFAULT_SAMPLE,
    METHODS,
    NATURAL_BREAKS,
    QUANTILE,
    classify,
    compute_breaks,
    parse_custom_breaks,
    sample_cells,
)
from .errors import LsmError
from .progress import SILENT, Progress
from .provenance import fr_provenance
from .raster import (
    FLOAT_NODATA,
    WINDOW,
    Grid,
    Window,
    check_output_path,
    open_raster,
    read_window,
)
from .records import BandTags, StackTags
from .sampling import read_samples, values_at_path
from .stack import ASPECT, CATEGORICAL, stack_info

CATEGORIES = "categories"
ASPECT_SECTORS = "aspect_sectors"
SECTOR_NAMES = ("flat", "N", "NE", "E", "SE", "S", "SW", "W", "NW")
#: the most distinct codes a categorical factor may have
MAX_CATEGORIES = 255


@dataclass
class ClassingSpec:
    """How one factor is classed for FR."""

    method: str
    classes: int = 8
    custom: Optional[list] = None


def parse_overrides(text: str) -> dict:
    """'slope:quantile:6; elev:custom:500,1000; lithology:categories' -> {name: ClassingSpec}."""
    out = {}
    for raw in re.split(r"[;\n]", text or ""):
        item = raw.strip()
        if not item:
            continue
        parts = [p.strip() for p in item.split(":")]
        if len(parts) < 2:
            raise LsmError(f"Per-factor classing '{item}' must look like 'factor:method[:classes]' "
                           "e.g. 'slope:quantile:6' or 'elev:custom:500,1000,1500'.")
        name, method = parts[0], parts[1].lower()
        if method not in (*METHODS, CATEGORIES, ASPECT_SECTORS):
            raise LsmError(f"Unknown classing method '{method}' for '{name}'. Use natural_breaks, "
                           "equal_interval, quantile, custom, categories or aspect_sectors.")
        spec = ClassingSpec(method)
        if len(parts) > 2 and parts[2]:
            if method == "custom":
                spec.custom = parse_custom_breaks(parts[2])
            else:
                try:
                    spec.classes = int(parts[2])
                except ValueError as exc:
                    raise LsmError(f"'{item}': the number of classes must be an integer.") from exc
        elif method == "custom":
            raise LsmError(f"'{item}': custom classing needs its breaks, e.g. "
                           f"'{name}:custom:10,20,30'.")
        out[name] = spec
    return out


@dataclass
class FactorEncoding:
    """The classes of one factor and their FR values (JSON-serialisable)."""

    factor: str
    kind: str
    method: str
    edges: list = field(default_factory=list)  # binned methods: k + 1 edges
    codes: list = field(default_factory=list)  # categories: the codes, sorted
    labels: list = field(default_factory=list)
    area_cells: list = field(default_factory=list)
    landslide_cells: list = field(default_factory=list)
    fr: list = field(default_factory=list)

    @property
    def n_classes(self) -> int:
        if self.method == CATEGORIES:
            return len(self.codes)
        if self.method == ASPECT_SECTORS:
            return len(SECTOR_NAMES)
        return len(self.edges) - 1

    def class_index(self, values: np.ndarray) -> np.ndarray:
        """0-based class of each value; -1 for a category the encoding has never seen."""
        values = np.asarray(values, dtype=np.float64)
        if self.method == CATEGORIES:
            codes = np.asarray(self.codes, dtype=np.float64)
            pos = np.clip(np.searchsorted(codes, values), 0, max(0, codes.size - 1))
            hit = codes.size > 0
            return np.where(hit & (codes[pos] == values), pos, -1) if hit else \
                np.full(values.shape, -1)
        if self.method == ASPECT_SECTORS:
            return aspect_sector(values)
        return classify(values, np.asarray(self.edges)).astype(np.int64) - 1

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("factor", "kind", "method", "edges", "codes",
                                              "labels", "area_cells", "landslide_cells", "fr")}


def aspect_sector(aspect: np.ndarray) -> np.ndarray:
    """0 flat (aspect < 0), 1 N (337.5..22.5), 2 NE, ... 8 NW."""
    aspect = np.asarray(aspect, dtype=np.float64)
    sector = (np.floor(((aspect + 22.5) % 360.0) / 45.0) + 1).astype(np.int64)
    return np.where(aspect < 0, 0, sector)


def fingerprint(encodings: Sequence[FactorEncoding]) -> str:
    """A short hash that identifies an FR encoding (its factors, classes and FR values)."""
    canon = [{"factor": e.factor, "method": e.method,
              "edges": [float(f"{v:.9g}") for v in e.edges],
              "codes": [float(c) for c in e.codes],
              "fr": [float(f"{v:.9g}") for v in e.fr]} for e in encodings]
    return hashlib.sha1(json.dumps(canon, sort_keys=True).encode()).hexdigest()[:16]


def encoding_spec(encodings: Sequence[FactorEncoding]) -> dict:
    return {"fingerprint": fingerprint(encodings), "factors": [e.to_dict() for e in encodings]}


def encodings_from_spec(spec: dict) -> list[FactorEncoding]:
    return [FactorEncoding(**f) for f in spec["factors"]]


@dataclass
class FrResult:
    encodings: list
    training_landslide_cells: int
    valid_cells: int
    messages: list = field(default_factory=list)
    #: the samples the encoding was fitted on (core.provenance.fr_provenance)
    provenance: Optional[dict] = None

    def table(self) -> list[dict]:
        """Rows of the FR table: one per class of each factor."""
        rows = []
        for e in self.encodings:
            a_tot = max(1, sum(e.area_cells))
            l_tot = max(1, sum(e.landslide_cells))
            for i in range(e.n_classes):
                lower = upper = None
                category = ""
                if e.method == CATEGORIES:
                    category = f"{e.codes[i]:g}"
                elif e.method == ASPECT_SECTORS:
                    category = SECTOR_NAMES[i]
                else:
                    lower, upper = e.edges[i], e.edges[i + 1]
                rows.append({"factor": e.factor, "class": i + 1, "range": e.labels[i],
                             "lower": lower, "upper": upper, "category": category,
                             "area_cells": e.area_cells[i],
                             "area_pct": 100.0 * e.area_cells[i] / a_tot,
                             "landslide_cells": e.landslide_cells[i],
                             "landslide_pct": 100.0 * e.landslide_cells[i] / l_tot,
                             "fr": e.fr[i]})
        return rows


TABLE_COLUMNS = (("factor", str), ("class", int), ("range", str), ("lower", float),
                 ("upper", float), ("category", str), ("area_cells", int), ("area_pct", float),
                 ("landslide_cells", int), ("landslide_pct", float), ("fr", float))


def frequency_ratio(area: np.ndarray, landslides: np.ndarray) -> np.ndarray:
    """FR per class from cell counts; 0 where a class has no landslides or no area."""
    area = np.asarray(area, dtype=np.float64)
    landslides = np.asarray(landslides, dtype=np.float64)
    a_share = area / area.sum() if area.sum() > 0 else np.zeros_like(area)
    l_share = landslides / landslides.sum() if landslides.sum() > 0 else np.zeros_like(area)
    fr = np.zeros_like(area)
    np.divide(l_share, a_share, out=fr, where=a_share > 0)
    return fr


def _default_spec(kind: str, method: str, classes: int) -> ClassingSpec:
    if kind == CATEGORICAL:
        return ClassingSpec(CATEGORIES)
    if kind == ASPECT:
        return ClassingSpec(ASPECT_SECTORS)
    return ClassingSpec(method, classes)


def compute_fr(stack_path: str, samples_path: str, *, method: str = NATURAL_BREAKS,
               classes: int = 8, overrides: Optional[dict] = None,
               sample_size: int = DEFAULT_SAMPLE, seed: int = 42,
               progress: Progress = SILENT, client: Any = None,
               window: int = WINDOW) -> FrResult:
    """Class every factor of a raw stack and compute FR from the training landslide cells.

    The landslide cells' values and the area per class are read as reduction stages of
    core.blocks: in-process, or on Dask with ``client`` (a ``distributed.Client``);
    ``window``: cells per side of a window (any gives the same result)."""
    info = stack_info(stack_path)
    if info.encoding != "raw":
        raise LsmError("This stack is already FR-encoded. Compute the frequency ratio on the raw "
                       "factor stack (the output of 'Build factor stack').")
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(info.names))
    if unknown:
        raise LsmError(f"Per-factor classing names {unknown} are not bands of the stack "
                       f"({', '.join(info.names)}).")
    specs = [overrides.get(n, _default_spec(k, method, classes))
             for n, k in zip(info.names, info.kinds)]
    ds = open_raster(stack_path, "factor stack")
    samples = read_samples(samples_path, info.grid)
    train_ls = samples.subset(samples.train & (samples.label == 1))
    if len(train_ls) == 0:
        raise LsmError("The samples have no training landslide cells (label 1, split 'train'). "
                       "Run 'Prepare training samples' on an inventory that overlaps the stack.")
    ls_values, ls_ok = values_at_path(stack_path, train_ls.x, train_ls.y, what="factor stack",
                                      client=client, window=window)
    ls_values = ls_values[ls_ok]
    if ls_values.shape[0] == 0:
        raise LsmError("No training landslide sample lies on a valid cell of the stack. Were the "
                       "samples prepared on this stack?")
    fitted_on = np.zeros(len(samples), dtype=bool)
    fitted_on[np.flatnonzero(samples.train & (samples.label == 1))[ls_ok]] = True
    result = FrResult([], int(ls_values.shape[0]), 0,
                      provenance=fr_provenance(samples, fitted_on, info.grid, samples_path))
    if ls_ok.sum() < len(train_ls):
        result.messages.append(f"{len(train_ls) - int(ls_ok.sum())} training landslide "
                               "sample(s) on nodata cells were ignored.")

    # 1. breaks of binned factors (a sample is needed only for natural breaks and quantiles)
    binned = [i for i, s in enumerate(specs) if s.method in METHODS]
    need_sample = [i for i in binned if specs[i].method in (NATURAL_BREAKS, QUANTILE)]
    edges: dict[int, np.ndarray] = {}
    if binned:
        progress.info("Sampling the stack for class breaks")
        bands = [i + 1 for i in binned]
        sample = sample_cells(ds, bands, sample_size if need_sample else 1, seed,
                              progress.sub(0, 30), what="The factor stack")
        for j, i in enumerate(binned):
            specs[i], found = _class_breaks(specs[i], sample.values[:, j], float(sample.vmin[j]),
                                            float(sample.vmax[j]), info.names[i],
                                            result.messages)
            if found is not None:
                edges[i] = found
    # 2. area per class (and the categories present)
    descriptions = [ds.GetRasterBand(i + 1).GetDescription() for i in range(ds.RasterCount)]
    area, codes, valid_cells = _area_counts(stack_path, info.grid, descriptions, specs, edges,
                                            progress.sub(30, 100), client=client, window=window)
    result.valid_cells = valid_cells
    for i, (name, kind, spec) in enumerate(zip(info.names, info.kinds, specs)):
        result.encodings.append(_factor_encoding(name, kind, spec, edges.get(i), area.get(i),
                                                 codes.get(i), ls_values[:, i]))
    return result


def _class_breaks(spec: ClassingSpec, sample: np.ndarray, vmin: float, vmax: float, name: str,
                  messages: list) -> tuple[ClassingSpec, Optional[np.ndarray]]:
    """The class edges of a binned factor from a sample of its values (and its exact range);
    a factor with no more distinct values than classes is classed by its values instead (the
    spec returned says so, with no edges)."""
    if spec.method in (NATURAL_BREAKS, QUANTILE):
        distinct = np.unique(sample).size
        if distinct <= spec.classes:
            messages.append(
                f"Factor '{name}' has only {distinct} distinct values (in a sample): classed by "
                f"its values as categories instead of {spec.classes} "
                f"{spec.method.replace('_', ' ')} classes (parameter 'Per-factor classing' sets "
                "another classing for it).")
            return ClassingSpec(CATEGORIES), None
    return spec, compute_breaks(spec.method, spec.classes, sample, vmin, vmax, spec.custom)


def _factor_encoding(name: str, kind: str, spec: ClassingSpec, edges: Optional[np.ndarray],
                     area: Optional[np.ndarray], codes: Optional[dict],
                     landslide_values: np.ndarray) -> FactorEncoding:
    """One factor's encoding from its area per class (binned and aspect factors) or per code
    (categories), and the values of the training landslide cells."""
    enc = FactorEncoding(name, kind, spec.method)
    if spec.method in METHODS and edges is not None:
        enc.edges = [float(v) for v in edges]
        enc.labels = [f"{lo:.6g} – {hi:.6g}" for lo, hi in zip(enc.edges, enc.edges[1:])]
        counts = area
    elif spec.method == CATEGORIES:
        enc.codes = sorted(codes)
        enc.labels = [f"{c:g}" for c in enc.codes]
        counts = np.array([codes[c] for c in enc.codes], dtype=np.int64)
    else:
        enc.labels = list(SECTOR_NAMES)
        counts = area
    idx = enc.class_index(landslide_values)
    ls_counts = np.bincount(idx[idx >= 0], minlength=enc.n_classes)[:enc.n_classes]
    enc.area_cells = [int(v) for v in counts]
    enc.landslide_cells = [int(v) for v in ls_counts]
    enc.fr = [float(v) for v in frequency_ratio(counts, ls_counts)]
    return enc


class FrequencyRatioEncoder:
    """The FR encoding, shaped like a scikit-learn transformer, for factor values in memory:

        encoder = FrequencyRatioEncoder(names=["slope", "lith"],
                                        kinds=["continuous", "categorical"]).fit(X, y)
        encoder.edges_, encoder.fr_      # class edges (binned factors) and FR per class
        encoder.transform(X_window)      # FR of each value; NaN for nodata or unseen codes

    ``X`` holds the values of the study area's cells (one column per factor; a row with a
    non-finite value is nodata, as in the stack), ``y`` marks the training landslide cells (1).
    Natural breaks and quantiles come from at most ``sample_size`` cells drawn with ``seed``.
    :func:`compute_fr` does the same over a raster, window by window; both give the same
    encoding on the same cells, and :meth:`transform` serves any window.
    """

    def __init__(self, method: str = NATURAL_BREAKS, classes: int = 8,
                 names: Optional[Sequence[str]] = None, kinds: Optional[Sequence[str]] = None,
                 overrides: Optional[dict] = None, sample_size: int = DEFAULT_SAMPLE,
                 seed: int = 42) -> None:
        self.method, self.classes = method, classes
        self.names, self.kinds, self.overrides = names, kinds, overrides
        self.sample_size, self.seed = sample_size, seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> FrequencyRatioEncoder:
        x = np.asarray(X, dtype=np.float64)
        labels = np.asarray(y)
        if x.ndim != 2 or labels.shape != (x.shape[0],):
            raise LsmError("FR needs one row of factor values per cell and one label per row.")
        names = list(self.names or [f"factor{i + 1}" for i in range(x.shape[1])])
        kinds = list(self.kinds or ["continuous"] * x.shape[1])
        valid = np.all(np.isfinite(x), axis=1)
        if not np.any(valid & (labels == 1)):
            raise LsmError("FR needs at least one landslide cell (label 1) with valid values.")
        x, labels = x[valid], labels[valid]
        rng = np.random.default_rng(self.seed)
        rows = (rng.choice(x.shape[0], self.sample_size, replace=False)
                if x.shape[0] > self.sample_size else np.arange(x.shape[0]))
        self.messages_: list[str] = []
        self.encodings_: list[FactorEncoding] = []
        for i, (name, kind) in enumerate(zip(names, kinds)):
            values = x[:, i]
            spec = (self.overrides or {}).get(name, _default_spec(kind, self.method,
                                                                   self.classes))
            edges = area = codes = None
            if spec.method in METHODS:
                spec, edges = _class_breaks(spec, values[rows], float(values.min()),
                                            float(values.max()), name, self.messages_)
            if edges is not None:
                area = np.bincount(classify(values, edges) - 1, minlength=len(edges) - 1)
            elif spec.method == ASPECT_SECTORS:
                area = np.bincount(aspect_sector(values), minlength=len(SECTOR_NAMES))
            else:
                u, c = np.unique(values, return_counts=True)
                if u.size > MAX_CATEGORIES:
                    raise LsmError(f"Factor '{name}' has more than {MAX_CATEGORIES} distinct "
                                   "values: is it really categorical? Mark it continuous, or "
                                   "reclassify it first.")
                codes = dict(zip(u.tolist(), c.tolist()))
            self.encodings_.append(_factor_encoding(name, kind, spec, edges, area, codes,
                                                    values[labels == 1]))
        self.edges_ = [np.asarray(e.edges) for e in self.encodings_]
        self.fr_ = [np.asarray(e.fr) for e in self.encodings_]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """The FR value of every cell and factor (any window of any size)."""
        x = np.asarray(X, dtype=np.float64)
        out = np.full(x.shape, np.nan)
        for i, enc in enumerate(self.encodings_):
            finite = np.isfinite(x[:, i])
            idx = np.full(x.shape[0], -1)
            idx[finite] = enc.class_index(x[finite, i])
            known = idx >= 0
            out[known, i] = np.asarray(enc.fr)[idx[known]]
        return out

    def fit_transform(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self.fit(X, y).transform(X)


class AreaCountTask:
    """One window of the area per class (a picklable task of core.blocks): the valid cells,
    and per factor the cells per class (binned and aspect factors) or per code
    (categories)."""

    def __init__(self, stack_path: str, classing: list, edges: dict, names: list) -> None:
        #: classing: per factor "edges", ASPECT_SECTORS or CATEGORIES
        self.stack_path, self.classing, self.edges, self.names = (stack_path, classing, edges,
                                                                  names)

    def __call__(self, win: Window) -> Block:
        data, valid = read_window(task_dataset(self.stack_path, "factor stack"), win)
        area, codes = {}, {}
        for i, how in enumerate(self.classing):
            vals = data[i][valid]
            if how == "edges":
                area[i] = np.bincount(classify(vals, self.edges[i]) - 1,
                                      minlength=len(self.edges[i]) - 1)
            elif how == ASPECT_SECTORS:
                area[i] = np.bincount(aspect_sector(vals), minlength=len(SECTOR_NAMES))
            else:
                u, c = np.unique(vals, return_counts=True)
                codes[i] = dict(zip(u.tolist(), c.tolist()))
                _check_categories(codes[i], self.names[i])
        return Block(counts={"valid_cells": int(valid.sum()), "area": area, "codes": codes})


def _check_categories(table: dict, name: str) -> None:
    if len(table) > MAX_CATEGORIES:
        raise LsmError(f"Factor '{name}' has more than {MAX_CATEGORIES} distinct values: is it "
                       "really categorical? Mark it continuous, or reclassify it first.")


def _merge_area_counts(names: list) -> Callable[[dict, dict], dict]:
    """The ``combine`` of :class:`AreaCountTask` counts: areas added, code tables merged (a
    categorical factor with too many codes refused)."""
    def combine(a: dict, b: dict) -> dict:
        if not a:
            return b
        area = {i: a["area"][i] + b["area"][i] for i in a["area"]}
        codes = {}
        for i, table in a["codes"].items():
            merged = dict(table)
            for code, count in b["codes"][i].items():
                merged[code] = merged.get(code, 0) + count
            _check_categories(merged, names[i])
            codes[i] = merged
        return {"valid_cells": a["valid_cells"] + b["valid_cells"], "area": area,
                "codes": codes}
    return combine


def _area_counts(stack_path: str, grid: Grid, names: list, specs, edges, progress: Progress,
                 *, client: Any = None, window: int = WINDOW):
    """Cells per class of every factor over the stack's valid cells (one pass, a reduction
    stage in-process or on Dask). ``names``: the band descriptions, for messages."""
    n = len(specs)
    # binned factors are exactly those with edges; the rest are aspect sectors or categories
    classing = ["edges" if i in edges else ASPECT_SECTORS
                if specs[i].method == ASPECT_SECTORS else CATEGORIES for i in range(n)]
    task = AreaCountTask(stack_path, classing, {i: np.asarray(e) for i, e in edges.items()},
                         list(names))
    stage = Stage("fr-area", grid, task, window=window, combine=_merge_area_counts(list(names)))
    counts = run_stage(stage, client, progress=progress).counts
    return counts["area"], counts["codes"], counts["valid_cells"]


class EncodeTask:
    """One window of the FR-encoded stack (a picklable task of core.blocks): every valid cell
    replaced by its class's FR; a cell with a category never seen becomes nodata (counted)."""

    def __init__(self, stack_path: str, encodings: list) -> None:
        self.stack_path, self.encodings = stack_path, encodings

    def __call__(self, win: Window) -> Block:
        data, valid = read_window(task_dataset(self.stack_path, "factor stack"), win)
        block = np.full(data.shape, FLOAT_NODATA, dtype=np.float32)
        ok = valid.copy()
        for i, enc in enumerate(self.encodings):
            idx = enc.class_index(data[i][valid])
            bad = idx < 0
            if np.any(bad):
                sub = np.flatnonzero(valid.ravel())[bad]
                ok.ravel()[sub] = False
            block[i][valid] = np.asarray(enc.fr, dtype=np.float32)[np.maximum(idx, 0)]
        block[:, ~ok] = FLOAT_NODATA
        return Block((block,), {"unseen": int(valid.sum() - ok.sum())})


def encode_stack(stack_path: str, encodings: Sequence[FactorEncoding], output_path: str,
                 progress: Progress = SILENT, provenance: Optional[dict] = None, *,
                 client: Any = None, window: int = WINDOW) -> dict:
    """Write the FR-encoded stack: every cell replaced by its class's FR (a stage of
    core.blocks: in-process, or on Dask with ``client``, a ``distributed.Client``; ``window``:
    cells per side of a window, any gives the same result).

    Cells with a category the encoding has never seen become nodata (counted in the result).
    """
    out = check_output_path(output_path, [stack_path])
    info = stack_info(stack_path)
    names = [e.factor for e in encodings]
    if names != info.names:
        raise LsmError(f"The stack's bands {info.names} differ from the encoding's factors "
                       f"{names}. Use the stack the frequency ratio was computed on.")
    spec = encoding_spec(encodings)
    band_meta = [BandTags(encoded_from=k).to_metadata() for k in info.kinds]
    output = Output(out, len(encodings), "float32", FLOAT_NODATA, tuple(names),
                    StackTags("fr", spec, json.dumps(provenance) if provenance
                              else None).to_metadata(), tuple(band_meta))
    stage = Stage("fr-encode", info.grid, EncodeTask(stack_path, list(encodings)), (output,),
                  window=window)
    unseen = int(run_stage(stage, client, progress=progress).counts.get("unseen", 0))
    return {"fingerprint": spec["fingerprint"], "unseen_category_cells": unseen}

