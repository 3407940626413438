"""Help where users look: every parameter's own help text, in the dialog and the modeler, and
the plugin's text translated when a translation is installed."""

import shutil
import subprocess
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingContext
from qgis.gui import QgsGui, QgsProcessingGui

PROVIDER = "landslide_lsm"


def provider_algorithms() -> list:
    provider = QgsApplication.processingRegistry().providerById(PROVIDER)
    assert provider is not None
    algorithms = provider.algorithms()
    assert len(algorithms) > 15
    return algorithms


def test_every_parameter_has_its_own_help(plugin):
    """Inputs and outputs (destination parameters) of every algorithm of the provider, the
    shipped workflow included: help() says what the value is, not only the description."""
    empty, echoes = [], []
    for alg in provider_algorithms():
        for p in alg.parameterDefinitions():
            text = p.help().strip()
            if not text:
                empty.append(f"{alg.id()} {p.name()}")
            elif text.rstrip(".").lower() == p.description().strip().rstrip(".").lower():
                echoes.append(f"{alg.id()} {p.name()}")
    assert not empty, "parameters without help:\n" + "\n".join(empty)
    assert not echoes, "help that only repeats the description:\n" + "\n".join(echoes)


@pytest.mark.parametrize("kind", ["Standard", "Modeler"])
def test_the_dialog_and_the_modeler_show_each_parameters_help(plugin, kind):
    """The widgets Processing builds for a parameter (in the algorithm dialog and in the
    modeler's child-algorithm dialog) carry its help in their tooltip."""
    context = QgsProcessingContext()
    registry = QgsGui.processingGuiRegistry()
    mode = getattr(QgsProcessingGui.WidgetType, kind)
    missing, shown = [], 0
    for alg in provider_algorithms():
        if alg.provider() is None or alg.id().endswith("_workflow"):
            continue
        for p in alg.parameterDefinitions():
            wrapper = registry.createParameterWidgetWrapper(p, mode)
            if wrapper is None:  # a type Processing's Python side draws: help() still counts
                continue
            widget = wrapper.createWrappedWidget(context)
            label = wrapper.createWrappedLabel()  # none for a check box: its text is the label
            tips = [w.toolTip() for w in (label, widget) if w is not None]
            # the tooltip is rich text: compare a plain start of the help
            start = p.help()[:30].replace("&", "&amp;").replace("<", "&lt;")
            if any(start in tip or p.help()[:30] in tip for tip in tips):
                shown += 1
            else:
                missing.append(f"{alg.id()} {p.name()}")
    assert shown > 150
    assert not missing, f"help not in the {kind} widgets' tooltips:\n" + "\n".join(missing)


def test_a_translation_is_loaded_for_the_users_language(plugin, tmp_path):
    """A translator's .ts (from the template) compiled with lrelease: the plugin's
    translator makes the algorithm's name, a parameter's description and help, an enum option
    and the group German, and removing it brings the English back."""
    lrelease = shutil.which("lrelease")
    if lrelease is None:
        pytest.skip("lrelease (Qt Linguist tools) is not installed")
    import update_translations as ut

    from landslide_lsm_plugin.processing.classify_lsi import ClassifyLsi
    from landslide_lsm_plugin.translation import install_translator, remove_translator

    ut.update(["de"], folder=tmp_path)
    ts = tmp_path / "landslide_lsm_de.ts"
    german = {"Classify LSI into susceptibility zones": "LSI in Anfälligkeitszonen einteilen",
              "Number of classes": "Anzahl der Klassen",
              "3 · Map susceptibility": "3 · Anfälligkeit kartieren",
              "Equal interval": "Gleiche Intervalle"}
    text = ts.read_text(encoding="utf-8")
    for source, translation in german.items():
        empty = (f"<source>{source}</source>\n"
                 '            <translation type="unfinished"></translation>')
        assert empty in text, source
        text = text.replace(empty, f"<source>{source}</source>\n"
                                   f"            <translation>{translation}</translation>")
    ts.write_text(text, encoding="utf-8")
    qm = tmp_path / "landslide_lsm_de.qm"
    subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)

    assert install_translator("fr", Path(tmp_path)) is None  # no French: English stays
    translator = install_translator("de_AT", Path(tmp_path))  # falls back to 'de'
    try:
        alg = ClassifyLsi()
        alg.initAlgorithm()
        assert alg.displayName() == german["Classify LSI into susceptibility zones"]
        assert alg.group() == german["3 · Map susceptibility"]
        assert alg.parameterDefinition("CLASSES").description() == "Anzahl der Klassen"
        assert "Gleiche Intervalle" in alg.parameterDefinition("METHOD").options()
        assert alg.parameterDefinition("CLASSES").help()  # untranslated: the English
    finally:
        remove_translator(translator)
    alg = ClassifyLsi()
    alg.initAlgorithm()
    assert alg.displayName() == "Classify LSI into susceptibility zones"
