"""Run in a child process (it imports tensorflow): the dense form of LSNet equals the patch
network applied to every patch, on a small raster with reflected edges. Prints JSON."""

import json
import sys

import keras
import numpy as np

from landslide_lsm_plugin.lsnet.dense import DenseLsnet
from landslide_lsm_plugin.lsnet.network import build_patch_model
from landslide_lsm_plugin.lsnet.patches import reflect_index

keras.utils.set_random_seed(1)
report = {}
for window, skip in ((96, False), (96, True), (128, True)):
    model = build_patch_model(window, 4, 0.25, center_skip=skip)
    for layer in model.layers:  # non-trivial batch-norm statistics, as after training
        if layer.name.startswith("bn"):
            g, b, m, v = layer.get_weights()
            rng = np.random.default_rng(len(layer.name))
            layer.set_weights([rng.uniform(0.5, 1.5, g.shape), rng.normal(0, 0.2, b.shape),
                               rng.normal(0, 0.2, m.shape), rng.uniform(0.5, 2.0, v.shape)])
    raster = np.random.default_rng(2).normal(size=(23, 31, 4)).astype(np.float32)
    c = window // 2
    rows = reflect_index(np.arange(-c, 23 - c + window - 1), 23)
    cols = reflect_index(np.arange(-c, 31 - c + window - 1), 31)
    tile = raster[np.ix_(rows, cols)]
    dense = DenseLsnet(model)(tile)
    patches = np.stack([tile[i:i + window, j:j + window] for i in range(23) for j in range(31)])
    per_patch = model.predict(patches, batch_size=128, verbose=0)[:, 1].reshape(23, 31)
    report[f"{window}{'_skip' if skip else ''}"] = {
        "shape": list(dense.shape), "max_abs_diff": float(np.abs(dense - per_patch).max()),
        "spread": float(per_patch.std())}
print(json.dumps(report))
sys.stdout.flush()
