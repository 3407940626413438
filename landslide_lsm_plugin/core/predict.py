"""Landslide susceptibility index (LSI) rasters: a model applied to a stack, window by window.

The stack's bands must be the model's factors, in order, with the same encoding. A model
trained on an FR-encoded stack carries its FR encoding, so it can also be applied to the raw
stack (encoded on the fly). Windows are predicted on worker threads (each with its own GDAL
handle) and written in order by one writer; memory stays bounded by a few windows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

import numpy as np

from .blocks import Block, Output, Stage, run_stage, task_dataset
from .errors import LsmError
from .frequency_ratio import encodings_from_spec
from .model_io import (
    UNSIGNED,
    KernelExpansion,
    kernel_expansion,
    load_kernel,
    load_model,
    unsigned_warning,
)
from .progress import SILENT, Progress
from .raster import (
    FLOAT_NODATA,
    WINDOW,
    Window,
    check_output_path,
    read_window,
)
from .records import LsiTags, LsnetMeta, ModelMeta
from .stack import StackInfo, stack_info

#: cells per chunk when evaluating a model (at most; kernel expansions take fewer, see
#: :func:`chunk_cells`)
CHUNK = 16384
#: memory the kernel matrices of all mapping threads may take together (bytes)
KERNEL_MEMORY = 256 * 1024 * 1024
#: bytes per cell per kernel centre while a chunk is evaluated (the kernel matrix in float32
#: and its float64 copy, or the matrix in float64 and its temporaries); measured ~12
KERNEL_BYTES = 12
#: the fewest cells per chunk, however many centres (below it numpy's overhead dominates)
MIN_CHUNK = 64


def chunk_cells(n_centres: int, threads: int = 1, budget: Optional[int] = None) -> int:
    """Cells per chunk so that the kernel matrices of ``threads`` threads, each a chunk of
    cells against ``n_centres`` centres, stay within ``budget`` bytes together (default
    KERNEL_MEMORY; at most CHUNK, at least MIN_CHUNK cells)."""
    if n_centres <= 0:
        return CHUNK
    budget = KERNEL_MEMORY if budget is None else budget
    cells = int(budget) // (KERNEL_BYTES * int(n_centres) * max(1, int(threads)))
    return int(min(CHUNK, max(MIN_CHUNK, cells)))


#: what a map of non-finite values means
NON_FINITE = ("the model file is damaged or was made for other data (extreme weights, or "
              "factors far outside the ranges it was trained on). Train the model again on "
              "this stack, or use the model file and stack that belong together.")


def check_stack_matches(meta: ModelMeta | LsnetMeta, info: StackInfo) -> Optional[list]:
    """Refuse a stack whose bands differ from the model's; return FR encodings to apply on
    the fly when the model is FR-based and the stack is raw (else None)."""
    factors = list(meta.factors)
    if info.names != factors:
        missing = [f for f in factors if f not in info.names]
        extra = [n for n in info.names if n not in factors]
        if missing or extra:
            detail = "; ".join(filter(None, [
                f"missing in the stack: {', '.join(missing)}" if missing else "",
                f"not in the model: {', '.join(extra)}" if extra else ""]))
        else:
            detail = f"same factors in another order: model {factors}, stack {info.names}"
        raise LsmError(f"The stack's bands do not match the model's factors ({detail}). Use the "
                       "stack the model was trained on, built with the same factors in the same "
                       "order.")
    if meta.encoding == "fr":
        fingerprint = meta.fr_fingerprint
        if info.encoding == "fr":
            stack_fp = (info.encoding_spec or {}).get("fingerprint")
            if stack_fp != fingerprint:
                raise LsmError("The stack is FR-encoded with another FR table than the model's "
                               f"(stack {stack_fp}, model {fingerprint}). Use the FR-encoded stack "
                               "the model was trained on, or the raw stack (the model then "
                               "applies its own FR encoding).")
            return None
        spec = meta.fr_encoding
        if not spec:
            raise LsmError("The model was trained on an FR-encoded stack but does not carry its "
                           "encoding; give it the FR-encoded stack.")
        return encodings_from_spec(spec)
    if info.encoding == "fr":
        raise LsmError("The model was trained on raw factors but the stack is FR-encoded. Use "
                       "the raw factor stack.")
    return None


def encode_rows(x: np.ndarray, encodings: Optional[list]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of raw factor values as an FR model reads them (each factor's FR of its class;
    ``encodings`` from :func:`check_stack_matches`; None: the rows as they are), and which rows
    hold only known classes (the others get class 0's FR and must be left out)."""
    if encodings is None or not x.size:
        return x, np.ones(x.shape[0], dtype=bool)
    x = np.array(x, dtype=float)
    ok = np.ones(x.shape[0], dtype=bool)
    for i, enc in enumerate(encodings):
        idx = enc.class_index(x[:, i])
        ok &= idx >= 0
        x[:, i] = np.asarray(enc.fr)[np.maximum(idx, 0)]
    return x, ok


def probability_function(estimator) -> Callable[[np.ndarray], np.ndarray]:
    """P(landslide) for rows of factors. RBF-SVM and KLR pipelines get a vectorised form of
    scikit-learn's own computation (their kernel expansion): one weighted sum of RBF kernels,
    then a sigmoid. A model with a decision function (logistic regression) has it checked
    first: non-finite values (extreme weights) saturate its probabilities to 0 and 1, a map
    that would look valid."""
    expansion = kernel_expansion(estimator)
    if expansion is not None:
        return kernel_probability(expansion)
    decision = getattr(estimator, "decision_function", None)  # None: e.g. a random forest

    def proba(x: np.ndarray) -> np.ndarray:
        if decision is not None:
            with np.errstate(over="ignore", invalid="ignore"):  # checked just below
                f = np.asarray(decision(x), dtype=np.float64)
            bad = ~np.isfinite(f)
            if bad.any():
                raise LsmError(f"The model gives no finite decision value (NaN or infinite) "
                               f"for {int(bad.sum())} of {f.size} cells: {NON_FINITE}")
        return estimator.predict_proba(x)[:, 1]

    return proba


class RbfSum:
    """f(x) = sum_j w_j exp(-gamma |x - c_j|^2) + b, the decision function of both the RBF-SVM
    (centres: support vectors, weights: dual coefficients) and KLR (centres: kernel centres,
    weights: the logistic coefficients mapped back through the Nystroem normalisation).

    The kernel matrix (matrix product and exponential, the costly part) is built in float32
    when rounding cannot matter: the worst-case error of the weighted sum, sum |w| * 2^-23,
    stays below 1e-6; otherwise (large weights that cancel, as with a huge C and a tiny gamma)
    in float64. The sum itself is always taken in float64.
    """

    def __init__(self, centres: np.ndarray, weights: np.ndarray, gamma: float,
                 bias: float) -> None:
        self.weights = np.asarray(weights, dtype=np.float64)
        with np.errstate(over="ignore"):  # weights near the float64 limit: float64, surely
            total = np.abs(self.weights).sum()
        self.dtype = np.float32 if total * 2.0 ** -23 < 1e-6 else np.float64
        self.centres = np.ascontiguousarray(centres, dtype=self.dtype)
        self.gamma = self.dtype(gamma)
        self.bias = float(bias)
        self.centre_term = (self.gamma * np.einsum("ij,ij->i", self.centres,
                                                   self.centres)).astype(self.dtype)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        k = x @ self.centres.T
        k *= 2 * self.gamma
        k -= (self.gamma * np.einsum("ij,ij->i", x, x))[:, None]
        k -= self.centre_term[None, :]
        np.minimum(k, 0.0, out=k)  # -gamma * squared distance, never positive
        np.exp(k, out=k)
        return (k if k.dtype == np.float64 else k.astype(np.float64)) @ self.weights + self.bias


def kernel_probability(expansion: KernelExpansion) -> Callable[[np.ndarray], np.ndarray]:
    """P(landslide) for rows of factors from a kernel expansion (numpy only): the scalers as
    scikit-learn's StandardScaler.transform applies them (a copy in the rows' float type, the
    mean and the scale cast to that type, subtracted and divided in place), then the RBF sum
    and the link."""
    rbf = RbfSum(expansion.centres, expansion.weights, expansion.gamma, expansion.bias)
    a, b = expansion.link_ab
    scalers = list(zip(expansion.scaler_mean, expansion.scaler_scale))

    def proba(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        x = np.array(x, dtype=x.dtype if x.dtype in _FLOATS else np.float64)
        for mean, scale in scalers:
            x -= mean.astype(x.dtype, copy=False)
            x /= scale.astype(x.dtype, copy=False)
        with np.errstate(over="ignore", invalid="ignore"):  # checked just below
            f = rbf(x)
        bad = ~np.isfinite(f)
        if bad.any():
            raise LsmError(f"The model gives no finite decision value (NaN or infinite) for "
                           f"{int(bad.sum())} of {f.size} cells: {NON_FINITE}")
        if expansion.link == "logistic":
            return 1.0 / (1.0 + np.exp(-f))
        return 1.0 / (1.0 + np.exp(a * f + b))  # Platt's sigmoid

    return proba


_FLOATS = (np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.float16))


@dataclass
class PredictReport:
    path: str
    valid_cells: int
    map_time_s: float
    model_type: str
    unseen_category_cells: int = 0
    messages: list = field(default_factory=list)
    #: how the model was evaluated: its kernel expansion, or its scikit-learn pipeline
    evaluator: str = ""
    #: seconds spent opening the model and the stack before the map
    load_time_s: float = 0.0
    #: the standard-deviation raster written with the map ("" if none)
    sd_path: str = ""
    #: where the map was computed (core.blocks.StageResult.engine)
    engine: str = ""


#: most distinct values a column may hold for integer row keys (else rows are compared as bytes)
MAX_COLUMN_VALUES = 4096
#: the largest key range deduplicated through a lookup table (else by sorting the keys)
TABLE_KEYS = 1 << 21


def predict_distinct(predict: Callable, x: np.ndarray) -> np.ndarray:
    """predict(x) evaluated once per distinct row of x: every row gets the number predict
    gives it (to the last bits a BLAS matrix product may vary with a row's place in the
    batch, ~1e-15)."""
    first, inverse = distinct_rows(x)
    return predict(x[first])[inverse]


def distinct_rows(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse): x[first] holds each distinct row of a 2-D x once (by value: 0.0 and
    -0.0 are one), and x[first][inverse] equals x.

    FR-encoded columns hold a few distinct values each: every row gets one integer key from
    its columns' value codes (mixed radix, renumbered densely whenever the key range would
    outgrow a lookup table), and rows are deduplicated on that key. Columns with many values
    fall back to comparing whole rows as bytes (:func:`distinct_rows_bytes`)."""
    n = x.shape[0]
    if n == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    columns = np.ascontiguousarray(x.T)  # one column at a time: make columns contiguous
    key = np.zeros(n, dtype=np.int64)
    size = 1
    for col in columns:
        codes = _column_codes(col)
        if codes is None:
            return distinct_rows_bytes(x)
        codes, k = codes
        if size * k > TABLE_KEYS:
            key, size = _dense_keys(key, size)
        key *= k
        key += codes
        size *= k
    inverse, count = _dense_keys(key, size)
    first = np.empty(count, dtype=np.intp)
    first[inverse] = np.arange(n)  # any row of a key will do: they are the same row
    return first, inverse


def distinct_rows_bytes(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`distinct_rows` by sorting the rows viewed as raw bytes (any values)."""
    rows = np.ascontiguousarray(x).view(np.dtype((np.void, x.dtype.itemsize * x.shape[1])))
    _, first, inverse = np.unique(rows.ravel(), return_index=True, return_inverse=True)
    return first, inverse.ravel()


def _column_codes(col: np.ndarray) -> Optional[tuple[np.ndarray, int]]:
    """(codes, k): col == values[codes] for the column's k sorted distinct values; None when
    it holds more than MAX_COLUMN_VALUES of them (or NaN). The values are taken from a sample
    of the cells, checked on every cell, and completed with the values of the cells the
    sample missed (rare classes), so the whole column is never sorted."""
    values = np.unique(col[::max(1, col.size // 4096)])
    for _ in range(2):
        if values.size > MAX_COLUMN_VALUES:
            return None
        if values.size <= 16:  # a few comparisons beat a binary search
            codes = np.zeros(col.size, dtype=np.int16)
            for v in values[:-1]:
                codes += col > v
        else:
            codes = np.minimum(np.searchsorted(values, col), values.size - 1).astype(np.int16)
        missed = values[codes] != col
        if not missed.any():
            return codes, int(values.size)
        values = np.union1d(values, col[missed])  # now holds every value but NaN
    return None


def _dense_keys(key: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """Keys in [0, size) renumbered 0..count-1 in increasing order; (new keys, count)."""
    if size <= min(TABLE_KEYS, 16 * key.size + 1024):
        seen = np.zeros(size, dtype=bool)
        seen[key] = True
        present = np.flatnonzero(seen)
        renumber = np.empty(size, dtype=np.int64)
        renumber[present] = np.arange(present.size)
        return renumber[key], int(present.size)
    present, inverse = np.unique(key, return_inverse=True)
    return inverse.ravel().astype(np.int64, copy=False), int(present.size)


def predict_array(proba: Callable, x: np.ndarray, chunk: int = CHUNK) -> np.ndarray:
    """P(landslide) of rows of x, evaluated in chunks of ``chunk`` rows."""
    chunk = max(1, int(chunk))
    out = np.empty(x.shape[0], dtype=np.float64)
    for start in range(0, x.shape[0], chunk):
        out[start:start + chunk] = proba(x[start:start + chunk])
    return out


def _member_probability(model_path: str, member: int, signing_key: Optional[bytes]
                        ) -> tuple[Callable[[np.ndarray], np.ndarray], int]:
    """P(landslide) of one ensemble member (its kernel expansion when it has one), and its
    number of kernel centres (0: none)."""
    _, expansion, _ = load_kernel(model_path, signing_key, member=member)
    if expansion is None:
        estimator = load_model(model_path, signing_key, member=member).estimator
        expansion = kernel_expansion(estimator)
        if expansion is None:
            return probability_function(estimator), 0
    return kernel_probability(expansion), len(expansion.centres)


def ensemble_probability(probas: list, chunk: int) -> Callable[[np.ndarray], np.ndarray]:
    """(mean, SD) of the members' P(landslide) for rows of x: an (n, 2) array."""
    def predict(x: np.ndarray) -> np.ndarray:
        values = np.stack([predict_array(f, x, chunk) for f in probas])
        # the spread around the first member: exactly 0 where the members agree exactly
        spread = (values - values[0]).std(axis=0)
        return np.column_stack([values.mean(axis=0), spread])

    return predict


def predict_lsi(model_path: str, stack_path: str, output_path: str, *, n_jobs: int = 2,
                progress: Progress = SILENT, name: Optional[str] = None,
                model_file: Optional[str] = None,
                signing_key: Optional[bytes] = None,
                sd_path: Optional[str] = None, client: Any = None,
                window: int = WINDOW) -> PredictReport:
    """Write the LSI raster (Float32, 0..1, nodata kept) of a model over a stack. A model
    file this installation signed (``signing_key``) and that changed since is refused; one it
    did not sign maps with a warning (see core.model_io).

    ``model_file`` is the path recorded in the raster's metadata (default: ``model_path``;
    given when the model is still a temporary file about to be renamed).

    A model file with an ensemble (Train algorithms, 'Ensemble for uncertainty maps') is mapped
    as the mean of its members' LSI, and ``sd_path`` gets the members' standard deviation
    (Float32, same grid): the uncertainty map.

    ``client``: a distributed.Client to map on a Dask cluster (see core.blocks); ``window``:
    cells per side of a window (any size gives the same map)."""
    started = time.perf_counter()
    out = check_output_path(output_path, [model_path, stack_path])
    sd_out = check_output_path(sd_path, [model_path, stack_path]) if sd_path else None
    if sd_out is not None and sd_out.resolve() == out.resolve():
        raise LsmError("The LSI and its standard deviation need two different files.")
    # RBF-SVM and KLR files carry their kernel expansion: numpy alone maps them (no skops, no
    # scikit-learn to import); other models go through their scikit-learn pipeline
    model_meta, expansion, trust = load_kernel(model_path, signing_key)
    members = model_meta.ensemble_size
    if sd_out is not None and not members:
        raise LsmError(f"'{Path(model_path).name}' has no ensemble, so it has no standard "
                       "deviation to map. Train it with 'Ensemble for uncertainty maps', or "
                       "leave the standard-deviation output empty.")
    if members:
        probas = [_member_probability(model_path, i, signing_key) for i in range(members)]
        chunk = chunk_cells(max(c for _, c in probas), n_jobs)
        proba = ensemble_probability([f for f, _ in probas], chunk)
        evaluator = f"ensemble of {members} members ({model_meta.ensemble.get('kind')})"
        expansion = None
    elif expansion is not None:
        proba, evaluator = kernel_probability(expansion), "kernel expansion (kernel.npz)"
    else:
        model = load_model(model_path, signing_key)
        model_meta, evaluator = model.meta, "scikit-learn pipeline (model.skops)"
        expansion = kernel_expansion(model.estimator)
        proba = (kernel_probability(expansion) if expansion is not None
                 else probability_function(model.estimator))
    # a chunk of cells against every kernel centre, per thread: bounded by KERNEL_MEMORY
    chunk = chunk_cells(len(expansion.centres) if expansion is not None else 0, n_jobs)
    info = stack_info(stack_path)
    encodings = check_stack_matches(model_meta, info)
    load_time = time.perf_counter() - started
    predict = proba if members else (lambda x: predict_array(proba, x, chunk))
    report = _predict_windows(stack_path, info, out, model_meta,
                              str(Path(model_file or model_path).resolve()), encodings,
                              predict, n_jobs, progress, name, sd_out, client, window)
    report.evaluator, report.load_time_s = evaluator, load_time
    if trust == UNSIGNED:
        report.messages.insert(0, unsigned_warning(Path(model_path).name))
    return report


class PredictTask:
    """One window of an LSI map (a picklable task of core.blocks): the stack's cells read,
    FR-encoded on the fly where the model needs it, ``predict`` applied (per distinct row for
    FR models), and the LSI (and an ensemble's SD) as Float32 arrays."""

    def __init__(self, stack_path: str, predict: Callable, encodings: Optional[list],
                 dedupe: bool, with_sd: bool) -> None:
        self.stack_path, self.predict, self.encodings = stack_path, predict, encodings
        self.dedupe, self.with_sd = dedupe, with_sd

    def __call__(self, win: Window) -> Block:
        data, valid = read_window(task_dataset(self.stack_path, "factor stack"), win)
        lsi = np.full(valid.shape, FLOAT_NODATA, dtype=np.float32)
        sd = np.full(valid.shape, FLOAT_NODATA, dtype=np.float32) if self.with_sd else None
        x = data[:, valid].T
        unseen = 0
        if self.encodings is not None and x.size:
            x, ok = encode_rows(x, self.encodings)
            if not ok.all():
                unseen = int((~ok).sum())
                cells = np.flatnonzero(valid.ravel())
                valid.ravel()[cells[~ok]] = False
                x = x[ok]
        if x.shape[0]:
            p = predict_distinct(self.predict, x) if self.dedupe else self.predict(x)
            bad = ~np.isfinite(p)
            if bad.any():  # raised inside the writer: the half-made map is removed
                raise LsmError(f"The model gives no finite LSI (NaN or infinite) for "
                               f"{int(bad.sum())} of {p.size} cells: {NON_FINITE}")
            if p.ndim == 2:  # an ensemble: mean and standard deviation
                if sd is not None:
                    sd[valid] = p[:, 1]
                p = p[:, 0]
            lsi[valid] = np.clip(p, 0.0, 1.0)
        arrays = (lsi,) if sd is None else (lsi, sd)
        return Block(arrays, {"valid_cells": int(valid.sum()), "unseen": unseen})


def _predict_windows(stack_path: str, info: StackInfo, out: Path, meta: ModelMeta,
                     model_file: str, encodings,
                     predict: Callable, n_jobs: int, progress: Progress,
                     name: Optional[str], sd_out: Optional[Path] = None,
                     client: Any = None, window: int = WINDOW) -> PredictReport:
    """Map ``predict`` (P for rows of factors; for an ensemble an (n, 2) array of mean and SD)
    window by window into ``out`` (and the SD into ``sd_out``), in-process or on Dask."""
    # FR-encoded factors take few distinct combinations (~1 in 6 cells here): each is
    # evaluated once
    task = PredictTask(stack_path, predict, encodings, meta.encoding == "fr", sd_out is not None)
    tags = replace(LsiTags.of_model(meta, name or meta.name or meta.model_type or "model",
                                    model_file),
                   sd_file=str(sd_out.resolve()) if sd_out else "",
                   ensemble_size=meta.ensemble_size)
    outputs = [Output(out, 1, "float32", FLOAT_NODATA, ("lsi",), tags.to_metadata())]
    if sd_out:  # published before the LSI that names it; a failure or cancel leaves neither
        outputs.append(Output(sd_out, 1, "float32", FLOAT_NODATA, ("lsi_sd",),
                              {"LSM_SD_OF": str(out.resolve())}))
    stage = Stage("predict", info.grid, task, tuple(outputs), window=window,
                  finish=lambda counts, seconds: [
                      replace(tags, map_time_s=seconds).to_metadata()])
    result = run_stage(stage, client, threads=n_jobs, progress=progress)
    unseen = int(result.counts.get("unseen", 0))
    report = PredictReport(str(out), int(result.counts.get("valid_cells", 0)), result.seconds,
                           meta.model_type, unseen, sd_path=str(sd_out) if sd_out else "",
                           engine=result.engine)
    if unseen:
        report.messages.append(f"{unseen} cells hold a category the model's FR encoding has "
                               "never seen; they were left as nodata.")
    return report
