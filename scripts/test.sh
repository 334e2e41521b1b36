#!/usr/bin/env bash
# `make test`: formatting, lints, every core test, then the desktop's checks and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/casenotes/target}"
# The audit log's anchors go to a throwaway config folder, not this user's own.
export CASENOTES_CONFIG_DIR="${CASENOTES_CONFIG_DIR:-$(mktemp -d)}"
export CASENOTES_TEST_PYTHON="${CASENOTES_TEST_PYTHON:-${CASENOTES_CACHE:-$HOME/.cache/casenotes}/venv/bin/python}"

if [ -f ui/package.json ]; then
  # The desktop crate embeds ui/dist at compile time, so the UI is built before any cargo step.
  echo "== UI build"
  (cd ui && npm run --silent build)
fi
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== core tests"
cargo test --locked -p casenotes --all-features
if [ -f scripts/test-desktop.sh ]; then
  bash scripts/test-desktop.sh
fi
