"""The results file is data from anyone: read_results checks all of it once (clear LsmError
naming the file and the field), the report escapes every value, figures draw names as plain
text, and no file it names (itself, an LSI map, a model file) can hang a reader.

Every bad file is made here from a real one written by Evaluate (core, no QGIS)."""

from __future__ import annotations

import copy
import itertools
import json
import math
import os
import re
import shutil
import threading
import time
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal

from landslide_lsm_plugin.core import evaluation, predict, training, zoning
from landslide_lsm_plugin.core import frequency_ratio as fr
from landslide_lsm_plugin.core import sampling as smp
from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.evaluation import model_record, read_results
from landslide_lsm_plugin.core.records import EvaluationResults
from landslide_lsm_plugin.core.safe_files import MAX_JSON_BYTES
from landslide_lsm_plugin.presentation.report import build_report

from ..conftest import square, write_raster, write_vector

X0, Y0 = 500000.0, 9500000.0
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def make_results(d: Path) -> Path:
    """A real run in core: stack -> samples -> FR -> two logistic models (raw and FR-encoded)
    -> LSI maps -> zones -> Evaluate with rate curves -> the results file. About 2 s."""
    rng = np.random.default_rng(3)
    stack = write_raster(d / "stack.tif", rng.random((3, 100, 120)).astype(np.float32),
                         names=["a", "b", "c"])
    inventory = write_vector(d / "inv.gpkg", [square(X0 + 40 + 95 * (i % 12),
                                                     Y0 - 60 - 190 * (i // 12), 40)
                                              for i in range(48)])
    samples = str(d / "samples.gpkg")
    smp.prepare_samples(str(inventory), str(stack), samples, seed=1)
    result = fr.compute_fr(str(stack), samples, method="quantile", classes=4)
    fr.encode_stack(str(stack), result.encodings, str(d / "fr.tif"),
                    provenance=result.provenance)
    lsis = []
    for name, inputs in (("LR", stack), ("FR-LR", d / "fr.tif")):
        training.train_to_file("logistic", str(inputs), samples, str(d / f"{name}.lsmodel"),
                               search=training.SearchSettings(n_folds=4), name=name)
        predict.predict_lsi(str(d / f"{name}.lsmodel"), str(inputs), str(d / f"{name}.tif"))
        zoning.classify_raster(str(d / f"{name}.tif"), str(d / f"{name}_zones.tif"))
        lsis.append(str(d / f"{name}.tif"))
    ev = evaluation.evaluate_lsi(lsis, samples, rate_curves=True,
                                 zone_paths=[str(d / "LR_zones.tif"),
                                             str(d / "FR-LR_zones.tif")])
    return evaluation.write_results(ev, str(d / "results.json"))


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("results")
    path = make_results(d)
    return {"dir": d, "path": path, "data": json.loads(path.read_text(encoding="utf-8"))}


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# --- B: one clear LsmError per malformed file -------------------------------------------------

def test_a_file_written_by_evaluate_loads_whole(real):
    data = read_results(str(real["path"]))
    assert data.to_dict() == json.loads(real["path"].read_text())  # NaN-free: == holds
    assert [m.name for m in data.models] == ["LR", "FR-LR"]
    assert data.models[1].model["fr_encoding"] and data.models[0].success_rate


def _set(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        node = data
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        if value is KeyError:
            del node[last]
        else:
            node[int(last) if isinstance(node, list) else last] = value
    return change


def _shorter_tpr(data):
    data["models"][1]["roc"]["tpr"].pop()


#: (what is done to a real file, what the message must say)
MALFORMED = {
    "bad colour": (_set("models.0.color", "red;background:url(x)"),
                   r"models\[0\]\.color is 'red;background:url\(x\)'; a colour must be written "
                   "#rrggbb"),
    "missing metrics": (_set("models.1.metrics", KeyError), r"models\[1\]\.metrics is missing"),
    "missing auroc": (_set("models.0.metrics.auroc", KeyError),
                      r"models\[0\]\.metrics\.auroc is missing"),
    "integer name": (_set("models.0.name", 42), r"models\[0\]\.name must be text, not a number"),
    "ROC lengths differ": (_shorter_tpr, r"models\[1\]\.roc\.fpr has \d+ values but "
                                         r"models\[1\]\.roc\.tpr has \d+; they must pair up"),
    "models not a list": (_set("models", {"a": 1}),
                          "models must be a list of models, not an object"),
    "model not an object": (_set("models.1", "LR"), r"models\[1\] must be an object, not text"),
    "infinite metric": (_set("models.0.metrics.auroc", math.inf),
                        r"models\[0\]\.metrics\.auroc is inf, outside 0 \.\. 1"),
    "NaN in the ROC": (_set("models.0.roc.fpr.3", math.nan),
                       r"models\[0\]\.roc\.fpr\[3\] must be a number, not NaN"),
    "text metric": (_set("models.0.metrics.accuracy", "0.9"),
                    r"models\[0\]\.metrics\.accuracy must be a number, not text"),
    "fractional count": (_set("models.0.metrics.tp", 3.5),
                         r"models\[0\]\.metrics\.tp must be a whole number, not 3\.5"),
    "boolean count": (_set("n_validation", True), "n_validation must be a whole number, not "
                                                  "true/false"),
    "huge count": (_set("models.0.metrics.fn", 10 ** 400),
                   r"models\[0\]\.metrics\.fn is 1000000000000000000000000000000000000\.\.\., "
                   "outside 0 .. 1e"),
    "NUL in a path": (_set("models.0.lsi", "/tmp/a\0b.tif"),
                      r"models\[0\]\.lsi holds a NUL character"),
    "lone surrogate": (_set("models.0.model.hyperparameters.C", "\ud800"),
                       "holds text that is not valid Unicode"),
    "empty models": (_set("models", []), "models is empty"),
    "rate curve not an object": (_set("models.0.success_rate", [1, 2]),
                                 r"models\[0\]\.success_rate must be an object, not a list"),
    "FR rows not objects": (_set("models.1.model.fr_encoding.0", 7),
                            r"models\[1\]\.model\.fr_encoding\[0\] must be an object"),
    "hyperparameters not an object": (_set("models.0.model.hyperparameters", "C=1"),
                                      r"models\[0\]\.model\.hyperparameters must be an object"),
    "parameters not an object": (_set("parameters", ["x"]), "parameters must be an object"),
    "too deep": (_set("parameters.x", json.loads("[" * 40 + "]" * 40)),
                 "is nested more than 32 levels deep"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_results_file_is_refused_naming_file_and_field(real, tmp_path, case):
    change, message = MALFORMED[case]
    data = copy.deepcopy(real["data"])
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, allow_nan=True), encoding="utf-8")
    with pytest.raises(LsmError) as caught:
        read_results(str(bad))
    text = str(caught.value)
    assert text.startswith(f"'{bad}': "), text
    assert text.endswith("run Evaluate again to write a new one."), text
    assert re.search(message, text), text


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe not UTF-8", "it is not UTF-8 text"),
    (b'{"format": "landslide-lsm-evaluation", "models": [', "it is not valid JSON"),
    (b"[" * 200_000 + b"]" * 200_000, "it is not valid JSON"),  # deeper than Python's stack
    (b'{"n": 1' + b"0" * 5000 + b"}", "it is not valid JSON"),  # past int's digit limit
    (b'{"format": "something else", "models": []}', "is not a Landslide LSM evaluation"),
    (b'{"format": "landslide-lsm-evaluation", "format_version": 9, "models": []}',
     r"newer Landslide LSM \(results format 9; this plugin reads up to 1\)\. Update"),
    (b'{"format": "landslide-lsm-evaluation", "format_version": "1", "models": []}',
     "format_version must be a whole number, not text"),
])
def test_a_file_that_is_not_a_results_file_is_refused(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    with pytest.raises(LsmError, match=message) as caught:
        read_results(str(bad))
    assert str(bad) in str(caught.value)


def test_a_results_file_larger_than_any_real_one_is_refused_unread(tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as fh:  # sparse: nothing is written, nothing is read
        fh.truncate(MAX_JSON_BYTES + 1)
    with pytest.raises(LsmError, match=r"more than the 64\.0 MB such a file can be"):
        read_results(str(big))


def test_a_folder_is_not_a_results_file(tmp_path):
    with pytest.raises(LsmError, match="is a folder, not a regular file"):
        read_results(str(tmp_path))


# --- D: nothing named by a results file can hang its reader ----------------------------------

@contextmanager
def fifo_watchdog(*fifos: Path, seconds: float = 15.0):
    """Fail instead of hanging: after ``seconds``, open each FIFO for writing (and close it),
    which releases any reader blocked on it, and record that one was."""
    done, hung = threading.Event(), []

    def watch():
        if done.wait(seconds):
            return
        while not done.is_set():
            for fifo in fifos:
                try:
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                    hung.append(str(fifo))
                except OSError:  # ENXIO: nobody is waiting on it
                    pass
            time.sleep(0.1)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(5)
    assert not hung, f"a reader waited on the FIFO(s) {sorted(set(hung))}"


@needs_fifo
def test_a_fifo_results_file_is_refused_at_once(tmp_path):
    fifo = tmp_path / "results.json"
    os.mkfifo(fifo)
    with fifo_watchdog(fifo), pytest.raises(LsmError, match=r"is a pipe \(FIFO\)"):
        read_results(str(fifo))


@needs_fifo
def test_report_with_fifo_maps_and_fifo_sidecars_says_so_and_finishes(real, tmp_path):
    """LSI and zone paths that are FIFOs, and a real LSI with a FIFO .aux.xml beside it (GDAL
    reads that when it opens the map): each map is left out with the reason, nothing waits."""
    data = copy.deepcopy(real["data"])
    lsi_fifo, zones_fifo = tmp_path / "lsi_fifo.tif", tmp_path / "zones_fifo.tif"
    os.mkfifo(lsi_fifo)
    os.mkfifo(zones_fifo)
    data["models"][0].update(lsi=str(lsi_fifo), zones=str(zones_fifo))
    shutil.copyfile(data["models"][1]["lsi"], tmp_path / "lsi.tif")
    aux = tmp_path / "lsi.tif.aux.xml"
    os.mkfifo(aux)
    data["models"][1].update(lsi=str(tmp_path / "lsi.tif"), zones=None)
    results = write(tmp_path / "results.json", data)
    with fifo_watchdog(lsi_fifo, zones_fifo, aux):
        page = build_report(str(results), str(tmp_path / "r.html")).read_text(encoding="utf-8")
    assert f"LSI of LR not shown: The raster &#x27;{lsi_fifo}&#x27; is a pipe (FIFO)" in page
    assert f"Zones of LR not shown: The raster &#x27;{zones_fifo}&#x27; is a pipe (FIFO)" in page
    assert "LSI of FR-LR not shown:" in page and "lsi.tif.aux.xml&#x27; beside it" in page


@needs_fifo
def test_a_fifo_model_file_named_by_an_lsi_map_does_not_hang(real, tmp_path):
    """Old results files have no model record: the report reads the model file named in the
    LSI map's metadata. A FIFO there (or as an LSNet sidecar) is reported, not waited on."""
    fifo = tmp_path / "model.lsmodel"
    os.mkfifo(fifo)
    keras = tmp_path / "net.keras"
    keras.write_bytes(b"zip")
    os.mkfifo(tmp_path / "net.keras.json")
    with fifo_watchdog(fifo, tmp_path / "net.keras.json"):
        assert "pipe (FIFO)" in model_record(str(fifo))["missing"]
        assert "pipe (FIFO)" in model_record(str(keras))["missing"]
    lsi = tmp_path / "old.tif"
    shutil.copyfile(real["data"]["models"][0]["lsi"], lsi)
    ds = gdal.Open(str(lsi), gdal.GA_Update)
    ds.SetMetadataItem("LSM_MODEL_FILE", str(fifo))
    ds = None
    data = copy.deepcopy(real["data"])
    for m in data["models"]:
        m.pop("model")
        m.update(lsi=str(lsi), zones=None)
    results = write(tmp_path / "old.json", data)
    with fifo_watchdog(fifo):
        page = build_report(str(results), str(tmp_path / "r.html")).read_text(encoding="utf-8")
    assert "Not recorded: the model file was not found" in page


def test_a_map_that_is_not_a_raster_is_left_out_with_the_reason(real, tmp_path):
    text = tmp_path / "notes.tif"
    text.write_text("root:x:0:0:root:/root:/bin/bash\n")
    many = write_raster(tmp_path / "many_zones.tif",
                        np.full((4, 4), 1e9, dtype=np.float32))
    data = copy.deepcopy(real["data"])
    data["models"][0].update(lsi=str(text), zones=str(tmp_path))  # a folder
    data["models"][1].update(zones=str(many))
    results = write(tmp_path / "results.json", data)
    page = build_report(str(results), str(tmp_path / "r.html")).read_text(encoding="utf-8")
    assert "LSI of LR not shown: Cannot open the raster" in page
    assert "Zones of LR not shown: The raster" in page and "is a folder" in page
    assert "Zones of FR-LR not shown:" in page and "more than 50 classes" in page
    assert "LSI of FR-LR: FR-LR.tif" in page  # the good map is still drawn


# --- A: every value reaching the HTML is escaped ---------------------------------------------

PAYLOADS = ("<script>alert(1)</script>", '"onerror="alert(2)', "'><img src=x onerror=alert(3)>",
            "</style><script>alert(4)</script>", "&lt;script&gt;")


def hostile(value, counter=None):
    """Every text of a results file with a payload in it (the payloads in turn); numbers and
    the structure's keys stay, so the file still loads (see with_hostile_keys for keys)."""
    counter = itertools.count() if counter is None else counter
    if isinstance(value, dict):
        return {k: v if k in ("format", "color") else hostile(v, counter)
                for k, v in value.items()}
    if isinstance(value, list):
        return [hostile(v, counter) for v in value]
    if isinstance(value, str):
        return value + PAYLOADS[next(counter) % len(PAYLOADS)]
    return value


FREE_FORM = ("hyperparameters", "cv")


def with_hostile_keys(data: dict) -> dict:
    for i, payload in enumerate(PAYLOADS):
        data["parameters"][payload] = payload
        for m in data["models"]:
            for key in FREE_FORM:
                m["model"][key][payload] = [payload, i]
            m["model"][payload] = {payload: payload}
            m["model"]["fr_encoding"] = m["model"].get("fr_encoding", []) + [
                {"factor": payload, "method": payload, "classes": payload, "fr_min": payload}]
    return data


class Page(HTMLParser):
    """The elements, attributes and text of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v) for k, v in attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_every_value_of_a_hostile_results_file_is_escaped(real, tmp_path):
    data = with_hostile_keys(hostile(copy.deepcopy(real["data"])))
    # one model keeps its maps (names in captions and alt texts), with a hostile map file name
    lsi = tmp_path / "'><img src=x onerror=alert(5)>.tif"
    shutil.copyfile(real["data"]["models"][0]["lsi"], lsi)
    data["models"][0].update(lsi=str(lsi), zones=real["data"]["models"][0]["zones"])
    data["models"][0]["color"] = "#123abc"
    data["n_validation"] = 7
    results = write(tmp_path / "results.json", data)
    read_results(str(results))  # it is a valid file: the report must show it, escaped
    page_path = build_report(str(results), str(tmp_path / "r.html"),
                             title="<script>alert('title')</script>",
                             parameters={"<b>own</b>": "<script>alert(6)</script>"})
    page = page_path.read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img src=x" not in page
    parsed = Page()
    parsed.feed(page)
    assert set(parsed.tags) <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3",
                                "h4", "p", "table", "tr", "th", "td", "div", "figure",
                                "figcaption", "img"}, set(parsed.tags)
    for tag, name, value in parsed.attrs:
        assert not name.startswith("on"), (tag, name, value)
        assert name in {"lang", "charset", "class", "alt", "src"}, (tag, name)
        if name == "src":
            assert value.startswith("data:image/png;base64,")
        if name == "class":
            assert set(value.split()) <= {"l", "best", "flag", "note", "maps"}, value
    # shown, as text: the payloads are in the page's text, not dropped
    text = "".join(parsed.text)
    for payload in PAYLOADS:
        assert payload in text
    assert "<script>alert('title')</script>" in text and "<b>own</b>" in text
    # the curves, the reliability diagram, the LSI, the zones
    assert sum(tag == "img" for tag in parsed.tags) == 4


# --- C: names are text, never mathtext ----------------------------------------------------------

def test_names_with_dollar_signs_are_drawn_as_they_are(real, tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from landslide_lsm_plugin.presentation.figures import draw_rates, draw_roc, save_roc_figure

    names = [r"$\foo$ broken", "cost $5 and $x^$ too"]
    data = copy.deepcopy(real["data"])
    for m, name in zip(data["models"], names):
        m["name"] = name
    fig = Figure()
    FigureCanvasAgg(fig)
    ax, ax2 = fig.subplots(1, 2)
    models = EvaluationResults.from_dict(data, "results.json").models
    draw_roc(ax, models, title="$\\bar$ title")
    draw_rates(ax2, models, "success_rate", "$\\nope$")
    fig.canvas.draw()  # mathtext would fail here on $\foo$
    shown = [t for t in ax.get_legend().get_texts()][1:]
    for text, name, m in zip(shown, names, data["models"]):
        assert text._preprocess_math(text.get_text()) == (
            f"{name} (AUROC {m['metrics']['auroc']:.3f})", False)
    assert save_roc_figure(models, tmp_path / "roc.svg").exists()
    results = write(tmp_path / "results.json", data)
    page = build_report(str(results), str(tmp_path / "r.html")).read_text(encoding="utf-8")
    assert "LSI of $\\foo$ broken:" in page
