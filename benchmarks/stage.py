"""One benchmark stage in its own process (so its peak memory is its own).

    python benchmarks/stage.py STAGE DIR [--landslide-cells per_polygon|centroid] [--python PY]

Prints one JSON line: {"stage", "seconds", "cells", "peak_rss_mb", "parallel", ...}.
Stages read what earlier stages wrote into DIR. Imports happen before the clock starts; the
SVM and KLR map stages import neither skops nor scikit-learn (their model files' kernel parts
need numpy only), the other stages import the plugin's core modules, scikit-learn included.
LSNet runs on whatever device its worker's TensorFlow sees (a GPU when there is one); there is
no option for it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from osgeo import gdal  # noqa: E402

from landslide_lsm_plugin.core.raster import (  # noqa: E402
    FLOAT_NODATA,
    Grid,
    RasterWriter,
    iter_windows,
    open_raster,
    read_window,
)

#: the modules each stage imports before the clock starts (the stages import them again,
#: locally, at no cost). Every stage gets the set that all stages imported before 2026-11-27
#: (scikit-learn included), so its baseline memory stays comparable across runs; the SVM and
#: KLR maps get only what they need (numpy and GDAL: no scikit-learn, no skops).
COMMON = ["core.evaluation", "core.frequency_ratio", "core.models", "core.predict",
          "presentation.report", "core.sampling", "core.stack", "core.training", "core.zoning"]
NEEDS = {"lsi_svm": ["core.predict"], "lsi_klr": ["core.predict"]}


def stage_stack(d: Path, args) -> dict:
    from landslide_lsm_plugin.core import stack as stk

    a = d / "area"
    factors = stk.factors_from_rasters([str(a / "dem.tif"), str(a / "ndvi.tif"),
                                        str(a / "rainfall.tif")], stk.CONTINUOUS)
    report_ = stk.build_stack(
        factors, str(d / "stack.tif"), dem=str(a / "dem.tif"), derive_slope=True,
        derive_aspect=True, distance_layers=[("dist_rivers", str(a / "rivers.gpkg")),
                                             ("dist_roads", str(a / "roads.gpkg")),
                                             ("dist_faults", str(a / "faults.gpkg"))],
        category_layers=[("lithology", str(a / "lithology.gpkg"), "unit")],
        mask=str(a / "study_area.gpkg"))
    return {"factors": len(report_.info.names), "parallel": "GDAL warp multithreaded; "
            "DEFLATE compression on 2 threads"}


def stage_samples(d: Path, args) -> dict:
    from landslide_lsm_plugin.core import sampling

    r = sampling.prepare_samples(str(d / "area" / "landslides.gpkg"), str(d / "stack.tif"),
                                 str(d / "samples.gpkg"), landslide_cells=args.landslide_cells,
                                 cells_per_polygon=4, seed=42)
    return {"samples": len(r.samples), "landslides": r.landslides, "parallel": "no"}


def stage_fr(d: Path, args) -> dict:
    from landslide_lsm_plugin.core import frequency_ratio as fr

    t0 = time.perf_counter()
    result = fr.compute_fr(str(d / "stack.tif"), str(d / "samples.gpkg"))
    t1 = time.perf_counter()
    fr.encode_stack(str(d / "stack.tif"), result.encodings, str(d / "fr.tif"))
    t2 = time.perf_counter()
    return {"table_s": t1 - t0, "encode_s": t2 - t1, "parallel": "compression on 2 threads"}


def stage_vif(d: Path, args) -> dict:
    from landslide_lsm_plugin.core import training

    r = training.training_data(str(d / "fr.tif"), str(d / "samples.gpkg"))
    from landslide_lsm_plugin.core.vif import compute_vif

    compute_vif(str(d / "fr.tif"), str(d / "samples.gpkg"))
    return {"samples": int(r.y.size), "parallel": "no"}


def _train(d: Path, kind: str) -> dict:
    from landslide_lsm_plugin.core import training
    from landslide_lsm_plugin.core.models import (
        DEFAULT_C,
        DEFAULT_GAMMA,
        cv_workers,
        default_grid,
    )

    grid = default_grid(kind, DEFAULT_C, DEFAULT_GAMMA)
    result, _ = training.train_to_file(kind, str(d / "fr.tif"), str(d / "samples.gpkg"),
                                       str(d / f"{kind}.lsmodel"),
                                       search=training.SearchSettings(grid=grid),
                                       fit=training.FitSettings(n_jobs=2))
    workers = cv_workers(kind, 2)
    parallel = (f"CV folds on {workers} threads" if workers > 1 else
                "CV folds one at a time (BLAS on all cores)")
    return {"cv_auroc": result.cv_score, "n_train": result.n_train,
            "combinations": len(result.cv_rows), "folds": result.folds,
            "parallel": parallel}


def _map(d: Path, kind: str) -> dict:
    from landslide_lsm_plugin.core import predict

    r = predict.predict_lsi(str(d / f"{kind}.lsmodel"), str(d / "fr.tif"),
                            str(d / f"lsi_{kind}.tif"), n_jobs=2)
    return {"valid_cells": r.valid_cells, "map_s": r.map_time_s, "load_s": r.load_time_s,
            "evaluator": r.evaluator,
            "imported": sorted(m for m in ("skops", "sklearn") if m in sys.modules),
            "parallel": "windows on 2 threads"}


def stage_lsnet(d: Path, args) -> dict:
    from landslide_lsm_plugin.lsnet import client

    params = {"window": 96, "width": 0.25, "epochs": 100, "patience": 20, "batch_size": 32,
              "seed": 42, "learning_rate": 1e-3, "center_skip": True}
    result = client.train_lsnet(str(d / "stack.tif"), str(d / "samples.gpkg"),
                                str(d / "lsnet.keras"), params=params,
                                lsi_path=str(d / "lsi_lsnet.tif"),
                                python=args.python or sys.executable)
    return {"training_s": result.meta.training_time_s, "map_s": result.lsi.map_time_s,
            "epochs": len(result.history), "best_epoch": result.meta.best_epoch,
            "devices": result.meta.details["devices"], "n_train": result.meta.details["n_train"],
            "parallel": "TensorFlow intra-op threads (all cores)"}


def stage_zones(d: Path, args) -> dict:
    from landslide_lsm_plugin.core.zoning import classify_raster

    classify_raster(str(d / "lsi_svm.tif"), str(d / "zones_svm.tif"),
                    samples_path=str(d / "samples.gpkg"), samples_split="validation")
    return {"parallel": "no"}


def stage_evaluate(d: Path, args) -> dict:
    from landslide_lsm_plugin.core import evaluation

    lsis = [str(d / f"lsi_{k}.tif") for k in ("svm", "klr", "random_forest", "lsnet")
            if (d / f"lsi_{k}.tif").exists()]
    ev = evaluation.evaluate_lsi(lsis, str(d / "samples.gpkg"), rate_curves=True,
                                 zone_paths=[str(d / "zones_svm.tif")])
    evaluation.write_results(ev, str(d / "results.json"))
    return {"maps": len(lsis), "aurocs": {m.name: round(m.metrics["auroc"], 3)
                                          for m in ev.models}, "parallel": "no"}


def stage_report(d: Path, args) -> dict:
    from landslide_lsm_plugin.presentation import report

    report.build_report(str(d / "results.json"), str(d / "report.html"))
    return {"parallel": "no"}


def stage_reference(d: Path, args) -> dict:
    """The I/O limit: read every band of the stack and write one Float32 band, same windows,
    same GeoTIFF layout as the plugin's outputs."""
    ds = open_raster(str(d / "stack.tif"))
    grid = Grid.of(ds)
    with RasterWriter(d / "reference_out.tif", grid, 1, np.float32, FLOAT_NODATA) as w:
        for win in iter_windows(grid.width, grid.height):
            data, valid = read_window(ds, win, dtype=np.float32)
            w.write(win, np.where(valid, data[0], FLOAT_NODATA).astype(np.float32))
    return {"parallel": "compression on 2 threads"}


STAGES = {"stack": stage_stack, "samples": stage_samples, "fr": stage_fr, "vif": stage_vif,
          "svm": lambda d, a: _train(d, "svm"), "klr": lambda d, a: _train(d, "klr"),
          "random_forest": lambda d, a: _train(d, "random_forest"),
          "lsi_svm": lambda d, a: _map(d, "svm"), "lsi_klr": lambda d, a: _map(d, "klr"),
          "lsi_random_forest": lambda d, a: _map(d, "random_forest"),
          "lsnet": stage_lsnet, "zones": stage_zones, "evaluate": stage_evaluate,
          "report": stage_report, "reference": stage_reference}


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it does not include the
    memory of the parent it was forked from)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("dir")
    parser.add_argument("--landslide-cells", default="per_polygon")
    parser.add_argument("--python", default=None, help="interpreter for the LSNet worker")
    args = parser.parse_args()
    d = Path(args.dir)
    gdal.UseExceptions()
    for module in NEEDS.get(args.stage, COMMON):
        importlib.import_module(f"landslide_lsm_plugin.{module}")
    baseline = peak_rss_mb()  # after the imports
    start = time.perf_counter()
    extra = STAGES[args.stage](d, args)
    seconds = time.perf_counter() - start
    ds = gdal.Open(str(d / "stack.tif")) if (d / "stack.tif").exists() else None
    cells = ds.RasterXSize * ds.RasterYSize if ds else 0
    own = peak_rss_mb()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # LSNet worker
    print(json.dumps({"stage": args.stage, "seconds": seconds, "cells": cells,
                      "peak_rss_mb": round(max(own, children), 1),
                      "baseline_rss_mb": round(baseline, 1), "pid": os.getpid(),
                      **extra}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
