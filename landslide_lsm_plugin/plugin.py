"""The QGIS plugin object: registers the Processing provider and, with a GUI, the dock."""

from __future__ import annotations

import logging
from typing import ClassVar

from qgis.core import Qgis, QgsApplication, QgsMessageLog

LOG_TAG = "Landslide LSM"


class _MessageLogHandler(logging.Handler):
    """Routes the plugin's Python logging to QGIS's message log panel."""

    LEVELS: ClassVar[dict] = {
        logging.DEBUG: Qgis.MessageLevel.Info, logging.INFO: Qgis.MessageLevel.Info,
        logging.WARNING: Qgis.MessageLevel.Warning, logging.ERROR: Qgis.MessageLevel.Critical}

    def emit(self, record: logging.LogRecord) -> None:
        level = self.LEVELS.get(record.levelno, Qgis.MessageLevel.Critical)
        QgsMessageLog.logMessage(self.format(record), LOG_TAG, level)


class LandslideLsmPlugin:
    """Created by classFactory. ``iface`` is None under qgis_process: no GUI work then."""

    def __init__(self, iface) -> None:
        from .results import ResultsRegistry
        from .translation import install_translator, tr

        # first: the provider's and the dock's text is translated as they are made
        self.translator = install_translator()
        self.iface = iface
        #: the Plugins menu entry (translated: added and removed under the same name)
        self.menu = tr("&Landslide LSM")
        #: the results files Evaluate wrote in this session: the dock shows them
        self.results_registry = ResultsRegistry()
        self.provider = None
        self.dock = None
        self.action = None
        self._log_handler = None

    def initProcessing(self) -> None:
        # sets GDAL's exception mode once, on this (QGIS's main) thread; unload releases it
        from .core import raster  # noqa: F401
        from .processing.provider import LandslideProvider
        from .results import PROVIDER_ATTRIBUTE

        if self.provider is None:
            self.provider = LandslideProvider()
            # where Evaluate (run by this provider, on any thread) finds the registry
            setattr(self.provider, PROVIDER_ATTRIBUTE, self.results_registry)
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        logger = logging.getLogger("landslide_lsm_plugin")
        if self._log_handler is None:
            self._log_handler = _MessageLogHandler()
            logger.addHandler(self._log_handler)
            logger.setLevel(logging.INFO)
        self.initProcessing()
        if self.iface is None:
            return
        try:  # Qt 6 (QGIS 4)
            from qgis.PyQt.QtGui import QAction
        except ImportError:  # Qt 5
            from qgis.PyQt.QtWidgets import QAction

        from .resources_path import icon
        from .translation import tr

        self.action = QAction(icon(), tr("Compare models (ROC, metrics, maps)"),
                              self.iface.mainWindow())
        self.action.setObjectName("LandslideLsmCompareModelsAction")
        self.action.setToolTip(tr("Landslide susceptibility: compare models"))
        self.action.triggered.connect(self.show_dock)
        self.iface.addPluginToMenu(self.menu, self.action)
        self.iface.addToolBarIcon(self.action)

    def show_dock(self):
        """Open (creating it on first use) the model comparison dock."""
        from qgis.PyQt.QtCore import Qt

        from .gui.dock import CompareModelsDock

        if self.dock is None:
            self.dock = CompareModelsDock(self.iface, self.iface.mainWindow(),
                                          registry=self.results_registry)
            self.iface.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.show()
        self.dock.raise_()
        return self.dock

    def unload(self) -> None:
        from .core.raster import release_gdal_exceptions

        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self.dock is not None:
            self.dock.shutdown()
            self.iface.removeDockWidget(self.dock)
            self.dock.deleteLater()
            self.dock = None
        if self.action is not None:
            self.iface.removePluginMenu(self.menu, self.action)
            self.iface.removeToolBarIcon(self.action)
            self.action = None
        if self._log_handler is not None:
            logging.getLogger("landslide_lsm_plugin").removeHandler(self._log_handler)
            self._log_handler = None
        release_gdal_exceptions()
        from .translation import remove_translator

        remove_translator(self.translator)
        self.translator = None
