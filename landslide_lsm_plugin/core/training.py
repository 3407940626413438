"""From a stack and samples to a model file: read the training cells, search, fit, save."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

import numpy as np

from .errors import LsmError
from .model_io import read_meta, save_model
from .models import (
    DEFAULT_FIT,
    DEFAULT_SEARCH,
    MODEL_NAMES,
    RANDOM_FOREST,
    SAMPLE_FOLDS,
    FitSettings,
    SearchSettings,
    TrainResult,
    default_grid,
    train_model,
)
from .progress import SILENT, Progress
from .provenance import check_fr_provenance
from .raster import open_raster
from .records import ModelMeta
from .sampling import (
    SampleSet,
    fold_warnings,
    read_samples,
    shared_cells_warning,
    values_at,
)
from .stack import StackInfo, stack_info


@dataclass
class TrainingData:
    x: np.ndarray
    y: np.ndarray
    folds: np.ndarray
    info: StackInfo
    dropped: int
    landslide_id: np.ndarray
    samples: SampleSet  # every sample of the layer (both splits)


def training_data(stack_path: str, samples_path: str, split: str = "train") -> TrainingData:
    """Factor values (rows = samples of one split) at the samples' cells, with labels and folds.
    Samples on nodata cells are dropped (and counted)."""
    info = stack_info(stack_path)
    samples = read_samples(samples_path, info.grid)
    part = samples.subset(samples.split == split)
    if len(part) == 0:
        raise LsmError(f"The samples have no '{split}' cells. Run 'Prepare training samples'.")
    x, ok = values_at(open_raster(stack_path, "factor stack"), part.x, part.y)
    if not ok.any():
        raise LsmError(f"No {split} sample lies on a valid cell of the stack. Were the samples "
                       "prepared on this stack's grid?")
    return TrainingData(x[ok], part.label[ok], part.fold[ok], info, int((~ok).sum()),
                        part.landslide_id[ok], samples)


def sample_warnings(samples: SampleSet, grid, folds: bool = True) -> list[str]:
    """What training should say about a samples layer: NULL labels left out, odd fold
    numbers (when CV uses the layer's folds), validation samples sharing a cell with training
    samples."""
    out = list(samples.messages)
    if folds:
        out += fold_warnings(samples)
    shared = shared_cells_warning(samples, grid)
    if shared:
        out.append(shared)
    return out


def cv_table(result: TrainResult) -> list[dict]:
    """Rows of the CV results table, best first."""
    rows = []
    for r in sorted(result.cv_rows, key=lambda r: r.rank):
        row = {"rank": r.rank, "mean_auroc": r.mean_auroc, "std_auroc": r.std_auroc,
               "cv_scheme": result.cv_scheme, "folds": result.folds,
               "search_samples": r.samples, "search_round": r.round}
        for key in ("C", "gamma", "n_estimators", "min_samples_leaf", "max_features"):
            value = r.params.get(key)
            row[key] = float(value) if isinstance(value, (int, float)) else None
        rows.append(row)
    return rows


CV_COLUMNS = (("rank", int), ("C", float), ("gamma", float), ("n_estimators", float),
              ("min_samples_leaf", float), ("mean_auroc", float), ("std_auroc", float),
              ("cv_scheme", str), ("folds", int), ("search_samples", int),
              ("search_round", int))


def train_to_file(model_type: str, stack_path: str, samples_path: str, model_path: str, *,
                  search: SearchSettings = DEFAULT_SEARCH, fit: FitSettings = DEFAULT_FIT,
                  name: Optional[str] = None, progress: Progress = SILENT,
                  signing_key: Optional[bytes] = None) -> tuple[TrainResult, ModelMeta]:
    """Train a model on the training samples and write its model file (signed with
    ``signing_key`` when given, see core.model_io); ``search`` and ``fit`` as for
    :func:`~.models.train_model`."""
    progress.check()
    data = training_data(stack_path, samples_path)
    if data.dropped:
        progress.warning(f"{data.dropped} training sample(s) on nodata cells were ignored.")
    for warning in sample_warnings(data.samples, data.info.grid,
                                   folds=search.cv_scheme == SAMPLE_FOLDS):
        progress.warning(warning)
    for warning in check_fr_provenance(data.info.fr_samples, data.samples, data.info.grid,
                                       "Training"):
        progress.warning(warning)
    progress.info(f"Training {MODEL_NAMES[model_type]} on {data.y.size} samples "
                  f"({int(data.y.sum())} landslide) x {len(data.info.names)} factors")
    if search.grid is None:
        search = replace(search, grid=default_grid(model_type))
    result = train_model(model_type, data.x, data.y, folds=data.folds,
                         groups=data.landslide_id, search=search, fit=fit, progress=progress)
    for line in result.strategy:
        progress.info(line)
    info = data.info
    spec = info.encoding_spec if info.encoding == "fr" else None
    meta = {
        "name": name or MODEL_NAMES[model_type],
        "model_type": model_type,
        "factors": info.names,
        "factor_kinds": info.kinds,
        "encoding": info.encoding,
        "fr_fingerprint": spec.get("fingerprint") if spec else None,
        "fr_encoding": spec,
        "fr_samples": info.fr_samples if spec else None,
        "hyperparameters": dict(result.params,
                                # a random forest has no scaler: not reported for it
                                **({"standardize": fit.standardize}
                                   if model_type != RANDOM_FOREST else {}),
                                **({"kernel": result.kernel, "kernel_limit": fit.kernel_limit}
                                   if result.kernel else {})),
        "cv": {"scheme": result.cv_scheme, "folds": result.folds,
               "score_auroc": result.cv_score, "grid_size": len(result.cv_rows),
               "search_samples": result.n_search},
        "final_samples": result.n_final,
        "cv_score": result.cv_score,
        "training_time_s": result.training_time_s,
        "n_train": result.n_train,
        "n_train_landslide": result.n_landslide,
        "seed": fit.seed,
        "stack": Path(stack_path).name,
        "samples": Path(samples_path.split("|", maxsplit=1)[0]).name,
    }
    save_model(model_path, result.estimator, meta, inputs=(stack_path, samples_path),
               signing_key=signing_key, members=result.members, ensemble=result.ensemble)
    return result, read_meta(model_path)
