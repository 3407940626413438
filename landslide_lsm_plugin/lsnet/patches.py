"""LSNet input: patches of the raw factor maps, preprocessed into network channels.

Pure numpy and GDAL (no tensorflow), so the QGIS side and the tests can use it. Continuous
factors are standardised with statistics of the training patches; categorical factors are
one-hot encoded over the codes seen in training; aspect becomes two channels, the east and
north components of the downslope direction (flat = 0, 0), so rotations and flips of a patch
have an exact meaning. Invalid cells (nodata) become 0 in every channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from osgeo import gdal

from ..core.raster import band_nodata

#: Windows the architecture accepts with 'valid' padding: 5 stages of convolution + 2x2
#: pooling shrink a window of 96 + 32 k cells exactly to (1 + k) x (1 + k).
VALID_WINDOWS = (96, 128, 160, 192, 224, 256)
PAPER_WINDOW = 224


def check_window(window: int) -> None:
    if window < 96 or (window - 96) % 32:
        raise ValueError(f"window {window}: LSNet's five valid convolution + pooling stages need "
                         f"96 + 32k cells ({', '.join(map(str, VALID_WINDOWS))}).")


def reflect_index(index: np.ndarray, n: int) -> np.ndarray:
    """Indices of a reflected (mirror, edge not repeated) extension of an axis of length n."""
    index = np.asarray(index)
    if n == 1:
        return np.zeros_like(index)
    period = 2 * (n - 1)
    folded = np.abs(index) % period
    return np.where(folded >= n, period - folded, folded)


def read_padded(ds: gdal.Dataset, row0: int, col0: int, height: int, width: int,
                nodata: Optional[list] = None) -> tuple[np.ndarray, np.ndarray]:
    """Bands (bands, height, width) and validity of a window of the raster extended by
    reflection beyond its edges (so windows may start at negative rows/columns)."""
    rows = reflect_index(np.arange(row0, row0 + height), ds.RasterYSize)
    cols = reflect_index(np.arange(col0, col0 + width), ds.RasterXSize)
    r0, r1 = int(rows.min()), int(rows.max()) + 1
    c0, c1 = int(cols.min()), int(cols.max()) + 1
    nodata = nodata if nodata is not None else band_nodata(ds)
    data = np.empty((ds.RasterCount, height, width), dtype=np.float64)
    valid = np.ones((height, width), dtype=bool)
    ri, ci = np.ix_(rows - r0, cols - c0)
    for b in range(ds.RasterCount):
        block = ds.GetRasterBand(b + 1).ReadAsArray(c0, r0, c1 - c0, r1 - r0).astype(np.float64)
        plane = block[ri, ci]
        data[b] = plane
        valid &= np.isfinite(plane)
        if nodata[b] is not None and not np.isnan(nodata[b]):
            valid &= plane != nodata[b]
    return data, valid


@dataclass
class Preprocessing:
    """How raw factor bands become network channels (stored in the model's JSON sidecar)."""

    factors: list
    kinds: list
    means: dict = field(default_factory=dict)
    stds: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)

    @property
    def channel_names(self) -> list:
        names = []
        for f, k in zip(self.factors, self.kinds):
            if k == "categorical":
                names += [f"{f}={c:g}" for c in self.codes[f]]
            elif k == "aspect":
                names += [f"{f}_east", f"{f}_north"]
            else:
                names.append(f)
        return names

    @property
    def n_channels(self) -> int:
        return len(self.channel_names)

    def factor_channels(self) -> list[list[int]]:
        """The channel indices of each factor, in factor order (one per continuous factor, one
        per code of a categorical one, east and north of an aspect)."""
        groups, first = [], 0
        for f, k in zip(self.factors, self.kinds):
            width = len(self.codes[f]) if k == "categorical" else 2 if k == "aspect" else 1
            groups.append(list(range(first, first + width)))
            first += width
        return groups

    def aspect_channels(self) -> list[tuple[int, int]]:
        """(east, north) channel indices of every aspect factor."""
        names = self.channel_names
        return [(names.index(f"{f}_east"), names.index(f"{f}_north"))
                for f, k in zip(self.factors, self.kinds) if k == "aspect"]

    def to_dict(self) -> dict:
        return {"factors": self.factors, "kinds": self.kinds, "means": self.means,
                "stds": self.stds, "codes": self.codes, "channels": self.channel_names}

    @classmethod
    def from_dict(cls, d: dict) -> Preprocessing:
        return cls(list(d["factors"]), list(d["kinds"]), dict(d.get("means", {})),
                   dict(d.get("stds", {})), {k: list(v) for k, v in d.get("codes", {}).items()})

    def apply(self, raw: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, int]:
        """(bands, h, w) raw values -> (h, w, channels) float32, and the number of valid cells
        with a category never seen in training (they get all-zero one-hot channels)."""
        h, w = valid.shape
        out = np.zeros((h, w, self.n_channels), dtype=np.float32)
        unseen = 0
        ch = 0
        for b, (f, k) in enumerate(zip(self.factors, self.kinds)):
            plane = raw[b]
            if k == "categorical":
                codes = self.codes[f]
                known = np.zeros_like(valid)
                for code in codes:
                    hit = valid & (plane == code)
                    out[..., ch][hit] = 1.0
                    known |= hit
                    ch += 1
                unseen += int(np.sum(valid & ~known))
            elif k == "aspect":
                rad = np.deg2rad(plane)
                moving = valid & (plane >= 0)
                out[..., ch][moving] = np.sin(rad[moving])
                out[..., ch + 1][moving] = np.cos(rad[moving])
                ch += 2
            else:
                out[..., ch][valid] = (plane[valid] - self.means[f]) / self.stds[f]
                ch += 1
        return out, unseen


def fit_preprocessing(factors: list, kinds: list, patches_raw: list) -> Preprocessing:
    """Statistics of the training patches: means/stds of continuous factors, codes of
    categorical ones. ``patches_raw`` holds (raw, valid) pairs."""
    prep = Preprocessing(list(factors), list(kinds))
    for b, (f, k) in enumerate(zip(factors, kinds)):
        values = np.concatenate([raw[b][valid] for raw, valid in patches_raw]) \
            if patches_raw else np.empty(0)
        if k == "categorical":
            prep.codes[f] = sorted(float(v) for v in np.unique(values))
        elif k != "aspect":
            mean = float(values.mean()) if values.size else 0.0
            std = float(values.std()) if values.size else 1.0
            prep.means[f], prep.stds[f] = mean, std if std > 0 else 1.0
    return prep


def dihedral(batch: np.ndarray, op: int, aspect: list) -> np.ndarray:
    """One of the 8 flips/rotations of a batch (n, h, w, c), with aspect channels turned to
    match. op bits: 1 flip left-right, 2 flip up-down, 4 transpose."""
    out = batch
    east_north = [(e, n) for e, n in aspect]
    if op & 4:
        out = np.swapaxes(out, 1, 2)
    if op & 1:
        out = out[:, :, ::-1]
    if op & 2:
        out = out[:, ::-1]
    if not east_north or op == 0:
        return np.ascontiguousarray(out)
    out = np.array(out)
    for e, n in east_north:
        east, north = out[..., e].copy(), out[..., n].copy()
        if op & 4:  # transpose: (east, north) -> (-north, -east)
            east, north = -north, -east
        if op & 1:
            east = -east
        if op & 2:
            north = -north
        out[..., e], out[..., n] = east, north
    return out
