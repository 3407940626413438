"""The spread of the demo's validation figures over three seeds (README, *Run the demo*).

After `make demo`, trains SVM, KLR and LSNet again as the shipped workflow does (same
samples, same FR-encoded and raw stacks, same parameters: LSNet with its 8-minute time
budget) with two more seeds, evaluates each run's LSI on the same validation samples, and
prints the table with the demo's own run (seed 42) beside them and the mean and SD per model:

    .venv/bin/python scripts/seed_spread.py [--demo demo_output] [--seeds 43 44]
        [--markdown docs/seed-spread.md]

With a time budget LSNet's epoch count depends on the machine's speed, so its runs differ
even on one seed; with TIME_BUDGET=0 the same seed gives the same model (tests/qgis).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qgis_tools as qt

MODELS = (("SVM", "trainsvm", "fr_encoded_stack.tif"),
          ("KLR", "trainklr", "fr_encoded_stack.tif"),
          ("LSNet", "trainlsnet", "factor_stack.tif"))
FIGURES = ("auroc", "accuracy", "f1", "training_time_s")


def read_metrics(path: Path) -> dict[str, dict]:
    """metrics.csv of Evaluate: model name -> its row."""
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["model"]: row for row in csv.DictReader(fh)}


def run_seed(demo: Path, seed: int, work: Path, profile: Path, env: dict) -> dict[str, dict]:
    """Train, map and evaluate the three models with SEED=seed; their metric rows."""
    lsi = []
    for name, alg, stack in MODELS:
        params = {"STACK": demo / stack, "SAMPLES": demo / "training_samples.gpkg",
                  "SEED": seed, "NAME": name, "OUTPUT_LSI": work / f"lsi_{name}_{seed}.tif"}
        if alg == "trainlsnet":
            params["OUTPUT_MODEL"] = work / f"{name}_{seed}.keras"
            params["EPOCHS"] = 60
        else:
            params["OUTPUT_MODEL"] = work / f"{name}_{seed}.lsmodel"
            params.update(CV=1, FOLDS=10)
        t0 = time.monotonic()
        qt.run_algorithm(profile, f"landslide_lsm:{alg}", params, env=env, timeout=3600)
        print(f"  seed {seed}: {name} trained and mapped in {time.monotonic() - t0:.0f} s",
              flush=True)
        lsi.append(params["OUTPUT_LSI"])
    metrics = work / f"metrics_{seed}.csv"
    qt.run_algorithm(profile, "landslide_lsm:evaluate",
                     {"LSI": lsi, "SAMPLES": demo / "training_samples.gpkg", "THRESHOLD": 0,
                      "OUTPUT": metrics, "OUTPUT_RESULTS": work / f"results_{seed}.json"},
                     env=env, timeout=3600)
    return read_metrics(metrics)


def table(runs: dict[int, dict[str, dict]]) -> str:
    """Markdown: one row per model and seed, then mean +- SD per model."""
    lines = ["| model | seed | AUROC | accuracy | F1 | training |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, _, _ in MODELS:
        values = {f: [] for f in FIGURES}
        for seed, rows in runs.items():
            row = rows[name]
            for f in FIGURES:
                values[f].append(float(row[f]))
            lines.append(f"| {name} | {seed} | {float(row['auroc']):.3f} | "
                         f"{float(row['accuracy']):.3f} | {float(row['f1']):.3f} | "
                         f"{float(row['training_time_s']):.0f} s |")
        mean = {f: statistics.mean(v) for f, v in values.items()}
        sd = {f: statistics.stdev(v) if len(v) > 1 else 0.0 for f, v in values.items()}
        lines.append(f"| **{name}** | mean +- SD | **{mean['auroc']:.3f} +- {sd['auroc']:.3f}** "
                     f"| {mean['accuracy']:.3f} +- {sd['accuracy']:.3f} "
                     f"| {mean['f1']:.3f} +- {sd['f1']:.3f} "
                     f"| {mean['training_time_s']:.0f} s |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", default=str(qt.ROOT / "demo_output"),
                        help="the output folder of make demo (seed 42)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[43, 44])
    parser.add_argument("--markdown", help="also write the table to this file")
    args = parser.parse_args()
    demo = Path(args.demo)
    for name in ("factor_stack.tif", "fr_encoded_stack.tif", "training_samples.gpkg",
                 "metrics.csv"):
        if not (demo / name).exists():
            raise SystemExit(f"{demo / name} is missing: run make demo first")
    runs = {42: read_metrics(demo / "metrics.csv")}
    work = Path(tempfile.mkdtemp(prefix="seed-spread-"))
    try:
        profile = work / "profile"
        env = qt.headless_profile(profile)
        for seed in args.seeds:
            print(f"seed {seed}", flush=True)
            runs[seed] = run_seed(demo, seed, work, profile, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = table(runs)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(
            f"Validation figures of the demo's models over {len(runs)} seeds "
            f"({time.strftime('%Y-%m-%d')}, scripts/seed_spread.py; seed 42 is make demo's "
            f"run, the others retrain on its samples and stacks).\n\n{text}\n",
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
