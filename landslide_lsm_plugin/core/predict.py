"""Landslide susceptibility index (LSI) rasters: a model applied to a stack, window by window.

The stack's bands must be the model's factors, in order, with the same encoding. A model
trained on an FR-encoded stack carries its FR encoding, so it can also be applied to the raw
stack (encoded on the fly). Windows are predicted on worker threads (each with its own GDAL
handle) and written in order by one writer; memory stays bounded by a few windows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np

from .errors import LsmError
from .frequency_ratio import encodings_from_spec
from .model_io import load_model
from .progress import SILENT, Progress
from .raster import (
    FLOAT_NODATA,
    RasterWriter,
    check_output_path,
    iter_windows,
    open_raster,
    read_window,
)
from .stack import StackInfo, stack_info
from .styles import pseudocolor_qml, write_sidecar

#: cells per chunk when evaluating a model (bounds the kernel matrices in memory)
CHUNK = 16384


def check_stack_matches(meta: dict, info: StackInfo) -> Optional[list]:
    """Refuse a stack whose bands differ from the model's; return FR encodings to apply on
    the fly when the model is FR-based and the stack is raw (else None)."""
    factors = list(meta["factors"])
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
    model_enc = meta.get("encoding", "raw")
    if model_enc == "fr":
        fingerprint = meta.get("fr_fingerprint")
        if info.encoding == "fr":
            stack_fp = (info.encoding_spec or {}).get("fingerprint")
            if stack_fp != fingerprint:
                raise LsmError("The stack is FR-encoded with another FR table than the model's "
                               f"(stack {stack_fp}, model {fingerprint}). Use the FR-encoded stack "
                               "the model was trained on, or the raw stack (the model then "
                               "applies its own FR encoding).")
            return None
        spec = meta.get("fr_encoding")
        if not spec:
            raise LsmError("The model was trained on an FR-encoded stack but does not carry its "
                           "encoding; give it the FR-encoded stack.")
        return encodings_from_spec(spec)
    if info.encoding == "fr":
        raise LsmError("The model was trained on raw factors but the stack is FR-encoded. Use "
                       "the raw factor stack.")
    return None


def probability_function(estimator) -> Callable[[np.ndarray], np.ndarray]:
    """P(landslide) for rows of factors. RBF-SVM and KLR pipelines get a vectorised form of
    scikit-learn's own computation: one weighted sum of RBF kernels, then a sigmoid."""
    fast = _kernel_probability(estimator)
    if fast is not None:
        return fast
    return lambda x: estimator.predict_proba(x)[:, 1]


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
        self.dtype = np.float32 if np.abs(self.weights).sum() * 2.0 ** -23 < 1e-6 else np.float64
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


def _scalers_then(estimator, final_types: tuple):
    """(scalers, final step) when the pipeline is StandardScalers followed by final_types."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if not isinstance(estimator, Pipeline):
        return None
    steps = [s for _, s in estimator.steps]
    n = len(final_types)
    if len(steps) < n or not all(isinstance(s, StandardScaler) for s in steps[:-n]):
        return None
    if not all(isinstance(s, t) for s, t in zip(steps[-n:], final_types)):
        return None
    return steps[:-n], steps[-n:]


def _kernel_probability(estimator) -> Optional[Callable[[np.ndarray], np.ndarray]]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    svm = _scalers_then(estimator, (CalibratedClassifierCV,))
    klr = _scalers_then(estimator, (Nystroem, LogisticRegression))
    if svm is not None:
        scalers, (final,) = svm
        if len(final.calibrated_classifiers_) != 1:
            return None
        calibrated = final.calibrated_classifiers_[0]
        svc, sigmoid = calibrated.estimator, calibrated.calibrators[0]
        if not isinstance(svc, SVC) or svc.kernel != "rbf" or len(svc.classes_) != 2:
            return None
        rbf = RbfSum(svc.support_vectors_, svc.dual_coef_[0], svc._gamma, svc.intercept_[0])
        a, b = float(sigmoid.a_), float(sigmoid.b_)

        def link(f):  # Platt's sigmoid
            return 1.0 / (1.0 + np.exp(a * f + b))
    elif klr is not None:
        scalers, (kernel, logit) = klr
        if kernel.kernel != "rbf" or len(logit.classes_) != 2:
            return None
        weights = kernel.normalization_.T @ logit.coef_[0]
        rbf = RbfSum(kernel.components_, weights, kernel.gamma, logit.intercept_[0])

        def link(f):  # the logistic function
            return 1.0 / (1.0 + np.exp(-f))
    else:
        return None

    def proba(x: np.ndarray) -> np.ndarray:
        for s in scalers:
            x = s.transform(x)
        return link(rbf(x))

    return proba


@dataclass
class PredictReport:
    path: str
    valid_cells: int
    map_time_s: float
    model_type: str
    unseen_category_cells: int = 0
    messages: list = field(default_factory=list)


def predict_distinct(predict: Callable, x: np.ndarray) -> np.ndarray:
    """predict(x) evaluated once per distinct row of x (exactly the same numbers)."""
    rows = np.ascontiguousarray(x).view(np.dtype((np.void, x.dtype.itemsize * x.shape[1])))
    _, first, inverse = np.unique(rows.ravel(), return_index=True, return_inverse=True)
    return predict(x[first])[inverse.ravel()]


def predict_array(proba: Callable, x: np.ndarray) -> np.ndarray:
    """P(landslide) of rows of x, evaluated in chunks."""
    out = np.empty(x.shape[0], dtype=np.float64)
    for start in range(0, x.shape[0], CHUNK):
        out[start:start + CHUNK] = proba(x[start:start + CHUNK])
    return out


def predict_lsi(model_path: str, stack_path: str, output_path: str, *, n_jobs: int = 2,
                progress: Progress = SILENT, name: Optional[str] = None,
                model_file: Optional[str] = None) -> PredictReport:
    """Write the LSI raster (Float32, 0..1, nodata kept) of a model over a stack.

    ``model_file`` is the path recorded in the raster's metadata (default: ``model_path``;
    given when the model is still a temporary file about to be renamed)."""
    out = check_output_path(output_path, [model_path, stack_path])
    model = load_model(model_path)
    info = stack_info(stack_path)
    encodings = check_stack_matches(model.meta, info)
    proba = probability_function(model.estimator)
    meta = dict(model.meta, model_file=str(Path(model_file or model_path).resolve()))
    return _predict_windows(stack_path, info, out, meta, encodings,
                            lambda x: predict_array(proba, x), n_jobs, progress, name)


def _predict_windows(stack_path: str, info: StackInfo, out: Path, meta: dict, encodings,
                     predict: Callable, n_jobs: int, progress: Progress,
                     name: Optional[str]) -> PredictReport:
    start = time.perf_counter()
    grid = info.grid
    windows = list(iter_windows(grid.width, grid.height))
    handles: dict = {}
    unseen = [0]
    # FR-encoded factors take few distinct combinations (~1 in 6 cells here): each is
    # evaluated once
    dedupe = meta.get("encoding") == "fr"

    def compute(win):
        import threading

        ds = handles.setdefault(threading.get_ident(), open_raster(stack_path, "factor stack"))
        data, valid = read_window(ds, win)
        lsi = np.full(valid.shape, FLOAT_NODATA, dtype=np.float32)
        x = data[:, valid].T
        if encodings is not None and x.size:
            ok = np.ones(x.shape[0], dtype=bool)
            for i, enc in enumerate(encodings):
                idx = enc.class_index(x[:, i])
                ok &= idx >= 0
                x[:, i] = np.asarray(enc.fr)[np.maximum(idx, 0)]
            if not ok.all():
                unseen[0] += int((~ok).sum())
                cells = np.flatnonzero(valid.ravel())
                valid.ravel()[cells[~ok]] = False
                x = x[ok]
        if x.shape[0]:
            lsi[valid] = np.clip(predict_distinct(predict, x) if dedupe else predict(x), 0.0,
                                 1.0)
        return win, lsi, int(valid.sum())

    valid_cells = 0
    model_name = name or meta.get("name") or meta.get("model_type", "model")
    with RasterWriter(out, grid, 1, np.float32, FLOAT_NODATA, descriptions=["lsi"],
                      metadata={"LSM_LSI": "1", "LSM_MODEL_TYPE": meta.get("model_type", ""),
                                "LSM_MODEL_NAME": model_name,
                                "LSM_TRAINING_TIME": meta.get("training_time_s", ""),
                                "LSM_CV_AUROC": meta.get("cv_score", ""),
                                "LSM_MODEL_FILE": meta.get("model_file", "")}) as writer:
        with ThreadPoolExecutor(max_workers=max(1, n_jobs)) as pool:
            step = max(1, 2 * n_jobs)
            for first in range(0, len(windows), step):
                progress.check()
                for win, lsi, n in pool.map(compute, windows[first:first + step]):
                    writer.write(win, lsi)
                    valid_cells += n
                progress.fraction(min(first + step, len(windows)), len(windows))
        map_time = time.perf_counter() - start
        writer.metadata["LSM_MAP_TIME"] = f"{map_time:.3f}"
    handles.clear()
    write_sidecar(out, pseudocolor_qml(0.0, 1.0))
    report = PredictReport(str(out), valid_cells, map_time, meta.get("model_type", ""),
                           unseen[0])
    if unseen[0]:
        report.messages.append(f"{unseen[0]} cells hold a category the model's FR encoding has "
                               "never seen; they were left as nodata.")
    return report

