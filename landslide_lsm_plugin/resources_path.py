"""Where the plugin's icons and styles are (the package's resources/ folder)."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent / "resources"


def resource(*parts: str) -> str:
    return str(RESOURCES.joinpath(*parts))


def icon(name: str = "landslide_lsm.svg"):
    """A QIcon from resources/icons (imports Qt only when called)."""
    from qgis.PyQt.QtGui import QIcon

    return QIcon(resource("icons", name))
