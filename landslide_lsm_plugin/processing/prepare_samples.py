"""Prepare training samples: landslide / non-landslide cells, 70/30 split by landslide, folds."""

from __future__ import annotations

from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterDistance,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorDestination,
)

from .base import LsmAlgorithm, SamplesStyle

CELL_LABELS = ["All cells of each landslide polygon", "One cell per landslide (centroid)",
               "A fixed number of random cells per landslide"]
CELL_KEYS = ["all", "centroid", "per_polygon"]
SPLIT_LABELS = ["Random, by landslide", "Spatial blocks"]
SPLIT_KEYS = ["random", "blocks"]


class PrepareSamples(LsmAlgorithm):
    ID = "preparesamples"
    TITLE = "Prepare training samples"
    GROUP = "prepare"
    HELP = (
        "<p>Makes the training and validation samples: one point per sampled cell of the factor "
        "stack, with the fields <code>label</code> (1 landslide, 0 not), "
        "<code>landslide_id</code> (-1 for non-landslide cells), <code>split</code> "
        "(<code>train</code> / <code>validation</code>) and <code>fold</code> (cross-validation "
        "fold 1..k of training samples; 0 for validation samples).</p>"
        "<p><b>Landslide cells</b>: all cells of each polygon, one cell per landslide, or a "
        "fixed number per polygon; points give their cell. Polygons too small to cover a cell "
        "centre still give one cell.</p>"
        "<p><b>Non-landslide cells</b>: random valid cells outside the landslides and outside "
        "an optional buffer, as many as the landslide cells times the ratio.</p>"
        "<p><b>Split</b>: by landslide (whole landslides go to one side, never both), at random "
        "with the seed, or by spatial blocks of the given size (whole blocks go to one side; "
        "0, the default, takes a fifth of the landslides' extent, so that a handful of large "
        "blocks is held out rather than many small ones interleaved with training blocks). The "
        "log states the median distance from a validation landslide to the nearest training "
        "landslide: how independent the validation is.</p>"
        "<p>Each cell is sampled once: where landslides overlap, or points share a cell, the "
        "cell belongs to one of them; the non-landslide cells are exactly the landslide cells "
        "times the ratio (or the log says why not, with the counts).</p>"
        "<p>With a <b>label field</b>, the inventory is an already labelled point layer (1 "
        "landslide, 0 not): its points are only split and given folds.</p>")

    INVENTORY, STACK, LABEL_FIELD, ID_FIELD = "INVENTORY", "STACK", "LABEL_FIELD", "ID_FIELD"
    CELLS, PER_POLYGON, RATIO, BUFFER = "LANDSLIDE_CELLS", "CELLS_PER_POLYGON", "RATIO", "BUFFER"
    SPLIT, BLOCK_SIZE, VALIDATION = "SPLIT", "BLOCK_SIZE", "VALIDATION_PERCENT"
    FOLDS, SEED, OUTPUT = "FOLDS", "SEED", "OUTPUT"

    def initAlgorithm(self, config=None):
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.INVENTORY, self.tr("Landslide inventory (polygons or points)"),
            [QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.STACK, self.tr("Factor stack (grid and valid cells)")))
        self.addParameter(QgsProcessingParameterField(
            self.LABEL_FIELD, self.tr("Label field (only for an already labelled point layer)"),
            parentLayerParameterName=self.INVENTORY, optional=True))
        self.addParameter(self.advanced(QgsProcessingParameterField(
            self.ID_FIELD, self.tr("Landslide id field (default: feature id)"),
            parentLayerParameterName=self.INVENTORY, optional=True)))
        self.addParameter(QgsProcessingParameterEnum(
            self.CELLS, self.tr("Landslide cells"), CELL_LABELS, defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.PER_POLYGON, self.tr("Cells per landslide (fixed number option)"),
            QgsProcessingParameterNumber.Integer, 5, minValue=1))
        self.addParameter(QgsProcessingParameterNumber(
            self.RATIO, self.tr("Non-landslide cells per landslide cell"),
            QgsProcessingParameterNumber.Double, 1.0, minValue=0.01, maxValue=100.0))
        self.addParameter(QgsProcessingParameterDistance(
            self.BUFFER, self.tr("Buffer around landslides without non-landslide cells"),
            0.0, self.STACK, minValue=0.0))
        self.addParameter(QgsProcessingParameterEnum(
            self.SPLIT, self.tr("Training/validation split"), SPLIT_LABELS, defaultValue=0))
        self.addParameter(QgsProcessingParameterDistance(
            self.BLOCK_SIZE, self.tr("Spatial block size (spatial-block split; 0 = a fifth of "
                                     "the landslides' extent)"), 0.0,
            self.STACK, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.VALIDATION, self.tr("Validation share (%)"), QgsProcessingParameterNumber.Double,
            30.0, minValue=1.0, maxValue=99.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.FOLDS, self.tr("Cross-validation folds"), QgsProcessingParameterNumber.Integer,
            10, minValue=2, maxValue=50))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), QgsProcessingParameterNumber.Integer, 42))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Training samples"), QgsProcessing.TypeVectorPoint))
        for key, label in (("LANDSLIDE_SAMPLES", "Landslide cells"),
                           ("NON_LANDSLIDE_SAMPLES", "Non-landslide cells"),
                           ("TRAIN_SAMPLES", "Training samples"),
                           ("VALIDATION_SAMPLES", "Validation samples"),
                           ("FOLDS_USED", "Cross-validation folds used")):
            self.addOutput(QgsProcessingOutputNumber(key, self.tr(label)))

    def execute(self, parameters, context, feedback, progress):
        from ..core.sampling import prepare_samples

        inventory = self.vector_source(parameters, self.INVENTORY, context, feedback)
        stack = self.raster_path(parameters, self.STACK, context)
        output = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        report = prepare_samples(
            inventory, stack, output,
            landslide_cells=CELL_KEYS[self.parameterAsEnum(parameters, self.CELLS, context)],
            cells_per_polygon=self.parameterAsInt(parameters, self.PER_POLYGON, context),
            ratio=self.parameterAsDouble(parameters, self.RATIO, context),
            buffer=self.parameterAsDouble(parameters, self.BUFFER, context),
            split=SPLIT_KEYS[self.parameterAsEnum(parameters, self.SPLIT, context)],
            validation_fraction=self.parameterAsDouble(parameters, self.VALIDATION, context) / 100,
            block_size=self.parameterAsDouble(parameters, self.BLOCK_SIZE, context),
            folds=self.parameterAsInt(parameters, self.FOLDS, context),
            seed=self.parameterAsInt(parameters, self.SEED, context),
            label_field=self.parameterAsString(parameters, self.LABEL_FIELD, context) or None,
            id_field=self.parameterAsString(parameters, self.ID_FIELD, context) or None,
            progress=progress)
        for message in report.messages:
            feedback.pushWarning(message)
        for note in report.notes:
            feedback.pushInfo(note)
        counts = report.counts()
        feedback.pushInfo(
            f"{report.landslides} landslides, {report.landslide_cells} landslide cells, "
            f"{report.non_landslide_cells} non-landslide cells; training "
            f"{counts['train_landslide']} + {counts['train_other']}, validation "
            f"{counts['validation_landslide']} + {counts['validation_other']}; "
            f"{report.folds} CV folds")
        if report.dropped_outside or report.dropped_nodata:
            feedback.pushWarning(f"{report.dropped_outside} landslide(s) outside the stack and "
                                 f"{report.dropped_nodata} on nodata cells were left out.")
        self.on_load(context, output, SamplesStyle.create(), "Training samples")
        return {self.OUTPUT: output,
                "LANDSLIDE_SAMPLES": report.landslide_cells,
                "NON_LANDSLIDE_SAMPLES": report.non_landslide_cells,
                "TRAIN_SAMPLES": counts["train_landslide"] + counts["train_other"],
                "VALIDATION_SAMPLES": counts["validation_landslide"] + counts["validation_other"],
                "FOLDS_USED": report.folds}
