"""Fuzzing the model-file and LSNet-sidecar readers: any bytes are either loaded or refused
with an LsmError, within a memory and time bound; never another exception, a crash or a hang.

Inputs: arbitrary bytes, real model files with bytes flipped, cut or inserted, and model
files whose meta.json is arbitrary JSON. The address space of this process is capped while
the examples run, so a reader that inflated or allocated without bound fails the test with a
MemoryError instead of passing by luck."""

from __future__ import annotations

import contextlib
import functools
import json
import resource
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from landslide_lsm_plugin.core import model_io, records
from landslide_lsm_plugin.core.errors import LsmError

FACTORS = ["a", "b"]
#: address space the readers may add to this process while fuzzed
HEADROOM = 1536 * 1024 * 1024
FUZZ = settings(max_examples=120, deadline=3000, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@contextlib.contextmanager
def memory_cap(extra: int = HEADROOM):
    """Cap this process's address space at its current size plus ``extra`` (soft limit;
    restored afterwards)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as fh:
        current = int(fh.read().split()[0]) * resource.getpagesize()
    cap = current + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@functools.cache
def real_files() -> dict:
    """Two small real model files (bytes), made once."""
    d = Path(tempfile.mkdtemp(prefix="fuzz-models-"))
    rng = np.random.default_rng(0)
    x, y = rng.random((80, 2)), (rng.random(80) > 0.5).astype(int)
    files = {}
    for kind, estimator in (
            ("logistic", Pipeline([("scale", StandardScaler()),
                                   ("model", LogisticRegression())]).fit(x, y)),
            ("random_forest", Pipeline([("model", RandomForestClassifier(
                n_estimators=2, max_depth=3, random_state=0))]).fit(x, y))):
        meta = {"name": kind, "model_type": kind, "factors": FACTORS, "encoding": "raw"}
        path = model_io.save_model(d / f"{kind}.lsmodel", estimator, meta,
                                   signing_key=b"k" * 32)
        files[kind] = path.read_bytes()
    shutil.rmtree(d)
    return files


def read_all_ways(path: Path) -> None:
    """Every reader of a model file; each must load it or refuse it with an LsmError."""
    for reader in (model_io.read_meta, lambda p: model_io.load_kernel(p, b"k" * 32),
                   lambda p: model_io.load_model(p, b"k" * 32)):
        try:
            reader(path)
        except LsmError:
            pass


@FUZZ
@given(data=st.binary(max_size=4096))
def test_any_bytes_are_loaded_or_refused(tmp_path, data):
    path = tmp_path / "any.lsmodel"
    path.write_bytes(data)
    with memory_cap():
        read_all_ways(path)


@FUZZ
@given(kind=st.sampled_from(["logistic", "random_forest"]),
       edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["flip", "cut", "insert"]),
                                st.binary(min_size=1, max_size=8)), min_size=1, max_size=4))
def test_damaged_model_files_are_loaded_or_refused(tmp_path, kind, edits):
    data = bytearray(real_files()[kind])
    for where, how, blob in edits:
        i = int(where * (len(data) - 1))
        if how == "flip":
            data[i:i + len(blob)] = bytes(b ^ 0xFF for b in blob)[:len(data) - i]
        elif how == "cut":
            del data[i:i + 64 * len(blob)]
        else:
            data[i:i] = blob
    path = tmp_path / "damaged.lsmodel"
    path.write_bytes(bytes(data))
    with memory_cap():
        read_all_ways(path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30)


@FUZZ
@given(fields=st.dictionaries(
    st.sampled_from(["format", "format_version", "factors", "model_type", "name",
                     "model_sha256", "kernel_sha256", "encoding", "fr_encoding", "other"]),
    json_values, max_size=8), keep=st.booleans())
def test_model_files_with_any_metadata_are_loaded_or_refused(tmp_path, fields, keep):
    src = tmp_path / "src.lsmodel"
    src.write_bytes(real_files()["logistic"])
    with zipfile.ZipFile(src) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    meta = json.loads(parts["meta.json"]) if keep else {"format": model_io.FORMAT}
    meta.update(fields)
    parts["meta.json"] = json.dumps(meta).encode()
    path = tmp_path / "meta.lsmodel"
    with zipfile.ZipFile(path, "w") as zf:
        for name, blob in parts.items():
            zf.writestr(name, blob)
    with memory_cap():
        read_all_ways(path)


@FUZZ
@given(sidecar=st.binary(max_size=2048) | json_values.map(lambda v: json.dumps(v).encode()),
       fields=st.dictionaries(st.sampled_from(["format", "format_version", "keras_sha256",
                                               "factors", "signature"]), json_values,
                              max_size=5))
def test_lsnet_sidecars_are_loaded_or_refused(tmp_path, sidecar, fields):
    model = tmp_path / "m.keras"
    model.write_bytes(b"not a model")
    if fields:
        sidecar = json.dumps(dict({"format": records.LSNET_FORMAT}, **fields)).encode()
    model_io.sidecar_of(model).write_bytes(sidecar)
    with memory_cap():
        try:
            meta = model_io.read_sidecar(model)
            model_io.sidecar_trust(meta, b"k" * 32, "m.keras")
        except LsmError:
            pass
