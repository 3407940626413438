"""Permutation importance (core/importance.py): a planted signal factor ranks first, a factor
without signal has importance near zero, grouped columns are permuted together, and a model
file's probability is the one its maps use."""

import numpy as np
import pytest

from landslide_lsm_plugin.core import model_io, models
from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.importance import model_probability, permutation_importance


def planted(n=600, seed=0):
    """Factor 'signal' drives the label, 'weak' a little, 'noise' not at all."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    logit = 3.0 * x[:, 0] + 0.5 * x[:, 1]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return x, y


@pytest.mark.parametrize("model_type", ["logistic", "svm", "random_forest"])
def test_a_planted_signal_ranks_first_and_noise_is_near_zero(model_type):
    x, y = planted()
    xv, yv = planted(seed=1)
    grid = {"C": [1.0], "gamma": [0.3]} if model_type == "svm" else None
    model = models.train_model(model_type, x, y,
                               search=models.SearchSettings(n_folds=3, grid=grid)).estimator
    result = permutation_importance(lambda z: model.predict_proba(z)[:, 1], xv, yv,
                                    ["signal", "weak", "noise"], repeats=8, seed=3)
    ranked = [f.factor for f in result.factors]
    assert ranked[0] == "signal" and result.factors[0].mean > 0.2
    noise = next(f for f in result.factors if f.factor == "noise")
    assert abs(noise.mean) < 0.02 and len(noise.drops) == 8
    again = permutation_importance(lambda z: model.predict_proba(z)[:, 1], xv, yv,
                                   ["signal", "weak", "noise"], repeats=8, seed=3)
    assert again == result  # seeded


def test_grouped_columns_are_permuted_together():
    """Two columns that together carry the signal (their sum): permuted as one group they
    lose it. Names and groups must match in number."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(500, 3))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    result = permutation_importance(lambda z: 1 / (1 + np.exp(-(z[:, 0] + z[:, 1]))), x, y,
                                    ["pair", "other"], groups=[[0, 1], [2]], repeats=5)
    by = {f.factor: f for f in result.factors}
    assert result.base_auroc == pytest.approx(1.0)
    assert by["pair"].mean > 0.4 and by["other"].mean == pytest.approx(0.0)
    with pytest.raises(LsmError, match="3 factor names for 2 factors"):
        permutation_importance(lambda z: z[:, 0], x, y, ["a", "b", "c"], groups=[[0], [1]])
    with pytest.raises(LsmError, match="one class"):
        permutation_importance(lambda z: z[:, 0], x, np.ones(500), ["a", "b", "c"])


def test_a_model_files_probability_is_its_maps(tmp_path):
    x, y = planted(300)
    result = models.train_model(models.SVM, x, y, search=models.SearchSettings(
        n_folds=3, grid={"C": [1.0], "gamma": [0.3]}))
    path = model_io.save_model(tmp_path / "svm.lsmodel", result.estimator,
                               {"model_type": "svm", "factors": ["a", "b", "c"]})
    proba = model_probability(str(path))
    assert np.allclose(proba(x[:50]), result.estimator.predict_proba(x[:50])[:, 1], atol=1e-9)
