"""LSI maps in bounded memory and never of NaN: kernel models evaluate chunks of cells sized by
a memory budget (a chunk against every kernel centre, per thread), and a model that gives
non-finite values (extreme weights) is refused with no map left behind."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.kernel_approximation import Nystroem
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from landslide_lsm_plugin.core import model_io, predict
from landslide_lsm_plugin.core.errors import LsmError

from ..conftest import read_raster, write_raster

FACTORS = ["slope", "wetness", "noise"]


@pytest.fixture(scope="module")
def area(tmp_path_factory):
    d = tmp_path_factory.mktemp("bounds")
    rng = np.random.default_rng(5)
    data = rng.random((3, 90, 110)).astype(np.float32)
    data[:, :3, :4] = -9999
    return {"dir": d, "stack": write_raster(d / "stack.tif", data, names=FACTORS)}


def save(estimator, path: Path, model_type: str) -> Path:
    meta = {"name": model_type.upper(), "model_type": model_type, "factors": FACTORS,
            "encoding": "raw"}
    return model_io.save_model(path, estimator, meta)


@pytest.fixture(scope="module")
def klr_many_centres(area):
    """A KLR pipeline with 1,200 kernel centres (its file carries the kernel expansion)."""
    rng = np.random.default_rng(1)
    x = rng.random((1200, 3))
    y = (x[:, 0] + 0.5 * x[:, 1] + 0.2 * rng.standard_normal(1200) > 0.8).astype(int)
    est = Pipeline([("scale", StandardScaler()),
                    ("kernel", Nystroem(kernel="rbf", gamma=0.5, n_components=1200,
                                        random_state=0)),
                    ("model", LogisticRegression(C=1.0, max_iter=500))]).fit(x, y)
    return save(est, area["dir"] / "klr.lsmodel", "klr")


def test_chunk_is_bounded_by_the_memory_budget():
    # the case of the report: 10,000 centres on 2 threads took 2.2 GB with 16,384-cell chunks
    cells = predict.chunk_cells(10_000, 2)
    assert cells * predict.KERNEL_BYTES * 10_000 * 2 <= predict.KERNEL_MEMORY
    assert cells < predict.CHUNK
    assert predict.chunk_cells(10_000, 8) * 4 <= cells + 4  # more threads, smaller chunks
    # few centres: the usual chunk; absurdly many: never below the minimum
    assert predict.chunk_cells(10, 2) == predict.CHUNK
    assert predict.chunk_cells(0, 2) == predict.CHUNK
    assert predict.chunk_cells(10**9, 64) == predict.MIN_CHUNK
    assert predict.chunk_cells(1200, 2, budget=12 * 1200 * 2 * 500) == 500


def test_maps_use_bounded_chunks_and_do_not_depend_on_the_budget(area, klr_many_centres,
                                                                 monkeypatch, tmp_path):
    rows_seen: list[int] = []
    original = predict.kernel_probability

    def recording(expansion):
        proba = original(expansion)

        def wrapped(x):
            rows_seen.append(x.shape[0])
            return proba(x)

        return wrapped

    monkeypatch.setattr(predict, "kernel_probability", recording)
    maps = {}
    for budget in (12 * 1200 * 2 * 300, predict.KERNEL_MEMORY, 1 << 40):
        monkeypatch.setattr(predict, "KERNEL_MEMORY", budget)
        rows_seen.clear()
        out = tmp_path / f"lsi_{budget}.tif"
        report = predict.predict_lsi(str(klr_many_centres), str(area["stack"]), str(out),
                                     n_jobs=2)
        assert report.evaluator.startswith("kernel expansion")
        assert max(rows_seen) <= predict.chunk_cells(1200, 2, budget), (budget, rows_seen)
        maps[budget] = read_raster(out)[0]
    small, default, large = maps.values()
    assert rows_seen == [90 * 110 - 12]  # the large budget: the window's cells at once
    assert np.array_equal(small == -9999, large == -9999)
    # the same numbers, whatever the chunk (to the last bits a BLAS product may vary)
    assert np.allclose(small, large, rtol=0, atol=1e-6)
    assert np.allclose(default, large, rtol=0, atol=1e-6)


def _extreme_kernel(path: Path, out: Path) -> Path:
    """The model file with kernel weights of +-1e308 (finite, so the file itself is valid),
    its checksum updated as a rewrite would."""
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("meta.json"))
        payload, kernel = zf.read("model.skops"), zf.read("kernel.npz")
    with np.load(io.BytesIO(kernel), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    n = arrays["weights"].size
    arrays["weights"] = np.where(np.arange(n) % 2 == 0, 1e308, -1e308)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    kernel = buf.getvalue()
    meta["kernel_sha256"] = hashlib.sha256(kernel).hexdigest()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("meta.json", json.dumps(meta))
        zf.writestr("model.skops", payload)
        zf.writestr("kernel.npz", kernel)
    return out


def test_extreme_kernel_weights_are_refused_and_leave_no_map(area, klr_many_centres, tmp_path):
    model = _extreme_kernel(klr_many_centres, tmp_path / "extreme.lsmodel")
    out = tmp_path / "lsi.tif"
    with pytest.raises(LsmError) as err:
        predict.predict_lsi(str(model), str(area["stack"]), str(out))
    assert "The model gives no finite decision value (NaN or infinite) for" in str(err.value)
    assert "the model file is damaged or was made for other data" in str(err.value)
    assert not out.exists() and not list(tmp_path.glob("lsi*"))


def test_extreme_pipeline_weights_are_refused_and_leave_no_map(area, tmp_path):
    """A logistic regression (no kernel part: mapped through its scikit-learn pipeline) whose
    weights are +-1e308: its decision values overflow, and its probabilities saturate to 0
    and 1 (NaN where the overflows cancel): a map that would look valid."""
    rng = np.random.default_rng(2)
    x = rng.random((200, 3))
    y = (x[:, 0] > 0.5).astype(int)
    est = Pipeline([("scale", StandardScaler()),
                    ("model", LogisticRegression(max_iter=200))]).fit(x, y)
    est.named_steps["model"].coef_ = np.array([[1e308, -1e308, 1e308]])
    model = save(est, tmp_path / "lr.lsmodel", "logistic")
    out = tmp_path / "lsi.tif"
    with pytest.raises(LsmError, match=r"The model gives no finite decision value \(NaN or "
                                       r"infinite\) for \d+ of \d+ cells: the model file is "
                                       r"damaged"):
        predict.predict_lsi(str(model), str(area["stack"]), str(out))
    assert not out.exists() and not list(tmp_path.glob("lsi*"))


def test_any_non_finite_probability_is_refused_and_leaves_no_map(area, klr_many_centres,
                                                                 monkeypatch, tmp_path):
    """The last guard, whatever the evaluator: NaN probabilities never reach a map (here one
    NaN per chunk of the window's 9,888 cells)."""
    def nan_from(row):
        return lambda expansion: lambda x: np.where(np.arange(len(x)) == row, np.nan, 0.5)

    monkeypatch.setattr(predict, "kernel_probability", nan_from(7))
    out = tmp_path / "lsi.tif"
    chunks = -(-9888 // predict.chunk_cells(1200, 2))
    with pytest.raises(LsmError, match=r"The model gives no finite LSI \(NaN or infinite\) "
                                       rf"for {chunks} of 9888 cells: the model file is "
                                       "damaged"):
        predict.predict_lsi(str(klr_many_centres), str(area["stack"]), str(out))
    assert not out.exists() and not list(tmp_path.glob("lsi*"))
