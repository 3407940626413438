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

import contextlib
import datetime as dt
import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

import numpy as np

from ..version import __version__
from .errors import LsmError
from .raster import atomic_file, check_output_path
from .records import (
    MODEL_FORMAT,
    MODEL_FORMAT_VERSION,
    LsnetMeta,
    ModelMeta,
)
from .safe_files import (
    MAX_JSON_BYTES,
    MIB,
    check_member,
    check_regular_file,
    check_zip,
    open_regular,
    read_regular,
    read_zip_member,
)

FORMAT, FORMAT_VERSION = MODEL_FORMAT, MODEL_FORMAT_VERSION
MODEL_SUFFIX = ".lsmodel"
KERNEL_PART = "kernel.npz"
SIGNATURE_PART = "signature.json"
#: bounds on what a model file may hold, checked on declared sizes before anything inflates
#: (a random forest of 500 deep trees on 100,000 samples is a few hundred MB)
MAX_PAYLOAD_BYTES = 4096 * MIB
MAX_PAYLOAD_INFLATED = 4096 * MIB
MAX_KERNEL_BYTES = 1024 * MIB
MAX_MODEL_INFLATED = MAX_PAYLOAD_BYTES + MAX_KERNEL_BYTES + 2 * MAX_JSON_BYTES
#: what :func:`signature_status` says of a file
SIGNED = "signed"        # signed with this user's key and unchanged since
UNSIGNED = "unsigned"    # no signature of this user's key: trained elsewhere or by 0.1
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
    meta: ModelMeta
    estimator: object
    #: :data:`SIGNED` or :data:`UNSIGNED` (see :func:`signature_status`)
    trust: str = UNSIGNED

    @property
    def model_type(self) -> str:
        return self.meta.model_type

    @property
    def factors(self) -> list:
        return list(self.meta.factors)


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
        arrays = read_npz(data, KERNEL_PART, MAX_KERNEL_BYTES)
        if sorted(arrays) != sorted(KERNEL_ARRAYS):
            raise ValueError(f"unexpected arrays {sorted(arrays)}")
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
    """The exact kernel expansion of a fitted model, else None: an RBF-SVM with its Platt
    sigmoid (:class:`~.platt.PlattSvm`: StandardScalers, then a binary RBF SVC), or a pipeline
    of StandardScalers, an RBF Nystroem map and a binary LogisticRegression (KLR). Files of
    plugin 0.1.0 held the SVM in a CalibratedClassifierCV: :func:`load_model` turns them into a
    PlattSvm (:func:`_platt_svm`).

    This is scikit-learn's own computation rearranged, read through public attributes only: for
    KLR the logistic coefficients are mapped back through the Nystroem normalisation
    (``normalization_``) onto the kernel centres."""
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from .platt import PlattSvm

    link_ab = None
    if isinstance(estimator, PlattSvm):
        estimator, link_ab = estimator.pipeline, estimator.link_ab
    if not isinstance(estimator, Pipeline):
        return None
    steps = [s for _, s in estimator.steps]
    if isinstance(steps[-1], SVC):
        scalers, final = steps[:-1], steps[-1:]
    elif (len(steps) >= 2 and isinstance(steps[-2], Nystroem)
          and isinstance(steps[-1], LogisticRegression)):
        scalers, final = steps[:-2], steps[-2:]
    else:
        return None
    if not all(isinstance(s, StandardScaler) for s in scalers):
        return None
    if len(final) == 1:
        svc = final[0]
        if (link_ab is None or not isinstance(svc, SVC) or svc.kernel != "rbf"
                or len(svc.classes_) != 2 or isinstance(svc.gamma, str)):
            return None
        centres, weights = svc.support_vectors_, svc.dual_coef_[0]
        gamma, bias = float(svc.gamma), float(svc.intercept_[0])
        link, ab = "platt", (float(link_ab[0]), float(link_ab[1]))
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


def check_estimator(estimator, n_factors: int, name: str) -> None:
    """Refuse (LsmError) a loaded model that is not one of the shapes the plugin writes, or
    whose arrays do not fit together: compiled code (decision-tree traversal) trusts them, and a
    tree whose child index points outside itself would crash the process when it predicts.

    Shapes: a Pipeline of StandardScalers, then a Platt-calibrated RBF SVC or an RBF Nystroem
    map with a binary logistic regression (both mapped through their kernel expansion, never
    libsvm), a binary logistic regression, or a random forest (every tree checked)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    def refuse(what: str) -> LsmError:
        return LsmError(f"'{name}' is not a model this plugin can use safely: {what}. It is "
                        "refused and nothing in it was run.")

    from .platt import PlattSvm

    whole = estimator
    if isinstance(estimator, PlattSvm):
        estimator = estimator.pipeline
    if not isinstance(estimator, Pipeline) or not isinstance(estimator.steps, list):
        raise refuse("it is not a scikit-learn pipeline")
    steps = [step for _, step in estimator.steps]
    final = steps[-1] if steps else None
    scalers = steps[:-2] if len(steps) >= 2 and type(steps[-2]).__name__ == "Nystroem" \
        else steps[:-1]
    for scaler in scalers:
        if not isinstance(scaler, StandardScaler):
            raise refuse(f"its step {type(scaler).__name__} is not a scaler")
        for attr in ("mean_", "scale_"):
            value = getattr(scaler, attr, None)
            if value is not None and np.shape(value) != (n_factors,):
                raise refuse(f"its scaler's {attr} does not have one value per factor")
    if isinstance(whole, PlattSvm) or (
            len(steps) >= 2 and type(steps[-2]).__name__ == "Nystroem"):
        try:
            expansion = kernel_expansion(whole)
        except Exception as exc:  # attributes that do not fit together
            raise refuse(f"its kernel model is inconsistent ({exc})") from exc
        if expansion is None or expansion.centres.shape[1] != n_factors:
            raise refuse("its kernel model is not a binary RBF model over the file's factors")
        return
    if isinstance(final, LogisticRegression):
        if np.shape(getattr(final, "coef_", None)) != (1, n_factors) or \
                np.shape(getattr(final, "intercept_", None)) != (1,):
            raise refuse("its logistic regression does not have one weight per factor")
        return
    if isinstance(final, RandomForestClassifier):
        _check_forest(final, n_factors, refuse)
        return
    raise refuse(f"its final step {type(final).__name__} is not a model the plugin trains")


def _check_forest(forest, n_factors: int, refuse) -> None:
    """Every tree of a random forest: node arrays that stay inside themselves, point forward
    (no cycles), split on existing factors and give two class values."""
    from sklearn.tree import DecisionTreeClassifier

    trees = getattr(forest, "estimators_", None)
    if not isinstance(trees, list) or not trees:
        raise refuse("its random forest has no trees")
    if (getattr(forest, "n_outputs_", None) != 1 or len(getattr(forest, "classes_", [])) != 2
            or getattr(forest, "n_features_in_", None) != n_factors):
        raise refuse("its random forest is not a binary model over the file's factors")
    for i, tree in enumerate(trees):
        if (not isinstance(tree, DecisionTreeClassifier)
                or getattr(tree, "n_features_in_", None) != n_factors
                or getattr(tree, "n_outputs_", None) != 1):
            raise refuse(f"tree {i} of its random forest does not fit the file's factors")
        t = tree.tree_
        nodes = int(t.node_count)
        if not 1 <= nodes <= int(t.capacity) or t.n_features != n_factors or t.n_outputs != 1:
            raise refuse(f"tree {i} of its random forest has inconsistent sizes")
        left, right = np.asarray(t.children_left), np.asarray(t.children_right)
        feature = np.asarray(t.feature)
        index = np.arange(nodes)
        inner = left != -1
        if (np.any(right[~inner] != -1) or np.any(left[inner] <= index[inner])
                or np.any(right[inner] <= index[inner]) or np.any(left >= nodes)
                or np.any(right >= nodes) or np.any(feature[inner] < 0)
                or np.any(feature[inner] >= n_factors)):
            raise refuse(f"tree {i} of its random forest has nodes that point outside the tree "
                         "or back up it")
        if np.shape(t.value)[:2] != (nodes, 1) or np.shape(t.value)[2] < 2:
            raise refuse(f"tree {i} of its random forest has values that do not fit its nodes")


def _parts_of(estimator) -> tuple[bytes, Optional[bytes], dict]:
    """The payload and kernel part of a fitted model, and its checksums (and Platt sigmoid)
    as meta.json records them."""
    import skops.io as sio

    from .platt import PlattSvm

    # an SVM is stored as its scikit-learn pipeline, with its Platt sigmoid in meta.json
    payload = sio.dumps(estimator.pipeline if isinstance(estimator, PlattSvm) else estimator)
    record: dict = {"model_sha256": hashlib.sha256(payload).hexdigest()}
    if isinstance(estimator, PlattSvm):
        record["platt"] = list(estimator.link_ab)
    expansion = kernel_expansion(estimator)
    kernel = expansion.to_bytes() if expansion is not None else None
    if kernel is not None:
        record["kernel_sha256"] = hashlib.sha256(kernel).hexdigest()
    return payload, kernel, record


def member_names(i: int) -> tuple[str, str]:
    """The zip names of ensemble member ``i``'s payload and kernel part."""
    return f"members/{i}.skops", f"members/{i}.kernel.npz"


def save_model(path: str | Path, estimator, meta: dict | ModelMeta, inputs: tuple = (),
               signing_key: Optional[bytes] = None, members: Sequence = (),
               ensemble: str = "") -> Path:
    """Write a model file atomically. ``meta``: the fields that describe the model (a dict of
    JSON values, or the metadata of another file); the format, checksums and Platt sigmoid are
    set here, and the whole is checked as :class:`ModelMeta` before anything is written.
    RBF-SVM and KLR pipelines also get their kernel expansion (``kernel.npz``) for fast,
    scikit-learn-free maps. With ``signing_key`` the file is signed (:func:`sign`).
    ``members``: an ensemble of the same model type (``ensemble`` says how it was made), kept
    for uncertainty maps, each member's parts under ``members/`` with its checksums."""
    out = check_output_path(str(path), inputs)
    if out.suffix.lower() != MODEL_SUFFIX:
        raise LsmError(f"Model files end in {MODEL_SUFFIX}; choose a name like "
                       f"'{out.stem}{MODEL_SUFFIX}'.")
    full_meta = meta.to_dict() if isinstance(meta, ModelMeta) else dict(meta)
    for stale in ("platt", "kernel_sha256", "model_sha256", "ensemble"):  # set below
        full_meta.pop(stale, None)
    payload, kernel, record = _parts_of(estimator)
    full_meta.update(record, format=FORMAT, format_version=FORMAT_VERSION,
                     plugin_version=__version__,
                     created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    member_parts = [_parts_of(m) for m in members]
    if member_parts:
        full_meta["ensemble"] = {"kind": ensemble or "unnamed",
                                 "members": [r for _, _, r in member_parts]}
    # through the format's checks and back: what is written is what readers accept
    full_meta = json.loads(json.dumps(full_meta, default=_json_default))
    full_meta = ModelMeta.from_dict(full_meta, out.name).to_dict()
    raw_meta = json.dumps(full_meta, indent=1).encode("utf-8")
    with atomic_file(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.json", raw_meta)
        zf.writestr("model.skops", payload)
        if kernel is not None:
            zf.writestr(KERNEL_PART, kernel)
        for i, (member_payload, member_kernel, _) in enumerate(member_parts):
            payload_name, kernel_name = member_names(i)
            zf.writestr(payload_name, member_payload)
            if member_kernel is not None:
                zf.writestr(kernel_name, member_kernel)
        if signing_key:
            zf.writestr(SIGNATURE_PART, json.dumps(sign(raw_meta, signing_key)))
    return out


# --- signatures ------------------------------------------------------------------------------
# The SHA-256 checksums inside a file detect damage, not deliberate edits: whoever edits a file
# can recompute them. A signature is an HMAC-SHA256 of the exact meta.json bytes (which hold
# the checksums of every other part) under a key kept in this user's QGIS settings: a file
# signed here and edited since is refused; a file without this key's signature (trained on
# another machine or by an older version) loads with a warning (see unsigned_warning).

def key_id(key: bytes) -> str:
    """A short public name of a signing key (which key signed a file, without revealing it)."""
    return hashlib.sha256(b"landslide-lsm-key-id" + key).hexdigest()[:16]


def sign(data: bytes, key: bytes) -> dict:
    """The signature record of ``data`` under ``key``."""
    return {"algorithm": "hmac-sha256", "key_id": key_id(key),
            "mac": hmac.new(key, data, hashlib.sha256).hexdigest()}


def signature_status(data: bytes, signature: Optional[bytes], key: Optional[bytes],
                     name: str) -> str:
    """:data:`SIGNED` when ``signature`` (the raw signature record) is ``key``'s valid
    signature of ``data``; :data:`UNSIGNED` when there is none, or another key made it; an
    LsmError when it is this key's signature but ``data`` changed since signing."""
    if not key or signature is None:
        return UNSIGNED
    try:
        record = json.loads(signature.decode("utf-8"))
        kid, mac = record["key_id"], record["mac"]
        if not isinstance(kid, str) or not isinstance(mac, str):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LsmError(f"'{name}' has a malformed signature; it is refused.") from exc
    if kid != key_id(key):
        return UNSIGNED
    if not hmac.compare_digest(mac, sign(data, key)["mac"]):
        raise LsmError(f"'{name}' was signed by this installation and has been modified since "
                       "(signature mismatch); it is refused. Train the model again or use the "
                       "original file.")
    return SIGNED


def unsigned_warning(name: str) -> str:
    """What the log says of a model file that this installation did not sign."""
    return (f"'{name}' was not trained by this QGIS user profile (no signature of its key): "
            "it may come from another machine or an older version of the plugin. Its "
            "checksums detect damage, not deliberate edits; use model files only from sources "
            "you trust.")


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@contextlib.contextmanager
def _model_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    """A model file opened as a zip: a regular file only (never a FIFO or device), with its
    members' declared sizes bounded (a zip bomb is refused before anything inflates)."""
    with open_regular(path, "model file") as fh:
        try:
            zf = zipfile.ZipFile(fh)
        except Exception as exc:  # hostile bytes fail in many ways
            raise LsmError(_not_ours(path)) from exc
        with zf:
            check_zip(zf, path.name, MAX_MODEL_INFLATED)
            yield zf


def _not_ours(path: Path) -> str:
    return (f"'{path.name}' is not a Landslide LSM model file. Choose a file written by one of "
            "the plugin's Train algorithms.")


def check_meta(meta, name: str) -> ModelMeta:
    """The fields of a model file's meta.json that loading and mapping rely on, checked
    (:meth:`ModelMeta.from_dict`): LsmError naming the file and the field otherwise."""
    return ModelMeta.from_dict(meta, name)


def _read_meta_bytes(zf: zipfile.ZipFile, path: Path) -> tuple[ModelMeta, bytes]:
    try:
        raw = read_zip_member(zf, "meta.json", MAX_JSON_BYTES, path.name)
        meta = json.loads(raw.decode("utf-8"))
    except (KeyError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise LsmError(_not_ours(path)) from exc
    return check_meta(meta, path.name), raw


def read_meta(path: str | Path) -> ModelMeta:
    """The metadata of a model file, checked to be ours (no model object is built)."""
    path = Path(path)
    with _model_zip(path) as zf:
        return _read_meta_bytes(zf, path)[0]


@dataclass
class ModelParts:
    """A model file's parts, each checked against the SHA-256 in its meta.json."""

    meta: ModelMeta
    payload: bytes
    kernel: Optional[bytes]
    #: see :func:`signature_status`
    trust: str


def read_parts(path: str | Path, signing_key: Optional[bytes] = None,
               with_payload: bool = True, member: Optional[int] = None) -> ModelParts:
    """Read and check a model file (or its ensemble member ``member``): bounded sizes,
    checksums, and the signature (refused when it was signed with ``signing_key`` and changed
    since)."""
    path = Path(path)
    with _model_zip(path) as zf:
        meta, raw_meta = _read_meta_bytes(zf, path)
        payload_name, kernel_name = "model.skops", KERNEL_PART
        if member is not None:
            if not 0 <= member < meta.ensemble_size:
                raise LsmError(f"'{path.name}' has no ensemble member {member + 1}.")
            meta = meta.member(member)
            payload_name, kernel_name = member_names(member)
        names = set(zf.namelist())
        if payload_name not in names:
            raise LsmError(f"'{path.name}' has no model inside ({payload_name}); it is damaged.")
        payload = (read_zip_member(zf, payload_name, MAX_PAYLOAD_BYTES, path.name)
                   if with_payload else b"")
        has_kernel = meta.kernel_sha256 is not None
        if has_kernel and kernel_name not in names:
            raise LsmError(f"'{path.name}' lacks its kernel part; it is damaged.")
        kernel = (read_zip_member(zf, kernel_name, MAX_KERNEL_BYTES, path.name)
                  if has_kernel else None)
        signature = (read_zip_member(zf, SIGNATURE_PART, 4096, path.name)
                     if SIGNATURE_PART in names else None)
    if ((with_payload and hashlib.sha256(payload).hexdigest() != meta.model_sha256)
            or (kernel is not None
                and hashlib.sha256(kernel).hexdigest() != meta.kernel_sha256)):
        raise LsmError(f"'{path.name}' was damaged or modified after it was written (checksum "
                       "mismatch); it is refused. Train the model again or use the original "
                       "file.")
    trust = signature_status(raw_meta, signature, signing_key, path.name)
    return ModelParts(meta, payload, kernel, trust)


def load_model(path: str | Path, signing_key: Optional[bytes] = None,
               member: Optional[int] = None) -> LoadedModel:
    """Load a model file (or its ensemble member ``member``); refuse anything that is not
    ours, not intact, or not a model of the shapes the plugin writes."""
    import skops.io as sio

    path = Path(path)
    parts = read_parts(path, signing_key, member=member)
    payload = parts.payload
    try:
        check_payload_zip(payload, path.name)
        named = payload_types(payload)
        untrusted = sio.get_untrusted_types(data=payload)
    except LsmError:
        raise
    except Exception as exc:  # any parse failure of a damaged payload
        raise LsmError(f"'{path.name}' is damaged: {exc}") from exc
    allowed = set(TRUSTED_TYPES) | set(BASIC_TYPES)
    unexpected = sorted((named | set(untrusted)) - allowed)
    if unexpected:
        raise LsmError(f"'{path.name}' contains types that are not allowed in a model file "
                       f"({', '.join(unexpected)}); it is refused and nothing in it was run.")
    try:
        estimator = sio.loads(payload, trusted=list(untrusted))
    except Exception as exc:  # a payload whose parts do not fit together
        raise LsmError(f"'{path.name}' is damaged: its model cannot be rebuilt ({exc}).") \
            from exc
    estimator = _platt_svm(estimator, parts, path.name)
    check_estimator(estimator, len(parts.meta.factors), path.name)
    return LoadedModel(parts.meta, estimator, parts.trust)


def _platt_svm(estimator, parts: ModelParts, name: str):
    """An SVM pipeline put back together with its Platt sigmoid: from meta.json's ``platt``, or,
    for a plugin-0.1.0 file (the SVM inside a CalibratedClassifierCV), from its kernel part's
    link, so that no scikit-learn private attribute is read. Other models are returned as they
    are."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.pipeline import Pipeline
    from sklearn.svm import SVC

    from .platt import PlattSvm

    def damaged(what: str) -> LsmError:
        return LsmError(f"'{name}' is damaged: {what}. Train the model again or use the "
                        "original file.")

    if not isinstance(estimator, Pipeline) or not estimator.steps:
        return estimator
    final = estimator.steps[-1][1]
    if parts.meta.platt is not None:  # two finite numbers (ModelMeta.from_dict)
        if not isinstance(final, SVC):
            raise damaged("meta.json has a Platt sigmoid but the model is not an SVM")
        return PlattSvm(estimator, *parts.meta.platt)
    if isinstance(final, SVC):
        raise damaged("an SVM without its Platt sigmoid (meta.json field 'platt')")
    if not isinstance(final, CalibratedClassifierCV):
        return estimator
    # plugin 0.1.0: CalibratedClassifierCV(FrozenEstimator(svc)); the sigmoid is the kernel
    # part's link (both under the file's checksums)
    frozen = final.estimator
    if not isinstance(frozen, FrozenEstimator) or not isinstance(frozen.estimator, SVC) \
            or parts.kernel is None:
        raise LsmError(f"'{name}' was written by an early development version of the plugin; "
                       "train the model again.")
    try:
        link = KernelExpansion.from_bytes(parts.kernel, len(parts.meta.factors)).link_ab
    except Exception as exc:  # a damaged part
        raise damaged(f"its kernel part cannot be read ({exc})") from exc
    return PlattSvm(Pipeline(estimator.steps[:-1] + [("model", frozen.estimator)]), *link)


def load_kernel(path: str | Path, signing_key: Optional[bytes] = None,
                member: Optional[int] = None
                ) -> tuple[ModelMeta, Optional[KernelExpansion], str]:
    """The metadata of a model file, its kernel expansion (None when the file has none: older
    files, random forest, logistic regression) and its trust (:func:`signature_status`). Every
    part's checksum is verified, as by :func:`load_model`, but nothing is unpickled and neither
    skops nor scikit-learn is imported."""
    path = Path(path)
    parts = read_parts(path, signing_key, member=member)
    if parts.kernel is None:
        return parts.meta, None, parts.trust
    try:
        expansion = KernelExpansion.from_bytes(parts.kernel, len(parts.meta.factors))
    except Exception as exc:  # any parse failure of a damaged part
        raise LsmError(f"'{path.name}' is damaged: its kernel part cannot be read ({exc}). "
                       "Train the model again or use the original file.") from exc
    return parts.meta, expansion, parts.trust


def check_payload_zip(payload: bytes, name: str) -> None:
    """The skops payload is itself a zip: bound its members (declared sizes, ratios) and check
    that every array's header fits its bytes, before skops inflates or allocates anything."""
    try:
        inner = zipfile.ZipFile(io.BytesIO(payload))
    except Exception as exc:  # hostile bytes fail in many ways
        raise LsmError(f"'{name}' is damaged: its model part is not a skops payload.") from exc
    with inner:
        check_zip(inner, name, MAX_PAYLOAD_INFLATED)
        for info in inner.infolist():
            check_member(info, MAX_PAYLOAD_INFLATED, name)
            if info.filename.endswith(".npy"):
                try:
                    with inner.open(info) as fh:
                        _npy_header(fh, info.file_size, f"{name}: {info.filename}")
                except LsmError:
                    raise
                except Exception as exc:  # a member that cannot even be opened
                    raise LsmError(f"'{name}' is damaged: '{info.filename}' cannot be read "
                                   f"({exc}).") from exc


def _npy_header(fh, size: int, where: str) -> tuple[tuple, bool, np.dtype, int]:
    """Shape, Fortran order, dtype and header length of a .npy stream of ``size`` bytes;
    LsmError unless the header's shape and dtype fill exactly the bytes that follow it (so no
    array larger than its file is ever allocated) and the dtype holds no objects."""
    from numpy.lib import format as npy

    try:
        version = npy.read_magic(fh)
        reader = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
        shape, fortran, dtype = reader(fh)
    except Exception as exc:  # any malformed header
        raise LsmError(f"'{where}' is not a valid array ({exc}); the file is refused.") from exc
    if dtype.hasobject:
        raise LsmError(f"'{where}' holds Python objects; the file is refused.")
    header = fh.tell()
    count = 1
    for n in shape:
        count *= int(n)
    if count * dtype.itemsize != size - header:
        raise LsmError(f"'{where}' declares an array of {count:,} values that does not fit its "
                       f"{size - header:,} bytes; the file is refused.")
    return shape, fortran, dtype, header


def read_npz(data: bytes, name: str, limit: int) -> dict[str, np.ndarray]:
    """The arrays of an .npz (uncompressed or deflated), read within ``limit`` bytes in all;
    no pickle, no object arrays, no array larger than its bytes."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # hostile bytes fail in many ways
        raise LsmError(f"'{name}' is not an array archive.") from exc
    arrays: dict[str, np.ndarray] = {}
    with zf:
        check_zip(zf, name, limit)
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                raise LsmError(f"'{name}' holds '{info.filename}', which is not an array.")
            raw = read_zip_member(zf, info.filename, limit, name)
            shape, fortran, dtype, header = _npy_header(io.BytesIO(raw), len(raw),
                                                        f"{name}: {info.filename}")
            count = (len(raw) - header) // dtype.itemsize if dtype.itemsize else 0
            values = np.frombuffer(raw, dtype=dtype, count=count, offset=header)
            arrays[info.filename[:-4]] = values.reshape(shape, order="F" if fortran else "C")
    return arrays


def payload_types(payload: bytes) -> set[str]:
    """Every 'module.Class' a skops payload names, read from its schema (nothing is built)."""
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        schema = json.loads(read_zip_member(zf, "schema.json", MAX_JSON_BYTES, "model.skops")
                            .decode("utf-8"))
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


#: an LSNet .keras file (a zip: config, weights) is at most this large, inflated
MAX_KERAS_BYTES = 2048 * MIB


def sidecar_of(model_path: str | Path) -> Path:
    """The JSON sidecar of an LSNet model: 'model.keras' -> 'model.keras.json'."""
    return Path(str(model_path) + ".json")


def read_sidecar(model_path: str | Path) -> LsnetMeta:
    """The metadata of an LSNet model (its JSON sidecar), checked to be ours and to carry the
    .keras file's checksum; JSON only, so neither TensorFlow nor anything else is imported."""
    path = sidecar_of(model_path)
    check_regular_file(model_path, "model file")
    try:
        raw = read_regular(path, "LSNet sidecar", MAX_JSON_BYTES)
    except LsmError as exc:
        raise LsmError(f"The LSNet model '{Path(model_path).name}' needs its sidecar "
                       f"'{path.name}' beside it (preprocessing and factors): {exc}") from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise LsmError(f"'{path.name}' is not a Landslide LSM LSNet sidecar (not JSON).") \
            from exc
    return LsnetMeta.from_dict(data, path.name)


def _canonical(meta: LsnetMeta) -> bytes:
    body = {k: v for k, v in meta.to_dict().items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      default=_json_default).encode("utf-8")


def sign_sidecar(meta: LsnetMeta, key: bytes) -> LsnetMeta:
    """The sidecar with this key's signature of everything else in it (which includes the
    .keras file's checksum)."""
    return replace(meta, signature=sign(_canonical(meta), key))


def sidecar_trust(meta: LsnetMeta, key: Optional[bytes], name: str) -> str:
    """:data:`SIGNED` or :data:`UNSIGNED` for an LSNet sidecar; an LsmError when this key
    signed it and it changed since (see :func:`signature_status`)."""
    signature = meta.signature
    raw = json.dumps(signature).encode("utf-8") if signature is not None else None
    return signature_status(_canonical(meta), raw, key, name)


def check_keras_file(data: bytes, name: str) -> None:
    """Bound a .keras file (a zip) before Keras opens it: declared sizes and ratios."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # hostile bytes fail in many ways
        raise LsmError(f"'{name}' is not a Keras model file.") from exc
    with zf:
        check_zip(zf, name, MAX_KERAS_BYTES)
        for info in zf.infolist():
            check_member(info, MAX_KERAS_BYTES, name)


def model_kind(path: str | Path) -> Optional[str]:
    """'sklearn' for .lsmodel files, 'lsnet' for LSNet .keras models, else None."""
    suffix = Path(path).suffix.lower()
    if suffix == MODEL_SUFFIX:
        return "sklearn"
    if suffix == ".keras":
        return "lsnet"
    return None
