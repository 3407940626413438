"""Evaluate LSI rasters on the validation samples; write a results file the dock reads."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np

from ..version import __version__
from .blocks import Block, Stage, run_stage, task_dataset
from .errors import LsmError
from .metrics import (
    THRESHOLD_YOUDEN,
    are_probabilities,
    evaluate_scores,
    rate_curve,
    reliability,
    roc_points,
    youden_threshold,
)
from .progress import SILENT, Progress
from .provenance import check_fr_provenance, samples_fingerprint
from .raster import (
    WINDOW,
    Grid,
    Window,
    atomic_file,
    check_output_path,
    open_raster,
    read_window,
)
from .records import EvaluatedModel, EvaluationResults, LsiTags, ZoneTags
from .results_file import RESULTS_FORMAT, load_explanation, load_results
from .safe_files import check_regular_file
from .sampling import read_samples, values_at_path

RATE_BINS = 1000


@dataclass
class Evaluation:
    models: list
    threshold_mode: str
    n_validation: int
    n_training: int
    messages: list = field(default_factory=list)
    #: the parameters of the evaluation itself (threshold, samples, ...), for the report
    parameters: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"format": RESULTS_FORMAT, "format_version": 1, "plugin_version": __version__,
                "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "threshold_mode": self.threshold_mode, "n_validation": self.n_validation,
                "n_training": self.n_training, "models": [m.to_dict() for m in self.models]}


class HistogramTask:
    """One window of an LSI's histogram (a picklable task of core.blocks): the counts of its
    valid cells, clipped to 0..1, in :data:`RATE_BINS` equal bins."""

    def __init__(self, lsi_path: str) -> None:
        self.lsi_path = lsi_path

    def __call__(self, win: Window) -> Block:
        data, valid = read_window(task_dataset(self.lsi_path, "LSI raster"), win, [1])
        edges = np.linspace(0.0, 1.0, RATE_BINS + 1)
        return Block(counts={"hist": np.histogram(np.clip(data[0][valid], 0.0, 1.0),
                                                  edges)[0].astype(np.int64)})


def _lsi_histogram(lsi_path: str, grid: Grid, progress: Progress, *, client: Any = None,
                   window: int = WINDOW) -> np.ndarray:
    """The LSI's histogram over all its valid cells (a reduction stage, in-process or on
    Dask)."""
    stage = Stage("lsi-histogram", grid, HistogramTask(str(lsi_path)), window=window)
    counts = run_stage(stage, client, progress=progress).counts
    return counts.get("hist", np.zeros(RATE_BINS, dtype=np.int64))


def evaluate_lsi(lsi_paths: Sequence[str], samples_path: str, *,
                 threshold_mode: str = "0.5", names: Optional[Sequence[str]] = None,
                 zone_paths: Sequence[str] = (), rate_curves: bool = False,
                 explanation_paths: Sequence[str] = (),
                 progress: Progress = SILENT, client: Any = None,
                 window: int = WINDOW) -> Evaluation:
    """Metrics (with the Brier score), ROC, the reliability diagram and (optionally)
    success/prediction-rate curves of each LSI raster, on the validation samples.

    The threshold is 0.5, or Youden's J chosen on the training samples (never on the
    validation samples it is then applied to). ``explanation_paths``: explanation files
    (factor importance and response curves), each kept with the map of its model.
    ``client``: a ``distributed.Client`` to read the LSI values and histograms on Dask (None:
    in-process); ``window``: cells per side of a window (any gives the same result).
    """
    if not lsi_paths:
        raise LsmError("Give at least one LSI raster to evaluate.")
    explanations = [load_explanation(p) for p in explanation_paths]
    used_explanations: set = set()
    zones_by_lsi = {}
    for z in zone_paths:
        src = ZoneTags.from_metadata(open_raster(z, "zone raster").GetMetadata() or {}
                                     ).source_lsi
        if src:
            zones_by_lsi[Path(src).name] = z
    result = Evaluation([], threshold_mode, 0, 0)
    used_names: set = set()
    for k, path in enumerate(lsi_paths):
        progress.check()
        part = progress.sub(100 * k / len(lsi_paths), 100 * (k + 1) / len(lsi_paths))
        ds = open_raster(path, "LSI raster")
        grid = Grid.of(ds)
        samples = read_samples(samples_path, grid)
        from .sampling import shared_cells_warning

        for warning in samples.messages + [shared_cells_warning(samples, grid)]:
            if warning and warning not in result.messages:  # once, not once per map
                result.messages.append(warning)
        lsi_all, ok = values_at_path(path, samples.x, samples.y, [1], what="LSI raster",
                                     client=client, window=window)
        score = lsi_all[:, 0]
        if not ok.all():
            result.messages.append(f"{Path(path).name}: {int((~ok).sum())} sample(s) on nodata "
                                   "cells were left out.")
        val = ok & samples.validation
        train = ok & samples.train
        if not val.any():
            raise LsmError("The samples have no validation cells on the LSI raster; evaluation "
                           "needs the validation split of 'Prepare training samples'.")
        threshold = 0.5
        if threshold_mode == THRESHOLD_YOUDEN:
            threshold = youden_threshold(samples.label[train], score[train])
        metrics = evaluate_scores(samples.label[val], score[val], threshold)
        fpr, tpr = roc_points(samples.label[val], score[val])
        tags = LsiTags.from_metadata(ds.GetMetadata() or {})
        name = (names[k] if names and k < len(names) and names[k] else
                tags.model_name or Path(path).stem)
        base, n = name, 2
        while name in used_names:
            name, n = f"{base} ({n})", n + 1
        used_names.add(name)
        calibration = None
        if are_probabilities(score[val]):
            calibration = reliability(samples.label[val], score[val])
        else:
            result.messages.append(f"{name}: LSI values outside 0..1 at validation samples; "
                                   "the Brier score and the reliability diagram (which read "
                                   "the LSI as a probability) are left out.")
        record = model_record(tags.model_file, result.messages, Path(path).name)
        result.messages.extend(_check_fr_samples(record, samples, grid, name))
        rates = {}
        if rate_curves:
            edges = np.linspace(0.0, 1.0, RATE_BINS + 1)
            hist = _lsi_histogram(path, grid, part.sub(0, 90), client=client, window=window)
            landslide = samples.label == 1
            rates = {"success_rate": rate_curve(hist, score[train & landslide], edges),
                     "prediction_rate": rate_curve(hist, score[val & landslide], edges)}
        result.models.append(EvaluatedModel(
            name, str(path), metrics.as_dict(), {"fpr": fpr, "tpr": tpr},
            model_type=tags.model_type, zones=zones_by_lsi.get(Path(path).name),
            training_time_s=tags.training_time_s, map_time_s=tags.map_time_s,
            cv_auroc=tags.cv_auroc, model=record, reliability=calibration,
            sd=_sd_raster(tags.sd_file, path),
            explanation=_explanation_of(explanations, used_explanations, tags.model_file,
                                        name, result.messages), **rates))
        result.n_validation = int(val.sum())
        result.n_training = int(train.sum())
        part.percent(100)
    for k, e in enumerate(explanations):
        if k not in used_explanations:
            result.messages.append(f"The explanation of '{e.model_name}' (model file "
                                   f"'{e.model_file}') belongs to none of the LSI maps' models; "
                                   "it is left out.")
    result.parameters = {"threshold": threshold_mode, "samples": str(samples_path),
                         "lsi": [str(p) for p in lsi_paths],
                         "zones": [str(z) for z in zone_paths], "rate_curves": bool(rate_curves),
                         "explanations": [str(p) for p in explanation_paths]}
    return result


def _same_file(a: str, b: str) -> bool:
    return bool(a and b) and os.path.realpath(a) == os.path.realpath(b)


def _explanation_of(explanations: Sequence, used: set, model_file: str, name: str,
                    messages: list) -> Optional[dict]:
    """The explanation of the model behind a map: the one computed from the same model file,
    else (model files moved) the one of the same file name and model name."""
    def pick(test) -> Optional[int]:
        found = [k for k, e in enumerate(explanations) if test(e)]
        if len(found) > 1:
            messages.append(f"{name}: {len(found)} explanation files belong to its model; the "
                            "last one given is kept.")
        return found[-1] if found else None

    k = pick(lambda e: _same_file(e.model_file, model_file))
    if k is None and model_file:
        k = pick(lambda e: Path(e.model_file).name == Path(model_file).name
                 and e.model_name == name)
    if k is None:
        return None
    used.add(k)
    return explanations[k].to_dict()


def results_record(evaluation: Evaluation, source: str = "the evaluation"
                   ) -> EvaluationResults:
    """The evaluation as the results file holds it, checked as its readers check it."""
    data = evaluation.as_dict()
    data.setdefault("parameters", dict(evaluation.parameters))
    data = json.loads(json.dumps(data, allow_nan=True, default=_json_value))
    return EvaluationResults.from_dict(data, source)


def write_results(evaluation: Evaluation, path: str, inputs: Sequence[str] = ()) -> Path:
    """The results file (JSON) the comparison dock reads."""
    out = check_output_path(path, inputs)
    data = results_record(evaluation, out.name).to_dict()
    with atomic_file(out) as tmp:
        tmp.write_text(json.dumps(data, indent=1, allow_nan=True), encoding="utf-8")
    return out


def _json_value(value):
    """numpy scalars and arrays in model metadata, as plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


#: what a results file keeps of a model file's metadata (the rest, e.g. LSNet's preprocessing
#: arrays and epoch history, stays in the model file)
MODEL_META_KEYS = ("name", "model_type", "hyperparameters", "cv", "cv_score", "factors",
                   "factor_kinds", "encoding", "fr_fingerprint", "n_train", "n_train_landslide",
                   "n_early_stopping", "training_time_s", "seed", "stack", "samples", "window",
                   "width", "best_epoch", "devices", "tensorflow", "plugin_version", "created")


def fr_summary(spec: Optional[dict]) -> list[dict]:
    """One line per factor of an FR encoding: classing method, classes, FR range."""
    rows = []
    for f in (spec or {}).get("factors", []):
        fr = [float(v) for v in f.get("fr", []) if v is not None and math.isfinite(float(v))]
        rows.append({"factor": f.get("factor"), "method": f.get("method"),
                     "classes": len(f.get("fr", [])),
                     "fr_min": min(fr) if fr else None, "fr_max": max(fr) if fr else None})
    return rows


def _sd_raster(sd_file: str, lsi_path: str) -> Optional[str]:
    """The standard-deviation raster an LSI's tags name, if it is still a regular file (also
    looked for beside the LSI under its name, for maps moved together)."""
    if not sd_file:
        return None
    for candidate in (Path(sd_file), Path(lsi_path).parent / Path(sd_file).name):
        if candidate.is_file():
            return str(candidate)
    return None


def model_record(model_file: str, messages: Optional[list] = None, lsi_name: str = "") -> dict:
    """What a results file keeps of the model behind an LSI map: its hyperparameters, CV score,
    factors, training samples and time, and a summary of its FR encoding.

    Only metadata is read (an .lsmodel's meta.json, an LSNet model's .keras.json sidecar); no
    model object is built, so neither skops nor TensorFlow is imported. A missing or unreadable
    file gives ``{"model_file": ..., "missing": reason}`` and a message."""
    if not model_file:
        return {}
    from .model_io import model_kind, read_meta, read_sidecar, sidecar_of

    record: dict = {"model_file": str(model_file)}
    reason = ""
    meta: dict = {}
    if not os.path.exists(model_file):
        reason = "no longer exists"
    else:
        try:
            # regular files only: a FIFO named in an LSI's metadata must not hang the caller
            check_regular_file(model_file, "model file")
            if model_kind(model_file) == "lsnet":
                check_regular_file(sidecar_of(model_file), "LSNet sidecar")
                sidecar = read_sidecar(model_file).to_dict()
                history = sidecar.get("history")
                meta = dict(sidecar, epochs_trained=len(history) if isinstance(history, list)
                            else 0)
            else:
                meta = read_meta(model_file).to_dict()
        except (OSError, ValueError, LsmError) as exc:
            reason = f"cannot be read: {exc}"
    if reason:
        record["missing"] = reason
        if messages is not None:
            messages.append(f"{lsi_name or 'LSI map'}: its model file '{model_file}' {reason}; "
                            "the model's parameters are not recorded in the results.")
        return record
    for key in MODEL_META_KEYS + ("epochs_trained",):
        if meta.get(key) not in (None, "", [], {}):
            record[key] = meta[key]
    if meta.get("fr_encoding"):
        record["fr_encoding"] = fr_summary(meta["fr_encoding"])
    fr_samples = meta.get("fr_samples")
    if isinstance(fr_samples, dict) and isinstance(fr_samples.get("fingerprint"), str):
        record["fr_samples"] = {k: fr_samples[k] for k in ("samples", "fingerprint",
                                                            "training_landslide_cells")
                                if k in fr_samples}
    return record


def _check_fr_samples(record: dict, samples, grid: Grid, name: str) -> list[str]:
    """Refuse validation samples that were training cells of the model's FR encoding; warn
    when the FR encoding was fitted on other samples (core.provenance)."""
    fitted = record.get("fr_samples")
    if not fitted or fitted.get("fingerprint") == samples_fingerprint(samples, grid):
        return []
    from .model_io import read_meta

    full = read_meta(record["model_file"]).fr_samples
    return [f"{name}: {w}" for w in check_fr_provenance(full if isinstance(full, dict)
                                                        else None, samples, grid,
                                                        "Evaluation")]


def read_results(path: str) -> EvaluationResults:
    """Read a results file written by Evaluate, every field its consumers use checked
    (core.results_file); refuse anything else with an LsmError naming the file and field."""
    return load_results(path)


METRIC_COLUMNS = (("model", str), ("tp", int), ("tn", int), ("fp", int), ("fn", int),
                  ("accuracy", float), ("precision", float), ("sensitivity", float),
                  ("specificity", float), ("f1", float), ("kappa", float), ("auroc", float),
                  ("brier", float), ("threshold", float), ("n", int), ("training_time_s", float),
                  ("map_time_s", float), ("success_rate_auc", float),
                  ("prediction_rate_auc", float))


def metric_rows(evaluation: Evaluation) -> list[dict]:
    """One row per model, in the order and with the keys of :data:`METRIC_COLUMNS`."""
    rows = []
    for m in evaluation.models:
        row = {"model": m.name, **{k: m.metrics[k] for k in ("tp", "tn", "fp", "fn", "accuracy",
                                                             "precision", "sensitivity",
                                                             "specificity", "f1", "kappa",
                                                             "auroc")},
               "brier": m.metrics.get("brier", math.nan),
               **{k: m.metrics[k] for k in ("threshold", "n")},
               "training_time_s": m.training_time_s, "map_time_s": m.map_time_s,
               "success_rate_auc": m.success_rate["auc"] if m.success_rate else None,
               "prediction_rate_auc": m.prediction_rate["auc"] if m.prediction_rate else None}
        rows.append(row)
    return rows
