"""The raster stages from a shell, without QGIS: ``python -m landslide_lsm_plugin ...``.

For cluster jobs: each command runs in-process, on a local Dask cluster (``--scheduler
local:8``) or on a running Dask scheduler (``--scheduler tcp://host:8786``; default: the
environment variable LANDSLIDE_LSM_SCHEDULER). Inputs and outputs are paths the workers can
read and write (a shared disk, or URLs GDAL reads). A failed or interrupted command leaves
none of the files it was writing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

from .cluster import ENV_VAR, dask_client, resolve_scheduler
from .core.errors import Canceled, LsmError
from .core.progress import Progress
from .core.raster import WINDOW, remove_created, tracking_outputs
from .version import __version__

EPILOG = f"""\
The scheduler: --scheduler, else ${ENV_VAR}, else this process. 'local:N' starts a local Dask
cluster of N worker processes for the command; an address (tcp://host:8786) uses a running
cluster, e.g. one started by dask-jobqueue on SLURM or by the Dask Helm chart on Kubernetes
(see the README). Workers need numpy, GDAL's Python bindings, scikit-learn and distributed
(TensorFlow too for LSNet); they get this plugin's code from the client when they lack it.

Examples:
  python -m landslide_lsm_plugin predict svm.lsmodel stack.tif lsi.tif --scheduler local:4
  python -m landslide_lsm_plugin zones lsi.tif zones.tif --classes 5 --scheduler tcp://head:8786
"""


def _progress(quiet: bool) -> Progress:
    """Progress on stderr: a line every 10 %, messages and warnings."""
    last = [-10.0]

    def percent(value: float) -> None:
        if value >= last[0] + 10 or value >= 100 > last[0]:
            last[0] = value
            print(f"  {value:5.1f} %", file=sys.stderr, flush=True)

    def say(prefix: str):
        return lambda message: print(f"{prefix}{message}", file=sys.stderr, flush=True)

    if quiet:
        return Progress(on_warning=say("warning: "))
    return Progress(on_percent=percent, on_info=say(""), on_warning=say("warning: "))


def _factor(text: str):
    """NAME=PATH[:KIND] (KIND continuous, categorical or aspect)."""
    from .core.stack import KINDS, Factor

    name, sep, rest = text.partition("=")
    if not sep or not name or not rest:
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=PATH[:KIND]")
    path, kind = rest, "continuous"
    head, colon, tail = rest.rpartition(":")
    if colon and tail in KINDS:
        path, kind = head, tail
    return Factor(name, path, kind=kind, resampling="nearest" if kind != "continuous"
                  else "bilinear")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m landslide_lsm_plugin",
        description="Landslide LSM's raster stages, in-process or on a Dask cluster.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"Landslide LSM {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--scheduler", default=None,
                        help=f"'local:N', a scheduler address, or 'in-process' (default: "
                             f"${ENV_VAR}, else in-process)")
    common.add_argument("--window", type=int, default=WINDOW,
                        help=f"cells per side of a window, one task each (default {WINDOW})")
    common.add_argument("--threads", type=int, default=2,
                        help="threads in-process (default 2; a Dask worker uses its own)")
    common.add_argument("--quiet", action="store_true", help="no progress lines")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("predict", parents=[common], help="LSI raster of a model over a stack")
    p.add_argument("model", help="model file (.lsmodel, or .keras for LSNet)")
    p.add_argument("stack", help="factor stack (GeoTIFF)")
    p.add_argument("output", help="LSI raster to write (.tif)")
    p.add_argument("--sd", default=None, help="standard deviation raster (ensemble models)")
    p.add_argument("--name", default=None, help="name of the map (default: the model's)")

    p = sub.add_parser("stack", parents=[common], help="factor stack from factor rasters")
    p.add_argument("output", help="stack to write (.tif)")
    p.add_argument("--factor", type=_factor, action="append", required=True,
                   metavar="NAME=PATH[:KIND]", help="a factor raster (repeat; KIND "
                   "continuous, categorical or aspect)")
    p.add_argument("--reference", default=None, help="raster whose grid the stack takes "
                   "(default: the first factor's)")
    p.add_argument("--mask", default=None, help="polygons outside which cells are nodata")

    p = sub.add_parser("fr", parents=[common],
                       help="frequency ratios from the training samples, and the FR stack")
    p.add_argument("stack", help="raw factor stack")
    p.add_argument("samples", help="samples from 'Prepare training samples' (GeoPackage)")
    p.add_argument("output", help="FR-encoded stack to write (.tif)")
    p.add_argument("--classes", type=int, default=8, help="classes per continuous factor")
    p.add_argument("--table", default=None, help="FR table to write (.json)")

    p = sub.add_parser("zones", parents=[common], help="susceptibility zones of an LSI raster")
    p.add_argument("lsi", help="LSI raster")
    p.add_argument("output", help="zone raster to write (.tif)")
    p.add_argument("--classes", type=int, default=5, help="number of zones (default 5)")
    p.add_argument("--method", default="natural_breaks",
                   help="natural_breaks (default), equal_interval, quantile")

    p = sub.add_parser("applicability", parents=[common],
                       help="dissimilarity index and area of applicability of a stack")
    p.add_argument("stack", help="factor stack the model was trained on")
    p.add_argument("samples", help="the model's samples")
    p.add_argument("di", help="dissimilarity index raster to write (.tif)")
    p.add_argument("mask", help="area of applicability raster to write (.tif)")
    p.add_argument("--folds", type=int, default=5, help="spatial folds for the threshold")

    p = sub.add_parser("evaluate", parents=[common],
                       help="metrics and ROC of LSI rasters on the validation samples")
    p.add_argument("samples", help="samples with the validation split")
    p.add_argument("lsi", nargs="+", help="LSI rasters")
    p.add_argument("--results", default=None, help="results file to write (.json)")
    return parser


def run(args: argparse.Namespace, client: Any, progress: Progress) -> str:
    """Run one command; return its summary line."""
    common = {"client": client, "window": args.window, "progress": progress}
    if args.command == "predict":
        from .core.model_io import model_kind

        if model_kind(args.model) == "lsnet":
            from .lsnet.client import predict_lsnet

            report = predict_lsnet(args.model, args.stack, args.output, name=args.name,
                                   block=args.window, progress=progress,
                                   client=client)
        else:
            from .core.predict import predict_lsi

            report = predict_lsi(args.model, args.stack, args.output, n_jobs=args.threads,
                                 name=args.name, sd_path=args.sd, **common)
        for message in report.messages:
            progress.warning(message)
        return (f"LSI of {report.valid_cells:,} cells written to {report.path} in "
                f"{report.map_time_s:.1f} s")
    if args.command == "stack":
        from .core.stack import build_stack

        report = build_stack(args.factor, args.output, reference=args.reference,
                             mask=args.mask, **common)
        return (f"stack of {len(args.factor)} factors ({report.valid_cells:,} valid cells) "
                f"written to {args.output}")
    if args.command == "fr":
        from .core.frequency_ratio import compute_fr, encode_stack

        result = compute_fr(args.stack, args.samples, classes=args.classes, **common)
        encode_stack(args.stack, result.encodings, args.output, **common)
        if args.table:
            from .core.raster import atomic_file

            with atomic_file(args.table) as tmp:
                tmp.write_text(json.dumps(result.table(), indent=1), encoding="utf-8")
        return f"FR stack written to {args.output}"
    if args.command == "zones":
        from .core.zoning import classify_raster

        zoning = classify_raster(args.lsi, args.output, method=args.method,
                                 n_classes=args.classes, **common)
        return (f"{len(zoning.classes)} zones ({zoning.valid_cells:,} cells) written to "
                f"{args.output}")
    if args.command == "applicability":
        from .core.applicability import area_of_applicability

        report = area_of_applicability(args.stack, args.samples, args.di, args.mask,
                                       folds=args.folds, **common)
        return (f"area of applicability written to {args.mask} ({100 * report.share_inside:.1f} "
                "% of cells inside)")
    if args.command == "evaluate":
        from .core.evaluation import evaluate_lsi, metric_rows, write_results

        evaluation = evaluate_lsi(args.lsi, args.samples, **common)
        if args.results:
            write_results(evaluation, args.results, inputs=[*args.lsi, args.samples])
        lines = [f"{row['model']}: AUROC {row['auroc']:.3f}, accuracy {row['accuracy']:.3f}, "
                 f"n {row['n']}" for row in metric_rows(evaluation)]
        return "\n".join(lines)
    raise LsmError(f"Unknown command '{args.command}'.")


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    progress = _progress(args.quiet)
    started = time.perf_counter()
    with tracking_outputs() as created:
        succeeded = False
        try:
            scheduler = resolve_scheduler(args.scheduler, parameter_name="The option --scheduler")
            with dask_client(scheduler, lsnet=_is_lsnet(args), log=progress.info) as client:
                summary = run(args, client, progress)
            succeeded = True
        except KeyboardInterrupt:
            print("error: interrupted; no output was written.", file=sys.stderr)
            return 130
        except Canceled as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 130
        except LsmError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        finally:
            if not succeeded:
                remove_created(created)
    print(summary)
    print(f"done in {time.perf_counter() - started:.1f} s ({scheduler.describe()})",
          file=sys.stderr)
    return 0


def _is_lsnet(args: argparse.Namespace) -> bool:
    return args.command == "predict" and Path(args.model).suffix.lower() == ".keras"
