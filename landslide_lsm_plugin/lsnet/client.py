"""Runs the LSNet worker as a child process: chooses its Python, relays progress, cancels.

No tensorflow and no qgis here. The worker writes to temporary files; they are moved to the
asked paths only when it finishes successfully, so a cancel (the worker is killed) or a crash
leaves no output behind.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..core.errors import Canceled, LsmError
from ..core.model_io import (
    UNSIGNED,
    read_sidecar,
    sidecar_of,
    sidecar_trust,
    sign_sidecar,
    unsigned_warning,
)
from ..core.predict import PredictReport
from ..core.progress import SILENT, Progress
from ..core.raster import (
    check_output_path,
    discard_temporaries,
    publish,
    temporary_sibling,
)
from ..core.records import LsnetMeta, WorkerEvent, WorkerExit, parse_worker_event

ENV_VAR = "LANDSLIDE_LSM_PYTHON"
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
#: what the worker's Python must import (names used in messages and install commands)
NEEDED = ("tensorflow", "numpy", "osgeo")
#: the modules imported to check each of NEEDED, in this order: what the worker itself
#: imports (gdal_array fails when GDAL was built against another numpy major version)
PROBE_IMPORTS = {"numpy": ("numpy",), "osgeo": ("osgeo.gdal", "osgeo.gdal_array"),
                 "tensorflow": ("tensorflow", "keras")}
#: seconds a candidate Python may take to import them (tensorflow takes a few)
PROBE_TIMEOUT_S = 120.0
#: interpreter -> ProbeResult; only good results are kept, so a TensorFlow installed while
#: QGIS runs is found at the next try
_probe_cache: dict = {}

# Runs in the candidate Python (any Python 3): a header line, then one line before and one
# after importing each module, so a crash or a hang names the import it happened in.
_PROBE_CODE = r"""
import importlib, json, os, sys, sysconfig
stdlib = sysconfig.get_paths().get("stdlib", "")
managed = sys.prefix == sys.base_prefix and os.path.exists(os.path.join(stdlib,
                                                                        "EXTERNALLY-MANAGED"))
print(json.dumps({"python": sys.executable, "externally_managed": managed}), flush=True)
for name, modules in json.loads(sys.argv[1]):
    print(json.dumps({"start": name}), flush=True)
    error, version = None, None
    try:
        for module in modules:
            importlib.import_module(module)
        version = str(getattr(sys.modules[modules[0]], "__version__", ""))
    except BaseException as exc:
        if isinstance(exc, ModuleNotFoundError) and exc.name == modules[0].split(".")[0]:
            error = "not installed"
        else:
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            error = type(exc).__name__ + (": " + lines[-1] if lines else "")
    print(json.dumps({"done": name, "error": error, "version": version}), flush=True)
"""


# Starts the worker. Child processes run in an empty temporary folder (the script's folder,
# sys.path[0], is then that empty folder: a 'tensorflow.py' in the user's current folder is
# never imported), and the plugins folder is appended to sys.path, after the standard library
# and site-packages, so another plugin's folder cannot shadow numpy, GDAL or TensorFlow.
_WORKER_BOOTSTRAP = ("import sys; sys.path.append(sys.argv.pop(1)); "
                     "from landslide_lsm_plugin.lsnet.worker import main; "
                     "sys.exit(main(sys.argv))")


@dataclass
class ProbeResult:
    """What a candidate Python for the worker can import."""

    python: str
    #: False when the interpreter does not start (then ``note`` says why)
    started: bool = True
    #: NEEDED name -> why it cannot be imported ("not installed" or the error's last line)
    problems: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    externally_managed: bool = False
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.started and not self.problems

    @property
    def missing(self) -> list:
        return ([m for m in NEEDED if m in self.problems]
                + [m for m in self.problems if m not in NEEDED])

    def describe(self) -> str:
        """'tensorflow (ImportError: ...), numpy (not installed)'."""
        return ", ".join(f"{m} ({self.problems[m]})" for m in self.missing)


def probe_python(python: str, timeout: float = PROBE_TIMEOUT_S,
                 imports: Optional[dict] = None) -> ProbeResult:
    """Import what the worker needs in ``python`` (a child process: tensorflow never enters
    this one) and report what fails. Good results are cached for the session. ``imports``:
    name -> modules to import for it (default: the LSNet worker's, PROBE_IMPORTS)."""
    imports = PROBE_IMPORTS if imports is None else imports
    key = python if imports is PROBE_IMPORTS else (python, json.dumps(imports, sort_keys=True))
    if key in _probe_cache:
        return _probe_cache[key]
    result = ProbeResult(python)
    checks = json.dumps([[m, list(modules)] for m, modules in imports.items()])
    timed_out = False
    try:
        with tempfile.TemporaryDirectory(prefix="lsm-probe-") as neutral:
            proc = subprocess.run([python, "-c", _PROBE_CODE, checks], capture_output=True,
                                  text=True, timeout=timeout, env=_child_env(), cwd=neutral)
        stdout, stderr, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        stdout, stderr, code, timed_out = _text(exc.stdout), _text(exc.stderr), None, True
    except (OSError, subprocess.SubprocessError) as exc:
        return ProbeResult(python, started=False, note=str(exc))
    lines = [_parse_json(line) for line in stdout.splitlines()]
    lines = [line for line in lines if line is not None]
    header = next((line for line in lines if "python" in line), None)
    last_err = _last_line(stderr)
    if header is None:
        why = f"it did not answer within {timeout:g} s" if timed_out else \
            (f"exit code {code}" + (f": {last_err}" if last_err else ""))
        return ProbeResult(python, started=False, note=why)
    result.externally_managed = bool(header.get("externally_managed"))
    pending = None
    for line in lines:
        if "start" in line:
            pending = line["start"]
        elif "done" in line:
            pending = None
            if line.get("error"):
                result.problems[line["done"]] = line["error"]
            elif line.get("version") is not None:
                result.versions[line["done"]] = line["version"]
    if pending is not None:  # the import of ``pending`` crashed or hung the interpreter
        result.problems[pending] = (
            f"the import did not finish within {timeout:g} s" if timed_out
            else f"the import stopped Python (exit code {code})"
            + (f": {last_err}" if last_err else ""))
    for name in imports:
        if name not in result.problems and name not in result.versions:
            result.problems[name] = "not checked: the check stopped before it"
    if result.ok:
        _probe_cache[key] = result
    return result


def _text(data) -> str:
    if data is None:
        return ""
    return data.decode(errors="replace") if isinstance(data, bytes) else data


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _parse_json(line: str) -> Optional[dict]:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _default_candidates() -> list[str]:
    """Pythons tried when neither the setting nor LANDSLIDE_LSM_PYTHON names one, in order:
    this Python (when it is one: inside QGIS sys.executable is QGIS or a shim), the
    environment QGIS's Python belongs to, the project's .venv, python3/python on PATH, and
    /usr/bin/python3."""
    from ..deps import qgis_python

    out = []
    exe = Path(sys.executable)
    if exe.name.lower().startswith("python"):
        out.append(str(exe))
    out.append(qgis_python())
    venv = PACKAGE_PARENT / ".venv" / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    out.append(str(venv))
    for name in ("python3", "python"):
        found = shutil.which(name)
        if found:
            out.append(found)
    if os.name != "nt":
        out.append("/usr/bin/python3")
    seen, unique = set(), []
    for p in out:
        if p not in seen and (Path(p).exists() or shutil.which(p)):
            seen.add(p)
            unique.append(p)
    return unique


#: what pip calls the modules of NEEDED
PIP_PACKAGES = {"tensorflow": "tensorflow", "numpy": '"numpy<2"', "osgeo": "GDAL"}
_TF_NOTES = {
    "darwin": "macOS: `tensorflow` runs on the CPU; add `tensorflow-metal` to use an Apple GPU",
    "linux": "`tensorflow-cpu` instead of `tensorflow` is the smaller CPU-only build; "
             "`tensorflow[and-cuda]` uses an NVIDIA GPU",
    "win32": "`tensorflow-cpu` instead of `tensorflow` is the smaller CPU-only build; "
             "TensorFlow uses no GPU on native Windows",
}


def install_hint(python: str, missing: list, platform: Optional[str] = None,
                 probe: Optional[ProbeResult] = None) -> str:
    """The command that gives ``python`` the modules of ``missing`` (names of NEEDED), for
    ``platform`` (default: this one). With the ``probe`` of that Python: numpy stays below 2
    where it is 1.x now (GDAL's bindings are built against it), a broken install is
    reinstalled, and an externally managed Python (Debian's) gets a virtual environment."""
    platform = platform or sys.platform
    packages = [PIP_PACKAGES.get(m, m) for m in missing]
    numpy_now = probe.versions.get("numpy", "") if probe is not None else ""
    if "tensorflow" in missing and "numpy" not in missing and numpy_now.startswith("1."):
        packages.append('"numpy<2"')
    broken = probe is not None and any(probe.problems.get(m, "not installed") != "not installed"
                                       for m in missing)
    pip = f"-m pip install{' --force-reinstall' if broken else ''} {' '.join(packages)}"
    if probe is not None and probe.externally_managed:
        env = "%USERPROFILE%\\lsnet-env" if platform == "win32" else "~/lsnet-env"
        env_python = env + ("\\Scripts\\python.exe" if platform == "win32" else "/bin/python")
        hint = (f"{python} -m venv --system-site-packages {env} && {env_python} {pip}  "
                f"(this Python is managed by the system; then choose {env_python})")
    else:
        hint = f"{python} {pip}"
    if "tensorflow" in missing:
        key = "darwin" if platform == "darwin" else "win32" if platform.startswith("win") \
            else "linux"
        hint += f"  ({_TF_NOTES[key]})"
    if "osgeo" in missing:
        hint += ("  (GDAL's Python bindings: on Debian/Ubuntu make the environment with "
                 "`python3 -m venv --system-site-packages` after `apt install python3-gdal`)")
    return hint


def find_worker_python(setting: Optional[str] = None) -> str:
    """The interpreter for the worker: the plugin setting, then LANDSLIDE_LSM_PYTHON, then
    sensible defaults; it must import tensorflow, numpy and GDAL. A Python named by the
    setting or the variable is used or refused, never silently replaced by another."""
    for origin, chosen in (("the plugin setting 'Python for LSNet'", setting),
                           (f"the environment variable {ENV_VAR}", os.environ.get(ENV_VAR))):
        if chosen:
            probe = probe_python(chosen)
            if not probe.started:
                raise LsmError(f"The Python for LSNet given by {origin} ({chosen}) does not run "
                               f"({probe.note}). Point it to a python executable.")
            if probe.problems:
                raise LsmError(f"The Python for LSNet given by {origin} ({chosen}) cannot import "
                               f"{probe.describe()}. Install with:\n  "
                               f"{install_hint(chosen, probe.missing, probe=probe)}")
            return chosen
    tried = []
    for candidate in _default_candidates():
        probe = probe_python(candidate)
        if probe.ok:
            return candidate
        tried.append((candidate, probe))
    example, probe = tried[0] if tried else ("python3", None)
    listed = "; ".join(f"{c} ({'cannot import ' + p.describe() if p.started else p.note})"
                       for c, p in tried)
    raise LsmError("LSNet runs in a separate Python with TensorFlow, and none was found. Tried: "
                   + (listed or "no python found") + ". Install TensorFlow into one, e.g.\n  "
                   + install_hint(example, ["tensorflow"], probe=probe) + "\nand choose it in "
                   "Settings > Options > Processing > Providers > Landslide susceptibility > "
                   f"'Python for LSNet' (or set {ENV_VAR}).")


def _child_env() -> dict:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)
    return env


@dataclass
class WorkerRun:
    events: list = field(default_factory=list)
    stderr_tail: str = ""
    returncode: int = 0


def run_worker(job: dict, python: str, progress: Progress = SILENT,
               on_event: Optional[Callable[[dict], None]] = None,
               cleanup: tuple = ()) -> WorkerRun:
    """Run one worker job; relay its events; kill it on cancel (within a second or two).

    Files in ``cleanup`` (and their GDAL/atomic-writer temporaries) are removed when the
    worker does not finish successfully."""
    with tempfile.TemporaryDirectory(prefix="lsm-lsnet-") as tmp:
        job_file = Path(tmp) / "job.json"
        job_file.write_text(json.dumps(job), encoding="utf-8")
        proc = subprocess.Popen([python, "-c", _WORKER_BOOTSTRAP, str(PACKAGE_PARENT),
                                 str(job_file)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=_child_env(), cwd=tmp)
        lines: queue.Queue = queue.Queue()
        tail: collections.deque = collections.deque(maxlen=40)
        readers = [threading.Thread(target=_pump, args=(proc.stdout, lines.put), daemon=True),
                   threading.Thread(target=_pump, args=(proc.stderr, lambda line: tail.append(
                       _shorten(line))), daemon=True)]
        for t in readers:
            t.start()
        run = WorkerRun()
        try:
            while True:
                if progress.canceled():
                    _kill(proc)
                    raise Canceled()
                try:
                    line = lines.get(timeout=0.2)
                except queue.Empty:
                    if proc.poll() is not None and lines.empty() and not readers[0].is_alive():
                        break
                    continue
                if line is None:
                    continue
                event = _parse(line)
                if event is None:
                    tail.append(line)
                    continue
                run.events.append(event)
                _relay(event, progress)
                if on_event is not None:
                    on_event(event)
            proc.wait()
            for t in readers:
                t.join(timeout=5)
        except BaseException:
            _kill(proc)
            discard_temporaries(cleanup)
            raise
        run.returncode = proc.returncode
        run.stderr_tail = "".join(tail)[-4000:]
    errors = [e for e in run.events if e.kind == "error"]
    if errors:
        discard_temporaries(cleanup)
        message = errors[-1].get("message", "The LSNet worker failed.")
        if run.returncode == UNEXPECTED_ERROR and run.stderr_tail.strip():
            # not one of the worker's own explained errors: where it happened helps a report
            last = run.stderr_tail.strip().splitlines()[-8:]
            message += "\nThe worker's last messages:\n" + "\n".join(last)
        raise LsmError(message)
    if run.returncode != 0:
        discard_temporaries(cleanup)
        raise LsmError(f"The LSNet worker {_how_it_ended(run.returncode)}. Its last messages:\n"
                       f"{run.stderr_tail.strip() or '(none)'}")
    return run


#: the worker's exit code for an exception it did not expect (it prints the traceback)
UNEXPECTED_ERROR = WorkerExit.UNEXPECTED


def _how_it_ended(returncode: int) -> str:
    """'was killed (signal 9, SIGKILL: ...)' / 'crashed (signal 11, SIGSEGV)' / 'failed (...)'."""
    if returncode >= 0:
        return f"failed (exit code {returncode})"
    number = -returncode
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = "unknown signal"
    if name == "SIGKILL":
        return f"was killed (signal {number}, {name}: out of memory, or stopped from outside?)"
    if name in ("SIGTERM", "SIGINT", "SIGHUP"):
        return f"was stopped (signal {number}, {name})"
    return f"crashed (signal {number}, {name})"


def _pump(stream, put) -> None:
    for line in iter(stream.readline, ""):
        put(line)
    stream.close()


def _shorten(line: str, limit: int = 300) -> str:
    """One stderr line for the error message: very long ones (faulthandler's list of
    extension modules, TensorFlow's banners) cut, so the tail keeps its last lines."""
    return line if len(line) <= limit else line[:limit].rstrip() + " ...\n"


def _parse(line: str) -> Optional[WorkerEvent]:
    return parse_worker_event(line)


def _relay(event: WorkerEvent, progress: Progress) -> None:
    kind = event.kind
    if kind == "progress":
        progress.percent(float(event.get("percent", 0)))
    elif kind == "info":
        progress.info(event.get("message", ""))
    elif kind == "warning":
        progress.warning(event.get("message", ""))
    elif kind == "start":
        progress.info(f"LSNet worker: TensorFlow {event.get('tensorflow')} on "
                      f"{', '.join(event.get('devices', []))}, Python {event.get('python', '?')}")
    elif kind == "epoch":
        e = event.fields
        progress.info(f"epoch {e['epoch']}/{e['epochs']}: loss {e['loss']:.4f}, "
                      f"early-stopping loss {e['val_loss']:.4f}, AUROC "
                      f"{e['val_auroc']:.3f} ({e['seconds']:.1f} s)")


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)




# --- the two jobs --------------------------------------------------------------------------------

@dataclass
class LsnetTraining:
    meta: LsnetMeta
    history: list
    lsi: Optional[PredictReport] = None


def train_lsnet(stack: str, samples: str, model_path: str, *, params: dict,
                lsi_path: Optional[str] = None, python: Optional[str] = None,
                name: Optional[str] = None, block: int = 512,
                progress: Progress = SILENT,
                signing_key: Optional[bytes] = None) -> LsnetTraining:
    """Train LSNet in the worker; write model (.keras), sidecar (.keras.json, signed with
    ``signing_key`` when given) and LSI (mapped in blocks of ``block`` x ``block`` cells plus a
    halo; internal, for tests)."""
    model = check_output_path(model_path, [stack, samples.split("|", maxsplit=1)[0]])
    if model.suffix.lower() != ".keras":
        raise LsmError(f"LSNet models end in .keras; choose a name like '{model.stem}.keras'.")
    sidecar = sidecar_of(model)
    lsi = check_output_path(lsi_path, [stack]) if lsi_path else None
    python = find_worker_python(python)  # ``python``: the plugin setting, checked too
    tmp_model, tmp_sidecar = temporary_sibling(model), temporary_sibling(sidecar)
    tmp_lsi = temporary_sibling(lsi) if lsi else None
    job = {"command": "train", "stack": stack, "samples": samples,
           "model_path": str(tmp_model), "sidecar_path": str(tmp_sidecar),
           "lsi": str(tmp_lsi) if tmp_lsi else None, "params": params, "name": name,
           "block": block, "model_file": str(model.resolve())}
    cleanup = tuple(p for p in (tmp_model, tmp_sidecar, tmp_lsi) if p)
    run = run_worker(job, python, progress, cleanup=cleanup)
    try:
        meta = LsnetMeta.from_dict(json.loads(tmp_sidecar.read_text(encoding="utf-8")),
                                   sidecar.name)
        if signing_key:
            meta = sign_sidecar(meta, signing_key)
            tmp_sidecar.write_text(json.dumps(meta.to_dict(), indent=1), encoding="utf-8")
    except BaseException:
        discard_temporaries(cleanup)
        raise
    publish(tmp_model, model)
    publish(tmp_sidecar, sidecar)
    report = None
    if lsi and tmp_lsi:
        publish(tmp_lsi, lsi)
        mapped = next(e for e in run.events if e.kind == "mapped").fields
        report = PredictReport(str(lsi), int(mapped["valid_cells"]), float(mapped["map_time_s"]),
                               "lsnet", int(mapped.get("unseen_category_cells", 0)))
    return LsnetTraining(meta, list(meta.details.get("history") or []), report)


def predict_lsnet(model_path: str, stack: str, output_path: str, *,
                  python: Optional[str] = None, name: Optional[str] = None,
                  block: int = 512, progress: Progress = SILENT,
                  signing_key: Optional[bytes] = None, client: Any = None) -> PredictReport:
    """Map LSNet over a stack (dense form, blocks of ``block`` x ``block`` cells with a halo
    of window - 1 cells; any block size gives the same map, to float rounding).

    Without ``client``, in the LSNet worker (a child process with TensorFlow). With a
    ``distributed.Client``, on that Dask cluster: the stage (lsnet.tasks) is built here,
    without TensorFlow, and its window tasks run on the Dask workers, which need TensorFlow
    and must read the model, its stack and the output's folder by the same paths."""
    from ..core.predict import check_stack_matches
    from ..core.stack import stack_info

    out = check_output_path(output_path, [model_path, stack])
    meta = read_sidecar(model_path)
    trust = sidecar_trust(meta, signing_key, Path(model_path).name)
    info = stack_info(stack)
    check_stack_matches(meta, info)  # refuse early, before starting the worker
    model_file = str(Path(model_path).resolve())
    if client is not None:
        mapped, engine = _predict_on_dask(model_path, stack, out, meta, info.grid, block, name,
                                          model_file, client, progress)
    else:
        python = find_worker_python(python)  # ``python``: the plugin setting, checked too
        tmp = temporary_sibling(out)
        job = {"command": "predict", "model_path": str(model_path), "sidecar": meta.to_dict(),
               "stack": stack, "lsi": str(tmp), "block": block, "name": name,
               "model_file": model_file}
        started = time.perf_counter()
        run = run_worker(job, python, progress, cleanup=(tmp,))
        publish(tmp, out)
        mapped = next((e.fields for e in run.events if e.kind == "mapped"), {})
        mapped.setdefault("map_time_s", time.perf_counter() - started)
        engine = str(mapped.get("engine", "LSNet worker"))
    report = PredictReport(str(out), int(mapped.get("valid_cells", 0)),
                           float(mapped["map_time_s"]), "lsnet",
                           int(mapped.get("unseen_category_cells", 0)), engine=engine)
    if trust == UNSIGNED:
        report.messages.append(unsigned_warning(Path(model_path).name))
    if report.unseen_category_cells:
        report.messages.append(f"{report.unseen_category_cells} cells hold a category LSNet never "
                               "saw in training; their one-hot channels are all zero.")
    return report


def _predict_on_dask(model_path: str, stack: str, out: Path, meta: LsnetMeta, grid,
                     block: int, name: Optional[str], model_file: str, client: Any,
                     progress: Progress) -> tuple[dict, str]:
    """LSNet's stage run on a Dask cluster (core.blocks.run_stage); what the worker reports
    as its 'mapped' event, and the engine. No TensorFlow here: the tasks load it on the Dask
    workers."""
    from ..core.blocks import run_stage
    from .tasks import check_model_file, lsnet_stage

    # the model file checked here first (each Dask worker checks it again when it loads it)
    check_model_file(str(model_path), meta.keras_sha256)
    # the workers open the files by these paths: absolute, not relative to this process
    stage = lsnet_stage(_absolute(stack), _absolute(model_path), meta, Path(_absolute(out)),
                        grid=grid, block=block, name=name, model_file=model_file)
    result = run_stage(stage, client, progress=progress)
    return ({"valid_cells": int(result.counts.get("valid_cells", 0)),
             "map_time_s": result.seconds,
             "unseen_category_cells": int(result.counts.get("unseen", 0))}, result.engine)


def _absolute(path) -> str:
    """A local path made absolute (links kept); GDAL's virtual paths as they are."""
    text = str(path)
    return text if text.startswith("/vsi") else os.path.abspath(os.path.expanduser(text))


def explain_lsnet(model_path: str, stack: str, samples: str, *, python: Optional[str] = None,
                  repeats: int = 5, seed: int = 42, points: int = 20, max_importance: int = 400,
                  max_response: int = 100, name: Optional[str] = None,
                  samples_label: Optional[str] = None, progress: Progress = SILENT,
                  signing_key: Optional[bytes] = None):
    """LSNet's factor importance and response curves, computed in the worker (every factor's
    channel group permuted across ``max_importance`` validation patches; response curves over
    ``max_response`` training patches). Returns a core.records.Explanation."""
    from ..core.predict import check_stack_matches
    from ..core.records import Explanation
    from ..core.stack import stack_info

    meta = read_sidecar(model_path)
    trust = sidecar_trust(meta, signing_key, Path(model_path).name)
    check_stack_matches(meta, stack_info(stack))  # refuse early, before starting the worker
    python = find_worker_python(python)
    job = {"command": "explain", "model_path": str(model_path), "sidecar": meta.to_dict(),
           "stack": stack, "samples": samples, "repeats": int(repeats), "seed": int(seed),
           "points": int(points), "max_importance": int(max_importance),
           "max_response": int(max_response), "name": name,
           "samples_label": samples_label or samples,
           "model_file": str(Path(model_path).resolve())}
    if trust == UNSIGNED:
        progress.warning(unsigned_warning(Path(model_path).name))
    run = run_worker(job, python, progress)
    found = next((e for e in run.events if e.kind == "explained"), None)
    if found is None:
        raise LsmError("The LSNet worker finished without an explanation. Run it again; if it "
                       "keeps failing, report it with the log.")
    return Explanation.from_dict(found.get("explanation"), "the LSNet worker's explanation")
