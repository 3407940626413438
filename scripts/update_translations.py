"""Extract the plugin's translatable text into Qt Linguist files (landslide_lsm_plugin/i18n/).

    .venv/bin/python scripts/update_translations.py            # update every i18n/*.ts
    .venv/bin/python scripts/update_translations.py --locale de  # also start landslide_lsm_de.ts
    .venv/bin/python scripts/update_translations.py --check    # exit 1 when a .ts lacks or
                                                               # keeps a message of the code
    .venv/bin/python scripts/update_translations.py --release  # also compile .qm (lrelease)

Qt's lupdate does not read Python and pylupdate is not needed: the source is parsed with ast.
A translatable string is the string literal given to ``tr("...")`` (the plugin's function or
an object's ``tr`` method), ``translate("Context", "...")``, ``tr_noop("...")`` (constants
translated where shown) or Qt's ``QT_TR_NOOP`` / ``QT_TRANSLATE_NOOP``. Its context is the
one given, or for ``self.tr`` the context of the class's ``tr`` (the plugin's classes all use
``LandslideLsm``), else the class name (Qt's default).

``landslide_lsm_en.ts`` is the template (the sources, no translations). Every other
``landslide_lsm_<locale>.ts`` keeps its translations; a message no longer in the code keeps
its translation as "vanished" (Qt Linguist shows it as obsolete). The same parse checks the
code (:func:`check_package`): a ``tr()`` of anything but a literal (an f-string, a
concatenation, a variable, % formatting) cannot be extracted and is refused.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "landslide_lsm_plugin"
I18N = PACKAGE / "i18n"
PREFIX = "landslide_lsm"
TEMPLATE_LOCALE = "en"
TS_VERSION = "2.1"

#: calls whose first argument is the text: tr(text), self.tr(text), QT_TR_NOOP(text)
TEXT_FIRST = {"tr", "tr_noop", "QT_TR_NOOP"}
#: calls whose arguments are (context, text)
CONTEXT_FIRST = {"translate", "QT_TRANSLATE_NOOP"}
#: markers: extracted, translated elsewhere
MARKERS = {"tr_noop", "QT_TR_NOOP", "QT_TRANSLATE_NOOP"}
#: translate a marked constant (a reference to it, never text)
MARKED_TRANSLATORS = {"translated", "translated_all"}
#: the functions that translate a parameter: inside their definitions the text is a variable
HELPERS = {"tr", "translate", "translated", "translated_all"}
#: Processing parameter and output classes: their description (2nd argument) is shown
DESCRIBED = ("QgsProcessingParameter", "QgsProcessingOutput")


@dataclass
class Message:
    """One translatable string and where it is written."""

    context: str
    source: str
    locations: list[tuple[str, int]] = field(default_factory=list)


def python_files(package: Path = PACKAGE) -> list[Path]:
    """The package's Python files, sorted."""
    return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def _name(func: ast.expr) -> str:
    """``tr`` for ``tr(...)``, ``self.tr(...)`` and ``QCoreApplication.translate(...)``."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _literal(node: Optional[ast.expr]) -> Optional[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _text_argument(call: ast.Call) -> Optional[ast.expr]:
    """The argument holding the text of a translation call (None when missing)."""
    name = _name(call.func)
    index = 1 if name in CONTEXT_FIRST else 0
    if len(call.args) > index:
        return call.args[index]
    for keyword in call.keywords:
        if keyword.arg in ("text", "sourceText", "source", "message", "marked"):
            return keyword.value
    return None


def _plugin_context(package: Path) -> str:
    """CONTEXT of the package's translation module."""
    path = package / "translation.py"
    if path.is_file():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "CONTEXT"
                                                     for t in node.targets)):
                value = _literal(node.value)
                if value:
                    return value
    return "LandslideLsm"


def _walk(node: ast.AST, cls: Optional[ast.ClassDef] = None,
          func: Optional[ast.AST] = None) -> Iterator[tuple[ast.AST, Optional[ast.ClassDef],
                                                            Optional[ast.AST]]]:
    """Every node with its innermost enclosing class and function."""
    yield node, cls, func
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            yield from _walk(child, child, None)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from _walk(child, cls, child)
        else:
            yield from _walk(child, cls, func)


@dataclass
class _Module:
    path: Path
    rel: str
    tree: ast.Module


def _modules(package: Path, sources: Optional[dict[str, str]] = None) -> list[_Module]:
    """The package's modules, parsed (``sources``: file name -> text, instead of files)."""
    if sources is not None:
        return [_Module(package / rel, rel, ast.parse(text, filename=rel))
                for rel, text in sorted(sources.items())]
    return [_Module(p, p.relative_to(package).as_posix(),
                    ast.parse(p.read_text(encoding="utf-8"), filename=str(p)))
            for p in python_files(package)]


class _Classes:
    """The package's classes by name, to find the context of ``self.tr`` (its class's ``tr``
    method or a base's, else the class name)."""

    def __init__(self, modules: Iterable[_Module], plugin_context: str) -> None:
        self.plugin_context = plugin_context
        self.classes: dict[str, ast.ClassDef] = {}
        for module in modules:
            for node in ast.walk(module.tree):
                if isinstance(node, ast.ClassDef):
                    self.classes.setdefault(node.name, node)

    def _tr_context(self, method: ast.FunctionDef) -> Optional[str]:
        for node in ast.walk(method):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name in CONTEXT_FIRST and node.args:
                literal = _literal(node.args[0])
                if literal is not None:
                    return literal
                if getattr(node.args[0], "id", "") == "CONTEXT":
                    return self.plugin_context
            if name in ("tr", "translated") and isinstance(node.func, ast.Name):
                return self.plugin_context  # the plugin's module function
        return None

    def context_of(self, cls: ast.ClassDef, seen: Optional[set] = None) -> str:
        seen = set() if seen is None else seen
        seen.add(cls.name)
        for node in cls.body:
            if isinstance(node, ast.FunctionDef) and node.name == "tr":
                context = self._tr_context(node)
                if context:
                    return context
        for base in cls.bases:
            base_name = _name(base)
            if base_name in self.classes and base_name not in seen:
                context = self.context_of(self.classes[base_name], seen)
                if context != base_name:
                    return context
        return cls.name


def extract(package: Path = PACKAGE, sources: Optional[dict[str, str]] = None,
            relative_to: Optional[Path] = None) -> list[Message]:
    """Every translatable literal of the package, with its context and locations (paths
    relative to ``relative_to``, by default the i18n folder), in order of appearance."""
    modules = _modules(package, sources)
    plugin_context = _plugin_context(package)
    classes = _Classes(modules, plugin_context)
    base = relative_to or (package / "i18n")
    found: dict[tuple[str, str], Message] = {}
    for module in modules:
        location = Path(_relpath(module.path, base)).as_posix()
        for node, cls, _ in _walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name not in TEXT_FIRST | CONTEXT_FIRST:
                continue
            text = _literal(_text_argument(node))
            if text is None:
                continue  # not extractable: check_package reports it
            if name in CONTEXT_FIRST:
                context = _literal(node.args[0]) if node.args else None
                if context is None:
                    if getattr(node.args[0], "id", "") != "CONTEXT":
                        continue
                    context = plugin_context
            elif name == "tr_noop" or (name == "tr" and isinstance(node.func, ast.Name)):
                context = plugin_context
            elif (isinstance(node.func, ast.Attribute) and cls is not None
                  and getattr(node.func.value, "id", "") in ("self", "cls")):
                context = classes.context_of(cls)
            elif name == "QT_TR_NOOP" and cls is not None:
                context = classes.context_of(cls)
            else:  # another object's tr (an algorithm's, given to a helper)
                context = plugin_context
            message = found.setdefault((context, text), Message(context, text))
            message.locations.append((location, node.lineno))
    return list(found.values())


def _relpath(path: Path, base: Path) -> str:
    import os

    return os.path.relpath(path, base)


# --- checks ----------------------------------------------------------------------------------
def _kind(node: Optional[ast.expr]) -> str:
    """What a non-literal text argument is, in words."""
    if node is None:
        return "no text"
    if isinstance(node, ast.JoinedStr):
        return "an f-string"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return "a concatenation"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return "% formatting"
    if isinstance(node, ast.Call):
        return f"a call ({_name(node.func) or 'expression'}(...))"
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)):
        return "a variable"
    return type(node).__name__


def _reference_name(node: ast.expr) -> Optional[str]:
    """``TITLE`` for ``self.TITLE``, ``GROUPS`` for ``GROUPS[key]``; None for other forms."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _is_marked(node: ast.expr) -> bool:
    """A constant's value made of tr_noop literals: tr_noop("..."), "", or a list, tuple or
    dict (values) of such."""
    if isinstance(node, ast.Call) and _name(node.func) in MARKERS:
        return True
    if isinstance(node, ast.Constant) and node.value == "":
        return True
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_is_marked(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(_is_marked(v) for v in node.values)
    return False


def _constants(modules: Iterable[_Module]) -> dict[str, list[tuple[str, int, ast.expr]]]:
    """Module- and class-level assignments by name: (file, line, value)."""
    found: dict[str, list[tuple[str, int, ast.expr]]] = {}
    for module in modules:
        bodies = [module.tree.body] + [n.body for n in ast.walk(module.tree)
                                       if isinstance(n, ast.ClassDef)]
        for body in bodies:
            for node in body:
                if isinstance(node, ast.Assign):
                    targets, value = node.targets, node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    targets, value = [node.target], node.value
                else:
                    continue
                for target in targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, []).append((module.rel, node.lineno, value))
    return found


def _is_translation(node: ast.expr) -> bool:
    """``self.tr("...")`` (any tr), ``translated(...)``, or that with ``.format(...)``."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"):
        node = node.func.value
    return isinstance(node, ast.Call) and _name(node.func) in (
        {"tr", "translate"} | MARKED_TRANSLATORS)


def check_package(package: Path = PACKAGE,
                  sources: Optional[dict[str, str]] = None) -> list[str]:
    """What cannot be translated, as 'file:line: why'. The rules:

    * ``tr()``, ``translate()``, ``tr_noop()`` take a string literal (placeholders filled by
      ``.format()`` after it), except inside the definitions of the translating helpers;
    * ``translated()`` / ``translated_all()`` take a reference to a constant, and every
      module- or class-level constant of that name is made of ``tr_noop`` literals;
    * the description of every Processing parameter and output, and every ``setHelp`` and
      ``add_parameter`` help text, is translated (a tr() or translated() call).
    """
    modules = _modules(package, sources)
    constants = _constants(modules)
    problems = []
    for module in modules:
        for node, _, func in _walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            where = f"{module.rel}:{node.lineno}"
            in_helper = isinstance(func, ast.FunctionDef) and func.name in HELPERS
            if name in TEXT_FIRST | CONTEXT_FIRST and not in_helper:
                text = _text_argument(node)
                if _literal(text) is None:
                    problems.append(f"{where}: {name}() of {_kind(text)}: give it a string "
                                    "literal (placeholders filled with .format() after it)")
            elif name in MARKED_TRANSLATORS and not in_helper:
                arg = node.args[0] if node.args else None
                ref = _reference_name(arg) if arg is not None else None
                if ref is None:
                    problems.append(f"{where}: {name}() of {_kind(arg)}: it translates a "
                                    "constant marked with tr_noop(); use tr() for a literal")
                    continue
                assigned = constants.get(ref, [])
                if not assigned:
                    problems.append(f"{where}: {name}({ref}): no module or class constant "
                                    f"{ref} marked with tr_noop()")
                for rel, line, value in assigned:
                    if not _is_marked(value):
                        problems.append(f"{rel}:{line}: {ref} is translated with {name}() "
                                        f"({where}) but not made of tr_noop() literals")
            elif (name.startswith(DESCRIBED) and not name.endswith("Definition")
                  and isinstance(node.func, ast.Name)):
                description = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "description"), None)
                if description is not None and not _is_translation(description):
                    problems.append(f"{where}: the description of {name} is not translated "
                                    "(self.tr(\"...\"))")
            elif name in ("setHelp", "add_parameter") and not (
                    isinstance(func, ast.FunctionDef) and func.name == "add_parameter"):
                index = 0 if name == "setHelp" else 1
                text = node.args[index] if len(node.args) > index else next(
                    (k.value for k in node.keywords if k.arg == "help_text"), None)
                if text is not None and not _is_translation(text):
                    problems.append(f"{where}: the help of {name}() is not translated "
                                    "(self.tr(\"...\"))")
    return sorted(set(problems), key=lambda p: (p.split(":")[0], int(p.split(":")[1])))


# --- .ts files -------------------------------------------------------------------------------
def read_ts(path: Path) -> tuple[str, dict[tuple[str, str], tuple[str, str]]]:
    """(language, {(context, source): (translation, type)}) of a .ts file."""
    root = ET.parse(path).getroot()
    messages = {}
    for context in root.iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            translation = message.find("translation")
            messages[(name, message.findtext("source", ""))] = (
                (translation.text or "") if translation is not None else "",
                translation.get("type", "") if translation is not None else "")
    return root.get("language", ""), messages


def ts_messages(path: Path) -> set[tuple[str, str]]:
    """The (context, source) pairs of a .ts file that are in the code (not vanished)."""
    return {key for key, (_, kind) in read_ts(path)[1].items()
            if kind not in ("vanished", "obsolete")}


def render_ts(messages: list[Message], language: str,
              previous: Optional[dict[tuple[str, str], tuple[str, str]]] = None) -> str:
    """The .ts text: the messages by context (sorted), each with its locations; translations
    (and their state) carried over from ``previous``; translated messages no longer in the
    code kept as vanished."""
    previous = previous or {}
    root = ET.Element("TS", {"version": TS_VERSION, "language": language,
                             "sourcelanguage": TEMPLATE_LOCALE})
    by_context: dict[str, list[Message]] = {}
    for message in messages:
        by_context.setdefault(message.context, []).append(message)
    current = {(m.context, m.source) for m in messages}
    for (context, source), (text, _) in previous.items():
        if (context, source) not in current and text:
            by_context.setdefault(context, []).append(Message(context, source))
    for context in sorted(by_context):
        element = ET.SubElement(root, "context")
        ET.SubElement(element, "name").text = context
        for message in by_context[context]:
            entry = ET.SubElement(element, "message")
            for filename, line in message.locations:
                ET.SubElement(entry, "location", {"filename": filename, "line": str(line)})
            ET.SubElement(entry, "source").text = message.source
            text, kind = previous.get((context, message.source), ("", ""))
            if (context, message.source) not in current:
                kind = "vanished"
            elif not text:
                kind = "unfinished"
            elif kind in ("vanished", "obsolete"):
                kind = "unfinished"  # back in the code: to be checked
            attributes = {"type": kind} if kind else {}
            ET.SubElement(entry, "translation", attributes).text = text
    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    # Qt Linguist writes an empty translation as <translation ...></translation>
    body = body.replace('<translation type="unfinished" />',
                        '<translation type="unfinished"></translation>')
    return '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n"


def ts_path(locale: str, folder: Path = I18N) -> Path:
    """``i18n/landslide_lsm_<locale>.ts``."""
    return folder / f"{PREFIX}_{locale}.ts"


def update(locales: Iterable[str] = (), folder: Path = I18N, package: Path = PACKAGE,
           write: bool = True) -> list[Path]:
    """Bring the template and every locale's .ts up to date; return the files that changed
    (with ``write=False``: that would change)."""
    messages = extract(package, relative_to=folder)
    paths = {ts_path(TEMPLATE_LOCALE, folder)} | set(folder.glob(f"{PREFIX}_*.ts")) | {
        ts_path(locale, folder) for locale in locales}
    changed = []
    for path in sorted(paths):
        locale = path.stem[len(PREFIX) + 1:]
        language, previous = read_ts(path) if path.exists() else (locale, {})
        text = render_ts(messages, language or locale,
                         None if locale == TEMPLATE_LOCALE else previous)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if write:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return changed


def stale(folder: Path = I18N, package: Path = PACKAGE) -> list[Path]:
    """The .ts files whose messages are not those of the code (lines that moved do not
    count): the template missing, or a message added or gone."""
    code = {(m.context, m.source) for m in extract(package, relative_to=folder)}
    paths = {ts_path(TEMPLATE_LOCALE, folder)} | set(folder.glob(f"{PREFIX}_*.ts"))
    return sorted(p for p in paths if not p.exists() or ts_messages(p) != code)


def release(folder: Path = I18N) -> list[Path]:
    """Compile every translation (not the English template) to .qm with Qt's lrelease."""
    lrelease = shutil.which("lrelease") or shutil.which("lrelease-qt5") or shutil.which(
        "lrelease6")
    if lrelease is None:
        raise SystemExit("lrelease (Qt Linguist tools) is not installed: "
                         "apt-get install qttools5-dev-tools")
    written = []
    for path in sorted(folder.glob(f"{PREFIX}_*.ts")):
        if path.stem.endswith(f"_{TEMPLATE_LOCALE}"):
            continue
        qm = path.with_suffix(".qm")
        subprocess.run([lrelease, "-silent", str(path), "-qm", str(qm)], check=True)
        written.append(qm)
    return written


def main(argv: Optional[list[str]] = None) -> int:
    """Check the code, then update (or with --check only compare) the .ts files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locale", action="append", default=[],
                        help="also create or update landslide_lsm_<LOCALE>.ts (de, pt_BR...)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 when a .ts file is not up to date")
    parser.add_argument("--release", action="store_true",
                        help="then compile the translations to .qm with lrelease")
    args = parser.parse_args(argv)
    problems = check_package()
    if problems:
        print("Strings that cannot be translated:\n  " + "\n  ".join(problems),
              file=sys.stderr)
        return 1
    if args.check:
        for path in stale():
            print(f"stale: {path.relative_to(ROOT)} (run {Path(__file__).name})")
        return 1 if stale() else 0
    for path in update(args.locale):
        print(f"updated: {path.relative_to(ROOT)}")
    if args.release:
        for qm in release():
            print(f"compiled: {qm.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
