"""Runs last (file order): after every algorithm of this session ran in-process, tensorflow was
never imported into the QGIS process (importing it after QGIS crashes QGIS)."""

import sys

from qgis.core import QgsApplication


def test_tensorflow_never_imported_in_the_qgis_process(plugin):
    provider = QgsApplication.processingRegistry().providerById("landslide_lsm")
    assert provider is not None and provider.algorithms()
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
    assert leaked == [], f"tensorflow/keras imported in the QGIS process: {leaked[:5]}"
