"""Blockwise raster I/O on GDAL.

Rasters are read and written in windows of a fixed number of cells, so memory does not grow
with raster size. Outputs are written to a hidden temporary file beside the target and renamed
into place only when complete: a failure or a cancel never leaves a half-written file.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import errno
import math
import os
import stat
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
from osgeo import gdal, osr

from .errors import LsmError

#: Cells per side of a processing window (a multiple of the GeoTIFF tile size).
WINDOW = 512
#: GeoTIFF creation options used for every raster the plugin writes.
GTIFF_OPTIONS = ("TILED=YES", "BLOCKXSIZE=256", "BLOCKYSIZE=256", "COMPRESS=DEFLATE",
                 "ZLEVEL=1", "NUM_THREADS=2", "BIGTIFF=IF_SAFER")
#: Nodata value of Float32 outputs (LSI rasters, stacks).
FLOAT_NODATA = -9999.0
#: Nodata value of Byte class rasters (classes are 1..k).
CLASS_NODATA = 0

_GDAL_TYPES = {
    np.dtype("uint8"): gdal.GDT_Byte,
    np.dtype("int16"): gdal.GDT_Int16,
    np.dtype("uint16"): gdal.GDT_UInt16,
    np.dtype("int32"): gdal.GDT_Int32,
    np.dtype("float32"): gdal.GDT_Float32,
    np.dtype("float64"): gdal.GDT_Float64,
}


# GDAL's Python exception mode is process-wide, but GDAL 3.6 keeps the error handler it installs
# per thread: switching the mode on and off around each call from Processing's worker threads
# failed ("Cannot call gdal.DontUseExceptions() at that point ..."). It is set once, here, when
# the plugin's raster module is first imported (the plugin imports it on QGIS's main thread),
# and released once, when the plugin unloads (release_gdal_exceptions): the handler calls into
# Python, so it must not outlive the plugin while QGIS shuts GDAL down.
gdal.UseExceptions()


def release_gdal_exceptions() -> None:
    """Switch GDAL's exception mode off again, once, when the plugin unloads or Python exits
    (datasets closed while Python shuts down must not reach the Python error handler). Harmless
    if GDAL refuses (another handler on top) or it is already off."""
    with contextlib.suppress(Exception):
        if gdal.GetUseExceptions():
            gdal.DontUseExceptions()


atexit.register(release_gdal_exceptions)


@contextlib.contextmanager
def gdal_exceptions() -> Iterator[None]:
    """A block in which GDAL errors raise RuntimeError. GDAL's exception mode is switched on
    once for the process (above) and never toggled; this only restores it should other code
    have switched it off, on this thread's first use."""
    if not gdal.GetUseExceptions():
        gdal.UseExceptions()
    yield


def band_max(band: gdal.Band) -> Optional[float]:
    """The largest valid value of a band (exact), or None when it has no valid cell."""
    try:
        return float(band.ComputeRasterMinMax(False)[1])
    except (RuntimeError, TypeError):  # GDAL: "no valid pixels found"
        return None


@contextlib.contextmanager
def bounded_gdal_cache(megabytes: int = 64) -> Iterator[None]:
    """Cap GDAL's block cache for the duration (GDAL utilities that write whole rasters,
    such as proximity and DEM processing, otherwise fill it up to 5 % of the RAM, so memory
    would grow with raster size). The cache is process-wide: the previous cap is restored."""
    previous = gdal.GetCacheMax()
    limit = megabytes * 1024 * 1024
    if previous > limit:
        gdal.SetCacheMax(limit)
    try:
        yield
    finally:
        if previous > limit:
            gdal.SetCacheMax(previous)


def open_raster(path: str, what: str = "raster") -> gdal.Dataset:
    """Open a raster read-only or raise an LsmError that names the file."""
    with gdal_exceptions():
        try:
            ds = gdal.Open(str(path), gdal.GA_ReadOnly)
        except RuntimeError as exc:
            raise LsmError(f"Cannot open the {what} '{path}' as a raster: {exc}. "
                           "Check that the file exists and is a raster GDAL can read.") from exc
    if ds is None or ds.RasterCount == 0:
        raise LsmError(f"The {what} '{path}' has no raster bands. Choose a raster file.")
    return ds


@dataclass(frozen=True)
class Grid:
    """The georeferenced grid of a raster: size, geotransform and CRS."""

    width: int
    height: int
    geotransform: tuple
    crs_wkt: str

    @classmethod
    def of(cls, ds: gdal.Dataset) -> Grid:
        return cls(ds.RasterXSize, ds.RasterYSize, tuple(ds.GetGeoTransform()),
                   ds.GetProjection() or "")

    @property
    def cells(self) -> int:
        return self.width * self.height

    @property
    def cell_size(self) -> tuple[float, float]:
        return abs(self.geotransform[1]), abs(self.geotransform[5])

    @property
    def cell_area(self) -> float:
        return self.cell_size[0] * self.cell_size[1]

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) for north-up grids."""
        x0, dx, _, y0, _, dy = self.geotransform
        xs = (x0, x0 + dx * self.width)
        ys = (y0, y0 + dy * self.height)
        return min(xs), min(ys), max(xs), max(ys)

    def srs(self) -> Optional[osr.SpatialReference]:
        if not self.crs_wkt:
            return None
        srs = osr.SpatialReference()
        srs.ImportFromWkt(self.crs_wkt)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        return srs

    def mismatch(self, other: Grid) -> Optional[str]:
        """None when both grids are the same, else a sentence saying how they differ."""
        if (self.width, self.height) != (other.width, other.height):
            return (f"size {self.width} x {self.height} vs {other.width} x {other.height} cells")
        tol = 1e-6 * max(self.cell_size)
        if any(abs(a - b) > tol for a, b in zip(self.geotransform, other.geotransform)):
            return f"origin or cell size differ ({self.geotransform} vs {other.geotransform})"
        a, b = self.srs(), other.srs()
        if (a is None) != (b is None) or (a is not None and not a.IsSame(b)):
            return "coordinate reference systems differ"
        return None

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Column and row (int64) of the cells holding map coordinates x, y."""
        x0, dx, rx, y0, ry, dy = self.geotransform
        if rx or ry:
            raise LsmError("Rotated rasters are not supported; warp the raster to a north-up grid "
                           "first (Raster > Projections > Warp).")
        col = np.floor((np.asarray(x, float) - x0) / dx).astype(np.int64)
        row = np.floor((np.asarray(y, float) - y0) / dy).astype(np.int64)
        return col, row

    def center_of(self, col: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Map coordinates of the centres of cells (col, row)."""
        x0, dx, _, y0, _, dy = self.geotransform
        return x0 + (np.asarray(col) + 0.5) * dx, y0 + (np.asarray(row) + 0.5) * dy

    def inside(self, col: np.ndarray, row: np.ndarray) -> np.ndarray:
        return (col >= 0) & (col < self.width) & (row >= 0) & (row < self.height)


@dataclass(frozen=True)
class Window:
    """A rectangle of cells: column and row offsets and size."""

    col: int
    row: int
    width: int
    height: int

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.row, self.row + self.height), slice(self.col, self.col + self.width)

    @property
    def cells(self) -> int:
        return self.width * self.height


def iter_windows(width: int, height: int, size: int = WINDOW) -> Iterator[Window]:
    """Windows of at most ``size`` x ``size`` cells covering the grid, row by row."""
    for row in range(0, height, size):
        for col in range(0, width, size):
            yield Window(col, row, min(size, width - col), min(size, height - row))


def window_count(width: int, height: int, size: int = WINDOW) -> int:
    return math.ceil(width / size) * math.ceil(height / size)


def band_nodata(ds: gdal.Dataset) -> list[Optional[float]]:
    return [ds.GetRasterBand(i + 1).GetNoDataValue() for i in range(ds.RasterCount)]


def band_names(ds: gdal.Dataset) -> list[str]:
    """Band descriptions, or band_1.. where a band has none."""
    names = []
    for i in range(ds.RasterCount):
        desc = (ds.GetRasterBand(i + 1).GetDescription() or "").strip()
        names.append(desc or f"band_{i + 1}")
    return names


def read_window(ds: gdal.Dataset, win: Window, bands: Optional[Sequence[int]] = None,
                nodata: Optional[Sequence[Optional[float]]] = None,
                dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Read bands (1-based) of a window as (bands, rows, cols) and the mask of valid cells.

    A cell is valid when every band is finite and differs from that band's nodata value.
    """
    bands = list(bands) if bands is not None else list(range(1, ds.RasterCount + 1))
    if nodata is None:
        all_nodata = band_nodata(ds)
        nodata = [all_nodata[b - 1] for b in bands]
    data = np.empty((len(bands), win.height, win.width), dtype=dtype)
    valid = np.ones((win.height, win.width), dtype=bool)
    with gdal_exceptions():
        for i, b in enumerate(bands):
            arr = ds.GetRasterBand(b).ReadAsArray(win.col, win.row, win.width, win.height)
            data[i] = arr
            valid &= np.isfinite(data[i])
            nd = nodata[i]
            if nd is not None and not math.isnan(nd):
                valid &= arr != nd
        # windows are read once per pass: drop their blocks from GDAL's cache, so memory
        # stays flat however large the raster (the cache would otherwise grow to its limit)
        ds.FlushCache()
    return data, valid


def check_output_path(path: str, inputs: Sequence[str] = ()) -> Path:
    """Refuse an output that would overwrite an input, or that names something other than a
    file (a folder, a device, a FIFO, a symbolic-link loop); make sure its folder is
    writable."""
    out = Path(path).expanduser()
    check_output_target(out)
    for inp in inputs:
        if not inp:
            continue
        inp_path = Path(str(inp).split("|")[0]).expanduser()
        try:
            same = out.resolve() == inp_path.resolve()
        except OSError:
            same = False
        if same:
            raise LsmError(f"The output '{out}' is also an input. Choose another output file; "
                           "inputs are never overwritten.")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LsmError(f"Cannot create the output folder '{folder}': {exc.strerror}. "
                           "Choose a folder you can write to.") from exc
    if not os.access(folder, os.W_OK):
        raise LsmError(f"The output folder '{folder}' is not writable. Choose a folder you can "
                       "write to.")
    return out


def check_output_target(out: Path) -> None:
    """An output may replace a regular file (or a link to one); anything else at its path is
    refused before any work: writing would fail after the work (a folder), follow a link loop,
    or replace a device node or FIFO with a regular file."""
    try:
        st = os.stat(out)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LsmError(f"The output '{out}' is a symbolic link loop. Choose another file "
                           "name.") from exc
        if exc.errno in (errno.ENOENT,) and os.path.islink(out):
            raise LsmError(f"The output '{out}' is a symbolic link to a missing file. Remove "
                           "the link or choose another file name.") from exc
        return  # nothing there yet (or not reachable: the folder check says why)
    if stat.S_ISREG(st.st_mode):
        return
    kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a pipe (FIFO)"
            if stat.S_ISFIFO(st.st_mode) else "a device or socket")
    raise LsmError(f"The output '{out}' is {kind}, not a file; it is never replaced. Choose a "
                   "file name.")


# --- which files a run created ------------------------------------------------------------------
# A failed or canceled run removes what it wrote, and only that: every file it publishes is
# recorded by identity (device and inode), and removed at the end only if the path still holds
# that very file. A path that merely did not exist when the run started may have been written
# since by another run; it is never touched.

_created: contextvars.ContextVar[Optional[list]] = contextvars.ContextVar("lsm_created",
                                                                          default=None)


@contextlib.contextmanager
def tracking_outputs() -> Iterator[list]:
    """Record, for the duration (on this thread), the files this run creates."""
    records: list = []
    token = _created.set(records)
    try:
        yield records
    finally:
        _created.reset(token)


def record_created(path: str | Path) -> None:
    """Note that the current run wrote the file now at ``path`` (no-op outside
    :func:`tracking_outputs`)."""
    records = _created.get()
    if records is None:
        return
    with contextlib.suppress(OSError):
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode):
            records.append((Path(path), st.st_dev, st.st_ino))


def remove_created(records: Sequence[tuple]) -> list[Path]:
    """Remove the recorded files that are still the ones this run wrote (with a database's
    journal files); return what was removed."""
    removed = []
    for path, dev, ino in reversed(list(records)):
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) != (dev, ino) or not stat.S_ISREG(st.st_mode):
            continue  # replaced since by someone else's file: not ours to remove
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
            for journal in ("-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    Path(f"{path}{journal}").unlink()
    return removed


def temporary_sibling(path: Path) -> Path:
    """A hidden temporary path beside ``path`` (same extension, so drivers recognise it),
    renamed into place once complete."""
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.part{path.suffix}")


def discard_temporaries(paths) -> None:
    """Remove temporary files (of :func:`temporary_sibling`) that another process was writing
    and did not publish (a worker that failed or was stopped), with the leftovers of that
    process's own atomic writers (``.<stem>.<id>.part<suffix>`` beside each)."""
    for name in paths:
        path = Path(name)
        _remove_quietly(path)
        for leftover in path.parent.glob(f".{path.stem}.*.part{path.suffix}"):
            _remove_quietly(leftover)


def _remove_quietly(path: Path) -> None:
    for p in (path, Path(str(path) + ".aux.xml")):
        with contextlib.suppress(OSError):
            p.unlink()


def remove_folder(folder: Path, attempts: int = 2) -> None:
    """Remove a run's scratch folder and what is in it (a task still finishing elsewhere may
    add a file while it goes: tried again after a moment)."""
    import shutil
    import time

    for _ in range(max(1, attempts)):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.2)


def publish(tmp: Path, final: Path) -> None:
    """Move a finished temporary file into place (atomic on one file system)."""
    with contextlib.suppress(OSError):
        Path(str(final) + ".aux.xml").unlink()
    os.replace(tmp, final)
    record_created(final)
    aux = Path(str(tmp) + ".aux.xml")
    if aux.exists():
        os.replace(aux, Path(str(final) + ".aux.xml"))
        record_created(Path(str(final) + ".aux.xml"))


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; it replaces ``path`` only if the block succeeds."""
    final = Path(path)
    tmp = temporary_sibling(final)
    try:
        yield tmp
    except BaseException:
        _remove_quietly(tmp)
        raise
    if not tmp.exists():
        raise LsmError(f"Nothing was written for '{final}'.")
    publish(tmp, final)


def band_statistics(plane: np.ndarray, nodata: float) -> np.ndarray:
    """(count, sum, sum of squares, min, max) of a plane's valid values (float64)."""
    values = plane[np.isfinite(plane) & (plane != nodata)].astype(np.float64)
    if not values.size:
        return np.array([0.0, 0.0, 0.0, np.inf, -np.inf])
    return np.array([values.size, values.sum(), np.square(values).sum(), values.min(),
                     values.max()])


def merge_statistics(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two (count, sum, sum of squares, min, max) records as one."""
    return np.array([a[0] + b[0], a[1] + b[1], a[2] + b[2], min(a[3], b[3]), max(a[4], b[4])])


class RasterWriter:
    """Write a GeoTIFF window by window; the file appears at ``path`` only when complete.

    Use as a context manager. An exception (including a cancel) inside the block removes the
    temporary file and leaves any existing file at ``path`` untouched.
    """

    def __init__(self, path: str | Path, grid: Grid, bands: int, dtype: type, nodata: float,
                 descriptions: Optional[Sequence[str]] = None,
                 metadata: Optional[dict] = None,
                 band_metadata: Optional[Sequence[dict]] = None) -> None:
        self.path = Path(path)
        self.grid = grid
        self.bands = bands
        self.dtype = np.dtype(dtype)
        self.nodata = nodata
        self.descriptions = list(descriptions or [])
        self.metadata = dict(metadata or {})
        self.band_metadata = list(band_metadata or [])
        self._tmp: Optional[Path] = None
        self._ds: Optional[gdal.Dataset] = None
        # running statistics per band: count, sum, sum of squares, min, max
        self._stats = np.zeros((bands, 5))
        self._stats[:, 3], self._stats[:, 4] = np.inf, -np.inf

    def __enter__(self) -> RasterWriter:
        suffix = self.path.suffix.lower()
        if suffix not in (".tif", ".tiff"):
            raise LsmError(f"Raster outputs are written as GeoTIFF; '{self.path.name}' does not "
                           "end in .tif. Choose a .tif file name.")
        self._tmp = temporary_sibling(self.path)
        with gdal_exceptions():
            try:
                ds = gdal.GetDriverByName("GTiff").Create(
                    str(self._tmp), self.grid.width, self.grid.height, self.bands,
                    _GDAL_TYPES[self.dtype], options=list(GTIFF_OPTIONS))
            except RuntimeError as exc:
                raise LsmError(f"Cannot create '{self.path}': {exc}. Check the folder is writable "
                               "and the disk has space.") from exc
            ds.SetGeoTransform(self.grid.geotransform)
            if self.grid.crs_wkt:
                ds.SetProjection(self.grid.crs_wkt)
            for i in range(self.bands):
                band = ds.GetRasterBand(i + 1)
                band.SetNoDataValue(self.nodata)
                if i < len(self.descriptions):
                    band.SetDescription(self.descriptions[i])
                if i < len(self.band_metadata) and self.band_metadata[i]:
                    band.SetMetadata({k: str(v) for k, v in self.band_metadata[i].items()})
        self._ds = ds
        return self

    def write(self, win: Window, data: np.ndarray, band: Optional[int] = None) -> None:
        """Write (rows, cols) data to one band (1-based) or (bands, rows, cols) to all."""
        assert self._ds is not None, "use RasterWriter as a context manager"
        planes = [(band or 1, data)] if band is not None or data.ndim == 2 else \
            [(i + 1, data[i]) for i in range(data.shape[0])]
        with gdal_exceptions():
            for b, values in planes:
                plane = np.asarray(values, dtype=self.dtype)
                self._ds.GetRasterBand(b).WriteArray(plane, win.col, win.row)
                self._accumulate(b - 1, plane)
            if band is None or band == self.bands:
                self._ds.FlushCache()  # write the finished tiles out of GDAL's cache

    def _accumulate(self, i: int, plane: np.ndarray) -> None:
        self._stats[i] = merge_statistics(self._stats[i], band_statistics(plane, self.nodata))

    def __exit__(self, exc_type, exc, tb) -> None:
        ds, self._ds = self._ds, None
        tmp = self._tmp
        assert tmp is not None
        if exc_type is not None:
            ds = None
            _remove_quietly(tmp)
            return
        try:
            with gdal_exceptions():
                if self.metadata:  # written last, so values known only at the end fit in
                    ds.SetMetadata({k: str(v) for k, v in self.metadata.items()})
                for i, (n, total, squares, lo, hi) in enumerate(self._stats):
                    if n:
                        mean = total / n
                        std = math.sqrt(max(0.0, squares / n - mean * mean))
                        ds.GetRasterBand(i + 1).SetStatistics(lo, hi, mean, std)
                ds.FlushCache()
            ds = None
            publish(tmp, self.path)
        except BaseException:
            ds = None
            _remove_quietly(tmp)
            raise
