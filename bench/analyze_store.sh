#!/usr/bin/env bash
# Times `tmex analyze` on a synthetic store of RUNS runs x K parameters x M outputs (default
# 1e6 x 20 x 10), written by analyze_store_bench. Usage: analyze_store.sh BUILD_DIR [RUNS K M].
set -euo pipefail
BUILD=$(realpath "${1:-build}")
RUNS=${2:-1000000}
K=${3:-20}
M=${4:-10}
WORK=${TMPDIR:-/tmp}/tmex-analyze-bench
STORE=$WORK/store-$RUNS-$K-$M.db
mkdir -p "$WORK"
[ -f "$STORE" ] || "$BUILD/bench/analyze_store_bench" "$STORE" "$RUNS" "$K" "$M"

# run LABEL ARGS...: elapsed wall time and peak resident memory of one analysis.
run() {
  local label=$1
  shift
  /usr/bin/time -f "$label: %e s wall, %M KiB peak RSS" "$BUILD/driver/tmex" analyze "$STORE" \
    "$@" >"$WORK/$label.out"
}
run prcc --method prcc
run auto
run auto-json --format json
echo "reports in $WORK"
