"""The comparison dock, built offscreen with pytest-qgis's iface and fed real evaluations."""

import csv
import json
import sys
import threading

import pytest
from qgis.core import QgsProject
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import QApplication
from synthetic_foot import make_foot_area

from landslide_lsm_plugin import results


@pytest.fixture(scope="module")
def evaluations(tmp_path_factory, plugin):
    """Two results files from Evaluate: logistic regression and random forest, with zones."""
    import processing

    d = tmp_path_factory.mktemp("dock")
    area = make_foot_area(d, size=160, n_each=80, seed=11)
    samples = processing.run("landslide_lsm:preparesamples", {
        "INVENTORY": str(area["points"]), "STACK": str(area["stack"]), "LABEL_FIELD": "label",
        "OUTPUT": str(d / "samples.gpkg")})["OUTPUT"]
    files = []
    for alg, name in (("trainlogistic", "LR"), ("trainrandomforest", "RF")):
        trained = processing.run(f"landslide_lsm:{alg}", {
            "STACK": str(area["stack"]), "SAMPLES": samples, "NAME": name, "FOLDS": 4,
            "OUTPUT_MODEL": str(d / f"{name}.lsmodel"), "OUTPUT_LSI": str(d / f"{name}.tif")})
        zones = processing.run("landslide_lsm:classifylsi", {
            "INPUT": trained["OUTPUT_LSI"], "METHOD": 2, "OUTPUT": str(d / f"{name}_z.tif")})
        processing.run("landslide_lsm:evaluate", {
            "LSI": [trained["OUTPUT_LSI"]], "ZONES": [zones["OUTPUT"]], "SAMPLES": samples,
            "OUTPUT": "TEMPORARY_OUTPUT", "OUTPUT_RESULTS": str(d / f"{name}.json")})
        files.append(str(d / f"{name}.json"))
    return files


@pytest.fixture
def dock(qgis_iface, plugin, evaluations):
    from landslide_lsm_plugin.gui.dock import CompareModelsDock

    widget = CompareModelsDock(qgis_iface)
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


def test_table_holds_the_numbers_and_marks_the_best(dock, evaluations):
    data = {m["name"]: m for f in evaluations for m in json.loads(open(f).read())["models"]}
    headers = [dock.table.horizontalHeaderItem(c).text() for c in range(dock.table.columnCount())]
    col = headers.index("AUROC")
    for row in range(dock.table.rowCount()):
        name = dock.table.item(row, 1).text()
        assert dock.table.item(row, col).text() == f"{data[name]['metrics']['auroc']:.3f}"
        acc = dock.table.item(row, headers.index("Accuracy")).text()
        assert acc == f"{data[name]['metrics']['accuracy']:.3f}"
    best = max(data, key=lambda n: data[n]["metrics"]["auroc"])
    for row in range(dock.table.rowCount()):
        item = dock.table.item(row, col)
        assert item.font().bold() == (dock.table.item(row, 1).text() == best)


def test_checkbox_hides_a_model(dock):
    dock.table.item(0, 0).setCheckState(Qt.Unchecked)
    assert len(dock.figure.axes[0].get_lines()) == 2
    dock.table.item(0, 0).setCheckState(Qt.Checked)
    assert len(dock.figure.axes[0].get_lines()) == 3


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
    worker = threading.Thread(target=results.announce_results, args=(evaluations[0],))
    worker.start()
    worker.join()
    for _ in range(20):
        QApplication.processEvents()
    assert [e["name"] for e in dock.entries] == ["LR"]
    dock.refresh()
    assert len(dock.entries) >= 1


def test_the_dock_rendered_to_png(dock, artifacts):
    dock.table.selectRow(0)
    QApplication.processEvents()
    path = artifacts / "dock_compare_models.png"
    assert dock.grab().save(str(path), "PNG")
    assert path.stat().st_size > 20_000


def test_without_matplotlib_the_dock_says_so(qgis_iface, plugin, evaluations, monkeypatch):
    from landslide_lsm_plugin.gui.dock import CompareModelsDock

    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_qt5agg", None)
    widget = CompareModelsDock(qgis_iface)
    widget.add_results_file(evaluations[0])
    assert widget.figure is None and "matplotlib" in widget.message.text()
    assert "pip install" in widget.message.text()
    assert widget.table.rowCount() >= 1
    widget.shutdown()
    widget.deleteLater()


def test_menu_action_opens_the_dock(plugin):
    assert plugin.action is not None
    plugin.action.trigger()
    assert plugin.dock is not None and not plugin.dock.isHidden()
    assert plugin.dock.windowTitle() == "Landslide susceptibility: compare models"
