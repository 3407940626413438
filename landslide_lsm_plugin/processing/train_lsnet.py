"""Train LSNet: the multi-channel CNN, trained (and mapped) in the LSNet worker process."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from .. import compat
from ..core.strategy import LSNET_MAX_SAMPLES, LSNET_PATCHES_PER_EPOCH, LSNET_TIME_BUDGET_S
from ..translation import tr_noop
from .base import LsmAlgorithm, lsnet_python, signing_key

WINDOWS = [96, 128, 160, 192, 224, 256]
HISTORY_COLUMNS = (("epoch", int), ("loss", float), ("accuracy", float), ("val_loss", float),
                   ("val_auroc", float), ("seconds", float))


class TrainLsnet(LsmAlgorithm):
    ID = "trainlsnet"
    TITLE = tr_noop("Train LSNet (multi-channel CNN)")
    GROUP = "models"
    HELP = tr_noop(
        "<p>Trains LSNet, the convolutional network of Zhang et al. (2022), on patches of the "
        "<b>raw</b> factor maps centred on the training cells: a 5x5 convolution then four 3x3 "
        "ones (64, 128, 128, 256, 256 feature maps times <i>width</i>), each with batch "
        "normalisation, ReLU and 2x2 max pooling, then fully connected layers of 1024, 256 and "
        "128 units (times <i>width</i>) and 2 softmax outputs; Adam.</p>"
        "<p>Continuous factors are standardised with statistics of the training patches, "
        "categorical ones one-hot encoded, aspect turned into its east/north components; all "
        "stored with the model. Patches are flipped and rotated during training (augmentation). "
        "A part of the training cells (whole landslides) is held out for early stopping; the "
        "validation split is never seen.</p>"
        "<p><b>Centre-cell skip</b> (on by default, off with the paper settings): the centre "
        "cell's own channels join the pooled features at the first dense layer. Pooling keeps "
        "what is around a cell but blurs the cell itself. docs/lsnet-choices.md compares the "
        "window, width, learning rate and this skip on two data sets.</p>"
        "<p><b>Window</b>: with 'valid' convolutions the five stages need 96 + 32k cells; 96 is "
        "the default (the paper found 96 to 256 equally accurate). <b>Width</b> scales every "
        "layer: 1 is the paper's network, 0.25 the default that trains in minutes on a CPU. "
        "'Paper settings' uses window 224, width 1, no centre skip, learning rate 1e-4 and up to "
        "600 epochs (a GPU is advised). The default learning rate, 1e-3, converges in tens of "
        "epochs instead of hundreds. Early stopping keeps the epoch with the best AUROC on "
        "the held-out training landslides.</p>"
        "<p><b>Bounded by default</b>: at most 5,000 training samples (a share of every "
        "landslide's cells: every patch is held in memory), 2,000 patches per epoch (a new "
        "random draw each epoch, so every sample is seen over the epochs), and 8 minutes of "
        "training; training also stops at the maximum epochs or after 'patience' epochs "
        "without a better early-stopping AUROC, and keeps the best epoch. The log says which "
        "limit stopped it. On a GPU, or for the paper's settings, raise or clear (0) these "
        "limits.</p>"
        "<p>TensorFlow runs only in a separate worker process (never inside QGIS), with the "
        "Python set in Options > Processing > Providers > Landslide susceptibility, else the "
        "LANDSLIDE_LSM_PYTHON environment variable, else the first Python found that imports "
        "TensorFlow (each is checked by importing it). It uses a GPU when its TensorFlow sees one. "
        "Cancel stops it at once and leaves no file.</p>"
        "<p><b>Outputs</b>: the model (.keras, with a .keras.json sidecar holding the "
        "preprocessing), the training history, and optionally the LSI raster.</p>")

    STACK, SAMPLES, PAPER, WINDOW, WIDTH = "STACK", "SAMPLES", "PAPER", "WINDOW", "WIDTH"
    EPOCHS, PATIENCE, BATCH, LR = "EPOCHS", "PATIENCE", "BATCH_SIZE", "LEARNING_RATE"
    AUGMENT, SEED, MAX_SAMPLES, DROPOUT, NAME = "AUGMENT", "SEED", "MAX_SAMPLES", "DROPOUT", "NAME"
    CENTER = "CENTER_SKIP"
    PER_EPOCH, BUDGET = "PATCHES_PER_EPOCH", "TIME_BUDGET"
    OUTPUT_MODEL, OUTPUT_HISTORY, OUTPUT_LSI = "OUTPUT_MODEL", "OUTPUT_HISTORY", "OUTPUT_LSI"

    def initAlgorithm(self, config=None):
        self.add_parameter(QgsProcessingParameterRasterLayer(
            self.STACK, self.tr("Factor stack (raw, not FR-encoded)")),
            self.tr("The raw factor stack of 'Build factor stack': LSNet learns from patches of "
                    "the factor maps themselves."))
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.SAMPLES, self.tr("Training samples"), [compat.SOURCE_VECTOR_POINT]),
            self.tr("The samples of 'Prepare training samples': a patch is cut around every "
                    "training cell (split = train); validation samples are never seen."))
        self.add_parameter(QgsProcessingParameterBoolean(
            self.PAPER, self.tr("Paper settings (window 224, width 1, up to 600 epochs)"),
            defaultValue=False),
            self.tr("Zhang et al. (2022) as published: window 224, width 1, no centre skip, "
                    "learning rate 1e-4, up to 600 epochs of every patch. Overrides those "
                    "parameters; a GPU is advised."))
        self.add_parameter(QgsProcessingParameterEnum(
            self.WINDOW, self.tr("Window (cells)"), [str(w) for w in WINDOWS], defaultValue=0),
            self.tr("The side of the square patch around each cell, in cells (96 + 32k). The "
                    "paper found 96 to 256 equally accurate; 96 is the fastest."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.WIDTH, self.tr("Width (1 = the paper's layer sizes)"), compat.DOUBLE, 0.25,
            minValue=0.05, maxValue=2.0),
            self.tr("Scales the number of feature maps and units of every layer: 1 is the "
                    "paper's network, 0.25 (default) trains in minutes on a CPU."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.EPOCHS, self.tr("Maximum epochs"), compat.INTEGER, 100, minValue=1,
            maxValue=5000),
            self.tr("Training stops after this many epochs at the latest (default 100), and "
                    "keeps the best one."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.PATIENCE, self.tr("Early stopping patience (epochs)"), compat.INTEGER, 20,
            minValue=1, maxValue=1000),
            self.tr("Training stops when the AUROC on the held-out training landslides has not "
                    "improved for this many epochs (default 20)."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.BATCH, self.tr("Batch size"), compat.INTEGER, 32, minValue=1, maxValue=4096),
            self.tr("Patches per gradient step (default 32); larger batches need more memory."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), compat.INTEGER, 42),
            self.tr("Seed of the sample subset, the early-stopping hold-out, the weights and "
                    "the patch draws."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.LR, self.tr("Learning rate (Adam; the paper's 1e-4 with paper settings)"),
            compat.DOUBLE, 1e-3, minValue=1e-7, maxValue=1.0),
            self.tr("Adam's step size: 0.001 (default) converges in tens of epochs; the paper's "
                    "0.0001 needs hundreds."), advanced=True)
        self.add_parameter(QgsProcessingParameterBoolean(
            self.CENTER, self.tr("Centre-cell skip (the centre cell's values join the dense "
                                 "layers)"), defaultValue=True),
            self.tr("The centre cell's own factor values join the pooled features at the first "
                    "dense layer (pooling blurs the cell itself). Off in the paper's network."),
            advanced=True)
        self.add_parameter(QgsProcessingParameterBoolean(
            self.AUGMENT, self.tr("Augment with flips and rotations"), defaultValue=True),
            self.tr("Flip and rotate the training patches at random each epoch, so the network "
                    "does not learn one orientation of the terrain."), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.DROPOUT, self.tr("Dropout after the first two dense layers"), compat.DOUBLE,
            0.5, minValue=0.0, maxValue=0.9),
            self.tr("The share of units dropped at random during training after the first two "
                    "dense layers (0 to 0.9, default 0.5), against overfitting."),
            advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.MAX_SAMPLES, self.tr("Maximum training samples (a share of every landslide's "
                                      "cells; every patch is held in memory; 0 = all)"),
            compat.INTEGER, LSNET_MAX_SAMPLES, minValue=0),
            self.tr("At most this many training samples, a seeded share of every landslide's "
                    "cells: every patch is held in memory (0 = all)."), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.PER_EPOCH, self.tr("Patches per epoch (a new random draw each epoch; 0 = all)"),
            compat.INTEGER, LSNET_PATCHES_PER_EPOCH, minValue=0),
            self.tr("Each epoch trains on this many patches drawn anew, so every sample is seen "
                    "over the epochs (0 = every patch every epoch)."), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.BUDGET, self.tr("Time budget for training (minutes; 0 = none)"), compat.DOUBLE,
            LSNET_TIME_BUDGET_S / 60, minValue=0.0),
            self.tr("Training stops once this many minutes of epochs have passed and keeps the "
                    "best epoch so far (0 = no limit); the log says which limit stopped it."))
        self.add_parameter(QgsProcessingParameterString(
            self.NAME, self.tr("Model name"), defaultValue="LSNet"),
            self.tr("The model's name in tables, legends and the report."), advanced=True)
        self.add_parameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_MODEL, self.tr("LSNet model"), self.tr("Keras model (*.keras)")),
            self.tr("The trained network (.keras) with a .keras.json sidecar holding the "
                    "factors, preprocessing and history: the input of 'Predict LSI'."))
        self.add_parameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_HISTORY, self.tr("Training history"), compat.SOURCE_VECTOR,
            optional=True),
            self.tr("One row per epoch: loss, accuracy, early-stopping loss and AUROC, and "
                    "seconds."))
        self.add_parameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_LSI, self.tr("LSI raster of the stack"), optional=True,
            createByDefault=False),
            self.tr("Optional: the LSI map of the training stack right away, computed in the "
                    "worker."))
        self.addOutput(QgsProcessingOutputNumber("TRAINING_TIME", self.tr("Training time (s)")))
        self.addOutput(QgsProcessingOutputNumber("BEST_EPOCH", self.tr("Best epoch")))

    def execute(self, parameters, context, feedback, progress):
        from ..lsnet.client import train_lsnet
        from ..presentation.styles import pseudocolor_qml

        paper = self.parameterAsBool(parameters, self.PAPER, context)
        params = {
            "window": 224 if paper else WINDOWS[self.parameterAsEnum(parameters, self.WINDOW,
                                                                     context)],
            "width": 1.0 if paper else self.parameterAsDouble(parameters, self.WIDTH, context),
            "epochs": 600 if paper else self.parameterAsInt(parameters, self.EPOCHS, context),
            "patience": max(50, self.parameterAsInt(parameters, self.PATIENCE, context))
            if paper else self.parameterAsInt(parameters, self.PATIENCE, context),
            "batch_size": self.parameterAsInt(parameters, self.BATCH, context),
            "learning_rate": 1e-4 if paper else self.parameterAsDouble(parameters, self.LR,
                                                                        context),
            "augment": self.parameterAsBool(parameters, self.AUGMENT, context),
            "center_skip": False if paper else self.parameterAsBool(parameters, self.CENTER,
                                                                     context),
            "dropout": self.parameterAsDouble(parameters, self.DROPOUT, context),
            "max_samples": self.parameterAsInt(parameters, self.MAX_SAMPLES, context),
            "patches_per_epoch": 0 if paper else self.parameterAsInt(parameters, self.PER_EPOCH,
                                                                     context),
            "time_budget_s": 60.0 * self.parameterAsDouble(parameters, self.BUDGET, context),
            "seed": self.parameterAsInt(parameters, self.SEED, context),
        }
        stack = self.raster_path(parameters, self.STACK, context)
        samples = self.vector_source(parameters, self.SAMPLES, context, feedback)
        model = self.parameterAsFileOutput(parameters, self.OUTPUT_MODEL, context)
        lsi = self.parameterAsOutputLayer(parameters, self.OUTPUT_LSI, context)
        name = self.parameterAsString(parameters, self.NAME, context) or "LSNet"
        result = train_lsnet(stack, samples, model, params=params, lsi_path=lsi or None,
                             python=lsnet_python(), name=name, progress=progress,
                             signing_key=signing_key())
        meta = result.meta
        devices = meta.details.get("devices")
        devices = ", ".join(map(str, devices)) if isinstance(devices, list) else "?"
        feedback.pushInfo(f"{name}: best epoch {meta.best_epoch}, early-stopping AUROC "
                          f"{meta.cv_score or 0:.3f}, trained in {meta.training_time_s or 0:.1f} "
                          f"s on {devices}")
        table = self.write_table(parameters, self.OUTPUT_HISTORY, context, HISTORY_COLUMNS,
                                 result.history)
        outputs = {self.OUTPUT_MODEL: model, self.OUTPUT_HISTORY: table,
                   "TRAINING_TIME": meta.training_time_s, "BEST_EPOCH": meta.best_epoch}
        if lsi:
            feedback.pushInfo(f"LSI map: {result.lsi.valid_cells} cells in "
                              f"{result.lsi.map_time_s:.1f} s")
            self.style_output(context, lsi, pseudocolor_qml(0.0, 1.0),
                              self.tr("LSI {}").format(name))
            outputs[self.OUTPUT_LSI] = lsi
        return outputs
