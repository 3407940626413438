"""The unit layer runs without QGIS: nothing here may import qgis or PyQt."""

import sys

import pytest


@pytest.fixture(scope="session", autouse=True)
def _no_qgis_in_unit_tests():
    yield
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("qgis", "PyQt5", "tensorflow"))
    assert not leaked, f"unit tests imported {leaked[:5]}; they must run without QGIS"
