#!/usr/bin/env bash
# The Debian package, tested as a practitioner would meet it, on this machine: installs the .deb
# with apt-get, starts the installed app (the desktop entry's command, found on PATH) under Xvfb,
# sees the first-run screen through WebDriver (tauri-driver), runs the installed `casenotes
# --version`, then removes the package and checks its files are gone. Whatever happens, the
# package and anything apt installed for it are removed again on the way out, so the machine is
# left as it was found.
#
#   scripts/test-package.sh            bundles the debug build `make test` already made (run there)
#   scripts/test-package.sh FILE.deb   tests that package (for example the one `make package` made)
#
# Needs root (or sudo) for apt-get. The app starts with a throwaway home folder, so its vault
# goes to the default place inside it and nobody's own vault or settings are touched.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/casenotes/target}"
export PATH="$HOME/.cargo/bin:$PATH"

if [ "${1:-}" = --inside ]; then
  # Second half, run under Xvfb and a private session bus (see below): the installed app through
  # WebDriver. Plain HTTP to tauri-driver, so no test program has to be compiled for it.
  : "${APP:?}" "${SANDBOX:?}" "${SHOTS:?}"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  native="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  env -u CASENOTES_VAULT -u CASENOTES_CONFIG_DIR -u XDG_DATA_HOME -u XDG_CONFIG_HOME -u XDG_CACHE_HOME \
    HOME="$SANDBOX/home" NO_AT_BRIDGE=1 \
    tauri-driver --port "$port" --native-port "$native" >/dev/null 2>"$SANDBOX/tauri-driver.log" &
  driver=$!
  trap 'kill -TERM "$driver" 2>/dev/null; wait "$driver" 2>/dev/null || true' EXIT
  wd() { # METHOD PATH [JSON]: one WebDriver call; prints the "value" of the answer as JSON
    curl -sS --max-time 60 -X "$1" -H 'Content-Type: application/json' \
      ${3:+--data "$3"} "http://127.0.0.1:$port$2" |
      python3 -c 'import json,sys; a=json.load(sys.stdin); print(json.dumps(a.get("value")))'
  }
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/status" && break
    sleep 0.1
  done
  caps="{\"browserName\":\"wry\",\"tauri:options\":{\"application\":\"$APP\"}}"
  session="$(wd POST /session "{\"capabilities\":{\"alwaysMatch\":$caps}}" |
    python3 -c 'import json,sys; v=json.load(sys.stdin); print(v.get("sessionId",""))')"
  if [ -z "$session" ]; then
    echo "test-package: no WebDriver session with $APP" >&2
    cat "$SANDBOX/tauri-driver.log" >&2
    exit 1
  fi
  found=""
  deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do
    answer="$(wd POST "/session/$session/element" '{"using":"css selector","value":"[data-testid=\"first-run\"]"}')"
    found="$(python3 -c 'import json,sys; v=json.loads(sys.argv[1]); print(v.get("element-6066-11e4-a52e-4f735466cecf","") if isinstance(v,dict) else "")' "$answer")"
    [ -n "$found" ] && break
    sleep 0.25
  done
  text=""
  [ -z "$found" ] || text="$(wd GET "/session/$session/element/$found/text")"
  wd GET "/session/$session/screenshot" |
    python3 -c 'import base64,json,sys; open(sys.argv[1],"wb").write(base64.b64decode(json.load(sys.stdin)))' \
      "$SHOTS/installed-app-first-run.png" || true
  title="$(wd GET "/session/$session/title")"
  wd DELETE "/session/$session" >/dev/null || true
  if [ -z "$found" ]; then
    echo "test-package: the installed app did not show the first-run screen within 30 s (screenshot $SHOTS/installed-app-first-run.png); WebDriver's last answer: $answer" >&2
    exit 1
  fi
  echo "ok: the installed app shows the first-run screen (page title $title; screenshot $SHOTS/installed-app-first-run.png)"
  # With no CASENOTES_VAULT, the vault goes to the default place the README names.
  case "$text" in
    *"$SANDBOX/home/.local/share/casenotes/vault"*) echo "ok: it offers to make the vault in ~/.local/share/casenotes/vault" ;;
    *) echo "test-package: the first-run screen does not name the default vault folder: $text" >&2; exit 1 ;;
  esac
  exit 0
fi

fail() { echo "test-package: FAILED: $*" >&2; exit 1; }
if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

if dpkg-query -W -f='${Status}' casenotes 2>/dev/null | grep -q "install ok installed"; then
  fail "casenotes is already installed on this machine and this test would remove it; remove it first (sudo apt remove casenotes), then run the test again"
fi

started=$SECONDS
if [ -n "${1:-}" ]; then
  DEB="$(realpath "$1")"
else
  DEB="$(bash scripts/package.sh --debug | tail -n 1)"
fi
[ -f "$DEB" ] || fail "no package at $DEB"
bundled=$((SECONDS - started))
echo "== package: $DEB (made in ${bundled} s)"

SANDBOX="$(mktemp -d)"
SHOTS="${CASENOTES_E2E_SHOTS:-$CARGO_TARGET_DIR/e2e-screenshots/package-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$SANDBOX/home" "$SHOTS"
installed_before="$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" {print $2}' | sort)"
installed_here=()

cleanup() {
  status=$?
  set +e
  if dpkg-query -W -f='${Status}' casenotes 2>/dev/null | grep -q "install ok installed"; then
    "${SUDO[@]}" apt-get remove -y -qq casenotes >/dev/null
  fi
  # Anything apt-get brought in for the package goes too, and nothing else.
  now="$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" {print $2}' | sort)"
  mapfile -t extra < <(comm -13 <(echo "$installed_before") <(echo "$now"))
  if ((${#extra[@]})); then
    echo "test-package: removing what was installed with the package: ${extra[*]}"
    "${SUDO[@]}" apt-get remove -y -qq "${extra[@]}" >/dev/null
  fi
  rm -rf "$SANDBOX"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== apt-get install $DEB"
apt_out="$("${SUDO[@]}" apt-get install -y --no-install-recommends "$DEB" 2>&1)" || {
  echo "$apt_out" >&2
  fail "apt-get could not install the package"
}
dpkg-query -W -f='${Status}' casenotes | grep -q "install ok installed" || fail "casenotes is not installed after apt-get"
now="$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" {print $2}' | sort)"
mapfile -t installed_here < <(comm -13 <(echo "$installed_before") <(echo "$now"))
echo "apt-get installed: ${installed_here[*]}"

files="$(dpkg -L casenotes)"
for f in /usr/bin/casenotes-desktop /usr/bin/casenotes /usr/share/applications/casenotes.desktop \
  /usr/share/icons/hicolor/32x32/apps/casenotes-desktop.png \
  /usr/share/icons/hicolor/128x128/apps/casenotes-desktop.png \
  /usr/share/icons/hicolor/256x256/apps/casenotes-desktop.png; do
  grep -qx "$f" <<<"$files" || fail "the package does not install $f"
  [ -e "$f" ] || fail "$f is listed but not on disk"
done
[ -x /usr/bin/casenotes ] && [ -x /usr/bin/casenotes-desktop ] || fail "the programs are not executable"

entry=/usr/share/applications/casenotes.desktop
grep -qx "Name=casenotes" "$entry" || fail "the desktop entry is not named casenotes"
grep -q "^Categories=.*Office;" "$entry" || fail "the desktop entry is not in the Office menu"
grep -q "^Comment=." "$entry" || fail "the desktop entry has no comment"
# The entry starts the app with the setting it would otherwise run itself again to get
# (src-tauri/src/main.rs): `env Malloc=1 casenotes-desktop`.
read -r -a exec_words <<<"$(sed -n 's/^Exec=//p' "$entry")"
[ "${exec_words[0]:-}" = env ] || fail "the desktop entry's command does not begin with env"
exec_cmd="${exec_words[-1]}"
grep -qw "Malloc=1" <<<"${exec_words[*]}" || fail "the desktop entry does not set Malloc=1"
icon="$(sed -n 's/^Icon=//p' "$entry")"
[ -f "/usr/share/icons/hicolor/256x256/apps/$icon.png" ] || fail "the desktop entry's icon $icon is not installed"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$entry" || fail "desktop-file-validate"; fi
APP="$(command -v "$exec_cmd")" || fail "the desktop entry's command '$exec_cmd' is not on PATH"
[ "$APP" = /usr/bin/casenotes-desktop ] || fail "the desktop entry starts $APP, not the installed app"

version="$(/usr/bin/casenotes --version)" || fail "casenotes --version"
pkg_version="$(dpkg-query -W -f='${Version}' casenotes)"
grep -q "$pkg_version" <<<"$version" || fail "casenotes --version says '$version', the package is $pkg_version"
echo "ok: $version (from /usr/bin/casenotes)"

echo "== the installed app, under Xvfb"
KEYRING_HOME="$SANDBOX/keyring"
mkdir -p "$KEYRING_HOME"
export APP SANDBOX SHOTS KEYRING_HOME NO_AT_BRIDGE=1
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh -c '
  echo -n casenotes-package | XDG_DATA_HOME="$KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec bash scripts/test-package.sh --inside
'

echo "== apt-get remove casenotes"
"${SUDO[@]}" apt-get remove -y -qq casenotes >/dev/null || fail "apt-get remove casenotes"
if dpkg-query -W -f='${Status}' casenotes 2>/dev/null | grep -q "install ok installed"; then
  fail "casenotes is still installed after apt-get remove"
fi
while read -r f; do
  if [ -f "$f" ] || [ -L "$f" ]; then fail "$f is still there after removal"; fi
done <<<"$files"
echo "ok: removed; none of its $(wc -l <<<"$files") paths' files remain"
echo "package test passed in $((SECONDS - started)) s (bundling ${bundled} s)"
