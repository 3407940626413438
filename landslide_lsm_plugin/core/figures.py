"""Figures with matplotlib's object API (Figure, never pyplot): ROC curves and rate curves.

The same drawing functions serve the PNG/SVG files and the comparison dock's canvas.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .raster import atomic_file

MODEL_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
                "#17becf")


def color_of(index: int) -> str:
    return MODEL_COLORS[index % len(MODEL_COLORS)]


def draw_roc(ax, models: Sequence[dict]) -> None:
    """ROC curves of evaluated models (dicts of a results file) with AUROC in the legend."""
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", linewidth=1, label="Chance (0.5)")
    for i, m in enumerate(models):
        auroc = m["metrics"]["auroc"]
        ax.plot(m["roc"]["fpr"], m["roc"]["tpr"], color=m.get("color") or color_of(i),
                linewidth=2, label=f"{m['name']} (AUROC {auroc:.3f})")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_xlabel("False positive rate (1 - specificity)")
    ax.set_ylabel("True positive rate (sensitivity)")
    ax.set_title("ROC on the validation samples")
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")


def draw_rates(ax, models: Sequence[dict], key: str, title: str) -> None:
    """Success- or prediction-rate curves (key 'success_rate' or 'prediction_rate')."""
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", linewidth=1)
    for i, m in enumerate(models):
        curve = m.get(key)
        if curve:
            ax.plot(curve["area"], curve["landslides"], color=m.get("color") or color_of(i),
                    linewidth=2, label=f"{m['name']} (AUC {curve['auc']:.3f})")
    ax.set_xlabel("Cumulative share of the area (highest LSI first)")
    ax.set_ylabel("Cumulative share of landslides")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")


def save_roc_figure(models: Sequence[dict], path: str | Path, dpi: int = 120) -> Path:
    """Write the ROC figure as PNG or SVG (by extension), atomically."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rates = any(m.get("success_rate") for m in models)
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
