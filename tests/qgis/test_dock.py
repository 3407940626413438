"""The comparison dock, built offscreen with pytest-qgis's iface and fed real evaluations."""

import ast
import csv
import inspect
import json
import os
import shutil
import sys
import threading

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import Qgis, QgsProject, QgsSettings
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QApplication
from synthetic_foot import make_foot_area

from landslide_lsm_plugin import results
from landslide_lsm_plugin.presentation.styles import ZONE_COLORS_5

from ..conftest import write_raster
from .helpers import run


@pytest.fixture(scope="module")
def foot(tmp_path_factory, plugin):
    """The synthetic study area and its training/validation samples (Prepare samples)."""

    d = tmp_path_factory.mktemp("dock")
    area = make_foot_area(d, size=160, n_each=80, seed=11)
    samples = run("preparesamples", {
        "INVENTORY": str(area["points"]), "STACK": str(area["stack"]), "LABEL_FIELD": "label",
        "OUTPUT": str(d / "samples.gpkg")})["OUTPUT"]
    return {"dir": d, "stack": area["stack"], "samples": samples}


@pytest.fixture(scope="module")
def evaluations(foot):
    """Two results files from Evaluate: logistic regression and random forest, with zones."""

    d, samples = foot["dir"], foot["samples"]
    area = {"stack": foot["stack"]}
    files = []
    for alg, name in (("trainlogistic", "LR"), ("trainrandomforest", "RF")):
        trained = run(alg, {
            "STACK": str(area["stack"]), "SAMPLES": samples, "NAME": name, "FOLDS": 4,
            "OUTPUT_MODEL": str(d / f"{name}.lsmodel"), "OUTPUT_LSI": str(d / f"{name}.tif")})
        zones = run("classifylsi", {
            "INPUT": trained["OUTPUT_LSI"], "METHOD": 2, "OUTPUT": str(d / f"{name}_z.tif")})
        run("evaluate", {
            "LSI": [trained["OUTPUT_LSI"]], "ZONES": [zones["OUTPUT"]], "SAMPLES": samples,
            "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_RESULTS": str(d / f"{name}.json")})
        files.append(str(d / f"{name}.json"))
    return files


@pytest.fixture
def dock(qgis_iface, plugin, evaluations):
    from landslide_lsm_plugin.gui.dock import CompareModelsDock

    widget = CompareModelsDock(qgis_iface, registry=plugin.results_registry)
    widget.clear()
    for path in evaluations:
        widget.add_results_file(path)
    widget.resize(700, 820)
    widget.show()
    QApplication.processEvents()
    yield widget
    widget.shutdown()
    widget.close()
    widget.deleteLater()


DISPLAY = Qt.ItemDataRole.DisplayRole


def cell(model, row: int, column: int, role=DISPLAY):
    return model.data(model.index(row, column), role)


def headers(model) -> list:
    return [model.headerData(c, Qt.Orientation.Horizontal, DISPLAY)
            for c in range(model.columnCount())]


def names(dock) -> list:
    return [record.name for record in dock.model.records()]


def aurocs(files):
    return {m["name"]: m["metrics"]["auroc"] for f in files
            for m in json.loads(open(f).read())["models"]}


def test_plot_overlays_both_roc_curves_with_auroc_in_the_legend(dock, evaluations):
    ax = dock.figure.axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    expected = aurocs(evaluations)
    assert labels[0].startswith("Chance")
    assert labels[1:] == [f"{n} (AUROC {v:.3f})" for n, v in expected.items()]
    assert len(ax.get_lines()) == 3  # diagonal + two curves


#: column title -> (where in a results file's model, key, format, higher is better)
COLUMNS = {"Acc.": ("metrics", "accuracy", "{:.3f}", True),
           "Prec.": ("metrics", "precision", "{:.3f}", True),
           "F1": ("metrics", "f1", "{:.3f}", True),
           "Sens.": ("metrics", "sensitivity", "{:.3f}", True),
           "Spec.": ("metrics", "specificity", "{:.3f}", True),
           "AUROC": ("metrics", "auroc", "{:.3f}", True),
           "Train (s)": ("model", "training_time_s", "{:.1f}", False),
           "Map (s)": ("model", "map_time_s", "{:.1f}", False)}


def file_value(model: dict, column: str):
    where, key, _, _ = COLUMNS[column]
    return (model["metrics"] if where == "metrics" else model).get(key)


def marked_best(model, row: int, column: int) -> bool:
    font = cell(model, row, column, Qt.ItemDataRole.FontRole)
    background = cell(model, row, column, Qt.ItemDataRole.BackgroundRole)
    tip = cell(model, row, column, Qt.ItemDataRole.ToolTipRole)
    return (font is not None and font.bold() and background is not None
            and background.color().name() == "#d9f0d3" and (tip or "").startswith("Best"))


def test_table_holds_every_number_of_the_results_files(dock, evaluations):
    data = {m["name"]: m for f in evaluations for m in json.loads(open(f).read())["models"]}
    table = dock.model
    titles = headers(table)
    assert titles == ["Show", "Model", *COLUMNS]
    assert dock.table.model() is table  # the view shows the model
    assert sorted(cell(table, r, 1) for r in range(table.rowCount())) == ["LR", "RF"]
    for row in range(table.rowCount()):
        model = data[cell(table, row, 1)]
        for column, (_, key, fmt, _) in COLUMNS.items():
            value = file_value(model, column)
            assert value is not None, f"{key} missing from the results file"
            assert cell(table, row, titles.index(column)) == fmt.format(value), column


def test_table_marks_the_best_model_of_each_metric(dock, evaluations):
    data = {m["name"]: m for f in evaluations for m in json.loads(open(f).read())["models"]}
    table = dock.model
    titles = headers(table)
    row_of = {cell(table, r, 1): r for r in range(table.rowCount())}
    decided = 0
    for column, (_, _, _, higher) in COLUMNS.items():
        values = {name: file_value(m, column) for name, m in data.items()}
        target = (max if higher else min)(values.values())
        best = {name for name, v in values.items() if v == target}
        marked = {name for name, r in row_of.items()
                  if marked_best(table, r, titles.index(column))}
        assert marked == best, column
        decided += len(best) == 1
    # the fixture's two models differ: several metrics have a single winner
    assert decided >= 2
    # AUROC: the better model's cell is marked, the other one's is plain
    auroc = {n: m["metrics"]["auroc"] for n, m in data.items()}
    winner, loser = sorted(auroc, key=auroc.get, reverse=True)
    col = titles.index("AUROC")
    assert marked_best(table, row_of[winner], col)
    assert cell(table, row_of[loser], col, Qt.ItemDataRole.FontRole) is None
    # run time: lower is better
    times = {n: m["training_time_s"] for n, m in data.items()}
    if times["LR"] != times["RF"]:
        fastest = min(times, key=times.get)
        assert marked_best(table, row_of[fastest], titles.index("Train (s)"))
        slowest = max(times, key=times.get)
        assert not marked_best(table, row_of[slowest], titles.index("Train (s)"))


def test_checkbox_hides_a_model(dock):
    check = dock.model.index(0, 0)
    assert dock.model.setData(check, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert len(dock.figure.axes[0].get_lines()) == 2
    assert dock.model.setData(check, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert len(dock.figure.axes[0].get_lines()) == 3


# --- the table is a Qt model over the models of the results files -----------------------------

def test_the_model_answers_rows_data_and_flags(dock):
    model = dock.model
    assert model.rowCount() == 2 and model.columnCount() == 2 + len(COLUMNS)
    assert [cell(model, r, 1) for r in range(2)] == ["LR", "RF"]
    for row in range(2):
        check = model.index(row, 0)
        assert cell(model, row, 0, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        assert Qt.ItemFlag.ItemIsUserCheckable & model.flags(check)
        assert not Qt.ItemFlag.ItemIsEditable & model.flags(model.index(row, 2))
        # the swatch is the curve's colour
        swatch = cell(model, row, 0, Qt.ItemDataRole.DecorationRole).pixmap(14, 14).toImage()
        line = dock.figure.axes[0].get_lines()[row + 1]
        assert swatch.pixelColor(7, 7).name() == line.get_color()
        auroc = cell(model, row, headers(model).index("AUROC"), model.ValueRole)
        assert auroc == pytest.approx(model.record(row).model.metrics["auroc"])
    assert cell(model, 5, 1) is None and not model.index(5, 1).isValid()
    # the metric columns are not editable: setData only takes the Show column's check state
    assert not model.setData(model.index(0, 2), "0.5", Qt.ItemDataRole.EditRole)
    assert not model.setData(model.index(0, 1), "X", Qt.ItemDataRole.EditRole)
    assert names(dock) == ["LR", "RF"]


def test_unticking_a_row_hides_its_curve_and_redraws(dock, evaluations):
    model = dock.model
    changed, redrawn = [], []
    model.dataChanged.connect(lambda first, last, *roles: changed.append(first.row()))
    model.curvesChanged.connect(lambda: redrawn.append(True))
    before = dock.figure.axes[0]
    assert model.setData(model.index(1, 0), Qt.CheckState.Unchecked,
                         Qt.ItemDataRole.CheckStateRole)
    assert changed == [1] and redrawn == [True]
    assert not model.record(1).visible and model.record(0).visible
    assert [r.name for r in model.visible_records()] == ["LR"]
    assert cell(model, 1, 0, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    ax = dock.figure.axes[0]
    assert ax is not before  # drawn again, from the visible rows only
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == 2 and legend[1].startswith("LR (AUROC")
    # the same value again changes nothing; the view's int check state (2) works too
    assert model.setData(model.index(1, 0), Qt.CheckState.Unchecked,
                         Qt.ItemDataRole.CheckStateRole)
    assert redrawn == [True]
    assert model.setData(model.index(1, 0), 2, Qt.ItemDataRole.CheckStateRole)
    assert model.record(1).visible and len(dock.figure.axes[0].get_lines()) == 3
    # hidden rows still count in the table and its exports
    model.set_visible(0, False)
    assert len(dock.figure.axes[0].get_lines()) == 2 and model.rowCount() == 2
    assert len(dock.entries) == 2 and not dock.entries[0]["visible"]


def three_models(path, folder) -> str:
    """A results file of three models (the one of ``path``, under three names)."""
    data = json.loads(open(path).read())
    model = data["models"][0]
    data["models"] = [dict(model, name=name) for name in ("SVM", "KLR", "LSNet")]
    out = folder / "three.json"
    out.write_text(json.dumps(data), encoding="utf-8")
    return str(out)


def test_a_results_file_with_three_models_gives_three_rows(dock, evaluations, tmp_path):
    dock.clear()
    three = three_models(evaluations[0], tmp_path)
    assert dock.add_results_file(three)
    assert dock.model.rowCount() == 3 and dock.model.files() == [three]
    assert [cell(dock.model, r, 1) for r in range(3)] == ["SVM", "KLR", "LSNet"]
    assert len(dock.figure.axes[0].get_lines()) == 4
    assert dock.status.text() == "3 model(s) from 1 results file(s)"
    auroc = headers(dock.model).index("AUROC")
    assert all(marked_best(dock.model, r, auroc) for r in range(3))  # equal: all best
    # re-reading the file replaces its rows; another file's rows join after them
    assert dock.add_results_file(three) and dock.model.rowCount() == 3
    assert dock.add_results_file(evaluations[1])
    assert [cell(dock.model, r, 1) for r in range(4)] == ["SVM", "KLR", "LSNet", "RF"]
    # one name twice: each gets its file's name
    assert dock.add_results_file(evaluations[0])
    assert cell(dock.model, 4, 1) == "LR"
    dock.model.set_file(str(tmp_path / "again.json"), [dock.model.record(3).model])
    assert [cell(dock.model, r, 1) for r in (3, 5)] == ["RF (RF)", "RF (again)"]


def test_clearing_empties_the_model_and_the_figure(dock):
    model = dock.model
    resets = []
    model.modelReset.connect(lambda: resets.append(True))
    dock.table.selectRow(0)
    dock.clear()
    assert resets == [True]
    assert model.rowCount() == 0 and model.records() == [] and model.files() == []
    assert dock.entries == [] and dock.selected_entry() is None
    assert len(dock.figure.axes[0].get_lines()) == 1  # the chance diagonal only
    assert dock.status.text().startswith("Cleared")


def test_the_results_registry_keeps_no_module_level_state(qgis_iface, evaluations):
    """Each plugin instance has its own registry; the dock listens to the one it was given."""
    from landslide_lsm_plugin.gui import dock as dock_module
    from landslide_lsm_plugin.gui.dock import CompareModelsDock

    first, second = results.ResultsRegistry(), results.ResultsRegistry()
    heard = []
    first.add_listener(heard.append)
    first.announce(evaluations[0])
    assert first.session_results() == [evaluations[0]] and second.session_results() == []
    assert heard == [evaluations[0]]
    first.forget([evaluations[0]])
    assert first.session_results() == [] and not second.is_forgotten(evaluations[0])
    first.announce(evaluations[0])  # Evaluate wrote it again: back
    assert first.session_results() == [evaluations[0]]

    one = CompareModelsDock(qgis_iface, registry=first)
    other = CompareModelsDock(qgis_iface, registry=second)
    try:
        one.clear()
        other.clear()
        second.announce(evaluations[1])
        for _ in range(20):
            QApplication.processEvents()
        assert names(other) == ["RF"] and names(one) == []
        assert one.model is not other.model
    finally:
        for widget in (one, other):
            widget.shutdown()
            widget.deleteLater()
    second.announce(evaluations[0])  # after shutdown: nobody listens, nothing breaks

    # and no module keeps lists, sets or dicts of its own between plugin instances
    for module in (results, dock_module):
        for node in ast.parse(inspect.getsource(module)).body:
            targets = (node.targets if isinstance(node, ast.Assign)
                       else [node.target] if isinstance(node, ast.AnnAssign) else [])
            value = getattr(node, "value", None)
            mutable = isinstance(value, (ast.List, ast.Set, ast.Dict, ast.ListComp,
                                         ast.SetComp, ast.DictComp)) or (
                isinstance(value, ast.Call) and getattr(value.func, "id", "")
                in ("list", "set", "dict", "deque", "defaultdict"))
            for target in targets:
                name = getattr(target, "id", "")
                assert not (mutable and not name.isupper()), f"{module.__name__}.{name}"


def test_announcing_without_the_plugin_does_nothing(evaluations):
    """processing.run or qgis_process without the plugin's GUI: Evaluate's announce is a
    no-op (no provider, or a provider without a registry)."""
    from landslide_lsm_plugin.processing.evaluate import EvaluateMaps
    from landslide_lsm_plugin.processing.provider import LandslideProvider

    bare = EvaluateMaps()
    assert bare.provider() is None and results.registry_of(bare) is None
    results.announce_results(bare, evaluations[0])
    provider = LandslideProvider(with_models=False)  # registered by hand, without the plugin
    provider.refreshAlgorithms()
    running = provider.algorithm("evaluate").create()  # as processing.run makes it
    assert running.provider() is provider and results.registry_of(running) is None
    results.announce_results(running, evaluations[0])


def test_evaluate_finds_the_registry_of_the_plugin_that_runs_it(plugin):
    from qgis.core import QgsApplication

    algorithm = QgsApplication.processingRegistry().createAlgorithmById("landslide_lsm:evaluate")
    assert isinstance(plugin.results_registry, results.ResultsRegistry)
    assert results.registry_of(algorithm) is plugin.results_registry


def test_load_buttons_add_styled_layers(dock):
    QgsProject.instance().removeAllMapLayers()
    dock.table.selectRow(1)
    dock.lsi_button.click()
    dock.zones_button.click()
    layers = {lyr.name(): lyr for lyr in QgsProject.instance().mapLayers().values()}
    assert layers["LSI RF"].renderer().type() == "singlebandpseudocolor"
    zones = layers["Zones RF"].renderer()
    assert zones.type() == "paletted" and zones.classes()[-1].label == "Very high"
    QgsProject.instance().removeAllMapLayers()


def test_export_figure_and_table(dock, tmp_path, evaluations):
    png = dock.export_figure(str(tmp_path / "roc.png"))
    svg = dock.export_figure(str(tmp_path / "roc.svg"))
    assert png.read_bytes()[:4] == b"\x89PNG" and b"<svg" in svg.read_bytes()[:400]
    table = dock.export_table(str(tmp_path / "metrics.csv"))
    rows = list(csv.DictReader(table.open()))
    assert [r["model"] for r in rows] == ["LR", "RF"]
    assert float(rows[1]["auroc"]) == pytest.approx(aurocs(evaluations)["RF"], abs=1e-9)


def test_an_evaluate_run_reaches_the_dock(dock, evaluations, tmp_path):
    dock.clear()
    worker = threading.Thread(target=dock.registry.announce, args=(evaluations[0],))
    worker.start()
    worker.join()
    for _ in range(20):
        QApplication.processEvents()
    assert names(dock) == ["LR"]
    dock.refresh()
    assert dock.model.rowCount() >= 1


def lsi_from_hills(stack, path):
    """A hand-made LSI: share of hill cells within 10 cells (high at hill feet), plus noise."""
    ds = gdal.Open(str(stack))
    steep = ds.GetRasterBand(1).ReadAsArray() > 0
    x0, cell, _, y0, _, _ = ds.GetGeoTransform()
    r = 10
    padded = np.pad(steep.astype(float), r)
    sums = padded.cumsum(0).cumsum(1)
    sums = np.pad(sums, ((1, 0), (1, 0)))
    n = 2 * r + 1
    box = sums[n:, n:] - sums[:-n, n:] - sums[n:, :-n] + sums[:-n, :-n]
    lsi = np.clip(box / (n * n) * 4 + np.random.default_rng(3).normal(0, 0.05, box.shape), 0, 1)
    return write_raster(path, lsi.astype(np.float32), origin=(x0, y0), cell=cell, epsg=32649)


def test_a_real_evaluate_run_reaches_the_open_dock(dock, foot, tmp_path):
    lsi = lsi_from_hills(foot["stack"], tmp_path / "Handmade.tif")
    dock.clear()
    assert dock.model.rowCount() == 0
    out = run("evaluate", {
        "LSI": [str(lsi)], "SAMPLES": foot["samples"], "OUTPUT": "TEMPORARY_OUTPUT",
        "OUTPUT_RESULTS": str(tmp_path / "handmade.json")})
    for _ in range(20):
        QApplication.processEvents()
    written = json.loads(open(out["OUTPUT_RESULTS"]).read())["models"][0]
    assert written["name"] == "Handmade" and written["metrics"]["auroc"] > 0.8
    assert names(dock) == ["Handmade"]
    assert dock.model.record(0).model.metrics["auroc"] == pytest.approx(
        written["metrics"]["auroc"])
    assert dock.model.rowCount() == 1 and cell(dock.model, 0, 1) == "Handmade"
    legend = [t.get_text() for t in dock.figure.axes[0].get_legend().get_texts()]
    assert f"Handmade (AUROC {written['metrics']['auroc']:.3f})" in legend


def test_the_dock_rendered_to_png(dock, artifacts):
    dock.table.selectRow(0)
    QApplication.processEvents()
    path = artifacts / "dock_compare_models.png"
    assert dock.grab().save(str(path), "PNG")
    assert path.stat().st_size > 20_000
    # every column fits at this width: no horizontal scrolling hides the run times
    assert not dock.table.horizontalScrollBar().isVisible()


def test_the_dock_stays_narrow_with_a_long_message(dock, artifacts, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    dock.save_table_as(str(blocker / "a_rather_long_file_name_for_the_metrics_table.csv"))
    assert len(dock.status.text()) > 150
    dock.resize(420, 760)
    QApplication.processEvents()
    # a docked panel on the side of QGIS is often this narrow; nothing may force it wider
    assert dock.minimumSizeHint().width() <= 420 and dock.width() == 420
    assert dock.status.width() <= 420
    path = artifacts / "dock_compare_models_narrow.png"
    assert dock.grab().save(str(path), "PNG")


def test_without_matplotlib_the_dock_says_so(qgis_iface, plugin, evaluations, monkeypatch):
    from landslide_lsm_plugin.gui.dock import CompareModelsDock

    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_qt5agg", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_qtagg", None)
    widget = CompareModelsDock(qgis_iface)
    widget.add_results_file(evaluations[0])
    assert widget.figure is None and "matplotlib" in widget.message.text()
    assert "pip install" in widget.message.text()
    assert widget.model.rowCount() >= 1
    widget.shutdown()
    widget.deleteLater()


@pytest.fixture
def slot_errors(monkeypatch):
    """Exceptions escaping a Qt slot (PyQt hands them to sys.excepthook): recorded here."""
    caught = []
    monkeypatch.setattr(sys, "excepthook", lambda *info: caught.append(info))
    return caught


@pytest.fixture
def warnings_bar(qgis_iface):
    bar = qgis_iface.messageBar()
    bar.clear_messages()
    return lambda: bar.get_messages(Qgis.Warning)


def answer_save_dialog(monkeypatch, path):
    """The user picks ``path`` in the save dialog (the dialog itself would block the test)."""
    from landslide_lsm_plugin.gui import dock as dock_module

    monkeypatch.setattr(dock_module.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(path), "")))


def test_export_table_to_an_unwritable_place_tells_the_user(dock, tmp_path, monkeypatch,
                                                            slot_errors, warnings_bar):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where a folder should be")
    target = blocker / "metrics.csv"
    answer_save_dialog(monkeypatch, target)
    dock.table_button.click()
    QApplication.processEvents()
    assert slot_errors == []
    assert not target.exists()
    assert len(warnings_bar()) == 1 and "Could not save the metrics table" in warnings_bar()[0]
    assert "metrics.csv" in warnings_bar()[0] and "write to" in warnings_bar()[0]
    assert "Could not save" in dock.status.text()
    # a good path afterwards works from the same button
    answer_save_dialog(monkeypatch, tmp_path / "ok.csv")
    dock.table_button.click()
    assert (tmp_path / "ok.csv").exists() and dock.status.text().startswith("Saved")
    # same for the figure
    answer_save_dialog(monkeypatch, blocker / "roc.png")
    dock.figure_button.click()
    assert slot_errors == [] and len(warnings_bar()) == 2
    assert "Could not save the ROC figure" in warnings_bar()[1]


def test_without_matplotlib_figure_export_is_disabled_and_explained(
        qgis_iface, plugin, evaluations, monkeypatch, tmp_path, slot_errors, warnings_bar):
    from landslide_lsm_plugin.gui.dock import CompareModelsDock

    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_qt5agg", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_qtagg", None)
    widget = CompareModelsDock(qgis_iface)
    widget.add_results_file(evaluations[0])
    try:
        assert not widget.figure_button.isEnabled()
        assert "matplotlib" in widget.figure_button.toolTip()
        assert "pip install" in widget.figure_button.toolTip()
        answer_save_dialog(monkeypatch, tmp_path / "roc.png")
        widget.figure_button.click()  # disabled: nothing happens
        assert warnings_bar() == [] and not (tmp_path / "roc.png").exists()
        # reached another way (a script, a shortcut), the export explains instead of raising
        assert widget.save_figure_as(str(tmp_path / "roc.png")) is None
        assert slot_errors == [] and not (tmp_path / "roc.png").exists()
        assert len(warnings_bar()) == 1 and "matplotlib" in warnings_bar()[0]
        assert "pip install" in warnings_bar()[0]
        # the table still exports
        assert widget.table_button.isEnabled()
        assert widget.save_table_as(str(tmp_path / "m.csv")).exists()
    finally:
        widget.shutdown()
        widget.deleteLater()


def test_maps_without_their_qml_get_the_plugins_styles(dock, evaluations, tmp_path):
    QgsProject.instance().removeAllMapLayers()
    entry = next(r.entry() for r in dock.model.records() if r.name == "RF")
    bare = dict(entry)
    for which in ("lsi", "zones"):
        copy = tmp_path / f"bare_{which}.tif"
        shutil.copyfile(entry[which], copy)
        assert not copy.with_suffix(".qml").exists()
        bare[which] = str(copy)
    # a zone raster that never had labels in its metadata: one class per value, 1..5
    unlabelled = write_raster(tmp_path / "plain_zones.tif",
                              np.arange(1, 6, dtype=np.uint8).repeat(8).reshape(5, 8),
                              nodata=0, dtype=gdal.GDT_Byte)
    lsi = dock.load_map(bare, "lsi")
    zones = dock.load_map(bare, "zones")
    plain = dock.load_map(dict(bare, zones=str(unlabelled)), "zones")

    renderer = lsi.renderer()
    assert renderer.type() == "singlebandpseudocolor"
    shader = renderer.shader().rasterShaderFunction()
    assert (shader.minimumValue(), shader.maximumValue()) == (0.0, 1.0)
    ramp = shader.colorRampItemList()
    assert [i.color.name() for i in ramp] == list(ZONE_COLORS_5)
    assert [i.value for i in ramp] == pytest.approx([0, 0.25, 0.5, 0.75, 1])
    for layer in (zones, plain):
        classes = layer.renderer().classes()
        assert layer.renderer().type() == "paletted"
        assert [c.value for c in classes] == [1, 2, 3, 4, 5]
        assert [c.color.name() for c in classes] == list(ZONE_COLORS_5)
        assert [c.label for c in classes] == ["Very low", "Low", "Moderate", "High",
                                              "Very high"]
    QgsProject.instance().removeAllMapLayers()


def test_clear_forgets_the_results_of_earlier_sessions(qgis_iface, plugin, evaluations):
    from landslide_lsm_plugin.gui.dock import RECENT_KEY, CompareModelsDock

    # the plugin's registry knows the evaluations of this session (the fixture ran Evaluate)
    registry = plugin.results_registry
    assert all(p in registry.session_results() or registry.is_forgotten(p) for p in evaluations)
    first = CompareModelsDock(qgis_iface, registry=registry)
    for path in evaluations:
        first.add_results_file(path)
    assert set(evaluations) <= set(QgsSettings().value(RECENT_KEY, []))
    first.clear()
    assert first.model.rowCount() == 0 and first.model.files() == []
    first.shutdown()
    first.deleteLater()

    # as after restarting QGIS or reopening the dock
    again = CompareModelsDock(qgis_iface, registry=registry)
    try:
        assert again.model.rowCount() == 0
        again.refresh()
        assert again.model.rowCount() == 0
        again.add_results_file(evaluations[1])  # adding by hand still works
        assert names(again) == ["RF"]
    finally:
        again.shutdown()
        again.deleteLater()


def test_menu_action_opens_the_dock(plugin):
    assert plugin.action is not None
    plugin.action.trigger()
    assert plugin.dock is not None and not plugin.dock.isHidden()
    assert plugin.dock.windowTitle() == "Landslide susceptibility: compare models"


# --- results files from anyone: checked before they are kept, skipped once they break ---------

def malformed_copy(path, folder) -> str:
    """A results file whose ROC arrays do not pair up (it used to break the dock's figure)."""
    data = json.loads(open(path).read())
    data["models"][0]["roc"]["tpr"].pop()
    bad = folder / "broken.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    return str(bad)


def test_a_saved_results_file_that_no_longer_loads_is_skipped_and_dropped(
        qgis_iface, plugin, evaluations, tmp_path, slot_errors):
    from landslide_lsm_plugin.gui.dock import RECENT_KEY, CompareModelsDock

    bad = malformed_copy(evaluations[0], tmp_path)
    QgsSettings().setValue(RECENT_KEY, [bad, evaluations[1], 42])
    widget = CompareModelsDock(qgis_iface)  # as when QGIS starts with this in its settings
    try:
        status = widget.status.text()
        assert "Skipped 1 results file(s) that no longer load" in status, status
        assert f"'{bad}': models[0].roc.fpr has" in status
        assert "RF" in names(widget)
        assert all(r.file != bad for r in widget.model.records())
        assert bad not in widget.model.files()
        saved = QgsSettings().value(RECENT_KEY, [])
        assert bad not in saved and evaluations[1] in saved
        assert widget.status.textFormat() == Qt.TextFormat.PlainText  # never markup
        assert slot_errors == []
    finally:
        widget.shutdown()
        widget.deleteLater()
    again = CompareModelsDock(qgis_iface)  # dropped: not skipped (nor mentioned) again
    try:
        assert "Skipped" not in again.status.text()
    finally:
        again.shutdown()
        again.deleteLater()


def test_add_results_refuses_a_malformed_file_before_remembering_it(
        dock, evaluations, tmp_path, monkeypatch, slot_errors, warnings_bar):
    from landslide_lsm_plugin.gui import dock as dock_module
    from landslide_lsm_plugin.gui.dock import RECENT_KEY

    bad = malformed_copy(evaluations[0], tmp_path)
    before = dock.model.records()
    monkeypatch.setattr(dock_module.QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *args, **kwargs: ([bad], "")))
    dock.add_button.click()
    QApplication.processEvents()
    assert slot_errors == []
    assert bad not in QgsSettings().value(RECENT_KEY, [])
    assert dock.model.records() == before and bad not in dock.model.files()
    assert f"'{bad}': models[0].roc.fpr has" in dock.status.text()
    assert len(warnings_bar()) == 1 and "must pair up" in warnings_bar()[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_loading_a_map_that_is_a_fifo_says_so_instead_of_freezing_qgis(dock, tmp_path):
    from .test_report import fifo_watchdog

    fifo = tmp_path / "lsi.tif"
    os.mkfifo(fifo)
    entry = dict(dock.model.record(0).entry(), lsi=str(fifo))
    with fifo_watchdog(fifo):
        assert dock.load_map(entry, "lsi") is None
    assert "is a pipe (FIFO)" in dock.status.text()
