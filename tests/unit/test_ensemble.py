"""Uncertainty maps: model files that keep an ensemble (CV-fold models or bootstrap refits),
mapped as the members' mean LSI with their standard deviation as a second raster."""

import zipfile

import numpy as np
import pytest

from landslide_lsm_plugin.core import model_io, models, predict, training
from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.records import LsiTags

from ..conftest import read_raster

X0, Y0 = 500000.0, 9500000.0


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A 200 x 150 stack where landslides favour steep, wet cells, and 300 labelled points."""
    from ..conftest import steep_wet_study

    return steep_wet_study(tmp_path_factory.mktemp("ensemble"), 150, 200, 300, seed=3)


def train(study, name, model_type, ensemble, size=4, grid=None):
    path = study["dir"] / f"{name}.lsmodel"
    training.train_to_file(
        model_type, str(study["stack"]), str(study["samples"]), str(path),
        search=models.SearchSettings(n_folds=4, grid=grid),
        fit=models.FitSettings(ensemble=ensemble, ensemble_size=size))
    return path


def test_an_ensemble_of_identical_members_has_zero_sd_and_the_members_lsi(study, tmp_path):
    x = np.random.default_rng(0).normal(size=(200, 2)) * [8, 0.3] + [16, 0.5]
    y = (x[:, 0] > 16).astype(int)
    result = models.train_model(models.LOGISTIC, x, y, search=models.SearchSettings(n_folds=3))
    same = [result.estimator] * 3
    path = model_io.save_model(tmp_path / "same.lsmodel", result.estimator,
                               {"model_type": "logistic", "factors": ["slope", "wetness"]},
                               members=same, ensemble="bootstrap")
    assert model_io.read_meta(path).ensemble_size == 3
    single = model_io.save_model(tmp_path / "single.lsmodel", result.estimator,
                                 {"model_type": "logistic", "factors": ["slope", "wetness"]})
    report = predict.predict_lsi(str(path), str(study["stack"]), str(tmp_path / "lsi.tif"),
                                 sd_path=str(tmp_path / "sd.tif"))
    predict.predict_lsi(str(single), str(study["stack"]), str(tmp_path / "one.tif"))
    lsi, nodata = read_raster(tmp_path / "lsi.tif")
    sd, _ = read_raster(tmp_path / "sd.tif")
    one, _ = read_raster(tmp_path / "one.tif")
    valid = lsi != nodata
    assert valid.any() and np.all(sd[valid] == 0) and np.allclose(lsi[valid], one[valid])
    assert np.array_equal(sd == nodata, ~valid)
    from osgeo import gdal

    lsi_ds = gdal.Open(str(tmp_path / "lsi.tif"))
    tags = LsiTags.from_metadata(lsi_ds.GetMetadata())
    assert tags.sd_file.endswith("sd.tif") and tags.ensemble_size == 3
    assert report.sd_path.endswith("sd.tif")


@pytest.mark.parametrize("model_type, grid", [
    ("svm", {"C": [1.0], "gamma": [0.5]}), ("klr", {"C": [1.0], "gamma": [0.5]}),
    ("logistic", None), ("random_forest", {"n_estimators": [30], "min_samples_leaf": [3],
                                           "max_features": ["sqrt"]})])
def test_bootstrap_ensembles_map_their_mean_and_spread(study, tmp_path, model_type, grid):
    path = train(study, f"boot_{model_type}", model_type, "bootstrap", 4, grid)
    meta = model_io.read_meta(path)
    assert meta.ensemble["kind"] == "bootstrap" and meta.ensemble_size == 4
    members = [model_io.load_model(path, member=i).estimator for i in range(4)]
    predict.predict_lsi(str(path), str(study["stack"]), str(tmp_path / "lsi.tif"),
                        sd_path=str(tmp_path / "sd.tif"))
    lsi, nodata = read_raster(tmp_path / "lsi.tif")
    sd, _ = read_raster(tmp_path / "sd.tif")
    valid = lsi != nodata
    assert sd[valid].max() > 0.005  # resampled fits differ
    # a few cells by hand: the mean and SD of the members' probabilities
    from osgeo import gdal

    ds = gdal.Open(str(study["stack"]))
    values = ds.ReadAsArray()
    rows, cols = np.nonzero(valid)
    pick = np.arange(0, rows.size, max(1, rows.size // 25))
    x = values[:, rows[pick], cols[pick]].T.astype(float)
    each = np.stack([m.predict_proba(x)[:, 1] for m in members])
    assert np.allclose(lsi[rows[pick], cols[pick]], each.mean(axis=0), atol=1e-5)
    assert np.allclose(sd[rows[pick], cols[pick]], each.std(axis=0), atol=1e-5)


def test_cv_fold_ensembles_have_one_member_per_fold(study):
    path = train(study, "folds", "logistic", "cv_folds")
    meta = model_io.read_meta(path)
    # the samples carry fold numbers: one member per fold the search used
    assert meta.ensemble["kind"] == "cv_folds"
    assert meta.ensemble_size == meta.details["cv"]["folds"] >= 4


def test_sd_without_an_ensemble_and_damaged_members_are_refused(study, tmp_path):
    plain = train(study, "plain", "logistic", "")
    assert model_io.read_meta(plain).ensemble is None
    with pytest.raises(LsmError, match="has no ensemble"):
        predict.predict_lsi(str(plain), str(study["stack"]), str(tmp_path / "a.tif"),
                            sd_path=str(tmp_path / "a_sd.tif"))
    assert not list(tmp_path.glob("a*.tif"))
    path = train(study, "damaged", "logistic", "bootstrap", 3)
    bad = tmp_path / "bad.lsmodel"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "members/1.skops":
                data = data[:-3] + b"xyz"
            dst.writestr(info, data)
    with pytest.raises(LsmError, match="checksum"):
        predict.predict_lsi(str(bad), str(study["stack"]), str(tmp_path / "b.tif"),
                            sd_path=str(tmp_path / "b_sd.tif"))
    assert not list(tmp_path.glob("b*.tif"))
    with pytest.raises(LsmError, match="no ensemble member 9"):
        model_io.load_model(path, member=8)
