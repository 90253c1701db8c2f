#!/usr/bin/env bash
# Makes sure a Chromium-family browser is on this machine for the dashboard's browser tests
# (driven headless through Playwright, which uses the machine's browser and never downloads one);
# installs Debian's chromium package when none is found (as root, or with password-less sudo as on
# CI runners). Prints the browser's path. The suite's own search looks in the same places:
# CHAINCORE_CHROMIUM, chromium, chromium-browser, google-chrome or chrome on PATH, the usual install folders.
set -euo pipefail

find_browser() {
  local name path
  if [ -n "${CHAINCORE_CHROMIUM:-}" ]; then
    if [ -x "$CHAINCORE_CHROMIUM" ]; then echo "$CHAINCORE_CHROMIUM"; return 0; fi
    echo "chromium: CHAINCORE_CHROMIUM=$CHAINCORE_CHROMIUM is not an executable" >&2
    return 1
  fi
  for name in chromium chromium-browser google-chrome google-chrome-stable chrome; do
    if path=$(command -v "$name" 2>/dev/null); then echo "$path"; return 0; fi
  done
  for path in /usr/bin/chromium /snap/bin/chromium "/Applications/Chromium.app/Contents/MacOS/Chromium" \
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" \
      "/c/Program Files/Google/Chrome/Application/chrome.exe" "/c/Program Files (x86)/Google/Chrome/Application/chrome.exe"; do
    if [ -x "$path" ]; then echo "$path"; return 0; fi
  done
  return 1
}

if browser=$(find_browser); then
  echo "$browser"
  exit 0
fi
if [ -n "${CHAINCORE_CHROMIUM:-}" ]; then exit 1; fi

sudo=""
if [ "$(id -u 2>/dev/null || echo 1)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
fi
if { [ "$(id -u 2>/dev/null || echo 1)" -eq 0 ] || [ -n "$sudo" ]; } && command -v apt-get >/dev/null 2>&1; then
  echo "chromium: installing Debian's chromium package" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2
  if browser=$(find_browser); then
    echo "$browser"
    exit 0
  fi
fi

cat >&2 <<'MSG'
chromium: no Chromium-family browser found and it could not be installed. The dashboard's browser
tests need one: install it (Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install --cask
chromium; or Google Chrome) or name its executable in CHAINCORE_CHROMIUM.
MSG
exit 1
