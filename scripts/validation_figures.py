"""README figures of the uncertainty map and the calibration diagram, from a real run on the
Ecuador data with qgis_process (the plugin's algorithms, as a user runs them):

1. Build factor stack, Prepare training samples (70/30), Train RBF-SVM with a bootstrap ensemble;
2. Predict LSI with its standard deviation; Evaluate with the figure (ROC + reliability);
3. docs/images/uncertainty.png: the LSI beside its standard deviation;
   docs/images/calibration.png: Evaluate's figure.

    .venv/bin/python scripts/validation_figures.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qgis_tools as qt

sys.path.insert(0, str(qt.ROOT))
DATA = qt.ROOT.parent / "shared" / "data" / "ecuador"
IMAGES = qt.ROOT / "docs" / "images"


def main() -> int:
    if not (DATA / "ta.tif").exists():
        raise SystemExit(f"{DATA} is not present")
    work = Path(tempfile.mkdtemp(prefix="validation-figures-"))
    try:
        profile = work / "profile"
        qt.make_profile(profile, enabled=False)
        env = qt.qgis_env(profile)
        qt.enable_in_qgis_process(profile, env=env)

        def run(alg: str, params: dict) -> dict:
            return qt.run_algorithm(profile, f"landslide_lsm:{alg}", params, env=env,
                                    timeout=3600)

        stack = work / "stack.tif"
        run("buildstack", {"CONTINUOUS": [DATA / "ta.tif"], "MASK": DATA / "study_mask.gpkg",
                           "OUTPUT": stack})
        samples = work / "samples.gpkg"
        run("preparesamples", {"INVENTORY": DATA / "lsl_points.gpkg", "STACK": stack,
                               "LABEL_FIELD": "lslpts", "SEED": 42, "OUTPUT": samples})
        model = work / "svm.lsmodel"
        run("trainsvm", {"STACK": stack, "SAMPLES": samples, "ENSEMBLE": 2,
                         "ENSEMBLE_SIZE": 10, "OUTPUT_MODEL": model})
        lsi, sd = work / "lsi_svm.tif", work / "lsi_svm_sd.tif"
        run("predictlsi", {"MODEL": model, "STACK": stack, "NAME": "SVM", "OUTPUT": lsi,
                           "OUTPUT_SD": sd})
        run("evaluate", {"LSI": [lsi], "SAMPLES": samples, "OUTPUT": work / "metrics.csv",
                         "OUTPUT_RESULTS": work / "results.json",
                         "OUTPUT_FIGURE": IMAGES / "calibration.png"})
        draw_pair(lsi, sd, IMAGES / "uncertainty.png")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {IMAGES / 'uncertainty.png'} and {IMAGES / 'calibration.png'}")
    return 0


def draw_pair(lsi: Path, sd: Path, out: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from landslide_lsm_plugin.presentation.figures import draw_lsi, draw_sd

    fig = Figure(figsize=(11, 4.8), dpi=110, constrained_layout=True)
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2)
    draw_lsi(left, lsi, "LSI: mean of 10 bootstrap SVMs (Ecuador)")
    draw_sd(right, sd, "Uncertainty: SD of the 10 SVMs' LSI")
    fig.savefig(str(out))


if __name__ == "__main__":
    raise SystemExit(main())
