"""A missing optional library never stops the plugin from loading; algorithms that need it say
how to install it, and every other algorithm still works."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import qgis_tools as qt

from ..conftest import write_raster

BLOCKED = ("sklearn", "jenkspy", "skops")


def make_blockers(folder: Path) -> Path:
    """A folder that, first on PYTHONPATH, makes these packages fail to import."""
    for name in BLOCKED:
        pkg = folder / name
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text(f"raise ImportError('{name} is not installed (test)')\n")
    return folder


def test_plugin_works_without_scikit_learn_jenkspy_and_skops(tmp_path):
    blockers = make_blockers(tmp_path / "blockers")
    src = write_raster(tmp_path / "lsi.tif", np.random.default_rng(0).random((30, 40)))
    out = tmp_path / "zones.tif"
    env = qt.qgis_env(extra_pythonpath=[str(blockers), str(qt.ROOT)])
    proc = subprocess.run([sys.executable, str(Path(__file__).parent / "scripts" /
                                               "missing_deps_check.py"), str(src), str(out)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert "landslide_lsm:classifylsi" in report["algorithms"]
    ok, message = report["natural_breaks_check"]
    assert not ok and "jenkspy" in message and "-m pip install" in message
    assert report["equal_interval_ran"] and out.exists()
    for alg_id, (can, why) in report["can_execute"].items():
        if not can:
            assert ("-m pip install" in why and "scikit-learn" in why) or "skops" in why, alg_id
