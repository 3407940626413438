"""The small shared base of every Landslide LSM Processing algorithm.

An algorithm declares its identity as class attributes, its parameters in
``initAlgorithm``, and does its work in ``execute``: read parameters, call one function of
:mod:`landslide_lsm_plugin.core`, turn the result into outputs. This base supplies the rest:
names, help, icon, the check for optional libraries, the bridge from core progress and errors
to Processing feedback and QgsProcessingException, tables, and styled loading of outputs.
"""

from __future__ import annotations

import contextlib
import html
import logging
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar, Optional

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsMapLayer,
    QgsPointXY,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtGui import QColor

from .. import compat, deps
from ..core.errors import Canceled, LsmError
from ..core.progress import Progress
from ..resources_path import icon
from ..translation import tr, tr_noop, translated

TRACKER = "https://github.com/landslide-lsm/landslide-lsm/issues"

GROUPS = {
    "prepare": tr_noop("1 · Prepare data"),
    "models": tr_noop("2 · Train models"),
    "maps": tr_noop("3 · Map susceptibility"),
    "evaluate": tr_noop("4 · Evaluate"),
}


#: Processing setting (Options > Processing > Providers) with the Python that runs LSNet
LSNET_PYTHON_SETTING = "LANDSLIDE_LSM_PYTHON"


def lsnet_python() -> Optional[str]:
    """The interpreter chosen in the provider's settings, or None (then the worker client
    tries LANDSLIDE_LSM_PYTHON and sensible defaults)."""
    from qgis.core import QgsSettings

    value = QgsSettings().value(f"Processing/Configuration/{LSNET_PYTHON_SETTING}", "")
    return str(value).strip() or None


#: Processing setting with the Dask scheduler of the raster stages ('' in-process, 'local:N',
#: or an address); an algorithm's Scheduler parameter wins over it, it over the environment
SCHEDULER_SETTING = "LANDSLIDE_LSM_SCHEDULER_SETTING"
#: the name of every raster algorithm's Scheduler parameter
SCHEDULER = "SCHEDULER"


def scheduler_setting() -> Optional[str]:
    """The Dask scheduler chosen in the provider's settings, or None."""
    from qgis.core import QgsSettings

    value = QgsSettings().value(f"Processing/Configuration/{SCHEDULER_SETTING}", "")
    return str(value).strip() or None


#: QGIS setting holding this user profile's model-signing key (hex); made on first use
SIGNING_KEY_SETTING = "landslide_lsm/model_signing_key"


def signing_key() -> bytes:
    """This QGIS user profile's key for signing model files (core.model_io): 32 random bytes,
    made and stored in the profile's settings the first time a model is trained or loaded."""
    import secrets

    from qgis.core import QgsSettings

    settings = QgsSettings()
    value = str(settings.value(SIGNING_KEY_SETTING, "") or "").strip()
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) < 32:
        key = secrets.token_bytes(32)
        settings.setValue(SIGNING_KEY_SETTING, key.hex())
        settings.sync()
    return key


def feedback_progress(feedback: Optional[QgsProcessingFeedback]) -> Progress:
    """A core Progress that reports to a Processing feedback object."""
    if feedback is None:
        return Progress()
    return Progress(on_percent=feedback.setProgress, is_canceled=feedback.isCanceled,
                    on_info=feedback.pushInfo, on_warning=feedback.pushWarning)


class _FeedbackLogHandler(logging.Handler):
    """Sends the plugin's Python log records to the running algorithm's feedback."""

    def __init__(self, feedback: QgsProcessingFeedback) -> None:
        super().__init__(logging.INFO)
        self.feedback = feedback

    def emit(self, record: logging.LogRecord) -> None:
        msg = self.format(record)
        if record.levelno >= logging.WARNING:
            self.feedback.pushWarning(msg)
        else:
            self.feedback.pushInfo(msg)


class KeptPostProcessor(QgsProcessingLayerPostProcessorInterface):
    """A layer post-processor made by :meth:`create`, which keeps the last few of each kind
    alive: Processing holds them only by a C++ pointer, and they must outlive
    processAlgorithm."""

    _keep_alive: ClassVar[list] = []

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._keep_alive = []  # one list per kind

    @classmethod
    def create(cls, *args):
        processor = cls(*args)
        cls._keep_alive.append(processor)
        del cls._keep_alive[:-32]
        return processor


class StyleFromQml(KeptPostProcessor):
    """Applies a .qml style (and a layer name) to an output when QGIS loads it."""

    def __init__(self, qml_path: str) -> None:
        super().__init__()
        self.qml_path = qml_path

    def postProcessLayer(self, layer: QgsMapLayer, context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> None:
        if layer is not None and Path(self.qml_path).exists():
            message, ok = layer.loadNamedStyle(self.qml_path)
            if not ok:
                feedback.pushWarning(f"Could not apply style {self.qml_path}: {message}")
            layer.triggerRepaint()


def style_samples(layer) -> None:
    """Training samples: landslide red, non-landslide green; validation hollow."""
    from qgis.core import QgsRuleBasedRenderer, QgsSymbol

    root = QgsRuleBasedRenderer.Rule(None)
    for label, split, color, text in (
            (1, "train", "#d7191c", tr("Landslide, training")),
            (1, "validation", "#d7191c", tr("Landslide, validation")),
            (0, "train", "#1a9641", tr("Non-landslide, training")),
            (0, "validation", "#1a9641", tr("Non-landslide, validation"))):
        symbol = QgsSymbol.defaultSymbol(layer.geometryType())
        symbol.setColor(QColor(color))
        symbol.setSize(2.2)
        if split == "validation":
            symbol.symbolLayer(0).setFillColor(QColor(0, 0, 0, 0))
            symbol.symbolLayer(0).setStrokeColor(QColor(color))
            symbol.symbolLayer(0).setStrokeWidth(0.5)
        root.appendChild(QgsRuleBasedRenderer.Rule(
            symbol, 0, 0, f'"label" = {label} AND "split" = \'{split}\'', text))
    layer.setRenderer(QgsRuleBasedRenderer(root))
    layer.triggerRepaint()


class SamplesStyle(KeptPostProcessor):
    """Styles a samples layer when Processing loads it (see :func:`style_samples`)."""

    def postProcessLayer(self, layer, context, feedback):
        if layer is not None:
            style_samples(layer)


FOLD_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
               "#666666", "#1f78b4", "#b2df8a")


class FoldMapStyle(KeptPostProcessor):
    """Colours the fold map by the fold of one partitioning when Processing loads it."""

    def __init__(self, field: str) -> None:
        super().__init__()
        self.field = field

    def postProcessLayer(self, layer, context, feedback):
        if layer is None:
            return
        from qgis.core import QgsCategorizedSymbolRenderer, QgsRendererCategory, QgsSymbol

        values = sorted({f[self.field] for f in layer.getFeatures()} - {None})
        categories = []
        for i, value in enumerate(values):
            symbol = QgsSymbol.defaultSymbol(layer.geometryType())
            symbol.setColor(QColor(FOLD_COLORS[i % len(FOLD_COLORS)]))
            symbol.setSize(2.2)
            categories.append(QgsRendererCategory(value, symbol, tr("Fold {}").format(value)))
        layer.setRenderer(QgsCategorizedSymbolRenderer(self.field, categories))
        layer.triggerRepaint()


def default_text(param) -> str:
    """A parameter's default as the user sets it: a number, yes/no, or an option's index and
    label."""
    value = param.defaultValue()
    if isinstance(param, QgsProcessingParameterEnum):
        options = param.options()
        indices = [int(v) for v in value] if isinstance(value, (list, tuple)) else [int(value)]
        if not all(0 <= i < len(options) for i in indices):
            return str(value)
        return (f"{', '.join(map(str, indices))} "
                f"({', '.join(options[i] for i in indices)})")
    if isinstance(param, QgsProcessingParameterBoolean):
        return tr("yes") if value else tr("no")
    if isinstance(param, QgsProcessingParameterNumber):
        if param.dataType() == compat.INTEGER:
            return str(int(value))
        return f"{float(value):g}"
    return str(value)


class LsmAlgorithm(QgsProcessingAlgorithm):
    """Base of the plugin's algorithms."""

    #: stable lowercase id: the algorithm is ``landslide_lsm:<ID>``
    ID = ""
    TITLE = ""
    GROUP = "prepare"
    #: HTML help shown beside the dialog, marked with tr_noop (translated where shown)
    HELP = ""
    #: import names of optional libraries the algorithm cannot run without
    REQUIRES: tuple[str, ...] = ()

    # identity -------------------------------------------------------------------------------
    def tr(self, text: str) -> str:
        """``text`` (a string literal) in the user's language (context LandslideLsm)."""
        return tr(text)

    def name(self) -> str:
        return self.ID

    def displayName(self) -> str:
        return translated(self.TITLE)

    def group(self) -> str:
        return translated(GROUPS[self.GROUP])

    def groupId(self) -> str:
        return self.GROUP

    def help_text(self) -> str:
        """The algorithm's help page (HTML), translated: HELP, and what a subclass adds."""
        return translated(self.HELP)

    def shortHelpString(self) -> str:
        text = self.help_text()
        if self.REQUIRES:
            names = ", ".join(deps.PIP_NAMES.get(m, m) for m in self.REQUIRES)
            text += "<p><i>{}</i></p>".format(
                self.tr("Needs the Python package(s): {}.").format(names))
        return text + self.defaults_help()

    def defaults_help(self) -> str:
        """Every parameter that has a default, with it: the dialog shows defaults in its
        widgets, but `qgis_process help` of QGIS 3.22 prints none."""
        items = [f"<li><code>{p.name()}</code>: {html.escape(default_text(p))}</li>"
                 for p in self.parameterDefinitions()
                 if not p.isDestination() and p.defaultValue() not in (None, "")]
        if not items:
            return ""
        return f"<p><b>{self.tr('Defaults')}</b></p><ul>{''.join(items)}</ul>"

    def helpUrl(self) -> str:
        return "https://github.com/landslide-lsm/landslide-lsm#algorithms"

    def icon(self):
        return icon()

    def createInstance(self) -> LsmAlgorithm:
        return type(self)()

    def canExecute(self) -> tuple[bool, str]:
        message = self.missing_for(f"'{self.TITLE}'", self.REQUIRES)
        return (False, message) if message else (True, "")

    @staticmethod
    def missing_for(what: str, modules: Sequence[str]) -> str:
        """'' when the modules import, else what is missing and the command that installs it."""
        missing = deps.missing_modules(list(modules))
        return deps.missing_message(missing, what) if missing else ""

    # running --------------------------------------------------------------------------------
    def processAlgorithm(self, parameters: dict, context: QgsProcessingContext,
                         feedback: QgsProcessingFeedback) -> dict:
        from ..core.raster import remove_created, tracking_outputs

        ok, message = self.canExecute()
        if not ok:
            raise QgsProcessingException(message)
        handler = _FeedbackLogHandler(feedback)
        logger = logging.getLogger("landslide_lsm_plugin")
        logger.addHandler(handler)
        succeeded = False
        with tracking_outputs() as created:
            try:
                # every output is checked before any work: a bad one stops the run at once,
                # not after the outputs before it were written
                self.check_destinations(parameters, context)
                if feedback is not None and feedback.isCanceled():
                    raise Canceled()
                results = self.execute(parameters, context, feedback,
                                       feedback_progress(feedback))
                succeeded = True
                return results
            except LsmError as exc:  # Canceled included
                raise QgsProcessingException(str(exc)) from exc
            except QgsProcessingException:
                raise
            except MemoryError as exc:
                raise QgsProcessingException(self.tr(
                    "{}: out of memory. Close other programs, or work on a smaller extent or a "
                    "coarser grid.").format(self.displayName())) from exc
            except Exception as exc:
                if feedback is not None:
                    feedback.reportError(traceback.format_exc(), fatalError=False)
                raise QgsProcessingException(self.tr(
                    "{} failed unexpectedly: {}: {}. This is a bug in the plugin; please report "
                    "it at {} with the log above.").format(
                        self.displayName(), type(exc).__name__, exc, TRACKER)) from exc
            finally:
                if not succeeded:
                    # a failed or canceled run leaves none of the files it created, and
                    # removes nothing else (core.raster.remove_created)
                    remove_created(created)
                logger.removeHandler(handler)

    def execute(self, parameters: dict, context: QgsProcessingContext,
            feedback: QgsProcessingFeedback, progress: Progress) -> dict:
        raise NotImplementedError

    # outputs --------------------------------------------------------------------------------
    def input_paths(self, parameters: dict, context: QgsProcessingContext) -> list[str]:
        """The files behind every layer and file input of this run."""
        paths: list[str] = []
        for definition in self.parameterDefinitions():
            name = definition.name()
            if definition.isDestination() or parameters.get(name) in (None, ""):
                continue
            kind = definition.type()
            if kind == "multilayer":
                layers = self.parameterAsLayerList(parameters, name, context) or []
                paths.extend(self.layer_source(layer) for layer in layers)
            elif kind in ("raster", "vector", "source", "layer"):
                layer = self.parameterAsLayer(parameters, name, context)
                paths.append(self.layer_source(layer) if layer is not None
                             else str(parameters[name]).split("|")[0])
            elif kind == "file":
                paths.append(self.parameterAsFile(parameters, name, context))
        return [p for p in paths if p]

    def destination_paths(self, parameters: dict,
                          context: QgsProcessingContext) -> list[tuple[str, Path]]:
        """(parameter name, file) of every output this run writes to a plain file; temporary,
        memory and database outputs, folders and outputs not asked for are left out."""
        found = []
        for definition in self.destinationParameterDefinitions():
            name = definition.name()
            value = parameters.get(name)
            if isinstance(value, QgsProcessingOutputLayerDefinition):
                value = value.sink.valueAsString(context.expressionContext(), "")[0]
            if definition.type() == "folderDestination" or not _plain_file(str(value or "")):
                continue
            if definition.type() == "fileDestination":
                path = self.parameterAsFileOutput(parameters, name, context)
            else:
                path = self.parameterAsOutputLayer(parameters, name, context)
            if path:
                found.append((name, Path(path.split("|")[0])))
        return found

    def check_destinations(self, parameters: dict, context: QgsProcessingContext) -> None:
        """Refuse, before any work, an output that is an input, is not a file (a folder,
        device, FIFO, link loop), sits in a folder that cannot be written, or is the file of
        another output."""
        from ..core.raster import check_output_path

        destinations = self.destination_paths(parameters, context)
        if not destinations:
            return
        inputs = self.input_paths(parameters, context)
        seen: dict[Path, str] = {}
        for name, path in destinations:
            check_output_path(str(path), inputs)
            try:
                key = path.expanduser().resolve()
            except (OSError, RuntimeError) as exc:
                raise LsmError(f"The output '{path}' cannot be resolved ({exc}). Choose "
                               "another file name.") from exc
            if key in seen:
                raise LsmError(f"The outputs {seen[key]} and {name} are the same file "
                               f"('{path}'). Give each output its own file.")
            seen[key] = name

    # helpers --------------------------------------------------------------------------------
    @staticmethod
    def layer_source(layer: Optional[QgsMapLayer]) -> str:
        """The file path behind a layer (without '|layername=' options)."""
        if layer is None:
            return ""
        return layer.source().split("|")[0]

    @staticmethod
    def vector_layer_source(layer: QgsMapLayer) -> str:
        """'path|layername=x' of a file-based vector layer (the layer name kept, so one layer
        of a GeoPackage with several is read, not the first)."""
        if layer.providerType() != "ogr":
            raise QgsProcessingException(tr(
                "'{}' is not a file-based vector layer (provider {}). Save it to a GeoPackage "
                "first (Export > Save Features As).").format(layer.name(), layer.providerType()))
        path, *options = layer.source().split("|")
        return "|".join([path] + [o for o in options if o.startswith("layername=")])

    def raster_path(self, parameters: dict, name: str, context: QgsProcessingContext) -> str:
        layer = self.parameterAsRasterLayer(parameters, name, context)
        if layer is None:
            raise QgsProcessingException(self.tr("No raster given for '{}'.").format(name))
        if layer.providerType() != "gdal":
            raise QgsProcessingException(self.tr(
                "'{}' is not a file-based raster (provider {}). Save it as a GeoTIFF first "
                "(Export > Save As).").format(layer.name(), layer.providerType()))
        return self.layer_source(layer)

    def vector_source(self, parameters: dict, name: str, context: QgsProcessingContext,
                      feedback: QgsProcessingFeedback) -> Optional[str]:
        """A file path ('path|layername=x') GDAL can read for a feature-source parameter;
        memory layers and selections are exported to a temporary GeoPackage first."""
        if parameters.get(name) in (None, ""):
            return None
        path, layer = self.parameterAsCompatibleSourceLayerPathAndLayerName(
            parameters, name, context, ["gpkg", "shp", "geojson"], "gpkg", feedback)
        if not path:
            return None
        return f"{path}|layername={layer}" if layer else path

    def add_scheduler_parameter(self) -> None:
        """The advanced Scheduler parameter of a raster stage (see cluster.py)."""
        from qgis.core import QgsProcessingParameterString

        self.add_parameter(QgsProcessingParameterString(
            SCHEDULER, self.tr("Dask scheduler (empty: the plugin setting, then "
                               "LANDSLIDE_LSM_SCHEDULER, then this process)"), optional=True),
            self.tr("Where the raster windows are computed: empty for the default, "
                    "'in-process', 'local:N' for a local Dask cluster of N worker processes, "
                    "or a Dask scheduler's address (tcp://host:8786). The result is the same; "
                    "on a cluster every file must be on a disk the workers can read and "
                    "write."), advanced=True)

    @contextlib.contextmanager
    def dask_client(self, parameters: dict, context: QgsProcessingContext,
                    progress: Progress, lsnet: bool = False) -> Iterator[Any]:
        """The Dask client of this run (None in-process): the Scheduler parameter, else the
        plugin setting, else LANDSLIDE_LSM_SCHEDULER."""
        from ..cluster import dask_client, resolve_scheduler

        text = (self.parameterAsString(parameters, SCHEDULER, context)
                if self.parameterDefinition(SCHEDULER) is not None else None)
        scheduler = resolve_scheduler(text, scheduler_setting())
        with dask_client(scheduler, lsnet=lsnet, python_setting=lsnet_python(),
                         log=progress.info) as client:
            yield client

    @staticmethod
    def advanced(param):
        """Mark a parameter advanced (shown under 'Advanced Parameters')."""
        param.setFlags(param.flags() | compat.FLAG_ADVANCED)
        return param

    def add_parameter(self, param, help_text: str, advanced: bool = False):
        """Add a parameter with its own help (``self.tr("...")``): the dialog and the
        modeler show it as the parameter's tooltip. ``advanced``: under 'Advanced
        Parameters'. Returns the parameter."""
        param.setHelp(help_text)
        self.addParameter(self.advanced(param) if advanced else param)
        return param

    def style_output(self, context: QgsProcessingContext, output: str, qml: str,
                     layer_name: Optional[str] = None) -> None:
        """Write an output raster's style beside it (``<name>.qml``: QGIS, *Create project* and
        the dock load it from there) and apply it when Processing loads the layer."""
        from ..presentation.styles import write_sidecar

        qml_path = write_sidecar(output, qml)
        self.on_load(context, output, StyleFromQml.create(str(qml_path)), layer_name)

    @staticmethod
    def on_load(context: QgsProcessingContext, output: str,
                post_processor: Optional[QgsProcessingLayerPostProcessorInterface] = None,
                layer_name: Optional[str] = None) -> None:
        """Attach a post-processor (styling) and a layer name to an output that will load."""
        if output and context.willLoadLayerOnCompletion(output):
            details = context.layerToLoadOnCompletionDetails(output)
            if post_processor is not None:
                details.setPostProcessor(post_processor)
            if layer_name:
                details.name = layer_name

    def write_table(self, parameters: dict, name: str, context: QgsProcessingContext,
                    columns: Sequence[tuple[str, type]], rows: Sequence[dict]) -> Optional[str]:
        """Write rows to a geometry-less feature sink output; return its destination id."""
        return self._write_sink(parameters, name, context, columns, rows, None, "")

    def write_points(self, parameters: dict, name: str, context: QgsProcessingContext,
                     columns: Sequence[tuple[str, type]], rows: Sequence[dict],
                     xy: Sequence[tuple[float, float]], crs_wkt: str) -> Optional[str]:
        """Write rows as points (``xy``, in the CRS of ``crs_wkt``) to a feature sink output;
        return its destination id."""
        return self._write_sink(parameters, name, context, columns, rows, xy, crs_wkt)

    def _write_sink(self, parameters: dict, name: str, context: QgsProcessingContext,
                    columns: Sequence[tuple[str, type]], rows: Sequence[dict],
                    xy: Optional[Sequence[tuple[float, float]]], crs_wkt: str) -> Optional[str]:
        fields = QgsFields()
        for col, typ in columns:
            fields.append(QgsField(col, compat.field_type(typ)))
        from ..core.raster import record_created

        crs = QgsCoordinateReferenceSystem.fromWkt(crs_wkt) if crs_wkt else \
            QgsCoordinateReferenceSystem()
        sink, dest_id = self.parameterAsSink(
            parameters, name, context, fields,
            compat.WKB_NO_GEOMETRY if xy is None else compat.WKB_POINT, crs)
        if sink is None:
            return None
        if _plain_file(str(dest_id or "")):
            record_created(str(dest_id).split("|")[0])  # a failed run removes it again
        for i, row in enumerate(rows):
            feature = QgsFeature(fields)
            feature.setAttributes([_plain(row.get(col)) for col, _ in columns])
            if xy is not None:
                feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(*map(float, xy[i]))))
            sink.addFeature(feature, compat.FAST_INSERT)
        return dest_id


def _plain_file(text: str) -> bool:
    """A file path, not a temporary output or a provider URI ('memory:', 'postgres://...')."""
    if not text or text == QgsProcessing.TEMPORARY_OUTPUT:
        return False
    scheme = text.split(":", 1)[0]
    return ":" not in text or len(scheme) == 1 or "/" in scheme or "\\" in scheme


def _plain(value: Any) -> Any:
    """numpy scalars -> Python scalars (QgsFeature takes only the latter)."""
    if hasattr(value, "item"):
        return value.item()
    return value
