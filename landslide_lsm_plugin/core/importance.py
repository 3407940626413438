"""Factor importance by permutation: how much a model's AUROC on held-out samples drops when
one factor's values are shuffled among the samples (repeated with a seed). It needs nothing but
the model's probabilities, so it serves every model type: kernel expansions, scikit-learn
pipelines, ensembles, and (with ``groups``: a factor's whole channel group) LSNet.

Pure numpy (the AUROC of core.metrics.rank_auroc), so the LSNet worker, which has no
scikit-learn, computes LSNet's importance with the same code; no qgis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .errors import LsmError
from .metrics import rank_auroc
from .progress import SILENT, Progress


@dataclass(frozen=True)
class FactorImportance:
    """One factor's importance: the AUROC drops of its permutations (base minus permuted)."""

    factor: str
    drops: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.drops))

    @property
    def sd(self) -> float:
        return float(np.std(self.drops))


@dataclass(frozen=True)
class Importance:
    """The importance of every factor, most important first, and the unpermuted AUROC."""

    base_auroc: float
    factors: tuple[FactorImportance, ...]
    repeats: int
    seed: int


def permutation_importance(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                           y: np.ndarray, factors: Sequence[str], *, repeats: int = 10,
                           seed: int = 42, groups: Optional[Sequence[Sequence[int]]] = None,
                           progress: Progress = SILENT) -> Importance:
    """Permutation importance of each factor for ``predict`` (P(landslide) of the samples of
    ``x``) on the samples ``x``, ``y`` (held-out samples: the validation split).

    ``x`` holds one sample per row: (samples, columns), or for LSNet (samples, rows, columns,
    channels) patches. ``groups``: the columns (last axis) of each factor (default: column i
    is factor i); a factor's columns are permuted together, with one permutation of the
    samples. Each repeat draws new permutations from ``seed``; the same seed gives the same
    drops."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(float)
    y = np.asarray(y).astype(int)
    if x.ndim < 2 or x.shape[0] != y.size:
        raise LsmError("Samples and labels do not match.")
    if np.unique(y).size < 2:
        raise LsmError("Permutation importance needs landslide and non-landslide samples; the "
                       "samples hold one class only.")
    if repeats < 1:
        raise LsmError("Give at least one repeat.")
    groups = [list(g) for g in groups] if groups is not None else \
        [[i] for i in range(x.shape[-1])]
    if len(groups) != len(factors):
        raise LsmError(f"{len(factors)} factor names for {len(groups)} factors.")
    base = rank_auroc(y, predict(x))
    rng = np.random.default_rng(seed)
    out = []
    for k, (name, columns) in enumerate(zip(factors, groups)):
        drops = []
        for _ in range(repeats):
            progress.check()
            order = rng.permutation(y.size)
            shuffled = x.copy()
            shuffled[..., columns] = x[order][..., columns]
            drops.append(base - rank_auroc(y, predict(shuffled)))
        out.append(FactorImportance(name, tuple(drops)))
        progress.fraction(k + 1, len(groups))
    out.sort(key=lambda f: -f.mean)
    return Importance(base, tuple(out), repeats, seed)


def model_probability(model_path: str, signing_key: Optional[bytes] = None
                      ) -> Callable[[np.ndarray], np.ndarray]:
    """P(landslide) of a model file for rows of factors, as its maps compute it (kernel
    expansion, scikit-learn pipeline, or the mean of its ensemble)."""
    from .model_io import kernel_expansion, load_kernel, load_model
    from .predict import (
        chunk_cells,
        ensemble_probability,
        kernel_probability,
        predict_array,
        probability_function,
    )

    meta, expansion, _ = load_kernel(model_path, signing_key)
    if meta.ensemble_size:
        members, centres = [], 0
        for i in range(meta.ensemble_size):
            _, member, _ = load_kernel(model_path, signing_key, member=i)
            if member is None:
                estimator = load_model(model_path, signing_key, member=i).estimator
                members.append(probability_function(estimator))
            else:
                members.append(kernel_probability(member))
                centres = max(centres, len(member.centres))
        ensemble = ensemble_probability(members, chunk_cells(centres))
        return lambda x: ensemble(x)[:, 0]
    if expansion is None:
        estimator = load_model(model_path, signing_key).estimator
        expansion = kernel_expansion(estimator)
        if expansion is None:
            proba = probability_function(estimator)
            return lambda x: predict_array(proba, x)
    proba = kernel_probability(expansion)
    chunk = chunk_cells(len(expansion.centres))
    return lambda x: predict_array(proba, x, chunk)
