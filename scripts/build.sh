#!/usr/bin/env bash
# `make build`: release builds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/casenotes/target}"
if [ -f scripts/build-desktop.sh ]; then
  exec bash scripts/build-desktop.sh
fi
cargo build --release --locked -p casenotes
