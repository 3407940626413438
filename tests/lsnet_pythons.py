"""Interpreters for testing how the LSNet worker's Python is chosen and checked: the project's
own (with TensorFlow), one without TensorFlow, and ones whose TensorFlow is broken. They are
small shell scripts that start a real Python (POSIX only)."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the project's environment (make setup): it has TensorFlow, numpy < 2 and GDAL
GOOD_PYTHON = str(ROOT / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))


def shell_interpreter(path: Path, body: str) -> str:
    """An executable shell script at ``path`` standing in for an interpreter."""
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def python_without_tensorflow(folder: Path) -> str:
    """A real Python 3 that imports no site packages: no tensorflow (nor numpy, GDAL)."""
    return shell_interpreter(folder / "python-without-tf", 'exec /usr/bin/python3 -S "$@"')


def python_switched_by(folder: Path, marker: Path) -> str:
    """The good Python while ``marker`` exists, the one without TensorFlow otherwise (as if
    TensorFlow were installed, or removed, while QGIS runs)."""
    return shell_interpreter(folder / "python-switched",
                   f'if [ -e {shlex.quote(str(marker))} ]; then exec {shlex.quote(GOOD_PYTHON)} '
                   f'"$@"; fi\nexec /usr/bin/python3 -S "$@"')


def broken_tensorflow_python(folder: Path, init_code: str) -> str:
    """The good Python, with a 'tensorflow' package ahead of the real one whose __init__ runs
    ``init_code``: an install that importlib finds but that fails (or hangs, or crashes) on
    import."""
    package = folder / "broken-site" / "tensorflow"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(init_code, encoding="utf-8")
    site = shlex.quote(str(package.parent))
    return shell_interpreter(folder / "python-broken-tf",
                   f'PYTHONPATH={site}${{PYTHONPATH:+:$PYTHONPATH}} exec '
                   f'{shlex.quote(GOOD_PYTHON)} "$@"')
