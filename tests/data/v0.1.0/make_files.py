"""How the model files beside this script were made: with plugin 0.1.0 (commit 50df714), so
that tests/unit/test_model_compat.py checks files of that version keep loading and mapping.

    git worktree add /tmp/v010 50df714
    cd /tmp/v010 && PYTHONPATH=/tmp/v010 python tests/data/v0.1.0/make_files.py OUT_DIR

Not run by the tests (the files are kept as they are)."""

import json
import sys

import numpy as np

from landslide_lsm_plugin.core import model_io, models

rng = np.random.default_rng(11)
x = rng.random((300, 3))
y = (x[:, 0] + 0.5 * x[:, 1] + 0.3 * rng.random(300) > 0.9).astype(int)
probe = rng.random((20, 3))
out = {}
for kind in ("svm", "klr", "logistic", "random_forest"):
    grid = {"svm": {"C": [1.0, 10.0], "gamma": [0.5]}, "klr": {"C": [1.0], "gamma": [0.5]},
            "logistic": {"C": [1.0]}, "random_forest": {"n_estimators": [5]}}[kind]
    result = models.train_model(kind, x, y, search=models.SearchSettings(n_folds=3, grid=grid,
                                                                         cv_scheme=models.STRATIFIED),
                                fit=models.FitSettings(kernel_limit=40))
    meta = {"name": kind, "model_type": kind, "factors": ["a", "b", "c"], "encoding": "raw"}
    model_io.save_model(sys.argv[1] + f"/{kind}.lsmodel", result.estimator, meta)
    out[kind] = result.estimator.predict_proba(probe)[:, 1].tolist()
with open(sys.argv[1] + "/expected.json", "w") as fh:
    json.dump({"probe": probe.tolist(), "p": out}, fh, indent=1)
