"""Guardrails on the shape of the code (parsed with ast, nothing imported)."""

import ast
from pathlib import Path

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
