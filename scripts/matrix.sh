#!/usr/bin/env bash
# The QGIS version matrix: the plugin's tests on newer QGIS than the host's 3.22, each in a
# Debian root filesystem built with debootstrap from Debian's own packages.
#
#   scripts/matrix.sh build SUITE           build (or update) the root filesystem of SUITE
#   scripts/matrix.sh run SUITE [MODE]      build if needed, then test; MODE smoke (default) or full
#   scripts/matrix.sh run SUITE -- ARGS...  build if needed, then pytest ARGS (e.g. one test file)
#   scripts/matrix.sh shell SUITE [CMD...]  a shell (or CMD) in the root filesystem, mounts in
#                                           place, the checkout at /work/repo (read-only)
#   scripts/matrix.sh update SUITE          upgrade its Debian packages (sid moves daily)
#   scripts/matrix.sh unmount SUITE         undo mounts a killed run left behind
#   scripts/matrix.sh clean SUITE           delete the root filesystem of SUITE
#
# SUITE: trixie (Debian 13, QGIS 3.40 LTR) or sid (Debian unstable, QGIS 3.44).
# smoke: SMOKE_TESTS below (provider, processing.run, qgis_process, desktop: plugin loads, dock
# opens, screenshots). full: the unit layer and the whole QGIS layer, as `make test` runs them.
# Before the tests, the plugin zip (scripts/package.py's) is installed into a scratch profile
# as a user would (unzipped into python/plugins, enabled with qgis_process) and must list its
# algorithms. Results, logs and screenshots: test-artifacts/matrix-SUITE/.
#
# Environment: LSM_MATRIX_CACHE (root filesystems; default /var/cache/landslide-lsm-matrix,
# about 3.5 GB each), LSM_MATRIX_MIRROR (default http://deb.debian.org/debian).
# Needs root (or sudo): debootstrap, mount and chroot.
set -euo pipefail

#: the smoke layer: the one place that names it
SMOKE_TESTS=(tests/qgis/test_provider.py tests/qgis/test_cli_and_packaging.py
             tests/qgis/test_desktop.py)
#: the Debian packages: scripts/setup.sh's list (one list for the host and the matrix), then
#: ca-certificates for pip, and Open Sans (QGIS 3.28+ otherwise tries to download it at start
#: and shows "font installation failed")
eval "$(sed -n '/^APT_PACKAGES=(/,/)/p' "$(dirname "$0")/setup.sh")"
APT_PACKAGES+=(ca-certificates fonts-open-sans)
SUITES=(trixie sid)
#: pins of requirements.txt replaced inside the root filesystems, by Python version: PyPI has
#: no tensorflow-cpu 2.21 for Python 3.14 (sid); 2.22.0rc0 is the first release with a wheel
declare -A PIN_OVERRIDES=([3.14]="tensorflow-cpu==2.22.0rc0")
#: more Debian packages, by suite: PyPI has no Python 3.14 wheel of ckwrap, so pip compiles it
declare -A EXTRA_PACKAGES=([sid]="g++ python3-dev")
VENV_IN=/opt/lsm-venv    # the venv inside the root filesystem
RUN_IN=/work/run         # the copy of the checkout that the tests run in (inside)
REPO_IN=/work/repo       # the checkout, bound read-only (inside)
SHARED_IN=/work/shared   # ../shared beside the checkout, bound read-only when present (inside)

usage() { sed -n '4,23p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

# ---------------------------------------------------------------- inside the root filesystem
if [ "${1:-}" = "_inside" ]; then
  mode=$2
  shift 2
  cd "$RUN_IN/repo"
  export PYTHONDONTWRITEBYTECODE=1 QT_QPA_PLATFORM=offscreen
  PY=.venv/bin/python
  out=$RUN_IN/out
  mkdir -p "$out"
  $PY - <<'PY' | tee "$out/versions.txt"
import platform, numpy, sklearn, matplotlib
from osgeo import gdal
from qgis.core import Qgis
print(f"QGIS {Qgis.QGIS_VERSION}, Python {platform.python_version()}, GDAL {gdal.__version__}, "
      f"numpy {numpy.__version__}, scikit-learn {sklearn.__version__}, "
      f"matplotlib {matplotlib.__version__}")
PY
  if /usr/bin/qgis_process --version >/dev/null 2>&1; then
    echo "matrix: /usr/bin/qgis_process works here" | tee -a "$out/versions.txt"
  else
    echo "matrix: /usr/bin/qgis_process fails here (the tests call qgis_process.bin)" \
      | tee -a "$out/versions.txt"
  fi

  # The plugin zip, installed as a user would: unzipped into a profile's python/plugins and
  # enabled with qgis_process; its provider must list the algorithms.
  set +e  # from here on, failures are counted and reported, not fatal
  zip=$($PY scripts/qgis_tools.py "$RUN_IN/dist")
  profile=$RUN_IN/profile
  plugins=$profile/profiles/default/python/plugins
  mkdir -p "$plugins"
  unzip -q -o "$zip" -d "$plugins"
  site=$(ls -d "$VENV_IN"/lib/python3*/site-packages | head -1)
  export QGIS_CUSTOM_CONFIG_PATH=$profile
  PYTHONPATH=$site qgis_process.bin plugins enable landslide_lsm_plugin > "$out/zip-install.log" 2>&1
  PYTHONPATH=$site qgis_process.bin list >> "$out/zip-install.log" 2>&1
  unset QGIS_CUSTOM_CONFIG_PATH
  if grep -q "landslide_lsm:classifylsi" "$out/zip-install.log"; then
    echo "matrix: $(basename "$zip") installed; qgis_process lists its algorithms"
    zip_ok=0
  else
    echo "matrix: the installed zip's algorithms are missing from qgis_process list:"
    tail -40 "$out/zip-install.log"
    zip_ok=1
  fi

  qgis_tests=(-m pytest -p no:cacheprovider -rfEs)
  if [ "$mode" = smoke ] || [ "$mode" = -- ]; then
    [ "$mode" = smoke ] && set -- "${SMOKE_TESTS[@]}"
    echo "matrix: pytest $*"
    $PY "${qgis_tests[@]}" --junitxml="$out/junit-qgis.xml" "$@" 2>&1 | tee "$out/pytest-qgis.log"
    qgis_rc=${PIPESTATUS[0]}
    unit_rc=0
  else
    # As `make test`: the unit layer beside the QGIS layer; its log follows.
    echo "matrix: full: tests/unit (beside the QGIS layer) and tests/qgis"
    ( $PY -m pytest -p no:pytest_qgis -p no:cacheprovider -rfEs --junitxml="$out/junit-unit.xml" \
        tests/unit > "$out/pytest-unit.log" 2>&1 ) & unit_pid=$!
    $PY "${qgis_tests[@]}" --junitxml="$out/junit-qgis.xml" tests/qgis \
      2>&1 | tee "$out/pytest-qgis.log"
    qgis_rc=${PIPESTATUS[0]}
    unit_rc=0; wait $unit_pid || unit_rc=$?
    echo; echo "---- unit layer (exit status $unit_rc) ----"; cat "$out/pytest-unit.log"
  fi
  echo "matrix: zip install $zip_ok, QGIS layer $qgis_rc, unit layer $unit_rc"
  [ "$zip_ok" -eq 0 ] && [ "$qgis_rc" -eq 0 ] && [ "$unit_rc" -eq 0 ]
  exit
fi

# ---------------------------------------------------------------- on the host
cmd=${1:-}; suite=${2:-}
[ -n "$cmd" ] && [ -n "$suite" ] || usage
case " ${SUITES[*]} " in *" $suite "*) ;; *) echo "matrix: unknown suite '$suite' (${SUITES[*]})" >&2; exit 2;; esac

if [ "$(id -u)" -ne 0 ]; then
  exec sudo --preserve-env=LSM_MATRIX_CACHE,LSM_MATRIX_MIRROR "$0" "$@"
fi

REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$(cd "$REPO/.." && pwd)/shared
CACHE=${LSM_MATRIX_CACHE:-/var/cache/landslide-lsm-matrix}
MIRROR=${LSM_MATRIX_MIRROR:-http://deb.debian.org/debian}
ROOTFS=$CACHE/$suite
ARTIFACTS=$REPO/test-artifacts/matrix-$suite

log() { echo "matrix[$suite]: $*"; }
now() { date +%s; }

# Mounts: recorded as made, undone in reverse order on any exit.
MOUNTS=()
unmount_all() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" || true
  done
  MOUNTS=()
}
trap unmount_all EXIT
trap 'exit 130' INT TERM

mounted_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/mounts; }

bind() {  # bind SRC DEST [ro]
  mkdir -p "$2"
  mount --bind "$1" "$2"
  MOUNTS+=("$2")
  if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$2"; fi
}

mount_all() {
  if [ -n "$(mounted_under "$ROOTFS")" ]; then
    echo "matrix: something is still mounted under $ROOTFS (another run of $suite, or one" \
      "that was killed: then scripts/matrix.sh unmount $suite):" >&2
    mounted_under "$ROOTFS" >&2
    exit 1
  fi
  mount -t proc proc "$ROOTFS/proc"; MOUNTS+=("$ROOTFS/proc")
  bind /sys "$ROOTFS/sys" ro  # also where tests find a folder that even root cannot write
  bind /dev "$ROOTFS/dev"
  bind /dev/pts "$ROOTFS/dev/pts"
  bind /dev/shm "$ROOTFS/dev/shm"
  bind /tmp "$ROOTFS/tmp"   # Xvfb's sockets and locks: xvfb-run -a must see the host's displays
  bind "$REPO" "$ROOTFS$REPO_IN" ro
  if [ -d "$SHARED" ]; then bind "$SHARED" "$ROOTFS$SHARED_IN" ro; fi
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf" 2>/dev/null || true
}

trust_host_certificates() {  # a TLS-inspecting proxy's CA, as the host trusts it
  local crt=() f
  for f in /usr/local/share/ca-certificates/*.crt; do [ -f "$f" ] && crt+=("$f"); done
  [ ${#crt[@]} -gt 0 ] || return 0
  mkdir -p "$ROOTFS/usr/local/share/ca-certificates"
  cp "${crt[@]}" "$ROOTFS/usr/local/share/ca-certificates/"
  in_root update-ca-certificates >/dev/null 2>&1
}

in_root() {  # in_root CMD...: a clean environment inside the root filesystem (the host's
  # proxy settings kept)
  local keep=() v
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY PIP_INDEX_URL; do
    if [ -n "${!v:-}" ]; then keep+=("$v=${!v}"); fi
  done
  chroot "$ROOTFS" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt ${keep[@]+"${keep[@]}"} "$@"
}

ensure_debootstrap() {  # and Debian's archive keys (on Ubuntu hosts, say)
  command -v debootstrap >/dev/null && [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] \
    && return
  log "installing debootstrap and debian-archive-keyring on the host"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap \
    debian-archive-keyring
}

build() {
  local t0 want
  t0=$(now)
  mkdir -p "$CACHE"
  if [ ! -f "$ROOTFS/.lsm-debootstrap" ]; then
    ensure_debootstrap
    if [ -n "$(mounted_under "$ROOTFS")" ]; then
      echo "matrix: refusing to rebuild $ROOTFS: something is mounted under it" >&2; exit 1
    fi
    rm -rf --one-file-system "$ROOTFS" "$ROOTFS.partial"
    log "debootstrap --variant=minbase $suite from $MIRROR into $ROOTFS"
    debootstrap --variant=minbase --include=ca-certificates "$suite" "$ROOTFS.partial" "$MIRROR"
    mv "$ROOTFS.partial" "$ROOTFS"
    printf '#!/bin/sh\nexit 101\n' > "$ROOTFS/usr/sbin/policy-rc.d"  # start no services
    chmod +x "$ROOTFS/usr/sbin/policy-rc.d"
    touch "$ROOTFS/.lsm-debootstrap"
  fi
  mount_all

  # A mirror may serve sid's Release after its Valid-Until date (seen here): accept it.
  echo 'Acquire::Check-Valid-Until "false";' > "$ROOTFS/etc/apt/apt.conf.d/99lsm-matrix"
  local packages=("${APT_PACKAGES[@]}" ${EXTRA_PACKAGES[$suite]:-})
  want=$(printf '%s\n' "${packages[@]}" | sha1sum | cut -d' ' -f1)
  if [ "$(cat "$ROOTFS/.lsm-apt" 2>/dev/null)" != "$want" ]; then
    log "apt-get install ${packages[*]}"
    in_root apt-get update -q
    in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${packages[@]}"
    in_root apt-get clean
    echo "$want" > "$ROOTFS/.lsm-apt"
  fi

  trust_host_certificates
  # The venv: requirements.txt and requirements-dev.txt of the checkout, except numpy, which
  # must be the one Debian's GDAL (python3-gdal) was built against: the system's, kept by a
  # constraints file (the host's numpy < 2 pin is for QGIS 3.22's Debian only); and the pins
  # that PIN_OVERRIDES replaces for this Python.
  local numpy pyver req pin
  numpy=$(in_root /usr/bin/python3 -c 'import numpy; print(numpy.__version__)')
  pyver=$(in_root /usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  req=$ROOTFS/opt/lsm-requirements
  mkdir -p "$req"
  grep -hv '^numpy\b' "$REPO/requirements.txt" > "$req/requirements.txt"
  for pin in ${PIN_OVERRIDES[$pyver]:-}; do
    log "Python $pyver: $pin instead of $(grep "^${pin%%==*}==" "$req/requirements.txt" || echo '(none)')"
    sed -i "s/^${pin%%==*}==.*/$pin/" "$req/requirements.txt"
  done
  cp "$REPO/requirements-dev.txt" "$req/requirements-dev.txt"
  echo "numpy==$numpy" > "$req/constraints.txt"
  want=$(cat "$req"/*.txt | sha1sum | cut -d' ' -f1)
  if [ "$(cat "$ROOTFS/.lsm-venv" 2>/dev/null)" != "$want" ]; then
    log "venv $VENV_IN (system site packages; numpy $numpy from Debian)"
    [ -x "$ROOTFS$VENV_IN/bin/python" ] || in_root /usr/bin/python3 -m venv --system-site-packages "$VENV_IN"
    in_root "$VENV_IN/bin/python" -m pip install -q --disable-pip-version-check --no-cache-dir \
      -c /opt/lsm-requirements/constraints.txt -r /opt/lsm-requirements/requirements.txt \
      -r /opt/lsm-requirements/requirements-dev.txt
    echo "$want" > "$ROOTFS/.lsm-venv"
  fi
  in_root "$VENV_IN/bin/python" - <<'PY'
import numpy, sklearn, jenkspy, ckwrap, skops  # noqa: F401
from osgeo import gdal
from qgis.core import Qgis
print(f"matrix: ok (QGIS {Qgis.QGIS_VERSION}, GDAL {gdal.__version__}, numpy {numpy.__version__}, "
      f"scikit-learn {sklearn.__version__})")
PY
  unmount_all
  log "build done in $(( $(now) - t0 )) s"
}

copy_checkout() {  # the tracked and untracked (not ignored) files, fresh for each run
  local dest=$ROOTFS$RUN_IN
  if [ -n "$(mounted_under "$dest")" ]; then echo "matrix: $dest has mounts" >&2; exit 1; fi
  rm -rf --one-file-system "$dest"
  mkdir -p "$dest/repo" "$dest/tmp"
  (cd "$REPO" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
      [ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"; done \
    | tar -c --null -T - -f -) | tar -x -f - -C "$dest/repo"
  ln -s "$VENV_IN" "$dest/repo/.venv"
  ln -s "$SHARED_IN" "$dest/shared"
}

run_tests() {
  local mode=${1:-smoke} t0 rc=0
  case $mode in smoke|full|--) ;; *) echo "matrix: the mode is smoke, full or -- ARGS" >&2; exit 2;; esac
  shift || true
  build
  t0=$(now)
  copy_checkout
  mount_all
  log "$mode run"
  in_root env TMPDIR="$RUN_IN/tmp" bash "$RUN_IN/repo/scripts/matrix.sh" _inside "$mode" "$@" \
    || rc=$?
  unmount_all
  rm -rf "$ARTIFACTS"
  mkdir -p "$ARTIFACTS"
  cp -r "$ROOTFS$RUN_IN/out/." "$ARTIFACTS/" 2>/dev/null || true
  if [ -d "$ROOTFS$RUN_IN/repo/test-artifacts" ]; then
    cp -r "$ROOTFS$RUN_IN/repo/test-artifacts/." "$ARTIFACTS/"
  fi
  echo "$mode run: exit status $rc, $(( $(now) - t0 )) s" >> "$ARTIFACTS/versions.txt"
  if [ -n "${SUDO_UID:-}" ]; then chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$ARTIFACTS"; fi
  log "$mode run: exit status $rc in $(( $(now) - t0 )) s; results in ${ARTIFACTS#"$REPO"/}"
  return $rc
}

case $cmd in
  build) build ;;
  run) shift 2; run_tests "$@" ;;
  shell)
    build; mount_all; shift 2
    if [ $# -gt 0 ]; then in_root "$@"; else in_root bash -l || true; fi ;;
  update)
    build; mount_all
    in_root apt-get update -q
    in_root env DEBIAN_FRONTEND=noninteractive apt-get full-upgrade -y -q --no-install-recommends
    in_root apt-get clean ;;
  unmount)
    mounted_under "$ROOTFS" | sort -r | while IFS= read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m"; echo "unmounted $m"; done ;;
  clean)
    if [ -n "$(mounted_under "$ROOTFS")" ]; then echo "matrix: $ROOTFS has mounts" >&2; exit 1; fi
    rm -rf --one-file-system "$ROOTFS" "$ROOTFS.partial" ;;
  *) usage ;;
esac
