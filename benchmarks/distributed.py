"""Scale benchmark: the raster stages at 10^8 cells, in-process and on a local Dask cluster.

    .venv/bin/python benchmarks/distributed.py [--cells-per-side 10000] [--configs inprocess,1,2]
        [--stages predict,zones] [--window 512] [--model logistic|svm] [--work DIR]
        [--out-md docs/scale-benchmark.md] [--out-json benchmarks/distributed.json]

Inputs are made once into ``--work`` (a folder per grid size, reused when present): a
3-factor Float32 stack (slope-like, wetness-like and distance-like synthetic factors, nodata
outside an ellipse; tiled DEFLATE GeoTIFF written strip by strip with the plugin's
RasterWriter and the tags build_stack writes), a few thousand labelled points placed with
core.sampling.prepare_samples, and a model trained with core.training.train_to_file
(logistic regression by default: cheap per cell, so the figures show the engines' own cost;
``--model svm`` a small-grid RBF SVM, costlier per cell).

Each (configuration, stage) runs in a fresh child process (this script with ``--child``), so
its peak memory is its own: in-process (``n_jobs=2`` threads) or on the plugin's own local
cluster (``cluster.local_cluster``, what ``local:N`` starts: the scheduler in the child, N
single-thread ``dask worker`` processes with their nanny) started in that child before the
clock starts. The child reports its wall time, cells per second, its own
peak RSS (the client; with Dask it also holds the scheduler and the nannies), each worker
process's peak RSS (its VmHWM, and its RSS sampled every 0.2 s with psutil) and the peak
of all its processes together. A plain GDAL copy of one band of the stack (gdal.Translate to
the plugin's tiled DEFLATE GeoTIFF) measured in the same run is the I/O reference.
Outputs are removed after each measurement; only the zones stage's input LSI is kept in the
work folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# this file is named distributed.py: its folder must not shadow the distributed package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from osgeo import gdal, ogr, osr  # noqa: E402

DEFAULT_WORK = "/tmp/lsm-bench-dask"
STAGES = ("predict", "zones")
MODELS = ("logistic", "svm")
#: the SVM's search grid with --model svm: small, so that training stays short
SVM_GRID = {"C": [1.0, 100.0], "gamma": [0.1, 1.0]}
FACTORS = ("slope", "wetness", "dist_river")
#: labelled points: landslides (label 1) and non-landslide cells (label 0)
LANDSLIDES, NON_LANDSLIDES = 2000, 2000
EPSG, CELL, ORIGIN = 32717, 10.0, (300000.0, 9900000.0)
#: rows per strip when writing the stack (a multiple of the 256-cell tiles)
STRIP = 256
#: seconds between samples of the worker processes' memory
SAMPLE_S = 0.2
#: modules imported before the clock starts (in the child and on every Dask worker)
PRELOAD = ("landslide_lsm_plugin.core.predict", "landslide_lsm_plugin.core.zoning",
           "landslide_lsm_plugin.core.model_io", "sklearn.linear_model", "sklearn.pipeline",
           "sklearn.preprocessing", "sklearn.svm", "skops.io")
#: changes whenever the inputs are made differently (older work folders are made again)
INPUTS_VERSION = 1


# --- inputs ------------------------------------------------------------------------------------

def _hash_noise(row: np.ndarray, col: np.ndarray, k: int) -> np.ndarray:
    """A deterministic pseudo-random value in [-0.5, 0.5) per cell (any shape)."""
    s = np.sin(row * 12.9898 + col * 78.233 + k * 37.719) * 43758.5453
    return s - np.floor(s) - 0.5


def factors_at(row: np.ndarray, col: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The three synthetic factors at cells (row, col) of an n x n grid, as (3, ...) float64,
    and which cells are valid (inside an ellipse covering ~70 % of the grid)."""
    row = np.asarray(row, dtype=np.float64)
    col = np.asarray(col, dtype=np.float64)
    u, v = (col + 0.5) / n, (row + 0.5) / n
    tau = 2 * math.pi
    slope = np.clip(28 + 18 * np.sin(tau * 3 * u) * np.cos(tau * 2 * v)
                    + 5 * np.sin(tau * (7 * u + 5 * v)) + 12 * _hash_noise(row, col, 1), 0, 75)
    wetness = np.clip(9 - 0.08 * (slope - 28) + 3 * np.cos(tau * (4 * u - 3 * v))
                      + 3 * _hash_noise(row, col, 2), 1, 25)
    dist = np.clip(800 + 700 * np.sin(tau * (1.5 * u + 4 * v)) + 300 * _hash_noise(row, col, 3),
                   0, None)
    valid = ((u - 0.5) / 0.49) ** 2 + ((v - 0.5) / 0.47) ** 2 <= 1.0
    values = np.stack(np.broadcast_arrays(slope, wetness, dist))
    return values, np.broadcast_to(valid, values.shape[1:])


def landslide_probability(values: np.ndarray) -> np.ndarray:
    """P(landslide) of cells from their factors (steep, wet, near rivers)."""
    slope, wetness, dist = values
    logit = -1.0 + 0.09 * (slope - 28) + 0.25 * (wetness - 9) - 0.002 * (dist - 800)
    return 1.0 / (1.0 + np.exp(-logit))


def grid_of(n: int) -> Any:
    """The benchmark's n x n grid (10 m cells, UTM 17S)."""
    from landslide_lsm_plugin.core.raster import Grid

    srs = osr.SpatialReference()
    srs.ImportFromEPSG(EPSG)
    return Grid(n, n, (ORIGIN[0], CELL, 0.0, ORIGIN[1], 0.0, -CELL), srs.ExportToWkt())


def write_stack(path: Path, n: int) -> None:
    """The 3-factor stack, strip by strip (never whole in memory), with the stack and band
    tags that core.stack.build_stack writes."""
    from landslide_lsm_plugin.core.raster import FLOAT_NODATA, RasterWriter, Window
    from landslide_lsm_plugin.core.records import BandTags, StackTags
    from landslide_lsm_plugin.core.stack import CONTINUOUS

    cols = np.arange(n)[None, :]
    band_meta = [BandTags(CONTINUOUS, f"synthetic {name}").to_metadata() for name in FACTORS]
    with RasterWriter(path, grid_of(n), len(FACTORS), np.float32, FLOAT_NODATA,
                      descriptions=FACTORS, metadata=StackTags().to_metadata(),
                      band_metadata=band_meta) as writer:
        for row in range(0, n, STRIP):
            h = min(STRIP, n - row)
            values, valid = factors_at(np.arange(row, row + h)[:, None], cols, n)
            block = values.astype(np.float32)
            block[:, ~valid] = FLOAT_NODATA
            writer.write(Window(0, row, n, h), block)


def draw_points(n: int, seed: int = 2022) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, labels) of labelled cells: landslides drawn with landslide_probability,
    non-landslides uniformly among the other valid cells."""
    rng = np.random.default_rng(seed)
    valid_cells = int(0.7 * n * n)
    n_pos = min(LANDSLIDES, max(10, valid_cells // 20))
    n_neg = min(NON_LANDSLIDES, max(10, valid_cells // 20))
    taken: set = set()
    pos: list = []
    neg: list = []
    while len(pos) < n_pos or len(neg) < n_neg:
        r = rng.integers(0, n, 100_000)
        c = rng.integers(0, n, 100_000)
        values, valid = factors_at(r, c, n)
        accept = rng.random(r.size) < landslide_probability(values)
        for i in np.flatnonzero(valid):
            cell = (int(r[i]), int(c[i]))
            if cell in taken:
                continue
            if accept[i] and len(pos) < n_pos:
                pos.append(cell)
            elif not accept[i] and len(neg) < n_neg:
                neg.append(cell)
            else:
                continue
            taken.add(cell)
    cells = np.array(pos + neg, dtype=np.int64)
    labels = np.r_[np.ones(len(pos), dtype=int), np.zeros(len(neg), dtype=int)]
    return cells[:, 0], cells[:, 1], labels


def write_points(path: Path, n: int) -> None:
    """The labelled points (field 'label': 1 landslide, 0 not) at cell centres, as a GPKG."""
    rows, cols, labels = draw_points(n)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(EPSG)
    tmp = path.with_name(path.stem + ".part.gpkg")
    if tmp.exists():
        tmp.unlink()
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(tmp))
    layer = ds.CreateLayer("points", srs, ogr.wkbPoint)
    layer.CreateField(ogr.FieldDefn("label", ogr.OFTInteger))
    layer.StartTransaction()
    for r, c, lab in zip(rows, cols, labels):
        feat = ogr.Feature(layer.GetLayerDefn())
        feat.SetField("label", int(lab))
        point = ogr.Geometry(ogr.wkbPoint)
        point.AddPoint_2D(ORIGIN[0] + (c + 0.5) * CELL, ORIGIN[1] - (r + 0.5) * CELL)
        feat.SetGeometry(point)
        layer.CreateFeature(feat)
    layer.CommitTransaction()
    ds = None
    tmp.rename(path)


def train_model(folder: Path, kind: str) -> dict:
    """The model file ``<kind>.lsmodel`` trained on the training points; its summary."""
    from landslide_lsm_plugin.core import training
    from landslide_lsm_plugin.core.model_io import kernel_expansion
    from landslide_lsm_plugin.core.models import default_grid

    grid = SVM_GRID if kind == "svm" else default_grid(kind)
    result, meta = training.train_to_file(
        kind, str(folder / "stack.tif"), str(folder / "samples.gpkg"),
        str(folder / f"{kind}.lsmodel"), search=training.SearchSettings(grid=grid),
        fit=training.FitSettings(n_jobs=2))
    expansion = kernel_expansion(result.estimator)
    return {"kind": kind, "name": meta.name,
            "kernel_centres": len(expansion.centres) if expansion is not None else 0,
            "params": {k: _plain(v) for k, v in result.params.items()},
            "grid": {k: [_plain(x) for x in v] for k, v in grid.items()},
            "cv_auroc": round(float(result.cv_score), 4), "n_train": int(result.n_train),
            "training_s": round(float(result.training_time_s), 2)}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def make_inputs(folder: Path, n: int, kind: str) -> dict:
    """Make (or reuse) the stack, the points, the samples and the model in ``folder``."""
    from landslide_lsm_plugin.core import sampling

    manifest_path = folder / "inputs.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    if manifest.get("version") != INPUTS_VERSION or manifest.get("cells_per_side") != n:
        if folder.exists():
            shutil.rmtree(folder)
        manifest = {"version": INPUTS_VERSION, "cells_per_side": n, "models": {}}
    folder.mkdir(parents=True, exist_ok=True)
    stack = folder / "stack.tif"
    if not stack.exists():
        log(f"writing the {n} x {n} x {len(FACTORS)} stack ...", end=" ")
        t0 = time.perf_counter()
        write_stack(stack, n)
        manifest["stack_s"] = round(time.perf_counter() - t0, 1)
        log(f"{manifest['stack_s']} s", prefix=False)
    if not (folder / "samples.gpkg").exists():
        log("drawing labelled points and preparing samples ...", end=" ")
        t0 = time.perf_counter()
        if not (folder / "points.gpkg").exists():
            write_points(folder / "points.gpkg", n)
        report = sampling.prepare_samples(str(folder / "points.gpkg"), str(stack),
                                          str(folder / "samples.gpkg"), label_field="label",
                                          seed=42)
        manifest["samples"] = {"samples": len(report.samples),
                               "landslide_cells": report.landslide_cells,
                               "non_landslide_cells": report.non_landslide_cells,
                               "seconds": round(time.perf_counter() - t0, 1)}
        log(f"{manifest['samples']['samples']} samples, {manifest['samples']['seconds']} s",
            prefix=False)
    if kind not in manifest["models"] or not (folder / f"{kind}.lsmodel").exists():
        log(f"training the {kind} model ...", end=" ")
        manifest["models"][kind] = train_model(folder, kind)
        log(f"CV AUROC {manifest['models'][kind]['cv_auroc']}, "
            f"{manifest['models'][kind]['training_s']} s", prefix=False)
    manifest["stack_bytes"] = stack.stat().st_size
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


# --- the child: one stage in one configuration ------------------------------------------------

def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_memory() -> dict:
    """Runs on a Dask worker: its pid, current and peak RSS in MB."""
    import psutil

    return {"pid": os.getpid(), "rss_mb": psutil.Process().memory_info().rss / 2 ** 20,
            "peak_mb": peak_rss_mb()}


def preload() -> None:
    """Import what the stages import (the plugin's modules, scikit-learn, skops): done before
    the clock starts, in the child and on every Dask worker."""
    import importlib

    for module in PRELOAD:
        try:
            importlib.import_module(module)
        except ImportError:
            pass  # skops is optional for the kernel models


class MemorySampler:
    """Samples the RSS of this process and of every process below it (the local cluster's
    `dask worker` process, its nannies and worker processes) every SAMPLE_S seconds in a
    thread: peak per process and peak of all together."""

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        self.me = psutil.Process()
        self.peaks: dict = {}
        self.names: dict = {}
        self.total_peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss-sampler")

    def sample(self) -> None:
        total = 0.0
        for proc in [self.me, *self.me.children(recursive=True)]:
            try:
                rss = proc.memory_info().rss / 2 ** 20
                if proc.pid not in self.names:
                    self.names[proc.pid] = " ".join(proc.cmdline()[:3])[:120]
            except (self._psutil.NoSuchProcess, self._psutil.AccessDenied):
                continue
            total += rss
            self.peaks[proc.pid] = max(self.peaks.get(proc.pid, 0.0), rss)
        self.total_peak = max(self.total_peak, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_S)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def child_main(args: argparse.Namespace) -> int:
    """Run one stage in one configuration and print one JSON line."""
    gdal.UseExceptions()
    stage, config = args.child
    folder = Path(args.work)
    out = Path(args.child_output)
    if stage == "reference":
        return child_reference(folder, out)
    import landslide_lsm_plugin.core.predict as predict_mod
    import landslide_lsm_plugin.core.zoning as zoning_mod
    from landslide_lsm_plugin.core import blocks

    preload()
    engines: list = []

    def recording(stage_: Any, client_: Any = None, **kw: Any) -> Any:
        result = blocks.run_stage(stage_, client_, **kw)
        engines.append({"stage": stage_.name, "engine": result.engine,
                        "windows": result.windows, "seconds": result.seconds})
        return result

    predict_mod.run_stage = recording
    zoning_mod.run_stage = recording
    client = cluster = None
    cluster_s = 0.0
    if config != "inprocess":
        from landslide_lsm_plugin.cluster import local_cluster

        t0 = time.perf_counter()
        cluster = local_cluster(int(config), sys.executable)
        client = cluster.__enter__()
        client.run(preload)
        cluster_s = time.perf_counter() - t0
    info = gdal.Open(str(folder / "stack.tif"))
    cells = info.RasterXSize * info.RasterYSize
    info = None
    baseline = peak_rss_mb()
    workers_before = client.run(worker_memory) if client is not None else {}
    with MemorySampler() as sampler:
        start = time.perf_counter()
        extra: dict = {}
        if stage == "predict":
            report = predict_mod.predict_lsi(str(folder / f"{args.model}.lsmodel"),
                                             str(folder / "stack.tif"), str(out), n_jobs=2,
                                             client=client, window=args.window)
            extra = {"engine": report.engine, "valid_cells": report.valid_cells,
                     "map_s": report.map_time_s, "load_s": report.load_time_s,
                     "evaluator": report.evaluator}
        else:
            zoning = zoning_mod.classify_raster(str(folder / f"lsi_{args.model}.tif"), str(out),
                                                method="natural_breaks", n_classes=5,
                                                client=client, window=args.window)
            extra = {"engine": engines[-1]["engine"] if engines else "",
                     "valid_cells": zoning.valid_cells,
                     "breaks": [round(float(e), 6) for e in zoning.edges]}
        seconds = time.perf_counter() - start
    workers_after = client.run(worker_memory) if client is not None else {}
    client_peak = peak_rss_mb()
    workers = []
    for address, after in sorted(workers_after.items()):
        before = workers_before.get(address, {})
        workers.append({"address": address, "pid": after["pid"],
                        "peak_rss_mb": round(max(after["peak_mb"],
                                                 sampler.peaks.get(after["pid"], 0.0)), 1),
                        "sampled_peak_mb": round(sampler.peaks.get(after["pid"], 0.0), 1),
                        "baseline_rss_mb": round(before.get("rss_mb", 0.0), 1)})
    known = {w["pid"] for w in workers} | {os.getpid()}
    helpers = [{"pid": pid, "cmd": sampler.names.get(pid, ""), "peak_rss_mb": round(peak, 1)}
               for pid, peak in sampler.peaks.items() if pid not in known]
    if cluster is not None:
        cluster.__exit__(None, None, None)
    # outside the clock: a checksum of the output's values (the same map whatever the engine)
    ds = gdal.Open(str(out))
    checksum = ds.GetRasterBand(1).Checksum()
    ds = None
    print(json.dumps({
        "stage": stage, "config": config, "seconds": seconds, "cells": cells,
        "cells_per_s": cells / seconds, "client_peak_rss_mb": round(client_peak, 1),
        "client_baseline_rss_mb": round(baseline, 1),
        "total_peak_rss_mb": round(max(sampler.total_peak, client_peak), 1),
        "workers": workers, "helpers": helpers, "cluster_start_s": round(cluster_s, 2),
        "stage_runs": engines, "checksum": checksum, "output_bytes": out.stat().st_size,
        "window": args.window, **extra}))
    return 0


def child_reference(folder: Path, out: Path) -> int:
    """The I/O reference: band 1 of the stack copied by gdal.Translate into a tiled DEFLATE
    GeoTIFF with the plugin's creation options (the stack is pixel-interleaved: every band's
    values are decompressed), GDAL's block cache capped as the plugin caps it when it
    assembles a Dask output (else the cache, 5 % of the memory, would be the peak)."""
    from landslide_lsm_plugin.core.raster import GTIFF_OPTIONS, bounded_gdal_cache

    ds = gdal.Open(str(folder / "stack.tif"))
    cells = ds.RasterXSize * ds.RasterYSize
    baseline = peak_rss_mb()
    with bounded_gdal_cache():
        cache_mb = gdal.GetCacheMax() // 2 ** 20
        start = time.perf_counter()
        gdal.Translate(str(out), ds, bandList=[1], creationOptions=list(GTIFF_OPTIONS))
        seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    print(json.dumps({"stage": "reference", "config": "gdal", "seconds": seconds,
                      "cells": cells, "cells_per_s": cells / seconds,
                      "client_peak_rss_mb": round(peak, 1),
                      "client_baseline_rss_mb": round(baseline, 1),
                      "total_peak_rss_mb": round(peak, 1), "workers": [],
                      "engine": f"gdal.Translate, band 1 (cache {cache_mb} MB)",
                      "output_bytes": out.stat().st_size}))
    return 0


# --- the parent: runs the children, prints and writes the results -----------------------------

def log(message: str, end: str = "\n", prefix: bool = True) -> None:
    print(("[scale-bench] " if prefix else "") + message, end=end, flush=True)


def run_child(stage: str, config: str, folder: Path, out: Path, args: argparse.Namespace
              ) -> dict:
    """One measurement in a fresh process; its JSON (or {"error": ...})."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", stage, config,
           "--child-output", str(out), "--work", str(folder), "--window", str(args.window),
           "--model", args.model]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))}
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(ROOT),
                              timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"stage": stage, "config": config, "process_s": args.timeout,
                "error": f"no result within --timeout {args.timeout} s (killed)"}
    process_s = time.perf_counter() - started
    if proc.returncode != 0:
        return {"stage": stage, "config": config, "error": (proc.stderr or proc.stdout)[-3000:],
                "process_s": process_s}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = round(process_s, 2)
    return result


def _span(values: list, digits: int = 0) -> str:
    """'lo-hi' of numbers (one number when they round alike)."""
    lo, hi = f"{min(values):.{digits}f}", f"{max(values):.{digits}f}"
    return lo if lo == hi else f"{lo}-{hi}"


def _config_name(config: str) -> str:
    if config == "inprocess":
        return "in-process"
    if config == "gdal":
        return "GDAL"
    return f"Dask {config} worker" + ("s" if config != "1" else "")


def _short_engine(engine: str) -> str:
    """The engine string without the scheduler's address."""
    if engine.startswith("Dask (") and ", " in engine:
        return "Dask (" + engine.split(", ", 1)[1]
    return engine


def table_rows(results: dict) -> list[list[str]]:
    """The rows of the results table (header first)."""
    header = ["configuration", "stage", "engine", "time (s)", "windows (s)", "Mcells/s",
              "x in-proc",
              "vs GDAL", "client peak (MB)", "peak per worker (MB)", "worker x in-proc",
              "all processes (MB)", "all x in-proc"]
    rows = [header]
    ref = results.get("reference") or {}
    ref_rate = ref.get("cells_per_s")
    base = {r["stage"]: r for r in results["runs"]
            if r.get("config") == "inprocess" and "error" not in r}
    for r in ([ref] if ref and "error" not in ref else []) + results["runs"]:
        if "error" in r:
            rows.append([_config_name(r["config"]), r["stage"], "FAILED (see the JSON)"]
                        + [""] * (len(header) - 3))
            continue
        b = base.get(r["stage"])
        rate = r["cells_per_s"]
        workers = [w["peak_rss_mb"] for w in r.get("workers", [])]
        in_proc_peak = b["client_peak_rss_mb"] if b else None
        worker_peak = max(workers) if workers else None
        rows.append([
            _config_name(r["config"]), r["stage"], _short_engine(r.get("engine", "")),
            f"{r['seconds']:.2f}",
            f"{sum(e['seconds'] for e in r['stage_runs']):.2f}" if r.get("stage_runs") else "",
            f"{rate / 1e6:.2f}",
            f"{rate / b['cells_per_s']:.2f}" if b and r["stage"] != "reference" else "",
            f"{rate / ref_rate:.2f}" if ref_rate else "",
            f"{r['client_peak_rss_mb']:.0f}",
            " / ".join(f"{w:.0f}" for w in workers) if workers else "-",
            f"{worker_peak / in_proc_peak:.2f}" if worker_peak and in_proc_peak else "",
            f"{r['total_peak_rss_mb']:.0f}",
            f"{r['total_peak_rss_mb'] / b['total_peak_rss_mb']:.2f}"
            if b and r["stage"] != "reference" else ""])
    return rows


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for k, row in enumerate(rows):
        print("  ".join(cell.ljust(w) if i < 3 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def machine() -> dict:
    """CPU, memory and library versions of this machine."""
    import dask
    import distributed
    import sklearn

    info: dict = {"cores": os.cpu_count(), "python": platform.python_version(),
                  "gdal": gdal.__version__, "numpy": np.__version__,
                  "dask": dask.__version__, "distributed": distributed.__version__,
                  "scikit-learn": sklearn.__version__, "platform": platform.platform()}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            info["cpu"] = next((line.split(":", 1)[1].strip() for line in fh
                                if line.startswith("model name")), platform.processor())
        with open("/proc/meminfo", encoding="utf-8") as fh:
            mem = next(line for line in fh if line.startswith("MemTotal"))
        info["memory_gib"] = round(int(mem.split()[1]) / 1024 ** 2, 1)
    except (OSError, StopIteration):
        info.setdefault("cpu", platform.processor())
    return info


def write_markdown(results: dict, rows: list[list[str]], path: Path) -> None:
    """docs/scale-benchmark.md: the table, the machine, the model and the settings."""
    m, s = results["machine"], results["settings"]
    model = results["inputs"]["models"][s["model"]]
    n = s["cells_per_side"]
    checks = results.get("checksums_agree")
    lines = [
        "# Scale benchmark: raster stages in-process and on Dask", "",
        f"Measured {results['date']} by `benchmarks/distributed.py` "
        f"({results['total_s'] / 60:.1f} min in all). Machine: {m.get('cpu', '?')}, "
        f"{m['cores']} CPUs, {m.get('memory_gib', '?')} GiB memory; Python {m['python']}, "
        f"GDAL {m['gdal']}, numpy {m['numpy']}, scikit-learn {m['scikit-learn']}, "
        f"dask {m['dask']}, distributed {m['distributed']}.", "",
        f"Grid: {n:,} x {n:,} = {n * n:,} cells (10 m cells; ~70 % valid, nodata outside an "
        f"ellipse), a stack of {len(FACTORS)} synthetic Float32 factors "
        f"({', '.join(FACTORS)}; tiled DEFLATE GeoTIFF, "
        f"{results['inputs']['stack_bytes'] / 2 ** 20:,.0f} MB). Window: "
        f"{s['window']} x {s['window']} cells. Model: {model['name']} (`{s['model']}`, "
        f"{model['params']}, trained on {model['n_train']} of "
        f"{results['inputs']['samples']['samples']} labelled points, CV AUROC "
        f"{model['cv_auroc']})"
        + (": cheap per cell, so the figures show the cost of the engines themselves (reading, "
           "writing, scheduling)" if s["model"] == "logistic" else
           f": an RBF SVM, costly per cell (a kernel against each of its "
           f"{model.get('kernel_centres', '?')} support vectors)") + ".", "",
        "Configurations: *in-process*: the plugin's default engine, windows on `n_jobs=2` "
        "threads in one process; *Dask N workers*: the plugin's local cluster "
        "(`cluster.local_cluster`, what the Scheduler value `local:N` starts: the scheduler in "
        "the client's process, N single-thread `dask worker` processes with their nanny) on "
        "this machine (started, and the plugin imported on its workers, before the clock "
        "starts), workers writing each window as a "
        "part file that the client assembles into a COG. Stages: *predict* "
        "(`core.predict.predict_lsi`: the LSI map) and *zones* (`core.zoning.classify_raster`"
        " of that LSI: natural breaks, 5 classes). *GDAL* is the I/O reference: "
        "`gdal.Translate` of band 1 of the stack to a tiled DEFLATE GeoTIFF with the plugin's "
        "creation options (the stack is pixel-interleaved, so all its bands are read), GDAL's "
        "block cache capped at 64 MB as the plugin caps it when it assembles a Dask output.",
        "",
        "| " + " | ".join(rows[0]) + " |",
        "| " + " | ".join(["---"] * 3 + ["---:"] * (len(rows[0]) - 3)) + " |",
        *["| " + " | ".join(row) + " |" for row in rows[1:]], "",
        "Each row is one run in a fresh process. *time*: the stage call's wall time (imports "
        "and the cluster's start excluded); *windows*: of that, the time in the window "
        "stage (core.blocks.run_stage: the tasks, and with Dask the assembly of the parts; "
        "the rest opens the model, or samples the LSI for the breaks); *Mcells/s*: cells of "
        "the grid (valid or not) per second over the whole time; *x in-proc*: that "
        "throughput over the in-process run's of the same stage; "
        "*vs GDAL*: over the reference's. *client peak*: peak RSS of the process that calls the "
        "stage (with Dask it also holds the scheduler and the nannies); *peak per worker*: each "
        "Dask worker process's peak RSS (its VmHWM, its start included; the JSON also has the "
        f"peak of a psutil sample every {SAMPLE_S} s); *worker x in-proc*: the largest "
        "worker's peak over the in-process run's peak; *all processes*: the peak of the "
        "client, its workers and helpers together (sampled), and its ratio to the in-process "
        "run's.", "",
        f"Same map whatever the engine (checksum of the output's values): "
        f"{'yes' if checks else 'no' if checks is not None else 'not compared'}.", ""]
    notes = results.get("notes") or []
    if notes:
        lines += ["Notes:", "", *[f"- {note}" for note in notes], ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells-per-side", type=int, default=10000)
    parser.add_argument("--configs", default="inprocess,1,2",
                        help="comma-separated: inprocess, or a number of Dask workers")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--window", type=int, default=512)
    parser.add_argument("--model", choices=MODELS, default="logistic")
    parser.add_argument("--work", default=DEFAULT_WORK)
    parser.add_argument("--out-md", default=str(ROOT / "docs" / "scale-benchmark.md"))
    parser.add_argument("--out-json", default=str(ROOT / "benchmarks" / "distributed.json"))
    parser.add_argument("--timeout", type=float, default=3600.0,
                        help="seconds one measurement may take before it is killed")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_main(args)

    gdal.UseExceptions()
    stages = [s for s in STAGES if s in args.stages.split(",")]
    unknown = set(args.stages.split(",")) - set(STAGES)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    bad = [c for c in configs if c != "inprocess" and not c.isdigit()]
    if unknown or bad or not stages or not configs:
        parser.error(f"unknown stages {sorted(unknown)} or configurations {bad}")
    n = args.cells_per_side
    folder = Path(args.work) / f"{n}x{n}"
    started = time.perf_counter()
    inputs = make_inputs(folder, n, args.model)
    runs_dir = folder / "runs"
    shutil.rmtree(runs_dir, ignore_errors=True)
    lsi_input = folder / f"lsi_{args.model}.tif"
    if "zones" in stages and "predict" not in stages and not lsi_input.exists():
        log("mapping the LSI that the zones stage classes (not measured) ...")
        runs_dir.mkdir()
        r = run_child("predict", "inprocess", folder, lsi_input, args)
        if "error" in r:
            raise SystemExit(f"mapping the zones input failed:\n{r['error']}")

    results: dict = {"date": dt.date.today().isoformat(), "machine": machine(),
                     "settings": {"cells_per_side": n, "configs": configs, "stages": stages,
                                  "window": args.window, "model": args.model,
                                  "in_process_threads": 2, "work": str(folder)},
                     "inputs": inputs, "runs": [], "notes": []}

    def measure(stage: str, config: str) -> dict:
        runs_dir.mkdir(exist_ok=True)
        out = runs_dir / f"{config}-{stage}.tif"
        log(f"{_config_name(config)}: {stage} ...", end=" ")
        r = run_child(stage, config, folder, out, args)
        if "error" in r:
            log("FAILED", prefix=False)
            print(r["error"], file=sys.stderr)
        else:
            workers = ", ".join(f"{w['peak_rss_mb']:.0f}" for w in r.get("workers", []))
            log(f"{r['seconds']:.2f} s, {r['cells_per_s'] / 1e6:.2f} Mcells/s, client "
                f"{r['client_peak_rss_mb']:.0f} MB" + (f", workers {workers} MB"
                                                       if workers else ""), prefix=False)
        if stage == "predict" and "error" not in r and not lsi_input.exists():
            out.rename(lsi_input)  # kept: the zones stage's input
        shutil.rmtree(runs_dir, ignore_errors=True)  # outputs, parts, temporaries
        return r

    results["reference"] = measure("reference", "gdal")
    for config in configs:
        for stage in stages:
            results["runs"].append(measure(stage, config))

    for stage in stages:
        sums = {r.get("checksum") for r in results["runs"]
                if r["stage"] == stage and "error" not in r}
        if len(sums) > 1:
            results["notes"].append(f"The {stage} outputs differ between configurations "
                                    f"(checksums {sorted(sums)}).")
    measured = [r for r in results["runs"] if "error" not in r]
    results["checksums_agree"] = (not any("differ" in note for note in results["notes"])
                                  if measured else None)
    failed = [r for r in results["runs"] if "error" in r]
    for r in failed:
        results["notes"].append(f"{_config_name(r['config'])} {r['stage']} failed: "
                                f"{r['error'].strip().splitlines()[-1][:300]}")
    starts = [r["cluster_start_s"] for r in measured if r.get("cluster_start_s")]
    if starts:
        results["notes"].append(f"Starting the local cluster (and importing the plugin on its "
                                f"workers) took {_span(starts, 1)} s per run, not in the times.")
    if measured:
        lows = [r["client_baseline_rss_mb"] for r in measured]
        highs = [w["baseline_rss_mb"] for r in measured for w in r.get("workers", [])]
        results["notes"].append(
            f"Memory before the stage starts (Python, numpy, GDAL, scikit-learn, skops and the "
            f"plugin imported): {_span(lows)} MB in the calling process"
            + (f", {_span(highs)} MB in each worker" if highs else "")
            + "; the peaks include it.")
    results["notes"].append("Dask's nannies start workers with OMP/MKL/OpenBLAS threads set to "
                            "1; GDAL's block cache defaults to 5 % of the memory in every "
                            "process; the workers' memory limit is Dask's default (the "
                            "machine's memory split evenly).")
    results["total_s"] = time.perf_counter() - started

    rows = table_rows(results)
    print()
    print(f"{n:,} x {n:,} = {n * n:,} cells, window {args.window}, model {args.model}, "
          f"in-process on 2 threads, Dask: threads_per_worker=1, processes=True")
    print_table(rows)
    for note in results["notes"]:
        print(f"note: {note}")
    out_json, out_md = Path(args.out_json), Path(args.out_md)
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    write_markdown(results, rows, out_md)
    log(f"wrote {out_md} and {out_json} ({results['total_s'] / 60:.1f} min in all)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
