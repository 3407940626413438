"""Model assessment by repeated cross-validation under several partitionings.

Reviewers of susceptibility studies ask how well a model maps *new ground*, not how well it
fills gaps between its training cells. Random folds put test cells next to training cells of
the same slopes and flatter every model; spatial folds (k-means clusters of the sample
coordinates, or square blocks) hold out whole areas. A buffer leaves out of each training set
the samples within a distance of the test fold, so that no training cell touches a test cell.

Every partitioning keeps a landslide's cells together (a landslide is one unit: its samples
take the fold of the landslide's centroid). Hyperparameters are tuned inside each training set
only (nested CV, inner folds of the same kind on the training samples), never on the test fold.

Pure: numpy and scikit-learn; no qgis.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from .errors import LsmError
from .models import (
    DEFAULT_FIT,
    DEFAULT_SEARCH,
    MODEL_NAMES,
    SAMPLE_FOLDS,
    FitSettings,
    SearchSettings,
    default_grid,
    train_model,
)
from .progress import SILENT, Progress
from .strategy import landslide_groups

RANDOM, KMEANS, BLOCKS = "random", "kmeans", "blocks"
SCHEMES = (RANDOM, KMEANS, BLOCKS)
SCHEME_NAMES = {RANDOM: "random (by landslide)", KMEANS: "spatial: k-means clusters",
                BLOCKS: "spatial: blocks"}


@dataclass(frozen=True)
class CvDesign:
    """How the models are assessed."""

    schemes: tuple[str, ...] = (RANDOM, KMEANS)
    repetitions: int = 5
    folds: int = 5
    #: training samples within this distance (stack CRS units) of a test sample are left out
    #: of that fold's training set (0: none)
    buffer: float = 0.0
    #: side of a square block for the BLOCKS scheme (None: the extent split into about
    #: 4 x folds blocks)
    block_size: Optional[float] = None
    #: folds of the inner CV that tunes each training set
    inner_folds: int = 5
    seed: int = 42

    def check(self) -> None:
        unknown = [s for s in self.schemes if s not in SCHEMES]
        if unknown or not self.schemes:
            raise LsmError(f"Unknown or no cross-validation scheme {unknown or ''}: choose from "
                           f"{', '.join(SCHEMES)}.")
        if self.folds < 2 or self.inner_folds < 2:
            raise LsmError("Cross-validation needs at least 2 folds (outer and inner).")
        if self.repetitions < 1:
            raise LsmError("Give at least one repetition.")
        if not math.isfinite(self.buffer) or self.buffer < 0:
            raise LsmError(f"The buffer distance must be 0 or more, not {self.buffer}.")
        if self.block_size is not None and not (math.isfinite(self.block_size)
                                                and self.block_size > 0):
            raise LsmError(f"The block size must be more than 0, not {self.block_size}.")


#: the default design (frozen: one instance serves every call)
DEFAULT_DESIGN = CvDesign()


# --- partitions ----------------------------------------------------------------------------------

def units_of(y: np.ndarray, groups: Optional[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's unit (0..u-1: the samples of one landslide form one unit, every other
    sample is a unit of its own) and each unit's label (1: a landslide)."""
    labels = landslide_groups(np.arange(y.size), groups)
    _, unit = np.unique(labels, return_inverse=True)
    unit_label = np.zeros(int(unit.max()) + 1 if unit.size else 0, dtype=int)
    np.maximum.at(unit_label, unit, (np.asarray(y) == 1).astype(int))
    return unit, unit_label


def _centroids(xy: np.ndarray, unit: np.ndarray, n_units: int) -> np.ndarray:
    sums = np.zeros((n_units, 2))
    np.add.at(sums, unit, xy)
    counts = np.bincount(unit, minlength=n_units)[:, None]
    return sums / np.maximum(counts, 1)


def partition(scheme: str, xy: np.ndarray, y: np.ndarray, groups: Optional[np.ndarray],
              k: int, seed: int, block_size: Optional[float] = None) -> np.ndarray:
    """The fold (0..k-1) of every sample under a scheme, a landslide's samples in one fold.

    RANDOM: stratified group k-fold over landslides and the other samples. KMEANS: k-means
    (one seeded k-means++ start, so each repetition draws another partition) of the units'
    centroids. BLOCKS: square blocks of ``block_size`` over the samples' extent, shuffled
    (seeded) and dealt to the folds, the biggest first to the fold with fewest samples."""
    xy = np.asarray(xy, dtype=float)
    y = np.asarray(y).astype(int)
    unit, unit_label = units_of(y, groups)
    n_units = unit_label.size
    if n_units < k:
        raise LsmError(f"{n_units} landslides and other samples cannot fill {k} folds; choose "
                       "fewer folds.")
    centre = _centroids(xy, unit, n_units)
    if scheme == RANDOM:
        from sklearn.model_selection import StratifiedGroupKFold

        splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        fold = np.empty(y.size, dtype=int)
        for f, (_, test) in enumerate(splitter.split(np.zeros(y.size), y, unit)):
            fold[test] = f
        return fold
    if scheme == KMEANS:
        from sklearn.cluster import KMeans

        distinct = np.unique(centre, axis=0).shape[0]
        if distinct < k:
            raise LsmError(f"The samples lie at {distinct} distinct places: too few for {k} "
                           "spatial clusters; choose fewer folds.")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # KMeans' memory-leak note on some platforms
            unit_fold = KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(centre)
        return unit_fold[unit]
    if scheme == BLOCKS:
        return _block_folds(xy, unit, centre, k, seed, block_size)
    raise LsmError(f"Unknown cross-validation scheme '{scheme}'.")


def default_block_side(xy: np.ndarray, k: int) -> float:
    """A block side that splits the samples' extent into about 4 x k blocks."""
    xy = np.asarray(xy, dtype=float)
    width, height = np.ptp(xy[:, 0]), np.ptp(xy[:, 1])
    area = max(width * height, 1e-12)
    side = math.sqrt(area / (4 * k))
    return side if side > 0 else max(width, height, 1.0)


def _block_folds(xy: np.ndarray, unit: np.ndarray, centre: np.ndarray, k: int, seed: int,
                 block_size: Optional[float]) -> np.ndarray:
    side = block_size or default_block_side(xy, k)
    origin = xy.min(axis=0)
    cells = np.floor((centre - origin) / side).astype(np.int64)
    _, block_of_unit = np.unique(cells, axis=0, return_inverse=True)
    block_of_unit = block_of_unit.ravel()
    n_blocks = int(block_of_unit.max()) + 1
    if n_blocks < k:
        raise LsmError(f"Blocks of {side:g} map units give {n_blocks} occupied blocks, fewer "
                       f"than {k} folds; choose a smaller block size or fewer folds.")
    samples_per_block = np.bincount(block_of_unit[unit], minlength=n_blocks)
    rng = np.random.default_rng(seed)
    order = rng.permutation(n_blocks)
    order = order[np.argsort(-samples_per_block[order], kind="stable")]
    load = np.zeros(k, dtype=np.int64)
    block_fold = np.empty(n_blocks, dtype=int)
    for b in order:
        f = int(np.argmin(load))
        block_fold[b] = f
        load[f] += samples_per_block[b]
    return block_fold[block_of_unit][unit]


def buffered_training(train: np.ndarray, test: np.ndarray, xy: np.ndarray,
                      distance: float) -> np.ndarray:
    """The training samples farther than ``distance`` from every test sample (all of them
    when ``distance`` is 0)."""
    if distance <= 0 or test.size == 0 or train.size == 0:
        return train
    from sklearn.neighbors import KDTree

    nearest, _ = KDTree(np.asarray(xy, dtype=float)[test]).query(
        np.asarray(xy, dtype=float)[train], k=1)
    return train[nearest[:, 0] > distance]


# --- the assessment ------------------------------------------------------------------------------

@dataclass
class FoldScore:
    """One model on one test fold."""

    model_type: str
    scheme: str
    repetition: int
    fold: int
    auroc: float
    n_train: int
    n_test: int
    #: training samples left out by the buffer
    n_buffered: int


@dataclass
class CvSummary:
    """One model under one scheme: the mean AUROC over every scored test fold, its spread
    over the repetitions' means, and each repetition's mean."""

    model_type: str
    scheme: str
    mean: float
    sd: float
    repetition_aurocs: list
    folds_scored: int
    folds_skipped: int


@dataclass
class CrossValidation:
    design: CvDesign
    model_types: tuple
    scores: list = field(default_factory=list)
    summary: list = field(default_factory=list)
    #: scheme -> the fold (0..k-1) of every sample in the first repetition (the fold map)
    first_partition: dict = field(default_factory=dict)
    messages: list = field(default_factory=list)


def _inner_folds(scheme: str, xy: np.ndarray, y: np.ndarray, groups: Optional[np.ndarray],
                 k: int, seed: int, block_size: Optional[float]) -> Optional[np.ndarray]:
    """Fold numbers 1..k of the training samples for the inner (tuning) CV, of the outer
    scheme's kind; None when they cannot be drawn (train_model then draws folds by
    landslide)."""
    try:
        return partition(scheme, xy, y, groups, k, seed, block_size) + 1
    except LsmError:
        return None


def cross_validate(x: np.ndarray, y: np.ndarray, xy: np.ndarray,
                   groups: Optional[np.ndarray], model_types: Sequence[str],
                   design: CvDesign = DEFAULT_DESIGN, *, grids: Optional[dict] = None,
                   search: SearchSettings = DEFAULT_SEARCH, fit: FitSettings = DEFAULT_FIT,
                   progress: Progress = SILENT) -> CrossValidation:
    """Assess each model type by ``design.repetitions`` x ``design.folds``-fold CV under each
    of ``design.schemes``; every training set tuned by its own inner CV (``grids``: model type
    -> grid, default :func:`~.models.default_grid`; ``search`` and ``fit`` as for
    :func:`~.models.train_model`).

    Folds whose test samples hold one class only have no AUROC: they are skipped and counted.
    All models of a repetition see the same folds."""
    from sklearn.metrics import roc_auc_score

    design.check()
    x = np.asarray(x, dtype=float)
    y = np.asarray(y).astype(int)
    xy = np.asarray(xy, dtype=float)
    if x.shape[0] != y.size or xy.shape != (y.size, 2):
        raise LsmError("Samples, labels and coordinates do not match.")
    if np.unique(y).size < 2:
        raise LsmError("The samples hold only one class; cross-validation needs landslide and "
                       "non-landslide samples.")
    unknown = [m for m in model_types if m not in MODEL_NAMES]
    if unknown or not model_types:
        raise LsmError(f"Unknown or no model type {unknown or ''}.")
    block_size = design.block_size
    if BLOCKS in design.schemes and block_size is None:
        block_size = default_block_side(xy, design.folds)
    result = CrossValidation(design, tuple(model_types))
    tasks = len(design.schemes) * design.repetitions * design.folds * len(model_types)
    done = 0
    fallbacks = 0
    for scheme in design.schemes:
        for rep in range(design.repetitions):
            seed = design.seed + rep
            fold = partition(scheme, xy, y, groups, design.folds, seed, block_size)
            if rep == 0:
                result.first_partition[scheme] = fold
            for f in range(design.folds):
                test = np.flatnonzero(fold == f)
                train_all = np.flatnonzero(fold != f)
                train = buffered_training(train_all, test, xy, design.buffer)
                scorable = (np.unique(y[test]).size == 2 and np.unique(y[train]).size == 2
                            and np.sum(y[train] == 1) >= 2 and np.sum(y[train] != 1) >= 2)
                inner = None
                if scorable:
                    g = None if groups is None else np.asarray(groups)[train]
                    inner = _inner_folds(scheme, xy[train], y[train], g, design.inner_folds,
                                         seed, block_size)
                for model_type in model_types:
                    progress.check()
                    auroc = float("nan")
                    if scorable:
                        auroc, fell_back = _score_fold(
                            model_type, x, y, groups, train, test, inner, grids, search, fit,
                            design.inner_folds, roc_auc_score)
                        fallbacks += fell_back
                    result.scores.append(FoldScore(model_type, scheme, rep + 1, f + 1, auroc,
                                                   int(train.size), int(test.size),
                                                   int(train_all.size - train.size)))
                    done += 1
                    progress.fraction(done, tasks)
    result.summary = summarise(result.scores, design, model_types)
    skipped = sum(s.folds_skipped for s in result.summary) // max(1, len(model_types))
    if skipped:
        result.messages.append(
            f"{skipped} test fold(s) held one class only, or left a training set without two "
            "samples of each class after the buffer: they have no AUROC and were skipped. "
            "Fewer folds, a smaller buffer or more samples avoid it.")
    if fallbacks:
        result.messages.append(
            f"{fallbacks} inner tuning CV(s) could not use folds of the outer scheme's kind "
            "(a fold of one class): folds by landslide were used there.")
    return result


def _score_fold(model_type: str, x: np.ndarray, y: np.ndarray, groups: Optional[np.ndarray],
                train: np.ndarray, test: np.ndarray, inner: Optional[np.ndarray],
                grids: Optional[dict], search: SearchSettings, fit: FitSettings,
                inner_folds: int, roc_auc_score) -> tuple[float, int]:
    """The test-fold AUROC of a model tuned and fitted on the training samples, and 1 when
    the inner CV fell back to folds by landslide."""
    grid = (grids or {}).get(model_type) or default_grid(model_type)
    settings = replace(search, grid=grid, cv_scheme=SAMPLE_FOLDS, n_folds=inner_folds)
    g = None if groups is None else np.asarray(groups)[train]
    fell_back = 0
    try:
        trained = train_model(model_type, x[train], y[train], folds=inner, groups=g,
                              search=settings, fit=fit)
    except LsmError:
        if inner is None:
            raise
        fell_back = 1
        trained = train_model(model_type, x[train], y[train], folds=None, groups=g,
                              search=settings, fit=fit)
    score = trained.estimator.predict_proba(x[test])[:, 1]
    return float(roc_auc_score(y[test], score)), fell_back


def summarise(scores: Sequence[FoldScore], design: CvDesign,
              model_types: Sequence[str]) -> list[CvSummary]:
    """Mean and spread per model and scheme."""
    out = []
    for scheme in design.schemes:
        for model_type in model_types:
            mine = [s for s in scores if s.scheme == scheme and s.model_type == model_type]
            scored = [s.auroc for s in mine if math.isfinite(s.auroc)]
            per_rep = []
            for rep in range(1, design.repetitions + 1):
                values = [s.auroc for s in mine if s.repetition == rep and math.isfinite(s.auroc)]
                per_rep.append(float(np.mean(values)) if values else float("nan"))
            finite = [v for v in per_rep if math.isfinite(v)]
            out.append(CvSummary(model_type, scheme,
                                 float(np.mean(scored)) if scored else float("nan"),
                                 float(np.std(finite)) if finite else float("nan"),
                                 per_rep, len(scored), len(mine) - len(scored)))
    return out


def summary_table(cv: CrossValidation) -> list[dict]:
    """The assessment as a table: one row per model and partitioning, with every
    repetition's mean AUROC."""
    return [{"model": MODEL_NAMES.get(s.model_type, s.model_type), "model_type": s.model_type,
             "scheme": s.scheme, "scheme_name": SCHEME_NAMES[s.scheme],
             "mean_auroc": s.mean, "sd_auroc": s.sd, "repetitions": len(s.repetition_aurocs),
             "folds_scored": s.folds_scored, "folds_skipped": s.folds_skipped,
             "repetition_aurocs": ";".join(f"{v:.4f}" for v in s.repetition_aurocs)}
            for s in cv.summary]


@dataclass
class CvData:
    """The samples of a cross-validation with their factor values."""

    x: np.ndarray
    y: np.ndarray
    xy: np.ndarray
    groups: np.ndarray
    #: the stack's description (names, encoding, grid)
    info: object
    #: samples on nodata cells, left out
    dropped: int
    messages: list = field(default_factory=list)


def cv_data(stack_path: str, samples_path: str, use: str = "all") -> CvData:
    """Factor values at the samples' cells (``use``: 'all' samples or only the 'train' split),
    with labels, coordinates and landslide ids. Samples on nodata cells are dropped (counted)."""
    from .raster import open_raster
    from .sampling import read_samples, values_at
    from .stack import stack_info

    if use not in ("all", "train"):
        raise LsmError(f"Use 'all' samples or the 'train' split, not '{use}'.")
    info = stack_info(stack_path)
    samples = read_samples(samples_path, info.grid)
    part = samples if use == "all" else samples.subset(samples.train)
    if len(part) == 0:
        raise LsmError("The samples layer has no samples to cross-validate"
                       + (" in its training split." if use == "train" else "."))
    x, ok = values_at(open_raster(stack_path, "factor stack"), part.x, part.y)
    if not ok.any():
        raise LsmError("No sample lies on a valid cell of the stack. Were the samples prepared "
                       "on this stack's grid?")
    messages = list(samples.messages)
    if info.encoding == "fr":
        messages.append(
            "The stack is FR-encoded: its FR table was fitted on training landslides that the "
            "cross-validation also uses as test samples, so every score is optimistic. Assess "
            "the models on the raw factor stack.")
    return CvData(x[ok], part.label[ok].astype(int), np.c_[part.x[ok], part.y[ok]],
                  part.landslide_id[ok], info, int((~ok).sum()), messages)
