"""Raster stages as graphs of window tasks: one code path in-process and on Dask distributed.

A :class:`Stage` is a grid, the rasters it writes (:class:`Output`) and a picklable task that
maps one window to a :class:`Block` (an array per output, and small counts). :func:`run_stage`
runs the tasks

- in-process (the default): on a few threads, writing each window into the outputs as it
  comes (:class:`~.raster.RasterWriter`), as every stage always did;
- on a Dask cluster (``client``: a ``distributed.Client``): one Dask task per window. Workers
  read their inputs by path and write their window as a small GeoTIFF into a hidden folder
  beside the output (a shared disk, or any path GDAL reads and writes); only counts and
  statistics travel through the scheduler. The client then assembles the parts through a VRT
  into one tiled, compressed Cloud-Optimized GeoTIFF (GDAL streams it block by block: no band
  is ever held whole). A window's part is written to a temporary name and renamed, so a task
  re-run after its worker died (Dask does that by itself) writes the same file again.

Either way the output appears only when complete; a failure or a cancel leaves none.
No dask import here at module level: the plugin runs without dask.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
from osgeo import gdal

from .errors import Canceled, LsmError
from .progress import SILENT, Progress
from .raster import (
    _GDAL_TYPES,
    GTIFF_OPTIONS,
    WINDOW,
    Grid,
    RasterWriter,
    Window,
    _remove_quietly,
    atomic_file,
    band_statistics,
    bounded_gdal_cache,
    gdal_exceptions,
    iter_windows,
    merge_statistics,
    open_raster,
    publish,
    remove_folder,
    temporary_sibling,
)

#: creation options of the assembled output where GDAL has the COG driver (GDAL >= 3.1)
COG_OPTIONS = ("BLOCKSIZE=256", "COMPRESS=DEFLATE", "LEVEL=1", "NUM_THREADS=2",
               "BIGTIFF=IF_SAFER")
#: creation options of a window's part file on the shared disk
PART_OPTIONS = ("TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE", "ZLEVEL=1")
#: seconds between looks at the futures (progress, cancel) while a stage runs on Dask
POLL_S = 0.2


@dataclass(frozen=True)
class Output:
    """A raster a stage writes: where, how many bands of which type, and its tags."""

    path: Path
    bands: int
    dtype: str
    nodata: float
    descriptions: tuple = ()
    metadata: dict = field(default_factory=dict)
    band_metadata: tuple = ()


@dataclass
class Block:
    """What a task gives for one window: an array per output ((rows, cols) for one band, or
    (bands, rows, cols)), and counts that are summed over windows."""

    arrays: tuple = ()
    counts: dict = field(default_factory=dict)


@dataclass
class Stage:
    """A raster stage: ``task(window) -> Block`` over every window of ``grid``.

    ``task`` must be picklable (a module-level class holding paths and small parameters) to
    run on Dask; it opens its inputs itself (:func:`task_dataset`). ``combine`` merges two
    windows' counts (default: added key by key). ``finish(counts, seconds)`` returns metadata
    known only at the end, one dict per output."""

    name: str
    grid: Grid
    task: Callable[[Window], Block]
    outputs: tuple = ()
    window: int = WINDOW
    combine: Optional[Callable[[dict, dict], dict]] = None
    finish: Optional[Callable[[dict, float], Sequence[dict]]] = None

    def windows(self) -> list[Window]:
        return list(iter_windows(self.grid.width, self.grid.height, self.window))


@dataclass
class StageResult:
    counts: dict
    seconds: float
    #: "in-process (N threads)" or "Dask (address, N workers)"
    engine: str = ""
    #: windows run, and how many of them ran more than once (a worker died)
    windows: int = 0


def add_counts(a: dict, b: dict) -> dict:
    """Counts of two windows added key by key (numbers or numpy arrays)."""
    out = dict(a)
    for key, value in b.items():
        out[key] = out[key] + value if key in out else value
    return out


def statistics_metadata(stats: np.ndarray, cells: int) -> dict:
    """GDAL's STATISTICS_* items of a band of ``cells`` cells, from its merged (count, sum,
    squares, min, max)."""
    n, total, squares, lo, hi = stats
    if not n:
        return {}
    mean = total / n
    std = math.sqrt(max(0.0, squares / n - mean * mean))
    return {"STATISTICS_MINIMUM": repr(float(lo)), "STATISTICS_MAXIMUM": repr(float(hi)),
            "STATISTICS_MEAN": repr(float(mean)), "STATISTICS_STDDEV": repr(float(std)),
            "STATISTICS_VALID_PERCENT": repr(100.0 * n / max(1, cells))}


# --- datasets opened by tasks ------------------------------------------------------------------
# A task runs many times in one process (threads in-process, a Dask worker's threads): each
# thread keeps its own GDAL handle per input, reopened when the file changed since.

_handles = threading.local()


def task_dataset(path: str, what: str = "raster") -> gdal.Dataset:
    """This thread's read-only handle on ``path`` (opened once, reopened if the file changed)."""
    cache = getattr(_handles, "datasets", None)
    if cache is None:
        cache = _handles.datasets = {}
    try:
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None  # not a local file (e.g. /vsis3/...): opened once
    entry = cache.get(path)
    if entry is None or entry[0] != stamp:
        entry = cache[path] = (stamp, open_raster(path, what))
    return entry[1]


def release_task_datasets() -> None:
    """Close this thread's handles (so the files can be replaced or removed)."""
    _handles.datasets = {}


# --- running a stage ---------------------------------------------------------------------------

def run_stage(stage: Stage, client: Any = None, *, threads: int = 2,
              progress: Progress = SILENT) -> StageResult:
    """Run a stage in-process (``client`` None) or on a Dask cluster; see the module."""
    for output in stage.outputs:
        if output.path.suffix.lower() not in (".tif", ".tiff"):
            raise LsmError(f"Raster outputs are written as GeoTIFF; '{output.path.name}' does "
                           "not end in .tif. Choose a .tif file name.")
    if client is None:
        return _run_in_process(stage, max(1, int(threads)), progress)
    return _run_on_dask(stage, client, progress)


def _finish_metadata(stage: Stage, counts: dict, seconds: float) -> list[dict]:
    extra = list(stage.finish(counts, seconds)) if stage.finish else []
    return [dict(out.metadata, **(extra[i] if i < len(extra) else {}))
            for i, out in enumerate(stage.outputs)]


def _combine(stage: Stage, a: dict, b: dict) -> dict:
    return (stage.combine or add_counts)(a, b)


def _run_in_process(stage: Stage, threads: int, progress: Progress) -> StageResult:
    from concurrent.futures import ThreadPoolExecutor

    start = time.perf_counter()
    windows = stage.windows()
    counts: dict = {}
    with contextlib.ExitStack() as outputs:
        writers = [outputs.enter_context(RasterWriter(
            o.path, stage.grid, o.bands, np.dtype(o.dtype), o.nodata,
            descriptions=o.descriptions, metadata=o.metadata, band_metadata=o.band_metadata))
            for o in stage.outputs]

        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lsm-window") as pool:
            step = max(1, 2 * threads)
            for first in range(0, len(windows), step):
                progress.check()
                batch = windows[first:first + step]
                for j, (win, block) in enumerate(zip(batch, pool.map(stage.task, batch))):
                    for writer, array in zip(writers, block.arrays):
                        writer.write(win, array)
                    counts = _combine(stage, counts, block.counts)
                    progress.fraction(first + j + 1, len(windows))
            # the pool's threads end here, and with them their GDAL handles
        seconds = time.perf_counter() - start
        for writer, metadata in zip(writers, _finish_metadata(stage, counts, seconds)):
            writer.metadata = metadata
    release_task_datasets()
    return StageResult(counts, seconds, f"in-process ({threads} threads)", len(windows))


def write_part(path: str, grid: Grid, win: Window, array: np.ndarray, dtype: str,
               nodata: float) -> np.ndarray:
    """Write one window of an output as a GeoTIFF at ``path`` (its own georeferencing; a
    temporary name renamed into place); return its statistics per band."""
    planes = array[None] if array.ndim == 2 else array
    x0, dx, rx, y0, ry, dy = grid.geotransform
    with gdal_exceptions(), atomic_file(path) as tmp:
        ds = gdal.GetDriverByName("GTiff").Create(
            str(tmp), win.width, win.height, planes.shape[0], _GDAL_TYPES[np.dtype(dtype)],
            options=list(PART_OPTIONS))
        ds.SetGeoTransform((x0 + win.col * dx + win.row * rx, dx, rx,
                            y0 + win.col * ry + win.row * dy, ry, dy))
        if grid.crs_wkt:
            ds.SetProjection(grid.crs_wkt)
        stats = []
        for i, values in enumerate(planes):
            plane = np.asarray(values, dtype=dtype)
            band = ds.GetRasterBand(i + 1)
            band.SetNoDataValue(nodata)
            band.WriteArray(plane)
            stats.append(band_statistics(plane, nodata))
        ds = None  # closed (and flushed) before the file is renamed into place
    return np.array(stats)


def run_window(task: Callable[[Window], Block], win: Window, grid: Grid,
               parts: Sequence[tuple[str, str, float]]) -> tuple[dict, list]:
    """One Dask task: run ``task`` on ``win`` and write each array to its part file
    (``parts``: (path, dtype, nodata) per output); return the window's counts and its
    statistics per output. Runs on a worker."""
    try:
        block = task(win)
    finally:
        # a worker lives on after the run: it keeps no handle on the run's files (they may
        # be scratch files removed at the end, or an input replaced by the next run)
        release_task_datasets()
    stats = [write_part(path, grid, win, array, dtype, nodata)
             for (path, dtype, nodata), array in zip(parts, block.arrays)]
    return block.counts, stats


def _part_name(win: Window) -> str:
    return f"r{win.row:09d}-c{win.col:09d}.tif"


def _run_on_dask(stage: Stage, client: Any, progress: Progress) -> StageResult:
    from distributed import as_completed

    start = time.perf_counter()
    windows = stage.windows()
    run_id = uuid.uuid4().hex[:8]
    folders = [o.path.with_name(f".{o.path.stem}.{run_id}.parts") for o in stage.outputs]
    futures: list = []
    try:
        for folder in folders:
            folder.mkdir()
        task = client.scatter(stage.task, broadcast=True, hash=False)
        futures = [client.submit(
            run_window, task, win, stage.grid,
            [(str(folder / _part_name(win)), o.dtype, o.nodata)
             for folder, o in zip(folders, stage.outputs)],
            key=f"lsm-{stage.name}-{run_id}-{i}", pure=False)
            for i, win in enumerate(windows)]
        counts: dict = {}
        stats: list = [None] * len(stage.outputs)
        pending = as_completed(futures, loop=client.loop, with_results=False)
        done = 0
        while done < len(futures):
            progress.check()
            batch = pending.next_batch(block=False)
            if not batch:
                time.sleep(POLL_S)
                continue
            for future in batch:
                window_counts, window_stats = _result(future, windows, futures)
                counts = _combine(stage, counts, window_counts)
                for i, s in enumerate(window_stats):
                    stats[i] = s if stats[i] is None else np.array(
                        [merge_statistics(a, b) for a, b in zip(stats[i], s)])
                done += 1
            progress.fraction(done, len(futures))
        seconds = time.perf_counter() - start
        for output, folder, metadata, band_stats in zip(
                stage.outputs, folders, _finish_metadata(stage, counts, seconds), stats):
            assemble(output, folder, stage.grid, metadata, band_stats)
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(futures, force=True)
            # a window already running finishes (Python cannot stop it): wait for those, so
            # none writes into the parts folder after it is removed
            _wait_until_idle(client, f"lsm-{stage.name}-{run_id}-")
        raise
    finally:
        for folder in folders:
            remove_folder(folder)
    workers = len(client.scheduler_info().get("workers", {}))
    return StageResult(counts, time.perf_counter() - start,
                       f"Dask ({client.scheduler.address}, {workers} workers)", len(windows))


def _executing(prefix: str, dask_worker: Any = None) -> list:
    """Runs on a worker: the keys starting with ``prefix`` it is executing now."""
    state = getattr(dask_worker, "state", None)
    running = getattr(state, "executing", ()) if state is not None else ()
    return [str(task.key) for task in running if str(task.key).startswith(prefix)]


def _wait_until_idle(client: Any, prefix: str, timeout: float = 120.0) -> None:
    """Wait (at most ``timeout`` s) until no worker executes a task of this run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(client.run(_executing, prefix).values()):
            return
        time.sleep(POLL_S)


def _result(future: Any, windows: list, futures: list) -> tuple[dict, list]:
    """A finished window's result, or the reason it failed as an LsmError."""
    if future.status == "cancelled":
        raise Canceled("The Dask cluster canceled the run; no output was written.")
    if future.status != "error":
        return future.result()
    exc = future.exception()
    win = windows[futures.index(future)]
    if isinstance(exc, LsmError):
        raise exc
    name = type(exc).__name__
    where = f"window at column {win.col}, row {win.row}"
    if name == "KilledWorker":
        raise LsmError(f"Dask workers died again and again running the {where} ({exc}); the "
                       "scheduler gave up. A worker that runs out of memory is killed: give "
                       "workers more memory or fewer threads each. No output was written.")
    if isinstance(exc, (ImportError, ModuleNotFoundError)):
        raise LsmError(f"A Dask worker cannot import what the {where} needs ({exc}). Install "
                       "the plugin's libraries (numpy, GDAL's Python bindings, scikit-learn; "
                       "TensorFlow for LSNet) into the workers' Python. No output was "
                       "written.")
    raise LsmError(f"A Dask worker failed on the {where}: {name}: {exc}. No output was written.")


def assemble(output: Output, folder: Path, grid: Grid, metadata: dict,
             stats: Optional[np.ndarray]) -> None:
    """The parts of one output, as one tiled, compressed GeoTIFF (COG where GDAL has the
    driver) at ``output.path``: a VRT over the parts, translated block by block into a
    temporary file that replaces the output only when complete."""
    parts = sorted(str(p) for p in folder.glob("r*-c*.tif"))
    tmp = temporary_sibling(output.path)
    vrt = str(folder / "mosaic.vrt")
    x_min, y_min, x_max, y_max = grid.extent
    with gdal_exceptions(), bounded_gdal_cache():
        try:
            mosaic = gdal.BuildVRT(vrt, parts, outputBounds=(x_min, y_min, x_max, y_max),
                                   xRes=grid.cell_size[0], yRes=grid.cell_size[1],
                                   srcNodata=output.nodata, VRTNodata=output.nodata)
            if mosaic is None or (mosaic.RasterXSize, mosaic.RasterYSize) != (grid.width,
                                                                              grid.height):
                raise LsmError(f"The window parts of '{output.path.name}' do not make up its "
                               "grid; no output was written.")
            if metadata:
                mosaic.SetMetadata({k: str(v) for k, v in metadata.items()})
            for i in range(output.bands):
                band = mosaic.GetRasterBand(i + 1)
                if i < len(output.descriptions):
                    band.SetDescription(output.descriptions[i])
                items = dict(output.band_metadata[i]) if i < len(output.band_metadata) and \
                    output.band_metadata[i] else {}
                if stats is not None:
                    items.update(statistics_metadata(stats[i], grid.cells))
                if items:
                    band.SetMetadata({k: str(v) for k, v in items.items()})
            mosaic.FlushCache()
            cog = gdal.GetDriverByName("COG") is not None
            gdal.Translate(str(tmp), mosaic, format="COG" if cog else "GTiff",
                           creationOptions=list(COG_OPTIONS if cog else GTIFF_OPTIONS))
            mosaic = None
            publish(tmp, output.path)
        except BaseException:
            mosaic = None
            _remove_quietly(tmp)
            raise


