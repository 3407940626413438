"""Models: KLR is real kernel logistic regression; SVM fast path; CV on training data only."""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline

from landslide_lsm_plugin.core import models
from landslide_lsm_plugin.core.errors import Canceled, LsmError
from landslide_lsm_plugin.core.model_io import KernelExpansion, kernel_expansion
from landslide_lsm_plugin.core.predict import (
    kernel_probability,
    predict_array,
    probability_function,
)


def rings(n=600, seed=0):
    """Two concentric rings: class 1 inside, class 0 outside. No line separates them."""
    rng = np.random.default_rng(seed)
    radius = np.concatenate([rng.normal(1.0, 0.15, n // 2), rng.normal(2.2, 0.15, n // 2)])
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    y = np.concatenate([np.ones(n // 2, int), np.zeros(n // 2, int)])
    return x, y


def test_klr_separates_two_rings_with_calibrated_probabilities():
    x, y = rings()
    xt, yt = rings(seed=1)
    klr = models.train_model(
        models.KLR, x, y,
        search=models.SearchSettings(n_folds=5, grid={"C": [1.0, 10.0], "gamma": [0.5, 2.0]}))
    p_klr = klr.estimator.predict_proba(xt)[:, 1]
    p_lr = LogisticRegression().fit(x, y).predict_proba(xt)[:, 1]
    assert roc_auc_score(yt, p_klr) > 0.99
    assert roc_auc_score(yt, p_lr) < 0.7
    assert brier_score_loss(yt, p_klr) < 0.03  # calibrated, not just well ranked
    assert brier_score_loss(yt, p_lr) > 0.2
    assert klr.kernel == "exact RBF kernel"
    names = [name for name, _ in klr.estimator.steps]
    assert names == ["scale", "kernel", "model"]  # logistic loss on kernel features, no SVM


def test_klr_uses_nystroem_above_the_kernel_limit():
    x, y = rings(800)
    result = models.train_model(
        models.KLR, x, y,
        search=models.SearchSettings(n_folds=3, grid={"C": [10.0], "gamma": [1.0]}),
        fit=models.FitSettings(kernel_limit=200))
    assert result.kernel == "Nystroem approximation with 200 components"
    assert result.estimator.named_steps["kernel"].components_.shape[0] == 200
    assert roc_auc_score(y, result.estimator.predict_proba(x)[:, 1]) > 0.97


def test_svm_grid_search_picks_the_best_cv_combination():
    x, y = rings(300)
    result = models.train_model(
        models.SVM, x, y,
        search=models.SearchSettings(n_folds=5, grid={"C": [0.01, 10.0], "gamma": [0.001, 1.0]}))
    best = max(result.cv_rows, key=lambda r: r.mean_auroc)
    assert result.params == best.params and result.cv_score == best.mean_auroc
    assert [r.rank for r in sorted(result.cv_rows, key=lambda r: r.rank)] == [1, 2, 3, 4]
    assert all(len(r.fold_aurocs) == 5 for r in result.cv_rows)


def test_default_grid_holds_the_papers_optimum():
    grid = models.default_grid(models.SVM)
    assert any(abs(c - 241) < 1e-9 for c in grid["C"])
    assert any(abs(g - 0.02) < 1e-12 for g in grid["gamma"])


def test_fast_svm_probability_equals_scikit_learn():
    x, y = rings(400)
    result = models.train_model(
        models.SVM, x, y,
        search=models.SearchSettings(n_folds=3, grid={"C": [5.0], "gamma": [0.7]}))
    grid = np.random.default_rng(3).uniform(-3, 3, (5000, 2))
    fast = predict_array(probability_function(result.estimator), grid)
    assert np.allclose(fast, result.estimator.predict_proba(grid)[:, 1], atol=1e-9)


def test_kernel_expansions_round_trip_and_equal_scikit_learn():
    """What a model file stores for SVM and KLR (plain arrays) gives scikit-learn's
    probabilities to 1e-9; models without an RBF kernel have no expansion."""
    x, y = rings(400)
    grid = np.random.default_rng(4).uniform(-3, 3, (5000, 2))
    for kind, params in ((models.SVM, {"C": [5.0], "gamma": [0.7]}),
                         (models.KLR, {"C": [10.0], "gamma": [1.0]})):
        result = models.train_model(kind, x, y, search=models.SearchSettings(n_folds=3,
                                                                             grid=params))
        expansion = kernel_expansion(result.estimator)
        assert expansion.link == ("platt" if kind == models.SVM else "logistic")
        stored = KernelExpansion.from_bytes(expansion.to_bytes(), 2)
        for field in ("scaler_mean", "scaler_scale", "centres", "weights"):
            assert np.array_equal(getattr(stored, field), getattr(expansion, field))
        assert (stored.gamma, stored.bias, stored.link_ab) == (
            expansion.gamma, expansion.bias, expansion.link_ab)
        # KLR's weights fold the logistic coefficients through the Nystroem normalisation
        # (one product where scikit-learn takes two): a different rounding, ~1e-9
        atol = 1e-9 if kind == models.SVM else 1e-8
        expected = result.estimator.predict_proba(grid)[:, 1]
        assert np.allclose(predict_array(kernel_probability(stored), grid), expected,
                           rtol=0, atol=atol)
        # float32 rows are scaled in float32, as scikit-learn's StandardScaler does
        rows = grid.astype(np.float32)
        assert np.allclose(kernel_probability(stored)(rows),
                           result.estimator.predict_proba(rows)[:, 1], rtol=0, atol=atol)
    unscaled = models.train_model(models.SVM, x, y,
                                  search=models.SearchSettings(n_folds=3,
                                                               grid={"C": [5.0], "gamma": [0.7]}),
                                  fit=models.FitSettings(standardize=False))
    assert kernel_expansion(unscaled.estimator).scaler_mean.shape == (0, 2)
    assert np.allclose(kernel_probability(kernel_expansion(unscaled.estimator))(grid),
                       unscaled.estimator.predict_proba(grid)[:, 1], rtol=0, atol=1e-9)
    for kind in (models.LOGISTIC, models.RANDOM_FOREST):
        assert kernel_expansion(models.train_model(
            kind, x, y, search=models.SearchSettings(n_folds=3)).estimator) is None


def test_sample_folds_and_bad_folds():
    x, y = rings(200)
    folds = np.arange(200) % 4 + 1
    result = models.train_model(models.LOGISTIC, x, y, folds=folds,
                                search=models.SearchSettings(cv_scheme=models.SAMPLE_FOLDS))
    assert result.folds == 4
    one_class_fold = np.where(y == 1, 1, 2)
    with pytest.raises(LsmError, match="only one class"):
        models.train_model(models.LOGISTIC, x, y, folds=one_class_fold,
                           search=models.SearchSettings(cv_scheme=models.SAMPLE_FOLDS))


def test_training_refuses_one_class_and_nan():
    x, y = rings(100)
    with pytest.raises(LsmError, match="only one class"):
        models.train_model(models.SVM, x, np.ones(100, int))
    x[0, 0] = np.nan
    with pytest.raises(LsmError, match="NaN"):
        models.train_model(models.SVM, x, y)


def test_random_forest_and_logistic_baselines():
    x, y = rings(300)
    rf = models.train_model(models.RANDOM_FOREST, x, y, search=models.SearchSettings(n_folds=3))
    lr = models.train_model(models.LOGISTIC, x, y, search=models.SearchSettings(n_folds=3))
    assert rf.cv_score > 0.95 and lr.cv_score < 0.7


def test_few_samples_reduce_the_folds():
    x, y = rings(40)
    y[:] = 0
    y[:4] = 1
    result = models.train_model(models.LOGISTIC, x, y, search=models.SearchSettings(n_folds=10))
    assert result.folds == 4 and any("4 CV folds" in m for m in result.messages)


def fr_like(rng, n, fr=None):
    """FR-encoded factors (8 classes of 9 factors) with a weak additive effect."""
    classes = rng.integers(0, 8, (n, 9))
    fr = rng.gamma(2, 0.5, (9, 8)) if fr is None else fr
    x = np.stack([fr[j][classes[:, j]] for j in range(9)], 1)
    y = (rng.random(n) < 1 / (1 + np.exp(-0.5 * (x - 1).sum(1)))).astype(int)
    return x, y, fr


def test_a_nearly_flat_svm_keeps_its_ranking_in_the_lsi():
    """C and gamma at the small corner of the grid: decision values barely vary and sit at
    another offset in each calibration fold; scikit-learn's own sigmoid then comes out with
    the wrong sign here (slope > 0: the LSI upside down). The recalibrated sigmoid keeps the
    SVM's ranking."""
    x, y, fr = fr_like(np.random.default_rng(8), 374)
    flat = {"C": 0.241, "gamma": 0.0002}
    svm = models.build_estimator(models.SVM, flat, 42)
    plain = Pipeline(svm.steps[:-1] + [("model", CalibratedClassifierCV(
        svm[-1], method="sigmoid", ensemble=False, cv=5))]).fit(x, y)
    result = models.train_model(
        models.SVM, x, y,
        search=models.SearchSettings(n_folds=5, grid={"C": [0.241], "gamma": [0.0002]}))
    xt, yt, _ = fr_like(np.random.default_rng(99), 3000, fr)
    decision = result.estimator.decision_function(xt)
    proba = result.estimator.predict_proba(xt)[:, 1]
    # the failure: scikit-learn's own sigmoid turns this SVM's ranking upside down
    assert roc_auc_score(yt, plain.predict_proba(xt)[:, 1]) < 0.5 < roc_auc_score(yt, decision)
    assert result.estimator.a < 0  # P(landslide) grows with the decision value
    assert roc_auc_score(yt, decision) > 0.6
    assert roc_auc_score(yt, proba) == pytest.approx(roc_auc_score(yt, decision), abs=1e-9)


@pytest.mark.parametrize("model_type, grid", [
    (models.LOGISTIC, {"C": [0.01, 10.0]}),
    (models.RANDOM_FOREST, {"n_estimators": [20], "min_samples_leaf": [1, 5],
                            "max_features": ["sqrt"]})])
def test_logistic_and_forest_searches_score_whole_landslide_folds_like_a_plain_fit(model_type,
                                                                                   grid):
    """Their search runs through scikit-learn's GridSearchCV on StratifiedGroupKFold folds:
    each fold's AUROC equals a plain fit on that fold's training cells, and no landslide has
    cells on both sides of any fold."""
    from landslide_lsm_plugin.core.progress import Progress

    x, y = rings(400, seed=4)
    groups = np.where(y == 1, np.arange(y.size) // 4, -1)  # landslides of 4 cells
    result = models.train_model(model_type, x, y, groups=groups,
                                search=models.SearchSettings(grid=grid, n_folds=4,
                                                             search_samples=0, halving=False))
    plan = models._plan_folds(y, None, groups, models.SAMPLE_FOLDS, 4, 42, [], False)
    for train, test in plan.splits:
        assert not set(groups[train][groups[train] >= 0]) & set(groups[test][groups[test] >= 0])
    for row in result.cv_rows:
        plain = [roc_auc_score(y[test], models._scores(
            models.build_estimator(model_type, row.params).fit(x[train], y[train]), x[test]))
            for train, test in plan.splits]
        assert row.fold_aurocs == pytest.approx(plain)
    calls = []
    with pytest.raises(Canceled):
        models.train_model(model_type, x, y, groups=groups,
                           search=models.SearchSettings(grid=grid, n_folds=4, search_samples=0,
                                                        halving=False),
                           progress=Progress(is_canceled=lambda: calls.append(1) or
                                             len(calls) > 3))
    assert 3 < len(calls) < 2 * 4 + 4  # canceled within the search, fold by fold
