"""Frequency ratio against hand-computed values; the encoded stack; training data only."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landslide_lsm_plugin.core import frequency_ratio as fr
from landslide_lsm_plugin.core import stack as stk
from landslide_lsm_plugin.core.errors import LsmError

from ..conftest import read_raster

X0, Y0 = 500000.0, 9500000.0


def cell_point(r, c):
    return f"POINT({X0 + 10 * c + 5} {Y0 - 10 * r - 5})"


def samples_layer(vector, cells, labels, splits, name="samples.gpkg"):
    return vector(name, [cell_point(r, c) for r, c in cells],
                  fields={"label": labels, "landslide_id": list(range(len(cells))),
                          "split": splits, "fold": [1 if s == "train" else 0 for s in splits]})


@pytest.fixture
def tiny(raster, tmp_path):
    """4 x 4 cells. f: quadrants 1,2 / 3,4. g: a categorical map. h: only 1s and 10s."""
    f = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]], dtype=np.float32)
    g = np.array([[7, 7, 7, 7], [7, 7, 9, 9], [9, 9, 9, 9], [9, 9, 9, 9]], dtype=np.float32)
    h = np.array([[1, 1, 1, 1], [1, 1, 1, 1], [10, 10, 10, 10], [10, 10, 10, 10]],
                 dtype=np.float32)
    paths = [raster("f.tif", f), raster("g.tif", g), raster("h.tif", h)]
    out = tmp_path / "stack.tif"
    factors = [stk.Factor("f", str(paths[0])), stk.Factor("g", str(paths[1]), kind="categorical"),
               stk.Factor("h", str(paths[2]))]
    stk.build_stack(factors, str(out))
    return out


def test_fr_equals_the_hand_computation(tiny, vector):
    # training landslides: three cells of f-class 1 (value 1), one of f-class 2 (value 2);
    # a validation landslide in f-class 4 must not count; non-landslides never count.
    cells = [(0, 0), (0, 1), (1, 0), (0, 2), (3, 3), (2, 0)]
    samples = samples_layer(vector, cells, [1, 1, 1, 1, 1, 0],
                            ["train", "train", "train", "train", "validation", "train"])
    overrides = fr.parse_overrides("f:custom:1.5,2.5,3.5; h:custom:2,4,6")
    result = fr.compute_fr(str(tiny), str(samples), overrides=overrides)
    f, g, h = result.encodings
    # f: every class is 25 % of the area; landslides 75 %, 25 %, 0, 0 -> FR 3, 1, 0, 0
    assert f.area_cells == [4, 4, 4, 4] and f.landslide_cells == [3, 1, 0, 0]
    assert np.allclose(f.fr, [3.0, 1.0, 0.0, 0.0])
    # g (categories): code 7 is 6/16 of the area and holds all 4 landslides -> FR 16/6
    assert g.codes == [7.0, 9.0] and g.area_cells == [6, 10]
    assert np.allclose(g.fr, [(4 / 4) / (6 / 16), 0.0])
    # h: classes (2, 4] and (4, 6] have no area -> FR 0, no division by zero
    assert h.area_cells == [8, 0, 0, 8] and np.allclose(h.fr, [2.0, 0.0, 0.0, 0.0])
    rows = result.table()
    assert len(rows) == 4 + 2 + 4
    assert rows[0]["factor"] == "f" and rows[0]["area_pct"] == 25.0
    assert rows[0]["landslide_pct"] == 75.0 and rows[0]["fr"] == 3.0


def test_encoded_stack_holds_the_fr_of_each_cell(tiny, vector, tmp_path):
    samples = samples_layer(vector, [(0, 0), (0, 1), (1, 0), (0, 2), (2, 0)],
                            [1, 1, 1, 1, 0], ["train"] * 5)
    result = fr.compute_fr(str(tiny), str(samples),
                           overrides=fr.parse_overrides("f:custom:1.5,2.5,3.5"))
    out = tmp_path / "fr.tif"
    info = fr.encode_stack(str(tiny), result.encodings, str(out))
    enc_f, _ = read_raster(out, 1)
    expected = np.array([[3, 3, 1, 1], [3, 3, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0]])
    assert np.allclose(enc_f, expected)
    meta = stk.stack_info(str(out))
    assert meta.encoding == "fr" and meta.names == ["f", "g", "h"]
    assert meta.encoding_spec["fingerprint"] == info["fingerprint"]
    with pytest.raises(LsmError, match="already FR-encoded"):
        fr.compute_fr(str(out), str(samples))


def test_validation_landslides_never_change_the_encoding(tiny, vector):
    base = [(0, 0), (0, 1), (1, 0), (2, 0)]
    a = samples_layer(vector, base + [(3, 3)], [1, 1, 1, 0, 1],
                      ["train"] * 4 + ["validation"], "a.gpkg")
    b = samples_layer(vector, base + [(0, 3)], [1, 1, 1, 0, 1],
                      ["train"] * 4 + ["validation"], "b.gpkg")
    ra = fr.compute_fr(str(tiny), str(a), method="equal_interval", classes=3)
    rb = fr.compute_fr(str(tiny), str(b), method="equal_interval", classes=3)
    assert fr.fingerprint(ra.encodings) == fr.fingerprint(rb.encodings)


def test_aspect_sectors():
    a = np.array([-1.0, 0.0, 22.4, 22.6, 90.0, 180.0, 270.0, 337.4, 337.6, 359.9])
    assert fr.aspect_sector(a).tolist() == [0, 1, 1, 2, 3, 5, 7, 8, 1, 1]


@settings(max_examples=50, deadline=None)
@given(area=st.lists(st.integers(0, 1000), min_size=2, max_size=10),
       data=st.data())
def test_fr_properties(area, data):
    """FR is finite and >= 0; area-weighted mean FR is 1 when landslides fall on area."""
    landslides = [data.draw(st.integers(0, a)) for a in area]
    values = fr.frequency_ratio(area, landslides)
    assert np.all(np.isfinite(values)) and np.all(values >= 0)
    assert np.all(values[np.array(area) == 0] == 0)
    assert np.all(values[np.array(landslides) == 0] == 0)
    if sum(landslides) > 0:
        weights = np.array(area) / sum(area)
        assert abs(float(weights @ values) - 1.0) < 1e-9


def test_overrides_are_checked():
    with pytest.raises(LsmError, match="Unknown classing method"):
        fr.parse_overrides("slope:magic")
    with pytest.raises(LsmError, match="needs its breaks"):
        fr.parse_overrides("slope:custom")
    spec = fr.parse_overrides("slope:quantile:6\nlitho:categories")
    assert spec["slope"].classes == 6 and spec["litho"].method == "categories"


def test_ecuador_fr_is_finite(ecuador, tmp_path):
    from landslide_lsm_plugin.core import sampling as smp

    st_ = tmp_path / "stack.tif"
    stk.build_stack(stk.factors_from_rasters([str(ecuador / "ta.tif")], stk.CONTINUOUS), str(st_))
    samples = tmp_path / "samples.gpkg"
    smp.prepare_samples(str(ecuador / "lsl_points.gpkg"), str(st_), str(samples),
                        label_field="lslpts")
    result = fr.compute_fr(str(st_), str(samples), classes=6)
    assert len(result.encodings) == 5
    for enc in result.encodings:
        assert np.all(np.isfinite(enc.fr)) and sum(enc.landslide_cells) == 175 - round(0.3 * 175)
    encoded = tmp_path / "fr.tif"
    fr.encode_stack(str(st_), result.encodings, str(encoded))
    spec = json.loads(__import__("osgeo.gdal").gdal.Open(str(encoded))
                      .GetMetadataItem("LSM_FR_ENCODING"))
    assert [f["factor"] for f in spec["factors"]] == ["slope", "cplan", "cprof", "elev",
                                                      "log10_carea"]


def test_the_estimator_shaped_encoder_equals_compute_fr_on_the_same_cells(raster, vector,
                                                                          tmp_path):
    """FrequencyRatioEncoder(...).fit(values, labels) on a stack's cells gives the encoding
    compute_fr finds window by window (natural breaks on every cell: fewer than the sample)."""
    rng = np.random.default_rng(3)
    slope = rng.gamma(2.0, 8.0, (30, 40)).astype(np.float32)
    lith = rng.integers(1, 5, (30, 40)).astype(np.float32)
    paths = [raster("slope.tif", slope), raster("lith.tif", lith)]
    stack = tmp_path / "stack.tif"
    stk.build_stack([stk.Factor("slope", str(paths[0])),
                     stk.Factor("lith", str(paths[1]), kind="categorical")], str(stack))
    cells = [tuple(c) for c in rng.integers(0, (30, 40), (60, 2))]
    cells = list(dict.fromkeys(cells))
    labels = [1] * (len(cells) - 10) + [0] * 10
    samples = samples_layer(vector, cells, labels, ["train"] * len(cells))
    expected = fr.compute_fr(str(stack), str(samples), classes=5).encodings

    x = np.column_stack([slope.ravel(), lith.ravel()]).astype(np.float64)
    y = np.zeros(x.shape[0], dtype=int)
    for (r, c), label in zip(cells, labels):
        y[r * 40 + c] = label
    encoder = fr.FrequencyRatioEncoder(classes=5, names=["slope", "lith"],
                                       kinds=["continuous", "categorical"]).fit(x, y)
    for mine, theirs in zip(encoder.encodings_, expected):
        got, want = mine.to_dict(), theirs.to_dict()
        for key in ("edges", "fr"):
            assert np.allclose(got.pop(key), want.pop(key), rtol=1e-12), key
        assert got == want
    assert np.allclose(encoder.edges_[0], expected[0].edges) and encoder.edges_[1].size == 0
    # transform: each cell's FR, window by window the same; NaN for nodata and unseen codes
    encoded = encoder.transform(x)
    assert np.allclose(encoded[:, 1], np.asarray(expected[1].fr)[(x[:, 1] - 1).astype(int)])
    halves = np.vstack([encoder.transform(x[:600]), encoder.transform(x[600:])])
    assert np.array_equal(halves, encoded)
    odd = encoder.transform(np.array([[np.nan, 9.0], [5.0, 2.0]]))
    assert np.isnan(odd[0]).all() and np.isfinite(odd[1]).all()
