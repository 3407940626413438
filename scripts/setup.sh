#!/usr/bin/env bash
# One-time (and idempotent) set-up: Debian packages for QGIS 3.22 and a venv for tools and
# the Python libraries the plugin needs. Safe to run again; it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(qgis python3-qgis qgis-providers gdal-bin python3-gdal python3-venv python3-pip
              python3-matplotlib python3-scipy xvfb xauth xfonts-base zip unzip chromium)
VENV=.venv

if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages present"
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV from /usr/bin/python3 (with system site packages, for qgis and gdal)"
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
fi

stamp="$VENV/.requirements.sha1"
want=$(cat requirements.txt requirements-dev.txt | sha1sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python requirements into $VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
  echo "$want" > "$stamp"
else
  echo "setup: Python requirements up to date"
fi

"$VENV/bin/python" - <<'PY'
import numpy, sklearn, jenkspy, ckwrap, skops  # noqa: F401
from osgeo import gdal
from qgis.core import Qgis
assert numpy.__version__.startswith("1."), "numpy must stay < 2 for Debian's GDAL bindings"
print(f"setup: ok (QGIS {Qgis.QGIS_VERSION}, GDAL {gdal.__version__}, numpy {numpy.__version__}, scikit-learn {sklearn.__version__})")
PY
