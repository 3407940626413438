"""Evaluation metrics of a susceptibility map against labelled cells.

Counts use ``score >= threshold`` as "predicted landslide". Ratios with an empty denominator
are NaN (reported as empty), never a division error.

scikit-learn is imported only inside the functions that compute ROC curves and AUROC, so
reading results and the counts-based metrics work without it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from .errors import LsmError

THRESHOLD_HALF, THRESHOLD_YOUDEN = "0.5", "youden"
METRIC_NAMES = ("accuracy", "precision", "sensitivity", "specificity", "f1", "kappa", "auroc")


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


@dataclass
class Metrics:
    tp: int
    tn: int
    fp: int
    fn: int
    accuracy: float
    precision: float
    sensitivity: float
    specificity: float
    f1: float
    kappa: float
    auroc: float = math.nan
    threshold: float = 0.5
    n: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def metrics_from_counts(tp: int, tn: int, fp: int, fn: int) -> Metrics:
    """Accuracy, precision, sensitivity (recall), specificity, F1 and Cohen's kappa."""
    n = tp + tn + fp + fn
    accuracy = _ratio(tp + tn, n)
    precision = _ratio(tp, tp + fp)
    sensitivity = _ratio(tp, tp + fn)
    specificity = _ratio(tn, tn + fp)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    expected = _ratio((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn), n * n)
    kappa = _ratio(accuracy - expected, 1 - expected) if not math.isnan(expected) else math.nan
    return Metrics(tp, tn, fp, fn, accuracy, precision, sensitivity, specificity, f1, kappa,
                   n=n)


def confusion(y: np.ndarray, score: np.ndarray, threshold: float) -> tuple[int, int, int, int]:
    y = np.asarray(y).astype(int)
    pred = np.asarray(score) >= threshold
    tp = int(np.sum(pred & (y == 1)))
    tn = int(np.sum(~pred & (y == 0)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    return tp, tn, fp, fn


def youden_threshold(y: np.ndarray, score: np.ndarray) -> float:
    """The score threshold maximising Youden's J = sensitivity + specificity - 1."""
    from sklearn.metrics import roc_curve

    _check_both_classes(y, "Youden's threshold")
    fpr, tpr, thresholds = roc_curve(y, score)
    best = int(np.argmax(tpr - fpr))
    return float(min(1.0, thresholds[best]))


def _check_both_classes(y: np.ndarray, what: str) -> None:
    if np.unique(np.asarray(y)).size < 2:
        raise LsmError(f"{what} needs landslide and non-landslide cells; the samples hold only "
                       "one class.")


def evaluate_scores(y: np.ndarray, score: np.ndarray, threshold: float = 0.5) -> Metrics:
    """All metrics of scores (LSI values) against labels at a threshold."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y).astype(int)
    score = np.asarray(score, dtype=np.float64)
    _check_both_classes(y, "Evaluation")
    m = metrics_from_counts(*confusion(y, score, threshold))
    m.auroc = float(roc_auc_score(y, score))
    m.threshold = float(threshold)
    return m


def roc_points(y: np.ndarray, score: np.ndarray) -> tuple[list, list]:
    """False- and true-positive rates of the ROC curve (corner points only)."""
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(np.asarray(y).astype(int), np.asarray(score, dtype=np.float64),
                            drop_intermediate=True)
    return [float(v) for v in fpr], [float(v) for v in tpr]


def rate_curve(area_counts: np.ndarray, landslide_scores: np.ndarray,
               edges: np.ndarray) -> dict:
    """Success- or prediction-rate curve: cumulative share of landslide cells against the
    cumulative share of the study area, cells ranked from the highest LSI down.

    ``area_counts`` is a histogram of the map's LSI over ``edges``.
    """
    area = np.asarray(area_counts, dtype=np.float64)[::-1]
    ls_counts = np.histogram(np.clip(landslide_scores, edges[0], edges[-1]), edges)[0][::-1]
    x = np.concatenate([[0.0], np.cumsum(area) / max(1.0, area.sum())])
    y = np.concatenate([[0.0], np.cumsum(ls_counts) / max(1, ls_counts.sum())])
    auc = float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2.0))
    keep = np.concatenate([[True], np.diff(x) > 0]) | (np.arange(x.size) == x.size - 1)
    return {"area": [float(v) for v in x[keep]], "landslides": [float(v) for v in y[keep]],
            "auc": auc}
