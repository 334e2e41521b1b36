#!/usr/bin/env bash
# `make package`: the installable Debian package, made by Tauri's bundler. It holds the desktop app
# (/usr/bin/casenotes-desktop), the `casenotes` command line tool beside it (/usr/bin/casenotes),
# the icons from assets/icons and the desktop entry from assets/linux/casenotes.desktop; its
# settings are the "bundle" section of src-tauri/tauri.conf.json. Prints the .deb's path last.
#
#   scripts/package.sh           release build (`tauri build`), for practitioners
#   scripts/package.sh --debug   bundles the debug build that the end-to-end tests already
#                                compiled, building nothing that is up to date (scripts/test-package.sh)
#
# No AppImage: Tauri's AppImage bundler downloads its tools (linuxdeploy and its plugins, the
# AppImage runtime) from GitHub while it runs, and this machine and CI reach only the package
# registries (crates.io, npm, PyPI, Debian), so it cannot build here.
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE=release
case "${1:-}" in
  "") ;;
  --debug) PROFILE=debug ;;
  *) echo "usage: scripts/package.sh [--debug]" >&2; exit 2 ;;
esac

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/casenotes/target}"
export PATH="$HOME/.cargo/bin:$PATH"
CACHE="${CASENOTES_CACHE:-$HOME/.cache/casenotes}"

if [ "$PROFILE" = release ]; then
  bash scripts/install-deps.sh
fi

# Tauri's command line tool, from npm (its package carries the prebuilt program), kept in the
# cache rather than in the UI's packages. The same version as the `tauri` crate in Cargo.lock.
TAURI_CLI_VERSION=2.12.5
TAURI_CLI_DIR="$CACHE/tauri-cli-$TAURI_CLI_VERSION"
TAURI="$TAURI_CLI_DIR/node_modules/.bin/tauri"
if ! "$TAURI" --version 2>/dev/null | grep -qx "tauri-cli $TAURI_CLI_VERSION"; then
  echo "casenotes: installing Tauri's bundler (@tauri-apps/cli $TAURI_CLI_VERSION)"
  mkdir -p "$TAURI_CLI_DIR"
  npm install --prefix "$TAURI_CLI_DIR" --no-audit --no-fund --no-save --loglevel=error \
    "@tauri-apps/cli@$TAURI_CLI_VERSION" >/dev/null
fi

# The app embeds ui/dist when it is compiled.
[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)

if [ "$PROFILE" = release ]; then
  (cd ui && npm run --silent build >/dev/null)
  cargo build --release --locked -p casenotes --bin casenotes
else
  # The builds `make test` has just made (the core's tests build the CLI with every feature, the
  # end-to-end tests the app): when they are up to date these only check that, and bundling is
  # all that runs.
  [ -d ui/dist ] || (cd ui && npm run --silent build >/dev/null)
  cargo test --locked -p casenotes --all-features --no-run --quiet
  cargo test --locked -p casenotes-desktop --test e2e --no-run --quiet
fi

OUT="$CARGO_TARGET_DIR/$PROFILE"
CLI="$OUT/casenotes"
[ -x "$CLI" ] || { echo "casenotes: the command line tool was not built at $CLI" >&2; exit 1; }
# The CLI's path depends on the target folder, so it is added here rather than in tauri.conf.json.
EXTRA_CONFIG="$(printf '{"bundle":{"linux":{"deb":{"files":{"/usr/bin/casenotes":"%s"}}}}}' "$CLI")"

rm -f "$OUT"/bundle/deb/casenotes_*.deb
if [ "$PROFILE" = release ]; then
  # Builds the app in release with Tauri's production settings, then bundles it.
  (cd src-tauri && "$TAURI" build --ci --bundles deb --config "$EXTRA_CONFIG" -- --locked)
else
  # Bundling only; the binary is left exactly as the tests built it.
  (cd src-tauri && "$TAURI" bundle --ci --debug --bundles deb --no-binary-patching --config "$EXTRA_CONFIG")
fi

DEB="$(ls "$OUT"/bundle/deb/casenotes_*.deb)"
echo "$DEB"
