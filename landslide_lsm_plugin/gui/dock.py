"""The dock "Landslide susceptibility: compare models": ROC curves, metrics side by side, and
the maps onto the canvas.

It reads the results files written by *Evaluate susceptibility maps*: those produced in this
QGIS session arrive by themselves (Evaluate announces them to the plugin's
:class:`~landslide_lsm_plugin.results.ResultsRegistry`), others are added by the user.
The models of those files are the rows of a :class:`ResultsTableModel` (Qt model/view), shown
by a QTableView; the figure draws the rows the user ticked, and its Importance tab the factor
importance of the selected row (when its results hold one). The figures are matplotlib Figures
in FigureCanvasQTAgg (never pyplot); without matplotlib the dock says so and still shows the
table.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from qgis.core import QgsProject, QgsRasterLayer, QgsSettings
from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor, QFont, QIcon, QPixmap
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import deps
from ..core.errors import LsmError
from ..core.evaluation import read_results
from ..core.records import EvaluatedModel
from ..core.results_file import check_raster
from ..core.tables import write_csv
from ..presentation.explain_figures import draw_importance
from ..presentation.figures import color_of, draw_roc
from ..presentation.styles import sidecar_path
from ..results import ResultsRegistry
from ..translation import tr, tr_noop, translated

TITLE = tr_noop("Landslide susceptibility: compare models")
RECENT_KEY = "landslide_lsm/recent_results"
#: (key in the results, higher is better), in column order
METRICS = (("accuracy", True), ("precision", True), ("f1", True), ("sensitivity", True),
           ("specificity", True), ("auroc", True), ("training_time_s", False),
           ("map_time_s", False))
#: column titles: short, to keep the table readable in a narrow dock; the header tooltips
#: (METRIC_HELP) say the rest
METRIC_TITLES = {
    "accuracy": tr_noop("Acc."), "precision": tr_noop("Prec."), "f1": tr_noop("F1"),
    "sensitivity": tr_noop("Sens."), "specificity": tr_noop("Spec."), "auroc": tr_noop("AUROC"),
    "training_time_s": tr_noop("Train (s)"), "map_time_s": tr_noop("Map (s)"),
}
METRIC_HELP = {
    "accuracy": tr_noop("Accuracy: share of validation samples classified right"),
    "precision": tr_noop("Precision: TP / (TP + FP)"),
    "f1": tr_noop("F1 score: harmonic mean of precision and sensitivity"),
    "sensitivity": tr_noop("Sensitivity (recall, true positive rate): TP / (TP + FN)"),
    "specificity": tr_noop("Specificity (true negative rate): TN / (TN + FP)"),
    "auroc": tr_noop("Area under the ROC curve"),
    "training_time_s": tr_noop("Training time in seconds"),
    "map_time_s": tr_noop("Time to compute the LSI map, in seconds"),
}
BEST_COLOR = "#d9f0d3"
#: what the Importance tab says for a model without factor importance in its results
NO_IMPORTANCE = tr_noop("No factor importance in these results: run 'Factor importance and "
                        "response curves' and give its file to Evaluate.")


def metric_value(entry: EvaluatedModel, key: str) -> Optional[float]:
    value = getattr(entry, key) if key.endswith("_s") else entry.metrics.get(key)
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


def _number(flag) -> int:
    """An enum or flag as the int a QVariant carries (PyQt5 enums are ints, PyQt6 ones not)."""
    return int(getattr(flag, "value", flag))


CHECKED = _number(Qt.CheckState.Checked)
ALIGN_NUMBER = _number(Qt.AlignmentFlag.AlignRight) | _number(Qt.AlignmentFlag.AlignVCenter)


@dataclass
class ResultRecord:
    """One model of one results file: a row of the comparison."""

    file: str
    #: the model as the results file has it (name, lsi, zones, metrics, roc, run times)
    model: EvaluatedModel
    visible: bool = True

    @property
    def name(self) -> str:
        return self.model.name

    def entry(self) -> dict:
        """The model as a dict, with the file it came from (what load_map takes)."""
        return dict(self.model.to_dict(), file=self.file)


class ResultsTableModel(QAbstractTableModel):
    """The models of the results files in the comparison: one row per model of each file.

    Column 0 is checkable (show the ROC curve) and carries the curve's colour; column 1 the
    model's name; then one column per entry of METRICS, the best value of each marked (bold on
    a green background) when there are several models. Rows are replaced a file at a time.
    """

    SHOW_COLUMN, MODEL_COLUMN, FIRST_METRIC_COLUMN = 0, 1, 2
    #: the row's ResultRecord, in any column
    RecordRole = Qt.ItemDataRole.UserRole
    #: a metric column's value as a number (None when missing)
    ValueRole = Qt.ItemDataRole.UserRole + 1

    #: the curves to draw changed: rows added, removed, shown or hidden
    curvesChanged = pyqtSignal()  # noqa: N815 (Qt naming)

    def tr(self, text: str, *args) -> str:
        """``text`` (a literal) in the user's language, in the plugin's one context."""
        return tr(text)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._records: list[ResultRecord] = []
        self._files: list[str] = []
        self._best: dict = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self._best_brush = QBrush(QColor(BEST_COLOR))
        self._swatches: dict = {}  # colour -> icon, made once

    # --- reading -------------------------------------------------------------------------------
    def files(self) -> list:
        """The results files in the comparison, in the order they were added."""
        return list(self._files)

    def records(self) -> list:
        return list(self._records)

    def record(self, row: int) -> ResultRecord:
        return self._records[row]

    def visible_records(self) -> list:
        return [r for r in self._records if r.visible]

    def label_of(self, name: str, file: str = "") -> str:
        """A model's name, with its file's name when another model has the same name."""
        if sum(r.name == name for r in self._records) > 1:
            return f"{name} ({Path(file).stem})"
        return name

    def label(self, row: int) -> str:
        record = self._records[row]
        return self.label_of(record.name, record.file)

    def color(self, row: int) -> str:
        return self._records[row].model.color or color_of(row)

    def curves(self) -> list:
        """The ticked models as draw_roc takes them: labelled, each in its row's colour."""
        return [replace(r.model, name=self.label(i), color=self.color(i))
                for i, r in enumerate(self._records) if r.visible]

    # --- changing ------------------------------------------------------------------------------
    def set_file(self, path: str, models: Sequence[EvaluatedModel]) -> None:
        """The models of a results file join the comparison (replacing that file's rows)."""
        path = str(path)
        self._remove_rows_of(path)
        if path not in self._files:
            self._files.append(path)
        if models:
            first = len(self._records)
            self.beginInsertRows(QModelIndex(), first, first + len(models) - 1)
            self._records.extend(ResultRecord(path, m) for m in models)
            self.endInsertRows()
        self._changed()

    def remove_file(self, path: str) -> None:
        path = str(path)
        self._remove_rows_of(path)
        self._files = [f for f in self._files if f != path]
        self._changed()

    def clear(self) -> None:
        self.beginResetModel()
        self._records, self._files, self._best = [], [], {}
        self.endResetModel()
        self.curvesChanged.emit()

    def set_visible(self, row: int, visible: bool) -> bool:
        state = Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked
        return self.setData(self.index(row, self.SHOW_COLUMN), state,
                            Qt.ItemDataRole.CheckStateRole)

    def _remove_rows_of(self, path: str) -> None:
        row = len(self._records)
        while row > 0:  # from the end, a run of rows of this file at a time
            if self._records[row - 1].file != path:
                row -= 1
                continue
            last = row - 1
            while row > 0 and self._records[row - 1].file == path:
                row -= 1
            self.beginRemoveRows(QModelIndex(), row, last)
            del self._records[row:last + 1]
            self.endRemoveRows()

    def _changed(self) -> None:
        """After rows came or went: the best values, labels and colours of every row may too."""
        entries = [r.model for r in self._records]
        self._best = {key: best_rows(entries, key, higher) for key, higher in METRICS}
        if self._records:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._records) - 1, self.columnCount() - 1))
        self.curvesChanged.emit()

    # --- Qt's model interface ------------------------------------------------------------------
    def rowCount(self, parent: Optional[QModelIndex] = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._records)

    def columnCount(self, parent: Optional[QModelIndex] = None) -> int:
        return 0 if parent is not None and parent.isValid() else (
            self.FIRST_METRIC_COLUMN + len(METRICS))

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if section == self.SHOW_COLUMN:
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tr("Show the model's ROC curve")
            return self.tr("Show") if role == Qt.ItemDataRole.DisplayRole else None
        if section == self.MODEL_COLUMN:
            return self.tr("Model") if role == Qt.ItemDataRole.DisplayRole else None
        key, higher = METRICS[section - self.FIRST_METRIC_COLUMN]
        if role == Qt.ItemDataRole.DisplayRole:
            return translated(METRIC_TITLES[key])
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("{} ({})").format(
                translated(METRIC_HELP[key]),
                self.tr("higher is better") if higher else self.tr("lower is better"))
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.SHOW_COLUMN:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        row, column = index.row(), index.column()
        record = self._records[row]
        if role == self.RecordRole:
            return record
        if column == self.SHOW_COLUMN:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if record.visible else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.DecorationRole:
                # the colour as an icon, not a background: a selected row would hide a background
                color = self.color(row)
                if color not in self._swatches:
                    self._swatches[color] = _swatch(color)
                return self._swatches[color]
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tr("Show or hide this model's ROC curve")
            return None
        if column == self.MODEL_COLUMN:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.label(row)
            if role == Qt.ItemDataRole.ToolTipRole:
                return _plain_tip(f"{record.model.lsi}\n{record.file}")
            return None
        key, higher = METRICS[column - self.FIRST_METRIC_COLUMN]
        value = metric_value(record.model, key)
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if value is None else (f"{value:.1f}" if key.endswith("_s")
                                             else f"{value:.3f}")
        if role == self.ValueRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return ALIGN_NUMBER
        if len(self._records) > 1 and row in self._best.get(key, ()):
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.BackgroundRole:
                return self._best_brush
            if role == Qt.ItemDataRole.ToolTipRole:
                return (self.tr("Best of the models (highest)") if higher
                        else self.tr("Best of the models (lowest)"))
        return None

    def setData(self, index: QModelIndex, value, role=Qt.ItemDataRole.EditRole) -> bool:
        """Only the Show column's check state changes: it shows or hides the model's curve."""
        if (not index.isValid() or index.column() != self.SHOW_COLUMN
                or role != Qt.ItemDataRole.CheckStateRole
                or not 0 <= index.row() < len(self._records)):
            return False
        visible = _number(value) == CHECKED
        record = self._records[index.row()]
        if record.visible != visible:
            record.visible = visible
            self.dataChanged.emit(index, index)
            self.curvesChanged.emit()
        return True


class CompareModelsDock(QgsDockWidget):
    """Overlay ROC curves of evaluated models, compare their metrics, load their maps.

    ``registry`` is the plugin's ResultsRegistry (the evaluations of this session); a dock
    made without one (a script) has a registry of its own, which nothing announces to.
    """

    resultsAnnounced = pyqtSignal(str)  # noqa: N815 (Qt naming)

    def tr(self, text: str, *args) -> str:
        """``text`` (a literal) in the user's language, in the plugin's one context."""
        return tr(text)

    def __init__(self, iface=None, parent: Optional[QWidget] = None,
                 registry: Optional[ResultsRegistry] = None) -> None:
        super().__init__(translated(TITLE), parent)
        self.setObjectName("LandslideLsmCompareModels")
        self.iface = iface
        self.registry = registry if registry is not None else ResultsRegistry()
        self.model = ResultsTableModel(self)
        self.figure = None
        self.canvas = None
        #: the Importance tab's figure: the selected model's factor importance
        self.importance_figure = None
        self.importance_canvas = None
        self._hold_redraw = 0
        self._build()
        self.model.curvesChanged.connect(self.redraw)
        # Evaluate announces on a Processing worker thread: the signal queues it to this one
        self.resultsAnnounced.connect(self.add_results_file)
        self.registry.add_listener(self._announced)
        # a dock deleted without shutdown() (closed by a script, its parent gone) must not stay
        # a listener: Evaluate would call into a deleted widget
        registry, listener = self.registry, self._announced
        self.destroyed.connect(lambda *_: registry.remove_listener(listener))
        self._load_files(self._recent() + self._session_results())

    @property
    def entries(self) -> list:
        """The models in the comparison, as dicts (a copy: change them through the model)."""
        return [dict(r.entry(), visible=r.visible) for r in self.model.records()]

    @property
    def files(self) -> list:
        """The results files in the comparison."""
        return self.model.files()

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

        splitter = QSplitter(Qt.Orientation.Vertical, body)
        # two views of the figure: the ROC curves of the ticked models, and the factor
        # importance of the selected one
        self.tabs = QTabWidget(splitter)
        self.plot_area = QWidget(self.tabs)
        plot_layout = QVBoxLayout(self.plot_area)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        self.message = QLabel(self.plot_area)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.importance_area = QWidget(self.tabs)
        importance_layout = QVBoxLayout(self.importance_area)
        importance_layout.setContentsMargins(0, 0, 0, 0)
        self.importance_hint = QLabel(self.importance_area)
        self.importance_hint.setWordWrap(True)
        self.importance_hint.setMinimumWidth(60)  # wraps; never widens the dock
        self.importance_hint.setContentsMargins(6, 6, 6, 6)
        # the hint quotes model names and messages about files: shown as they are
        self.importance_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.importance_hint.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        self.importance_hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        importance_layout.addWidget(self.importance_hint)
        self._make_canvas(plot_layout, importance_layout)
        self.tabs.addTab(self.plot_area, self.tr("ROC"))
        self.tabs.addTab(self.importance_area, self.tr("Importance"))
        self.tabs.setTabToolTip(0, self.tr("ROC curves of the ticked models"))
        self.tabs.setTabToolTip(1, self.tr("Factor importance of the selected model (drop of "
                                           "its validation AUROC when a factor is permuted)"))
        self.table = QTableView(splitter)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.table)
        self.table.setMinimumHeight(110)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)

        bottom = QHBoxLayout()
        # short labels: the dock must fit a narrow side panel (420 px)
        self.lsi_button = QPushButton(self.tr("Load LSI"), body)
        self.lsi_button.setToolTip(self.tr("Add the selected model's LSI map to the project"))
        self.zones_button = QPushButton(self.tr("Load zones"), body)
        self.zones_button.setToolTip(self.tr("Add the selected model's zone map to the project"))
        self.sd_button = QPushButton(self.tr("Load SD"), body)
        self.sd_button.setToolTip(self.tr("Add the uncertainty map (the standard deviation of "
                                          "an ensemble model's LSI; Predict LSI, OUTPUT_SD)"))
        bottom.addWidget(self.lsi_button)
        bottom.addWidget(self.sd_button)
        bottom.addWidget(self.zones_button)
        bottom.addStretch(1)
        layout.addLayout(bottom)
        self.status = QLabel(body)
        self.status.setWordWrap(True)
        # messages quote file names and file contents
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setMinimumWidth(60)  # a long message wraps; it never widens the dock
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.setWidget(body)

        self.add_button.clicked.connect(self._choose_results)
        self.refresh_button.clicked.connect(self.refresh)
        self.figure_button.clicked.connect(self._choose_figure_path)
        self.table_button.clicked.connect(self._choose_table_path)
        self.clear_button.clicked.connect(self.clear)
        self.lsi_button.clicked.connect(lambda: self.load_selected("lsi"))
        self.zones_button.clicked.connect(lambda: self.load_selected("zones"))
        self.sd_button.clicked.connect(lambda: self.load_selected("sd"))
        selection = self.table.selectionModel()
        if selection is not None:
            selection.selectionChanged.connect(lambda *_: self.redraw_importance())

    def _make_canvas(self, layout, importance_layout) -> None:
        try:
            # backend_qtagg: Qt 5 and Qt 6 (matplotlib 3.5+); backend_qt5agg: older matplotlib
            try:
                from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
            except ImportError:
                from matplotlib.backends.backend_qt5agg import FigureCanvasQTAgg
            from matplotlib.figure import Figure
        except ImportError:
            install = deps.install_command(["matplotlib"])
            self.message.setText(self.tr(
                "The ROC figure needs the Python package matplotlib, which QGIS's Python cannot "
                "import. Install it with:\n{}\nand restart QGIS. The metrics table below works "
                "without it.").format(install))
            layout.addWidget(self.message)
            self.importance_hint.setText(self.tr(
                "The importance chart needs the Python package matplotlib. Install it with:\n"
                "{}\nand restart QGIS.").format(install))
            self.figure_button.setEnabled(False)
            self.figure_button.setToolTip(self.tr(
                "Exporting the ROC figure needs matplotlib: {}").format(install))
            return
        self.figure = Figure(figsize=(5, 4.2), dpi=100, constrained_layout=True)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumHeight(260)
        layout.addWidget(self.canvas)
        self.importance_figure = Figure(figsize=(5, 4.2), dpi=100, constrained_layout=True)
        self.importance_canvas = FigureCanvasQTAgg(self.importance_figure)
        self.importance_canvas.setMinimumHeight(260)
        importance_layout.addWidget(self.importance_canvas, 1)

    # --- results -------------------------------------------------------------------------------
    def _announced(self, path: str) -> None:
        """Called by the registry when Evaluate announces (any thread): hand over to the GUI
        thread. A dock whose widget is already gone drops out of the registry instead."""
        try:
            self.resultsAnnounced.emit(path)
        except RuntimeError:  # the C++ widget was deleted: nothing to show the file in
            self.registry.remove_listener(self._announced)

    def _session_results(self) -> list:
        return self.registry.session_results()

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
        self.registry.restore(path)
        self.model.set_file(path, data.models)
        self._remember([path])  # only once it loaded and showed
        self._say_counts()
        return True

    def _load_files(self, paths: list) -> None:
        """(Re-)read results files remembered or of this session. One that no longer loads is
        skipped, said in the status line, and dropped from the dock and the remembered list."""
        loaded, skipped = [], []
        with self._one_redraw():
            for path in dict.fromkeys(str(p) for p in paths):
                if not os.path.exists(path):  # on a drive not mounted now: kept for later
                    continue
                try:
                    data = read_results(path)
                except LsmError as exc:
                    skipped.append(str(exc))
                    self.model.remove_file(path)
                    self._forget(path)
                    continue
                self.model.set_file(path, data.models)
                loaded.append(path)
        self._remember(loaded)
        if skipped:
            self._say(self.tr("{} model(s) from {} results file(s). Skipped {} results file(s) "
                              "that no longer load, and removed them from the dock's list: {}")
                      .format(self.model.rowCount(), len(self.model.files()), len(skipped),
                              " | ".join(skipped)))
        elif loaded:
            self._say_counts()

    def _say_counts(self) -> None:
        self._say(self.tr("{} model(s) from {} results file(s)").format(
            self.model.rowCount(), len(self.model.files())))

    def refresh(self) -> None:
        self._load_files(self.model.files() + self._session_results())

    def clear(self) -> None:
        """Empty the comparison and forget its files: the recent list kept in the settings and
        this session's evaluations, so neither a new dock nor Refresh brings them back."""
        self.registry.forget(self.model.files() + self.registry.session_results())
        QgsSettings().remove(RECENT_KEY)
        self.model.clear()
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

    # --- drawing -------------------------------------------------------------------------------
    @contextmanager
    def _one_redraw(self):
        """Changes of the model inside draw the figure once, at the end."""
        self._hold_redraw += 1
        try:
            yield
        finally:
            self._hold_redraw -= 1
            self.redraw()

    def redraw(self) -> None:
        """Draw the ROC curves of the model's ticked rows."""
        if self.figure is None or self._hold_redraw:
            return
        self.figure.clear()
        ax = self.figure.add_subplot(1, 1, 1)
        # a side panel is narrow: a short title that fits beside the axes
        draw_roc(ax, self.model.curves(), title=self.tr("ROC, validation samples"),
                 title_size="medium")
        if not self.model.rowCount():
            ax.text(0.5, 0.55, self.tr("Run 'Evaluate susceptibility maps'\nor add a results "
                                       "file"), ha="center", va="center", color="#666666")
        self.canvas.draw_idle()
        self.redraw_importance()

    def redraw_importance(self) -> None:
        """Draw the factor importance of the selected model in the Importance tab, or say
        why there is none (no model selected, none in its results, unreadable)."""
        if self.importance_figure is None or self._hold_redraw:
            return
        self.importance_figure.clear()
        record = self.selected_record()
        explanation, hint = None, ""
        if record is None:
            hint = (self.tr("Select a model in the table to see its factor importance.")
                    if self.model.rowCount() else
                    self.tr("Run 'Evaluate susceptibility maps' or add a results file."))
        else:
            try:
                explanation = record.model.explained()
            except LsmError as exc:  # checked with the file, so rare: said, not raised
                hint = self.tr("The factor importance of {} does not read: {}").format(
                    record.name, exc)
            if explanation is None and not hint:
                hint = translated(NO_IMPORTANCE)
        if explanation is not None:
            row = next(i for i, r in enumerate(self.model.records()) if r is record)
            explanation = replace(explanation, model_name=self.model.label(row))
            draw_importance(self.importance_figure.add_subplot(1, 1, 1), explanation,
                            self.model.color(row), title_size="medium")
        self.importance_hint.setText(hint)
        self.importance_hint.setVisible(bool(hint))
        self.importance_canvas.setVisible(explanation is not None)
        self.importance_canvas.draw_idle()

    # --- actions -------------------------------------------------------------------------------
    def selected_record(self) -> Optional[ResultRecord]:
        """The row selected in the table; the only one when there is a single row."""
        selection = self.table.selectionModel()
        rows = selection.selectedRows() if selection is not None else []
        if rows:
            return self.model.record(rows[0].row())
        return self.model.record(0) if self.model.rowCount() == 1 else None

    def selected_entry(self) -> Optional[dict]:
        record = self.selected_record()
        return None if record is None else record.entry()

    def load_selected(self, which: str) -> Optional[QgsRasterLayer]:
        entry = self.selected_entry()
        if entry is None:
            self._say(self.tr("Select a model in the table first."), warning=True)
            return None
        return self.load_map(entry, which)

    def load_map(self, entry: dict, which: str) -> Optional[QgsRasterLayer]:
        """Add a model's LSI ('lsi'), uncertainty ('sd') or zone ('zones') raster to the
        project, styled."""
        path = entry.get(which)
        if not path or not os.path.exists(path):
            missing = {
                "lsi": self.tr("No LSI raster found for {}."),
                "zones": self.tr("No zone raster found for {}. Classify its LSI and give the "
                                 "zone raster to Evaluate (ZONES)."),
                "sd": self.tr("No uncertainty (SD) raster found for {}. Train the model with "
                              "an ensemble and map it with Predict LSI's standard-deviation "
                              "output.")}[which]
            self._say(missing.format(entry["name"]), warning=True)
            return None
        label = self.model.label_of(entry["name"], entry.get("file", ""))
        title = {"lsi": self.tr("LSI {}"), "sd": self.tr("LSI SD {}"),
                 "zones": self.tr("Zones {}")}[which].format(label)
        what = {"lsi": "LSI raster", "sd": "uncertainty raster", "zones": "zone raster"}[which]
        try:  # a FIFO or device would hang QGIS's main thread in QgsRasterLayer
            check_raster(str(path), what)
        except LsmError as exc:
            self._say(str(exc), warning=True)
            return None
        layer = QgsRasterLayer(str(path), title)
        if not layer.isValid():
            self._say(self.tr("Cannot open {} as a raster.").format(path), warning=True)
            return None
        self._style(layer, str(path), which)
        QgsProject.instance().addMapLayer(layer)
        self._say(self.tr("Loaded {}").format(title))
        return layer

    def _style(self, layer: QgsRasterLayer, path: str, which: str) -> None:
        """The raster's sidecar .qml, or the plugin's own style when it is missing or broken."""
        from qgis.PyQt.QtXml import QDomDocument

        from ..presentation.styles import default_qml

        style = sidecar_path(path)
        if os.path.isfile(style):  # a regular file only: a FIFO would hang loadNamedStyle
            _, ok = layer.loadNamedStyle(str(style))
            if ok:
                return
        document = QDomDocument()
        document.setContent(default_qml(path, which))
        ok, error = layer.importNamedStyle(document)
        if not ok:
            self._say(self.tr("Could not style {}: {}").format(layer.name(), error), warning=True)
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
            [key for key, _ in METRICS] + ["kappa", "lsi", "results_file"]
        rows = []
        for i, record in enumerate(self.model.records()):
            entry = record.model
            row = {"model": self.model.label(i), "lsi": entry.lsi, "results_file": record.file}
            for key in ("tp", "tn", "fp", "fn", "threshold", "n", "kappa"):
                row[key] = entry.metrics.get(key)
            for key, _ in METRICS:
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
            self._say(self.tr("Could not save {}: {}").format(what, exc), warning=True)
            return None
        except (OSError, ValueError, RuntimeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._say(self.tr("Could not save {} to {}: {}. Choose a folder you can write to, "
                              "or close the file if another program has it open.")
                      .format(what, path, reason), warning=True)
            return None
        self._say(self.tr("Saved {}").format(out))
        return out

    def _say(self, text: str, warning: bool = False) -> None:
        self.status.setText(text)
        self.status.setToolTip(_plain_tip(text))
        if warning and self.iface is not None:  # the message bar shows rich text
            self.iface.messageBar().pushWarning(translated(TITLE),
                                                html.escape(text, quote=False))

    def shutdown(self) -> None:
        """Detach from the session's results (when the plugin unloads)."""
        self.registry.remove_listener(self._announced)
