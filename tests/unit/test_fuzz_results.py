"""Fuzzing the results file: whatever its bytes, read_results loads it or refuses it with an
LsmError, never another exception; whatever it accepts, the report and the figures draw.

The inputs are any bytes, any JSON, and mutations of a real file written by Evaluate (keys
dropped, types changed, list lengths changed, huge numbers, NaN, hostile text)."""

from __future__ import annotations

import copy
import json
import math
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.evaluation import read_results

from .test_results_file import make_results

FAST = settings(max_examples=150, deadline=timedelta(seconds=2), database=None,
                suppress_health_check=[HealthCheck.too_slow])
#: the report draws a figure per example: fewer of them
SLOW = settings(max_examples=15, deadline=timedelta(seconds=10), database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TEXTS = st.sampled_from(["", "x", "LR", "$\\foo$", "$x^$", "a$b", "<script>alert(1)</script>",
                         '"onerror="x', "#zzzzzz", "#123abc", "red", "\ud800", "a\0b",
                         "/dev/zero", "/etc/passwd", "é" * 400, "_hidden"]) | st.text(max_size=30)
NUMBERS = st.sampled_from([0, 1, -1, 2, 0.5, 1.5, -0.5, 2 ** 63, 10 ** 30, 10 ** 400, 1e308,
                           -1e308, math.inf, -math.inf, math.nan, 1e-320]) | \
    st.floats(allow_nan=True, allow_infinity=True) | st.integers()
SCALARS = st.none() | st.booleans() | NUMBERS | TEXTS
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(TEXTS, inner, max_size=4), max_leaves=12)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> dict:
    """A real results file's content, and a place to write the fuzzed ones."""
    d = tmp_path_factory.mktemp("fuzz")
    data = json.loads(make_results(d).read_text(encoding="utf-8"))
    for m in data["models"]:  # keep examples fast: no map to draw (missing files are skipped)
        m["lsi"], m["zones"] = str(d / "moved" / "lsi.tif"), None
    import matplotlib.figure  # noqa: F401  (imported once, outside the deadlines)

    return {"dir": d, "data": data}


def outcome(path) -> dict | None:
    """What read_results made of a file: the data, or None when it refused it clearly."""
    try:
        return read_results(str(path))
    except LsmError:
        return None


def paths_of(value, prefix=()) -> list:
    """Every place in a JSON document (ROC/rate lists: their first elements only)."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths_of(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            out += paths_of(v, (*prefix, i))
    return out


def mutate(data, path: tuple, how: str, value):
    if not path:
        return value
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    target = parent[key]
    if how == "drop":
        del parent[key]
    elif how == "replace":
        parent[key] = value
    elif how == "shorten" and isinstance(target, (list, str)):
        parent[key] = target[: len(target) // 2]
    elif how == "lengthen" and isinstance(target, list):
        parent[key] = target + target[:1] * 3 + [value]
    elif how == "wrap":
        parent[key] = [target]
    return data


@st.composite
def mutated(draw, data: dict) -> dict:
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        places = paths_of(data)
        path = draw(st.sampled_from(places))
        how = draw(st.sampled_from(["drop", "replace", "replace", "shorten", "lengthen",
                                    "wrap"]))
        if how == "drop" and not path:
            continue
        data = mutate(data, path, how, draw(JSON))
    return data


def dump(data) -> bytes:
    return json.dumps(data, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")


@FAST
@given(raw=st.binary(max_size=600) | st.builds(
    lambda head, tail: head + tail,
    st.sampled_from([b'{"format": "landslide-lsm-evaluation", "models": [', b"\xef\xbb\xbf{",
                     b'{"format": "landslide-lsm-evaluation", "models": [{"name": "a", ']),
    st.binary(max_size=200)))
def test_any_bytes_load_or_are_refused(base, raw):
    path = base["dir"] / "bytes.json"
    path.write_bytes(raw)
    outcome(path)


@FAST
@given(doc=JSON | st.builds(lambda extra: {"format": "landslide-lsm-evaluation", **extra},
                            st.dictionaries(st.sampled_from(
                                ["models", "format_version", "parameters", "n_validation",
                                 "messages", "threshold_mode"]), JSON)))
def test_any_json_loads_or_is_refused(base, doc):
    path = base["dir"] / "any.json"
    path.write_bytes(dump(doc))
    outcome(path)


@FAST
@given(data=st.data())
def test_mutations_of_a_real_file_load_or_are_refused(base, data):
    doc = data.draw(mutated(base["data"]))
    path = base["dir"] / "mutated.json"
    path.write_bytes(dump(doc))
    outcome(path)
    # the bytes of a real file, cut or corrupted anywhere
    raw = dump(doc)
    cut = data.draw(st.integers(0, len(raw)))
    path.write_bytes(raw[:cut] + data.draw(st.binary(max_size=8)) + raw[cut + 1:])
    outcome(path)


@SLOW
@given(data=st.data())
def test_what_read_results_accepts_the_report_and_figures_draw(base, data):
    """Mutations that leave a valid file: the HTML report and the ROC figure are made; a
    refusal is only ever an LsmError (no 'This is a bug')."""
    from landslide_lsm_plugin.presentation.figures import save_roc_figure
    from landslide_lsm_plugin.presentation.report import build_report

    doc = data.draw(mutated(base["data"]))
    path = base["dir"] / "accepted.json"
    path.write_bytes(dump(doc))
    results = outcome(path)
    if results is None:
        return
    try:
        build_report(str(path), str(base["dir"] / "report.html"))
        save_roc_figure(results.models, base["dir"] / "roc.png", dpi=30)
    except LsmError:
        pass
