"""Evaluation metrics of a susceptibility map against labelled cells.

Counts use ``score >= threshold`` as "predicted landslide". Ratios with an empty denominator
are NaN (reported as empty), never a division error.

Calibration: the Brier score (mean squared difference between the LSI and the 0/1 label) and
the reliability diagram (observed landslide share per LSI bin) read the LSI as a probability;
they are NaN / left out when scores lie outside 0..1.

scikit-learn is imported only inside the functions that compute ROC curves and AUROC, so
reading results and the counts-based metrics work without it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from .errors import LsmError

THRESHOLD_HALF, THRESHOLD_YOUDEN = "0.5", "youden"
METRIC_NAMES = ("accuracy", "precision", "sensitivity", "specificity", "f1", "kappa", "auroc",
                "brier")
#: equal-width LSI bins of the reliability diagram
RELIABILITY_BINS = 10
#: scores this far outside 0..1 still count as probabilities (float32 rounding)
PROBABILITY_SLACK = 1e-6


def rank_auroc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve in numpy alone (Mann-Whitney U, ties counted half): the same
    value as scikit-learn's roc_auc_score, for processes without scikit-learn (the LSNet
    worker). NaN when one class is absent."""
    y = np.asarray(y).astype(bool)
    score = np.asarray(score, dtype=np.float64)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return float("nan")
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]  # average ranks of ties
    return float((ranks[y].sum() - pos * (pos + 1) / 2.0) / (pos * neg))


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
    #: mean squared difference between LSI and label (0 best; NaN for scores outside 0..1)
    brier: float = math.nan

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
    m.brier = brier_score(y, score) if are_probabilities(score) else math.nan
    return m


def are_probabilities(score: np.ndarray) -> bool:
    """True when every score lies in 0..1 (up to float32 rounding): an LSI read as P."""
    score = np.asarray(score, dtype=np.float64)
    return bool(score.size) and bool(np.all(np.isfinite(score))) and \
        float(score.min()) >= -PROBABILITY_SLACK and float(score.max()) <= 1 + PROBABILITY_SLACK


def _probability_scores(y: np.ndarray, score: np.ndarray, what: str
                        ) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y).astype(int).ravel()
    score = np.asarray(score, dtype=np.float64).ravel()
    if y.size != score.size:
        raise LsmError(f"{what}: {y.size} labels for {score.size} scores; they must pair up.")
    if not y.size:
        raise LsmError(f"{what} needs at least one labelled cell.")
    if not np.isin(y, (0, 1)).all():
        raise LsmError(f"{what} needs labels 0 (no landslide) and 1 (landslide).")
    if not are_probabilities(score):
        raise LsmError(f"{what} reads the LSI as a probability: scores must lie in 0..1, "
                       f"these range {np.nanmin(score):g} .. {np.nanmax(score):g}. Evaluate "
                       "an LSI raster made by 'Predict LSI' or a training algorithm.")
    return y, np.clip(score, 0.0, 1.0)


def brier_score(y: np.ndarray, score: np.ndarray) -> float:
    """Brier score: the mean of (LSI - label)^2 over the cells (0 is perfect; always
    predicting 0.5 scores 0.25). Scores must lie in 0..1."""
    y, score = _probability_scores(y, score, "The Brier score")
    return float(np.mean((score - y) ** 2))


def reliability(y: np.ndarray, score: np.ndarray, bins: int = RELIABILITY_BINS) -> dict:
    """The reliability diagram: the cells grouped into ``bins`` equal-width LSI bins of 0..1
    (the last one closed: LSI 1 is in it); per bin that holds cells, their mean LSI
    (``lsi``), the share of them that are landslides (``observed``) and their number
    (``count``). Bins without cells are left out. A calibrated map lies on the diagonal."""
    if not isinstance(bins, int) or bins < 1:
        raise LsmError(f"The reliability diagram needs 1 or more bins, not {bins!r}.")
    y, score = _probability_scores(y, score, "The reliability diagram")
    index = np.minimum((score * bins).astype(np.int64), bins - 1)
    count = np.bincount(index, minlength=bins)
    total = np.bincount(index, weights=score, minlength=bins)
    hits = np.bincount(index, weights=y, minlength=bins)
    keep = count > 0
    return {"lsi": [float(min(1.0, v)) for v in total[keep] / count[keep]],
            "observed": [float(v) for v in hits[keep] / count[keep]],
            "count": [int(v) for v in count[keep]]}


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
