"""The QGIS plugin object: registers the Processing provider and, with a GUI, the dock."""

from __future__ import annotations

import logging
from typing import ClassVar

from qgis.core import Qgis, QgsApplication, QgsMessageLog

LOG_TAG = "Landslide LSM"


class _MessageLogHandler(logging.Handler):
    """Routes the plugin's Python logging to QGIS's message log panel."""

    LEVELS: ClassVar[dict] = {logging.DEBUG: Qgis.Info, logging.INFO: Qgis.Info,
              logging.WARNING: Qgis.Warning, logging.ERROR: Qgis.Critical}

    def emit(self, record: logging.LogRecord) -> None:
        level = self.LEVELS.get(record.levelno, Qgis.Critical)
        QgsMessageLog.logMessage(self.format(record), LOG_TAG, level)


class LandslideLsmPlugin:
    """Created by classFactory. ``iface`` is None under qgis_process: no GUI work then."""

    def __init__(self, iface) -> None:
        self.iface = iface
        self.provider = None
        self._log_handler = None

    def initProcessing(self) -> None:
        from .processing.provider import LandslideProvider

        if self.provider is None:
            self.provider = LandslideProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:
        logger = logging.getLogger("landslide_lsm_plugin")
        if self._log_handler is None:
            self._log_handler = _MessageLogHandler()
            logger.addHandler(self._log_handler)
            logger.setLevel(logging.INFO)
        self.initProcessing()

    def unload(self) -> None:
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        if self._log_handler is not None:
            logging.getLogger("landslide_lsm_plugin").removeHandler(self._log_handler)
            self._log_handler = None
