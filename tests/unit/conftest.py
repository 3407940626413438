"""The unit layer runs without QGIS: nothing here may import qgis or PyQt."""

import sys

import pytest


@pytest.fixture(scope="session", autouse=True)
def _no_qgis_in_unit_tests():
    yield
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("qgis", "PyQt5", "tensorflow"))
    assert not leaked, f"unit tests imported {leaked[:5]}; they must run without QGIS"


@pytest.fixture(scope="module")
def dask_client():
    """A local Dask cluster of two worker processes (one thread each), for one test module:
    the raster stages there run on it and are compared with their in-process runs."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as local, \
            distributed.Client(local, set_as_default=False) as client:
        yield client
