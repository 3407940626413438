"""The LSNet worker: the only process that imports tensorflow.

    python -m landslide_lsm_plugin.lsnet.worker JOB.json

JOB.json says what to do ("train", "predict" or "probe") and where. The worker reports on
stdout as JSON lines: {"event": "start"|"info"|"warning"|"progress"|"epoch"|"done"|"error", ...}.
QGIS never imports tensorflow (importing it after QGIS has started crashes QGIS); it runs this
worker as a child process (lsnet/client.py), relays its progress and kills it on cancel.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import hashlib
import json
import os
import sys
import time
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np


def emit(event: str, **fields) -> None:
    """Print one event of the worker protocol (core.records) for the client."""
    from ..core.records import worker_event

    print(worker_event(event, **fields), flush=True)


def _progress():
    from ..core.progress import Progress

    return Progress(on_percent=lambda p: emit("progress", percent=round(p, 2)),
                    on_info=lambda m: emit("info", message=m),
                    on_warning=lambda m: emit("warning", message=m))


# --- training ----------------------------------------------------------------------------------

def _training_cells(job: dict, progress):
    from ..core.errors import LsmError
    from ..core.raster import open_raster
    from ..core.sampling import read_samples, shared_cells_warning, values_at
    from ..core.stack import stack_info
    from ..core.strategy import LSNET_MAX_SAMPLES, subset_by_landslide

    info = stack_info(job["stack"])
    if info.encoding != "raw":
        raise LsmError("LSNet learns from the raw factor maps: give it the raw factor stack, not "
                       "the FR-encoded one.")
    ds = open_raster(job["stack"], "factor stack")
    samples = read_samples(job["samples"], info.grid)
    # what every Train algorithm says of a samples layer (core.training.sample_warnings, which
    # needs scikit-learn: not here); LSNet does not use the folds
    shared = shared_cells_warning(samples, info.grid)
    for message in list(samples.messages) + ([shared] if shared else []):
        progress.warning(message)
    train = samples.subset(samples.train)
    _, ok = values_at(ds, train.x, train.y)
    if (~ok).any():
        progress.warning(f"{int((~ok).sum())} training sample(s) on nodata cells were ignored.")
    train = train.subset(ok)
    if np.unique(train.label).size < 2:
        raise LsmError("The training samples hold only one class; LSNet needs landslide and "
                       "non-landslide cells.")
    rng = np.random.default_rng(job["params"]["seed"])
    max_samples = int(job["params"].get("max_samples", LSNET_MAX_SAMPLES))
    if 0 < max_samples < len(train):
        keep = subset_by_landslide(train.label, train.landslide_id, max_samples,
                                   int(job["params"]["seed"]))
        progress.info(f"LSNet: {len(keep):,} of {len(train):,} training samples are used, drawn "
                      "as a share of every landslide's cells: every patch is held in memory "
                      "(parameter 'Maximum "
                      "training samples'; 0 = all).")
        train = train.subset(keep)
    # early-stopping part: whole landslides, and the same share of other cells
    frac = float(job["params"].get("early_stopping_fraction", 0.15))
    ls = train.label == 1
    ids = np.unique(train.landslide_id[ls])
    rng.shuffle(ids)
    n_es = max(1, int(round(frac * ids.size))) if ids.size > 1 else 0
    es = ls & np.isin(train.landslide_id, ids[:n_es])
    others = np.flatnonzero(~ls)
    rng.shuffle(others)
    es[others[:int(round(frac * others.size))]] = True
    col, row = info.grid.cell_of(train.x, train.y)
    return info, ds, train, row, col, es


def _extract(ds, rows, cols, window: int, prep, dtype=np.float16):
    from .patches import read_padded

    center = window // 2
    out = np.empty((len(rows), window, window, prep.n_channels), dtype=dtype)
    unseen = 0
    for i, (r, c) in enumerate(zip(rows, cols)):
        raw, valid = read_padded(ds, int(r) - center, int(c) - center, window, window)
        out[i], n = prep.apply(raw, valid)
        unseen += n
    return out, unseen


def train(job: dict) -> dict:
    import keras
    import tensorflow as tf

    from ..core.errors import LsmError
    from ..core.metrics import rank_auroc as auroc
    from ..core.records import LSNET_FORMAT, LsnetMeta
    from ..core.strategy import LSNET_PATCHES_PER_EPOCH, LSNET_TIME_BUDGET_S
    from ..version import __version__
    from .network import build_patch_model, compile_model
    from .patches import check_window, dihedral, fit_preprocessing, read_padded

    progress = _progress()
    params = job["params"]
    window, width, seed = int(params["window"]), float(params["width"]), int(params["seed"])
    try:
        check_window(window)
    except ValueError as exc:
        raise LsmError(str(exc)) from exc
    keras.utils.set_random_seed(seed)
    devices = [d.name for d in tf.config.list_logical_devices()]
    if not tf.config.list_physical_devices("GPU"):
        tf.config.experimental.enable_op_determinism()
    emit("start", devices=devices, tensorflow=tf.__version__, python=sys.executable)

    start = time.perf_counter()
    info, ds, train_set, rows, cols, es = _training_cells(job, progress)
    fit_idx, es_idx = np.flatnonzero(~es), np.flatnonzero(es)
    if fit_idx.size < 4 or es_idx.size < 2 or np.unique(train_set.label[es_idx]).size < 2:
        raise LsmError(f"Too few training samples for LSNet ({len(train_set)}): it needs enough "
                       "landslide and non-landslide cells to hold some out for early stopping.")
    rng = np.random.default_rng(seed)
    stats_idx = rng.choice(fit_idx, min(300, fit_idx.size), replace=False)
    center = window // 2
    raw_patches = [read_padded(ds, int(rows[i]) - center, int(cols[i]) - center, window, window)
                   for i in stats_idx]
    prep = fit_preprocessing(info.names, info.kinds, raw_patches)
    del raw_patches
    emit("info", message=f"LSNet: {fit_idx.size} training + {es_idx.size} early-stopping "
                         f"patches of {window} x {window} cells, {prep.n_channels} channels, "
                         f"width {width:g}, on {', '.join(devices)}")
    x_fit, _ = _extract(ds, rows[fit_idx], cols[fit_idx], window, prep)
    x_es, _ = _extract(ds, rows[es_idx], cols[es_idx], window, prep, np.float32)
    y_fit, y_es = train_set.label[fit_idx].astype(np.int32), train_set.label[es_idx]

    model = compile_model(build_patch_model(window, prep.n_channels, width,
                                            float(params.get("dropout", 0.5)),
                                            bool(params.get("center_skip", False))),
                          float(params.get("learning_rate", 1e-3)))
    batch = int(params.get("batch_size", 32))
    epochs = int(params.get("epochs", 100))
    patience = int(params.get("patience", 10))
    per_epoch = int(params.get("patches_per_epoch", LSNET_PATCHES_PER_EPOCH))
    per_epoch = fit_idx.size if per_epoch <= 0 else min(per_epoch, fit_idx.size)
    budget = float(params.get("time_budget_s", LSNET_TIME_BUDGET_S))
    emit("info", message=f"LSNet: each epoch trains on {per_epoch:,} of the {fit_idx.size:,} "
                         "training patches, a new random draw each epoch (parameter 'Patches "
                         f"per epoch'); training stops after {epochs} epochs, after {patience} "
                         "epochs without a better early-stopping AUROC, or "
                         + (f"once {budget / 60:g} minutes have passed (parameter 'Time "
                            "budget')" if budget > 0 else "never on time (no time budget)")
                         + "; the best epoch is kept.")
    augment = bool(params.get("augment", True))
    aspect = prep.aspect_channels()
    weights = {c: len(y_fit) / (2.0 * max(1, int(np.sum(y_fit == c)))) for c in (0, 1)}
    best_epoch = 1
    warmup = min(5, epochs)
    # early stopping on the held-out AUROC (what the map is judged by), ties broken by loss
    history, best, best_weights, waited = [], (-np.inf, 0.0), model.get_weights(), 0
    train_share = 0.85 if job.get("lsi") else 1.0
    loop_start = time.perf_counter()  # the time budget counts the epochs, not the patch reads
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        order = rng.permutation(fit_idx.size)[:per_epoch]
        losses, accs = [], []
        for first in range(0, order.size, batch):
            sel = order[first:first + batch]
            xb = x_fit[sel].astype(np.float32)
            if augment:
                xb = dihedral(xb, int(rng.integers(0, 8)), aspect)
            yb = y_fit[sel]
            loss, acc = model.train_on_batch(xb, yb, sample_weight=np.array(
                [weights[int(v)] for v in yb], dtype=np.float32))
            losses.append(float(loss))
            accs.append(float(acc))
        p_es = model.predict(x_es, batch_size=128, verbose=0)[:, 1].astype(np.float64)
        p_clip = np.clip(p_es, 1e-7, 1 - 1e-7)
        val_loss = float(-np.mean(y_es * np.log(p_clip) + (1 - y_es) * np.log(1 - p_clip)))
        val_auroc = auroc(y_es, p_es)
        record = {"epoch": epoch, "loss": float(np.mean(losses)),
                  "accuracy": float(np.mean(accs)), "val_loss": val_loss,
                  "val_auroc": val_auroc, "seconds": time.perf_counter() - t0}
        history.append(record)
        emit("epoch", epochs=epochs, **record)
        elapsed = time.perf_counter() - loop_start
        share = max(epoch / epochs, min(1.0, elapsed / budget) if budget > 0 else 0.0)
        emit("progress", percent=round(100 * train_share * share, 2))
        score = (round(val_auroc, 4) if np.isfinite(val_auroc) else -np.inf, -val_loss)
        if epoch >= warmup:  # the first epochs' scores are noise around 0.5: not candidates
            if score > best:
                best, best_weights, best_epoch, waited = score, model.get_weights(), epoch, 0
            else:
                waited += 1
                if waited >= patience:
                    emit("info", message=f"Early stopping after epoch {epoch}: the early-"
                                         f"stopping AUROC has not improved for {patience} "
                                         "epochs.")
                    break
        if budget > 0 and elapsed >= budget and epoch < epochs:
            if not np.isfinite(best[0]):  # still warming up: keep what there is
                best_weights, best_epoch = model.get_weights(), epoch
            emit("info", message=f"Time budget of {budget / 60:g} minutes reached after epoch "
                                 f"{epoch} (parameter 'Time budget'); epoch {best_epoch}, the "
                                 "best so far, is kept. Where a run stops on time depends on "
                                 "the machine's speed and load: for a run the same seed "
                                 "repeats exactly, set 'Time budget' to 0.")
            break
    model.set_weights(best_weights)
    training_time = time.perf_counter() - start
    model.save(job["model_path"])
    with open(job["model_path"], "rb") as fh:
        keras_sha = hashlib.sha256(fh.read()).hexdigest()
    meta = {
        "format": LSNET_FORMAT, "format_version": 1, "plugin_version": __version__,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "name": job.get("name") or "LSNet", "model_type": "lsnet", "encoding": "raw",
        "factors": info.names, "factor_kinds": info.kinds, "window": window, "center": center,
        "width": width, "preprocessing": prep.to_dict(),
        "hyperparameters": {k: params[k] for k in sorted(params)},
        "history": history, "best_epoch": best_epoch, "training_time_s": training_time,
        "n_train": int(fit_idx.size), "n_early_stopping": int(es_idx.size),
        "epochs_run": len(history), "patches_per_epoch": per_epoch,
        "n_train_landslide": int(np.sum(y_fit == 1)), "seed": seed, "devices": devices,
        "cv_score": float(history[best_epoch - 1]["val_auroc"]),
        "keras_sha256": keras_sha, "tensorflow": tf.__version__,
    }
    meta = LsnetMeta.from_dict(meta, os.path.basename(job["sidecar_path"])).to_dict()
    with open(job["sidecar_path"], "w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=1)
    emit("trained", training_time_s=training_time, best_epoch=best_epoch)
    if job.get("lsi"):
        predict({"model_path": job["model_path"], "sidecar": meta, "stack": job["stack"],
                 "lsi": job["lsi"], "block": job.get("block", 512), "name": meta["name"],
                 "model_file": job.get("model_file", ""),
                 "progress_from": 100 * train_share}, model=model)
    return meta


# --- prediction --------------------------------------------------------------------------------

def load_model(model_path: str, meta):
    """The Keras patch model of an LSNet file, checked against its sidecar's checksum and
    loaded in safe mode (lsnet.tasks.load_keras_model)."""
    from .tasks import load_keras_model

    return load_keras_model(model_path, meta.keras_sha256)


def predict(job: dict, model=None) -> dict:
    """LSNet's map of a stack (lsnet.tasks.lsnet_stage), run here window by window: the same
    stage client.predict_lsnet runs on a Dask cluster."""
    import tensorflow as tf

    from ..core.blocks import run_stage
    from ..core.predict import check_stack_matches
    from ..core.records import LsnetMeta
    from ..core.stack import stack_info
    from .tasks import BLOCK, lsnet_stage

    meta = LsnetMeta.from_dict(job["sidecar"], "the job's sidecar")
    if model is None:
        emit("start", devices=[d.name for d in tf.config.list_logical_devices()],
             tensorflow=tf.__version__, python=sys.executable)
    model_path = job["model_path"]
    info = stack_info(job["stack"])
    check_stack_matches(meta, info)
    stage = lsnet_stage(job["stack"], model_path, meta, job["lsi"], grid=info.grid,
                        block=int(job.get("block", BLOCK)), name=job.get("name"),
                        model_file=job.get("model_file", ""))
    # the network, loaded (and its file checked) before any window; the model just trained
    # is used as it is
    stage.task.network(model)
    first = float(job.get("progress_from", 0.0))
    result = run_stage(stage, None, threads=1, progress=_progress().sub(first, 100))
    valid_cells = int(result.counts.get("valid_cells", 0))
    unseen = int(result.counts.get("unseen", 0))
    emit("mapped", valid_cells=valid_cells, map_time_s=result.seconds,
         unseen_category_cells=unseen, engine=f"LSNet worker, {result.engine}")
    return {"valid_cells": valid_cells, "map_time_s": result.seconds}


# --- explaining --------------------------------------------------------------------------------

def explain(job: dict) -> dict:
    """LSNet's permutation importance (a factor's whole channel group permuted across the
    validation patches) and response curves (a factor's raw value set across the whole patch of
    each training sample), as core.explain computes them for the other models."""
    import tensorflow as tf

    from ..core.errors import LsmError
    from ..core.explain import explanation_of, response_curves, stratified_subset
    from ..core.importance import permutation_importance
    from ..core.predict import check_stack_matches
    from ..core.raster import open_raster
    from ..core.records import LsnetMeta
    from ..core.sampling import read_samples, values_at
    from ..core.stack import stack_info
    from .patches import Preprocessing, read_padded

    progress = _progress()
    meta = LsnetMeta.from_dict(job["sidecar"], "the job's sidecar")
    emit("start", devices=[d.name for d in tf.config.list_logical_devices()],
         tensorflow=tf.__version__, python=sys.executable)
    model = load_model(job["model_path"], meta)
    info = stack_info(job["stack"])
    check_stack_matches(meta, info)
    if meta.preprocessing is None or meta.window is None:
        raise LsmError("The LSNet sidecar lacks the network's window or preprocessing; train "
                       "the model again.")
    prep = Preprocessing.from_dict(meta.preprocessing)
    window, center = meta.window, meta.window // 2
    ds = open_raster(job["stack"], "factor stack")
    samples = read_samples(job["samples"], info.grid)
    seed = int(job.get("seed", 42))

    def split(mask, limit):
        part = samples.subset(mask)
        values, ok = values_at(ds, part.x, part.y)
        part, values = part.subset(ok), values[ok]
        keep = stratified_subset(part.label, limit, seed)
        col, row = info.grid.cell_of(part.x, part.y)
        return part, values, row, col, keep

    def predict(patches: np.ndarray) -> np.ndarray:
        return model.predict(patches.astype(np.float32), batch_size=64,
                             verbose=0)[:, 1].astype(np.float64)

    val, _, row, col, keep = split(samples.validation, int(job.get("max_importance", 400)))
    if keep.size == 0:
        raise LsmError("The samples have no validation cells on valid cells of the stack; "
                       "factor importance needs the validation split of 'Prepare training "
                       "samples'.")
    emit("info", message=f"LSNet importance on {keep.size:,} of {len(val):,} validation patches "
                         f"({window} x {window} cells), {int(job.get('repeats', 5))} repeats")
    n_importance = int(keep.size)
    patches, _ = _extract(ds, row[keep], col[keep], window, prep)
    importance = permutation_importance(
        predict, patches, val.label[keep], list(prep.factors),
        groups=prep.factor_channels(), repeats=int(job.get("repeats", 5)), seed=seed,
        progress=progress.sub(0, 60))
    del patches
    train, train_values, row, col, keep = split(samples.train,
                                                int(job.get("max_response", 100)))
    tiles, valids = [], []
    for r, c in zip(row[keep], col[keep]):
        raw, valid = read_padded(ds, int(r) - center, int(c) - center, window, window)
        tile, _ = prep.apply(raw, valid)
        tiles.append(tile)
        valids.append(valid)
    tiles, valids = np.stack(tiles), np.stack(valids)
    groups = prep.factor_channels()

    def mean_response(i: int, value: float) -> float:
        one = np.zeros((len(prep.factors), 1, 1))
        one[i] = value
        channels, _ = prep.apply(one, np.ones((1, 1), dtype=bool))
        changed = tiles.copy()
        for k in groups[i]:
            changed[..., k] = np.where(valids, channels[0, 0, k], 0.0)
        return float(np.mean(predict(changed)))

    emit("info", message=f"LSNet response curves over {keep.size:,} training patches")
    curves = response_curves(mean_response, list(prep.factors), list(prep.kinds), train_values,
                             train.label, points=int(job.get("points", 20)),
                             progress=progress.sub(60, 100))
    explanation = explanation_of(importance, curves, name=job.get("name") or meta.name,
                                 model_type="lsnet", model_file=job.get("model_file", ""),
                                 stack=job["stack"], samples=job.get("samples_label") or
                                 job["samples"], n_importance=n_importance,
                                 n_response=keep.size)
    return explanation.to_dict()


def probe() -> None:
    import tensorflow as tf

    emit("probe", tensorflow=tf.__version__,
         devices=[d.name for d in tf.config.list_logical_devices()])


def main(argv: list) -> int:
    from ..core.errors import LsmError
    from ..core.records import WorkerExit

    if len(argv) != 2:
        print("usage: python -m landslide_lsm_plugin.lsnet.worker JOB.json", file=sys.stderr)
        return WorkerExit.USAGE
    with open(argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    # stderr is what the client shows when the worker dies without a word (killed, crashed):
    # say what this worker was, and let a fatal signal (a crash in TensorFlow) print the stack
    # (Python 3.14+ would add the C stack: dozens of lines that push the Python frames, which
    # say where it happened, out of the tail the error message shows)
    faulthandler.enable(**({"c_stack": False} if sys.version_info >= (3, 14) else {}))
    print(f"LSNet worker {os.getpid()}: {job.get('command')} with Python {sys.executable}",
          file=sys.stderr, flush=True)
    try:
        if job["command"] == "train":
            meta = train(job)
            emit("done", training_time_s=meta["training_time_s"])
        elif job["command"] == "predict":
            emit("done", **predict(job))
        elif job["command"] == "explain":
            emit("explained", explanation=explain(job))
            emit("done")
        elif job["command"] == "probe":
            probe()
        else:
            raise LsmError(f"Unknown worker command {job['command']!r}.")
    except LsmError as exc:
        emit("error", message=str(exc))
        return WorkerExit.REFUSED
    except MemoryError:
        emit("error", message="LSNet ran out of memory. Use a smaller window, width or batch "
                              "size, or fewer training samples.")
        return WorkerExit.OUT_OF_MEMORY
    except Exception as exc:
        traceback.print_exc()
        emit("error", message=f"{type(exc).__name__}: {exc}")
        return WorkerExit.UNEXPECTED
    return WorkerExit.OK


if __name__ == "__main__":
    sys.exit(main(sys.argv))
