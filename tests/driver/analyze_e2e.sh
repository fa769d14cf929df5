#!/usr/bin/env bash
# End-to-end tests of `tmex analyze` on campaigns run by `tmex run` (one process): formats,
# refusals and their exit statuses, events, plots. Usage: analyze_e2e.sh TMEX
set -euo pipefail
# contains (tests/store_rows.sh)
source "$(cd "$(dirname "$0")/.." && pwd)/store_rows.sh"
TMEX=$(realpath "$1")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tmex-analyze-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_status STATUS MESSAGE_PART ARGS...: tmex ARGS exits with STATUS and one stderr line.
expect_status() {
  local want=$1 part=$2 rc=0
  shift 2
  "$TMEX" "$@" >out.txt 2>err.txt || rc=$?
  [ "$rc" = "$want" ] || fail "tmex $* exited $rc, expected $want: $(cat err.txt)"
  grep -q -- "$part" err.txt || fail "tmex $*: stderr lacks '$part': $(cat err.txt)"
  [ "$(wc -l <err.txt)" = 1 ] || fail "tmex $*: more than one error line: $(cat err.txt)"
}

campaign() {  # campaign FILE METHOD SAMPLES
  cat >"$1" <<YAML
campaign: {name: e2e-$2, seed: 5, samples: $3, replicates: 1}
design: {method: $2}
model: {name: ishigami}
parameters:
  x1: {distribution: uniform, min: -3.141592653589793, max: 3.141592653589793}
  x2: {distribution: uniform, min: -3.141592653589793, max: 3.141592653589793}
  x3: {distribution: uniform, min: -3.141592653589793, max: 3.141592653589793}
storage: {path: $2.db}
YAML
  "$TMEX" run "$1" 2>/dev/null
}
campaign lhs.yaml lhs 2000
campaign saltelli.yaml saltelli 1024
campaign morris.yaml morris 20

# LHS: PRCC table sorted by |PRCC| (x1 first for Ishigami), events, every format.
"$TMEX" analyze lhs.db --event 'y > 10' >table.txt
grep -q "PRCC: partial rank correlation" table.txt || fail "no PRCC table"
awk '/^output y/{getline; getline; print $1; exit}' table.txt | grep -qx x1 || fail "x1 is not first"
grep -q "y > 10" table.txt || fail "no event"
# Repeated options before the store name leave it to the positional argument.
"$TMEX" analyze --event 'y > 10' --event 'y<0' --outputs y lhs.db >events.txt
grep -q "y < 0" events.txt && grep -q "y > 10" events.txt || fail "events before DB"
"$TMEX" analyze lhs.db --format json --event 'y>10' >lhs.json
python3 -c 'import json,sys; d=json.load(open("lhs.json")); assert d["prcc"]["outputs"][0]["output"]=="y"; assert d["events"]["events"][0]["rows"][0]["event"]=="y > 10"; assert d["uncertainty"]["outputs"][0]["output"]=="y"' ||
  fail "lhs JSON"
"$TMEX" analyze lhs.db --format csv --out lhs.csv
head -1 lhs.csv | grep -q "^section,output,parameter,time,statistic" || fail "CSV header"
grep -q "^prcc,y,x1," lhs.csv || fail "CSV PRCC row"
"$TMEX" analyze lhs.db --format markdown | contains "^| parameter | PRCC |" || fail "Markdown table"

# Saltelli: Sobol' indices with intervals; Morris: mu*.
"$TMEX" analyze saltelli.db --format json >saltelli.json
python3 -c 'import json; d=json.load(open("saltelli.json")); p={x["parameter"]: x for x in d["sobol"]["outputs"][0]["rows"]}; assert abs(p["x2"]["first"]-0.4424)<0.1, p; assert abs(p["x3"]["total"]-0.2437)<0.1, p' ||
  fail "Sobol' indices of Ishigami"
"$TMEX" analyze morris.db | contains "Morris elementary effects" || fail "no Morris table"

# Refusals: exit 2 and one line.
expect_status 2 "Saltelli design" analyze lhs.db --method sobol
expect_status 2 "Morris one-at-a-time" analyze morris.db --method prcc
expect_status 2 "unknown output 'z'" analyze lhs.db --outputs z
expect_status 2 "expected OUTPUT OP NUMBER" analyze lhs.db --event 'y = 3'
expect_status 2 "does not exist" analyze missing.db
echo "not a database" >text.db
expect_status 2 "not a tmex store" analyze text.db
expect_status 2 "unknown format 'xml'" analyze lhs.db --format xml

# Plots: drawn with gnuplot when it is there; data and scripts always.
TMEX_GNUPLOT=/nonexistent "$TMEX" analyze lhs.db --plots noplot >/dev/null 2>err.txt
grep -q "gnuplot not found" err.txt || fail "missing gnuplot not reported"
[ -f noplot/tornado_prcc_y.gp ] && [ -f noplot/tornado_prcc_y.dat ] || fail "no scripts without gnuplot"
if command -v gnuplot >/dev/null; then
  "$TMEX" analyze saltelli.db --plots plots >/dev/null 2>err.txt
  [ -s plots/sobol_y.png ] || fail "no Sobol' plot: $(cat err.txt)"
fi
echo "analyze e2e: ok"
