"""Build, deploy and run the plugin in real QGIS: the zip, scratch profiles, qgis_process and
the desktop under xvfb-run. Used by `make package`, `make demo` and the tests.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "landslide_lsm_plugin"
PLUGIN_NAME = PACKAGE.name
#: Debian's /usr/bin/qgis_process wrapper passes --noversioncheck, which qgis_process rejects.
QGIS_PROCESS = shutil.which("qgis_process.bin") or "/usr/bin/qgis_process.bin"
QGIS_DESKTOP = shutil.which("qgis") or "/usr/bin/qgis"
_SKIP = {"__pycache__", ".pytest_cache", ".ruff_cache"}


def plugin_version() -> str:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "metadata.txt", encoding="utf-8")
    return cfg["general"]["version"]


def plugin_files() -> list[tuple[Path, str]]:
    """(source file, path inside the plugin folder) for every file the plugin ships.

    The package folder is the plugin folder; metadata.txt and resources/ are linked into it,
    so links are followed.
    """
    files = []
    for folder, dirs, names in os.walk(PACKAGE, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP)
        for name in sorted(names):
            if name.endswith((".pyc", ".pyo")):
                continue
            src = Path(folder) / name
            files.append((src, str(src.relative_to(PACKAGE))))
    return files


def build_zip(dest_dir: Path) -> Path:
    """The zip that Plugin Manager's "Install from ZIP" takes: one top folder, the plugin."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    out = dest_dir / f"{PLUGIN_NAME}-{plugin_version()}.zip"
    tmp = out.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for src, rel in plugin_files():
            zf.write(src, f"{PLUGIN_NAME}/{rel}")
    os.replace(tmp, out)
    return out


def deploy(plugins_dir: Path) -> Path:
    """Copy the plugin into a QGIS plugins folder (what the zip would install)."""
    target = plugins_dir / PLUGIN_NAME
    if target.exists():
        shutil.rmtree(target)
    for src, rel in plugin_files():
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
    return target


def profile_dir(profiles_root: Path) -> Path:
    return profiles_root / "profiles" / "default"


def make_profile(profiles_root: Path, with_plugin: bool = True, enabled: bool = True) -> Path:
    """A scratch QGIS profile tree (for --profiles-path and QGIS_CUSTOM_CONFIG_PATH), with the
    plugin deployed (and, unless ``enabled`` is False, enabled). Returns the profiles root."""
    prof = profile_dir(profiles_root)
    (prof / "python" / "plugins").mkdir(parents=True, exist_ok=True)
    ini = prof / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    plugin_state = [f"{PLUGIN_NAME}={'true' if enabled else 'false'}"] if with_plugin else []
    lines = ["[PythonPlugins]", *plugin_state, "",
             "[qgis]", "showTips=false", "checkVersion=false", "",
             "[migration]", "settings=true", "fileVersion=2", ""]
    ini.write_text("\n".join(lines), encoding="utf-8")
    if with_plugin:
        deploy(prof / "python" / "plugins")
    return profiles_root


def venv_site_packages() -> Optional[str]:
    """site-packages of the project venv (scikit-learn, jenkspy, skops live there)."""
    found = sorted((ROOT / ".venv" / "lib").glob("python3*/site-packages"))
    return str(found[0]) if found else None


def qgis_env(profiles_root: Optional[Path] = None, extra_pythonpath: Sequence[str] = (),
             use_venv: bool = True) -> dict:
    """Environment for a QGIS child process: scratch profile, offscreen, and the venv's
    libraries visible to QGIS's Python."""
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("QGIS_OPTIONS_PATH", None)  # set by pytest-qgis for its own profile
    if profiles_root is not None:
        env["QGIS_CUSTOM_CONFIG_PATH"] = str(profiles_root)
    paths = list(extra_pythonpath)
    site = venv_site_packages() if use_venv else None
    if site:
        paths.append(site)
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    else:
        env.pop("PYTHONPATH", None)
    return env


def qgis_process(profiles_root: Path, args: Sequence[str], timeout: float = 600,
                 env: Optional[dict] = None, check: bool = False) -> subprocess.CompletedProcess:
    """Run qgis_process.bin with the scratch profile."""
    env = env or qgis_env(profiles_root)
    proc = subprocess.run([QGIS_PROCESS, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise RuntimeError(f"qgis_process {' '.join(args)} failed ({proc.returncode}):\n"
                           f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def enable_in_qgis_process(profiles_root: Path, env: Optional[dict] = None) -> None:
    """`qgis_process.bin plugins enable` (an already enabled plugin is fine)."""
    proc = qgis_process(profiles_root, ["plugins", "enable", PLUGIN_NAME], env=env, timeout=180)
    if proc.returncode != 0 and "already enabled" not in proc.stdout + proc.stderr:
        raise RuntimeError(f"Enabling the plugin failed ({proc.returncode}):\n"
                           f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")


def headless_profile(profiles_root: Path, extra_env: Optional[dict] = None) -> dict:
    """A scratch profile with the plugin deployed and enabled through `qgis_process plugins
    enable`, as a user sets up headless runs; returns the environment for qgis_process."""
    make_profile(profiles_root, enabled=False)
    env = qgis_env(profiles_root)
    env.update(extra_env or {})
    enable_in_qgis_process(profiles_root, env=env)
    return env


def run_algorithm(profiles_root: Path, alg: str, params: dict, env: Optional[dict] = None,
                  timeout: float = 600) -> dict:
    """qgis_process --json run ALG -- KEY=VALUE...; returns the parsed JSON result.

    List values (multiple layers) are passed as repeated KEY=VALUE arguments.
    """
    env = env or qgis_env(profiles_root)
    args = []
    for key, value in params.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            text = ("true" if item else "false") if isinstance(item, bool) else item
            args.append(f"{key}={text}")
    proc = subprocess.run([QGIS_PROCESS, "--json", "run", alg, "--", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"qgis_process run {alg} failed ({proc.returncode}):\n"
                           f"{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    start = proc.stdout.find("{")
    return json.loads(proc.stdout[start:])


def run_desktop(profiles_root: Path, code_file: Path, timeout: float = 180,
                env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """Start the real QGIS desktop under xvfb-run with a scratch profile and a --code script."""
    env = dict(env or qgis_env(profiles_root))
    env.pop("QT_QPA_PLATFORM", None)  # a real X display (Xvfb), not offscreen
    env.pop("QGIS_CUSTOM_CONFIG_PATH", None)
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", QGIS_DESKTOP,
           "--profiles-path", str(profiles_root), "--nologo",
           "--code", str(code_file)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


if __name__ == "__main__":  # pragma: no cover - manual helper
    print(build_zip(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist"))


class ProgressTicks:
    """Separates qgis_process's progress bar from the log lines it runs into.

    qgis_process draws progress on stdout without a line break: "0", then 40 ticks, three
    dots and the percentage at every fourth ("0...10...20...30"), and " - done." after 100. A
    log line printed meanwhile starts right after the last tick ("..90619 validation samples",
    "30epoch 44/60"). Ticks come in that fixed order, so :meth:`split` takes exactly the ticks
    that are due off the start of a line and returns the rest: the log line."""

    def __init__(self) -> None:
        self.ticks = 0
        self.drawing = False

    @property
    def percent(self) -> int:
        return self.ticks * 100 // 40

    def due(self) -> str:
        """The next token of the bar ("0" when none is being drawn)."""
        if not self.drawing:
            return "0"
        nxt = self.ticks + 1
        return str(nxt // 4 * 10) if nxt % 4 == 0 else "."

    def partial(self, text: str) -> bool:
        """Whether ``text`` may be the start of the token due (a '1' before '10')."""
        return bool(text) and self.ticks < 40 and self.due().startswith(text) and \
            text != self.due()

    def split(self, line: str) -> str:
        """The log text of a line of qgis_process's stdout, its progress ticks counted."""
        at = 0
        if not self.drawing and line.startswith("0") and line[1:2] in (".", ""):
            self.drawing, self.ticks, at = True, 0, 1  # a new bar
        while self.drawing and self.ticks < 40:
            due = self.ticks + 1
            token = str(due // 4 * 10) if due % 4 == 0 else "."
            if not line.startswith(token, at):
                break
            at += len(token)
            self.ticks = due
        if self.drawing and self.ticks == 40:
            self.drawing = False  # finished: the next bar starts with "0" again
            if line.startswith(" - done.", at):
                at += len(" - done.")
        return line[at:]
