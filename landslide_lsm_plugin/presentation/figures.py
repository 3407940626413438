"""Figures with matplotlib's object API (Figure, never pyplot): ROC curves and rate curves.

The same drawing functions serve the PNG/SVG files and the comparison dock's canvas.
"""

from __future__ import annotations

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


def save_roc_figure(models: Sequence[EvaluatedModel], path: str | Path, dpi: int = 120) -> Path:
    """Write the ROC figure as PNG or SVG (by extension), atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rates = any(m.success_rate for m in models)
    fig = Figure(figsize=(15 if rates else 6, 5.6), dpi=dpi, constrained_layout=True)
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 3 if rates else 1)
    draw_roc(axes[0] if rates else axes, models)
    if rates:
        draw_rates(axes[1], models, "success_rate", "Success rate (training landslides)")
        draw_rates(axes[2], models, "prediction_rate", "Prediction rate (validation landslides)")
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
    ax.legend(handles=[Patch(color=c, label=plain(lab)) for c, lab in zip(colors, labels)],
              loc="lower left", fontsize="x-small", framealpha=0.85)
    _map_axes(ax, title)


def _map_axes(ax, title: str) -> None:
    ax.set_title(plain(title))
    ax.ticklabel_format(style="plain", useOffset=False)
    ax.tick_params(labelsize="x-small")
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
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
