"""The plugin as users install it: the zip, pb_tool deploy, and qgis_process headless."""

import configparser
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
import qgis_tools as qt

from ..conftest import read_raster, write_raster

REQUIRED_METADATA = ("name", "qgisMinimumVersion", "description", "about", "version", "author",
                     "email", "tracker", "repository", "homepage", "tags", "category", "icon",
                     "changelog", "hasProcessingProvider")


def test_metadata_is_complete():
    cfg = configparser.ConfigParser()
    cfg.read(qt.ROOT / "metadata.txt", encoding="utf-8")
    general = cfg["general"]
    missing = [k for k in REQUIRED_METADATA if not general.get(k, "").strip()]
    assert not missing, f"metadata.txt lacks {missing}"
    assert general["qgisMinimumVersion"] == "3.22"
    assert general["hasProcessingProvider"] == "yes"
    assert (qt.PACKAGE / general["icon"]).exists()


@pytest.fixture(scope="module")
def plugin_zip(tmp_path_factory) -> Path:
    return qt.build_zip(tmp_path_factory.mktemp("dist"))


def test_zip_has_one_plugin_folder_and_no_build_debris(plugin_zip):
    with zipfile.ZipFile(plugin_zip) as zf:
        names = zf.namelist()
    assert all(n.startswith("landslide_lsm_plugin/") for n in names)
    for needed in ("metadata.txt", "__init__.py", "plugin.py", "processing/provider.py",
                   "core/classing.py", "resources/icons/landslide_lsm.svg"):
        assert f"landslide_lsm_plugin/{needed}" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_pb_tool_deploy_gives_the_same_plugin(plugin_zip, tmp_path):
    pb_tool = Path(qt.ROOT / ".venv" / "bin" / "pb_tool")
    proc = subprocess.run([str(pb_tool), "deploy", "-y", "-n", "-p", str(tmp_path),
                           "--config_file", "../pb_tool.cfg"], cwd=qt.PACKAGE,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    deployed = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
    with zipfile.ZipFile(plugin_zip) as zf:
        zipped = {n for n in zf.namelist() if not n.endswith("/")}
    assert deployed == zipped


@pytest.fixture(scope="module")
def cli_profile(plugin_zip, tmp_path_factory) -> Path:
    """A scratch profile with the plugin installed from the zip and enabled by qgis_process."""
    root = tmp_path_factory.mktemp("qgis-cli")
    qt.make_profile(root, with_plugin=False)
    with zipfile.ZipFile(plugin_zip) as zf:
        zf.extractall(qt.profile_dir(root) / "python" / "plugins")
    qt.enable_in_qgis_process(root)
    return root


def test_qgis_process_lists_the_provider(cli_profile):
    proc = qt.qgis_process(cli_profile, ["list"], timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "landslide_lsm:classifylsi" in proc.stdout


def test_qgis_process_runs_classify(cli_profile, tmp_path):
    lsi = np.tile(np.linspace(0, 1, 80, dtype=np.float32), (60, 1))
    src = write_raster(tmp_path / "lsi in dir.tif", lsi)
    out = tmp_path / "zones.tif"
    result = qt.run_algorithm(cli_profile, "landslide_lsm:classifylsi",
                              {"INPUT": src, "METHOD": 1, "OUTPUT": out,
                               "OUTPUT_TABLE": tmp_path / "zones.csv"})
    assert Path(result["results"]["OUTPUT"]) == out
    zones, _ = read_raster(out)
    assert np.array_equal(zones, np.clip(np.ceil(lsi / 0.2), 1, 5))
    assert (tmp_path / "zones.qml").exists()
    lines = (tmp_path / "zones.csv").read_text().splitlines()
    assert lines[0].startswith("zone,label,lower,upper,cells,area_pct,landslides")
    assert len(lines) == 6


def test_qgis_process_reports_bad_input_and_exits_nonzero(cli_profile, tmp_path):
    src = write_raster(tmp_path / "lsi.tif", np.ones((10, 10), dtype=np.float32))
    proc = qt.qgis_process(cli_profile, ["run", "landslide_lsm:classifylsi", "--",
                                         f"INPUT={src}", "METHOD=1",
                                         f"OUTPUT={tmp_path / 'z.tif'}"], timeout=180)
    assert proc.returncode != 0
    assert "constant raster cannot be classed" in proc.stdout + proc.stderr
    assert not (tmp_path / "z.tif").exists()


def test_qgis_process_help_states_every_default(cli_profile):
    """QGIS 3.22's `qgis_process help` prints no default values; the algorithm's help does."""
    proc = qt.qgis_process(cli_profile, ["help", "landslide_lsm:trainsvm"], timeout=180)
    assert proc.returncode == 0, proc.stderr
    for text in ("<code>SEARCH_SAMPLES</code>: 3000", "<code>FINAL_SAMPLES</code>: 10000",
                 "<code>CV</code>: 1 (Folds of the samples layer", "<code>HALVING</code>: yes",
                 "<code>C_MAX</code>: 2410", "<code>SEED</code>: 42"):
        assert text in proc.stdout, text
