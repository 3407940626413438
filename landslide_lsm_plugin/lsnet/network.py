"""LSNet in Keras (imported only by the worker process: it imports tensorflow).

The patch network follows Zhang et al. (2022): a 5x5 convolution, then four 3x3 ones, with
64, 128, 128, 256, 256 feature maps (times ``width``), each followed by batch normalisation,
ReLU and 2x2 max pooling; fully connected layers of 1024, 256 and 128 units (times ``width``)
and 2 softmax outputs; Adam (the paper's learning rate, 1e-4, is :func:`compile_model`'s
default; the Train LSNet algorithm passes its own, 1e-3 unless the paper settings are chosen,
see docs/lsnet-choices.md). Convolutions use 'valid' padding, which
makes the dense form (lsnet/dense.py) give exactly the same numbers as the patch network.
"""

from __future__ import annotations

import keras
from keras import layers

FEATURE_MAPS = (64, 128, 128, 256, 256)
KERNELS = (5, 3, 3, 3, 3)
DENSE_UNITS = (1024, 256, 128)


def scaled(units: int, width: float, floor: int) -> int:
    return max(floor, int(round(units * width)))


def build_patch_model(window: int, channels: int, width: float = 1.0,
                      dropout: float = 0.3, center_skip: bool = False) -> keras.Model:
    """The patch network: (window, window, channels) -> softmax over (no landslide, landslide).

    With ``center_skip`` the centre cell's own channels join the pooled features at the first
    fully connected layer (a small addition to the paper's network, for inventories of
    landslide points whose own cell matters most)."""
    inputs = keras.Input((window, window, channels), name="patch")
    x = inputs
    for i, (maps, k) in enumerate(zip(FEATURE_MAPS, KERNELS), start=1):
        x = layers.Conv2D(scaled(maps, width, 4), k, padding="valid", use_bias=False,
                          name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.ReLU(name=f"relu{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    if center_skip:
        c = window // 2
        centre = layers.Cropping2D(((c, window - c - 1), (c, window - c - 1)),
                                   name="centre_cell")(inputs)
        x = layers.Concatenate(name="with_centre")([x, layers.Flatten(name="centre_flat")(centre)])
    for i, units in enumerate(DENSE_UNITS, start=1):
        x = layers.Dense(scaled(units, width, 8), activation="relu", name=f"fc{i}")(x)
        if dropout > 0 and i < len(DENSE_UNITS):
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = layers.Dense(2, activation="softmax", name="fc_out", dtype="float32")(x)
    return keras.Model(inputs, outputs, name="lsnet")


def compile_model(model: keras.Model, learning_rate: float = 1e-4) -> keras.Model:
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
