"""Zoning, the frequency ratio and evaluation as core.blocks stages: in-process (one default
window) and on a local Dask cluster (small windows) give the same rasters, counts and
metrics, and leave no hidden files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal

from landslide_lsm_plugin.core import evaluation
from landslide_lsm_plugin.core import frequency_ratio as fr
from landslide_lsm_plugin.core import sampling as smp
from landslide_lsm_plugin.core import stack as stk
from landslide_lsm_plugin.core.classing import LANDSLIDE_SHARE
from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.zoning import classify_raster

from ..conftest import square, write_raster, write_vector

ROWS, COLS, SMALL = 230, 310, 100  # 3 x 4 windows of 100 cells on the cluster
X0, Y0, CELL = 500000.0, 9500000.0, 10.0


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> dict:
    """A stack (slope with a nodata corner, wetness, aspect, a categorical lithology), its
    samples, an LSI with nodata and an inventory of squares across several windows."""
    d = tmp_path_factory.mktemp("blocks_study")
    rng = np.random.default_rng(11)
    slope = rng.gamma(2.0, 8.0, (ROWS, COLS)).astype(np.float32)
    wet = rng.random((ROWS, COLS)).astype(np.float32)
    aspect = rng.uniform(-1.0, 360.0, (ROWS, COLS)).astype(np.float32)
    aspect[aspect < 10] = -1.0  # flat cells
    lith = rng.integers(1, 7, (ROWS, COLS)).astype(np.float32)
    slope[:20, :30] = -9999.0
    factors = []
    for name, kind, a in (("slope", stk.CONTINUOUS, slope), ("wetness", stk.CONTINUOUS, wet),
                          ("aspect", stk.ASPECT, aspect), ("lith", stk.CATEGORICAL, lith)):
        factors.append(stk.Factor(name, str(write_raster(d / f"{name}.tif", a)), kind=kind,
                                  resampling="nearest"))
    stack = d / "stack.tif"
    stk.build_stack(factors, str(stack))
    n = 500
    r, c = rng.integers(20, ROWS, n), rng.integers(30, COLS, n)
    p = 1 / (1 + np.exp(-(0.12 * (slope[r, c] - 16) + 3 * (wet[r, c] - 0.5))))
    label = (rng.random(n) < p).astype(int)
    pts = write_vector(d / "points.gpkg", [f"POINT({X0 + CELL * cc + 5} {Y0 - CELL * rr - 5})"
                                           for rr, cc in zip(r, c)], fields={"label": label})
    samples = d / "samples.gpkg"
    smp.prepare_samples(str(pts), str(stack), str(samples), label_field="label", seed=2)
    with np.errstate(over="ignore"):  # the nodata corner
        lsi = (1 / (1 + np.exp(-(0.1 * (slope - 16) + 2 * (wet - 0.5))))).astype(np.float32)
    lsi[slope == -9999.0] = -9999.0
    lsi[150:170, 200:260] = -9999.0
    lsi_path = write_raster(d / "lsi.tif", lsi)
    squares = [square(X0 + CELL * cc, Y0 - CELL * (rr + 6), CELL * 6)
               for rr, cc in rng.integers((0, 0), (ROWS - 6, COLS - 6), (25, 2))]
    inventory = write_vector(d / "inventory.gpkg", squares, fields={"id": list(range(25))})
    return {"dir": d, "stack": stack, "samples": samples, "lsi": lsi_path,
            "inventory": inventory}


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    local, dask = tmp_path / "local", tmp_path / "dask"
    local.mkdir()
    dask.mkdir()
    return local, dask


def _no_hidden_files(*folders: Path) -> None:
    for folder in folders:
        assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def _band_stats(items: dict) -> dict:
    return {k: float(v) for k, v in items.items() if k.startswith("STATISTICS_")
            and k != "STATISTICS_VALID_PERCENT"}


def assert_same_raster(a: Path, b: Path) -> None:
    """Same cells, nodata, band descriptions and tags (timing tags aside; statistics to
    rounding)."""
    da, db = gdal.Open(str(a)), gdal.Open(str(b))
    assert (da.RasterXSize, da.RasterYSize, da.RasterCount) == \
        (db.RasterXSize, db.RasterYSize, db.RasterCount)
    assert da.GetGeoTransform() == db.GetGeoTransform()

    def tags(ds):
        return {k: v for k, v in (ds.GetMetadata() or {}).items() if "TIME" not in k.upper()}

    assert tags(da) == tags(db)
    for i in range(1, da.RasterCount + 1):
        ba, bb = da.GetRasterBand(i), db.GetRasterBand(i)
        assert ba.GetDescription() == bb.GetDescription()
        assert ba.GetNoDataValue() == bb.GetNoDataValue()
        assert ba.DataType == bb.DataType
        assert np.array_equal(ba.ReadAsArray(), bb.ReadAsArray())
        ma, mb = ba.GetMetadata() or {}, bb.GetMetadata() or {}
        assert {k: v for k, v in ma.items() if not k.startswith("STATISTICS_")} == \
            {k: v for k, v in mb.items() if not k.startswith("STATISTICS_")}
        sa, sb = _band_stats(ma), _band_stats(mb)
        assert sa.keys() == sb.keys()
        for key in sa:
            assert sa[key] == pytest.approx(sb[key], rel=1e-9, abs=1e-9), key
        ba = bb = None
    da = db = None


def _classes(zoning) -> list:
    return [vars(c) for c in zoning.classes]


def test_zoning_with_an_inventory_in_process_and_on_dask(study, dask_client, tmp_path):
    local, dask = _folders(tmp_path)
    args = dict(method="equal_interval", n_classes=5, inventory_path=str(study["inventory"]))
    a = classify_raster(str(study["lsi"]), str(local / "zones.tif"), **args)
    b = classify_raster(str(study["lsi"]), str(dask / "zones.tif"), **args, client=dask_client,
                        window=SMALL)
    assert_same_raster(local / "zones.tif", dask / "zones.tif")
    assert np.array_equal(a.edges, b.edges) and a.valid_cells == b.valid_cells
    assert _classes(a) == _classes(b)
    assert sum(c.landslides for c in a.classes) > 0
    _no_hidden_files(local, dask)


def test_zoning_by_landslide_share_on_samples_in_process_and_on_dask(study, dask_client, tmp_path):
    local, dask = _folders(tmp_path)
    args = dict(method=LANDSLIDE_SHARE, shares=[50, 75, 90], samples_path=str(study["samples"]),
                samples_split="validation")
    a = classify_raster(str(study["lsi"]), str(local / "zones.tif"), **args)
    b = classify_raster(str(study["lsi"]), str(dask / "zones.tif"), **args, client=dask_client,
                        window=SMALL)
    assert_same_raster(local / "zones.tif", dask / "zones.tif")
    assert np.array_equal(a.edges, b.edges)
    assert _classes(a) == _classes(b)
    assert a.training_landslides == b.training_landslides > 0
    _no_hidden_files(local, dask)


def test_frequency_ratio_and_encoding_in_process_and_on_dask(study, dask_client, tmp_path):
    local, dask = _folders(tmp_path)
    a = fr.compute_fr(str(study["stack"]), str(study["samples"]), classes=5)
    b = fr.compute_fr(str(study["stack"]), str(study["samples"]), classes=5, client=dask_client,
                      window=SMALL)
    assert [e.to_dict() for e in a.encodings] == [e.to_dict() for e in b.encodings]
    assert (a.valid_cells, a.training_landslide_cells, a.messages, a.provenance) == \
        (b.valid_cells, b.training_landslide_cells, b.messages, b.provenance)
    assert [e.method for e in a.encodings] == ["natural_breaks", "natural_breaks",
                                               "aspect_sectors", "categories"]
    # a lithology code the encoding has never seen: those cells become nodata, counted
    encodings = a.encodings
    lith = encodings[3]
    lith.codes, lith.fr = lith.codes[1:], lith.fr[1:]
    lith.labels, lith.area_cells, lith.landslide_cells = (
        lith.labels[1:], lith.area_cells[1:], lith.landslide_cells[1:])
    ra = fr.encode_stack(str(study["stack"]), encodings, str(local / "fr.tif"),
                         provenance=a.provenance)
    rb = fr.encode_stack(str(study["stack"]), encodings, str(dask / "fr.tif"),
                         provenance=a.provenance, client=dask_client, window=SMALL)
    assert ra == rb and ra["unseen_category_cells"] > 0
    assert_same_raster(local / "fr.tif", dask / "fr.tif")
    _no_hidden_files(local, dask)


def test_too_many_categories_are_refused_on_dask_as_in_process(dask_client, tmp_path):
    codes = np.arange(40 * 40, dtype=np.float32).reshape(40, 40)
    stack = tmp_path / "stack.tif"
    stk.build_stack([stk.Factor("lith", str(write_raster(tmp_path / "lith.tif", codes)),
                                kind=stk.CATEGORICAL, resampling="nearest")], str(stack))
    samples = write_vector(tmp_path / "samples.gpkg",
                           [f"POINT({X0 + CELL * c + 5} {Y0 - CELL * r - 5})"
                            for r, c in ((1, 1), (20, 30))],
                           fields={"label": [1, 1], "landslide_id": [0, 1],
                                   "split": ["train", "train"], "fold": [1, 1]})
    message = "Factor 'lith' has more than 255 distinct values"
    with pytest.raises(LsmError, match=message):
        fr.compute_fr(str(stack), str(samples))
    for window in (10, 20):  # merged on the client; found in one window on a worker
        with pytest.raises(LsmError, match=message):
            fr.compute_fr(str(stack), str(samples), client=dask_client, window=window)


def test_evaluation_in_process_and_on_dask(study, dask_client):
    a = evaluation.evaluate_lsi([str(study["lsi"])], str(study["samples"]), rate_curves=True,
                                threshold_mode="youden")
    b = evaluation.evaluate_lsi([str(study["lsi"])], str(study["samples"]), rate_curves=True,
                                threshold_mode="youden", client=dask_client, window=SMALL)
    assert (a.n_validation, a.n_training, a.messages) == (b.n_validation, b.n_training,
                                                          b.messages)
    ma, mb = a.models[0], b.models[0]
    for key in ("metrics", "roc", "success_rate", "prediction_rate", "reliability"):
        assert getattr(ma, key) == getattr(mb, key), key
    assert ma.success_rate and ma.metrics["n"] == a.n_validation > 0


def test_point_values_by_path_equal_values_at(study, dask_client):
    samples = smp.read_samples(str(study["samples"]),
                               stk.stack_info(str(study["stack"])).grid)
    x = np.r_[samples.x, X0 - 50.0, X0 + CELL * COLS + 5, X0 + 15.0]  # two outside, one nodata
    y = np.r_[samples.y, Y0 - 15.0, Y0 - 15.0, Y0 - 15.0]
    ds = gdal.Open(str(study["stack"]))
    want, want_ok = smp.values_at(ds, x, y)
    ds = None
    for kwargs in ({}, {"client": dask_client, "window": SMALL}, {"window": 37}):
        got, ok = smp.values_at_path(str(study["stack"]), x, y, **kwargs)
        assert np.array_equal(ok, want_ok) and np.array_equal(got, want, equal_nan=True)
    assert not want_ok[-3:].any() and want_ok[:-3].all()
    got, ok = smp.values_at_path(str(study["lsi"]), x[-3:-1], y[-3:-1], [1], client=dask_client)
    assert not ok.any() and np.isnan(got).all()  # no sample inside: no window read
