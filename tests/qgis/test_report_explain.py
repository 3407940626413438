"""The report's explanation sections (factor importance, response curves, the FR bar chart)
and its area of applicability, and the FR algorithm's chart: real QGIS, real files, the
results of the session's shared run of the sample workflow (conftest.sample_workflow) with an
explanation added to each model as Evaluate keeps it (records.Explanation.to_dict())."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException

from landslide_lsm_plugin.core.records import (
    AoaTags,
    Explanation,
    FactorDrop,
    ResponseCurve,
)

#: a factor name from a hostile file: it must reach the page as text
HOSTILE = "<script>alert('x')</script>"
CATEGORICAL = ("lithology",)


def made_explanation(name: str, model_type: str, factors, seed: int) -> Explanation:
    """An explanation of a model over its own factors: importance (most important first) and a
    response curve per factor with its training distribution, as 'Factor importance and
    response curves' writes them."""
    rng = np.random.default_rng(seed)
    order = list(rng.permutation(list(factors)))
    means = np.sort(rng.uniform(-0.01, 0.1, len(order)))[::-1]
    importance = tuple(FactorDrop(str(f), float(m), float(rng.uniform(0.001, 0.01)),
                                  tuple(float(m + d) for d in rng.normal(0, 0.005, 5)))
                       for f, m in zip(order, means))
    curves = []
    for f in factors:
        if f in CATEGORICAL:
            codes = tuple(float(c) for c in range(1, 9))
            curves.append(ResponseCurve(f, "categorical", codes,
                                        tuple(float(v) for v in rng.uniform(0.3, 0.7, 8)),
                                        codes, tuple(int(v) for v in rng.integers(0, 30, 8)),
                                        tuple(int(v) for v in rng.integers(0, 30, 8))))
        else:
            x = np.linspace(0.0, 1.0, 15)
            curves.append(ResponseCurve(
                f, "continuous", tuple(float(v) for v in x),
                tuple(float(v) for v in 0.5 + 0.2 * np.tanh(rng.normal() * (x - 0.5) * 4)),
                tuple(float(v) for v in np.linspace(0.0, 1.0, 9)),
                tuple(int(v) for v in rng.integers(0, 30, 8)),
                tuple(int(v) for v in rng.integers(0, 30, 8))))
    return Explanation(name, model_type, f"{name}.lsmodel", 0.7, importance, tuple(curves),
                       stack="factor_stack.tif", samples="training_samples.gpkg",
                       n_importance=163, repeats=5, seed=42, n_response=371)


def write_explained_results(source: Path, target: Path, skip: tuple = (),
                            hostile: bool = True) -> dict:
    """A copy of a results file with an explanation in each model (but those named in
    ``skip``), over the model's real factors (its model record's "factors"); with
    ``hostile`` the first model's importance also names a factor called HOSTILE. Returns
    {model name: Explanation}."""
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    made = {}
    for i, m in enumerate(data["models"]):
        if m["name"] in skip:
            m.pop("explanation", None)
            continue
        factors = list(m["model"]["factors"])
        e = made_explanation(m["name"], m.get("model_type") or "", factors, seed=i)
        if hostile and i == 0:
            e = replace(e, importance=e.importance + (
                FactorDrop(HOSTILE, -0.002, 0.001, (-0.003, -0.001)),))
        m["explanation"] = e.to_dict()
        made[m["name"]] = e
    Path(target).write_text(json.dumps(data), encoding="utf-8")
    return made


def write_old_results(source: Path, target: Path) -> str:
    """A copy of a results file as Evaluate wrote it before it kept explanations."""
    data = json.loads(Path(source).read_text(encoding="utf-8"))
    for m in data["models"]:
        m.pop("explanation", None)
    Path(target).write_text(json.dumps(data), encoding="utf-8")
    return str(target)


def images(page: str) -> dict:
    """The embedded PNG figures of a report page: {alt text: PNG bytes}."""
    found = re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,([^"]+)"', page)
    return {alt: base64.b64decode(data) for alt, data in found}


def section(page: str, heading: str) -> str:
    """A report's section: from its <h2> to the next <h2>."""
    start = page.index(f"<h2>{heading}</h2>")
    end = page.find("<h2>", start + 1)
    return page[start:end if end > 0 else len(page)]


@pytest.fixture(scope="module")
def explained(sample_workflow, tmp_path_factory, plugin) -> dict:
    """The shared run's results file as Evaluate wrote it before it kept explanations, and a
    copy whose models hold explanations made here (the last model without one)."""
    files = sample_workflow["files"]
    source = files["evaluate:Results file"]
    names = [m["name"] for m in json.loads(source.read_text(encoding="utf-8"))["models"]]
    d = tmp_path_factory.mktemp("report_explain")
    target = d / "results_explained.json"
    made = write_explained_results(source, target, skip=(names[-1],))
    stack = str(files["stack:Factor stack"])
    return {"dir": d, "shared": str(source),
            "old": write_old_results(source, d / "results_old.json"),
            "results": str(target), "made": made,
            "names": names, "stack": stack, "samples": str(files["samples:Training samples"]),
            "fr_csv": str(files["fr:FR table"])}


def test_report_shows_importance_response_curves_and_the_fr_chart(explained, run_alg,
                                                                  tmp_path, artifacts):
    out = run_alg("report", {"RESULTS": explained["results"], "FR_TABLE": explained["fr_csv"],
                             "OUTPUT": str(tmp_path / "report.html")})
    page = Path(out["OUTPUT"]).read_text(encoding="utf-8")
    figures = images(page)
    for alt in ("Factor importance", "Response curves", "Frequency ratio per class"):
        assert figures[alt][:8] == b"\x89PNG\r\n\x1a\n", alt
        (artifacts / f"report_{alt.lower().replace(' ', '_')}.png").write_bytes(figures[alt])
    importance = section(page, "Factor importance")
    assert "Permutation importance" in importance and "Correlated factors" in importance
    made = explained["made"]
    for name, e in made.items():
        assert f"{name}: mean drop" in importance
        assert f"{name}: validation AUROC 0.700 on 163 validation samples, 5 repeats " \
               "(seed 42)" in importance
        for f in e.importance:
            if f.factor == HOSTILE:
                continue
            assert f'<td class="l">{f.factor}</td>' in importance
    # a factor's row: mean drop, SD, rank of each model (3 decimals)
    first = next(iter(made.values()))
    top = first.importance[0]
    assert (f'<td class="l">{top.factor}</td><td class="">{top.mean:.3f}</td>'
            f'<td class="">{top.sd:.3f}</td><td class="">1</td>') in importance
    # the model without an explanation is named, with what to do
    assert f"No factor importance for {explained['names'][-1]}" in importance
    # a factor name from a hostile file is text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in importance
    curves = section(page, "Response curves")
    assert "Partial dependence" in curves and "<h3>Frequency ratio per class</h3>" in curves
    # the sections come after the calibration, before the maps
    order = [page.index(f"<h2>{h}</h2>") for h in ("Calibration", "Factor importance",
                                                    "Response curves", "Susceptibility maps")]
    assert order == sorted(order)
    assert "img{max-width:100%" in page  # figures fit the report's column


def test_the_explanations_evaluate_kept_in_the_shared_run_are_shown(explained, run_alg,
                                                                    tmp_path, artifacts):
    """The shared run's own results: what 'Factor importance and response curves' computed
    for each model, kept by Evaluate, drawn in the report (skipped where the workflow keeps
    no explanation)."""
    data = json.loads(Path(explained["shared"]).read_text(encoding="utf-8"))
    kept = [m for m in data["models"] if m.get("explanation")]
    if not kept:
        pytest.skip("the shared run's results hold no explanation")
    out = run_alg("report", {"RESULTS": explained["shared"], "FR_TABLE": explained["fr_csv"],
                             "OUTPUT": str(tmp_path / "shared.html")})
    page = Path(out["OUTPUT"]).read_text(encoding="utf-8")
    importance = section(page, "Factor importance")
    for m in kept:
        assert f"{m['name']}: mean drop" in importance
        for f in m["explanation"]["importance"]:
            assert f'<td class="l">{f["factor"]}</td>' in importance
    figures = images(page)
    for alt in ("Factor importance", "Response curves"):
        (artifacts / f"report_shared_{alt.lower().replace(' ', '_')}.png").write_bytes(
            figures[alt])


def test_an_old_results_file_builds_without_the_new_sections(explained, run_alg, tmp_path):
    out = run_alg("report", {"RESULTS": explained["old"],
                             "OUTPUT": str(tmp_path / "old.html")})
    page = Path(out["OUTPUT"]).read_text(encoding="utf-8")
    for heading in ("Factor importance", "Response curves", "Area of applicability"):
        assert f"<h2>{heading}</h2>" not in page
    assert "<h2>Model comparison</h2>" in page and "<h2>Susceptibility maps</h2>" in page
    # with an FR table, its chart alone makes the response-curve section
    out = run_alg("report", {"RESULTS": explained["old"], "FR_TABLE": explained["fr_csv"],
                             "OUTPUT": str(tmp_path / "old_fr.html")})
    page = Path(out["OUTPUT"]).read_text(encoding="utf-8")
    assert "<h2>Factor importance</h2>" not in page
    assert "<h3>Frequency ratio per class</h3>" in section(page, "Response curves")
    assert set(images(page)) >= {"Frequency ratio per class"}
    assert "Response curves" not in images(page) and "Partial dependence" not in page


def aoa_rasters(stack: str, folder: Path, threshold: float = 0.42) -> dict:
    """A dissimilarity-index raster and its applicability mask on the grid of ``stack``,
    tagged as 'Area of applicability' tags them (records.AoaTags)."""
    ds = gdal.Open(stack)
    cols, rows = ds.RasterXSize, ds.RasterYSize
    transform, projection = ds.GetGeoTransform(), ds.GetProjection()
    ds = None
    yy, xx = np.mgrid[0:rows, 0:cols]
    di = (0.8 * xx / cols + 0.2 * yy / rows).astype(np.float32)  # rises to the east
    mask = (di <= threshold).astype(np.uint8)
    share = float(mask.mean())
    paths = {"dissimilarity": folder / "di.tif", "applicability": folder / "aoa.tif"}
    for kind, data, dtype, nodata in (("dissimilarity", di, gdal.GDT_Float32, -9999.0),
                                      ("applicability", mask, gdal.GDT_Byte, 255)):
        out = gdal.GetDriverByName("GTiff").Create(str(paths[kind]), cols, rows, 1, dtype)
        out.SetGeoTransform(transform)
        out.SetProjection(projection)
        band = out.GetRasterBand(1)
        band.SetNoDataValue(nodata)  # before the data (GDAL 3.10: see conftest.write_raster)
        band.WriteArray(data)
        band = None
        partner = paths["applicability" if kind == "dissimilarity" else "dissimilarity"]
        out.SetMetadata(AoaTags(kind, threshold, mean_distance=1.234, n_training=371,
                                weights="importance of <b>SVM</b>", stack=stack,
                                share_inside=share, partner=str(partner)).to_metadata())
        out = None
    return {**{k: str(v) for k, v in paths.items()}, "share": share}


def test_report_maps_the_area_of_applicability(explained, run_alg, tmp_path, artifacts):
    aoa = aoa_rasters(explained["stack"], tmp_path)
    out = run_alg("report", {"RESULTS": explained["old"],
                             "APPLICABILITY": [aoa["dissimilarity"], aoa["applicability"]],
                             "OUTPUT": str(tmp_path / "aoa.html")})
    page = Path(out["OUTPUT"]).read_text(encoding="utf-8")
    part = section(page, "Area of applicability")
    assert "<h3>Dissimilarity index: di.tif</h3>" in part
    assert "<h3>Area of applicability (mask): aoa.tif</h3>" in part
    row = '<th class="l">{}</th><td class="l">{}</td>'
    assert row.format("DI threshold", "0.42") in part
    assert row.format("share of the valid cells inside", f"{100 * aoa['share']:.1f} %") in part
    assert row.format("training samples", "371") in part
    assert row.format("factor weights", "importance of &lt;b&gt;SVM&lt;/b&gt;") in part
    assert row.format("mean distance between training samples", "1.23") in part
    figures = images(page)
    for alt, name in (("Dissimilarity index di.tif", "report_aoa_dissimilarity.png"),
                      ("Area of applicability (mask) aoa.tif", "report_aoa_mask.png")):
        assert figures[alt][:8] == b"\x89PNG\r\n\x1a\n"
        (artifacts / name).write_bytes(figures[alt])
    # the report's own parameters name the rasters
    assert aoa["dissimilarity"] in section(page, "Report parameters")


def test_a_raster_that_is_not_of_area_of_applicability_is_refused(explained, run_alg,
                                                                   tmp_path):
    report = tmp_path / "refused.html"
    with pytest.raises(QgsProcessingException) as caught:
        run_alg("report", {"RESULTS": explained["old"], "APPLICABILITY": [explained["stack"]],
                           "OUTPUT": str(report)})
    text = str(caught.value)
    assert "is not a raster of 'Area of applicability'" in text and "LSM_AOA" in text, text
    assert Path(explained["stack"]).name in text and "This is a bug" not in text
    assert not report.exists()


def test_frequency_ratio_writes_its_bar_chart(explained, run_alg, tmp_path, artifacts):
    figure = tmp_path / "fr_chart.png"
    out = run_alg("frequencyratio", {"STACK": explained["stack"],
                                     "SAMPLES": explained["samples"],
                                     "OUTPUT": str(tmp_path / "fr.tif"),
                                     "OUTPUT_TABLE": "TEMPORARY_OUTPUT",
                                     "OUTPUT_FIGURE": str(figure)})
    assert out["OUTPUT_FIGURE"] == str(figure)
    data = figure.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    (artifacts / "frequencyratio_chart.png").write_bytes(data)
    # not asked for: not written
    out = run_alg("frequencyratio", {"STACK": explained["stack"],
                                     "SAMPLES": explained["samples"],
                                     "OUTPUT": str(tmp_path / "fr2.tif"),
                                     "OUTPUT_TABLE": "TEMPORARY_OUTPUT"})
    assert not out.get("OUTPUT_FIGURE")
