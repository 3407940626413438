"""Models on per-cell factors: RBF-SVM, kernel logistic regression, logistic regression, random
forest. Hyperparameters are chosen by cross-validation on the training samples only, inside a
pipeline, so scalers are fitted on each fold's training part and validation cells never leak.
"""

from __future__ import annotations

import itertools
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import PredefinedSplit, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from .errors import LsmError
from .progress import SILENT, Progress

SVM, KLR, LOGISTIC, RANDOM_FOREST = "svm", "klr", "logistic", "random_forest"
MODEL_NAMES = {SVM: "SVM", KLR: "KLR", LOGISTIC: "Logistic regression",
               RANDOM_FOREST: "Random forest", "lsnet": "LSNet"}
STRATIFIED, SAMPLE_FOLDS = "stratified", "samples"
#: the exact kernel is used up to this many training samples, a Nystroem approximation above
DEFAULT_KERNEL_LIMIT = 2000


def log_grid(low: float, high: float, n: int) -> list[float]:
    """n values evenly spaced in log scale from low to high (both included)."""
    if low <= 0 or high <= 0:
        raise LsmError("Grid bounds must be positive.")
    if n < 1:
        raise LsmError("A grid needs at least one value.")
    if n == 1:
        return [float(low)]
    return [float(v) for v in np.logspace(np.log10(low), np.log10(high), n)]


#: Defaults include the paper's optimum, C = 241 and gamma = 0.02.
DEFAULT_C = (0.241, 2410.0, 5)
DEFAULT_GAMMA = (0.0002, 2.0, 5)


def build_estimator(model_type: str, params: dict, seed: int = 42, standardize: bool = True,
                    kernel_limit: int = DEFAULT_KERNEL_LIMIT, probability: bool = True,
                    calibration_folds: int = 5):
    """A scikit-learn pipeline for a model type with the given hyperparameters."""
    steps = [("scale", StandardScaler())] if standardize and model_type != RANDOM_FOREST else []
    if model_type == SVM:
        svc = SVC(kernel="rbf", C=params["C"], gamma=params["gamma"], random_state=seed,
                  cache_size=500)
        # LSI = P(landslide) by Platt scaling of the SVM's decision values, fitted by internal
        # 5-fold CV on the training samples (probabilities are not needed during the search)
        steps.append(("model", CalibratedClassifierCV(svc, method="sigmoid", ensemble=False,
                                                      cv=calibration_folds)
                      if probability else svc))
    elif model_type == KLR:
        # Penalised logistic loss on kernel features: with all training points as landmarks
        # the Nystroem map is exact (K = Phi Phi^T), so this is kernel logistic regression.
        steps.append(("kernel", Nystroem(kernel="rbf", gamma=params["gamma"],
                                         n_components=kernel_limit, random_state=seed)))
        steps.append(("model", LogisticRegression(C=params["C"], max_iter=5000)))
    elif model_type == LOGISTIC:
        steps.append(("model", LogisticRegression(C=params["C"], max_iter=5000)))
    elif model_type == RANDOM_FOREST:
        steps.append(("model", RandomForestClassifier(
            n_estimators=int(params.get("n_estimators", 300)),
            min_samples_leaf=int(params.get("min_samples_leaf", 1)),
            max_features=params.get("max_features", "sqrt"), random_state=seed, n_jobs=1)))
    else:
        raise LsmError(f"Unknown model type '{model_type}'.")
    return Pipeline(steps)


def default_grid(model_type: str, c_grid=DEFAULT_C, gamma_grid=DEFAULT_GAMMA) -> dict:
    if model_type in (SVM, KLR):
        return {"C": log_grid(*c_grid), "gamma": log_grid(*gamma_grid)}
    if model_type == LOGISTIC:
        return {"C": log_grid(0.001, 1000.0, 7)}
    if model_type == RANDOM_FOREST:
        return {"n_estimators": [300], "min_samples_leaf": [1], "max_features": ["sqrt"]}
    raise LsmError(f"Unknown model type '{model_type}'.")


@dataclass
class CvRow:
    params: dict
    mean_auroc: float
    std_auroc: float
    fold_aurocs: list
    rank: int = 0


@dataclass
class TrainResult:
    estimator: object
    model_type: str
    params: dict
    cv_score: float
    cv_rows: list
    cv_scheme: str
    folds: int
    training_time_s: float
    n_train: int
    n_landslide: int
    kernel: str = ""
    messages: list = field(default_factory=list)


def _splitter(y: np.ndarray, folds: Optional[np.ndarray], scheme: str, n_folds: int,
              seed: int, messages: list):
    if scheme == SAMPLE_FOLDS:
        if folds is None or np.all(folds <= 0):
            raise LsmError("The samples have no fold numbers; use stratified CV or prepare the "
                           "samples with 'Prepare training samples'.")
        test_fold = np.asarray(folds) - 1
        for f in np.unique(test_fold[test_fold >= 0]):
            classes = np.unique(y[test_fold == f])
            if classes.size < 2:
                raise LsmError(f"Cross-validation fold {f + 1} of the samples holds only one class"
                               "; prepare the samples with fewer folds, or use stratified CV.")
        return PredefinedSplit(test_fold)
    min_class = int(min(np.sum(y == 1), np.sum(y == 0)))
    if min_class < 2:
        raise LsmError("Cross-validation needs at least two training samples of each class.")
    k = n_folds
    if min_class < n_folds:
        messages.append(f"Only {min_class} training samples in the smaller class: "
                        f"{min_class} CV folds instead of {n_folds}.")
        k = min_class
    return StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)


def train_model(model_type: str, x: np.ndarray, y: np.ndarray, *,
                folds: Optional[np.ndarray] = None, cv_scheme: str = STRATIFIED,
                n_folds: int = 10, grid: Optional[dict] = None, seed: int = 42,
                standardize: bool = True, kernel_limit: int = DEFAULT_KERNEL_LIMIT,
                n_jobs: int = 2, progress: Progress = SILENT) -> TrainResult:
    """Choose hyperparameters by CV (maximising AUROC) and fit the final model on all x, y."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y).astype(int)
    if x.ndim != 2 or x.shape[0] != y.size:
        raise LsmError("Training data and labels do not match.")
    if not np.all(np.isfinite(x)):
        raise LsmError("Training data holds NaN or infinite values; check the stack's nodata.")
    if np.unique(y).size < 2:
        raise LsmError("The training samples hold only one class; a model needs landslide and "
                       "non-landslide cells.")
    start = time.perf_counter()
    messages: list = []
    grid = grid or default_grid(model_type)
    combos = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    splitter = _splitter(y, folds, cv_scheme, n_folds, seed, messages)
    splits = list(splitter.split(x, y))
    # Combos that share the feature stage (KLR: the same gamma) share one kernel map per fold;
    # only the final logistic regression is fitted per C.
    shared = ("gamma",) if model_type == KLR else ()
    groups: dict = {}
    for c, params in enumerate(combos):
        key = tuple(params[k] for k in shared) if shared else (c,)
        groups.setdefault(key, []).append(c)
    tasks = [(members, f) for members in groups.values() for f in range(len(splits))]
    scores = np.full((len(combos), len(splits)), np.nan)

    def run_fold(task: tuple[list, int]) -> list[float]:
        members, f = task
        train, test = splits[f]
        if not shared:
            estimator = build_estimator(model_type, combos[members[0]], seed, standardize,
                                        kernel_limit, probability=False).fit(x[train], y[train])
            return [roc_auc_score(y[test], _scores(estimator, x[test]))]
        features = build_estimator(model_type, combos[members[0]], seed, standardize,
                                   kernel_limit)[:-1].fit(x[train])
        f_train, f_test = features.transform(x[train]), features.transform(x[test])
        out = []
        for c in members:
            final = build_estimator(model_type, combos[c], seed, standardize, kernel_limit)[-1]
            final.fit(f_train, y[train])
            out.append(roc_auc_score(y[test], final.decision_function(f_test)))
        return out

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_components.*")
        # threads: libsvm, liblinear and BLAS release the GIL; no child processes, which
        # cannot be started from inside QGIS
        with ThreadPoolExecutor(max_workers=max(1, n_jobs)) as pool:
            done = 0
            for start_at in range(0, len(tasks), 4 * max(1, n_jobs)):
                progress.check()
                batch = tasks[start_at:start_at + 4 * max(1, n_jobs)]
                for (members, f), fold_scores in zip(batch, pool.map(run_fold, batch)):
                    scores[members, f] = fold_scores
                done += len(batch)
                progress.fraction(done, len(tasks) + len(splits))
        rows = [CvRow(params, float(np.mean(scores[c])), float(np.std(scores[c])),
                      [float(s) for s in scores[c]]) for c, params in enumerate(combos)]
        order = sorted(range(len(rows)), key=lambda r: -rows[r].mean_auroc)
        for rank, r in enumerate(order, start=1):
            rows[r].rank = rank
        best = rows[order[0]]
        min_class = int(min(np.sum(y == 1), np.sum(y == 0)))
        final = build_estimator(model_type, best.params, seed, standardize, kernel_limit,
                                calibration_folds=max(2, min(5, min_class)))
        final.fit(x, y)
    progress.percent(100)
    kernel = ""
    if model_type == KLR:
        kernel = ("exact RBF kernel" if x.shape[0] <= kernel_limit else
                  f"Nystroem approximation with {kernel_limit} components")
    return TrainResult(final, model_type, best.params, best.mean_auroc, rows, cv_scheme,
                       len(splits), time.perf_counter() - start, int(y.size),
                       int(np.sum(y == 1)), kernel, messages)


def _scores(estimator, x: np.ndarray) -> np.ndarray:
    """Ranking scores for AUROC: the decision function, or P(landslide)."""
    if hasattr(estimator, "decision_function"):
        return estimator.decision_function(x)
    return estimator.predict_proba(x)[:, 1]


def refit(estimator, x: np.ndarray, y: np.ndarray):
    """A fresh copy of an estimator fitted on x, y."""
    return clone(estimator).fit(x, y)
