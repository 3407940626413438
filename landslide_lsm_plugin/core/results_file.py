"""The results file of 'Evaluate susceptibility maps', read as data from anyone.

:func:`load_results` reads it within bounds (a regular file of at most
:data:`~.safe_files.MAX_JSON_BYTES`, UTF-8 JSON) and checks, once, every field that its
consumers (the report, the figures, the comparison dock, 'Create project') use: types, lengths
and ranges. Anything else is refused with an LsmError that names the file and the field, so the
consumers can rely on the structure. :func:`check_raster` guards the rasters a results file
names before GDAL or QGIS opens them.

No qgis, no numpy.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path

from .errors import LsmError
from .records import (
    EXPLANATION_FORMAT,
    EXPLANATION_FORMAT_VERSION,
    EvaluationResults,
    Explanation,
)
from .safe_files import MAX_JSON_BYTES, check_regular_file, read_regular

RESULTS_FORMAT = "landslide-lsm-evaluation"
#: the newest format version this plugin reads
RESULTS_FORMAT_VERSION = 1
#: deeper nesting than any results file has (models[i].model.cv.<key> is 4 levels)
MAX_DEPTH = 32
MAX_NAME_CHARS = 300
MAX_PATH_CHARS = 4096
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
FIX = ("It is not a results file as 'Evaluate susceptibility maps' writes it (damaged or "
       "edited?); run Evaluate again to write a new one.")

#: a rate's range, with room for rounding
RATE = (0.0, 1.0 + 1e-9)
#: metric -> (lowest, highest, integer); NaN is allowed where a metric can be undefined
METRICS = {"tp": (0, 1e15, True), "tn": (0, 1e15, True), "fp": (0, 1e15, True),
           "fn": (0, 1e15, True), "n": (0, 1e15, True), "accuracy": (*RATE, False),
           "precision": (*RATE, False), "sensitivity": (*RATE, False),
           "specificity": (*RATE, False), "f1": (*RATE, False),
           "kappa": (-RATE[1], RATE[1], False), "auroc": (*RATE, False),
           "brier": (*RATE, False), "threshold": (-1e15, 1e15, False)}
#: more LSI bins than any reliability diagram has
MAX_RELIABILITY_BINS = 1000


class _Bad(Exception):
    """A field is wrong: (where, what is wrong)."""


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(where: str, value, lo: float = -1e300, hi: float = 1e300, *, integer=False,
            nan=False, null=False) -> None:
    if value is None and null:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(where, f"must be {'a whole number' if integer else 'a number'}, "
                          f"not {_kind(value)}")
    if integer and not isinstance(value, int):
        raise _Bad(where, f"must be a whole number, not {_show(value)}")
    if isinstance(value, float) and math.isnan(value):
        if not nan:
            raise _Bad(where, "must be a number, not NaN")
    elif not lo <= value <= hi:
        raise _Bad(where, f"is {_show(value)}, outside {lo:g} .. {hi:g}")


def _text(where: str, value, *, null=False, limit: int = MAX_PATH_CHARS, path=False) -> None:
    if value is None and null:
        return
    if not isinstance(value, str):
        raise _Bad(where, f"must be text, not {_kind(value)}")
    if len(value) > limit:
        raise _Bad(where, f"is {len(value):,} characters long, more than the {limit:,} it can be")
    if path and "\0" in value:
        raise _Bad(where, "holds a NUL character, which no file path has")


def _obj(where: str, value, *, null=False) -> bool:
    """True for an object, False for an allowed null."""
    if value is None and null:
        return False
    if not isinstance(value, dict):
        raise _Bad(where, f"must be an object, not {_kind(value)}")
    return True


def _curve(where: str, curve: dict, x: str, y: str) -> None:
    """Two lists of equal length (2 or more) of numbers in 0..1."""
    for key in (x, y):
        if not isinstance(curve.get(key), list):
            raise _Bad(f"{where}.{key}", f"must be a list of numbers, not "
                                         f"{_kind(curve.get(key))}"
                       if key in curve else "is missing")
        for i, v in enumerate(curve[key]):
            _number(f"{where}.{key}[{i}]", v, *RATE)
    if len(curve[x]) != len(curve[y]):
        raise _Bad(f"{where}.{x}", f"has {len(curve[x]):,} values but {where}.{y} has "
                                   f"{len(curve[y]):,}; they must pair up")
    if len(curve[x]) < 2:
        raise _Bad(f"{where}.{x}", "needs at least 2 points")


def _reliability(where: str, value) -> None:
    """The reliability diagram: lists lsi, observed (numbers in 0..1) and count (whole
    numbers >= 0) of equal length."""
    if not _obj(where, value, null=True):
        return
    for key in ("lsi", "observed", "count"):
        if not isinstance(value.get(key), list):
            raise _Bad(f"{where}.{key}", f"must be a list of numbers, not "
                                         f"{_kind(value.get(key))}"
                       if key in value else "is missing")
        if len(value[key]) > MAX_RELIABILITY_BINS:
            raise _Bad(f"{where}.{key}", f"has {len(value[key]):,} bins, more than the "
                                         f"{MAX_RELIABILITY_BINS:,} it can have")
        for i, v in enumerate(value[key]):
            if key == "count":
                _number(f"{where}.count[{i}]", v, 0, 1e15, integer=True)
            else:
                _number(f"{where}.{key}[{i}]", v, *RATE)
    if not len(value["lsi"]) == len(value["observed"]) == len(value["count"]):
        raise _Bad(f"{where}.lsi", f"has {len(value['lsi']):,} values, {where}.observed "
                                   f"{len(value['observed']):,} and {where}.count "
                                   f"{len(value['count']):,}; they must pair up")


def _walk(data) -> None:
    """Bound the nesting, and refuse text that cannot be written as UTF-8 (lone surrogates)."""
    stack = [(data, 1, "the file")]
    while stack:
        value, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            raise _Bad(where, f"is nested more than {MAX_DEPTH} levels deep")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            for text in (key, item):
                if isinstance(text, str):
                    try:
                        text.encode("utf-8")
                    except UnicodeEncodeError:
                        raise _Bad(f"{where} > {_show(key)}",
                                   "holds text that is not valid Unicode") from None
            if isinstance(item, (dict, list)):
                stack.append((item, depth + 1, f"{where} > {_show(key)}"))


def _check_model_record(where: str, record) -> None:
    """What Evaluate kept of the model file (shown in the report's 'Models' section)."""
    if not _obj(where, record, null=True):
        return
    for key in ("model_file", "missing"):
        if key in record:
            _text(f"{where}.{key}", record[key], path=key == "model_file")
    for key in ("hyperparameters", "cv"):
        if key in record:
            _obj(f"{where}.{key}", record[key], null=True)
    if "training_time_s" in record:
        _number(f"{where}.training_time_s", record["training_time_s"], 0, nan=True, null=True)
    rows = record.get("fr_encoding")
    if rows is not None:
        if not isinstance(rows, list):
            raise _Bad(f"{where}.fr_encoding", f"must be a list, not {_kind(rows)}")
        for i, row in enumerate(rows):
            _obj(f"{where}.fr_encoding[{i}]", row)


def _check_model(where: str, m) -> None:
    _obj(where, m)
    if "name" not in m:
        raise _Bad(f"{where}.name", "is missing")
    _text(f"{where}.name", m["name"], limit=MAX_NAME_CHARS)
    if not m["name"].strip():
        raise _Bad(f"{where}.name", "is empty")
    if "lsi" not in m:
        raise _Bad(f"{where}.lsi", "is missing")
    _text(f"{where}.lsi", m["lsi"], path=True)
    _text(f"{where}.zones", m.get("zones"), null=True, path=True)
    _text(f"{where}.sd", m.get("sd"), null=True, path=True)
    _text(f"{where}.model_type", m.get("model_type"), null=True, limit=MAX_NAME_CHARS)
    color = m.get("color")
    if color is not None and not (isinstance(color, str) and COLOR.fullmatch(color)):
        raise _Bad(f"{where}.color", f"is {_show(color)}; a colour must be written #rrggbb")
    for key in ("metrics", "roc"):
        if key not in m:
            raise _Bad(f"{where}.{key}", "is missing")
        _obj(f"{where}.{key}", m[key])
    if "auroc" not in m["metrics"]:
        raise _Bad(f"{where}.metrics.auroc", "is missing")
    for key, (lo, hi, integer) in METRICS.items():
        if key in m["metrics"]:
            _number(f"{where}.metrics.{key}", m["metrics"][key], lo, hi, integer=integer,
                    nan=not integer, null=key != "auroc")
    _curve(f"{where}.roc", m["roc"], "fpr", "tpr")
    for key in ("training_time_s", "map_time_s"):
        _number(f"{where}.{key}", m.get(key), 0, nan=True, null=True)
    _number(f"{where}.cv_auroc", m.get("cv_auroc"), *RATE, nan=True, null=True)
    for key in ("success_rate", "prediction_rate"):
        if _obj(f"{where}.{key}", m.get(key), null=True):
            _curve(f"{where}.{key}", m[key], "area", "landslides")
            _number(f"{where}.{key}.auc", m[key].get("auc"), *RATE, nan=True)
    _reliability(f"{where}.reliability", m.get("reliability"))
    _check_model_record(f"{where}.model", m.get("model"))
    if m.get("explanation") is not None:
        _explanation(f"{where}.explanation", m["explanation"])


#: more factors, repeats, curve points or histogram bins than any explanation has
MAX_EXPLAINED = 1000


def _numbers(where: str, value, lo: float = -1e300, hi: float = 1e300, *, integer=False,
             limit: int = MAX_EXPLAINED) -> None:
    """A list of at most ``limit`` finite numbers in lo .. hi."""
    if not isinstance(value, list):
        raise _Bad(where, f"must be a list of numbers, not {_kind(value)}")
    if len(value) > limit:
        raise _Bad(where, f"has {len(value):,} values, more than the {limit:,} it can have")
    for i, v in enumerate(value):
        _number(f"{where}[{i}]", v, lo, hi, integer=integer)


def _explanation(where: str, e) -> None:
    """An explanation (a model's factor importance and response curves)."""
    _obj(where, e)
    for key in ("model_name", "model_type"):
        _text(f"{where}.{key}", e.get(key, ""), limit=MAX_NAME_CHARS)
    for key in ("model_file", "stack", "samples", "plugin_version", "created"):
        _text(f"{where}.{key}", e.get(key, ""), path=True)
    _number(f"{where}.base_auroc", e.get("base_auroc"), *RATE)
    for key in ("n_importance", "repeats", "seed", "n_response"):
        _number(f"{where}.{key}", e.get(key, 0), 0, 2**63, integer=True)
    factors = e.get("importance")
    if not isinstance(factors, list) or not factors:
        raise _Bad(f"{where}.importance", "must be a list of factors" if factors != []
                   else "is empty")
    if len(factors) > MAX_EXPLAINED:
        raise _Bad(f"{where}.importance", f"has {len(factors):,} factors, more than "
                                          f"{MAX_EXPLAINED:,}")
    for i, f in enumerate(factors):
        at = f"{where}.importance[{i}]"
        _obj(at, f)
        _text(f"{at}.factor", f.get("factor"), limit=MAX_NAME_CHARS)
        _number(f"{at}.mean", f.get("mean"), -1.0, 1.0)
        _number(f"{at}.sd", f.get("sd"), 0.0, 1.0)
        _numbers(f"{at}.drops", f.get("drops", []), -1.0, 1.0)
    curves = e.get("curves", [])
    if not isinstance(curves, list) or len(curves) > MAX_EXPLAINED:
        raise _Bad(f"{where}.curves", f"must be a list of at most {MAX_EXPLAINED:,} curves")
    for i, c in enumerate(curves):
        at = f"{where}.curves[{i}]"
        _obj(at, c)
        _text(f"{at}.factor", c.get("factor"), limit=MAX_NAME_CHARS)
        if c.get("kind") not in ("continuous", "categorical"):
            raise _Bad(f"{at}.kind", f"is {_show(c.get('kind'))}, not 'continuous' or "
                                     "'categorical'")
        _numbers(f"{at}.values", c.get("values"))
        _numbers(f"{at}.response", c.get("response"), *RATE)
        if len(c["values"]) != len(c["response"]):
            raise _Bad(f"{at}.values", "and its response must pair up")
        _numbers(f"{at}.bins", c.get("bins", []))
        for key in ("train_landslide", "train_other"):
            _numbers(f"{at}.{key}", c.get(key, []), 0, 1e15, integer=True)
        counts = len(c.get("train_landslide", []))
        bins = len(c.get("bins", []))
        if counts != len(c.get("train_other", [])) or (
                counts and bins != counts + (c["kind"] == "continuous")):
            raise _Bad(f"{at}.bins", "and the training counts do not pair up")


def _check_format(data, name: str, fmt: str, newest: int, what: str, short: str) -> None:
    """A JSON document of our format ``fmt`` in a version this plugin reads (else an LsmError
    that says to update the plugin), nested within bounds, its text valid Unicode."""
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise LsmError(f"'{name}' is not a Landslide LSM {what}.")
    version = data.get("format_version", 1)
    _number("format_version", version, 1, 1e15, integer=True)
    if version > newest:
        raise LsmError(f"'{name}' was written by a newer Landslide LSM ({short} format "
                       f"{version}; this plugin reads up to {newest}). Update the plugin.")
    _walk(data)


def check_explanation(data, name: str) -> dict:
    """``data`` (a parsed explanation file) if every field is sound, else an LsmError naming
    ``name`` and the field."""
    try:
        _check_format(data, name, EXPLANATION_FORMAT, EXPLANATION_FORMAT_VERSION,
                      "explanation file (made by 'Factor importance and response curves')",
                      "explanation")
        _explanation("the explanation", data)
    except _Bad as bad:
        where, problem = bad.args
        raise LsmError(f"'{name}': {where} {problem}. Run 'Factor importance and response "
                       "curves' again to write a new one.") from None
    return data


def load_explanation(path: str | Path) -> Explanation:
    """Read and check an explanation file (see :func:`check_explanation`)."""
    raw = read_regular(path, "explanation file", MAX_JSON_BYTES)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise LsmError(f"Cannot read the explanation file '{path}': it is not UTF-8 JSON. "
                       "Run 'Factor importance and response curves' again.") from None
    return Explanation.from_dict(data, str(path))


def check_results(data, name: str) -> dict:
    """``data`` (a parsed results file) if every field its consumers use is sound, else an
    LsmError naming ``name`` and the field."""
    try:
        _check_format(data, name, RESULTS_FORMAT, RESULTS_FORMAT_VERSION,
                      "evaluation results file (made by 'Evaluate susceptibility maps')",
                      "results")
        for key in ("plugin_version", "created", "threshold_mode"):
            _text(key, data.get(key), null=True, limit=MAX_NAME_CHARS)
        for key in ("n_validation", "n_training"):
            _number(key, data.get(key), 0, 1e15, integer=True, null=True)
        _obj("parameters", data.get("parameters"), null=True)
        messages = data.get("messages")
        if messages is not None and not (isinstance(messages, list)
                                         and all(isinstance(t, str) for t in messages)):
            raise _Bad("messages", "must be a list of texts")
        models = data.get("models")
        if not isinstance(models, list):
            raise _Bad("models", "is missing" if models is None
                       else f"must be a list of models, not {_kind(models)}")
        if not models:
            raise _Bad("models", "is empty: the file holds no evaluated model")
        for i, m in enumerate(models):
            _check_model(f"models[{i}]", m)
    except _Bad as bad:
        where, problem = bad.args
        raise LsmError(f"'{name}': {where} {problem}. {FIX}") from None
    return data


def load_results(path: str | Path) -> EvaluationResults:
    """Read and check a results file (see :func:`check_results`)."""
    raw = read_regular(path, "results file", MAX_JSON_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LsmError(f"'{path}' is not a results file: it is not UTF-8 text (byte "
                       f"{exc.start:,}). {FIX}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        # JSONDecodeError, an integer of thousands of digits, nesting deeper than Python's stack
        reason = str(exc) if isinstance(exc, ValueError) else "nested too deep"
        raise LsmError(f"Cannot read the results file '{path}': it is not valid JSON "
                       f"({reason[:200]}). {FIX}") from None
    return EvaluationResults.from_dict(data, str(path))


def _check_siblings(path: str, what: str) -> None:
    """Refuse a raster with a pipe or device beside it under its name (``x.tif.aux.xml``,
    ``x.ovr``, ``x.qml``...): GDAL or QGIS would open it and wait for ever."""
    folder, name = os.path.split(os.path.abspath(path))
    stem = os.path.splitext(name)[0].lower()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name == name or not entry.name.lower().startswith(stem):
            continue
        try:
            mode = entry.stat().st_mode
        except OSError:  # a dangling link: nothing to read
            continue
        if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or \
                stat.S_ISSOCK(mode):
            raise LsmError(f"The {what} '{path}' has '{entry.name}' beside it, a pipe or device "
                           "that GDAL or QGIS would try to read with it; it is not opened. "
                           f"Remove or rename '{entry.name}'.")


def check_raster(path: str, what: str):
    """The GDAL dataset of a raster a results file names, opened only once it is a regular
    file with no pipe or device beside it under its name, and only if every file it reads
    from (a VRT's sources, sidecars) is a regular file too; else an LsmError naming ``what``
    and the path."""
    from .raster import open_raster

    check_regular_file(path, what)
    _check_siblings(path, what)
    ds = open_raster(path, what)
    for part in ds.GetFileList() or []:
        if part.startswith("/vsi"):  # a VRT source on the network or in an archive
            raise LsmError(f"The {what} '{path}' reads '{part}', a GDAL virtual file (network "
                           "or archive); it is not opened. Choose a raster on disk.")
        if os.path.normpath(part) != os.path.normpath(path) and os.path.lexists(part):
            check_regular_file(part, f"source of the {what} '{path}', the file")
    return ds
