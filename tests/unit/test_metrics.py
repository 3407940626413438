"""Metrics: equal to scikit-learn's; the paper's Table 7; properties with hypothesis."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from landslide_lsm_plugin.core import metrics as lm
from landslide_lsm_plugin.core.errors import LsmError


def test_metrics_equal_scikit_learn_on_fixed_vectors():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    score = np.clip(0.35 * y + rng.random(300) * 0.7, 0, 1)
    m = lm.evaluate_scores(y, score, 0.5)
    pred = (score >= 0.5).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y, pred).ravel()
    assert (m.tp, m.tn, m.fp, m.fn) == (tp, tn, fp, fn)
    assert m.accuracy == pytest.approx(skm.accuracy_score(y, pred))
    assert m.precision == pytest.approx(skm.precision_score(y, pred))
    assert m.sensitivity == pytest.approx(skm.recall_score(y, pred))
    assert m.specificity == pytest.approx(skm.recall_score(1 - y, 1 - pred))
    assert m.f1 == pytest.approx(skm.f1_score(y, pred))
    assert m.kappa == pytest.approx(skm.cohen_kappa_score(y, pred))
    assert m.auroc == pytest.approx(skm.roc_auc_score(y, score))


@pytest.mark.parametrize("counts, published", [
    ((34, 32, 6, 8), (0.825, 0.850, 0.829, 0.810, 0.842)),   # SVM
    ((36, 36, 6, 2), (0.900, 0.857, 0.900, 0.947, 0.857)),   # KLR
    ((39, 37, 2, 2), (0.950, 0.951, 0.951, 0.951, 0.949)),   # LSNet
])
def test_paper_table_7(counts, published):
    """Zhang et al. (2022), Table 7: TP, TN, FP, FN -> accuracy, precision, F1, sensitivity,
    specificity, as published (3 decimals)."""
    m = lm.metrics_from_counts(*counts)
    computed = (m.accuracy, m.precision, m.f1, m.sensitivity, m.specificity)
    assert [round(v, 3) for v in computed] == list(published)


def test_empty_denominators_are_nan_not_errors():
    m = lm.metrics_from_counts(0, 10, 0, 0)
    assert math.isnan(m.precision) and math.isnan(m.sensitivity) and m.specificity == 1.0


def test_one_class_is_refused():
    with pytest.raises(LsmError, match="only one class"):
        lm.evaluate_scores(np.ones(10), np.random.default_rng(0).random(10))


def test_youden_threshold_separates_a_clean_split():
    y = np.array([0] * 50 + [1] * 50)
    score = np.concatenate([np.linspace(0.1, 0.3, 50), np.linspace(0.35, 0.9, 50)])
    t = lm.youden_threshold(y, score)
    assert 0.3 < t <= 0.35
    assert lm.evaluate_scores(y, score, t).accuracy == 1.0


def test_rate_curve():
    edges = np.linspace(0, 1, 11)
    area = np.full(10, 100)  # uniform LSI over the map
    perfect = lm.rate_curve(area, np.full(20, 0.95), edges)
    assert perfect["landslides"][1] == 1.0 and perfect["auc"] > 0.94
    uniform = lm.rate_curve(area, np.linspace(0.01, 0.99, 1000), edges)
    assert uniform["auc"] == pytest.approx(0.5, abs=0.01)


# LSI values on a 1/1000 lattice: a transform of distinct values stays distinct in floats
scores = st.lists(st.integers(0, 1000).map(lambda v: v / 1000), min_size=4, max_size=80)


@settings(max_examples=80, deadline=None)
@given(data=st.data(), values=scores)
def test_auroc_properties(data, values):
    """AUROC in [0, 1]; flipping labels gives 1 - AUROC; a monotonic transform keeps it."""
    n = len(values)
    y = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    if y.min() == y.max():
        y[0] = 1 - y[0]
    s = np.array(values)
    auc = lm.evaluate_scores(y, s).auroc
    assert 0.0 <= auc <= 1.0
    assert lm.evaluate_scores(1 - y, s).auroc == pytest.approx(1.0 - auc, abs=1e-12)
    assert lm.evaluate_scores(y, np.exp(3 * s) + 7).auroc == pytest.approx(auc, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(tp=st.integers(0, 200), tn=st.integers(0, 200), fp=st.integers(0, 200),
       fn=st.integers(0, 200))
def test_count_metrics_are_bounded(tp, tn, fp, fn):
    m = lm.metrics_from_counts(tp, tn, fp, fn)
    for name in ("accuracy", "precision", "sensitivity", "specificity", "f1"):
        v = getattr(m, name)
        assert math.isnan(v) or 0.0 <= v <= 1.0
    assert math.isnan(m.kappa) or -1.0 <= m.kappa <= 1.0
