"""The Processing provider "Landslide susceptibility" (id ``landslide_lsm``)."""

from __future__ import annotations

from pathlib import Path

from qgis.core import Qgis, QgsMessageLog, QgsProcessingModelAlgorithm, QgsProcessingProvider

from ..resources_path import icon, resource
from ..translation import tr
from ..version import __version__
from . import algorithm_classes
from .base import LSNET_PYTHON_SETTING, SCHEDULER_SETTING


class LandslideProvider(QgsProcessingProvider):
    """The plugin's algorithms, and the workflows (graphical models) shipped in
    resources/models."""

    def __init__(self, with_models: bool = True) -> None:
        super().__init__()
        self.with_models = with_models

    def id(self) -> str:
        return "landslide_lsm"

    def name(self) -> str:
        return tr("Landslide susceptibility")

    def longName(self) -> str:
        return tr("Landslide susceptibility (Landslide LSM {})").format(__version__)

    def icon(self):
        return icon()

    def svgIconPath(self) -> str:
        return resource("icons", "landslide_lsm.svg")

    def versionInfo(self) -> str:
        return __version__

    def load(self) -> bool:
        """Register the provider's setting (the Python that runs LSNet), then the algorithms."""
        try:
            from processing.core.ProcessingConfig import ProcessingConfig, Setting
        except ImportError:  # Processing's Python side absent: the setting is read directly
            ProcessingConfig = None
        if ProcessingConfig is not None:
            ProcessingConfig.settingIcons[self.name()] = self.icon()
            ProcessingConfig.addSetting(Setting(
                self.name(), LSNET_PYTHON_SETTING,
                tr("Python for LSNet (an interpreter with TensorFlow; empty: "
                   "LANDSLIDE_LSM_PYTHON or automatic)"), "", valuetype=Setting.FILE))
            ProcessingConfig.addSetting(Setting(
                self.name(), SCHEDULER_SETTING,
                tr("Dask scheduler for the raster stages ('local:N' for N local worker "
                   "processes, or tcp://host:8786; empty: LANDSLIDE_LSM_SCHEDULER or this "
                   "process)"), ""))
            ProcessingConfig.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self) -> None:
        try:
            from processing.core.ProcessingConfig import ProcessingConfig
        except ImportError:
            return
        for setting in (LSNET_PYTHON_SETTING, SCHEDULER_SETTING):
            if setting in ProcessingConfig.settings:  # unload may come twice
                ProcessingConfig.removeSetting(setting)

    def loadAlgorithms(self) -> None:
        for cls in algorithm_classes():
            self.addAlgorithm(cls())
        if self.with_models:
            for path in sorted(Path(resource("models")).glob("*.model3")):
                model = QgsProcessingModelAlgorithm()
                if model.fromFile(str(path)):
                    self.addAlgorithm(model)
                else:
                    QgsMessageLog.logMessage(
                        tr("Could not load the workflow {}").format(path.name), "Landslide LSM",
                        Qgis.MessageLevel.Warning)
