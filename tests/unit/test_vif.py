"""VIF/TOL against an independent least-squares computation; infinite VIF named."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from landslide_lsm_plugin.core.errors import LsmError
from landslide_lsm_plugin.core.vif import vif_table


def independent_vif(x):
    out = []
    for j in range(x.shape[1]):
        others = np.delete(x, j, axis=1)
        r2 = LinearRegression().fit(others, x[:, j]).score(others, x[:, j])
        out.append(1.0 / (1.0 - r2))
    return np.array(out)


def test_vif_matches_an_independent_regression():
    rng = np.random.default_rng(0)
    a, b, c, noise = rng.normal(size=(4, 500))
    x = np.column_stack([a, b, 0.9 * a + 0.3 * b + 0.2 * noise, c])
    result = vif_table(x, ["a", "b", "mix", "c"])
    vifs = np.array([r.vif for r in result.rows])
    assert np.allclose(vifs, independent_vif(x), rtol=1e-8)
    assert np.allclose([r.tol for r in result.rows], 1 / vifs)
    flagged = [r.factor for r in result.rows if r.flagged]
    assert flagged == [r.factor for r in result.rows if r.vif > 10 or r.tol < 0.1]


def test_flag_thresholds_are_parameters():
    rng = np.random.default_rng(1)
    a, b, noise = rng.normal(size=(3, 300))
    x = np.column_stack([a, a + 0.5 * b + 0.3 * noise, b])
    loose = vif_table(x, ["a", "ab", "b"], vif_max=100, tol_min=0.01)
    strict = vif_table(x, ["a", "ab", "b"], vif_max=1.5, tol_min=0.7)
    assert loose.flagged == [] and strict.flagged == ["a", "ab", "b"]


def test_perfect_collinearity_and_constant_bands_are_infinite_and_named():
    rng = np.random.default_rng(2)
    a, b, c = rng.normal(size=(3, 200))
    x = np.column_stack([a, b, 2 * a - b, c, np.full(200, 5.0)])
    result = vif_table(x, ["a", "b", "a2b", "c", "const"])
    by_name = {r.factor: r for r in result.rows}
    for name in ("a", "b", "a2b", "const"):
        assert np.isinf(by_name[name].vif) and by_name[name].flagged
    assert np.isfinite(by_name["c"].vif)
    assert "constant" in by_name["const"].note
    partners = by_name["a"].note.split(" with ")[1].split(", ")
    assert sorted(partners) == ["a2b", "b"]
    message = " ".join(result.messages)
    assert "infinite" in message and "const" in message and "a2b" in message


def test_too_few_samples():
    with pytest.raises(LsmError, match="more training samples"):
        vif_table(np.ones((3, 3)), ["a", "b", "c"])
