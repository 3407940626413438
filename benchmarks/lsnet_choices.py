"""Evidence for LSNet's defaults: window, centre-cell skip, learning rate and width, compared
on the small sample study area and on the real Ecuador points (when ../shared is present).
Writes docs/lsnet-choices.md.

    .venv/bin/python benchmarks/lsnet_choices.py
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from landslide_lsm_plugin.core import evaluation, sampling  # noqa: E402
from landslide_lsm_plugin.core import stack as stk  # noqa: E402
from landslide_lsm_plugin.demo.sample_area import generate  # noqa: E402
from landslide_lsm_plugin.lsnet import client  # noqa: E402

ECUADOR = ROOT.parent / "shared" / "data" / "ecuador"
DEFAULT = {"window": 96, "width": 0.25, "epochs": 100, "patience": 20, "batch_size": 32,
           "seed": 42, "learning_rate": 1e-3, "center_skip": True, "dropout": 0.5}
VARIANTS = [
    ("default: window 96, width 0.25, lr 1e-3, centre skip", {}),
    ("window 128", {"window": 128}),
    ("no centre skip (the paper's network)", {"center_skip": False}),
    ("learning rate 1e-4 (the paper's)", {"learning_rate": 1e-4}),
    ("width 0.5", {"width": 0.5}),
]


def datasets(work: Path) -> list:
    out = []
    area = generate(work / "area", "small", seed=2022)
    stack = work / "area_stack.tif"
    factors = stk.factors_from_rasters([area.files["dem"], area.files["ndvi"],
                                        area.files["rainfall"]], stk.CONTINUOUS)
    stk.build_stack(factors, str(stack), dem=area.files["dem"], derive_slope=True,
                    derive_aspect=True,
                    distance_layers=[("dist_rivers", area.files["rivers"]),
                                     ("dist_roads", area.files["roads"]),
                                     ("dist_faults", area.files["faults"])],
                    category_layers=[("lithology", area.files["lithology"], "unit")],
                    mask=area.files["study_area"])
    samples = work / "area_samples.gpkg"
    sampling.prepare_samples(area.files["landslides"], str(stack), str(samples),
                             landslide_cells="per_polygon", cells_per_polygon=4, seed=42)
    out.append(("sample study area (small), 4 cells per landslide", stack, samples))
    if (ECUADOR / "ta.tif").exists():
        e_stack = work / "ecuador_stack.tif"
        stk.build_stack(stk.factors_from_rasters([str(ECUADOR / "ta.tif")], stk.CONTINUOUS),
                        str(e_stack))
        e_samples = work / "ecuador_samples.gpkg"
        sampling.prepare_samples(str(ECUADOR / "lsl_points.gpkg"), str(e_stack),
                                 str(e_samples), label_field="lslpts", seed=42)
        out.append(("Ecuador, 350 labelled points", e_stack, e_samples))
    return out


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for data_name, stack, samples in datasets(work):
            for label, change in VARIANTS:
                params = dict(DEFAULT, **change)
                tag = f"{len(rows)}"
                started = time.perf_counter()
                result = client.train_lsnet(str(stack), str(samples),
                                            str(work / f"m{tag}.keras"), params=params,
                                            lsi_path=str(work / f"l{tag}.tif"),
                                            python=sys.executable)
                seconds = time.perf_counter() - started
                ev = evaluation.evaluate_lsi([str(work / f"l{tag}.tif")], str(samples))
                rows.append((data_name, label, ev.models[0].metrics["auroc"],
                             result.meta.best_epoch, len(result.history), seconds))
                print(rows[-1], flush=True)
    lines = ["# LSNet: the evidence behind the defaults", "",
             f"Measured {dt.date.today().isoformat()} by `benchmarks/lsnet_choices.py` on this "
             "project's 2-core CPU machine (no GPU). Each row trains LSNet once (seed 42, at most "
             "100 epochs, early stopping after 20 epochs without a better held-out AUROC) and "
             "scores its map on the validation split (30 % of the landslides, never seen in "
             "training).", "",
             "| data | variant | validation AUROC | best epoch | epochs run | time (s) |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    for data_name, label, auc, best, epochs, seconds in rows:
        lines.append(f"| {data_name} | {label} | {auc:.3f} | {best} | {epochs} | "
                     f"{seconds:.0f} |")
    notes = ROOT / "benchmarks" / "lsnet_choices_notes.md"
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    (ROOT / "docs" / "lsnet-choices.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("wrote docs/lsnet-choices.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
