#!/usr/bin/env bash
# Set up everything Gradient Descent Explorer needs, on a fresh Debian machine or an
# existing one: the system libraries Qt needs (xcb, OpenGL/Mesa), Xvfb for the tests,
# a virtual environment in .venv with the project installed (editable) and its test
# extras. Safe to run again: it only installs what is missing.
# Used by run.sh and test.sh; not meant to be called by hand (but harmless if it is).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY=${PYTHON:-python3}
SYSTEM_PACKAGES=(
  # Qt's xcb platform plugin and what it loads
  libxkbcommon-x11-0 libxkbcommon0 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
  libxcb-xfixes0 libxcb-xkb1 libdbus-1-3 libfontconfig1 libglib2.0-0 libegl1
  # OpenGL in software (Mesa) for the 3-D view, and a virtual screen for the tests
  libgl1 libglx-mesa0 libgl1-mesa-dri xvfb xauth
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ! "$PY" -c "import ensurepip, venv" >/dev/null 2>&1; then
    missing+=("python3-venv")
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: these system packages are missing: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install ${missing[*]}" >&2
  fi
fi

# A .venv left half-made (python3-venv was missing when it was first tried) has no pip:
# make it again.
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  echo "setup: creating the virtual environment .venv" >&2
  rm -rf .venv
  "$PY" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last install.
stamp=.venv/.gd-explorer-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages into .venv (first run takes a minute)" >&2
  log=.venv/pip-install.log
  if .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip > "$log" 2>&1 &&
     .venv/bin/python -m pip install --disable-pip-version-check -e ".[test]" >> "$log" 2>&1; then
    echo "$want" > "$stamp"
  else
    tail -n 30 "$log" >&2
    echo "setup: pip could not install the packages (full log: $log)" >&2
    exit 1
  fi
fi
