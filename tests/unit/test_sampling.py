"""Prepare training samples: landslide cells, balance, 70/30 split by landslide, folds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landslide_lsm_plugin.core import sampling as smp
from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.raster import Grid, open_raster

from ..conftest import square

X0, Y0, CELL = 500000.0, 9500000.0, 10.0


@pytest.fixture
def stack(raster):
    rng = np.random.default_rng(0)
    data = rng.random((2, 120, 150)).astype(np.float32)
    data[:, :5, :] = -9999  # a strip of nodata along the top
    return raster("stack.tif", data, names=["a", "b"])


@pytest.fixture
def polygons(vector):
    """20 square landslides of 3 x 3 cells spread over the grid."""
    wkts = [square(X0 + 100 + 70 * (i % 5) * 1.0 + 1, Y0 - 200 - 200 * (i // 5) + 1, 29)
            for i in range(20)]
    return vector("inventory.gpkg", wkts)


def run(stack, inventory, tmp_path, name="samples.gpkg", **kw):
    out = tmp_path / name
    report = smp.prepare_samples(str(inventory), str(stack), str(out), **kw)
    grid = Grid.of(open_raster(str(stack)))
    return report, smp.read_samples(str(out), grid)


def test_all_cells_of_polygons_balanced_and_split_by_landslide(stack, polygons, tmp_path):
    report, s = run(stack, polygons, tmp_path, seed=5)
    assert report.landslides == 20 and report.landslide_cells == 20 * 9
    assert report.non_landslide_cells == report.landslide_cells  # ratio 1
    assert np.sum(s.label == 1) == 180 and np.sum(s.label == 0) == 180
    # no landslide on both sides of the split, and 30 % of landslides in validation
    for lid in np.unique(s.landslide_id[s.label == 1]):
        assert len(set(s.split[s.landslide_id == lid])) == 1
    val_ids = np.unique(s.landslide_id[(s.label == 1) & s.validation])
    assert val_ids.size == 6
    assert abs(np.mean(s.validation[s.label == 0]) - 0.3) < 0.02
    # folds: 1..10 on training samples, 0 on validation; whole landslides per fold
    assert set(s.fold[s.train]) == set(range(1, 11)) and set(s.fold[s.validation]) == {0}
    for lid in np.unique(s.landslide_id[s.label == 1]):
        assert len(set(s.fold[s.landslide_id == lid])) == 1


def test_non_landslide_cells_avoid_landslides_and_buffer(stack, polygons, tmp_path):
    _, s = run(stack, polygons, tmp_path, buffer=25.0, ratio=3.0)
    assert np.sum(s.label == 0) == 3 * np.sum(s.label == 1)
    ls_x, ls_y = s.x[s.label == 1], s.y[s.label == 1]
    nl_x, nl_y = s.x[s.label == 0], s.y[s.label == 0]
    d = np.sqrt((nl_x[:, None] - ls_x[None]) ** 2 + (nl_y[:, None] - ls_y[None]) ** 2).min(1)
    assert d.min() > 25.0
    assert np.all(nl_y < Y0 - 5 * CELL)  # never on the nodata strip


def test_same_seed_same_samples_other_seed_other_samples(stack, polygons, tmp_path):
    _, a = run(stack, polygons, tmp_path, "a.gpkg", seed=11)
    _, b = run(stack, polygons, tmp_path, "b.gpkg", seed=11)
    _, c = run(stack, polygons, tmp_path, "c.gpkg", seed=12)
    for field in ("x", "y", "label", "landslide_id", "split", "fold"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.split, c.split) or not np.array_equal(a.x, c.x)


def test_centroid_and_fixed_number_per_polygon(stack, polygons, tmp_path):
    report, s = run(stack, polygons, tmp_path, "c.gpkg", landslide_cells=smp.CENTROID)
    assert report.landslide_cells == 20
    assert np.unique(s.landslide_id[s.label == 1]).size == 20
    report, s = run(stack, polygons, tmp_path, "p.gpkg", landslide_cells=smp.PER_POLYGON,
                    cells_per_polygon=4)
    assert report.landslide_cells == 80


def test_points_inventory_and_small_polygons(stack, vector, tmp_path):
    points = vector("points.gpkg", [f"POINT({X0 + 100 + 50 * i} {Y0 - 300 - 10 * i})"
                                    for i in range(12)] + [square(X0 + 500, Y0 - 900, 3)])
    report, s = run(stack, points, tmp_path)
    assert report.landslides == 13 and report.landslide_cells == 13  # the tiny square counts


def test_labelled_points_are_only_split(stack, vector, tmp_path):
    wkts = [f"POINT({X0 + 15 + 20 * i} {Y0 - 205 - 7 * i})" for i in range(40)]
    labels = [1 if i % 2 else 0 for i in range(40)]
    layer = vector("labelled.gpkg", wkts, fields={"lslpts": labels})
    report, s = run(stack, layer, tmp_path, label_field="lslpts", seed=3)
    assert len(s) == 40 and np.sum(s.label == 1) == 20
    assert np.allclose(sorted(s.x), sorted(X0 + 15 + 20 * i for i in range(40)))
    assert np.sum(s.validation & (s.label == 1)) == 6


def test_spatial_blocks_keep_blocks_whole(stack, polygons, tmp_path):
    _, s = run(stack, polygons, tmp_path, split=smp.BLOCK_SPLIT, block_size=300.0, folds=4)
    bx = np.floor((s.x - X0) / 300).astype(int)
    by = np.floor((Y0 - s.y) / 300).astype(int)
    nl = s.label == 0
    for b in set(zip(bx[nl], by[nl])):
        sel = nl & (bx == b[0]) & (by == b[1])
        assert len(set(s.split[sel])) == 1
    assert set(s.fold[s.train]) <= {1, 2, 3, 4}
    for lid in np.unique(s.landslide_id[s.label == 1]):
        assert len(set(s.split[s.landslide_id == lid])) == 1


def test_bad_inventories_get_clear_errors(stack, vector, tmp_path):
    empty = vector("empty.gpkg", [])
    with pytest.raises(LsmError, match="empty"):
        smp.prepare_samples(str(empty), str(stack), str(tmp_path / "s.gpkg"))
    far = vector("far.gpkg", [square(0, 0, 100)])
    with pytest.raises(LsmError, match="outside the factor stack"):
        smp.prepare_samples(str(far), str(stack), str(tmp_path / "s.gpkg"))
    ones = vector("ones.gpkg", [f"POINT({X0 + 100 + i} {Y0 - 300})" for i in range(5)],
                  fields={"label": [1] * 5})
    with pytest.raises(LsmError, match="both classes"):
        smp.prepare_samples(str(ones), str(stack), str(tmp_path / "s.gpkg"), label_field="label")
    lines = vector("lines.gpkg", [f"LINESTRING({X0 + 100} {Y0 - 300}, {X0 + 200} {Y0 - 400})"])
    with pytest.raises(LsmError, match="polygons or points"):
        smp.prepare_samples(str(lines), str(stack), str(tmp_path / "s.gpkg"))
    assert not (tmp_path / "s.gpkg").exists()


def test_fewer_landslides_than_folds_reduces_folds(stack, vector, tmp_path):
    inv = vector("few.gpkg", [square(X0 + 100 + 100 * i, Y0 - 300, 29) for i in range(5)])
    report, s = run(stack, inv, tmp_path, folds=10)
    assert report.folds == 3 and set(s.fold[s.train]) == {1, 2, 3}
    assert any("folds" in m for m in report.messages)


def test_inventory_in_another_crs_is_reprojected(stack, tmp_path):
    from osgeo import ogr, osr

    src, dst = osr.SpatialReference(), osr.SpatialReference()
    src.ImportFromEPSG(32717)
    dst.ImportFromEPSG(4326)
    for s_ in (src, dst):
        s_.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    tr = osr.CoordinateTransformation(src, dst)
    from ..conftest import write_vector

    wkts = []
    for i in range(10):
        g = ogr.CreateGeometryFromWkt(square(X0 + 100 + 100 * (i % 5), Y0 - 300 - 300 * (i // 5),
                                             29))
        g.Transform(tr)
        wkts.append(g.ExportToWkt())
    inv = write_vector(tmp_path / "wgs84.gpkg", wkts, epsg=4326)
    report, s = run(stack, inv, tmp_path)
    assert report.landslides == 10 and 80 <= report.landslide_cells <= 100
    assert any("reprojected" in m for m in report.messages)


def test_ecuador_labelled_points(ecuador, tmp_path):
    from landslide_lsm_plugin.core import stack as stk

    st = tmp_path / "stack.tif"
    stk.build_stack(stk.factors_from_rasters([str(ecuador / "ta.tif")], stk.CONTINUOUS), str(st))
    report, s = run(st, ecuador / "lsl_points.gpkg", tmp_path, label_field="lslpts", seed=1)
    # the data holds one non-landslide point twice: its cell is sampled once
    assert np.sum(s.label == 1) == 175 and np.sum(s.label == 0) == 174
    assert any(m.startswith("1 point(s) fall on a cell that an earlier point already holds")
               for m in report.messages)
    assert np.sum(s.validation & (s.label == 1)) == round(0.3 * 175)


def test_block_split_without_both_classes_on_a_side_is_refused(stack, vector, tmp_path):
    # all landslides in one corner block: any validation block holds no landslide
    inv = vector("corner.gpkg", [square(X0 + 60 + 35 * i, Y0 - 100, 29) for i in range(3)])
    with pytest.raises(LsmError, match="Choose a smaller block size"):
        smp.prepare_samples(str(inv), str(stack), str(tmp_path / "s.gpkg"),
                            split=smp.BLOCK_SPLIT, block_size=5000.0, folds=2)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_overlapping_and_one_cell_inventories_property(data):
    """Random inventories of overlapping polygons, polygons too small to hold a cell centre
    and points: every cell is sampled at most once, the ratio holds exactly, and no landslide
    (so no cell) is on both sides of the split or in two CV folds."""
    import tempfile
    from pathlib import Path

    from ..conftest import write_raster, write_vector

    n = data.draw(st.integers(5, 40), label="landslides")
    wkts = []
    for _ in range(n):
        x = X0 + data.draw(st.floats(0, 1400))
        y = Y0 - data.draw(st.floats(60, 1150))
        kind = data.draw(st.sampled_from(["tiny", "square", "point"]))
        if kind == "point":
            wkts.append(f"POINT({x} {y})")
        else:
            wkts.append(square(x, y, data.draw(st.floats(1, 6) if kind == "tiny"
                                               else st.floats(10, 90))))
    ratio = data.draw(st.sampled_from([0.5, 1.0, 2.0]))
    split = data.draw(st.sampled_from([smp.RANDOM_SPLIT, smp.BLOCK_SPLIT]))
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        values = np.random.default_rng(0).random((2, 120, 150)).astype(np.float32)
        stack = write_raster(tmp / "stack.tif", values, names=["a", "b"])
        inventory = write_vector(tmp / "inv.gpkg", wkts)
        try:
            report = smp.prepare_samples(str(inventory), str(stack), str(tmp / "s.gpkg"),
                                         ratio=ratio, split=split, block_size=300.0, seed=1)
        except smp.LsmError as exc:  # too few landslides for a split, folds or both classes
            assert any(w in str(exc) for w in ("without both classes", "Fewer than two",
                                               "All samples are landslide")), exc
            return
        s = report.samples
        grid = Grid.of(open_raster(str(stack)))
        col, row = grid.cell_of(s.x, s.y)
        cells = row * grid.width + col
        assert np.unique(cells).size == cells.size, "a cell was sampled twice"
        n_ls, n_other = int(np.sum(s.label == 1)), int(np.sum(s.label == 0))
        assert n_other == int(round(ratio * n_ls)), (n_ls, n_other, report.messages)
        ls = s.label == 1
        for lid in np.unique(s.landslide_id[ls]):
            one = ls & (s.landslide_id == lid)
            assert np.unique(s.split[one]).size == 1, f"landslide {lid} on both sides"
            assert np.unique(s.fold[one]).size == 1, f"landslide {lid} in two folds"


def test_default_block_size_follows_the_landslides_and_the_distance_is_reported(stack,
                                                                               polygons,
                                                                               tmp_path):
    report, s = run(stack, polygons, tmp_path, split=smp.BLOCK_SPLIT, seed=3)
    ls = s.label == 1
    extent = max(np.ptp(s.x[ls]), np.ptp(s.y[ls]))
    assert report.block_size == pytest.approx(extent / 5, rel=0.06)
    assert any(n.startswith(f"Spatial blocks of {report.block_size:g} map units")
               for n in report.notes)
    assert report.validation_distance is not None and report.validation_distance > 0
    assert any("Validation landslides lie a median" in n for n in report.notes)
    random_report, _ = run(stack, polygons, tmp_path, name="random.gpkg", seed=3)
    # landslides on a regular lattice: the nearest training landslide is a neighbour either
    # way, 50 m between the facing cell centres
    assert random_report.validation_distance == report.validation_distance == 50.0
