"""The dock "Landslide susceptibility: compare models": ROC curves, metrics side by side, and
the maps onto the canvas.

It reads the results files written by *Evaluate susceptibility maps*: those produced in this
QGIS session arrive by themselves (Evaluate announces them), others are added by the user.
The figure is a matplotlib Figure in a FigureCanvasQTAgg (never pyplot); without matplotlib the
dock says so and still shows the table.
"""

from __future__ import annotations

import html
import math
import os
from pathlib import Path
from typing import Optional

from qgis.core import QgsProject, QgsRasterLayer, QgsSettings
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor, QFont, QIcon, QPixmap
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import deps, results
from ..core.errors import LsmError
from ..core.evaluation import read_results
from ..core.figures import color_of, draw_roc
from ..core.results_file import check_raster
from ..core.styles import sidecar_path
from ..core.tables import write_csv

TITLE = "Landslide susceptibility: compare models"
RECENT_KEY = "landslide_lsm/recent_results"
#: (key in the results, column title, higher is better); short titles keep the table readable
#: in a narrow dock, the header tooltips (METRIC_HELP) say the rest.
METRICS = (("accuracy", "Acc.", True), ("precision", "Prec.", True),
           ("f1", "F1", True), ("sensitivity", "Sens.", True),
           ("specificity", "Spec.", True), ("auroc", "AUROC", True),
           ("training_time_s", "Train (s)", False), ("map_time_s", "Map (s)", False))
METRIC_HELP = {
    "accuracy": "Accuracy: share of validation samples classified right",
    "precision": "Precision: TP / (TP + FP)",
    "f1": "F1 score: harmonic mean of precision and sensitivity",
    "sensitivity": "Sensitivity (recall, true positive rate): TP / (TP + FN)",
    "specificity": "Specificity (true negative rate): TN / (TN + FP)",
    "auroc": "Area under the ROC curve",
    "training_time_s": "Training time in seconds",
    "map_time_s": "Time to compute the LSI map, in seconds",
}
BEST_BRUSH = QBrush(QColor("#d9f0d3"))
#: Results of this QGIS session the user cleared from the dock: not brought back by a new
#: dock or Refresh, until Evaluate writes them again or the user adds them.
_forgotten: set = set()


def metric_value(entry: dict, key: str) -> Optional[float]:
    value = entry.get(key) if key.endswith("_s") else entry["metrics"].get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def best_rows(entries: list, key: str, higher_is_better: bool) -> set:
    """Indices of the entries holding the best value of a metric (ties all count)."""
    values = [(i, metric_value(e, key)) for i, e in enumerate(entries)]
    values = [(i, v) for i, v in values if v is not None]
    if not values:
        return set()
    target = (max if higher_is_better else min)(v for _, v in values)
    return {i for i, v in values if abs(v - target) <= 1e-12 * max(1.0, abs(target))}


def _plain_tip(text: str) -> str:
    """A tooltip that shows ``text`` as it is: Qt would render text that looks like HTML."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"


def _swatch(color: str) -> QIcon:
    """A small square of the model's curve colour."""
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class CompareModelsDock(QgsDockWidget):
    """Overlay ROC curves of evaluated models, compare their metrics, load their maps."""

    resultsAnnounced = pyqtSignal(str)  # noqa: N815 (Qt naming)

    def __init__(self, iface=None, parent: Optional[QWidget] = None) -> None:
        super().__init__(TITLE, parent)
        self.setObjectName("LandslideLsmCompareModels")
        self.iface = iface
        self.entries: list[dict] = []
        self.files: list[str] = []
        self.figure = None
        self.canvas = None
        self._build()
        self.resultsAnnounced.connect(self.add_results_file)
        results.add_listener(self._announced)
        self._load_files(self._recent() + self._session_results())

    # --- widgets -------------------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        # two rows of buttons and a wrapping status line: the dock stays usable ~400 px wide
        top, exports = QHBoxLayout(), QHBoxLayout()
        self.add_button = QPushButton(self.tr("Add results…"), body)
        self.add_button.setToolTip(self.tr("Add a results file written by 'Evaluate "
                                           "susceptibility maps'"))
        self.refresh_button = QPushButton(self.tr("Refresh"), body)
        self.refresh_button.setToolTip(self.tr("Re-read the results files and pick up the "
                                               "evaluations of this session"))
        self.figure_button = QPushButton(self.tr("Export figure…"), body)
        self.figure_button.setToolTip(self.tr("Save the ROC figure as PNG or SVG"))
        self.table_button = QPushButton(self.tr("Export table…"), body)
        self.table_button.setToolTip(self.tr("Save the metrics of every model as CSV"))
        self.clear_button = QPushButton(self.tr("Clear"), body)
        for row, buttons in ((top, (self.add_button, self.refresh_button, self.clear_button)),
                             (exports, (self.figure_button, self.table_button))):
            for button in buttons:
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)

        splitter = QSplitter(Qt.Vertical, body)
        self.plot_area = QWidget(splitter)
        plot_layout = QVBoxLayout(self.plot_area)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        self.message = QLabel(self.plot_area)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.PlainText)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self._make_canvas(plot_layout)
        self.table = QTableWidget(0, 2 + len(METRICS), splitter)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Show"), self.tr("Model")] + [self.tr(t) for _, t, _ in METRICS])
        self.table.horizontalHeaderItem(0).setToolTip(self.tr("Show the model's ROC curve"))
        for col, (key, _, higher) in enumerate(METRICS, start=2):
            self.table.horizontalHeaderItem(col).setToolTip(
                self.tr(METRIC_HELP[key]) + " (" + (self.tr("higher is better") if higher
                                                    else self.tr("lower is better")) + ")")
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.itemChanged.connect(self._visibility_changed)
        splitter.addWidget(self.plot_area)
        splitter.addWidget(self.table)
        self.table.setMinimumHeight(110)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

        bottom = QHBoxLayout()
        self.lsi_button = QPushButton(self.tr("Load LSI map"), body)
        self.zones_button = QPushButton(self.tr("Load zone map"), body)
        bottom.addWidget(self.lsi_button)
        bottom.addWidget(self.zones_button)
        bottom.addStretch(1)
        layout.addLayout(bottom)
        self.status = QLabel(body)
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.PlainText)  # messages quote file names and file contents
        self.status.setMinimumWidth(60)  # a long message wraps; it never widens the dock
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.setWidget(body)

        self.add_button.clicked.connect(self._choose_results)
        self.refresh_button.clicked.connect(self.refresh)
        self.figure_button.clicked.connect(self._choose_figure_path)
        self.table_button.clicked.connect(self._choose_table_path)
        self.clear_button.clicked.connect(self.clear)
        self.lsi_button.clicked.connect(lambda: self.load_selected("lsi"))
        self.zones_button.clicked.connect(lambda: self.load_selected("zones"))

    def _make_canvas(self, layout) -> None:
        try:
            from matplotlib.backends.backend_qt5agg import FigureCanvasQTAgg
            from matplotlib.figure import Figure
        except ImportError:
            self.message.setText(self.tr(
                "The ROC figure needs the Python package matplotlib, which QGIS's Python cannot "
                "import. Install it with:\n") + deps.install_command(["matplotlib"]) +
                self.tr("\nand restart QGIS. The metrics table below works without it."))
            layout.addWidget(self.message)
            self.figure_button.setEnabled(False)
            self.figure_button.setToolTip(self.tr(
                "Exporting the ROC figure needs matplotlib: ") +
                deps.install_command(["matplotlib"]))
            return
        self.figure = Figure(figsize=(5, 4.2), dpi=100, constrained_layout=True)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumHeight(260)
        layout.addWidget(self.canvas)

    # --- results -------------------------------------------------------------------------------
    def _announced(self, path: str) -> None:
        """Called by Evaluate (any thread): hand over to the GUI thread."""
        self.resultsAnnounced.emit(path)

    @staticmethod
    def _session_results() -> list:
        return [p for p in results.session_results() if p not in _forgotten]

    def add_results_file(self, path: str, quiet: bool = False) -> bool:
        """Add (or re-read) a results file; its models join the comparison. A file that does not
        load (read_results checks all of it) is refused with the reason and not remembered."""
        path = str(path)
        try:
            data = read_results(path)
        except LsmError as exc:
            if not quiet:
                self._say(str(exc), warning=True)
            return False
        _forgotten.discard(path)
        self._take(path, data)
        self._update()
        self._remember([path])  # only once it loaded and showed
        self._say_counts()
        return True

    def _take(self, path: str, data: dict) -> None:
        """The models of a checked results file join (or replace that file's) entries."""
        self.entries = [e for e in self.entries if e["file"] != path]
        for model in data["models"]:
            self.entries.append(dict(model, file=path, visible=True))
        if path not in self.files:
            self.files.append(path)

    def _load_files(self, paths: list) -> None:
        """(Re-)read results files remembered or of this session. One that no longer loads is
        skipped, said in the status line, and dropped from the dock and the remembered list."""
        loaded, skipped = [], []
        for path in dict.fromkeys(str(p) for p in paths):
            if not os.path.exists(path):  # on a drive not mounted now: kept for later
                continue
            try:
                data = read_results(path)
            except LsmError as exc:
                skipped.append(str(exc))
                self.entries = [e for e in self.entries if e["file"] != path]
                self.files = [f for f in self.files if f != path]
                self._forget(path)
                continue
            self._take(path, data)
            loaded.append(path)
        self._update()
        self._remember(loaded)
        if skipped:
            self._say(self.tr("{} model(s) from {} results file(s). Skipped {} results file(s) "
                              "that no longer load, and removed them from the dock's list: {}")
                      .format(len(self.entries), len(self.files), len(skipped),
                              " | ".join(skipped)))
        elif loaded:
            self._say_counts()

    def _say_counts(self) -> None:
        self._say(self.tr("{} model(s) from {} results file(s)").format(len(self.entries),
                                                                       len(self.files)))

    def refresh(self) -> None:
        self._load_files(list(self.files) + self._session_results())

    def clear(self) -> None:
        """Empty the comparison and forget its files: the recent list kept in the settings and
        this session's evaluations, so neither a new dock nor Refresh brings them back."""
        _forgotten.update(self.files)
        _forgotten.update(results.session_results())
        QgsSettings().remove(RECENT_KEY)
        self.entries, self.files = [], []
        self._update()
        self._say(self.tr("Cleared; run Evaluate or add a results file."))

    def _remember(self, paths: list) -> None:
        """Put results files that loaded first in the remembered list (at most 20)."""
        if paths:
            rest = [p for p in self._saved() if p not in paths]
            QgsSettings().setValue(RECENT_KEY, (list(paths) + rest)[:20])

    def _forget(self, path: str) -> None:
        saved = self._saved()
        if path in saved:
            QgsSettings().setValue(RECENT_KEY, [p for p in saved if p != path])

    @staticmethod
    def _saved() -> list:
        """The remembered results files (text entries only: the settings file is anyone's)."""
        value = QgsSettings().value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        return [p for p in (value if isinstance(value, list) else []) if isinstance(p, str)]

    @classmethod
    def _recent(cls) -> list:
        return [p for p in cls._saved() if os.path.exists(p)]

    def visible_entries(self) -> list:
        return [e for e in self.entries if e["visible"]]

    # --- drawing -------------------------------------------------------------------------------
    def _update(self) -> None:
        self._fill_table()
        self.redraw()

    def _label(self, entry: dict) -> str:
        names = [e["name"] for e in self.entries]
        if names.count(entry["name"]) > 1:
            return f"{entry['name']} ({Path(entry['file']).stem})"
        return entry["name"]

    def _fill_table(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.entries))
        best = {key: best_rows(self.entries, key, higher)
                for key, _, higher in METRICS}
        bold = QFont()
        bold.setBold(True)
        for row, entry in enumerate(self.entries):
            show = QTableWidgetItem()
            show.setFlags(Qt.ItemIsUserCheckable | Qt.ItemIsEnabled | Qt.ItemIsSelectable)
            show.setCheckState(Qt.Checked if entry["visible"] else Qt.Unchecked)
            # the colour as an icon, not a background: a selected row would hide a background
            show.setIcon(_swatch(entry.get("color") or color_of(row)))
            show.setToolTip(self.tr("Show or hide this model's ROC curve"))
            self.table.setItem(row, 0, show)
            name = QTableWidgetItem(self._label(entry))
            name.setToolTip(_plain_tip(f"{entry['lsi']}\n{entry['file']}"))
            self.table.setItem(row, 1, name)
            for col, (key, _, higher) in enumerate(METRICS, start=2):
                value = metric_value(entry, key)
                text = "" if value is None else (f"{value:.1f}" if key.endswith("_s")
                                                  else f"{value:.3f}")
                item = QTableWidgetItem(text)
                item.setTextAlignment(int(Qt.AlignRight | Qt.AlignVCenter))
                if row in best[key] and len(self.entries) > 1:
                    item.setFont(bold)
                    item.setBackground(BEST_BRUSH)
                    item.setToolTip(self.tr("Best of the models") + " (" + (
                        self.tr("highest") if higher else self.tr("lowest")) + ")")
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)

    def _visibility_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0 and item.row() < len(self.entries):
            self.entries[item.row()]["visible"] = item.checkState() == Qt.Checked
            self.redraw()

    def redraw(self) -> None:
        if self.figure is None:
            return
        self.figure.clear()
        ax = self.figure.add_subplot(1, 1, 1)
        shown = []
        for i, entry in enumerate(self.entries):
            if entry["visible"]:
                shown.append(dict(entry, name=self._label(entry),
                                  color=entry.get("color") or color_of(i)))
        # a side panel is narrow: a short title that fits beside the axes
        draw_roc(ax, shown, title=self.tr("ROC, validation samples"), title_size="medium")
        if not self.entries:
            ax.text(0.5, 0.55, self.tr("Run 'Evaluate susceptibility maps'\nor add a results "
                                       "file"), ha="center", va="center", color="#666666")
        self.canvas.draw_idle()

    # --- actions -------------------------------------------------------------------------------
    def selected_entry(self) -> Optional[dict]:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if rows:
            return self.entries[rows[0].row()]
        return self.entries[0] if len(self.entries) == 1 else None

    def load_selected(self, which: str) -> Optional[QgsRasterLayer]:
        entry = self.selected_entry()
        if entry is None:
            self._say(self.tr("Select a model in the table first."), warning=True)
            return None
        return self.load_map(entry, which)

    def load_map(self, entry: dict, which: str) -> Optional[QgsRasterLayer]:
        """Add a model's LSI ('lsi') or zone ('zones') raster to the project, styled."""
        path = entry.get(which)
        if not path or not os.path.exists(path):
            hint = ("" if which == "lsi" else self.tr(" Classify its LSI and give the zone "
                                                      "raster to Evaluate (ZONES)."))
            self._say(self.tr("No {} raster found for {}.").format(which, entry["name"]) + hint,
                      warning=True)
            return None
        title = f"{'LSI' if which == 'lsi' else 'Zones'} {self._label(entry)}"
        try:  # a FIFO or device would hang QGIS's main thread in QgsRasterLayer
            check_raster(str(path), "LSI raster" if which == "lsi" else "zone raster")
        except LsmError as exc:
            self._say(str(exc), warning=True)
            return None
        layer = QgsRasterLayer(str(path), title)
        if not layer.isValid():
            self._say(self.tr("Cannot open {} as a raster.").format(path), warning=True)
            return None
        self._style(layer, str(path), which)
        QgsProject.instance().addMapLayer(layer)
        self._say(self.tr(f"Loaded {title}"))
        return layer

    def _style(self, layer: QgsRasterLayer, path: str, which: str) -> None:
        """The raster's sidecar .qml, or the plugin's own style when it is missing or broken."""
        from qgis.PyQt.QtXml import QDomDocument

        from ..core.styles import default_qml

        style = sidecar_path(path)
        if os.path.isfile(style):  # a regular file only: a FIFO would hang loadNamedStyle
            _, ok = layer.loadNamedStyle(str(style))
            if ok:
                return
        document = QDomDocument()
        document.setContent(default_qml(path, which))
        ok, error = layer.importNamedStyle(document)
        if not ok:
            self._say(self.tr(f"Could not style {layer.name()}: {error}"), warning=True)
        layer.triggerRepaint()

    def export_figure(self, path: str) -> Path:
        """Save the ROC figure as PNG or SVG (by extension)."""
        from ..core.raster import atomic_file, check_output_path

        if self.figure is None:
            raise LsmError("The ROC figure needs the Python package matplotlib. Install it with: "
                           + deps.install_command(["matplotlib"]) + " and restart QGIS.")
        out = Path(path)
        if out.suffix.lower() not in (".png", ".svg"):
            out = out.with_suffix(".png")
        out = check_output_path(str(out))
        with atomic_file(out) as tmp:
            self.figure.savefig(str(tmp), dpi=150, format=out.suffix.lstrip(".").lower())
        return out

    def export_table(self, path: str) -> Path:
        """Save the metrics of every model as CSV."""
        columns = ["model", "tp", "tn", "fp", "fn", "threshold", "n"] + \
            [key for key, _, _ in METRICS] + ["kappa", "lsi", "results_file"]
        rows = []
        for entry in self.entries:
            row = {"model": self._label(entry), "lsi": entry.get("lsi"),
                   "results_file": entry["file"]}
            for key in ("tp", "tn", "fp", "fn", "threshold", "n", "kappa"):
                row[key] = entry["metrics"].get(key)
            for key, _, _ in METRICS:
                row[key] = metric_value(entry, key)
            rows.append(row)
        return write_csv(path, columns, rows)

    def _choose_results(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Add evaluation results"), "",
                                                self.tr("Landslide LSM results (*.json)"))
        for path in paths:
            self.add_results_file(path)

    def _choose_figure_path(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the ROC figure"), "roc.png",
                                              self.tr("PNG (*.png);;SVG (*.svg)"))
        if path:
            self.save_figure_as(path)

    def _choose_table_path(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the metrics"),
                                              "metrics.csv", self.tr("CSV (*.csv)"))
        if path:
            self.save_table_as(path)

    def save_figure_as(self, path: str) -> Optional[Path]:
        """The export button's work: save the figure, or tell the user why it could not be."""
        return self._export(self.export_figure, path, self.tr("the ROC figure"))

    def save_table_as(self, path: str) -> Optional[Path]:
        """The export button's work: save the table, or tell the user why it could not be."""
        return self._export(self.export_table, path, self.tr("the metrics table"))

    def _export(self, export, path: str, what: str) -> Optional[Path]:
        # Slots must not raise: an exception here would only reach a Python error dialog.
        try:
            out = export(path)
        except LsmError as exc:  # already says what is wrong and what to do
            self._say(self.tr(f"Could not save {what}: {exc}"), warning=True)
            return None
        except (OSError, ValueError, RuntimeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._say(self.tr(f"Could not save {what} to {path}: {reason}. Choose a folder you "
                              "can write to, or close the file if another program has it open."),
                      warning=True)
            return None
        self._say(self.tr(f"Saved {out}"))
        return out

    def _say(self, text: str, warning: bool = False) -> None:
        self.status.setText(text)
        self.status.setToolTip(_plain_tip(text))
        if warning and self.iface is not None:  # the message bar shows rich text
            self.iface.messageBar().pushWarning(TITLE, html.escape(text, quote=False))

    def shutdown(self) -> None:
        """Detach from the session's results (when the plugin unloads)."""
        results.remove_listener(self._announced)
