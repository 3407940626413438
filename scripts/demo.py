"""`make demo`: the whole workflow on the built-in sample study area, headless with qgis_process.

1. deploy the plugin into a scratch QGIS profile and enable it with `qgis_process`;
2. create the sample study area at the paper's scale (1.5 million cells of 30 m);
3. run the shipped graphical-modeler workflow: factor stack, samples, FR, VIF, SVM, KLR and
   LSNet, LSI maps, zones, evaluation, HTML report;
4. build a QGIS project with every layer styled;
5. print where to look.

Options: --size small (a quick run on 65 thousand cells), --out DIR (default demo_output/;
emptied first), --epochs N. The QGIS test layer runs `--size small --epochs 20 --out TMP` once
per session (tests/qgis/conftest.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qgis_tools as qt

WORKFLOW = "landslide_lsm:landslide_susceptibility_workflow"
OUTPUTS = {  # model output -> file in the output folder
    "stack:Factor stack": "factor_stack.tif",
    "samples:Training samples": "training_samples.gpkg",
    "fr:FR-encoded stack": "fr_encoded_stack.tif",
    "fr:FR table": "fr_table.csv",
    "vif:VIF table": "vif_table.csv",
    "svm:SVM model": "models/svm.lsmodel",
    "klr:KLR model": "models/klr.lsmodel",
    "lsnet:LSNet model": "models/lsnet.keras",
    "svm:LSI SVM": "maps/lsi_svm.tif",
    "klr:LSI KLR": "maps/lsi_klr.tif",
    "lsnet:LSI LSNet": "maps/lsi_lsnet.tif",
    "zones_svm:Zones SVM": "maps/zones_svm.tif",
    "zones_klr:Zones KLR": "maps/zones_klr.tif",
    "zones_lsnet:Zones LSNet": "maps/zones_lsnet.tif",
    "explain_svm:Explanation SVM": "explanations/svm.json",
    "explain_klr:Explanation KLR": "explanations/klr.json",
    "explain_lsnet:Explanation LSNet": "explanations/lsnet.json",
    "aoa:Dissimilarity index": "maps/dissimilarity.tif",
    "aoa:Area of applicability": "maps/applicability.tif",
    "evaluate:Metrics": "metrics.csv",
    "evaluate:Results file": "results.json",
    "evaluate:ROC figure": "roc.png",
    "report:Report": "report.html",
}


def step(message: str) -> None:
    print(f"\n[demo {time.strftime('%H:%M:%S')}] {message}", flush=True)


def stream(args: list, env: dict) -> None:
    """Run qgis_process, echoing its log as it comes, its progress bar as lines of its own
    (qgis_process draws it without line breaks, into the log lines: qgis_tools.ProgressTicks).
    """
    proc = subprocess.Popen([qt.QGIS_PROCESS, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    noise = ("QStandardPaths", "setapi()", "proj_create", "Warning 1:")
    ticks = qt.ProgressTicks()
    state = {"shown": 0}

    def progress() -> None:
        percent = ticks.percent
        if percent // 10 != state["shown"] // 10:
            state["shown"] = percent
            print(f"    [{time.strftime('%H:%M:%S')} progress {percent} %]", flush=True)

    pending, in_text = "", False
    while True:
        char = proc.stdout.read(1)
        if not char or char == "\n":
            text = pending if in_text else ticks.split(pending)
            progress()
            if text.strip() and not any(n in text for n in noise):
                print("    " + text.rstrip(), flush=True)
            pending, in_text = "", False
            if not char:
                break
            continue
        pending += char
        if not in_text:  # ticks come only at the start of a line, as they are drawn
            pending = ticks.split(pending)
            progress()
            in_text = bool(pending) and not ticks.partial(pending)
    if proc.wait() != 0:
        raise SystemExit(f"qgis_process {' '.join(args[:2])} failed (exit code "
                         f"{proc.returncode}); see the log above.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("small", "paper"), default="paper")
    parser.add_argument("--out", default=str(qt.ROOT / "demo_output"))
    parser.add_argument("--epochs", type=int, default=60, help="LSNet maximum epochs")
    args = parser.parse_args()
    out = Path(args.out).resolve()
    started = time.perf_counter()
    if out.exists():
        shutil.rmtree(out)
    (out / "maps").mkdir(parents=True)
    (out / "models").mkdir()
    (out / "explanations").mkdir()

    step("Deploying the plugin into a scratch QGIS profile")
    profile = out / ".qgis-profile"
    env = qt.headless_profile(profile, {"LANDSLIDE_LSM_PYTHON":
                                        str(qt.ROOT / ".venv" / "bin" / "python")})

    step(f"Creating the sample study area ({args.size}) with landslide_lsm:samplearea")
    area = out / "sample_area"
    stream(["run", "landslide_lsm:samplearea", "--", f"SIZE={0 if args.size == 'small' else 1}",
            f"OUTPUT={area}"], env)

    step(f"Running the workflow {WORKFLOW}: stack, samples, FR, VIF, SVM, KLR, LSNet, maps, "
         "zones, evaluation, report")
    params = {"DEM": area / "dem.tif", "NDVI": area / "ndvi.tif", "RAINFALL": area /
              "rainfall.tif", "LITHOLOGY": area / "lithology.gpkg", "LITHOLOGY_FIELD": "unit",
              "RIVERS": area / "rivers.gpkg", "ROADS": area / "roads.gpkg",
              "FAULTS": area / "faults.gpkg", "STUDY_AREA": area / "study_area.gpkg",
              "INVENTORY": area / "landslides.gpkg", "LANDSLIDE_CELLS": 2,
              "CELLS_PER_POLYGON": 4, "SEED": 42, "LSNET_EPOCHS": args.epochs}
    params.update({key: out / name for key, name in OUTPUTS.items()})
    stream(["run", WORKFLOW, "--", *[f"{k}={v}" for k, v in params.items()]], env)

    step("Building the QGIS project with every layer styled")
    stream(["run", "landslide_lsm:makeproject", "--", f"RESULTS={out / 'results.json'}",
            f"SAMPLES={out / 'training_samples.gpkg'}", f"INVENTORY={area / 'landslides.gpkg'}",
            f"OTHERS={area / 'rivers.gpkg'}", f"OTHERS={area / 'faults.gpkg'}",
            f"OTHERS={area / 'roads.gpkg'}", f"OUTPUT={out / 'landslide_susceptibility.qgz'}"],
           env)

    results = json.loads((out / "results.json").read_text())
    step(f"Done in {(time.perf_counter() - started) / 60:.1f} minutes. Validation results:")
    for m in results["models"]:
        x = m["metrics"]
        print(f"    {m['name']:<7} AUROC {x['auroc']:.3f}  accuracy {x['accuracy']:.3f}  "
              f"F1 {x['f1']:.3f}  training {m['training_time_s'] or 0:.0f} s  map "
              f"{m['map_time_s'] or 0:.0f} s")
    print(f"""
Where to look ({out}):
    report.html                    the HTML report: maps, ROC, metrics, factor importance,
                                   response curves, area of applicability, FR and VIF
                                   tables, every model's parameters and the run's
    landslide_susceptibility.qgz   open in QGIS (qgis {out / 'landslide_susceptibility.qgz'})
    maps/                          LSI and zone rasters of SVM, KLR and LSNet, and the
                                   dissimilarity index and area of applicability (SVM, KLR)
    explanations/                  factor importance and response curves of each model
                                   (shown in the report and the dock)
    metrics.csv, roc.png           validation metrics and ROC curves
    fr_table.csv, vif_table.csv    frequency ratios and multicollinearity
    factor_stack.tif, training_samples.gpkg, models/
    sample_area/                   the sample study area: DEM, slope, aspect, NDVI, rainfall,
                                   rivers/roads/faults and their distance rasters, lithology,
                                   landslides, and the known susceptibility process
In QGIS, 'Plugins > Landslide LSM > Compare models' and 'Add results…' on results.json
compares the models side by side.""")
    return 0


if __name__ == "__main__":
    sys.exit(main())
