"""Translation of the plugin's user-facing text.

Every string a user reads in QGIS (algorithm names and help, parameter descriptions and help,
dock labels and messages) goes through :func:`tr` (or an object's ``tr`` method, which calls
it) with a string literal, so that ``scripts/update_translations.py`` can extract it into the
Qt Linguist file ``i18n/landslide_lsm_en.ts``. Placeholders are filled after translation:
``tr("Saved {}").format(path)``, never an f-string inside ``tr()`` (it cannot be extracted).

Text kept in constants (algorithm titles and help, enum option labels) is marked where it is
written with :func:`tr_noop` (Qt's QT_TRANSLATE_NOOP: extracted, not translated there) and
translated where it is shown with :func:`translated` or :func:`translated_all`.

All of the plugin's text is in one translation context, :data:`CONTEXT`. A translator copies
``i18n/landslide_lsm_en.ts`` to ``landslide_lsm_<locale>.ts`` (``de``, ``pt_BR``...),
translates it in Qt Linguist and compiles it with ``lrelease`` into ``.qm``; the plugin
loads ``i18n/landslide_lsm_<locale>.qm`` for QGIS's locale when it starts
(:func:`install_translator`). The science in ``core/`` has no Qt: its messages stay English.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Optional

from qgis.PyQt.QtCore import QCoreApplication, QTranslator

#: the translation context of every string of the plugin
CONTEXT = "LandslideLsm"
#: where the .ts (sources for translators) and .qm (compiled) files are
I18N_DIR = Path(__file__).resolve().parent / "i18n"
#: the file name of a locale's translation: ``landslide_lsm_<locale>.ts`` / ``.qm``
FILE_PREFIX = "landslide_lsm"


def tr(text: str) -> str:
    """``text`` (a string literal) in the user's language."""
    return QCoreApplication.translate(CONTEXT, text)


def tr_noop(text: str) -> str:
    """Mark a string literal for translation without translating it here (Qt's
    QT_TRANSLATE_NOOP): for constants, translated where shown with :func:`translated`."""
    return text


def translated(marked: str) -> str:
    """A constant marked with :func:`tr_noop`, in the user's language."""
    return QCoreApplication.translate(CONTEXT, marked)


def translated_all(marked: Iterable[str]) -> list[str]:
    """Constants marked with :func:`tr_noop` (enum option labels), in the user's language."""
    return [QCoreApplication.translate(CONTEXT, text) for text in marked]


def qm_candidates(locale: str, folder: Path = I18N_DIR) -> list[Path]:
    """The .qm files that translate for ``locale`` (``pt_BR``: pt_BR, then pt), best first."""
    locale = (locale or "").replace("-", "_").split(".")[0]
    names = [locale, locale.split("_")[0]] if locale else []
    return [folder / f"{FILE_PREFIX}_{name}.qm" for name in dict.fromkeys(names) if name]


def user_locale() -> str:
    """QGIS's user interface locale (``de``, ``pt_BR``...)."""
    from qgis.core import QgsApplication

    return QgsApplication.locale() or ""


def install_translator(locale: Optional[str] = None,
                       folder: Path = I18N_DIR) -> Optional[QTranslator]:
    """Load and install the translation for ``locale`` (default: QGIS's); ``None`` when there
    is none (English, or a language nobody translated yet). Keep the returned translator and
    pass it to :func:`remove_translator` when the plugin unloads."""
    for path in qm_candidates(user_locale() if locale is None else locale, folder):
        if path.is_file():
            translator = QTranslator()
            if translator.load(str(path)):
                QCoreApplication.installTranslator(translator)
                return translator
    return None


def remove_translator(translator: Optional[QTranslator]) -> None:
    """Uninstall a translator installed by :func:`install_translator`."""
    if translator is not None:
        QCoreApplication.removeTranslator(translator)
