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
from ..core.records import AoaTags, EvaluatedModel, Explanation, LsiTags
from ..core.results_file import check_raster
from ..version import __version__
from .explain_figures import (
    aoa_tags,
    draw_aoa,
    draw_fr_chart,
    draw_importance_panels,
    draw_response_curves,
    fr_classes,
    fr_size,
    importance_size,
    response_size,
)
from .figures import (
    color_of,
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
.maps figure{margin:0}img{max-width:100%;height:auto}
.maps img{max-width:min(560px,100%);border:1px solid #ddd}
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


def _as_number(value):
    """A table cell as the number its text holds (tables read from CSV give text: '0',
    '1.1030601587'), so it is rounded for reading; other values as they are."""
    if not isinstance(value, str):
        return value
    for kind in (int, float):
        try:
            number = kind(value.strip())
        except ValueError:
            continue
        return number if math.isfinite(number) else value
    return value


def _flagged(value) -> bool:
    """Whether a 'flagged' cell says yes: 1 or true, not '0' (text from a CSV)."""
    value = _as_number(value)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes")
    return bool(value)


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
            if flag and _flagged(row.get(flag)) and key == columns[0][0]:
                cls.append("flag")
            value = row.get(key) if key in left else _as_number(row.get(key))
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


def _sig(value: Optional[float]) -> str:
    """A number for reading: 3 significant digits ('' when unknown)."""
    return "" if value is None or not math.isfinite(value) else f"{value:.3g}"


def explained_models(models: Sequence[EvaluatedModel]
                     ) -> tuple[list[tuple[EvaluatedModel, Explanation, str]], list[str]]:
    """The models of a results file that hold an explanation: (model, its explanation under
    the model's name, its colour in the figures), and a note for each explanation that does
    not read."""
    from dataclasses import replace

    found, notes = [], []
    for i, m in enumerate(models):
        try:
            explanation = m.explained()
        except LsmError as exc:
            notes.append(f"The factor importance of {m.name} is not shown: {exc}")
            continue
        if explanation is not None:
            found.append((m, replace(explanation, model_name=m.name), m.color or color_of(i)))
    return found, notes


def _factor_order(explanations: Sequence[Explanation]) -> list[str]:
    """Every factor of the explanations, the most important (mean drop over the models)
    first."""
    drops: dict[str, list[float]] = {}
    for e in explanations:
        for f in e.importance:
            drops.setdefault(f.factor, []).append(f.mean)
    return sorted(drops, key=lambda k: -sum(drops[k]) / len(drops[k]))


def _importance_section(models: Sequence[EvaluatedModel]) -> list[Markup]:
    """The 'Factor importance' section (nothing when no model holds an explanation): how to
    read it, the bars of each model, and the table of drops, SDs and ranks."""
    found, notes = explained_models(models)
    if not found and not notes:
        return []
    parts = [el("h2", "Factor importance"),
             el("p", "Permutation importance: how much a model's AUROC on the validation "
                     "samples drops when the values of one factor are shuffled among the "
                     "samples (the mean over the repeats, with its standard deviation as the "
                     "error bar). A large drop means the model relies on that factor; a drop "
                     "near zero or below it means no signal that the model uses (a negative "
                     "drop is chance). Correlated factors share their importance: shuffling "
                     "one leaves its information in the other, so each may look less "
                     "important than the pair is. The drops say what the model uses, not what "
                     "causes landslides.", class_="note")]
    parts.extend(el("p", note, class_="note") for note in notes)
    if not found:
        return parts
    explanations = [e for _, e, _ in found]
    colors = [c for _, _, c in found]
    parts.append(_img(figure_png(lambda fig: draw_importance_panels(fig, explanations, colors),
                                 importance_size(explanations)), "Factor importance"))
    columns = [("factor", "Factor")]
    for j, e in enumerate(explanations):
        columns += [(f"m{j}_mean", f"{e.model_name}: mean drop"), (f"m{j}_sd", "SD"),
                    (f"m{j}_rank", "Rank")]
    rows = []
    for factor in _factor_order(explanations):
        row: dict = {"factor": factor}
        for j, e in enumerate(explanations):
            for rank, f in enumerate(e.importance, start=1):
                if f.factor == factor:
                    row.update({f"m{j}_mean": float(f.mean), f"m{j}_sd": float(f.sd),
                                f"m{j}_rank": rank})
                    break
        rows.append(row)
    parts.append(_table(columns, rows, left=("factor",)))
    runs = []
    for e in explanations:
        runs.append(el("li", f"{e.model_name}: validation AUROC {e.base_auroc:.3f} on "
                             f"{e.n_importance or '?'} validation samples, {e.repeats or '?'} "
                             f"repeats (seed {e.seed})"
                             + (f"; response curves over {e.n_response} training samples"
                                if e.n_response else "")
                             + (f"; samples {e.samples}" if e.samples else "") + "."))
    parts.append(el("ul", runs, class_="note"))
    explained = {m.name for m, _, _ in found}
    missing = [m.name for m in models if m.name not in explained]
    if missing:
        parts.append(el("p", "No factor importance for " + ", ".join(missing) + ": run 'Factor "
                             "importance and response curves' for their models and give its "
                             "file to Evaluate.", class_="note"))
    return parts


def _response_section(models: Sequence[EvaluatedModel], fr_rows: Sequence[dict]
                      ) -> list[Markup]:
    """The 'Response curves' section (nothing without explanations holding curves and without
    an FR table): each model's partial dependence per factor over the training distribution,
    and the FR bar chart of the FR table."""
    found, _ = explained_models(models)
    found = [(m, e, c) for m, e, c in found if e.curves]
    has_fr = bool(fr_classes(fr_rows)) if fr_rows else False
    if not found and not has_fr:
        return []
    parts = [el("h2", "Response curves")]
    if found:
        explanations = [e for _, e, _ in found]
        colors = [c for _, _, c in found]
        parts.append(el("p", "Partial dependence: the model's mean P(landslide) over the "
                             "training samples with one factor set to each value (the others as "
                             "they are). Beneath each curve, the factor's values in the "
                             "training samples (share of the landslide and of the "
                             "non-landslide samples per bin): where there are few samples the "
                             "curve is an extrapolation. A flat curve means the model's "
                             "probability does not follow that factor on average (it may still "
                             "use it together with another).", class_="note"))
        parts.append(_img(figure_png(lambda fig: draw_response_curves(fig, explanations,
                                                                      colors),
                                     response_size(explanations)), "Response curves"))
    if has_fr:
        parts.append(el("h3", "Frequency ratio per class"))
        parts.append(el("p", "From the FR table: the FR of each class of each factor (its "
                             "share of the training landslide cells divided by its share of "
                             "the area; above 1, the dashed line, the class holds more "
                             "landslides than its area would) and, beneath, the two shares "
                             "themselves.", class_="note"))
        parts.append(_img(figure_png(lambda fig: draw_fr_chart(fig, fr_rows),
                                     fr_size(fr_rows)), "Frequency ratio per class"))
    return parts


AOA_KINDS = {"dissimilarity": "Dissimilarity index",
             "applicability": "Area of applicability (mask)"}


def _aoa_section(rasters: Sequence[tuple[str, AoaTags]], progress: Progress) -> list[Markup]:
    """The 'Area of applicability' section: for each raster its map, threshold, share of the
    area inside, training samples and weights (nothing when no raster is given)."""
    if not rasters:
        return []
    parts = [el("h2", "Area of applicability"),
             el("p", "Where the factors' values are like those the models were trained on "
                     "(Meyer & Pebesma 2021). The dissimilarity index (DI) of a cell is its "
                     "distance to the nearest training sample in the space of the "
                     "standardised factors weighted by their importance, divided by the mean "
                     "distance between the training samples. Cells whose DI exceeds the "
                     "threshold lie outside the area of applicability: the maps there are "
                     "extrapolations and deserve less trust.", class_="note")]
    for path, tags in rasters:
        progress.check()
        kind = AOA_KINDS.get(tags.kind, tags.kind)
        name = Path(path).name
        try:
            png = figure_png(lambda fig, p=path, t=tags, c=f"{kind}: {name}":
                             draw_aoa(fig.add_subplot(1, 1, 1), p, t, c))
        except LsmError as exc:
            parts.append(el("h3", f"{kind}: {name}"))
            parts.append(el("p", f"Not shown: {exc}", class_="note"))
            continue
        share = tags.share_inside
        facts = {"raster": path, "kind": kind,
                 "DI threshold": _sig(tags.threshold),
                 "share of the valid cells inside": ("" if share is None
                                                     else f"{100 * share:.1f} %"),
                 "training samples": tags.n_training or "",
                 "factor weights": tags.weights,
                 "mean distance between training samples": _sig(tags.mean_distance),
                 "factor stack": tags.stack, "partner raster": tags.partner}
        parts.append(el("h3", f"{kind}: {name}"))
        parts.append(el("div", el("figure", _img(png, f"{kind} {name}"),
                                  el("figcaption", f"{kind}: {name}")),
                        _key_values(facts), class_="maps"))
    return parts


def build_report(results_path: str, output_path: str, *, title: str = "Landslide "
                 "susceptibility report", fr_rows: Sequence[dict] = (),
                 vif_rows: Sequence[dict] = (), parameters: Optional[dict] = None,
                 applicability: Sequence[str] = (),
                 progress: Progress = SILENT) -> Path:
    """Write the HTML report of an evaluation (plus FR/VIF tables, the factor importance and
    response curves the results hold, the maps of the area of applicability, and every
    parameter: each model's, the evaluation's, and the report's own ``parameters``).

    ``applicability``: rasters of 'Area of applicability' (dissimilarity index or mask); any
    other raster is refused with an LsmError before anything is written."""
    out = check_output_path(output_path, [results_path, *applicability])
    aoa = [(str(path), aoa_tags(path)) for path in applicability]
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
    parts.extend(_importance_section(models))
    parts.extend(_response_section(models, fr_rows))

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
    parts.extend(_aoa_section(aoa, progress))

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
