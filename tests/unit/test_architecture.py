"""Guardrails on the shape of the code (parsed with ast, nothing imported)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "landslide_lsm_plugin"
FORBIDDEN_IN_CORE = ("qgis", "PyQt5", "PyQt6", "sip", "tensorflow", "keras")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_core_imports_no_qgis_pyqt_or_tensorflow():
    offenders = {}
    for path in python_files(PACKAGE / "core"):
        bad = {m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN_IN_CORE}
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert python_files(PACKAGE / "core"), "core/ is empty?"
    assert not offenders, f"core/ must stay pure: {offenders}"


def test_tensorflow_only_in_the_lsnet_worker_side():
    """tensorflow/keras may be imported only by lsnet modules that run in the worker."""
    allowed = {"lsnet/worker.py", "lsnet/network.py", "lsnet/dense.py"}
    offenders = []
    for path in python_files(PACKAGE):
        rel = str(path.relative_to(PACKAGE))
        if rel in allowed:
            continue
        if any(m.split(".")[0] in ("tensorflow", "keras") for m in imported_modules(path)):
            offenders.append(rel)
    assert not offenders, f"tensorflow imported outside the LSNet worker: {offenders}"


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
