#!/usr/bin/env bash
# Installs what building, running and testing casenotes needs, when it is missing.
# Debian 12 / Ubuntu: apt packages as root (or through sudo), Rust components, tauri-driver,
# the UI's npm packages, and a Python virtualenv holding an independent SQLCipher 4 client.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${CASENOTES_CACHE:-$HOME/.cache/casenotes}"
mkdir -p "$CACHE"

APT_PACKAGES=(
  # building the core and the desktop shell
  build-essential pkg-config curl wget file libssl-dev libwebkit2gtk-4.1-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev
  # tests: a virtual display, WebDriver for WebKitGTK, a real Secret Service, the Go age tool,
  # Python for the independent SQLCipher client, and screenshots
  xvfb webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools age python3-venv imagemagick
  # the memory proof's core images (gcore)
  gdb
  # the desktop e2e tests type into the real GTK open/save dialogs, which WebDriver cannot reach,
  # and run a window manager for the one test that minimises the window
  xdotool openbox
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "casenotes: installing system packages: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo); else
    echo "casenotes: these system packages are missing and I am not root and have no sudo:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "casenotes: Rust is not installed. Install it with rustup (https://rustup.rs) and run this again." >&2
  exit 1
fi
for c in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
done

# An independent SQLCipher 4 implementation for the interoperability tests, and an independent
# iCalendar parser for the calendar export's tests; JSON Schema validator for subject-access
# bundles' data.json.
if [ ! -x "$CACHE/venv/bin/python" ] || ! "$CACHE/venv/bin/python" -c "import sqlcipher3, icalendar, jsonschema" 2>/dev/null; then
  echo "casenotes: installing the independent SQLCipher client, iCalendar parser and JSON Schema validator for tests"
  python3 -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install -q --disable-pip-version-check "sqlcipher3-binary==0.6.0" "icalendar==7.3.0" "jsonschema==4.26.0"
fi

# WebDriver bridge for the desktop end-to-end tests.
if [ -d src-tauri ] && ! command -v tauri-driver >/dev/null; then
  echo "casenotes: installing tauri-driver"
  cargo install tauri-driver --version "^2" --locked --quiet
fi

# The UI's packages, exactly as locked.
if [ -f ui/package.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    echo "casenotes: installing the UI's npm packages"
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# The desktop end-to-end tests read the app's native window title with xwininfo (x11-utils).
if [ -d src-tauri ] && ! command -v xwininfo >/dev/null; then
  echo "casenotes: installing x11-utils for the desktop end-to-end tests"
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends x11-utils >/dev/null
fi
