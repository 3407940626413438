"""tensorflow is never imported into the QGIS process (importing it after QGIS crashes QGIS).

Runs last (file order): after every algorithm of this session ran in-process. It does not rely
on that: where no LSNet model was trained in this process (the test run alone, or with files
that train none), it first trains one itself, maps with it and evaluates the map, all through
processing.run here, so a break of the worker isolation fails it in any case."""

import sys

from qgis.core import QgsApplication
from synthetic_foot import make_foot_area

from .helpers import RAN, run


def run_lsnet_in_this_process(folder) -> None:
    """Train (one short epoch, with its LSI map), predict and evaluate an LSNet model: every
    step that touches TensorFlow or the model file, on a small synthetic area."""
    area = make_foot_area(folder, size=120, n_each=50, seed=5)
    samples = run("preparesamples", {"INVENTORY": str(area["points"]),
                                     "STACK": str(area["stack"]), "LABEL_FIELD": "label",
                                     "OUTPUT": str(folder / "samples.gpkg")})["OUTPUT"]
    trained = run("trainlsnet", {"STACK": str(area["stack"]), "SAMPLES": samples, "EPOCHS": 1,
                                 "PATIENCE": 1, "PATCHES_PER_EPOCH": 64, "SEED": 7,
                                 "OUTPUT_MODEL": str(folder / "lsnet.keras"),
                                 "OUTPUT_LSI": str(folder / "lsi_train.tif")})
    predicted = run("predictlsi", {"MODEL": trained["OUTPUT_MODEL"], "STACK": str(area["stack"]),
                                   "OUTPUT": str(folder / "lsi.tif")})
    run("evaluate", {"LSI": [trained["OUTPUT_LSI"], predicted["OUTPUT"]], "SAMPLES": samples,
                     "OUTPUT": "TEMPORARY_OUTPUT",
                     "OUTPUT_RESULTS": str(folder / "results.json")})
    assert {"landslide_lsm:trainlsnet", "landslide_lsm:predictlsi"} <= RAN


def test_tensorflow_never_imported_in_the_qgis_process(plugin, tmp_path):
    provider = QgsApplication.processingRegistry().providerById("landslide_lsm")
    assert provider is not None and provider.algorithms()
    if "landslide_lsm:trainlsnet" not in RAN:  # nothing trained LSNet here yet: do it now
        run_lsnet_in_this_process(tmp_path)
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
    assert leaked == [], f"tensorflow/keras imported in the QGIS process: {leaked[:5]}"
