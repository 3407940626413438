"""Assess models by cross-validation through processing.run, on the real Ecuador data: the
table, the box-plot figure and the fold map, random against spatial folds, and the warning on
an FR-encoded stack."""

import math

import pytest
from qgis.core import QgsProcessingException

from .feedback import Recorder


@pytest.fixture(scope="module")
def ecuador(ecuador_data, tmp_path_factory):
    return dict(ecuador_data, dir=tmp_path_factory.mktemp("cv"))


def test_crossvalidate_writes_the_table_the_figure_and_the_fold_map(run_alg, ecuador):
    d = ecuador["dir"]
    out = run_alg("crossvalidate", {
        "STACK": ecuador["stack"], "SAMPLES": ecuador["samples"], "MODELS": [0],
        "SCHEMES": [0, 1, 2], "REPETITIONS": 2, "FOLDS": 4, "INNER_FOLDS": 3, "BUFFER": 100,
        "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_FIGURE": str(d / "cv.png"),
        "OUTPUT_FOLDS": str(d / "folds.gpkg")})
    rows = {f["scheme"]: f for f in out["OUTPUT"].getFeatures()}
    assert set(rows) == {"random", "kmeans", "blocks"}
    for row in rows.values():
        assert row["model_type"] == "logistic" and row["repetitions"] == 2
        reps = [float(v) for v in row["repetition_aurocs"].split(";")]
        assert len(reps) == 2 and all(0.5 < v <= 1 for v in reps)
        assert 0.6 < row["mean_auroc"] < 0.95 and row["folds_scored"] + row["folds_skipped"] == 8
    # logistic regression on these points: random CV above spatial CV (README: 0.81 vs 0.77)
    assert rows["random"]["mean_auroc"] > rows["kmeans"]["mean_auroc"]
    assert (d / "cv.png").stat().st_size > 10_000
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(out["OUTPUT_FOLDS"], "folds", "ogr")
    features = list(layer.getFeatures())
    assert len(features) == 349  # every sample (one point of the data is a duplicate cell)
    for name in ("fold_random", "fold_kmeans", "fold_blocks"):
        assert {f[name] for f in features} == {1, 2, 3, 4}
    assert layer.crs().authid() == "EPSG:32717"
    assert out["SUMMARY"].startswith("logistic random ")


def test_the_same_seed_gives_the_same_scores_and_another_seed_other_folds(run_alg, ecuador):
    def run(seed):
        out = run_alg("crossvalidate", {
            "STACK": ecuador["stack"], "SAMPLES": ecuador["samples"], "MODELS": [0],
            "SCHEMES": [1], "REPETITIONS": 1, "FOLDS": 3, "INNER_FOLDS": 3, "SEED": seed,
            "OUTPUT": "TEMPORARY_OUTPUT"})
        return next(out["OUTPUT"].getFeatures())["mean_auroc"]

    first = run(5)
    assert run(5) == first and math.isfinite(first)
    assert run(6) != first


def test_an_fr_stack_is_warned_and_bad_parameters_are_refused(run_alg, ecuador):
    fr = ecuador["fr"]
    log = Recorder()
    run_alg("crossvalidate", {"STACK": fr, "SAMPLES": ecuador["samples"], "MODELS": [0],
                              "SCHEMES": [0], "REPETITIONS": 1, "FOLDS": 3, "INNER_FOLDS": 2,
                              "OUTPUT": "TEMPORARY_OUTPUT"}, feedback=log)
    assert any("FR-encoded" in w and "optimistic" in w for w in log.messages)
    with pytest.raises(QgsProcessingException, match="occupied blocks"):
        run_alg("crossvalidate", {"STACK": ecuador["stack"], "SAMPLES": ecuador["samples"],
                                  "MODELS": [0], "SCHEMES": [2], "BLOCK_SIZE": 100_000,
                                  "REPETITIONS": 1, "FOLDS": 3, "OUTPUT": "TEMPORARY_OUTPUT"})
