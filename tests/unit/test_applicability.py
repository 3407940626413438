"""Area of applicability (core/applicability.py): the dissimilarity index is 0 on a training
sample's cell and grows with the distance in factor space, the mask is the DI against the
threshold, the threshold is the whisker of the cross-fold DI, the window size changes nothing,
weights count as they should, and Predict LSI's masking blanks exactly the cells outside."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from scipy.spatial.distance import cdist, pdist

from landslide_lsm_plugin.core import applicability as aoa
from landslide_lsm_plugin.core import stack as stk
from landslide_lsm_plugin.core.errors import Canceled, LsmError
from landslide_lsm_plugin.core.progress import Progress
from landslide_lsm_plugin.core.raster import FLOAT_NODATA
from landslide_lsm_plugin.core.records import AoaTags, LsiTags

from ..conftest import read_raster, steep_wet_study, write_raster, write_vector

X0, Y0, CELL = 500000.0, 9500000.0, 10.0


def make_stack(d: Path, layers: list[tuple[str, np.ndarray, str]],
               name: str = "stack.tif") -> Path:
    """A factor stack of (name, array, kind) layers, each kept as it is (nearest)."""
    factors = []
    for fname, array, kind in layers:
        path = write_raster(d / f"{fname}.tif", array.astype(np.float32))
        factors.append(stk.Factor(fname, str(path), 1, kind, "nearest"))
    stk.build_stack(factors, str(d / name))
    return d / name


def make_samples(d: Path, cells: list[tuple[int, int]], folds, name: str = "samples.gpkg",
                 split=None, label=None) -> Path:
    """A samples layer with one training sample at each (row, col); alternate samples are
    landslides (each its own landslide) and non-landslides."""
    n = len(cells)
    label = list(label) if label is not None else [i % 2 for i in range(n)]
    return write_vector(
        d / name, [f"POINT({X0 + CELL * c + 5} {Y0 - CELL * r - 5})" for r, c in cells],
        fields={"label": label, "landslide_id": [i if lab else -1 for i, lab in enumerate(label)],
                "split": list(split) if split is not None else ["train"] * n,
                "fold": [int(f) for f in folds]})


def run(d: Path, stack: Path, samples: Path, tag: str = "", **kw) -> aoa.AoaReport:
    return aoa.area_of_applicability(str(stack), str(samples), str(d / f"di{tag}.tif"),
                                     str(d / f"mask{tag}.tif"), **kw)


@pytest.fixture
def ramp(tmp_path):
    """Two factors, a ramp along the columns and one along the rows (20 x 60 cells); the
    training samples lie in the first ten columns, three folds."""
    rows, cols = 20, 60
    col = np.tile(np.arange(cols, dtype=float), (rows, 1))
    row = np.tile(np.arange(rows, dtype=float)[:, None], (1, cols))
    stack = make_stack(tmp_path, [("east", col, stk.CONTINUOUS), ("south", row * 2.0,
                                                                     stk.CONTINUOUS)])
    rng = np.random.default_rng(1)
    cells = [(int(r), int(c)) for r, c in zip(rng.integers(0, rows, 40), rng.integers(0, 10, 40))]
    cells = list(dict.fromkeys(cells))
    samples = make_samples(tmp_path, cells, [i % 3 + 1 for i in range(len(cells))])
    return {"dir": tmp_path, "stack": stack, "samples": samples, "cells": cells, "east": col,
            "south": row * 2.0}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A continuous, a categorical and an aspect factor with nodata, and samples made by
    'Prepare training samples' (folds 1..10) of labelled points."""
    d = tmp_path_factory.mktemp("mixed")
    rng = np.random.default_rng(4)
    rows, cols = 70, 90
    slope = rng.gamma(2.0, 8.0, (rows, cols))
    slope[:4, :6] = -9999
    lith = np.where(np.arange(cols)[None, :] < 60, rng.integers(1, 4, (rows, cols)), 4)
    aspect = rng.uniform(0, 360, (rows, cols))
    aspect[rng.random((rows, cols)) < 0.05] = stk.FLAT_ASPECT
    stack = make_stack(d, [("slope", slope, stk.CONTINUOUS), ("lithology", lith, stk.CATEGORICAL),
                           ("aspect", aspect, stk.ASPECT)])
    # labelled points only west of column 55: lithology 4 (east) is never trained on
    n = 260
    r, c = rng.integers(4, rows, n), rng.integers(6, 55, n)
    pts = write_vector(d / "points.gpkg", [f"POINT({X0 + CELL * cc + 5} {Y0 - CELL * rr - 5})"
                                           for rr, cc in zip(r, c)],
                       fields={"label": (rng.random(n) < 0.5).astype(int)})
    from landslide_lsm_plugin.core import sampling as smp

    samples = d / "samples.gpkg"
    smp.prepare_samples(str(pts), str(stack), str(samples), label_field="label", seed=2)
    return {"dir": d, "stack": stack, "samples": samples, "lith": lith}


# --- the dissimilarity index -------------------------------------------------------------------

def test_a_training_cell_has_di_zero_and_di_grows_with_the_distance_in_factor_space(ramp):
    report = run(ramp["dir"], ramp["stack"], ramp["samples"])
    di, nodata = read_raster(ramp["dir"] / "di.tif")
    assert nodata == FLOAT_NODATA and (di != nodata).all()
    for r, c in ramp["cells"]:
        assert di[r, c] == 0.0
    # east of the training columns, the DI grows with every step east, on every row
    assert (np.diff(di[:, 10:], axis=1) > 0).all()
    assert report.n_training == len(ramp["cells"]) and report.folds == 3
    assert report.valid_cells == di.size


def test_the_di_is_the_standardised_distance_over_the_mean_distance_by_hand(ramp):
    """The whole chain against a hand computation: standardise by the training mean and sd,
    nearest training sample, mean pairwise distance, cross-fold DI, whisker."""
    report = run(ramp["dir"], ramp["stack"], ramp["samples"])
    rows, cols = zip(*ramp["cells"])
    train = np.c_[ramp["east"][rows, cols], ramp["south"][rows, cols]]
    mean, sd = train.mean(axis=0), train.std(axis=0, ddof=1)
    z = (train - mean) / sd
    dbar = pdist(z).mean()
    cells = np.c_[ramp["east"].ravel(), ramp["south"].ravel()]
    expected = cdist((cells - mean) / sd, z).min(axis=1) / dbar
    di, _ = read_raster(ramp["dir"] / "di.tif")
    np.testing.assert_allclose(di.ravel(), expected, rtol=1e-6, atol=1e-7)
    assert math.isclose(report.mean_distance, dbar, rel_tol=1e-12)
    folds = np.array([i % 3 + 1 for i in range(len(rows))])
    cross = np.array([cdist(z[i:i + 1], z[folds != folds[i]]).min()
                      for i in range(len(rows))]) / dbar
    np.testing.assert_allclose(report.training_di, cross, rtol=1e-12)
    q1, q3 = np.quantile(cross, [0.25, 0.75])
    assert report.threshold == cross[cross <= q3 + 1.5 * (q3 - q1)].max()


def test_the_threshold_is_the_upper_whisker_of_a_box_plot():
    # type-7 quartiles of these six: Q1 0.225, Q3 0.475, IQR 0.25, fence 0.85: 3.0 is an outlier
    assert aoa.whisker_threshold(np.array([0.3, 0.1, 3.0, 0.5, 0.2, 0.4])) == 0.5
    # without an outlier the whisker is the maximum
    assert aoa.whisker_threshold(np.array([1.0, 2.0, 3.0, 4.0])) == 4.0
    with pytest.raises(LsmError):
        aoa.whisker_threshold(np.array([np.nan]))


def test_the_mask_is_the_di_against_the_threshold_and_both_are_tagged(mixed):
    d = mixed["dir"]
    report = run(d, mixed["stack"], mixed["samples"], "_m")
    di, _ = read_raster(d / "di_m.tif")
    mask, mask_nodata = read_raster(d / "mask_m.tif")
    valid = di != FLOAT_NODATA
    assert mask_nodata == aoa.MASK_NODATA
    assert (mask[~valid] == aoa.MASK_NODATA).all() and (~valid).sum() == 24
    np.testing.assert_array_equal(mask[valid], (di[valid] <= report.threshold).astype(np.uint8))
    assert 0 < report.share_inside < 1
    # every training sample's own cell: DI 0 (with a categorical factor and aspect too)
    from landslide_lsm_plugin.core.sampling import read_samples

    grid = stk.stack_info(str(mixed["stack"])).grid
    samples = read_samples(str(mixed["samples"]), grid)
    col, row = grid.cell_of(samples.x[samples.train], samples.y[samples.train])
    assert col.size == report.n_training and (di[row, col] == 0).all()
    assert report.share_inside == pytest.approx((mask == 1).sum() / valid.sum())
    # lithology 4 was never trained on: all of it lies farther than the training cells do
    assert np.median(di[valid & (mixed["lith"] == 4)]) > np.median(di[valid & (mixed["lith"]
                                                                             < 4)])
    for path, kind, partner in ((d / "di_m.tif", "dissimilarity", "mask_m.tif"),
                                (d / "mask_m.tif", "applicability", "di_m.tif")):
        tags = aoa.applicability_tags(str(path))
        assert tags.kind == kind and Path(tags.partner).name == partner
        assert tags.threshold == report.threshold
        assert tags.mean_distance == report.mean_distance
        assert tags.n_training == report.n_training
        assert tags.share_inside == report.share_inside
        assert tags.weights == "slope=1,lithology=1,aspect=1"
        assert Path(tags.stack).name == "stack.tif"


def test_a_small_and_a_large_window_give_identical_rasters(mixed, tmp_path):
    small = run(tmp_path, mixed["stack"], mixed["samples"], "_7", window=7)
    large = run(tmp_path, mixed["stack"], mixed["samples"], "_big", window=4096, n_jobs=2)
    for name in ("di", "mask"):
        a, _ = read_raster(tmp_path / f"{name}_7.tif")
        b, _ = read_raster(tmp_path / f"{name}_big.tif")
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert small.threshold == large.threshold and small.inside_cells == large.inside_cells


def test_aspect_is_circular_and_flat_cells_count(tmp_path):
    """Training aspects 0..90 degrees: 350 is near them (around the circle), 180 is not."""
    aspect = np.tile(np.array([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 350, 180, -1.0]), (6, 1))
    stack = make_stack(tmp_path, [("aspect", aspect, stk.ASPECT)])
    cells = [(r, c) for r in range(6) for c in range(10)]
    samples = make_samples(tmp_path, cells, [r % 2 + 1 for r, _ in cells])
    run(tmp_path, stack, samples)
    di, _ = read_raster(tmp_path / "di.tif")
    assert (di[:, 10] < di[:, 11]).all()
    assert (di[:, 12] != FLOAT_NODATA).all() and np.isfinite(di[:, 12]).all()


# --- weights ------------------------------------------------------------------------------------

def test_a_factor_of_weight_zero_does_not_count(tmp_path):
    rng = np.random.default_rng(3)
    signal = np.tile(np.arange(40, dtype=float), (15, 1))
    noise = rng.normal(0, 5, (15, 40))
    both = make_stack(tmp_path, [("signal", signal, stk.CONTINUOUS),
                                 ("noise", noise, stk.CONTINUOUS)])
    alone = make_stack(tmp_path, [("signal", signal, stk.CONTINUOUS)], "alone.tif")
    cells = [(int(r), int(c)) for r, c in zip(rng.integers(0, 15, 30), rng.integers(0, 12, 30))]
    cells = list(dict.fromkeys(cells))
    samples = make_samples(tmp_path, cells, [i % 3 + 1 for i in range(len(cells))])
    zero = run(tmp_path, both, samples, "_zero", weights={"signal": 2.0, "noise": 0.0})
    negative = run(tmp_path, both, samples, "_neg", weights={"signal": 0.5, "noise": -0.1})
    equal = run(tmp_path, both, samples, "_equal")
    single = run(tmp_path, alone, samples, "_alone")
    di_zero, _ = read_raster(tmp_path / "di_zero.tif")
    di_neg, _ = read_raster(tmp_path / "di_neg.tif")
    di_alone, _ = read_raster(tmp_path / "di_alone.tif")
    di_equal, _ = read_raster(tmp_path / "di_equal.tif")
    assert np.array_equal(di_zero, di_alone) and np.array_equal(di_neg, di_alone)
    assert zero.threshold == single.threshold == negative.threshold
    assert zero.weights == {"signal": 1.0, "noise": 0.0}
    assert aoa.applicability_tags(str(tmp_path / "di_zero.tif")).weights == "signal=1,noise=0"
    # with the noise counted, cells with a training sample's signal are no longer all at 0
    trained_columns = np.unique([c for _, c in cells])
    assert (di_zero[:, trained_columns] == 0).all()
    assert (di_equal[:, trained_columns] > 0).any()
    assert equal.weights == {"signal": 1.0, "noise": 1.0}


def test_weights_come_from_an_explanation_file(tmp_path):
    import json

    from landslide_lsm_plugin.core.records import Explanation, FactorDrop

    explanation = Explanation("svm", "svm", "svm.lsmodel", 0.8,
                              (FactorDrop("slope", 0.2, 0.01), FactorDrop("wetness", 0.05, 0.01),
                               FactorDrop("noise", -0.01, 0.01)))
    path = tmp_path / "explanation.json"
    path.write_text(json.dumps(explanation.to_dict()), encoding="utf-8")
    weights = aoa.load_weights(path)
    assert weights == {"slope": 0.2, "wetness": 0.05, "noise": 0.0}
    assert aoa.normalise_weights(weights, ["slope", "wetness", "noise"]) == pytest.approx(
        {"slope": 1.0, "wetness": 0.25, "noise": 0.0})


def test_bad_weights_are_refused_with_the_factors_named():
    names = ["slope", "wetness"]
    with pytest.raises(LsmError, match="does not have: rainfall"):
        aoa.normalise_weights({"slope": 1, "wetness": 1, "rainfall": 1}, names)
    with pytest.raises(LsmError, match="wetness"):
        aoa.normalise_weights({"slope": 1}, names)
    with pytest.raises(LsmError, match="weight of 0"):
        aoa.normalise_weights({"slope": 0, "wetness": -1}, names)
    with pytest.raises(LsmError, match="not a number"):
        aoa.normalise_weights({"slope": float("nan"), "wetness": 1}, names)
    assert aoa.normalise_weights(None, names) == {"slope": 1.0, "wetness": 1.0}


# --- folds and errors ---------------------------------------------------------------------------

def test_samples_without_folds_get_folds_by_landslide(ramp, tmp_path):
    samples = make_samples(tmp_path, ramp["cells"], [0] * len(ramp["cells"]), "nofolds.gpkg")
    messages = []
    report = run(tmp_path, ramp["stack"], samples, folds=4,
                 progress=Progress(on_warning=messages.append))
    assert report.folds == 4
    assert any("no folds" in m and "4 folds" in m for m in messages)
    again = run(tmp_path, ramp["stack"], samples, "_again", folds=4)
    assert again.threshold == report.threshold  # seeded


def test_too_few_samples_one_fold_and_samples_off_the_stack_are_refused(ramp, tmp_path):
    d, stack = tmp_path, ramp["stack"]
    few = make_samples(d, ramp["cells"][:6], [1, 2, 1, 2, 1, 2], "few.gpkg")
    with pytest.raises(LsmError, match="at least 10"):
        run(d, stack, few)
    one = make_samples(d, ramp["cells"], [1] * len(ramp["cells"]), "one.gpkg")
    with pytest.raises(LsmError, match="one cross-validation fold"):
        run(d, stack, one)
    away = write_vector(d / "away.gpkg", [f"POINT({X0 - 5000 - i} {Y0 + 5000})" for i in range(20)],
                        fields={"label": [i % 2 for i in range(20)],
                                "landslide_id": [i if i % 2 else -1 for i in range(20)],
                                "split": ["train"] * 20, "fold": [i % 2 + 1 for i in range(20)]})
    with pytest.raises(LsmError, match="do not match"):
        run(d, stack, away)
    validation_only = make_samples(d, ramp["cells"], [0] * len(ramp["cells"]), "val.gpkg",
                                   split=["validation"] * len(ramp["cells"]))
    with pytest.raises(LsmError, match="no training samples"):
        run(d, stack, validation_only)
    with pytest.raises(LsmError, match="does not have: west"):
        run(d, stack, ramp["samples"], weights={"east": 1, "south": 1, "west": 1})
    with pytest.raises(LsmError, match="also an input"):
        aoa.area_of_applicability(str(stack), str(ramp["samples"]), str(stack),
                                  str(d / "mask.tif"))
    with pytest.raises(LsmError, match="two different files"):
        aoa.area_of_applicability(str(stack), str(ramp["samples"]), str(d / "same.tif"),
                                  str(d / "same.tif"))
    assert not list(d.glob("di*.tif")) and not list(d.glob("mask*.tif"))


def test_a_cancel_leaves_no_file(ramp, tmp_path):
    calls = {"n": 0}

    def canceled() -> bool:
        calls["n"] += 1
        return calls["n"] > 8

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Canceled):  # in the windows' loop, both rasters open
        run(out, ramp["stack"], ramp["samples"], window=4,
            progress=Progress(is_canceled=canceled))
    assert calls["n"] == 9 and sorted(p.name for p in out.iterdir()) == []


def test_the_steep_wet_study_is_mostly_inside(tmp_path):
    study = steep_wet_study(tmp_path, 60, 80, 400, seed=5, noise=True, nodata_corner=(3, 3))
    report = run(tmp_path, study["stack"], study["samples"])
    # samples drawn over the whole area: most of it is like some training sample
    assert report.share_inside > 0.8 and report.threshold > 0 and report.folds == 10


# --- Predict LSI: masking a map ------------------------------------------------------------------

def test_masking_a_map_blanks_exactly_the_cells_outside_and_leaves_no_temporary_file(mixed,
                                                                                     tmp_path):
    report = run(tmp_path, mixed["stack"], mixed["samples"])
    di, _ = read_raster(tmp_path / "di.tif")
    mask, _ = read_raster(tmp_path / "mask.tif")
    rng = np.random.default_rng(8)
    lsi = rng.random(di.shape).astype(np.float32)
    lsi[di == FLOAT_NODATA] = FLOAT_NODATA
    lsi[10:12, 60:70] = FLOAT_NODATA  # nodata of the map's own, some of it outside the AOA
    sd = (lsi * 0.1).astype(np.float32)
    sd[lsi == FLOAT_NODATA] = FLOAT_NODATA
    maps = tmp_path / "maps"
    maps.mkdir()
    lsi_path = write_raster(maps / "lsi.tif", lsi)
    sd_path = write_raster(maps / "lsi_sd.tif", sd)
    ds = gdal.Open(str(lsi_path), gdal.GA_Update)
    ds.SetMetadata(LsiTags(model_type="svm", model_name="SVM",
                           sd_file=str(sd_path)).to_metadata())
    ds.GetRasterBand(1).SetDescription("lsi")
    ds = None
    masked = aoa.mask_outside(str(lsi_path), str(tmp_path / "mask.tif"), str(sd_path), window=9)
    outside = mask == 0
    valid = lsi != FLOAT_NODATA
    assert masked == int((outside & valid).sum()) > 0
    assert masked < report.valid_cells
    for path, before in ((lsi_path, lsi), (sd_path, sd)):
        after, nodata = read_raster(path)
        assert nodata == FLOAT_NODATA
        assert (after[outside] == FLOAT_NODATA).all()
        np.testing.assert_array_equal(after[~outside], before[~outside])
    ds = gdal.Open(str(lsi_path))
    tags = LsiTags.from_metadata(ds.GetMetadata())
    assert tags.model_name == "SVM" and tags.sd_file == str(sd_path)
    assert ds.GetRasterBand(1).GetDescription() == "lsi"
    assert ds.GetRasterBand(1).DataType == gdal.GDT_Float32
    ds = None
    assert sorted(p.name for p in maps.iterdir()) == ["lsi.tif", "lsi_sd.tif"]


def test_only_an_applicability_mask_on_the_maps_grid_is_taken(mixed, tmp_path):
    run(tmp_path, mixed["stack"], mixed["samples"])
    grid = stk.stack_info(str(mixed["stack"])).grid
    tags = aoa.check_applicability_mask(str(tmp_path / "mask.tif"), grid)
    assert isinstance(tags, AoaTags) and tags.kind == "applicability"
    with pytest.raises(LsmError, match=r"dissimilarity index.*use 'mask\.tif'"):
        aoa.check_applicability_mask(str(tmp_path / "di.tif"), grid)
    with pytest.raises(LsmError, match="not an applicability mask"):
        aoa.check_applicability_mask(str(mixed["stack"]), grid)
    small = write_raster(tmp_path / "small.tif", np.ones((5, 5), np.float32))
    with pytest.raises(LsmError, match="not on the grid"):
        aoa.mask_outside(str(small), str(tmp_path / "mask.tif"))
    before, _ = read_raster(small)
    assert (before == 1).all()
    other = stk.Grid(5, 5, (X0, CELL, 0.0, Y0, 0.0, -CELL), grid.crs_wkt)
    with pytest.raises(LsmError, match="not on the grid of the map"):
        aoa.check_applicability_mask(str(tmp_path / "mask.tif"), other)
