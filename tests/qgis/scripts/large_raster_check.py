"""Child process: run the raster stages on a very large raster through processing.run and
report each stage's peak memory growth (JSON on the last line).

    large_raster_check.py BIG_RASTER INVENTORY OUT_DIR

Zones by natural breaks; a factor stack of the big raster (a DEFLATE-compressed GeoTIFF,
which the later stages read); samples; FR encoding; a logistic model; its LSI map.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

from qgis.core import QgsApplication

app = QgsApplication([], False)
app.initQgis()
sys.path.append("/usr/share/qgis/python/plugins")
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
from landslide_lsm_plugin import classFactory  # noqa: E402
from tests.qgis import helpers  # noqa: E402  (the repository root is on PYTHONPATH)

plugin = classFactory(None)
plugin.initProcessing()
big, inventory, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(alg: str, params: dict) -> dict:
    start = time.perf_counter()
    result = helpers.run(alg, params)
    stages.append({"stage": alg, "peak_rss_mb": peak_mb(),
                   "seconds": round(time.perf_counter() - start, 1)})
    return result


stages: list = []
before = peak_mb()
zones = run("classifylsi", {"INPUT": big, "OUTPUT": str(out / "zones.tif"),
                            "OUTPUT_TABLE": "memory:"})
cells = sum(f["cells"] for f in zones["OUTPUT_TABLE"].getFeatures())
stack = run("buildstack", {"CONTINUOUS": [big], "OUTPUT": str(out / "stack.tif")})["OUTPUT"]
samples = run("preparesamples", {"INVENTORY": inventory, "STACK": stack, "FOLDS": 3,
                                 "OUTPUT": str(out / "samples.gpkg")})["OUTPUT"]
fr = run("frequencyratio", {"STACK": stack, "SAMPLES": samples,
                            "OUTPUT": str(out / "fr.tif"), "OUTPUT_TABLE": "memory:"})["OUTPUT"]
model = run("trainlogistic", {"STACK": fr, "SAMPLES": samples, "FOLDS": 3,
                              "OUTPUT_MODEL": str(out / "m.lsmodel")})["OUTPUT_MODEL"]
lsi = run("predictlsi", {"MODEL": model, "STACK": fr, "OUTPUT": str(out / "lsi.tif")})
print(json.dumps({"rss_before_mb": before, "peak_rss_mb": peak_mb(), "cells": cells,
                  "stages": stages,
                  "outputs": {k: os.path.getsize(out / k) for k in ("stack.tif", "fr.tif",
                                                                    "lsi.tif")}}))
sys.stdout.flush()
os._exit(0)
