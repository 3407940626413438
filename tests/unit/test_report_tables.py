"""The report's tables read from CSV (every value text): numbers are rounded for reading and a
row is marked flagged only when its 'flagged' cell says so ('0' is not)."""

from landslide_lsm_plugin.presentation.report import _table


def test_csv_text_is_rounded_and_flagged_only_where_flagged():
    rows = [{"factor": "dem", "vif": "1.10306015871445", "tol": "0.906568868524305",
             "flagged": "0", "note": ""},
            {"factor": "slope", "vif": "12.5", "tol": "0.08", "flagged": "1", "note": "high"},
            {"factor": "ndvi", "vif": 1.5, "tol": 0.66, "flagged": False, "note": None}]
    html = str(_table([("factor", "Factor"), ("vif", "VIF"), ("tol", "TOL"),
                       ("flagged", "Flagged"), ("note", "Note")], rows,
                      left=("factor", "note", "flagged"), flag="flagged"))
    assert html.count('class="l flag"') == 1 and '<td class="l flag">slope</td>' in html
    assert "1.103" in html and "1.10306015871445" not in html and "0.907" in html
    assert "12.500" in html and '<td class="l">0</td>' in html  # the flag column as given


def test_integers_stay_integers_and_text_stays_text():
    html = str(_table([("class", "Class"), ("range", "Range")],
                      [{"class": "3", "range": "0 – 12.5"}], left=("range",)))
    assert "<td class=\"\">3</td>" in html and "0 – 12.5" in html
