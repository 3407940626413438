"""Figures with matplotlib's object API (Figure, never pyplot): ROC curves, rate curves and
the reliability diagram.

The same drawing functions serve the PNG/SVG files and the comparison dock's canvas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from ..core.errors import LsmError
from ..core.raster import atomic_file
from ..core.records import EvaluatedModel, ZoneTags

MODEL_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
                "#17becf")


#: most classes a zone map's legend shows (Classify LSI makes up to 12, custom breaks more)
MAX_ZONES = 50


def color_of(index: int) -> str:
    return MODEL_COLORS[index % len(MODEL_COLORS)]


def plain(text) -> str:
    """``text`` drawn as it is: every ``$`` escaped, so a model name such as ``a$b$`` is not
    parsed as mathtext (which would draw it wrongly, or fail on ``$\\foo$``)."""
    return str(text).replace("$", r"\$")


def draw_roc(ax, models: Sequence[EvaluatedModel], title: str = "ROC on the validation samples",
             title_size: str = "large") -> None:
    """ROC curves of evaluated models (of a results file) with AUROC in the legend."""
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", linewidth=1, label="Chance (0.5)")
    for i, m in enumerate(models):
        auroc = m.metrics["auroc"]
        ax.plot(m.roc["fpr"], m.roc["tpr"], color=m.color or color_of(i),
                linewidth=2, label=plain(f"{m.name} (AUROC {auroc:.3f})"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_xlabel("False positive rate (1 - specificity)")
    ax.set_ylabel("True positive rate (sensitivity)")
    ax.set_title(plain(title), fontsize=title_size)
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")


def draw_rates(ax, models: Sequence[EvaluatedModel], key: str, title: str) -> None:
    """Success- or prediction-rate curves (key 'success_rate' or 'prediction_rate')."""
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", linewidth=1)
    for i, m in enumerate(models):
        curve = getattr(m, key)
        if curve:
            ax.plot(curve["area"], curve["landslides"], color=m.color or color_of(i),
                    linewidth=2, label=plain(f"{m.name} (AUC {curve['auc']:.3f})"))
    ax.set_xlabel("Cumulative share of the area (highest LSI first)")
    ax.set_ylabel("Cumulative share of landslides")
    ax.set_title(plain(title))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")


def brier_of(m: EvaluatedModel) -> float | None:
    """A model's Brier score, or None where the results hold none (older files, an LSI
    outside 0..1)."""
    value = m.metrics.get("brier")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def draw_reliability(ax, models: Sequence[EvaluatedModel],
                     title: str = "Reliability on the validation samples",
                     title_size: str = "large") -> None:
    """The reliability diagram: per LSI bin, the observed share of landslides against the
    mean LSI, one line per model in its colour, marker area growing with the samples in the
    bin; the diagonal is a perfectly calibrated map. Brier scores in the legend."""
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", linewidth=1,
            label="Perfectly calibrated")
    drawn = [i for i, m in enumerate(models) if m.reliability and m.reliability.get("count")]
    largest = max((max(models[i].reliability["count"]) for i in drawn), default=1) or 1
    for i in drawn:
        m = models[i]
        rel, color = m.reliability, m.color or color_of(i)
        brier = brier_of(m)
        label = f"{m.name} (Brier {brier:.3f})" if brier is not None else str(m.name)
        ax.plot(rel["lsi"], rel["observed"], color=color, linewidth=1.5, label=plain(label))
        sizes = [12 + 150 * c / largest for c in rel["count"]]
        ax.scatter(rel["lsi"], rel["observed"], s=sizes, color=color, edgecolors="white",
                   linewidths=0.6, zorder=3)
    if not drawn:
        ax.text(0.5, 0.5, "No reliability data in these results\n(run Evaluate again)",
                ha="center", va="center", color="#666666", transform=ax.transAxes)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("Mean LSI in the bin")
    ax.set_ylabel("Observed share of landslides")
    ax.set_title(plain(title), fontsize=title_size)
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)
    ax.text(0.98, 0.02, "marker area: samples in the bin", ha="right", va="bottom",
            fontsize="x-small", color="#555555", transform=ax.transAxes)
    ax.legend(loc="upper left", fontsize="small")


def has_reliability(models: Sequence[EvaluatedModel]) -> bool:
    """True when any model of the results has a reliability diagram."""
    return any(m.reliability and m.reliability.get("count") for m in models)


def draw_curves(fig, models: Sequence[EvaluatedModel], short_titles: bool = False) -> None:
    """ROC, then the reliability diagram where the results have one, then the success- and
    prediction-rate curves where they have them: one row, or two rows of two when there
    are four panels (so each stays legible)."""
    rates = any(m.success_rate for m in models)
    reliable = has_reliability(models)
    n = 1 + int(reliable) + 2 * int(rates)
    axes = list(fig.subplots(2, 2).ravel()) if n == 4 else (
        list(fig.subplots(1, n)) if n > 1 else [fig.subplots(1, 1)])
    draw_roc(axes.pop(0), models)
    if reliable:
        draw_reliability(axes.pop(0), models)
    if rates:
        draw_rates(axes.pop(0), models, "success_rate", "Success rate" if short_titles
                   else "Success rate (training landslides)")
        draw_rates(axes.pop(0), models, "prediction_rate", "Prediction rate" if short_titles
                   else "Prediction rate (validation landslides)")


def curves_size(models: Sequence[EvaluatedModel]) -> tuple[float, float]:
    """The figure size (inches) of :func:`draw_curves` for these models."""
    n = 1 + int(has_reliability(models)) + 2 * int(any(m.success_rate for m in models))
    return {1: (6.0, 5.6), 2: (12.0, 5.6), 3: (16.0, 5.6), 4: (12.0, 11.0)}[n]


def save_roc_figure(models: Sequence[EvaluatedModel], path: str | Path, dpi: int = 120) -> Path:
    """Write the ROC figure as PNG or SVG (by extension), atomically: the ROC curves, the
    reliability diagram where the results have one, the rate curves where they have them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=curves_size(models), dpi=dpi, constrained_layout=True)
    FigureCanvasAgg(fig)
    draw_curves(fig, models)
    path = Path(path)
    with atomic_file(path) as tmp:
        fig.savefig(str(tmp), format=path.suffix.lstrip(".").lower() or "png")
    return path


def read_preview(path: str | Path, max_side: int = 700):
    """A raster's first band decimated to at most ``max_side`` cells a side (masked nodata),
    with its extent (xmin, xmax, ymin, ymax). Only a regular file GDAL can read is opened
    (results_file.check_raster): an LsmError otherwise."""
    import numpy as np
    from osgeo import gdal

    from ..core.raster import gdal_exceptions
    from ..core.results_file import check_raster

    ds = check_raster(str(path), "raster")
    band = ds.GetRasterBand(1)
    scale = max(1.0, max(ds.RasterXSize, ds.RasterYSize) / max_side)
    w, h = max(1, int(ds.RasterXSize / scale)), max(1, int(ds.RasterYSize / scale))
    try:
        with gdal_exceptions():
            data = band.ReadAsArray(buf_xsize=w, buf_ysize=h,
                                    resample_alg=gdal.GRIORA_NearestNeighbour)
    except RuntimeError as exc:
        raise LsmError(f"Cannot read the raster '{path}': {exc}") from exc
    if data is None or np.iscomplexobj(data):
        raise LsmError(f"Cannot read the raster '{path}' as a map of numbers.")
    data = data.astype(float)
    nodata = band.GetNoDataValue()
    mask = ~np.isfinite(data) | ((data == nodata) if nodata is not None else False)
    x0, dx, _, y0, _, dy = ds.GetGeoTransform()
    extent = (x0, x0 + dx * ds.RasterXSize, y0 + dy * ds.RasterYSize, y0)
    meta = ds.GetMetadata()
    return np.ma.array(data, mask=mask), extent, meta


def draw_lsi(ax, path: str | Path, title: str) -> None:
    """An LSI raster, green (0) to red (1), with a colour bar."""
    from matplotlib.colors import LinearSegmentedColormap

    from .styles import ZONE_COLORS_5

    data, extent, _ = read_preview(path)
    cmap = LinearSegmentedColormap.from_list("lsi", ZONE_COLORS_5)
    image = ax.imshow(data, extent=extent, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="LSI (P landslide)")
    _map_axes(ax, title)


def draw_sd(ax, path: str | Path, title: str) -> None:
    """The standard deviation of an ensemble's LSI (the uncertainty map), light to dark
    purple, with a colour bar (0 .. the larger of 0.05 and the map's maximum)."""
    from matplotlib.colors import LinearSegmentedColormap

    from .styles import SD_COLORS_5

    data, extent, _ = read_preview(path)
    top = max(0.05, float(data.max())) if data.count() else 0.25
    cmap = LinearSegmentedColormap.from_list("sd", SD_COLORS_5)
    image = ax.imshow(data, extent=extent, cmap=cmap, vmin=0, vmax=top, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="SD of the members' LSI")
    _map_axes(ax, title)


def draw_zones(ax, path: str | Path, title: str) -> None:
    """A zone raster with its class colours and a legend."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    from ..core.classing import zone_labels
    from .styles import ramp_colors

    data, extent, meta = read_preview(path)
    top = float(data.max()) if data.count() else 5.0
    labels = list(ZoneTags.from_metadata(meta).labels) or zone_labels(
        int(top) if 1 <= top <= MAX_ZONES else MAX_ZONES + 1)
    if len(labels) > MAX_ZONES:
        raise LsmError(f"'{path}' is not a zone map: it has more than {MAX_ZONES} classes.")
    colors = ramp_colors(len(labels))
    cmap = ListedColormap(colors)
    norm = BoundaryNorm([i + 0.5 for i in range(len(labels) + 1)], cmap.N)
    ax.imshow(data, extent=extent, cmap=cmap, norm=norm, interpolation="nearest")
    # beside the map, in the size of the axis labels: legible where the report shrinks the
    # figure to its column
    ax.legend(handles=[Patch(color=c, label=plain(lab)) for c, lab in zip(colors, labels)],
              loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
              fontsize="medium", frameon=False)
    _map_axes(ax, title)


def _map_axes(ax, title: str) -> None:
    ax.set_title(plain(title))
    ax.ticklabel_format(style="plain", useOffset=False)
    ax.tick_params(labelsize="small")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(4))  # long map coordinates must not overlap
    ax.set_aspect("equal")


def figure_png(draw, size=(6.5, 5.5), dpi: int = 110) -> bytes:
    """PNG bytes of a figure drawn by ``draw(fig)`` (object API, Agg canvas)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi, constrained_layout=True)
    FigureCanvasAgg(fig)
    draw(fig)
    buffer = io.BytesIO()
    # cropped to what is drawn: a legend beside a map and long tick labels stay whole
    fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.08)
    return buffer.getvalue()
