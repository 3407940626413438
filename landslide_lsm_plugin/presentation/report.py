"""The susceptibility report: one self-contained HTML file (maps and figures embedded)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from ..core.errors import LsmError
from ..core.evaluation import model_record, read_results
from ..core.progress import SILENT, Progress
from ..core.raster import atomic_file, check_output_path
from ..core.records import EvaluatedModel, LsiTags
from ..core.results_file import check_raster
from ..version import __version__
from .figures import (
    draw_lsi,
    draw_rates,
    draw_reliability,
    draw_roc,
    draw_sd,
    draw_zones,
    figure_png,
    has_reliability,
)
from .htmlkit import Markup, el, join

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em auto;
max-width:1200px;color:#222;line-height:1.45;padding:0 1em}
h1{border-bottom:3px solid #d7191c;padding-bottom:.2em}h2{margin-top:1.8em;color:#444}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f2f2f2}td.l,th.l{text-align:left}td.best{background:#d9f0d3;font-weight:bold}
td.flag{background:#fde0dd}.maps{display:flex;flex-wrap:wrap;gap:1em}
.maps figure{margin:0}.maps img{max-width:560px;border:1px solid #ddd}
figcaption{font-size:.85em;color:#555}.note{color:#666;font-size:.9em}
"""
METRICS = (("accuracy", "Accuracy"), ("precision", "Precision"), ("f1", "F1"),
           ("sensitivity", "Sensitivity"), ("specificity", "Specificity"), ("kappa", "Kappa"),
           ("auroc", "AUROC"), ("brier", "Brier"))
#: metrics where the lowest value is the best
LOWER_IS_BETTER = frozenset({"brier"})


def _fmt(value, digits: int = 3) -> str:
    """A table value as text (the builder escapes it)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        if math.isinf(value):
            return "inf"
        return f"{value:.{digits}f}"
    return str(value)


def _or(value, default):
    return default if value is None else value


def _img(png: bytes, alt: str) -> Markup:
    return el("img", alt=alt, src="data:image/png;base64," + base64.b64encode(png).decode("ascii"))


def _table(columns: Sequence[tuple[str, str]], rows: Sequence[dict], best: Optional[dict] = None,
           left: Sequence[str] = (), flag: Optional[str] = None) -> Markup:
    head = el("tr", [el("th", title, class_="l" if key in left else "")
                     for key, title in columns])
    body = []
    for i, row in enumerate(rows):
        cells = []
        for key, _ in columns:
            cls = []
            if key in left:
                cls.append("l")
            if best and i in best.get(key, set()):
                cls.append("best")
            if flag and row.get(flag) and key == columns[0][0]:
                cls.append("flag")
            value = row.get(key)
            shown = _fmt(value, 1 if key.endswith("_s") else 3) if isinstance(value, float) \
                else _fmt(value)
            cells.append(el("td", shown, class_=" ".join(cls)))
        body.append(el("tr", cells))
    return el("table", head, body)


def _model_meta(lsi_path: str) -> dict:
    """The model record of an LSI raster's model file, read now (for results files written
    before Evaluate kept it); empty when the LSI raster or the model file is gone or is not
    what it should be."""
    if not os.path.exists(lsi_path):
        return {}
    try:
        model_file = LsiTags.from_metadata(
            check_raster(lsi_path, "LSI raster").GetMetadata() or {}).model_file
    except LsmError:
        return {}
    record = model_record(model_file or "")
    return {} if record.get("missing") else record


def _value(value) -> str:
    """A parameter value as text: numbers to 4 significant digits, lists and dicts as JSON."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
            return ", ".join(_value(v) for v in value)
        return json.dumps(value)
    if isinstance(value, dict):
        return json.dumps(value)
    return "" if value is None else str(value)


def _key_values(items: dict) -> Markup:
    """A two-column table of names and values (empty values left out)."""
    rows = [(str(k), _value(v)) for k, v in items.items()]
    return el("table", [el("tr", el("th", k, class_="l"), el("td", v, class_="l"))
                        for k, v in rows if v != ""])


#: model-file metadata shown in the "Model" table of each model, with their labels
MODEL_FIELDS = (("model_type", "model type"), ("cv_score", "CV / early-stopping AUROC"),
                ("n_train", "training samples"), ("n_train_landslide", "training landslides"),
                ("n_early_stopping", "early-stopping samples"), ("factors", "factors"),
                ("encoding", "encoding"), ("fr_fingerprint", "FR encoding fingerprint"),
                ("window", "patch window (cells)"), ("width", "network width"),
                ("best_epoch", "best epoch"), ("epochs_trained", "epochs trained"),
                ("devices", "devices"), ("tensorflow", "TensorFlow"), ("seed", "seed"),
                ("stack", "stack"), ("samples", "samples"), ("plugin_version", "trained with"),
                ("created", "trained"))


def _model_section(m: EvaluatedModel) -> list[Markup]:
    """A model's heading, its run, its model file's metadata and its 'Parameters' table
    (hyperparameters and CV), from the results file (older results: from the model file)."""
    meta = m.model
    if meta is None:  # results written before Evaluate kept the model's metadata
        meta = _model_meta(m.lsi) if m.lsi else {}
    meta = dict(meta or {})
    parts = [el("h3", m.name)]
    run = {"LSI raster": m.lsi, "zone raster": m.zones,
           "training time (s)": m.training_time_s if m.training_time_s is not None
           else meta.get("training_time_s"), "map time (s)": m.map_time_s}
    if meta.get("model_file"):
        run["model file"] = meta["model_file"] + (f" ({meta['missing']} at evaluation)"
                                                  if meta.get("missing") else "")
    for key, label in MODEL_FIELDS:
        if key in meta:
            run[label] = meta[key]
    if run.get("CV / early-stopping AUROC") is None:
        run["CV / early-stopping AUROC"] = m.cv_auroc
    parts.append(_key_values(run))
    params = {f"{k}": v for k, v in (meta.get("hyperparameters") or {}).items()}
    cv = meta.get("cv") or {}
    for key, label in (("scheme", "CV scheme"), ("folds", "CV folds"),
                       ("grid_size", "combinations searched"), ("score_auroc", "CV AUROC")):
        if key in cv:
            params[label] = cv[key]
    parts.append(el("h4", "Parameters"))
    if params:
        parts.append(_key_values(params))
    else:
        parts.append(el("p", "Not recorded: the model file was not found when the maps were "
                             "evaluated.", class_="note"))
    if meta.get("fr_encoding"):
        parts.append(el("h4", "FR encoding"))
        parts.append(_table([("factor", "Factor"), ("method", "Classing"),
                             ("classes", "Classes"), ("fr_min", "FR min"), ("fr_max", "FR max")],
                            meta["fr_encoding"], left=("factor", "method")))
    return parts


def _calibration_section(models: Sequence[EvaluatedModel]) -> list[Markup]:
    """The 'Calibration' section: what the Brier score and the reliability diagram say, and
    the diagram (or why it is missing)."""
    parts = [el("h2", "Calibration"),
             el("p", "Does the LSI read as a probability? The Brier score is the mean squared "
                     "difference between the LSI and the 0/1 label of the validation samples "
                     "(0 is perfect, 0.25 is what a constant 0.5 scores; lower is better; "
                     "in the table above). The reliability diagram groups the validation "
                     "samples in 10 equal LSI bins and plots each bin's observed share of "
                     "landslides against its mean LSI; a calibrated map lies on the diagonal. "
                     "The shares are those of the samples (as many non-landslide as landslide "
                     "cells, unless chosen otherwise), not of the whole landscape.",
                class_="note")]
    if has_reliability(models):
        parts.append(_img(figure_png(lambda fig: draw_reliability(fig.add_subplot(1, 1, 1),
                                                                  models), (6.5, 6.0)),
                          "Reliability diagram"))
    else:
        parts.append(el("p", "No reliability diagram in these results: they were written "
                             "before Evaluate computed one, or the LSI values lie outside "
                             "0..1. Run Evaluate again to add it.", class_="note"))
    return parts


def build_report(results_path: str, output_path: str, *, title: str = "Landslide "
                 "susceptibility report", fr_rows: Sequence[dict] = (),
                 vif_rows: Sequence[dict] = (), parameters: Optional[dict] = None,
                 progress: Progress = SILENT) -> Path:
    """Write the HTML report of an evaluation (plus FR/VIF tables and every parameter: each
    model's, the evaluation's, and the report's own ``parameters``)."""
    out = check_output_path(output_path, [results_path])
    results = read_results(results_path)
    models = results.models
    parts = [el("h1", title),
             el("p", f"Landslide LSM {__version__}, "
                     f"{dt.datetime.now().strftime('%Y-%m-%d %H:%M')}. Evaluation on "
                     f"{_or(results.n_validation, '?')} validation samples (threshold: "
                     f"{_or(results.threshold_mode, '0.5')}).", class_="note")]

    # metrics
    rows = [dict(m.metrics, model=m.name, training_time_s=m.training_time_s,
                 map_time_s=m.map_time_s) for m in models]
    best = {}
    for key, _ in METRICS:
        values = [(i, r.get(key)) for i, r in enumerate(rows)
                  if isinstance(r.get(key), (int, float)) and not math.isnan(r.get(key))]
        if len(values) > 1:
            top = (min if key in LOWER_IS_BETTER else max)(v for _, v in values)
            best[key] = {i for i, v in values if v == top}
    parts.append(el("h2", "Model comparison"))
    parts.append(_table([("model", "Model"), ("tp", "TP"), ("tn", "TN"), ("fp", "FP"),
                         ("fn", "FN")] + list(METRICS) +
                        [("threshold", "Threshold"), ("training_time_s", "Training (s)"),
                         ("map_time_s", "Map (s)")], rows, best, left=("model",)))
    progress.percent(10)
    rates = any(m.success_rate for m in models)

    def draw_curves(fig):
        axes = fig.subplots(1, 3 if rates else 1)
        draw_roc(axes[0] if rates else axes, models)
        if rates:
            draw_rates(axes[1], models, "success_rate", "Success rate")
            draw_rates(axes[2], models, "prediction_rate", "Prediction rate")

    parts.append(_img(figure_png(draw_curves, (15 if rates else 6.5, 5.2)), "ROC curves"))
    parts.extend(_calibration_section(models))

    # maps
    parts.append(el("h2", "Susceptibility maps"))
    figures = []
    for k, m in enumerate(models):
        progress.check()
        progress.percent(10 + 70 * k / max(1, len(models)))
        for key, drawer, label in (("lsi", draw_lsi, "LSI"), ("sd", draw_sd, "LSI SD"),
                                   ("zones", draw_zones, "Zones")):
            path = getattr(m, key)
            if not path or not os.path.exists(path):  # moved or deleted since: left out
                continue
            caption = f"{label} {m.name}"
            try:
                png = figure_png(lambda fig, p=path, d=drawer, t=caption:
                                 d(fig.add_subplot(1, 1, 1), p, t))
            except LsmError as exc:  # a FIFO, a folder, not a raster: said, not drawn
                figures.append(el("p", f"{label} of {m.name} not shown: {exc}",
                                  class_="note"))
                continue
            figures.append(el("figure", _img(png, caption),
                              el("figcaption", f"{label} of {m.name}: {Path(path).name}")))
    parts.append(el("div", figures, class_="maps"))

    # tables of the data preparation
    if fr_rows:
        parts.append(el("h2", "Frequency ratio"))
        parts.append(_table([("factor", "Factor"), ("class", "Class"), ("range", "Range / "
                                                                         "category"),
                             ("area_pct", "Area %"), ("landslide_pct", "Landslide %"),
                             ("fr", "FR")], fr_rows, left=("factor", "range")))
    if vif_rows:
        parts.append(el("h2", "Multicollinearity"))
        parts.append(_table([("factor", "Factor"), ("vif", "VIF"), ("tol", "TOL"),
                             ("flagged", "Flagged"), ("note", "Note")], vif_rows,
                            left=("factor", "note", "flagged"), flag="flagged"))

    # models, their parameters, and the parameters of the evaluation and of this report
    parts.append(el("h2", "Models and parameters"))
    for m in models:
        parts.extend(_model_section(m))
    evaluation_params = dict(results.parameters or {})
    evaluation_params.setdefault("threshold", results.threshold_mode)
    evaluation_params.update({"validation samples": results.n_validation,
                              "training samples": results.n_training,
                              "results file": str(results_path),
                              "evaluated": results.created,
                              "plugin version": results.plugin_version})
    parts.append(el("h2", "Evaluation parameters"))
    parts.append(_key_values(evaluation_params))
    if parameters:
        parts.append(el("h2", "Report parameters"))
        parts.append(_key_values(parameters))
    head = el("head", el("meta", charset="utf-8"), el("title", title),
              el("style", Markup(CSS)))
    page = "<!DOCTYPE html>" + el("html", head, el("body", join(*parts)), lang="en")
    with atomic_file(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    progress.percent(100)
    return out
