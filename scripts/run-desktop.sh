#!/usr/bin/env bash
# `make run`: builds the UI and starts the desktop app (debug build) on the default vault, or on
# the folder in CASENOTES_VAULT. The CLI opens the same vault.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/casenotes/target}"
[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
(cd ui && npm run --silent build >/dev/null)
cargo build --locked -p casenotes-desktop
exec "$CARGO_TARGET_DIR/debug/casenotes-desktop" "$@"
