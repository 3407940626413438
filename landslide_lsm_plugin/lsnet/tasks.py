"""LSNet's map as a raster stage (core.blocks): one picklable task per window.

The same :class:`~..core.blocks.Stage` runs in the LSNet worker process (worker.predict,
in-process) and on a Dask cluster (client.predict_lsnet with a ``distributed.Client``): there
the QGIS side builds the stage and only pickles :class:`LsnetTask`; the Dask workers (plain
Python processes with TensorFlow) run it.

This module is imported by the QGIS side, so it imports no tensorflow or keras when it is
imported: only a task's call (on a worker) loads them, through :func:`dense_network`.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

import numpy as np

from ..core.blocks import Block, Output, Stage, task_dataset
from ..core.errors import LsmError
from ..core.raster import FLOAT_NODATA, Window
from ..core.records import LsiTags, LsnetMeta
from .patches import Preprocessing, read_padded

#: the block size LSNet maps in by default (cells per side, plus the halo)
BLOCK = 512

# (model path, checksum) -> DenseLsnet: each process loads a model once
_networks: dict = {}
_networks_lock = threading.Lock()


def check_model_file(model_path: str, expected: Optional[str]) -> None:
    """Refuse a .keras file that does not match the checksum its sidecar recorded, or that
    is not a bounded Keras zip (no tensorflow needed)."""
    from ..core.model_io import MAX_KERAS_BYTES, check_keras_file
    from ..core.safe_files import read_regular

    name = os.path.basename(model_path)
    if not isinstance(expected, str) or not expected:
        raise LsmError(f"The sidecar of '{name}' has no checksum of it (keras_sha256); the model "
                       "cannot be checked, so it is refused. Train the model again.")
    data = read_regular(model_path, "LSNet model file", MAX_KERAS_BYTES)
    if hashlib.sha256(data).hexdigest() != expected:
        raise LsmError(f"'{name}' does not match its sidecar (checksum); it was damaged or "
                       "modified. Train the model again or use the original files.")
    check_keras_file(data, name)


def load_keras_model(model_path: str, expected: Optional[str]):
    """The Keras patch model, once its file is checked (:func:`check_model_file`); loaded in
    safe mode, which refuses models that would run arbitrary code (lambda layers) on load.
    Imports keras: worker side only."""
    check_model_file(model_path, expected)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    return keras.saving.load_model(model_path, safe_mode=True, compile=False)


def dense_network(model_path: str, expected: str, model: Any = None):
    """This process's dense LSNet of a model file (loaded and checked once per process, keyed
    by path and checksum). ``model``: the patch model already in memory (just trained and
    saved at ``model_path``), used instead of loading the file. Imports tensorflow: worker
    side only."""
    key = (str(model_path), str(expected))
    with _networks_lock:
        network = _networks.get(key)
        if network is None:
            if "tensorflow" not in sys.modules and "qgis.core" in sys.modules:
                # never in QGIS's process: importing tensorflow there crashes QGIS
                raise LsmError("LSNet cannot run inside QGIS's own process (a Dask cluster of "
                               "threads in it?). Map it on a Dask cluster of worker processes, "
                               "or without a cluster (the LSNet worker).")
            from .dense import DenseLsnet

            network = _networks[key] = DenseLsnet(
                model if model is not None else load_keras_model(model_path, expected))
    return network


def forget_networks() -> None:
    """Drop this process's cached networks (tests; a model file replaced in place keeps its
    path but changes its checksum, so it is loaded again anyway)."""
    with _networks_lock:
        _networks.clear()


class LsnetTask:
    """One window of an LSNet map (a picklable task of core.blocks): the stack's cells with a
    halo of window - 1 cells (reflected beyond the stack's edges), preprocessed into channels,
    the dense network applied; the LSI as a Float32 array (nodata where the stack has none).
    Holds paths and the sidecar only: the network is loaded once per process."""

    def __init__(self, stack_path: str, model_path: str, sidecar: dict,
                 keras_sha256: str) -> None:
        self.stack_path, self.model_path = str(stack_path), str(model_path)
        self.sidecar, self.keras_sha256 = dict(sidecar), str(keras_sha256)
        meta = LsnetMeta.from_dict(self.sidecar, "the LSNet sidecar")
        if meta.preprocessing is None or meta.window is None or meta.center is None:
            raise LsmError("The LSNet sidecar lacks the network's window or preprocessing; "
                           "train the model again.")
        self.window, self.center = int(meta.window), int(meta.center)
        self._prep: Optional[Preprocessing] = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_prep"] = None  # rebuilt from the sidecar where the task runs
        return state

    @property
    def preprocessing(self) -> Preprocessing:
        if self._prep is None:
            self._prep = Preprocessing.from_dict(self.sidecar["preprocessing"])
        return self._prep

    def network(self, model: Any = None):
        """The dense network this task runs (loaded once per process)."""
        return dense_network(self.model_path, self.keras_sha256, model)

    def __call__(self, win: Window) -> Block:
        window, center = self.window, self.center
        raw, valid = read_padded(task_dataset(self.stack_path, "factor stack"),
                                 win.row - center, win.col - center,
                                 win.height + window - 1, win.width + window - 1)
        prep = self.preprocessing
        tile, _ = prep.apply(raw, valid)
        inside = (slice(center, center + win.height), slice(center, center + win.width))
        inner = valid[inside]
        lsi = np.full((win.height, win.width), FLOAT_NODATA, dtype=np.float32)
        if inner.any():
            values = self.network()(tile)[inner]
            if not np.all(np.isfinite(values)):  # never a NaN map reported as success
                raise LsmError(f"LSNet gives no finite LSI (NaN or infinite) for "
                               f"{int(np.sum(~np.isfinite(values)))} cells: the model file "
                               "is damaged or was made for other data. Train the model "
                               "again on this stack.")
            lsi[inner] = np.clip(values, 0.0, 1.0)
        return Block((lsi,), {"valid_cells": int(inner.sum()),
                              "unseen": unseen_cells(prep, raw[(slice(None),) + inside], inner)})


def unseen_cells(prep: Preprocessing, raw: np.ndarray, valid: np.ndarray) -> int:
    """Valid cells with a category never seen in training, counted as Preprocessing.apply
    counts them (once per categorical factor), in a window's own cells: not in its halo,
    which overlaps the next windows and reflects the stack beyond its edges."""
    unseen = 0
    for b, (f, k) in enumerate(zip(prep.factors, prep.kinds)):
        if k == "categorical":
            unseen += int(np.sum(valid & ~np.isin(raw[b], prep.codes[f])))
    return unseen


def lsnet_stage(stack_path: str, model_path: str, meta: LsnetMeta, output: str | Path, *,
                grid, block: int = BLOCK, name: Optional[str] = None,
                model_file: str = "") -> Stage:
    """The stage that writes LSNet's map of ``stack_path`` to ``output`` in windows of
    ``block`` x ``block`` cells (plus the halo), with the LSI tags (the map time at the end).
    Builds no network: the stage runs wherever its task is called."""
    block = int(block)
    if block < 1:
        raise LsmError(f"LSNet maps in blocks of at least 1 x 1 cells, not {block}.")
    task = LsnetTask(stack_path, model_path, meta.to_dict(), meta.keras_sha256)
    tags = LsiTags.of_model(meta, name or meta.name, model_file)
    out = Output(Path(output), 1, "float32", FLOAT_NODATA, ("lsi",), tags.to_metadata())
    return Stage("lsnet", grid, task, (out,), window=block,
                 finish=lambda counts, seconds: [
                     replace(tags, map_time_s=seconds).to_metadata()])
