"""The comparison dock's Importance tab: the factor importance of the selected model, drawn
from the results file (the session's shared run of the sample workflow with explanations
added, as Evaluate keeps them), built offscreen with pytest-qgis's iface."""

from __future__ import annotations

import json

import pytest
from qgis.PyQt.QtWidgets import QApplication

from .test_report_explain import HOSTILE, write_explained_results, write_old_results


@pytest.fixture(scope="module")
def results(sample_workflow, tmp_path_factory) -> dict:
    """The shared run's results file as Evaluate wrote it before it kept explanations, and a
    copy whose models but the last hold one."""
    source = sample_workflow["files"]["evaluate:Results file"]
    names = [m["name"] for m in json.loads(source.read_text(encoding="utf-8"))["models"]]
    d = tmp_path_factory.mktemp("dock_importance")
    made = write_explained_results(source, d / "explained.json", skip=(names[-1],),
                                   hostile=False)
    return {"old": write_old_results(source, d / "old.json"),
            "explained": str(d / "explained.json"), "made": made,
            "names": names}


@pytest.fixture
def dock(qgis_iface, plugin):
    from landslide_lsm_plugin.gui.dock import CompareModelsDock

    widget = CompareModelsDock(qgis_iface, registry=plugin.results_registry)
    widget.clear()
    widget.resize(700, 820)
    widget.show()
    QApplication.processEvents()
    yield widget
    widget.shutdown()
    widget.close()
    widget.deleteLater()


def select(dock, name: str) -> int:
    row = next(i for i, r in enumerate(dock.model.records()) if r.name == name)
    dock.table.selectRow(row)
    QApplication.processEvents()
    return row


def test_selecting_a_model_draws_its_importance(dock, results):
    from landslide_lsm_plugin.gui.dock import NO_IMPORTANCE

    assert dock.add_results_file(results["explained"])
    assert dock.tabs.tabText(1) == "Importance"
    for name, e in results["made"].items():
        row = select(dock, name)
        axes = dock.importance_figure.axes
        assert len(axes) == 1
        ax = axes[0]
        factors = [f.factor for f in e.importance]
        assert len(ax.patches) == len(factors)
        labels = [t.get_text() for t in ax.get_yticklabels()]
        positions = list(ax.get_yticks())
        top_down = [labels[positions.index(p)] for p in sorted(positions, reverse=True)]
        assert top_down == factors
        assert ax.get_title().startswith(f"{name} (AUROC ")
        # the bars in the model's colour in the ROC figure
        assert dock.model.color(row) == dock.model.curves()[row].color
        assert dock.importance_hint.isHidden() and not dock.importance_canvas.isHidden()
    # the last model has none: the hint says what to do
    select(dock, results["names"][-1])
    assert not dock.importance_hint.isHidden() and dock.importance_canvas.isHidden()
    assert dock.importance_hint.text() == NO_IMPORTANCE
    assert "Factor importance and response curves" in NO_IMPORTANCE
    assert dock.importance_figure.axes == []


def test_an_old_results_file_shows_the_hint(dock, results):
    from landslide_lsm_plugin.gui.dock import NO_IMPORTANCE

    assert dock.add_results_file(results["old"])
    select(dock, results["names"][0])
    assert dock.importance_hint.text() == NO_IMPORTANCE
    assert not dock.importance_hint.isHidden()
    # nothing selected among several models: the hint asks for a selection
    dock.table.clearSelection()
    QApplication.processEvents()
    assert "Select a model" in dock.importance_hint.text()
    dock.clear()
    QApplication.processEvents()
    assert "add a results file" in dock.importance_hint.text()


def test_hostile_factor_names_are_drawn_as_text(dock, results, tmp_path):
    write_explained_results(results["old"], tmp_path / "hostile.json")
    assert dock.add_results_file(str(tmp_path / "hostile.json"))
    select(dock, results["names"][0])
    labels = [t.get_text() for t in dock.importance_figure.axes[0].get_yticklabels()]
    assert HOSTILE in labels
    dock.importance_canvas.draw()


def test_the_importance_tab_rendered_to_png(dock, results, artifacts):
    assert dock.add_results_file(results["explained"])
    select(dock, results["names"][0])
    dock.tabs.setCurrentIndex(1)
    QApplication.processEvents()
    path = artifacts / "dock_importance.png"
    assert dock.grab().save(str(path), "PNG")
    assert path.stat().st_size > 20_000
    dock.resize(420, 760)  # a narrow side panel: nothing forces it wider
    QApplication.processEvents()
    assert dock.minimumSizeHint().width() <= 420 and dock.width() == 420
    assert dock.grab().save(str(artifacts / "dock_importance_narrow.png"), "PNG")
    select(dock, results["names"][-1])
    assert dock.grab().save(str(artifacts / "dock_importance_hint.png"), "PNG")
