"""Optional Python libraries: which are missing, and the exact command that installs them.

No qgis import here: the same answers serve the Processing algorithms and the LSNet worker.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import sysconfig
from pathlib import Path

#: import name -> pip distribution name
PIP_NAMES = {
    "sklearn": "scikit-learn",
    "jenkspy": "jenkspy",
    "ckwrap": "ckwrap",
    "skops": "skops",
    "tensorflow": "tensorflow",
    "matplotlib": "matplotlib",
}

_available: set[str] = set()


def module_available(name: str) -> bool:
    """True when ``import name`` works (a broken install counts as missing)."""
    if name in _available:
        return True
    try:
        importlib.import_module(name)
    except Exception:  # ImportError, or anything a broken install raises on import
        return False
    _available.add(name)
    return True


def missing_modules(names: tuple[str, ...] | list[str]) -> list[str]:
    return [n for n in names if not module_available(n)]


def qgis_python() -> str:
    """The interpreter of the running Python (inside QGIS, sys.executable is not it)."""
    if sys.prefix != sys.base_prefix:  # a virtual environment
        exe = Path(sys.prefix) / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        return str(exe)
    if os.name == "nt":
        return "python"  # OSGeo4W Shell / QGIS's python
    ver = f"python{sys.version_info.major}.{sys.version_info.minor}"
    bindir = Path(sys.exec_prefix) / "bin"
    for candidate in (bindir / ver, bindir / "python3"):
        if candidate.exists():
            return str(candidate)
    return "python3"


def _externally_managed() -> bool:
    stdlib = sysconfig.get_paths().get("stdlib", "")
    return sys.prefix == sys.base_prefix and (Path(stdlib) / "EXTERNALLY-MANAGED").exists()


def install_command(modules: list[str] | tuple[str, ...]) -> str:
    """The command that installs the pip packages for these import names into this Python."""
    packages = " ".join(PIP_NAMES.get(m, m) for m in modules)
    python = qgis_python()
    flags = " --user --break-system-packages" if _externally_managed() else ""
    prefix = "In the OSGeo4W Shell: " if os.name == "nt" else ""
    return f"{prefix}{python} -m pip install{flags} {packages}"


#: natural breaks need one of these (the first: exact Ckmeans.1d.dp, O(k n log n); the second:
#: Fisher-Jenks, the same optimum in O(k n^2))
NATURAL_BREAKS_MODULES = ("ckwrap", "jenkspy")


def missing_one_of(modules: tuple[str, ...] | list[str], what: str) -> str:
    """'' when at least one of the modules imports, else how to install the first one."""
    if any(module_available(m) for m in modules):
        return ""
    others = ", ".join(PIP_NAMES.get(m, m) for m in modules[1:])
    return missing_message([modules[0]], what) + (f" ({others} works too.)" if others else "")


def missing_message(modules: list[str], what: str) -> str:
    names = ", ".join(PIP_NAMES.get(m, m) for m in modules)
    return (f"{what} needs the Python package(s) {names}, which QGIS's Python cannot import. "
            f"Install with:\n  {install_command(modules)}\nthen restart QGIS.")


# --- native symbol clashes ---------------------------------------------------------------------

#: scikit-learn's libsvm and liblinear extensions export a function ``set_seed``; so does the
#: minizip that QGIS links where zlib is 1.3.2 or newer (Debian unstable). In a process that has
#: that minizip in its global symbol scope (qgis_process, the QGIS desktop), the extensions' own
#: calls bind to minizip's function and SVM training crashes QGIS (SIGSEGV in set_seed).
SVM_EXTENSIONS = ("_libsvm", "_liblinear", "_libsvm_sparse")
_bound: list = []


def bind_svm_extensions_to_themselves() -> list[str]:
    """Where another library in the process's global scope exports ``set_seed`` (Linux),
    load scikit-learn's libsvm and liblinear extensions with RTLD_DEEPBIND, their own symbols
    first, before scikit-learn imports them; the import then finds them loaded. Returns the
    files so loaded: none without a clash, without scikit-learn, or once ``sklearn.svm`` is
    imported (too late then)."""
    if not sys.platform.startswith("linux") or "sklearn.svm" in sys.modules:
        return []
    import ctypes

    try:
        if not hasattr(ctypes.CDLL(None), "set_seed"):
            return []
        spec = importlib.util.find_spec("sklearn")
    except (OSError, ImportError, ValueError):
        return []
    if spec is None:
        return []
    loaded = []
    mode = os.RTLD_NOW + os.RTLD_DEEPBIND  # two bits ("|" reads as a type union to vermin)
    for folder in spec.submodule_search_locations or []:
        for name in SVM_EXTENSIONS:
            for path in sorted(Path(folder, "svm").glob(f"{name}.*so")):
                try:
                    _bound.append(ctypes.CDLL(str(path), mode=mode))
                except OSError:  # a broken install: the import will say so
                    continue
                loaded.append(str(path))
    return loaded
