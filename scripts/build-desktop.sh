#!/usr/bin/env bash
# `make build`: the UI, then the release app (binary `casenotes-desktop`) and the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/casenotes/target}"
[ -d ui/node_modules ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
(cd ui && npm run --silent build)
cargo build --release --locked -p casenotes -p casenotes-desktop
echo "built: $CARGO_TARGET_DIR/release/casenotes-desktop"
echo "built: $CARGO_TARGET_DIR/release/casenotes"
