"""Reading files that may come from anyone, within bounds.

Every file the plugin reads but did not just write (model files, LSNet sidecars, results
files, paths named inside them) goes through here:

* only regular files are opened: a FIFO, device or folder is refused before anything waits on
  it (the file is opened non-blocking and checked with ``fstat``, so a swap between a check
  and the open cannot make a read hang);
* sizes are bounded before reading: a file larger than its kind can be is refused, and a zip
  member is read only up to its declared size (Python's zipfile stops there), which must fit
  the member's limit and a plausible compression ratio, so a zip bomb is refused after reading
  at most its compressed bytes.

Pure Python; no qgis, no numpy.
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile
from pathlib import Path
from typing import BinaryIO

from .errors import LsmError

MIB = 1024 * 1024
#: a JSON document the plugin reads (results file, LSNet sidecar, a model file's meta.json)
MAX_JSON_BYTES = 64 * MIB
#: most members a zip the plugin reads may have (model files hold 2 or 3, skops payloads a few
#: per estimator: a random forest of 500 trees has about 1,000)
MAX_ZIP_MEMBERS = 20_000
#: deflate reaches about 1,000:1 on constant data; real model parts stay far below this
MAX_COMPRESSION_RATIO = 200
#: below this size, any ratio is fine (tiny JSON members compress well)
RATIO_FREE_BYTES = 1 * MIB


def _size_text(n: int) -> str:
    return f"{n / MIB:.1f} MB" if n >= MIB else f"{n:,} bytes"


def open_regular(path: str | Path, what: str) -> BinaryIO:
    """Open ``path`` for binary reading if it is a regular file (symlinks to one are fine);
    refuse a folder, FIFO, device or socket, a symlink loop and a missing file with an
    LsmError naming ``what`` and the path. Never blocks."""
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(str(path), flags)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise LsmError(f"The {what} '{path}' does not exist.") from exc
        if exc.errno == errno.ELOOP:
            raise LsmError(f"The {what} '{path}' is a symbolic link loop; choose the file "
                           "itself.") from exc
        if exc.errno == errno.EISDIR:
            raise LsmError(f"The {what} '{path}' is a folder; choose a file.") from exc
        raise LsmError(f"Cannot open the {what} '{path}': {exc.strerror}.") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a folder" if stat.S_ISDIR(mode) else "a pipe (FIFO)" if stat.S_ISFIFO(mode)
                    else "a device or socket")
            raise LsmError(f"The {what} '{path}' is {kind}, not a regular file; it is not "
                           "read. Choose a file.")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_regular_file(path: str | Path, what: str) -> Path:
    """``path`` if it names a regular file (see :func:`open_regular`), else an LsmError. For
    files handed to a library that opens them itself (GDAL, Keras)."""
    with open_regular(path, what):
        pass
    return Path(path)


def read_regular(path: str | Path, what: str, limit: int = MAX_JSON_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else an LsmError."""
    with open_regular(path, what) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > limit:
            raise LsmError(f"The {what} '{path}' is {_size_text(size)}, more than the "
                           f"{_size_text(limit)} such a file can be; it is not read.")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise LsmError(f"The {what} '{path}' is larger than the {_size_text(limit)} such a "
                       "file can be; it is not read.")
    return data


def check_zip(zf: zipfile.ZipFile, name: str, max_total: int) -> None:
    """Refuse a zip with too many members, or whose members would inflate past ``max_total``
    bytes in all (declared sizes, which bound what zipfile reads)."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise LsmError(f"'{name}' holds {len(infos):,} parts, more than any file of its kind; "
                       "it is refused.")
    total = sum(max(0, i.file_size) for i in infos)
    if total > max_total:
        raise LsmError(f"'{name}' would inflate to {_size_text(total)}, more than the "
                       f"{_size_text(max_total)} a file of its kind can hold; it is refused.")


def check_member(info: zipfile.ZipInfo, limit: int, name: str) -> None:
    """Refuse (LsmError) a zip member whose declared size is over ``limit`` or whose
    compression ratio no real file has; nothing is inflated."""
    member = info.filename
    if info.file_size > limit:
        raise LsmError(f"'{name}': its part '{member}' would inflate to "
                       f"{_size_text(info.file_size)}, more than the {_size_text(limit)} it "
                       "can be; the file is refused.")
    if (info.file_size > RATIO_FREE_BYTES
            and info.file_size > MAX_COMPRESSION_RATIO * max(1, info.compress_size)):
        raise LsmError(f"'{name}': its part '{member}' inflates {_size_text(info.compress_size)} "
                       f"to {_size_text(info.file_size)}, a ratio no real file has (a zip bomb?); "
                       "the file is refused.")


def read_zip_member(zf: zipfile.ZipFile, member: str, limit: int, name: str) -> bytes:
    """The inflated bytes of one zip member, refused (LsmError) when its declared size is over
    ``limit`` or its compression ratio is implausible; at most the declared size is inflated.
    KeyError when the member is missing."""
    info = zf.getinfo(member)
    check_member(info, limit, name)
    try:
        with zf.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except Exception as exc:  # hostile bytes fail in many ways (zlib.error, struct.error, ...)
        raise LsmError(f"'{name}' is damaged: its part '{member}' cannot be read ({exc}).") \
            from exc
    if len(data) != info.file_size:
        raise LsmError(f"'{name}' is damaged: its part '{member}' is not the size it declares.")
    return data
