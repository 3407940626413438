"""Guardrails on the shape of the code (parsed with ast, nothing imported)."""

import ast
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "landslide_lsm_plugin"
FORBIDDEN_IN_CORE = ("qgis", "PyQt5", "PyQt6", "sip", "tensorflow", "keras")
#: the LSNet worker side: the only modules that may import tensorflow/keras (in the worker)
WORKER_SIDE = ("lsnet/worker.py", "lsnet/network.py", "lsnet/dense.py")
#: the LSNet tasks of Dask clusters: the QGIS side imports them to send them, and they import
#: tensorflow/keras only inside functions (a task's call, on a Dask worker): they are checked
#: on what they import when imported
DASK_TASK_SIDE = ("lsnet/tasks.py",)


def module_name(path: Path, package: Path = PACKAGE) -> str:
    """``<package>/core/x.py`` -> ``landslide_lsm_plugin.core.x`` (``__init__`` -> the package)."""
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve_relative(module: str, is_package: bool, level: int, target: Optional[str]) -> str:
    """The absolute name of ``from <level dots><target> import ...`` written in ``module``."""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level - 1 >= len(base):
        raise ValueError(f"{module}: relative import beyond the top-level package")
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def _import_time_nodes(tree: ast.AST) -> Iterable[ast.AST]:
    """The nodes that run when the module is imported: everything but function bodies."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(child for child in ast.iter_child_nodes(node)
                    if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                              ast.Lambda)))


def imported_modules(path: Path, package: Path = PACKAGE, source: Optional[str] = None,
                     import_time_only: bool = False) -> set[str]:
    """Absolute names of what ``path`` imports. Relative imports are resolved against the
    file's place in ``package`` (``from ..core import x`` in ``gui/dock.py`` gives
    ``landslide_lsm_plugin.core`` and ``landslide_lsm_plugin.core.x``): ``from m import n``
    gives ``m`` and, within the package, ``m.n`` (``n`` may be a submodule).
    ``import_time_only``: only the imports that run when the module is imported (not those
    inside functions)."""
    source = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(source, filename=str(path))
    module = module_name(path, package) if path.is_relative_to(package) else path.stem
    is_package = path.name == "__init__.py"
    names = set()
    for node in (_import_time_nodes(tree) if import_time_only else ast.walk(tree)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = node.module if node.level == 0 else resolve_relative(
                module, is_package, node.level, node.module)
            names.add(target)
            if target.split(".")[0] == package.name:  # of the package: n may be a module
                names.update(f"{target}.{a.name}" for a in node.names if a.name != "*")
    return names


def module_file(name: str, package: Path = PACKAGE) -> Optional[Path]:
    """The file of a module of ``package`` (``None``: another package, or not a module)."""
    parts = name.split(".")
    if parts[0] != package.name:
        return None
    base = package.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py") if len(parts) > 1 else None, base / "__init__.py"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def loaded_by(names: Iterable[str], package: Path = PACKAGE) -> dict[str, str]:
    """Every module that importing ``names`` loads, each with the module that imported it: the
    package's own modules are followed through their parent packages and the imports they run
    on import; other modules are kept as named."""
    via: dict[str, str] = {}
    expanded: set[str] = set()
    todo = [(name, "") for name in sorted(names, reverse=True)]
    while todo:
        name, parent = todo.pop()
        if name in via:
            continue
        via[name] = parent
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__, a/b/__init__
            prefix = ".".join(parts[:i])
            path = module_file(prefix, package)
            if path is None or prefix in expanded:
                continue
            expanded.add(prefix)
            via.setdefault(prefix, parent)
            todo.extend((m, prefix) for m in sorted(_import_time_imports(path, package),
                                                    reverse=True))
    return via


@functools.cache
def _import_time_imports(path: Path, package: Path) -> frozenset[str]:
    return frozenset(imported_modules(path, package, import_time_only=True))


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _chain(via: dict[str, str], name: str) -> str:
    steps = [name]
    while via.get(steps[-1]):
        steps.append(via[steps[-1]])
    return " <- ".join(steps)


#: the layers that import no qgis, PyQt, tensorflow: the science (core), what users see of it
#: (presentation: figures, report, styles) and the built-in sample area (demo)
PURE_LAYERS = ("core", "presentation", "demo")
#: the plugin's packages each pure layer may use besides itself (one way: core uses none)
LAYER_USES = {"core": (), "presentation": ("core",), "demo": ("core",)}
#: leaf modules any layer may import (pure, and they import nothing of the package)
LEAVES = ("landslide_lsm_plugin", "landslide_lsm_plugin.version", "landslide_lsm_plugin.deps")


def _is_leaf(name: str) -> bool:
    """A leaf module or a name imported from one (``landslide_lsm_plugin.version.x``)."""
    return name == LEAVES[0] or any(name == leaf or name.startswith(leaf + ".")
                                    for leaf in LEAVES[1:])


def core_offenders(package: Path = PACKAGE, layer: str = "core") -> dict[str, list[str]]:
    """Modules of a pure layer whose imports (absolute or relative, at import time or inside
    functions) load qgis, PyQt, sip, tensorflow or keras, directly or through other modules of
    the package."""
    offenders = {}
    for path in python_files(package / layer):
        via = loaded_by(imported_modules(path, package) | {module_name(path, package)}, package)
        bad = sorted(_chain(via, m) for m in via if m.split(".")[0] in FORBIDDEN_IN_CORE)
        if bad:
            offenders[str(path.relative_to(package))] = bad
    return offenders


def layer_offenders(package: Path = PACKAGE) -> dict[str, list[str]]:
    """Modules of a pure layer that import a package of the plugin their layer may not use
    (core nothing outside core; presentation and demo only core)."""
    offenders = {}
    for layer in PURE_LAYERS:
        allowed = {f"{package.name}.{name}" for name in (layer, *LAYER_USES[layer])}
        for path in python_files(package / layer):
            bad = sorted(m for m in imported_modules(path, package)
                         if m.split(".")[0] == package.name and not _is_leaf(m)
                         and ".".join(m.split(".")[:2]) not in allowed)
            if bad:
                offenders[str(path.relative_to(package))] = bad
    return offenders


def tensorflow_offenders(package: Path = PACKAGE) -> dict[str, list[str]]:
    """Modules outside the worker side whose imports load tensorflow/keras, or a module of
    the worker side (which imports tensorflow when its functions run)."""
    worker_side = {module_name(package / rel, package) for rel in WORKER_SIDE}
    offenders = {}
    for path in python_files(package):
        rel = path.relative_to(package).as_posix()
        if rel in WORKER_SIDE:
            continue
        via = loaded_by(imported_modules(path, package,
                                         import_time_only=rel in DASK_TASK_SIDE), package)
        bad = sorted(_chain(via, m) for m in via
                     if m.split(".")[0] in ("tensorflow", "keras") or m in worker_side)
        if bad:
            offenders[rel] = bad
    return offenders


@pytest.mark.parametrize("layer", PURE_LAYERS)
def test_pure_layers_import_no_qgis_pyqt_or_tensorflow(layer):
    assert python_files(PACKAGE / layer), f"{layer}/ is empty?"
    offenders = core_offenders(layer=layer)
    assert not offenders, f"{layer}/ must stay pure: {offenders}"


def test_layers_depend_one_way():
    """core uses no other package of the plugin; presentation and demo use only core."""
    offenders = layer_offenders()
    assert not offenders, f"imports against the layering: {offenders}"


def test_the_layer_rule_catches_an_upward_import(tmp_path):
    package = _write(tmp_path / "landslide_lsm_plugin", {
        "__init__.py": "", "version.py": "__version__ = '1'\n",
        "core/__init__.py": "", "core/ok.py": "from ..version import __version__\n",
        "core/up.py": "def f():\n    from ..presentation import styles\n",
        "presentation/__init__.py": "", "presentation/ok.py": "from ..core import ok\n",
        "presentation/up.py": "from ..processing import base\n",
        "demo/__init__.py": "", "demo/side.py": "from ..presentation.styles import x\n",
    })
    assert layer_offenders(package) == {
        "core/up.py": ["landslide_lsm_plugin.presentation",
                       "landslide_lsm_plugin.presentation.styles"],
        "presentation/up.py": ["landslide_lsm_plugin.processing",
                               "landslide_lsm_plugin.processing.base"],
        "demo/side.py": ["landslide_lsm_plugin.presentation.styles",
                         "landslide_lsm_plugin.presentation.styles.x"]}


def test_tensorflow_only_in_the_lsnet_worker_side():
    """tensorflow/keras may be imported only by lsnet modules that run in the worker."""
    offenders = tensorflow_offenders()
    assert not offenders, f"tensorflow imported outside the LSNet worker: {offenders}"


def test_relative_imports_are_resolved_to_absolute_names(tmp_path):
    package = tmp_path / "landslide_lsm_plugin"
    (package / "core").mkdir(parents=True)
    dock = package / "gui" / "dock.py"
    init = package / "core" / "__init__.py"
    assert imported_modules(dock, package, source="from ..core import x\nfrom . import y\n"
                            "from .. import __version__\nimport os.path\n") == {
        "landslide_lsm_plugin.core", "landslide_lsm_plugin.core.x", "landslide_lsm_plugin.gui",
        "landslide_lsm_plugin.gui.y", "landslide_lsm_plugin",
        "landslide_lsm_plugin.__version__", "os.path"}
    assert imported_modules(init, package, source="from . import errors\n"
                            "from .raster import open_raster\n") == {
        "landslide_lsm_plugin.core", "landslide_lsm_plugin.core.errors",
        "landslide_lsm_plugin.core.raster", "landslide_lsm_plugin.core.raster.open_raster"}
    assert imported_modules(init, package, import_time_only=True, source=(
        "import numpy\ndef f():\n    from ..gui import dock\n")) == {"numpy"}
    with pytest.raises(ValueError, match="beyond the top-level package"):
        imported_modules(init, package, source="from ... import x\n")


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_guardrails_catch_forbidden_modules_behind_relative_imports(tmp_path):
    """A core module that reaches qgis, PyQt or tensorflow through a relative import of
    another module of the package (at import time or inside a function) is caught, and so
    is code outside the worker that imports the worker side relatively."""
    package = _write(tmp_path / "landslide_lsm_plugin", {
        "__init__.py": "def classFactory(iface):\n    from .plugin import Plugin\n",
        "plugin.py": "from qgis.core import QgsApplication\n",
        "core/__init__.py": "",
        "core/errors.py": "class LsmError(Exception):\n    pass\n",
        "core/clean.py": "from .errors import LsmError\nfrom .. import __version__\n",
        "core/via_module.py": "from ..processing.base import LsmAlgorithm\n",
        "core/via_package.py": "from .. import gui\n",
        "core/lazy.py": "def build():\n    from ..lsnet import network\n",
        "core/sibling.py": "from . import via_module\n",
        "processing/__init__.py": "",
        "processing/base.py": "from qgis.core import QgsProcessingAlgorithm\n",
        "processing/train.py": "def run():\n    from ..lsnet.worker import train\n",
        "gui/__init__.py": "from qgis.PyQt import QtWidgets\n",
        "lsnet/__init__.py": "",
        "lsnet/client.py": "from ..core.errors import LsmError\n",
        "lsnet/network.py": "import keras\n",
        "lsnet/dense.py": "from .network import DENSE_UNITS\nimport tensorflow as tf\n",
        "lsnet/worker.py": "def train():\n    import tensorflow as tf\n",
        "lsnet/bad.py": "from .network import build\n",
    })
    core = core_offenders(package)
    assert set(core) == {"core/via_module.py", "core/via_package.py", "core/lazy.py",
                         "core/sibling.py"}, core
    for rel, first in (("core/via_module.py", "qgis.core"), ("core/via_package.py", "qgis.PyQt"),
                       ("core/lazy.py", "keras"), ("core/sibling.py", "qgis.core")):
        assert core[rel][0].startswith(first + " <- "), core[rel]  # the chain that leads there
    assert "landslide_lsm_plugin.processing.base <- landslide_lsm_plugin.core.via_module" in \
        core["core/sibling.py"][0]
    tf = tensorflow_offenders(package)
    assert set(tf) == {"core/lazy.py", "lsnet/bad.py", "processing/train.py"}, tf
    assert "landslide_lsm_plugin.lsnet.worker" in tf["processing/train.py"]


def test_no_pickle_or_joblib_in_the_plugin():
    offenders = [str(p.relative_to(PACKAGE)) for p in python_files(PACKAGE)
                 if {m.split(".")[0] for m in imported_modules(p)} & {"pickle", "joblib", "dill"}]
    assert not offenders, f"model files must be safe to load; pickle/joblib used in {offenders}"


def test_every_algorithm_in_its_own_file_on_the_shared_base():
    processing = PACKAGE / "processing"
    for path in python_files(processing):
        if path.name in ("__init__.py", "base.py", "provider.py", "training.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
        algorithms = [n for n in classes if any(getattr(b, "id", "") in
                                                ("LsmAlgorithm", "TrainAlgorithm")
                                                for b in n.bases)]
        assert len(classes) == len(algorithms) == 1, \
            f"{path.name}: expected exactly one algorithm class on the shared base"


#: broad handlers that report instead of raising, on purpose
REPORTING_HANDLERS = {
    ("deps.py", "module_available"),  # a broken install counts as missing
    ("lsnet/worker.py", "main"),  # the worker reports the error as JSON and exits non-zero
    ("cluster.py", "_worker_report"),  # a Dask worker reports a broken install as missing
    ("cluster.py", "check_workers"),  # (the function above is defined inside this one)
}


def test_no_exception_is_swallowed():
    """A handler for Exception/BaseException (or a bare except) must raise again, so every
    failure reaches the user (as a QgsProcessingException, through the shared base)."""
    offenders = []
    for path in python_files(PACKAGE):
        rel = str(path.relative_to(PACKAGE))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef,
                                                                   ast.AsyncFunctionDef))]:
            for handler in [n for n in ast.walk(func) if isinstance(n, ast.ExceptHandler)]:
                names = []
                if handler.type is None:
                    names = ["bare"]
                elif isinstance(handler.type, ast.Name):
                    names = [handler.type.id]
                elif isinstance(handler.type, ast.Tuple):
                    names = [getattr(e, "id", "") for e in handler.type.elts]
                if not {"bare", "Exception", "BaseException"} & set(names):
                    continue
                raises = any(isinstance(n, ast.Raise) for n in ast.walk(handler))
                if not raises and (rel, func.name) not in REPORTING_HANDLERS:
                    offenders.append(f"{rel}:{handler.lineno} in {func.name}")
    assert not offenders, f"broad except without raise: {offenders}"


def test_no_gdal_band_or_layer_outlives_its_dataset():
    """`gdal.Open(p).GetRasterBand(1)` frees the dataset while its band is in use (a crash
    with GDAL 3.6): keep the dataset in a variable first. Checked in every Python file."""
    offenders = []
    for folder in (PACKAGE, PACKAGE.parent / "tests", PACKAGE.parent / "scripts",
                   PACKAGE.parent / "benchmarks"):
        for path in python_files(folder):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Attribute) and node.attr in
                        ("GetRasterBand", "GetLayer", "GetLayerByName")
                        and isinstance(node.value, ast.Call)):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, f"dataset freed while its band/layer is used: {offenders}"


#: metadata.txt says qgisMinimumVersion=3.22: QGIS 3.22-3.28 on Windows and macOS ship Python 3.9
MIN_PYTHON = (3, 9)


class _DropAnnotations(ast.NodeTransformer):
    """Removes annotations: with ``from __future__ import annotations`` they stay strings that
    nothing evaluates, so ``X | None`` or ``list[int]`` there runs on any Python 3.7+."""

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = None
        return node

    def visit_FunctionDef(self, node):
        node.returns = None
        self.generic_visit(node)
        return node

    def visit_AsyncFunctionDef(self, node):
        return self.visit_FunctionDef(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.stmt:
        if node.value is None:
            return ast.copy_location(ast.Pass(), node)
        return ast.copy_location(ast.Assign(targets=[node.target], value=node.value), node)


class _QtFlagsAsInt(ast.NodeTransformer):
    """``Qt.AlignRight | Qt.AlignVCenter`` combines enum flags of Qt/QGIS classes; vermin's
    heuristic would take it for a PEP 604 union of types. Such a ``|`` of two attributes of
    names imported from a ``qgis`` module is replaced by a plain number for the analysis."""

    def __init__(self, tree: ast.Module) -> None:
        self.qt_names = {alias.asname or alias.name for node in ast.walk(tree)
                         if isinstance(node, ast.ImportFrom) and node.level == 0
                         and (node.module or "").split(".")[0] == "qgis"
                         for alias in node.names}

    def _is_flag(self, node: ast.expr) -> bool:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._is_flag(node.left) and self._is_flag(node.right)
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        return (isinstance(node, ast.Attribute) and isinstance(root, ast.Name)
                and root.id in self.qt_names)

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        if isinstance(node.op, ast.BitOr) and self._is_flag(node):
            return ast.copy_location(ast.Constant(0), node)
        self.generic_visit(node)
        return node


def _has_future_annotations(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.ImportFrom) and n.module == "__future__"
               and any(a.name == "annotations" for a in n.names) for n in tree.body)


def test_the_plugin_runs_on_python_3_9():
    """vermin finds nothing in the plugin that needs a Python newer than 3.9 (``datetime.UTC``,
    ``itertools.pairwise``, ``match``, ``X | Y`` evaluated at run time, new keyword
    arguments...). Annotations count only in modules without ``from __future__ import
    annotations``, where Python evaluates them when the function or class is defined."""
    vermin = pytest.importorskip(
        "vermin", reason="vermin is not installed: pip install -r requirements-dev.txt")
    too_new = {}
    files = python_files(PACKAGE)
    assert len(files) > 20
    for path in files:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
        if _has_future_annotations(tree):
            tree = _DropAnnotations().visit(tree)
        tree = ast.fix_missing_locations(_QtFlagsAsInt(tree).visit(tree))
        config = vermin.Config()
        config.set_eval_annotations(True)  # what is left of annotations is evaluated
        config.enable_feature("union-types")
        config.set_verbose(3)
        config.add_target(MIN_PYTHON, exact=False)
        config.set_only_show_violations(True)
        visitor = vermin.SourceVisitor(config=config, path=str(path), source=source)
        visitor.set_no_lines(vermin.Parser(source, str(path)).comments())
        visitor.tour(tree)
        needs = visitor.minimum_versions()[1]
        if needs is None or needs > MIN_PYTHON:
            rel = str(path.relative_to(PACKAGE))
            too_new[rel] = f"needs Python {needs}:\n{visitor.output_text()}"
    assert not too_new, "code newer than Python 3.9:\n" + "\n".join(
        f"{k} {v}" for k, v in too_new.items())


#: the files that may remove, rename or move files: the atomic writers and their rollback
#: (core/raster.py), and the sample-area generator, which builds the area in a hidden folder
#: and moves it in whole (its own atomic rule, for a folder)
FILE_MOVERS = {"core/raster.py", "demo/sample_area.py"}
REMOVALS = {("os", "remove"), ("os", "unlink"), ("os", "replace"), ("os", "rename"),
            ("shutil", "rmtree"), ("shutil", "move")}


def file_removals(package: Path = PACKAGE) -> list[str]:
    """Calls that remove or move files (``x.unlink()``, ``os.remove``, ``shutil.rmtree``...)
    outside FILE_MOVERS: every output is written through core.raster's atomic writers, and a
    failed run's outputs are discarded there (one cleanup rule)."""
    found = []
    for path in python_files(package):
        rel = path.relative_to(package).as_posix()
        if rel in FILE_MOVERS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            owner = node.func.value
            pair = (getattr(owner, "id", None), node.func.attr)
            if node.func.attr in ("unlink", "rmdir") or pair in REMOVALS:
                found.append(f"{rel}:{node.lineno} {node.func.attr}")
    return found


def test_one_cleanup_rule_files_are_removed_only_by_the_atomic_writers():
    offenders = file_removals()
    assert not offenders, f"files removed or moved outside core/raster.py: {offenders}"


def test_the_cleanup_rule_catches_removals(tmp_path):
    package = _write(tmp_path / "landslide_lsm_plugin", {
        "core/raster.py": "import os\ndef f(p):\n    p.unlink()\n    os.replace(p, p)\n",
        "processing/base.py": "def f(p):\n    p.unlink(missing_ok=True)\n",
        "lsnet/client.py": "import os, shutil\ndef f(p):\n    os.remove(p)\n"
                           "    shutil.rmtree(p)\n",
    })
    assert file_removals(package) == ["lsnet/client.py:3 remove", "lsnet/client.py:4 rmtree",
                                      "processing/base.py:2 unlink"]
