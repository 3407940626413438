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


def cv_workers(model_type: str, n_jobs: int) -> int:
    """How many CV folds run at once. Threads, not processes (none can be started from inside
    QGIS). libsvm and the tree builders release the GIL, so SVM and random-forest folds run
    side by side; the logistic fits of KLR and logistic regression are short BLAS calls
    between Python steps, which threads only slow down (measured), so they run one at a time
    with BLAS using the cores."""
    return 1 if model_type in (KLR, LOGISTIC) else max(1, n_jobs)


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
        scores_by_combo = {}
        # increasing C, each fit starting from the previous solution (warm start)
        final = build_estimator(model_type, combos[members[0]], seed, standardize,
                                kernel_limit)[-1].set_params(warm_start=True)
        for c in sorted(members, key=lambda m: combos[m]["C"]):
            final.set_params(C=combos[c]["C"]).fit(f_train, y[train])
            scores_by_combo[c] = roc_auc_score(y[test], final.decision_function(f_test))
        return [scores_by_combo[c] for c in members]

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_components.*")
        with ThreadPoolExecutor(max_workers=cv_workers(model_type, n_jobs)) as pool:
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
        folds = max(2, min(5, min_class))
        final = build_estimator(model_type, best.params, seed, standardize, kernel_limit,
                                calibration_folds=folds)
        final.fit(x, y)
        if model_type == SVM:
            recalibrate_platt(final, x, y, seed, standardize, folds)
    progress.percent(100)
    kernel = ""
    if model_type == KLR:
        kernel = ("exact RBF kernel" if x.shape[0] <= kernel_limit else
                  f"Nystroem approximation with {kernel_limit} components")
    return TrainResult(final, model_type, best.params, best.mean_auroc, rows, cv_scheme,
                       len(splits), time.perf_counter() - start, int(y.size),
                       int(np.sum(y == 1)), kernel, messages)


def recalibrate_platt(pipeline, x: np.ndarray, y: np.ndarray, seed: int, standardize: bool,
                      folds: int) -> None:
    """Refit the Platt sigmoid of a calibrated SVM pipeline on standardised out-of-fold
    decision values.

    scikit-learn pools the raw out-of-fold decision values of its calibration folds. When
    they barely vary (a small C with a small gamma: a nearly flat SVM that still ranks well
    within each fold), each fold's values sit at another offset and scale, the pooled values
    no longer rank the cells, and the fitted sigmoid can even turn the ranking upside down.
    Here every fold's decision values are standardised by that fold model's own training
    values before pooling, and the final model's by its training values; the sigmoid then
    maps a comparable score. The result is stored in the usual CalibratedClassifierCV.
    """
    steps = pipeline.steps[:-1]
    svc = pipeline.steps[-1][1].calibrated_classifiers_[0].estimator

    def fitted_standardiser(model, x_train):
        f = model.decision_function(x_train)
        return float(f.mean()), float(f.std()) or 1.0

    oof = np.empty(y.size)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        model = Pipeline([(n, clone(s)) for n, s in steps] + [("model", clone(svc))])
        model.fit(x[train], y[train])
        mean, std = fitted_standardiser(model, x[train])
        oof[test] = (model.decision_function(x[test]) - mean) / std
    logit = LogisticRegression(C=1e6, max_iter=1000).fit(oof[:, None], y)
    w, c = float(logit.coef_[0, 0]), float(logit.intercept_[0])
    final = Pipeline(steps + [("model", svc)])
    mean, std = fitted_standardiser(final, x)
    sigmoid = pipeline.steps[-1][1].calibrated_classifiers_[0].calibrators[0]
    # p = 1 / (1 + exp(a f + b)) = logistic(w (f - mean) / std + c)
    sigmoid.a_ = -w / std
    sigmoid.b_ = -(c - w * mean / std)


def _scores(estimator, x: np.ndarray) -> np.ndarray:
    """Ranking scores for AUROC: the decision function, or P(landslide)."""
    if hasattr(estimator, "decision_function"):
        return estimator.decision_function(x)
    return estimator.predict_proba(x)[:, 1]


def refit(estimator, x: np.ndarray, y: np.ndarray):
    """A fresh copy of an estimator fitted on x, y."""
    return clone(estimator).fit(x, y)
