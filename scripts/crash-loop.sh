#!/usr/bin/env bash
# The crash loop of issue 12, at length: `scripts/crash-loop.sh 1000` kills a writer (notes,
# signing, addenda, attachments, settings, passphrase changes, and the audit appends of each)
# with SIGKILL N times and checks after each kill that every acknowledged write is there, the
# database passes its integrity check, the audit log verifies and the vault unlocks.
# `make test` runs 12 rounds of the same test.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/casenotes/target}"
export CASENOTES_CONFIG_DIR="${CASENOTES_CONFIG_DIR:-$(mktemp -d)}"
export CASENOTES_CRASH_LOOP_ROUNDS="${1:-100}"
exec cargo test --locked -p casenotes --test crash_loop -- --nocapture crash_loop_loses_no_acknowledged_write
