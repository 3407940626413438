"""Model files that are safe to share: no pickle.

A model file (``.lsmodel``) is a zip holding ``meta.json`` (what the model expects and how it
was made) and ``model.skops`` (the fitted scikit-learn pipeline in skops' format). Loading
checks the format marker and a SHA-256 of the model bytes, then lets skops build only the
types on a closed list: a file that is not ours, was tampered with, or holds anything else is
refused before any of its content is turned into objects.

RBF-SVM and KLR files also hold ``kernel.npz``: the model's exact kernel expansion (scaler
means and scales, kernel centres, weights, gamma, bias, link) as plain float arrays, with its
own SHA-256 in ``meta.json``. LSI maps are computed from it alone (:func:`load_kernel`: numpy
only, no pickle, no skops, no scikit-learn); files without it (older files, random forest,
logistic regression) are mapped through the scikit-learn pipeline.
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

import numpy as np

from .. import __version__
from .errors import LsmError
from .raster import atomic_file, check_output_path

FORMAT = "landslide-lsm-model"
FORMAT_VERSION = 1
MODEL_SUFFIX = ".lsmodel"
KERNEL_PART = "kernel.npz"
#: the arrays of a kernel part, no more, no less
KERNEL_ARRAYS = ("scaler_mean", "scaler_scale", "centres", "weights", "gamma", "bias", "link",
                 "link_ab")
#: link name -> (a, b) of p = 1 / (1 + exp(a f + b)) when fixed (KLR: the logistic function)
LINKS = {"platt": None, "logistic": (-1.0, 0.0)}

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
    "sklearn.frozen._frozen.FrozenEstimator",
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


@dataclass
class KernelExpansion:
    """The exact probability of an RBF-SVM or KLR pipeline, as plain arrays:

    z = x, then for each StandardScaler in turn z = (z - mean) / scale;
    f = sum_j weights_j exp(-gamma |z - centres_j|^2) + bias;
    P(landslide) = 1 / (1 + exp(a f + b)), with (a, b) = ``link_ab``: Platt's sigmoid for the
    SVM (``link`` 'platt'), (-1, 0), the logistic function, for KLR (``link`` 'logistic').
    """

    scaler_mean: np.ndarray  # (scalers, factors); zeros for a scaler that does not centre
    scaler_scale: np.ndarray  # (scalers, factors); ones for a scaler that does not scale
    centres: np.ndarray  # (centres, factors): support vectors, or KLR's kernel centres
    weights: np.ndarray  # (centres,)
    gamma: float
    bias: float
    link: str
    link_ab: tuple

    def to_bytes(self) -> bytes:
        """The kernel part: an uncompressed .npz of float64 arrays and one string."""
        buf = io.BytesIO()
        np.savez(buf, scaler_mean=np.asarray(self.scaler_mean, dtype=np.float64),
                 scaler_scale=np.asarray(self.scaler_scale, dtype=np.float64),
                 centres=np.asarray(self.centres, dtype=np.float64),
                 weights=np.asarray(self.weights, dtype=np.float64),
                 gamma=np.float64(self.gamma), bias=np.float64(self.bias),
                 link=np.str_(self.link), link_ab=np.asarray(self.link_ab, dtype=np.float64))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, n_factors: int) -> KernelExpansion:
        """Read a kernel part (no pickle); ValueError when it is not a valid one."""
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            if sorted(npz.files) != sorted(KERNEL_ARRAYS):
                raise ValueError(f"unexpected arrays {sorted(npz.files)}")
            arrays = {name: npz[name] for name in KERNEL_ARRAYS}
        link = arrays.pop("link")
        if link.shape != () or link.dtype.kind != "U" or str(link) not in LINKS:
            raise ValueError("unknown link")
        for name, value in arrays.items():
            if value.dtype != np.float64 or not np.all(np.isfinite(value)):
                raise ValueError(f"'{name}' is not finite float64")
        mean, scale, centres = arrays["scaler_mean"], arrays["scaler_scale"], arrays["centres"]
        weights, gamma, ab = arrays["weights"], arrays["gamma"], arrays["link_ab"]
        if (mean.ndim != 2 or mean.shape[1] != n_factors or scale.shape != mean.shape
                or centres.ndim != 2 or centres.shape[1] != n_factors or centres.shape[0] < 1
                or weights.shape != (centres.shape[0],) or gamma.shape != ()
                or arrays["bias"].shape != () or ab.shape != (2,)):
            raise ValueError("array shapes do not fit the model's factors")
        if float(gamma) <= 0 or np.any(scale == 0):
            raise ValueError("gamma or a scale is not positive")
        fixed = LINKS[str(link)]
        if fixed is not None and tuple(ab) != fixed:
            raise ValueError("link parameters do not fit the link")
        return cls(mean, scale, centres, weights, float(gamma), float(arrays["bias"]),
                   str(link), (float(ab[0]), float(ab[1])))


def kernel_expansion(estimator) -> Optional[KernelExpansion]:
    """The exact kernel expansion of a fitted pipeline (StandardScalers, then a Platt-calibrated
    binary RBF SVC, or an RBF Nystroem map and a binary LogisticRegression), else None.

    This is scikit-learn's own computation, rearranged: for KLR the logistic coefficients are
    mapped back through the Nystroem normalisation onto the kernel centres."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    if not isinstance(estimator, Pipeline):
        return None
    steps = [s for _, s in estimator.steps]
    if isinstance(steps[-1], CalibratedClassifierCV):
        scalers, final = steps[:-1], steps[-1:]
    elif (len(steps) >= 2 and isinstance(steps[-2], Nystroem)
          and isinstance(steps[-1], LogisticRegression)):
        scalers, final = steps[:-2], steps[-2:]
    else:
        return None
    if not all(isinstance(s, StandardScaler) for s in scalers):
        return None
    if len(final) == 1:
        calibrated = final[0].calibrated_classifiers_
        if len(calibrated) != 1:
            return None
        svc, sigmoid = calibrated[0].estimator, calibrated[0].calibrators[0]
        if isinstance(svc, FrozenEstimator):  # an SVM calibrated without refitting it
            svc = svc.estimator
        if not isinstance(svc, SVC) or svc.kernel != "rbf" or len(svc.classes_) != 2:
            return None
        centres, weights = svc.support_vectors_, svc.dual_coef_[0]
        gamma, bias = float(svc._gamma), float(svc.intercept_[0])
        link, ab = "platt", (float(sigmoid.a_), float(sigmoid.b_))
    else:
        kernel, logit = final
        if (kernel.kernel != "rbf" or kernel.gamma is None or len(logit.classes_) != 2
                or logit.coef_.shape[0] != 1):
            return None
        centres = kernel.components_
        weights = kernel.normalization_.T @ logit.coef_[0]
        gamma, bias = float(kernel.gamma), float(logit.intercept_[0])
        link, ab = "logistic", LINKS["logistic"]
    n = centres.shape[1]
    mean = np.array([s.mean_ if s.with_mean else np.zeros(n) for s in scalers],
                    dtype=np.float64).reshape(len(scalers), n)
    scale = np.array([s.scale_ if s.with_std else np.ones(n) for s in scalers],
                     dtype=np.float64).reshape(len(scalers), n)
    return KernelExpansion(mean, scale, np.asarray(centres, dtype=np.float64),
                           np.asarray(weights, dtype=np.float64), gamma, bias, link, ab)


def save_model(path: str | Path, estimator, meta: dict, inputs: tuple = ()) -> Path:
    """Write a model file atomically. ``meta`` must be JSON-serialisable. RBF-SVM and KLR
    pipelines also get their kernel expansion (``kernel.npz``) for fast, scikit-learn-free
    maps."""
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
    expansion = kernel_expansion(estimator)
    kernel = expansion.to_bytes() if expansion is not None else None
    if kernel is not None:
        full_meta["kernel_sha256"] = hashlib.sha256(kernel).hexdigest()
    with atomic_file(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.json", json.dumps(full_meta, indent=1, default=_json_default))
        zf.writestr("model.skops", payload)
        if kernel is not None:
            zf.writestr(KERNEL_PART, kernel)
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
    payload, _ = _read_parts(path, meta)
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


def _read_parts(path: Path, meta: dict) -> tuple[bytes, Optional[bytes]]:
    """The model payload and the kernel part (None when the file has none), both checked
    against the SHA-256 recorded in meta.json."""
    with zipfile.ZipFile(path) as zf:
        try:
            payload = zf.read("model.skops")
        except KeyError as exc:
            raise LsmError(f"'{path.name}' has no model inside; it is damaged.") from exc
        names = set(zf.namelist())
        kernel = zf.read(KERNEL_PART) if KERNEL_PART in names else None
    has_kernel = "kernel_sha256" in meta
    if (hashlib.sha256(payload).hexdigest() != meta.get("model_sha256")
            or (has_kernel and (kernel is None or
                                hashlib.sha256(kernel).hexdigest() != meta["kernel_sha256"]))):
        raise LsmError(f"'{path.name}' was modified after it was written (checksum mismatch); "
                       "it is refused. Train the model again or use the original file.")
    return payload, kernel if has_kernel else None


def load_kernel(path: str | Path) -> tuple[dict, Optional[KernelExpansion]]:
    """The metadata of a model file and its kernel expansion (None when the file has none:
    older files, random forest, logistic regression). Every part's checksum is verified, as by
    :func:`load_model`, but nothing is unpickled and neither skops nor scikit-learn is
    imported."""
    path = Path(path)
    meta = read_meta(path)
    _, kernel = _read_parts(path, meta)
    if kernel is None:
        return meta, None
    try:
        expansion = KernelExpansion.from_bytes(kernel, len(meta.get("factors") or []))
    except Exception as exc:  # any parse failure of a damaged part
        raise LsmError(f"'{path.name}' is damaged: its kernel part cannot be read ({exc}). "
                       "Train the model again or use the original file.") from exc
    return meta, expansion


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


#: the format marker of an LSNet model's JSON sidecar (written by the worker)
LSNET_FORMAT = "landslide-lsm-lsnet"


def sidecar_of(model_path: str | Path) -> Path:
    """The JSON sidecar of an LSNet model: 'model.keras' -> 'model.keras.json'."""
    return Path(str(model_path) + ".json")


def read_sidecar(model_path: str | Path) -> dict:
    """The metadata of an LSNet model (its JSON sidecar), checked to be ours; JSON only, so
    neither TensorFlow nor anything else is imported."""
    path = sidecar_of(model_path)
    if not Path(model_path).exists():
        raise LsmError(f"The model file '{model_path}' does not exist.")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LsmError(f"The LSNet model '{Path(model_path).name}' needs its sidecar "
                       f"'{path.name}' beside it (preprocessing and factors); it is missing or "
                       "unreadable.") from exc
    if not isinstance(meta, dict) or meta.get("format") != LSNET_FORMAT:
        raise LsmError(f"'{path.name}' is not a Landslide LSM LSNet sidecar.")
    return meta


def model_kind(path: str | Path) -> Optional[str]:
    """'sklearn' for .lsmodel files, 'lsnet' for LSNet .keras models, else None."""
    suffix = Path(path).suffix.lower()
    if suffix == MODEL_SUFFIX:
        return "sklearn"
    if suffix == ".keras":
        return "lsnet"
    return None
