#!/usr/bin/env bash
# The desktop's checks, run by `make test` after the core's: the UI's type check and build, the
# shell's own tests (which regenerate ui/src/lib/bindings.ts: the committed file must not change),
# then the end-to-end tests, which drive the real app window through tauri-driver under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/casenotes/target}"
export PATH="$HOME/.cargo/bin:$PATH"

# axe-core (a dev dependency, for the end-to-end accessibility audit) tells an older node_modules.
[ -f ui/node_modules/axe-core/axe.min.js ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)

echo "== ui: type check (svelte-check)"
(cd ui && npm run --silent check)
echo "== ui: build to ui/dist"
(cd ui && npm run --silent build >/dev/null)

echo "== desktop: unit tests and TypeScript bindings"
cargo test --locked -p casenotes-desktop --lib
if ! git ls-files --error-unmatch ui/src/lib/bindings.ts >/dev/null 2>&1 || ! git diff --quiet -- ui/src/lib/bindings.ts; then
  git --no-pager diff -- ui/src/lib/bindings.ts || true
  echo "ui/src/lib/bindings.ts is out of date with the Rust types: commit the regenerated file." >&2
  exit 1
fi

echo "== desktop: end-to-end tests (real window, Xvfb, tauri-driver, a real Secret Service)"
SHOTS="${CASENOTES_E2E_SHOTS:-$CARGO_TARGET_DIR/e2e-screenshots/$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$SHOTS"
echo "screenshots of each screen go to: $SHOTS"
# Build first, outside the timing-sensitive tests (debug build of casenotes-desktop with the UI above).
cargo test --locked -p casenotes-desktop --test e2e --no-run
export CASENOTES_E2E_SHOTS="$SHOTS" NO_AT_BRIDGE=1
# A private session bus with a fresh, unlocked gnome-keyring (its own data folder, so that an
# existing login keyring with another password cannot make it prompt): the keychain is real and
# nobody's own.
KEYRING_HOME="$(mktemp -d)"
trap 'rm -rf "$KEYRING_HOME"' EXIT
export KEYRING_HOME
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh -c '
  echo -n casenotes-e2e | XDG_DATA_HOME="$KEYRING_HOME" gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec cargo test --locked -p casenotes-desktop --test e2e -- --ignored --test-threads=1
'
echo "screenshots: $SHOTS"

echo "== desktop: the Debian package, installed with apt-get, started, and removed again"
bash scripts/test-package.sh
# Issue 12's memory proof, short: the debug app built above, unlocked, a canary note opened and
# found, locked; 3 s later the app's own writable memory (--live) is searched for the master key,
# the passphrase and the canary (its text, the client's name is printed): any copy fails the run.
# (The full proof, WebKit's processes too, is `scripts/memory-proof.sh` against the release
# build.) Reading another process's memory needs root.
if [ "$(id -u)" -eq 0 ]; then
  echo "== desktop: memory after lock, short (scripts/memory-proof.sh, debug app, its own process)"
  cargo build --locked -p casenotes --bin casenotes
  bash scripts/memory-proof.sh --app "$CARGO_TARGET_DIR/debug/casenotes-desktop" --wait 3 --app-only --live --where
else
  echo "== desktop: memory after lock SKIPPED: gcore needs root (run scripts/memory-proof.sh as root)"
fi
