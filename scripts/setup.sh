#!/usr/bin/env bash
# Install what the lesson needs, idempotently: Debian packages only where missing,
# then a .venv with the project installed editable (with its test extras and the piper voice).
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  build-essential python3-dev python3-venv pkg-config
  libcairo2-dev libpango1.0-dev
  texlive-latex-base texlive-latex-recommended texlive-latex-extra dvisvgm
  ffmpeg
  poppler-utils  # pdftotext, pdfinfo: the handout's tests read the PDF back
  chromium chromium-driver  # the presenter's tests open it in headless Chromium
  espeak-ng  # a voice for every language (piper, from the voice extra, speaks English more naturally)
)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
STAMP=.venv/.installed
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the project's metadata changed since the last install.
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test,voice]"
  touch "$STAMP"
fi
