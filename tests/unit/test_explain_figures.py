"""The figures that explain models (presentation/explain_figures.py): factor importance bars,
response curves over the training distribution, the FR bar chart of an FR table. Drawn with
matplotlib's object API on an Agg canvas; names come from files anyone may have written."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imread

from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.records import Explanation, FactorDrop, ResponseCurve
from landslide_lsm_plugin.presentation import explain_figures as ef

FACTORS = ("slope", "dem", "lithology", "dist_rivers")
CATEGORICAL = ("lithology",)


def curve(factor: str, seed: int) -> ResponseCurve:
    """A response curve as 'Factor importance and response curves' writes one: continuous
    (20 values, 10 histogram bins: 11 edges) or categorical (the codes, one count each)."""
    rng = np.random.default_rng(seed)
    if factor in CATEGORICAL:
        codes = (1.0, 2.0, 5.0, 7.0)
        return ResponseCurve(factor, "categorical", codes,
                             tuple(float(v) for v in rng.uniform(0.2, 0.8, 4)), codes,
                             tuple(int(v) for v in rng.integers(0, 50, 4)),
                             tuple(int(v) for v in rng.integers(1, 50, 4)))
    x = np.linspace(0.0, 60.0, 20)
    return ResponseCurve(factor, "continuous", tuple(float(v) for v in x),
                         tuple(float(v) for v in 0.5 + 0.3 * np.tanh((x - 30) / 10)),
                         tuple(float(v) for v in np.linspace(0.0, 60.0, 11)),
                         tuple(int(v) for v in rng.integers(0, 40, 10)),
                         tuple(int(v) for v in rng.integers(0, 40, 10)))


def explanation(name: str = "SVM", factors=FACTORS, seed: int = 0,
                curves: bool = True) -> Explanation:
    """An explanation, most important factor first, read back through its checks."""
    means = np.linspace(0.12, -0.01, len(factors))
    importance = tuple(FactorDrop(f, float(m), 0.01 + 0.002 * i,
                                  tuple(float(m + d) for d in (-0.01, 0.0, 0.01)))
                       for i, (f, m) in enumerate(zip(factors, means)))
    made = Explanation(name, "svm", "svm.lsmodel", 0.734, importance,
                       tuple(curve(f, seed + i) for i, f in enumerate(factors)) if curves
                       else (), n_importance=163, repeats=3, seed=42, n_response=371)
    return Explanation.from_dict(made.to_dict(), "test")


def figure(size=(8, 6)) -> Figure:
    fig = Figure(figsize=size, constrained_layout=True)
    FigureCanvasAgg(fig)
    return fig


def decoded(path) -> np.ndarray:
    """The pixels of a PNG file (it must decode), of a figure with something drawn."""
    assert path.stat().st_size > 5_000
    pixels = imread(str(path))
    assert pixels.ndim == 3 and pixels.shape[0] > 200 and pixels.shape[1] > 200
    assert pixels.std() > 0.01  # not a blank page
    return pixels


# --- factor importance ---------------------------------------------------------------------------

def test_importance_bars_follow_the_explanation_most_important_on_top():
    e = explanation(factors=("b_second", "a_first", "c_third", "noise"))
    fig = figure()
    ax = fig.add_subplot(1, 1, 1)
    ef.draw_importance(ax, e, color="#123456")
    bars = ax.patches
    assert len(bars) == len(e.importance)
    # from the top down, in the explanation's order (not sorted by name)
    top_down = sorted(bars, key=lambda b: -b.get_y())
    assert [round(b.get_width(), 9) for b in top_down] == [round(f.mean, 9)
                                                          for f in e.importance]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    positions = list(ax.get_yticks())
    assert [labels[positions.index(p)] for p in sorted(positions, reverse=True)] == \
        ["b_second", "a_first", "c_third", "noise"]
    assert bars[0].get_facecolor()[:3] == pytest.approx((0x12 / 255, 0x34 / 255, 0x56 / 255))
    assert ax.get_xlabel() == "Drop of validation AUROC when permuted"
    # with the number of validation samples it stands on (a subset where there are many)
    assert ax.get_title() == "SVM (AUROC 0.734, n = 163)"
    # the negative mean of the last factor is drawn to the left of the zero line
    assert top_down[-1].get_width() < 0
    assert any(list(line.get_xdata()) == [0, 0] for line in ax.get_lines())
    fig.canvas.draw()


def test_importance_figure_of_one_and_of_several_models(tmp_path):
    one = ef.save_importance_figure([explanation()], tmp_path / "one.png")
    several = ef.save_importance_figure(
        [explanation("SVM"), explanation("KLR", seed=1), explanation("LSNet", seed=2),
         explanation("RF", seed=3)], tmp_path / "several.png", dpi=80)
    small, large = decoded(one), decoded(several)
    assert large.shape[1] > small.shape[1]  # side by side: wider
    assert ef.importance_size([explanation()] * 2)[0] > ef.importance_size([explanation()])[0]
    svg = ef.save_importance_figure([explanation()], tmp_path / "one.svg")
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.png", "one.svg", "several.png"]


def test_importance_panels_share_one_x_range():
    fig = figure((12, 5))
    ef.draw_importance_panels(fig, [explanation("A"), explanation("B", seed=2)],
                              colors=["#ff0000", None])
    a, b = [ax for ax in fig.axes if ax.get_visible()]
    assert a.get_xlim() == b.get_xlim()
    assert b.patches[0].get_facecolor()[:3] != a.patches[0].get_facecolor()[:3]
    with pytest.raises(LsmError, match="no factor importance"):
        ef.draw_importance_panels(figure(), [])


def test_a_long_importance_is_cut_to_the_most_important_factors():
    names = tuple(f"factor_{i:03d}" for i in range(ef.MAX_IMPORTANCE_BARS + 15))
    e = explanation(factors=names, curves=False)
    fig = figure((6, 14))
    ax = fig.add_subplot(1, 1, 1)
    ef.draw_importance(ax, e)
    assert len(ax.patches) == ef.MAX_IMPORTANCE_BARS
    assert f"{ef.MAX_IMPORTANCE_BARS} most important of {len(names)}" in ax.get_title()
    assert ef.importance_size([e])[1] < 20  # inches: bounded


# --- response curves -----------------------------------------------------------------------------

def test_response_curves_one_panel_per_factor_a_line_per_model_legend_once(tmp_path):
    explanations = [explanation("SVM"), explanation("KLR", seed=5)]
    fig = figure(ef.response_size(explanations))
    ef.draw_response_curves(fig, explanations, colors=["#1f77b4", "#d62728"])
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in titled] == list(FACTORS)  # most important first
    continuous = titled[0]
    assert len(continuous.get_lines()) == 2  # a curve per model
    assert continuous.get_ylabel() == "Mean P(landslide)"
    np.testing.assert_allclose(continuous.get_lines()[0].get_xdata(),
                               explanations[0].curves[0].values)
    categorical = titled[FACTORS.index("lithology")]
    markers = categorical.get_lines()
    assert len(markers) == 2 and all(line.get_linestyle() == "None" for line in markers)
    assert all(line.get_marker() == "o" for line in markers)
    # the training distribution beneath each panel: landslide and non-landslide shares
    hist = [ax for ax in fig.axes if not ax.get_title() and ax.axison]
    assert len(hist) == len(FACTORS)
    assert all(ax.patches for ax in hist)
    assert sum(ax.get_legend() is not None for ax in fig.axes) == 1
    legend = next(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)
    assert [t.get_text() for t in legend.get_texts()] == [
        "SVM", "KLR", "Training landslides", "Training non-landslides"]
    decoded(ef.save_response_figure(explanations, tmp_path / "curves.png"))
    decoded(ef.save_response_figure(explanations[:1], tmp_path / "one.png"))


def test_response_curves_show_the_union_of_the_models_factors():
    a = explanation("A", factors=("slope", "dem"))
    b = explanation("B", factors=("dem", "lithology"), seed=3)
    fig = figure((9, 7))
    ef.draw_response_curves(fig, [a, b])
    panels = {ax.get_title(): ax for ax in fig.axes if ax.get_title()}
    assert set(panels) == {"slope", "dem", "lithology"}
    assert len(panels["dem"].get_lines()) == 2
    assert len(panels["slope"].get_lines()) == 1 and len(panels["lithology"].get_lines()) == 1
    fig.canvas.draw()


def test_categorical_histograms_sit_at_the_codes():
    e = explanation(factors=("lithology",))
    fig = figure((5, 5))
    ef.draw_response_curves(fig, [e])
    hist = next(ax for ax in fig.axes if not ax.get_title() and ax.axison)
    labels = [t.get_text() for t in hist.get_xticklabels()]
    assert labels == ["1", "2", "5", "7"]
    assert len(hist.patches) == 8  # two bars (landslide, other) per code


def test_without_curves_the_figure_says_so():
    fig = figure()
    ef.draw_response_curves(fig, [explanation(curves=False)])
    assert "No response curves" in fig.axes[0].texts[0].get_text()


# --- the FR bar chart ----------------------------------------------------------------------------

def fr_rows() -> list[dict]:
    """Rows as the FR algorithm's table has them (processing/report.py table_rows): a binned
    factor, aspect sectors and categories, with gaps (None) where a value is missing."""
    rows = []
    edges = [0.0, 12.5, 24.0, 38.7, 75.8]
    area, slides = [2620, 4381, 5452, 6720], [13, 29, 32, 6]
    for i in range(4):
        rows.append({"factor": "slope", "class": i + 1,
                     "range": f"{edges[i]:.6g} – {edges[i + 1]:.6g}", "lower": edges[i],
                     "upper": edges[i + 1], "category": "", "area_cells": area[i],
                     "area_pct": 100 * area[i] / sum(area), "landslide_cells": slides[i],
                     "landslide_pct": 100 * slides[i] / sum(slides),
                     "fr": (slides[i] / sum(slides)) / (area[i] / sum(area))})
    for i, sector in enumerate(("flat", "N", "NE", "E")):
        rows.append({"factor": "aspect", "class": i + 1, "range": sector, "lower": None,
                     "upper": None, "category": sector, "area_cells": [0, 10, 20, 30][i],
                     "area_pct": None, "landslide_cells": [0, 1, 4, 2][i],
                     "landslide_pct": None, "fr": None if i == 0 else 1.1})
    # text values, as a CSV layer gives them, and a class without a label
    rows.append({"factor": "lithology", "class": "2", "range": "2", "area_pct": "40.0",
                 "landslide_pct": "55.5", "fr": "1.3875"})
    rows.append({"factor": "lithology", "class": "1", "range": "", "category": None,
                 "area_pct": "60", "landslide_pct": "44.5", "fr": "0.74"})
    rows.append({"factor": None, "class": 1, "fr": 2.0})  # no factor: left out
    return rows


def test_fr_classes_read_realistic_rows_with_gaps():
    classes = ef.fr_classes(fr_rows())
    assert list(classes) == ["slope", "aspect", "lithology"]
    slope = classes["slope"]
    assert [c["label"] for c in slope] == ["0 – 12.5", "12.5 – 24", "24 – 38.7", "38.7 – 75.8"]
    assert sum(c["area_pct"] for c in slope) == pytest.approx(100)
    aspect = classes["aspect"]
    assert [c["label"] for c in aspect] == ["flat", "N", "NE", "E"]
    assert aspect[0]["fr"] is None and aspect[1]["fr"] == 1.1
    # the shares from the cell counts where the percentages are missing
    assert [c["area_pct"] for c in aspect] == pytest.approx([0, 100 / 6, 200 / 6, 300 / 6])
    assert [c["landslide_pct"] for c in aspect] == pytest.approx([0, 100 / 7, 400 / 7,
                                                                  200 / 7])
    lithology = classes["lithology"]  # by class number, text read as numbers
    assert [c["label"] for c in lithology] == ["class 1", "2"]
    assert [c["fr"] for c in lithology] == [0.74, 1.3875]


def test_fr_chart_draws_every_factor_with_its_shares(tmp_path):
    rows = fr_rows()
    fig = figure(ef.fr_size(rows))
    ef.draw_fr_chart(fig, rows)
    panels = {ax.get_title(): ax for ax in fig.axes if ax.get_title()}
    assert list(panels) == ["slope", "aspect", "lithology"]
    slope = panels["slope"]
    assert len(slope.patches) == 4
    heights = [p.get_height() for p in slope.patches]
    assert heights == pytest.approx([r["fr"] for r in rows[:4]])
    # bars above 1 in one colour, below 1 in the other; the dashed line at FR = 1
    colors = {round(h, 6) > 1: p.get_facecolor() for h, p in zip(heights, slope.patches)}
    assert colors[True] != colors[False]
    assert any(list(line.get_ydata()) == [1.0, 1.0] for line in slope.get_lines())
    assert "n/a" in [t.get_text() for t in panels["aspect"].texts]  # FR missing
    shares = [ax for ax in fig.axes if not ax.get_title() and ax.axison]
    assert len(shares) == 3 and len(shares[0].patches) == 8  # area and landslides per class
    assert [t.get_text() for t in shares[1].get_xticklabels()] == ["flat", "N", "NE", "E"]
    decoded(ef.save_fr_figure(rows, tmp_path / "fr.png"))


def test_fr_chart_of_twelve_factors_of_ten_classes_stays_bounded(tmp_path):
    rng = np.random.default_rng(1)
    rows = [{"factor": f"factor_{k}", "class": c + 1,
             "range": f"{c * 10.25:.6g} – {(c + 1) * 10.25:.6g}",
             "lower": c * 10.25, "upper": (c + 1) * 10.25,
             "area_pct": float(rng.uniform(2, 20)), "landslide_pct": float(rng.uniform(0, 25)),
             "fr": float(rng.uniform(0, 3))} for k in range(12) for c in range(10)]
    width, height = ef.fr_size(rows)
    assert width <= 14 and height <= 18
    pixels = decoded(ef.save_fr_figure(rows, tmp_path / "fr12.png", dpi=100))
    assert pixels.shape[1] <= 1400


def test_fr_chart_of_an_empty_table_says_so():
    fig = figure()
    ef.draw_fr_chart(fig, [{"factor": ""}, {}])
    assert "No frequency ratios" in fig.axes[0].texts[0].get_text()


# --- hostile names and atomic files --------------------------------------------------------------

def test_names_with_markup_and_mathtext_are_drawn_as_text(tmp_path):
    names = ("<script>alert(1)</script>", r"$\foo$ broken", "_hidden", "a" * 300)
    e = explanation(name="_model <b>", factors=names)
    for save in (ef.save_importance_figure, ef.save_response_figure):
        decoded(save([e], tmp_path / f"{save.__name__}.png"))
    fig = figure((12, 9))
    ef.draw_response_curves(fig, [e])
    fig.canvas.draw()  # mathtext would fail here on $\foo$
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert "<script>alert(1)</script>" in titles
    assert r"\$\foo\$ broken" in titles  # escaped: drawn as written
    assert max(len(t) for t in titles) <= ef.LABEL_CHARS + 1
    legend = next(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)
    assert legend.get_texts()[0].get_text().endswith("_model <b>")  # not dropped for its '_'
    rows = [{"factor": name, "class": 1, "range": "<i>$x$</i>", "fr": 1.5, "area_pct": 10,
             "landslide_pct": 15} for name in names]
    decoded(ef.save_fr_figure(rows, tmp_path / "fr.png"))


def test_figures_are_written_atomically(tmp_path):
    target = tmp_path / "importance.png"
    target.write_bytes(b"the previous figure")
    ef.save_importance_figure([explanation()], target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["importance.png"]  # no temporary left
    # a figure that cannot be drawn leaves the file as it was
    before = target.read_bytes()
    with pytest.raises(LsmError):
        ef.save_importance_figure([], target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["importance.png"]


def test_short_names_and_legend_labels():
    assert ef.short("x" * 40, 10) == "x" * 9 + "…"
    assert ef.short("two\nlines  here") == "two lines here"
    assert ef.short("$5") == r"\$5"
    assert ef.legend_label("_x") == "\u200b_x" and ef.legend_label("x") == "x"
    assert not math.isnan(ef.importance_limits([explanation()])[0])


# --- area of applicability -----------------------------------------------------------------------

def aoa_raster(path, kind: str, data: np.ndarray, threshold: float = 0.5):
    """A raster tagged as 'Area of applicability' writes it (records.AoaTags)."""
    from osgeo import gdal

    from landslide_lsm_plugin.core.records import AoaTags

    from ..conftest import write_raster

    write_raster(path, data, nodata=255 if kind == "applicability" else -9999.0,
                 dtype=gdal.GDT_Byte if kind == "applicability" else gdal.GDT_Float32)
    ds = gdal.Open(str(path), gdal.GA_Update)
    ds.SetMetadata(AoaTags(kind, threshold, 2.5, 120, "equal", "stack.tif",
                           float((data <= threshold).mean()), "other.tif").to_metadata())
    ds = None
    return path


def test_area_of_applicability_maps_and_their_tags(tmp_path):
    from landslide_lsm_plugin.core.records import AoaTags

    from ..conftest import write_raster

    yy, xx = np.mgrid[0:80, 0:120]
    di = (xx / 120 + 0.3 * np.sin(yy / 8)).astype(np.float32)
    paths = {"dissimilarity": aoa_raster(tmp_path / "di.tif", "dissimilarity", di),
             "applicability": aoa_raster(tmp_path / "aoa.tif", "applicability",
                                         (di <= 0.5).astype(np.uint8))}
    for kind, path in paths.items():
        tags = ef.aoa_tags(path)
        assert tags.kind == kind and tags.threshold == 0.5 and tags.n_training == 120
        fig = figure((6, 5))
        ax = fig.add_subplot(1, 1, 1)
        ef.draw_aoa(ax, path, tags, f"{kind}: <b>$x$</b>")
        fig.savefig(str(tmp_path / f"{kind}.png"))
        decoded(tmp_path / f"{kind}.png")
        assert ax.get_title() == kind + r": <b>\$x\$</b>"
    # the threshold on the colour bar of the dissimilarity index
    fig = figure((6, 5))
    ax = fig.add_subplot(1, 1, 1)
    ef.draw_aoa(ax, paths["dissimilarity"], ef.aoa_tags(paths["dissimilarity"]), "DI")
    assert "threshold 0.5" in fig.axes[-1].get_ylabel()
    assert ax.collections  # the outline of the area of applicability
    # any other raster is refused, by name
    other = write_raster(tmp_path / "lsi.tif", di)
    with pytest.raises(LsmError, match=r"lsi\.tif' is not a raster of 'Area of applicab"):
        ef.aoa_tags(other)
    assert AoaTags.from_metadata({}).kind == ""
