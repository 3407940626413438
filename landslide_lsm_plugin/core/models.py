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
from sklearn.ensemble import RandomForestClassifier
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import PredefinedSplit, StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from .errors import LsmError
from .platt import PlattSvm
from .progress import SILENT, Progress
from .strategy import (
    DEFAULT_FINAL_SAMPLES,
    DEFAULT_KERNEL_LIMIT,
    DEFAULT_SEARCH_SAMPLES,
    HALVING_FACTOR,
    SEARCH_KERNEL_LIMIT,
    halving_sizes,
    landslide_groups,
    several_cells_per_landslide,
    subset_by_landslide,
)

SVM, KLR, LOGISTIC, RANDOM_FOREST = "svm", "klr", "logistic", "random_forest"
MODEL_NAMES = {SVM: "SVM", KLR: "KLR", LOGISTIC: "Logistic regression",
               RANDOM_FOREST: "Random forest", "lsnet": "LSNet"}
#: CV schemes: folds of the samples layer (whole landslides or spatial blocks; the default),
#: cell-wise stratified k-fold, and folds by landslide drawn here when samples carry no folds
STRATIFIED, SAMPLE_FOLDS, LANDSLIDE_FOLDS = "stratified", "samples", "landslide"


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
                    kernel_limit: int = DEFAULT_KERNEL_LIMIT):
    """A scikit-learn pipeline for a model type with the given hyperparameters (the SVM
    uncalibrated: :func:`platt_from_search` adds its sigmoid)."""
    steps = [("scale", StandardScaler())] if standardize and model_type != RANDOM_FOREST else []
    if model_type == SVM:
        steps.append(("model", SVC(kernel="rbf", C=params["C"], gamma=params["gamma"],
                                   random_state=seed, cache_size=500)))
    elif model_type == KLR:
        # Penalised logistic loss on kernel features: with all training points as landmarks
        # the Nystroem map is exact (K = Phi Phi^T), so this is kernel logistic regression.
        steps.append(("kernel", Nystroem(kernel="rbf", gamma=params["gamma"],
                                         n_components=kernel_limit, random_state=seed)))
        steps.append(("model", _logistic(params["C"])))
    elif model_type == LOGISTIC:
        steps.append(("model", _logistic(params["C"])))
    elif model_type == RANDOM_FOREST:
        steps.append(("model", RandomForestClassifier(
            n_estimators=int(params.get("n_estimators", 300)),
            min_samples_leaf=int(params.get("min_samples_leaf", 1)),
            max_features=params.get("max_features", "sqrt"), random_state=seed, n_jobs=1)))
    else:
        raise LsmError(f"Unknown model type '{model_type}'.")
    return Pipeline(steps)


def _logistic(c: float) -> LogisticRegression:
    """Newton's method on the Cholesky factor: a few iterations at any C, and exact where
    L-BFGS stops early (warm-started from a neighbouring C, L-BFGS returned the same
    coefficients for C = 24 .. 2410: a grid whose C never changed the model)."""
    return LogisticRegression(C=c, solver="newton-cholesky", max_iter=200)


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
    samples: int = 0  # the samples of the search round that scored it
    round: int = 1  # the last round of successive halving it took part in


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
    n_search: int = 0
    n_final: int = 0
    strategy: list = field(default_factory=list)
    #: the ensemble's members (fitted estimators, the chosen hyperparameters), if one was kept
    members: list = field(default_factory=list)
    ensemble: str = ""


@dataclass
class CvPlan:
    """The folds of a search, and what the log and the model file say about them."""

    splits: list
    scheme: str
    description: str


def _plan_folds(y: np.ndarray, folds: Optional[np.ndarray], groups: Optional[np.ndarray],
                scheme: str, n_folds: int, seed: int, messages: list,
                subset: bool) -> CvPlan:
    """CV folds: those of the samples layer (whole landslides or spatial blocks), folds by
    landslide computed here when the samples carry none, or cell-wise stratified k-fold."""
    if scheme == SAMPLE_FOLDS:
        if folds is not None and np.any(np.asarray(folds) > 0):
            test_fold = np.asarray(folds).astype(np.int64) - 1
            one_class = [int(f) + 1 for f in np.unique(test_fold[test_fold >= 0])
                         if np.unique(y[test_fold == f]).size < 2]
            if not one_class:
                return CvPlan(list(PredefinedSplit(test_fold).split()), SAMPLE_FOLDS,
                              "folds of the samples layer (whole landslides or spatial blocks)")
            if not subset:
                raise LsmError(f"Cross-validation fold {one_class[0]} of the samples holds only "
                               "one class; prepare the samples with fewer folds, or use "
                               "stratified CV.")
            messages.append(f"In the search subset, fold(s) {one_class} of the samples layer hold "
                            "only one class: folds by landslide were drawn for it instead.")
        return _landslide_folds(y, groups, n_folds, seed, messages)
    min_class = _smaller_class(y)
    k = n_folds
    if min_class < n_folds:
        messages.append(f"Only {min_class} training samples in the smaller class: "
                        f"{min_class} CV folds instead of {n_folds} (parameter 'Folds').")
        k = min_class
    if several_cells_per_landslide(y, groups):
        messages.append("Cell-wise stratified CV while landslides give several cells: cells of "
                        "one landslide fall in training and test folds, so the CV scores will be "
                        "optimistic and the search favours models that memorise landslides. "
                        "Choose 'Folds of the samples layer' (the default) for honest tuning.")
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return CvPlan(list(splitter.split(np.zeros(y.size), y)), STRATIFIED,
                  "stratified k-fold over cells (random)")


def _landslide_folds(y: np.ndarray, groups: Optional[np.ndarray], n_folds: int, seed: int,
                     messages: list) -> CvPlan:
    """Stratified group k-fold: every landslide's cells in one fold."""
    labels = landslide_groups(np.arange(y.size), groups)
    n_landslides = np.unique(labels[y == 1]).size
    k = min(n_folds, n_landslides, int(np.sum(y != 1)))
    if k < 2:
        raise LsmError("Cross-validation needs at least two training landslides and two "
                       "non-landslide samples.")
    if k < n_folds:
        messages.append(f"Only {n_landslides} training landslides: {k} CV folds instead of "
                        f"{n_folds} (parameter 'Folds').")
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    splits = list(splitter.split(np.zeros(y.size), y, labels))
    return CvPlan(splits, LANDSLIDE_FOLDS, "folds by landslide (drawn here: the samples carry "
                  "no fold numbers)")


def _smaller_class(y: np.ndarray) -> int:
    min_class = int(min(np.sum(y == 1), np.sum(y == 0)))
    if min_class < 2:
        raise LsmError("Cross-validation needs at least two training samples of each class.")
    return min_class


def cv_workers(model_type: str, n_jobs: int) -> int:
    """How many CV folds run at once. Threads, not processes (none can be started from inside
    QGIS). libsvm and the tree builders release the GIL, so SVM and random-forest folds run
    side by side; the logistic fits of KLR and logistic regression are short BLAS calls
    between Python steps, which threads only slow down (measured), so they run one at a time
    with BLAS using the cores."""
    return 1 if model_type in (KLR, LOGISTIC) else max(1, n_jobs)


def _count(n: int) -> str:
    return f"{n:,}"


@dataclass(frozen=True)
class SearchSettings:
    """How the hyperparameters are chosen (the Train algorithms' search parameters)."""

    #: parameter name -> values to try (None: :func:`default_grid`)
    grid: Optional[dict] = None
    #: SAMPLE_FOLDS (the samples' folds, or folds by landslide) or STRATIFIED (cell-wise)
    cv_scheme: str = SAMPLE_FOLDS
    n_folds: int = 10
    #: search on at most this many samples, every landslide thinned alike (0: all)
    search_samples: int = DEFAULT_SEARCH_SAMPLES
    #: successive halving (each round keeps the best third, triples the samples)
    halving: bool = True


@dataclass(frozen=True)
class FitSettings:
    """How each model is built and fitted."""

    seed: int = 42
    #: standardise the factors (every model type but the random forest)
    standardize: bool = True
    #: KLR: exact kernel up to this many samples, Nystroem with this many components above
    kernel_limit: int = DEFAULT_KERNEL_LIMIT
    #: the final fit on at most this many samples (-1: the model type's default cap; None or
    #: 0: all)
    final_samples: Optional[int] = -1
    #: threads for CV folds, forests and maps
    n_jobs: int = 2
    #: an ensemble kept beside the model for uncertainty maps: "" (none), ENSEMBLE_CV_FOLDS
    #: (one member per CV fold, fitted on that fold's training part) or ENSEMBLE_BOOTSTRAP
    #: (``ensemble_size`` refits on bootstrap resamples of the landslides and the other samples)
    ensemble: str = ""
    ensemble_size: int = 10


ENSEMBLE_CV_FOLDS, ENSEMBLE_BOOTSTRAP = "cv_folds", "bootstrap"
ENSEMBLE_KINDS = (ENSEMBLE_CV_FOLDS, ENSEMBLE_BOOTSTRAP)
#: at most this many ensemble members
MAX_ENSEMBLE = 100

#: the defaults (the settings are frozen: one instance serves every call)
DEFAULT_SEARCH, DEFAULT_FIT = SearchSettings(), FitSettings()


def train_model(model_type: str, x: np.ndarray, y: np.ndarray, *,
                folds: Optional[np.ndarray] = None, groups: Optional[np.ndarray] = None,
                search: SearchSettings = DEFAULT_SEARCH, fit: FitSettings = DEFAULT_FIT,
                progress: Progress = SILENT) -> TrainResult:
    """Choose hyperparameters by CV (maximising AUROC) and fit the final model.

    ``folds`` are the samples' fold numbers (1..k; 0: none), ``groups`` their landslide ids
    (negative: not a landslide cell); ``search`` and ``fit`` say how (see their fields)."""
    cv_scheme, n_folds, grid = search.cv_scheme, search.n_folds, search.grid
    search_samples, halving = search.search_samples, search.halving
    seed, standardize, kernel_limit = fit.seed, fit.standardize, fit.kernel_limit
    final_samples, n_jobs = fit.final_samples, fit.n_jobs
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y).astype(int)
    if x.ndim != 2 or x.shape[0] != y.size:
        raise LsmError("Training data and labels do not match.")
    if not np.all(np.isfinite(x)):
        raise LsmError("Training data holds NaN or infinite values; check the stack's nodata.")
    if np.unique(y).size < 2:
        raise LsmError("The training samples hold only one class; a model needs landslide and "
                       "non-landslide cells.")
    if cv_scheme not in (SAMPLE_FOLDS, STRATIFIED):
        raise LsmError(f"Unknown cross-validation scheme '{cv_scheme}'.")
    if groups is not None and np.asarray(groups).shape != y.shape:
        raise LsmError("Landslide ids and labels do not match.")
    start = time.perf_counter()
    messages: list = []
    strategy: list = []
    grid = grid or default_grid(model_type)
    combos = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    n = int(y.size)

    # 1. the search: on a subset thinned landslide by landslide, by successive
    # halving (each round keeps the best third of the combinations and triples the samples)
    subset = (subset_by_landslide(y, groups, search_samples, seed) if search_samples
              else np.arange(n))
    xs, ys = x[subset], y[subset]
    gs = None if groups is None else np.asarray(groups)[subset]
    plan = _plan_folds(ys, None if folds is None else np.asarray(folds)[subset], gs,
                       cv_scheme, n_folds, seed, messages, subset=subset.size < n)
    sizes = halving_sizes(len(combos), subset.size) if halving else [int(subset.size)]
    rounds = [np.arange(subset.size)]
    for i in range(len(sizes) - 2, -1, -1):
        outer = rounds[0]
        inner = subset_by_landslide(ys[outer], None if gs is None else gs[outer], sizes[i],
                                    seed + 1 + i)
        rounds.insert(0, outer[inner])
    cost = [len(combos) / HALVING_FACTOR ** i * len(r) ** 2 for i, r in enumerate(rounds)]
    done = 0.0
    candidates = list(range(len(combos)))
    rows: list = [None] * len(combos)
    kept_counts = []
    oof: dict = {}
    for i, members in enumerate(rounds):
        kept_counts.append(len(candidates))
        splits = _restrict(plan.splits, members, ys)
        span = progress.sub(85 * done / sum(cost), 85 * (done + cost[i]) / sum(cost))
        scores, round_oof = _search(model_type, [combos[c] for c in candidates], xs, ys,
                                    splits, seed, standardize,
                                    min(kernel_limit, SEARCH_KERNEL_LIMIT), n_jobs, span)
        done += cost[i]
        for j, c in enumerate(candidates):
            rows[c] = CvRow(combos[c], _nan_mean(scores[j]), _nan_std(scores[j]),
                            [float(v) for v in scores[j]], samples=int(members.size),
                            round=i + 1)
        oof = {candidates[j]: values for j, values in round_oof.items()}
        if i < len(rounds) - 1:
            ranked = sorted(candidates, key=lambda c: -_sortable(rows[c].mean_auroc))
            candidates = ranked[:max(1, -(-len(candidates) // HALVING_FACTOR))]
    order = sorted(range(len(rows)),
                   key=lambda r: (-rows[r].round, -_sortable(rows[r].mean_auroc)))
    for rank, r in enumerate(order, start=1):
        rows[r].rank = rank
    best = rows[order[0]]
    if not np.isfinite(best.mean_auroc):
        raise LsmError("No cross-validation fold held both classes; add training samples or "
                       "choose fewer folds.")
    subset_text = (f"all {_count(n)} training samples" if subset.size == n else
                   f"{_count(subset.size)} of {_count(n)} training samples (a share of every "
                   "landslide's cells, "
                   f"seed {seed}; parameter 'Search on at most this many samples')")
    if len(rounds) > 1:
        steps = ", then ".join(f"the best {k} on {_count(len(r))}" if i else
                               f"{k} combinations on {_count(len(r))} samples"
                               for i, (k, r) in enumerate(zip(kept_counts, rounds)))
        strategy.append(f"Hyperparameter search by successive halving: {steps}; "
                        f"{len(plan.splits)} folds ({plan.description}) on {subset_text}.")
    else:
        strategy.append(f"Hyperparameter search: {len(combos)} combination(s) x "
                        f"{len(plan.splits)} folds ({plan.description}) on {subset_text}.")

    # 2. the final fit: on every training sample, or a thinned cap (SVM)
    cap = DEFAULT_FINAL_SAMPLES.get(model_type) if final_samples == -1 else final_samples
    final_idx = (subset_by_landslide(y, groups, cap, seed + 1) if cap and cap < n
                 else np.arange(n))
    progress.check()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_components.*")
        final = _fit_final(model_type, best.params, x[final_idx], y[final_idx], seed,
                           standardize, kernel_limit, oof.get(order[0]), ys[rounds[-1]])
    members = []
    if fit.ensemble:
        # on the samples of the final fit (the same cap), with their own CV folds
        g = None if groups is None else np.asarray(groups)[final_idx]
        f = None if folds is None else np.asarray(folds)[final_idx]
        xb, yb = x[final_idx], y[final_idx]
        members = fit_ensemble(model_type, best.params, xb, yb, g,
                               plan_full_folds(yb, f, g, cv_scheme, n_folds, seed)
                               if fit.ensemble == ENSEMBLE_CV_FOLDS else [],
                               fit, final, progress.sub(85, 100))
        strategy.append(f"Ensemble for uncertainty maps: {len(members)} "
                        + ("models fitted on the CV folds' training parts" if
                           fit.ensemble == ENSEMBLE_CV_FOLDS else
                           "refits on bootstrap resamples (landslides drawn whole)")
                        + " with the chosen hyperparameters.")
    kernel = ""
    if model_type == KLR:
        kernel = ("exact RBF kernel" if final_idx.size <= kernel_limit else
                  f"Nystroem approximation with {kernel_limit} components")
    fitted_on = (f"all {_count(n)} training samples" if final_idx.size == n else
                 f"{_count(final_idx.size)} of {_count(n)} training samples (a share of every "
                 "landslide's cells; "
                 "parameter 'Final fit on at most this many samples')")
    detail = {SVM: "; LSI by Platt scaling of the search's out-of-fold decision values",
              KLR: f"; {kernel} (the search used at most {SEARCH_KERNEL_LIMIT} kernel "
                   "centres)"}.get(model_type, "")
    strategy.append(f"Final fit: {MODEL_NAMES[model_type]} on {fitted_on}{detail}.")
    progress.percent(100)
    return TrainResult(final, model_type, best.params, best.mean_auroc, rows, plan.scheme,
                       len(plan.splits), time.perf_counter() - start, n,
                       int(np.sum(y == 1)), kernel, messages, int(subset.size),
                       int(final_idx.size), strategy, members, fit.ensemble if members else "")


def _restrict(splits: list, members: np.ndarray, y: np.ndarray) -> list:
    """The folds restricted to some samples; folds left without both classes are dropped."""
    keep = np.zeros(y.size, dtype=bool)
    keep[members] = True
    out = []
    for fold_train, fold_test in splits:
        train, test = fold_train[keep[fold_train]], fold_test[keep[fold_test]]
        if np.unique(y[test]).size == 2 and np.unique(y[train]).size == 2:
            out.append((train, test))
    return out


def _nan_mean(values: np.ndarray) -> float:
    return float(np.mean(values)) if values.size else float("nan")


def _nan_std(values: np.ndarray) -> float:
    return float(np.std(values)) if values.size else float("nan")


def _sortable(value: float) -> float:
    return value if np.isfinite(value) else -np.inf


def _search(model_type: str, combos: list, x: np.ndarray, y: np.ndarray, splits: list,
            seed: int, standardize: bool, kernel_limit: int, n_jobs: int,
            progress: Progress) -> tuple[np.ndarray, dict]:
    """AUROC of every combination on every fold (rows: combinations, columns: folds), and for
    the SVM the standardised out-of-fold decision values of every combination.

    Logistic regression and random forest go through scikit-learn's GridSearchCV on the given
    folds (scikit-learn's own group-aware splitters, see :func:`_plan_folds`). SVM and KLR keep
    a fold loop of their own, for speed: the SVM's Platt sigmoid needs each combination's
    out-of-fold decision values (GridSearchCV keeps only scores; getting them again would cost
    one more SVM fit per fold), and KLR fits the kernel map once per gamma and fold for every C
    (GridSearchCV would refit it for each C)."""
    if model_type in (LOGISTIC, RANDOM_FOREST):
        return _grid_search(model_type, combos, x, y, splits, seed, standardize, n_jobs,
                            progress), {}
    # Combos that share the feature stage (KLR: the same gamma) share one kernel map per fold;
    # only the final logistic regression is fitted per C.
    shared = ("gamma",) if model_type == KLR else ()
    groups: dict = {}
    for c, params in enumerate(combos):
        key = tuple(params[k] for k in shared) if shared else (c,)
        groups.setdefault(key, []).append(c)
    tasks = [(members, f) for members in groups.values() for f in range(len(splits))]
    scores = np.full((len(combos), len(splits)), np.nan)
    oof: dict = ({c: np.full(y.size, np.nan) for c in range(len(combos))}
                 if model_type == SVM else {})

    def run_fold(task: tuple[list, int]) -> list[float]:
        members, f = task
        train, test = splits[f]
        if not shared:
            estimator = build_estimator(model_type, combos[members[0]], seed, standardize,
                                        kernel_limit).fit(x[train], y[train])
            test_scores = _scores(estimator, x[test])
            if model_type == SVM:
                mean, std = _standardiser(estimator.decision_function(x[train]))
                oof[members[0]][test] = (test_scores - mean) / std
            return [roc_auc_score(y[test], test_scores)]
        pipeline = build_estimator(model_type, combos[members[0]], seed, standardize,
                                   kernel_limit)
        features = pipeline[:-1].fit(x[train])
        f_train, f_test = features.transform(x[train]), features.transform(x[test])
        scores_by_combo = {}
        # each C from scratch by L-BFGS: on the search's small kernel features it is several
        # times faster than Newton's method (whose cost is Python overhead per step there), and
        # a cold start fits every C (warm-started from a neighbouring C, L-BFGS stopped at once)
        final = pipeline[-1].set_params(solver="lbfgs", max_iter=5000)
        for c in members:
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
                progress.fraction(done, len(tasks))
    return scores, oof


def _grid_search(model_type: str, combos: list, x: np.ndarray, y: np.ndarray, splits: list,
                 seed: int, standardize: bool, n_jobs: int, progress: Progress) -> np.ndarray:
    """AUROC of every combination on every fold by GridSearchCV (no refit: the final fit is
    :func:`_fit_final`'s). Its scorer checks for cancel and reports progress, so it runs in
    this process (n_jobs=1: no worker processes can be started from inside QGIS); a random
    forest builds its trees on ``n_jobs`` threads instead."""
    from sklearn.model_selection import GridSearchCV

    if not splits:
        return np.full((len(combos), 0), np.nan)
    estimator = build_estimator(model_type, combos[0], seed, standardize)
    if model_type == RANDOM_FOREST:
        estimator.set_params(model__n_jobs=max(1, n_jobs))
    grid = []
    for params in combos:  # each combination as build_estimator reads it (types included)
        model = build_estimator(model_type, params, seed, standardize).named_steps["model"]
        chosen = model.get_params()
        grid.append({f"model__{name}": [chosen[name]] for name in params if name in chosen})
    total, done = len(combos) * len(splits), [0]

    def auroc(fitted, x_test: np.ndarray, y_test: np.ndarray) -> float:
        progress.check()
        score = roc_auc_score(y_test, _scores(fitted, x_test))
        done[0] += 1
        progress.fraction(done[0], total)
        return score

    search = GridSearchCV(estimator, grid, scoring=auroc, cv=splits, refit=False, n_jobs=1,
                          error_score="raise")
    search.fit(x, y)
    return np.column_stack([search.cv_results_[f"split{f}_test_score"]
                            for f in range(len(splits))])


def _standardiser(decision: np.ndarray) -> tuple[float, float]:
    return float(decision.mean()), float(decision.std()) or 1.0


def _fit_final(model_type: str, params: dict, x: np.ndarray, y: np.ndarray, seed: int,
               standardize: bool, kernel_limit: int, oof: Optional[np.ndarray],
               y_search: np.ndarray):
    """The final pipeline with the chosen hyperparameters. For the SVM, LSI = P(landslide)
    by Platt scaling, fitted without refitting the SVM (see :func:`platt_from_search`)."""
    if model_type != SVM:
        return build_estimator(model_type, params, seed, standardize, kernel_limit).fit(x, y)
    svm = build_estimator(SVM, params, seed, standardize, kernel_limit).fit(x, y)
    return platt_from_search(svm, x, y, oof, y_search)


def platt_from_search(svm, x: np.ndarray, y: np.ndarray, oof: np.ndarray,
                      y_search: np.ndarray) -> PlattSvm:
    """The SVM pipeline with a Platt sigmoid that comes from the search's out-of-fold decision
    values (each fold's values standardised by that fold model's own training values).

    scikit-learn would pool the raw out-of-fold decision values of extra calibration fits:
    five more SVM fits, and where the values barely vary (a small C with a small gamma: a
    nearly flat SVM that still ranks well within each fold), each fold's values sit at
    another offset and scale, the pooled values no longer rank the cells and the sigmoid can
    even turn the ranking upside down. Here the sigmoid maps a standardised score, and the
    final model's decision values are standardised by its own training values: no SVM is
    refitted. Only public scikit-learn API is used: the sigmoid is plain numbers beside the
    pipeline (:class:`PlattSvm`), not written into scikit-learn's calibration objects."""
    scored = np.isfinite(oof)
    logit = LogisticRegression(C=1e6, max_iter=1000).fit(oof[scored, None], y_search[scored])
    return platt_with_link(svm, x, float(logit.coef_[0, 0]), float(logit.intercept_[0]))


def platt_with_link(svm, x: np.ndarray, w: float, c: float) -> PlattSvm:
    """The SVM with the sigmoid logistic(w z + c) of its standardised decision value z (each
    SVM standardised by its own decision values on its training samples ``x``)."""
    mean, std = _standardiser(svm.decision_function(x))
    # p = 1 / (1 + exp(a f + b)) = logistic(w (f - mean) / std + c)
    return PlattSvm(svm, -w / std, -(c - w * mean / std))


def standardised_link(model: PlattSvm, x: np.ndarray) -> tuple[float, float]:
    """(w, c) of a PlattSvm fitted by :func:`platt_with_link` on ``x``."""
    mean, std = _standardiser(model.pipeline.decision_function(x))
    a, b = model.link_ab
    w = -a * std
    return w, -b - w * mean / std


def plan_full_folds(y: np.ndarray, folds: Optional[np.ndarray], groups: Optional[np.ndarray],
                    cv_scheme: str, n_folds: int, seed: int) -> list:
    """The CV folds (train, test) of all training samples, as the search would draw them."""
    return _plan_folds(y, None if folds is None else np.asarray(folds), groups, cv_scheme,
                       n_folds, seed, [], subset=False).splits


def fit_ensemble(model_type: str, params: dict, x: np.ndarray, y: np.ndarray,
                 groups: Optional[np.ndarray], splits: list, fit: FitSettings, final,
                 progress: Progress = SILENT) -> list:
    """The ensemble members: the chosen hyperparameters fitted on each CV fold's training part
    (ENSEMBLE_CV_FOLDS) or on ``fit.ensemble_size`` bootstrap resamples (ENSEMBLE_BOOTSTRAP:
    landslides drawn whole with replacement, other samples one by one). ``x``, ``y`` are the
    samples the final model ``final`` was fitted on; SVM members keep its Platt link on their
    own standardised decision values."""
    if fit.ensemble not in ENSEMBLE_KINDS:
        raise LsmError(f"Unknown ensemble '{fit.ensemble}': choose {', '.join(ENSEMBLE_KINDS)}.")
    if fit.ensemble == ENSEMBLE_BOOTSTRAP:
        if not 2 <= fit.ensemble_size <= MAX_ENSEMBLE:
            raise LsmError(f"An ensemble has 2 to {MAX_ENSEMBLE} members, not "
                           f"{fit.ensemble_size}.")
        rng = np.random.default_rng(fit.seed + 7919)
        labels = landslide_groups(np.arange(y.size), groups)
        units, inverse = np.unique(labels, return_inverse=True)
        by_unit = [np.flatnonzero(inverse == u) for u in range(units.size)]
        parts = []
        for _ in range(fit.ensemble_size):
            drawn = rng.integers(0, units.size, units.size)
            index = np.concatenate([by_unit[u] for u in drawn])
            if np.unique(y[index]).size < 2:
                index = np.arange(y.size)
            parts.append(index)
    else:
        parts = [train for train, _ in splits]
    link = standardised_link(final, x) if model_type == SVM else None
    members = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_components.*")
        for i, index in enumerate(parts):
            progress.check()
            model = build_estimator(model_type, params, fit.seed + i, fit.standardize,
                                    fit.kernel_limit).fit(x[index], y[index])
            if link is not None:
                model = platt_with_link(model, x[index], *link)
            members.append(model)
            progress.fraction(i + 1, len(parts))
    return members


def _scores(estimator, x: np.ndarray) -> np.ndarray:
    """Ranking scores for AUROC: the decision function, or P(landslide)."""
    if hasattr(estimator, "decision_function"):
        return estimator.decision_function(x)
    return estimator.predict_proba(x)[:, 1]


def refit(estimator, x: np.ndarray, y: np.ndarray):
    """A fresh copy of an estimator fitted on x, y."""
    return clone(estimator).fit(x, y)
