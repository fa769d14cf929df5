#!/usr/bin/env bash
# Times `tmex analyze` on a synthetic store of RUNS runs x K parameters x M outputs (default
# 1e6 x 20 x 10), written by analyze_store_bench: the default analysis, PRCC of all outputs,
# PRCC of one output, and the default as JSON. Each case runs REPEAT times (default 3); the
# median wall time and the largest peak resident memory are printed.
#
# Usage: analyze_store.sh BUILD_DIR [RUNS K M]
#   BASELINE=/path/to/other/tmex  also runs every case with that tmex, alternating with this
#                                 one (so both see the same machine load), and prints the ratio
#   STORE=/path/to/store.db       analyses that store instead of the synthetic one (a baseline
#                                 that reads only older stores needs a store it can read)
set -euo pipefail
BUILD=$(realpath "${1:-build}")
RUNS=${2:-1000000}
K=${3:-20}
M=${4:-10}
REPEAT=${REPEAT:-3}
WORK=${TMPDIR:-/tmp}/tmex-analyze-bench
mkdir -p "$WORK"
if [ -z "${STORE:-}" ]; then
  STORE=$WORK/store-$RUNS-$K-$M.db
  [ -f "$STORE" ] || "$BUILD/bench/analyze_store_bench" "$STORE" "$RUNS" "$K" "$M"
fi
TMEX=$BUILD/driver/tmex
echo "store $STORE; load average $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

# measure TMEX LABEL ARGS...: "seconds kib" of one analysis.
measure() {
  local tmex=$1 label=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$tmex" analyze "$STORE" "$@" >"$WORK/$label.out"
  cat "$WORK/time.txt"
}

# median of the numbers on standard input
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# run LABEL ARGS...: REPEAT alternating runs of this tmex (and the baseline), summarised.
run() {
  local label=$1
  shift
  : >"$WORK/now.txt"
  : >"$WORK/base.txt"
  for _ in $(seq "$REPEAT"); do
    measure "$TMEX" "$label" "$@" >>"$WORK/now.txt"
    if [ -n "${BASELINE:-}" ]; then measure "$BASELINE" "$label-baseline" "$@" >>"$WORK/base.txt"; fi
  done
  local s kib
  s=$(cut -d' ' -f1 "$WORK/now.txt" | median)
  kib=$(cut -d' ' -f2 "$WORK/now.txt" | sort -g | tail -1)
  if [ -z "${BASELINE:-}" ]; then
    printf '%-10s %6.2f s wall, %7d KiB peak RSS\n' "$label" "$s" "$kib"
    return
  fi
  local bs bkib
  bs=$(cut -d' ' -f1 "$WORK/base.txt" | median)
  bkib=$(cut -d' ' -f2 "$WORK/base.txt" | sort -g | tail -1)
  printf '%-10s %6.2f s wall, %7d KiB | baseline %6.2f s, %7d KiB | time ratio %.2f, memory ratio %.2f\n' \
    "$label" "$s" "$kib" "$bs" "$bkib" "$(echo "$s / $bs" | bc -l)" "$(echo "$kib / $bkib" | bc -l)"
}
run auto
run prcc --method prcc
run one --method prcc --outputs y1
run auto-json --format json
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); reports in $WORK"
