"""How training stays bounded on large inventories: the sizes of the hyperparameter search
and of the final fit, successive halving, and subsets thinned landslide by landslide.

numpy only (the Processing layer reads the defaults without importing scikit-learn).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

#: the exact kernel is used up to this many training samples, a Nystroem approximation above
DEFAULT_KERNEL_LIMIT = 1000
#: KLR's search ranks (C, gamma) on at most this many kernel centres per fold (its cost grows
#: with their square and cube); the final fit uses DEFAULT_KERNEL_LIMIT
SEARCH_KERNEL_LIMIT = 300
#: the hyperparameter search runs on at most this many training samples (subset_by_landslide)
#: (the cost of a search grows with the square of its samples for the kernel models)
DEFAULT_SEARCH_SAMPLES = 3000
#: the final fit's cap by model type (subset_by_landslide); models not named fit every sample.
#: libsvm's time grows with about the square of the samples and the map's with the support
#: vectors; 10,000 samples lost no validation AUROC against all of 20,000 (docs/benchmarks.md)
DEFAULT_FINAL_SAMPLES = {"svm": 10000}
#: successive halving keeps the best third of the combinations each round and triples the
#: samples; no round runs on fewer samples than this
HALVING_FACTOR = 3
MIN_ROUND_SAMPLES = 300
#: LSNet's defaults that bound a training run on a CPU: training patches held in memory
#: (float16, about 0.2 MB each at window 96 with a dozen channels), patches per epoch (a new
#: random draw each epoch), and the time budget of the training loop in seconds
LSNET_MAX_SAMPLES = 5000
LSNET_PATCHES_PER_EPOCH = 2000
LSNET_TIME_BUDGET_S = 480.0


def subset_by_landslide(y: np.ndarray, groups: Optional[np.ndarray], size: int,
                        seed: int) -> np.ndarray:
    """Sorted indices of a seeded subset of about ``size`` samples, thinned landslide by
    landslide: every landslide keeps the subset's share of its cells (a random draw; the
    fractional part of a landslide's quota is kept with that probability, so a landslide of
    few cells may drop out of a small subset); other cells are drawn at random in the same
    share. The landslides thus keep their spatial spread: a landslide held out in CV is as far
    from the training landslides as in the full data, which whole-landslide subsets are not (a
    search on them chose models too smooth for the full data: 0.007 lower validation AUROC
    for KLR in docs/benchmarks-inventory.md). ``groups`` holds each sample's landslide id
    (negative: not part of a known landslide, a cell of its own); None: every cell is its own
    landslide."""
    n = int(y.size)
    if size >= n:
        return np.arange(n)
    share = size / n
    rng = np.random.default_rng(seed)
    ls, other = np.flatnonzero(y == 1), np.flatnonzero(y != 1)
    # a random order of the landslide cells, then each cell's rank within its landslide
    order = rng.permutation(ls.size)
    cells, labels = ls[order], landslide_groups(ls, groups)[order]
    by_group = np.argsort(labels, kind="stable")
    cells, labels = cells[by_group], labels[by_group]
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    counts = np.diff(np.r_[starts, labels.size])
    quota = share * counts
    quota = np.floor(quota) + (rng.random(counts.size) < quota - np.floor(quota))
    rank = np.arange(labels.size) - np.repeat(starts, counts)
    picked_ls = cells[rank < np.repeat(quota, counts)]
    if np.unique(landslide_groups(picked_ls, groups)).size < 2:  # at least two landslides
        biggest = starts[np.argsort(-counts, kind="stable")[:2]]
        picked_ls = np.union1d(picked_ls, cells[biggest])
    n_other = min(other.size, max(2, int(round(share * other.size))))
    picked = np.concatenate([picked_ls, rng.choice(other, n_other, replace=False)])
    return np.sort(picked)


def landslide_groups(index: np.ndarray, groups: Optional[np.ndarray]) -> np.ndarray:
    """Group labels of the samples at ``index``: their landslide id, or a label of their own
    (below every id) where there is none."""
    if groups is None:
        return -2 - index
    g = np.asarray(groups)[index].astype(np.int64)
    return np.where(g >= 0, g, -2 - index)


def several_cells_per_landslide(y: np.ndarray, groups: Optional[np.ndarray]) -> bool:
    """True when at least one landslide gives more than one training sample."""
    if groups is None:
        return False
    ids = np.asarray(groups)[(y == 1) & (np.asarray(groups) >= 0)]
    return ids.size > np.unique(ids).size


def halving_sizes(n_combinations: int, n: int) -> list[int]:
    """Samples of each round of successive halving: enough rounds that keeping the best third
    each time leaves at most three combinations for the last round on all ``n`` samples; no
    round on fewer than MIN_ROUND_SAMPLES."""
    rounds = 1
    while HALVING_FACTOR ** rounds < n_combinations:
        rounds += 1
    sizes = [n // HALVING_FACTOR ** (rounds - 1 - i) for i in range(rounds)]
    return [s for s in sizes[:-1] if s >= MIN_ROUND_SAMPLES] + [n]
