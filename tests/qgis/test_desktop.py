"""The real QGIS desktop under xvfb-run: the plugin loads with no Python error, and the zip
installs through Plugin Manager's own "Install from ZIP" code."""

import json
import shutil
from pathlib import Path

import pytest
import qgis_tools as qt

HERE = Path(__file__).resolve().parent / "desktop"

pytestmark = pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run missing")


def start_desktop(root: Path, screenshot: Path, **env_extra) -> dict:
    """Start QGIS with a scratch profile; returns what check_plugin.py recorded."""
    startup_dir = root / "xdg" / "QGIS" / "QGIS3"
    startup_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "profile_startup.py", startup_dir / "startup.py")
    out, log = root / "desktop.json", root / "messages.log"
    env = qt.qgis_env(root)
    env.update(XDG_DATA_HOME=str(root / "xdg"), LSM_MESSAGE_LOG=str(log),
               LSM_DESKTOP_OUT=str(out), LSM_SCREENSHOT=str(screenshot), **env_extra)
    proc = qt.run_desktop(root, HERE / "check_plugin.py", env=env)
    assert out.exists(), f"QGIS did not report back ({proc.returncode}):\n{proc.stderr[-3000:]}"
    result = json.loads(out.read_text())
    result["returncode"] = proc.returncode
    result["messages"] = log.read_text(encoding="utf-8") if log.exists() else ""
    return result


def assert_loaded_cleanly(result: dict, loaded_message: str = "Loaded Landslide LSM") -> None:
    assert result["errors"] == []
    assert "landslide_lsm_plugin" in result["active_plugins"]
    assert result["provider"] == "Landslide susceptibility"
    assert "landslide_lsm:classifylsi" in result["algorithms"]
    assert "Python error" not in result["messages"], result["messages"][-3000:]
    assert loaded_message in result["messages"]
    assert result["returncode"] == 0


def test_desktop_loads_the_plugin(tmp_path, artifacts):
    qt.make_profile(tmp_path)
    shot = artifacts / "desktop_plugin_loaded.png"
    result = start_desktop(tmp_path, shot)
    assert_loaded_cleanly(result)
    assert result["screenshot_saved"] and shot.stat().st_size > 10_000


def test_desktop_installs_the_zip_like_plugin_manager(tmp_path, artifacts):
    plugin_zip = qt.build_zip(tmp_path / "dist")
    qt.make_profile(tmp_path, with_plugin=False)
    result = start_desktop(tmp_path, artifacts / "desktop_installed_from_zip.png",
                           LSM_INSTALL_ZIP=str(plugin_zip))
    assert_loaded_cleanly(result, "Plugin installed successfully")
    installed = qt.profile_dir(tmp_path) / "python" / "plugins" / "landslide_lsm_plugin"
    assert (installed / "metadata.txt").exists()


def test_desktop_opens_the_dock_from_the_menu(tmp_path, artifacts):
    """The dock opens from the plugin's menu action in the real desktop, with results."""
    import json as _json

    results_file = tmp_path / "results.json"
    results_file.write_text(_json.dumps({
        "format": "landslide-lsm-evaluation", "format_version": 1, "models": [
            {"name": "SVM", "lsi": "", "metrics": {"auroc": 0.86, "accuracy": 0.8,
                                                  "precision": 0.8, "f1": 0.8,
                                                  "sensitivity": 0.8, "specificity": 0.8},
             "roc": {"fpr": [0, 0.1, 0.4, 1], "tpr": [0, 0.6, 0.9, 1]}}]}))
    qt.make_profile(tmp_path)
    shot = artifacts / "desktop_dock.png"
    result = start_desktop(tmp_path, shot, LSM_DESKTOP_EXTRA=str(HERE / "open_dock.py"),
                           LSM_RESULTS=str(results_file))
    assert_loaded_cleanly(result)
    assert result["menu_action_found"] and result["dock_visible"]
    assert result["dock_title"] == "Landslide susceptibility: compare models"
    assert result["dock_models"] == ["SVM"]
    assert result["screenshot_saved"] and shot.stat().st_size > 20_000
