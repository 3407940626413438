"""The format layer (core/records.py): model metadata and LSNet sidecars as frozen records that
round-trip exactly, refuse newer format versions and damaged fields by name, and still read
the files plugin 0.1.0 wrote."""

import dataclasses
import json
import zipfile
from pathlib import Path

import pytest

from landslide_lsm_plugin.core import model_io, records
from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.records import LsnetMeta, ModelMeta

V010 = Path(__file__).resolve().parents[1] / "data" / "v0.1.0"
SHA = "ab" * 32


def model_dict(**fields) -> dict:
    base = {"format": records.MODEL_FORMAT, "format_version": 1, "model_type": "svm",
            "factors": ["slope", "ndvi"], "model_sha256": SHA, "name": "SVM",
            "hyperparameters": {"C": 10.0}, "cv": {"folds": 5}, "n_train": 120}
    return {k: v for k, v in dict(base, **fields).items() if v is not ...}


def sidecar_dict(**fields) -> dict:
    base = {"format": records.LSNET_FORMAT, "format_version": 1, "model_type": "lsnet",
            "keras_sha256": SHA, "factors": ["slope"], "window": 15, "center": 7,
            "preprocessing": {"mean": [0.0]}, "history": [{"epoch": 1}], "best_epoch": 1,
            "cv_score": 0.7}
    return {k: v for k, v in dict(base, **fields).items() if v is not ...}


@pytest.mark.parametrize("kind", ["svm", "klr", "logistic", "random_forest"])
def test_files_of_0_1_0_read_as_records_and_round_trip(kind):
    path = V010 / f"{kind}.lsmodel"
    with zipfile.ZipFile(path) as zf:
        written = json.loads(zf.read("meta.json"))
    meta = model_io.read_meta(path)
    assert isinstance(meta, ModelMeta) and meta.model_type == kind
    assert meta.factors == tuple(written["factors"])
    assert meta.to_dict() == written  # nothing lost, nothing added
    assert ModelMeta.from_dict(meta.to_dict(), "x") == meta


def test_records_are_frozen():
    meta = ModelMeta.from_dict(model_dict(), "m.lsmodel")
    with pytest.raises(dataclasses.FrozenInstanceError):
        meta.model_type = "logistic"


def test_typed_fields_and_details():
    meta = ModelMeta.from_dict(model_dict(platt=[-1.5, 0.25]), "m.lsmodel")
    assert meta.platt == (-1.5, 0.25) and meta.hyperparameters == {"C": 10.0}
    assert meta.details == {"cv": {"folds": 5}, "n_train": 120}
    side = LsnetMeta.from_dict(sidecar_dict(), "m.keras.json")
    assert (side.window, side.center, side.best_epoch, side.model_type) == (15, 7, 1, "lsnet")
    assert side.to_dict() == sidecar_dict()


@pytest.mark.parametrize("record, make", [(ModelMeta, model_dict), (LsnetMeta, sidecar_dict)])
def test_a_newer_format_version_is_refused_with_update_advice(record, make):
    with pytest.raises(LsmError, match=r"newer Landslide LSM \(format 2; this version reads up "
                                       r"to 1\)\. Update the plugin"):
        record.from_dict(make(format_version=2), "f")


@pytest.mark.parametrize("field, value, message", [
    ("format_version", "1", "'format_version' is not a whole number"),
    ("factors", ["a", "a"], "'factors' is not a list of distinct"),
    ("factors", [], "'factors' is not a list of distinct"),
    ("model_type", 3, "'model_type' is not text"),
    ("model_sha256", ..., "'model_sha256' is missing"),
    ("kernel_sha256", "zz", "'kernel_sha256' is not a SHA-256"),
    ("platt", [1.0, float("nan")], "'platt' is not two finite numbers"),
    ("hyperparameters", [1], "'hyperparameters' is not an object"),
    ("cv_score", "0.7", "'cv_score' is not a number"),
])
def test_model_metadata_fields_are_checked_by_name(field, value, message):
    with pytest.raises(LsmError, match=f"'m.lsmodel' is damaged: meta.json field {message}"):
        ModelMeta.from_dict(model_dict(**{field: value}), "m.lsmodel")


@pytest.mark.parametrize("field, value, message", [
    ("window", -1, "'window' is not a whole number of cells"),
    ("best_epoch", True, "'best_epoch' is not a whole number of cells"),
    ("preprocessing", "x", "'preprocessing' is not an object"),
    ("signature", [1], "'signature' is not an object"),
])
def test_sidecar_fields_are_checked_by_name(field, value, message):
    with pytest.raises(LsmError, match=f"sidecar field {message}"):
        LsnetMeta.from_dict(sidecar_dict(**{field: value}), "m.keras.json")


def test_not_ours_is_said_plainly():
    with pytest.raises(LsmError, match="not a Landslide LSM model file"):
        ModelMeta.from_dict({"format": "other"}, "m.lsmodel")
    with pytest.raises(LsmError, match="not a Landslide LSM LSNet sidecar"):
        LsnetMeta.from_dict([], "m.keras.json")
    with pytest.raises(LsmError, match="keras_sha256"):
        LsnetMeta.from_dict(sidecar_dict(keras_sha256=...), "m.keras.json")


def test_the_writer_goes_through_the_record(tmp_path):
    """save_model checks the metadata as the readers will, before anything is written."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    model = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())]).fit(
        [[0.0], [1.0], [0.1], [0.9]], [0, 1, 0, 1])
    with pytest.raises(LsmError, match="'factors' is not a list of distinct"):
        model_io.save_model(tmp_path / "m.lsmodel", model, {"model_type": "logistic",
                                                            "factors": ["a", "a"]})
    assert not list(tmp_path.iterdir())
    path = model_io.save_model(tmp_path / "m.lsmodel", model,
                               {"model_type": "logistic", "factors": ["a"], "seed": 3})
    meta = model_io.read_meta(path)
    assert meta.details["seed"] == 3 and meta.format_version == records.MODEL_FORMAT_VERSION
    # the metadata of one file saved again: checksums and signature are the new file's own
    again = model_io.save_model(tmp_path / "n.lsmodel", model, meta)
    assert model_io.load_model(again).meta.details["seed"] == 3


def test_zone_tags_round_trip_and_tolerate_other_rasters():
    tags = records.ZoneTags("/maps/lsi.tif", "natural_breaks", (0.0, 0.25, 1.0),
                            ("Low", "High"))
    assert records.ZoneTags.from_metadata(tags.to_metadata()) == tags
    assert records.ZoneTags.from_metadata({}) == records.ZoneTags()
    odd = records.ZoneTags.from_metadata({"LSM_ZONING_BREAKS": "0.1,x,nan,0.9",
                                          "LSM_ZONING_LABELS": "|".join("L" * 40)})
    assert odd.breaks == (0.1, 0.9) and odd.labels == ()  # more labels than any zoning: none


def test_stack_tags_round_trip_and_a_damaged_fr_table_is_named(tmp_path):
    from osgeo import gdal

    from landslide_lsm_plugin.core.stack import stack_info

    spec = {"fingerprint": "f" * 16, "factors": []}
    tags = records.StackTags("fr", spec, '{"fingerprint": "s", "cells": ""}')
    assert records.StackTags.from_metadata(tags.to_metadata(), "s.tif") == tags
    assert tags.to_metadata()["LSM_FR_FINGERPRINT"] == "f" * 16
    assert records.StackTags.from_metadata({}, "any.tif") == records.StackTags()
    path = tmp_path / "stack.tif"
    ds = gdal.GetDriverByName("GTiff").Create(str(path), 2, 2, 1, gdal.GDT_Float32)
    ds.SetGeoTransform((0, 1, 0, 2, 0, -1))
    ds.SetMetadata(dict(tags.to_metadata(), LSM_FR_ENCODING="{not json"))
    ds = None
    with pytest.raises(LsmError, match=r"FR table stored in 'stack.tif' .*LSM_FR_ENCODING.* "
                                       r"damaged"):
        stack_info(str(path))


def test_band_tags():
    assert records.BandTags("categorical", "geology.tif", {"1": "shale"}).to_metadata() == {
        "LSM_KIND": "categorical", "LSM_SOURCE": "geology.tif",
        "LSM_CATEGORIES": '{"1": "shale"}'}
    assert records.BandTags(encoded_from="aspect").to_metadata() == {
        "LSM_KIND": "continuous", "LSM_ENCODED_FROM": "aspect"}


def minimal_results(**fields) -> dict:
    model = {"name": "SVM", "lsi": "/maps/lsi.tif", "zones": None, "model_type": "svm",
             "metrics": {"auroc": 0.8, "tp": 3}, "roc": {"fpr": [0.0, 1.0], "tpr": [0.0, 1.0]},
             "extra_field": 1}
    base = {"format": "landslide-lsm-evaluation", "format_version": 1, "models": [model],
            "threshold_mode": "0.5", "n_validation": 10}
    return dict(base, **fields)


def test_results_read_as_frozen_records_that_round_trip():
    results = records.EvaluationResults.from_dict(minimal_results(), "r.json")
    model = results.models[0]
    assert (model.name, model.zones, model.metrics["auroc"]) == ("SVM", None, 0.8)
    assert model.details == {"extra_field": 1} and results.n_validation == 10
    assert results.to_dict() == minimal_results()
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.name = "x"
    with pytest.raises(LsmError, match=r"newer Landslide LSM \(results format 2"):
        records.EvaluationResults.from_dict(minimal_results(format_version=2), "r.json")
    with pytest.raises(LsmError, match="models"):
        records.EvaluationResults.from_dict(minimal_results(models=[]), "r.json")
