"""Figures that explain a model (matplotlib's object API: Figure, never pyplot): the factor
importance bars, the response curves (partial dependence) with the training distribution, the
frequency-ratio bar chart of an FR table, and the maps of the area of applicability.

The same drawing functions serve the PNG/SVG files, the report and the comparison dock. Every
text drawn comes from files anyone may have written: it is drawn as text (figures.plain) and
shortened where it would crowd the figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from ..core.errors import LsmError
from ..core.raster import atomic_file
from ..core.records import AoaTags, Explanation, ResponseCurve
from .figures import color_of, plain, read_preview

#: at most this many factors in one importance panel (the most important ones)
MAX_IMPORTANCE_BARS = 40
#: at most this many factor panels in the response-curve and FR figures
MAX_PANELS = 48
#: at most this many classes (bars) in a factor's FR panel
MAX_FR_CLASSES = 60
#: characters of a factor, model or class name drawn before it is shortened
LABEL_CHARS = 28

#: FR bars above and below 1, the class's share of area and of landslide cells
FR_HIGH, FR_LOW = "#d6604d", "#4393c3"
AREA_COLOR, LANDSLIDE_COLOR = "#9e9e9e", "#b2182b"
#: the training distribution beneath the response curves
TRAIN_OTHER, TRAIN_LANDSLIDE = "#9e9e9e", "#d7191c"
#: the area-of-applicability mask: inside (1) and outside (0)
AOA_INSIDE, AOA_OUTSIDE = "#e5f5e0", "#525252"


def short(text, limit: int = LABEL_CHARS) -> str:
    """``text`` drawn as text (see figures.plain), cut to ``limit`` characters with an
    ellipsis; one line."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return plain(text)


def legend_label(text) -> str:
    """A legend entry: matplotlib leaves out labels that start with '_', so such a name gets
    an invisible space in front."""
    text = plain(text)
    return "\u200b" + text if text.startswith("_") else text


def _number(value) -> Optional[float]:
    """A finite number from a table cell (a number, or text such as a CSV layer gives), else
    None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _save(fig, path: str | Path) -> Path:
    """Write a figure as PNG or SVG (by extension), atomically."""
    path = Path(path)
    with atomic_file(path) as tmp:
        fig.savefig(str(tmp), format=path.suffix.lstrip(".").lower() or "png")
    return path


def _new_figure(size: tuple[float, float], dpi: int):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi, constrained_layout=True)
    FigureCanvasAgg(fig)
    return fig


def _grid(n: int, wide: int = 4) -> tuple[int, int]:
    """(rows, columns) of a grid of ``n`` small panels, at most ``wide`` columns."""
    columns = 1 if n <= 1 else 2 if n <= 4 else 3 if n <= 9 or wide < 4 else 4
    columns = min(columns, wide)
    return max(1, math.ceil(n / columns)), columns


# --- factor importance ---------------------------------------------------------------------------

def _shown_importance(explanation: Explanation):
    return explanation.importance[:MAX_IMPORTANCE_BARS]


def importance_limits(explanations: Sequence[Explanation]) -> tuple[float, float]:
    """An x range that holds every bar and error bar of these explanations (and 0)."""
    lo, hi = 0.0, 0.0
    for e in explanations:
        for f in _shown_importance(e):
            lo, hi = min(lo, f.mean - f.sd), max(hi, f.mean + f.sd)
    span = max(hi - lo, 0.02)
    return lo - 0.06 * span, hi + 0.06 * span


def draw_importance(ax, explanation: Explanation, color: Optional[str] = None,
                    title_size: str = "medium") -> None:
    """Horizontal bars of each factor's mean drop of the validation AUROC when it is permuted,
    its standard deviation over the repeats as error bars, in the explanation's order (most
    important first) from the top; a line at zero."""
    shown = _shown_importance(explanation)
    n = len(shown)
    positions = list(range(n - 1, -1, -1))  # the first factor on top
    ax.barh(positions, [f.mean for f in shown], xerr=[f.sd for f in shown], height=0.7,
            color=color or color_of(0), alpha=0.9, ecolor="#333333",
            error_kw={"elinewidth": 1, "capsize": 3})
    ax.set_yticks(positions)
    ax.set_yticklabels([short(f.factor) for f in shown], fontsize="small")
    ax.set_ylim(-0.6, n - 0.4)
    ax.axvline(0, color="#444444", linewidth=0.8)
    ax.set_xlabel("Drop of validation AUROC when permuted")
    # the AUROC of the samples the importance was computed on (a subset of the validation
    # samples where there are many: it differs from the map's validation AUROC)
    title = f"{short(explanation.model_name, 40)} (AUROC {explanation.base_auroc:.3f}"
    title += f", n = {explanation.n_importance:,})" if explanation.n_importance else ")"
    if len(explanation.importance) > n:
        title += f"\n{n} most important of {len(explanation.importance)} factors"
    ax.set_title(title, fontsize=title_size)
    ax.grid(True, axis="x", alpha=0.3)
    ax.tick_params(axis="x", labelsize="small")


def importance_size(explanations: Sequence[Explanation]) -> tuple[float, float]:
    """The figure size (inches) of :func:`draw_importance_panels` for these explanations."""
    rows, columns = _grid(len(explanations), wide=3)
    bars = max((len(_shown_importance(e)) for e in explanations), default=1)
    return (6.0 if columns == 1 else 4.6 * columns), rows * max(2.6, 1.3 + 0.3 * bars)


def draw_importance_panels(fig, explanations: Sequence[Explanation],
                           colors: Optional[Sequence[Optional[str]]] = None) -> None:
    """One importance panel per explanation (at most three side by side), on one x range so
    the models compare."""
    if not explanations:
        raise LsmError("There is no factor importance to draw.")
    rows, columns = _grid(len(explanations), wide=3)
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    limits = importance_limits(explanations)
    for i, e in enumerate(explanations):
        color = colors[i] if colors is not None and i < len(colors) else None
        draw_importance(axes[i], e, color or color_of(i))
        axes[i].set_xlim(*limits)
    for ax in axes[len(explanations):]:
        ax.set_visible(False)


def save_importance_figure(explanations: Sequence[Explanation], path: str | Path,
                           dpi: int = 120,
                           colors: Optional[Sequence[Optional[str]]] = None) -> Path:
    """Write the importance figure (one panel per model) as PNG or SVG (by extension),
    atomically."""
    fig = _new_figure(importance_size(explanations), dpi)
    draw_importance_panels(fig, explanations, colors)
    return _save(fig, path)


# --- response curves -----------------------------------------------------------------------------

def _curve_factors(explanations: Sequence[Explanation]) -> list[str]:
    """The factors with a response curve in any explanation, the most important (mean drop
    over the explanations) first, then in the order they came."""
    order: dict[str, int] = {}
    for e in explanations:
        for c in e.curves:
            order.setdefault(c.factor, len(order))
    drops: dict[str, list[float]] = {}
    for e in explanations:
        for f in e.importance:
            drops.setdefault(f.factor, []).append(f.mean)

    def key(name: str):
        values = drops.get(name)
        return (-(sum(values) / len(values)) if values else math.inf, order[name])

    return sorted(order, key=key)


def _curve_of(e: Explanation, factor: str) -> Optional[ResponseCurve]:
    return next((c for c in e.curves if c.factor == factor), None)


def response_size(explanations: Sequence[Explanation]) -> tuple[float, float]:
    """The figure size (inches) of :func:`draw_response_curves` for these explanations."""
    n = min(MAX_PANELS, max(1, len(_curve_factors(explanations))))
    rows, columns = _grid(n)
    return (5.5 if columns == 1 else 3.3 * columns), 0.6 + 3.0 * rows


def _shares(counts: Sequence[int]) -> Optional[list[float]]:
    total = float(sum(counts))
    return [c / total for c in counts] if total > 0 else None


def _categories(curves: Sequence[ResponseCurve]) -> list[float]:
    """The category codes of a categorical factor's curves (values and histogram bins)."""
    codes = set()
    for c in curves:
        codes.update(c.values)
        codes.update(c.bins)
    return sorted(codes)


def _draw_factor(ax, ax_hist, factor: str, curves: list[tuple[int, ResponseCurve]],
                 colors: Sequence[str]) -> None:
    """One factor's panel: a line (or markers) per model, the training distribution below."""
    import numpy as np

    categorical = any(c.kind == "categorical" for _, c in curves)
    # the distribution of a curve of the panel's kind (histogram edges and codes do not mix)
    kind = "categorical" if categorical else "continuous"
    train = next((c for _, c in curves if c.train_landslide and c.bins and c.kind == kind),
                 None)
    if categorical:
        codes = _categories([c for _, c in curves])
        where = {code: i for i, code in enumerate(codes)}
        width = 0.8 / max(1, len(curves))
        for k, (i, c) in enumerate(curves):
            offset = (k - (len(curves) - 1) / 2) * width * 0.5
            ax.plot([where[v] + offset for v in c.values], c.response, linestyle="none",
                    marker="o", markersize=5, color=colors[i])
        if train is not None:
            for counts, color, side in ((train.train_other, TRAIN_OTHER, -0.2),
                                        (train.train_landslide, TRAIN_LANDSLIDE, 0.2)):
                shares = _shares(counts)
                if shares:
                    ax_hist.bar([where[b] + side for b in train.bins], shares, width=0.38,
                                color=color, alpha=0.6)
        step = max(1, math.ceil(len(codes) / 12))
        ax_hist.set_xticks(range(0, len(codes), step))
        ax_hist.set_xticklabels([short(f"{codes[j]:g}", 8) for j in range(0, len(codes), step)],
                                fontsize="x-small")
        ax_hist.set_xlim(-0.6, len(codes) - 0.4)
    else:
        for i, c in curves:
            ax.plot(c.values, c.response, color=colors[i], linewidth=1.8)
        if train is not None:
            edges = np.asarray(train.bins, dtype=float)
            for counts, color, alpha in ((train.train_other, TRAIN_OTHER, 0.5),
                                         (train.train_landslide, TRAIN_LANDSLIDE, 0.4)):
                shares = _shares(counts)
                if shares:
                    ax_hist.stairs(shares, edges, fill=True, color=color, alpha=alpha)
        ax_hist.tick_params(axis="x", labelsize="x-small")
    ax.set_title(short(factor), fontsize="medium")
    ax.grid(True, alpha=0.3)
    ax.tick_params(axis="x", labelbottom=False)
    ax.tick_params(axis="y", labelsize="x-small")
    ax_hist.tick_params(axis="y", labelsize="xx-small")
    ax_hist.set_yticks([])
    if train is None:
        ax_hist.text(0.5, 0.5, "no training distribution", ha="center", va="center",
                     fontsize="x-small", color="#777777", transform=ax_hist.transAxes)


def draw_response_curves(fig, explanations: Sequence[Explanation],
                         colors: Optional[Sequence[Optional[str]]] = None) -> None:
    """A grid of small panels, one per factor with a response curve in any explanation: the
    partial dependence of each model (mean P(landslide) with the factor set to each value;
    markers at the codes of a categorical factor), and beneath it the distribution of the
    factor's training values (share of the landslide and of the non-landslide samples per
    bin). One legend above the grid."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    factors = _curve_factors(explanations)
    shown = factors[:MAX_PANELS]
    palette = [(colors[i] if colors is not None and i < len(colors) and colors[i]
                else color_of(i)) for i in range(len(explanations))]
    if not shown:
        ax = fig.add_subplot(1, 1, 1)
        ax.axis("off")
        ax.text(0.5, 0.5, "No response curves in these explanations", ha="center",
                va="center", color="#666666")
        return
    rows, columns = _grid(len(shown))
    grid = fig.add_gridspec(1 + 2 * rows, columns, height_ratios=[0.35] + [3, 1.1] * rows)
    responses = [v for e in explanations for c in e.curves if c.factor in shown
                 for v in c.response]
    lo, hi = min(responses, default=0.0), max(responses, default=1.0)
    pad = max(0.05, (hi - lo) * 0.08)
    lo, hi = max(0.0, lo - pad), min(1.0, hi + pad)
    for k, factor in enumerate(shown):
        row, column = divmod(k, columns)
        ax = fig.add_subplot(grid[1 + 2 * row, column])
        ax_hist = fig.add_subplot(grid[2 + 2 * row, column], sharex=ax)
        curves = [(i, c) for i, e in enumerate(explanations)
                  if (c := _curve_of(e, factor)) is not None]
        _draw_factor(ax, ax_hist, factor, curves, palette)
        ax.set_ylim(lo, hi)
        if column == 0:
            ax.set_ylabel("Mean P(landslide)", fontsize="small")
            ax_hist.set_ylabel("Training\nshare", fontsize="x-small")
    handles = [Line2D([], [], color=palette[i], linewidth=2, marker="o", markersize=4,
                      label=legend_label(short(e.model_name, 40)))
               for i, e in enumerate(explanations)]
    handles += [Patch(color=TRAIN_LANDSLIDE, alpha=0.5, label="Training landslides"),
                Patch(color=TRAIN_OTHER, alpha=0.6, label="Training non-landslides")]
    legend_ax = fig.add_subplot(grid[0, :])
    legend_ax.axis("off")
    title = ("Response curves (partial dependence) and the training distribution"
             + (f": {len(shown)} most important of {len(factors)} factors"
                if len(factors) > len(shown) else ""))
    legend_ax.legend(handles=handles, loc="center",
                     ncol=len(handles) if len(handles) <= 6 else 4,
                     fontsize="small", frameon=False, title=title,
                     title_fontsize="medium")


def save_response_figure(explanations: Sequence[Explanation], path: str | Path,
                         dpi: int = 120,
                         colors: Optional[Sequence[Optional[str]]] = None) -> Path:
    """Write the response-curve figure as PNG or SVG (by extension), atomically."""
    fig = _new_figure(response_size(explanations), dpi)
    draw_response_curves(fig, explanations, colors)
    return _save(fig, path)


# --- the frequency-ratio chart of an FR table ----------------------------------------------------

def fr_classes(fr_rows: Sequence[dict]) -> dict[str, list[dict]]:
    """The rows of an FR table (dicts of column -> value, as the FR algorithm writes them:
    factor, class, range, lower, upper, category, area_cells, area_pct, landslide_cells,
    landslide_pct, fr) by factor, in the order the factors come, each factor's classes by
    class number; each class as {label, fr, area_pct, landslide_pct}: the label is the class's
    range (from lower and upper, 4 significant digits) or category; the numbers are None where
    a value is missing or unreadable, the shares from the cell counts where the percentages
    are missing."""
    factors: dict[str, list[dict]] = {}
    for row in fr_rows:
        if not isinstance(row, dict) or row.get("factor") in (None, ""):
            continue
        factors.setdefault(str(row["factor"]), []).append(row)
    out = {}
    for factor, rows in factors.items():
        numbered = [(_number(r.get("class")), i, r) for i, r in enumerate(rows)]
        numbered.sort(key=lambda t: (t[0] is None, t[0] if t[0] is not None else 0, t[1]))
        classes = []
        for number, _, r in numbered:
            lower, upper = _number(r.get("lower")), _number(r.get("upper"))
            label = f"{lower:.4g} – {upper:.4g}" if lower is not None and upper is not None \
                else next((str(r[k]) for k in ("range", "category")
                           if r.get(k) not in (None, "")), None)
            if label is None:
                label = f"class {number:g}" if number is not None else "?"
            classes.append({"label": label, "fr": _number(r.get("fr")),
                            "area_pct": _number(r.get("area_pct")),
                            "landslide_pct": _number(r.get("landslide_pct")),
                            "area_cells": _number(r.get("area_cells")),
                            "landslide_cells": _number(r.get("landslide_cells"))})
        for key, cells in (("area_pct", "area_cells"), ("landslide_pct", "landslide_cells")):
            total = sum(c[cells] or 0.0 for c in classes)
            for c in classes:
                if c[key] is None and c[cells] is not None and total > 0:
                    c[key] = 100.0 * c[cells] / total
        out[factor] = [{k: c[k] for k in ("label", "fr", "area_pct", "landslide_pct")}
                       for c in classes]
    return out


def fr_size(fr_rows: Sequence[dict]) -> tuple[float, float]:
    """The figure size (inches) of :func:`draw_fr_chart` for these rows."""
    factors = fr_classes(fr_rows)
    n = min(MAX_PANELS, max(1, len(factors)))
    rows, columns = _grid(n, wide=3)
    return (6.0 if columns == 1 else 4.5 * columns), 0.7 + 3.9 * rows


def _draw_fr_factor(ax, ax_share, factor: str, classes: list[dict]) -> None:
    import numpy as np

    classes = classes[:MAX_FR_CLASSES]
    x = np.arange(len(classes))
    fr = [c["fr"] if c["fr"] is not None else 0.0 for c in classes]
    ax.bar(x, fr, width=0.75, color=[FR_HIGH if v >= 1 else FR_LOW for v in fr])
    for i, c in enumerate(classes):
        if c["fr"] is None:
            ax.text(i, 0, "n/a", ha="center", va="bottom", fontsize="xx-small", color="#555555")
    ax.axhline(1.0, color="#222222", linestyle="--", linewidth=1)
    ax.set_ylim(0, max(1.5, max(fr, default=0) * 1.1))
    ax.set_title(short(factor), fontsize="medium")
    ax.grid(True, axis="y", alpha=0.3)
    ax.tick_params(axis="x", labelbottom=False)
    ax.tick_params(axis="y", labelsize="x-small")
    area = [c["area_pct"] if c["area_pct"] is not None else 0.0 for c in classes]
    slides = [c["landslide_pct"] if c["landslide_pct"] is not None else 0.0 for c in classes]
    ax_share.bar(x - 0.19, area, width=0.36, color=AREA_COLOR)
    ax_share.bar(x + 0.19, slides, width=0.36, color=LANDSLIDE_COLOR)
    ax_share.set_ylim(0, max(5.0, max(area + slides, default=0) * 1.12))
    ax_share.set_xticks(x)
    ax_share.set_xticklabels([short(c["label"], 22) for c in classes], rotation=40,
                             ha="right", rotation_mode="anchor",
                             fontsize="x-small" if len(classes) <= 12 else "xx-small")
    ax_share.set_xlim(-0.6, len(classes) - 0.4)
    ax_share.tick_params(axis="y", labelsize="xx-small")
    ax_share.grid(True, axis="y", alpha=0.3)


def draw_fr_chart(fig, fr_rows: Sequence[dict]) -> None:
    """The frequency ratio of each factor's classes: one panel per factor with the FR of each
    class as a bar (FR = 1, the average, as a dashed line), and beneath it the class's share
    of the area and of the training landslide cells (%), the classes labelled with their
    range or category. One legend above the panels."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    factors = fr_classes(fr_rows)
    names = list(factors)[:MAX_PANELS]
    if not names:
        ax = fig.add_subplot(1, 1, 1)
        ax.axis("off")
        ax.text(0.5, 0.5, "No frequency ratios in this table", ha="center", va="center",
                color="#666666")
        return
    rows, columns = _grid(len(names), wide=3)
    grid = fig.add_gridspec(1 + 2 * rows, columns, height_ratios=[0.3] + [2.2, 1.2] * rows)
    for k, name in enumerate(names):
        row, column = divmod(k, columns)
        ax = fig.add_subplot(grid[1 + 2 * row, column])
        ax_share = fig.add_subplot(grid[2 + 2 * row, column], sharex=ax)
        _draw_fr_factor(ax, ax_share, name, factors[name])
        if column == 0:
            ax.set_ylabel("FR", fontsize="small")
            ax_share.set_ylabel("Share (%)", fontsize="x-small")
    legend_ax = fig.add_subplot(grid[0, :])
    legend_ax.axis("off")
    handles = [Patch(color=FR_HIGH, label="FR ≥ 1 (more landslides than area)"),
               Patch(color=FR_LOW, label="FR < 1"),
               Line2D([], [], color="#222222", linestyle="--", label="FR = 1"),
               Patch(color=AREA_COLOR, label="Share of the area"),
               Patch(color=LANDSLIDE_COLOR, label="Share of the landslide cells")]
    title = "Frequency ratio per class" + (f" (first {len(names)} of {len(factors)} factors)"
                                           if len(factors) > len(names) else "")
    legend_ax.legend(handles=handles, loc="center", ncol=3 if columns > 1 else 2,
                     fontsize="small", frameon=False, title=title, title_fontsize="medium")


def save_fr_figure(fr_rows: Sequence[dict], path: str | Path, dpi: int = 120) -> Path:
    """Write the FR bar chart of an FR table as PNG or SVG (by extension), atomically."""
    fig = _new_figure(fr_size(fr_rows), dpi)
    draw_fr_chart(fig, fr_rows)
    return _save(fig, path)


# --- area of applicability -----------------------------------------------------------------------

def aoa_tags(path: str | Path) -> AoaTags:
    """The tags of a raster of *Area of applicability*, opened only when it is a regular file
    GDAL reads (results_file.check_raster); an LsmError for any other raster."""
    from ..core.results_file import check_raster

    ds = check_raster(str(path), "area-of-applicability raster")
    tags = AoaTags.from_metadata(ds.GetMetadata() or {})
    ds = None
    if not tags.kind:
        raise LsmError(f"'{path}' is not a raster of 'Area of applicability': it has no "
                       f"{AoaTags.KEYS['kind']} tag of kind "
                       f"{' or '.join(AoaTags.KINDS)}. Give the dissimilarity-index or the "
                       "applicability raster that 'Area of applicability' wrote.")
    return tags


def draw_dissimilarity(ax, path: str | Path, title: str,
                       threshold: Optional[float] = None) -> None:
    """The dissimilarity index (DI) of a raster: blue (like the training data) to red, the
    colours turning at the threshold (a line on the colour bar, a black outline on the map):
    the red cells lie outside the area of applicability."""
    from matplotlib.colors import TwoSlopeNorm

    from .figures import _map_axes

    data, extent, _ = read_preview(path)
    top = float(data.max()) if data.count() else 1.0
    low = float(data.min()) if data.count() else 0.0
    if threshold is not None and low < threshold < top:
        norm = TwoSlopeNorm(vcenter=threshold, vmin=low, vmax=top)
    else:
        from matplotlib.colors import Normalize

        norm = Normalize(vmin=low, vmax=max(top, low + 1e-9))
    image = ax.imshow(data, extent=extent, cmap="RdYlBu_r", norm=norm, interpolation="nearest")
    label = "Dissimilarity index (DI)"
    if threshold is not None:
        label += f"; threshold {threshold:.3g}"
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.8, label=label)
    if threshold is not None and low < threshold < top:
        bar.ax.axhline(threshold, color="black", linewidth=2)
        # the edge of the area of applicability on the map
        ax.contour(data, levels=[threshold], colors="black", linewidths=0.7, extent=extent,
                   origin="upper")
    _map_axes(ax, title)


def draw_applicability(ax, path: str | Path, title: str) -> None:
    """The applicability mask of a raster: inside (1) pale, outside (0) shaded dark."""
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    from .figures import _map_axes

    data, extent, _ = read_preview(path)
    cmap = ListedColormap([AOA_OUTSIDE, AOA_INSIDE])
    norm = BoundaryNorm([-0.5, 0.5, 1.5], cmap.N)
    ax.imshow(data, extent=extent, cmap=cmap, norm=norm, interpolation="nearest")
    ax.legend(handles=[Patch(facecolor=AOA_INSIDE, edgecolor="#999999",
                             label="Inside"),
                       Patch(color=AOA_OUTSIDE, label="Outside\n(extrapolation)")],
              loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
              fontsize="medium", frameon=False)
    _map_axes(ax, title)


def draw_aoa(ax, path: str | Path, tags: AoaTags, title: str) -> None:
    """The map of an area-of-applicability raster of either kind (see :func:`aoa_tags`)."""
    if tags.kind == "dissimilarity":
        draw_dissimilarity(ax, path, title, tags.threshold)
    else:
        draw_applicability(ax, path, title)
