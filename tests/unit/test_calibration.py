"""Calibration and thresholds: the Brier score, the reliability diagram (core.metrics, in the
results file, the figures and the report), and zoning by landslide share (core.classing,
core.zoning) on real GDAL rasters and samples layers."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest

from landslide_lsm_plugin.core import evaluation
from landslide_lsm_plugin.core.classing import (
    LANDSLIDE_SHARE,
    landslide_share_breaks,
    parse_shares,
    share_labels,
)
from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.metrics import brier_score, evaluate_scores, reliability
from landslide_lsm_plugin.core.raster import Grid, open_raster
from landslide_lsm_plugin.core.records import EvaluatedModel, EvaluationResults, ZoneTags
from landslide_lsm_plugin.core.sampling import read_samples, values_at
from landslide_lsm_plugin.core.zoning import classify_raster

from ..conftest import read_raster, write_raster, write_vector
from .test_results_file import make_results

X0, Y0, CELL = 500000.0, 9500000.0, 10.0


# --- the Brier score ----------------------------------------------------------------------------

def test_brier_score_is_the_mean_squared_difference():
    y = np.array([0, 1, 1, 0])
    lsi = np.array([0.1, 0.8, 0.4, 0.3])
    by_hand = (0.1 ** 2 + 0.2 ** 2 + 0.6 ** 2 + 0.3 ** 2) / 4  # 0.125
    assert brier_score(y, lsi) == pytest.approx(by_hand, abs=1e-15)
    assert evaluate_scores(y, lsi).brier == pytest.approx(0.125, abs=1e-15)
    assert evaluate_scores(y, lsi).as_dict()["brier"] == pytest.approx(0.125, abs=1e-15)
    from sklearn.metrics import brier_score_loss

    assert brier_score(y, lsi) == pytest.approx(brier_score_loss(y, lsi), abs=1e-15)
    assert brier_score(y, y.astype(float)) == 0.0
    assert brier_score(y, 1.0 - y) == 1.0


def test_brier_score_needs_probabilities():
    y = np.array([0, 1, 1, 0])
    with pytest.raises(LsmError, match=r"scores must lie in 0\.\.1, these range -2 \.\. 3"):
        brier_score(y, np.array([-2.0, 3.0, 0.5, 0.5]))
    # evaluation of such a map still works: the Brier score is left undefined, not wrong
    m = evaluate_scores(y, np.array([-2.0, 3.0, 0.5, 0.5]))
    assert math.isnan(m.brier) and m.auroc == 0.875


# --- the reliability diagram -----------------------------------------------------------------

def test_reliability_bins_shares_and_counts_with_empty_bins_left_out():
    lsi = np.array([0.05, 0.07, 0.15, 0.55, 0.95, 1.0, 0.92, 0.58])
    y = np.array([0, 1, 0, 0, 1, 1, 0, 1])
    rel = reliability(y, lsi)
    assert rel["count"] == [2, 1, 2, 3]  # bins 0.0-0.1, 0.1-0.2, 0.5-0.6, 0.9-1.0 (1 included)
    assert rel["lsi"] == pytest.approx([0.06, 0.15, 0.565, (0.95 + 1.0 + 0.92) / 3])
    assert rel["observed"] == pytest.approx([0.5, 0.0, 0.5, 2 / 3])
    assert sum(rel["count"]) == lsi.size
    assert all(isinstance(c, int) for c in rel["count"])
    json.dumps(rel, allow_nan=False)  # plain JSON values
    five = reliability(y, lsi, bins=5)
    assert five["count"] == [3, 2, 3]  # 0-0.2, 0.4-0.6, 0.8-1
    with pytest.raises(LsmError, match="1 or more bins"):
        reliability(y, lsi, bins=0)
    with pytest.raises(LsmError, match=r"scores must lie in 0\.\.1"):
        reliability(y, lsi + 0.5)
    with pytest.raises(LsmError, match="labels 0"):
        reliability(y + 1, lsi)


def test_a_calibrated_lsi_lies_on_the_diagonal():
    rng = np.random.default_rng(11)
    lsi = rng.random(60_000)
    y = (rng.random(lsi.size) < lsi).astype(int)  # P(landslide | LSI) = LSI
    rel = reliability(y, lsi)
    assert len(rel["count"]) == 10 and min(rel["count"]) > 5000
    assert np.max(np.abs(np.subtract(rel["observed"], rel["lsi"]))) < 0.025
    assert brier_score(y, lsi) == pytest.approx(1 / 6, abs=0.005)  # E[p (1 - p)]
    # an overconfident map (LSI pushed towards 0 and 1) leaves the diagonal, and scores worse
    sharp = np.clip((lsi - 0.5) * 3 + 0.5, 0, 1)
    rel_sharp = reliability(y, sharp)
    assert np.max(np.abs(np.subtract(rel_sharp["observed"], rel_sharp["lsi"]))) > 0.1
    assert brier_score(y, sharp) > brier_score(y, lsi) + 0.01


# --- the results file -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("calibration")
    path = make_results(d)
    return {"dir": d, "path": path, "data": json.loads(path.read_text(encoding="utf-8"))}


def test_evaluate_writes_brier_and_reliability_computed_from_the_validation_samples(real):
    results = evaluation.read_results(str(real["path"]))
    samples_path = str(real["dir"] / "samples.gpkg")
    for m in results.models:
        ds = open_raster(m.lsi, "LSI")
        samples = read_samples(samples_path, Grid.of(ds))
        values, ok = values_at(ds, samples.x, samples.y, [1])
        val = ok & samples.validation
        lsi, y = values[val, 0], samples.label[val]
        assert m.metrics["brier"] == pytest.approx(np.mean((lsi - y) ** 2), abs=1e-12)
        assert 0 < m.metrics["brier"] < 1
        assert sum(m.reliability["count"]) == m.metrics["n"] == val.sum()
        assert m.reliability == reliability(y, lsi)
    # the metrics table has the Brier column, in METRIC_COLUMNS' order
    ev = evaluation.evaluate_lsi([results.models[0].lsi], samples_path)
    rows = evaluation.metric_rows(ev)
    assert list(rows[0]) == [c for c, _ in evaluation.METRIC_COLUMNS]
    assert rows[0]["brier"] == results.models[0].metrics["brier"]
    assert ev.models[0].reliability == results.models[0].reliability


def _without_calibration(data: dict) -> dict:
    old = copy.deepcopy(data)
    for m in old["models"]:
        m["metrics"].pop("brier")
        m.pop("reliability")
    return old


def test_results_with_and_without_calibration_load_and_round_trip(real, tmp_path):
    data = real["data"]
    assert all("brier" in m["metrics"] and m["reliability"] for m in data["models"])
    new = EvaluationResults.from_dict(copy.deepcopy(data), "new.json")
    assert new.to_dict() == data
    assert new.models[0].reliability == data["models"][0]["reliability"]
    assert "reliability" not in new.models[0].details  # a typed field, not a detail
    # a file written before this round (no Brier, no reliability) loads and stays as it was
    old = _without_calibration(data)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    loaded = evaluation.read_results(str(path))
    assert loaded.models[0].reliability is None and "brier" not in loaded.models[0].metrics
    assert loaded.to_dict() == old and "reliability" not in loaded.to_dict()["models"][0]
    # a record made in code round-trips with and without the field
    model = EvaluatedModel.of(copy.deepcopy(data["models"][0]))
    assert EvaluatedModel.of(model.to_dict()) == model
    assert model.to_dict() == data["models"][0]
    # a null reliability (an LSI outside 0..1) is allowed and kept
    nulled = copy.deepcopy(data)
    nulled["models"][0]["reliability"] = None
    nulled["models"][0]["metrics"]["brier"] = math.nan
    back = EvaluationResults.from_dict(copy.deepcopy(nulled), "n.json")
    assert back.models[0].reliability is None and "reliability" in back.to_dict()["models"][0]
    assert math.isnan(back.models[0].metrics["brier"])


def _set_field(data: dict, key: str, value) -> dict:
    bad = copy.deepcopy(data)
    node = bad["models"][0]
    *parents, last = key.split(".")
    for p in parents:
        node = node[p]
    node[last] = value
    return bad


@pytest.mark.parametrize("key,value,message", [
    ("metrics.brier", 1.5, r"models\[0\]\.metrics\.brier is 1\.5, outside 0 \.\. 1"),
    ("metrics.brier", "low", r"models\[0\]\.metrics\.brier must be a number, not text"),
    ("reliability", [1, 2], r"models\[0\]\.reliability must be an object"),
    ("reliability.count", None, r"models\[0\]\.reliability\.count must be a list"),
    ("reliability.observed", [0.5], r"models\[0\]\.reliability\.lsi has \d+ values, "
                                    r"models\[0\]\.reliability\.observed 1 .* must pair up"),
    ("reliability.observed.0", 1.5, r"models\[0\]\.reliability\.observed\[0\] is 1\.5, "
                                    r"outside 0 \.\. 1"),
    ("reliability.lsi.0", -0.1, r"models\[0\]\.reliability\.lsi\[0\] is -0\.1"),
    ("reliability.count.0", 2.5, r"models\[0\]\.reliability\.count\[0\] must be a whole number"),
    ("reliability.count.0", -1, r"models\[0\]\.reliability\.count\[0\] is -1, outside 0"),
    ("reliability.count.0", True, r"models\[0\]\.reliability\.count\[0\] must be a whole "
                                  r"number, not true/false"),
])
def test_a_damaged_calibration_field_is_refused_by_name(real, key, value, message):
    data = real["data"]
    if key.count(".") == 2:  # an element of a list
        head, index = key.rsplit(".", 1)
        bad = copy.deepcopy(data)
        node = bad["models"][0]
        for p in head.split("."):
            node = node[p]
        node[int(index)] = value
    else:
        bad = _set_field(data, key, value)
    with pytest.raises(LsmError, match=r"'bad\.json': " + message):
        EvaluationResults.from_dict(bad, "bad.json")


# --- the figures and the report ----------------------------------------------------------------

def test_reliability_figure_and_report(real, tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    from landslide_lsm_plugin.presentation.figures import (
        color_of,
        draw_curves,
        draw_reliability,
        save_roc_figure,
    )
    from landslide_lsm_plugin.presentation.report import build_report

    models = EvaluationResults.from_dict(copy.deepcopy(real["data"]), "r.json").models
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    draw_reliability(ax, models)
    lines = ax.get_lines()
    assert len(lines) == 1 + len(models)  # the diagonal, then one line per model
    assert list(lines[0].get_xdata()) == [0, 1] and list(lines[0].get_ydata()) == [0, 1]
    for i, (m, line) in enumerate(zip(models, lines[1:])):
        assert list(line.get_xdata()) == m.reliability["lsi"]
        assert list(line.get_ydata()) == m.reliability["observed"]
        assert to_hex(line.get_color()) == color_of(i)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"{models[0].name} (Brier {models[0].metrics['brier']:.3f})" in legend
    # Evaluate's figure: ROC, reliability, success and prediction rate in two rows of two
    fig4 = Figure()
    draw_curves(fig4, models)
    assert len(fig4.axes) == 4 and "Reliability" in fig4.axes[1].get_title()
    old = EvaluationResults.from_dict(_without_calibration(real["data"]), "o.json").models
    fig3 = Figure()
    draw_curves(fig3, old)
    assert len(fig3.axes) == 3 and not any("Reliability" in a.get_title() for a in fig3.axes)
    png = save_roc_figure(models, tmp_path / "roc.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the report: a Calibration section with the diagram, a Brier column (lowest is best)
    page = build_report(str(real["path"]), str(tmp_path / "r.html")).read_text("utf-8")
    assert "<h2>Calibration</h2>" in page and 'alt="Reliability diagram"' in page
    assert '<th class="">Brier</th>' in page
    briers = [m.metrics["brier"] for m in models]
    best = f'<td class="best">{min(briers):.3f}</td>'
    assert best in page and f'<td class="best">{max(briers):.3f}</td>' not in page
    old_path = tmp_path / "old.json"
    old_path.write_text(json.dumps(_without_calibration(real["data"])), encoding="utf-8")
    page = build_report(str(old_path), str(tmp_path / "o.html")).read_text("utf-8")
    assert "<h2>Calibration</h2>" in page and "No reliability diagram" in page


# --- zoning by landslide share ------------------------------------------------------------------

def _lsi_and_samples(tmp_path: Path, n_train: int = 80, validation_low: bool = False,
                     seed: int = 5) -> tuple[Path, Path, np.ndarray]:
    """An LSI raster (float32, rising left to right, noisy, a nodata strip) and a samples
    layer as Prepare samples writes it: training landslides mostly at high LSI, non-landslide
    cells everywhere, validation landslides high (or, with ``validation_low``, all low)."""
    rng = np.random.default_rng(seed)
    rows, cols = 60, 90
    lsi = np.tile(np.linspace(0.0, 1.0, cols), (rows, 1)) + rng.normal(0, 0.05, (rows, cols))
    lsi = np.clip(lsi, 0, 1).astype(np.float32)
    lsi[:, :3] = -9999.0
    path = write_raster(tmp_path / "lsi.tif", lsi)

    def cells(n, col_lo, col_hi):
        return rng.integers(0, rows, n), rng.integers(col_lo, col_hi, n)

    groups = [(cells(n_train, 30, cols), 1, "train"), (cells(n_train, 3, cols), 0, "train"),
              (cells(30, 3, 20) if validation_low else cells(30, 40, cols), 1, "validation"),
              (cells(30, 3, cols), 0, "validation")]
    wkts, labels, splits, ids = [], [], [], []
    for (r, c), label, split in groups:
        for rr, cc in zip(r, c):
            wkts.append(f"POINT({X0 + (cc + 0.5) * CELL} {Y0 - (rr + 0.5) * CELL})")
            labels.append(label)
            splits.append(split)
            ids.append(len(ids) if label == 1 else -1)
    samples = write_vector(tmp_path / "samples.gpkg", wkts, fields={
        "label": labels, "split": splits, "fold": [0] * len(wkts), "landslide_id": ids})
    return path, samples, lsi


def _zones_at_training_landslides(zones: Path, samples: Path) -> np.ndarray:
    ds = open_raster(str(zones), "zones")
    s = read_samples(str(samples), Grid.of(ds))
    chosen = s.train & (s.label == 1)
    values, ok = values_at(ds, s.x[chosen], s.y[chosen], [1])
    return values[ok, 0].astype(int)


def test_landslide_share_zones_hold_at_least_the_shares_of_training_landslides(tmp_path):
    lsi_path, samples, lsi = _lsi_and_samples(tmp_path)
    out = tmp_path / "zones.tif"
    shares = [50, 75, 90, 95]
    zoning = classify_raster(str(lsi_path), str(out), method=LANDSLIDE_SHARE, shares=shares,
                             samples_path=str(samples), samples_split="validation")
    k = len(shares) + 1
    assert len(zoning.classes) == k and zoning.training_landslides == 80
    assert zoning.shares == (50.0, 75.0, 90.0, 95.0)
    assert [c.label for c in zoning.classes] == ["95-100 %", "90-95 %", "75-90 %", "50-75 %",
                                                 "Top 50 %"]
    zone_of = _zones_at_training_landslides(out, samples)
    assert zone_of.size == 80
    for j, share in enumerate(shares, start=1):  # the top j zones
        held = np.mean(zone_of >= k - j + 1) * 100
        assert held >= share, (j, held, share)
        # as tight as the data allow: a training landslide lies just above each boundary
        edge = zoning.edges[k - j]
        ds = open_raster(str(lsi_path), "lsi")
        s = read_samples(str(samples), Grid.of(ds))
        v, ok = values_at(ds, s.x, s.y, [1])
        train_ls = v[ok & s.train & (s.label == 1), 0]
        assert np.any(train_ls == np.nextafter(edge, np.inf))
        assert np.mean(train_ls > np.nextafter(edge, np.inf)) * 100 < share
    # the zone table's shares: training landslides as computed, area and validation landslides
    top_down = zoning.classes[::-1]
    cumulative = np.cumsum([c.train_landslide_pct for c in top_down])
    assert np.all(cumulative[:-1] >= np.array(shares) - 1e-9)
    assert sum(c.area_pct for c in zoning.classes) == pytest.approx(100)
    assert sum(c.landslides for c in zoning.classes) == 30  # the validation landslides
    assert all(c.landslide_pct is not None for c in zoning.classes)
    # the raster: zones 1..k on valid cells, 0 on nodata, its tags say how it was made
    zones, nodata = read_raster(out)
    assert nodata == 0 and np.all(zones[:, :3] == 0) and set(np.unique(zones[:, 3:])) <= set(
        range(1, k + 1))
    tags = ZoneTags.from_metadata(open_raster(str(out), "zones").GetMetadata())
    assert tags.method == "landslide_share" and len(tags.breaks) == k + 1
    assert tags.labels == tuple(c.label for c in zoning.classes)
    assert tags.breaks == pytest.approx(tuple(zoning.edges), abs=0)


def test_validation_landslides_never_set_the_boundaries(tmp_path):
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    lsi_a, samples_a, _ = _lsi_and_samples(a_dir, validation_low=False)
    lsi_b, samples_b, _ = _lsi_and_samples(b_dir, validation_low=True)
    za = classify_raster(str(lsi_a), str(a_dir / "z.tif"), method=LANDSLIDE_SHARE,
                         samples_path=str(samples_a))
    zb = classify_raster(str(lsi_b), str(b_dir / "z.tif"), method=LANDSLIDE_SHARE,
                         samples_path=str(samples_b))
    assert np.array_equal(za.edges, zb.edges)  # same training landslides, same boundaries
    # ... while the validation landslides counted per zone differ: low ones fall low
    assert za.classes[-1].landslides > zb.classes[-1].landslides
    assert zb.classes[0].landslides + zb.classes[1].landslides > 15


def test_landslide_share_breaks_in_core():
    values = np.arange(1, 21) / 20.0  # 20 landslides at 0.05 .. 1.0
    edges = landslide_share_breaks(values, [50, 100], 0.0, 1.0)
    # top 50 % = the 10 highest (0.55 .. 1.0): the boundary just below 0.55
    assert edges[2] == np.nextafter(0.55, -np.inf) and edges[1] == np.nextafter(0.05, -np.inf)
    assert edges[0] == 0.0 and edges[-1] == 1.0
    # a share of 100 with a landslide on the map's lowest LSI: an empty lowest zone
    low = landslide_share_breaks(values, [50, 100], 0.05, 1.0)
    assert low[0] == low[1] < 0.05
    assert share_labels([50, 100]) == ["Rest", "50-100 %", "Top 50 %"]
    assert share_labels([12.5]) == ["12.5-100 %", "Top 12.5 %"]


@pytest.mark.parametrize("text,message", [
    ("75, 50", "strictly increasing"),
    ("50,50,90", "strictly increasing"),
    ("0, 50", r"above 0 and at most 100; '0, 50' has 0\b"),
    ("50, 120", "above 0 and at most 100; '50, 120' has 120"),
    ("-5", "above 0 and at most 100"),
    ("nan", "above 0 and at most 100"),
    ("fifty", "percentages separated by commas"),
    ("", "shares are empty"),
])
def test_shares_that_are_not_increasing_or_outside_0_100_are_refused(text, message):
    with pytest.raises(LsmError, match=message):
        parse_shares(text)


def test_share_parsing_accepts_the_usual_spellings():
    assert parse_shares("50,75,90,95") == [50, 75, 90, 95]
    assert parse_shares("50 %; 75%  90, 100") == [50, 75, 90, 100]


def test_landslide_share_zoning_refuses_what_it_cannot_do(tmp_path):
    lsi_path, samples, lsi = _lsi_and_samples(tmp_path, n_train=5)
    out = tmp_path / "zones.tif"
    with pytest.raises(LsmError, match="needs the samples layer"):
        classify_raster(str(lsi_path), str(out), method=LANDSLIDE_SHARE)
    with pytest.raises(LsmError, match="strictly increasing"):
        classify_raster(str(lsi_path), str(out), method=LANDSLIDE_SHARE, shares=[90, 50],
                        samples_path=str(samples))
    # 5 training landslides: 90 % and 95 % both need all 5
    with pytest.raises(LsmError, match=r"90 % and 95 % give the same zone boundary.*too few"):
        classify_raster(str(lsi_path), str(out), method=LANDSLIDE_SHARE,
                        samples_path=str(samples))
    assert not out.exists()
    # every training landslide on nodata
    nodata = lsi.copy()
    nodata[:, 30:] = -9999.0
    holed = write_raster(tmp_path / "holed.tif", nodata)
    with pytest.raises(LsmError, match=r"None of the 5 training landslide\(s\) .* valid cell "
                                       "of 'holed.tif'"):
        classify_raster(str(holed), str(out), method=LANDSLIDE_SHARE, shares=[50],
                        samples_path=str(samples))
    assert not out.exists()


def test_an_lsi_outside_0_1_is_evaluated_without_calibration_and_says_so(tmp_path):
    lsi_path, samples, lsi = _lsi_and_samples(tmp_path)
    scaled = np.where(lsi == -9999.0, lsi, lsi * 5.0).astype(np.float32)  # a score, not a P
    score = write_raster(tmp_path / "score.tif", scaled)
    ev = evaluation.evaluate_lsi([str(score), str(lsi_path)], str(samples))
    assert math.isnan(ev.models[0].metrics["brier"]) and ev.models[0].reliability is None
    assert any("score: LSI values outside 0..1" in m and "left out" in m for m in ev.messages)
    assert 0 < ev.models[1].metrics["brier"] < 1 and ev.models[1].reliability["count"]
    assert ev.models[0].metrics["auroc"] == pytest.approx(ev.models[1].metrics["auroc"])
    out = evaluation.write_results(ev, str(tmp_path / "results.json"))
    back = evaluation.read_results(str(out))  # NaN Brier and a null diagram: a valid file
    assert back.models[0].reliability is None and math.isnan(back.models[0].metrics["brier"])
