"""The figure of *Assess models by cross-validation*: the test folds' AUROC as box plots, one
group per model, one box per partitioning (matplotlib's object API: no pyplot state)."""

from __future__ import annotations

import math
from pathlib import Path

from ..core.models import MODEL_NAMES
from ..core.raster import atomic_file
from ..core.validation import SCHEME_NAMES, CrossValidation
from .figures import plain

#: one colour per partitioning (random grey, spatial schemes in colour)
SCHEME_COLORS = {"random": "#9e9e9e", "kmeans": "#2c7bb6", "blocks": "#d7191c"}


def draw_cv_boxes(ax, cv: CrossValidation, title: str = "Cross-validated AUROC") -> None:
    """Box plots of the test folds' AUROC by model (groups) and partitioning (boxes), the
    mean of each box marked and written above it."""
    from matplotlib.patches import Patch

    schemes = list(cv.design.schemes)
    width = 0.8 / len(schemes)
    for m, model_type in enumerate(cv.model_types):
        for s, scheme in enumerate(schemes):
            values = [f.auroc for f in cv.scores if f.model_type == model_type
                      and f.scheme == scheme and math.isfinite(f.auroc)]
            if not values:
                continue
            position = m + (s - (len(schemes) - 1) / 2) * width
            color = SCHEME_COLORS.get(scheme, "#555555")
            box = ax.boxplot(values, positions=[position], widths=width * 0.85,
                             patch_artist=True, showmeans=True, manage_ticks=False,
                             meanprops={"marker": "D", "markerfacecolor": "white",
                                        "markeredgecolor": "black", "markersize": 5},
                             medianprops={"color": "black"}, flierprops={"markersize": 3})
            for patch in box["boxes"]:
                patch.set_facecolor(color)
                patch.set_alpha(0.8)
            mean = sum(values) / len(values)
            ax.annotate(f"{mean:.3f}", (position, max(values)), xytext=(0, 4),
                        textcoords="offset points", ha="center", fontsize="x-small")
    ax.set_xticks(range(len(cv.model_types)))
    ax.set_xticklabels([plain(MODEL_NAMES.get(t, t)) for t in cv.model_types], fontsize="small")
    ax.set_xlim(-0.6, len(cv.model_types) - 0.4)
    ax.set_ylabel("AUROC of a test fold")
    ax.axhline(0.5, linestyle="--", color="#888888", linewidth=1)
    ax.set_title(plain(f"{title} ({cv.design.repetitions} x {cv.design.folds}-fold"
                       + (f", buffer {cv.design.buffer:g}" if cv.design.buffer else "") + ")"))
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(handles=[Patch(facecolor=SCHEME_COLORS.get(s, "#555555"), label=SCHEME_NAMES[s])
                       for s in schemes], loc="lower left", fontsize="small")


def save_cv_figure(cv: CrossValidation, path: str | Path, dpi: int = 120) -> Path:
    """Write the box-plot figure as PNG or SVG (by extension), atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(max(6.0, 1.6 + 1.8 * len(cv.model_types)), 5.0), dpi=dpi,
                 constrained_layout=True)
    FigureCanvasAgg(fig)
    draw_cv_boxes(fig.add_subplot(1, 1, 1), cv)
    path = Path(path)
    with atomic_file(path) as tmp:
        fig.savefig(str(tmp), format=path.suffix.lstrip(".").lower() or "png")
    return path
