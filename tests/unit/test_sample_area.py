"""The built-in sample study area: complete, seeded, and drawn from its known process."""

import hashlib
import json

import numpy as np
from osgeo import gdal, ogr

from landslide_lsm_plugin.core import stack as stk
from landslide_lsm_plugin.demo import sample_area


def features(path):
    """All features of a layer (the data source stays open while they are read)."""
    ds = ogr.Open(str(path))
    layer = ds.GetLayer(0)
    out = [f for f in layer]
    geom_type = layer.GetGeomType()
    return out, geom_type


def digest(folder):
    h = hashlib.sha256()
    for name in ("dem.tif", "ndvi.tif", "rainfall.tif", "true_susceptibility.tif"):
        h.update(gdal.Open(str(folder / name)).ReadAsArray().tobytes())
    for name in ("landslides.gpkg", "lithology.gpkg", "rivers.gpkg"):
        for f in features(folder / name)[0]:
            h.update(f.GetGeometryRef().ExportToWkb())
    return h.hexdigest()


def test_small_area_is_complete_and_seeded(tmp_path):
    a = sample_area.generate(tmp_path / "a", "small", seed=7)
    sample_area.generate(tmp_path / "b", "small", seed=7)
    sample_area.generate(tmp_path / "c", "small", seed=8)
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")
    for key in ("dem", "ndvi", "rainfall", "true_susceptibility", "lithology", "rivers", "roads",
                "faults", "landslides", "study_area"):
        assert (tmp_path / "a" / a.files[key].split("/")[-1]).exists(), key
    ds = gdal.Open(a.files["dem"])
    assert (ds.RasterXSize, ds.RasterYSize) == (256, 256)
    assert ds.GetGeoTransform()[1] == 30.0 and "49N" in ds.GetProjection()
    dem = ds.ReadAsArray()
    assert 0 < dem.min() < dem.max() < 3500 and dem.std() > 100  # mountains
    units = {f["unit"] for f in features(a.files["lithology"])[0]}
    assert units == set(range(1, 9))
    slides, geom_type = features(a.files["landslides"])
    assert len(slides) == a.landslides == 70
    assert geom_type == ogr.wkbPolygon
    meta = json.loads((tmp_path / "a" / "sample_area.json").read_text())
    assert meta["seed"] == 7 and "slope" in meta["process"]


def test_landslides_follow_the_known_process(tmp_path):
    area = sample_area.generate(tmp_path, "small", seed=3)
    truth = gdal.Open(area.files["true_susceptibility"]).ReadAsArray()
    valid = truth != -9999
    burn = gdal.Rasterize("", area.files["landslides"], format="MEM", width=256, height=256,
                          outputBounds=(700000, 3640000 - 256 * 30, 700000 + 256 * 30, 3640000),
                          burnValues=[1], initValues=[0]).ReadAsArray().astype(bool)
    # landslides sit where the process is high: mean susceptibility several times the area's
    assert truth[burn & valid].mean() > 2 * truth[valid].mean()
    (rs, cs), (rr, cr) = sample_area.draw_process_cells(area.files["true_susceptibility"], 500, 1)
    assert truth[rs, cs].mean() > truth[rr, cr].mean()


def test_lithology_polygons_become_a_categorical_factor(tmp_path):
    area = sample_area.generate(tmp_path / "area", "small", seed=1)
    out = tmp_path / "stack.tif"
    report = stk.build_stack(stk.factors_from_rasters([area.files["dem"]], stk.CONTINUOUS),
                             str(out), category_layers=[("lithology", area.files["lithology"],
                                                         "unit")],
                             mask=area.files["study_area"])
    assert report.info.names == ["dem", "lithology"]
    assert report.info.kinds == ["continuous", "categorical"]
    ds = gdal.Open(str(out))
    litho = ds.GetRasterBand(2).ReadAsArray()
    assert set(np.unique(litho[litho != -9999]).tolist()) <= set(range(1, 9))
    named = stk.build_stack([], str(tmp_path / "named.tif"),
                            category_layers=[("lithology", area.files["lithology"], "name")],
                            reference=area.files["dem"])
    named_ds = gdal.Open(str(tmp_path / "named.tif"))
    band = named_ds.GetRasterBand(1)
    mapping = json.loads(band.GetMetadataItem("LSM_CATEGORIES"))
    assert mapping["Granite"] in band.ReadAsArray() and len(mapping) == 8
    assert named.info.kinds == ["categorical"]


def test_slope_aspect_and_distances_are_written_as_the_stack_derives_them(tmp_path):
    area = sample_area.generate(tmp_path / "area", "small", seed=5)
    derived = ("slope", "aspect", "dist_rivers", "dist_roads", "dist_faults")
    arrays = {}
    for key in derived:
        ds = gdal.Open(area.files[key])
        assert ds is not None, key
        assert (ds.RasterXSize, ds.RasterYSize) == (256, 256), key
        assert ds.GetGeoTransform() == gdal.Open(area.files["dem"]).GetGeoTransform(), key
        assert "49N" in ds.GetProjection(), key
        band = ds.GetRasterBand(1)
        assert band.GetDescription() == key
        arrays[key] = (band.ReadAsArray(), band.GetNoDataValue())
    slope, nd = arrays["slope"]
    valid = slope[slope != nd]
    assert valid.size > 0.95 * slope.size and 0 <= valid.min() and valid.max() < 90
    assert 10 < valid.mean() < 60  # mountains, not a plain
    aspect, nd = arrays["aspect"]
    valid = aspect[aspect != nd]
    assert valid.min() >= -1 and valid.max() <= 360
    assert np.histogram(valid[valid >= 0], bins=8, range=(0, 360))[0].min() > 0  # every sector
    for key in ("dist_rivers", "dist_roads", "dist_faults"):
        dist = arrays[key][0]
        assert dist.min() == 0 and dist.max() > 1000, key  # 0 on the lines, km away elsewhere
    # the stack derives the very same values from the same DEM and line layers
    report = stk.build_stack([], str(tmp_path / "stack.tif"), reference=area.files["dem"],
                             dem=area.files["dem"], derive_slope=True, derive_aspect=True,
                             distance_layers=[(k, area.files[k.split("_")[1]])
                                              for k in derived[2:]])
    assert report.info.names == list(derived)
    stack = gdal.Open(str(tmp_path / "stack.tif"))
    for b, key in enumerate(derived, start=1):
        band = stack.GetRasterBand(b).ReadAsArray()
        ok = band != -9999
        assert np.allclose(band[ok], arrays[key][0][ok], atol=1e-4), key
    meta = json.loads((tmp_path / "area" / "sample_area.json").read_text())
    assert set(meta["derived"]) == set(derived)
    assert not [p.name for p in (tmp_path / "area").iterdir() if p.name.startswith(".")]


def test_realistic_inventory_gives_tens_of_thousands_of_cells(tmp_path):
    """Thousands of polygons of tens to hundreds of cells at the paper's scale; on a smaller
    grid proportionally fewer, with the same sizes, some overlapping, from the process."""
    area = sample_area.generate(tmp_path / "a", 400, seed=5, inventory="realistic")
    slides, _ = features(area.files["landslides"])
    assert len(slides) == area.landslides == int(2000 * 400 ** 2 / 1224 ** 2)
    cells = np.array([f.GetGeometryRef().GetArea() / 900.0 for f in slides])
    assert np.median(cells) > 15 and cells.max() > 100 and cells.min() >= 5
    burn = gdal.Rasterize("", area.files["landslides"], format="MEM", width=400, height=400,
                          outputBounds=(700000, 3640000 - 400 * 30, 700000 + 400 * 30, 3640000),
                          burnValues=[1], initValues=[0]).ReadAsArray().astype(bool)
    assert burn.sum() > 5000  # every cell of every polygon: tens of thousands at paper scale
    assert burn.sum() < 0.95 * cells.sum()  # some polygons overlap
    truth = gdal.Open(area.files["true_susceptibility"]).ReadAsArray()
    valid = truth != -9999
    assert truth[burn & valid].mean() > 1.5 * truth[valid].mean()
    meta = json.loads((tmp_path / "a" / "sample_area.json").read_text())
    assert meta["inventory"] == "realistic"
