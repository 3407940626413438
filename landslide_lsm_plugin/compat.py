"""The one place that picks between QGIS API forms that differ across QGIS versions.

QGIS 3.36 moved the Processing enums into ``Qgis`` (``Qgis.ProcessingSourceType``,
``Qgis.ProcessingNumberParameterType``, ``Qgis.ProcessingParameterFlag``,
``Qgis.ProcessingAlgorithmFlag``) and deprecated the old ones (``QgsProcessing.TypeRaster``,
``QgsProcessingParameterNumber.Integer``, ``FlagAdvanced``...); QGIS 3.30 moved
``QgsWkbTypes.Type`` to ``Qgis.WkbType``; QGIS 3.38 made ``QgsField`` take a
``QMetaType.Type`` instead of a ``QVariant.Type``. QGIS 3.22 (the minimum) has only the old
forms, QGIS 4 (Qt 6) only the new ones. The rest of the plugin uses the names defined here,
always in their scoped form (``tests/unit/test_qt6_forms.py`` checks that nothing else uses the
deprecated forms).
"""

from __future__ import annotations

from qgis.core import (
    Qgis,
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)

#: QGIS 3.36+: the Processing enums live in Qgis
NEW_PROCESSING_ENUMS = hasattr(Qgis, "ProcessingSourceType")

# --- layer types of Processing parameters and outputs ------------------------------------------
if NEW_PROCESSING_ENUMS:
    SOURCE_MAP_LAYER = Qgis.ProcessingSourceType.MapLayer
    SOURCE_VECTOR_ANY = Qgis.ProcessingSourceType.VectorAnyGeometry
    SOURCE_VECTOR_POINT = Qgis.ProcessingSourceType.VectorPoint
    SOURCE_VECTOR_POLYGON = Qgis.ProcessingSourceType.VectorPolygon
    SOURCE_RASTER = Qgis.ProcessingSourceType.Raster
    SOURCE_FILE = Qgis.ProcessingSourceType.File
    #: a table (a vector layer with or without geometry)
    SOURCE_VECTOR = Qgis.ProcessingSourceType.Vector
else:
    SOURCE_MAP_LAYER = QgsProcessing.SourceType.TypeMapLayer
    SOURCE_VECTOR_ANY = QgsProcessing.SourceType.TypeVectorAnyGeometry
    SOURCE_VECTOR_POINT = QgsProcessing.SourceType.TypeVectorPoint
    SOURCE_VECTOR_POLYGON = QgsProcessing.SourceType.TypeVectorPolygon
    SOURCE_RASTER = QgsProcessing.SourceType.TypeRaster
    SOURCE_FILE = QgsProcessing.SourceType.TypeFile
    SOURCE_VECTOR = QgsProcessing.SourceType.TypeVector

# --- number parameters -------------------------------------------------------------------------
if NEW_PROCESSING_ENUMS:
    INTEGER = Qgis.ProcessingNumberParameterType.Integer
    DOUBLE = Qgis.ProcessingNumberParameterType.Double
else:
    INTEGER = QgsProcessingParameterNumber.Type.Integer
    DOUBLE = QgsProcessingParameterNumber.Type.Double

# --- flags -------------------------------------------------------------------------------------
if NEW_PROCESSING_ENUMS:
    FLAG_ADVANCED = Qgis.ProcessingParameterFlag.Advanced
    FLAG_NO_THREADING = Qgis.ProcessingAlgorithmFlag.NoThreading
else:
    FLAG_ADVANCED = QgsProcessingParameterDefinition.Flag.FlagAdvanced
    FLAG_NO_THREADING = QgsProcessingAlgorithm.Flag.FlagNoThreading

#: features are added without checks of their own (the feature sinks of tables and points)
FAST_INSERT = QgsFeatureSink.Flag.FastInsert

# --- geometry types ----------------------------------------------------------------------------
if hasattr(Qgis, "WkbType"):
    WKB_NO_GEOMETRY = Qgis.WkbType.NoGeometry
    WKB_POINT = Qgis.WkbType.Point
else:
    WKB_NO_GEOMETRY = QgsWkbTypes.Type.NoGeometry
    WKB_POINT = QgsWkbTypes.Type.Point


# --- field types -------------------------------------------------------------------------------
def field_type(python_type: type):
    """The type a ``QgsField`` takes for a column of Python ``int``, ``float``, ``str`` or
    ``bool``: a ``QMetaType.Type`` from QGIS 3.38, a ``QVariant.Type`` before."""
    if Qgis.versionInt() >= 33800:
        from qgis.PyQt.QtCore import QMetaType

        return {int: QMetaType.Type.LongLong, float: QMetaType.Type.Double,
                str: QMetaType.Type.QString, bool: QMetaType.Type.Bool}[python_type]
    from qgis.PyQt.QtCore import QVariant

    return {int: QVariant.Type.LongLong, float: QVariant.Type.Double,
            str: QVariant.Type.String, bool: QVariant.Type.Bool}[python_type]
