"""Classing continuous values: natural breaks (Jenks), equal interval, quantile, custom breaks;
and, for zoning an LSI, breaks by landslide share (:func:`landslide_share_breaks`).

Breaks are ``k + 1`` increasing edges from the minimum to the maximum. Class ``i`` (1-based)
holds values in ``(edges[i-1], edges[i]]``; the first class holds values up to ``edges[1]``
(which equals the minimum when that class holds only the minimum), and values
outside the edges fall into the first or last class, so every valid value is in exactly one
class.
"""

from __future__ import annotations

import math
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
#: zoning only (core.zoning): boundaries set by the training landslides' LSI values
LANDSLIDE_SHARE = "landslide_share"
ZONING_METHODS = (*METHODS, LANDSLIDE_SHARE)
DEFAULT_SHARES = (50.0, 75.0, 90.0, 95.0)

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


def parse_shares(text: str) -> list[float]:
    """Parse landslide shares in percent ('50, 75, 90, 95'): strictly increasing, each
    above 0 and at most 100; a clear LsmError otherwise."""
    spaced = str(text).replace("%", " ").replace(";", ",").replace(" ", ",")
    parts = [p for p in spaced.split(",") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise LsmError(f"Landslide shares must be percentages separated by commas, e.g. "
                       f"'50, 75, 90, 95'; got '{text}'.") from None
    return check_shares(values, text)


def check_shares(values: Sequence[float], text: Optional[str] = None) -> list[float]:
    """The shares (percent) if they are strictly increasing and in (0, 100]; else an
    LsmError saying what is wrong and how to write them."""
    shown = text if text is not None else ", ".join(f"{v:g}" for v in values)
    values = [float(v) for v in values]
    if not values:
        raise LsmError("Landslide shares are empty: give the cumulative shares of training "
                       "landslides the zones from the top should hold, e.g. '50, 75, 90, 95' "
                       "for five zones.")
    bad = [v for v in values if not (math.isfinite(v) and 0 < v <= 100)]
    if bad:
        raise LsmError(f"Landslide shares are percentages above 0 and at most 100; "
                       f"'{shown}' has {', '.join(f'{v:g}' for v in bad)}. Write them as "
                       "percent, e.g. '50, 75, 90, 95'.")
    if any(b <= a for a, b in zip(values, values[1:])):
        raise LsmError(f"Landslide shares must be strictly increasing (cumulative, from the "
                       f"top zone down), got '{shown}'; e.g. '50, 75, 90, 95'.")
    return values


def share_labels(shares: Sequence[float]) -> list[str]:
    """Zone names of a zoning by landslide share, lowest zone first: for 50, 75, 90, 95
    '95-100 %', '90-95 %', '75-90 %', '50-75 %', 'Top 50 %' (the band of the cumulative
    share of training landslides, counted from the highest LSI, that each zone holds).
    With a last share of 100 the lowest zone, which holds none, is 'Rest'."""
    bounds = [0.0, *[float(s) for s in shares]]
    names = [f"Top {bounds[1]:g} %"] + [f"{a:g}-{b:g} %" for a, b in zip(bounds[1:-1],
                                                                        bounds[2:])]
    names.append(f"{bounds[-1]:g}-100 %" if bounds[-1] < 100 else "Rest")
    return names[::-1]


def landslide_share_breaks(landslide_values: np.ndarray, shares: Sequence[float],
                           vmin: float, vmax: float) -> np.ndarray:
    """Edges (len(shares) + 2 values, increasing) of zones by landslide share: the zones
    from the top hold at least ``shares`` percent of the landslides whose LSI values are
    given (the training landslides: the validation ones never set a boundary).

    The boundary for share s lies just below the LSI of the landslide that completes s % (the
    ceil(s n / 100)-th highest), so that landslide, and every one above it, is inside the
    zones above the boundary: classes hold ``(lower, upper]`` (core.classing.classify). The
    outer edges are the map's range; a bottom zone below every landslide may hold no cell."""
    shares = check_shares(shares)
    values = np.sort(np.asarray(landslide_values, dtype=np.float64).ravel())[::-1]
    values = values[np.isfinite(values)]
    n = values.size
    if n == 0:
        raise LsmError("Zoning by landslide share needs training landslides on valid LSI "
                       "cells; there are none.")
    needed = [max(1, math.ceil(s * n / 100.0 - 1e-9)) for s in shares]
    # one boundary per share, the top one first: just below the landslide completing it
    bounds = [float(np.nextafter(values[k - 1], -np.inf)) for k in needed]
    for i in range(1, len(shares)):
        if not bounds[i] < bounds[i - 1]:
            why = (f"{n} training landslide(s) are too few to tell them apart"
                   if needed[i] == needed[i - 1] else
                   "many training landslides share that LSI value")
            raise LsmError(f"The landslide shares {shares[i - 1]:g} % and {shares[i]:g} % give "
                           f"the same zone boundary (LSI {values[needed[i] - 1]:.6g}): {why}. "
                           "Give fewer or more distinct shares, or use more landslide "
                           "samples.")
    inner = bounds[::-1]
    edges = np.array([min(float(vmin), inner[0]), *inner, float(vmax)], dtype=np.float64)
    if not edges[-2] < edges[-1]:  # cannot happen for landslides on the map: a guard
        raise LsmError(f"The top zone boundary {edges[-2]:.6g} is not below the map's highest "
                       f"LSI {vmax:.6g}: the landslide LSI values lie outside the map's range.")
    return edges


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
