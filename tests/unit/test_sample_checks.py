"""Hostile or clumsy samples layers: labels other than 0/1, NULL labels, odd folds and splits,
and a duplicated inventory (the same cells on both sides of the split) are refused or
reported with the field and the count, never taken silently."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import pytest
from osgeo import ogr, osr

from landslide_lsm_plugin.core import evaluation, training
from landslide_lsm_plugin.core import sampling as smp
from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.progress import Progress
from landslide_lsm_plugin.core.raster import Grid, open_raster

from ..conftest import UTM17S, write_raster, write_vector

X0, Y0, CELL = 500000.0, 9500000.0, 10.0
TYPES = {int: ogr.OFTInteger64, float: ogr.OFTReal, str: ogr.OFTString}


def grid() -> Grid:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(UTM17S)
    return Grid(40, 40, (X0, CELL, 0.0, Y0, 0.0, -CELL), srs.ExportToWkt())


def write_samples(path: Path, n: int, point_layer: bool = True, **columns) -> Path:
    """A samples layer of n points on distinct cells; columns {name: (type, values)} replace
    the defaults (label alternating 0/1, split 70/30, folds 1..3, landslide id = index).
    ``point_layer`` False writes an untyped geometry column (read feature by feature)."""
    values = {"label": (int, [i % 2 for i in range(n)]),
              "split": (str, ["validation" if i % 10 >= 7 else "train" for i in range(n)]),
              "fold": (int, [0 if i % 10 >= 7 else i % 3 + 1 for i in range(n)]),
              "landslide_id": (int, [i if i % 2 else -1 for i in range(n)])}
    values.update(columns)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(UTM17S)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = ds.CreateLayer("samples", srs, ogr.wkbPoint if point_layer else ogr.wkbUnknown)
    for name, (typ, _) in values.items():
        layer.CreateField(ogr.FieldDefn(name, TYPES[typ]))
    for i in range(n):
        feature = ogr.Feature(layer.GetLayerDefn())
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(X0 + CELL * (i % 40) + 5, Y0 - CELL * (i // 40) - 5)
        feature.SetGeometry(point)
        for name, (_, vals) in values.items():
            if vals[i] is not None:
                feature.SetField(name, vals[i])
        layer.CreateFeature(feature)
    ds = None
    return path


@pytest.fixture(params=[True, False], ids=["arrow", "features"])
def point_layer(request) -> bool:
    """Both readers: GDAL's Arrow batches (point layers) and feature by feature."""
    return request.param


# --- labels ------------------------------------------------------------------------------------

def test_labels_other_than_0_and_1_are_refused_with_field_and_count(tmp_path, point_layer):
    labels = [0, 1] * 10
    labels[3], labels[8], labels[15] = 2, -1, 2
    path = write_samples(tmp_path / "samples.gpkg", 20, point_layer, label=(int, labels))
    with pytest.raises(LsmError) as err:
        smp.read_samples(str(path), grid())
    text = str(err.value)
    assert text.startswith("Field 'label' of 'samples.gpkg': 3 feature(s) have values other "
                           "than 0 (non-landslide) or 1 (landslide), e.g. 2, -1. Fix them"), text


def test_text_labels_are_refused_unless_they_say_0_or_1(tmp_path, point_layer):
    labels = ["1", "0", "yes", "no", "abc", "1.0"] * 3
    path = write_samples(tmp_path / "text.gpkg", 18, point_layer, label=(str, labels))
    with pytest.raises(LsmError, match=r"Field 'label' of 'text.gpkg': 3 feature\(s\) have "
                                       r"values other than 0 .* e.g. 'abc'\."):
        smp.read_samples(str(path), grid())
    good = write_samples(tmp_path / "good.gpkg", 18, point_layer,
                         label=(str, ["1", "0", "yes", "no", "true", "1.0"] * 3))
    assert smp.read_samples(str(good), grid()).label.tolist() == [1, 0, 1, 0, 1, 1] * 3


def test_null_labels_are_left_out_with_a_warning_and_their_count(tmp_path, point_layer):
    labels: list[Optional[int]] = [0, 1] * 10
    labels[2] = labels[5] = None
    path = write_samples(tmp_path / "samples.gpkg", 20, point_layer, label=(int, labels))
    samples = smp.read_samples(str(path), grid())
    assert len(samples) == 18
    assert samples.messages == ["Field 'label' of 'samples.gpkg': 2 feature(s) have no label "
                                "(NULL); they are left out."]


def test_labelled_inventory_with_other_labels_is_refused(tmp_path):
    stack = write_raster(tmp_path / "stack.tif",
                         np.random.default_rng(0).random((2, 40, 40)).astype(np.float32))
    labels = [i % 2 for i in range(20)]
    labels[4] = 2
    points = write_vector(tmp_path / "points.gpkg",
                          [f"POINT({X0 + 10 * i + 5} {Y0 - 105})" for i in range(20)],
                          fields={"lslpts": labels})
    with pytest.raises(LsmError, match=r"Field 'lslpts' of 'points.gpkg': 1 feature\(s\) have "
                                       r"values other than 0 .* e.g. 2\."):
        smp.prepare_samples(str(points), str(stack), str(tmp_path / "s.gpkg"),
                            label_field="lslpts")
    assert not (tmp_path / "s.gpkg").exists()


# --- folds -------------------------------------------------------------------------------------

def test_fractional_and_negative_folds_are_refused_with_a_count(tmp_path, point_layer):
    folds = [float(i % 3 + 1) for i in range(20)]
    folds[1], folds[6] = -2.7, 2.5
    path = write_samples(tmp_path / "samples.gpkg", 20, point_layer, fold=(float, folds))
    with pytest.raises(LsmError) as err:
        smp.read_samples(str(path), grid())
    assert str(err.value).startswith(
        "Field 'fold' of 'samples.gpkg': 2 feature(s) have fold numbers that are not whole "
        "numbers >= 0, e.g. -2.7, 2.5 (1..k: the cross-validation fold of a training sample; "
        "0: none)."), str(err.value)
    text = write_samples(tmp_path / "text.gpkg", 20, point_layer,
                         fold=(str, ["1", "2", "x", "3"] * 5))
    with pytest.raises(LsmError, match=r"'fold' of 'text.gpkg': 5 feature\(s\) .* e.g. 'x'"):
        smp.read_samples(str(text), grid())
    whole = write_samples(tmp_path / "whole.gpkg", 20, point_layer,
                          fold=(float, [float(i % 3 + 1) for i in range(20)]))
    assert set(smp.read_samples(str(whole), grid()).fold.tolist()) == {1, 2, 3}


def test_a_fold_outside_the_written_folds_is_reported_as_one_more_fold(tmp_path):
    n = 30
    split = ["train"] * 24 + ["validation"] * 6
    folds = [i % 3 + 1 for i in range(24)] + [0] * 6
    folds[5] = folds[11] = 99
    path = write_samples(tmp_path / "samples.gpkg", n, split=(str, split), fold=(int, folds))
    samples = smp.read_samples(str(path), grid())
    warnings = smp.fold_warnings(samples)
    assert warnings == [
        "Field 'fold' of 'samples.gpkg': 2 training sample(s) have fold numbers outside 1..3 "
        "(e.g. 99), which 'Prepare training samples' does not write: cross-validation uses "
        "each such number as one more fold (4 folds in all). Check the field, or prepare the "
        "samples again."]
    # folds as written (1..k on training samples, 0 on validation samples) say nothing
    folds[5], folds[11] = 3, 3
    clean = write_samples(tmp_path / "clean.gpkg", n, split=(str, split), fold=(int, folds))
    assert smp.fold_warnings(smp.read_samples(str(clean), grid())) == []


def test_training_samples_without_a_fold_are_reported(tmp_path):
    split = ["train"] * 24 + ["validation"] * 6
    folds: list[Optional[int]] = [i % 3 + 1 for i in range(24)] + [0] * 6
    folds[0], folds[1], folds[2] = 0, None, 0
    path = write_samples(tmp_path / "samples.gpkg", 30, split=(str, split),
                         fold=(int, folds))
    warnings = smp.fold_warnings(smp.read_samples(str(path), grid()))
    assert warnings == ["Field 'fold' of 'samples.gpkg': 3 training sample(s) have no fold (0 "
                        "or NULL) while the others have one: cross-validation always trains "
                        "on them and never tests them."]


# --- splits ------------------------------------------------------------------------------------

def test_split_values_other_than_train_and_validation_are_refused(tmp_path, point_layer):
    split: list[Optional[str]] = ["train", "validation"] * 10
    split[0], split[3], split[4] = "test", None, "Train "
    path = write_samples(tmp_path / "samples.gpkg", 20, point_layer, split=(str, split))
    with pytest.raises(LsmError) as err:
        smp.read_samples(str(path), grid())
    assert str(err.value).startswith(
        "Field 'split' of 'samples.gpkg': 2 feature(s) have values other than 'train' or "
        "'validation', e.g. 'test', NULL."), str(err.value)
    split[0], split[3] = "VALIDATION", "train"  # case and spaces aside, these are fine
    ok = write_samples(tmp_path / "ok.gpkg", 20, point_layer, split=(str, split))
    s = smp.read_samples(str(ok), grid())
    assert s.split[0] == "validation" and s.split[4] == "train"


def test_landslide_ids_that_are_not_whole_numbers_are_refused(tmp_path, point_layer):
    ids = [str(i) if i % 2 else "-1" for i in range(20)]
    ids[3], ids[5] = "slide A", "7.5"
    path = write_samples(tmp_path / "samples.gpkg", 20, point_layer,
                         landslide_id=(str, ids))
    with pytest.raises(LsmError, match=r"Field 'landslide_id' of 'samples.gpkg': 2 feature\(s\) "
                                       r"have values that are not whole numbers, e.g. "
                                       r"'slide A', '7.5'"):
        smp.read_samples(str(path), grid())


# --- duplicated inventories --------------------------------------------------------------------

def test_shared_cells_counts_validation_samples_on_training_cells(tmp_path):
    # 20 samples on distinct cells, then 5 of the training ones again as validation samples
    # (a samples layer merged from two copies), one of them shifted within its cell
    base = write_samples(tmp_path / "base.gpkg", 20)
    s = smp.read_samples(str(base), grid())
    assert smp.shared_cells(s, grid()) == 0 and smp.shared_cells_warning(s, grid()) is None
    dup = np.flatnonzero(s.train)[:5]
    twin = s.subset(dup)
    twin.split[:] = smp.VALIDATION
    twin.x = twin.x + np.array([0, 0, 0, 0, 3.0])
    merged = smp.SampleSet(*(np.concatenate([a, b]) for a, b in (
        (s.x, twin.x), (s.y, twin.y), (s.label, twin.label),
        (s.landslide_id, twin.landslide_id), (s.split, twin.split), (s.fold, twin.fold))))
    assert smp.shared_cells(merged, grid()) == 5
    assert smp.shared_cells_warning(merged, grid()).startswith(
        "5 validation sample(s) share their cell with a training sample (a duplicated "
        "inventory?): validation is not independent there")


@pytest.fixture
def duplicated(tmp_path):
    """A stack and a samples layer built from two copies of one inventory: the second copy
    has the splits the other way round, so 12 validation samples sit on training cells."""
    rng = np.random.default_rng(3)
    stack = write_raster(tmp_path / "stack.tif", rng.random((2, 40, 40)).astype(np.float32),
                         names=["a", "b"])
    n = 40
    split = ["validation" if i % 10 >= 7 else "train" for i in range(n)]
    folds = [0 if i % 10 >= 7 else i % 3 + 1 for i in range(n)]
    twice = 12  # the copies: training samples of the first copy, validation in the second
    train_idx = [i for i in range(n) if split[i] == "train"][:twice]
    rows = list(range(n)) + train_idx
    path = tmp_path / "samples.gpkg"
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(UTM17S)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = ds.CreateLayer("samples", srs, ogr.wkbPoint)
    for name, typ in (("label", int), ("landslide_id", int), ("split", str), ("fold", int)):
        layer.CreateField(ogr.FieldDefn(name, TYPES[typ]))
    for k, i in enumerate(rows):
        feature = ogr.Feature(layer.GetLayerDefn())
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(X0 + CELL * (i % 40) + 5, Y0 - CELL * (i // 40) * 3 - 5)
        feature.SetGeometry(point)
        second = k >= n
        feature.SetField("label", i % 2)
        feature.SetField("landslide_id", i if i % 2 else -1)
        feature.SetField("split", "validation" if second else split[i])
        feature.SetField("fold", 0 if second else folds[i])
        layer.CreateFeature(feature)
    ds = None
    return {"stack": stack, "samples": path, "twice": twice, "dir": tmp_path}


def test_a_duplicated_inventory_is_warned_by_training_and_evaluation(duplicated):
    d = duplicated
    warnings: list[str] = []
    model = d["dir"] / "lr.lsmodel"
    training.train_to_file("logistic", str(d["stack"]), str(d["samples"]), str(model),
                           search=training.SearchSettings(n_folds=3),
                           progress=Progress(on_warning=warnings.append))
    expected = (f"{d['twice']} validation sample(s) share their cell with a training sample "
                "(a duplicated inventory?): validation is not independent there")
    assert any(w.startswith(expected) for w in warnings), warnings
    # the same check in Evaluate, once however many maps
    from landslide_lsm_plugin.core.predict import predict_lsi

    lsi = d["dir"] / "lsi.tif"
    predict_lsi(str(model), str(d["stack"]), str(lsi))
    result = evaluation.evaluate_lsi([str(lsi), str(lsi)], str(d["samples"]))
    assert sum(m.startswith(expected) for m in result.messages) == 1, result.messages


def test_samples_as_prepared_give_no_warning(tmp_path):
    stack = write_raster(tmp_path / "stack.tif",
                         np.random.default_rng(0).random((2, 60, 60)).astype(np.float32))
    points = write_vector(tmp_path / "points.gpkg",
                          [f"POINT({X0 + 10 * (i % 60) + 5} {Y0 - 10 * (i // 60) * 7 - 5})"
                           for i in range(120)], fields={"lslpts": [i % 2 for i in range(120)]})
    out = tmp_path / "s.gpkg"
    smp.prepare_samples(str(points), str(stack), str(out), label_field="lslpts", folds=3)
    g = Grid.of(open_raster(str(stack)))
    samples = smp.read_samples(str(out), g)
    assert training.sample_warnings(samples, g) == []
