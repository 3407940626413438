# Run by check_plugin.py (LSM_DESKTOP_EXTRA) inside the QGIS desktop: one algorithm on a local
# Dask cluster, its outputs loaded on the canvas as the toolbox loads them; records the
# outputs, the layers loaded, the log and what sys.executable is here (QGIS's guess).
import json
import os
import sys

import processing
from qgis.core import QgsProcessingFeedback, QgsProject


class _Log(QgsProcessingFeedback):
    def __init__(self):
        super().__init__()
        self.lines = []

    def pushInfo(self, info):
        self.lines.append(info)

    def reportError(self, error, fatalError=False):
        self.lines.append(f"ERROR: {error}")


_job = json.loads(open(os.environ["LSM_DASK_JOB"], encoding="utf-8").read())
_feedback = _Log()
try:
    _outputs = processing.runAndLoadResults(_job["algorithm"], _job["parameters"],
                                            feedback=_feedback)
    _report = {"outputs": {k: v for k, v in _outputs.items()
                           if isinstance(v, (str, int, float))}}
except Exception as exc:  # reported to the test, which fails on it
    _report = {"error": f"{type(exc).__name__}: {exc}"}
_report["layers"] = sorted(layer.name() for layer in QgsProject.instance().mapLayers().values())
_report["log"] = _feedback.lines
_report["sys_executable"] = sys.executable
result["dask"] = _report  # noqa: F821 (check_plugin.py's namespace)
