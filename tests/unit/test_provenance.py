"""FR provenance: the FR stack records the samples it was fitted on; training or evaluating
with other samples warns, and validation cells that were FR training cells are refused."""

import base64
import zlib

import numpy as np
import pytest

from landslide_lsm_plugin.core import evaluation, predict, provenance, training
from landslide_lsm_plugin.core import frequency_ratio as fr
from landslide_lsm_plugin.core import sampling as smp
from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.progress import Progress

from ..conftest import square

X0, Y0 = 500000.0, 9500000.0


@pytest.fixture
def prepared(raster, vector, tmp_path):
    rng = np.random.default_rng(3)
    stack = raster("stack.tif", rng.random((3, 100, 120)).astype(np.float32),
                   names=["a", "b", "c"])
    inventory = vector("inv.gpkg", [square(X0 + 40 + 95 * (i % 12), Y0 - 60 - 190 * (i // 12),
                                           40) for i in range(48)])
    random = smp.prepare_samples(str(inventory), str(stack), str(tmp_path / "random.gpkg"),
                                 seed=1)
    blocks = smp.prepare_samples(str(inventory), str(stack), str(tmp_path / "blocks.gpkg"),
                                 split=smp.BLOCK_SPLIT, block_size=300.0, seed=2)
    result = fr.compute_fr(str(stack), str(tmp_path / "random.gpkg"), method="quantile",
                           classes=4)
    fr.encode_stack(str(stack), result.encodings, str(tmp_path / "fr.tif"),
                    provenance=result.provenance)
    return {"dir": tmp_path, "stack": stack, "random": random, "blocks": blocks,
            "result": result}


def messages() -> tuple[list, Progress]:
    out: list = []
    return out, Progress(on_info=out.append, on_warning=out.append)


def test_the_fr_stack_records_its_samples(prepared):
    from landslide_lsm_plugin.core.stack import stack_info

    info = stack_info(str(prepared["dir"] / "fr.tif"))
    record = info.fr_samples
    assert record["samples"] == "random.gpkg"
    s = prepared["random"].samples
    assert record["fingerprint"] == provenance.samples_fingerprint(s, info.grid)
    cells = provenance.unpack_cells(record["cells"])
    train_ls = s.train & (s.label == 1)
    assert cells.size == record["training_landslide_cells"] == train_ls.sum()
    assert np.array_equal(cells, np.unique(provenance.cell_keys(s.x[train_ls], s.y[train_ls],
                                                               info.grid)))


def test_training_and_evaluating_with_the_fit_samples_is_silent(prepared):
    d = prepared["dir"]
    log, progress = messages()
    training.train_to_file("logistic", str(d / "fr.tif"), str(d / "random.gpkg"),
                           str(d / "lr.lsmodel"), progress=progress)
    assert not any("FR encoding" in m for m in log)
    predict.predict_lsi(str(d / "lr.lsmodel"), str(d / "fr.tif"), str(d / "lsi.tif"))
    ev = evaluation.evaluate_lsi([str(d / "lsi.tif")], str(d / "random.gpkg"))
    assert not any("FR encoding" in m for m in ev.messages)
    assert ev.models[0].model["fr_samples"]["samples"] == "random.gpkg"


def test_validation_cells_that_fitted_the_fr_are_refused(prepared):
    """FR from the random split, samples from the spatial-block split of the same inventory:
    many validation landslide cells of the blocks were FR training cells."""
    d = prepared["dir"]
    with pytest.raises(LsmError, match=r"validation landslide cell\(s\) of these samples were "
                                       r"training landslide cells of the FR encoding \(fitted "
                                       r"on 'random.gpkg'\)"):
        training.train_to_file("logistic", str(d / "fr.tif"), str(d / "blocks.gpkg"),
                               str(d / "x.lsmodel"))
    assert not (d / "x.lsmodel").exists()
    training.train_to_file("logistic", str(d / "fr.tif"), str(d / "random.gpkg"),
                           str(d / "lr.lsmodel"))
    predict.predict_lsi(str(d / "lr.lsmodel"), str(d / "fr.tif"), str(d / "lsi.tif"))
    with pytest.raises(LsmError, match="evaluation would be optimistic"):
        evaluation.evaluate_lsi([str(d / "lsi.tif")], str(d / "blocks.gpkg"))


def test_other_samples_without_leaks_warn(prepared, vector):
    """The fit samples less some training non-landslide cells: other samples, but no
    validation cell was an FR training cell."""
    d = prepared["dir"]
    s = prepared["random"].samples
    keep = ~(s.train & (s.label == 0)) | (np.arange(len(s)) % 3 > 0)
    smp.write_points(d / "fewer.gpkg", provenance_grid(d), s.x[keep], s.y[keep],
                     smp.SAMPLE_COLUMNS, {k: v[keep] for k, v in s.columns().items()})
    log, progress = messages()
    training.train_to_file("logistic", str(d / "fr.tif"), str(d / "fewer.gpkg"),
                           str(d / "lr.lsmodel"), progress=progress)
    assert any("The FR encoding was fitted on other samples ('random.gpkg') than these" in m
               for m in log), log


def provenance_grid(d):
    from landslide_lsm_plugin.core.stack import stack_info

    return stack_info(str(d / "fr.tif")).grid


def test_packed_cells_round_trip_and_hostile_records_are_bounded():
    keys = np.array([5, 3, 3, 10 ** 9, 0, 77])
    assert np.array_equal(provenance.unpack_cells(provenance.pack_cells(keys)),
                          np.unique(keys))
    bomb = base64.b64encode(zlib.compress(b"\0" * (8 * provenance.MAX_PACKED_CELLS + 8)))
    with pytest.raises(LsmError, match="damaged"):
        provenance.unpack_cells(bomb.decode())
    for bad in ("not base64!", base64.b64encode(b"not zlib").decode(),
                base64.b64encode(zlib.compress(b"123")).decode()):
        with pytest.raises(LsmError, match="damaged"):
            provenance.unpack_cells(bad)
    assert provenance.read_provenance('{"fingerprint": 3}') is None
    assert provenance.read_provenance("[" * 100000) is None
    assert provenance.read_provenance(None) is None


def test_a_random_forest_reports_no_scaler(prepared):
    """Hyperparameters a model does not use are not reported (a forest has no scaler)."""
    d = prepared["dir"]
    _, forest = training.train_to_file(
        "random_forest", str(d / "fr.tif"), str(d / "random.gpkg"), str(d / "rf.lsmodel"),
        search=training.SearchSettings(
            grid={"n_estimators": [20], "min_samples_leaf": [1], "max_features": ["sqrt"]}))
    _, logistic = training.train_to_file("logistic", str(d / "fr.tif"), str(d / "random.gpkg"),
                                         str(d / "lr.lsmodel"))
    assert "standardize" not in forest.hyperparameters
    assert logistic.hyperparameters["standardize"] is True
