"""The provider as QGIS sees it, and an algorithm run through processing.run."""

import numpy as np
import pytest
from qgis.core import (
    QgsApplication,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProject,
)

from ..conftest import read_raster


def test_provider_registered_with_icon_and_algorithms(plugin):
    provider = QgsApplication.processingRegistry().providerById("landslide_lsm")
    assert provider is not None
    assert provider.name() == "Landslide susceptibility"
    assert not provider.icon().isNull()
    ids = [a.id() for a in provider.algorithms()]
    assert "landslide_lsm:classifylsi" in ids
    for alg in provider.algorithms():
        assert alg.name() == alg.name().lower()
        assert alg.displayName() and alg.group() and alg.shortHelpString()


def test_classify_lsi_through_processing_run(run_alg, raster, tmp_path):
    lsi = np.tile(np.linspace(0, 1, 300, dtype=np.float32), (200, 1))
    lsi[:10, :10] = -9999
    src = raster("lsi.tif", lsi)
    result = run_alg("classifylsi", {"INPUT": str(src), "METHOD": 1, "CLASSES": 4,
                                     "OUTPUT": str(tmp_path / "zones.tif"),
                                     "OUTPUT_TABLE": "TEMPORARY_OUTPUT"})
    zones, nodata = read_raster(result["OUTPUT"])
    valid = lsi != -9999
    expected = np.clip(np.ceil(lsi / 0.25), 1, 4)
    assert np.array_equal(zones[valid], expected[valid]) and np.all(zones[~valid] == nodata)
    table = result["OUTPUT_TABLE"]
    rows = [f.attributes() for f in table.getFeatures()]
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert sum(r[4] for r in rows) == valid.sum()
    assert result["BREAKS_USED"].split(",")[0] == "0"


def test_classify_output_loads_styled_on_the_canvas(plugin, raster, tmp_path):
    import processing

    src = raster("lsi.tif", np.random.default_rng(0).random((120, 150), dtype=np.float32))
    QgsProject.instance().removeAllMapLayers()
    processing.runAndLoadResults("landslide_lsm:classifylsi",
                                 {"INPUT": str(src), "OUTPUT": str(tmp_path / "zones.tif")})
    layers = [lyr for lyr in QgsProject.instance().mapLayers().values()
              if lyr.source().startswith(str(tmp_path / "zones.tif"))]
    assert len(layers) == 1
    renderer = layers[0].renderer()
    assert renderer.type() == "paletted"
    assert [c.label for c in renderer.classes()] == ["Very low", "Low", "Moderate", "High",
                                                     "Very high"]
    assert layers[0].name() == "Susceptibility zones"
    QgsProject.instance().removeAllMapLayers()


def test_bad_input_is_a_processing_exception_with_a_fix(run_alg, raster, tmp_path):
    src = raster("lsi.tif", np.random.default_rng(0).random((20, 20), dtype=np.float32))
    with pytest.raises(QgsProcessingException, match="Custom breaks"):
        run_alg("classifylsi", {"INPUT": str(src), "METHOD": 3, "BREAKS": "",
                                "OUTPUT": str(tmp_path / "z.tif")})
    with pytest.raises(QgsProcessingException, match="strictly increasing"):
        run_alg("classifylsi", {"INPUT": str(src), "METHOD": 3, "BREAKS": "0.6,0.2",
                                "OUTPUT": str(tmp_path / "z.tif")})
    assert not (tmp_path / "z.tif").exists()


def test_cancel_through_feedback_leaves_no_file(run_alg, raster, tmp_path):
    src = raster("lsi.tif", np.random.default_rng(0).random((1100, 1100), dtype=np.float32))
    feedback = QgsProcessingFeedback()
    feedback.progressChanged.connect(lambda p: feedback.cancel() if p > 50 else None)
    with pytest.raises(QgsProcessingException, match="Canceled"):
        run_alg("classifylsi", {"INPUT": str(src), "METHOD": 1,
                                "OUTPUT": str(tmp_path / "z.tif")},
                context=QgsProcessingContext(), feedback=feedback)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lsi.tif"]


#: parameter types that take the user's own data, so no default can stand for it
DATA_TYPES = {"raster", "source", "vector", "multilayer", "field", "file", "band", "crs",
              "extent", "layer", "expression", "matrix", "distance", "string"}


def readme_sections() -> dict:
    """README text per algorithm id: its own section, and for the Train algorithms the
    common section of '2 · Train models' too."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    heads = [(m.start(), m.group(1)) for m in re.finditer(r"^####? .*?\(`(\w+)`\)\s*$", text,
                                                          re.M)]
    ends = [m.start() for m in re.finditer(r"^#{2,4} ", text, re.M)]
    sections = {}
    for start, alg_id in heads:
        end = next((e for e in ends if e > start), len(text))
        sections[alg_id] = text[start:end]
    # the per-cell models share one section: common parameters, then a row per model
    common = text[text.index("### 2 · Train models"):text.index("#### Train LSNet")]
    for alg_id in ("trainsvm", "trainklr", "trainlogistic", "trainrandomforest"):
        sections[alg_id] = common
    return sections


def default_forms(param) -> list[str]:
    """How a parameter's default may be written in the README."""
    from qgis.core import (
        QgsProcessingParameterBoolean,
        QgsProcessingParameterEnum,
        QgsProcessingParameterNumber,
    )

    value = param.defaultValue()
    if isinstance(param, QgsProcessingParameterBoolean):
        return ["default yes", "default on", "(yes)", "(on)"] if value else \
            ["default no", "default off", "(no)", "(off)"]
    if isinstance(param, QgsProcessingParameterEnum):
        if isinstance(value, (list, tuple)):  # several options chosen by default
            listed = ", ".join(str(int(v)) for v in value)
            return [f"{listed} ", f"{listed}:"]
        return [f"{int(value)} ", f"{int(value)}:"]
    if isinstance(param, QgsProcessingParameterNumber):
        forms = {f"{float(value):g}", f"{float(value):,g}"}
        if float(value) == int(value):
            forms |= {str(int(value)), f"{int(value):,}"}
        return sorted(forms)
    return [str(value)]


def test_every_default_is_in_the_help_and_the_readme(plugin):
    """Every parameter of every algorithm has a default, unless it takes the user's data or is
    optional; the help (what `qgis_process help` prints) and the README name each default."""
    from qgis.core import QgsProcessingParameterDefinition

    from landslide_lsm_plugin.processing.base import default_text

    provider = QgsApplication.processingRegistry().providerById("landslide_lsm")
    sections = readme_sections()
    missing = []
    for alg in provider.algorithms():
        if alg.provider() is None or alg.name() not in sections:
            assert alg.name() == "landslide_susceptibility_workflow", alg.name()
            continue
        help_text = alg.shortHelpString()
        section = sections[alg.name()]
        for p in alg.parameterDefinitions():
            if p.isDestination():
                continue
            if p.defaultValue() in (None, ""):
                optional = p.flags() & QgsProcessingParameterDefinition.FlagOptional
                assert optional or p.type() in DATA_TYPES, (alg.name(), p.name(), p.type())
                continue
            assert f"<code>{p.name()}</code>: {default_text(p)}" in help_text.replace(
                "&#x27;", "'"), (alg.name(), p.name())
            rows = [line for line in section.splitlines() if f"`{p.name()}`" in line]
            if not any(form in row for row in rows for form in default_forms(p)):
                missing.append(f"{alg.name()} {p.name()} = {default_text(p)}")
    assert not missing, "README lacks these defaults:\n" + "\n".join(missing)
