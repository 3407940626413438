"""The dense form of LSNet: the patch network evaluated at every cell of a tile at once.

For a tile of H x W cells, output (i, j) equals the patch network applied to the window whose
top-left cell is (i, j). Convolutions run once over the tile; each 2x2 stride-2 pooling becomes
a stride-1 pooling over cells ``d`` apart, and every later kernel is dilated by ``d`` (d doubles
at each pooling); the fully connected layers become convolutions (the first with a kernel the
size of the last feature map, dilated by 32; the others 1x1). Batch normalisation (inference
mode) is folded into the convolutions. This costs one to two orders of magnitude less than
running the patch network once per cell, for the same numbers.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .network import DENSE_UNITS, FEATURE_MAPS


class DenseLsnet:
    """Weights taken from a trained patch model; call with (1, H, W, C) float32 tiles."""

    def __init__(self, patch_model) -> None:
        self.window = int(patch_model.input_shape[1])
        self.stages = []
        for i in range(1, len(FEATURE_MAPS) + 1):
            kernel = patch_model.get_layer(f"conv{i}").get_weights()[0]
            gamma, beta, mean, var = patch_model.get_layer(f"bn{i}").get_weights()
            eps = patch_model.get_layer(f"bn{i}").epsilon
            scale = gamma / np.sqrt(var + eps)
            self.stages.append((tf.constant(kernel * scale, tf.float32),
                                tf.constant(beta - mean * scale, tf.float32)))
        last = patch_model.get_layer(f"pool{len(FEATURE_MAPS)}").output.shape
        size, maps = int(last[1]), int(last[3])
        w1, b1 = patch_model.get_layer("fc1").get_weights()
        n_pooled = size * size * maps
        # Flatten is row-major over (row, col, channel): unflatten into a size x size kernel
        self.fc = [(tf.constant(w1[:n_pooled].reshape(size, size, maps, -1), tf.float32),
                    tf.constant(b1, tf.float32))]
        # centre-cell skip: the rest of fc1's rows act on the input cell under each output
        names = [layer.name for layer in patch_model.layers]
        self.centre = None
        if "centre_cell" in names:
            self.centre = tf.constant(w1[n_pooled:][None, None], tf.float32)
            self.offset = self.window // 2
        for name in [f"fc{i}" for i in range(2, len(DENSE_UNITS) + 1)] + ["fc_out"]:
            w, b = patch_model.get_layer(name).get_weights()
            self.fc.append((tf.constant(w[None, None], tf.float32), tf.constant(b, tf.float32)))
        self._run = tf.function(self._forward, reduce_retracing=True)

    @staticmethod
    def _pool(x, d: int):
        """2x2 max pooling with stride 1 over cells d apart."""
        return tf.maximum(tf.maximum(x[:, :-d, :-d, :], x[:, d:, :-d, :]),
                          tf.maximum(x[:, :-d, d:, :], x[:, d:, d:, :]))

    def _forward(self, tile):
        x, d = tile, 1
        for kernel, bias in self.stages:
            x = tf.nn.conv2d(x, kernel, strides=1, padding="VALID", dilations=d) + bias
            x = tf.nn.relu(x)
            x = self._pool(x, d)
            d *= 2
        kernel, bias = self.fc[0]
        x = tf.nn.conv2d(x, kernel, strides=1, padding="VALID", dilations=d) + bias
        if self.centre is not None:
            h, w = tf.shape(x)[1], tf.shape(x)[2]
            cells = tile[:, self.offset:self.offset + h, self.offset:self.offset + w, :]
            x = x + tf.nn.conv2d(cells, self.centre, strides=1, padding="VALID")
        x = tf.nn.relu(x)
        for kernel, bias in self.fc[1:-1]:
            x = tf.nn.relu(tf.nn.conv2d(x, kernel, strides=1, padding="VALID") + bias)
        kernel, bias = self.fc[-1]
        logits = tf.nn.conv2d(x, kernel, strides=1, padding="VALID") + bias
        return tf.nn.softmax(logits, axis=-1)[..., 1]

    def __call__(self, tile: np.ndarray) -> np.ndarray:
        """P(landslide) for each window of a (H, W, C) tile: (H - window + 1, W - window + 1)."""
        out = self._run(tf.convert_to_tensor(tile[None], tf.float32))
        return out.numpy()[0]
