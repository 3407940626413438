"""Model files that are safe to share: no pickle.

A model file (``.lsmodel``) is a zip holding ``meta.json`` (what the model expects and how it
was made) and ``model.skops`` (the fitted scikit-learn pipeline in skops' format). Loading
checks the format marker and a SHA-256 of the model bytes, then lets skops build only the
types on a closed list: a file that is not ours, was tampered with, or holds anything else is
refused before any of its content is turned into objects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .. import __version__
from .errors import LsmError
from .raster import atomic_file, check_output_path

FORMAT = "landslide-lsm-model"
FORMAT_VERSION = 1
MODEL_SUFFIX = ".lsmodel"

#: The only types a model file may contain; a payload naming any other type is refused before
#: anything is built (skops' own defaults are wider: they trust every scikit-learn estimator).
BASIC_TYPES = (
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int",
    "builtins.float", "builtins.bool", "builtins.NoneType", "builtins.slice",
    "numpy.ndarray", "numpy.dtype", "numpy.float64", "numpy.float32", "numpy.int64",
    "numpy.int32", "numpy.int8", "numpy.uint8", "numpy.intp", "numpy.bool_",
)
TRUSTED_TYPES = (
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.svm._classes.SVC",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.kernel_approximation.Nystroem",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.tree._classes.DecisionTreeClassifier",
    "sklearn.tree._tree.Tree",
    "sklearn.model_selection._split.StratifiedKFold",
)


@dataclass
class LoadedModel:
    meta: dict
    estimator: object

    @property
    def model_type(self) -> str:
        return self.meta["model_type"]

    @property
    def factors(self) -> list:
        return list(self.meta["factors"])


def save_model(path: str | Path, estimator, meta: dict, inputs: tuple = ()) -> Path:
    """Write a model file atomically. ``meta`` must be JSON-serialisable."""
    import skops.io as sio

    out = check_output_path(str(path), inputs)
    if out.suffix.lower() != MODEL_SUFFIX:
        raise LsmError(f"Model files end in {MODEL_SUFFIX}; choose a name like "
                       f"'{out.stem}{MODEL_SUFFIX}'.")
    payload = sio.dumps(estimator)
    full_meta = dict(meta)
    full_meta.update(format=FORMAT, format_version=FORMAT_VERSION, plugin_version=__version__,
                     created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                     model_sha256=hashlib.sha256(payload).hexdigest())
    with atomic_file(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.json", json.dumps(full_meta, indent=1, default=_json_default))
        zf.writestr("model.skops", payload)
    return out


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def read_meta(path: str | Path) -> dict:
    """The metadata of a model file, checked to be ours (no model object is built)."""
    path = Path(path)
    not_ours = (f"'{path.name}' is not a Landslide LSM model file. Choose a file written by "
                "one of the plugin's Train algorithms.")
    if not path.exists():
        raise LsmError(f"The model file '{path}' does not exist.")
    try:
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read("meta.json").decode("utf-8"))
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LsmError(not_ours) from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise LsmError(not_ours)
    if int(meta.get("format_version", 0)) > FORMAT_VERSION:
        raise LsmError(f"'{path.name}' was written by a newer Landslide LSM (format "
                       f"{meta.get('format_version')}). Update the plugin.")
    return meta


def load_model(path: str | Path) -> LoadedModel:
    """Load a model file; refuse anything that is not ours or not intact."""
    import skops.io as sio

    path = Path(path)
    meta = read_meta(path)
    with zipfile.ZipFile(path) as zf:
        try:
            payload = zf.read("model.skops")
        except KeyError as exc:
            raise LsmError(f"'{path.name}' has no model inside; it is damaged.") from exc
    if hashlib.sha256(payload).hexdigest() != meta.get("model_sha256"):
        raise LsmError(f"'{path.name}' was modified after it was written (checksum mismatch); "
                       "it is refused. Train the model again or use the original file.")
    try:
        named = payload_types(payload)
        untrusted = sio.get_untrusted_types(data=payload)
    except Exception as exc:  # any parse failure of a damaged payload
        raise LsmError(f"'{path.name}' is damaged: {exc}") from exc
    allowed = set(TRUSTED_TYPES) | set(BASIC_TYPES)
    unexpected = sorted((named | set(untrusted)) - allowed)
    if unexpected:
        raise LsmError(f"'{path.name}' contains types that are not allowed in a model file "
                       f"({', '.join(unexpected)}); it is refused and nothing in it was run.")
    estimator = sio.loads(payload, trusted=list(untrusted))
    return LoadedModel(meta, estimator)


def payload_types(payload: bytes) -> set[str]:
    """Every 'module.Class' a skops payload names, read from its schema (nothing is built)."""
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        schema = json.loads(zf.read("schema.json").decode("utf-8"))
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "__class__" in node:
                found.add(f"{node.get('__module__', '')}.{node['__class__']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def model_kind(path: str | Path) -> Optional[str]:
    """'sklearn' for .lsmodel files, 'lsnet' for LSNet .keras models, else None."""
    suffix = Path(path).suffix.lower()
    if suffix == MODEL_SUFFIX:
        return "sklearn"
    if suffix == ".keras":
        return "lsnet"
    return None
