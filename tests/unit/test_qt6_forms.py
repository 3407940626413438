"""Nothing in the plugin that QGIS 4 (Qt 6, PyQt6) removes (parsed with ast, nothing imported).

PyQt6 drops ``exec_()``, unscoped enum values (``Qt.AlignLeft`` must be
``Qt.AlignmentFlag.AlignLeft``) and the PyQt5 module names; QGIS deprecates the old Processing
enums (``QgsProcessing.TypeRaster``, ``QgsProcessingParameterNumber.Integer``, ``FlagAdvanced``),
``QgsWkbTypes`` values and ``QVariant`` field types, which QGIS 4 no longer has. The plugin
keeps QGIS 3.22 as its minimum, so where the new form is missing there, the one compatibility
module (``landslide_lsm_plugin/compat.py``) picks the form the running QGIS has.
"""

import ast
import re
from pathlib import Path
from typing import Optional

PACKAGE = Path(__file__).resolve().parents[2] / "landslide_lsm_plugin"
#: the module that may name the old forms, to pick between them
COMPAT = "compat.py"
#: Qt bindings imported directly instead of through qgis.PyQt
DIRECT_BINDINGS = ("PyQt5", "PyQt6", "PySide2", "PySide6", "sip")
#: classes in QtWidgets under Qt 5 and in QtGui under Qt 6
MOVED_TO_QTGUI = {"QAction", "QActionGroup", "QShortcut", "QFileSystemModel", "QUndoCommand",
                  "QUndoStack", "QUndoGroup"}
#: matplotlib backends bound to Qt 5 (backend_qtagg serves both)
QT5_BACKENDS = ("matplotlib.backends.backend_qt5agg", "matplotlib.backends.backend_qt5")
#: Processing enum values deprecated in QGIS 3.36 (Qgis.ProcessingSourceType,
#: Qgis.ProcessingParameterFlag, Qgis.ProcessingAlgorithmFlag...)
DEPRECATED_PROCESSING = re.compile(
    r"^(Type(MapLayer|VectorAnyGeometry|VectorPoint|VectorLine|VectorPolygon|Raster|File|Vector"
    r"|Mesh|Plugin|PointCloud|Annotation|VectorTile)|Flag[A-Z]\w*)$")
#: class -> members deprecated however they are reached (QgsProcessingParameterNumber.Type.
#: Integer too): the compat module names them
DEPRECATED_MEMBERS = {"QgsProcessingParameterNumber": {"Integer", "Double"}}
#: classes none of whose values may be used outside the compat module
DEPRECATED_CLASSES = {"QgsWkbTypes": "Qgis.WkbType (compat.WKB_*)",
                      "QVariant": "QMetaType from QGIS 3.38 (compat.field_type)"}


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _qgis_names(tree: ast.Module) -> dict[str, str]:
    """Names imported from qgis modules (qgis.core, qgis.gui, qgis.PyQt.*): the name in the
    module -> the class's own name."""
    return {alias.asname or alias.name: alias.name for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 0
            and (node.module or "").split(".")[0] == "qgis" for alias in node.names}


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _in_import_error_fallback(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Inside ``except ImportError:`` (the fallback for an older Qt or matplotlib)."""
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.ExceptHandler):
            kinds = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if any(getattr(k, "id", "") in ("ImportError", "ModuleNotFoundError")
                   for k in kinds):
                return True
    return False


def _chain(node: ast.Attribute) -> tuple[Optional[str], list[str]]:
    """``Qt.AlignmentFlag.AlignLeft`` -> ("Qt", ["AlignmentFlag", "AlignLeft"])."""
    attrs = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    return (node.id if isinstance(node, ast.Name) else None), attrs[::-1]


def _enum_like(member: str) -> bool:
    """An enum value or type name: CamelCase (constants in CAPITALS are not enums)."""
    return member[:1].isupper() and not re.fullmatch(r"[A-Z0-9_]+", member)


def qt6_offenders(package: Path = PACKAGE, sources: Optional[dict[str, str]] = None) -> list[str]:
    """'file:line: what' for every form Qt 6 / QGIS 4 removes (``sources``: file name -> text,
    instead of the package's files)."""
    if sources is None:
        sources = {p.relative_to(package).as_posix(): p.read_text(encoding="utf-8")
                   for p in python_files(package)}
    found = set()
    for rel, text in sorted(sources.items()):
        tree = ast.parse(text, filename=rel)
        qgis_names = _qgis_names(tree)
        parents = _parents(tree)
        compat = rel == COMPAT

        def say(node: ast.AST, what: str, rel: str = rel) -> None:
            found.add(f"{rel}:{node.lineno}: {what}")

        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in DIRECT_BINDINGS:
                        say(node, f"import {alias.name}: import from qgis.PyQt")
                    if (alias.name in QT5_BACKENDS
                            and not _in_import_error_fallback(node, parents)):
                        say(node, f"{alias.name} is Qt 5 only: use backend_qtagg")
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                module = node.module or ""
                if module.split(".")[0] in DIRECT_BINDINGS:
                    say(node, f"from {module} import: import from qgis.PyQt")
                if module in QT5_BACKENDS and not _in_import_error_fallback(node, parents):
                    say(node, f"{module} is Qt 5 only: use matplotlib.backends.backend_qtagg")
                moved = {a.name for a in node.names} & MOVED_TO_QTGUI
                if (module.endswith("QtWidgets") and moved
                        and not _in_import_error_fallback(node, parents)):
                    say(node, f"{', '.join(sorted(moved))} from QtWidgets: in QtGui under Qt 6 "
                              "(import from QtGui, fall back to QtWidgets on ImportError)")
            elif isinstance(node, ast.Call):
                func = node.func
                if getattr(func, "attr", getattr(func, "id", "")) == "exec_":
                    say(node, "exec_(): use exec()")
            elif isinstance(node, ast.Attribute):
                if not compat and DEPRECATED_PROCESSING.match(node.attr):
                    say(node, f".{node.attr}: deprecated Processing enum: use compat")
                root, attrs = _chain(node)
                if root is None or root not in qgis_names:
                    continue
                cls = qgis_names[root]
                parent = parents.get(node)
                outermost = not (isinstance(parent, ast.Attribute) and parent.value is node)
                if not compat and outermost:
                    if attrs[-1] in DEPRECATED_MEMBERS.get(cls, ()):
                        say(node, f"{root}.{'.'.join(attrs)}: deprecated: use compat")
                    if cls in DEPRECATED_CLASSES:
                        say(node, f"{root}.{'.'.join(attrs)}: use {DEPRECATED_CLASSES[cls]}")
                called = isinstance(parent, ast.Call) and parent.func is node
                if (len(attrs) == 1 and outermost and not called and _enum_like(attrs[0])):
                    say(node, f"{root}.{attrs[0]}: unscoped enum value: name its enum "
                              f"({root}.<Enum>.{attrs[0]})")
    return sorted(found, key=lambda f: (f.split(":")[0], int(f.split(":")[1]), f))


def test_no_qt5_only_forms_in_the_plugin():
    offenders = qt6_offenders()
    assert not offenders, "forms Qt 6 / QGIS 4 removes:\n" + "\n".join(offenders)


def test_the_check_catches_every_qt5_only_form():
    """A test of the test: each rule on a tiny synthetic module, and the good forms pass."""
    bad = {
        "gui/bad.py": (
            "from PyQt5.QtCore import Qt\n"                                       # 1
            "import sip\n"                                                        # 2
            "from qgis.PyQt.QtCore import Qt as Q2\n"                             # 3
            "from qgis.PyQt.QtWidgets import QAction, QHeaderView, QMessageBox\n"  # 4
            "from qgis.core import Qgis, QgsProcessing, QgsWkbTypes\n"            # 5
            "from qgis.PyQt.QtCore import QVariant\n"                             # 6
            "from qgis.core import QgsProcessingParameterNumber as N\n"           # 7
            "from matplotlib.backends.backend_qt5agg import FigureCanvasQTAgg\n"  # 8
            "def f(dialog, p, view):\n"                                           # 9
            "    dialog.exec_()\n"                                                # 10
            "    view.setAlignment(Q2.AlignLeft)\n"                               # 11
            "    view.header().setSectionResizeMode(QHeaderView.Stretch)\n"       # 12
            "    level = Qgis.Warning\n"                                          # 13
            "    kind = QgsProcessing.TypeRaster\n"                               # 14
            "    p.setFlags(p.flags() | p.FlagAdvanced)\n"                        # 15
            "    n = N.Type.Integer\n"                                            # 16
            "    w = QgsWkbTypes.Point\n"                                         # 17
            "    t = QVariant.Type.String\n"                                      # 18
            "    return QMessageBox.Yes\n"),                                      # 19
        "gui/good.py": (
            "try:\n"
            "    from qgis.PyQt.QtGui import QAction\n"
            "except ImportError:\n"
            "    from qgis.PyQt.QtWidgets import QAction\n"
            "try:\n"
            "    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg\n"
            "except ImportError:\n"
            "    from matplotlib.backends.backend_qt5agg import FigureCanvasQTAgg\n"
            "from qgis.PyQt.QtCore import Qt\n"
            "from qgis.core import Qgis, QgsProcessing, QgsRuleBasedRenderer\n"
            "from .. import compat\n"
            "def f(dialog, view):\n"
            "    dialog.exec()\n"
            "    view.setAlignment(Qt.AlignmentFlag.AlignLeft)\n"
            "    role = Qt.ItemDataRole.UserRole + 1\n"
            "    rule = QgsRuleBasedRenderer.Rule(None)\n"
            "    out = QgsProcessing.TEMPORARY_OUTPUT\n"
            "    return Qgis.MessageLevel.Warning, compat.SOURCE_RASTER, compat.INTEGER\n"),
        "compat.py": (
            "from qgis.core import QgsProcessing, QgsProcessingParameterNumber, QgsWkbTypes\n"
            "RASTER = QgsProcessing.SourceType.TypeRaster\n"
            "INTEGER = QgsProcessingParameterNumber.Type.Integer\n"
            "POINT = QgsWkbTypes.Type.Point\n"),
    }
    offenders = qt6_offenders(sources=bad)
    lines = sorted({int(o.split(":")[1]) for o in offenders if o.startswith("gui/bad.py")})
    assert lines == [1, 2, 4, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], offenders
    assert not [o for o in offenders if not o.startswith("gui/bad.py")], offenders


def test_metadata_declares_qt6_support_that_the_scan_backs():
    """supportsQt6=True tells QGIS 4 to load the plugin: the claim stands on this file's scan
    (test_no_qt5_only_forms_in_the_plugin) and on the matrix's QGIS 3.40 and 3.44 runs."""
    import configparser

    meta = configparser.ConfigParser(interpolation=None)
    meta.read(PACKAGE / "metadata.txt", encoding="utf-8")
    assert meta["general"].get("supportsQt6") == "True"
    assert not qt6_offenders()
