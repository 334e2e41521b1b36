#!/usr/bin/env bash
# Fuzzes every parser of untrusted input (the targets in fuzz/) for SECONDS_PER_TARGET each
# (default 60), one after another on one core, and prints the executions of each target and in all.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# cargo-fuzz needs nightly-only compiler flags (-Zsanitizer=address and friends); RUSTC_BOOTSTRAP=1
# lets the machine's stable toolchain accept them, so no nightly toolchain is needed. Each target
# starts from its committed seeds (fuzz/corpus/<target>) and grows a working corpus outside the
# source tree, so a run never changes the committed corpus. A crash leaves its input in
# fuzz/artifacts/<target>/ and makes this script fail: fix the bug, add a regression test in the
# core, and commit the input to fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true

export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
# A target folder of its own: sanitizer flags would otherwise rebuild the project's usual builds.
cache="${CASENOTES_CACHE:-$HOME/.cache/casenotes}"
export CARGO_TARGET_DIR="${CASENOTES_FUZZ_TARGET_DIR:-$cache/fuzz-target}"
work="$cache/fuzz-corpus"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

echo "== building ${#targets[@]} fuzz targets"
cargo fuzz build

declare -A runs rate
total=0
failed=()
for target in "${targets[@]}"; do
  echo "== $target: ${seconds} s"
  mkdir -p "$work/$target" "fuzz/artifacts/$target"
  log="$work/$target.log"
  extra=()
  # The committed real backup is 140 KB; mutating inputs that size would run 50 times slower,
  # and a small whole backup (small-whole.cnbak) already reaches every check.
  [ "$target" = backup_container ] && extra=(-max_len=16384)
  # The seed made from a real bundle is 40 KB, mostly the schema; 8 KiB holds a whole small one.
  [ "$target" = sar_bundle ] && extra=(-max_len=8192)
  # One process on one core (no -jobs/-fork: the machine is shared). Any single allocation over
  # 64 MiB is a failure: no reader may allocate what its input's size does not justify.
  if cargo fuzz run "$target" "$work/$target" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=64 \
      -print_final_stats=1 "${extra[@]}" >"$log" 2>&1; then
    :
  else
    failed+=("$target")
    tail -n 40 "$log"
  fi
  n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  n="${n:-0}"
  runs[$target]=$n
  rate[$target]=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  total=$((total + n))
  echo "   $n executions"
done

echo
printf '%-20s %15s %12s\n' target executions "per second"
for target in "${targets[@]}"; do
  printf '%-20s %15s %12s\n' "$target" "${runs[$target]}" "${rate[$target]:-?}"
done
printf '%-20s %15s\n' total "$total"

if [ "${#failed[@]}" -gt 0 ]; then
  echo "Failed: ${failed[*]} (inputs in fuzz/artifacts/, logs in $work/)" >&2
  exit 1
fi
