"""`make bench`: stage-by-stage speed and memory at about 1, 4 and 16 million cells and at the
paper's scale, against the paper's run times and the raw GDAL I/O limit.
Writes docs/benchmarks.md (and benchmarks/results.json).

    .venv/bin/python benchmarks/run.py [--sizes paper,1M,4M,16M] [--stages fr,svm,...]
                                       [--work DIR] [--report-only]

--sizes and --stages rerun only those: the other rows of benchmarks/results.json are kept, each
row with the date it was measured, and docs/benchmarks.md says which rows are from which day.
A stage reads what the stages before it wrote into the size's work folder, so a rerun of a
stage needs the earlier stages' files there (rerun them too on a fresh work folder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: name: (cells per side, landslides, landslide cells). The paper's 267 landslides (one cell
#: each, as many non-landslide cells) at every size, so that only the raster grows.
SIZES = {
    "paper": (1224, 267, "centroid"),
    "1M": (1000, 267, "centroid"),
    "4M": (2000, 267, "centroid"),
    "16M": (4000, 267, "centroid"),
}
STAGES = ("stack", "reference", "samples", "fr", "vif", "svm", "lsi_svm", "klr", "lsi_klr",
          "random_forest", "lsi_random_forest", "lsnet", "zones", "evaluate", "report")
RASTER_STAGES = ("stack", "reference", "samples", "fr", "lsi_svm", "lsi_klr",
                 "lsi_random_forest", "lsnet", "zones", "evaluate")
PAPER_SECONDS = {"svm": 32, "klr": 27, "lsnet": 107}


def machine() -> dict:
    info = {"cores": os.cpu_count(), "python": platform.python_version(),
            "platform": platform.platform()}
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                    if line.startswith("model name")), None)
        info["cpu"] = cpu or platform.processor()
        mem = next(line for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        info["memory_gib"] = round(int(mem.split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    gpu = shutil.which("nvidia-smi")
    info["gpu"] = (subprocess.run([gpu, "-L"], capture_output=True, text=True).stdout.strip()
                   if gpu else "none")
    return info


def run_stage(stage: str, folder: Path, cells_mode: str, python: str) -> dict:
    cmd = [sys.executable, str(ROOT / "benchmarks" / "stage.py"), stage, str(folder),
           "--landslide-cells", cells_mode, "--python", python]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={
        **os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"})
    if proc.returncode != 0:
        raise SystemExit(f"stage {stage} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - started
    result["measured"] = dt.date.today().isoformat()
    return result


def fmt(v, digits=1):
    return "" if v is None else (f"{v:,.{digits}f}" if isinstance(v, float) else f"{v:,}")


def write_markdown(results: dict, info: dict, path: Path) -> None:
    lines = ["# Benchmarks", "",
             f"Last run {results['date']} by `make bench` (`benchmarks/run.py`); each size says "
             "which rows were measured when, and on which CPU. Machine of the last run: "
             f"{info.get('cpu', '?')}, {info['cores']} cores, {info.get('memory_gib', '?')} GiB "
             f"memory, GPU: {info['gpu']}.", "",
             "Each stage runs in its own process; *time* is the stage's own wall time (imports "
             "excluded), *peak RSS* the process's peak resident memory (for LSNet: of its "
             "worker); *of which the stage* subtracts the memory of the process after its "
             "imports (Python, numpy, GDAL, the plugin's core modules and scikit-learn; the SVM "
             "and KLR map stages, from 2026-11-27 on, import neither scikit-learn nor skops: "
             "their *notes* say so). Throughput is cells of the grid (valid or not) per "
             "second. *vs I/O* is the stage's throughput as a share of the raw GDAL limit: "
             "reading every band of the stack and writing one Float32 band, same block layout "
             "(the *reference* row).",
             ""]
    for size, data in results["sizes"].items():
        n, slides, mode = SIZES[size]
        ref = data["reference"]
        ref_rate = ref["cells"] / ref["seconds"]
        lines += [f"## {size}: {n} x {n} = {n * n / 1e6:.2f} million cells, 9 factors, "
                  f"{slides} landslides ({mode.replace('_', ' ')})", "",
                  measured_line(data, results["date"]), "",
                  "| stage | time (s) | cells/s | vs I/O | peak RSS (MB) | of which the stage "
                  "(MB) | parallel | notes |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
        for stage in STAGES:
            r = data.get(stage)
            if not r:
                continue
            seconds = r["seconds"]
            note = ""
            rate = r["cells"] / seconds if r["cells"] else None
            share = ""
            if stage == "fr":
                rate = r["cells"] / r["encode_s"]
                note = f"FR table {r['table_s']:.1f} s + encoding {r['encode_s']:.1f} s"
                share = f"{rate / ref_rate:.2f} (encoding)"
            elif stage.startswith("lsi_"):
                share = f"{rate / ref_rate:.2f}"
                loop = r["cells"] / r["map_s"] / ref_rate
                note = f"map loop {r['map_s']:.2f} s ({loop:.2f} of I/O); " + loading_note(r)
            elif stage in ("reference", "zones"):
                share = f"{rate / ref_rate:.2f}"
            if stage in ("svm", "klr", "random_forest"):
                note = (f"{r['combinations']} combinations x {r['folds']} folds on "
                        f"{r['n_train']} samples, CV AUROC {r['cv_auroc']:.3f}")
                rate = None
            if stage == "lsnet":
                note = (f"training {r['training_s']:.1f} s ({r['epochs']} epochs, best "
                        f"{r['best_epoch']}, {r['n_train']} patches) + map {r['map_s']:.1f} s "
                        f"on {', '.join(r['devices'])}")
            if stage == "evaluate":
                note = ", ".join(f"{k} {v}" for k, v in r["aurocs"].items())
            if stage in ("vif", "report"):
                rate = None
            own = r["peak_rss_mb"] - r.get("baseline_rss_mb", 0.0)
            lines.append(f"| {stage} | {seconds:.1f} | {fmt(rate, 0) if rate else ''} | "
                         f"{share} | {r['peak_rss_mb']:.0f} | {own:.0f} | "
                         f"{r.get('parallel', '')} | {note} |")
        lines.append("")
    lines += targets(results)
    analysis = ROOT / "benchmarks" / "analysis.md"
    if analysis.exists():
        lines += ["", analysis.read_text(encoding="utf-8").strip(), ""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def measured_line(data: dict, last_run: str) -> str:
    """Which rows of a size were measured on which day (rows without a date: the last run)."""
    days: dict = {}
    for stage in STAGES:
        if stage in data:
            runs = len(data[stage].get("runs_s", [])) or 1
            when = data[stage].get("measured", last_run)
            when += f" on {data[stage]['cpu']}" if data[stage].get("cpu") else ""
            when += f" (fastest of {runs} runs)" if runs > 1 else ""
            days.setdefault(when, []).append(stage)
    if len(days) == 1:
        return f"Measured {next(iter(days))}."
    return "Measured " + "; ".join(f"{day}: {', '.join(stages)}"
                                   for day, stages in sorted(days.items(), reverse=True)) + "."


def loading_note(r: dict) -> str:
    """What the rest of an LSI stage (outside the map loop) was spent on."""
    if "evaluator" not in r:  # rows measured before the stage recorded it
        return "the rest loads the model (importing skops)"
    rest = f"the rest ({r['seconds'] - r['map_s']:.2f} s) opens the model"
    if r["evaluator"].startswith("kernel expansion"):
        imported = ", ".join(r.get("imported") or []) or "neither skops nor scikit-learn"
        return f"{rest}: its kernel part (imported: {imported})"
    imported = ", ".join(r.get("imported") or [])
    return f"{rest}: its scikit-learn pipeline (imported: {imported}; skops is timed)"


def targets(results: dict) -> list:
    out = ["## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]
    paper = results["sizes"].get("paper")
    if paper:
        ref_rate = paper["reference"]["cells"] / paper["reference"]["seconds"]
        for kind, label in (("svm", "SVM"), ("klr", "KLR")):
            total = paper[kind]["seconds"] + paper[f"lsi_{kind}"]["seconds"]
            out.append(f"| {label}, paper scale: samples to finished LSI map <= 8 s (paper: "
                       f"{PAPER_SECONDS[kind]} s): the 10-fold search over "
                       f"{paper[kind]['combinations']} (C, gamma), the final fit and the LSI "
                       "map, from the FR-encoded stack and the samples; the FR stage before it "
                       f"({paper['fr']['seconds']:.1f} s, once for both models) is not included "
                       f"and has its own row | {total:.1f} s (training "
                       f"{paper[kind]['seconds']:.1f} + map "
                       f"{paper[f'lsi_{kind}']['seconds']:.1f}) "
                       f"| {'yes' if total <= 8 else 'no'} |")
        lsnet = paper["lsnet"]
        gpu = any("GPU" in d for d in lsnet["devices"])
        limit = 20 if gpu else 107
        out.append(f"| LSNet training + full map on {'GPU' if gpu else 'CPU'} <= {limit} s "
                   f"(paper: 107 s on an RTX 3080 Ti) | {lsnet['seconds']:.1f} s | "
                   f"{'yes' if lsnet['seconds'] <= limit else 'no'} |")
        if not gpu:
            out.append("| LSNet on an NVIDIA H100 <= 20 s | not measured: no GPU on this "
                       "machine | - |")
        fr_rate = paper["fr"]["cells"] / paper["fr"]["encode_s"]
        out.append(f"| FR encoding >= 1/3 of the raw GDAL throughput | "
                   f"{fr_rate / ref_rate:.2f} | {'yes' if fr_rate / ref_rate >= 1 / 3 else 'no'} |")
        for kind in ("svm", "klr"):
            for size_name, size_data in results["sizes"].items():
                r = size_data[f"lsi_{kind}"]
                ref = size_data["reference"]["cells"] / size_data["reference"]["seconds"]
                share = r["cells"] / r["seconds"] / ref
                loop = r["cells"] / r["map_s"] / ref if r.get("map_s") else share
                out.append(f"| {kind.upper()} LSI mapping >= 1/3 of the raw GDAL throughput, "
                           f"{size_name} | {share:.2f} with loading the model, {loop:.2f} for "
                           f"the map itself | {'yes' if share >= 1 / 3 else 'no'} "
                           f"({'yes' if loop >= 1 / 3 else 'no'} for the map itself) |")
    small, large = results["sizes"].get("1M"), results["sizes"].get("16M")
    if small and large:
        for stage in RASTER_STAGES:
            if stage in small and stage in large:
                ratio = large[stage]["peak_rss_mb"] / small[stage]["peak_rss_mb"]
                out.append(f"| peak memory of '{stage}' at 16 M within 1.5 x of 1 M | "
                           f"{large[stage]['peak_rss_mb']:.0f} / {small[stage]['peak_rss_mb']:.0f}"
                           f" MB = {ratio:.2f} | {'yes' if ratio <= 1.5 else 'no'} |")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="paper,1M,4M,16M")
    parser.add_argument("--work", default=str(ROOT / "benchmarks" / "work"))
    parser.add_argument("--python", default=sys.executable, help="Python for the LSNet worker")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each stage this many times and keep the fastest run (for a "
                             "machine whose cores other jobs share)")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite docs/benchmarks.md from benchmarks/results.json")
    args = parser.parse_args()
    if args.report_only:
        saved = json.loads((ROOT / "benchmarks" / "results.json").read_text())
        write_markdown(saved, saved["machine"], ROOT / "docs" / "benchmarks.md")
        return 0
    work = Path(args.work)
    info = machine()
    results_file = ROOT / "benchmarks" / "results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {"sizes": {}}
    for data in results["sizes"].values():  # rows of earlier runs keep their day and CPU
        for row in data.values():
            row.setdefault("measured", results["date"])
            row.setdefault("cpu", results.get("machine", {}).get("cpu", "?"))
    results["date"] = dt.date.today().isoformat()
    results["machine"] = info
    for size in args.sizes.split(","):
        n, slides, mode = SIZES[size]
        folder = work / size
        if not (folder / "area" / "sample_area.json").exists():
            print(f"[bench] generating the {size} sample area ({n} x {n})", flush=True)
            # in a child process, so this one stays small (children forked from it would
            # otherwise start with its memory)
            subprocess.run([sys.executable, "-c",
                            "import sys; sys.path.insert(0, sys.argv[1]);"
                            "from landslide_lsm_plugin.demo.sample_area import generate;"
                            "generate(sys.argv[2], int(sys.argv[3]), seed=2022, "
                            "landslides=int(sys.argv[4]))",
                            str(ROOT), str(folder / "area"), str(n), str(slides)], check=True)
        data = results["sizes"].setdefault(size, {})
        for stage in args.stages.split(","):
            print(f"[bench] {size} {stage} ...", end=" ", flush=True)
            runs = [run_stage(stage, folder, mode, args.python)
                    for _ in range(max(1, args.repeat))]
            data[stage] = min(runs, key=lambda r: r["seconds"])
            data[stage]["runs_s"] = [round(r["seconds"], 3) for r in runs]
            data[stage]["cpu"] = info.get("cpu", "?")
            print(f"{data[stage]['seconds']:.1f} s, {data[stage]['peak_rss_mb']:.0f} MB",
                  flush=True)
            results_file.write_text(json.dumps(results, indent=1))
    results_file.write_text(json.dumps(results, indent=1))
    write_markdown(results, info, ROOT / "docs" / "benchmarks.md")
    print(f"[bench] wrote {ROOT / 'docs' / 'benchmarks.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
