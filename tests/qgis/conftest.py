"""The QGIS layer: real QgsApplication (pytest-qgis), real Processing, real files."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def plugin(qgis_app, qgis_iface, qgis_processing):
    """The plugin loaded as QGIS loads it: classFactory(iface), then initGui()."""
    from landslide_lsm_plugin import classFactory

    instance = classFactory(qgis_iface)
    instance.initGui()
    yield instance
    instance.unload()


@pytest.fixture
def run_alg(plugin):
    """processing.run with the plugin's provider registered; raises on failure."""
    import processing

    def run(alg_id: str, params: dict, **kwargs) -> dict:
        return processing.run(f"landslide_lsm:{alg_id}", params, **kwargs)

    return run
