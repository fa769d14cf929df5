#!/usr/bin/env bash
# Times the contrasts of a campaign with arms on stores of SAMPLES samples x ARMS arms x M outputs
# (default 20000 x 8 x 14, 19 parameters), written by arms_store_bench: `tmex compare` of one
# store per arm (reading, pairing by sample, each arm's analysis and every contrast), `tmex
# analyze` of the same runs as one store with arms (default intervals: the arms share the
# bootstrap budget of one campaign; and with --bootstrap 1000, which bootstraps every summary).
# Each case runs REPEAT times (default 3); the median wall time and the largest peak resident
# memory are printed.
#
# Usage: compare_stores.sh BUILD_DIR [SAMPLES ARMS M]
set -euo pipefail
BUILD=$(realpath "${1:-build}")
SAMPLES=${2:-20000}
ARMS=${3:-8}
M=${4:-14}
REPEAT=${REPEAT:-3}
WORK=${TMPDIR:-/tmp}/tmex-compare-bench-$SAMPLES-$ARMS-$M
TMEX=$BUILD/driver/tmex
[ -f "$WORK/arms.db" ] || "$BUILD/bench/arms_store_bench" "$WORK" "$SAMPLES" "$ARMS" 19 "$M"
echo "$SAMPLES samples x $ARMS arms x $M outputs; load average $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
stores=()
for a in $(seq "$ARMS"); do stores+=("$WORK/arm$a.db"); done

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# run LABEL COMMAND...: REPEAT runs, median wall time and largest peak RSS.
run() {
  local label=$1
  shift
  : >"$WORK/times.txt"
  for _ in $(seq "$REPEAT"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >"$WORK/out.txt"
    cat "$WORK/time.txt" >>"$WORK/times.txt"
  done
  printf '%-28s %7.2f s wall, %7d KiB peak RSS\n' "$label" \
    "$(cut -d' ' -f1 "$WORK/times.txt" | median)" "$(cut -d' ' -f2 "$WORK/times.txt" | sort -g | tail -1)"
}

run "tmex compare ($ARMS stores)" "$TMEX" compare "${stores[@]}"
run "tmex compare --outputs y1" "$TMEX" compare "${stores[@]}" --outputs y1
run "tmex analyze (arms store)" "$TMEX" analyze "$WORK/arms.db"
run "tmex analyze --method prcc" "$TMEX" analyze "$WORK/arms.db" --method prcc
run "tmex analyze --bootstrap 1000" "$TMEX" analyze "$WORK/arms.db" --bootstrap 1000
