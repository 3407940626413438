"""Model files, LSI maps block by block, stacks that do not fit a model, honest training."""

import json
import zipfile

import numpy as np
import pytest
import skops.io as sio
from osgeo import gdal

from landslide_lsm_plugin.core import frequency_ratio as fr
from landslide_lsm_plugin.core import model_io, predict, training
from landslide_lsm_plugin.core import sampling as smp
from landslide_lsm_plugin.core import stack as stk
from landslide_lsm_plugin.core.errors import LsmError

from ..conftest import read_raster

X0, Y0 = 500000.0, 9500000.0
SMALL_GRID = {"C": [1.0, 10.0], "gamma": [0.1, 1.0]}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A 700 x 600 stack (more than one window) where landslides favour steep, wet cells."""
    from ..conftest import write_raster

    d = tmp_path_factory.mktemp("study")
    rng = np.random.default_rng(7)
    rows, cols = 600, 700
    slope = rng.gamma(2.0, 8.0, (rows, cols)).astype(np.float32)
    wet = rng.random((rows, cols)).astype(np.float32)
    noise = rng.random((rows, cols)).astype(np.float32)
    slope[:20, :30] = -9999
    paths = [write_raster(d / f"{n}.tif", a) for n, a in
             (("slope", slope), ("wetness", wet), ("noise", noise))]
    stack = d / "stack.tif"
    stk.build_stack([stk.Factor(p.stem, str(p)) for p in paths], str(stack))
    # labelled points drawn from a known process
    n = 500
    r, c = rng.integers(20, rows, n), rng.integers(30, cols, n)
    p = 1 / (1 + np.exp(-(0.12 * (slope[r, c] - 16) + 3 * (wet[r, c] - 0.5))))
    label = (rng.random(n) < p).astype(int)
    from ..conftest import write_vector

    pts = write_vector(d / "points.gpkg", [f"POINT({X0 + 10 * cc + 5} {Y0 - 10 * rr - 5})"
                                          for rr, cc in zip(r, c)], fields={"label": label})
    samples = d / "samples.gpkg"
    smp.prepare_samples(str(pts), str(stack), str(samples), label_field="label", seed=2)
    return {"dir": d, "stack": stack, "samples": samples}


@pytest.fixture(scope="module")
def svm_model(study):
    path = study["dir"] / "svm.lsmodel"
    result, meta = training.train_to_file("svm", str(study["stack"]), str(study["samples"]),
                                          str(path), grid=SMALL_GRID, n_folds=5)
    return path, result, meta


def test_model_file_records_what_it_expects(svm_model):
    path, result, meta = svm_model
    stored = model_io.read_meta(path)
    assert stored["factors"] == ["slope", "wetness", "noise"]
    assert stored["encoding"] == "raw" and stored["model_type"] == "svm"
    assert stored["hyperparameters"]["C"] == result.params["C"]
    assert stored["cv_score"] == pytest.approx(result.cv_score)
    assert stored["training_time_s"] > 0 and stored["plugin_version"]
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["meta.json", "model.skops"]


def test_blockwise_prediction_equals_whole_array_prediction(study, svm_model, tmp_path):
    path, _, _ = svm_model
    out = tmp_path / "lsi.tif"
    report = predict.predict_lsi(str(path), str(study["stack"]), str(out), n_jobs=2)
    lsi, nodata = read_raster(out)
    ds = gdal.Open(str(study["stack"]))
    data = np.stack([ds.GetRasterBand(i + 1).ReadAsArray() for i in range(3)]).astype(float)
    valid = np.all(data != -9999, axis=0)
    model = model_io.load_model(path)
    whole = model.estimator.predict_proba(data[:, valid].T)[:, 1]
    assert np.allclose(lsi[valid], whole, atol=1e-6)
    assert np.all(lsi[~valid] == nodata) and report.valid_cells == valid.sum()
    assert 0.0 <= lsi[valid].min() and lsi[valid].max() <= 1.0
    meta = gdal.Open(str(out)).GetMetadata()
    assert meta["LSM_MODEL_TYPE"] == "svm" and float(meta["LSM_MAP_TIME"]) > 0
    assert 'singlebandpseudocolor' in out.with_suffix(".qml").read_text()


def test_stacks_that_do_not_fit_the_model_are_refused(study, svm_model, tmp_path, raster):
    path, _, _ = svm_model
    src = gdal.Open(str(study["stack"]))
    arrays = [src.GetRasterBand(i + 1).ReadAsArray() for i in range(3)]
    for name, order, names in (("reordered", [1, 0, 2], ["wetness", "slope", "noise"]),
                               ("renamed", [0, 1, 2], ["slope", "wetness", "rain"])):
        other = raster(f"{name}.tif", np.stack([arrays[i] for i in order]), names=names)
        with pytest.raises(LsmError, match="do not match") as err:
            predict.predict_lsi(str(path), str(other), str(tmp_path / "x.tif"))
        assert ("other order" in str(err.value)) == (name == "reordered")
        assert ("not in the model: rain" in str(err.value)) == (name == "renamed")
    assert not (tmp_path / "x.tif").exists()


def test_tampered_and_foreign_files_are_refused(svm_model, tmp_path):
    path, _, _ = svm_model
    with zipfile.ZipFile(path) as zf:
        meta, payload = zf.read("meta.json"), zf.read("model.skops")
    tampered = tmp_path / "tampered.lsmodel"
    with zipfile.ZipFile(tampered, "w") as zf:
        zf.writestr("meta.json", meta)
        zf.writestr("model.skops", payload[:-10] + b"0123456789")
    with pytest.raises(LsmError, match="modified"):
        model_io.load_model(tampered)
    # a payload with a type outside the closed list, with a valid checksum: refused unbuilt
    from sklearn.neighbors import KNeighborsClassifier

    evil = sio.dumps(KNeighborsClassifier().fit([[0], [1]], [0, 1]))
    doctored = json.loads(meta)
    doctored["model_sha256"] = __import__("hashlib").sha256(evil).hexdigest()
    foreign_types = tmp_path / "foreign.lsmodel"
    with zipfile.ZipFile(foreign_types, "w") as zf:
        zf.writestr("meta.json", json.dumps(doctored))
        zf.writestr("model.skops", evil)
    with pytest.raises(LsmError, match="not allowed"):
        model_io.load_model(foreign_types)
    not_ours = tmp_path / "other.lsmodel"
    not_ours.write_bytes(b"\x80\x04\x95 definitely a pickle")
    with pytest.raises(LsmError, match="not a Landslide LSM model"):
        model_io.load_model(not_ours)


def test_fr_model_applies_its_encoding_to_the_raw_stack(study, tmp_path):
    result = fr.compute_fr(str(study["stack"]), str(study["samples"]), method="quantile",
                           classes=5)
    encoded = tmp_path / "fr.tif"
    fr.encode_stack(str(study["stack"]), result.encodings, str(encoded))
    model = tmp_path / "klr.lsmodel"
    training.train_to_file("klr", str(encoded), str(study["samples"]), str(model),
                           grid={"C": [1.0], "gamma": [0.5]}, n_folds=3)
    a, b = tmp_path / "a.tif", tmp_path / "b.tif"
    predict.predict_lsi(str(model), str(encoded), str(a))
    predict.predict_lsi(str(model), str(study["stack"]), str(b))
    assert np.allclose(read_raster(a)[0], read_raster(b)[0], atol=1e-6)
    # an FR stack made with another FR table is refused
    other = fr.compute_fr(str(study["stack"]), str(study["samples"]), method="equal_interval",
                          classes=4)
    other_encoded = tmp_path / "fr_other.tif"
    fr.encode_stack(str(study["stack"]), other.encodings, str(other_encoded))
    with pytest.raises(LsmError, match="another FR table"):
        predict.predict_lsi(str(model), str(other_encoded), str(tmp_path / "c.tif"))


def test_validation_samples_never_reach_the_model(study, tmp_path):
    """Flip every validation label: the trained model is exactly the same."""
    grid = gdal.Open(str(study["stack"]))
    from landslide_lsm_plugin.core.raster import Grid
    from landslide_lsm_plugin.core.vector import write_points

    s = smp.read_samples(str(study["samples"]), Grid.of(grid))
    flipped = s.columns()
    flipped["label"] = np.where(s.validation, 1 - s.label, s.label)
    other = tmp_path / "flipped.gpkg"
    write_points(other, Grid.of(grid), s.x, s.y, smp.SAMPLE_COLUMNS, flipped)
    probe = np.random.default_rng(0).random((50, 3)) * [40, 1, 1]
    outs = []
    for samples in (study["samples"], other):
        path = tmp_path / f"m{len(outs)}.lsmodel"
        training.train_to_file("svm", str(study["stack"]), str(samples), str(path),
                               grid=SMALL_GRID, n_folds=4)
        outs.append(model_io.load_model(path).estimator.predict_proba(probe)[:, 1])
    assert np.array_equal(outs[0], outs[1])
