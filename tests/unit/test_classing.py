"""Classing: natural breaks, equal interval, quantile, custom; properties with hypothesis."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from landslide_lsm_plugin.core import classing
from landslide_lsm_plugin.core.errors import LsmError


def test_natural_breaks_find_the_gaps_between_clusters():
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.normal(c, 0.02, 300) for c in (0.1, 0.3, 0.5, 0.7, 0.9)])
    edges = classing.compute_breaks("natural_breaks", 5, values, values.min(), values.max())
    assert edges[0] == values.min() and edges[-1] == values.max()
    # each inner break falls in the gap between two neighbouring clusters
    for b, (lo, hi) in zip(edges[1:-1], [(0.1, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.9)]):
        assert lo + 0.05 < b < hi - 0.05
    counts = np.bincount(classing.classify(values, edges), minlength=6)[1:]
    assert counts.tolist() == [300] * 5


def test_equal_interval_and_quantile():
    values = np.arange(100, dtype=float)
    eq = classing.compute_breaks("equal_interval", 4, values, 0.0, 99.0)
    assert np.allclose(eq, [0, 24.75, 49.5, 74.25, 99])
    q = classing.compute_breaks("quantile", 4, values, 0.0, 99.0)
    counts = np.bincount(classing.classify(values, q), minlength=5)[1:]
    assert counts.tolist() == [25, 25, 25, 25]


def test_custom_breaks_parse_and_classify():
    inner = classing.parse_custom_breaks("0.2, 0.4;0.6 0.8")
    assert inner == [0.2, 0.4, 0.6, 0.8]
    edges = classing.compute_breaks("custom", 0, np.array([]), 0.0, 1.0, inner)
    assert classing.classify(np.array([0.0, 0.2, 0.21, 0.8, 0.81, 1.0]), edges).tolist() == \
        [1, 1, 2, 4, 5, 5]


@pytest.mark.parametrize("text", ["", "a, b", "0.5, 0.2", "0.3,0.3"])
def test_bad_custom_breaks_are_refused_with_a_message(text):
    with pytest.raises(LsmError, match="breaks"):
        classing.parse_custom_breaks(text)


def test_custom_breaks_outside_the_range_are_refused():
    with pytest.raises(LsmError, match="inside the data range"):
        classing.compute_breaks("custom", 0, np.array([]), 0.0, 1.0, [0.5, 2.0])


def test_too_few_distinct_values_for_natural_breaks():
    with pytest.raises(LsmError, match="distinct value"):
        classing.natural_breaks(np.array([1.0, 1.0, 2.0, 2.0]), 5)


def test_constant_values_cannot_be_classed():
    with pytest.raises(LsmError, match="constant"):
        classing.compute_breaks("equal_interval", 5, np.ones(10), 1.0, 1.0)


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32)


@settings(max_examples=60, deadline=None)
@given(values=arrays(np.float64, st.integers(12, 400), elements=finite),
       k=st.integers(2, 7),
       method=st.sampled_from(["natural_breaks", "equal_interval", "quantile"]))
def test_classing_properties(values, k, method):
    """Breaks are sorted, every value is in exactly one class 1..k, counts add up."""
    distinct = np.unique(values).size
    try:
        edges = classing.compute_breaks(method, k, values, values.min(), values.max())
    except LsmError:
        # refused only when the data cannot make k distinct classes
        assert distinct <= k or method == "quantile"
        return
    assert len(edges) == k + 1
    assert edges[1] >= edges[0] and np.all(np.diff(edges[1:]) > 0)
    zones = classing.classify(values, edges)
    assert zones.min() >= 1 and zones.max() <= k
    counts = np.bincount(zones, minlength=k + 1)
    assert counts[0] == 0 and counts.sum() == values.size
    # a value is in class i only if it lies within that class's edges
    assert np.all(values[zones > 1] > edges[zones[zones > 1] - 1])
    assert np.all(values <= edges[zones] + 1e-9 * np.abs(edges[zones]).max())


@settings(max_examples=40, deadline=None)
@given(values=arrays(np.float64, st.integers(30, 300), elements=finite, unique=True),
       k=st.integers(2, 6))
def test_jenks_breaks_are_data_values_and_cover_the_range(values, k):
    edges = classing.natural_breaks(values, k)
    assert edges[0] == values.min() and edges[-1] == values.max()
    assert set(edges[1:-1]).issubset(set(values))


def test_the_breaks_sample_has_the_asked_size_however_much_is_nodata(raster):
    """A study area filling 10 % of its raster still gives a sample of the asked size, drawn
    from valid cells only, the same for the same seed, and every valid cell when fewer."""
    from osgeo import gdal

    rng = np.random.default_rng(5)
    data = rng.random((600, 700)).astype(np.float32)
    data[rng.random(data.shape) > 0.1] = -9999.0  # about 42,000 valid cells
    ds = gdal.Open(str(raster("sparse.tif", data)))
    valid = int((data != -9999.0).sum())
    first = classing.sample_cells(ds, [1], size=20000, seed=3)
    assert first.values.shape == (20000, 1) and first.valid_cells == valid
    assert not np.any(first.values == -9999.0)
    assert np.array_equal(first.values, classing.sample_cells(ds, [1], size=20000, seed=3).values)
    assert not np.array_equal(first.values, classing.sample_cells(ds, [1], size=20000,
                                                                  seed=4).values)
    everything = classing.sample_cells(ds, [1], size=10 * valid, seed=3)
    assert everything.values.shape[0] == valid
    assert np.allclose(np.sort(everything.values[:, 0]), np.sort(data[data != -9999.0]))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10 ** 6), k=st.integers(2, 7))
def test_ckmeans_gives_the_exact_natural_breaks_of_fisher_jenks(seed, k):
    """The fast path (Ckmeans.1d.dp, ckwrap) and jenkspy's Fisher-Jenks find the same optimal
    classes of the same values."""
    import jenkspy

    rng = np.random.default_rng(seed)
    values = np.round(np.concatenate([rng.normal(0, 1, 400), rng.gamma(2, 3, 300)]), 3)
    fast = classing.natural_breaks(values, k)
    assert np.array_equal(fast, np.asarray(jenkspy.jenks_breaks(values, n_classes=k)))


def test_natural_breaks_fall_back_to_jenkspy_and_say_what_to_install(monkeypatch):
    from landslide_lsm_plugin import deps

    values = np.random.default_rng(2).normal(0, 1, 500)
    fast = classing.natural_breaks(values, 5)
    monkeypatch.setattr(classing, "module_available", lambda name: name == "jenkspy")
    assert np.array_equal(classing.natural_breaks(values, 5), fast)
    monkeypatch.setattr(classing, "module_available", lambda name: False)
    monkeypatch.setattr(deps, "module_available", lambda name: False)
    with pytest.raises(LsmError, match=r"(?s)ckwrap.*-m pip install.*jenkspy works too"):
        classing.natural_breaks(values, 5)
