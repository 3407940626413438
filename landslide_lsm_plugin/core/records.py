"""Formats shared between modules and processes, named once.

* the LSNet worker protocol: the events the worker prints (one JSON object per line) and its
  exit codes, read by the client (lsnet/client.py) and written by the worker (lsnet/worker.py);
* the metadata tags of an LSI raster (:class:`LsiTags`), written by *Predict LSI* and the LSNet
  worker and read by *Evaluate* and the report; of a zone raster (:class:`ZoneTags`); of a
  factor stack and its bands (:class:`StackTags`, :class:`BandTags`);
* a model file's ``meta.json`` (:class:`ModelMeta`) and an LSNet model's sidecar
  (:class:`LsnetMeta`), written by training and read by mapping, *Evaluate* and the report;
* the results file of *Evaluate* (:class:`EvaluationResults` of :class:`EvaluatedModel`),
  its fields checked by core.results_file.

Each format has a version; a file of a newer version than this plugin reads is refused with
a message that says to update the plugin.

Pure Python: importable by the worker's interpreter (no scikit-learn there) and by core.
"""

from __future__ import annotations

import json
import math
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from enum import IntEnum
from typing import ClassVar, Optional

from .errors import LsmError

# --- the LSNet worker protocol -------------------------------------------------------------------

#: every event the worker prints; the client ignores lines that are none of these
WORKER_EVENTS = ("progress", "info", "warning", "start", "epoch", "trained", "mapped", "probe",
                 "explained", "done", "error")


class WorkerExit(IntEnum):
    """Exit codes of the LSNet worker."""

    OK = 0
    USAGE = 2
    REFUSED = 3          # an LsmError: the input is wrong, the message says why
    OUT_OF_MEMORY = 4
    UNEXPECTED = 5       # an exception the worker did not expect (it prints the traceback)


#: the version of the worker protocol, sent in every event ("v"); a client refuses none (a
#: worker is always the plugin's own, started by this client), but it names the format
WORKER_PROTOCOL_VERSION = 1


@dataclass(frozen=True)
class WorkerEvent:
    """One line of the LSNet worker protocol: an event ``kind`` (one of WORKER_EVENTS) and its
    fields (JSON values). Treat the mapping as read-only."""

    kind: str
    fields: dict = field(default_factory=dict)
    version: int = WORKER_PROTOCOL_VERSION

    def to_json(self) -> str:
        """The line the worker prints."""
        if self.kind not in WORKER_EVENTS:
            raise ValueError(f"unknown worker event {self.kind!r}")
        return json.dumps({"event": self.kind, "v": self.version, **self.fields}, default=float)

    @classmethod
    def from_json(cls, line: str) -> Optional[WorkerEvent]:
        """The event of a protocol line, or None for any other output (TensorFlow's own lines,
        malformed JSON, unknown events)."""
        line = line.strip()
        if not line.startswith("{"):
            return None
        try:
            data = json.loads(line)
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("event") not in WORKER_EVENTS:
            return None
        version = data.get("v", 1)
        fields = {k: v for k, v in data.items() if k not in ("event", "v")}
        return cls(data["event"], fields, version if isinstance(version, int) else 1)

    def get(self, name: str, default=None):
        """A field of the event, or ``default``."""
        return self.fields.get(name, default)


def worker_event(kind: str, **fields) -> str:
    """One line of the worker protocol."""
    return WorkerEvent(kind, fields).to_json()


def parse_worker_event(line: str) -> Optional[WorkerEvent]:
    """The event of a protocol line, or None for any other output."""
    return WorkerEvent.from_json(line)


# --- LSI raster tags -----------------------------------------------------------------------------

#: the tag that marks a raster as an LSI map, and its value (the tags' format version)
LSI_TAG, LSI_TAGS_VERSION = "LSM_LSI", 1


def _number(text) -> Optional[float]:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class LsiTags:
    """What an LSI raster records of the model that made it (GDAL dataset metadata)."""

    model_type: str = ""
    model_name: str = ""
    model_file: str = ""
    training_time_s: Optional[float] = None
    cv_auroc: Optional[float] = None
    map_time_s: Optional[float] = None
    #: the raster of the ensemble's standard deviation written with this map ("" if none)
    sd_file: str = ""
    #: members of the ensemble whose mean this map is (0: a single model)
    ensemble_size: int = 0

    KEYS: ClassVar[dict[str, str]] = {"model_type": "LSM_MODEL_TYPE",
                                      "model_name": "LSM_MODEL_NAME",
                                      "model_file": "LSM_MODEL_FILE",
                                      "training_time_s": "LSM_TRAINING_TIME",
                                      "cv_auroc": "LSM_CV_AUROC", "map_time_s": "LSM_MAP_TIME",
                                      "sd_file": "LSM_SD_FILE",
                                      "ensemble_size": "LSM_ENSEMBLE_SIZE"}

    def to_metadata(self) -> dict[str, str]:
        """GDAL metadata items (strings); unknown values are left out."""
        items = {LSI_TAG: str(LSI_TAGS_VERSION)}
        for field_name, value in asdict(self).items():
            if value not in (None, "") and not (field_name == "ensemble_size" and not value):
                items[self.KEYS[field_name]] = (f"{value:.6g}" if isinstance(value, float)
                                                else str(value))
        return items

    @classmethod
    def from_metadata(cls, items: dict) -> LsiTags:
        """Read the tags of a raster (any missing or unreadable value stays unknown)."""
        def text(key: str) -> str:
            value = items.get(cls.KEYS[key])
            return value if isinstance(value, str) else ""

        return cls(model_type=text("model_type"), model_name=text("model_name"),
                   model_file=text("model_file"),
                   training_time_s=_number(items.get(cls.KEYS["training_time_s"])),
                   cv_auroc=_number(items.get(cls.KEYS["cv_auroc"])),
                   map_time_s=_number(items.get(cls.KEYS["map_time_s"])),
                   sd_file=text("sd_file"),
                   ensemble_size=int(_number(items.get(cls.KEYS["ensemble_size"])) or 0))

    @classmethod
    def of_model(cls, meta: ModelMeta | LsnetMeta, name: str, model_file: str = "") -> LsiTags:
        """The tags of a map made by the model of this metadata, read from ``model_file``."""
        return cls(model_type=meta.model_type, model_name=str(name), model_file=model_file,
                   training_time_s=_number(meta.training_time_s),
                   cv_auroc=_number(meta.cv_score))

    @staticmethod
    def is_lsi(items: dict) -> bool:
        return items.get(LSI_TAG) not in (None, "")


# --- zone raster and factor stack tags -----------------------------------------------------------

#: more zone labels than any zoning has (Classify LSI makes at most 10 classes)
MAX_ZONE_LABELS = 32
#: a tag's text is read only up to this size (a hostile raster may hold huge items)
MAX_TAG_CHARS = 64 * 1024 * 1024


@dataclass(frozen=True)
class ZoneTags:
    """What a zone raster (*Classify LSI*) records: the LSI it classes, the method, the class
    boundaries and the class labels (GDAL dataset metadata)."""

    source_lsi: str = ""
    method: str = ""
    breaks: tuple[float, ...] = ()
    labels: tuple[str, ...] = ()

    KEYS: ClassVar[dict] = {"source_lsi": "LSM_SOURCE_LSI", "method": "LSM_ZONING_METHOD",
                            "breaks": "LSM_ZONING_BREAKS", "labels": "LSM_ZONING_LABELS"}

    def to_metadata(self) -> dict[str, str]:
        return {self.KEYS["source_lsi"]: self.source_lsi, self.KEYS["method"]: self.method,
                self.KEYS["breaks"]: ",".join(repr(float(e)) for e in self.breaks),
                self.KEYS["labels"]: "|".join(self.labels)}

    @classmethod
    def from_metadata(cls, items: dict) -> ZoneTags:
        """The tags of a raster; what is missing or unreadable stays empty (a raster from
        another tool has none)."""
        def text(key: str) -> str:
            value = items.get(cls.KEYS[key])
            return value if isinstance(value, str) and len(value) <= MAX_TAG_CHARS else ""

        breaks = tuple(v for v in (_number(b) for b in text("breaks").split(",") if b)
                       if v is not None)
        labels = tuple(label for label in text("labels").split("|") if label)
        return cls(text("source_lsi"), text("method"), breaks,
                   labels if len(labels) <= MAX_ZONE_LABELS else ())


#: the tags of a factor stack (dataset level) and of its bands
STACK_TAG, ENCODING_TAG = "LSM_STACK", "LSM_ENCODING"
FR_FINGERPRINT_TAG, FR_ENCODING_TAG = "LSM_FR_FINGERPRINT", "LSM_FR_ENCODING"
FR_SAMPLES_TAG = "LSM_FR_SAMPLES"
KIND_TAG, SOURCE_TAG = "LSM_KIND", "LSM_SOURCE"
CATEGORIES_TAG, ENCODED_FROM_TAG = "LSM_CATEGORIES", "LSM_ENCODED_FROM"


@dataclass(frozen=True)
class StackTags:
    """What a factor stack records (GDAL dataset metadata): that it is one (format version),
    its encoding ('raw' or 'fr'), and for an FR-encoded stack its FR table (the encoding spec
    with its fingerprint) and the samples the table was fitted on (core.provenance)."""

    encoding: str = "raw"
    fr_encoding: Optional[dict] = None
    #: the packed record of core.provenance, as written (read by read_provenance)
    fr_samples: Optional[str] = None
    version: int = 1

    def to_metadata(self) -> dict[str, str]:
        items = {STACK_TAG: str(self.version), ENCODING_TAG: self.encoding}
        if self.fr_encoding is not None:
            items[FR_FINGERPRINT_TAG] = str(self.fr_encoding.get("fingerprint", ""))
            items[FR_ENCODING_TAG] = json.dumps(self.fr_encoding)
        if self.fr_samples:
            items[FR_SAMPLES_TAG] = self.fr_samples
        return items

    @classmethod
    def from_metadata(cls, items: dict, source: str) -> StackTags:
        """The tags of a raster (any raster: without ours it is a raw stack). An FR table that
        is not readable is an LsmError naming the raster: mapping with a damaged table would
        give a wrong map."""
        encoding = items.get(ENCODING_TAG)
        spec_text = items.get(FR_ENCODING_TAG)
        spec = None
        if spec_text:
            try:
                spec = json.loads(spec_text) if len(spec_text) <= MAX_TAG_CHARS else None
            except (ValueError, RecursionError):
                spec = None
            if not isinstance(spec, dict):
                raise LsmError(f"The FR table stored in '{source}' (metadata item "
                               f"{FR_ENCODING_TAG}) is damaged. Encode the stack again with "
                               "'Frequency ratio'.")
        version = items.get(STACK_TAG)
        fr_samples = items.get(FR_SAMPLES_TAG)
        return cls(encoding if encoding in ("raw", "fr") else "raw", spec,
                   fr_samples if isinstance(fr_samples, str) else None,
                   int(version) if isinstance(version, str) and version.isdigit() else 1)


@dataclass(frozen=True)
class BandTags:
    """What each band of a factor stack records: its kind, the raster it came from, the
    category codes of a categorical factor, and the kind a band was FR-encoded from."""

    kind: str = "continuous"
    source: str = ""
    categories: Optional[dict] = None
    encoded_from: str = ""

    def to_metadata(self) -> dict[str, str]:
        items = {KIND_TAG: self.kind}
        if self.source:
            items[SOURCE_TAG] = self.source
        if self.categories:
            items[CATEGORIES_TAG] = json.dumps(self.categories)
        if self.encoded_from:
            items[ENCODED_FROM_TAG] = self.encoded_from
        return items


# --- model metadata: a model file's meta.json and an LSNet model's sidecar -----------------------

#: the format markers and the newest versions this plugin reads and writes
MODEL_FORMAT, MODEL_FORMAT_VERSION = "landslide-lsm-model", 1
LSNET_FORMAT, LSNET_FORMAT_VERSION = "landslide-lsm-lsnet", 1
#: a model file names at most this many factors
MAX_FACTORS = 10_000


def _is_sha256(value) -> bool:
    return (isinstance(value, str) and len(value) == 64
            and all(c in "0123456789abcdef" for c in value))


class _Reader:
    """Field checks for one JSON document; errors name the document and the field."""

    def __init__(self, data: dict, source: str, document: str) -> None:
        self.data, self.source, self.document = data, source, document

    def bad(self, name: str, what: str) -> LsmError:
        return LsmError(f"'{self.source}' is damaged: {self.document} field '{name}' {what}. "
                        "Train the model again or use the original file.")

    def version(self, newest: int, default: Optional[int] = None) -> int:
        value = self.data.get("format_version", default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise self.bad("format_version", "is not a whole number >= 1")
        if value > newest:
            raise LsmError(f"'{self.source}' was written by a newer Landslide LSM (format "
                           f"{value}; this version reads up to {newest}). Update the plugin.")
        return value

    def factors(self, distinct: bool) -> tuple[str, ...]:
        value = self.data.get("factors")
        if (not isinstance(value, list) or len(value) > MAX_FACTORS
                or not all(isinstance(f, str) and f for f in value)
                or (distinct and (not value or len(set(value)) != len(value)))):
            raise self.bad("factors", "is not a list of distinct factor names" if distinct
                           else "is not a list of names")
        return tuple(value)

    def text(self, name: str, default: str = "", required: bool = False) -> str:
        value = self.data.get(name, None if required else default)
        if not isinstance(value, str):
            raise self.bad(name, "is not text")
        return value

    def optional_text(self, name: str) -> Optional[str]:
        value = self.data.get(name)
        if value is not None and not isinstance(value, str):
            raise self.bad(name, "is not text")
        return value

    def number(self, name: str) -> Optional[float]:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.bad(name, "is not a number")
        return value  # as written (an int stays an int: the document round-trips exactly)

    def mapping(self, name: str) -> Optional[dict]:
        value = self.data.get(name)
        if value is not None and not isinstance(value, dict):
            raise self.bad(name, "is not an object")
        return value

    def model_fields(self) -> dict:
        """The fields every model's metadata has (model file and LSNet sidecar alike): the
        factors' encoding and FR table, and the training record."""
        return {"encoding": self.text("encoding", "raw"),
                "fr_fingerprint": self.optional_text("fr_fingerprint"),
                "fr_encoding": self.mapping("fr_encoding"),
                "fr_samples": self.mapping("fr_samples"),
                "cv_score": self.number("cv_score"),
                "training_time_s": self.number("training_time_s")}

    def checksum(self, name: str, required: bool) -> Optional[str]:
        value = self.data.get(name)
        if value is None and not required:
            return None
        if not _is_sha256(value):
            raise self.bad(name, "is missing or not a SHA-256; a file without its checksum "
                           "cannot be checked, so it is refused" if required
                           else "is not a SHA-256")
        return value


def _document(record, marker: str) -> dict:
    """The JSON object of a metadata record: its format marker, its typed fields (those without
    a value, and defaults the source did not hold, left out) and its details, so a document
    read and written back is the same document."""
    out = {"format": marker}
    for f in fields(record):
        if f.name in ("details", "written"):
            continue
        value = getattr(record, f.name)
        if value is None or (value == f.default and f.name not in record.written
                             and f.name != "format_version"):
            continue
        out[f.name] = list(value) if isinstance(value, tuple) else value
    out.update(record.details)
    return out


#: at most this many ensemble members in a model file
MAX_MEMBERS = 100


def _finite_pair(value) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                    for v in value))


def _ensemble(r: _Reader, value) -> Optional[dict]:
    """A model file's ensemble record, checked."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise r.bad("ensemble", "is not an ensemble record")
    members = value.get("members")
    if not isinstance(members, list) or not 1 <= len(members) <= MAX_MEMBERS:
        raise r.bad("ensemble", f"does not list 1 to {MAX_MEMBERS} members")
    for i, m in enumerate(members):
        if (not isinstance(m, dict) or not _is_sha256(m.get("model_sha256"))
                or ("kernel_sha256" in m and not _is_sha256(m["kernel_sha256"]))
                or ("platt" in m and not _finite_pair(m["platt"]))):
            raise r.bad("ensemble", f"member {i + 1} lacks a checksum or has a bad one")
    return value


@dataclass(frozen=True)
class ModelMeta:
    """A model file's ``meta.json``: what the model expects (factors and their encoding), the
    checksums of the file's parts, and how it was made. The fields that loading and mapping
    rely on are typed and checked; the rest (hyperparameters, CV, sample counts, seed...) is
    kept as written in :attr:`details`. Treat the mappings as read-only."""

    model_type: str
    factors: tuple[str, ...]
    model_sha256: str
    name: str = ""
    format_version: int = MODEL_FORMAT_VERSION
    kernel_sha256: Optional[str] = None
    #: the SVM's Platt sigmoid (a, b): P = 1 / (1 + exp(a f + b))
    platt: Optional[tuple[float, float]] = None
    encoding: str = "raw"
    fr_fingerprint: Optional[str] = None
    fr_encoding: Optional[dict] = None
    fr_samples: Optional[dict] = None
    #: the chosen hyperparameters (and the scaler, kernel approximation where used)
    hyperparameters: Optional[dict] = None
    cv_score: Optional[float] = None
    training_time_s: Optional[float] = None
    #: the ensemble kept for uncertainty maps: {"kind": ..., "members": [{"model_sha256",
    #: "kernel_sha256" (SVM/KLR), "platt" (SVM)}, ...]} (see :meth:`member`)
    ensemble: Optional[dict] = None
    details: dict = field(default_factory=dict)
    #: the fields the document held (a default it did not hold is not written back)
    written: frozenset = field(default=frozenset(), compare=False, repr=False)

    DOCUMENT: ClassVar[str] = "meta.json"

    @classmethod
    def from_dict(cls, data, source: str) -> ModelMeta:
        """The metadata of ``data`` (parsed JSON), checked; an LsmError naming ``source`` and
        the field otherwise (a newer format version is refused)."""
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise LsmError(f"'{source}' is not a Landslide LSM model file. Choose a file "
                           "written by one of the plugin's Train algorithms.")
        r = _Reader(data, source, cls.DOCUMENT)
        version = r.version(MODEL_FORMAT_VERSION)
        platt = data.get("platt")
        if platt is not None and (
                not isinstance(platt, list) or len(platt) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                           and math.isfinite(v) for v in platt)):
            raise r.bad("platt", "is not two finite numbers")
        typed = {f.name for f in fields(cls)} | {"format"}
        return cls(model_type=r.text("model_type", required=True),
                   factors=r.factors(distinct=True),
                   model_sha256=r.checksum("model_sha256", required=True),
                   name=r.text("name"), format_version=version,
                   kernel_sha256=r.checksum("kernel_sha256", required=False),
                   platt=tuple(float(v) for v in platt) if platt is not None else None,
                   **r.model_fields(), hyperparameters=r.mapping("hyperparameters"),
                   ensemble=_ensemble(r, data.get("ensemble")),
                   details={k: v for k, v in data.items() if k not in typed},
                   written=frozenset(data))

    @property
    def ensemble_size(self) -> int:
        return len(self.ensemble["members"]) if self.ensemble else 0

    def member(self, i: int) -> ModelMeta:
        """The metadata of ensemble member ``i`` as a model of its own (its checksums and
        Platt sigmoid; factors and encoding the model's)."""
        record = self.ensemble["members"][i]
        platt = record.get("platt")
        return replace(self, model_sha256=record["model_sha256"],
                       kernel_sha256=record.get("kernel_sha256"),
                       platt=tuple(float(v) for v in platt) if platt is not None else None,
                       ensemble=None)

    def to_dict(self) -> dict:
        """The JSON object of ``meta.json``."""
        return _document(self, MODEL_FORMAT)


@dataclass(frozen=True)
class LsnetMeta:
    """An LSNet model's JSON sidecar (``model.keras.json``, written by the LSNet worker): the
    .keras file's checksum, the factors and their encoding, the network's window and the
    preprocessing, and the training record. The fields that mapping relies on are typed and
    checked; the rest (history, best epoch, devices...) is kept as written in
    :attr:`details`; :attr:`signature` is the signing record (core.model_io)."""

    keras_sha256: str
    factors: tuple[str, ...]
    name: str = "LSNet"
    format_version: int = LSNET_FORMAT_VERSION
    window: Optional[int] = None
    center: Optional[int] = None
    preprocessing: Optional[dict] = None
    encoding: str = "raw"
    fr_fingerprint: Optional[str] = None
    fr_encoding: Optional[dict] = None
    fr_samples: Optional[dict] = None
    cv_score: Optional[float] = None
    training_time_s: Optional[float] = None
    #: the epoch whose weights were kept (early stopping)
    best_epoch: Optional[int] = None
    signature: Optional[dict] = None
    details: dict = field(default_factory=dict)
    written: frozenset = field(default=frozenset(), compare=False, repr=False)

    model_type: ClassVar[str] = "lsnet"  # written as a detail, kept as written
    DOCUMENT: ClassVar[str] = "sidecar"

    @classmethod
    def from_dict(cls, data, source: str) -> LsnetMeta:
        """The sidecar of ``data`` (parsed JSON), checked; an LsmError naming ``source`` and
        the field otherwise (a newer format version is refused)."""
        if not isinstance(data, dict) or data.get("format") != LSNET_FORMAT:
            raise LsmError(f"'{source}' is not a Landslide LSM LSNet sidecar.")
        r = _Reader(data, source, cls.DOCUMENT)
        version = r.version(LSNET_FORMAT_VERSION, default=1)
        if not _is_sha256(data.get("keras_sha256")):
            raise LsmError(f"'{source}' has no valid checksum of its .keras file (field "
                           "'keras_sha256' missing or empty); without it the model cannot be "
                           "checked, so it is refused. Train the model again.")
        sizes = {}
        for key in ("window", "center", "best_epoch"):
            value = data.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or not 0 <= value <= 100_000):
                raise r.bad(key, "is not a whole number of cells")
            sizes[key] = value
        typed = {f.name for f in fields(cls)} | {"format"}
        return cls(keras_sha256=data["keras_sha256"], factors=r.factors(distinct=False),
                   name=r.text("name", "LSNet"), format_version=version,
                   preprocessing=r.mapping("preprocessing"),
                   **r.model_fields(), signature=r.mapping("signature"),
                   details={k: v for k, v in data.items() if k not in typed},
                   written=frozenset(data), **sizes)

    def to_dict(self) -> dict:
        """The sidecar's JSON object."""
        return _document(self, LSNET_FORMAT)


# --- the results file of Evaluate ----------------------------------------------------------------

def _fields_dict(record, skip: tuple = ("details", "written")) -> dict:
    """The typed fields of a record that the source held or that differ from their default,
    then its details: a document read and written back is the same document."""
    out = {}
    for f in fields(record):
        if f.name in skip:
            continue
        value = getattr(record, f.name)
        default = f.default if f.default is not MISSING else (
            f.default_factory() if f.default_factory is not MISSING else MISSING)
        if f.name in record.written or default is MISSING or value != default:
            out[f.name] = list(value) if isinstance(value, tuple) else value
    out.update(record.details)
    return out


@dataclass(frozen=True)
class EvaluatedModel:
    """One evaluated LSI map of a results file: its metrics and curves, the rasters, run times,
    and what its model file said (:attr:`model`). Treat the mappings as read-only."""

    name: str
    lsi: str
    #: accuracy, precision, f1, sensitivity, specificity, kappa, auroc, brier, threshold, tp ...
    metrics: dict
    #: {"fpr": [...], "tpr": [...]}
    roc: dict
    model_type: str = ""
    zones: Optional[str] = None
    color: Optional[str] = None
    training_time_s: Optional[float] = None
    map_time_s: Optional[float] = None
    cv_auroc: Optional[float] = None
    #: {"area": [...], "landslides": [...], "auc": x}
    success_rate: Optional[dict] = None
    prediction_rate: Optional[dict] = None
    #: the model file's record (core.evaluation.model_record)
    model: Optional[dict] = None
    #: the reliability diagram on the validation samples: {"lsi": [...], "observed": [...],
    #: "count": [...]}, one entry per LSI bin that holds samples (absent in older files)
    reliability: Optional[dict] = None
    #: the standard deviation of the ensemble's LSI (the uncertainty map), if any
    sd: Optional[str] = None
    #: the model's factor importance and response curves (:class:`Explanation` as a dict)
    explanation: Optional[dict] = None
    details: dict = field(default_factory=dict)
    written: frozenset = field(default=frozenset(), compare=False, repr=False)

    def explained(self) -> Optional[Explanation]:
        """The model's :class:`Explanation`, if the results hold one."""
        if not self.explanation:
            return None
        return Explanation.from_dict(self.explanation, f"the explanation of {self.name}")

    @classmethod
    def of(cls, data: dict) -> EvaluatedModel:
        """A model entry already checked (core.results_file.check_results)."""
        typed = {f.name for f in fields(cls)} - {"details", "written"}
        return cls(**{k: v for k, v in data.items() if k in typed},
                   details={k: v for k, v in data.items() if k not in typed},
                   written=frozenset(data))

    def to_dict(self) -> dict:
        return _fields_dict(self)


@dataclass(frozen=True)
class EvaluationResults:
    """The results file of *Evaluate susceptibility maps* (JSON): the evaluated models and how
    the evaluation was run. Read by the comparison dock, the report and *Create project*."""

    models: tuple[EvaluatedModel, ...]
    format_version: int = 1
    threshold_mode: Optional[str] = None
    n_validation: Optional[int] = None
    n_training: Optional[int] = None
    plugin_version: Optional[str] = None
    created: Optional[str] = None
    messages: tuple[str, ...] = ()
    #: the evaluation's own parameters (threshold, samples, rasters)
    parameters: Optional[dict] = None
    details: dict = field(default_factory=dict)
    written: frozenset = field(default=frozenset(), compare=False, repr=False)

    @classmethod
    def from_dict(cls, data, source: str) -> EvaluationResults:
        """The results of ``data`` (parsed JSON), every field its readers use checked
        (core.results_file); an LsmError naming ``source`` and the field otherwise, and a
        newer format version refused."""
        from .results_file import check_results

        data = check_results(data, source)
        typed = {f.name for f in fields(cls)} - {"details", "written"}
        values = {k: v for k, v in data.items() if k in typed}
        values["models"] = tuple(EvaluatedModel.of(m) for m in data["models"])
        values["messages"] = tuple(data.get("messages") or ())
        return cls(**values, details={k: v for k, v in data.items()
                                      if k not in typed and k != "format"},
                   written=frozenset(data))

    def to_dict(self) -> dict:
        from .results_file import RESULTS_FORMAT

        out = {"format": RESULTS_FORMAT, **_fields_dict(self)}
        out["models"] = [m.to_dict() for m in self.models]
        return out


# --- the explanation file of *Factor importance and response curves* ----------------------------

EXPLANATION_FORMAT = "landslide-lsm-explanation"
#: the newest explanation format this plugin reads
EXPLANATION_FORMAT_VERSION = 1


@dataclass(frozen=True)
class FactorDrop:
    """A factor's permutation importance: the drops of the validation AUROC (unpermuted minus
    permuted) over the repeats, their mean and standard deviation."""

    factor: str
    mean: float
    sd: float
    drops: tuple[float, ...] = ()

    def to_dict(self) -> dict:
        return {"factor": self.factor, "mean": self.mean, "sd": self.sd,
                "drops": list(self.drops)}


@dataclass(frozen=True)
class ResponseCurve:
    """A factor's partial dependence: the model's mean P(landslide) over the explained samples
    with the factor set to each of ``values`` (the others as they are), and the distribution of
    the factor's training values beside it.

    ``kind``: "continuous" (``bins`` are histogram edges, one more than the counts) or
    "categorical" (``bins`` are the category codes, as many as the counts)."""

    factor: str
    kind: str
    values: tuple[float, ...]
    response: tuple[float, ...]
    bins: tuple[float, ...] = ()
    train_landslide: tuple[int, ...] = ()
    train_other: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        return {"factor": self.factor, "kind": self.kind, "values": list(self.values),
                "response": list(self.response), "bins": list(self.bins),
                "train_landslide": list(self.train_landslide),
                "train_other": list(self.train_other)}


@dataclass(frozen=True)
class Explanation:
    """What *Factor importance and response curves* found for one model (a JSON file; also
    kept in a results file's model entry as ``explanation``): the permutation importance of
    each factor on the validation samples (most important first) and the response curves."""

    model_name: str
    model_type: str
    model_file: str
    base_auroc: float
    importance: tuple[FactorDrop, ...]
    curves: tuple[ResponseCurve, ...] = ()
    stack: str = ""
    samples: str = ""
    #: validation samples the importance was computed on, and the repeats and seed
    n_importance: int = 0
    repeats: int = 0
    seed: int = 0
    #: training samples the response curves average over
    n_response: int = 0
    plugin_version: str = ""
    created: str = ""
    format_version: int = EXPLANATION_FORMAT_VERSION

    def weights(self) -> dict[str, float]:
        """Each factor's importance as a weight (negative means count as 0)."""
        return {f.factor: max(0.0, f.mean) for f in self.importance}

    def to_dict(self) -> dict:
        out = {"format": EXPLANATION_FORMAT}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in {"importance", "curves"}:
                value = [item.to_dict() for item in value]
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data, source: str) -> Explanation:
        """The explanation of ``data`` (parsed JSON), every field checked
        (core.results_file.check_explanation); an LsmError naming ``source`` otherwise."""
        from .results_file import check_explanation

        data = check_explanation(data, source)
        typed = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in typed}
        values["importance"] = tuple(
            FactorDrop(d["factor"], float(d["mean"]), float(d["sd"]),
                       tuple(float(v) for v in d.get("drops", ()))) for d in data["importance"])
        values["curves"] = tuple(
            ResponseCurve(c["factor"], c["kind"], tuple(float(v) for v in c["values"]),
                          tuple(float(v) for v in c["response"]),
                          tuple(float(v) for v in c.get("bins", ())),
                          tuple(int(v) for v in c.get("train_landslide", ())),
                          tuple(int(v) for v in c.get("train_other", ())))
            for c in data.get("curves", ()))
        return cls(**values)


# --- area of applicability raster tags -----------------------------------------------------------

@dataclass(frozen=True)
class AoaTags:
    """What the rasters of *Area of applicability* record (GDAL dataset metadata): which one it
    is ("dissimilarity": the dissimilarity index; "applicability": the 0/1 mask), the threshold
    of the dissimilarity index, the mean distance between training samples it is divided by, the
    training samples, where the factor weights came from, the stack, and the share of valid
    cells inside the area of applicability."""

    kind: str = ""
    threshold: Optional[float] = None
    mean_distance: Optional[float] = None
    n_training: int = 0
    weights: str = ""
    stack: str = ""
    share_inside: Optional[float] = None
    #: the other raster of the pair (the mask of a dissimilarity raster and the reverse)
    partner: str = ""

    KEYS: ClassVar[dict[str, str]] = {"kind": "LSM_AOA", "threshold": "LSM_AOA_THRESHOLD",
                                      "mean_distance": "LSM_AOA_MEAN_DISTANCE",
                                      "n_training": "LSM_AOA_TRAINING_SAMPLES",
                                      "weights": "LSM_AOA_WEIGHTS", "stack": "LSM_AOA_STACK",
                                      "share_inside": "LSM_AOA_SHARE_INSIDE",
                                      "partner": "LSM_AOA_PARTNER"}
    KINDS: ClassVar[tuple[str, str]] = ("dissimilarity", "applicability")

    def to_metadata(self) -> dict[str, str]:
        items = {}
        for field_name, value in asdict(self).items():
            if value not in (None, ""):
                items[self.KEYS[field_name]] = (repr(float(value)) if isinstance(value, float)
                                                else str(value))
        return items

    @classmethod
    def from_metadata(cls, items: dict) -> AoaTags:
        """The tags of a raster; what is missing or unreadable stays unknown (``kind`` is ""
        for a raster that is not one of ours)."""
        def text(key: str) -> str:
            value = items.get(cls.KEYS[key])
            return value if isinstance(value, str) and len(value) <= MAX_TAG_CHARS else ""

        kind = text("kind")
        return cls(kind=kind if kind in cls.KINDS else "",
                   threshold=_number(text("threshold")),
                   mean_distance=_number(text("mean_distance")),
                   n_training=int(_number(text("n_training")) or 0), weights=text("weights"),
                   stack=text("stack"), share_inside=_number(text("share_inside")),
                   partner=text("partner"))
