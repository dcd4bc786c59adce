#!/usr/bin/env bash
# Debian packages the tests use (rapper for strict Turtle/N-Triples checks, Virtuoso as a second SPARQL store,
# Chromium for the browser test of `coopgraph serve`, driven by Playwright without a browser download). Installs what is missing when it can
# (root or sudo, apt-get present); otherwise says what to install, and the tests that need them skip.
set -euo pipefail
PACKAGES=(raptor2-utils virtuoso-opensource chromium)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "note: install ${missing[*]} for the full test suite (no apt-get here)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "note: run 'sudo apt-get install ${missing[*]}' for the full test suite" >&2
    exit 0
  fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
