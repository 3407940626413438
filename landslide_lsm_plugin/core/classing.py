"""Classing continuous values: natural breaks (Jenks), equal interval, quantile, custom breaks.

Breaks are ``k + 1`` increasing edges from the minimum to the maximum. Class ``i`` (1-based)
holds values in ``(edges[i-1], edges[i]]``; the first class holds values up to ``edges[1]``
(which equals the minimum when that class holds only the minimum), and values
outside the edges fall into the first or last class, so every valid value is in exactly one
class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import numpy as np
from osgeo import gdal

from ..deps import NATURAL_BREAKS_MODULES, missing_one_of, module_available
from .errors import LsmError
from .progress import SILENT, Progress
from .raster import iter_windows, read_window, window_count

NATURAL_BREAKS = "natural_breaks"
EQUAL_INTERVAL = "equal_interval"
QUANTILE = "quantile"
CUSTOM = "custom"
METHODS = (NATURAL_BREAKS, EQUAL_INTERVAL, QUANTILE, CUSTOM)

#: Default size of the random sample of valid cells that natural breaks are computed on.
DEFAULT_SAMPLE = 20000

ZONE_LABELS_5 = ("Very low", "Low", "Moderate", "High", "Very high")


def zone_labels(k: int) -> list[str]:
    """Susceptibility zone names: very low .. very high for 5 classes, else numbered."""
    if k == 5:
        return list(ZONE_LABELS_5)
    if k == 3:
        return ["Low", "Moderate", "High"]
    return [f"Class {i}" for i in range(1, k + 1)]


def natural_breaks(values: np.ndarray, k: int) -> np.ndarray:
    """Exact natural breaks of a 1-D sample (k + 1 edges: the minimum, then each class's
    maximum): the classes that minimise the within-class sum of squares.

    Computed by Ckmeans.1d.dp (ckwrap: O(k n log n), milliseconds for 20,000 values) or, when
    only jenkspy is installed, by Fisher-Jenks (the same optimum in O(k n^2): about a second
    for 20,000 values)."""
    values = np.asarray(values, dtype=np.float64)
    distinct = np.unique(values)
    if distinct.size <= k:
        raise LsmError(f"Natural breaks need more distinct values than classes: the data has "
                       f"{distinct.size} distinct value(s) for {k} classes. Choose fewer classes "
                       "or another classing method.")
    if module_available("ckwrap"):
        import ckwrap

        labels = np.asarray(ckwrap.ckmeans(values, k).labels)
        tops = np.sort([values[labels == c].max() for c in np.unique(labels)])
        return np.concatenate([[values.min()], tops])
    if module_available("jenkspy"):
        import jenkspy

        return np.asarray(jenkspy.jenks_breaks(values, n_classes=k), dtype=np.float64)
    raise LsmError(missing_one_of(NATURAL_BREAKS_MODULES, "Natural breaks"))


def equal_interval_breaks(vmin: float, vmax: float, k: int) -> np.ndarray:
    if not vmax > vmin:
        raise LsmError(f"All valid values are equal ({vmin}); a constant raster cannot be classed. "
                       "Check the input band.")
    return np.linspace(vmin, vmax, k + 1)


def quantile_breaks(values: np.ndarray, k: int) -> np.ndarray:
    edges = np.quantile(np.asarray(values, dtype=np.float64), np.linspace(0, 1, k + 1))
    if np.any(np.diff(edges) <= 0):
        raise LsmError(f"Quantile breaks are not distinct for {k} classes (many cells share the "
                       "same value). Choose fewer classes or natural breaks.")
    return edges


def parse_custom_breaks(text: str) -> list[float]:
    """Parse '0.2, 0.4; 0.6' into sorted floats; raise a clear error on bad input."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError as exc:
        raise LsmError(f"Custom breaks must be numbers separated by commas, got '{text}'.") from exc
    if not values:
        raise LsmError("Custom breaks are empty: give the inner class boundaries, e.g. "
                       "'0.2, 0.4, 0.6, 0.8' for five classes.")
    if any(b <= a for a, b in zip(values, values[1:])):
        raise LsmError(f"Custom breaks must be strictly increasing, got '{text}'.")
    return values


def compute_breaks(method: str, k: int, sample: np.ndarray, vmin: float, vmax: float,
                   custom: Optional[Sequence[float]] = None) -> np.ndarray:
    """Edges (k + 1 values) for a method, from a sample and the exact min and max."""
    if method not in METHODS:
        raise LsmError(f"Unknown classing method '{method}'; use one of {', '.join(METHODS)}.")
    if method == CUSTOM:
        inner = [b for b in (custom or []) if vmin < b < vmax]
        if custom and len(inner) < len(custom):
            raise LsmError(f"Custom breaks {list(custom)} must lie inside the data range "
                           f"{vmin:g} .. {vmax:g}.")
        edges = np.array([vmin, *inner, vmax], dtype=np.float64)
    else:
        if k < 2:
            raise LsmError("Choose at least 2 classes.")
        if method == EQUAL_INTERVAL:
            edges = equal_interval_breaks(vmin, vmax, k)
        elif method == QUANTILE:
            edges = quantile_breaks(sample, k)
        else:
            edges = natural_breaks(sample, k)
        # The sample may miss the extremes: the outer edges are the true range.
        edges[0], edges[-1] = vmin, vmax
    # The first class may hold only the minimum (edges[0] == edges[1]); other edges increase.
    if edges[1] < edges[0] or np.any(np.diff(edges[1:]) <= 0):
        raise LsmError(f"The class breaks {edges.tolist()} are not strictly increasing. Choose "
                       "fewer classes.")
    return edges


def classify(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Class numbers 1..k (uint8) for values, given k + 1 edges."""
    inner = np.asarray(edges, dtype=np.float64)[1:-1]
    return (np.searchsorted(inner, values, side="left") + 1).astype(np.uint8)


@dataclass
class StackSample:
    """A reproducible random sample of valid cells of several bands (rows = cells), with each
    band's exact range and the number of valid cells."""

    values: np.ndarray
    vmin: np.ndarray
    vmax: np.ndarray
    valid_cells: int


def sample_cells(ds: gdal.Dataset, bands: list[int], size: int = DEFAULT_SAMPLE,
                 seed: int = 0, progress: Progress = SILENT,
                 what: str = "The raster") -> StackSample:
    """One pass over the bands: a seeded uniform sample of ``size`` cells valid in all of them
    (all of them when there are fewer), however much of the raster is nodata.

    Every valid cell gets a random key from a generator seeded by (seed, window index); the
    cells with the ``size`` smallest keys are kept, so the sample depends on nothing but the
    data and the seed, and memory stays bounded by the sample plus one window.
    """
    w, h = ds.RasterXSize, ds.RasterYSize
    kept = np.empty((0, len(bands)))
    kept_keys = np.empty(0)
    vmin = np.full(len(bands), np.inf)
    vmax = np.full(len(bands), -np.inf)
    count = 0
    total = window_count(w, h)
    for i, win in enumerate(iter_windows(w, h)):
        progress.check()
        data, valid = read_window(ds, win, bands)
        vals = data[:, valid]
        if vals.shape[1]:
            count += vals.shape[1]
            vmin = np.minimum(vmin, vals.min(axis=1))
            vmax = np.maximum(vmax, vals.max(axis=1))
            keys = np.random.default_rng([seed, i]).random(vals.shape[1])
            kept = np.concatenate([kept, vals.T])
            kept_keys = np.concatenate([kept_keys, keys])
            if kept_keys.size > size:
                smallest = np.argpartition(kept_keys, size - 1)[:size]
                kept, kept_keys = kept[smallest], kept_keys[smallest]
        progress.fraction(i + 1, total)
    if count == 0:
        raise LsmError(f"{what} has no valid cells (every cell is nodata, NaN or infinite). "
                       "Check the input raster and its nodata value.")
    values = kept[np.argsort(kept_keys, kind="stable")]
    return StackSample(values, vmin, vmax, count)


@dataclass
class BandSample:
    """A reproducible random sample of a band's valid values, with exact range and count."""

    values: np.ndarray
    vmin: float
    vmax: float
    valid_cells: int


def sample_band(ds: gdal.Dataset, band: int = 1, size: int = DEFAULT_SAMPLE, seed: int = 0,
                progress: Progress = SILENT) -> BandSample:
    """A seeded random sample of at most ``size`` valid values of one band, with the band's
    exact minimum, maximum and number of valid cells."""
    s = sample_cells(ds, [band], size, seed, progress, what=f"Band {band}")
    return BandSample(s.values[:, 0], float(s.vmin[0]), float(s.vmax[0]), s.valid_cells)
