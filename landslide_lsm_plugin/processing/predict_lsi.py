"""Predict LSI: a model file applied to a factor stack, block by block."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from .. import compat
from ..translation import tr_noop
from .base import LsmAlgorithm, lsnet_python, signing_key


class PredictLsi(LsmAlgorithm):
    ID = "predictlsi"
    TITLE = tr_noop("Predict LSI (susceptibility map)")
    GROUP = "maps"
    HELP = tr_noop(
        "<p>Applies a model file to a factor stack and writes the landslide susceptibility "
        "index (LSI): a Float32 raster of P(landslide), 0..1, with the stack's nodata kept, "
        "styled green to red.</p>"
        "<p>The stack's bands must be the model's factors in the same order; a stack with other "
        "bands is refused with a message saying which. A model trained on an FR-encoded stack "
        "accepts that stack, or the raw stack (it applies its own FR encoding). LSNet models "
        "(.keras) are mapped in the LSNet worker process.</p>"
        "<p>A model trained with an <b>ensemble</b> ('Ensemble for uncertainty maps' of the "
        "Train algorithms) is mapped as the mean LSI of its members, and the optional second "
        "output gets their standard deviation: the <b>uncertainty map</b> (light: the members "
        "agree; dark purple: they differ).</p>"
        "<p>The map is computed window by window on several threads, with progress and "
        "cancel; a canceled run leaves no file. <b>Dask scheduler</b> (advanced): the same "
        "windows on a Dask cluster ('local:N' for N local worker processes, or a scheduler's "
        "address), with the same map; see the README's 'Country scale'.</p>"
        "<p><b>Area of applicability</b> (advanced, optional): the mask written by 'Area of "
        "applicability' for this stack and the model's samples. Cells outside it (0: factor "
        "combinations unlike any the model was trained on, where it extrapolates) become "
        "nodata in the LSI and in its standard deviation; the log says how many.</p>")

    MODEL, STACK, NAME, THREADS, OUTPUT = "MODEL", "STACK", "NAME", "THREADS", "OUTPUT"
    OUTPUT_SD, APPLICABILITY = "OUTPUT_SD", "APPLICABILITY"

    def initAlgorithm(self, config=None):
        self.add_parameter(QgsProcessingParameterFile(
            self.MODEL, self.tr("Model file"),
            fileFilter=self.tr("Landslide LSM models (*.lsmodel *.keras)")),
            self.tr("A model written by a Train algorithm: .lsmodel (SVM, KLR, logistic "
                    "regression, random forest) or .keras (LSNet, mapped in its worker)."))
        self.add_parameter(QgsProcessingParameterRasterLayer(
            self.STACK, self.tr("Factor stack")),
            self.tr("The stack to map: its bands must be the model's factors in the same order "
                    "(an FR model also takes the raw stack and applies its encoding)."))
        self.add_parameter(QgsProcessingParameterString(
            self.NAME, self.tr("Name of the map (default: the model's name)"), optional=True),
            self.tr("The name in the raster's metadata, the layer name and the legends of "
                    "Evaluate and the report."), advanced=True)
        self.add_parameter(QgsProcessingParameterNumber(
            self.THREADS, self.tr("Threads"), compat.INTEGER, 2, minValue=1, maxValue=64),
            self.tr("Windows of the map computed at the same time (1 to 64); the map does not "
                    "depend on it."), advanced=True)
        self.add_parameter(QgsProcessingParameterRasterLayer(
            self.APPLICABILITY, self.tr("Area of applicability mask (cells outside become "
                                        "nodata)"), optional=True),
            self.tr("The mask (1 inside, 0 outside) written by 'Area of applicability' for this "
                    "stack: the map is left empty (nodata) where the model extrapolates."),
            advanced=True)
        self.add_parameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("LSI raster")),
            self.tr("The landslide susceptibility index: Float32, P(landslide) from 0 to 1, "
                    "nodata where the stack has none, styled green to red."))
        self.add_parameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_SD, self.tr("Standard deviation of the LSI (models with an ensemble)"),
            optional=True, createByDefault=False),
            self.tr("The spread of the ensemble members' LSI in every cell: the uncertainty "
                    "map. Only for models trained with an ensemble."))
        self.add_scheduler_parameter()
        self.addOutput(QgsProcessingOutputNumber("MAP_TIME", self.tr("Map time (s)")))

    def execute(self, parameters, context, feedback, progress):
        from ..core.model_io import model_kind, read_meta
        from ..core.predict import predict_lsi
        from ..presentation.styles import pseudocolor_qml, sd_qml

        model = self.parameterAsFile(parameters, self.MODEL, context)
        stack = self.raster_path(parameters, self.STACK, context)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        name = self.parameterAsString(parameters, self.NAME, context) or None
        threads = self.parameterAsInt(parameters, self.THREADS, context)
        sd_output = self.parameterAsOutputLayer(parameters, self.OUTPUT_SD, context) or None
        aoa_mask = self._applicability(parameters, context, stack)
        mapping = progress.sub(0, 90) if aoa_mask else progress
        lsnet = model_kind(model) == "lsnet"
        if lsnet and sd_output:
            raise QgsProcessingException(self.tr(
                "LSNet models have no ensemble: leave the standard-deviation output empty."))
        if not lsnet:
            # SVM and KLR files carry their kernel expansion: numpy maps them alone
            needs = () if read_meta(model).kernel_sha256 else ("sklearn", "skops")
            missing = self.missing_for(self.TITLE, needs)
            if missing:
                raise QgsProcessingException(missing)
        with self.dask_client(parameters, context, progress, lsnet=lsnet) as client:
            if lsnet:
                from ..lsnet.client import predict_lsnet

                report = predict_lsnet(model, stack, output, python=lsnet_python(),
                                       progress=mapping, name=name, signing_key=signing_key(),
                                       client=client)
            else:
                report = predict_lsi(model, stack, output, n_jobs=threads, progress=mapping,
                                     name=name, signing_key=signing_key(), sd_path=sd_output,
                                     client=client)
            for message in report.messages:
                feedback.pushWarning(message)
            feedback.pushInfo(f"LSI of {report.valid_cells} cells in {report.map_time_s:.1f} s"
                              + (f" on {report.engine}" if report.engine else ""))
            if aoa_mask:
                from ..core.applicability import mask_outside

                # the maps this run just wrote are rewritten without the cells outside the AOA
                masked = mask_outside(output, aoa_mask, report.sd_path or None,
                                      progress=progress.sub(90, 100), client=client)
                feedback.pushInfo(f"Area of applicability: {masked} of {report.valid_cells} "
                                  "cells lie outside it and were set to nodata")
        self.style_output(context, output, pseudocolor_qml(0.0, 1.0),
                          self.tr("LSI {}").format(name or report.model_type))
        if report.sd_path:
            self.style_output(context, report.sd_path, sd_qml(),
                              self.tr("LSI SD {}").format(name or report.model_type))
        return {self.OUTPUT: output, self.OUTPUT_SD: report.sd_path or None,
                "MAP_TIME": report.map_time_s}

    def _applicability(self, parameters, context, stack: str) -> str:
        """The applicability mask given (checked: made by 'Area of applicability', on the
        stack's grid), or ''."""
        if parameters.get(self.APPLICABILITY) in (None, ""):
            return ""
        from ..core.applicability import check_applicability_mask
        from ..core.errors import LsmError
        from ..core.stack import stack_info

        path = self.raster_path(parameters, self.APPLICABILITY, context)
        try:  # before any work: a wrong raster stops the run at once
            check_applicability_mask(path, stack_info(stack).grid)
        except LsmError as exc:
            raise QgsProcessingException(str(exc)) from exc
        return path
