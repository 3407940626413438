"""Run in a child Python whose PYTHONPATH hides scikit-learn, jenkspy and skops.

Given a real results file (made by Evaluate where scikit-learn was installed), builds the
HTML report and the QGIS project through processing.run, opens the comparison dock on it, runs
the preparation algorithms on the factor stack, and asks the algorithms that need
scikit-learn whether they can run. Records, for each step,
which hidden libraries it even tried to import. Prints a JSON report on the last line.

Usage: missing_deps_outputs_check.py RESULTS.json SAMPLES.gpkg STACK.tif POINTS.gpkg OUT_FOLDER
"""

import importlib.abc
import json
import os
import sys
from pathlib import Path

BLOCKED = ("sklearn", "jenkspy", "ckwrap", "skops")


class ImportAttempts(importlib.abc.MetaPathFinder):
    """Notes every attempt to import a hidden library; finds nothing itself."""

    def __init__(self) -> None:
        self.names: list = []

    def find_spec(self, fullname, path=None, target=None):
        """Record the attempt; finding nothing, the usual finders go on."""
        if fullname.split(".")[0] in BLOCKED:
            self.names.append(fullname)

    def take(self) -> list:
        names, self.names = sorted(set(self.names)), []
        return names


attempts = ImportAttempts()
sys.meta_path.insert(0, attempts)

from qgis.core import QgsApplication, QgsProcessingFeedback, QgsProject  # noqa: E402

app = QgsApplication([], True)
app.initQgis()
sys.path.append("/usr/share/qgis/python/plugins")
from processing.core.Processing import Processing  # noqa: E402

Processing.initialize()
import processing  # noqa: E402
from osgeo import gdal  # noqa: E402
from qgis.core import QgsProcessingException  # noqa: E402

from landslide_lsm_plugin import classFactory  # noqa: E402


class Errors(QgsProcessingFeedback):
    """Keeps the errors an algorithm reports."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list = []

    def reportError(self, error, fatalError=False):
        self.errors.append(error)


results_path, samples_path, stack_path, points_path, out = (*sys.argv[1:5], Path(sys.argv[5]))
model_path = sys.argv[6]  # an SVM model file (it carries its kernel expansion)
report = {"errors": [], "attempted": {}}
plugin = classFactory(None)
plugin.initProcessing()
provider = QgsApplication.processingRegistry().providerById("landslide_lsm")
report["attempted"]["load"] = attempts.take()

# the HTML report and the QGIS project from the results file
try:
    html = processing.run("landslide_lsm:report", {"RESULTS": results_path,
                                                    "OUTPUT": str(out / "report.html")})
    report["report"] = html["OUTPUT"]
except Exception as exc:  # reported to the parent test
    report["errors"].append(f"report: {exc!r}")
report["attempted"]["report"] = attempts.take()
try:
    made = processing.run("landslide_lsm:makeproject", {
        "RESULTS": results_path, "SAMPLES": samples_path, "OUTPUT": str(out / "project.qgz")})
    report["project"] = made["OUTPUT"]
    project = QgsProject()
    report["project_read"] = project.read(made["OUTPUT"])
    report["project_layers"] = sorted(layer.name() for layer in project.mapLayers().values()
                                      if layer.isValid())
except Exception as exc:
    report["errors"].append(f"makeproject: {exc!r}")
report["attempted"]["makeproject"] = attempts.take()

# the comparison dock, fed the results file
try:
    from qgis.PyQt.QtCore import Qt

    from landslide_lsm_plugin.gui.dock import CompareModelsDock

    dock = CompareModelsDock(None)
    dock.clear()
    report["dock_added"] = dock.add_results_file(results_path)
    app.processEvents()
    table = dock.model  # the view's model: what the dock's table shows
    report["dock_rows"] = [table.index(r, 1).data() for r in range(table.rowCount())]
    headers = [table.headerData(c, Qt.Orientation.Horizontal)
               for c in range(table.columnCount())]
    report["dock_auroc"] = [table.index(r, headers.index("AUROC")).data()
                            for r in range(table.rowCount())]
    report["dock_curves"] = (len(dock.figure.axes[0].get_lines())
                             if dock.figure is not None else None)
    dock.shutdown()
    del dock
except Exception as exc:
    report["errors"].append(f"dock: {exc!r}")
report["attempted"]["dock"] = attempts.take()

# the preparation algorithms, chained: samples, then FR (equal interval: no jenkspy) and VIF
prepared = {}
steps = (
    ("preparesamples", {"INVENTORY": points_path, "STACK": stack_path, "LABEL_FIELD": "label",
                        "OUTPUT": str(out / "samples.gpkg")}),
    ("frequencyratio", {"STACK": stack_path, "SAMPLES": str(out / "samples.gpkg"), "METHOD": 1,
                        "OUTPUT": str(out / "fr.tif"), "OUTPUT_TABLE": str(out / "fr.gpkg"),
                        "OUTPUT_CSV": str(out / "fr.csv")}),
    ("vif", {"STACK": stack_path, "SAMPLES": str(out / "samples.gpkg"),
             "OUTPUT": str(out / "vif.gpkg")}),
)
for alg_id, params in steps:
    try:
        processing.run(f"landslide_lsm:{alg_id}", params)
        prepared[alg_id] = sorted(p.name for p in out.iterdir())
    except Exception as exc:
        report["errors"].append(f"{alg_id}: {exc!r}")
    report["attempted"][alg_id] = attempts.take()
report["prepared"] = prepared

# an SVM model mapped by Predict LSI: numpy alone, from the kernel expansion in its file
try:
    processing.run("landslide_lsm:predictlsi", {"MODEL": model_path, "STACK": stack_path,
                                                "OUTPUT": str(out / "svm_lsi.tif")})
    ds = gdal.Open(str(out / "svm_lsi.tif"))
    lsi = ds.GetRasterBand(1).ReadAsArray()
    ds = None
    report["predicted_valid"] = int(((lsi >= 0) & (lsi <= 1)).sum())
except Exception as exc:
    report["errors"].append(f"predictlsi: {exc!r}")
report["attempted"]["predictlsi"] = attempts.take()

# algorithms that need scikit-learn say so, with the command that installs it
report["can_execute"] = {a.id(): list(a.canExecute()) for a in provider.algorithms()}
feedback = Errors()
try:
    processing.run("landslide_lsm:evaluate", {
        "LSI": [json.loads(Path(results_path).read_text())["models"][0]["lsi"]],
        "SAMPLES": samples_path, "OUTPUT": "TEMPORARY_OUTPUT",
        "OUTPUT_RESULTS": str(out / "again.json")}, feedback=feedback)
    report["evaluate_ran"] = True
except QgsProcessingException as exc:
    report["evaluate_ran"] = False
    report["evaluate_exception"] = str(exc)
report["evaluate_errors"] = feedback.errors  # a run refused by canExecute() raises, or reports
report["sklearn_loaded"] = any(m.split(".")[0] in BLOCKED and sys.modules[m] is not None
                               for m in list(sys.modules))
print(json.dumps(report))
sys.stdout.flush()
os._exit(0)  # skip QGIS teardown: this is a probe, not an application
