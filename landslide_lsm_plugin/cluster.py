"""Where the raster stages run: in-process, a local Dask cluster, or a Dask scheduler's address.

The choice is a short text (:func:`parse_scheduler`): empty or ``in-process`` (the default),
``local:N`` (a local cluster of N worker processes, started for the run and closed after it),
or a scheduler address (``tcp://host:8786``, ``tls://...``, ``host:8786``). It comes from the
algorithm's parameter, else the plugin setting, else the environment variable
LANDSLIDE_LSM_SCHEDULER (:func:`resolve_scheduler`).

dask and distributed are optional: nothing here imports them until a cluster is asked for, and
then a missing install says how to install it. No qgis here (the command line uses it too).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from .core.errors import LsmError
from .deps import missing_message, missing_modules
from .version import __version__

ENV_VAR = "LANDSLIDE_LSM_SCHEDULER"
#: texts meaning "run in this process"
IN_PROCESS = ("", "in-process", "inprocess", "none")
#: the most worker processes a local cluster may have
MAX_LOCAL_WORKERS = 256
#: seconds to wait for a scheduler to answer
CONNECT_TIMEOUT_S = 15
#: what every worker must import (name -> the modules imported for it), besides the plugin
WORKER_IMPORTS = {"numpy": ("numpy",), "osgeo": ("osgeo.gdal", "osgeo.gdal_array"),
                  "sklearn": ("sklearn",), "distributed": ("distributed",)}
PACKAGE_DIR = Path(__file__).resolve().parent

_ADDRESS = re.compile(r"^([a-z0-9+]+://)?[\w.\-\[\]:]+(:\d+)?(/.*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Scheduler:
    """Where to run: ``kind`` 'in-process', 'local' (``workers`` processes) or 'address'."""

    kind: str
    address: str = ""
    workers: int = 0
    #: where the choice came from (for messages)
    origin: str = ""

    @property
    def in_process(self) -> bool:
        return self.kind == "in-process"

    def describe(self) -> str:
        if self.kind == "local":
            return f"a local Dask cluster of {self.workers} worker processes"
        if self.kind == "address":
            return f"the Dask scheduler at {self.address}"
        return "this process"


def parse_scheduler(text: Optional[str], origin: str = "the scheduler setting") -> Scheduler:
    """'' / 'in-process' -> in-process; 'local:N' (or 'local') -> N local workers; anything
    else must look like a scheduler address."""
    value = (text or "").strip()
    if value.lower() in IN_PROCESS:
        return Scheduler("in-process", origin=origin)
    match = re.fullmatch(r"local(?::(\d+))?", value, re.IGNORECASE)
    if match:
        workers = int(match.group(1)) if match.group(1) else max(1, (os.cpu_count() or 2) // 2)
        if not 1 <= workers <= MAX_LOCAL_WORKERS:
            raise LsmError(f"{origin} asks for a local cluster of {workers} workers; give 1 to "
                           f"{MAX_LOCAL_WORKERS} (e.g. local:2).")
        return Scheduler("local", workers=workers, origin=origin)
    if not _ADDRESS.match(value) or value.lower().startswith("local"):
        raise LsmError(f"{origin} is '{value}', which is neither empty (run in-process), "
                       "'local:N' (a local cluster of N worker processes) nor a Dask scheduler "
                       "address such as tcp://host:8786.")
    return Scheduler("address", address=value, origin=origin)


def resolve_scheduler(parameter: Optional[str] = None, setting: Optional[str] = None,
                      environ: Optional[dict] = None,
                      parameter_name: str = "The Scheduler parameter") -> Scheduler:
    """The algorithm's parameter, else the plugin setting, else LANDSLIDE_LSM_SCHEDULER, else
    in-process. The most specific wins: a run's own parameter over the profile's setting over
    the environment. ``parameter_name`` names the parameter in messages."""
    environ = os.environ if environ is None else environ
    for origin, text in ((parameter_name, parameter),
                         ("The plugin setting 'Dask scheduler'", setting),
                         (f"The environment variable {ENV_VAR}", environ.get(ENV_VAR))):
        if text is not None and str(text).strip():
            return parse_scheduler(str(text), origin)
    return Scheduler("in-process", origin="default")


def require_dask(what: str = "Running on a Dask cluster") -> None:
    """Raise an LsmError with the install command when dask or distributed is missing."""
    missing = missing_modules(("dask", "distributed"))
    if missing:
        raise LsmError(missing_message(missing, what))


# --- starting and reaching clusters ------------------------------------------------------------

def worker_imports(lsnet: bool = False) -> dict:
    """What the workers must import: the plugin's libraries (TensorFlow too for LSNet)."""
    imports = dict(WORKER_IMPORTS)
    if lsnet:
        imports["tensorflow"] = ("tensorflow", "keras")
    return imports


def local_python(lsnet: bool = False, setting: Optional[str] = None) -> str:
    """The interpreter for local workers: the LSNet worker's choice (the setting, then this
    Python, QGIS's, the project's .venv, python3 on PATH), each candidate checked in a child
    process for the workers' libraries (checks that pass are cached for the session). Never
    sys.executable unchecked: inside QGIS it is QGIS, or whatever python3 is first on PATH,
    which need not be the Python QGIS runs."""
    from .lsnet.client import _default_candidates, install_hint, probe_python

    imports = worker_imports(lsnet)
    candidates = ([setting] if setting else []) + _default_candidates()
    tried = []
    for candidate in candidates:
        probe = probe_python(candidate, imports=imports)
        if probe.ok:
            return candidate
        tried.append((candidate, probe))
    listed = "; ".join(f"{c} ({'cannot import ' + p.describe() if p.started else p.note})"
                       for c, p in tried)
    example, probe = tried[0] if tried else ("python3", None)
    raise LsmError("A local Dask cluster runs its workers in a separate Python with numpy, "
                   "GDAL, scikit-learn and distributed" + (" and TensorFlow" if lsnet else "")
                   + f", and none was found. Tried: {listed or 'no python found'}. Install "
                   "them into one, e.g.\n  "
                   + install_hint(example, probe.missing if probe else ["distributed"],
                                  probe=probe)
                   + "\nand choose it as 'Python for LSNet' in the plugin's settings.")


#: seconds a local worker waits for its lost scheduler before it closes (QGIS crashed)
LOCAL_DEATH_TIMEOUT_S = 60
#: seconds to wait for a local cluster's workers to start and for them to stop
LOCAL_START_TIMEOUT_S = 90
LOCAL_STOP_TIMEOUT_S = 20
#: the workers' command: ``dask worker`` (with its nanny) in the chosen Python, the plugin's
#: folder appended to its path
_LOCAL_WORKER_BOOTSTRAP = ("import sys; sys.path.append(sys.argv.pop(1)); "
                           "from distributed.cli.dask_worker import main; main()")


@contextlib.contextmanager
def local_cluster(workers: int, python: str) -> Iterator[Any]:
    """A Dask cluster on this machine: the scheduler in this process, ``workers`` single-thread
    worker processes started as ``dask worker`` (with a nanny that restarts a crashed one) in
    ``python``, a plain Python process of its own (inside QGIS sys.executable is QGIS, and a
    Python spawned by multiprocessing would inherit QGIS's module path). Yields a Client."""
    from distributed import Client, LocalCluster

    from .lsnet.client import _child_env

    with contextlib.ExitStack() as stack:
        scheduler = stack.enter_context(LocalCluster(
            n_workers=0, processes=True, host="127.0.0.1", dashboard_address=":0",
            silence_logs=logging.ERROR))
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="lsm-dask-")))
        log_path = folder / "workers.log"
        command = [python, "-c", _LOCAL_WORKER_BOOTSTRAP, str(PACKAGE_DIR.parent),
                   scheduler.scheduler_address, "--nworkers", str(workers), "--nthreads", "1",
                   "--no-dashboard", "--death-timeout", str(LOCAL_DEATH_TIMEOUT_S),
                   "--local-directory", str(folder)]
        with open(log_path, "wb") as log_file:
            try:
                proc = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=_child_env(), cwd=folder)
            except OSError as exc:
                raise LsmError(f"Could not start Dask workers with {python}: {exc}") from exc
        stack.callback(_stop_workers, proc)
        client = stack.enter_context(Client(scheduler, set_as_default=False))
        deadline = time.monotonic() + LOCAL_START_TIMEOUT_S
        while len(client.scheduler_info().get("workers", {})) < workers:
            if proc.poll() is not None or time.monotonic() > deadline:
                why = (f"they stopped (exit status {proc.returncode})" if proc.poll() is not None
                       else f"they did not connect within {LOCAL_START_TIMEOUT_S} s")
                raise LsmError(f"Could not start a local Dask cluster of {workers} worker "
                               f"processes with {python}: {why}. Their log ends:\n"
                               + _tail(log_path))
            time.sleep(0.2)
        yield client


def _stop_workers(proc: subprocess.Popen) -> None:
    """SIGTERM lets ``dask worker`` close its nannies and workers; kill it when it hangs."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=LOCAL_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:]) or "(empty)"


@contextlib.contextmanager
def dask_client(scheduler: Scheduler, *, lsnet: bool = False,
                python_setting: Optional[str] = None,
                log: Any = None) -> Iterator[Any]:
    """A distributed.Client for the run (None in-process); a local cluster is started for it
    and closed after. The workers are checked first: reachable, the libraries they need, this
    plugin's version (sent to them when they do not have the plugin)."""
    if scheduler.in_process:
        yield None
        return
    require_dask(f"Running on {scheduler.describe()} ({scheduler.origin})")
    from distributed import Client

    with contextlib.ExitStack() as stack:
        where, python = "", None
        if scheduler.kind == "local":
            python = local_python(lsnet, python_setting)
            client = stack.enter_context(local_cluster(scheduler.workers, python))
            where = f" in {python}"
        else:
            try:
                client = stack.enter_context(Client(scheduler.address, timeout=CONNECT_TIMEOUT_S,
                                                    set_as_default=False))
            except (OSError, TimeoutError, ValueError) as exc:
                raise LsmError(
                    f"Cannot reach the Dask scheduler at {scheduler.address} ({scheduler.origin}): "
                    f"{type(exc).__name__}: {exc}. Check that the scheduler runs and that this "
                    "machine can reach it (address, port, firewall), or leave the scheduler "
                    "empty to run in this process.") from exc
        check_workers(client, worker_imports(lsnet), python=python)
        if log is not None:
            log(f"Running on {scheduler.describe()} ({scheduler.origin}): "
                f"{len(client.scheduler_info().get('workers', {}))} workers{where}"
                + (f"; dashboard {client.dashboard_link}" if _has_dashboard(client) else ""))
        yield client


def _has_dashboard(client: Any) -> bool:
    with contextlib.suppress(Exception):
        return bool(client.scheduler_info().get("services", {}).get("dashboard"))
    return False


def check_workers(client: Any, imports: Optional[dict] = None,
                  python: Optional[str] = None) -> None:
    """Every worker imports ``imports``, runs this process's version of distributed and this
    plugin's version; a worker without the plugin gets it (a zip of this package, which Dask
    adds to its path). ``python``: the workers' interpreter when known (a local cluster)."""
    imports = worker_imports() if imports is None else imports

    # defined here, so that Dask sends the function itself: a worker without the plugin could
    # not import it from this module
    def _worker_report(imports: dict) -> dict:
        """Runs on each worker: which of ``imports`` fail, and which plugin version it has."""
        import importlib
        import sys

        problems = {}
        for name, modules in imports.items():
            try:
                for module in modules:
                    importlib.import_module(module)
            except BaseException as exc:  # a broken install raises anything
                problems[name] = f"{type(exc).__name__}: {exc}"
        try:
            version = importlib.import_module("landslide_lsm_plugin.version").__version__
        except ImportError:
            version = None
        dask_version = getattr(sys.modules.get("distributed"), "__version__", None)
        return {"problems": problems, "plugin": version, "distributed": dask_version}

    if not client.scheduler_info().get("workers"):
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S * 4)
    reports = client.run(_worker_report, imports)
    broken = {w: r["problems"] for w, r in reports.items() if r["problems"]}
    if broken:
        lines = "; ".join(f"{w}: " + ", ".join(f"{m} ({why})" for m, why in p.items())
                          for w, p in sorted(broken.items())[:5])
        names = sorted({m for p in broken.values() for m in p})
        from .deps import PIP_NAMES

        pip = " ".join(PIP_NAMES.get(m, {"osgeo": "GDAL"}.get(m, m)) for m in names)
        raise LsmError(f"{len(broken)} of {len(reports)} Dask workers cannot import what the "
                       f"plugin needs: {lines}. Install into the workers' Python"
                       + (f" ({python})" if python else "") + ": "
                       f"python -m pip install {pip} (GDAL's bindings: python3-gdal on "
                       "Debian/Ubuntu, or conda-forge's gdal).")
    import distributed

    # calendar versions (2026.8.0): a patch release apart is fine, another month's is not
    release = ".".join(distributed.__version__.split(".")[:2])
    others = sorted({str(r.get("distributed")) for r in reports.values()
                     if ".".join(str(r.get("distributed")).split(".")[:2]) != release})
    if others:
        raise LsmError(f"The Dask workers run distributed {', '.join(others)}, this process "
                       f"{distributed.__version__}: client, scheduler and workers need the "
                       "same release. Install it into the workers' Python"
                       + (f" ({python})" if python else "")
                       + f": python -m pip install distributed=={distributed.__version__}")
    versions = {r["plugin"] for r in reports.values()}
    if versions - {None, __version__}:
        raise LsmError(f"The Dask workers run Landslide LSM {sorted(v for v in versions if v)}, "
                       f"this is {__version__}. Give the workers the same plugin version "
                       "(or none: it is then sent to them).")
    if None in versions:
        client.upload_file(str(plugin_zip()), load=True)


def plugin_zip() -> Path:
    """This package's Python files as a zip (built once per process), for Dask's
    upload_file."""
    global _zip
    if _zip is None or not _zip.exists():
        folder = Path(tempfile.mkdtemp(prefix="lsm-plugin-"))
        path = folder / f"landslide_lsm_plugin-{__version__}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for source in sorted(PACKAGE_DIR.rglob("*.py")):
                if "__pycache__" not in source.parts:
                    zf.write(source, Path("landslide_lsm_plugin") /
                             source.relative_to(PACKAGE_DIR))
        _zip = path
    return _zip


_zip: Optional[Path] = None
