"""Run in a child Python whose PYTHONPATH hides scikit-learn, jenkspy and skops.

Loads the plugin as QGIS does, runs what can run, and prints a JSON report on the last line.
"""

import json
import sys

from qgis.core import QgsApplication

app = QgsApplication([], False)
app.initQgis()
sys.path.append("/usr/share/qgis/python/plugins")
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import processing  # noqa: E402
from qgis.core import QgsProcessingContext  # noqa: E402

from landslide_lsm_plugin import classFactory  # noqa: E402

report = {"errors": []}
plugin = classFactory(None)
plugin.initProcessing()
provider = QgsApplication.processingRegistry().providerById("landslide_lsm")
report["algorithms"] = sorted(a.id() for a in provider.algorithms())
report["can_execute"] = {a.id(): list(a.canExecute()) for a in provider.algorithms()}

src, out = sys.argv[1], sys.argv[2]
alg = provider.algorithm("classifylsi")
ok, msg = alg.checkParameterValues({"INPUT": src, "METHOD": 0, "OUTPUT": out},
                                   QgsProcessingContext())
report["natural_breaks_check"] = [ok, msg]
try:
    processing.run("landslide_lsm:classifylsi", {"INPUT": src, "METHOD": 1, "OUTPUT": out})
    report["equal_interval_ran"] = True
except Exception as exc:
    report["errors"].append(repr(exc))
report["sklearn_imported"] = "sklearn" in sys.modules and sys.modules["sklearn"] is not None
del alg, provider
print(json.dumps(report))
sys.stdout.flush()
import os  # noqa: E402

os._exit(0)  # skip QGIS teardown: this is a probe, not an application
