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
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..core.errors import Canceled, LsmError
from ..core.predict import PredictReport
from ..core.progress import SILENT, Progress
from ..core.raster import check_output_path, publish, temporary_sibling
from ..core.styles import pseudocolor_qml, write_sidecar

ENV_VAR = "LANDSLIDE_LSM_PYTHON"
PACKAGE_PARENT = Path(__file__).resolve().parents[2]
#: what the worker's Python must import
NEEDED = ("tensorflow", "numpy", "osgeo")
_probe_cache: dict = {}


def sidecar_of(model_path: str | Path) -> Path:
    """The JSON sidecar of an LSNet model: 'model.keras' -> 'model.keras.json'."""
    return Path(str(model_path) + ".json")


def _missing_in(python: str) -> Optional[list]:
    """The modules of NEEDED that ``python`` cannot import (None if it does not run)."""
    if python in _probe_cache:
        return _probe_cache[python]
    code = (f"import importlib.util, json; print(json.dumps([m for m in {NEEDED!r} "
            "if importlib.util.find_spec(m) is None]))")
    try:
        proc = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60,
                              env=_child_env())
        result = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 \
            else None
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        result = None
    _probe_cache[python] = result
    return result


def _default_candidates() -> list[str]:
    out = []
    exe = Path(sys.executable)
    if exe.name.lower().startswith("python"):  # inside QGIS it is not (or not a usable one)
        out.append(str(exe))
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


def install_hint(python: str, missing: list) -> str:
    packages = {"tensorflow": "tensorflow-cpu", "numpy": '"numpy<2"', "osgeo": "GDAL"}
    names = " ".join(packages.get(m, m) for m in missing)
    hint = f"{python} -m pip install {names}"
    if "osgeo" in missing:
        hint += ("  (GDAL's Python bindings: on Debian/Ubuntu make the environment with "
                 "`python3 -m venv --system-site-packages` after `apt install python3-gdal`)")
    return hint


def find_worker_python(setting: Optional[str] = None) -> str:
    """The interpreter for the worker: the plugin setting, then LANDSLIDE_LSM_PYTHON, then
    sensible defaults; it must import tensorflow, numpy and GDAL."""
    for origin, chosen in (("the plugin setting 'Python for LSNet'", setting),
                           (f"the environment variable {ENV_VAR}", os.environ.get(ENV_VAR))):
        if chosen:
            missing = _missing_in(chosen)
            if missing is None:
                raise LsmError(f"The Python for LSNet given by {origin} ({chosen}) does not run. "
                               "Point it to a python executable.")
            if missing:
                raise LsmError(f"The Python for LSNet given by {origin} ({chosen}) cannot import "
                               f"{', '.join(missing)}. Install with:\n  "
                               f"{install_hint(chosen, missing)}")
            return chosen
    tried = []
    for candidate in _default_candidates():
        missing = _missing_in(candidate)
        if missing == []:
            return candidate
        tried.append(f"{candidate} (lacks {', '.join(missing) if missing else 'a working start'})")
    example = tried[0].split(" (")[0] if tried else "python3"
    raise LsmError("LSNet runs in a separate Python with TensorFlow, and none was found. Tried: "
                   + "; ".join(tried) + ". Install TensorFlow into one, e.g.\n  "
                   + install_hint(example, ["tensorflow"]) + "\nand choose it in Settings > "
                   "Options > Processing > Providers > Landslide susceptibility > 'Python for "
                   f"LSNet' (or set {ENV_VAR}).")


def _child_env() -> dict:
    env = dict(os.environ)
    parts = [str(PACKAGE_PARENT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(parts)
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
        proc = subprocess.Popen([python, "-m", "landslide_lsm_plugin.lsnet.worker",
                                 str(job_file)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=_child_env(),
                                cwd=str(PACKAGE_PARENT))
        lines: queue.Queue = queue.Queue()
        tail: collections.deque = collections.deque(maxlen=40)
        readers = [threading.Thread(target=_pump, args=(proc.stdout, lines.put), daemon=True),
                   threading.Thread(target=_pump, args=(proc.stderr, tail.append), daemon=True)]
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
            _remove(cleanup)
            raise
        run.returncode = proc.returncode
        run.stderr_tail = "".join(tail)[-4000:]
    errors = [e for e in run.events if e.get("event") == "error"]
    if errors:
        _remove(cleanup)
        raise LsmError(errors[-1].get("message", "The LSNet worker failed."))
    if run.returncode != 0:
        _remove(cleanup)
        how = (f"was killed (signal {-run.returncode}; out of memory?)" if run.returncode < 0
               else f"failed (exit code {run.returncode})")
        raise LsmError(f"The LSNet worker {how}. Its last messages:\n{run.stderr_tail.strip()}")
    return run


def _pump(stream, put) -> None:
    for line in iter(stream.readline, ""):
        put(line)
    stream.close()


def _parse(line: str) -> Optional[dict]:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    return event if isinstance(event, dict) and "event" in event else None


def _relay(event: dict, progress: Progress) -> None:
    kind = event["event"]
    if kind == "progress":
        progress.percent(float(event.get("percent", 0)))
    elif kind == "info":
        progress.info(event.get("message", ""))
    elif kind == "warning":
        progress.warning(event.get("message", ""))
    elif kind == "start":
        progress.info(f"LSNet worker: TensorFlow {event.get('tensorflow')} on "
                      f"{', '.join(event.get('devices', []))}")
    elif kind == "epoch":
        progress.info(f"epoch {event['epoch']}/{event['epochs']}: loss {event['loss']:.4f}, "
                      f"early-stopping loss {event['val_loss']:.4f}, AUROC "
                      f"{event['val_auroc']:.3f} ({event['seconds']:.1f} s)")


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def _remove(paths) -> None:
    for name in paths:
        path = Path(name)
        with contextlib.suppress(OSError):
            path.unlink()
        # temporaries of the worker's own atomic writers: .<stem>.<id>.part<suffix>
        for leftover in path.parent.glob(f".{path.stem}.*.part{path.suffix}"):
            with contextlib.suppress(OSError):
                leftover.unlink()


# --- the two jobs --------------------------------------------------------------------------------

@dataclass
class LsnetTraining:
    meta: dict
    history: list
    lsi: Optional[PredictReport] = None


def train_lsnet(stack: str, samples: str, model_path: str, *, params: dict,
                lsi_path: Optional[str] = None, python: Optional[str] = None,
                name: Optional[str] = None, progress: Progress = SILENT) -> LsnetTraining:
    """Train LSNet in the worker; write model (.keras), sidecar (.keras.json) and LSI."""
    model = check_output_path(model_path, [stack, samples.split("|", maxsplit=1)[0]])
    if model.suffix.lower() != ".keras":
        raise LsmError(f"LSNet models end in .keras; choose a name like '{model.stem}.keras'.")
    sidecar = sidecar_of(model)
    lsi = check_output_path(lsi_path, [stack]) if lsi_path else None
    python = python or find_worker_python()
    tmp_model, tmp_sidecar = temporary_sibling(model), temporary_sibling(sidecar)
    tmp_lsi = temporary_sibling(lsi) if lsi else None
    job = {"command": "train", "stack": stack, "samples": samples,
           "model_path": str(tmp_model), "sidecar_path": str(tmp_sidecar),
           "lsi": str(tmp_lsi) if tmp_lsi else None, "params": params, "name": name,
           "model_file": str(model.resolve())}
    cleanup = tuple(p for p in (tmp_model, tmp_sidecar, tmp_lsi) if p)
    run = run_worker(job, python, progress, cleanup=cleanup)
    meta = json.loads(tmp_sidecar.read_text(encoding="utf-8"))
    publish(tmp_model, model)
    publish(tmp_sidecar, sidecar)
    report = None
    if lsi and tmp_lsi:
        publish(tmp_lsi, lsi)
        write_sidecar(lsi, pseudocolor_qml(0.0, 1.0))
        mapped = next(e for e in run.events if e["event"] == "mapped")
        report = PredictReport(str(lsi), int(mapped["valid_cells"]), float(mapped["map_time_s"]),
                               "lsnet", int(mapped.get("unseen_category_cells", 0)))
    return LsnetTraining(meta, meta.get("history", []), report)


def read_sidecar(model_path: str) -> dict:
    path = sidecar_of(model_path)
    if not Path(model_path).exists():
        raise LsmError(f"The model file '{model_path}' does not exist.")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LsmError(f"The LSNet model '{Path(model_path).name}' needs its sidecar "
                       f"'{path.name}' beside it (preprocessing and factors); it is missing or "
                       "unreadable.") from exc
    if meta.get("format") != "landslide-lsm-lsnet":
        raise LsmError(f"'{path.name}' is not a Landslide LSM LSNet sidecar.")
    return meta


def predict_lsnet(model_path: str, stack: str, output_path: str, *,
                  python: Optional[str] = None, name: Optional[str] = None,
                  block: int = 512, progress: Progress = SILENT) -> PredictReport:
    """Map LSNet over a stack in the worker (dense form, blocks with a halo)."""
    from ..core.predict import check_stack_matches
    from ..core.stack import stack_info

    out = check_output_path(output_path, [model_path, stack])
    meta = read_sidecar(model_path)
    check_stack_matches(meta, stack_info(stack))  # refuse early, before starting the worker
    python = python or find_worker_python()
    tmp = temporary_sibling(out)
    job = {"command": "predict", "model_path": str(model_path), "sidecar": meta, "stack": stack,
           "lsi": str(tmp), "block": block, "name": name,
           "model_file": str(Path(model_path).resolve())}
    started = time.perf_counter()
    run = run_worker(job, python, progress, cleanup=(tmp,))
    publish(tmp, out)
    write_sidecar(out, pseudocolor_qml(0.0, 1.0))
    mapped = next((e for e in run.events if e["event"] == "mapped"), {})
    report = PredictReport(str(out), int(mapped.get("valid_cells", 0)),
                           float(mapped.get("map_time_s", time.perf_counter() - started)),
                           "lsnet", int(mapped.get("unseen_category_cells", 0)))
    if report.unseen_category_cells:
        report.messages.append(f"{report.unseen_category_cells} cells hold a category LSNet never "
                               "saw in training; their one-hot channels are all zero.")
    return report
