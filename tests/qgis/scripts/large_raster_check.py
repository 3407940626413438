"""Child process: classify a very large raster through processing.run and report the peak
memory growth (JSON on the last line)."""

import json
import os
import resource
import sys

from qgis.core import QgsApplication

app = QgsApplication([], False)
app.initQgis()
sys.path.append("/usr/share/qgis/python/plugins")
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import processing  # noqa: E402

from landslide_lsm_plugin import classFactory  # noqa: E402

plugin = classFactory(None)
plugin.initProcessing()
src, out = sys.argv[1], sys.argv[2]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
result = processing.run("landslide_lsm:classifylsi", {"INPUT": src, "METHOD": 1,
                                                      "OUTPUT": out, "OUTPUT_TABLE": "memory:"})
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
cells = sum(f["cells"] for f in result["OUTPUT_TABLE"].getFeatures())
print(json.dumps({"rss_before_mb": before, "peak_rss_mb": peak, "cells": cells}))
sys.stdout.flush()
os._exit(0)
