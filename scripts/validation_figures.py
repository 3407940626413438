"""README figures of the uncertainty map and the calibration diagram, from a real run on the
Ecuador data with qgis_process (the plugin's algorithms, as a user runs them):

1. Build factor stack, Prepare training samples (70/30), Train RBF-SVM with a bootstrap ensemble;
2. Predict LSI with its standard deviation; Evaluate with the figure (ROC + reliability);
3. Classify LSI by landslide share (50, 75, 90, 95 % of the training landslides);
4. docs/images/uncertainty.png: the LSI beside its standard deviation;
   docs/images/calibration.png: Evaluate's figure;
   docs/images/share_zones.png: the zones by landslide share.

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
        env = qt.headless_profile(profile)

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
        zones = work / "zones_share.tif"
        run("classifylsi", {"INPUT": lsi, "METHOD": 4, "SHARES": "50,75,90,95",
                            "SAMPLES": samples, "OUTPUT": zones,
                            "OUTPUT_TABLE": work / "zones.csv"})
        draw_zone_map(zones, work / "zones.csv", IMAGES / "share_zones.png")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote uncertainty.png, calibration.png and share_zones.png in {IMAGES}")
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


def draw_zone_map(zones: Path, table: Path, out: Path) -> None:
    """The zones by landslide share, with each zone's area and training-landslide share."""
    import csv

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from landslide_lsm_plugin.presentation.figures import draw_zones

    with open(table, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fig = Figure(figsize=(10, 5), dpi=110, constrained_layout=True)
    FigureCanvasAgg(fig)
    left, right = fig.subplots(1, 2, width_ratios=[1.2, 1])
    draw_zones(left, zones, "Zones by share of the training landslides")
    labels = [r["label"] for r in rows]  # zone 1 (lowest) at the bottom
    area = [float(r["area_pct"]) for r in rows]
    share = [float(r["train_landslide_pct"] or 0) for r in rows]
    y = range(len(rows))
    right.barh([v + 0.2 for v in y], area, height=0.4, color="#9e9e9e", label="area %")
    right.barh([v - 0.2 for v in y], share, height=0.4, color="#d7191c",
               label="training landslides %")
    right.set_yticks(list(y))
    right.set_yticklabels(labels)
    right.set_xlabel("% of the study area / of the training landslides")
    right.legend(loc="lower right", fontsize="small")
    right.set_title("Each zone's area and landslides")
    fig.savefig(str(out))


if __name__ == "__main__":
    raise SystemExit(main())
