"""Explaining a model file (core/explain.py): permutation importance on the validation samples
ranks the factors that drive the known process above a noise factor, the response curves follow
the process, and the explanation file is checked as data from anyone."""

import json

import numpy as np
import pytest

from landslide_lsm_plugin.core import explain, training
from landslide_lsm_plugin.core import frequency_ratio as fr
from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.records import Explanation
from landslide_lsm_plugin.core.results_file import check_explanation, load_explanation


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Landslides favour steep, wet cells; 'noise' carries no signal."""
    from ..conftest import steep_wet_study

    return steep_wet_study(tmp_path_factory.mktemp("explain"), 200, 240, 900, seed=11,
                           noise=True)


@pytest.fixture(scope="module")
def svm_file(study):
    path = study["dir"] / "svm.lsmodel"
    training.train_to_file("svm", str(study["stack"]), str(study["samples"]), str(path),
                           search=training.SearchSettings(
                               grid={"C": [10.0], "gamma": [0.3]}, n_folds=3))
    return path


@pytest.fixture(scope="module")
def svm_explained(study, svm_file):
    return explain.explain_model(str(svm_file), str(study["stack"]), str(study["samples"]),
                                 repeats=5, seed=4)


def test_the_planted_factors_rank_above_noise(svm_explained):
    ranked = [f.factor for f in svm_explained.importance]
    assert set(ranked[:2]) == {"slope", "wetness"}, ranked
    noise = next(f for f in svm_explained.importance if f.factor == "noise")
    assert abs(noise.mean) < 0.03 and len(noise.drops) == 5
    assert svm_explained.importance[0].mean > 0.05
    assert 0.6 < svm_explained.base_auroc <= 1.0
    assert svm_explained.model_type == "svm" and svm_explained.repeats == 5
    assert svm_explained.n_importance > 0 and svm_explained.n_response > 0


def test_response_curves_follow_the_process(study, svm_explained):
    n_train = training.training_data(str(study["stack"]), str(study["samples"])).y.size
    curves = {c.factor: c for c in svm_explained.curves}
    for factor in ("slope", "wetness"):  # susceptibility grows with both
        c = curves[factor]
        assert c.kind == "continuous" and len(c.values) == explain.CURVE_POINTS
        assert list(c.values) == sorted(c.values)
        assert c.response[-1] - c.response[0] > 0.1, (factor, c.response)
        # the training distribution beside it: every training sample counted once
        assert len(c.bins) == len(c.train_landslide) + 1
        assert sum(c.train_landslide) + sum(c.train_other) == n_train
    noise = curves["noise"]
    assert max(noise.response) - min(noise.response) < 0.15


def test_same_seed_same_explanation_and_the_file_round_trips(study, svm_file, svm_explained,
                                                              tmp_path):
    again = explain.explain_model(str(svm_file), str(study["stack"]), str(study["samples"]),
                                  repeats=5, seed=4)
    assert again.importance == svm_explained.importance
    assert again.curves == svm_explained.curves
    path = tmp_path / "svm.explanation.json"
    path.write_text(json.dumps(svm_explained.to_dict()))
    assert load_explanation(path) == svm_explained
    weights = svm_explained.weights()
    assert set(weights) == {"slope", "wetness", "noise"} and min(weights.values()) >= 0


def test_a_fr_model_on_the_raw_stack_explains_the_raw_factors(study, tmp_path):
    """An FR model given the raw stack applies its own encoding: the curves' x axis is the
    factor's raw values, and the curves are FR-class steps."""
    result = fr.compute_fr(str(study["stack"]), str(study["samples"]), method="quantile",
                           classes=5)
    encoded = tmp_path / "fr.tif"
    fr.encode_stack(str(study["stack"]), result.encodings, str(encoded))
    model = tmp_path / "lr.lsmodel"
    training.train_to_file("logistic", str(encoded), str(study["samples"]), str(model),
                           search=training.SearchSettings(n_folds=3))
    on_raw = explain.explain_model(str(model), str(study["stack"]), str(study["samples"]),
                                   repeats=3, seed=1)
    on_fr = explain.explain_model(str(model), str(encoded), str(study["samples"]),
                                  repeats=3, seed=1)
    slope_raw = next(c for c in on_raw.curves if c.factor == "slope")
    slope_fr = next(c for c in on_fr.curves if c.factor == "slope")
    assert max(slope_raw.values) > 10  # degrees, not FR values
    assert len(slope_fr.values) <= 5  # an FR stack holds one value per class
    assert on_raw.importance[0].factor in ("slope", "wetness")


def test_partial_dependence_is_the_mean_response():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    y = (x[:, 0] > 0).astype(int)

    def mean_response(i, v):
        z = x.copy()
        z[:, i] = v
        return float(np.mean(1 / (1 + np.exp(-(2 * z[:, 0] + z[:, 1])))))

    curves = explain.response_curves(mean_response, ["a", "b"], ["continuous", "continuous"],
                                     x, y, points=7)
    a = curves[0]
    assert len(a.values) == 7 and np.all(np.diff(a.response) > 0)
    v = a.values[3]
    expected = np.mean(1 / (1 + np.exp(-(2 * v + x[:, 1]))))
    assert a.response[3] == pytest.approx(expected)


def test_categorical_factors_are_evaluated_at_their_codes():
    values = np.array([3, 3, 1, 7, 7, 7, 1, 3], dtype=float)
    labels = np.array([1, 0, 0, 1, 1, 0, 0, 1])
    kind, grid = explain.curve_values(values, "categorical")
    assert kind == "categorical" and list(grid) == [1, 3, 7]
    bins, landslide, other = explain.training_distribution(values, labels, kind, grid)
    assert bins == (1.0, 3.0, 7.0) and landslide == (0, 2, 2) and other == (2, 1, 1)


def test_stratified_subset_keeps_each_class_share():
    y = np.r_[np.ones(300), np.zeros(700)].astype(int)
    keep = explain.stratified_subset(y, 100, seed=0)
    assert keep.size == 100 and int(y[keep].sum()) == 30
    assert list(explain.stratified_subset(y, 0, seed=0)) == list(range(1000))


def good_explanation() -> dict:
    return {"format": "landslide-lsm-explanation", "format_version": 1, "model_name": "SVM",
            "model_type": "svm", "model_file": "/m.lsmodel", "base_auroc": 0.8,
            "importance": [{"factor": "slope", "mean": 0.1, "sd": 0.01, "drops": [0.1]}],
            "curves": [{"factor": "slope", "kind": "continuous", "values": [1, 2],
                        "response": [0.2, 0.4], "bins": [0, 1, 2], "train_landslide": [1, 2],
                        "train_other": [3, 4]}]}


@pytest.mark.parametrize("damage, message", [
    (lambda d: d.update(format="other"), "not a Landslide LSM explanation"),
    (lambda d: d.update(format_version=9), "newer Landslide LSM"),
    (lambda d: d.update(base_auroc=2), "base_auroc is 2"),
    (lambda d: d["importance"][0].update(mean="x"), "mean must be a number"),
    (lambda d: d.update(importance=[]), "importance is empty"),
    (lambda d: d["curves"][0].update(response=[0.2, 1.5]), r"response\[1\] is 1.5"),
    (lambda d: d["curves"][0].update(values=[1]), "must pair up"),
    (lambda d: d["curves"][0].update(kind="<b>"), "kind is"),
    (lambda d: d["curves"][0].update(values=list(range(2000)), response=[0.1] * 2000),
     "more than the 1,000"),
    (lambda d: d["curves"][0].update(bins=[0, 1]), "do not pair up"),
])
def test_a_damaged_explanation_is_refused_with_the_field(damage, message):
    data = good_explanation()
    Explanation.from_dict(json.loads(json.dumps(data)), "ok.json")
    damage(data)
    with pytest.raises(LsmError, match=message):
        check_explanation(data, "bad.json")


def test_an_explanation_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "e.json"
    path.write_bytes(b"\xff\xfe not json")
    with pytest.raises(LsmError, match="not UTF-8 JSON"):
        load_explanation(path)
