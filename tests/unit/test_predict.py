"""Model files, LSI maps block by block, stacks that do not fit a model, honest training."""

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from osgeo import gdal

from landslide_lsm_plugin.core import frequency_ratio as fr
from landslide_lsm_plugin.core import model_io, predict, training
from landslide_lsm_plugin.core import sampling as smp
from landslide_lsm_plugin.core.errors import LsmError

from ..conftest import read_raster

X0, Y0 = 500000.0, 9500000.0
SMALL_GRID = {"C": [1.0, 10.0], "gamma": [0.1, 1.0]}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A 700 x 600 stack (more than one window) where landslides favour steep, wet cells."""
    from ..conftest import steep_wet_study

    return steep_wet_study(tmp_path_factory.mktemp("study"), 600, 700, 500, seed=7, noise=True,
                           nodata_corner=(20, 30))


@pytest.fixture(scope="module")
def svm_model(study):
    path = study["dir"] / "svm.lsmodel"
    result, meta = training.train_to_file(
        "svm", str(study["stack"]), str(study["samples"]), str(path),
        search=training.SearchSettings(grid=SMALL_GRID, n_folds=5))
    return path, result, meta


def test_model_file_records_what_it_expects(svm_model):
    path, result, meta = svm_model
    stored = model_io.read_meta(path)
    assert stored.factors == ("slope", "wetness", "noise")
    assert stored.encoding == "raw" and stored.model_type == "svm"
    assert stored.hyperparameters["C"] == result.params["C"]
    assert stored.cv_score == pytest.approx(result.cv_score)
    assert stored.training_time_s > 0 and stored.details["plugin_version"]
    assert stored == meta  # what training returned is what the file holds
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["kernel.npz", "meta.json", "model.skops"]
        kernel = zf.read("kernel.npz")
    assert stored.kernel_sha256 == hashlib.sha256(kernel).hexdigest()


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
    assert not out.with_suffix(".qml").exists()  # the style is written by the algorithm


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
        kernel = zf.read(model_io.KERNEL_PART)
    tampered = tmp_path / "tampered.lsmodel"
    with zipfile.ZipFile(tampered, "w") as zf:
        zf.writestr("meta.json", meta)
        zf.writestr("model.skops", payload[:-10] + b"0123456789")
        zf.writestr(model_io.KERNEL_PART, kernel)
    with pytest.raises(LsmError, match="modified"):
        model_io.load_model(tampered)
    # a payload with a type outside the closed list, with a valid checksum: refused unbuilt
    from sklearn.neighbors import KNeighborsClassifier

    evil = sio.dumps(KNeighborsClassifier().fit([[0], [1]], [0, 1]))
    doctored = json.loads(meta)
    doctored["model_sha256"] = hashlib.sha256(evil).hexdigest()
    del doctored["kernel_sha256"]  # a file of a model type without a kernel part
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
                           search=training.SearchSettings(grid={"C": [1.0], "gamma": [0.5]},
                                                        n_folds=3))
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
                               search=training.SearchSettings(grid=SMALL_GRID, n_folds=4))
        outs.append(model_io.load_model(path).estimator.predict_proba(probe)[:, 1])
    assert np.array_equal(outs[0], outs[1])


@pytest.fixture(scope="module")
def fr_study(study):
    """The study's FR-encoded stack, with an SVM and a KLR trained on it."""
    d = study["dir"]
    result = fr.compute_fr(str(study["stack"]), str(study["samples"]), method="quantile",
                           classes=6)
    encoded = d / "fr_study.tif"
    fr.encode_stack(str(study["stack"]), result.encodings, str(encoded))
    models = {}
    for kind in ("svm", "klr"):
        models[kind] = d / f"fr_{kind}.lsmodel"
        training.train_to_file(
            kind, str(encoded), str(study["samples"]), str(models[kind]),
            search=training.SearchSettings(grid={"C": [1.0, 10.0], "gamma": [0.5]}, n_folds=3))
    return {"stack": encoded, "raw": study["stack"], **models}


def without_kernel(path: Path, out: Path) -> Path:
    """The model file as written before kernel parts existed: meta.json and model.skops."""
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("meta.json"))
        payload = zf.read("model.skops")
    del meta["kernel_sha256"]
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("meta.json", json.dumps(meta))
        zf.writestr("model.skops", payload)
    return out


def replace_kernel(path: Path, out: Path, kernel: bytes, fix_checksum: bool) -> Path:
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("meta.json"))
        payload = zf.read("model.skops")
    if fix_checksum:
        meta["kernel_sha256"] = hashlib.sha256(kernel).hexdigest()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("meta.json", json.dumps(meta))
        zf.writestr("model.skops", payload)
        zf.writestr("kernel.npz", kernel)
    return out


@pytest.mark.parametrize("kind", ["svm", "klr"])
def test_kernel_part_maps_equal_the_scikit_learn_pipeline(fr_study, kind, tmp_path):
    """The map from the stored kernel expansion equals the map through the scikit-learn
    pipeline of the same file (to 1e-9) and scikit-learn's own predict_proba."""
    model = fr_study[kind]
    old_style = without_kernel(model, tmp_path / "old.lsmodel")
    new_map, old_map = tmp_path / "new.tif", tmp_path / "old.tif"
    new = predict.predict_lsi(str(model), str(fr_study["stack"]), str(new_map))
    old = predict.predict_lsi(str(old_style), str(fr_study["stack"]), str(old_map))
    assert new.evaluator.startswith("kernel expansion")
    assert old.evaluator.startswith("scikit-learn pipeline")
    a, nodata = read_raster(new_map)
    b, _ = read_raster(old_map)
    valid = a != nodata
    assert np.array_equal(valid, b != nodata) and valid.sum() == new.valid_cells > 0
    assert np.allclose(a[valid], b[valid], rtol=0, atol=1e-9)
    ds = gdal.Open(str(fr_study["stack"]))
    data = np.stack([ds.GetRasterBand(i + 1).ReadAsArray() for i in range(3)]).astype(float)
    estimator = model_io.load_model(model).estimator
    whole = estimator.predict_proba(data[:, valid].T)[:, 1]
    assert np.allclose(a[valid], whole, atol=1e-6)
    # and the float64 probabilities themselves, before the map's Float32 rounding (KLR: its
    # weights are folded through the Nystroem normalisation, a different rounding)
    _, expansion, _ = model_io.load_kernel(model)
    rows = data[:, valid].T[:5000]
    assert np.allclose(predict.kernel_probability(expansion)(rows),
                       estimator.predict_proba(rows)[:, 1], rtol=0,
                       atol=1e-9 if kind == "svm" else 1e-8)


def test_kernel_maps_import_neither_skops_nor_scikit_learn(fr_study, tmp_path):
    out = tmp_path / "lsi.tif"
    code = ("import sys; from landslide_lsm_plugin.core.predict import predict_lsi; "
            "r = predict_lsi(sys.argv[1], sys.argv[2], sys.argv[3]); "
            "print(r.evaluator, r.valid_cells, "
            "sorted(m for m in ('skops', 'sklearn', 'scipy') if m in sys.modules))")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code, str(fr_study["klr"]),
                           str(fr_study["raw"]), str(out)], capture_output=True, text=True,
                          cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("[]"), done.stdout
    assert done.stdout.startswith("kernel expansion")
    assert read_raster(out)[0].max() > 0


def test_tampered_or_damaged_kernel_parts_are_refused(fr_study, tmp_path):
    model = fr_study["svm"]
    with zipfile.ZipFile(model) as zf:
        kernel = zf.read("kernel.npz")
    with np.load(io.BytesIO(kernel), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["weights"] = arrays["weights"] * 1.5  # a different model, same layout
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    tampered = replace_kernel(model, tmp_path / "tampered.lsmodel", buf.getvalue(), False)
    for load in (model_io.load_kernel, model_io.load_model):
        with pytest.raises(LsmError, match="modified after it was written"):
            load(tampered)
    with pytest.raises(LsmError, match="modified after it was written"):
        predict.predict_lsi(str(tampered), str(fr_study["stack"]), str(tmp_path / "x.tif"))
    assert not (tmp_path / "x.tif").exists()
    # a kernel part that needs pickle (an object array), with a matching checksum: refused,
    # nothing unpickled
    evil = dict(arrays, centres=np.array([{"not": "numbers"}], dtype=object))
    buf = io.BytesIO()
    np.savez(buf, **evil)
    pickled = replace_kernel(model, tmp_path / "pickled.lsmodel", buf.getvalue(), True)
    with pytest.raises(LsmError, match="damaged: its kernel part"):
        model_io.load_kernel(pickled)
    # arrays that do not fit the model's factors
    short = dict(arrays, centres=arrays["centres"][:, :2])
    buf = io.BytesIO()
    np.savez(buf, **short)
    misfit = replace_kernel(model, tmp_path / "misfit.lsmodel", buf.getvalue(), True)
    with pytest.raises(LsmError, match="damaged: its kernel part"):
        predict.predict_lsi(str(misfit), str(fr_study["stack"]), str(tmp_path / "y.tif"))


def fr_rows(rng, n, classes, factors=9, order="F"):
    """Rows of FR values: each factor takes one of a few values per cell."""
    fr_values = rng.gamma(2.0, 0.5, (factors, max(classes)))
    codes = np.stack([rng.integers(0, classes[j % len(classes)], n) for j in range(factors)])
    x = np.stack([fr_values[j][codes[j]] for j in range(factors)], 1)
    return np.asarray(x, order=order)


def row_function(x: np.ndarray) -> np.ndarray:
    """A function of each row alone (no matrix product, whose last bits can depend on a row's
    position in the batch)."""
    x = np.ascontiguousarray(x)
    return np.sin(x * np.arange(1, x.shape[1] + 1)).sum(axis=1) + np.cos(x[:, 0] * x[:, -1])


def test_distinct_rows_by_integer_keys_equal_rows_by_bytes():
    """Integer row keys find the same distinct rows as comparing the rows' bytes, and every
    cell gets exactly the value of its own row."""
    rng = np.random.default_rng(5)
    cases = {
        "FR window": fr_rows(rng, 262144, [8, 5, 10, 6]),
        "C order": fr_rows(rng, 5000, [3, 7], order="C"),
        "wide key range": fr_rows(rng, 20000, [200, 150, 300], factors=5),
        "one row": fr_rows(rng, 1, [4]),
    }
    rare = fr_rows(rng, 50000, [4])
    rare[12345, 3] = 99.0  # one value a sample of the cells misses
    cases["rare value"] = rare
    signed = fr_rows(rng, 3000, [3], factors=4)
    signed[::7, 1] = 0.0
    signed[::11, 1] = -0.0
    cases["signed zeros"] = signed
    continuous = fr_rows(rng, 10000, [3], factors=4)
    continuous[:, 2] = rng.random(10000)  # too many values: rows are compared as bytes
    cases["continuous column"] = continuous
    for name, x in cases.items():
        first, inverse = predict.distinct_rows(x)
        b_first, b_inverse = predict.distinct_rows_bytes(x)
        assert np.array_equal(x[first][inverse], x), name
        assert first.size == np.unique(x, axis=0).shape[0], name  # distinct by value
        # by bytes too, but for 0.0 and -0.0: two byte patterns, one value (the same LSI)
        assert (first.size < b_first.size if name == "signed zeros"
                else first.size == b_first.size), name
        exact = predict.predict_distinct(row_function, x)
        assert np.array_equal(exact, row_function(x[b_first])[b_inverse]), name
        assert np.array_equal(exact, row_function(x)), name
        # the RBF sum: a matrix product, equal to the last bits BLAS may vary
        rbf = predict.RbfSum(rng.random((40, x.shape[1])), rng.normal(size=40), 0.7, 0.1)
        by_keys = predict.predict_distinct(rbf, x)
        assert np.allclose(by_keys, rbf(x[b_first])[b_inverse], rtol=0, atol=1e-12), name
        assert np.allclose(by_keys, rbf(x), rtol=0, atol=1e-12), name
