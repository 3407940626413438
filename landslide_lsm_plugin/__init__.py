"""Landslide LSM: landslide susceptibility mapping for QGIS.

QGIS calls :func:`classFactory`. Importing this package does not import qgis, so the science
in :mod:`landslide_lsm_plugin.core` is usable (and tested) without QGIS.
"""

from .version import __version__

__all__ = ["__version__", "classFactory"]


def classFactory(iface):
    """Entry point QGIS calls; ``iface`` is None under qgis_process (no GUI work then)."""
    from .deps import bind_svm_extensions_to_themselves
    from .plugin import LandslideLsmPlugin

    bind_svm_extensions_to_themselves()  # before anything imports scikit-learn (see there)

    return LandslideLsmPlugin(iface)
