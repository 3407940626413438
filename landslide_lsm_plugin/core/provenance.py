"""Which samples an FR encoding was fitted on, and whether other samples may use it.

FR values are computed from the training landslide cells: a validation landslide cell that was
a training cell of the FR fit carries its own label in its FR values, so its evaluation is
optimistic. The FR stack (and every model trained on it) records the fingerprint of the
samples the encoding was fitted on and the set of its training landslide cells (packed);
*Train* and *Evaluate* compare them with the samples they are given.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from pathlib import Path
from typing import Optional

import numpy as np

from .errors import LsmError
from .raster import Grid

#: raster metadata item of an FR stack: the provenance as JSON
#: the packed cell set of a provenance record holds at most this many cells (a bound on what a
#: file from elsewhere can make the plugin unpack)
MAX_PACKED_CELLS = 10_000_000


def cell_keys(x: np.ndarray, y: np.ndarray, grid: Grid) -> np.ndarray:
    """row * width + column of the cells under map coordinates."""
    col, row = grid.cell_of(np.asarray(x), np.asarray(y))
    return row.astype(np.int64) * grid.width + col.astype(np.int64)


def samples_fingerprint(samples, grid: Grid) -> str:
    """A fingerprint of a sample set (cells, labels, splits), independent of their order."""
    keys = cell_keys(samples.x, samples.y, grid)
    order = np.lexsort((samples.label, keys))
    h = hashlib.sha256()
    h.update(np.asarray([grid.width, grid.height], dtype="<i8").tobytes())
    h.update(keys[order].astype("<i8").tobytes())
    h.update(np.asarray(samples.label)[order].astype("<i8").tobytes())
    h.update("\n".join(np.asarray(samples.split)[order].astype(str)).encode("utf-8"))
    return h.hexdigest()[:16]


def pack_cells(keys: np.ndarray) -> str:
    """A sorted set of cell keys as text: zlib-compressed differences, base64."""
    keys = np.unique(np.asarray(keys, dtype=np.int64))
    diffs = np.diff(keys, prepend=0).astype("<u8")
    return base64.b64encode(zlib.compress(diffs.tobytes(), 9)).decode("ascii")


def unpack_cells(text: str) -> np.ndarray:
    """The cell keys of :func:`pack_cells`; LsmError for anything else (bounded memory)."""
    limit = 8 * MAX_PACKED_CELLS
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, limit)
        if inflater.unconsumed_tail or len(data) % 8:
            raise ValueError("too large or not a cell list")
    except (ValueError, binascii.Error, zlib.error, UnicodeEncodeError) as exc:
        raise LsmError(f"The FR provenance record is damaged ({exc}).") from exc
    return np.cumsum(np.frombuffer(data, dtype="<u8").astype(np.int64))


def fr_provenance(samples, training_landslide: np.ndarray, grid: Grid,
                  samples_path: str) -> dict:
    """The record an FR encoding keeps of the samples it was fitted on (``training_landslide``:
    a mask of the samples whose cells the FR values were computed from)."""
    keys = cell_keys(samples.x[training_landslide], samples.y[training_landslide], grid)
    return {"samples": Path(str(samples_path).split("|", maxsplit=1)[0]).name,
            "fingerprint": samples_fingerprint(samples, grid),
            "training_landslide_cells": int(np.unique(keys).size),
            "cells": pack_cells(keys)}


def read_provenance(text: Optional[str]) -> Optional[dict]:
    """The provenance of an FR stack's metadata item, or None (absent or not a record)."""
    if not text or len(text) > 16 * MAX_PACKED_CELLS:
        return None
    try:
        record = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if (not isinstance(record, dict) or not isinstance(record.get("fingerprint"), str)
            or not isinstance(record.get("cells"), str)):
        return None
    return record


def check_fr_provenance(record: Optional[dict], samples, grid: Grid, what: str) -> list[str]:
    """Warnings for samples other than those the FR encoding was fitted on; LsmError when a
    validation landslide cell of ``samples`` was a training cell of the FR fit. ``what`` names
    the run ('Training', 'Evaluation')."""
    if not record:
        return []
    if samples_fingerprint(samples, grid) == record.get("fingerprint"):
        return []
    fitted = unpack_cells(record.get("cells", ""))
    validation = (np.asarray(samples.split) == "validation") & (np.asarray(samples.label) == 1)
    keys = cell_keys(samples.x[validation], samples.y[validation], grid)
    leaked = int(np.isin(keys, fitted).sum())
    name = record.get("samples") or "another samples layer"
    if leaked:
        raise LsmError(
            f"{leaked} validation landslide cell(s) of these samples were training landslide "
            f"cells of the FR encoding (fitted on '{name}'): their FR values were computed from "
            f"their own labels, so {what.lower()} would be optimistic. Compute the frequency "
            "ratio on these samples (with 'Frequency ratio (FR) encoding'), or use the samples "
            "the FR stack was fitted on.")
    return [f"The FR encoding was fitted on other samples ('{name}') than these: {what.lower()} "
            "uses samples the FR values were not computed from. Prefer the samples the FR "
            "stack was fitted on, or compute the frequency ratio on these."]
