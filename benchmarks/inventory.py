"""`make bench`, the users' workload: training on realistic inventories, with every cell of
every landslide polygon sampled (10,000 to 100,000 training samples), against plain
scikit-learn references measured in the same run on the same FR stack.

    .venv/bin/python benchmarks/inventory.py [--sizes 2k,20k,100k] [--models svm,klr,...]
                                             [--work DIR] [--no-references] [--report-only]

The study area is the built-in one at the paper's scale (1224 x 1224 cells of 30 m, 9 factors)
with its realistic inventory (2,000 landslide polygons of tens to hundreds of cells, some
overlapping). The three sizes sample it three ways, as the plugin lets a user: one cell per
landslide (2k), up to 8 cells per landslide (20k), every cell (100k); ratio 1, 70/30 by
landslide. For each size the FR stack is fitted on that size's training samples; then each
model runs in a process of its own, from the samples to the finished LSI map, with the
algorithms' defaults: time, peak memory and validation AUROC (on the validation samples, read
from the LSI map). References on the same FR values: scikit-learn's SVC and a KLR equivalent
(Nystroem features and logistic regression) fitted on all training samples with fixed
hyperparameters (C = 1, gamma = 1/9, scikit-learn's 'scale' for standardised factors), and
the same pipelines with the plugin's default grid searched by 10-fold CV on a random 3,000-
sample subset and fitted on it (what an analyst would write by hand).

Writes docs/benchmarks-inventory.md and benchmarks/inventory.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: size name: (how landslide cells are sampled, cells per polygon)
SIZES = {"2k": ("centroid", 1), "20k": ("per_polygon", 8), "100k": ("all", 0)}
MODELS = ("svm", "klr", "logistic", "random_forest", "lsnet")
REFERENCES = ("svc_all", "klr_all", "svc_grid3k", "klr_grid3k")
#: which references a model is compared with
COMPARED = {"svm": ("svc_all", "svc_grid3k"), "klr": ("klr_all", "klr_grid3k")}
#: the defaults of 'Train LSNet' (processing/train_lsnet.py), sent to its worker as they are
LSNET_DEFAULTS = {"window": 96, "width": 0.25, "epochs": 100, "patience": 20, "batch_size": 32,
                  "learning_rate": 1e-3, "augment": True, "center_skip": True, "dropout": 0.5,
                  "seed": 42}
#: targets at 20,000 and 100,000 training samples (issue "Real inventories")
TARGET_S = {("20k", "svm"): 60, ("20k", "klr"): 60, ("20k", "lsnet"): 600,
            ("100k", "svm"): 300, ("100k", "klr"): 300}
TARGET_MB = {("100k", "svm"): 4096, ("100k", "klr"): 4096}


def peak_rss_mb() -> float:
    """Peak resident memory of this process and of its finished children (the LSNet worker)."""
    import resource

    own = 0.0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(own, children)


# --- one measurement, in a process of its own ---------------------------------------------

def run_model(kind: str, d: Path) -> dict:
    """From the samples to the finished LSI map, with the algorithm's defaults."""
    from landslide_lsm_plugin.core import evaluation

    start = time.perf_counter()
    extra: dict = {}
    if kind == "lsnet":
        from landslide_lsm_plugin.core.strategy import (
            LSNET_MAX_SAMPLES,
            LSNET_PATCHES_PER_EPOCH,
            LSNET_TIME_BUDGET_S,
        )
        from landslide_lsm_plugin.lsnet import client

        params = dict(LSNET_DEFAULTS, max_samples=LSNET_MAX_SAMPLES,
                      patches_per_epoch=LSNET_PATCHES_PER_EPOCH,
                      time_budget_s=LSNET_TIME_BUDGET_S)
        result = client.train_lsnet(str(d / "stack.tif"), str(d / "samples.gpkg"),
                                    str(d / "lsnet.keras"), params=params,
                                    lsi_path=str(d / "lsi_lsnet.tif"), python=sys.executable)
        meta = result.meta.to_dict()
        extra = {"n_train": meta["n_train"], "epochs": meta["epochs_run"],
                 "best_epoch": meta["best_epoch"], "map_s": result.lsi.map_time_s,
                 "strategy": f"{meta['n_train']:,} training + {meta['n_early_stopping']:,} "
                             f"early-stopping patches, {meta['patches_per_epoch']:,} per epoch, "
                             f"{meta['epochs_run']} epochs (best {meta['best_epoch']})"}
    else:
        from landslide_lsm_plugin.core import predict, training
        from landslide_lsm_plugin.core.progress import Progress

        lines: list = []
        result, meta = training.train_to_file(kind, str(d / "fr.tif"), str(d / "samples.gpkg"),
                                              str(d / f"{kind}.lsmodel"),
                                              fit=training.FitSettings(n_jobs=2),
                                              progress=Progress(on_info=lines.append))
        trained = time.perf_counter()
        predict.predict_lsi(str(d / f"{kind}.lsmodel"), str(d / "fr.tif"),
                            str(d / f"lsi_{kind}.tif"), n_jobs=2)
        extra = {"n_train": result.n_train, "training_s": trained - start,
                 "map_s": time.perf_counter() - trained, "cv_auroc": result.cv_score,
                 "params": {k: v for k, v in result.params.items()},
                 "strategy": " ".join(line for line in lines if not line.startswith("Training"))}
    seconds = time.perf_counter() - start
    ev = evaluation.evaluate_lsi([str(d / f"lsi_{kind}.tif")], str(d / "samples.gpkg"))
    return {"seconds": seconds, "auroc": ev.models[0].metrics["auroc"], **extra}


def run_reference(name: str, d: Path) -> dict:
    """Plain scikit-learn on the FR values of the same samples."""
    import numpy as np
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    from landslide_lsm_plugin.core.models import default_grid
    from landslide_lsm_plugin.core.training import training_data

    train = training_data(str(d / "fr.tif"), str(d / "samples.gpkg"))
    valid = training_data(str(d / "fr.tif"), str(d / "samples.gpkg"), split="validation")
    x, y = train.x, train.y
    gamma = 1.0 / x.shape[1]  # 'scale' for standardised factors
    svc = Pipeline([("scale", StandardScaler()), ("model", SVC(C=1.0, gamma=gamma))])
    klr = Pipeline([("scale", StandardScaler()),
                    ("kernel", Nystroem(gamma=gamma, n_components=2000, random_state=0)),
                    ("model", LogisticRegression(C=1.0, max_iter=5000))])
    start = time.perf_counter()
    if name.endswith("_all"):
        model = (svc if name.startswith("svc") else klr).fit(x, y)
        n_fit, what = y.size, "all training samples, C = 1, gamma = 1/9"
    else:
        rng = np.random.default_rng(0)
        sub = rng.choice(y.size, min(3000, y.size), replace=False)
        if name.startswith("klr"):  # 500 centres: the grid's 250 fits in minutes, not hours
            klr.set_params(kernel__n_components=500)
        grid = {f"{'kernel' if name.startswith('klr') else 'model'}__gamma":
                default_grid("svm")["gamma"], "model__C": default_grid("svm")["C"]}
        search = GridSearchCV(svc if name.startswith("svc") else klr, grid, scoring="roc_auc",
                              cv=StratifiedKFold(10, shuffle=True, random_state=0), n_jobs=2)
        model = search.fit(x[sub], y[sub]).best_estimator_
        n_fit = sub.size
        what = (f"5 x 5 grid, 10-fold CV on {sub.size:,} random samples, best "
                f"C = {search.best_params_['model__C']:g}, gamma = "
                f"{search.best_params_[next(k for k in grid if k.endswith('gamma'))]:g}")
    seconds = time.perf_counter() - start
    score = model.decision_function(valid.x)
    return {"seconds": seconds, "auroc": float(roc_auc_score(valid.y, score)),
            "n_fit": int(n_fit), "strategy": what}


# --- the whole benchmark ------------------------------------------------------------------

def prepare(work: Path, size: str) -> dict:
    """The area and stack (once), this size's samples and FR stack."""
    from landslide_lsm_plugin.core import frequency_ratio as fr
    from landslide_lsm_plugin.core import sampling
    from landslide_lsm_plugin.demo.sample_area import REALISTIC_INVENTORY, generate

    if not (work / "area" / "sample_area.json").exists():
        generate(work / "area", "paper", seed=2022, inventory=REALISTIC_INVENTORY)
    if not (work / "stack.tif").exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "stage.py"), "stack",
                        str(work)], check=True, capture_output=True)
    d = work / size
    d.mkdir(exist_ok=True)
    for name in ("area", "stack.tif"):
        if not (d / name).exists():
            (d / name).symlink_to(work / name)
    mode, per_polygon = SIZES[size]
    for stale in ("samples.gpkg", "fr.tif"):
        if (d / stale).exists():
            (d / stale).unlink()
    t0 = time.perf_counter()
    report = sampling.prepare_samples(str(work / "area" / "landslides.gpkg"),
                                      str(d / "stack.tif"), str(d / "samples.gpkg"),
                                      landslide_cells=mode, cells_per_polygon=per_polygon,
                                      seed=42)
    t1 = time.perf_counter()
    result = fr.compute_fr(str(d / "stack.tif"), str(d / "samples.gpkg"))
    t2 = time.perf_counter()
    fr.encode_stack(str(d / "stack.tif"), result.encodings, str(d / "fr.tif"))
    t3 = time.perf_counter()
    return {"samples_s": t1 - t0, "fr_table_s": t2 - t1, "fr_encode_s": t3 - t2,
            "landslides": report.landslides, **report.counts()}


def measure(kind: str, d: Path, reference: bool = False,
            timeout: Optional[float] = None) -> dict:
    cmd = [sys.executable, __file__, "--reference" if reference else "--one", kind, str(d)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"not finished after {timeout:.0f} s (stopped)",
                "stopped_after_s": timeout}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else
                f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def write_report(results: dict, path: Path) -> None:
    m = results["machine"]
    lines = ["# Benchmarks: realistic inventories", "",
             f"Last run {results['date']} by `make bench` (`benchmarks/inventory.py`) on "
             f"{m.get('cpu', '?')}, {m.get('cores')} cores, {m.get('memory_gib')} GiB, GPU: "
             f"{m.get('gpu')}.", "",
             "The built-in study area at the paper's scale (1224 x 1224 cells of 30 m, 9 "
             "factors) with its realistic inventory: 2,000 landslide polygons of tens to "
             "hundreds of cells, some overlapping. Each size samples it as a user would (one "
             "cell per landslide; up to 8 cells per landslide; every cell), ratio 1, 70/30 by "
             "landslide; the FR stack is fitted on that size's training samples. *Time* runs "
             "from the samples to the finished LSI map of all 1.5 million cells (for the "
             "references: the fit alone, no map), each in a process of its own with the "
             "algorithms' defaults; *peak RSS* is that process's (for LSNet: its worker's). "
             "*AUROC* is on the validation samples, read from the map. *Ratio* is the time "
             "over the reference's time.", ""]
    for size, r in results["sizes"].items():
        prep = r["prepare"]
        n_train = prep["train_landslide"] + prep["train_other"]
        n_val = prep["validation_landslide"] + prep["validation_other"]
        lines += [f"## {size}: {n_train:,} training samples ({prep['train_landslide']:,} "
                  f"landslide cells of {prep['landslides']:,} landslides), {n_val:,} validation "
                  "samples", "",
                  f"Samples {prep['samples_s']:.1f} s; FR table {prep['fr_table_s']:.1f} s + "
                  f"encoding {prep['fr_encode_s']:.1f} s (once for SVM, KLR, logistic "
                  "regression and random forest; not in their times).", "",
                  "| model | time (s) | peak RSS (MB) | validation AUROC | vs best reference | "
                  "time / reference | target | what was done |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
        refs = r.get("references", {})
        for kind, row in r["models"].items():
            if "error" in row:
                lines.append(f"| {kind} | failed: {row['error']} | | | | | | |")
                continue
            compared = [refs[n] for n in COMPARED.get(kind, ()) if "auroc" in refs.get(n, {})]
            best = max(compared, key=lambda ref: ref["auroc"]) if compared else None
            gap = f"{row['auroc'] - best['auroc']:+.3f}" if best else ""
            all_ref = refs.get(COMPARED.get(kind, ("",))[0], {})
            ratio = (f"{row['seconds'] / all_ref['seconds']:.2f} x fit on all"
                     if "seconds" in all_ref else
                     f"< {row['seconds'] / all_ref['stopped_after_s']:.2f} x fit on all"
                     if "stopped_after_s" in all_ref else "")
            target = _target(size, kind, row, best)
            lines.append(f"| {kind} | {row['seconds']:.1f} | {row['peak_rss_mb']:.0f} | "
                         f"{row['auroc']:.3f} | {gap} | {ratio} | {target} | "
                         f"{row.get('strategy', '')} |")
        for name, row in refs.items():
            if "error" in row:
                lines.append(f"| reference {name} | failed: {row['error']} | | | | | | |")
                continue
            lines.append(f"| reference {name} | {row['seconds']:.1f} | "
                         f"{row['peak_rss_mb']:.0f} | {row['auroc']:.3f} | | | | "
                         f"{row['strategy']} |")
        lines.append("")
    analysis = ROOT / "benchmarks" / "inventory_analysis.md"
    if analysis.exists():  # written by hand from the figures above and the profiles
        lines.append(analysis.read_text(encoding="utf-8").rstrip())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _target(size: str, kind: str, row: dict, best: dict | None) -> str:
    parts = []
    if (size, kind) in TARGET_S:
        limit = TARGET_S[(size, kind)]
        parts.append(f"<= {limit} s: {'yes' if row['seconds'] <= limit else 'NO'}")
    if (size, kind) in TARGET_MB:
        limit = TARGET_MB[(size, kind)]
        parts.append(f"<= {limit} MB: {'yes' if row['peak_rss_mb'] <= limit else 'NO'}")
    if best is not None and size in ("20k",):
        ok = row["auroc"] >= best["auroc"] - 0.005
        parts.append(f"AUROC >= best reference - 0.005: {'yes' if ok else 'NO'}")
    return "; ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--work", default=str(ROOT / "benchmarks" / "work-inventory"))
    parser.add_argument("--no-references", action="store_true")
    parser.add_argument("--reference-timeout", type=float, default=900.0,
                        help="stop a reference fit after this many seconds (it is reported so)")
    parser.add_argument("--update", action="store_true",
                        help="keep the other rows of benchmarks/inventory.json, rerun these")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite docs/benchmarks-inventory.md from benchmarks/inventory.json")
    parser.add_argument("--one", nargs=2, metavar=("MODEL", "DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--reference", nargs=2, metavar=("NAME", "DIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    from osgeo import gdal

    gdal.UseExceptions()
    if args.one or args.reference:
        kind, d = args.one or args.reference
        row = (run_model if args.one else run_reference)(kind, Path(d))
        row["peak_rss_mb"] = round(peak_rss_mb(), 1)
        print(json.dumps(row))
        return 0
    out_json = ROOT / "benchmarks" / "inventory.json"
    if args.report_only:
        write_report(json.loads(out_json.read_text(encoding="utf-8")),
                     ROOT / "docs" / "benchmarks-inventory.md")
        return 0
    from benchmarks.run import machine

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results = {"date": dt.date.today().isoformat(), "machine": machine(), "sizes": {}}
    if args.update and out_json.exists():
        results = json.loads(out_json.read_text(encoding="utf-8"))
    for size in args.sizes.split(","):
        print(f"[{size}] samples and FR", flush=True)
        entry = results["sizes"].get(size, {"models": {}, "references": {}})
        entry["prepare"] = prepare(work, size)  # seeded: the same samples and FR stack again
        d = work / size
        for kind in args.models.split(","):
            print(f"[{size}] {kind}", flush=True)
            entry["models"][kind] = dict(measure(kind, d), measured=dt.date.today().isoformat())
            print("   ", entry["models"][kind], flush=True)
        if not args.no_references:
            for name in REFERENCES:
                print(f"[{size}] reference {name}", flush=True)
                entry["references"][name] = measure(name, d, reference=True,
                                                    timeout=args.reference_timeout)
                print("   ", entry["references"][name], flush=True)
        results["sizes"][size] = entry
        out_json.write_text(json.dumps(results, indent=1), encoding="utf-8")
        write_report(results, ROOT / "docs" / "benchmarks-inventory.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
