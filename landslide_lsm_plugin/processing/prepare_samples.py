"""Prepare training samples: landslide / non-landslide cells, 70/30 split by landslide, folds."""

from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterDistance,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorDestination,
)

from .. import compat
from ..translation import tr_noop, translated_all
from .base import LsmAlgorithm, SamplesStyle

CELL_LABELS = [tr_noop("All cells of each landslide polygon"),
               tr_noop("One cell per landslide (centroid)"),
               tr_noop("A fixed number of random cells per landslide")]
CELL_KEYS = ["all", "centroid", "per_polygon"]
SPLIT_LABELS = [tr_noop("Random, by landslide"), tr_noop("Spatial blocks")]
SPLIT_KEYS = ["random", "blocks"]


class PrepareSamples(LsmAlgorithm):
    ID = "preparesamples"
    TITLE = tr_noop("Prepare training samples")
    GROUP = "prepare"
    HELP = tr_noop(
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
        self.add_parameter(QgsProcessingParameterFeatureSource(
            self.INVENTORY, self.tr("Landslide inventory (polygons or points)"),
            [compat.SOURCE_VECTOR_POLYGON, compat.SOURCE_VECTOR_POINT]),
            self.tr("The mapped landslides, polygons or points, in any CRS (reprojected to the "
                    "stack's)."))
        self.add_parameter(QgsProcessingParameterRasterLayer(
            self.STACK, self.tr("Factor stack (grid and valid cells)")),
            self.tr("The stack of 'Build factor stack': samples are its cells, and only cells "
                    "valid in every band are sampled."))
        self.add_parameter(QgsProcessingParameterField(
            self.LABEL_FIELD, self.tr("Label field (only for an already labelled point layer)"),
            parentLayerParameterName=self.INVENTORY, optional=True),
            self.tr("For a point layer that is already labelled (1 landslide, 0 not): its "
                    "points are only split and given folds. Leave empty for an inventory."))
        self.add_parameter(QgsProcessingParameterField(
            self.ID_FIELD, self.tr("Landslide id field (default: feature id)"),
            parentLayerParameterName=self.INVENTORY, optional=True),
            self.tr("A field identifying each landslide: features with the same id are one "
                    "landslide (kept on one side of the split). Default: every feature is one."),
            advanced=True)
        self.add_parameter(QgsProcessingParameterEnum(
            self.CELLS, self.tr("Landslide cells"), translated_all(CELL_LABELS), defaultValue=0),
            self.tr("Which cells of a landslide are samples: all cells of each polygon "
                    "(default), one cell per landslide, or a fixed number of random cells per "
                    "polygon. Points give their own cell."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.PER_POLYGON, self.tr("Cells per landslide (fixed number option)"),
            compat.INTEGER, 5, minValue=1),
            self.tr("For 'A fixed number of random cells per landslide': how many (default 5)."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.RATIO, self.tr("Non-landslide cells per landslide cell"), compat.DOUBLE, 1.0,
            minValue=0.01, maxValue=100.0),
            self.tr("How many non-landslide cells are drawn per landslide cell: 1 (default) "
                    "gives balanced classes."))
        self.add_parameter(QgsProcessingParameterDistance(
            self.BUFFER, self.tr("Buffer around landslides without non-landslide cells"),
            0.0, self.STACK, minValue=0.0),
            self.tr("No non-landslide cell is drawn within this distance of a landslide, in "
                    "the stack's map units (default 0: none)."))
        self.add_parameter(QgsProcessingParameterEnum(
            self.SPLIT, self.tr("Training/validation split"), translated_all(SPLIT_LABELS),
            defaultValue=0),
            self.tr("Random by landslide (whole landslides go to one side, never both), or by "
                    "spatial blocks (whole blocks go to one side: a harder, more honest test)."))
        self.add_parameter(QgsProcessingParameterDistance(
            self.BLOCK_SIZE, self.tr("Spatial block size (spatial-block split; 0 = a fifth of "
                                     "the landslides' extent)"), 0.0,
            self.STACK, minValue=0.0),
            self.tr("Side of the square blocks in the stack's map units; 0 takes a fifth of the "
                    "landslides' extent, so that a few large blocks are held out."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.VALIDATION, self.tr("Validation share (%)"), compat.DOUBLE, 30.0,
            minValue=1.0, maxValue=99.0),
            self.tr("The share of the landslides (and of the other samples) held out for "
                    "validation, in percent (default 30: a 70/30 split)."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.FOLDS, self.tr("Cross-validation folds"), compat.INTEGER, 10, minValue=2,
            maxValue=50),
            self.tr("The training samples are dealt to this many folds (field fold), whole "
                    "landslides or blocks each, for the Train algorithms' cross-validation "
                    "(default 10)."))
        self.add_parameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), compat.INTEGER, 42),
            self.tr("The same seed gives the same cells, split and folds."))
        self.add_parameter(QgsProcessingParameterVectorDestination(
            self.OUTPUT, self.tr("Training samples"), compat.SOURCE_VECTOR_POINT),
            self.tr("One point per sampled cell with the fields label, landslide_id, split and "
                    "fold, loaded styled (landslides red, validation samples hollow)."))
        self.addOutput(QgsProcessingOutputNumber("LANDSLIDE_SAMPLES", self.tr("Landslide cells")))
        self.addOutput(QgsProcessingOutputNumber("NON_LANDSLIDE_SAMPLES",
                                                 self.tr("Non-landslide cells")))
        self.addOutput(QgsProcessingOutputNumber("TRAIN_SAMPLES", self.tr("Training samples")))
        self.addOutput(QgsProcessingOutputNumber("VALIDATION_SAMPLES",
                                                 self.tr("Validation samples")))
        self.addOutput(QgsProcessingOutputNumber("FOLDS_USED",
                                                 self.tr("Cross-validation folds used")))

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
        self.on_load(context, output, SamplesStyle.create(), self.tr("Training samples"))
        return {self.OUTPUT: output,
                "LANDSLIDE_SAMPLES": report.landslide_cells,
                "NON_LANDSLIDE_SAMPLES": report.non_landslide_cells,
                "TRAIN_SAMPLES": counts["train_landslide"] + counts["train_other"],
                "VALIDATION_SAMPLES": counts["validation_landslide"] + counts["validation_other"],
                "FOLDS_USED": report.folds}
