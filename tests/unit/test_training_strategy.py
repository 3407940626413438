"""Real inventories: CV folds never split a landslide, the search runs on a seeded subset
thinned landslide by landslide (successive halving), the final fit is bounded, and the log says
so."""

import numpy as np
import pytest

from landslide_lsm_plugin.core import models, strategy
from landslide_lsm_plugin.core.errors import LsmError


def inventory(n_landslides=120, seed=0, cells=(5, 40)):
    """Landslides of several cells each (cells of one landslide alike: what a model can
    memorise), and as many non-landslide cells. Returns x, y, landslide ids (-1: none)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(cells[0], cells[1], n_landslides)
    centres = rng.normal(0.8, 1.0, (n_landslides, 4))
    x_ls = np.concatenate([c + rng.normal(0, 0.15, (k, 4)) for c, k in zip(centres, sizes)])
    ids = np.repeat(np.arange(1, n_landslides + 1), sizes)
    x_other = rng.normal(0.0, 1.0, (ids.size, 4))
    x = np.vstack([x_ls, x_other])
    y = np.concatenate([np.ones(ids.size, int), np.zeros(ids.size, int)])
    groups = np.concatenate([ids, np.full(ids.size, -1)])
    return x, y, groups


def test_default_cv_never_puts_one_landslide_in_two_folds():
    x, y, groups = inventory()
    result = models.train_model(models.LOGISTIC, x, y, groups=groups,
                                search=models.SearchSettings(search_samples=0, halving=False))
    assert result.cv_scheme == models.LANDSLIDE_FOLDS
    plan = models._plan_folds(y, None, groups, models.SAMPLE_FOLDS, 10, 42, [], subset=False)
    seen: dict = {}
    for f, (train, test) in enumerate(plan.splits):
        for lid in np.unique(groups[test][groups[test] >= 0]):
            assert lid not in seen, f"landslide {lid} in folds {seen[lid]} and {f}"
            seen[lid] = f
            assert not np.any(groups[train] == lid)
    assert len(seen) == np.unique(groups[groups >= 0]).size


def test_sample_folds_are_used_as_given_and_recorded():
    x, y, groups = inventory()
    folds = np.where(groups >= 0, groups % 5 + 1, np.arange(y.size) % 5 + 1)
    result = models.train_model(models.LOGISTIC, x, y, folds=folds, groups=groups,
                                search=models.SearchSettings(search_samples=0, halving=False))
    assert result.cv_scheme == models.SAMPLE_FOLDS and result.folds == 5
    assert any("folds of the samples layer" in line for line in result.strategy)


def test_stratified_cv_over_multi_cell_landslides_warns_and_is_optimistic():
    x, y, groups = inventory(seed=3)
    honest = models.train_model(models.SVM, x, y, groups=groups,
                                search=models.SearchSettings(search_samples=0,
                                                             grid={"C": [10.0], "gamma": [3.0]},
                                                             halving=False))
    cellwise = models.train_model(models.SVM, x, y, groups=groups,
                                  search=models.SearchSettings(search_samples=0,
                                                               cv_scheme=models.STRATIFIED,
                                                               halving=False,
                                                               grid={"C": [10.0], "gamma": [3.0]}))
    assert any("optimistic" in m for m in cellwise.messages)
    assert not any("optimistic" in m for m in honest.messages)
    # cells of a held-out landslide sit next to its training cells: a local model "knows" them
    assert cellwise.cv_score > honest.cv_score + 0.02
    one_cell = models.train_model(models.LOGISTIC, x, y,
                                  search=models.SearchSettings(cv_scheme=models.STRATIFIED,
                                                               search_samples=0, halving=False))
    assert not any("optimistic" in m for m in one_cell.messages)  # no landslide ids known


def test_subset_by_landslide_thins_every_landslide_alike_and_is_seeded():
    """Every landslide keeps about the subset's share of its cells, so the landslides keep
    their spatial spread (a held-out landslide is as far from the training ones as in the
    full data); the draw is seeded."""
    _, y, groups = inventory(200, cells=(10, 60))
    a = strategy.subset_by_landslide(y, groups, 3000, seed=7)
    b = strategy.subset_by_landslide(y, groups, 3000, seed=7)
    c = strategy.subset_by_landslide(y, groups, 3000, seed=8)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert abs(a.size - 3000) < 150
    assert np.all(np.diff(a) > 0)
    share = 3000 / y.size
    for lid in np.unique(groups[groups >= 0]):
        total, kept = np.sum(groups == lid), np.sum(groups[a] == lid)
        assert np.floor(share * total) <= kept <= np.ceil(share * total), lid
    assert np.unique(groups[a][groups[a] >= 0]).size == 200  # every landslide is there
    share_ls = np.mean(y[a] == 1)
    assert 0.4 < share_ls < 0.6  # the classes keep their proportion
    assert np.array_equal(strategy.subset_by_landslide(y, groups, 10 ** 9, 1),
                          np.arange(y.size))


def test_halving_sizes():
    assert strategy.halving_sizes(25, 3000) == [333, 1000, 3000]
    assert strategy.halving_sizes(7, 3000) == [1000, 3000]
    assert strategy.halving_sizes(1, 3000) == [3000]
    assert strategy.halving_sizes(25, 600) == [600]  # no round on fewer than 300 samples
    assert strategy.halving_sizes(25, 1200) == [400, 1200]


def test_large_inventory_search_on_a_subset_final_fit_bounded_and_logged():
    x, y, groups = inventory(400, seed=5)  # about 17,000 samples
    n = y.size
    assert n > 12000
    result = models.train_model(
        models.SVM, x, y, groups=groups,
        search=models.SearchSettings(
            grid={"C": [0.3, 3.0, 30.0], "gamma": [0.03, 0.3, 3.0]}, search_samples=1500),
        fit=models.FitSettings(seed=11, final_samples=4000))
    assert result.n_search <= 1600 and result.n_final <= 4200
    search, final = result.strategy
    assert "successive halving" in search and f"of {n:,} training samples" in search
    assert f"of {n:,} training samples" in final and "Platt" in final
    # rounds: all 9 combinations on the smallest subset, the best 3 on the search subset
    by_round = {r.round: [] for r in result.cv_rows}
    for r in result.cv_rows:
        by_round[r.round].append(r)
    assert len(by_round[1]) == 6 and len(by_round[2]) == 3
    assert max(r.samples for r in by_round[1]) < min(r.samples for r in by_round[2])
    best = min(result.cv_rows, key=lambda r: r.rank)
    assert best.round == 2 and best.params == result.params
    svc = result.estimator.pipeline[-1]
    assert svc.support_vectors_.shape[0] <= result.n_final
    # the same seed gives the same subsets, search and model; another seed other subsets
    again = models.train_model(
        models.SVM, x, y, groups=groups,
        search=models.SearchSettings(
            grid={"C": [0.3, 3.0, 30.0], "gamma": [0.03, 0.3, 3.0]}, search_samples=1500),
        fit=models.FitSettings(seed=11, final_samples=4000))
    probe = np.random.default_rng(0).normal(0, 1, (500, 4))
    assert again.params == result.params and again.cv_score == result.cv_score
    assert np.array_equal(again.estimator.predict_proba(probe),
                          result.estimator.predict_proba(probe))
    other = models.train_model(
        models.SVM, x, y, groups=groups,
        search=models.SearchSettings(
            grid={"C": [0.3, 3.0, 30.0], "gamma": [0.03, 0.3, 3.0]}, search_samples=1500),
        fit=models.FitSettings(seed=12, final_samples=4000))
    assert other.cv_score != result.cv_score


def test_klr_and_logistic_fit_every_sample_by_default():
    x, y, groups = inventory(150, seed=2)
    klr = models.train_model(
        models.KLR, x, y, groups=groups,
        search=models.SearchSettings(
            search_samples=1000, grid={"C": [1.0, 10.0], "gamma": [0.1, 1.0]}))
    assert klr.n_final == y.size > 1000
    assert klr.kernel == f"Nystroem approximation with {strategy.DEFAULT_KERNEL_LIMIT} components"
    assert "the search used at most 300 kernel centres" in klr.strategy[-1]
    lr = models.train_model(models.LOGISTIC, x, y, groups=groups,
                            search=models.SearchSettings(search_samples=1000))
    assert lr.n_final == y.size and lr.n_search < 1100


def test_every_c_of_the_logistic_grid_changes_the_model():
    """Warm-started L-BFGS stopped at once for large C (the same scores to 15 digits over
    C = 24 .. 2410); Newton's method fits each C."""
    x, y, groups = inventory(60, seed=4)
    result = models.train_model(models.KLR, x, y, groups=groups,
                                search=models.SearchSettings(search_samples=0, halving=False,
                                                             grid={"C": [24.1, 241.0, 2410.0],
                                                     "gamma": [1.0]}))
    scores = [r.fold_aurocs for r in sorted(result.cv_rows, key=lambda r: r.params["C"])]
    assert scores[0] != scores[1] != scores[2]


def test_bad_strategy_inputs():
    x, y, groups = inventory(20)
    with pytest.raises(LsmError, match="scheme"):
        models.train_model(
            models.LOGISTIC, x, y, search=models.SearchSettings(cv_scheme="leave-one-out"))
    with pytest.raises(LsmError, match="ids and labels"):
        models.train_model(models.LOGISTIC, x, y, groups=groups[:-1])
