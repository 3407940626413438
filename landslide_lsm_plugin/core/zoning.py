"""Classing a raster into zones (e.g. an LSI into very low .. very high susceptibility)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from .classing import DEFAULT_SAMPLE, classify, compute_breaks, sample_band, zone_labels
from .errors import LsmError
from .progress import SILENT, Progress
from .raster import (
    CLASS_NODATA,
    Grid,
    RasterWriter,
    check_output_path,
    iter_windows,
    open_raster,
    read_window,
    window_count,
)
from .styles import write_sidecar, zones_qml


@dataclass
class ZoneClass:
    """One class of a zoning: its number, name, value range and area."""

    number: int
    label: str
    lower: float
    upper: float
    cells: int = 0
    area_pct: float = 0.0


@dataclass
class Zoning:
    method: str
    edges: np.ndarray
    classes: list[ZoneClass] = field(default_factory=list)
    valid_cells: int = 0


def classify_raster(input_path: str, output_path: str, band: int = 1,
                    method: str = "natural_breaks", n_classes: int = 5,
                    custom_breaks: Optional[Sequence[float]] = None,
                    sample_size: int = DEFAULT_SAMPLE, seed: int = 42,
                    labels: Optional[Sequence[str]] = None,
                    progress: Progress = SILENT) -> Zoning:
    """Class one band of a raster into a Byte raster of zones 1..k (nodata 0), styled green
    to red through a .qml beside it. Returns the breaks and per-class cell counts."""
    out = check_output_path(output_path, [input_path])
    ds = open_raster(input_path, "input raster")
    if not 1 <= band <= ds.RasterCount:
        raise LsmError(f"Band {band} does not exist; '{input_path}' has {ds.RasterCount} band(s).")
    progress.info(f"Sampling band {band} of {Path(input_path).name} "
                  f"({ds.RasterXSize} x {ds.RasterYSize} cells)")
    sample = sample_band(ds, band, sample_size, seed, progress.sub(0, 40))
    edges = compute_breaks(method, n_classes, sample.values, sample.vmin, sample.vmax,
                           custom_breaks)
    k = len(edges) - 1
    names = list(labels) if labels else zone_labels(k)
    if len(names) != k:
        raise LsmError(f"{len(names)} class labels were given for {k} classes.")
    progress.info("Breaks: " + ", ".join(f"{e:.6g}" for e in edges))

    grid = Grid.of(ds)
    counts = np.zeros(k + 1, dtype=np.int64)
    total = window_count(grid.width, grid.height)
    write_progress = progress.sub(40, 100)
    with RasterWriter(out, grid, 1, np.uint8, CLASS_NODATA, descriptions=["zone"],
                      metadata={"LSM_ZONING_METHOD": method,
                                "LSM_ZONING_BREAKS": ",".join(repr(float(e)) for e in edges),
                                "LSM_ZONING_LABELS": "|".join(names)}) as writer:
        for i, win in enumerate(iter_windows(grid.width, grid.height)):
            write_progress.check()
            data, valid = read_window(ds, win, [band])
            zones = np.full(valid.shape, CLASS_NODATA, dtype=np.uint8)
            zones[valid] = classify(data[0][valid], edges)
            counts += np.bincount(zones.ravel(), minlength=k + 1)
            writer.write(win, zones)
            write_progress.fraction(i + 1, total)
    write_sidecar(out, zones_qml(names))

    valid_cells = int(counts[1:].sum())
    classes = [ZoneClass(i, names[i - 1], float(edges[i - 1]), float(edges[i]), int(counts[i]),
                         100.0 * counts[i] / valid_cells if valid_cells else 0.0)
               for i in range(1, k + 1)]
    return Zoning(method, edges, classes, valid_cells)
