"""Model files keep working across versions, and the plugin reads and writes scikit-learn
models through public API only (no private attributes that an upgrade could change)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

from landslide_lsm_plugin.core import model_io, models
from landslide_lsm_plugin.core.platt import PlattSvm
from landslide_lsm_plugin.core.predict import kernel_probability, probability_function

ROOT = Path(__file__).resolve().parents[2]
V010 = ROOT / "tests" / "data" / "v0.1.0"
EXPECTED = json.loads((V010 / "expected.json").read_text())
PROBE = np.asarray(EXPECTED["probe"])


@pytest.mark.parametrize("kind", ["svm", "klr", "logistic", "random_forest"])
def test_files_written_by_0_1_0_still_load_and_give_the_same_probabilities(kind):
    """Files made by plugin 0.1.0 (tests/data/v0.1.0/make_files.py): the SVM then lived in a
    CalibratedClassifierCV; it now loads as a PlattSvm whose sigmoid comes from the file's
    kernel part. Every model gives the probabilities it gave when it was written."""
    loaded = model_io.load_model(V010 / f"{kind}.lsmodel")
    expected = np.asarray(EXPECTED["p"][kind])
    assert np.allclose(loaded.estimator.predict_proba(PROBE)[:, 1], expected, atol=1e-9)
    assert np.allclose(probability_function(loaded.estimator)(PROBE), expected, atol=1e-9)
    meta, expansion, _ = model_io.load_kernel(V010 / f"{kind}.lsmodel")
    if kind in ("svm", "klr"):
        assert np.allclose(kernel_probability(expansion)(PROBE), expected, atol=1e-9)
        assert isinstance(loaded.estimator, PlattSvm) == (kind == "svm")
    else:
        assert expansion is None


def test_a_new_svm_file_stores_the_pipeline_and_its_sigmoid_as_numbers(tmp_path):
    rng = np.random.default_rng(4)
    x = rng.random((200, 3))
    y = (x[:, 0] + 0.3 * rng.random(200) > 0.6).astype(int)
    result = models.train_model(
        models.SVM, x, y,
        search=models.SearchSettings(
            n_folds=3, cv_scheme=models.STRATIFIED, grid={"C": [1.0, 10.0], "gamma": [0.5]}))
    assert isinstance(result.estimator, PlattSvm)
    path = model_io.save_model(tmp_path / "svm.lsmodel", result.estimator,
                               {"name": "SVM", "model_type": "svm", "factors": ["a", "b", "c"]})
    meta = model_io.read_meta(path)
    assert meta.platt == tuple(result.estimator.link_ab)
    names = model_io.payload_types(model_io.read_parts(path).payload)
    assert not any("Calibrat" in n or "Frozen" in n for n in names)
    loaded = model_io.load_model(path).estimator
    p = result.estimator.predict_proba(PROBE)[:, 1]
    f = result.estimator.decision_function(PROBE)
    a, b = result.estimator.link_ab
    assert np.allclose(p, 1 / (1 + np.exp(a * f + b)), atol=1e-12)
    assert np.allclose(loaded.predict_proba(PROBE)[:, 1], p, atol=1e-12)
    # the kernel expansion (public attributes only) is scikit-learn's computation
    expansion = model_io.kernel_expansion(loaded)
    assert np.allclose(kernel_probability(expansion)(PROBE), p, atol=1e-9)


def test_an_svm_file_without_its_sigmoid_is_refused(tmp_path):
    rng = np.random.default_rng(4)
    x = rng.random((120, 3))
    y = (x[:, 0] > 0.5).astype(int)
    svm = models.build_estimator(models.SVM, {"C": 1.0, "gamma": 0.5}).fit(x, y)
    path = model_io.save_model(tmp_path / "bare.lsmodel", svm,
                               {"name": "SVM", "model_type": "svm", "factors": ["a", "b", "c"]})
    with pytest.raises(Exception, match="without its Platt sigmoid"):
        model_io.load_model(path)


#: attributes scikit-learn keeps private (a leading underscore, or on private classes) that
#: the plugin used to read or write; none may come back
PRIVATE = re.compile(r"\._gamma\b|\.calibrators\b|\.a_\b|\.b_\b|\._dual_coef_|\._intercept_|"
                     r"\._n_support|\._probA|\._probB|\.calibrated_classifiers_")


def test_the_plugin_reads_and_writes_no_private_scikit_learn_attributes():
    offenders = []
    for path in sorted((ROOT / "landslide_lsm_plugin").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if PRIVATE.search(code):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_lsi_tags_round_trip_and_tolerate_what_other_tools_write():
    from landslide_lsm_plugin.core.records import LsiTags

    tags = LsiTags("svm", "SVM <b>", "/m/svm.lsmodel", 12.5, 0.81, 3.25)
    items = tags.to_metadata()
    assert items["LSM_LSI"] == "1" and items["LSM_MODEL_FILE"] == "/m/svm.lsmodel"
    assert LsiTags.from_metadata(items) == tags and LsiTags.is_lsi(items)
    odd = dict(items, LSM_CV_AUROC="nan", LSM_TRAINING_TIME="soon", LSM_MAP_TIME="inf")
    back = LsiTags.from_metadata(odd)
    assert back.cv_auroc is None and back.training_time_s is None and back.map_time_s is None
    assert LsiTags.from_metadata({}) == LsiTags() and not LsiTags.is_lsi({})


def test_worker_protocol_lines():
    from landslide_lsm_plugin.core.records import WORKER_EVENTS, parse_worker_event, worker_event

    line = worker_event("epoch", epoch=3, loss=np.float32(0.25))
    event = parse_worker_event(line)
    assert (event.kind, event.fields, event.version) == ("epoch", {"epoch": 3, "loss": 0.25}, 1)
    assert json.loads(line)["v"] == 1  # the protocol's version travels in every line
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.kind = "done"
    for other in ("", "2026 TensorFlow says hi", "{not json", '{"event": "shutdown"}', "[1]"):
        assert parse_worker_event(other) is None
    with pytest.raises(ValueError):
        worker_event("shutdown")
    assert "done" in WORKER_EVENTS and "error" in WORKER_EVENTS


def test_the_version_module_is_a_leaf_that_matches_metadata_txt():
    import ast
    import configparser

    from landslide_lsm_plugin import version

    tree = ast.parse((ROOT / "landslide_lsm_plugin" / "version.py").read_text())
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "metadata.txt", encoding="utf-8")
    assert cfg["general"]["version"] == version.__version__
