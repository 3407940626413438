"""Multicollinearity: variance inflation factor (VIF) and tolerance (TOL) per factor.

VIF_j = 1 / (1 - R_j^2), where R_j^2 is from the least-squares regression (with intercept) of
factor j on all other factors over the training cells; TOL_j = 1 - R_j^2 = 1 / VIF_j.
A constant factor, or one that is an exact linear combination of others, has VIF = inf.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import LsmError
from .progress import SILENT, Progress
from .raster import open_raster
from .sampling import read_samples, values_at
from .stack import stack_info

#: R^2 this close to 1 counts as perfect collinearity (VIF = inf)
PERFECT = 1e-10


@dataclass
class VifRow:
    factor: str
    vif: float
    tol: float
    r2: float
    flagged: bool
    note: str = ""


@dataclass
class VifResult:
    rows: list
    samples_used: int
    messages: list = field(default_factory=list)

    @property
    def flagged(self) -> list:
        return [r.factor for r in self.rows if r.flagged]


def vif_table(x: np.ndarray, names: list[str], vif_max: float = 10.0,
              tol_min: float = 0.1) -> VifResult:
    """VIF and TOL for each column of x (rows = samples)."""
    x = np.asarray(x, dtype=np.float64)
    n, p = x.shape
    if p < 2:
        raise LsmError("VIF needs at least two factors.")
    if n <= p + 1:
        raise LsmError(f"VIF needs more training samples than factors + 1 ({n} samples for "
                       f"{p} factors). Add samples or drop factors.")
    std = x.std(axis=0)
    constant = std <= 1e-12 * np.maximum(1.0, np.abs(x).max(axis=0))
    rows, messages = [], []
    for j in range(p):
        if constant[j]:
            rows.append(VifRow(names[j], np.inf, 0.0, 1.0, True,
                               "constant on the training cells: it carries no information"))
            continue
        others = [k for k in range(p) if k != j and not constant[k]]
        design = np.column_stack([np.ones(n), x[:, others]])
        coef, *_ = np.linalg.lstsq(design, x[:, j], rcond=None)
        resid = x[:, j] - design @ coef
        ss_res = float(resid @ resid)
        centred = x[:, j] - x[:, j].mean()
        ss_tot = float(centred @ centred)
        r2 = 1.0 - ss_res / ss_tot
        if 1.0 - r2 <= PERFECT:
            partners = _collinear_partners(x, j, others)
            note = ("perfectly collinear with " + ", ".join(names[k] for k in partners)
                    if partners else "perfectly collinear with the other factors")
            rows.append(VifRow(names[j], np.inf, 0.0, 1.0, True, note))
            continue
        vif = 1.0 / (1.0 - r2)
        tol = 1.0 - r2
        rows.append(VifRow(names[j], vif, tol, r2, vif > vif_max or tol < tol_min))
    inf_names = [r.factor for r in rows if np.isinf(r.vif)]
    if inf_names:
        messages.append("VIF is infinite for " + ", ".join(inf_names) + ": "
                        + "; ".join(f"{r.factor} is {r.note}" for r in rows if np.isinf(r.vif))
                        + ". Remove one of each collinear group, or constant factors.")
    return VifResult(rows, n, messages)


def _collinear_partners(x: np.ndarray, j: int, others: list[int]) -> list[int]:
    """The other factors that, with an intercept, reproduce factor j exactly (a minimal set
    found greedily: drop factors while the fit stays exact)."""
    n = x.shape[0]
    keep = list(others)
    for k in list(others):
        trial = [m for m in keep if m != k]
        design = np.column_stack([np.ones(n)] + [x[:, m] for m in trial])
        coef, *_ = np.linalg.lstsq(design, x[:, j], rcond=None)
        resid = x[:, j] - design @ coef
        centred = x[:, j] - x[:, j].mean()
        if float(resid @ resid) <= PERFECT * float(centred @ centred):
            keep = trial
    return keep


def compute_vif(stack_path: str, samples_path: str, vif_max: float = 10.0,
                tol_min: float = 0.1, progress: Progress = SILENT) -> VifResult:
    """VIF/TOL of the stack's factors over the training samples (both classes)."""
    progress.check()
    info = stack_info(stack_path)
    ds = open_raster(stack_path, "factor stack")
    samples = read_samples(samples_path, info.grid)
    train = samples.subset(samples.train)
    if len(train) == 0:
        raise LsmError("The samples have no training cells (split 'train').")
    x, ok = values_at(ds, train.x, train.y)
    progress.check()
    progress.percent(70)
    result = vif_table(x[ok], info.names, vif_max, tol_min)
    if ok.sum() < len(train):
        result.messages.insert(0, f"{len(train) - int(ok.sum())} training sample(s) on nodata "
                                  "cells were ignored.")
    progress.percent(100)
    return result
