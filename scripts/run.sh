#!/usr/bin/env bash
# `make run`: the desktop app when it exists, otherwise the CLI's status of the vault.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/casenotes/target}"
if [ -f scripts/run-desktop.sh ]; then
  exec bash scripts/run-desktop.sh "$@"
fi
cargo build --locked -p casenotes
bin="$CARGO_TARGET_DIR/debug/casenotes"
if "$bin" status --json >/dev/null 2>&1 </dev/null || [ $? -ne 4 ]; then
  exec "$bin" status
fi
echo "No vault yet: creating one."
exec "$bin" init
