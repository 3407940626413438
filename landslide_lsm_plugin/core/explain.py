"""Explain a model: which factors drive it (permutation importance on the validation samples)
and how its susceptibility responds to each factor (partial dependence over the training
samples, with the training distribution of the factor beside it).

The pieces work on any probability function: rows of factors for the scikit-learn and kernel
models (:func:`explain_model`), patches for LSNet (its worker uses :func:`response_curves` and
:func:`~.importance.permutation_importance` with its own prediction). Pure numpy here; no
scikit-learn, no qgis, so the worker can import it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Optional

import numpy as np

from ..version import __version__
from .errors import LsmError
from .importance import Importance, permutation_importance
from .progress import SILENT, Progress
from .records import Explanation, FactorDrop, ResponseCurve

#: validation samples the importance of a tabular model is computed on (a seeded, stratified
#: subset beyond this; each factor costs repeats x this many predictions)
MAX_IMPORTANCE_SAMPLES = 5000
#: training samples the response curves of a tabular model average over
MAX_RESPONSE_SAMPLES = 1000
#: points of a continuous factor's response curve (quantiles of its training values)
CURVE_POINTS = 20
#: bins of the training distribution drawn beside a continuous factor's curve
HISTOGRAM_BINS = 20
#: a categorical factor with more codes than this gets the most frequent ones only
MAX_CATEGORIES = 50
CATEGORICAL = "categorical"


def stratified_subset(y: np.ndarray, limit: int, seed: int) -> np.ndarray:
    """Sorted indices of at most ``limit`` samples, each class keeping its share (all of them
    when there are no more than ``limit``; 0 = no limit)."""
    y = np.asarray(y)
    n = y.size
    if limit <= 0 or n <= limit:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    keep = []
    for value in np.unique(y):
        members = np.flatnonzero(y == value)
        take = max(1, int(round(limit * members.size / n)))
        keep.append(rng.choice(members, size=min(take, members.size), replace=False))
    return np.sort(np.concatenate(keep))


def curve_values(values: np.ndarray, kind: str, points: int = CURVE_POINTS
                 ) -> tuple[str, np.ndarray]:
    """Where a factor's response curve is evaluated: the codes of a categorical factor (the
    most frequent MAX_CATEGORIES), else ``points`` quantiles (2 % .. 98 %) of its training
    values (its distinct values when it has no more)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise LsmError("A factor has no valid training value; its response cannot be drawn.")
    distinct, counts = np.unique(values, return_counts=True)
    if kind == CATEGORICAL:
        top = np.sort(distinct[np.argsort(-counts, kind="stable")[:MAX_CATEGORIES]])
        return CATEGORICAL, top
    if distinct.size <= points:
        return "continuous", distinct
    return "continuous", np.unique(np.quantile(values, np.linspace(0.02, 0.98, points)))


def training_distribution(values: np.ndarray, labels: np.ndarray, kind: str,
                          codes: Optional[np.ndarray] = None, bins: int = HISTOGRAM_BINS
                          ) -> tuple[tuple, tuple, tuple]:
    """(bins, landslide counts, other counts) of a factor's training values: histogram edges
    of a continuous factor, the codes of a categorical one (``codes``)."""
    values = np.asarray(values, dtype=float)
    labels = np.asarray(labels).astype(int)
    ok = np.isfinite(values)
    values, labels = values[ok], labels[ok]
    if kind == CATEGORICAL:
        codes = np.asarray(codes if codes is not None else np.unique(values), dtype=float)
        landslide = tuple(int(np.sum((values == c) & (labels == 1))) for c in codes)
        other = tuple(int(np.sum((values == c) & (labels == 0))) for c in codes)
        return tuple(float(c) for c in codes), landslide, other
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    landslide = np.histogram(values[labels == 1], edges)[0]
    other = np.histogram(values[labels == 0], edges)[0]
    return (tuple(float(e) for e in edges), tuple(int(c) for c in landslide),
            tuple(int(c) for c in other))


def response_curves(mean_response: Callable[[int, float], float], factors: Sequence[str],
                    kinds: Sequence[str], train_values: np.ndarray, train_labels: np.ndarray, *,
                    points: int = CURVE_POINTS, progress: Progress = SILENT
                    ) -> tuple[ResponseCurve, ...]:
    """The partial dependence of each factor: ``mean_response(i, v)`` is the model's mean
    P(landslide) over the explained samples with factor ``i`` set to ``v`` (the other factors as
    they are); it is evaluated at :func:`curve_values` of the factor's ``train_values``
    (samples x factors, at the samples' cells), with the training distribution beside it."""
    curves = []
    for i, (name, kind) in enumerate(zip(factors, kinds)):
        curve_kind, grid = curve_values(train_values[:, i], kind, points)
        response = []
        for j, v in enumerate(grid):
            progress.check()
            response.append(float(np.clip(mean_response(i, float(v)), 0.0, 1.0)))
            progress.fraction(i * len(grid) + j + 1, len(factors) * len(grid))
        bins, landslide, other = training_distribution(
            train_values[:, i], train_labels, curve_kind,
            grid if curve_kind == CATEGORICAL else None)
        curves.append(ResponseCurve(name, curve_kind, tuple(float(v) for v in grid),
                                    tuple(response), bins, landslide, other))
    return tuple(curves)


def explanation_of(importance: Importance, curves: Sequence[ResponseCurve], *, name: str,
                   model_type: str, model_file: str, stack: str, samples: str,
                   n_importance: int, n_response: int) -> Explanation:
    """The :class:`~.records.Explanation` record of an importance and response curves."""
    return Explanation(
        model_name=name, model_type=model_type, model_file=model_file,
        base_auroc=float(importance.base_auroc),
        importance=tuple(FactorDrop(f.factor, f.mean, f.sd, tuple(f.drops))
                         for f in importance.factors),
        curves=tuple(curves), stack=stack, samples=samples, n_importance=int(n_importance),
        repeats=importance.repeats, seed=importance.seed, n_response=int(n_response),
        plugin_version=__version__,
        created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))


def explain_model(model_path: str, stack_path: str, samples_path: str, *, repeats: int = 5,
                  seed: int = 42, points: int = CURVE_POINTS,
                  max_importance: int = MAX_IMPORTANCE_SAMPLES,
                  max_response: int = MAX_RESPONSE_SAMPLES, name: Optional[str] = None,
                  samples_label: Optional[str] = None, signing_key: Optional[bytes] = None,
                  progress: Progress = SILENT) -> Explanation:
    """Permutation importance (validation samples) and response curves (training samples) of
    a model file (.lsmodel: SVM, KLR, logistic regression, random forest, ensembles) on the
    stack it was trained on (or, for an FR model, the raw stack: it applies its FR encoding).
    LSNet models are explained in their worker (lsnet.client.explain_lsnet)."""
    from .importance import model_probability
    from .model_io import model_kind, read_meta
    from .predict import check_stack_matches, encode_rows
    from .stack import stack_info
    from .training import training_data

    if model_kind(model_path) == "lsnet":
        raise LsmError("LSNet models are explained in the LSNet worker (explain_lsnet).")
    meta = read_meta(model_path)
    info = stack_info(stack_path)
    encodings = check_stack_matches(meta, info)
    proba = model_probability(model_path, signing_key)

    def predict(x: np.ndarray) -> np.ndarray:
        rows, ok = encode_rows(x, encodings)
        out = np.full(x.shape[0], np.nan)
        if ok.any():
            out[ok] = proba(rows[ok])
        return out

    progress.info(f"Explaining {meta.name or meta.model_type}: permutation importance on the "
                  "validation samples, then response curves on the training samples")
    validation = training_data(stack_path, samples_path, "validation")
    _, seen = encode_rows(validation.x, encodings)
    xv, yv = validation.x[seen], validation.y[seen]
    keep = stratified_subset(yv, max_importance, seed)
    if keep.size < yv.size:
        progress.info(f"Importance on {keep.size:,} of {yv.size:,} validation samples (a "
                      "seeded subset keeping the landslide share; 'Maximum samples')")
    importance = permutation_importance(predict, xv[keep], yv[keep], info.names,
                                        repeats=repeats, seed=seed,
                                        progress=progress.sub(0, 60))
    train = training_data(stack_path, samples_path, "train")
    _, seen = encode_rows(train.x, encodings)
    xt, yt = train.x[seen], train.y[seen]
    rows = xt[stratified_subset(yt, max_response, seed)]

    def mean_response(i: int, value: float) -> float:
        changed = rows.copy()
        changed[:, i] = value
        return float(np.nanmean(predict(changed)))

    curves = response_curves(mean_response, info.names, info.kinds, xt, yt, points=points,
                             progress=progress.sub(60, 100))
    return explanation_of(importance, curves, name=name or meta.name or meta.model_type,
                          model_type=meta.model_type,
                          model_file=str(Path(model_path).resolve()),
                          stack=str(stack_path), samples=samples_label or str(samples_path),
                          n_importance=keep.size, n_response=rows.shape[0])


def write_explanation(explanation: Explanation, path: str, inputs: Sequence[str] = ()) -> Path:
    """The explanation file (JSON), checked as its readers check it, written atomically."""
    from .raster import atomic_file, check_output_path

    out = check_output_path(path, inputs)
    data = Explanation.from_dict(json.loads(json.dumps(explanation.to_dict())), out.name)
    with atomic_file(out) as tmp:
        tmp.write_text(json.dumps(data.to_dict(), indent=1), encoding="utf-8")
    return out


IMPORTANCE_COLUMNS = (("model", str), ("rank", int), ("factor", str), ("mean_drop", float),
                      ("sd_drop", float), ("min_drop", float), ("max_drop", float),
                      ("base_auroc", float), ("repeats", int), ("samples", int))


def importance_rows(explanation: Explanation) -> list[dict]:
    """The importance table's rows (most important first), in IMPORTANCE_COLUMNS' order."""
    return [{"model": explanation.model_name, "rank": k + 1, "factor": f.factor,
             "mean_drop": f.mean, "sd_drop": f.sd,
             "min_drop": min(f.drops) if f.drops else f.mean,
             "max_drop": max(f.drops) if f.drops else f.mean,
             "base_auroc": explanation.base_auroc, "repeats": explanation.repeats,
             "samples": explanation.n_importance}
            for k, f in enumerate(explanation.importance)]
