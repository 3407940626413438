"""The Processing provider "Landslide susceptibility" (id ``landslide_lsm``)."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider

from .. import __version__
from ..resources_path import icon, resource
from . import algorithm_classes


class LandslideProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "landslide_lsm"

    def name(self) -> str:
        return "Landslide susceptibility"

    def longName(self) -> str:
        return f"Landslide susceptibility (Landslide LSM {__version__})"

    def icon(self):
        return icon()

    def svgIconPath(self) -> str:
        return resource("icons", "landslide_lsm.svg")

    def versionInfo(self) -> str:
        return __version__

    def loadAlgorithms(self) -> None:
        for cls in algorithm_classes():
            self.addAlgorithm(cls())
