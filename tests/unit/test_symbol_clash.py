"""scikit-learn's SVM extensions beside a library that exports their ``set_seed`` (as QGIS's
minizip does with zlib 1.3.2+): deps.bind_svm_extensions_to_themselves. Each case runs in a
fresh Python, where scikit-learn's SVM is not imported yet."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux dlopen")

CLASH = """
import ctypes, importlib.util, os
from pathlib import Path
# a library exporting set_seed in the global scope, loaded first: liblinear itself
folder = importlib.util.find_spec("sklearn").submodule_search_locations[0]
ctypes.CDLL(str(sorted(Path(folder, "svm").glob("_liblinear.*so"))[0]),
            mode=os.RTLD_NOW | os.RTLD_GLOBAL)
"""
CHECK = """
from landslide_lsm_plugin import deps
loaded = deps.bind_svm_extensions_to_themselves()
import numpy as np
from sklearn.svm import SVC
x = np.random.default_rng(0).random((60, 2))
SVC(random_state=1).fit(x, x[:, 0] > 0.5)
print(sorted(p.split("/")[-1].split(".")[0] for p in loaded))
"""


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.strip()


def test_a_clash_loads_the_svm_extensions_bound_to_themselves():
    assert _run(CLASH + CHECK) == "['_liblinear', '_libsvm', '_libsvm_sparse']"


def test_without_a_clash_nothing_is_loaded_early():
    assert _run(CHECK) == "[]"
