"""Calibration and thresholds through QGIS Processing: Classify LSI by landslide share, and
Evaluate's Brier score and reliability diagram (metrics table, results file, figure), on small
real rasters and samples layers built here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal
from qgis.core import QgsProcessingException

from ..conftest import read_raster, write_raster, write_vector

X0, Y0, CELL = 500000.0, 9500000.0, 10.0
ROWS, COLS = 50, 80


@pytest.fixture
def data(tmp_path: Path) -> dict:
    """An LSI raster (0..1, rising left to right, noisy) and a samples layer with the fields
    of Prepare samples: 60 training and 30 validation landslides towards the high LSI, as
    many non-landslide cells everywhere."""
    rng = np.random.default_rng(21)
    lsi = np.tile(np.linspace(0.0, 1.0, COLS), (ROWS, 1)) + rng.normal(0, 0.08, (ROWS, COLS))
    lsi = np.clip(lsi, 0, 1).astype(np.float32)
    path = write_raster(tmp_path / "lsi.tif", lsi)
    points, labels, splits, ids = [], [], [], []
    for n, label, split, lo in ((60, 1, "train", 25), (60, 0, "train", 0),
                                (30, 1, "validation", 25), (30, 0, "validation", 0)):
        for r, c in zip(rng.integers(0, ROWS, n), rng.integers(lo, COLS, n)):
            points.append((int(r), int(c)))
            labels.append(label)
            splits.append(split)
            ids.append(len(ids) if label else -1)
    wkts = [f"POINT({X0 + (c + 0.5) * CELL} {Y0 - (r + 0.5) * CELL})" for r, c in points]
    samples = write_vector(tmp_path / "samples.gpkg", wkts, fields={
        "label": labels, "split": splits, "fold": [0] * len(wkts), "landslide_id": ids})
    cells = np.array(points)
    return {"lsi": str(path), "samples": str(samples), "cells": points,
            "values": lsi[cells[:, 0], cells[:, 1]].astype(np.float64),
            "label": np.array(labels), "split": np.array(splits)}


def table_rows(layer) -> list[dict]:
    return [dict(zip(layer.fields().names(), f.attributes())) for f in layer.getFeatures()]


def test_classify_lsi_by_landslide_share(run_alg, data, tmp_path):
    out = tmp_path / "zones.tif"
    result = run_alg("classifylsi", {"INPUT": data["lsi"], "METHOD": 4, "SHARES": "50, 80",
                                     "SAMPLES": data["samples"], "OUTPUT": str(out),
                                     "OUTPUT_TABLE": "TEMPORARY_OUTPUT"})
    rows = table_rows(result["OUTPUT_TABLE"])
    assert [r["label"] for r in rows] == ["80-100 %", "50-80 %", "Top 50 %"]
    # the shares of the training landslides, from the zone raster itself
    zones, _ = read_raster(out)
    train = (data["split"] == "train") & (data["label"] == 1)
    zone_at = np.array([zones[r, c] for r, c in data["cells"]])
    assert np.mean(zone_at[train] == 3) >= 0.5
    assert np.mean(zone_at[train] >= 2) >= 0.8
    assert rows[2]["train_landslide_pct"] == pytest.approx(100 * np.mean(zone_at[train] == 3))
    # the table shows area % and landslide % (validation landslides, the default) per zone
    assert sum(r["area_pct"] for r in rows) == pytest.approx(100)
    validation = (data["split"] == "validation") & (data["label"] == 1)
    for zone, row in enumerate(rows, start=1):
        assert row["landslides"] == int(np.sum(zone_at[validation] == zone))
        assert row["landslide_pct"] == pytest.approx(100 * np.mean(zone_at[validation] == zone))
        assert row["area_pct"] == pytest.approx(100 * np.mean(zones == zone))
    metadata = gdal.Open(str(out)).GetMetadata()
    assert metadata["LSM_ZONING_METHOD"] == "landslide_share"
    assert metadata["LSM_ZONING_LABELS"] == "80-100 %|50-80 %|Top 50 %"
    assert result["BREAKS_USED"].count(",") == 3


def test_landslide_share_without_samples_or_with_bad_shares_is_refused(run_alg, data,
                                                                        tmp_path):
    out = tmp_path / "zones.tif"
    with pytest.raises(QgsProcessingException, match="Landslide share: give the samples"):
        run_alg("classifylsi", {"INPUT": data["lsi"], "METHOD": 4, "OUTPUT": str(out)})
    with pytest.raises(QgsProcessingException, match="strictly increasing"):
        run_alg("classifylsi", {"INPUT": data["lsi"], "METHOD": 4, "SHARES": "80, 50",
                                "SAMPLES": data["samples"], "OUTPUT": str(out)})
    with pytest.raises(QgsProcessingException, match="at most 100"):
        run_alg("classifylsi", {"INPUT": data["lsi"], "METHOD": 4, "SHARES": "50, 150",
                                "SAMPLES": data["samples"], "OUTPUT": str(out)})
    assert not out.exists()


def test_evaluate_writes_brier_and_the_reliability_diagram(run_alg, data, tmp_path):
    results_path, figure = tmp_path / "results.json", tmp_path / "curves.png"
    result = run_alg("evaluate", {"LSI": [data["lsi"]], "SAMPLES": data["samples"],
                                  "OUTPUT": "TEMPORARY_OUTPUT",
                                  "OUTPUT_RESULTS": str(results_path),
                                  "OUTPUT_FIGURE": str(figure)})
    val = data["split"] == "validation"
    lsi, y = data["values"][val], data["label"][val]
    by_hand = float(np.mean((lsi - y) ** 2))
    row = table_rows(result["OUTPUT"])[0]
    assert "brier" in result["OUTPUT"].fields().names()
    assert row["brier"] == pytest.approx(by_hand, abs=1e-9)
    model = json.loads(results_path.read_text(encoding="utf-8"))["models"][0]
    assert model["metrics"]["brier"] == pytest.approx(by_hand, abs=1e-9)
    rel = model["reliability"]
    assert sum(rel["count"]) == val.sum() == model["metrics"]["n"]
    assert len(rel["lsi"]) == len(rel["observed"]) == len(rel["count"]) <= 10
    # the top bin's observed share, by hand
    top = lsi >= 0.9
    assert rel["count"][-1] == int(top.sum())
    assert rel["observed"][-1] == pytest.approx(float(np.mean(y[top])))
    assert figure.read_bytes()[:4] == b"\x89PNG"
