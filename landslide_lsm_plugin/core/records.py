"""Formats shared between modules and processes, named once.

* the LSNet worker protocol: the events the worker prints (one JSON object per line) and its
  exit codes, read by the client (lsnet/client.py) and written by the worker (lsnet/worker.py);
* the metadata tags of an LSI raster (:class:`LsiTags`), written by *Predict LSI* and the LSNet
  worker and read by *Evaluate* and the report.

Pure Python: importable by the worker's interpreter (no scikit-learn there) and by core.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import ClassVar, Optional

# --- the LSNet worker protocol -------------------------------------------------------------------

#: every event the worker prints; the client ignores lines that are none of these
WORKER_EVENTS = ("progress", "info", "warning", "start", "epoch", "trained", "mapped", "probe",
                 "done", "error")


class WorkerExit:
    """Exit codes of the LSNet worker."""

    OK = 0
    USAGE = 2
    REFUSED = 3          # an LsmError: the input is wrong, the message says why
    OUT_OF_MEMORY = 4
    UNEXPECTED = 5       # an exception the worker did not expect (it prints the traceback)


def worker_event(kind: str, **fields) -> str:
    """One line of the worker protocol."""
    if kind not in WORKER_EVENTS:
        raise ValueError(f"unknown worker event {kind!r}")
    return json.dumps({"event": kind, **fields}, default=float)


def parse_worker_event(line: str) -> Optional[dict]:
    """The event of a protocol line, or None for any other output (TensorFlow's own lines,
    malformed JSON, unknown events)."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if not isinstance(event, dict) or event.get("event") not in WORKER_EVENTS:
        return None
    return event


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

    KEYS: ClassVar[dict[str, str]] = {"model_type": "LSM_MODEL_TYPE",
                                      "model_name": "LSM_MODEL_NAME",
                                      "model_file": "LSM_MODEL_FILE",
                                      "training_time_s": "LSM_TRAINING_TIME",
                                      "cv_auroc": "LSM_CV_AUROC", "map_time_s": "LSM_MAP_TIME"}

    def to_metadata(self) -> dict[str, str]:
        """GDAL metadata items (strings); unknown values are left out."""
        items = {LSI_TAG: str(LSI_TAGS_VERSION)}
        for field_name, value in asdict(self).items():
            if value not in (None, ""):
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
                   map_time_s=_number(items.get(cls.KEYS["map_time_s"])))

    @classmethod
    def of_model(cls, meta: dict, name: str) -> LsiTags:
        """The tags of a map made by the model of this model-file metadata."""
        return cls(model_type=str(meta.get("model_type") or ""), model_name=str(name),
                   model_file=str(meta.get("model_file") or ""),
                   training_time_s=_number(meta.get("training_time_s")),
                   cv_auroc=_number(meta.get("cv_score")))

    @staticmethod
    def is_lsi(items: dict) -> bool:
        return items.get(LSI_TAG) not in (None, "")
