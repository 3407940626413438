"""Model files and sidecars from anyone: crafted trees, zip bombs, edited files, FIFOs, code
in the current folder. Every file is built by the test; nothing here may crash, hang or
exhaust memory (docs/bad-inputs.md, "Files from elsewhere")."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline

from landslide_lsm_plugin.core import model_io, records
from landslide_lsm_plugin.core.errors import LsmError

ROOT = Path(__file__).resolve().parents[2]
FACTORS = ["slope", "wetness", "noise"]
KEY = bytes(range(32))


def forest() -> Pipeline:
    rng = np.random.default_rng(3)
    x = rng.random((200, 3))
    y = (x[:, 0] + 0.3 * rng.random(200) > 0.6).astype(int)
    rf = RandomForestClassifier(n_estimators=3, max_depth=4, random_state=0, n_jobs=1)
    return Pipeline([("model", rf.fit(x, y))])


def rf_file(path: Path, estimator=None, key: bytes | None = None) -> Path:
    meta = {"name": "RF", "model_type": "random_forest", "factors": FACTORS, "encoding": "raw"}
    return model_io.save_model(path, estimator or forest(), meta, signing_key=key)


def edit_tree(estimator: Pipeline, field: str, node: int, value) -> Pipeline:
    """Change one node of the first tree, as a hex editor would (the file's checksum is then
    recomputed by save_model, as an attacker would)."""
    tree = estimator.steps[-1][1].estimators_[0].tree_
    state = tree.__getstate__()
    state["nodes"][field][node] = value
    tree.__setstate__(state)
    return estimator


def run_bounded(fn, seconds: float = 20.0):
    """Run ``fn`` in a thread; fail (instead of hanging the suite) if it does not return."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = fn()
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{fn} did not return within {seconds} s (it hangs)"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


# --- 1. crafted trees ---------------------------------------------------------------------------

@pytest.mark.parametrize("field,value,why", [
    ("left_child", 10_000_000, "point outside the tree"),   # read past the node array: SIGSEGV
    ("right_child", 0, "back up it"),                       # a cycle: predict would never end
    ("feature", 7, "point outside the tree"),               # a factor the model does not have
])
def test_a_crafted_tree_is_refused_before_it_predicts(tmp_path, field, value, why):
    path = rf_file(tmp_path / "rf.lsmodel", edit_tree(forest(), field, 0, value))
    with pytest.raises(LsmError, match="not a model this plugin can use safely") as err:
        model_io.load_model(path)
    assert "tree 0" in str(err.value)
    assert "nothing in it was run" in str(err.value)


def test_a_crafted_tree_does_not_crash_the_process_that_maps_it(tmp_path):
    """The reported crash: Predict LSI on such a file died with SIGSEGV (exit 139). Run in a
    child process, so a regression shows as a failed test, not a dead test run."""
    from landslide_lsm_plugin.core import stack as stk
    from tests.conftest import write_raster

    rng = np.random.default_rng(0)
    paths = [write_raster(tmp_path / f"{n}.tif", rng.random((40, 50)).astype(np.float32))
             for n in FACTORS]
    stack = tmp_path / "stack.tif"
    stk.build_stack([stk.Factor(p.stem, str(p)) for p in paths], str(stack))
    model = rf_file(tmp_path / "rf.lsmodel", edit_tree(forest(), "left_child", 0, 10_000_000))
    code = ("import sys\nfrom landslide_lsm_plugin.core.predict import predict_lsi\n"
            "from landslide_lsm_plugin.core.errors import LsmError\n"
            "try:\n    predict_lsi(sys.argv[1], sys.argv[2], sys.argv[3])\n"
            "except LsmError as exc:\n    print('REFUSED', exc)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(model), str(stack),
                           str(tmp_path / "lsi.tif")], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "REFUSED" in proc.stdout and "point outside the tree" in proc.stdout
    assert not (tmp_path / "lsi.tif").exists()


def test_an_intact_forest_still_loads_and_predicts(tmp_path):
    estimator = forest()
    loaded = model_io.load_model(rf_file(tmp_path / "rf.lsmodel", estimator))
    x = np.random.default_rng(1).random((50, 3))
    assert np.array_equal(loaded.estimator.predict_proba(x), estimator.predict_proba(x))


# --- 2. zip bombs ---------------------------------------------------------------------------

def rezip(src: Path, dst: Path, replace: dict, compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(src) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    parts.update(replace)
    with zipfile.ZipFile(dst, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return dst


def peak_memory_of(fn) -> tuple[object, int]:
    import tracemalloc

    tracemalloc.start()
    try:
        try:
            result = fn()
        except LsmError as exc:
            result = exc
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_meta_json_that_inflates_is_refused_unread(tmp_path):
    good = rf_file(tmp_path / "rf.lsmodel")
    meta = json.loads(zipfile.ZipFile(good).read("meta.json"))
    big = json.dumps(meta).encode() + b" " * (80 * 1024 * 1024)  # valid JSON, 80 MB of spaces
    bomb = rezip(good, tmp_path / "bomb.lsmodel", {"meta.json": big})
    assert bomb.stat().st_size < 1024 * 1024
    for reader in (model_io.read_meta, model_io.load_model, model_io.load_kernel):
        error, peak = peak_memory_of(lambda reader=reader: reader(bomb))
        assert isinstance(error, LsmError) and "meta.json" in str(error)
        assert peak < 16 * 1024 * 1024, f"{reader.__name__} inflated the bomb ({peak} bytes)"


def test_a_model_part_that_inflates_is_refused_before_its_checksum(tmp_path):
    good = rf_file(tmp_path / "rf.lsmodel")
    payload = b"\0" * (64 * 1024 * 1024)
    meta = json.loads(zipfile.ZipFile(good).read("meta.json"))
    meta["model_sha256"] = hashlib.sha256(payload).hexdigest()
    bomb = rezip(good, tmp_path / "bomb.lsmodel", {"model.skops": payload,
                                                   "meta.json": json.dumps(meta)})
    error, peak = peak_memory_of(lambda: model_io.load_model(bomb))
    assert isinstance(error, LsmError) and "zip bomb" in str(error)
    assert peak < 16 * 1024 * 1024


def test_nested_bombs_inside_the_skops_payload_and_the_kernel_part_are_refused(tmp_path):
    good = rf_file(tmp_path / "rf.lsmodel")
    with zipfile.ZipFile(good) as zf:
        payload, meta = zf.read("model.skops"), json.loads(zf.read("meta.json"))
    # the skops payload is a zip too: one of its arrays inflates 200,000-fold
    inner = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(payload)) as src, \
            zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("bomb.npy", b"\0" * (64 * 1024 * 1024))
    nested = inner.getvalue()
    meta["model_sha256"] = hashlib.sha256(nested).hexdigest()
    bomb = rezip(good, tmp_path / "nested.lsmodel", {"model.skops": nested,
                                                     "meta.json": json.dumps(meta)},
                 zipfile.ZIP_STORED)
    error, peak = peak_memory_of(lambda: model_io.load_model(bomb))
    assert isinstance(error, LsmError) and "bomb.npy" in str(error)
    assert peak < 32 * 1024 * 1024
    # an .npy header that claims more values than its bytes hold: nothing is allocated
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (10**10,)})
    liar = io.BytesIO()
    with zipfile.ZipFile(liar, "w") as zf:
        zf.writestr("centres.npy", header.getvalue() + b"\0" * 64)
    error, peak = peak_memory_of(lambda: model_io.read_npz(liar.getvalue(), "kernel.npz",
                                                           1024 * 1024))
    assert isinstance(error, LsmError) and "does not fit" in str(error)
    assert peak < 4 * 1024 * 1024


# --- 5. edited files and signatures ------------------------------------------------------------

def negate_weights(path: Path, out: Path) -> Path:
    """The attack of the report: flip the kernel weights (the map inverts) and recompute
    every checksum inside the file."""
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("meta.json"))
        arrays = dict(np.load(io.BytesIO(zf.read(model_io.KERNEL_PART))))
    arrays["weights"] = -arrays["weights"]
    arrays["bias"] = -arrays["bias"]
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    meta["kernel_sha256"] = hashlib.sha256(buf.getvalue()).hexdigest()
    return rezip(path, out, {model_io.KERNEL_PART: buf.getvalue(),
                             "meta.json": json.dumps(meta, indent=1)})


@pytest.fixture(scope="module")
def signed_svm(tmp_path_factory):
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from landslide_lsm_plugin.core.platt import PlattSvm

    d = tmp_path_factory.mktemp("signed")
    rng = np.random.default_rng(5)
    x = rng.random((150, 3))
    y = (x[:, 0] > 0.5).astype(int)
    svm = PlattSvm(Pipeline([("scale", StandardScaler()),
                             ("model", SVC(kernel="rbf", gamma=0.5))]).fit(x, y), -1.5, 0.1)
    meta = {"name": "SVM", "model_type": "svm", "factors": FACTORS, "encoding": "raw"}
    return model_io.save_model(d / "svm.lsmodel", svm, meta, signing_key=KEY)


def test_a_signed_file_edited_with_recomputed_checksums_is_refused(signed_svm, tmp_path):
    assert model_io.load_kernel(signed_svm, KEY)[2] == model_io.SIGNED
    edited = negate_weights(signed_svm, tmp_path / "edited.lsmodel")
    with pytest.raises(LsmError, match="signed by this installation and has been modified"):
        model_io.load_kernel(edited, KEY)
    with pytest.raises(LsmError, match="signed by this installation and has been modified"):
        model_io.load_model(edited, KEY)


def test_a_file_this_installation_did_not_sign_loads_with_a_plain_warning(signed_svm,
                                                                        tmp_path):
    # another user's key, or none at all: loaded, but never called "checked"
    other = bytes(32)
    assert model_io.load_kernel(signed_svm, other)[2] == model_io.UNSIGNED
    assert model_io.load_model(signed_svm, None).trust == model_io.UNSIGNED
    stripped = tmp_path / "stripped.lsmodel"
    with zipfile.ZipFile(signed_svm) as src, zipfile.ZipFile(stripped, "w") as dst:
        for name in src.namelist():
            if name != model_io.SIGNATURE_PART:
                dst.writestr(name, src.read(name))
    assert model_io.load_kernel(stripped, KEY)[2] == model_io.UNSIGNED
    warning = model_io.unsigned_warning("stripped.lsmodel")
    assert "detect damage, not deliberate edits" in warning


def test_a_file_without_its_checksum_is_refused_not_trusted(signed_svm, tmp_path):
    for value in (None, "", "abc"):
        meta = json.loads(zipfile.ZipFile(signed_svm).read("meta.json"))
        if value is None:
            del meta["model_sha256"]
        else:
            meta["model_sha256"] = value
        doctored = rezip(signed_svm, tmp_path / "no-sum.lsmodel", {"meta.json": json.dumps(meta)})
        with pytest.raises(LsmError, match="model_sha256"):
            model_io.load_kernel(doctored)


@pytest.mark.parametrize("field,value", [("format_version", "1"), ("format_version", True),
                                         ("factors", "slope"), ("factors", [1, 2, 3]),
                                         ("model_type", 7)])
def test_malformed_metadata_names_the_field(signed_svm, tmp_path, field, value):
    meta = json.loads(zipfile.ZipFile(signed_svm).read("meta.json"))
    meta[field] = value
    doctored = rezip(signed_svm, tmp_path / "bad.lsmodel", {"meta.json": json.dumps(meta)})
    with pytest.raises(LsmError, match=f"'{field}'"):
        model_io.read_meta(doctored)


# --- 5b. LSNet sidecars -----------------------------------------------------------------------

def lsnet_pair(tmp_path: Path, **fields) -> Path:
    model = tmp_path / "m.keras"
    model.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip
    meta = {"format": records.LSNET_FORMAT, "format_version": 1, "factors": FACTORS,
            "keras_sha256": hashlib.sha256(model.read_bytes()).hexdigest()}
    meta.update(fields)
    meta = {k: v for k, v in meta.items() if v is not None}
    model_io.sidecar_of(model).write_text(json.dumps(meta))
    return model


@pytest.mark.parametrize("value", [None, "", "0" * 12])
def test_an_lsnet_sidecar_without_a_checksum_is_an_error_not_a_skipped_check(tmp_path, value):
    with pytest.raises(LsmError, match="keras_sha256"):
        model_io.read_sidecar(lsnet_pair(tmp_path, keras_sha256=value))


def test_lsnet_sidecar_signatures(tmp_path):
    model = lsnet_pair(tmp_path)
    meta = model_io.sign_sidecar(model_io.read_sidecar(model), KEY)
    model_io.sidecar_of(model).write_text(json.dumps(meta.to_dict()))
    meta = model_io.read_sidecar(model)
    assert model_io.sidecar_trust(meta, KEY, "m.keras") == model_io.SIGNED
    assert model_io.sidecar_trust(meta, bytes(32), "m.keras") == model_io.UNSIGNED
    meta = dataclasses.replace(meta, factors=tuple(reversed(FACTORS)))
    with pytest.raises(LsmError, match="modified"):
        model_io.sidecar_trust(meta, KEY, "m.keras")


# --- 8. FIFOs and other non-regular files ------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_named_as_a_model_or_sidecar_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "pipe.lsmodel"
    os.mkfifo(fifo)
    for reader in (model_io.read_meta, model_io.load_model, model_io.load_kernel):
        with pytest.raises(LsmError, match="pipe"):
            run_bounded(lambda reader=reader: reader(fifo))
    keras = tmp_path / "net.keras"
    keras.write_bytes(b"")
    os.mkfifo(model_io.sidecar_of(keras))
    with pytest.raises(LsmError, match="pipe"):
        run_bounded(lambda: model_io.read_sidecar(keras))
    with pytest.raises(LsmError, match="folder"):
        model_io.read_meta(tmp_path)


# --- 6. code in the current folder -------------------------------------------------------------

def test_the_interpreter_probe_never_imports_code_from_the_current_folder(tmp_path,
                                                                         monkeypatch):
    from landslide_lsm_plugin.lsnet import client

    marker = tmp_path / "ran"
    for module in ("tensorflow", "numpy", "json"):
        (tmp_path / f"{module}.py").write_text(f"open({str(marker)!r}, 'w').write('{module}')\n")
    monkeypatch.chdir(tmp_path)
    client._probe_cache.pop(sys.executable, None)
    client.probe_python(sys.executable, timeout=120)
    assert not marker.exists(), f"the probe ran {marker.read_text()}.py from the current folder"


# --- 4. races: a failed run removes only what it wrote -----------------------------------------

def test_cleanup_removes_only_the_files_this_run_wrote(tmp_path):
    from landslide_lsm_plugin.core.raster import atomic_file, remove_created, tracking_outputs

    ours, theirs, later = tmp_path / "ours.txt", tmp_path / "theirs.txt", tmp_path / "later.txt"
    with tracking_outputs() as created:
        for path in (ours, theirs):
            with atomic_file(path) as tmp:
                tmp.write_text("run B")
        # run A publishes over one of B's outputs and writes a file B never wrote
        other = tmp_path / ".a.part"
        other.write_text("run A")
        os.replace(other, theirs)
        later.write_text("run A")
    assert sorted(p.name for p, _, _ in created) == ["ours.txt", "theirs.txt"]
    assert remove_created(created) == [ours]
    assert theirs.read_text() == "run A" and later.read_text() == "run A"


# --- 11. GDAL's exception mode is set once, never toggled from threads ---------------------------

def test_gdal_exception_mode_is_never_toggled_from_threads(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from osgeo import gdal

    from landslide_lsm_plugin.core.raster import gdal_exceptions, open_raster
    from tests.conftest import write_raster

    good = write_raster(tmp_path / "a.tif", np.ones((8, 8), np.float32))

    def work(i: int) -> str:
        try:
            open_raster(str(good if i % 2 else tmp_path / f"missing{i}.tif"))
            with gdal_exceptions():
                gdal.Open(str(good)).ReadAsArray()
            return "ok"
        except LsmError as exc:
            return "refused" if "Cannot open" in str(exc) else str(exc)

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(work, range(400)))
    assert set(outcomes) == {"ok", "refused"}, set(outcomes) - {"ok", "refused"}
    assert gdal.GetUseExceptions() == 1  # left on: switched on once, never off


def test_csv_cells_that_look_like_formulas_are_written_as_text(tmp_path):
    import csv

    from landslide_lsm_plugin.core.tables import write_csv

    out = write_csv(tmp_path / "m.csv", ["model", "auroc", "shift"],
                    [{"model": '=HYPERLINK("http://x","y")', "auroc": 0.7, "shift": -3},
                     {"model": "@SUM(A1)", "auroc": -0.5, "shift": 2}])
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["model"] == "'=HYPERLINK(\"http://x\",\"y\")" and rows[1]["model"] == "'@SUM(A1)"
    assert rows[0]["shift"] == "-3" and rows[1]["auroc"] == "-0.5"  # numbers stay numbers
