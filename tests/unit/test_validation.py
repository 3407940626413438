"""Model assessment by cross-validation (core/validation.py): partitions that keep landslides
whole, a buffer that removes exactly the training samples near a test fold, nested tuning, and
on the real Ecuador data the gap between random and spatial CV."""

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landslide_lsm_plugin.core import validation as val
from landslide_lsm_plugin.core.errors import Canceled, LsmError
from landslide_lsm_plugin.core.progress import Progress

ECUADOR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ecuador"
SMALL = {"svm": {"C": [0.1, 1.0, 10.0], "gamma": [0.02, 0.2, 2.0]},
         "logistic": {"C": [0.01, 1.0, 100.0]}}


def landslide_field(n_landslides=30, cells=4, n_other=120, seed=0):
    """Landslides of several cells each (a signal factor high on them) and scattered
    non-landslide points over a 10 km square."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 10_000, (n_landslides, 2))
    ls_xy = np.repeat(centres, cells, axis=0) + rng.normal(0, 15, (n_landslides * cells, 2))
    other = rng.uniform(0, 10_000, (n_other, 2))
    xy = np.vstack([ls_xy, other])
    y = np.r_[np.ones(len(ls_xy), int), np.zeros(n_other, int)]
    groups = np.r_[np.repeat(np.arange(n_landslides), cells), -np.ones(n_other, int)]
    x = np.c_[y * 1.0 + rng.normal(0, 0.8, y.size), rng.normal(0, 1, y.size)]
    return x, y, xy, groups


@pytest.mark.parametrize("scheme", val.SCHEMES)
def test_every_scheme_keeps_a_landslide_in_one_fold_and_uses_every_fold(scheme):
    _, y, xy, groups = landslide_field()
    fold = val.partition(scheme, xy, y, groups, 5, seed=3, block_size=2000.0)
    assert set(fold) == set(range(5))
    for g in range(30):
        assert np.unique(fold[groups == g]).size == 1
    again = val.partition(scheme, xy, y, groups, 5, seed=3, block_size=2000.0)
    assert np.array_equal(fold, again)  # seeded


def test_spatial_folds_hold_out_areas_random_folds_do_not():
    """The test samples of a spatial fold are far from the training samples; random folds
    leave training samples next to every test sample."""
    from sklearn.neighbors import KDTree

    _, y, xy, groups = landslide_field(n_other=400)

    def mean_gap(fold):
        gaps = []
        for f in range(5):
            test, train = xy[fold == f], xy[fold != f]
            gaps.append(KDTree(train).query(test, k=1)[0].mean())
        return float(np.mean(gaps))

    random = mean_gap(val.partition(val.RANDOM, xy, y, groups, 5, seed=1))
    kmeans = mean_gap(val.partition(val.KMEANS, xy, y, groups, 5, seed=1))
    blocks = mean_gap(val.partition(val.BLOCKS, xy, y, groups, 5, seed=1, block_size=2500.0))
    assert kmeans > random and blocks > random


@settings(max_examples=60, deadline=None)
@given(points=st.lists(st.tuples(st.floats(0, 1000), st.floats(0, 1000)), min_size=4,
                       max_size=40),
       share=st.floats(0.1, 0.9), distance=st.floats(0, 400))
def test_the_buffer_removes_exactly_the_training_samples_within_the_distance(points, share,
                                                                              distance):
    xy = np.array(points)
    n_test = max(1, int(share * len(xy)))
    test, train = np.arange(n_test), np.arange(n_test, len(xy))
    kept = val.buffered_training(train, test, xy, distance)
    nearest = np.array([np.hypot(*(xy[test] - xy[i]).T).min() for i in train]) \
        if train.size else np.array([])
    if distance == 0:
        assert np.array_equal(kept, train)
    else:
        assert np.array_equal(kept, train[nearest > distance])  # within: <= distance, removed


def test_the_design_is_checked():
    for design, message in ((val.CvDesign(schemes=("nope",)), "Unknown"),
                            (val.CvDesign(folds=1), "at least 2 folds"),
                            (val.CvDesign(repetitions=0), "one repetition"),
                            (val.CvDesign(buffer=-1.0), "buffer"),
                            (val.CvDesign(block_size=0.0), "block size")):
        with pytest.raises(LsmError, match=message):
            design.check()
    _, y, xy, groups = landslide_field(n_landslides=3, n_other=1)
    with pytest.raises(LsmError, match="cannot fill 5 folds"):
        val.partition(val.RANDOM, xy, y, groups, 5, seed=0)


def test_cross_validation_scores_every_fold_and_summarises_by_repetition():
    x, y, xy, groups = landslide_field()
    design = val.CvDesign(schemes=(val.RANDOM, val.KMEANS), repetitions=2, folds=4,
                          inner_folds=3, buffer=100.0)
    cv = val.cross_validate(x, y, xy, groups, ["logistic"], design, grids=SMALL)
    assert len(cv.scores) == 2 * 2 * 4
    for s in cv.scores:
        assert s.n_train + s.n_test + s.n_buffered == y.size
    row = next(r for r in cv.summary if r.scheme == val.RANDOM)
    finite = [s.auroc for s in cv.scores if s.scheme == val.RANDOM and math.isfinite(s.auroc)]
    assert row.mean == pytest.approx(np.mean(finite)) and row.folds_scored == len(finite)
    assert len(row.repetition_aurocs) == 2 and row.mean > 0.75  # the signal factor is found
    assert set(cv.first_partition) == {val.RANDOM, val.KMEANS}
    assert cv.first_partition[val.KMEANS].shape == y.shape


def test_cross_validation_can_be_canceled_between_folds():
    x, y, xy, groups = landslide_field()
    calls = []
    with pytest.raises(Canceled):
        val.cross_validate(x, y, xy, groups, ["logistic"],
                           val.CvDesign(repetitions=3, folds=4, inner_folds=3), grids=SMALL,
                           progress=Progress(is_canceled=lambda: calls.append(1) or
                                             len(calls) > 5))


def ecuador_points():
    with open(ECUADOR / "lsl_points.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    xy = np.array([[float(r["x"]), float(r["y"])] for r in rows])
    x = np.array([[float(r[f]) for f in ("slope", "cplan", "cprof", "elev", "log10_carea")]
                  for r in rows])
    y = np.array([int(float(r["lslpts"])) for r in rows])
    return x, y, xy


@pytest.mark.skipif(not (ECUADOR / "lsl_points.csv").exists(), reason="../shared absent")
def test_on_the_ecuador_data_spatial_cv_is_below_random_cv_for_the_svm():
    """The README of the data: random CV 0.85, spatial (k-means) CV 0.76 for an SVM."""
    x, y, xy = ecuador_points()
    design = val.CvDesign(schemes=(val.RANDOM, val.KMEANS), repetitions=2, folds=5,
                          inner_folds=5)  # 2 x 5 folds: 0.833 vs 0.745 here
    cv = val.cross_validate(x, y, xy, None, ["svm"], design, grids=SMALL)
    by = {r.scheme: r for r in cv.summary}
    assert by[val.KMEANS].mean < by[val.RANDOM].mean - 0.03
    assert by[val.RANDOM].mean > 0.8 and by[val.KMEANS].mean > 0.65
