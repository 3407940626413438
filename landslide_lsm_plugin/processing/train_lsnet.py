"""Train LSNet: the multi-channel CNN, trained (and mapped) in the LSNet worker process."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
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

from ..core.strategy import LSNET_MAX_SAMPLES, LSNET_PATCHES_PER_EPOCH, LSNET_TIME_BUDGET_S
from .base import LsmAlgorithm, lsnet_python, signing_key

WINDOWS = [96, 128, 160, 192, 224, 256]
HISTORY_COLUMNS = (("epoch", int), ("loss", float), ("accuracy", float), ("val_loss", float),
                   ("val_auroc", float), ("seconds", float))


class TrainLsnet(LsmAlgorithm):
    ID = "trainlsnet"
    TITLE = "Train LSNet (multi-channel CNN)"
    GROUP = "models"
    HELP = (
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
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.STACK, self.tr("Factor stack (raw, not FR-encoded)")))
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.SAMPLES, self.tr("Training samples"), [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterBoolean(
            self.PAPER, self.tr("Paper settings (window 224, width 1, up to 600 epochs)"),
            defaultValue=False))
        self.addParameter(QgsProcessingParameterEnum(
            self.WINDOW, self.tr("Window (cells)"), [str(w) for w in WINDOWS], defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.WIDTH, self.tr("Width (1 = the paper's layer sizes)"),
            QgsProcessingParameterNumber.Double, 0.25, minValue=0.05, maxValue=2.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.EPOCHS, self.tr("Maximum epochs"), QgsProcessingParameterNumber.Integer, 100,
            minValue=1, maxValue=5000))
        self.addParameter(QgsProcessingParameterNumber(
            self.PATIENCE, self.tr("Early stopping patience (epochs)"),
            QgsProcessingParameterNumber.Integer, 20, minValue=1, maxValue=1000))
        self.addParameter(QgsProcessingParameterNumber(
            self.BATCH, self.tr("Batch size"), QgsProcessingParameterNumber.Integer, 32,
            minValue=1, maxValue=4096))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), QgsProcessingParameterNumber.Integer, 42))
        self.addParameter(self.advanced(QgsProcessingParameterNumber(
            self.LR, self.tr("Learning rate (Adam; the paper's 1e-4 with paper settings)"),
            QgsProcessingParameterNumber.Double, 1e-3,
            minValue=1e-7, maxValue=1.0)))
        self.addParameter(self.advanced(QgsProcessingParameterBoolean(
            self.CENTER, self.tr("Centre-cell skip (the centre cell's values join the dense "
                                 "layers)"), defaultValue=True)))
        self.addParameter(self.advanced(QgsProcessingParameterBoolean(
            self.AUGMENT, self.tr("Augment with flips and rotations"), defaultValue=True)))
        self.addParameter(self.advanced(QgsProcessingParameterNumber(
            self.DROPOUT, self.tr("Dropout after the first two dense layers"),
            QgsProcessingParameterNumber.Double, 0.5, minValue=0.0, maxValue=0.9)))
        self.addParameter(self.advanced(QgsProcessingParameterNumber(
            self.MAX_SAMPLES, self.tr("Maximum training samples (a share of every landslide's "
                                      "cells; every patch is held in memory; 0 = all)"),
            QgsProcessingParameterNumber.Integer, LSNET_MAX_SAMPLES, minValue=0)))
        self.addParameter(self.advanced(QgsProcessingParameterNumber(
            self.PER_EPOCH, self.tr("Patches per epoch (a new random draw each epoch; 0 = all)"),
            QgsProcessingParameterNumber.Integer, LSNET_PATCHES_PER_EPOCH, minValue=0)))
        self.addParameter(QgsProcessingParameterNumber(
            self.BUDGET, self.tr("Time budget for training (minutes; 0 = none)"),
            QgsProcessingParameterNumber.Double, LSNET_TIME_BUDGET_S / 60, minValue=0.0))
        self.addParameter(self.advanced(QgsProcessingParameterString(
            self.NAME, self.tr("Model name"), defaultValue="LSNet")))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_MODEL, self.tr("LSNet model"), self.tr("Keras model (*.keras)")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_HISTORY, self.tr("Training history"), QgsProcessing.TypeVector,
            optional=True))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_LSI, self.tr("LSI raster of the stack"), optional=True,
            createByDefault=False))
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
            self.style_output(context, lsi, pseudocolor_qml(0.0, 1.0), f"LSI {name}")
            outputs[self.OUTPUT_LSI] = lsi
        return outputs
