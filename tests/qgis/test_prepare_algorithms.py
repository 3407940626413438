"""Data preparation through processing.run: stack -> samples -> FR -> VIF, chained by outputs."""

import math

import numpy as np
import pytest
from qgis.core import QgsProcessingException, QgsProject, QgsVectorLayer

from ..conftest import read_raster, square
from .helpers import run

X0, Y0 = 500000.0, 9500000.0


@pytest.fixture
def study(raster, vector):
    """A small study area: DEM, NDVI, lithology, rivers, and 12 landslide polygons."""
    rng = np.random.default_rng(4)
    y, x = np.mgrid[0:100, 0:120]
    dem = (1000 + 3 * x + 2 * y + 20 * np.sin(x / 9.0)).astype(np.float32)
    ndvi = rng.random((100, 120)).astype(np.float32)
    litho = (1 + (x // 40) + 3 * (y // 50)).astype(np.float32)
    paths = {"dem": raster("dem.tif", dem), "ndvi": raster("ndvi.tif", ndvi),
             "lithology": raster("lithology.tif", litho, nodata=0)}
    paths["rivers"] = vector("rivers.gpkg", [f"LINESTRING({X0} {Y0 - 505}, {X0 + 1200} "
                                             f"{Y0 - 505})"])
    paths["inventory"] = vector("inventory.gpkg", [
        square(X0 + 100 + 90 * (i % 6), Y0 - 200 - 350 * (i // 6), 29) for i in range(12)])
    return paths


def test_preparation_chain(run_alg, study, tmp_path):
    stack = run_alg("buildstack", {
        "CONTINUOUS": [str(study["ndvi"])], "CATEGORICAL": [str(study["lithology"])],
        "DEM": str(study["dem"]), "RIVERS": str(study["rivers"]),
        "OUTPUT": str(tmp_path / "stack.tif")})
    assert stack["FACTORS"] == "ndvi,lithology,slope,aspect,dist_rivers"
    assert stack["VALID_CELLS"] == 100 * 120
    samples = run_alg("preparesamples", {
        "INVENTORY": str(study["inventory"]), "STACK": stack["OUTPUT"], "RATIO": 2.0,
        "SEED": 3, "OUTPUT": str(tmp_path / "samples.gpkg")})
    assert samples["LANDSLIDE_SAMPLES"] == 12 * 9
    assert samples["NON_LANDSLIDE_SAMPLES"] == 2 * 12 * 9
    layer = QgsVectorLayer(samples["OUTPUT"], "samples")
    assert layer.isValid() and layer.featureCount() == 3 * 108
    assert [f.name() for f in layer.fields()][1:] == ["label", "landslide_id", "split", "fold"]
    fr = run_alg("frequencyratio", {
        "STACK": stack["OUTPUT"], "SAMPLES": samples["OUTPUT"], "CLASSES": 5,
        "OUTPUT": str(tmp_path / "fr.tif"), "OUTPUT_TABLE": "TEMPORARY_OUTPUT",
        "OUTPUT_CSV": str(tmp_path / "fr.csv")})
    table = fr["OUTPUT_TABLE"]
    rows = [dict(zip(table.fields().names(), f.attributes())) for f in table.getFeatures()]
    assert {r["factor"] for r in rows} == {"ndvi", "lithology", "slope", "aspect", "dist_rivers"}
    assert len([r for r in rows if r["factor"] == "aspect"]) == 9
    assert len([r for r in rows if r["factor"] == "lithology"]) == 6
    for factor in ("ndvi", "lithology"):
        ls_pct = sum(r["landslide_pct"] for r in rows if r["factor"] == factor)
        assert abs(ls_pct - 100) < 1e-6
    assert (tmp_path / "fr.csv").read_text().startswith("factor,class,range,")
    encoded, _ = read_raster(fr["OUTPUT"], 1)
    ndvi_fr = np.array([r["fr"] for r in rows if r["factor"] == "ndvi"])
    assert all(np.isclose(ndvi_fr, v, rtol=1e-6).any() for v in np.unique(encoded))
    vif = run_alg("vif", {"STACK": fr["OUTPUT"], "SAMPLES": samples["OUTPUT"],
                          "OUTPUT": "TEMPORARY_OUTPUT"})
    vrows = [dict(zip(vif["OUTPUT"].fields().names(), f.attributes()))
             for f in vif["OUTPUT"].getFeatures()]
    assert [r["factor"] for r in vrows] == ["ndvi", "lithology", "slope", "aspect", "dist_rivers"]
    assert all(r["vif"] is None or r["vif"] >= 1 for r in vrows)


def test_samples_load_styled(plugin, study, raster, tmp_path):
    import processing

    stack = run("buildstack", {
        "CONTINUOUS": [str(study["ndvi"])], "OUTPUT": str(tmp_path / "stack.tif")})
    QgsProject.instance().removeAllMapLayers()
    processing.runAndLoadResults("landslide_lsm:preparesamples", {
        "INVENTORY": str(study["inventory"]), "STACK": stack["OUTPUT"],
        "OUTPUT": str(tmp_path / "samples.gpkg")})
    layers = [lyr for lyr in QgsProject.instance().mapLayers().values()
              if lyr.name() == "Training samples"]
    assert len(layers) == 1 and layers[0].renderer().type() == "RuleRenderer"
    labels = [r.label() for r in layers[0].renderer().rootRule().children()]
    assert labels == ["Landslide, training", "Landslide, validation", "Non-landslide, training",
                      "Non-landslide, validation"]
    QgsProject.instance().removeAllMapLayers()


def test_preparation_errors_reach_the_user(run_alg, study, vector, tmp_path):
    stack = run_alg("buildstack", {"CONTINUOUS": [str(study["ndvi"])],
                                   "OUTPUT": str(tmp_path / "stack.tif")})["OUTPUT"]
    far = vector("far.gpkg", [square(0, 0, 50)])
    with pytest.raises(QgsProcessingException, match="outside the factor stack"):
        run_alg("preparesamples", {"INVENTORY": str(far), "STACK": stack,
                                   "OUTPUT": str(tmp_path / "s.gpkg")})
    with pytest.raises(QgsProcessingException, match="CRS, extent and cell size"):
        run_alg("buildstack", {"CONTINUOUS": [str(study["ndvi"])], "CELL_SIZE": 20,
                               "OUTPUT": str(tmp_path / "stack2.tif")})


def test_ecuador_data_through_processing(run_alg, ecuador, tmp_path):
    stack = run_alg("buildstack", {"CONTINUOUS": [str(ecuador / "ta.tif")],
                                   "MASK": str(ecuador / "study_mask.gpkg"),
                                   "OUTPUT": str(tmp_path / "stack.tif")})
    assert stack["FACTORS"] == "slope,cplan,cprof,elev,log10_carea"
    samples = run_alg("preparesamples", {
        "INVENTORY": str(ecuador / "lsl_points.gpkg"), "STACK": stack["OUTPUT"],
        "LABEL_FIELD": "lslpts", "OUTPUT": str(tmp_path / "samples.gpkg")})
    # the data holds one non-landslide point twice: its cell is sampled once
    assert samples["LANDSLIDE_SAMPLES"] == 175 and samples["NON_LANDSLIDE_SAMPLES"] == 174
    fr = run_alg("frequencyratio", {"STACK": stack["OUTPUT"], "SAMPLES": samples["OUTPUT"],
                                    "OUTPUT": str(tmp_path / "fr.tif"),
                                    "OUTPUT_TABLE": "TEMPORARY_OUTPUT"})
    values = [f["fr"] for f in fr["OUTPUT_TABLE"].getFeatures()]
    assert values and all(math.isfinite(v) and v >= 0 for v in values)
    for stack_path in (stack["OUTPUT"], fr["OUTPUT"]):
        vif = run_alg("vif", {"STACK": stack_path, "SAMPLES": samples["OUTPUT"],
                              "OUTPUT": "TEMPORARY_OUTPUT"})
        vifs = [f["vif"] for f in vif["OUTPUT"].getFeatures()]
        assert len(vifs) == 5 and all(v is not None and math.isfinite(v) and v >= 1
                                      for v in vifs)


def test_fr_through_processing_equals_the_hand_computation(run_alg, raster, vector, tmp_path):
    """4 x 4 cells, factor f in quadrants 1, 2 / 3, 4 (25 % of the area each); training
    landslides: 3 cells in class 1 and 1 in class 2; a validation landslide in class 4 and
    the non-landslide cells must not count. FR = landslide % / area %: 3, 1, 0, 0."""
    f = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]], dtype=np.float32)
    stack = run_alg("buildstack", {"CONTINUOUS": [str(raster("f.tif", f))],
                                   "OUTPUT": str(tmp_path / "stack.tif")})["OUTPUT"]
    cells = [(0, 0), (0, 1), (1, 0), (0, 2), (3, 3), (2, 0)]
    splits = ["train", "train", "train", "train", "validation", "train"]
    samples = vector("samples.gpkg", [f"POINT({X0 + 10 * c + 5} {Y0 - 10 * r - 5})"
                                      for r, c in cells],
                     fields={"label": [1, 1, 1, 1, 1, 0], "landslide_id": list(range(6)),
                             "split": splits, "fold": [1, 1, 1, 1, 0, 1]})
    result = run_alg("frequencyratio", {
        "STACK": stack, "SAMPLES": str(samples), "OVERRIDES": "f:custom:1.5,2.5,3.5",
        "OUTPUT": str(tmp_path / "fr.tif"), "OUTPUT_TABLE": str(tmp_path / "fr.gpkg")})
    table = QgsVectorLayer(result["OUTPUT_TABLE"], "fr", "ogr")
    rows = sorted((feat["class"], feat["area_cells"], feat["landslide_cells"], feat["fr"])
                  for feat in table.getFeatures())
    assert [r[1] for r in rows] == [4, 4, 4, 4]
    assert [r[2] for r in rows] == [3, 1, 0, 0]
    assert np.allclose([r[3] for r in rows], [3.0, 1.0, 0.0, 0.0])
    encoded, _ = read_raster(result["OUTPUT"])
    assert np.allclose(encoded, np.where(f == 1, 3.0, np.where(f == 2, 1.0, 0.0)))


def test_distances_to_one_layer_of_a_geopackage_with_several(run_alg, raster, tmp_path):
    """'Other layers to compute distances to' reads the chosen layer, not the file's first."""
    from osgeo import ogr, osr

    ref = raster("ref.tif", np.zeros((20, 30), dtype=np.float32))
    path = tmp_path / "lines.gpkg"
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32717)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    for name, x in (("roads", X0 + 5), ("faults", X0 + 205)):
        layer = ds.CreateLayer(name, srs, ogr.wkbLineString)
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometry(ogr.CreateGeometryFromWkt(f"LINESTRING({x} {Y0}, {x} {Y0 - 200})"))
        layer.CreateFeature(feature)
    ds = None
    faults = QgsVectorLayer(f"{path}|layername=faults", "faults", "ogr")
    assert faults.isValid()
    result = run_alg("buildstack", {"CONTINUOUS": [str(ref)], "OTHER_DISTANCES": [faults],
                                    "OUTPUT": str(tmp_path / "stack.tif")})
    assert result["FACTORS"] == "ref,dist_faults"
    dist, _ = read_raster(result["OUTPUT"], 2)
    assert np.allclose(dist[:, 20], 0.0) and np.allclose(dist[:, 0], 200.0)
