"""An RBF-SVM with Platt's sigmoid kept as plain numbers beside it.

scikit-learn's CalibratedClassifierCV fits its own sigmoid (with extra SVM fits) and keeps it
in private objects; the plugin's sigmoid comes from the hyperparameter search's out-of-fold
decision values (core.models.platt_from_search). Rather than writing it into scikit-learn's
private attributes, :class:`PlattSvm` holds the fitted pipeline (public API only) and the two
numbers: P(landslide) = 1 / (1 + exp(a f + b)), with f the SVM's decision function.

A model file stores the pipeline (skops) and ``platt`` = [a, b] in its meta.json
(core.model_io); loading puts them back together.
"""

from __future__ import annotations

import numpy as np


class PlattSvm:
    """A fitted SVM pipeline (StandardScalers, then SVC) and its Platt sigmoid (a, b), with the
    classifier methods the plugin uses: decision_function, predict_proba, predict."""

    def __init__(self, pipeline, a: float, b: float) -> None:
        self.pipeline = pipeline
        self.a, self.b = float(a), float(b)

    @property
    def classes_(self) -> np.ndarray:
        return self.pipeline.classes_

    @property
    def link_ab(self) -> tuple[float, float]:
        return self.a, self.b

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        return self.pipeline.decision_function(x)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            p = 1.0 / (1.0 + np.exp(self.a * self.decision_function(x) + self.b))
        return np.column_stack([1.0 - p, p])

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.classes_[(self.predict_proba(x)[:, 1] >= 0.5).astype(int)]

    def __repr__(self) -> str:
        return f"PlattSvm({self.pipeline!r}, a={self.a:.6g}, b={self.b:.6g})"
